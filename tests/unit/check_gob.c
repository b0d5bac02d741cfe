// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the gob codec: primitives, the reference byte dumps, weave's message shapes, the
 * captured Weave 2.8.1 session (decoded and re-encoded byte for byte) and hostile input. */
#include "gob/gob.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"

#define PEER_FX1 0xaa0000000001ULL
#define PEER_FX2 0xaa0000000002ULL

/* --- helpers ----------------------------------------------------------------------------- */

/* Hex digits (spaces ignored) into out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned int b;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		ck_assert_int_eq(sscanf(s, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
		s++;
	}
	return n;
}

/* A small gob writer for hand-made (and hostile) streams. */
struct wr {
	uint8_t d[8192];
	size_t n;
	size_t msg; /* start of the open message */
};

static void w_uint(struct wr *w, uint64_t x)
{
	w->n += gob_uint_encode(x, w->d + w->n);
}

static void w_int(struct wr *w, int64_t i)
{
	w_uint(w, gob_int_to_uint(i));
}

static void w_str(struct wr *w, const char *s)
{
	w_uint(w, strlen(s));
	memcpy(w->d + w->n, s, strlen(s));
	w->n += strlen(s);
}

static void w_begin(struct wr *w)
{
	w->msg = w->n;
}

static void w_end(struct wr *w)
{
	uint8_t hdr[GOB_UINT_MAX_LEN];
	size_t body = w->n - w->msg, h = gob_uint_encode(body, hdr);

	memmove(w->d + w->msg + h, w->d + w->msg, body);
	memcpy(w->d + w->msg, hdr, h);
	w->n += h;
}

/* Definition of a slice (kind 2), array (1) or map (4) with unnamed CommonType. */
static void w_def(struct wr *w, int64_t id, unsigned wire_field, int64_t a, int64_t b)
{
	w_begin(w);
	w_int(w, -id);
	w_uint(w, wire_field);
	w_uint(w, 1); /* CommonType */
	w_uint(w, 2); /* .Id */
	w_int(w, id);
	w_uint(w, 0);
	w_uint(w, 1); /* Elem / Key */
	w_int(w, a);
	if (b) {
		w_uint(w, 1); /* Len / Elem */
		w_int(w, b);
	}
	w_uint(w, 0);
	w_uint(w, 0);
	w_end(w);
}

static void w_def_struct(struct wr *w, int64_t id, size_t n, const char *const *names,
			 const int64_t *ids)
{
	w_begin(w);
	w_int(w, -id);
	w_uint(w, 3);
	w_uint(w, 1);
	w_uint(w, 2);
	w_int(w, id);
	w_uint(w, 0);
	w_uint(w, 1); /* Field */
	w_uint(w, n);
	for (size_t i = 0; i < n; i++) {
		w_uint(w, 1);
		w_str(w, names[i]);
		w_uint(w, 1);
		w_int(w, ids[i]);
		w_uint(w, 0);
	}
	w_uint(w, 0);
	w_uint(w, 0);
	w_end(w);
}

static int decode_count(const void *buf, size_t len, const struct gob_limits *lim, size_t *ret_n)
{
	struct gob_value **values;
	size_t n;
	int r;

	r = gob_decode_stream(buf, len, lim, &values, &n);
	if (r >= 0) {
		gob_values_free(values, n);
		if (ret_n)
			*ret_n = n;
	}
	return r;
}

static int decode_wr(const struct wr *w)
{
	return decode_count(w->d, w->n, NULL, NULL);
}

static void encode_ok(struct gob_encoder *enc, const struct gob_type *t, struct gob_value *v)
{
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(gob_encode(enc, t, v), 0);
	gob_value_free(v);
}

static void set(struct gob_value *s, const char *field, struct gob_value *v)
{
	ck_assert_int_eq(gob_struct_set(s, field, v), 0);
}

static const char *str_of(const struct gob_value *v)
{
	return gob_value_string(v, NULL);
}

/* --- weave's wire types, declared as in the Go sources -------------------------------------- */

struct weave_types {
	struct gob_schema *s;
	const struct gob_type *features; /* map[string]string */
	struct gob_type *peer, *conn; /* mesh peerSummary, connectionSummary */
	const struct gob_type *conns; /* []connectionSummary */
	struct gob_type *ring, *entry, *state, *range; /* ipam */
	struct gob_type *node_id, *claims, *proposal, *accepted; /* ipam/paxos */
	struct gob_type *gossip_data, *dns_entry; /* nameserver */
};

static void field(struct gob_type *st, const char *name, const struct gob_type *t)
{
	ck_assert_int_eq(gob_struct_type_add_field(st, name, t, 0), 0);
}

static struct gob_type *new_struct(struct weave_types *w, const char *name)
{
	struct gob_type *t;

	ck_assert_int_eq(gob_schema_new_struct(w->s, name, &t), 0);
	return t;
}

static const struct gob_type *new_slice(struct weave_types *w, const char *name,
					const struct gob_type *elem)
{
	const struct gob_type *t;

	ck_assert_int_eq(gob_schema_new_slice(w->s, name, elem, &t), 0);
	return t;
}

static const struct gob_type *new_map(struct weave_types *w, const char *name,
				      const struct gob_type *key, const struct gob_type *elem)
{
	const struct gob_type *t;

	ck_assert_int_eq(gob_schema_new_map(w->s, name, key, elem, &t), 0);
	return t;
}

static void weave_mesh_types(struct weave_types *w)
{
	const struct gob_type *u = gob_builtin_type(GOB_KIND_UINT);
	const struct gob_type *str = gob_builtin_type(GOB_KIND_STRING);
	const struct gob_type *bytes = gob_builtin_type(GOB_KIND_BYTES);
	const struct gob_type *b = gob_builtin_type(GOB_KIND_BOOL);

	w->features = new_map(w, "", str, str);
	w->peer = new_struct(w, "peerSummary");
	field(w->peer, "NameByte", bytes);
	field(w->peer, "NickName", str);
	field(w->peer, "UID", u);
	field(w->peer, "Version", u);
	field(w->peer, "ShortID", u);
	field(w->peer, "HasShortID", b);
	w->conn = new_struct(w, "connectionSummary");
	field(w->conn, "NameByte", bytes);
	field(w->conn, "RemoteTCPAddr", str);
	field(w->conn, "Outbound", b);
	field(w->conn, "Established", b);
	w->conns = new_slice(w, "", w->conn);
}

static void weave_paxos_types(struct weave_types *w)
{
	const struct gob_type *u = gob_builtin_type(GOB_KIND_UINT);

	w->node_id = new_struct(w, "");
	field(w->node_id, "Name", u);
	field(w->node_id, "UID", u);
	w->proposal = new_struct(w, "ProposalID");
	field(w->proposal, "Round", u);
	field(w->proposal, "Proposer", w->node_id);
	w->accepted = new_struct(w, "AcceptedValue");
	field(w->accepted, "Value", new_slice(w, "Value", u));
	field(w->accepted, "Origin", w->proposal);
	w->claims = new_struct(w, "");
	field(w->claims, "Promise", w->proposal);
	field(w->claims, "Accepted", w->proposal);
	field(w->claims, "AcceptedVal", w->accepted);
}

static void weave_ipam_types(struct weave_types *w)
{
	const struct gob_type *u = gob_builtin_type(GOB_KIND_UINT);

	w->entry = new_struct(w, "");
	field(w->entry, "Token", u);
	field(w->entry, "Peer", u);
	field(w->entry, "Version", u);
	field(w->entry, "Free", u);
	w->ring = new_struct(w, "Ring");
	field(w->ring, "Start", u);
	field(w->ring, "End", u);
	field(w->ring, "Peer", u);
	field(w->ring, "Entries", new_slice(w, "entries", w->entry));
	field(w->ring, "Seeds", new_slice(w, "[]mesh.PeerName", u));
	weave_paxos_types(w);
	w->state = new_struct(w, "gossipState");
	field(w->state, "Now", gob_builtin_type(GOB_KIND_INT));
	field(w->state, "Nicknames",
	      new_map(w, "map[mesh.PeerName]string", u, gob_builtin_type(GOB_KIND_STRING)));
	field(w->state, "Paxos", new_map(w, "GossipState", w->node_id, w->claims));
	ck_assert_int_eq(gob_struct_type_add_field(w->state, "Ring", w->ring, GOB_FIELD_POINTER),
			 0);
	w->range = new_struct(w, "Range");
	field(w->range, "Start", u);
	field(w->range, "End", u);
}

