/* SPDX-License-Identifier: GPL-2.0 */
/* gossip: the gossip channels of a router (gossip_channel.go, surrogate_gossiper.go): channel
 * registration for subsystems, dispatch of received tag 4-6 messages, relaying along routes.
 */
#ifndef WEAVE_MESH_GOSSIP_H
#define WEAVE_MESH_GOSSIP_H

#include "mesh/gossip_wire.h"
#include "mesh/peer_name.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GOSSIP_INTERVAL_MS (30 * 1000) /* defaultGossipInterval */
#define GOSSIP_SURROGATE_SEEN_MAX 4096 /* hashes remembered per interval */

/* What a subsystem implements for its channel. Data handed out in *ret_data is malloc'ed
 * (NULL and 0: nothing to send).
 */
struct gossip_channel_ops {
	/* The complete state, for a new connection and the periodic gossip. */
	int (*gossip)(void *userdata, uint8_t **ret_data, size_t *ret_len);
	/* Tag 4 received: merge; return what improved, to gossip on. */
	int (*on_gossip)(void *userdata, mesh_peer_name_t src, const uint8_t *data, size_t len,
			 uint8_t **ret_data, size_t *ret_len);
	/* Tag 6 received for us (relaying is done here). */
	int (*on_broadcast)(void *userdata, mesh_peer_name_t src, const uint8_t *data, size_t len);
	/* Tag 5 addressed to us. */
	int (*on_unicast)(void *userdata, mesh_peer_name_t src, const uint8_t *data, size_t len);
};

/* How gossip reaches other peers: the router's connections and routes. Arrays returned in
 * *ret_names are malloc'ed and freed here.
 */
struct gossip_transport {
	int (*send)(void *userdata, mesh_peer_name_t neighbour, uint8_t tag, const uint8_t *payload,
		    size_t len);
	int (*random_neighbours)(void *userdata, mesh_peer_name_t except,
				 mesh_peer_name_t **ret_names, size_t *ret_n);
	int (*broadcast_hops)(void *userdata, mesh_peer_name_t src, mesh_peer_name_t **ret_names,
			      size_t *ret_n);
	int (*unicast_hop)(void *userdata, mesh_peer_name_t dst, mesh_peer_name_t *ret_hop);
	void *userdata;
};

struct gossip;
struct gossip_channel;

int gossip_new(mesh_peer_name_t self, const struct gossip_transport *transport,
	       struct gossip **ret);
struct gossip *gossip_free(struct gossip *g);

/* Registers a channel by name; -EEXIST when taken. The channel lives as long as @g. */
int gossip_register(struct gossip *g, const char *name, const struct gossip_channel_ops *ops,
		    void *userdata, struct gossip_channel **ret);

/* Sends @data (tag 4) to random neighbours (GossipNeighbourSubset). */
int gossip_channel_gossip(struct gossip_channel *ch, const uint8_t *data, size_t len);
/* Sends @data (tag 6) originating from us along our broadcast routes. */
int gossip_channel_broadcast(struct gossip_channel *ch, const uint8_t *data, size_t len);
/* Sends @data (tag 5) to @dst via its unicastAll next hop. */
int gossip_channel_unicast(struct gossip_channel *ch, mesh_peer_name_t dst, const uint8_t *data,
			   size_t len);

/* A new connection to @neighbour: the full state of every channel, tag 4, down it. */
int gossip_send_all_to(struct gossip *g, mesh_peer_name_t neighbour);
/* The periodic gossip: each channel's full state to random neighbours; forgets surrogate
 * hashes older than one interval.
 */
int gossip_periodic(struct gossip *g);

/* A tag 4-6 message from @neighbour. Errors mean a malformed message (close the
 * connection); a channel's own failures are logged here and not returned.
 */
int gossip_receive(struct gossip *g, mesh_peer_name_t neighbour, uint8_t tag,
		   const uint8_t *payload, size_t len);

/* FNV-64a, the surrogate's de-duplication hash. */
uint64_t gossip_fnv64a(const uint8_t *data, size_t len);

#endif /* WEAVE_MESH_GOSSIP_H */
