// SPDX-License-Identifier: GPL-2.0
/* protocol_stream: the per-connection reader and writer of the mesh TCP stream (protocol.go
 * DoIntro/doIntroV2, protocol_crypto.go length-prefixed and encrypted senders/receivers).
 */
#include "mesh/protocol_stream.h"

#include "overlay/sleeve/sleeve_crypto.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum read_state {
	RS_HEADER, /* 7 bytes */
	RS_FLAG, /* 1 byte */
	RS_PUBKEY, /* 32 bytes */
	RS_LENGTH, /* 4 bytes */
	RS_BODY, /* the announced length */
	RS_DEAD,
};

enum {
	OUT_MIN_CAP = 4096,
	BODY_MIN_CAP = 4096,
	BODY_KEEP_CAP = 1024 * 1024, /* a larger body buffer is released between messages */
};

struct outq {
	uint8_t *buf;
	size_t off, len, cap; /* pending bytes are buf[off..len) */
};

struct mesh_proto {
	bool outbound;
	bool encrypted; /* a password is set */
	bool have_key;
	bool features_sent;
	uint8_t min_version, max_version, version;
	enum read_state rs;
	int err; /* sticky, negative once failed */
	struct mesh_error error;

	uint8_t small[MESH_PUBLIC_KEY_LEN]; /* header, public key or length being read */
	size_t small_len;
	uint8_t *body;
	size_t body_cap, body_len, body_want;
	uint64_t recv_seq, send_seq;

	struct outq out;
	size_t max_output;

	uint8_t public_key[MESH_PUBLIC_KEY_LEN];
	uint8_t secret_key[MESH_PUBLIC_KEY_LEN];
	uint8_t session_key[MESH_SESSION_KEY_LEN];
	uint8_t password[MESH_PASSWORD_MAX];
	size_t password_len;
};

/* --- output queue ---------------------------------------------------------------------- */

/* Room for n more bytes at the end of the queue, within max pending bytes. */
static int out_reserve(struct outq *q, size_t max, size_t n, uint8_t **ret)
{
	size_t pending = q->len - q->off, cap;
	uint8_t *buf;

	if (n > max || pending > max - n)
		return -ENOBUFS;
	if (q->off && q->len + n > q->cap) {
		memmove(q->buf, q->buf + q->off, pending);
		q->off = 0;
		q->len = pending;
	}
	if (q->len + n > q->cap) {
		cap = q->cap ? q->cap : OUT_MIN_CAP;
		while (cap < q->len + n)
			cap *= 2;
		buf = realloc(q->buf, cap);
		if (!buf)
			return -ENOMEM;
		q->buf = buf;
		q->cap = cap;
	}
	*ret = q->buf + q->len;
	return 0;
}

static int out_append(struct mesh_proto *p, const void *data, size_t n)
{
	uint8_t *dst;
	int r = out_reserve(&p->out, p->max_output, n, &dst);

	if (r < 0)
		return r;
	memcpy(dst, data, n);
	p->out.len += n;
	return 0;
}

const uint8_t *mesh_proto_output(const struct mesh_proto *p, size_t *ret_len)
{
	*ret_len = p->out.len - p->out.off;
	return *ret_len ? p->out.buf + p->out.off : NULL;
}

void mesh_proto_output_consume(struct mesh_proto *p, size_t n)
{
	size_t pending = p->out.len - p->out.off;

	p->out.off += n < pending ? n : pending;
	if (p->out.off == p->out.len)
		p->out.off = p->out.len = 0;
}

/* --- lifetime -------------------------------------------------------------------------- */

static int check_config(const struct mesh_proto_config *cfg, uint8_t *min, uint8_t *max)
{
	*min = cfg->min_version ? cfg->min_version : MESH_PROTOCOL_MIN_VERSION;
	*max = cfg->max_version ? cfg->max_version : MESH_PROTOCOL_MAX_VERSION;
	if (*max != MESH_PROTOCOL_V2 || *min < MESH_PROTOCOL_V1 || *min > *max)
		return -EINVAL;
	if ((!cfg->password && cfg->password_len) || cfg->password_len > MESH_PASSWORD_MAX)
		return -EINVAL;
	return 0;
}