static void weave_dns_types(struct weave_types *w)
{
	const struct gob_type *str = gob_builtin_type(GOB_KIND_STRING);
	const struct gob_type *i = gob_builtin_type(GOB_KIND_INT);
	const struct gob_type *u = gob_builtin_type(GOB_KIND_UINT);

	w->dns_entry = new_struct(w, "Entry");
	field(w->dns_entry, "ContainerID", str);
	field(w->dns_entry, "Origin", u);
	field(w->dns_entry, "Addr", u);
	field(w->dns_entry, "Hostname", str);
	field(w->dns_entry, "Version", i);
	field(w->dns_entry, "Tombstone", i);
	w->gossip_data = new_struct(w, "GossipData");
	field(w->gossip_data, "Timestamp", i);
	field(w->gossip_data, "Entries", new_slice(w, "Entries", w->dns_entry));
}

static void weave_types_init(struct weave_types *w)
{
	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(gob_schema_new(&w->s), 0);
	weave_mesh_types(w);
	weave_ipam_types(w);
	weave_dns_types(w);
}

static struct gob_value *mk_peer(const struct weave_types *w, uint64_t name, const char *nick,
				 uint64_t uid, uint64_t version, uint64_t short_id)
{
	struct gob_value *v = gob_value_new_struct(w->peer);
	uint8_t nb[6];

	for (int i = 0; i < 6; i++)
		nb[i] = (uint8_t)(name >> (40 - 8 * i));
	set(v, "NameByte", gob_value_new_bytes(nb, sizeof(nb)));
	set(v, "NickName", gob_value_new_string(nick));
	set(v, "UID", gob_value_new_uint(uid));
	set(v, "Version", gob_value_new_uint(version));
	set(v, "ShortID", gob_value_new_uint(short_id));
	set(v, "HasShortID", gob_value_new_bool(true));
	return v;
}

static struct gob_value *mk_conn(const struct weave_types *w, const char *addr, bool outbound)
{
	struct gob_value *v = gob_value_new_struct(w->conn);
	static const uint8_t nb[6] = { 0xaa, 0, 0, 0, 0, 0x01 };

	set(v, "NameByte", gob_value_new_bytes(nb, sizeof(nb)));
	set(v, "RemoteTCPAddr", gob_value_new_string(addr));
	set(v, "Outbound", gob_value_new_bool(outbound));
	set(v, "Established", gob_value_new_bool(false));
	return v;
}

/* Decodes the encoder's stream and checks it holds values equal to want[0..n). */
static void check_round_trip(struct gob_encoder *enc, struct gob_value **want, size_t n)
{
	struct gob_value **got;
	const uint8_t *data;
	size_t len, ngot;

	data = gob_encoder_data(enc, &len);
	ck_assert_int_eq(gob_decode_stream(data, len, NULL, &got, &ngot), 0);
	ck_assert_uint_eq(ngot, n);
	for (size_t i = 0; i < n; i++) {
		char *a = NULL, *b = NULL;

		ck_assert_int_eq(gob_value_format(want[i], &a), 0);
		ck_assert_int_eq(gob_value_format(got[i], &b), 0);
		ck_assert_msg(gob_value_equal(want[i], got[i]), "value %zu: sent %s, got %s", i, a,
			      b);
		free(a);
		free(b);
	}
	gob_values_free(got, ngot);
}

/* --- primitives -------------------------------------------------------------------------- */

START_TEST(test_uint_coding)
{
	static const struct {
		uint64_t x;
		const char *hex;
	} cases[] = {
		{ 0, "00" },
		{ 1, "01" },
		{ 127, "7f" },
		{ 128, "ff80" },
		{ 255, "ffff" },
		{ 256, "fe0100" },
		{ 0xaabbccddeeffULL, "faaabbccddeeff" },
		{ UINT64_MAX, "f8ffffffffffffffff" },
	};
	uint8_t want[16], got[GOB_UINT_MAX_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = unhex(cases[i].hex, want), used;
		uint64_t x;

		ck_assert_uint_eq(gob_uint_encode(cases[i].x, got), n);
		ck_assert_mem_eq(got, want, n);
		ck_assert_int_eq(gob_uint_decode(want, n, &x, &used), 0);
		ck_assert_uint_eq(x, cases[i].x);
		ck_assert_uint_eq(used, n);
		if (n > 1)
			ck_assert_int_eq(gob_uint_decode(want, n - 1, &x, &used), -ENODATA);
	}
	ck_assert_int_eq(gob_uint_decode(want, 0, &(uint64_t){ 0 }, &(size_t){ 0 }), -ENODATA);
	unhex("80", want);
	ck_assert_int_eq(gob_uint_decode(want, 1, &(uint64_t){ 0 }, &(size_t){ 0 }), -EINVAL);
	unhex("f7 01 02 03 04 05 06 07 08 09", want);
	ck_assert_int_eq(gob_uint_decode(want, 10, &(uint64_t){ 0 }, &(size_t){ 0 }), -EINVAL);
}
END_TEST

START_TEST(test_int_coding)
{
	static const int64_t ints[] = { 0, 1, -1, 63, -64, 64, 127, -128, INT64_MAX, INT64_MIN };

	ck_assert_uint_eq(gob_int_to_uint(0), 0);
	ck_assert_uint_eq(gob_int_to_uint(-1), 1);
	ck_assert_uint_eq(gob_int_to_uint(1), 2);
	ck_assert_uint_eq(gob_int_to_uint(-65), 129); /* 0xff81: a definition of id 65 */
	ck_assert_uint_eq(gob_int_to_uint(INT64_MAX), UINT64_MAX - 1);
	ck_assert_uint_eq(gob_int_to_uint(INT64_MIN), UINT64_MAX);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		ck_assert(gob_uint_to_int(gob_int_to_uint(ints[i])) == ints[i]);
}
END_TEST

START_TEST(test_float_coding)
{
	static const double floats[] = { 0.0, -0.0, 1.0, -2.5, 1e300, INFINITY, -INFINITY };
	uint8_t out[GOB_UINT_MAX_LEN], want[4];
	double nan_in = NAN, nan_out;

	/* Go's doc: 17.0 is sent as FE 31 40 */
	ck_assert_uint_eq(gob_uint_encode(gob_float_to_uint(17.0), out), 3);
	ck_assert_mem_eq(out, (unhex("fe 31 40", want), want), 3);
	ck_assert_uint_eq(gob_float_to_uint(0.0), 0);
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		double f = gob_uint_to_float(gob_float_to_uint(floats[i]));

		ck_assert_mem_eq(&f, &floats[i], sizeof(f));
	}
	nan_out = gob_uint_to_float(gob_float_to_uint(nan_in));
	ck_assert_mem_eq(&nan_out, &nan_in, sizeof(double));
}
END_TEST

/* Singleton values of every predefined scalar type, exact bytes and back. */
START_TEST(test_scalar_values)
{
	struct gob_value *vals[8];
	struct gob_encoder *enc;
	struct gob_schema *s;
	uint8_t want[64];
	const uint8_t *data;
	size_t len, n;

	vals[0] = gob_value_new_bool(true);
	vals[1] = gob_value_new_int(-1);
	vals[2] = gob_value_new_uint(256);
	vals[3] = gob_value_new_float(17.0);
	vals[4] = gob_value_new_string("hi");
	vals[5] = gob_value_new_bytes("\x01\x02", 2);
	vals[6] = gob_value_new_complex(1.0, -1.0);
	vals[7] = gob_value_new_uint(0);
	ck_assert_int_eq(gob_schema_new(&s), 0);
	ck_assert_int_eq(gob_encoder_new(s, &enc), 0);
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(gob_encode(enc, NULL, vals[i]), 0);
	n = unhex("03 02 00 01"
		  " 03 04 00 01"
		  " 05 06 00 fe 01 00"
		  " 05 08 00 fe 31 40"
		  " 05 0c 00 02 68 69"
		  " 05 0a 00 02 01 02"
		  " 08 0e 00 fe f0 3f fe f0 bf"
		  " 03 06 00 00",
		  want);
	data = gob_encoder_data(enc, &len);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(data, want, n);
	check_round_trip(enc, vals, 8);
	for (size_t i = 0; i < 8; i++)
		gob_value_free(vals[i]);
	gob_encoder_free(enc);
	gob_schema_free(s);
}
END_TEST

