/* SPDX-License-Identifier: GPL-2.0 */
/* router_internal: what the router's files (router, router_conn, router_topology,
 * router_datapath, api_backend) share among themselves.
 */
#ifndef WEAVE_WEAVER_ROUTER_INTERNAL_H
#define WEAVE_WEAVER_ROUTER_INTERNAL_H

#include "weaver/router.h"

enum router_timers {
	ROUTER_TOPOLOGY_COALESCE_MS = 1000, /* deferTopologyUpdateDuration */
	ROUTER_ROUTES_DEFER_MS = 100,
	ROUTER_GC_MS = 1000,
	ROUTER_MAC_EXPIRY_CHECK_MS = 60 * 1000,
	ROUTER_ACCEPT_TOKENS = 20,
	ROUTER_ACCEPT_TOKEN_MS = 50,
	/* Broadcasts go to several peers: checked against the smallest plausible overlay MTU
	 * (a 1500-byte underlay with encryption).
	 */
	ROUTER_BROADCAST_MTU = 1414,
};

/* router.c */
void router_topology_changed(struct router *r);
void router_targets_kick(struct router *r);
struct router_conn *router_conn_by_peer(const struct router *r, mesh_peer_name_t name);
void router_handle_removed(struct router *r, struct mesh_peers_changes *ch);

/* router_conn.c */
int router_listen(struct router *r);
void router_dial(struct router *r, const struct mesh_target_due *due);
void router_conns_reap(struct router *r);
void router_conns_close_all(struct router *r);
int router_accept_timer(struct evl_source *s, uint64_t when_ms, void *userdata);

/* router_topology.c */
int router_topology_register(struct router *r);
int router_topology_flush(struct router *r);
void router_gossip_transport(struct router *r, struct gossip_transport *t);

/* router_datapath.c */
int router_datapath_start(struct router *r);
void router_datapath_stop(struct router *r);
extern const struct sleeve_overlay_ops router_sleeve_ops;

#endif /* WEAVE_WEAVER_ROUTER_INTERNAL_H */
