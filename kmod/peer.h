/* SPDX-License-Identifier: GPL-2.0 */
/* The peer table (12-bit short id -> peer) and the broadcast routes, both programmed
 * by the daemon over netlink.
 */

#ifndef _WEAVE_PEER_H
#define _WEAVE_PEER_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/dst_cache.h>
#include <uapi/linux/weave.h>

struct weave_dev;
struct netlink_ext_ack;

struct weave_peer {
	u16 short_id;
	u16 next_hop;		/* == short_id: reached directly */
	u8 name[WEAVE_PEER_NAME_LEN];
	__be32 addr;		/* underlay address, 0: none */
	__be16 port;		/* underlay UDP port */
	u32 flags;		/* WEAVE_PEER_F_* */
	u32 mtu;		/* 0: the device's MTU */
	struct weave_pcpu_stats __percpu *stats;
	/* The underlay route to addr, per CPU, so most frames skip the route lookup. */
	struct dst_cache dst_cache;
	struct rcu_head rcu;
};

struct weave_bcast {
	u16 count;
	struct rcu_head rcu;
	u16 hops[];
};

/* Embedded in struct weave_dev. Writers hold RTNL; the datapath reads under RCU. */
struct weave_peers {
	struct weave_peer __rcu *by_id[WEAVE_SHORT_ID_MAX + 1];
	struct weave_bcast __rcu *bcast[WEAVE_SHORT_ID_MAX + 1];
	unsigned int count;
};

/* What a SET_PEER request asks for; has_* tell which fields it carries. */
struct weave_peer_config {
	u16 short_id;
	bool has_name, has_addr, has_port, has_next_hop, has_flags, has_mtu;
	u8 name[WEAVE_PEER_NAME_LEN];
	__be32 addr;
	u16 port;
	u16 next_hop;
	u32 flags;
	u32 mtu;
};

static inline struct weave_peer *weave_peer_get(struct weave_peers *peers, u16 id)
{
	return rcu_dereference(peers->by_id[id & WEAVE_SHORT_ID_MAX]);
}

static inline struct weave_bcast *weave_bcast_get(struct weave_peers *peers, u16 id)
{
	return rcu_dereference(peers->bcast[id & WEAVE_SHORT_ID_MAX]);
}

int weave_peer_set(struct weave_dev *wd, const struct weave_peer_config *cfg,
		   struct netlink_ext_ack *extack);
int weave_peer_del(struct weave_dev *wd, u16 id, struct netlink_ext_ack *extack);
int weave_bcast_set(struct weave_dev *wd, u16 src, const u16 *hops, unsigned int count,
		    struct netlink_ext_ack *extack);
void weave_peers_flush(struct weave_dev *wd);

#endif /* _WEAVE_PEER_H */