/* --- the reference dumps (weave-net.md §3.4) -------------------------------------------------- */

START_TEST(test_gossip_envelope_exact)
{
	struct gob_value *chan, *src, *data, *end;
	struct gob_decoder *dec;
	struct gob_encoder *enc;
	struct gob_schema *s;
	uint8_t want[64];
	const uint8_t *out;
	size_t n, len, pos = 0;

	n = unhex("0b 0c 00 08 74 6f 70 6f 6c 6f 67 79"
		  " 09 06 00 fa aa bb cc dd ee ff"
		  " 06 0a 00 03 01 02 03",
		  want);
	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	ck_assert_int_eq(gob_decode_next(dec, want, n, &pos, &chan), 1);
	ck_assert_int_eq(gob_decode_next(dec, want, n, &pos, &src), 1);
	ck_assert_int_eq(gob_decode_next(dec, want, n, &pos, &data), 1);
	ck_assert_str_eq(str_of(chan), "topology");
	ck_assert_uint_eq(gob_value_uint(src), 0xaabbccddeeffULL);
	ck_assert_uint_eq(gob_value_len(data), 3);
	ck_assert_mem_eq(gob_value_bytes(data, NULL), "\x01\x02\x03", 3);
	ck_assert_int_eq(gob_decode_next(dec, want, n, &pos, &end), 0);
	ck_assert_ptr_null(end);

	ck_assert_int_eq(gob_schema_new(&s), 0);
	ck_assert_int_eq(gob_encoder_new(s, &enc), 0);
	encode_ok(enc, NULL, gob_value_new_string("topology"));
	encode_ok(enc, NULL, gob_value_new_uint(0xaabbccddeeffULL));
	encode_ok(enc, gob_builtin_type(GOB_KIND_BYTES), gob_value_new_bytes("\x01\x02\x03", 3));
	out = gob_encoder_data(enc, &len);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, want, n);
	gob_value_free(chan);
	gob_value_free(src);
	gob_value_free(data);
	gob_encoder_free(enc);
	gob_schema_free(s);
	gob_decoder_free(dec);
}
END_TEST

START_TEST(test_features_map_exact)
{
	struct weave_types w;
	struct gob_encoder *enc;
	struct gob_value **vals, *m;
	uint8_t want[64];
	const uint8_t *out;
	size_t n, len, nvals;

	n = unhex("0e ff 81 04 01 02 ff 82 00 01 0c 01 0c 00 00"
		  " 1b ff 82 00 01 04 4e 61 6d 65 11"
		  " 61 61 3a 62 62 3a 63 63 3a 64 64 3a 65 65 3a 66 66",
		  want);
	ck_assert_uint_eq(n, 43);
	ck_assert_int_eq(gob_decode_stream(want, n, NULL, &vals, &nvals), 0);
	ck_assert_uint_eq(nvals, 1);
	ck_assert_int_eq(gob_value_kind(vals[0]), GOB_KIND_MAP);
	ck_assert_uint_eq(gob_value_len(vals[0]), 1);
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "Name")), "aa:bb:cc:dd:ee:ff");
	ck_assert_ptr_null(gob_map_get_string(vals[0], "NickName"));

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	m = gob_value_new_map();
	ck_assert_int_eq(gob_map_put(m, gob_value_new_string("Name"),
				     gob_value_new_string("aa:bb:cc:dd:ee:ff")),
			 0);
	ck_assert(gob_value_equal(m, vals[0]));
	encode_ok(enc, w.features, m);
	out = gob_encoder_data(enc, &len);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, want, n);
	ck_assert_int_eq(gob_type_id(w.features), GOB_FIRST_USER_ID);
	gob_values_free(vals, nvals);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

/* --- weave's message shapes ------------------------------------------------------------------ */

