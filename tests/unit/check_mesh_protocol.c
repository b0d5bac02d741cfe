// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the mesh TCP protocol (userspace/mesh/protocol*, features, gossip_wire,
 * topology_wire), including both directions of a real Weave Net 2.8.1 session.
 */
#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gob/gob.h"
#include "mesh/features.h"
#include "mesh/gossip_wire.h"
#include "mesh/protocol.h"
#include "mesh/protocol_stream.h"
#include "mesh/topology_wire.h"
#include "overlay/sleeve/sleeve_control.h"
#include "fixture.h"

#define FX1 UINT64_C(0xaa0000000001)
#define FX2 UINT64_C(0xaa0000000002)
#define FX1_UID UINT64_C(14471291192318751979)
#define FX2_UID UINT64_C(6885626015787670426)
/* fx1's ConnID XOR fx2's: the connUID both sleeve heartbeats in session.pcap carry. */
#define FX_CONN_UID UINT64_C(0xc86a88017801ddbe)

#define MAX_RECS 64

/* For hot loops: a passing ck_assert costs a message through check's pipe. */
#define CHECK(cond)                                              \
	do {                                                     \
		if (!(cond))                                     \
			ck_abort_msg("check failed: %s", #cond); \
	} while (0)

/* ---- helpers ------------------------------------------------------------------------------- */

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* An event, its data copied. */
struct rec {
	enum mesh_proto_event_type type;
	uint8_t version, tag;
	bool encrypted;
	uint64_t seq;
	uint8_t *data;
	size_t len;
};

struct recs {
	struct rec v[MAX_RECS];
	size_t n;
};

static void recs_add(struct recs *rs, const struct mesh_proto_event *ev)
{
	struct rec *r = &rs->v[rs->n++];

	CHECK(rs->n <= MAX_RECS);
	*r = (struct rec){ .type = ev->type,
			   .version = ev->version,
			   .tag = ev->tag,
			   .encrypted = ev->encrypted,
			   .seq = ev->seq,
			   .len = ev->len };
	r->data = malloc(ev->len ? ev->len : 1);
	CHECK(r->data);
	if (ev->len)
		memcpy(r->data, ev->data, ev->len);
}

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].data);
	rs->n = 0;
}

/* Feeds one received chunk (an exact-size heap copy, so ASan sees overreads); returns the
 * first error, or 0.
 */
static int feed_chunk(struct mesh_proto *p, const uint8_t *d, size_t len, struct recs *rs)
{
	uint8_t *c = malloc(len);
	struct mesh_proto_event ev;
	size_t pos = 0, used;
	int r = 0;

	CHECK(c);
	memcpy(c, d, len);
	while (pos < len) {
		r = mesh_proto_read(p, c + pos, len - pos, &used, &ev);
		if (r < 0)
			break;
		CHECK(used <= len - pos);
		CHECK(r == 1 || used == len - pos);
		pos += used;
		if (r == 1)
			recs_add(rs, &ev);
		r = 0;
	}
	free(c);
	return r;
}

/* Feeds a stream one byte at a time (seed 0) or in random chunks of 1..max bytes. */
static int feed(struct mesh_proto *p, const uint8_t *d, size_t len, uint64_t seed, size_t max,
		struct recs *rs)
{
	uint64_t st = seed;
	size_t pos = 0, n;
	int r = 0;

	while (r == 0 && pos < len) {
		n = seed ? 1 + xorshift(&st) % max : 1;
		if (n > len - pos)
			n = len - pos;
		r = feed_chunk(p, d + pos, n, rs);
		pos += n;
	}
	return r;
}

static struct mesh_proto *new_proto(bool outbound, const char *password)
{
	struct mesh_proto_config cfg = { .outbound = outbound };
	struct mesh_proto *p;

	if (password) {
		cfg.password = (const uint8_t *)password;
		cfg.password_len = strlen(password);
	}
	CHECK(mesh_proto_new(&cfg, &p) == 0);
	return p;
}

/* Drains what a writes into b; returns b's first error or 0. */
static int pump(struct mesh_proto *a, struct mesh_proto *b, struct recs *rs_b)
{
	size_t len;
	const uint8_t *out = mesh_proto_output(a, &len);
	int r = 0;

	if (len) {
		r = feed(b, out, len, 7, 13, rs_b);
		mesh_proto_output_consume(a, len);
	}
	return r;
}

/* ---- the header and intro -------------------------------------------------------------------- */