int mesh_proto_new(const struct mesh_proto_config *cfg, struct mesh_proto **ret_proto)
{
	uint8_t header[MESH_HEADER_LEN];
	struct mesh_proto *p;
	uint8_t min, max;
	int r = check_config(cfg, &min, &max);

	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->outbound = cfg->outbound;
	p->min_version = min;
	p->max_version = max;
	p->max_output = cfg->max_output ? cfg->max_output : MESH_PROTO_DEFAULT_MAX_OUTPUT;
	if (cfg->password) {
		p->encrypted = true;
		if (cfg->password_len)
			memcpy(p->password, cfg->password, cfg->password_len);
		p->password_len = cfg->password_len;
		crypto_box_keypair(p->public_key, p->secret_key);
	}
	mesh_header_build(min, max, header);
	r = out_append(p, header, sizeof(header));
	if (r < 0) {
		mesh_proto_free(p);
		return r;
	}
	*ret_proto = p;
	return 0;
}

struct mesh_proto *mesh_proto_free(struct mesh_proto *p)
{
	if (!p)
		return NULL;
	free(p->out.buf);
	free(p->body);
	sodium_memzero(p, sizeof(*p));
	free(p);
	return NULL;
}

static void wipe_secrets(struct mesh_proto *p)
{
	sodium_memzero(p->secret_key, sizeof(p->secret_key));
	sodium_memzero(p->password, sizeof(p->password));
}

const char *mesh_proto_error(const struct mesh_proto *p)
{
	return p->error.text;
}

uint8_t mesh_proto_version(const struct mesh_proto *p)
{
	return p->version;
}

int mesh_proto_session_key(const struct mesh_proto *p, uint8_t ret_key[MESH_SESSION_KEY_LEN])
{
	if (!p->have_key)
		return -ENOKEY;
	memcpy(ret_key, p->session_key, MESH_SESSION_KEY_LEN);
	return 0;
}

/* --- reading --------------------------------------------------------------------------- */

/* Moves up to want - small_len bytes into p->small; true once it holds want bytes. */
static bool fill_small(struct mesh_proto *p, size_t want, const uint8_t *in, size_t len,
		       size_t *pos)
{
	size_t n = want - p->small_len;

	if (n > len - *pos)
		n = len - *pos;
	memcpy(p->small + p->small_len, in + *pos, n);
	p->small_len += n;
	*pos += n;
	return p->small_len == want;
}

static void next_state(struct mesh_proto *p, enum read_state rs)
{
	p->rs = rs;
	p->small_len = 0;
}

static int on_header(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	uint8_t intro[MESH_INTRO_MAX_LEN];
	size_t n;
	int r;

	r = mesh_header_negotiate(p->small, p->min_version, p->max_version, &p->version, &p->error);
	if (r < 0)
		return r;
	if (p->version == MESH_PROTOCOL_V1)
		return mesh_error_set(
			&p->error, -EPROTONOSUPPORT,
			"protocol version 1 is not supported: we speak version 2 only");
	n = mesh_intro_build(p->encrypted ? p->public_key : NULL, intro);
	r = out_append(p, intro, n);
	if (r < 0)
		return mesh_error_set(&p->error, r, "out of memory");
	next_state(p, RS_FLAG);
	*ev = (struct mesh_proto_event){ .type = MESH_PROTO_EV_HEADER, .version = p->version };
	return 1;
}

static int intro_done(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	next_state(p, RS_LENGTH);
	*ev = (struct mesh_proto_event){ .type = MESH_PROTO_EV_INTRO,
					 .version = p->version,
					 .encrypted = p->encrypted };
	return 1;
}

static int on_flag(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	int r = mesh_intro_check_flag(p->small[0], p->encrypted, &p->error);

	if (r < 0)
		return r;
	if (r == 1) {
		next_state(p, RS_PUBKEY);
		return 0;
	}
	return intro_done(p, ev);
}

static int on_pubkey(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	int r = sleeve_session_key(p->small, p->secret_key, p->password, p->password_len,
				   p->session_key);

	wipe_secrets(p);
	if (r < 0)
		return mesh_error_set(&p->error, r, "invalid remote public key");
	p->have_key = true;
	return intro_done(p, ev);
}