START_TEST(test_topology_round_trip)
{
	struct gob_value *vals[4], *conns;
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	uint8_t want[16];
	size_t len, n;

	weave_types_init(&w);
	/* the reference program had used id 65 already: its dump starts 62 ff 83 03 01 01 0b */
	ck_assert_int_eq(gob_schema_set_next_id(w.s, 66), 0);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	vals[0] = mk_peer(&w, PEER_FX1, "fx1", 14471291192318751979ULL, 2, 3115);
	conns = gob_value_new_slice();
	ck_assert_int_eq(gob_value_append(conns, mk_conn(&w, "10.200.0.2:40057", false)), 0);
	ck_assert_int_eq(gob_value_append(conns, mk_conn(&w, "10.200.0.3:6783", true)), 0);
	vals[1] = conns;
	vals[2] = mk_peer(&w, PEER_FX2, "fx2", 6885626015787670426ULL, 0, 0);
	vals[3] = gob_value_new_slice(); /* no connections */
	ck_assert_int_eq(gob_encode(enc, w.peer, vals[0]), 0);
	ck_assert_int_eq(gob_encode(enc, w.conns, vals[1]), 0);
	ck_assert_int_eq(gob_encode(enc, w.peer, vals[2]), 0);
	ck_assert_int_eq(gob_encode(enc, w.conns, vals[3]), 0);
	out = gob_encoder_data(enc, &len);
	n = unhex("62 ff 83 03 01 01 0b", want);
	ck_assert_mem_eq(out, want, n);
	ck_assert_mem_eq(out + n, "peerSummary", 11);
	ck_assert_int_eq(gob_type_id(w.peer), 66);
	ck_assert_int_eq(gob_type_id(w.conn), 67);
	ck_assert_int_eq(gob_type_id(w.conns), 68);
	check_round_trip(enc, vals, 4);
	for (size_t i = 0; i < 4; i++)
		gob_value_free(vals[i]);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

static struct gob_value *mk_node(const struct weave_types *w, uint64_t name, uint64_t uid)
{
	struct gob_value *v = gob_value_new_struct(w->node_id);

	set(v, "Name", gob_value_new_uint(name));
	set(v, "UID", gob_value_new_uint(uid));
	return v;
}

static struct gob_value *mk_entry(const struct weave_types *w, uint32_t token, uint64_t peer,
				  uint32_t version, uint32_t free_count)
{
	struct gob_value *v = gob_value_new_struct(w->entry);

	set(v, "Token", gob_value_new_uint(token));
	set(v, "Peer", gob_value_new_uint(peer));
	set(v, "Version", gob_value_new_uint(version));
	set(v, "Free", gob_value_new_uint(free_count));
	return v;
}

static struct gob_value *mk_ring(const struct weave_types *w)
{
	struct gob_value *ring = gob_value_new_struct(w->ring), *entries, *seeds;

	set(ring, "Start", gob_value_new_uint(0x0a200000));
	set(ring, "End", gob_value_new_uint(0x0a300000));
	set(ring, "Peer", gob_value_new_uint(PEER_FX1));
	entries = gob_value_new_slice();
	ck_assert_int_eq(gob_value_append(entries, mk_entry(w, 0x0a200000, PEER_FX1, 1, 524287)),
			 0);
	ck_assert_int_eq(gob_value_append(entries, mk_entry(w, 0x0a280000, PEER_FX2, 0, 524288)),
			 0);
	set(ring, "Entries", entries);
	seeds = gob_value_new_slice();
	ck_assert_int_eq(gob_value_append(seeds, gob_value_new_uint(PEER_FX1)), 0);
	ck_assert_int_eq(gob_value_append(seeds, gob_value_new_uint(PEER_FX2)), 0);
	set(ring, "Seeds", seeds);
	return ring;
}

static struct gob_value *mk_paxos(const struct weave_types *w)
{
	struct gob_value *paxos = gob_value_new_map(), *claims, *promise;

	/* Accepted and AcceptedVal left out: Go sends them as zero structs */
	claims = gob_value_new_struct(w->claims);
	promise = gob_value_new_struct(w->proposal);
	set(promise, "Round", gob_value_new_uint(1));
	set(promise, "Proposer", mk_node(w, PEER_FX1, 42));
	set(claims, "Promise", promise);
	ck_assert_int_eq(gob_map_put(paxos, mk_node(w, PEER_FX1, 42), claims), 0);
	ck_assert_int_eq(
		gob_map_put(paxos, mk_node(w, PEER_FX2, 43), gob_value_new_struct(w->claims)), 0);
	return paxos;
}

START_TEST(test_ipam_round_trip)
{
	struct gob_value *vals[3], *nicks, *range, **got;
	const struct gob_value *claims, *accepted;
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	size_t len, ngot;

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	nicks = gob_value_new_map();
	ck_assert_int_eq(
		gob_map_put(nicks, gob_value_new_uint(PEER_FX1), gob_value_new_string("fx1")), 0);
	/* paxos phase: no ring yet */
	vals[0] = gob_value_new_struct(w.state);
	set(vals[0], "Now", gob_value_new_int(1795608830));
	set(vals[0], "Nicknames", nicks);
	set(vals[0], "Paxos", mk_paxos(&w));
	/* ring phase */
	vals[1] = gob_value_new_struct(w.state);
	set(vals[1], "Now", gob_value_new_int(-1));
	set(vals[1], "Ring", mk_ring(&w));
	/* the unicast SpaceRequest body */
	range = gob_value_new_struct(w.range);
	set(range, "Start", gob_value_new_uint(0x0a200000));
	set(range, "End", gob_value_new_uint(0x0a280000));
	vals[2] = range;
	for (size_t i = 0; i < 2; i++)
		ck_assert_int_eq(gob_encode(enc, w.state, vals[i]), 0);
	ck_assert_int_eq(gob_encode(enc, w.range, vals[2]), 0);
	/* Go's id order: gossipState first, then its fields' types depth first */
	ck_assert_int_eq(gob_type_id(w.state), 65);
	ck_assert_int_eq(gob_type_id(w.node_id), 67);
	ck_assert_int_eq(gob_type_id(w.claims), 68);
	ck_assert_int_eq(gob_type_id(w.ring), 73);
	ck_assert_int_eq(gob_type_id(w.entry), 74);
	ck_assert_int_eq(gob_type_id(w.range), 77);
	check_round_trip(enc, vals, 3);

	/* by-value struct fields left out were sent as Go sends zero structs */
	out = gob_encoder_data(enc, &len);
	ck_assert_int_eq(gob_decode_stream(out, len, NULL, &got, &ngot), 0);
	claims = gob_map_elem(gob_struct_get(got[0], "Paxos"), 0);
	accepted = gob_struct_get(claims, "Accepted");
	ck_assert_ptr_nonnull(accepted);
	ck_assert(gob_value_is_zero(accepted));
	ck_assert_ptr_nonnull(gob_struct_get(accepted, "Proposer"));
	ck_assert_ptr_nonnull(gob_struct_get(gob_struct_get(claims, "AcceptedVal"), "Origin"));
	ck_assert_uint_eq(
		gob_value_uint(gob_struct_get(gob_struct_get(claims, "Promise"), "Round")), 1);
	ck_assert_str_eq(gob_struct_type_name(gob_struct_get(got[1], "Ring")), "Ring");
	gob_values_free(got, ngot);
	for (size_t i = 0; i < 3; i++)
		gob_value_free(vals[i]);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

/* An empty NodeClaims: Promise, Accepted and AcceptedVal (with Origin) as zero structs. */
START_TEST(test_zero_struct_bytes)
{
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	uint8_t want[32];
	size_t len, n;

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	encode_ok(enc, w.claims, gob_value_new_struct(w.claims));
	n = unhex("01 02 00 00 01 02 00 00 01 02 02 00 00 00 00", want);
	out = gob_encoder_data(enc, &len);
	ck_assert_uint_ge(len, n);
	ck_assert_mem_eq(out + len - n, want, n);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

START_TEST(test_dns_round_trip)
{
	struct gob_value *vals[2], *entries, *e;
	struct weave_types w;
	struct gob_encoder *enc;

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	entries = gob_value_new_slice();
	for (int i = 0; i < 3; i++) {
		char host[32];

		snprintf(host, sizeof(host), "box%d.weave.local.", i);
		e = gob_value_new_struct(w.dns_entry);
		set(e, "ContainerID", gob_value_new_string("c0ffee000001"));
		set(e, "Origin", gob_value_new_uint(PEER_FX1));
		set(e, "Addr", gob_value_new_uint(0x0a200001 + (uint32_t)i));
		set(e, "Hostname", gob_value_new_string(host));
		set(e, "Version", gob_value_new_int(i));
		set(e, "Tombstone", gob_value_new_int(i == 2 ? 1795608830 : 0));
		ck_assert_int_eq(gob_value_append(entries, e), 0);
	}
	vals[0] = gob_value_new_struct(w.gossip_data);
	set(vals[0], "Timestamp", gob_value_new_int(1795608830));
	set(vals[0], "Entries", entries);
	vals[1] = gob_value_new_struct(w.gossip_data); /* a periodic gossip with nothing */
	for (size_t i = 0; i < 2; i++)
		ck_assert_int_eq(gob_encode(enc, w.gossip_data, vals[i]), 0);
	ck_assert_int_eq(gob_type_id(w.gossip_data), 65);
	ck_assert_int_eq(gob_type_id(w.dns_entry), 66);
	check_round_trip(enc, vals, 2);
	for (size_t i = 0; i < 2; i++)
		gob_value_free(vals[i]);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

/* A peer with other field numbering and an extra field: read by name, the extra ignored. */
START_TEST(test_field_matching)
{
	const struct gob_type *str = gob_builtin_type(GOB_KIND_STRING);
	struct gob_value *v, **got;
	struct gob_type *other;
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	size_t len, n;

	weave_types_init(&w);
	ck_assert_int_eq(gob_schema_new_struct(w.s, "peerSummary", &other), 0);
	field(other, "HasShortID", gob_builtin_type(GOB_KIND_BOOL));
	field(other, "Extra", str);
	field(other, "UID", gob_builtin_type(GOB_KIND_UINT));
	field(other, "NickName", str);
	v = gob_value_new_struct(other);
	set(v, "NickName", gob_value_new_string("fx9"));
	set(v, "Extra", gob_value_new_string("ignored"));
	set(v, "UID", gob_value_new_uint(99));
	set(v, "HasShortID", gob_value_new_bool(true));
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	encode_ok(enc, other, v);
	out = gob_encoder_data(enc, &len);
	ck_assert_int_eq(gob_decode_stream(out, len, NULL, &got, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(str_of(gob_struct_get(got[0], "NickName")), "fx9");
	ck_assert_uint_eq(gob_value_uint(gob_struct_get(got[0], "UID")), 99);
	ck_assert(gob_value_bool(gob_struct_get(got[0], "HasShortID")));
	ck_assert_ptr_null(gob_struct_get(got[0], "Version"));
	ck_assert_uint_eq(gob_value_uint(gob_struct_get(got[0], "Version")), 0);
	/* re-encoding as weave's peerSummary matches by name but refuses the unknown field */
	gob_encoder_reset(enc);
	ck_assert_int_eq(gob_encode(enc, w.peer, got[0]), -EPROTO);
	gob_encoder_data(enc, &len);
	ck_assert_uint_eq(len, 0);
	gob_values_free(got, n);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

START_TEST(test_api_errors)
{
	struct gob_value *v, *arr;
	const struct gob_type *a2;
	struct gob_type *st;
	struct weave_types w;
	struct gob_encoder *enc;
	const char *s;
	uint64_t u;
	size_t len;

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	v = gob_value_new_struct(w.peer);
	ck_assert_int_eq(gob_struct_set(v, "NoSuchField", gob_value_new_uint(1)), -ENOENT);
	ck_assert_int_eq(gob_struct_set(v, "UID", NULL), -ENOMEM);
	ck_assert_int_eq(gob_struct_set(v, "UID", gob_value_new_string("x")), 0);
	ck_assert_int_eq(gob_value_get_uint(gob_struct_get(v, "UID"), &u), -EPROTO);
	ck_assert_int_eq(gob_encode(enc, w.peer, v), -EPROTO);
	ck_assert_int_eq(gob_struct_set(v, "UID", gob_value_new_uint(5)), 0); /* replaces */
	ck_assert_int_eq(gob_value_get_uint(gob_struct_get(v, "UID"), &u), 0);
	ck_assert_uint_eq(u, 5);
	ck_assert_int_eq(gob_value_get_uint(gob_struct_get(v, "Version"), &u), 0); /* absent */
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(gob_value_get_string(NULL, &s, &len), 0);
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(gob_encode(enc, w.conn, v), -EPROTO);
	gob_encoder_data(enc, &len);
	ck_assert_uint_eq(len, 0); /* failures leave the stream unchanged */
	ck_assert_int_eq(gob_encode(enc, w.peer, v), 0);
	ck_assert_int_eq(gob_struct_type_add_field(w.peer, "Late", gob_builtin_type(GOB_KIND_INT),
						   0),
			 -EBUSY);
	ck_assert_int_eq(gob_schema_new_struct(w.s, "T", &st), 0);
	field(st, "A", gob_builtin_type(GOB_KIND_INT));
	ck_assert_int_eq(gob_struct_type_add_field(st, "A", gob_builtin_type(GOB_KIND_INT), 0),
			 -EEXIST);
	ck_assert_int_eq(gob_schema_set_next_id(w.s, 66), -EINVAL);
	gob_value_free(v);
	v = gob_value_new_slice();
	ck_assert_int_eq(gob_encode(enc, NULL, v), -EINVAL); /* composite values need a type */
	gob_value_free(v);

	/* arrays must have the type's length */
	ck_assert_int_eq(gob_schema_new_array(w.s, "", gob_builtin_type(GOB_KIND_UINT), 2, &a2), 0);
	arr = gob_value_new_array();
	ck_assert_int_eq(gob_value_append(arr, gob_value_new_uint(7)), 0);
	ck_assert_int_eq(gob_encode(enc, a2, arr), -EPROTO);
	ck_assert_int_eq(gob_value_append(arr, gob_value_new_uint(0)), 0);
	ck_assert_int_eq(gob_encode(enc, a2, arr), 0);
	ck_assert_int_eq(gob_value_append(NULL, gob_value_new_uint(0)), -EINVAL);
	ck_assert_int_eq(gob_value_append(arr, NULL), -ENOMEM);
	gob_value_free(arr);
	ck_assert_uint_eq(gob_value_uint(NULL), 0);
	ck_assert_ptr_null(gob_struct_get(NULL, "X"));
	ck_assert_ptr_null(gob_value_index(NULL, 0));
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}
END_TEST

/* --- the captured Weave 2.8.1 session ------------------------------------------------------- */

/* One TCP direction: "weave" 1 2, encryption flag 0, then 4-byte big-endian framed bodies. */
struct session {
	uint8_t *data;
	size_t len, pos;
};

static void session_open(struct session *s, const char *name)
{
	s->data = fixture_load(name, &s->len);
	ck_assert_uint_ge(s->len, 8);
	ck_assert_mem_eq(s->data, "weave\x01\x02\x00", 8);
	s->pos = 8;
}

static bool session_next(struct session *s, const uint8_t **body, size_t *len)
{
	uint32_t n;

	if (s->pos == s->len)
		return false;
	ck_assert_uint_ge(s->len - s->pos, 4);
	n = (uint32_t)s->data[s->pos] << 24 | (uint32_t)s->data[s->pos + 1] << 16 |
	    (uint32_t)s->data[s->pos + 2] << 8 | s->data[s->pos + 3];
	ck_assert_uint_le(n, s->len - s->pos - 4);
	*body = s->data + s->pos + 4;
	*len = n;
	s->pos += 4 + (size_t)n;
	return true;
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

static const struct gob_type *type_for(const struct weave_types *w, const char *channel,
				       const struct gob_value *v)
{
	if (!channel)
		return w->features;
	if (!strcmp(channel, "topology"))
		return gob_value_kind(v) == GOB_KIND_STRUCT ? w->peer : w->conns;
	if (!strcmp(channel, "nameserver"))
		return w->gossip_data;
	return gob_struct_get(v, "Start") ? w->range : w->state;
}

/* Encodes the decoded values again with weave's types, the schema in the state the sending
 * weaver's was (IPAM's Ring had taken id 65 when the ring was loaded), and wants Go's bytes. */
static void check_reencode(const char *channel, const uint8_t *data, size_t len,
			   struct gob_value **vals, size_t n)
{
	int32_t first = first_defined_id(data, len);
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	size_t out_len;

	weave_types_init(&w);
	if (channel && !strcmp(channel, "IPallocation") && first != GOB_FIRST_USER_ID)
		ck_assert_int_eq(gob_schema_build(w.s, w.ring, NULL), 0);
	ck_assert_int_eq(gob_schema_set_next_id(w.s, first), 0);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(gob_encode(enc, type_for(&w, channel, vals[i]), vals[i]), 0);
	out = gob_encoder_data(enc, &out_len);
	ck_assert_uint_eq(out_len, len);
	ck_assert_mem_eq(out, data, len);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
}

/* Values re-encode through types imported from the decoder that read them, and read back equal. */
static void check_import(const uint8_t *data, size_t len)
{
	struct gob_value *vals[64], **again, *v;
	const struct gob_type *t;
	struct gob_decoder *dec;
	struct gob_encoder *enc;
	struct gob_schema *s;
	const uint8_t *out;
	size_t pos = 0, used, n = 0, out_len, nagain;
	int32_t id;

	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	ck_assert_int_eq(gob_schema_new(&s), 0);
	ck_assert_int_eq(gob_encoder_new(s, &enc), 0);
	while (pos < len) {
		ck_assert_int_eq(gob_decode_message(dec, data + pos, len - pos, &used, &id, &v), 0);
		pos += used;
		if (!v)
			continue;
		ck_assert_uint_lt(n, 64);
		vals[n++] = v;
		ck_assert_int_eq(gob_schema_import(s, dec, id, &t), 0);
		ck_assert_int_eq(gob_encode(enc, t, v), 0);
	}
	out = gob_encoder_data(enc, &out_len);
	ck_assert_int_eq(gob_decode_stream(out, out_len, NULL, &again, &nagain), 0);
	ck_assert_uint_eq(nagain, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert(gob_value_equal(vals[i], again[i]));
		gob_value_free(vals[i]);
	}
	gob_values_free(again, nagain);
	gob_encoder_free(enc);
	gob_schema_free(s);
	gob_decoder_free(dec);
}

static void check_decimal(const struct gob_value *map, const char *key)
{
	const char *s = str_of(gob_map_get_string(map, key));

	ck_assert_msg(*s && strspn(s, "0123456789") == strlen(s), "%s=`%s' is not decimal", key, s);
}

static void check_features(const uint8_t *body, size_t len, const char *name, const char *nick)
{
	struct gob_value **vals;
	size_t n;

	ck_assert_int_eq(gob_decode_stream(body, len, NULL, &vals, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(gob_value_kind(vals[0]), GOB_KIND_MAP);
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "Name")), name);
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "NickName")), nick);
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "PeerNameFlavour")), "mac");
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "Overlays")), "sleeve");
	ck_assert_str_eq(str_of(gob_map_get_string(vals[0], "Trusted")), "false");
	check_decimal(vals[0], "ConnID");
	check_decimal(vals[0], "UID");
	check_decimal(vals[0], "ShortID");
	check_reencode(NULL, body, len, vals, n);
	check_import(body, len);
	gob_values_free(vals, n);
}