START_TEST(test_header)
{
	struct mesh_error err = { { 0 } };
	uint8_t h[MESH_HEADER_LEN], v = 0;

	mesh_header_build(1, 2, h);
	ck_assert_mem_eq(h, "weave\x01\x02", MESH_HEADER_LEN);
	ck_assert_int_eq(mesh_header_negotiate(h, 2, 2, &v, &err), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(mesh_header_negotiate(h, 1, 2, &v, &err), 0);
	ck_assert_uint_eq(v, 2);
	mesh_header_build(1, 5, h);
	ck_assert_int_eq(mesh_header_negotiate(h, 2, 2, &v, &err), 0);
	ck_assert_uint_eq(v, 2);
	mesh_header_build(1, 1, h);
	ck_assert_int_eq(mesh_header_negotiate(h, 1, 2, &v, &err), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(mesh_header_negotiate(h, 2, 2, &v, &err), -EPROTONOSUPPORT);
	ck_assert_str_eq(err.text, "remote version range [1,1] is incompatible with ours [2,2]");
	mesh_header_build(3, 4, h);
	ck_assert_int_eq(mesh_header_negotiate(h, 1, 2, &v, NULL), -EPROTONOSUPPORT);
	memcpy(h, "Weave", 5);
	ck_assert_int_eq(mesh_header_negotiate(h, 1, 2, &v, &err), -EPROTO);
	ck_assert_str_eq(err.text, "remote protocol header not recognised: [87 101 97 118 101]");
}
END_TEST

START_TEST(test_intro)
{
	struct mesh_error err;
	uint8_t intro[MESH_INTRO_MAX_LEN], key[MESH_PUBLIC_KEY_LEN];

	memset(key, 0x5a, sizeof(key));
	ck_assert_uint_eq(mesh_intro_build(NULL, intro), 1);
	ck_assert_uint_eq(intro[0], 0);
	ck_assert_uint_eq(mesh_intro_build(key, intro), 33);
	ck_assert_uint_eq(intro[0], 1);
	ck_assert_mem_eq(intro + 1, key, sizeof(key));
	ck_assert_int_eq(mesh_intro_check_flag(0, false, &err), 0);
	ck_assert_int_eq(mesh_intro_check_flag(1, true, &err), 1);
	ck_assert_int_eq(mesh_intro_check_flag(0, true, &err), -EKEYREJECTED);
	ck_assert_str_eq(err.text,
			 "password specified, but peer requested an unencrypted connection");
	ck_assert_int_eq(mesh_intro_check_flag(1, false, &err), -EKEYREJECTED);
	ck_assert_str_eq(err.text,
			 "no password specificed, but peer requested an encrypted connection");
	ck_assert_int_eq(mesh_intro_check_flag(2, false, &err), -EPROTO);
	ck_assert_str_eq(err.text, "Bad encryption flag 2");
}
END_TEST

START_TEST(test_go_formatting)
{
	char buf[64];

	mesh_format_go_quoted(buf, sizeof(buf), "a\"b\\c\n\x01\x7f");
	ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\n\\x01\\x7f\"");
	mesh_format_go_bytes(buf, sizeof(buf), (const uint8_t *)"\x00\xff", 2);
	ck_assert_str_eq(buf, "[0 255]");
	mesh_format_go_bytes(buf, 4, (const uint8_t *)"\x10\x11", 2); /* truncated, terminated */
	ck_assert_str_eq(buf, "[16");
}
END_TEST

START_TEST(test_overlay_msg)
{
	struct mesh_overlay_msg m;
	uint8_t buf[8];
	size_t len;

	ck_assert_int_eq(mesh_overlay_msg_build(1, 3, (const uint8_t *)"\x05\x9e", 2, buf,
						sizeof(buf), &len),
			 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(buf, "\x01\x03\x05\x9e", 4);
	ck_assert_int_eq(mesh_overlay_msg_parse(buf, len, &m), 0);
	ck_assert_uint_eq(m.index, 1);
	ck_assert_uint_eq(m.subtag, 3);
	ck_assert_uint_eq(m.len, 2);
	ck_assert_int_eq(mesh_overlay_msg_parse(buf, 1, &m), -EBADMSG);
	ck_assert_int_eq(mesh_overlay_msg_build(0, 0, buf, 7, buf, sizeof(buf), &len), -ENOBUFS);
}
END_TEST

/* ---- the fixture session --------------------------------------------------------------------- */

struct fixture_dir {
	const char *file;
	bool we_outbound; /* the side reading the file */
	mesh_peer_name_t sender;
	size_t n_msgs; /* after the features */
	const uint8_t *tags;
	const char *const *channels; /* per message, NULL for tag 7 */
};

static const uint8_t fx2_tags[] = { 4, 4, 4, 7, 7, 7, 4, 6, 6 };
static const char *const fx2_channels[] = { "topology", "IPallocation", "nameserver",
					    NULL,	NULL,		NULL,
					    "topology", "IPallocation", "IPallocation" };
static const uint8_t fx1_tags[] = { 4, 4, 4, 7, 7, 7, 4, 6, 6, 6, 6 };
static const char *const fx1_channels[] = { "IPallocation", "nameserver",   "topology",
					    NULL,	    NULL,	    NULL,
					    "topology",	    "IPallocation", "IPallocation",
					    "IPallocation", "nameserver" };

/* fx2 dialled fx1: fx2's stream is read by fx1, the inbound side. */
static const struct fixture_dir fx_dirs[] = {
	{ "fx2-to-fx1.tcp.bin", false, FX2, 9, fx2_tags, fx2_channels },
	{ "fx1-to-fx2.tcp.bin", true, FX1, 11, fx1_tags, fx1_channels },
};

/* Runs a fixture file through a fresh machine; every event must come out. */
static void run_fixture(const struct fixture_dir *fd, uint64_t seed, size_t max, struct recs *rs)
{
	struct mesh_proto *p = new_proto(fd->we_outbound, NULL);
	size_t len, out_len;
	uint8_t *d = fixture_load(fd->file, &len);
	const uint8_t *out;

	ck_assert_int_eq(feed(p, d, len, seed, max, rs), 0);
	ck_assert_uint_eq(rs->n, 3 + fd->n_msgs);
	ck_assert_int_eq(rs->v[0].type, MESH_PROTO_EV_HEADER);
	ck_assert_uint_eq(rs->v[0].version, 2);
	ck_assert_int_eq(rs->v[1].type, MESH_PROTO_EV_INTRO);
	ck_assert(!rs->v[1].encrypted);
	ck_assert_int_eq(rs->v[2].type, MESH_PROTO_EV_FEATURES);
	ck_assert_uint_eq(rs->v[2].seq, 0);
	for (size_t i = 0; i < fd->n_msgs; i++) {
		ck_assert_int_eq(rs->v[3 + i].type, MESH_PROTO_EV_MESSAGE);
		ck_assert_uint_eq(rs->v[3 + i].tag, fd->tags[i]);
		ck_assert_uint_eq(rs->v[3 + i].seq, i + 1);
	}
	/* we answered with our header and intro; the remote closed between messages */
	out = mesh_proto_output(p, &out_len);
	ck_assert_uint_eq(out_len, 8);
	ck_assert_mem_eq(out, "weave\x02\x02\x00", 8);
	ck_assert_int_eq(mesh_proto_eof(p), 0);
	ck_assert_str_eq(mesh_proto_error(p), "EOF");
	ck_assert_int_eq(mesh_proto_send(p, 0, NULL, 0), -ESHUTDOWN);
	mesh_proto_free(p);
	free(d);
}

static void assert_same_recs(const struct recs *a, const struct recs *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_int_eq(a->v[i].type, b->v[i].type);
		ck_assert_uint_eq(a->v[i].tag, b->v[i].tag);
		ck_assert_uint_eq(a->v[i].len, b->v[i].len);
		ck_assert_mem_eq(a->v[i].data, b->v[i].data, a->v[i].len);
	}
}

START_TEST(test_fixture_stream_splits)
{
	const struct fixture_dir *fd = &fx_dirs[_i];
	static const size_t maxes[] = { 2, 5, 64, 700, 5000 };
	struct recs bytewise = { 0 }, chunked = { 0 };

	run_fixture(fd, 0, 1, &bytewise);
	for (uint64_t seed = 1; seed <= 20; seed++) {
		run_fixture(fd, seed * 0x9e3779b97f4a7c15ULL, maxes[seed % 5], &chunked);
		assert_same_recs(&bytewise, &chunked);
		recs_free(&chunked);
	}
	recs_free(&bytewise);
}
END_TEST

static void decode_info(const struct rec *r, struct mesh_features *f,
			struct mesh_features_info *info)
{
	struct mesh_error err = { { 0 } };

	ck_assert_int_eq(mesh_features_decode(r->data, r->len, f, &err), 0);
	ck_assert_int_eq(mesh_features_parse(f, info, &err), 0);
}

/* The id of the stream's first definition (the sender's next free id when it began). */
static int32_t first_defined_id(const uint8_t *data, size_t len)
{
	struct gob_decoder *dec;
	struct gob_value *v;
	int32_t id;
	size_t used;

	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	ck_assert_int_eq(gob_decode_message(dec, data, len, &used, &id, &v), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_lt(id, 0);
	gob_decoder_free(dec);
	return -id;
}

START_TEST(test_fixture_features)
{
	struct mesh_features f1 = { 0 }, f2 = { 0 };
	struct mesh_features_info i1, i2;
	struct recs r1 = { 0 }, r2 = { 0 };
	struct mesh_error err;
	uint8_t *enc;
	size_t len;

	run_fixture(&fx_dirs[0], 0, 1, &r2); /* what fx2 sent */
	run_fixture(&fx_dirs[1], 0, 1, &r1);
	decode_info(&r2.v[2], &f2, &i2);
	decode_info(&r1.v[2], &f1, &i1);
	ck_assert_uint_eq(f2.n, 8);
	ck_assert_str_eq(mesh_features_get(&f2, "PeerNameFlavour"), "mac");
	ck_assert_str_eq(mesh_features_get(&f2, "Name"), "aa:00:00:00:00:02");
	ck_assert_str_eq(mesh_features_get(&f2, "Overlays"), "sleeve");
	ck_assert_uint_eq(i2.name, FX2);
	ck_assert_str_eq(i2.nickname, "fx2");
	ck_assert_uint_eq(i2.uid, FX2_UID);
	ck_assert_uint_eq(i2.conn_id, UINT64_C(16348900991737871311));
	ck_assert(i2.has_short_id);
	ck_assert_uint_eq(i2.short_id, 4025);
	ck_assert(!i2.trusted);
	ck_assert(i2.has_overlays);
	ck_assert_uint_eq(i2.overlays.n, 1);
	ck_assert_str_eq(i2.overlays.names[0], "sleeve");
	ck_assert_uint_eq(i1.name, FX1);
	ck_assert_str_eq(i1.nickname, "fx1");
	ck_assert_uint_eq(i1.uid, FX1_UID);
	ck_assert_uint_eq(i1.short_id, 3115);
	/* both ends compute the same connUID: the one the sleeve heartbeats carry */
	ck_assert_uint_eq(mesh_conn_uid(i1.conn_id, i2.conn_id), FX_CONN_UID);
	ck_assert_uint_eq(mesh_conn_uid(i2.conn_id, i1.conn_id), FX_CONN_UID);
	ck_assert_int_eq(mesh_features_check_remote(&i1, &i2, &err), 0);
	ck_assert_int_eq(mesh_features_check_remote(&i2, &i1, &err), 0);
	/* kept in wire order, the maps re-encode to the captured bytes */
	ck_assert_int_eq(mesh_features_encode(&f2, first_defined_id(r2.v[2].data, r2.v[2].len),
					      &enc, &len),
			 0);
	ck_assert_uint_eq(len, r2.v[2].len);
	ck_assert_mem_eq(enc, r2.v[2].data, len);
	free(enc);
	ck_assert_int_eq(mesh_features_encode(&f1, first_defined_id(r1.v[2].data, r1.v[2].len),
					      &enc, &len),
			 0);
	ck_assert_uint_eq(len, r1.v[2].len);
	ck_assert_mem_eq(enc, r1.v[2].data, len);
	free(enc);
	mesh_features_done(&f1);
	mesh_features_done(&f2);
	recs_free(&r1);
	recs_free(&r2);
}
END_TEST

/* An update of the fixture: both peers, the sender's connection as the scenario has it. */
static void check_topology_fx(const struct mesh_peer_summary *ps, size_t n, mesh_peer_name_t sender,
			      bool later)
{
	const struct mesh_peer_summary *p1 = NULL, *p2 = NULL, *self, *other;

	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (ps[i].info.name == FX1)
			p1 = &ps[i];
		if (ps[i].info.name == FX2)
			p2 = &ps[i];
	}
	ck_assert_ptr_nonnull(p1);
	ck_assert_ptr_nonnull(p2);
	ck_assert_str_eq(p1->info.nickname, "fx1");
	ck_assert_str_eq(p2->info.nickname, "fx2");
	ck_assert_uint_eq(p1->info.uid, FX1_UID);
	ck_assert_uint_eq(p2->info.uid, FX2_UID);
	ck_assert(p1->info.has_short_id && p2->info.has_short_id);
	ck_assert_uint_eq(p1->info.short_id, 3115);
	ck_assert_uint_eq(p2->info.short_id, 4025);
	/* fx2 dialled 10.200.0.1:6783; fx1 saw it come from 10.200.0.2:40057 */
	if (p2->n_conns) {
		ck_assert_uint_eq(p2->n_conns, 1);
		ck_assert_uint_eq(p2->conns[0].name, FX1);
		ck_assert_str_eq(p2->conns[0].remote_tcp_addr, "10.200.0.1:6783");
		ck_assert(p2->conns[0].outbound);
	}
	if (p1->n_conns) {
		ck_assert_uint_eq(p1->n_conns, 1);
		ck_assert_uint_eq(p1->conns[0].name, FX2);
		ck_assert_str_eq(p1->conns[0].remote_tcp_addr, "10.200.0.2:40057");
		ck_assert(!p1->conns[0].outbound);
	}
	/* The sender's first update has its new connection pending (version 1); the later one
	 * follows the overlay's ConnectionEstablished (version 2). What it knows of the other
	 * side lags: nothing at first, then the pending connection.
	 */
	self = sender == FX1 ? p1 : p2;
	other = sender == FX1 ? p2 : p1;
	ck_assert_uint_eq(self->info.version, later ? 2 : 1);
	ck_assert_uint_eq(self->n_conns, 1);
	ck_assert(self->conns[0].established == later);
	ck_assert_uint_eq(other->info.version, later ? 1 : 0);
	ck_assert_uint_eq(other->n_conns, later ? 1 : 0);
	ck_assert(!other->n_conns || !other->conns[0].established);
}

static void check_reencode_topology(const struct mesh_gossip_msg *m,
				    const struct mesh_peer_summary *ps, size_t n)
{
	uint8_t *enc;
	size_t len;

	ck_assert_int_eq(mesh_topology_encode(ps, n, first_defined_id(m->data, m->len), &enc, &len),
			 0);
	ck_assert_uint_eq(len, m->len);
	ck_assert_mem_eq(enc, m->data, len);
	free(enc);
}

static void check_fixture_gossip(const struct fixture_dir *fd, const struct rec *r,
				 size_t *topologies)
{
	struct mesh_peer_summary *ps;
	struct mesh_gossip_msg m;
	uint8_t *enc;
	size_t n, len;

	ck_assert_int_eq(mesh_gossip_decode(r->tag, r->data, r->len, &m), 0);
	ck_assert_uint_eq(m.tag, r->tag);
	ck_assert_uint_eq(m.src, fd->sender); /* tag 6: the broadcasts originate there too */
	ck_assert_uint_eq(m.dst, 0);
	/* the envelope re-encodes to the captured bytes */
	ck_assert_int_eq(mesh_gossip_encode(r->tag, m.channel, m.src, 0, m.data, m.len, &enc, &len),
			 0);
	ck_assert_uint_eq(len, r->len);
	ck_assert_mem_eq(enc, r->data, len);
	free(enc);
	if (!strcmp(m.channel, "topology")) {
		ck_assert_int_eq(mesh_topology_decode(m.data, m.len, &ps, &n), 0);
		check_topology_fx(ps, n, fd->sender, (*topologies)++ > 0);
		check_reencode_topology(&m, ps, n);
		mesh_topology_free(ps, n);
	}
	mesh_gossip_msg_done(&m);
}

static void check_fixture_overlay(const struct rec *r, size_t k)
{
	struct mesh_overlay_msg om;
	struct sleeve_control ctl;

	/* common overlays: just sleeve, index 0; the replies to the special frames in order */
	ck_assert_int_eq(mesh_overlay_msg_parse(r->data, r->len, &om), 0);
	ck_assert_uint_eq(om.index, 0);
	ck_assert_uint_eq(om.subtag, k + 1);
	ck_assert_int_eq(sleeve_control_parse(om.subtag, om.msg, om.len, &ctl), 0);
	if (om.subtag == SLEEVE_CONTROL_PMTU_VERIFIED)
		ck_assert_uint_eq(ctl.mtu, 1438);
	else
		ck_assert_uint_eq(om.len, 0);
}

START_TEST(test_fixture_messages)
{
	const struct fixture_dir *fd = &fx_dirs[_i];
	struct recs rs = { 0 };
	size_t topologies = 0, overlays = 0;

	run_fixture(fd, 0, 1, &rs);
	for (size_t i = 0; i < fd->n_msgs; i++) {
		const struct rec *r = &rs.v[3 + i];

		if (r->tag == MESH_TAG_OVERLAY_CONTROL) {
			check_fixture_overlay(r, overlays++);
			continue;
		}
		check_fixture_gossip(fd, r, &topologies);
		ck_assert_ptr_nonnull(fd->channels[i]);
	}
	ck_assert_uint_eq(topologies, 2);
	ck_assert_uint_eq(overlays, 3);
	recs_free(&rs);
}
END_TEST

START_TEST(test_fixture_channels)
{
	const struct fixture_dir *fd = &fx_dirs[_i];
	struct recs rs = { 0 };
	struct mesh_gossip_msg m;

	run_fixture(fd, 3, 300, &rs);
	for (size_t i = 0; i < fd->n_msgs; i++) {
		const struct rec *r = &rs.v[3 + i];

		if (!fd->channels[i])
			continue;
		ck_assert_int_eq(mesh_gossip_decode(r->tag, r->data, r->len, &m), 0);
		ck_assert_str_eq(m.channel, fd->channels[i]);
		mesh_gossip_msg_done(&m);
	}
	recs_free(&rs);
}
END_TEST

/* ---- our encodings --------------------------------------------------------------------------- */

static void example_info(struct mesh_features_info *info)
{
	memset(info, 0, sizeof(*info));
	info->name = UINT64_C(0x0a1b2c3d4e5f);
	snprintf(info->nickname, sizeof(info->nickname), "host-%d", 7);
	info->uid = UINT64_C(18446744073709551615);
	info->conn_id = 12345;
	info->short_id = 4095;
	info->has_short_id = true;
	info->trusted = true;
	info->has_overlays = true;
	ck_assert_int_eq(mesh_overlays_parse("fastdp sleeve", &info->overlays), 0);
}

static void assert_same_info(const struct mesh_features_info *a, const struct mesh_features_info *b)
{
	ck_assert_uint_eq(a->name, b->name);
	ck_assert_str_eq(a->nickname, b->nickname);
	ck_assert_uint_eq(a->uid, b->uid);
	ck_assert_uint_eq(a->conn_id, b->conn_id);
	ck_assert_uint_eq(a->short_id, b->short_id);
	ck_assert_int_eq(a->has_short_id, b->has_short_id);
	ck_assert_int_eq(a->trusted, b->trusted);
	ck_assert_int_eq(a->has_overlays, b->has_overlays);
	ck_assert_uint_eq(a->overlays.n, b->overlays.n);
	for (size_t i = 0; i < a->overlays.n; i++)
		ck_assert_str_eq(a->overlays.names[i], b->overlays.names[i]);
}

START_TEST(test_features_round_trip)
{
	static const char *const keys[] = { "ConnID",	       "Name",	  "NickName", "Overlays",
					    "PeerNameFlavour", "ShortID", "Trusted",  "UID" };
	struct mesh_features f = { 0 }, g = { 0 };
	struct mesh_features_info in, out;
	struct mesh_error err;
	uint8_t *enc;
	size_t len;

	example_info(&in);
	ck_assert_int_eq(mesh_features_make(&in, &f), 0);
	ck_assert_uint_eq(f.n, 8);
	for (size_t i = 0; i < f.n; i++)
		ck_assert_str_eq(f.entries[i].key, keys[i]); /* sorted */
	ck_assert_str_eq(mesh_features_get(&f, "Overlays"), "fastdp sleeve");
	ck_assert_str_eq(mesh_features_get(&f, "UID"), "18446744073709551615");
	ck_assert_str_eq(mesh_features_get(&f, "Name"), "0a:1b:2c:3d:4e:5f");
	ck_assert_int_eq(mesh_features_encode(&f, 0, &enc, &len), 0);
	/* a fresh stream: it starts with the map's definition as id 65 */
	ck_assert_mem_eq(enc, "\x0e\xff\x81\x04\x01\x02\xff\x82\x00\x01\x0c\x01\x0c\x00\x00", 15);
	ck_assert_int_eq(mesh_features_decode(enc, len, &g, &err), 0);
	ck_assert_int_eq(mesh_features_parse(&g, &out, &err), 0);
	assert_same_info(&in, &out);
	ck_assert_uint_eq(mesh_conn_uid(in.conn_id, 99), 12345 ^ 99);
	free(enc);
	mesh_features_done(&g);
	/* without the optional features */
	in.has_short_id = in.has_overlays = in.trusted = false;
	in.short_id = 0;
	memset(&in.overlays, 0, sizeof(in.overlays));
	mesh_features_done(&f);
	ck_assert_int_eq(mesh_features_make(&in, &f), 0);
	ck_assert_uint_eq(f.n, 6);
	ck_assert_int_eq(mesh_features_parse(&f, &out, &err), 0);
	assert_same_info(&in, &out);
	mesh_features_done(&f);
}
END_TEST

START_TEST(test_features_reference_dump)
{
	struct mesh_features f = { 0 }, g = { 0 };
	struct mesh_error err;
	uint8_t want[64], *enc;
	size_t n, len;

	n = unhex("0e ff 81 04 01 02 ff 82 00 01 0c 01 0c 00 00"
		  " 1b ff 82 00 01 04 4e 61 6d 65 11"
		  " 61 61 3a 62 62 3a 63 63 3a 64 64 3a 65 65 3a 66 66",
		  want);
	ck_assert_uint_eq(n, 43);
	ck_assert_int_eq(mesh_features_set(&f, "Name", "aa:bb:cc:dd:ee:ff"), 0);
	ck_assert_int_eq(mesh_features_encode(&f, 0, &enc, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(enc, want, n);
	ck_assert_int_eq(mesh_features_decode(want, n, &g, &err), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(mesh_features_get(&g, "Name"), "aa:bb:cc:dd:ee:ff");
	/* the required keys are missing: parse names the first */
	ck_assert_int_eq(mesh_features_parse(&g, &(struct mesh_features_info){ 0 }, &err), -EPROTO);
	ck_assert_str_eq(err.text, "field PeerNameFlavour is missing");
	free(enc);
	mesh_features_done(&f);
	mesh_features_done(&g);
}
END_TEST

/* Parses example features with one key replaced (value NULL: removed). */
static int parse_with(const char *key, const char *value, struct mesh_error *err)
{
	struct mesh_features_info in, out;
	struct mesh_features f = { 0 }, g = { 0 };
	int r;

	example_info(&in);
	ck_assert_int_eq(mesh_features_make(&in, &f), 0);
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.entries[i].key, key) || value)
			ck_assert_int_eq(mesh_features_set(&g, f.entries[i].key,
							   strcmp(f.entries[i].key, key) ?
								   f.entries[i].value :
								   value),
					 0);
	r = mesh_features_parse(&g, &out, err);
	mesh_features_done(&f);
	mesh_features_done(&g);
	return r;
}

START_TEST(test_features_errors)
{
	struct mesh_error err;
	char big[300];

	ck_assert_int_eq(parse_with("UID", NULL, &err), -EPROTO);
	ck_assert_str_eq(err.text, "field UID is missing");
	ck_assert_int_eq(parse_with("ConnID", NULL, &err), -EPROTO);
	ck_assert_str_eq(err.text, "field ConnID is missing");
	ck_assert_int_eq(parse_with("PeerNameFlavour", "hash", &err), -EPROTO);
	ck_assert_str_eq(err.text, "Peer name flavour mismatch (ours: 'mac', theirs: 'hash')");
	ck_assert_int_eq(parse_with("UID", "12a", &err), -EPROTO);
	ck_assert_str_eq(err.text, "strconv.ParseUint: parsing \"12a\": invalid syntax");
	ck_assert_int_eq(parse_with("UID", "", &err), -EPROTO);
	ck_assert_str_eq(err.text, "strconv.ParseUint: parsing \"\": invalid syntax");
	ck_assert_int_eq(parse_with("UID", "-1", &err), -EPROTO);
	ck_assert_int_eq(parse_with("ConnID", "18446744073709551616", &err), -EPROTO);
	ck_assert_str_eq(err.text,
			 "strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
	ck_assert_int_eq(parse_with("ShortID", "4096", &err), -EPROTO);
	ck_assert_str_eq(err.text, "strconv.ParseUint: parsing \"4096\": value out of range");
	ck_assert_int_eq(parse_with("ShortID", "0004095", &err), 0);
	ck_assert_int_eq(parse_with("Trusted", "yes", &err), -EPROTO);
	ck_assert_str_eq(err.text, "strconv.ParseBool: parsing \"yes\": invalid syntax");
	ck_assert_int_eq(parse_with("Trusted", "T", &err), 0);
	ck_assert_int_eq(parse_with("Trusted", NULL, &err), 0);
	ck_assert_int_eq(parse_with("Name", "aa:bb", &err), -EPROTO);
	ck_assert_str_eq(err.text, "address aa:bb: invalid MAC address");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(parse_with("NickName", big, &err), -E2BIG);
	ck_assert_int_eq(parse_with("Overlays", "a b c d e f g h i j k l m n o p q", &err), -E2BIG);
}
END_TEST

START_TEST(test_features_identity)
{
	struct mesh_features_info local, remote;
	struct mesh_error err;

	example_info(&local);
	remote = local;
	ck_assert_int_eq(mesh_features_check_remote(&local, &remote, &err), -ELOOP);
	ck_assert_str_eq(err.text, "cannot connect to ourself");
	remote.uid = 42;
	snprintf(remote.nickname, sizeof(remote.nickname), "other\"one");
	ck_assert_int_eq(mesh_features_check_remote(&local, &remote, &err), -ENOTUNIQ);
	ck_assert_str_eq(err.text, "local \"0a:1b:2c:3d:4e:5f(host-7)\" and remote "
				   "\"0a:1b:2c:3d:4e:5f(other\\\"one)\" peer names collision");
	remote.name++;
	ck_assert_int_eq(mesh_features_check_remote(&local, &remote, &err), 0);
}
END_TEST

START_TEST(test_features_decode_hostile)
{
	struct mesh_features f = { 0 };
	struct mesh_error err;
	uint8_t buf[64] = { 0 };
	size_t n;

	ck_assert_int_eq(mesh_features_decode(buf, 0, &f, &err), -EINVAL);
	/* a string, not a map */
	n = unhex("07 0c 00 04 4e 61 6d 65", buf);
	ck_assert_int_eq(mesh_features_decode(buf, n, &f, &err), -EPROTO);
	/* map[string]uint */
	n = unhex("0e ff 81 04 01 02 ff 82 00 01 0c 01 06 00 00 07 ff 82 00 01 01 61 02", buf);
	ck_assert_int_eq(mesh_features_decode(buf, n, &f, &err), -EPROTO);
	/* cut */
	n = unhex("0e ff 81 04 01 02 ff 82 00 01 0c 01 0c 00 00 1b ff 82 00 01", buf);
	ck_assert_int_lt(mesh_features_decode(buf, n, &f, &err), 0);
	ck_assert_ptr_null(f.entries);
}
END_TEST

START_TEST(test_overlays)
{
	struct mesh_overlays ours, theirs, c;
	struct mesh_error err;

	ck_assert_int_eq(mesh_overlays_parse("fastdp sleeve", &ours), 0);
	ck_assert_int_eq(mesh_overlays_parse(" sleeve  fastdp ", &theirs), 0);
	ck_assert_uint_eq(theirs.n, 2);
	ck_assert_int_eq(mesh_overlays_common(&ours, &theirs, true, &c, &err), 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.names[0], "fastdp");
	ck_assert_int_eq(mesh_overlays_common(&ours, &theirs, false, &c, &err), 0);
	ck_assert_str_eq(c.names[0], "sleeve");
	ck_assert_int_eq(mesh_overlays_parse("sleeve", &theirs), 0);
	ck_assert_int_eq(mesh_overlays_common(&ours, &theirs, true, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.names[0], "sleeve"); /* index 0 for sleeve on a bridge-only link */
	ck_assert_int_eq(mesh_overlays_parse("awsvpc", &theirs), 0);
	ck_assert_int_eq(mesh_overlays_common(&ours, &theirs, false, &c, &err), -ENOENT);
	ck_assert_str_eq(err.text, "no overlays in common with peer");
	ck_assert_int_eq(mesh_overlays_parse("a-name-that-is-longer-than-31-bytes", &c), -E2BIG);
}
END_TEST

START_TEST(test_gossip_reference_dump)
{
	struct mesh_gossip_msg m;
	uint8_t want[64], *enc;
	size_t n, len;

	n = unhex("0b 0c 00 08 74 6f 70 6f 6c 6f 67 79"
		  " 09 06 00 fa aa bb cc dd ee ff"
		  " 06 0a 00 03 01 02 03",
		  want);
	ck_assert_int_eq(mesh_gossip_encode(MESH_TAG_GOSSIP, "topology", UINT64_C(0xaabbccddeeff),
					    0, "\x01\x02\x03", 3, &enc, &len),
			 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(enc, want, n);
	free(enc);
	ck_assert_int_eq(mesh_gossip_decode(MESH_TAG_GOSSIP, want, n, &m), 0);
	ck_assert_str_eq(m.channel, "topology");
	ck_assert_uint_eq(m.src, UINT64_C(0xaabbccddeeff));
	ck_assert_uint_eq(m.len, 3);
	ck_assert_mem_eq(m.data, "\x01\x02\x03", 3);
	mesh_gossip_msg_done(&m);
	/* the same bytes are no unicast: the data is not a PeerName */
	ck_assert_int_eq(mesh_gossip_decode(MESH_TAG_GOSSIP_UNICAST, want, n, &m), -EPROTO);
	/* cut anywhere, it fails */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_lt(mesh_gossip_decode(MESH_TAG_GOSSIP, want, i, &m), 0);
}
END_TEST

START_TEST(test_gossip_unicast_broadcast)
{
	static const uint8_t tags[] = { MESH_TAG_GOSSIP_UNICAST, MESH_TAG_GOSSIP_BROADCAST };
	struct mesh_gossip_msg m;
	uint8_t *enc;
	size_t len;
	char longname[MESH_CHANNEL_MAX + 2];

	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(mesh_gossip_encode(tags[i], "IPallocation", FX1, FX2, "", 0, &enc,
						    &len),
				 0);
		ck_assert_int_eq(mesh_gossip_decode(tags[i], enc, len, &m), 0);
		ck_assert_str_eq(m.channel, "IPallocation");
		ck_assert_uint_eq(m.src, FX1);
		ck_assert_uint_eq(m.dst, tags[i] == MESH_TAG_GOSSIP_UNICAST ? FX2 : 0);
		ck_assert_uint_eq(m.len, 0);
		mesh_gossip_msg_done(&m);
		free(enc);
	}
	ck_assert_int_eq(mesh_gossip_encode(MESH_TAG_HEARTBEAT, "x", 1, 0, "", 0, &enc, &len),
			 -EINVAL);
	ck_assert_int_eq(mesh_gossip_decode(MESH_TAG_OVERLAY_CONTROL, "", 0, &m), -EINVAL);
	memset(longname, 'c', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(mesh_gossip_encode(MESH_TAG_GOSSIP, longname, 1, 0, "", 0, &enc, &len),
			 -EINVAL);
}
END_TEST

/* n peers, peer i with i % 7 connections to other peers. */
static struct mesh_peer_summary *make_peers(size_t n)
{
	struct mesh_peer_summary *ps = calloc(n, sizeof(*ps));

	ck_assert_ptr_nonnull(ps);
	for (size_t i = 0; i < n; i++) {
		struct mesh_peer_info *info = &ps[i].info;

		info->name = UINT64_C(0x020000000000) + i * 0x10001;
		if (i % 3)
			snprintf(info->nickname, sizeof(info->nickname), "peer-%zu", i);
		info->uid = i * UINT64_C(0x9e3779b97f4a7c15) + 1;
		info->version = i % 5;
		info->short_id = (uint16_t)(i % 4096);
		info->has_short_id = i % 4;
		ps[i].n_conns = i % 7;
		ps[i].conns = ps[i].n_conns ? calloc(ps[i].n_conns, sizeof(*ps[i].conns)) : NULL;
		for (size_t j = 0; j < ps[i].n_conns; j++) {
			struct mesh_conn_summary *c = &ps[i].conns[j];

			c->name = UINT64_C(0x020000000000) + ((i + j + 1) % n) * 0x10001;
			if (j % 2)
				snprintf(c->remote_tcp_addr, sizeof(c->remote_tcp_addr),
					 "10.0.%zu.%zu:6783", i % 256, j);
			c->outbound = (i + j) % 2;
			c->established = (i + j) % 3 == 0;
		}
	}
	return ps;
}

static void assert_same_peers(const struct mesh_peer_summary *a, const struct mesh_peer_summary *b,
			      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_mem_eq(&a[i].info, &b[i].info, sizeof(a[i].info));
		ck_assert_uint_eq(a[i].n_conns, b[i].n_conns);
		for (size_t j = 0; j < a[i].n_conns; j++)
			ck_assert_mem_eq(&a[i].conns[j], &b[i].conns[j], sizeof(a[i].conns[j]));
	}
}

START_TEST(test_topology_round_trip)
{
	static const size_t sizes[] = { 1, 4, 100 };
	size_t n = sizes[_i], m, len;
	struct mesh_peer_summary *ps = make_peers(n), *got;
	uint8_t *enc;

	ck_assert_int_eq(mesh_topology_encode(ps, n, 0, &enc, &len), 0);
	/* a fresh stream: peerSummary is defined first, as id 65 */
	ck_assert_mem_eq(enc + 1,
			 "\xff\x81\x03\x01\x01\x0b"
			 "peerSummary",
			 17);
	ck_assert_int_eq(mesh_topology_decode(enc, len, &got, &m), 0);
	ck_assert_uint_eq(m, n);
	assert_same_peers(ps, got, n);
	mesh_topology_free(got, m);
	/* any other ids read the same */
	free(enc);
	ck_assert_int_eq(mesh_topology_encode(ps, n, 300, &enc, &len), 0);
	ck_assert_int_eq(mesh_topology_decode(enc, len, &got, &m), 0);
	ck_assert_uint_eq(m, n);
	assert_same_peers(ps, got, n);
	mesh_topology_free(got, m);
	/* cut short it fails, except at a peer boundary or before a final connection list */
	for (size_t i = 0; i < len; i += 1 + len / 200) {
		int r = mesh_topology_decode(enc, i, &got, &m);

		if (r == 0)
			mesh_topology_free(got, m);
	}
	free(enc);
	mesh_topology_free(ps, n);
}
END_TEST

START_TEST(test_topology_limits)
{
	struct mesh_peer_summary *ps = make_peers(4), *got;
	struct mesh_conn_summary *many;
	uint8_t *enc;
	size_t len, n;

	ck_assert_int_eq(mesh_topology_encode(ps, MESH_TOPOLOGY_PEERS_MAX + 1, 0, &enc, &len),
			 -E2BIG);
	many = calloc(MESH_TOPOLOGY_CONNS_MAX + 1, sizeof(*many));
	ck_assert_ptr_nonnull(many);
	free(ps[1].conns);
	ps[1].conns = many;
	ps[1].n_conns = MESH_TOPOLOGY_CONNS_MAX + 1;
	ck_assert_int_eq(mesh_topology_encode(ps, 4, 0, &enc, &len), -E2BIG);
	ps[1].n_conns = MESH_TOPOLOGY_CONNS_MAX;
	ck_assert_int_eq(mesh_topology_encode(ps, 4, 0, &enc, &len), 0);
	ck_assert_int_eq(mesh_topology_decode(enc, len, &got, &n), 0);
	ck_assert_uint_eq(got[1].n_conns, MESH_TOPOLOGY_CONNS_MAX);
	mesh_topology_free(got, n);
	free(enc);
	memset(ps[2].info.nickname, 'n', sizeof(ps[2].info.nickname)); /* unterminated */
	ck_assert_int_eq(mesh_topology_encode(ps, 4, 0, &enc, &len), -EINVAL);
	mesh_topology_free(ps, 4);
	ck_assert_int_eq(mesh_topology_decode("", 0, &got, &n), 0);
	ck_assert_uint_eq(n, 0);
	mesh_topology_free(got, n);
}
END_TEST

/* Hand-built updates with the gob API, for what our encoder refuses to write. */
struct wire_types {
	struct gob_schema *s;
	struct gob_type *peer, *conn;
	const struct gob_type *conns;
};

static void wire_types_init(struct wire_types *w)
{
	const struct gob_type *bytes = gob_builtin_type(GOB_KIND_BYTES);

	ck_assert_int_eq(gob_schema_new(&w->s), 0);
	ck_assert_int_eq(gob_schema_new_struct(w->s, "peerSummary", &w->peer), 0);
	ck_assert_int_eq(gob_struct_type_add_field(w->peer, "NameByte", bytes, 0), 0);
	ck_assert_int_eq(gob_struct_type_add_field(w->peer, "NickName",
						   gob_builtin_type(GOB_KIND_STRING), 0),
			 0);
	ck_assert_int_eq(gob_struct_type_add_field(w->peer, "ShortID",
						   gob_builtin_type(GOB_KIND_UINT), 0),
			 0);
	ck_assert_int_eq(
		gob_struct_type_add_field(w->peer, "Extra", gob_builtin_type(GOB_KIND_INT), 0), 0);
	ck_assert_int_eq(gob_schema_new_struct(w->s, "connectionSummary", &w->conn), 0);
	ck_assert_int_eq(gob_struct_type_add_field(w->conn, "NameByte", bytes, 0), 0);
	ck_assert_int_eq(gob_schema_new_slice(w->s, "", w->conn, &w->conns), 0);
}

/* Encodes n peers named with name_len bytes, nick, short id, each with conns connections. */
static int decode_built(size_t n, size_t name_len, const char *nick, uint64_t short_id,
			size_t conns)
{
	static const uint8_t name[8] = { 0xaa, 1, 2, 3, 4, 5, 6, 7 };
	struct mesh_peer_summary *got;
	struct gob_encoder *enc;
	struct wire_types w;
	struct gob_value *v;
	const uint8_t *out;
	size_t len, m;
	int r;

	wire_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	for (size_t i = 0; i < n; i++) {
		v = gob_value_new_struct(w.peer);
		ck_assert_int_eq(gob_struct_set(v, "NameByte", gob_value_new_bytes(name, name_len)),
				 0);
		ck_assert_int_eq(gob_struct_set(v, "NickName", gob_value_new_string(nick)), 0);
		ck_assert_int_eq(gob_struct_set(v, "ShortID", gob_value_new_uint(short_id)), 0);
		ck_assert_int_eq(gob_struct_set(v, "Extra", gob_value_new_int(-5)), 0);
		ck_assert_int_eq(gob_encode(enc, w.peer, v), 0);
		gob_value_free(v);
		v = gob_value_new_slice();
		for (size_t j = 0; j < conns; j++) {
			struct gob_value *c = gob_value_new_struct(w.conn);

			ck_assert_int_eq(
				gob_struct_set(c, "NameByte", gob_value_new_bytes(name, 6)), 0);
			ck_assert_int_eq(gob_value_append(v, c), 0);
		}
		ck_assert_int_eq(gob_encode(enc, w.conns, v), 0);
		gob_value_free(v);
	}
	out = gob_encoder_data(enc, &len);
	r = mesh_topology_decode(out, len, &got, &m);
	if (r == 0) {
		ck_assert_uint_eq(m, n);
		mesh_topology_free(got, m);
	}
	gob_encoder_free(enc);
	gob_schema_free(w.s);
	return r;
}

START_TEST(test_topology_decode_hostile)
{
	char nick[MESH_NICKNAME_MAX + 2];

	ck_assert_int_eq(decode_built(3, 6, "ok", 7, 2), 0); /* unknown field Extra ignored */
	ck_assert_int_eq(decode_built(MESH_TOPOLOGY_PEERS_MAX, 6, "", 1, 0), 0);
	ck_assert_int_eq(decode_built(MESH_TOPOLOGY_PEERS_MAX + 1, 6, "", 1, 0), -E2BIG);
	ck_assert_int_eq(decode_built(1, 6, "", 1, MESH_TOPOLOGY_CONNS_MAX + 1), -E2BIG);
	ck_assert_int_eq(decode_built(1, 5, "", 1, 0), -EINVAL);
	ck_assert_int_eq(decode_built(1, 8, "", 1, 0), -EINVAL);
	ck_assert_int_eq(decode_built(1, 6, "", 65535, 0), 0);
	ck_assert_int_eq(decode_built(1, 6, "", 65536, 0), -EINVAL);
	memset(nick, 'n', sizeof(nick) - 1);
	nick[sizeof(nick) - 1] = '\0';
	ck_assert_int_eq(decode_built(1, 6, nick, 1, 0), -E2BIG);
	nick[MESH_NICKNAME_MAX] = '\0';
	ck_assert_int_eq(decode_built(1, 6, nick, 1, 0), 0);
}
END_TEST

/* A peerSummary where the connection list belongs. */
static int decode_two_peers(void)
{
	static const uint8_t name[6] = { 0xaa, 1, 2, 3, 4, 5 };
	struct mesh_peer_summary *got;
	struct gob_encoder *enc;
	struct wire_types w;
	struct gob_value *v;
	const uint8_t *out;
	size_t len, m;
	int r;

	wire_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	v = gob_value_new_struct(w.peer);
	ck_assert_int_eq(gob_struct_set(v, "NameByte", gob_value_new_bytes(name, 6)), 0);
	ck_assert_int_eq(gob_encode(enc, w.peer, v), 0);
	ck_assert_int_eq(gob_encode(enc, w.peer, v), 0);
	gob_value_free(v);
	out = gob_encoder_data(enc, &len);
	r = mesh_topology_decode(out, len, &got, &m);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
	return r;
}

START_TEST(test_topology_wrong_types)
{
	struct mesh_peer_summary *got;
	struct gob_value **vals;
	uint8_t buf[64], *enc;
	size_t n, m, len;

	/* a string where a peerSummary belongs */
	n = unhex("07 0c 00 04 4e 61 6d 65 07 0c 00 04 4e 61 6d 65", buf);
	ck_assert_int_eq(mesh_topology_decode(buf, n, &got, &m), -EPROTO);
	ck_assert_int_eq(decode_two_peers(), -EPROTO);
	/* a final peer without its connection list is dropped, as Go does */
	got = make_peers(1);
	ck_assert_int_eq(mesh_topology_encode(got, 1, 0, &enc, &len), 0);
	mesh_topology_free(got, 1);
	ck_assert_int_eq(gob_decode_stream(enc, len, NULL, &vals, &m), 0);
	ck_assert_uint_eq(m, 2);
	gob_values_free(vals, m);
	ck_assert_mem_eq(enc + len - 5, "\x04\xff\x86\x00\x00", 5); /* the empty list */
	ck_assert_int_eq(mesh_topology_decode(enc, len - 5, &got, &m), 0);
	ck_assert_uint_eq(m, 0);
	mesh_topology_free(got, m);
	free(enc);
}
END_TEST

/* ---- the state machine: writing, encryption, hostile input --------------------------------- */

/* Two machines through buffers up to features exchanged; events go to ra and rb. */
static void connect_pair(struct mesh_proto *a, struct mesh_proto *b, struct recs *ra,
			 struct recs *rb)
{
	ck_assert_int_eq(pump(a, b, rb), 0);
	ck_assert_int_eq(pump(b, a, ra), 0);
	ck_assert_int_eq(pump(a, b, rb), 0); /* the intros, queued when the headers came */
	ck_assert_int_eq(pump(b, a, ra), 0);
	ck_assert_uint_eq(ra->n, 2);
	ck_assert_uint_eq(rb->n, 2);
	ck_assert_int_eq(mesh_proto_send_features(a, "feat-a", 6), 0);
	ck_assert_int_eq(mesh_proto_send_features(b, "feat-b", 6), 0);
}

START_TEST(test_output_and_send_rules)
{
	struct mesh_proto_config cfg = { .min_version = 1 };
	struct mesh_proto *a, *b;
	struct recs ra = { 0 }, rb = { 0 };
	const uint8_t *out;
	uint8_t *big;
	size_t len;

	ck_assert_int_eq(mesh_proto_new(&cfg, &a), 0);
	out = mesh_proto_output(a, &len);
	ck_assert_uint_eq(len, 7);
	ck_assert_mem_eq(out, "weave\x01\x02", 7); /* Weave's own header bytes */
	mesh_proto_output_consume(a, 3);
	out = mesh_proto_output(a, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(out, "ve\x01\x02", 4);
	mesh_proto_output_consume(a, 100);
	ck_assert_ptr_null(mesh_proto_output(a, &len));
	ck_assert_int_eq(mesh_proto_send_features(a, "x", 1), -ENOTCONN);
	ck_assert_int_eq(mesh_proto_send(a, 0, NULL, 0), -ENOTCONN);
	mesh_proto_free(a);
	cfg.min_version = 3;
	ck_assert_int_eq(mesh_proto_new(&cfg, &a), -EINVAL);
	cfg = (struct mesh_proto_config){ .max_version = 3 };
	ck_assert_int_eq(mesh_proto_new(&cfg, &a), -EINVAL);
	cfg = (struct mesh_proto_config){ .password_len = 3 };
	ck_assert_int_eq(mesh_proto_new(&cfg, &a), -EINVAL);

	a = new_proto(true, NULL);
	b = new_proto(false, NULL);
	ck_assert_int_eq(mesh_proto_version(a), 0);
	connect_pair(a, b, &ra, &rb);
	ck_assert_int_eq(mesh_proto_version(a), 2);
	ck_assert_int_eq(mesh_proto_session_key(a, (uint8_t[32]){ 0 }), -ENOKEY);
	ck_assert_int_eq(mesh_proto_send_features(a, "x", 1), -EALREADY);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(mesh_proto_send_overlay(a, 1, 3, "\x05\x9e", 2), 0);
	big = calloc(1, MESH_MAX_TCP_MSG);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, big, MESH_MAX_TCP_MSG), -EMSGSIZE);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, big, MESH_MAX_TCP_MSG - 1), 0);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, big, MESH_MAX_TCP_MSG - 1), 0);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, big, MESH_MAX_TCP_MSG - 1), 0);
	/* the 32 MiB output queue is full */
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, big, MESH_MAX_TCP_MSG - 1), -ENOBUFS);
	out = mesh_proto_output(a, &len);
	ck_assert_uint_eq(len, 4 + 6 + 5 + 4 + 3 + 2 + 3 * (4 + MESH_MAX_TCP_MSG));
	ck_assert_mem_eq(out,
			 "\x00\x00\x00\x06"
			 "feat-a\x00\x00\x00\x01\x00"
			 "\x00\x00\x00\x05\x07\x01\x03\x05\x9e",
			 24);
	ck_assert_int_eq(feed_chunk(b, out, len, &rb), 0);
	mesh_proto_output_consume(a, len);
	ck_assert_uint_eq(rb.n, 2 + 1 + 1 + 1 + 3);
	ck_assert_int_eq(rb.v[2].type, MESH_PROTO_EV_FEATURES);
	ck_assert_uint_eq(rb.v[3].tag, MESH_TAG_HEARTBEAT);
	ck_assert_uint_eq(rb.v[3].len, 0);
	ck_assert_uint_eq(rb.v[4].tag, MESH_TAG_OVERLAY_CONTROL);
	ck_assert_mem_eq(rb.v[4].data, "\x01\x03\x05\x9e", 4);
	ck_assert_uint_eq(rb.v[7].len, MESH_MAX_TCP_MSG - 1);
	free(big);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

