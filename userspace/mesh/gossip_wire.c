// SPDX-License-Identifier: GPL-2.0
/* gossip_wire: gossip envelopes (router.go handleGossip, gossip_channel.go), encoded as Go's
 * gobEncode(channel, src[, dst], data) and decoded value by value.
 */
#include "mesh/gossip_wire.h"

#include "gob/gob.h"
#include "mesh/protocol.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_gossip_tag(uint8_t tag)
{
	return tag == MESH_TAG_GOSSIP || tag == MESH_TAG_GOSSIP_UNICAST ||
	       tag == MESH_TAG_GOSSIP_BROADCAST;
}

/* Encodes one scalar value (owned here) onto the stream. */
static int put(struct gob_encoder *enc, struct gob_value *v)
{
	int r = v ? gob_encode(enc, NULL, v) : -ENOMEM;

	gob_value_free(v);
	return r;
}

static int encode_envelope(struct gob_encoder *enc, uint8_t tag, const char *channel,
			   mesh_peer_name_t src, mesh_peer_name_t dst, const void *data, size_t len)
{
	int r = put(enc, gob_value_new_string(channel));

	if (r >= 0)
		r = put(enc, gob_value_new_uint(src));
	if (r >= 0 && tag == MESH_TAG_GOSSIP_UNICAST)
		r = put(enc, gob_value_new_uint(dst));
	if (r >= 0)
		r = put(enc, gob_value_new_bytes(data, len));
	return r;
}

int mesh_gossip_encode(uint8_t tag, const char *channel, mesh_peer_name_t src, mesh_peer_name_t dst,
		       const void *data, size_t len, uint8_t **ret_payload, size_t *ret_len)
{
	struct gob_encoder *enc = NULL;
	struct gob_schema *s = NULL;
	const uint8_t *out;
	size_t out_len;
	uint8_t *copy;
	int r;

	if (!is_gossip_tag(tag) || strlen(channel) > MESH_CHANNEL_MAX)
		return -EINVAL;
	r = gob_schema_new(&s);
	if (r >= 0)
		r = gob_encoder_new(s, &enc);
	if (r >= 0)
		r = encode_envelope(enc, tag, channel, src, dst, data, len);
	if (r >= 0) {
		out = gob_encoder_data(enc, &out_len);
		copy = malloc(out_len);
		if (copy) {
			memcpy(copy, out, out_len);
			*ret_payload = copy;
			*ret_len = out_len;
		} else {
			r = -ENOMEM;
		}
	}
	gob_encoder_free(enc);
	gob_schema_free(s);
	return r;
}

/* The next value of the stream; a missing one is a cut envelope. */
static int next_value(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
		      struct gob_value **ret)
{
	int r = gob_decode_next(dec, buf, len, pos, ret);

	return r == 0 ? -EINVAL : r < 0 ? r : 0;
}

static int decode_channel(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
			  struct mesh_gossip_msg *msg)
{
	struct gob_value *v;
	const char *s;
	size_t n;
	int r = next_value(dec, buf, len, pos, &v);

	if (r < 0)
		return r;
	r = gob_value_kind(v) == GOB_KIND_STRING ? gob_value_get_string(v, &s, &n) : -EPROTO;
	if (r >= 0 && (n > MESH_CHANNEL_MAX || strlen(s) != n))
		r = n > MESH_CHANNEL_MAX ? -E2BIG : -EPROTO;
	if (r >= 0)
		memcpy(msg->channel, s, n + 1);
	gob_value_free(v);
	return r;
}

static int decode_name(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
		       mesh_peer_name_t *ret)
{
	struct gob_value *v;
	int r = next_value(dec, buf, len, pos, &v);

	if (r < 0)
		return r;
	r = gob_value_kind(v) == GOB_KIND_UINT ? gob_value_get_uint(v, ret) : -EPROTO;
	gob_value_free(v);
	return r;
}

static int decode_data(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
		       struct mesh_gossip_msg *msg)
{
	struct gob_value *v;
	int r = next_value(dec, buf, len, pos, &v);

	if (r < 0)
		return r;
	r = gob_value_kind(v) == GOB_KIND_BYTES ? gob_value_get_bytes(v, &msg->data, &msg->len) :
						  -EPROTO;
	if (r < 0) {
		gob_value_free(v);
		return r;
	}
	msg->owner = v;
	return 0;
}

static int decode_envelope(struct gob_decoder *dec, uint8_t tag, const void *payload, size_t len,
			   struct mesh_gossip_msg *msg)
{
	size_t pos = 0;
	int r;

	r = decode_channel(dec, payload, len, &pos, msg);
	if (r >= 0)
		r = decode_name(dec, payload, len, &pos, &msg->src);
	if (r >= 0 && tag == MESH_TAG_GOSSIP_UNICAST)
		r = decode_name(dec, payload, len, &pos, &msg->dst);
	if (r >= 0)
		r = decode_data(dec, payload, len, &pos, msg);
	return r;
}

int mesh_gossip_decode(uint8_t tag, const void *payload, size_t len,
		       struct mesh_gossip_msg *ret_msg)
{
	const struct gob_limits lim = {
		.max_message = MESH_MAX_TCP_MSG,
		.max_nodes = 4,
		.max_depth = 4,
		.max_types = 16,
		.max_fields = 16,
	};
	struct mesh_gossip_msg msg = { .tag = tag };
	struct gob_decoder *dec;
	int r;

	if (!is_gossip_tag(tag))
		return -EINVAL;
	r = gob_decoder_new(&lim, &dec);
	if (r < 0)
		return r;
	r = decode_envelope(dec, tag, payload, len, &msg);
	gob_decoder_free(dec);
	if (r < 0)
		return r;
	*ret_msg = msg;
	return 0;
}

void mesh_gossip_msg_done(struct mesh_gossip_msg *msg)
{
	gob_value_free(msg->owner);
	memset(msg, 0, sizeof(*msg));
}