struct findings {
	unsigned envelopes, payloads;
	bool chan_topology, chan_ipam, chan_dns;
	bool both_peers, box1, ring;
};

/* peerSummary, []connectionSummary pairs; both peers named in one update. */
static void check_topology(struct gob_value **vals, size_t n, struct findings *f)
{
	bool fx1 = false, fx2 = false;

	ck_assert_uint_eq(n % 2, 0);
	for (size_t i = 0; i < n; i += 2) {
		const char *nick = str_of(gob_struct_get(vals[i], "NickName"));

		ck_assert_str_eq(gob_struct_type_name(vals[i]), "peerSummary");
		ck_assert_uint_eq(gob_value_len(gob_struct_get(vals[i], "NameByte")), 6);
		ck_assert(gob_value_bool(gob_struct_get(vals[i], "HasShortID")));
		ck_assert_int_eq(gob_value_kind(vals[i + 1]), GOB_KIND_SLICE);
		for (size_t j = 0; j < gob_value_len(vals[i + 1]); j++) {
			const struct gob_value *c = gob_value_index(vals[i + 1], j);

			ck_assert_str_eq(gob_struct_type_name(c), "connectionSummary");
			ck_assert_uint_eq(gob_value_len(gob_struct_get(c, "NameByte")), 6);
			ck_assert_str_ne(str_of(gob_struct_get(c, "RemoteTCPAddr")), "");
		}
		fx1 |= !strcmp(nick, "fx1");
		fx2 |= !strcmp(nick, "fx2");
	}
	f->both_peers |= fx1 && fx2;
}

