/* SPDX-License-Identifier: GPL-2.0 */
/* connection: one mesh TCP connection on the event loop (connection.go): non-blocking dial,
 * the protocol machine, features exchange, TCP heartbeats and the read/handshake deadlines.
 */
#ifndef WEAVE_MESH_CONNECTION_H
#define WEAVE_MESH_CONNECTION_H

#include "mesh/features.h"
#include "mesh/protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evl;
struct mesh_conn;

enum mesh_conn_timers {
	MESH_CONN_HEARTBEAT_MS = 30 * 1000, /* tcpHeartbeat */
	MESH_CONN_READ_DEADLINE_MS = 60 * 1000, /* 2 x heartbeat */
	MESH_CONN_HANDSHAKE_MS = 10 * 1000,
};

/* Callbacks into the owner (the router). A connection calls on_closed exactly once, after
 * which the owner must free it (not from inside the callback: mesh_conn_free is deferred by
 * the owner, e.g. to a post source).
 */
struct mesh_conn_ops {
	/* The remote's features are parsed; return a negative errno with a text in err to refuse. */
	int (*ready)(struct mesh_conn *c, const struct mesh_features_info *remote,
		     struct mesh_error *err, void *userdata);
	/* A message after the features (tags 0..7). Errors close the connection with err. */
	int (*message)(struct mesh_conn *c, uint8_t tag, const uint8_t *data, size_t len,
		       struct mesh_error *err, void *userdata);
	void (*closed)(struct mesh_conn *c, int error, const char *text, void *userdata);
};

struct mesh_conn_config {
	bool outbound;
	int fd; /* owned from now on; for outbound ones a non-blocking connect in progress */
	const char *remote_addr; /* "ip:port" of the remote end */
	const uint8_t *password; /* NULL: none */
	size_t password_len;
	struct mesh_features_info local; /* conn_id is drawn here */
};

int mesh_conn_new(struct evl *evl, const struct mesh_conn_config *cfg,
		  const struct mesh_conn_ops *ops, void *userdata, struct mesh_conn **ret);
/* Closes the socket and frees; NULL-safe; returns NULL. Never calls on_closed. */
struct mesh_conn *mesh_conn_free(struct mesh_conn *c);
/* Ends the connection with an error text (logged by the owner in on_closed). */
void mesh_conn_close(struct mesh_conn *c, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int mesh_conn_send(struct mesh_conn *c, uint8_t tag, const void *payload, size_t len);

bool mesh_conn_outbound(const struct mesh_conn *c);
bool mesh_conn_is_ready(const struct mesh_conn *c);
bool mesh_conn_is_closed(const struct mesh_conn *c);
const char *mesh_conn_remote_addr(const struct mesh_conn *c);
/* Valid once ready. */
const struct mesh_features_info *mesh_conn_remote(const struct mesh_conn *c);
uint64_t mesh_conn_get_uid(const struct mesh_conn *c);
/* The session key, -ENOKEY without a password. */
int mesh_conn_session_key(const struct mesh_conn *c, uint8_t ret_key[MESH_SESSION_KEY_LEN]);
void *mesh_conn_get_data(const struct mesh_conn *c);
void mesh_conn_set_data(struct mesh_conn *c, void *data);

/* Go's text of a failed dial: "dial tcp4 1.2.3.4:6783: connect: connection refused". */
void mesh_conn_dial_error(char *buf, size_t size, const char *addr, int error);

#endif /* WEAVE_MESH_CONNECTION_H */
