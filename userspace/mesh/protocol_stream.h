/* SPDX-License-Identifier: GPL-2.0 */
/* protocol_stream: one side of a mesh TCP connection as a byte-stream state machine
 * (reference §3.1-§3.4): header, v2 intro, then length-prefixed messages, sealed with
 * the session key when a password is set. No sockets: bytes in, events and bytes out.
 */
#ifndef WEAVE_MESH_PROTOCOL_STREAM_H
#define WEAVE_MESH_PROTOCOL_STREAM_H

#include "mesh/protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MESH_PROTO_DEFAULT_MAX_OUTPUT (32u * 1024 * 1024) /* queued outgoing bytes */

struct mesh_proto_config {
	bool outbound; /* we dialled: the nonce polarity of what we send */
	const uint8_t *password; /* NULL: unencrypted; copied, at most MESH_PASSWORD_MAX */
	size_t password_len;
	uint8_t min_version; /* advertised; 0: MESH_PROTOCOL_MIN_VERSION. 1 mirrors Weave's
			      * header bytes, but a negotiated v1 is still refused. */
	uint8_t max_version; /* 0: MESH_PROTOCOL_MAX_VERSION (the only other value allowed) */
	size_t max_output; /* 0: MESH_PROTO_DEFAULT_MAX_OUTPUT */
};

enum mesh_proto_event_type {
	MESH_PROTO_EV_HEADER = 1, /* the remote header is read; version negotiated */
	MESH_PROTO_EV_INTRO, /* the remote intro is read; encryption agreed; sending allowed */
	MESH_PROTO_EV_FEATURES, /* the first message: a gob map[string]string in data/len */
	MESH_PROTO_EV_MESSAGE, /* a later message: tag, payload in data/len */
};

/* What mesh_proto_read produced. data points into the machine and stays valid until the
 * next call on it.
 */
struct mesh_proto_event {
	enum mesh_proto_event_type type;
	uint8_t version; /* HEADER and later */
	bool encrypted; /* INTRO and later */
	uint8_t tag; /* MESSAGE */
	const uint8_t *data; /* FEATURES, MESSAGE (after the tag) */
	size_t len;
	uint64_t seq; /* FEATURES, MESSAGE: number of the message, from 0 */
};

struct mesh_proto;

/* Creates the machine and queues our header. With a password it draws a fresh X25519
 * key pair (libsodium; call sodium_init() first). -EINVAL for a bad config.
 */
int mesh_proto_new(const struct mesh_proto_config *cfg, struct mesh_proto **ret_proto);
/* Wipes the keys and frees; NULL is fine. Returns NULL. */
struct mesh_proto *mesh_proto_free(struct mesh_proto *p);

/* Feeds received bytes, in any split. Consumes up to the end of the next event, sets
 * *ret_used and returns 1 with *ret_event filled, or consumes everything and returns 0.
 * Any error is fatal and sticky, its text in mesh_proto_error(): -EPROTO (bad header,
 * flag, encoding), -EPROTONOSUPPORT (versions, v1), -EKEYREJECTED (password on one side
 * only), -EMSGSIZE (a declared length over MESH_MAX_TCP_MSG), -EBADMSG (decryption failed:
 * "Unable to decrypt TCP msg"), -ENOMEM. Check the output after every call: reading the
 * header queues our intro.
 */
int mesh_proto_read(struct mesh_proto *p, const void *data, size_t len, size_t *ret_used,
		    struct mesh_proto_event *ret_event);

/* The remote closed its side. 0 when that happened between two messages ("EOF"),
 * -EBADMSG when it cut the stream short (Weave's texts for a cut header). Either way the
 * machine is finished afterwards (-ESHUTDOWN or the error from then on).
 */
int mesh_proto_eof(struct mesh_proto *p);

/* The text of the fatal error, "" while there is none. */
const char *mesh_proto_error(const struct mesh_proto *p);

/* The negotiated version (0 before the header) and the session key (-ENOKEY without a
 * password or before the remote intro).
 */
uint8_t mesh_proto_version(const struct mesh_proto *p);
int mesh_proto_session_key(const struct mesh_proto *p, uint8_t ret_key[MESH_SESSION_KEY_LEN]);

/* Queues our features message (the gob map, see features.h): the first message, allowed
 * once the remote intro is in (-ENOTCONN before, -EALREADY after sending it once).
 */
int mesh_proto_send_features(struct mesh_proto *p, const void *data, size_t len);
/* Queues a message [tag][payload]; only after the features (-ENOTCONN). -EMSGSIZE when
 * the framed body would exceed MESH_MAX_TCP_MSG, -ENOBUFS when the output queue would
 * exceed max_output. Nothing is queued on failure.
 */
int mesh_proto_send(struct mesh_proto *p, uint8_t tag, const void *payload, size_t len);
/* A tag 7 message: [index][subtag][msg]. */
int mesh_proto_send_overlay(struct mesh_proto *p, uint8_t index, uint8_t subtag, const void *msg,
			    size_t len);

/* Bytes waiting to be written (NULL and 0 when none), and how many were written. */
const uint8_t *mesh_proto_output(const struct mesh_proto *p, size_t *ret_len);
void mesh_proto_output_consume(struct mesh_proto *p, size_t n);

#endif /* WEAVE_MESH_PROTOCOL_STREAM_H */