static void check_dns(struct gob_value **vals, size_t n, struct findings *f)
{
	for (size_t i = 0; i < n; i++) {
		const struct gob_value *entries = gob_struct_get(vals[i], "Entries");

		ck_assert_str_eq(gob_struct_type_name(vals[i]), "GossipData");
		ck_assert_int_gt(gob_value_int(gob_struct_get(vals[i], "Timestamp")), 0);
		for (size_t j = 0; j < gob_value_len(entries); j++) {
			const struct gob_value *e = gob_value_index(entries, j);

			if (strcmp(str_of(gob_struct_get(e, "Hostname")), "box1.weave.local."))
				continue;
			ck_assert_uint_eq(gob_value_uint(gob_struct_get(e, "Addr")), 0x0a200001);
			ck_assert_uint_eq(gob_value_uint(gob_struct_get(e, "Origin")), PEER_FX1);
			ck_assert_str_eq(str_of(gob_struct_get(e, "ContainerID")), "c0ffee000001");
			f->box1 = true;
		}
	}
}

static void check_ring(const struct gob_value *ring, struct findings *f)
{
	const struct gob_value *entries = gob_struct_get(ring, "Entries");
	uint64_t total = 0;

	if (gob_value_uint(gob_struct_get(ring, "Start")) != 0x0a200000 ||
	    gob_value_uint(gob_struct_get(ring, "End")) != 0x0a300000)
		return;
	ck_assert_uint_eq(gob_value_len(gob_struct_get(ring, "Seeds")), 2);
	ck_assert_uint_eq(gob_value_len(entries), 2);
	ck_assert_uint_eq(gob_value_uint(gob_struct_get(gob_value_index(entries, 1), "Token")),
			  0x0a280000);
	for (size_t i = 0; i < gob_value_len(entries); i++)
		total += gob_value_uint(gob_struct_get(gob_value_index(entries, i), "Free"));
	ck_assert_uint_ge(total, (1 << 20) - 2);
	f->ring = true;
}

static void check_ipam(struct gob_value **vals, size_t n, struct findings *f)
{
	for (size_t i = 0; i < n; i++) {
		const struct gob_value *nicks = gob_struct_get(vals[i], "Nicknames");
		const struct gob_value *ring = gob_struct_get(vals[i], "Ring");

		if (!strcmp(gob_struct_type_name(vals[i]), "Range"))
			continue;
		ck_assert_str_eq(gob_struct_type_name(vals[i]), "gossipState");
		/* each side knows its own nickname from the start, the other's once connected */
		ck_assert_uint_ge(gob_value_len(nicks), 1);
		for (size_t j = 0; j < gob_value_len(nicks); j++) {
			uint64_t peer = gob_value_uint(gob_map_key(nicks, j));

			ck_assert_str_eq(str_of(gob_map_elem(nicks, j)),
					 peer == PEER_FX1 ? "fx1" : "fx2");
		}
		if (ring)
			check_ring(ring, f);
	}
}

static void check_payload(const char *channel, int tag, const uint8_t *data, size_t len,
			  struct findings *f)
{
	struct gob_value **vals;
	size_t n;

	if (tag == 5 && !strcmp(channel, "IPallocation")) {
		ck_assert_uint_ge(len, 1);
		ck_assert_uint_le(data[0], 2); /* SpaceRequest, RingUpdate, SpaceRequestDenied */
		data++;
		len--;
	}
	ck_assert_int_eq(gob_decode_stream(data, len, NULL, &vals, &n), 0);
	ck_assert_uint_gt(n, 0);
	f->payloads++;
	if (!strcmp(channel, "topology"))
		check_topology(vals, n, f);
	else if (!strcmp(channel, "nameserver"))
		check_dns(vals, n, f);
	else
		check_ipam(vals, n, f);
	check_reencode(channel, data, len, vals, n);
	check_import(data, len);
	gob_values_free(vals, n);
}

/* Tags 4, 5, 6: channel, sender (and destination for 5), data; then nothing. */
static void check_gossip(int tag, const uint8_t *p, size_t len, struct findings *f)
{
	struct gob_value *chan, *src, *dst = NULL, *data, *end;
	struct gob_decoder *dec;
	const char *channel;
	size_t pos = 0;

	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	ck_assert_int_eq(gob_decode_next(dec, p, len, &pos, &chan), 1);
	ck_assert_int_eq(gob_decode_next(dec, p, len, &pos, &src), 1);
	if (tag == 5)
		ck_assert_int_eq(gob_decode_next(dec, p, len, &pos, &dst), 1);
	ck_assert_int_eq(gob_decode_next(dec, p, len, &pos, &data), 1);
	ck_assert_int_eq(gob_decode_next(dec, p, len, &pos, &end), 0);
	ck_assert_int_eq(gob_value_kind(chan), GOB_KIND_STRING);
	ck_assert_int_eq(gob_value_kind(data), GOB_KIND_BYTES);
	ck_assert(gob_value_uint(src) == PEER_FX1 || gob_value_uint(src) == PEER_FX2);
	f->envelopes++;
	channel = str_of(chan);
	f->chan_topology |= !strcmp(channel, "topology");
	f->chan_ipam |= !strcmp(channel, "IPallocation");
	f->chan_dns |= !strcmp(channel, "nameserver");
	if (!strcmp(channel, "topology") || !strcmp(channel, "IPallocation") ||
	    !strcmp(channel, "nameserver"))
		check_payload(channel, tag, gob_value_bytes(data, NULL), gob_value_len(data), f);
	gob_value_free(chan);
	gob_value_free(src);
	gob_value_free(dst);
	gob_value_free(data);
	gob_decoder_free(dec);
}

static void check_session(const char *file, const char *name, const char *nick, struct findings *f)
{
	struct session s;
	const uint8_t *body;
	size_t len;
	bool first = true;

	session_open(&s, file);
	while (session_next(&s, &body, &len)) {
		if (first) {
			check_features(body, len, name, nick);
			first = false;
			continue;
		}
		ck_assert_uint_ge(len, 1);
		switch (body[0]) {
		case 0: /* heartbeat */
			ck_assert_uint_eq(len, 1);
			break;
		case 4:
		case 5:
		case 6:
			check_gossip(body[0], body + 1, len - 1, f);
			break;
		case 7: /* overlay control: raw bytes */
			ck_assert_uint_ge(len, 3);
			break;
		default:
			ck_abort_msg("unexpected message tag %u", body[0]);
		}
	}
	free(s.data);
}

START_TEST(test_fixture_fx2_to_fx1)
{
	struct findings f = { 0 };

	check_session("fx2-to-fx1.tcp.bin", "aa:00:00:00:00:02", "fx2", &f);
	ck_assert_uint_eq(f.envelopes, 6);
	ck_assert_uint_eq(f.payloads, f.envelopes);
	ck_assert(f.chan_topology && f.chan_ipam && f.chan_dns);
	ck_assert(f.both_peers);
}
END_TEST

START_TEST(test_fixture_fx1_to_fx2)
{
	struct findings f = { 0 };

	check_session("fx1-to-fx2.tcp.bin", "aa:00:00:00:00:01", "fx1", &f);
	ck_assert_uint_eq(f.envelopes, 8);
	ck_assert_uint_eq(f.payloads, f.envelopes);
	ck_assert(f.chan_topology && f.chan_ipam && f.chan_dns);
	ck_assert(f.both_peers);
	ck_assert(f.box1);
	ck_assert(f.ring);
}
END_TEST

