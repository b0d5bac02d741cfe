/* SPDX-License-Identifier: GPL-2.0 */
/* The interface between weaver's HTTP API (api/) and the subsystems it renders: a plain
 * snapshot of the router's status, and the few actions the API can ask for. The API
 * never includes subsystem headers; weaver fills these structs and implements the ops.
 */
#ifndef WEAVE_API_API_H
#define WEAVE_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evl;

/* One connection of a peer, as gossiped in the topology (`weave status peers`). */
struct api_peer_conn {
	char name[18]; /* aa:bb:cc:dd:ee:ff */
	char nickname[256];
	char address[64]; /* remote TCP address host:port */
	bool outbound;
	bool established;
};

struct api_peer {
	char name[18];
	char nickname[256];
	uint64_t uid;
	uint16_t short_id;
	uint64_t version;
	struct api_peer_conn *conns;
	size_t n_conns;
};

/* A local connection or a target without one (`weave status connections`). */
struct api_conn {
	char address[64]; /* host:port */
	bool outbound;
	const char *state; /* "established", "pending", "connecting", "retrying", "failed" */
	char info[512]; /* e.g. "sleeve 7e:21:4a:70:2f:45(host2)", or the error text */
	/* attrs, for established/pending connections (rendered except `name`) */
	char attr_name[18];
	bool has_mtu;
	unsigned int mtu;
	bool has_encrypted;
	bool encrypted;
};

struct api_unicast_route {
	char dest[18], via[18];
};

struct api_broadcast_route {
	char source[18];
	char (*via)[18];
	size_t n_via;
};

/* A MAC address the router learnt (Router.MACs in /report); added by api/. */
struct api_mac {
	char mac[18];
	char name[18]; /* the peer it was seen on */
	char nickname[256];
	uint64_t last_seen_ns; /* CLOCK_REALTIME, ns since the epoch */
};

struct api_router_status {
	const char *protocol; /* "weave" */
	unsigned int protocol_min_version, protocol_max_version;
	bool encryption;
	bool peer_discovery;
	char name[18];
	char nickname[256];
	unsigned int port;
	struct api_peer *peers;
	size_t n_peers;
	struct api_unicast_route *unicast_routes;
	size_t n_unicast_routes;
	struct api_broadcast_route *broadcast_routes;
	size_t n_broadcast_routes;
	struct api_conn *conns;
	size_t n_conns;
	unsigned long termination_count;
	char **targets; /* as given to launch/connect */
	size_t n_targets;
	char **trusted_subnets; /* CIDR strings */
	size_t n_trusted_subnets;
	const char *interface; /* e.g. "weave (via sleeve)" */
	const char *datapath; /* "sleeve" or "fastdp" */
	/* Added by api/ (zero = nothing to report). Router.CaptureStats in /report: the pcap
	 * counters with sleeve, FlowMisses with fastdp.
	 */
	uint64_t packets_received, packets_dropped, packets_if_dropped;
	uint64_t flow_misses;
	struct api_mac *macs;
	size_t n_macs;
};

struct api_status {
	bool ready;
	const char *version; /* weaver's version */
	struct api_router_status router;
};

/* What weaver provides to the API. Every function runs on the event loop. */
struct api_backend_ops {
	/* Fills *ret with a snapshot; the API calls status_free() when done with it. */
	int (*status)(void *backend, struct api_status *ret);
	void (*status_free)(void *backend, struct api_status *st);
	/* POST /connect: the peers (host[:port]) to add as targets; replace drops the old
	 * targets first. Returns 0, or -EINVAL with a message in err (one line per bad peer).
	 */
	int (*connect)(void *backend, char **peers, size_t n, bool replace, char *err,
		       size_t errlen);
	/* POST /forget */
	int (*forget)(void *backend, char **peers, size_t n);
};

struct api_server;

/* Listens on addr ("127.0.0.1:6784", or a path starting with '/' for a unix socket);
 * read_only serves only GET /status* and /report (the status address). Runs on evl.
 */
int api_server_new(struct evl *evl, const char *addr, bool read_only,
		   const struct api_backend_ops *ops, void *backend, struct api_server **ret);
struct api_server *api_server_free(struct api_server *srv);
/* The TCP port the server listens on (useful with port 0); -EAFNOSUPPORT for a unix socket. */
int api_server_get_port(const struct api_server *srv, unsigned int *ret_port);

/* Renderers, exposed for tests: they write the exact texts of Weave's templates into a
 * malloc'ed string (*ret). `weave status` (top level, without the surrounding blank lines
 * the CLI adds), `status targets`, `status connections`, `status peers`, and /report JSON
 * (4-space indent, Go field names as keys).
 */
int api_render_status(const struct api_status *st, char **ret);
int api_render_targets(const struct api_status *st, char **ret);
int api_render_connections(const struct api_status *st, char **ret);
int api_render_peers(const struct api_status *st, char **ret);
int api_render_report_json(const struct api_status *st, char **ret);

#endif /* WEAVE_API_API_H */
