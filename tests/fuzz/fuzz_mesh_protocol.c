// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the mesh TCP protocol: bytes from a remote into an inbound state
 * machine (whole and in input-derived splits, which must agree), every message decoded.
 */
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/features.h"
#include "mesh/gossip_wire.h"
#include "mesh/protocol.h"
#include "mesh/protocol_stream.h"
#include "mesh/topology_wire.h"
#include "overlay/sleeve/sleeve_control.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

enum { FUZZ_MAX_INPUT = 1 << 20 };

/* What a run saw: a digest of its events, to compare splits. */
struct trace {
	uint64_t hash;
	size_t events;
	int result;
};

static void trace_add(struct trace *t, const struct mesh_proto_event *ev)
{
	uint64_t h = t->hash ^ ((uint64_t)ev->type << 56 | (uint64_t)ev->tag << 48 | ev->len);

	for (size_t i = 0; i < ev->len; i++)
		h = (h ^ ev->data[i]) * UINT64_C(0x100000001b3);
	t->hash = h * UINT64_C(0x9e3779b97f4a7c15);
	t->events++;
}

static void same_peers(const struct mesh_peer_summary *a, const struct mesh_peer_summary *b,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		CHECK(!memcmp(&a[i].info, &b[i].info, sizeof(a[i].info)));
		CHECK(a[i].n_conns == b[i].n_conns);
		for (size_t j = 0; j < a[i].n_conns; j++)
			CHECK(!memcmp(&a[i].conns[j], &b[i].conns[j], sizeof(a[i].conns[j])));
	}
}

/* A decoded update re-encodes and reads back the same. */
static void fuzz_topology(const uint8_t *data, size_t len)
{
	struct mesh_peer_summary *ps, *again;
	size_t n, m, elen;
	uint8_t *enc;

	if (mesh_topology_decode(data, len, &ps, &n) < 0)
		return;
	CHECK(n <= MESH_TOPOLOGY_PEERS_MAX);
	if (mesh_topology_encode(ps, n, 0, &enc, &elen) == 0) {
		CHECK(mesh_topology_decode(enc, elen, &again, &m) == 0);
		CHECK(m == n);
		same_peers(ps, again, n);
		mesh_topology_free(again, m);
		free(enc);
	}
	mesh_topology_free(ps, n);
}

static void fuzz_gossip(uint8_t tag, const uint8_t *data, size_t len)
{
	struct mesh_gossip_msg m, again;
	uint8_t *enc;
	size_t elen;

	if (mesh_gossip_decode(tag, data, len, &m) < 0)
		return;
	CHECK(strlen(m.channel) <= MESH_CHANNEL_MAX);
	if (mesh_gossip_encode(tag, m.channel, m.src, m.dst, m.data, m.len, &enc, &elen) == 0) {
		CHECK(mesh_gossip_decode(tag, enc, elen, &again) == 0);
		CHECK(!strcmp(again.channel, m.channel) && again.src == m.src &&
		      again.dst == m.dst && again.len == m.len);
		CHECK(!m.len || !memcmp(again.data, m.data, m.len));
		mesh_gossip_msg_done(&again);
		free(enc);
	}
	if (!strcmp(m.channel, "topology"))
		fuzz_topology(m.data, m.len);
	mesh_gossip_msg_done(&m);
}

static void fuzz_features(const uint8_t *data, size_t len)
{
	struct mesh_features_info info, local = { .name = 1, .uid = 1 };
	struct mesh_features f = { 0 }, g = { 0 };
	struct mesh_error err;
	uint8_t *enc;
	size_t elen;

	if (mesh_features_decode(data, len, &f, &err) < 0)
		return;
	CHECK(f.n <= MESH_FEATURES_MAX);
	if (mesh_features_encode(&f, 0, &enc, &elen) == 0) {
		CHECK(mesh_features_decode(enc, elen, &g, &err) == 0);
		CHECK(g.n == f.n);
		for (size_t i = 0; i < f.n; i++)
			CHECK(!strcmp(f.entries[i].key, g.entries[i].key) &&
			      !strcmp(f.entries[i].value, g.entries[i].value));
		mesh_features_done(&g);
		free(enc);
	}
	if (mesh_features_parse(&f, &info, &err) == 0) {
		CHECK(strlen(info.nickname) <= MESH_NICKNAME_MAX);
		CHECK(!info.has_short_id || info.short_id < MESH_SHORT_IDS);
		(void)mesh_features_check_remote(&local, &info, &err);
	}
	mesh_features_done(&f);
}