START_TEST(test_encrypted_pair)
{
	struct mesh_proto *a = new_proto(true, "s3cret"), *b = new_proto(false, "s3cret");
	struct recs ra = { 0 }, rb = { 0 };
	uint8_t ka[32], kb[32], payload[3000];

	connect_pair(a, b, &ra, &rb);
	ck_assert(ra.v[1].encrypted && rb.v[1].encrypted);
	ck_assert_int_eq(mesh_proto_session_key(a, ka), 0);
	ck_assert_int_eq(mesh_proto_session_key(b, kb), 0);
	ck_assert_mem_eq(ka, kb, 32);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 31);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, payload, 100 * i), 0);
		ck_assert_int_eq(mesh_proto_send(b, MESH_TAG_GOSSIP_BROADCAST, payload, 1000 + i),
				 0);
	}
	ck_assert_int_eq(pump(a, b, &rb), 0);
	ck_assert_int_eq(pump(b, a, &ra), 0);
	ck_assert_uint_eq(ra.n, 8);
	ck_assert_uint_eq(rb.n, 8);
	ck_assert_int_eq(ra.v[2].type, MESH_PROTO_EV_FEATURES);
	ck_assert_uint_eq(ra.v[2].len, 6);
	ck_assert_mem_eq(ra.v[2].data, "feat-b", 6);
	ck_assert_mem_eq(rb.v[2].data, "feat-a", 6);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(rb.v[3 + i].tag, MESH_TAG_GOSSIP);
		ck_assert_uint_eq(rb.v[3 + i].len, 100 * i);
		ck_assert_mem_eq(rb.v[3 + i].data, payload, 100 * i);
		ck_assert_uint_eq(rb.v[3 + i].seq, i + 1);
		ck_assert_uint_eq(ra.v[3 + i].tag, MESH_TAG_GOSSIP_BROADCAST);
		ck_assert_uint_eq(ra.v[3 + i].len, 1000 + i);
		ck_assert_mem_eq(ra.v[3 + i].data, payload, 1000 + i);
	}
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

