// SPDX-License-Identifier: GPL-2.0
/* The peer table and broadcast routes. Writers hold RTNL and replace a peer as a
 * whole (copy, update, publish), so the datapath never sees half an update; the
 * counters move with the peer across updates.
 */

#include "peer.h"
#include "device.h"
#include "stats.h"

#include <linux/etherdevice.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

static void peer_free_rcu(struct rcu_head *rcu)
{
	struct weave_peer *peer = container_of(rcu, struct weave_peer, rcu);

	if (peer->dst_cache.cache)
		dst_cache_destroy(&peer->dst_cache);
	free_percpu(peer->stats);
	kfree(peer);
}

static struct weave_peer *peer_deref(struct weave_dev *wd, u16 id)
{
	return rcu_dereference_protected(wd->peers.by_id[id], lockdep_rtnl_is_held());
}

static struct weave_bcast *bcast_deref(struct weave_dev *wd, u16 id)
{
	return rcu_dereference_protected(wd->peers.bcast[id], lockdep_rtnl_is_held());
}

static void apply_config(struct weave_peer *peer, const struct weave_peer_config *cfg)
{
	if (cfg->has_name)
		memcpy(peer->name, cfg->name, WEAVE_PEER_NAME_LEN);
	if (cfg->has_addr)
		peer->addr = cfg->addr;
	if (cfg->has_port)
		peer->port = htons(cfg->port);
	if (cfg->has_next_hop)
		peer->next_hop = cfg->next_hop;
	if (cfg->has_flags)
		peer->flags = cfg->flags;
	if (cfg->has_mtu)
		peer->mtu = cfg->mtu;
}

/**
 * weave_peer_set - add the peer cfg->short_id, or change the fields cfg carries
 * @wd: the device
 * @cfg: the request
 * @extack: where to say why a request is refused
 *
 * The caller must hold RTNL.
 */
int weave_peer_set(struct weave_dev *wd, const struct weave_peer_config *cfg,
		   struct netlink_ext_ack *extack)
{
	struct weave_peer *old, *peer;

	ASSERT_RTNL();
	if (cfg->short_id == wd->short_id) {
		NL_SET_ERR_MSG(extack, "Short id is the device's own");
		return -EINVAL;
	}
	old = peer_deref(wd, cfg->short_id);
	if (!old && !cfg->has_name) {
		NL_SET_ERR_MSG(extack, "A new peer needs WEAVE_PEER_A_NAME");
		return -EINVAL;
	}

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return -ENOMEM;
	if (old) {
		/* The new copy owns the counters and the route cache now. */
		*peer = *old;
		old->stats = NULL;
		old->dst_cache.cache = NULL;
	} else {
		peer->short_id = cfg->short_id;
		peer->next_hop = cfg->short_id;
		peer->port = htons(WEAVE_DEFAULT_UDP_PORT);
		peer->stats = weave_stats_alloc();
		if (!peer->stats || dst_cache_init(&peer->dst_cache, GFP_KERNEL)) {
			free_percpu(peer->stats);
			kfree(peer);
			return -ENOMEM;
		}
		wd->peers.count++;
	}
	apply_config(peer, cfg);
	if (old && (peer->addr != old->addr || peer->port != old->port))
		dst_cache_reset(&peer->dst_cache);
	rcu_assign_pointer(wd->peers.by_id[cfg->short_id], peer);
	if (old)
		call_rcu(&old->rcu, peer_free_rcu);
	return 0;
}

static void bcast_replace(struct weave_dev *wd, u16 src, struct weave_bcast *new)
{
	struct weave_bcast *old = bcast_deref(wd, src);

	rcu_assign_pointer(wd->peers.bcast[src], new);
	if (old)
		kfree_rcu(old, rcu);
}

/* The caller must hold RTNL. */
int weave_peer_del(struct weave_dev *wd, u16 id, struct netlink_ext_ack *extack)
{
	struct weave_peer *peer;

	ASSERT_RTNL();
	peer = peer_deref(wd, id);
	if (!peer) {
		NL_SET_ERR_MSG(extack, "No peer with that short id");
		return -ENOENT;
	}
	RCU_INIT_POINTER(wd->peers.by_id[id], NULL);
	wd->peers.count--;
	bcast_replace(wd, id, NULL);
	weave_fdb_flush(&wd->fdb, weave_fdb_match_dst, (void *)weave_fdb_dst_peer(id));
	call_rcu(&peer->rcu, peer_free_rcu);
	return 0;
}

/* Sets the next hops of frames broadcast by @src; no hops removes the route.
 * The caller must hold RTNL.
 */
int weave_bcast_set(struct weave_dev *wd, u16 src, const u16 *hops, unsigned int count,
		    struct netlink_ext_ack *extack)
{
	struct weave_bcast *b = NULL;
	unsigned int i;

	ASSERT_RTNL();
	for (i = 0; i < count; i++) {
		if (hops[i] > WEAVE_SHORT_ID_MAX) {
			NL_SET_ERR_MSG(extack, "A next hop is not a 12-bit short id");
			return -ERANGE;
		}
	}
	if (count) {
		b = kmalloc(struct_size(b, hops, count), GFP_KERNEL);
		if (!b)
			return -ENOMEM;
		b->count = count;
		memcpy(b->hops, hops, count * sizeof(*hops));
	}
	bcast_replace(wd, src, b);
	return 0;
}

/* Removes every peer and route. The caller must hold RTNL. */
void weave_peers_flush(struct weave_dev *wd)
{
	unsigned int id;

	ASSERT_RTNL();
	for (id = 0; id <= WEAVE_SHORT_ID_MAX; id++) {
		struct weave_peer *peer = peer_deref(wd, id);

		bcast_replace(wd, id, NULL);
		if (!peer)
			continue;
		RCU_INIT_POINTER(wd->peers.by_id[id], NULL);
		call_rcu(&peer->rcu, peer_free_rcu);
	}
	wd->peers.count = 0;
}
