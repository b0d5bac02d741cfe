/* SPDX-License-Identifier: GPL-2.0 */
/* router: weaver's manager object (Weave's NetworkRouter + mesh Router): owns the event loop's
 * sources, the topology, connections, gossip, the sleeve overlay, the bridge port and the API.
 */
#ifndef WEAVE_WEAVER_ROUTER_H
#define WEAVE_WEAVER_ROUTER_H

#include "mesh/connection.h"
#include "mesh/gossip.h"
#include "mesh/peers.h"
#include "mesh/routes.h"
#include "mesh/targets.h"
#include "overlay/sleeve_overlay.h"
#include "weaver/mac_cache.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evl;
struct evl_source;
struct store;
struct api_server;

#define ROUTER_TRUSTED_MAX 64
#define ROUTER_DEFAULT_CONN_LIMIT 200
#define ROUTER_DEFAULT_CONTAINER_MTU 1376

struct router_subnet {
	struct in_addr addr;
	struct in_addr mask;
	char text[32];
};

struct router_config {
	uint16_t port;
	mesh_peer_name_t name; /* 0: the persisted one, else the bridge's MAC */
	char nickname[MESH_NICKNAME_MAX + 1];
	char *password; /* NULL: none */
	struct router_subnet trusted[ROUTER_TRUSTED_MAX];
	size_t n_trusted;
	unsigned int conn_limit;
	bool discovery;
	const char *http_addr; /* NULL: no API */
	const char *status_addr;
	unsigned int mtu; /* the bridge MTU; 0: Weave's sleeve default 65535 */
	const char *db_path; /* <db-prefix>data.db */
	const char *bridge; /* "weave" */
	bool resume; /* use the persisted targets instead of @peers */
	char **peers; /* initial targets */
	size_t n_peers;
};

/* One TCP connection of ours. */
struct router_conn {
	struct router_conn *next;
	struct router *r;
	struct mesh_conn *mc;
	struct sleeve_fwd *fwd;
	uint64_t id;
	char target[MESH_TARGET_ADDR_MAX + 1]; /* outbound: the target dialled */
	mesh_peer_name_t remote;
	bool accept_new_peer; /* inbound or a direct peer; discovered ones must be known */
	bool has_ref; /* holds a local reference on the remote peer */
	bool added; /* in our topology (pending or established) */
	bool established;
	bool encrypted; /* sleeve traffic sealed with the session key */
	bool legacy_overlay; /* the peer has no Overlays feature: tags 1-3 */
	uint8_t overlay_index;
	bool dead; /* closed, freed in the post handler */
};

struct router {
	struct router_config cfg;
	struct evl *evl;
	struct store *store;
	mesh_peer_name_t self;
	char self_str[MESH_PEER_NAME_STRLEN];
	uint64_t uid;
	struct mesh_rand rnd;
	struct mesh_peers *peers;
	struct mesh_routes *routes;
	struct mesh_targets *targets;
	struct gossip *gossip;
	struct gossip_channel *topology;
	uint64_t topology_sent_seq;
	struct sleeve_overlay *sleeve;
	struct mac_cache *macs;
	int tap_fd;
	struct evl_source *tap_io;
	uint8_t *tap_buf; /* one captured frame */
	int listen_fd;
	struct evl_source *listen_io;
	double accept_tokens;
	uint64_t accept_tokens_ms;
	struct router_conn *conns;
	uint64_t next_conn_id;
	unsigned long termination_count;
	struct evl_source *t_targets, *t_topology, *t_routes, *t_gc, *t_gossip, *t_macs, *t_accept,
		*post;
	bool routes_pending, topology_pending, gc_pending;
	struct api_server *http, *status_http;
	bool ready;
};

int router_new(struct evl *evl, const struct router_config *cfg, struct router **ret);
/* Closes every connection (their peers are told by the TCP close). */
struct router *router_free(struct router *r);

/* `weave connect`: -EINVAL with one line per bad peer in @err. */
int router_connect(struct router *r, char **peers, size_t n, bool replace, char *err, size_t len);
int router_forget(struct router *r, char **peers, size_t n);

/* Text of a peer for logs and status: "aa:bb:cc:dd:ee:ff(nick)". */
void router_peer_text(const struct router *r, mesh_peer_name_t name, char *buf, size_t size);

/* The HTTP API backend (api_backend.c): starts the servers for --http-addr/--status-addr. */
int router_api_start(struct router *r);
void router_api_stop(struct router *r);

#endif /* WEAVE_WEAVER_ROUTER_H */