/* The wire form of the first message a sent to b: nonce polarity and sequence numbers. */
START_TEST(test_encrypted_wire_format)
{
	struct mesh_proto *a = new_proto(true, "pw"), *b = new_proto(false, "pw");
	struct recs ra = { 0 }, rb = { 0 };
	uint8_t key[32], nonce[24], plain[16];
	const uint8_t *out;
	size_t len;

	connect_pair(a, b, &ra, &rb);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(mesh_proto_session_key(a, key), 0);
	out = mesh_proto_output(a, &len);
	ck_assert_uint_eq(len, 4 + 16 + 6 + 4 + 16 + 1);
	ck_assert_mem_eq(out, "\x00\x00\x00\x16", 4);
	/* features: outbound sender, TCP, sequence 0 */
	memset(nonce, 0, sizeof(nonce));
	nonce[0] = 0xc0;
	ck_assert_int_eq(crypto_secretbox_open_easy(plain, out + 4, 22, nonce, key), 0);
	ck_assert_mem_eq(plain, "feat-a", 6);
	nonce[23] = 1; /* the heartbeat: sequence 1 */
	ck_assert_int_eq(crypto_secretbox_open_easy(plain, out + 30, 17, nonce, key), 0);
	ck_assert_uint_eq(plain[0], MESH_TAG_HEARTBEAT);
	/* b sends with the inbound polarity */
	out = mesh_proto_output(b, &len);
	nonce[0] = 0x40;
	nonce[23] = 0;
	ck_assert_int_eq(crypto_secretbox_open_easy(plain, out + 4, 22, nonce, key), 0);
	ck_assert_mem_eq(plain, "feat-b", 6);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

START_TEST(test_encrypted_flipped_byte)
{
	struct mesh_proto *a = new_proto(false, "pw"), *b = new_proto(true, "pw");
	struct recs ra = { 0 }, rb = { 0 };
	const uint8_t *out;
	uint8_t *copy;
	size_t len;

	connect_pair(a, b, &ra, &rb);
	ck_assert_int_eq(pump(a, b, &rb), 0); /* features fine */
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, "hello", 5), 0);
	out = mesh_proto_output(a, &len);
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, out, len);
	copy[len - 2] ^= 0x01;
	ck_assert_int_eq(feed(b, copy, len, 0, 1, &rb), -EBADMSG);
	ck_assert_str_eq(mesh_proto_error(b), "Unable to decrypt TCP msg");
	ck_assert_uint_eq(rb.n, 3);
	/* dead for good: even the untouched bytes are refused */
	ck_assert_int_eq(feed(b, out, len, 0, 1, &rb), -EBADMSG);
	ck_assert_int_eq(mesh_proto_send(b, MESH_TAG_HEARTBEAT, NULL, 0), -EBADMSG);
	ck_assert_int_eq(mesh_proto_eof(b), -EBADMSG);
	free(copy);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