static void fuzz_message(const struct mesh_proto_event *ev)
{
	struct mesh_overlay_msg om;
	struct sleeve_control ctl;

	switch (ev->tag) {
	case MESH_TAG_GOSSIP:
	case MESH_TAG_GOSSIP_UNICAST:
	case MESH_TAG_GOSSIP_BROADCAST:
		fuzz_gossip(ev->tag, ev->data, ev->len);
		break;
	case MESH_TAG_OVERLAY_CONTROL:
		if (mesh_overlay_msg_parse(ev->data, ev->len, &om) == 0)
			(void)sleeve_control_parse(om.subtag, om.msg, om.len, &ctl);
		break;
	case MESH_TAG_RESERVED1:
	case MESH_TAG_RESERVED2:
	case MESH_TAG_RESERVED3:
		(void)sleeve_control_parse(ev->tag, ev->data, ev->len, &ctl);
		break;
	default:
		break;
	}
}

/* Echoes what arrived through our writer once the intro allows sending. */
static void echo(struct mesh_proto *p, const struct mesh_proto_event *ev)
{
	size_t len;

	if (ev->type == MESH_PROTO_EV_INTRO)
		CHECK(mesh_proto_send_features(p, "", 0) == 0);
	else if (ev->type == MESH_PROTO_EV_MESSAGE)
		CHECK(mesh_proto_send(p, ev->tag, ev->data, ev->len) == 0);
	mesh_proto_output(p, &len);
	mesh_proto_output_consume(p, len);
}

/* Feeds data in chunks (the sizes drawn from @seed; 0: whole), decoding every event when
 * @decode. Returns the trace.
 */
static struct trace run(const uint8_t *data, size_t size, uint32_t seed, bool decode)
{
	struct mesh_proto_config cfg = { .outbound = false };
	struct trace t = { .hash = 0xcbf29ce484222325 };
	struct mesh_proto_event ev;
	struct mesh_proto *p;
	size_t pos = 0, used, n;
	bool whole = !seed;
	int r = 0;

	CHECK(mesh_proto_new(&cfg, &p) == 0);
	while (r >= 0 && pos < size) {
		seed = seed * 1103515245u + 12345u;
		n = whole ? size - pos : 1 + (seed >> 16) % 64;
		n = n < size - pos ? n : size - pos;
		r = mesh_proto_read(p, data + pos, n, &used, &ev);
		CHECK(used <= n);
		pos += used;
		if (r > 0) {
			trace_add(&t, &ev);
			if (decode && ev.type == MESH_PROTO_EV_FEATURES)
				fuzz_features(ev.data, ev.len);
			if (decode && ev.type == MESH_PROTO_EV_MESSAGE)
				fuzz_message(&ev);
			echo(p, &ev);
		}
	}
	t.result = r < 0 ? r : mesh_proto_eof(p);
	CHECK(t.result <= 0);
	mesh_proto_free(p);
	return t;
}

/* The same bytes where a password is set: the remote's key comes from the input, so
 * messages (almost) never authenticate; nothing may go wrong on the way.
 */
static void run_encrypted(const uint8_t *data, size_t size)
{
	struct mesh_proto_config cfg = { .outbound = true,
					 .password = (const uint8_t *)"fuzz",
					 .password_len = 4 };
	struct mesh_proto_event ev;
	struct mesh_proto *p;
	size_t pos = 0, used;
	int r = 0;

	CHECK(mesh_proto_new(&cfg, &p) == 0);
	while (r >= 0 && pos < size) {
		r = mesh_proto_read(p, data + pos, size - pos, &used, &ev);
		pos += used;
		if (r > 0)
			echo(p, &ev);
	}
	mesh_proto_free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace whole, split;
	uint8_t *copy;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	/* An exact-size heap copy, so that ASan sees any read past the stream. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	whole = run(copy, size, 0, true);
	split = run(copy, size, (uint32_t)size | 1, false);
	CHECK(whole.hash == split.hash && whole.events == split.events);
	CHECK(whole.result == split.result);
	run_encrypted(copy, size);
	free(copy);
	return 0;
}
