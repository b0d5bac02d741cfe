/* SPDX-License-Identifier: GPL-2.0 */
/* sleeve_overlay: the sleeve overlay at run time (router/sleeve.go): the UDP socket on the
 * mesh port and one forwarder per connection with heartbeats, ConnectionEstablished, PMTU
 * verification, batching and NaCl sealing. The codec is overlay/sleeve.
 */
#ifndef WEAVE_OVERLAY_SLEEVE_OVERLAY_H
#define WEAVE_OVERLAY_SLEEVE_OVERLAY_H

#include "mesh/peer_name.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evl;

#define SLEEVE_OVERLAY_NAME "sleeve"

enum sleeve_overlay_timers {
	SLEEVE_FAST_HEARTBEAT_MS = 500,
	SLEEVE_SLOW_HEARTBEAT_MS = 10 * 1000,
	SLEEVE_HEARTBEAT_TIMEOUT_MS = 60 * 1000,
	SLEEVE_FRAG_TEST_INTERVAL_MS = 5 * 60 * 1000,
};

/* The owner's side (the router). @conn is the owner's handle given at forwarder creation. */
struct sleeve_overlay_ops {
	void (*established)(void *userdata, void *conn);
	void (*failed)(void *userdata, void *conn, const char *text);
	/* A control reply to send over the connection's TCP stream (tag 7 or legacy 1-3). */
	int (*send_control)(void *userdata, void *conn, uint8_t subtag, const uint8_t *msg,
			    size_t len);
	/* A data frame received from the overlay, in a buffer the callee may modify. */
	void (*frame)(void *userdata, mesh_peer_name_t src, mesh_peer_name_t dst, uint8_t *frame,
		      size_t len);
};

struct sleeve_fwd_config {
	mesh_peer_name_t remote;
	uint64_t conn_uid;
	bool outbound;
	struct sockaddr_in addr; /* sin_port 0: learnt from the first heartbeat (inbound) */
	const uint8_t *key; /* the session key for an untrusted encrypted connection, or NULL */
	void *conn;
};

struct sleeve_overlay;
struct sleeve_fwd;

/* Binds UDP @port on all addresses. */
int sleeve_overlay_new(struct evl *evl, uint16_t port, mesh_peer_name_t self,
		       const struct sleeve_overlay_ops *ops, void *userdata,
		       struct sleeve_overlay **ret);
struct sleeve_overlay *sleeve_overlay_free(struct sleeve_overlay *so);
/* Sends what the forwarders batched (call once per loop iteration). */
void sleeve_overlay_flush(struct sleeve_overlay *so);

int sleeve_fwd_new(struct sleeve_overlay *so, const struct sleeve_fwd_config *cfg,
		   struct sleeve_fwd **ret);
struct sleeve_fwd *sleeve_fwd_free(struct sleeve_fwd *fwd);
/* A control message (sub-tag and body) received over TCP for this forwarder. */
int sleeve_fwd_control(struct sleeve_fwd *fwd, uint8_t subtag, const uint8_t *msg, size_t len);
/* Queues a frame from @src for @dst; sent at the next flush or when the batch is full. */
int sleeve_fwd_send(struct sleeve_fwd *fwd, mesh_peer_name_t src, mesh_peer_name_t dst,
		    const uint8_t *frame, size_t len);
bool sleeve_fwd_established(const struct sleeve_fwd *fwd);
/* The verified overlay MTU; false while unknown. */
bool sleeve_fwd_mtu(const struct sleeve_fwd *fwd, int *ret_mtu);
/* The overlay MTU frames are checked against (verified, else the 1500-byte underlay's). */
int sleeve_fwd_effective_mtu(const struct sleeve_fwd *fwd);

#endif /* WEAVE_OVERLAY_SLEEVE_OVERLAY_H */