START_TEST(test_encrypted_replayed_message)
{
	struct mesh_proto *a = new_proto(true, "pw"), *b = new_proto(false, "pw");
	struct recs ra = { 0 }, rb = { 0 };
	const uint8_t *out;
	uint8_t *copy;
	size_t len;

	connect_pair(a, b, &ra, &rb);
	ck_assert_int_eq(mesh_proto_send(a, MESH_TAG_GOSSIP, "hello", 5), 0);
	out = mesh_proto_output(a, &len);
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, out, len);
	ck_assert_int_eq(feed(b, copy, len, 0, 1, &rb), 0);
	ck_assert_uint_eq(rb.n, 4);
	/* the same sealed message again carries an old nonce */
	ck_assert_int_eq(feed(b, copy + 26, len - 26, 0, 1, &rb), -EBADMSG);
	free(copy);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

START_TEST(test_wrong_password)
{
	struct mesh_proto *a = new_proto(true, "right"), *b = new_proto(false, "wrong");
	struct recs ra = { 0 }, rb = { 0 };

	connect_pair(a, b, &ra, &rb);
	ck_assert_int_eq(pump(a, b, &rb), -EBADMSG);
	ck_assert_str_eq(mesh_proto_error(b), "Unable to decrypt TCP msg");
	ck_assert_int_eq(pump(b, a, &ra), -EBADMSG);
	ck_assert_uint_eq(ra.n, 2);
	ck_assert_uint_eq(rb.n, 2);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

START_TEST(test_password_one_side)
{
	struct mesh_proto *a = new_proto(true, "pw"), *b = new_proto(false, NULL);
	struct recs ra = { 0 }, rb = { 0 };

	ck_assert_int_eq(pump(a, b, &rb), 0);
	ck_assert_int_eq(pump(b, a, &ra), -EKEYREJECTED); /* b's header and 0x00 flag */
	ck_assert_str_eq(mesh_proto_error(a),
			 "password specified, but peer requested an unencrypted connection");
	ck_assert_int_eq(pump(a, b, &rb), -EKEYREJECTED); /* a's 0x01 flag and key */
	ck_assert_str_eq(mesh_proto_error(b),
			 "no password specificed, but peer requested an encrypted connection");
	ck_assert_uint_eq(ra.n, 1);
	ck_assert_uint_eq(rb.n, 1);
	recs_free(&ra);
	recs_free(&rb);
	mesh_proto_free(a);
	mesh_proto_free(b);
}
END_TEST

/* Feeds bytes to a fresh inbound machine without password: the result and its text. */
static int feed_new(const uint8_t *d, size_t len, bool eof, const char *text)
{
	struct mesh_proto *p = new_proto(false, NULL);
	struct recs rs = { 0 };
	int r = feed(p, d, len, 0, 1, &rs);

	if (r == 0 && eof)
		r = mesh_proto_eof(p);
	if (text)
		CHECK(!strcmp(mesh_proto_error(p), text));
	recs_free(&rs);
	mesh_proto_free(p);
	return r;
}

START_TEST(test_hostile_stream)
{
	uint8_t buf[64];

	ck_assert_int_eq(feed_new((const uint8_t *)"wEave\x01\x02", 7, false,
				  "remote protocol header not recognised: [119 69 97 118 101]"),
			 -EPROTO);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x03\x09", 7, false,
				  "remote version range [3,9] is incompatible with ours [2,2]"),
			 -EPROTONOSUPPORT);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x01", 7, false,
				  "remote version range [1,1] is incompatible with ours [2,2]"),
			 -EPROTONOSUPPORT);
	/* garbage after the header */
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x02\x02GET / HTTP", 16, false,
				  "Bad encryption flag 71"),
			 -EPROTO);
	/* over 10 MiB declared: refused before any of the body arrives */
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02\x00\x00\xa0\x00\x01", 12, false,
				  "incoming message exceeds maximum size: 10485761 > 10485760"),
			 -EMSGSIZE);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02\x00\xff\xff\xff\xff", 12, false,
				  NULL),
			 -EMSGSIZE);
	ck_assert_int_eq(
		feed_new((const uint8_t *)"weave\x01\x02\x00\x00\xa0\x00\x00", 12, false, ""), 0);
	/* cut streams */
	ck_assert_int_eq(feed_new(NULL, 0, true, "failed to receive remote protocol header: EOF"),
			 -EBADMSG);
	ck_assert_int_eq(feed_new((const uint8_t *)"wea", 3, true,
				  "received incomplete remote protocol header (3 octets instead of "
				  "7): [119 101 97]; error: unexpected EOF"),
			 -EBADMSG);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02", 7, true, "EOF"), -EBADMSG);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02\x00\x00", 9, true,
				  "unexpected EOF"),
			 -EBADMSG);
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02\x00\x00\x00\x00\x05"
						   "ab",
				  14, true, "unexpected EOF"),
			 -EBADMSG);
	/* the stream ends before the features: the handshake is incomplete */
	ck_assert_int_eq(feed_new((const uint8_t *)"weave\x01\x02\x00", 8, true, "EOF"), -EBADMSG);
	/* empty messages are skipped, as Weave ignores blank messages */
	memcpy(buf, "weave\x01\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", 21);
	ck_assert_int_eq(feed_new(buf, 21, true, "EOF"), 0);
}
END_TEST

