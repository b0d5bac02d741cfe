/* SPDX-License-Identifier: GPL-2.0 */
/* targets: the connection maker's bookkeeping without sockets (connection_maker.go):
 * direct peers, targets discovered from the topology, per-target state for status
 * output and the reconnection back-off. The caller dials what mesh_targets_check says
 * is due and reports back; time is passed in, in milliseconds of a monotonic clock.
 */
#ifndef WEAVE_MESH_TARGETS_H
#define WEAVE_MESH_TARGETS_H

#include "mesh/peers.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MESH_DEFAULT_PORT 6783
#define MESH_TARGET_ADDR_MAX 263 /* "host:port": a 253-byte DNS name, brackets, port */
#define MESH_TARGET_ERROR_MAX 255 /* a failure's text, truncated beyond */
#define MESH_DIRECT_PEERS_MAX 1024
#define MESH_TARGETS_MAX 4096 /* discovered targets beyond this are not added */
#define MESH_TARGET_CONNS_MAX 8192 /* connections the maker keeps track of */

#define MESH_TARGET_INITIAL_INTERVAL_MS 2000ULL
#define MESH_TARGET_MAX_INTERVAL_MS (6 * 60 * 1000ULL)
#define MESH_TARGET_RESET_AFTER_MS (60 * 1000ULL)

enum mesh_target_state {
	MESH_TARGET_WAITING, /* until retry_at, or forever when retry_never */
	MESH_TARGET_ATTEMPTING, /* handed out by mesh_targets_check, not reported back */
	MESH_TARGET_CONNECTED,
	MESH_TARGET_SUSPENDED, /* a direct peer we need not dial now */
};

/* Why a connection ended: the first two are never retried. */
enum mesh_conn_error {
	MESH_CONN_ERROR_OTHER,
	MESH_CONN_ERROR_SELF, /* "cannot connect to ourself" */
	MESH_CONN_ERROR_NAME_COLLISION, /* "local ... and remote ... peer names collision" */
};

struct mesh_target_status {
	char address[MESH_TARGET_ADDR_MAX + 1];
	enum mesh_target_state state;
	bool direct;
	bool has_error;
	char last_error[MESH_TARGET_ERROR_MAX + 1];
	bool retry_never;
	uint64_t retry_at_ms;
};

struct mesh_target_due {
	char address[MESH_TARGET_ADDR_MAX + 1];
	bool accept_new_peer; /* a direct peer; a discovered one must already be known */
};

struct mesh_targets;

/* @port is our own listening port: the default for direct peers given without one, and
 * the port tried on hosts only seen with inbound connections. @rnd draws back-off delays.
 */
int mesh_targets_new(uint16_t port, bool discovery, const struct mesh_rand *rnd,
		     struct mesh_targets **ret_targets);
struct mesh_targets *mesh_targets_free(struct mesh_targets *targets);

/* Splits "host", "host:port", "[v6]" or "[v6]:port" (port 1-65535, or 0 meaning none;
 * *ret_port 0 when none was given). -EINVAL on an empty host or a bad port.
 */
int mesh_targets_parse_peer(const char *peer, char *ret_host, size_t host_size, uint16_t *ret_port);

/* Adds (or re-adds) a direct peer, @peer as the user gave it; @resolved_host, when not
 * NULL, is the address its host resolved to and is dialled instead of the host. A
 * target waiting for this address is retried at once.
 */
int mesh_targets_add_direct(struct mesh_targets *targets, const char *peer,
			    const char *resolved_host, uint64_t now_ms);
/* Forgets every direct peer (for a replacing `weave connect --replace`). */
void mesh_targets_clear_direct(struct mesh_targets *targets);
/* `weave forget`: only the direct peer goes; connections stay. -ENOENT if unknown. */
int mesh_targets_forget(struct mesh_targets *targets, const char *peer);
/* The direct peers as given, in the order they were added (`weave status targets`). */
size_t mesh_targets_direct_count(const struct mesh_targets *targets);
const char *mesh_targets_direct_at(const struct mesh_targets *targets, size_t i);

/* A connection (either way) passed its handshake. @conn_id is the caller's handle. */
int mesh_targets_connection_created(struct mesh_targets *targets, uint64_t conn_id,
				    mesh_peer_name_t remote, const char *remote_addr,
				    bool outbound);
/* A connection ended, or an outbound one failed its handshake (then it may never have
 * been created). For outbound ones @remote_addr is the target that was dialled.
 */
int mesh_targets_connection_terminated(struct mesh_targets *targets, uint64_t conn_id,
				       const char *remote_addr, bool outbound,
				       enum mesh_conn_error kind, const char *error,
				       uint64_t now_ms);
/* Dialling a due target failed before any connection existed. */
int mesh_targets_attempt_failed(struct mesh_targets *targets, const char *address,
				const char *error, uint64_t now_ms);

/* Brings the targets up to date with the direct peers, our connections and (with
 * discovery) the topology @peers, which may be NULL, and returns the targets to dial
 * now, sorted by address. With
 * a @conn_limit (0: none) reached, due targets fail as Weave's would. *ret_wait_ms is
 * how long until the next target falls due (UINT64_MAX: none).
 */
int mesh_targets_check(struct mesh_targets *targets, const struct mesh_peers *peers,
		       uint64_t now_ms, unsigned conn_limit, struct mesh_target_due **ret_due,
		       size_t *ret_n, uint64_t *ret_wait_ms);

/* How long until the next waiting target falls due (0: one is due now, UINT64_MAX: none).
 * For after the caller dialled what mesh_targets_check returned: a dial that failed at once
 * (mesh_targets_attempt_failed) is then waiting again and must be woken for.
 */
uint64_t mesh_targets_next_wait(const struct mesh_targets *targets, uint64_t now_ms);

/* Every target, sorted by address. Free the array with free(). */
int mesh_targets_status(const struct mesh_targets *targets, struct mesh_target_status **ret,
			size_t *ret_n);

/* The `weave status connections` state of a target: "connecting", "retrying" (attempting
 * after an error), "failed" (waiting after an error; info "<error>, retry: <when|never>"),
 * "waiting", or NULL for connected and suspended targets, which are not listed.
 */
const char *mesh_target_status_state(const struct mesh_target_status *status);

#endif /* WEAVE_MESH_TARGETS_H */