/* --- hostile input ------------------------------------------------------------------------- */

/* Every gossip payload (the data of tag 4/5/6 envelopes) of a fixture file, copied. */
static size_t fixture_payloads(const char *file, uint8_t **bufs, size_t *lens, size_t max)
{
	struct session s;
	const uint8_t *body;
	size_t len, n = 0;

	session_open(&s, file);
	while (session_next(&s, &body, &len) && n < max) {
		struct gob_value **vals;
		size_t nvals;

		if (len < 1 || body[0] < 4 || body[0] > 6)
			continue;
		ck_assert_int_eq(gob_decode_stream(body + 1, len - 1, NULL, &vals, &nvals), 0);
		lens[n] = gob_value_len(vals[nvals - 1]);
		bufs[n] = malloc(lens[n]);
		ck_assert_ptr_nonnull(bufs[n]);
		memcpy(bufs[n], gob_value_bytes(vals[nvals - 1], NULL), lens[n]);
		n++;
		gob_values_free(vals, nvals);
	}
	free(s.data);
	return n;
}

/* A stream with every shape weave sends, from our encoder. */
static uint8_t *rich_stream(size_t *ret_len)
{
	struct gob_value *m, *conns, *state;
	struct weave_types w;
	struct gob_encoder *enc;
	const uint8_t *out;
	uint8_t *copy;

	weave_types_init(&w);
	ck_assert_int_eq(gob_encoder_new(w.s, &enc), 0);
	m = gob_value_new_map();
	ck_assert_int_eq(gob_map_put(m, gob_value_new_string("Name"), gob_value_new_string("x")),
			 0);
	encode_ok(enc, w.features, m);
	encode_ok(enc, w.peer, mk_peer(&w, PEER_FX1, "fx1", 1ULL << 63, 300, 4095));
	conns = gob_value_new_slice();
	ck_assert_int_eq(gob_value_append(conns, mk_conn(&w, "10.0.0.1:6783", true)), 0);
	encode_ok(enc, w.conns, conns);
	state = gob_value_new_struct(w.state);
	set(state, "Now", gob_value_new_int(-5));
	set(state, "Paxos", mk_paxos(&w));
	set(state, "Ring", mk_ring(&w));
	encode_ok(enc, w.state, state);
	encode_ok(enc, NULL, gob_value_new_float(-1.5));
	out = gob_encoder_data(enc, ret_len);
	copy = malloc(*ret_len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, out, *ret_len);
	gob_encoder_free(enc);
	gob_schema_free(w.s);
	return copy;
}

/* Cut at every offset: only cuts between messages decode (as a shorter stream). */
static void check_truncations(const uint8_t *buf, size_t len)
{
	struct gob_decoder *dec;
	struct gob_value *v;
	bool *boundary = calloc(len + 1, sizeof(*boundary));
	size_t pos = 0, used;
	int32_t id;

	ck_assert_ptr_nonnull(boundary);
	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	boundary[0] = true;
	while (pos < len) {
		ck_assert_int_eq(gob_decode_message(dec, buf + pos, len - pos, &used, &id, &v), 0);
		gob_value_free(v);
		if (pos == 0)
			for (size_t k = 0; k < used; k++)
				ck_assert_int_eq(gob_decode_message(dec, buf, k, &used, &id, &v),
						 -ENODATA);
		pos += used;
		boundary[pos] = true;
	}
	for (size_t k = 0; k <= len; k++) {
		int r = decode_count(buf, k, NULL, NULL);

		if (boundary[k])
			ck_assert_msg(r == 0, "cut at %zu/%zu: %d", k, len, r);
		else
			ck_assert_msg(r == -EINVAL, "cut at %zu/%zu: %d", k, len, r);
	}
	gob_decoder_free(dec);
	free(boundary);
}

/* Every byte replaced by a few values: anything but a crash or a leak is fine. */
static void check_mutations(const uint8_t *buf, size_t len)
{
	uint8_t *copy = malloc(len);

	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < len; i++) {
		const uint8_t repl[] = {
			0x00, 0x01, 0x7f, 0x80, 0xff, buf[i] ^ 0x01, buf[i] ^ 0x80
		};

		for (size_t j = 0; j < sizeof(repl); j++) {
			memcpy(copy, buf, len);
			copy[i] = repl[j];
			(void)decode_count(copy, len, NULL, NULL);
		}
	}
	free(copy);
}

START_TEST(test_truncation)
{
	uint8_t *bufs[32], *rich;
	size_t lens[32], n, len;

	rich = rich_stream(&len);
	check_truncations(rich, len);
	free(rich);
	n = fixture_payloads("fx1-to-fx2.tcp.bin", bufs, lens, 32);
	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		check_truncations(bufs[i], lens[i]);
		free(bufs[i]);
	}
}
END_TEST

START_TEST(test_mutation)
{
	uint8_t *bufs[32], *rich;
	size_t lens[32], n, len;

	rich = rich_stream(&len);
	check_mutations(rich, len);
	free(rich);
	n = fixture_payloads("fx2-to-fx1.tcp.bin", bufs, lens, 32);
	for (size_t i = 0; i < n; i++) {
		check_mutations(bufs[i], lens[i]);
		free(bufs[i]);
	}
}
END_TEST

START_TEST(test_hostile_lengths)
{
	struct gob_limits small = { .max_message = 8 };
	struct gob_decoder *dec;
	struct gob_value *v;
	uint8_t buf[64];
	size_t n, used;
	int32_t id;

	n = unhex("f8 7f ff ff ff ff ff ff ff 0c 00 00", buf); /* message of 2^63 bytes */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -E2BIG);
	n = unhex("fb 01 00 00 00 00 0c 00 00", buf); /* 2^40 bytes */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -E2BIG);
	n = unhex("00", buf); /* empty message */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -EINVAL);
	n = unhex("80 00", buf); /* bad uint */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -EINVAL);
	n = unhex("05 0c 00 03", buf); /* message longer than the input */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -EINVAL);
	ck_assert_int_eq(gob_decoder_new(NULL, &dec), 0);
	ck_assert_int_eq(gob_decode_message(dec, buf, n, &used, &id, &v), -ENODATA);
	gob_decoder_free(dec);
	n = unhex("0b 0c 00 f8 7f ff ff ff ff ff ff ff", buf); /* string of 2^63 bytes */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -EINVAL);
	n = unhex("04 0c 00 05 61", buf); /* string longer than its message */
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), -EINVAL);
	n = unhex("0a 0c 00 07 61 62 63 64 65 66 67", buf);
	ck_assert_int_eq(decode_count(buf, n, NULL, NULL), 0);
	ck_assert_int_eq(decode_count(buf, n, &small, NULL), -E2BIG);
}
END_TEST

START_TEST(test_hostile_counts)
{
	struct gob_limits few = { .max_nodes = 50 };
	struct wr w = { .n = 0 };
	size_t defs;

	w_def(&w, 65, 2, GOB_ID_UINT, 0); /* []uint */
	w_def(&w, 66, 4, GOB_ID_UINT, GOB_ID_UINT); /* map[uint]uint */
	defs = w.n;
	ck_assert_int_eq(decode_wr(&w), 0);

	w_begin(&w);
	w_int(&w, 65);
	w_uint(&w, 0);
	w_uint(&w, 1ULL << 62);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);

	w.n = defs;
	w_begin(&w);
	w_int(&w, 65);
	w_uint(&w, 0);
	w_uint(&w, 1000);
	for (int i = 0; i < 10; i++)
		w_uint(&w, 7);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);

	w.n = defs;
	w_begin(&w);
	w_int(&w, 65);
	w_uint(&w, 0);
	w_uint(&w, 100);
	for (int i = 0; i < 100; i++)
		w_uint(&w, 0);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), 0);
	ck_assert_int_eq(decode_count(w.d, w.n, &few, NULL), -E2BIG);

	w.n = defs;
	w_begin(&w);
	w_int(&w, 66);
	w_uint(&w, 0);
	w_uint(&w, UINT64_MAX);
	w_uint(&w, 1);
	w_uint(&w, 2);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
}
END_TEST