START_TEST(test_hostile_truncated_fixture)
{
	size_t len;
	uint8_t *d = fixture_load("fx2-to-fx1.tcp.bin", &len);

	size_t next = 8, boundaries = 0; /* where the next message starts */

	for (size_t cut = 0; cut < len; cut += 7) {
		int r = feed_new(d, cut, true, NULL);

		while (next < cut)
			next += 4 + ((size_t)d[next] << 24 | (size_t)d[next + 1] << 16 |
				     (size_t)d[next + 2] << 8 | d[next + 3]);
		/* a clean end only between messages, and after the features */
		if (cut == next && cut > 8) {
			CHECK(r == 0);
			boundaries++;
		} else {
			CHECK(r == -EBADMSG);
		}
	}
	ck_assert_uint_gt(boundaries, 0);
	free(d);
}
END_TEST

START_TEST(test_v1_refused)
{
	struct mesh_proto_config cfg = { .min_version = 1 };
	struct mesh_proto *p;
	struct recs rs = { 0 };

	ck_assert_int_eq(mesh_proto_new(&cfg, &p), 0);
	ck_assert_int_eq(feed(p, (const uint8_t *)"weave\x01\x01", 7, 0, 1, &rs), -EPROTONOSUPPORT);
	ck_assert_str_eq(mesh_proto_error(p),
			 "protocol version 1 is not supported: we speak version 2 only");
	mesh_proto_free(p);
}
END_TEST

