/* SPDX-License-Identifier: GPL-2.0 */
/* protocol: the fixed parts of the mesh control protocol on TCP 6783 (reference §3.1, §3.4,
 * §3.7): the version header, the v2 intro, message tags, overlay control messages, errors.
 */
#ifndef WEAVE_MESH_PROTOCOL_H
#define WEAVE_MESH_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MESH_PROTOCOL_NAME "weave" /* the first bytes of every connection */
#define MESH_ERROR_MAX 255 /* bytes of an error text, without the NUL */

enum mesh_protocol_limits {
	MESH_PROTOCOL_NAME_LEN = 5,
	MESH_HEADER_LEN = MESH_PROTOCOL_NAME_LEN + 2, /* name, min version, max version */
	MESH_PROTOCOL_V1 = 1, /* legacy gob stream: refused, we speak v2 only */
	MESH_PROTOCOL_V2 = 2,
	MESH_PROTOCOL_MIN_VERSION = MESH_PROTOCOL_V2, /* what we advertise by default */
	MESH_PROTOCOL_MAX_VERSION = MESH_PROTOCOL_V2,
	MESH_PUBLIC_KEY_LEN = 32, /* X25519 (crypto_box_PUBLICKEYBYTES) */
	MESH_SESSION_KEY_LEN = 32,
	MESH_INTRO_MAX_LEN = 1 + MESH_PUBLIC_KEY_LEN, /* encryption flag and public key */
	MESH_LENGTH_PREFIX_LEN = 4, /* big-endian u32 before each v2 message */
	MESH_MAX_TCP_MSG = 10 * 1024 * 1024, /* maxTCPMsgSize: framed body, tag included */
	MESH_SECRETBOX_OVERHEAD = 16, /* Poly1305 tag in front of an encrypted body */
	MESH_PASSWORD_MAX = 4096,
};

/* The first byte of a message body after the features (protocolTag). */
enum mesh_tag {
	MESH_TAG_HEARTBEAT = 0, /* empty payload, every 30 s */
	MESH_TAG_RESERVED1 = 1, /* legacy sleeve ConnectionEstablished (no Overlays feature) */
	MESH_TAG_RESERVED2 = 2, /* legacy sleeve FragmentationReceived */
	MESH_TAG_RESERVED3 = 3, /* legacy sleeve PMTUVerified */
	MESH_TAG_GOSSIP = 4, /* gob: channel, sender, data */
	MESH_TAG_GOSSIP_UNICAST = 5, /* gob: channel, source, destination, data */
	MESH_TAG_GOSSIP_BROADCAST = 6, /* gob: channel, original source, data */
	MESH_TAG_OVERLAY_CONTROL = 7, /* [forwarder index][sub-tag][message] */
};

/* Why a connection failed, in Weave's words where Weave has them. */
struct mesh_error {
	char text[MESH_ERROR_MAX + 1];
};

/* Formats the text into @err (may be NULL; truncated beyond MESH_ERROR_MAX) and returns
 * @code, so that failures read `return mesh_error_set(err, -EPROTO, "...")`.
 */
int mesh_error_set(struct mesh_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Go's %v of a []byte ("[119 101 97]") of at most @len bytes, into @buf of @size > 0. */
void mesh_format_go_bytes(char *buf, size_t size, const uint8_t *data, size_t len);

/* Go's %q of @s: quoted, with quotes, backslashes and control bytes escaped. */
void mesh_format_go_quoted(char *buf, size_t size, const char *s);

/* "weave" + @min_version + @max_version. */
void mesh_header_build(uint8_t min_version, uint8_t max_version,
		       uint8_t ret_header[static MESH_HEADER_LEN]);

/* Checks the remote header and negotiates as exchangeProtocolHeader does: the version is
 * min(theirs max, our max), refused when below max(their min, our min). -EPROTO on a wrong
 * name ("remote protocol header not recognised: [...]"), -EPROTONOSUPPORT when the ranges do
 * not overlap ("remote version range [a,b] is incompatible with ours [c,d]").
 */
int mesh_header_negotiate(const uint8_t header[static MESH_HEADER_LEN], uint8_t our_min,
			  uint8_t our_max, uint8_t *ret_version, struct mesh_error *err);

/* Our v2 intro: 0x00, or 0x01 and @public_key when a password is set (@public_key not
 * NULL). Returns the length written into @ret_intro (1 or MESH_INTRO_MAX_LEN).
 */
size_t mesh_intro_build(const uint8_t *public_key, uint8_t ret_intro[static MESH_INTRO_MAX_LEN]);

/* Checks the remote's encryption flag against whether we have a password: -EKEYREJECTED
 * with Weave's texts on a mismatch ("password specified, but peer requested an unencrypted
 * connection" and its converse), -EPROTO on a flag other than 0 or 1. Returns whether a
 * public key follows (0 or 1).
 */
int mesh_intro_check_flag(uint8_t flag, bool have_password, struct mesh_error *err);

/* A tag 7 payload: which of the connection's common overlays it is for, and its
 * forwarder's own sub-tag and message (sleeve: enum sleeve_control_tag).
 */
struct mesh_overlay_msg {
	uint8_t index;
	uint8_t subtag;
	const uint8_t *msg; /* points into the payload */
	size_t len;
};

/* -EBADMSG when the payload is shorter than index and sub-tag. */
int mesh_overlay_msg_parse(const uint8_t *payload, size_t len, struct mesh_overlay_msg *ret_msg);

/* Writes [index][subtag][msg] into @buf of @size bytes; -ENOBUFS when it does not fit. */
int mesh_overlay_msg_build(uint8_t index, uint8_t subtag, const uint8_t *msg, size_t len,
			   uint8_t *buf, size_t size, size_t *ret_len);

#endif /* WEAVE_MESH_PROTOCOL_H */