/* Opens a sealed body in place; *data and *len become the plaintext. */
static int open_body(struct mesh_proto *p, uint8_t **data, size_t *len)
{
	uint8_t nonce[SLEEVE_NONCE_LEN];
	uint8_t *b = *data;

	if (*len < MESH_SECRETBOX_OVERHEAD)
		return mesh_error_set(&p->error, -EBADMSG, "Unable to decrypt TCP msg");
	sleeve_nonce_tcp(nonce, !p->outbound, p->recv_seq);
	if (crypto_secretbox_open_detached(b + MESH_SECRETBOX_OVERHEAD, b + MESH_SECRETBOX_OVERHEAD,
					   b, *len - MESH_SECRETBOX_OVERHEAD, nonce,
					   p->session_key))
		return mesh_error_set(&p->error, -EBADMSG, "Unable to decrypt TCP msg");
	*data = b + MESH_SECRETBOX_OVERHEAD;
	*len -= MESH_SECRETBOX_OVERHEAD;
	return 0;
}

/* A whole body is in: 1 and its event, or 0 for an empty message (Weave ignores those). */
static int on_body(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	uint8_t *data = p->body;
	size_t len = p->body_want;
	uint64_t seq = p->recv_seq;
	int r;

	if (p->encrypted) {
		r = open_body(p, &data, &len);
		if (r < 0)
			return r;
	}
	p->recv_seq++;
	next_state(p, RS_LENGTH);
	if (seq == 0) {
		*ev = (struct mesh_proto_event){ .type = MESH_PROTO_EV_FEATURES,
						 .data = data,
						 .len = len };
	} else if (len) {
		*ev = (struct mesh_proto_event){ .type = MESH_PROTO_EV_MESSAGE,
						 .tag = data[0],
						 .data = data + 1,
						 .len = len - 1 };
	} else {
		return 0;
	}
	ev->version = p->version;
	ev->encrypted = p->encrypted;
	ev->seq = seq;
	return 1;
}

static int on_length(struct mesh_proto *p, struct mesh_proto_event *ev)
{
	uint32_t n = (uint32_t)p->small[0] << 24 | (uint32_t)p->small[1] << 16 |
		     (uint32_t)p->small[2] << 8 | p->small[3];

	if (n > MESH_MAX_TCP_MSG)
		return mesh_error_set(&p->error, -EMSGSIZE,
				      "incoming message exceeds maximum size: %u > %d", n,
				      MESH_MAX_TCP_MSG);
	if (p->body_cap > BODY_KEEP_CAP) {
		free(p->body);
		p->body = NULL;
		p->body_cap = 0;
	}
	p->body_want = n;
	p->body_len = 0;
	next_state(p, RS_BODY);
	return n ? 0 : on_body(p, ev);
}

/* Makes room for n more body bytes, growing with what actually arrives. */
static int body_reserve(struct mesh_proto *p, size_t n)
{
	size_t need = p->body_len + n, cap = p->body_cap ? p->body_cap : BODY_MIN_CAP;
	uint8_t *b;

	if (need <= p->body_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > p->body_want)
		cap = p->body_want;
	b = realloc(p->body, cap);
	if (!b)
		return mesh_error_set(&p->error, -ENOMEM, "out of memory");
	p->body = b;
	p->body_cap = cap;
	return 0;
}

static int read_body(struct mesh_proto *p, const uint8_t *in, size_t len, size_t *pos,
		     struct mesh_proto_event *ev)
{
	size_t n = p->body_want - p->body_len;
	int r;

	if (n > len - *pos)
		n = len - *pos;
	r = body_reserve(p, n);
	if (r < 0)
		return r;
	memcpy(p->body + p->body_len, in + *pos, n);
	p->body_len += n;
	*pos += n;
	return p->body_len == p->body_want ? on_body(p, ev) : 0;
}

/* Consumes bytes for the current state: 1 with an event, 0 without, or an error. */
static int step(struct mesh_proto *p, const uint8_t *in, size_t len, size_t *pos,
		struct mesh_proto_event *ev)
{
	switch (p->rs) {
	case RS_HEADER:
		return fill_small(p, MESH_HEADER_LEN, in, len, pos) ? on_header(p, ev) : 0;
	case RS_FLAG:
		return fill_small(p, 1, in, len, pos) ? on_flag(p, ev) : 0;
	case RS_PUBKEY:
		return fill_small(p, MESH_PUBLIC_KEY_LEN, in, len, pos) ? on_pubkey(p, ev) : 0;
	case RS_LENGTH:
		return fill_small(p, MESH_LENGTH_PREFIX_LEN, in, len, pos) ? on_length(p, ev) : 0;
	case RS_BODY:
		return read_body(p, in, len, pos, ev);
	default:
		return p->err;
	}
}