/* A value of a self-containing type, nested depth deep. */
static int nested(int64_t id, unsigned wire_field, unsigned depth, const struct gob_limits *lim)
{
	static const char *const names[] = { "X" };
	const int64_t ids[] = { id };
	struct wr *w = calloc(1, sizeof(*w));
	int r;

	ck_assert_ptr_nonnull(w);
	if (wire_field == 3)
		w_def_struct(w, id, 1, names, ids);
	else
		w_def(w, id, wire_field, id, wire_field == 1 ? 1 : wire_field == 4 ? id : 0);
	w_begin(w);
	w_int(w, id);
	if (wire_field != 3)
		w_uint(w, 0);
	for (unsigned i = 1; i < depth; i++)
		w_uint(w, 1); /* one element / field X / one entry whose key nests */
	/* closing: a slice ends with its innermost count, structs and map entries at each level */
	for (unsigned i = 0; i < (wire_field == 2 ? 1 : depth); i++)
		w_uint(w, wire_field == 1 ? 1 : 0);
	w_end(w);
	r = decode_count(w->d, w->n, lim, NULL);
	free(w);
	return r;
}

START_TEST(test_hostile_nesting)
{
	struct gob_limits shallow = { .max_depth = 4 };

	/* type T []T */
	ck_assert_int_eq(nested(65, 2, 32, NULL), 0);
	ck_assert_int_eq(nested(65, 2, 33, NULL), -E2BIG);
	ck_assert_int_eq(nested(65, 2, 4, &shallow), 0);
	ck_assert_int_eq(nested(65, 2, 5, &shallow), -E2BIG);
	ck_assert_int_eq(nested(65, 2, 3000, NULL), -E2BIG);
	/* struct T { X T }: impossible in Go, bounded by depth here */
	ck_assert_int_eq(nested(70, 3, 32, NULL), 0);
	ck_assert_int_eq(nested(70, 3, 1000, NULL), -E2BIG);
	/* map[T]T and [1]T */
	ck_assert_int_lt(nested(80, 4, 100, NULL), 0);
	ck_assert_int_lt(nested(90, 1, 100, NULL), 0);
}
END_TEST

static int one_value(struct wr *w, int64_t id, bool singleton, const char *hex)
{
	uint8_t b[64];
	size_t n = unhex(hex, b);

	w_begin(w);
	w_int(w, id);
	if (singleton)
		w_uint(w, 0);
	memcpy(w->d + w->n, b, n);
	w->n += n;
	w_end(w);
	return decode_wr(w);
}

START_TEST(test_hostile_types)
{
	static const char *const names[] = { "A", "B", "I" };
	const int64_t ids[] = { GOB_ID_UINT, 77, GOB_ID_INTERFACE };
	struct gob_limits two = { .max_types = 2 };
	struct wr w = { .n = 0 };
	struct gob_value **vals;
	size_t defs, n;

	w_def_struct(&w, 65, 3, names, ids); /* struct { A uint; B <undefined>; I interface{} } */
	w_def(&w, 66, 1, GOB_ID_UINT, 2); /* [2]uint */
	defs = w.n;
	ck_assert_int_eq(one_value(&w, 65, false, "01 05 00"), 0); /* B absent: fine */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 65, false, "02 05 00"), -EPROTO); /* B present */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 65, false, "03 00 00"), -EOPNOTSUPP);
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 65, false, "04 05 00"), -EINVAL); /* past the 3 fields */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 65, false, "01 05 f8 ff ff ff ff ff ff ff ff 05 00"),
			 -EINVAL);
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 66, true, "02 01 02"), 0);
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 66, true, "03 01 02 03"), -EINVAL); /* length mismatch */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 99, true, "00"), -EPROTO); /* undefined */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 9, true, "00"), -EPROTO); /* reserved */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, GOB_ID_INTERFACE, true, "00"), -EOPNOTSUPP);
	w.n = defs;
	ck_assert_int_eq(one_value(&w, 1LL << 40, true, "00"), -EPROTO);
	w.n = defs;
	ck_assert_int_eq(one_value(&w, GOB_ID_UINT, false, "01 05"), -EINVAL); /* no singleton 0 */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, GOB_ID_UINT, true, "05 07"), -EINVAL); /* trailing byte */
	w.n = defs;
	ck_assert_int_eq(one_value(&w, INT64_MIN, true, "00"), -EINVAL);

	/* redefinition, ids out of range, too many definitions */
	w.n = defs;
	w_def(&w, 66, 2, GOB_ID_UINT, 0);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_def(&w, 6, 2, GOB_ID_UINT, 0);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_def(&w, 1LL << 31, 2, GOB_ID_UINT, 0);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_def(&w, GOB_MIN_USER_ID, 2, GOB_ID_UINT, 0);
	ck_assert_int_eq(one_value(&w, GOB_MIN_USER_ID, true, "01 02"), 0);
	w.n = 0;
	for (int i = 0; i < 3; i++)
		w_def(&w, 65 + i, 2, GOB_ID_UINT, 0);
	ck_assert_int_eq(decode_wr(&w), 0);
	ck_assert_int_eq(decode_count(w.d, w.n, &two, NULL), -E2BIG);

	/* malformed definitions */
	w.n = 0;
	w_def(&w, 67, 1, GOB_ID_UINT, -1); /* negative array length */
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_def(&w, 68, 2, 0, 0); /* element id 0 */
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_begin(&w); /* wireType with nothing set */
	w_int(&w, -69);
	w_uint(&w, 0);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_begin(&w); /* wireType with SliceT and MapT */
	w_int(&w, -69);
	w_uint(&w, 2);
	w_uint(&w, 2);
	w_int(&w, GOB_ID_UINT);
	w_uint(&w, 0);
	w_uint(&w, 2);
	w_uint(&w, 2);
	w_int(&w, GOB_ID_UINT);
	w_uint(&w, 1);
	w_int(&w, GOB_ID_UINT);
	w_uint(&w, 0);
	w_uint(&w, 0);
	w_end(&w);
	ck_assert_int_eq(decode_wr(&w), -EINVAL);
	w.n = 0;
	w_def(&w, 70, 2, GOB_ID_UINT, 0); /* a definition with a byte after it */
	w.d[0]++;
	w.d[w.n++] = 0;
	ck_assert_int_eq(decode_wr(&w), -EINVAL);

	/* a GobEncoder type (e.g. time.Time) decodes as its bytes */
	w.n = 0;
	w_begin(&w);
	w_int(&w, -71);
	w_uint(&w, 5);
	w_uint(&w, 1);
	w_uint(&w, 1);
	w_str(&w, "Time");
	w_uint(&w, 1);
	w_int(&w, 71);
	w_uint(&w, 0);
	w_uint(&w, 0);
	w_uint(&w, 0);
	w_end(&w);
	one_value(&w, 71, true, "02 01 02");
	ck_assert_int_eq(gob_decode_stream(w.d, w.n, NULL, &vals, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(gob_value_kind(vals[0]), GOB_KIND_BYTES);
	ck_assert_uint_eq(gob_value_len(vals[0]), 2);
	gob_values_free(vals, n);
}
END_TEST

/* --- suite ------------------------------------------------------------------------------- */

static Suite *gob_suite(void)
{
	Suite *s = suite_create("gob");
	TCase *tc;

	tc = tcase_create("primitives");
	tcase_add_test(tc, test_uint_coding);
	tcase_add_test(tc, test_int_coding);
	tcase_add_test(tc, test_float_coding);
	tcase_add_test(tc, test_scalar_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("reference");
	tcase_add_test(tc, test_gossip_envelope_exact);
	tcase_add_test(tc, test_features_map_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("shapes");
	tcase_add_test(tc, test_topology_round_trip);
	tcase_add_test(tc, test_ipam_round_trip);
	tcase_add_test(tc, test_zero_struct_bytes);
	tcase_add_test(tc, test_dns_round_trip);
	tcase_add_test(tc, test_field_matching);
	tcase_add_test(tc, test_api_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fixture_fx2_to_fx1);
	tcase_add_test(tc, test_fixture_fx1_to_fx2);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_mutation);
	tcase_add_test(tc, test_hostile_lengths);
	tcase_add_test(tc, test_hostile_counts);
	tcase_add_test(tc, test_hostile_nesting);
	tcase_add_test(tc, test_hostile_types);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gob_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
