// SPDX-License-Identifier: GPL-2.0
/* protocol: version header negotiation, the v2 intro flag, overlay control messages and
 * Weave-worded error texts (mesh protocol.go, router/overlay_switch.go).
 */
#include "mesh/protocol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mesh_error_set(struct mesh_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return code;
}

/* Appends to buf[*pos..size) as snprintf would, never past the end. */
static void append(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	size_t room = size - 1 - *pos;

	if (n > room)
		n = room;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

void mesh_format_go_bytes(char *buf, size_t size, const uint8_t *data, size_t len)
{
	size_t pos = 0;
	char num[8];

	buf[0] = '\0';
	append(buf, size, &pos, "[", 1);
	for (size_t i = 0; i < len; i++) {
		int n = snprintf(num, sizeof(num), i ? " %u" : "%u", data[i]);

		append(buf, size, &pos, num, (size_t)n);
	}
	append(buf, size, &pos, "]", 1);
}

/* The escape Go's strconv.Quote writes for byte c, or NULL when c stands for itself. */
static const char *go_escape(unsigned char c, char tmp[8])
{
	static const char simple[][3] = {
		['\a'] = "\\a", ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n",
		['\r'] = "\\r", ['\t'] = "\\t", ['\v'] = "\\v",
	};

	if (c == '"')
		return "\\\"";
	if (c == '\\')
		return "\\\\";
	if (c < sizeof(simple) / sizeof(simple[0]) && simple[c][0])
		return simple[c];
	if (c < 0x20 || c == 0x7f) {
		snprintf(tmp, 8, "\\x%02x", c);
		return tmp;
	}
	return NULL;
}

void mesh_format_go_quoted(char *buf, size_t size, const char *s)
{
	size_t pos = 0;
	char tmp[8];

	buf[0] = '\0';
	append(buf, size, &pos, "\"", 1);
	for (; *s; s++) {
		const char *esc = go_escape((unsigned char)*s, tmp);

		if (esc)
			append(buf, size, &pos, esc, strlen(esc));
		else
			append(buf, size, &pos, s, 1);
	}
	append(buf, size, &pos, "\"", 1);
}

void mesh_header_build(uint8_t min_version, uint8_t max_version,
		       uint8_t ret_header[static MESH_HEADER_LEN])
{
	memcpy(ret_header, MESH_PROTOCOL_NAME, MESH_PROTOCOL_NAME_LEN);
	ret_header[MESH_PROTOCOL_NAME_LEN] = min_version;
	ret_header[MESH_PROTOCOL_NAME_LEN + 1] = max_version;
}

int mesh_header_negotiate(const uint8_t header[static MESH_HEADER_LEN], uint8_t our_min,
			  uint8_t our_max, uint8_t *ret_version, struct mesh_error *err)
{
	uint8_t their_min = header[MESH_PROTOCOL_NAME_LEN];
	uint8_t their_max = header[MESH_PROTOCOL_NAME_LEN + 1];
	uint8_t lo = their_min > our_min ? their_min : our_min;
	uint8_t hi = their_max < our_max ? their_max : our_max;
	char got[64];

	if (memcmp(header, MESH_PROTOCOL_NAME, MESH_PROTOCOL_NAME_LEN)) {
		mesh_format_go_bytes(got, sizeof(got), header, MESH_PROTOCOL_NAME_LEN);
		return mesh_error_set(err, -EPROTO, "remote protocol header not recognised: %s",
				      got);
	}
	if (lo > hi)
		return mesh_error_set(
			err, -EPROTONOSUPPORT,
			"remote version range [%u,%u] is incompatible with ours [%u,%u]", their_min,
			their_max, our_min, our_max);
	*ret_version = hi;
	return 0;
}

size_t mesh_intro_build(const uint8_t *public_key, uint8_t ret_intro[static MESH_INTRO_MAX_LEN])
{
	if (!public_key) {
		ret_intro[0] = 0;
		return 1;
	}
	ret_intro[0] = 1;
	memcpy(ret_intro + 1, public_key, MESH_PUBLIC_KEY_LEN);
	return MESH_INTRO_MAX_LEN;
}

int mesh_intro_check_flag(uint8_t flag, bool have_password, struct mesh_error *err)
{
	switch (flag) {
	case 0:
		if (have_password)
			return mesh_error_set(
				err, -EKEYREJECTED,
				"password specified, but peer requested an unencrypted connection");
		return 0;
	case 1:
		/* sic: Weave's ErrExpectedNoCrypto has this spelling */
		if (!have_password)
			return mesh_error_set(
				err, -EKEYREJECTED,
				"no password specificed, but peer requested an encrypted connection");
		return 1;
	default:
		return mesh_error_set(err, -EPROTO, "Bad encryption flag %u", flag);
	}
}

int mesh_overlay_msg_parse(const uint8_t *payload, size_t len, struct mesh_overlay_msg *ret_msg)
{
	if (len < 2)
		return -EBADMSG;
	ret_msg->index = payload[0];
	ret_msg->subtag = payload[1];
	ret_msg->msg = payload + 2;
	ret_msg->len = len - 2;
	return 0;
}

int mesh_overlay_msg_build(uint8_t index, uint8_t subtag, const uint8_t *msg, size_t len,
			   uint8_t *buf, size_t size, size_t *ret_len)
{
	if (size < 2 || len > size - 2)
		return -ENOBUFS;
	buf[0] = index;
	buf[1] = subtag;
	if (len)
		memcpy(buf + 2, msg, len);
	*ret_len = len + 2;
	return 0;
}