static int fail(struct mesh_proto *p, int r)
{
	p->err = r;
	p->rs = RS_DEAD;
	wipe_secrets(p);
	return r;
}

int mesh_proto_read(struct mesh_proto *p, const void *data, size_t len, size_t *ret_used,
		    struct mesh_proto_event *ret_event)
{
	size_t pos = 0;
	int r = 0;

	*ret_used = 0;
	if (p->err)
		return p->err;
	while (r == 0 && pos < len)
		r = step(p, data, len, &pos, ret_event);
	*ret_used = pos;
	return r < 0 ? fail(p, r) : r;
}

static int eof_text(struct mesh_proto *p)
{
	char got[64];

	switch (p->rs) {
	case RS_HEADER:
		if (!p->small_len)
			return mesh_error_set(&p->error, -EBADMSG,
					      "failed to receive remote protocol header: EOF");
		mesh_format_go_bytes(got, sizeof(got), p->small, p->small_len);
		return mesh_error_set(
			&p->error, -EBADMSG,
			"received incomplete remote protocol header (%zu octets instead of %d): %s; error: unexpected EOF",
			p->small_len, MESH_HEADER_LEN, got);
	case RS_LENGTH:
		if (!p->small_len && p->recv_seq)
			return mesh_error_set(&p->error, 0, "EOF");
		/* fallthrough */
	case RS_FLAG:
	case RS_PUBKEY:
		if (!p->small_len)
			return mesh_error_set(&p->error, -EBADMSG, "EOF");
		/* fallthrough */
	default:
		return mesh_error_set(&p->error, -EBADMSG, "unexpected EOF");
	}
}

int mesh_proto_eof(struct mesh_proto *p)
{
	int r;

	if (p->err)
		return p->err;
	r = eof_text(p);
	fail(p, r ? r : -ESHUTDOWN);
	return r;
}

/* --- writing --------------------------------------------------------------------------- */

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* Frames [pre][data] as one message, sealed when encrypted, onto the output queue. */
static int frame_out(struct mesh_proto *p, const uint8_t *pre, size_t pre_len, const void *data,
		     size_t len)
{
	size_t over = p->encrypted ? MESH_SECRETBOX_OVERHEAD : 0, plain, body;
	uint8_t nonce[SLEEVE_NONCE_LEN], *dst;
	int r;

	if (len > MESH_MAX_TCP_MSG || pre_len + len + over > MESH_MAX_TCP_MSG)
		return -EMSGSIZE;
	plain = pre_len + len;
	body = plain + over;
	r = out_reserve(&p->out, p->max_output, MESH_LENGTH_PREFIX_LEN + body, &dst);
	if (r < 0)
		return r;
	put_be32(dst, (uint32_t)body);
	dst += MESH_LENGTH_PREFIX_LEN;
	if (pre_len)
		memcpy(dst + over, pre, pre_len);
	if (len)
		memcpy(dst + over + pre_len, data, len);
	if (p->encrypted) {
		sleeve_nonce_tcp(nonce, p->outbound, p->send_seq);
		crypto_secretbox_detached(dst + over, dst, dst + over, plain, nonce,
					  p->session_key);
	}
	p->send_seq++;
	p->out.len += MESH_LENGTH_PREFIX_LEN + body;
	return 0;
}

int mesh_proto_send_features(struct mesh_proto *p, const void *data, size_t len)
{
	int r;

	if (p->err)
		return p->err;
	if (p->rs < RS_LENGTH)
		return -ENOTCONN;
	if (p->features_sent)
		return -EALREADY;
	r = frame_out(p, NULL, 0, data, len);
	if (r >= 0)
		p->features_sent = true;
	return r;
}

int mesh_proto_send(struct mesh_proto *p, uint8_t tag, const void *payload, size_t len)
{
	if (p->err)
		return p->err;
	if (!p->features_sent)
		return -ENOTCONN;
	return frame_out(p, &tag, 1, payload, len);
}

int mesh_proto_send_overlay(struct mesh_proto *p, uint8_t index, uint8_t subtag, const void *msg,
			    size_t len)
{
	const uint8_t pre[3] = { MESH_TAG_OVERLAY_CONTROL, index, subtag };

	if (p->err)
		return p->err;
	if (!p->features_sent)
		return -ENOTCONN;
	return frame_out(p, pre, sizeof(pre), msg, len);
}