static Suite *mesh_protocol_suite(void)
{
	Suite *s = suite_create("mesh_protocol");
	TCase *wire = tcase_create("wire");
	TCase *fixture = tcase_create("fixture");
	TCase *encoding = tcase_create("encoding");
	TCase *stream = tcase_create("stream");

	tcase_add_test(wire, test_header);
	tcase_add_test(wire, test_intro);
	tcase_add_test(wire, test_go_formatting);
	tcase_add_test(wire, test_overlay_msg);
	suite_add_tcase(s, wire);
	tcase_add_loop_test(fixture, test_fixture_stream_splits, 0, 2);
	tcase_add_test(fixture, test_fixture_features);
	tcase_add_loop_test(fixture, test_fixture_messages, 0, 2);
	tcase_add_loop_test(fixture, test_fixture_channels, 0, 2);
	suite_add_tcase(s, fixture);
	tcase_add_test(encoding, test_features_round_trip);
	tcase_add_test(encoding, test_features_reference_dump);
	tcase_add_test(encoding, test_features_errors);
	tcase_add_test(encoding, test_features_identity);
	tcase_add_test(encoding, test_features_decode_hostile);
	tcase_add_test(encoding, test_overlays);
	tcase_add_test(encoding, test_gossip_reference_dump);
	tcase_add_test(encoding, test_gossip_unicast_broadcast);
	tcase_add_loop_test(encoding, test_topology_round_trip, 0, 3);
	tcase_add_test(encoding, test_topology_limits);
	tcase_add_test(encoding, test_topology_decode_hostile);
	tcase_add_test(encoding, test_topology_wrong_types);
	tcase_set_timeout(encoding, 60);
	suite_add_tcase(s, encoding);
	tcase_add_test(stream, test_output_and_send_rules);
	tcase_add_test(stream, test_encrypted_pair);
	tcase_add_test(stream, test_encrypted_wire_format);
	tcase_add_test(stream, test_encrypted_flipped_byte);
	tcase_add_test(stream, test_encrypted_replayed_message);
	tcase_add_test(stream, test_wrong_password);
	tcase_add_test(stream, test_password_one_side);
	tcase_add_test(stream, test_hostile_stream);
	tcase_add_test(stream, test_hostile_truncated_fixture);
	tcase_add_test(stream, test_v1_refused);
	tcase_set_timeout(stream, 60);
	suite_add_tcase(s, stream);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(mesh_protocol_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
