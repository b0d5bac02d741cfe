// SPDX-License-Identifier: GPL-2.0
/* Unit tests of userspace/mesh: peer names, topology merging and garbage collection,
 * short ids, routes, broadcast and gossip neighbours, connection targets and back-off.
 */
#include "mesh/peer_name.h"
#include "mesh/peers.h"
#include "mesh/routes.h"
#include "mesh/targets.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME(k) ((mesh_peer_name_t)0x020000000000ULL + (mesh_peer_name_t)(k))
#define IDX(name) ((unsigned)((name)&0xffff))

/* --- helpers ------------------------------------------------------------------------- */

/* Scripted randomness: the given values first, then splitmix64 from @state. */
struct script {
	const uint64_t *v;
	size_t n, i;
	uint64_t state;
};

static uint64_t script_next(void *userdata)
{
	struct script *s = userdata;
	uint64_t z;

	if (s->i < s->n)
		return s->v[s->i++];
	z = (s->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t constant_next(void *userdata)
{
	return *(const uint64_t *)userdata;
}

static struct mesh_peer_info info(mesh_peer_name_t name, uint64_t uid, uint64_t version, int sid)
{
	struct mesh_peer_info in = { .name = name, .uid = uid, .version = version };

	snprintf(in.nickname, sizeof(in.nickname), "host%u", IDX(name));
	if (sid >= 0) {
		in.short_id = (uint16_t)sid;
		in.has_short_id = true;
	}
	return in;
}

/* Address of a connection at @local to @remote: the remote's port 6783 when we dialled,
 * an ephemeral port when it dialled us.
 */
static void conn_addr(char *buf, size_t size, mesh_peer_name_t local, mesh_peer_name_t remote,
		      bool outbound)
{
	if (outbound)
		snprintf(buf, size, "10.0.0.%u:6783", IDX(remote));
	else
		snprintf(buf, size, "10.0.0.%u:%u", IDX(remote), 40000 + IDX(local));
}

#define UPD_MAX 16
struct upd {
	struct mesh_peer_summary s[UPD_MAX];
	struct mesh_conn_summary c[UPD_MAX][UPD_MAX];
	size_t n;
};

static struct mesh_peer_summary *upd_peer(struct upd *u, struct mesh_peer_info in)
{
	struct mesh_peer_summary *s = &u->s[u->n];

	ck_assert_uint_lt(u->n, UPD_MAX);
	s->info = in;
	s->conns = u->c[u->n];
	s->n_conns = 0;
	u->n++;
	return s;
}

static void upd_conn(struct mesh_peer_summary *s, mesh_peer_name_t remote, bool outbound,
		     bool established)
{
	struct mesh_conn_summary *c = &s->conns[s->n_conns++];

	memset(c, 0, sizeof(*c));
	c->name = remote;
	conn_addr(c->remote_tcp_addr, sizeof(c->remote_tcp_addr), s->info.name, remote, outbound);
	c->outbound = outbound;
	c->established = established;
}

static struct mesh_peers *new_self(mesh_peer_name_t name, uint64_t uid, uint16_t sid,
				   struct script *sc)
{
	struct mesh_rand rnd = { script_next, sc };
	struct mesh_peers *ps = NULL;

	ck_assert_int_eq(mesh_peers_new(name, "self", uid, sid, &rnd, &ps), 0);
	return ps;
}

static void connect_local(struct mesh_peers *ps, struct mesh_peer_info in, bool outbound,
			  bool established)
{
	char addr[MESH_TCP_ADDR_MAX + 1];

	conn_addr(addr, sizeof(addr), mesh_peers_self(ps)->info.name, in.name, outbound);
	ck_assert_int_eq(mesh_peers_fetch_with_default(ps, &in, NULL, NULL), 0);
	ck_assert_int_eq(mesh_peers_add_local_conn(ps, in.name, addr, outbound), 0);
	if (established)
		ck_assert_int_eq(mesh_peers_set_local_conn_established(ps, in.name), 0);
}

static void apply(struct mesh_peers *ps, struct upd *u, struct mesh_peers_changes *ch)
{
	ck_assert_int_eq(mesh_peers_apply_update(ps, u->s, u->n, ch), 0);
}

static bool names_eq(const mesh_peer_name_t *got, size_t n, const mesh_peer_name_t *want,
		     size_t n_want)
{
	return n == n_want && (n == 0 || !memcmp(got, want, n * sizeof(*got)));
}

/* A whole mesh as directed connection records; a view is one peer's topology of it. */
struct rec {
	int from, to;
	bool outbound, established;
};

#define SYM(a, b)                 \
	{ a, b, true, true },     \
	{                         \
		b, a, false, true \
	}

static struct mesh_peers *build_view(int self, const struct rec *recs, size_t n, struct script *sc)
{
	struct mesh_peers_changes ch;
	struct mesh_peers *ps = new_self(NAME(self), 1000 + self, (uint16_t)self, sc);
	bool seen[UPD_MAX] = { false };
	struct mesh_peer_summary *s;
	struct upd *u = calloc(1, sizeof(*u));
	size_t i;
	int p;

	ck_assert_ptr_nonnull(u);
	for (i = 0; i < n; i++) {
		seen[recs[i].from] = seen[recs[i].to] = true;
		if (recs[i].from == self)
			connect_local(ps, info(NAME(recs[i].to), 1000 + recs[i].to, 0, recs[i].to),
				      recs[i].outbound, recs[i].established);
	}
	for (p = 1; p < UPD_MAX; p++) {
		if (!seen[p] || p == self)
			continue;
		s = upd_peer(u, info(NAME(p), 1000 + p, 5, p));
		for (i = 0; i < n; i++)
			if (recs[i].from == p)
				upd_conn(s, NAME(recs[i].to), recs[i].outbound,
					 recs[i].established);
	}
	apply(ps, u, &ch);
	mesh_peers_changes_done(&ch);
	free(u);
	return ps;
}

static void assert_hop(const struct mesh_routes *r, int dest, bool all, int hop)
{
	mesh_peer_name_t got;

	ck_assert_int_eq(mesh_routes_unicast(r, NAME(dest), all, &got), 0);
	ck_assert_uint_eq(got, hop ? NAME(hop) : MESH_PEER_NAME_UNKNOWN);
}

static void assert_unreachable(const struct mesh_routes *r, int dest, bool all)
{
	mesh_peer_name_t got;

	ck_assert_int_eq(mesh_routes_unicast(r, NAME(dest), all, &got), -EHOSTUNREACH);
}

/* @want: peer indices terminated by 0. */
static void assert_bcast(struct mesh_routes *r, const struct mesh_peers *ps, int src, bool all,
			 const int *want)
{
	const mesh_peer_name_t *hops;
	size_t n, i;

	ck_assert_int_eq(mesh_routes_broadcast(r, ps, NAME(src), all, &hops, &n), 0);
	for (i = 0; want[i]; i++) {
		ck_assert_uint_lt(i, n);
		ck_assert_uint_eq(hops[i], NAME(want[i]));
	}
	ck_assert_uint_eq(n, i);
}

/* --- peer names ---------------------------------------------------------------------- */

START_TEST(test_name_parse_full)
{
	mesh_peer_name_t n;

	ck_assert_int_eq(mesh_peer_name_parse("aa:bb:cc:dd:ee:ff", &n), 0);
	ck_assert_uint_eq(n, 0xaabbccddeeffULL);
	ck_assert_int_eq(mesh_peer_name_parse("4A:0F:F6:EC:1C:93", &n), 0);
	ck_assert_uint_eq(n, 0x4a0ff6ec1c93ULL);
	ck_assert_int_eq(mesh_peer_name_parse("a:b:c:d:e:f", &n), 0);
	ck_assert_uint_eq(n, 0x0a0b0c0d0e0fULL);
	ck_assert_int_eq(mesh_peer_name_parse("00:00:00:00:00:01", &n), 0);
	ck_assert_uint_eq(n, 1);
}
END_TEST

START_TEST(test_name_parse_compressed)
{
	static const struct {
		const char *s;
		mesh_peer_name_t n;
	} ok[] = {
		{ "::1", 0x000000000001ULL },	       { "1::", 0x010000000000ULL },
		{ "aa::ff", 0xaa00000000ffULL },       { "::a:b", 0x000000000a0bULL },
		{ "a:b::", 0x0a0b00000000ULL },	       { "::1:2:3", 0x000000010203ULL },
		{ "1::2:3", 0x010000000203ULL },       { "1:2::3", 0x010200000003ULL },
		{ "1:2:3::", 0x010203000000ULL },      { "::1:2:3:4", 0x000001020304ULL },
		{ "1::2:3:4", 0x010000020304ULL },     { "1:2::3:4", 0x010200000304ULL },
		{ "1:2:3::4", 0x010203000004ULL },     { "1:2:3:4::", 0x010203040000ULL },
		{ "ca:fe::BE:EF", 0xcafe0000beefULL },
	};
	mesh_peer_name_t n;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(mesh_peer_name_parse(ok[i].s, &n) == 0, "%s", ok[i].s);
		ck_assert_msg(n == ok[i].n, "%s", ok[i].s);
	}
}
END_TEST

START_TEST(test_name_parse_rejects)
{
	static const char *const bad[] = {
		"",
		"::",
		":",
		":::1",
		"aa:bb:cc:dd:ee",
		"aa:bb:cc:dd:ee:ff:00",
		"aa:bb:cc:dd:ee:",
		":aa:bb:cc:dd:ee:ff",
		"aaa:bb:cc:dd:ee:ff",
		"aa:bb:cc:dd:ee:fff",
		"gg:bb:cc:dd:ee:ff",
		"aa-bb-cc-dd-ee-ff",
		"aabb.ccdd.eeff",
		"aa:bb:cc:dd:ee:ff ",
		" aa:bb:cc:dd:ee:ff",
		"a::b::c",
		"a:::b",
		"1:2:3:4:5::", /* "::" stands for two bytes or more */
		"::1:2:3:4:5",
		"1::2:3:4:5",
		"123::",
		"::x",
		"+1::",
	};
	mesh_peer_name_t n = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mesh_peer_name_parse(bad[i], &n) == -EINVAL, "'%s' accepted", bad[i]);
	ck_assert_uint_eq(n, 42);
	ck_assert_int_eq(mesh_peer_name_parse(NULL, &n), -EINVAL);
}
END_TEST

START_TEST(test_name_format_bytes)
{
	static const uint8_t wire[] = { 0x4a, 0x0f, 0xf6, 0xec, 0x1c, 0x93 };
	char buf[MESH_PEER_NAME_STRLEN];
	uint8_t b[MESH_PEER_NAME_LEN];
	mesh_peer_name_t n;

	ck_assert_str_eq(mesh_peer_name_format(0x4a0ff6ec1c93ULL, buf), "4a:0f:f6:ec:1c:93");
	ck_assert_str_eq(mesh_peer_name_format(1, buf), "00:00:00:00:00:01");
	ck_assert_int_eq(mesh_peer_name_parse(mesh_peer_name_format(0xaa00000000ffULL, buf), &n),
			 0);
	ck_assert_uint_eq(n, 0xaa00000000ffULL);
	mesh_peer_name_to_bytes(0x4a0ff6ec1c93ULL, b);
	ck_assert_mem_eq(b, wire, sizeof(wire));
	ck_assert_int_eq(mesh_peer_name_from_bytes(wire, sizeof(wire), &n), 0);
	ck_assert_uint_eq(n, 0x4a0ff6ec1c93ULL);
	ck_assert_int_eq(mesh_peer_name_from_bytes(wire, 5, &n), -EINVAL);
	ck_assert_uint_eq(mesh_peer_name_local_unicast(0xffffffffffffULL), 0xfeffffffffffULL);
	ck_assert_uint_eq(mesh_peer_name_local_unicast(0), 0x020000000000ULL);
}
END_TEST

START_TEST(test_name_derive)
{
	static const char mid[] = "0123456789abcdef0123456789abcdef\n";
	static const char uuid[] = "4C4C4544-0042-3510-8052-B4C04F4B4E32\n";
	mesh_peer_name_t n, again;

	/* Expected values: python3 hashlib.sha256(b"9oBJ0Jmip-" + mid + uuid). */
	ck_assert_int_eq(mesh_peer_name_derive(mid, strlen(mid), uuid, strlen(uuid), &n), 0);
	ck_assert_uint_eq(n, 0x4ad6035f313aULL);
	ck_assert_int_eq(mesh_peer_name_derive(mid, strlen(mid), uuid, strlen(uuid), &again), 0);
	ck_assert_uint_eq(n, again);
	/* Legacy uuid-only form; sha256 starts c8, made locally administered: ca. */
	ck_assert_int_eq(mesh_peer_name_derive(NULL, 0, "uuid", 4, &n), 0);
	ck_assert_uint_eq(n, 0xca9bb9f86914ULL);
	ck_assert_uint_eq((n >> 40) & 3, 2);
	ck_assert_int_eq(mesh_peer_name_derive(NULL, 3, "uuid", 4, &n), -EINVAL);
}
END_TEST

/* --- topology ------------------------------------------------------------------------ */

START_TEST(test_peers_new)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_peers *ps = NULL;
	const struct mesh_peer *self;
	char big[MESH_NICKNAME_MAX + 2];

	ck_assert_int_eq(mesh_peers_new(NAME(1), "n", 0, 1, &rnd, &ps), -EINVAL);
	ck_assert_int_eq(mesh_peers_new(0, "n", 1, 1, &rnd, &ps), -EINVAL);
	ck_assert_int_eq(mesh_peers_new(1ULL << 48, "n", 1, 1, &rnd, &ps), -EINVAL);
	ck_assert_int_eq(mesh_peers_new(NAME(1), "n", 1, 4096, &rnd, &ps), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ck_assert_int_eq(mesh_peers_new(NAME(1), big, 1, 1, &rnd, &ps), -ENAMETOOLONG);
	ck_assert_ptr_null(ps);

	ck_assert_int_eq(mesh_peers_new(NAME(1), "host1", 77, 123, &rnd, &ps), 0);
	self = mesh_peers_self(ps);
	ck_assert_uint_eq(self->info.name, NAME(1));
	ck_assert_str_eq(self->info.nickname, "host1");
	ck_assert_uint_eq(self->info.uid, 77);
	ck_assert_uint_eq(self->info.version, 0);
	ck_assert_uint_eq(self->info.short_id, 123);
	ck_assert(self->info.has_short_id);
	ck_assert_uint_eq(mesh_peers_count(ps), 1);
	ck_assert_ptr_eq(mesh_peers_at(ps, 0), self);
	ck_assert_ptr_null(mesh_peers_at(ps, 1));
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 123), self);
	ck_assert_ptr_null(mesh_peers_by_short_id(ps, 124));
	ck_assert_ptr_null(mesh_peers_free(ps));
	ck_assert_ptr_null(mesh_peers_free(NULL));
}
END_TEST

START_TEST(test_peers_local_conns)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peer_info b = info(NAME(2), 2, 0, 2);
	const struct mesh_peer *peer, *again;
	const struct mesh_conn_summary *c;
	struct mesh_peer_summary *s;
	char longaddr[MESH_TCP_ADDR_MAX + 2];
	size_t n;

	ck_assert_int_eq(mesh_peers_add_local_conn(ps, NAME(2), "10.0.0.2:6783", true), -ENOENT);
	ck_assert_int_eq(mesh_peers_fetch_with_default(ps, &b, &peer, NULL), 0);
	ck_assert_uint_eq(mesh_peer_local_refs(peer), 1);
	ck_assert_int_eq(mesh_peers_fetch_with_default(ps, &b, &again, NULL), 0);
	ck_assert_ptr_eq(peer, again);
	ck_assert_uint_eq(mesh_peer_local_refs(peer), 2);
	ck_assert_int_eq(mesh_peers_unref(ps, NAME(2)), 0);
	ck_assert_int_eq(mesh_peers_unref(ps, NAME(9)), -ENOENT);

	ck_assert_int_eq(mesh_peers_add_local_conn(ps, NAME(1), "10.0.0.1:6783", true), -EINVAL);
	memset(longaddr, '1', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = 0;
	ck_assert_int_eq(mesh_peers_add_local_conn(ps, NAME(2), longaddr, true), -ENAMETOOLONG);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 0);

	ck_assert_int_eq(mesh_peers_add_local_conn(ps, NAME(2), "10.0.0.2:6783", true), 0);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 1);
	ck_assert_int_eq(mesh_peers_add_local_conn(ps, NAME(2), "10.0.0.2:6783", true), -EEXIST);
	c = mesh_peer_conn(mesh_peers_self(ps), NAME(2));
	ck_assert_ptr_nonnull(c);
	ck_assert(c->outbound);
	ck_assert(!c->established);
	ck_assert_int_eq(mesh_peers_set_local_conn_established(ps, NAME(3)), -ENOENT);
	ck_assert_int_eq(mesh_peers_set_local_conn_established(ps, NAME(2)), 0);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 2);
	ck_assert(mesh_peer_conn(mesh_peers_self(ps), NAME(2))->established);

	ck_assert_int_eq(mesh_peers_summarize(ps, (mesh_peer_name_t[]){ NAME(1) }, 1, &s, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0].info.name, NAME(1));
	ck_assert_uint_eq(s[0].info.version, 2);
	ck_assert_uint_eq(s[0].n_conns, 1);
	ck_assert_uint_eq(s[0].conns[0].name, NAME(2));
	ck_assert_str_eq(s[0].conns[0].remote_tcp_addr, "10.0.0.2:6783");
	ck_assert(s[0].conns[0].outbound && s[0].conns[0].established);
	s = mesh_peer_summaries_free(s, n);

	ck_assert_int_eq(mesh_peers_del_local_conn(ps, NAME(3)), -ENOENT);
	ck_assert_int_eq(mesh_peers_del_local_conn(ps, NAME(2)), 0);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 3);
	ck_assert_uint_eq(mesh_peers_self(ps)->n_conns, 0);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_merge_new_peer)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peers_changes ch;
	struct mesh_peer_summary *s;
	struct upd u = { 0 };
	const struct mesh_peer *b;

	connect_local(ps, info(NAME(2), 2, 0, -1), true, true);
	s = upd_peer(&u, info(NAME(2), 2, 4, 2));
	upd_conn(s, NAME(1), false, true);
	apply(ps, &u, &ch);
	ck_assert(names_eq(ch.update, ch.n_update, (mesh_peer_name_t[]){ NAME(2) }, 1));
	ck_assert(names_eq(ch.improved, ch.n_improved, (mesh_peer_name_t[]){ NAME(2) }, 1));
	ck_assert_uint_eq(ch.n_removed, 0);
	ck_assert(!ch.local_modified);
	mesh_peers_changes_done(&ch);
	b = mesh_peers_find(ps, NAME(2));
	ck_assert_uint_eq(b->info.version, 4);
	ck_assert_uint_eq(b->info.short_id, 2);
	ck_assert_str_eq(b->info.nickname, "host2");
	ck_assert_uint_eq(b->n_conns, 1);
	ck_assert_str_eq(b->conns[0].remote_tcp_addr, "10.0.0.1:40002");
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 2), b);

	/* Applying the same again improves nothing. */
	apply(ps, &u, &ch);
	ck_assert_uint_eq(ch.n_improved, 0);
	ck_assert_uint_eq(ch.n_update, 1);
	mesh_peers_changes_done(&ch);
	mesh_peers_changes_done(NULL);
	mesh_peers_free(ps);
}
END_TEST

/* Applies one summary of peer 2 and tells whether it was taken. */
static bool merge_one(struct mesh_peers *ps, struct mesh_peer_info in, int conn_to)
{
	struct mesh_peers_changes ch;
	struct mesh_peer_summary *s;
	struct upd u = { 0 };
	bool improved;

	s = upd_peer(&u, in);
	upd_conn(s, NAME(1), false, true);
	if (conn_to)
		upd_conn(s, NAME(conn_to), true, true);
	apply(ps, &u, &ch);
	improved = ch.n_improved == 1;
	ck_assert_uint_eq(ch.n_improved, improved ? 1 : 0);
	mesh_peers_changes_done(&ch);
	return improved;
}

START_TEST(test_merge_rules)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peer_info in;
	const struct mesh_peer *x;

	connect_local(ps, info(NAME(2), 10, 0, -1), true, true);
	x = mesh_peers_find(ps, NAME(2));
	/* Equal in every respect: ignored. */
	ck_assert(!merge_one(ps, info(NAME(2), 10, 0, -1), 0));
	ck_assert_uint_eq(x->n_conns, 0);
	/* Same version and uid, but a short id where we had none: taken. */
	ck_assert(merge_one(ps, info(NAME(2), 10, 0, 5), 3));
	ck_assert(x->info.has_short_id);
	ck_assert_uint_eq(x->info.short_id, 5);
	ck_assert_uint_eq(x->n_conns, 2);
	/* Same version and uid, without a short id when we have one: ignored. */
	ck_assert(!merge_one(ps, info(NAME(2), 10, 0, -1), 0));
	ck_assert(x->info.has_short_id);
	ck_assert_uint_eq(x->n_conns, 2);
	/* Same version, lower uid: ignored. */
	ck_assert(!merge_one(ps, info(NAME(2), 9, 0, 5), 0));
	ck_assert_uint_eq(x->info.uid, 10);
	/* Same version, higher uid (a restart): taken, short id state included. */
	ck_assert(merge_one(ps, info(NAME(2), 11, 0, -1), 0));
	ck_assert_uint_eq(x->info.uid, 11);
	ck_assert(!x->info.has_short_id);
	ck_assert_ptr_null(mesh_peers_by_short_id(ps, 5));
	ck_assert_uint_eq(x->n_conns, 1);
	/* Higher version wins whatever the uid. */
	in = info(NAME(2), 5, 3, 6);
	strcpy(in.nickname, "renamed");
	ck_assert(merge_one(ps, in, 0));
	ck_assert_uint_eq(x->info.version, 3);
	ck_assert_uint_eq(x->info.uid, 5);
	ck_assert_str_eq(x->info.nickname, "renamed");
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 6), x);
	/* Lower version loses whatever the uid. */
	ck_assert(!merge_one(ps, info(NAME(2), 100, 2, 6), 0));
	ck_assert_uint_eq(x->info.uid, 5);
	ck_assert_str_eq(x->info.nickname, "renamed");
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_merge_placeholders)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peers_changes ch;
	struct mesh_peer_summary *s;
	const struct mesh_peer *c;
	struct upd u = { 0 }, u2 = { 0 }, u3 = { 0 };

	connect_local(ps, info(NAME(2), 2, 0, 2), true, true);
	s = upd_peer(&u, info(NAME(2), 2, 1, 2));
	upd_conn(s, NAME(1), false, true);
	upd_conn(s, NAME(3), true, true);
	apply(ps, &u, &ch);
	ck_assert(names_eq(ch.improved, ch.n_improved, (mesh_peer_name_t[]){ NAME(2) }, 1));
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_count(ps), 3);
	c = mesh_peers_find(ps, NAME(3));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->info.uid, 0);
	ck_assert_uint_eq(c->info.version, 0);
	ck_assert_str_eq(c->info.nickname, "");
	ck_assert(!c->info.has_short_id);
	ck_assert_uint_eq(c->n_conns, 0);

	/* The real peer supersedes its placeholder. */
	s = upd_peer(&u2, info(NAME(3), 3, 1, 3));
	upd_conn(s, NAME(2), false, true);
	apply(ps, &u2, &ch);
	ck_assert(names_eq(ch.improved, ch.n_improved, (mesh_peer_name_t[]){ NAME(3) }, 1));
	mesh_peers_changes_done(&ch);
	c = mesh_peers_find(ps, NAME(3));
	ck_assert_uint_eq(c->info.uid, 3);
	ck_assert_str_eq(c->info.nickname, "host3");

	/* Peers and placeholders nobody reachable refers to are collected at once. */
	s = upd_peer(&u3, info(NAME(8), 8, 1, 8));
	upd_conn(s, NAME(9), true, true);
	apply(ps, &u3, &ch);
	ck_assert_uint_eq(ch.n_improved, 0);
	ck_assert_uint_eq(ch.n_removed, 2);
	ck_assert_uint_eq(ch.removed[0]->info.name, NAME(8));
	ck_assert_uint_eq(ch.removed[1]->info.name, NAME(9));
	ck_assert_uint_eq(ch.removed[1]->info.uid, 0);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_count(ps), 3);
	ck_assert_ptr_null(mesh_peers_by_short_id(ps, 8));
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_merge_self_old_uid)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peers_changes ch;
	struct upd u = { 0 }, u2 = { 0 }, u3 = { 0 };

	connect_local(ps, info(NAME(2), 2, 0, 2), true, true);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 2);
	/* An old incarnation of ourselves, at version 7: we go to 8. */
	upd_conn(upd_peer(&u, info(NAME(1), 99, 7, 1)), NAME(5), true, true);
	apply(ps, &u, &ch);
	ck_assert(ch.local_modified);
	ck_assert_uint_eq(ch.n_improved, 0);
	ck_assert(names_eq(ch.update, ch.n_update, (mesh_peer_name_t[]){ NAME(1) }, 1));
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 8);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.uid, 1);
	ck_assert_uint_eq(mesh_peers_self(ps)->n_conns, 1);
	/* Its connections make no placeholder that survives (peer 5 is unreachable). */
	ck_assert_ptr_null(mesh_peers_find(ps, NAME(5)));
	/* Older than us: nothing to do. */
	upd_peer(&u2, info(NAME(1), 99, 3, 1));
	apply(ps, &u2, &ch);
	ck_assert(!ch.local_modified);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 8);
	/* Our own uid echoed back, even newer: nothing either. */
	upd_peer(&u3, info(NAME(1), 1, 100, 1));
	apply(ps, &u3, &ch);
	ck_assert(!ch.local_modified);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 8);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_merge_rejects)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peer_summary *many;
	struct mesh_conn_summary *conns;
	struct mesh_peers_changes ch = { 0 };
	struct upd u = { 0 };
	uint64_t seq;
	size_t i;

	connect_local(ps, info(NAME(2), 2, 0, 2), true, true);
	seq = mesh_peers_seq(ps);
	upd_peer(&u, info(NAME(3), 3, 1, 3));
	upd_peer(&u, info(NAME(3), 3, 2, 3));
	ck_assert_int_eq(mesh_peers_apply_update(ps, u.s, u.n, &ch), -EINVAL);
	u.n = 0;
	upd_peer(&u, info(NAME(2), 2, 9, 2));
	memset(u.s[0].info.nickname, 'x', sizeof(u.s[0].info.nickname));
	ck_assert_int_eq(mesh_peers_apply_update(ps, u.s, u.n, &ch), -EINVAL);
	u.s[0].info = info(0, 2, 9, 2);
	ck_assert_int_eq(mesh_peers_apply_update(ps, u.s, u.n, &ch), -EINVAL);
	u.s[0].info = info(NAME(2), 2, 9, 4096);
	ck_assert_int_eq(mesh_peers_apply_update(ps, u.s, u.n, &ch), -EINVAL);
	u.s[0].info = info(NAME(2), 2, 9, 2);
	upd_conn(&u.s[0], NAME(1), false, true);
	memset(u.s[0].conns[0].remote_tcp_addr, '1', sizeof(u.s[0].conns[0].remote_tcp_addr));
	ck_assert_int_eq(mesh_peers_apply_update(ps, u.s, u.n, &ch), -EINVAL);

	/* More peers than we may know: refused whole, nothing changes. */
	many = calloc(MESH_PEERS_MAX, sizeof(*many));
	ck_assert_ptr_nonnull(many);
	for (i = 0; i < MESH_PEERS_MAX; i++)
		many[i].info = info(NAME(100 + i), 5, 1, -1);
	ck_assert_int_eq(mesh_peers_apply_update(ps, many, MESH_PEERS_MAX, &ch), -E2BIG);
	/* Or as placeholders in a connection list. */
	conns = calloc(MESH_PEERS_MAX, sizeof(*conns));
	ck_assert_ptr_nonnull(conns);
	for (i = 0; i < MESH_PEERS_MAX; i++)
		conns[i].name = NAME(100 + i);
	many[0].info = info(NAME(2), 2, 9, 2);
	many[0].conns = conns;
	many[0].n_conns = MESH_PEERS_MAX;
	ck_assert_int_eq(mesh_peers_apply_update(ps, many, 1, &ch), -E2BIG);
	many[0].n_conns = MESH_PEER_CONNS_MAX + 1;
	ck_assert_int_eq(mesh_peers_apply_update(ps, many, 1, &ch), -E2BIG);
	free(conns);
	free(many);

	ck_assert_uint_eq(mesh_peers_seq(ps), seq);
	ck_assert_uint_eq(mesh_peers_count(ps), 2);
	ck_assert_uint_eq(mesh_peers_find(ps, NAME(2))->info.version, 0);
	ck_assert_ptr_null(ch.update);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_short_id_loser)
{
	static const uint64_t picks[] = { 7, 9 }; /* 7 is taken, 9 is free */
	struct script sc = { picks, 2, 0, 0 };
	struct mesh_peers *ps = new_self(NAME(5), 5, 7, &sc);
	struct mesh_peers_changes ch;
	struct upd u = { 0 };

	connect_local(ps, info(NAME(1), 1, 0, -1), true, true);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 2);
	upd_conn(upd_peer(&u, info(NAME(1), 1, 1, 7)), NAME(5), false, true);
	apply(ps, &u, &ch);
	ck_assert(ch.local_modified);
	ck_assert(ch.short_ids_invalidated);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.short_id, 9);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 3);
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 7), mesh_peers_find(ps, NAME(1)));
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 9), mesh_peers_self(ps));
	ck_assert_uint_eq(sc.i, 2);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_short_id_winner)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 7, &sc);
	struct mesh_peers_changes ch;
	struct upd u = { 0 }, u2 = { 0 };

	connect_local(ps, info(NAME(5), 5, 0, -1), true, true);
	upd_conn(upd_peer(&u, info(NAME(5), 5, 1, 7)), NAME(1), false, true);
	apply(ps, &u, &ch);
	ck_assert(!ch.local_modified);
	ck_assert(!ch.short_ids_invalidated);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.short_id, 7);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, 2);
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 7), mesh_peers_self(ps));
	/* The loser moves away on its side. */
	upd_conn(upd_peer(&u2, info(NAME(5), 5, 2, 8)), NAME(1), false, true);
	apply(ps, &u2, &ch);
	ck_assert(!ch.local_modified);
	ck_assert(!ch.short_ids_invalidated);
	mesh_peers_changes_done(&ch);
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 7), mesh_peers_self(ps));
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 8), mesh_peers_find(ps, NAME(5)));
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_short_id_scan)
{
	uint64_t always7 = 7;
	struct mesh_rand rnd = { constant_next, &always7 };
	struct mesh_peers_changes ch;
	struct mesh_peers *ps = NULL;
	struct upd u = { 0 };

	/* Ten random tries all hit the taken id 7, then the scan picks the 8th free id. */
	ck_assert_int_eq(mesh_peers_new(NAME(5), "self", 5, 7, &rnd, &ps), 0);
	connect_local(ps, info(NAME(1), 1, 0, -1), true, true);
	upd_conn(upd_peer(&u, info(NAME(1), 1, 1, 7)), NAME(5), false, true);
	apply(ps, &u, &ch);
	ck_assert(ch.local_modified);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.short_id, 8);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_short_id_owner_collected)
{
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peers_changes ch;
	struct mesh_peer_summary *s;
	struct upd u = { 0 }, u2 = { 0 };

	connect_local(ps, info(NAME(3), 3, 0, -1), true, true);
	s = upd_peer(&u, info(NAME(3), 3, 1, 9));
	upd_conn(s, NAME(1), false, true);
	upd_conn(s, NAME(2), true, true);
	upd_conn(upd_peer(&u, info(NAME(2), 2, 1, 9)), NAME(3), false, true);
	apply(ps, &u, &ch);
	mesh_peers_changes_done(&ch);
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 9), mesh_peers_find(ps, NAME(2)));
	/* Peer 3 drops peer 2, which is collected: 3 inherits the id. */
	upd_conn(upd_peer(&u2, info(NAME(3), 3, 2, 9)), NAME(1), false, true);
	apply(ps, &u2, &ch);
	ck_assert_uint_eq(ch.n_removed, 1);
	ck_assert(ch.short_ids_invalidated);
	ck_assert(!ch.local_modified);
	mesh_peers_changes_done(&ch);
	ck_assert_ptr_eq(mesh_peers_by_short_id(ps, 9), mesh_peers_find(ps, NAME(3)));
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_gc_partition)
{
	static const struct rec chain[] = { SYM(1, 2), SYM(2, 3), SYM(3, 4) };
	struct script sc = { 0 };
	struct mesh_peers *ps = build_view(1, chain, 6, &sc);
	struct mesh_peers_changes ch;
	struct upd u = { 0 };

	ck_assert_uint_eq(mesh_peers_count(ps), 4);
	/* Peer 2 loses its link to 3: 3 and 4 become unreachable and are removed. */
	upd_conn(upd_peer(&u, info(NAME(2), 1002, 6, 2)), NAME(1), false, true);
	apply(ps, &u, &ch);
	ck_assert(names_eq(ch.improved, ch.n_improved, (mesh_peer_name_t[]){ NAME(2) }, 1));
	ck_assert_uint_eq(ch.n_removed, 2);
	ck_assert_uint_eq(ch.removed[0]->info.name, NAME(3));
	ck_assert_uint_eq(ch.removed[1]->info.name, NAME(4));
	ck_assert_str_eq(ch.removed[1]->info.nickname, "host4");
	ck_assert_uint_eq(ch.removed[0]->n_conns, 2);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_count(ps), 2);
	ck_assert_ptr_null(mesh_peers_find(ps, NAME(3)));
	ck_assert_ptr_null(mesh_peers_by_short_id(ps, 3));

	/* Our link to 2 goes, but our local reference keeps it until released. */
	ck_assert_int_eq(mesh_peers_del_local_conn(ps, NAME(2)), 0);
	ck_assert_int_eq(mesh_peers_gc(ps, &ch), 0);
	ck_assert_uint_eq(ch.n_removed, 0);
	mesh_peers_changes_done(&ch);
	ck_assert_int_eq(mesh_peers_unref(ps, NAME(2)), 0);
	ck_assert_int_eq(mesh_peers_unref(ps, NAME(2)), -EINVAL);
	ck_assert_int_eq(mesh_peers_gc(ps, &ch), 0);
	ck_assert_uint_eq(ch.n_removed, 1);
	ck_assert_uint_eq(ch.removed[0]->info.name, NAME(2));
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_count(ps), 1);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_short_id_crowded)
{
	uint64_t always7 = 7;
	struct mesh_rand rnd = { constant_next, &always7 };
	struct mesh_peers_changes ch;
	struct mesh_peers *ps = NULL;
	struct mesh_peer_info in;
	unsigned i, moves = 0;

	/* As many peers as we may know, each taking an id from us: with MESH_PEERS_MAX
	 * peers a free id always remains, and we end up with the last one.
	 */
	ck_assert_int_eq(mesh_peers_new(NAME(0xf000), "self", 1, 0, &rnd, &ps), 0);
	for (i = 0; i < MESH_PEERS_MAX - 1; i++) {
		in = info(NAME(1 + i), 10 + i, 0, (int)i);
		ck_assert_int_eq(mesh_peers_fetch_with_default(ps, &in, NULL, &ch), 0);
		moves += ch.local_modified;
		mesh_peers_changes_done(&ch);
		ck_assert_ptr_eq(mesh_peers_by_short_id(ps, mesh_peers_self(ps)->info.short_id),
				 mesh_peers_self(ps));
	}
	ck_assert_uint_eq(mesh_peers_self(ps)->info.short_id, 4095);
	ck_assert_uint_eq(mesh_peers_self(ps)->info.version, moves);
	ck_assert_uint_eq(mesh_peers_count(ps), MESH_PEERS_MAX);
	in = info(NAME(0xf001), 1, 0, 1);
	ck_assert_int_eq(mesh_peers_fetch_with_default(ps, &in, NULL, &ch), -E2BIG);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_summaries)
{
	static const struct rec chain[] = { SYM(1, 2), SYM(2, 3), SYM(3, 4) };
	struct script sc = { 0 };
	struct mesh_peers *ps = build_view(1, chain, 6, &sc);
	struct mesh_peer_summary *s;
	struct mesh_peers_changes ch;
	struct upd u = { 0 };
	uint64_t seq;
	size_t n, i;

	ck_assert_int_eq(mesh_peers_summarize(ps, NULL, 0, &s, &n), 0);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(s[i].info.name, NAME(i + 1));
	ck_assert_uint_eq(s[0].n_conns, 1);
	ck_assert_uint_eq(s[1].n_conns, 2);
	ck_assert_uint_eq(s[2].conns[0].name, NAME(2));
	ck_assert_uint_eq(s[2].conns[1].name, NAME(4));
	s = mesh_peer_summaries_free(s, n);
	ck_assert_ptr_null(s);

	ck_assert_int_eq(mesh_peers_summarize(ps, (mesh_peer_name_t[]){ NAME(4), NAME(9), NAME(2) },
					      3, &s, &n),
			 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0].info.name, NAME(2));
	ck_assert_uint_eq(s[1].info.name, NAME(4));
	s = mesh_peer_summaries_free(s, n);

	seq = mesh_peers_seq(ps);
	ck_assert_int_eq(mesh_peers_summarize_changed(ps, seq, &s, &n), 0);
	ck_assert_uint_eq(n, 0);
	s = mesh_peer_summaries_free(s, n);
	s = upd_peer(&u, info(NAME(3), 1003, 6, 3));
	upd_conn(s, NAME(2), false, true);
	upd_conn(s, NAME(4), true, true);
	apply(ps, &u, &ch);
	mesh_peers_changes_done(&ch);
	ck_assert_int_eq(mesh_peers_set_local_conn_established(ps, NAME(2)), 0);
	ck_assert_int_eq(mesh_peers_summarize_changed(ps, seq, &s, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0].info.name, NAME(1));
	ck_assert_uint_eq(s[1].info.name, NAME(3));
	ck_assert_uint_eq(s[1].info.version, 6);
	mesh_peer_summaries_free(s, n);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_iteration_order)
{
	static const int order[] = { 9, 3, 12, 5, 2, 14, 7 };
	struct script sc = { 0 };
	struct mesh_peers *ps = new_self(NAME(8), 8, 8, &sc);
	struct mesh_peers_changes ch;
	struct upd u = { 0 };
	size_t i;

	for (i = 0; i < 7; i++)
		connect_local(ps, info(NAME(order[i]), 1, 0, order[i]), i % 2, true);
	for (i = 0; i < 7; i++)
		upd_conn(upd_peer(&u, info(NAME(order[i]), 1, 1, order[i])), NAME(8), i % 2 == 0,
			 true);
	apply(ps, &u, &ch);
	mesh_peers_changes_done(&ch);
	ck_assert_uint_eq(mesh_peers_count(ps), 8);
	for (i = 1; i < mesh_peers_count(ps); i++)
		ck_assert_uint_lt(mesh_peers_at(ps, i - 1)->info.name,
				  mesh_peers_at(ps, i)->info.name);
	for (i = 1; i < mesh_peers_self(ps)->n_conns; i++)
		ck_assert_uint_lt(mesh_peers_self(ps)->conns[i - 1].name,
				  mesh_peers_self(ps)->conns[i].name);
	mesh_peers_free(ps);
}
END_TEST

/* --- routes -------------------------------------------------------------------------- */

START_TEST(test_routes_chain)
{
	static const struct rec chain[] = { SYM(1, 2), SYM(2, 3), SYM(3, 4) };
	static const struct rec meshed[] = { SYM(1, 2), SYM(2, 3), SYM(3, 4),
					     SYM(1, 3), SYM(1, 4), SYM(2, 4) };
	struct script sc = { 0 };
	struct mesh_peers *ps = build_view(1, chain, 6, &sc);
	struct mesh_routes *r = NULL;
	const struct mesh_route *t;
	size_t n;
	int all;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (all = 0; all < 2; all++) {
		assert_hop(r, 1, all, 0);
		assert_hop(r, 2, all, 2);
		assert_hop(r, 3, all, 2);
		assert_hop(r, 4, all, 2);
		assert_unreachable(r, 5, all);
		mesh_routes_table(r, all, &t, &n);
		ck_assert_uint_eq(n, 4);
		assert_bcast(r, ps, 1, all, (int[]){ 2, 0 });
		assert_bcast(r, ps, 2, all, (int[]){ 0 });
		assert_bcast(r, ps, 4, all, (int[]){ 0 });
		assert_bcast(r, ps, 9, all, (int[]){ 0 });
	}
	mesh_peers_free(ps);

	/* After discovery every peer connects to every other: all routes direct. */
	ps = build_view(1, meshed, 12, &sc);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (all = 0; all < 2; all++) {
		assert_hop(r, 2, all, 2);
		assert_hop(r, 3, all, 3);
		assert_hop(r, 4, all, 4);
		assert_bcast(r, ps, 1, all, (int[]){ 2, 3, 4, 0 });
	}
	mesh_peers_free(ps);
	ck_assert_ptr_null(mesh_routes_free(r));
	ck_assert_ptr_null(mesh_routes_free(NULL));
}
END_TEST

START_TEST(test_routes_full_mesh4)
{
	static const struct rec full[] = { SYM(1, 2), SYM(1, 3), SYM(1, 4),
					   SYM(2, 3), SYM(2, 4), SYM(3, 4) };
	struct script sc = { 0 };
	struct mesh_routes *r = NULL;
	struct mesh_peers *ps;
	int self, dest, src, all;
	size_t total = 0, i;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	for (self = 1; self <= 4; self++) {
		ps = build_view(self, full, 12, &sc);
		for (i = 0; i < mesh_peers_count(ps); i++)
			total += mesh_peers_at(ps, i)->n_conns;
		ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
		for (all = 0; all < 2; all++) {
			for (dest = 1; dest <= 4; dest++)
				assert_hop(r, dest, all, dest == self ? 0 : dest);
			/* Others' broadcasts reach everyone directly: nothing to relay. */
			for (src = 1; src <= 4; src++)
				if (src != self)
					assert_bcast(r, ps, src, all, (int[]){ 0 });
		}
		mesh_peers_free(ps);
	}
	ck_assert_uint_eq(total, 4 * 12);
	mesh_routes_free(r);
}
END_TEST

START_TEST(test_routes_asymmetric)
{
	static const struct rec recs[] = {
		SYM(1, 2),
		{ 1, 3, true, true }, /* 3 doesn't list us */
		{ 1, 4, true, false }, /* pending on our side */
		{ 4, 1, false, true },
		SYM(3, 5),
		{ 2, 6, true, true }, /* pending on 6's side */
		{ 6, 2, false, false },
	};
	struct script sc = { 0 };
	struct mesh_peers *ps = build_view(1, recs, sizeof(recs) / sizeof(recs[0]), &sc);
	struct mesh_routes *r = NULL;
	const struct mesh_route *t;
	size_t n;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	assert_hop(r, 2, false, 2);
	assert_unreachable(r, 3, false);
	assert_unreachable(r, 4, false);
	assert_unreachable(r, 5, false);
	assert_unreachable(r, 6, false);
	mesh_routes_table(r, false, &t, &n);
	ck_assert_uint_eq(n, 2);
	assert_hop(r, 2, true, 2);
	assert_hop(r, 3, true, 3);
	assert_hop(r, 4, true, 4);
	assert_hop(r, 5, true, 3);
	assert_hop(r, 6, true, 2);
	mesh_routes_table(r, true, &t, &n);
	ck_assert_uint_eq(n, 6);
	assert_bcast(r, ps, 1, false, (int[]){ 2, 0 });
	assert_bcast(r, ps, 1, true, (int[]){ 2, 3, 4, 0 });
	/* 5's tree never reaches us: 3 does not list us. */
	assert_bcast(r, ps, 5, false, (int[]){ 0 });
	assert_bcast(r, ps, 5, true, (int[]){ 0 });
	/* 2's tree reaches us and 6 (pending) at once; established-only, just us. */
	assert_bcast(r, ps, 2, false, (int[]){ 0 });
	assert_bcast(r, ps, 2, true, (int[]){ 3, 4, 0 });
	mesh_routes_free(r);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_broadcast_star)
{
	static const struct rec star[] = { SYM(5, 1), SYM(5, 2), SYM(5, 3), SYM(5, 4) };
	struct script sc = { 0 };
	struct mesh_routes *r = NULL;
	struct mesh_peers *ps;
	mesh_peer_name_t *hops;
	size_t n;
	int all;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ps = build_view(5, star, 8, &sc);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (all = 0; all < 2; all++) {
		assert_bcast(r, ps, 5, all, (int[]){ 1, 2, 3, 4, 0 });
		assert_bcast(r, ps, 1, all, (int[]){ 2, 3, 4, 0 });
		assert_bcast(r, ps, 2, all, (int[]){ 1, 3, 4, 0 });
		assert_bcast(r, ps, 4, all, (int[]){ 1, 2, 3, 0 });
	}
	/* The uncached form agrees. */
	ck_assert_int_eq(mesh_routes_calculate_broadcast(ps, NAME(3), false, &hops, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(hops[2], NAME(4));
	free(hops);
	mesh_peers_free(ps);

	/* A leaf relays nothing. */
	ps = build_view(1, star, 8, &sc);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (all = 0; all < 2; all++) {
		assert_bcast(r, ps, 1, all, (int[]){ 5, 0 });
		assert_bcast(r, ps, 5, all, (int[]){ 0 });
		assert_bcast(r, ps, 3, all, (int[]){ 0 });
		assert_hop(r, 3, all, 5);
	}
	mesh_peers_free(ps);
	mesh_routes_free(r);
}
END_TEST

START_TEST(test_broadcast_chain)
{
	static const struct rec chain[] = { SYM(1, 2), SYM(2, 3), SYM(3, 4) };
	struct script sc = { 0 };
	struct mesh_peers *ps = build_view(2, chain, 6, &sc);
	struct mesh_routes *r = NULL;
	int all;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (all = 0; all < 2; all++) {
		assert_bcast(r, ps, 2, all, (int[]){ 1, 3, 0 });
		assert_bcast(r, ps, 1, all, (int[]){ 3, 0 });
		assert_bcast(r, ps, 3, all, (int[]){ 1, 0 });
		assert_bcast(r, ps, 4, all, (int[]){ 1, 0 });
		assert_hop(r, 4, all, 3);
		assert_hop(r, 1, all, 1);
	}
	/* Cached until the next calculation, then recomputed. */
	assert_bcast(r, ps, 4, false, (int[]){ 1, 0 });
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	assert_bcast(r, ps, 4, false, (int[]){ 1, 0 });
	mesh_routes_free(r);
	mesh_peers_free(ps);
}
END_TEST

START_TEST(test_random_neighbours)
{
	/* We (1) have neighbours 2..9; 2 leads to 10..13 as well. 13 peers: 7 picks. */
	static const struct rec recs[] = { SYM(1, 2),  SYM(1, 3),  SYM(1, 4),  SYM(1, 5),
					   SYM(1, 6),  SYM(1, 7),  SYM(1, 8),  SYM(1, 9),
					   SYM(2, 10), SYM(2, 11), SYM(2, 12), SYM(2, 13) };
	static const uint64_t script[] = { 4, 0, 11 };
	struct script sc = { script, 3, 0, 12345 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_peers *ps = build_view(1, recs, sizeof(recs) / sizeof(recs[0]), &sc);
	struct mesh_routes *r = NULL;
	mesh_peer_name_t *got;
	unsigned first2 = 0, trial;
	bool seen[16];
	size_t n, i;

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	/* Weights: 2 carries 5 destinations, the others 1 each, 12 in all. */
	ck_assert_int_eq(mesh_routes_random_neighbours(r, MESH_PEER_NAME_UNKNOWN, &rnd, &got, &n),
			 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(got[0], NAME(2)); /* 4 < 5 */
	ck_assert_uint_eq(got[1], NAME(3)); /* 0: the first left */
	ck_assert_uint_eq(got[2], NAME(9)); /* 11 % 6 = 5: the last left */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		ck_assert(IDX(got[i]) >= 2 && IDX(got[i]) <= 9);
		ck_assert(!seen[IDX(got[i])]);
		seen[IDX(got[i])] = true;
	}
	free(got);

	/* Excluding 2 leaves 7 neighbours of weight 1: all of them. */
	ck_assert_int_eq(mesh_routes_random_neighbours(r, NAME(2), &rnd, &got, &n), 0);
	ck_assert_uint_eq(n, 7);
	for (i = 0; i < n; i++)
		ck_assert_uint_ne(got[i], NAME(2));
	free(got);

	/* The weighting shows: 2 comes first about 5/12 of the time. */
	for (trial = 0; trial < 12000; trial++) {
		ck_assert_int_eq(mesh_routes_random_neighbours(r, MESH_PEER_NAME_UNKNOWN, &rnd,
							       &got, &n),
				 0);
		first2 += got[0] == NAME(2);
		free(got);
	}
	ck_assert_uint_gt(first2, 4600);
	ck_assert_uint_lt(first2, 5400);
	mesh_routes_free(r);
	mesh_peers_free(ps);

	/* Alone: nobody to gossip to. Two peers: the one neighbour. */
	ps = new_self(NAME(1), 1, 1, &sc);
	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	ck_assert_int_eq(mesh_routes_random_neighbours(r, 0, &rnd, &got, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(got);
	connect_local(ps, info(NAME(2), 2, 0, 2), true, false);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	ck_assert_int_eq(mesh_routes_random_neighbours(r, 0, &rnd, &got, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(got[0], NAME(2));
	free(got);
	mesh_routes_free(r);
	mesh_peers_free(ps);
}
END_TEST

/* A full mesh of @n peers seen from peer 1. */
static void full_mesh_scale(unsigned n)
{
	struct script sc = { .state = 99 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_peers *ps = new_self(NAME(1), 1, 1, &sc);
	struct mesh_peers_changes ch;
	struct mesh_peer_summary *s = calloc(n, sizeof(*s));
	struct mesh_routes *r = NULL;
	const struct mesh_route *t;
	const mesh_peer_name_t *hops;
	mesh_peer_name_t *nb;
	unsigned i, j, k, expect_nb = 0;
	size_t cnt;

	ck_assert_ptr_nonnull(s);
	for (i = 2; i <= n; i++)
		connect_local(ps, info(NAME(i), i, 0, (int)i), i % 2, true);
	for (i = 2; i <= n; i++) {
		struct mesh_peer_summary *p = &s[i - 2];

		p->info = info(NAME(i), i, 1, (int)i);
		p->conns = calloc(n - 1, sizeof(*p->conns));
		ck_assert_ptr_nonnull(p->conns);
		for (j = 1, k = 0; j <= n; j++) {
			if (j == i)
				continue;
			p->conns[k].name = NAME(j);
			p->conns[k].outbound = j < i;
			conn_addr(p->conns[k].remote_tcp_addr, sizeof(p->conns[k].remote_tcp_addr),
				  NAME(i), NAME(j), j < i);
			p->conns[k++].established = true;
		}
		p->n_conns = k;
	}
	ck_assert_int_eq(mesh_peers_apply_update(ps, s, n - 1, &ch), 0);
	ck_assert_uint_eq(ch.n_improved, n - 1);
	ck_assert_uint_eq(ch.n_removed, 0);
	mesh_peers_changes_done(&ch);
	mesh_peer_summaries_free(s, n - 1);
	ck_assert_uint_eq(mesh_peers_count(ps), n);

	ck_assert_int_eq(mesh_routes_new(&r), 0);
	ck_assert_int_eq(mesh_routes_calculate(r, ps), 0);
	for (k = 0; k < 2; k++) {
		mesh_routes_table(r, k, &t, &cnt);
		ck_assert_uint_eq(cnt, n);
		for (i = 0; i < n; i++)
			ck_assert_uint_eq(t[i].hop, i == 0 ? 0 : t[i].dest);
		ck_assert_int_eq(mesh_routes_broadcast(r, ps, NAME(1), k, &hops, &cnt), 0);
		ck_assert_uint_eq(cnt, n - 1);
		for (i = 2; i <= n; i += n / 7 + 1) {
			ck_assert_int_eq(mesh_routes_broadcast(r, ps, NAME(i), k, &hops, &cnt), 0);
			ck_assert_uint_eq(cnt, 0);
		}
	}
	while ((1ULL << (expect_nb + 1)) <= (uint64_t)n * n)
		expect_nb++;
	ck_assert_int_eq(mesh_routes_random_neighbours(r, 0, &rnd, &nb, &cnt), 0);
	ck_assert_uint_eq(cnt, expect_nb);
	free(nb);
	ck_assert_int_eq(mesh_peers_gc(ps, &ch), 0);
	ck_assert_uint_eq(ch.n_removed, 0);
	mesh_peers_changes_done(&ch);
	mesh_routes_free(r);
	mesh_peers_free(ps);
}

START_TEST(test_routes_scale_100)
{
	full_mesh_scale(100); /* 13 gossip neighbours */
}
END_TEST

START_TEST(test_routes_scale_1000)
{
	full_mesh_scale(1000); /* 19 gossip neighbours */
}
END_TEST

/* --- targets ------------------------------------------------------------------------- */

static struct mesh_targets *new_targets(struct mesh_rand *rnd)
{
	struct mesh_targets *t = NULL;

	ck_assert_int_eq(mesh_targets_new(6783, true, rnd, &t), 0);
	return t;
}

/* Runs a check and returns the due addresses joined by spaces. */
static const char *due(struct mesh_targets *t, const struct mesh_peers *ps, uint64_t now,
		       unsigned limit, uint64_t *ret_wait)
{
	static char buf[4096];
	struct mesh_target_due *d;
	uint64_t wait;
	size_t n, i;

	ck_assert_int_eq(mesh_targets_check(t, ps, now, limit, &d, &n, &wait), 0);
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, d[i].address);
	}
	free(d);
	if (ret_wait)
		*ret_wait = wait;
	return buf;
}

static struct mesh_target_status status_of(const struct mesh_targets *t, const char *address)
{
	struct mesh_target_status *s, found = { .state = 99 };
	size_t n, i;

	ck_assert_int_eq(mesh_targets_status(t, &s, &n), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(s[i].address, address))
			found = s[i];
	free(s);
	return found;
}

static size_t targets_count(const struct mesh_targets *t)
{
	struct mesh_target_status *s;
	size_t n;

	ck_assert_int_eq(mesh_targets_status(t, &s, &n), 0);
	free(s);
	return n;
}

/* How many targets `weave status connections` would list. */
static size_t targets_listed(const struct mesh_targets *t)
{
	struct mesh_target_status *s;
	size_t n, i, k = 0;

	ck_assert_int_eq(mesh_targets_status(t, &s, &n), 0);
	for (i = 0; i < n; i++)
		k += mesh_target_status_state(&s[i]) != NULL;
	free(s);
	return k;
}

START_TEST(test_targets_parse)
{
	static const char *const bad[] = { "",		 ":6783",	"host:abc",
					   "host:70000", "host:123456", "a:b:c",
					   "fe80::1",	 "[::1",	"[::1]x",
					   "[]:6783",	 "host:-1" };
	char host[64];
	uint16_t port;
	size_t i;

	ck_assert_int_eq(mesh_targets_parse_peer("host1", host, sizeof(host), &port), 0);
	ck_assert_str_eq(host, "host1");
	ck_assert_uint_eq(port, 0);
	ck_assert_int_eq(mesh_targets_parse_peer("10.0.0.1:1234", host, sizeof(host), &port), 0);
	ck_assert_str_eq(host, "10.0.0.1");
	ck_assert_uint_eq(port, 1234);
	ck_assert_int_eq(mesh_targets_parse_peer("10.0.0.1:0", host, sizeof(host), &port), 0);
	ck_assert_uint_eq(port, 0);
	ck_assert_int_eq(mesh_targets_parse_peer("[fe80::1]:6783", host, sizeof(host), &port), 0);
	ck_assert_str_eq(host, "fe80::1");
	ck_assert_uint_eq(port, 6783);
	ck_assert_int_eq(mesh_targets_parse_peer("[::1]", host, sizeof(host), &port), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_uint_eq(port, 0);
	ck_assert_int_eq(mesh_targets_parse_peer("averyveryverylonghostname", host, 8, &port),
			 -ENAMETOOLONG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mesh_targets_parse_peer(bad[i], host, sizeof(host), &port) == -EINVAL,
			      "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_targets_direct)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	struct mesh_target_due *d;
	uint64_t wait;
	size_t n;

	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.1", NULL, 0), 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "host2:7000", "10.0.0.2", 0), 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "[fd00::3]", NULL, 0), 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "bad:port:x", NULL, 0), -EINVAL);
	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.1", NULL, 0), 0); /* again */
	ck_assert_uint_eq(mesh_targets_direct_count(t), 3);
	ck_assert_str_eq(mesh_targets_direct_at(t, 1), "host2:7000");
	ck_assert_ptr_null(mesh_targets_direct_at(t, 3));

	/* First try immediately; direct peers may be new peers. */
	ck_assert_int_eq(mesh_targets_check(t, NULL, 5000, 0, &d, &n, &wait), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(d[0].address, "10.0.0.1:6783");
	ck_assert_str_eq(d[1].address, "10.0.0.2:7000");
	ck_assert_str_eq(d[2].address, "[fd00::3]:6783");
	ck_assert(d[0].accept_new_peer && d[1].accept_new_peer);
	ck_assert_uint_eq(wait, UINT64_MAX);
	free(d);
	ck_assert_str_eq(mesh_target_status_state(
				 &(struct mesh_target_status){ .state = MESH_TARGET_ATTEMPTING }),
			 "connecting");
	ck_assert_str_eq(mesh_target_status_state(&(struct mesh_target_status){
				 .state = MESH_TARGET_ATTEMPTING, .has_error = true }),
			 "retrying");
	/* Attempting targets are not handed out twice. */
	ck_assert_str_eq(due(t, NULL, 6000, 0, NULL), "");
	ck_assert_int_eq(mesh_targets_attempt_failed(t, "10.0.0.7:6783", "x", 0), -ENOENT);
	ck_assert_ptr_null(mesh_targets_free(t));
	ck_assert_ptr_null(mesh_targets_free(NULL));
}
END_TEST

/* A dial that fails at once leaves the target waiting: the wait the check computed before
 * the dial must not be the one the caller sleeps on.
 */
START_TEST(test_targets_next_wait)
{
	static const uint64_t zero[1] = { 0 };
	struct script sc = { zero, 1, 0, 7 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	uint64_t wait, now = 1000;

	ck_assert_uint_eq(mesh_targets_next_wait(t, now), UINT64_MAX);
	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, now), 0);
	ck_assert_str_eq(due(t, NULL, now, 0, &wait), "10.0.0.9:6783");
	ck_assert_uint_eq(wait, UINT64_MAX); /* nothing waits while the dial runs */
	ck_assert_int_eq(mesh_targets_attempt_failed(t, "10.0.0.9:6783",
						     "connect: network is unreachable", now),
			 0);
	wait = mesh_targets_next_wait(t, now);
	ck_assert_uint_ge(wait, 1000);
	ck_assert_uint_lt(wait, 3000);
	ck_assert_uint_eq(mesh_targets_next_wait(t, now + wait), 0);
	mesh_targets_free(t);
}
END_TEST

START_TEST(test_targets_backoff)
{
	static const char err[] = "dial tcp4 10.0.0.9:6783: connect: no route to host";
	static const char addr[] = "10.0.0.9:6783";
	static const uint64_t zero[1] = { 0 };
	uint64_t lo[16], hi[16], interval = 2000, now, wait;
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_target_status st;
	struct mesh_targets *t;
	int round, i;

	for (i = 0; i < 16; i++) {
		lo[i] = interval - 1; /* i - 1 for the script: delay 3i/2 - 1 */
		hi[i] = interval;
		interval = interval * 3 / 2;
		if (interval > 360000)
			interval = 360000;
	}
	ck_assert_uint_eq(hi[5], 15187);
	ck_assert_uint_eq(hi[13], 360000);

	/* Three runs: the random part at its minimum, its maximum, and pseudo-random. */
	for (round = 0; round < 3; round++) {
		sc = (struct script){ round == 1 ? lo : NULL, round == 1 ? 16 : 0, 0, 7 };
		t = new_targets(&rnd);
		now = 1000;
		ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, now), 0);
		ck_assert_str_eq(due(t, NULL, now, 0, NULL), addr);
		st = status_of(t, addr);
		ck_assert_str_eq(mesh_target_status_state(&st), "connecting");
		for (i = 0; i < 16; i++) {
			uint64_t delay;

			if (round == 0)
				sc = (struct script){ zero, 1, 0, 0 };
			ck_assert_int_eq(mesh_targets_attempt_failed(t, addr, err, now), 0);
			st = status_of(t, addr);
			ck_assert_str_eq(mesh_target_status_state(&st), "failed");
			ck_assert_str_eq(st.last_error, err);
			ck_assert(!st.retry_never);
			delay = st.retry_at_ms - now;
			ck_assert_uint_ge(delay, hi[i] / 2);
			ck_assert_uint_lt(delay, hi[i] / 2 + hi[i]);
			if (round == 0)
				ck_assert_uint_eq(delay, hi[i] / 2);
			if (round == 1)
				ck_assert_uint_eq(delay, hi[i] / 2 + hi[i] - 1);
			ck_assert_str_eq(due(t, NULL, st.retry_at_ms - 1, 0, &wait), "");
			ck_assert_uint_eq(wait, 1);
			now = st.retry_at_ms;
			ck_assert_str_eq(due(t, NULL, now, 0, NULL), addr);
			st = status_of(t, addr);
			ck_assert_str_eq(mesh_target_status_state(&st), "retrying");
		}
		/* Re-adding the peer curtails the back-off. */
		ck_assert_int_eq(mesh_targets_attempt_failed(t, addr, err, now), 0);
		ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, now + 5), 0);
		ck_assert_str_eq(due(t, NULL, now + 5, 0, NULL), addr);
		ck_assert_int_eq(mesh_targets_attempt_failed(t, addr, err, now + 5), 0);
		st = status_of(t, addr);
		ck_assert_uint_lt(st.retry_at_ms - (now + 5), 3000);
		mesh_targets_free(t);
	}
}
END_TEST

START_TEST(test_targets_never)
{
	static const char addr[] = "10.0.0.9:6783";
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	struct mesh_target_status st;
	uint64_t wait;
	int kind;

	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, 0), 0);
	for (kind = MESH_CONN_ERROR_SELF; kind <= MESH_CONN_ERROR_NAME_COLLISION; kind++) {
		ck_assert_str_eq(due(t, NULL, 0, 0, NULL), addr);
		ck_assert_int_eq(mesh_targets_connection_terminated(
					 t, 1, addr, true, kind, "cannot connect to ourself", 10),
				 0);
		st = status_of(t, addr);
		ck_assert_str_eq(mesh_target_status_state(&st), "failed");
		ck_assert(st.retry_never);
		ck_assert_str_eq(due(t, NULL, 3600 * 1000, 0, &wait), "");
		ck_assert_uint_eq(wait, UINT64_MAX);
		/* `weave connect` again: tried at once. */
		ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, 0), 0);
	}
	mesh_targets_free(t);
}
END_TEST

START_TEST(test_targets_long_lived)
{
	static const char addr[] = "10.0.0.9:6783";
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	struct mesh_target_status st;

	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.9", NULL, 0), 0);
	ck_assert_str_eq(due(t, NULL, 0, 0, NULL), addr);
	ck_assert_int_eq(mesh_targets_connection_created(t, 1, NAME(9), addr, true), 0);
	ck_assert_int_eq(mesh_targets_connection_created(t, 1, NAME(9), addr, true), -EEXIST);
	st = status_of(t, addr);
	ck_assert_int_eq(st.state, MESH_TARGET_CONNECTED);
	ck_assert_ptr_null(mesh_target_status_state(&st));
	ck_assert_str_eq(due(t, NULL, 1000, 0, NULL), "");
	/* Lived exactly a minute past its scheduled time: back-off still applies. */
	ck_assert_int_eq(mesh_targets_connection_terminated(t, 1, addr, true, MESH_CONN_ERROR_OTHER,
							    "read: connection reset", 60000),
			 0);
	st = status_of(t, addr);
	ck_assert_uint_ge(st.retry_at_ms, 61000);
	ck_assert_uint_lt(st.retry_at_ms, 63000);
	ck_assert_str_eq(due(t, NULL, st.retry_at_ms, 0, NULL), addr);
	ck_assert_int_eq(mesh_targets_connection_created(t, 2, NAME(9), addr, true), 0);
	/* More than a minute: retried at once. */
	ck_assert_int_eq(mesh_targets_connection_terminated(t, 2, addr, true, MESH_CONN_ERROR_OTHER,
							    "read: connection reset",
							    st.retry_at_ms + 60001),
			 0);
	ck_assert_str_eq(due(t, NULL, st.retry_at_ms + 60001, 0, NULL), addr);
	mesh_targets_free(t);
}
END_TEST

START_TEST(test_targets_forget)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);

	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.1", NULL, 0), 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.2", NULL, 0), 0);
	ck_assert_str_eq(due(t, NULL, 0, 0, NULL), "10.0.0.1:6783 10.0.0.2:6783");
	ck_assert_int_eq(mesh_targets_attempt_failed(t, "10.0.0.1:6783", "refused", 0), 0);
	ck_assert_int_eq(mesh_targets_forget(t, "10.0.0.1"), 0);
	ck_assert_int_eq(mesh_targets_forget(t, "10.0.0.1"), -ENOENT);
	ck_assert_int_eq(mesh_targets_forget(t, "10.0.0.1:6783"), -ENOENT);
	ck_assert_uint_eq(mesh_targets_direct_count(t), 1);
	ck_assert_str_eq(mesh_targets_direct_at(t, 0), "10.0.0.2");
	/* The forgotten target goes at the next check; the one being dialled stays. */
	ck_assert_uint_eq(targets_count(t), 2);
	ck_assert_str_eq(due(t, NULL, 100000, 0, NULL), "");
	ck_assert_uint_eq(targets_count(t), 1);
	ck_assert_int_eq(mesh_targets_forget(t, "10.0.0.2"), 0);
	ck_assert_int_eq(mesh_targets_connection_created(t, 5, NAME(2), "10.0.0.2:6783", true), 0);
	ck_assert_str_eq(due(t, NULL, 100000, 0, NULL), "");
	ck_assert_uint_eq(targets_count(t), 1); /* connected: left alone */
	mesh_targets_clear_direct(t);
	ck_assert_uint_eq(mesh_targets_direct_count(t), 0);
	mesh_targets_free(t);
}
END_TEST

START_TEST(test_targets_conn_limit)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	struct mesh_target_status st;
	uint64_t wait;

	ck_assert_int_eq(mesh_targets_connection_created(t, 7, NAME(7), "10.0.0.7:41000", false),
			 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.1", NULL, 0), 0);
	ck_assert_str_eq(due(t, NULL, 0, 1, &wait), "");
	st = status_of(t, "10.0.0.1:6783");
	ck_assert_str_eq(mesh_target_status_state(&st), "failed");
	ck_assert_str_eq(st.last_error, "Connection limit reached (1)");
	ck_assert_uint_ge(wait, 1000);
	ck_assert_uint_lt(wait, 3000);
	ck_assert_str_eq(due(t, NULL, wait, 2, NULL), "10.0.0.1:6783");
	mesh_targets_free(t);
}
END_TEST

START_TEST(test_targets_no_port_inbound)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_targets *t = new_targets(&rnd);
	struct mesh_target_status st;

	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.5", NULL, 0), 0);
	ck_assert_int_eq(mesh_targets_add_direct(t, "10.0.0.6:6783", NULL, 0), 0);
	ck_assert_str_eq(due(t, NULL, 0, 0, NULL), "10.0.0.5:6783 10.0.0.6:6783");
	ck_assert_int_eq(mesh_targets_attempt_failed(t, "10.0.0.5:6783", "timeout", 0), 0);
	ck_assert_int_eq(mesh_targets_attempt_failed(t, "10.0.0.6:6783", "timeout", 0), 0);
	/* Both connect to us: the one given without a port is not dialled any more. */
	ck_assert_int_eq(mesh_targets_connection_created(t, 1, NAME(5), "10.0.0.5:41000", false),
			 0);
	ck_assert_int_eq(mesh_targets_connection_created(t, 2, NAME(6), "10.0.0.6:41001", false),
			 0);
	ck_assert_str_eq(due(t, NULL, 100000, 0, NULL), "10.0.0.6:6783");
	st = status_of(t, "10.0.0.5:6783");
	ck_assert_int_eq(st.state, MESH_TARGET_SUSPENDED);
	ck_assert_ptr_null(mesh_target_status_state(&st));
	/* It goes away: the suspended target is dialled again. */
	ck_assert_int_eq(mesh_targets_connection_terminated(t, 1, "10.0.0.5:41000", false,
							    MESH_CONN_ERROR_OTHER, "EOF", 100000),
			 0);
	ck_assert_str_eq(due(t, NULL, 100000, 0, NULL), "10.0.0.5:6783");
	mesh_targets_free(t);
}
END_TEST

/* Four hosts, each with its topology and connection maker, on 10.0.0.1-4. */
struct host {
	struct mesh_peers *ps;
	struct mesh_targets *t;
};

static bool host_connected(struct host *h, int a, int b)
{
	return mesh_peer_conn(mesh_peers_self(h[a].ps), NAME(b)) != NULL;
}

static void host_connect(struct host *h, int a, int b, uint64_t *conn_id)
{
	char out[32], in[32];

	conn_addr(out, sizeof(out), NAME(a), NAME(b), true);
	conn_addr(in, sizeof(in), NAME(b), NAME(a), false);
	connect_local(h[a].ps, info(NAME(b), b, 0, b), true, true);
	connect_local(h[b].ps, info(NAME(a), a, 0, a), false, true);
	ck_assert_int_eq(mesh_targets_connection_created(h[a].t, ++*conn_id, NAME(b), out, true),
			 0);
	ck_assert_int_eq(mesh_targets_connection_created(h[b].t, *conn_id, NAME(a), in, false), 0);
}

/* Gossips full states along connections until nothing improves. */
static void hosts_gossip(struct host *h)
{
	struct mesh_peer_summary *s;
	struct mesh_peers_changes ch;
	bool more = true;
	size_t n;
	int a, b;

	while (more) {
		more = false;
		for (a = 1; a <= 4; a++) {
			for (b = 1; b <= 4; b++) {
				if (a == b || !host_connected(h, a, b))
					continue;
				ck_assert_int_eq(mesh_peers_summarize(h[a].ps, NULL, 0, &s, &n), 0);
				ck_assert_int_eq(mesh_peers_apply_update(h[b].ps, s, n, &ch), 0);
				more |= ch.n_improved > 0 || ch.local_modified;
				mesh_peers_changes_done(&ch);
				mesh_peer_summaries_free(s, n);
			}
		}
	}
}

/* Dials what each host finds due, unless the two are connected already. */
static bool hosts_dial(struct host *h, uint64_t now, uint64_t *conn_id, char due_of[5][256])
{
	struct mesh_target_due *d[5];
	size_t n[5], i;
	uint64_t wait;
	bool any = false;
	int a, b;

	for (a = 1; a <= 4; a++) {
		ck_assert_int_eq(mesh_targets_check(h[a].t, h[a].ps, now, 0, &d[a], &n[a], &wait),
				 0);
		due_of[a][0] = 0;
		for (i = 0; i < n[a]; i++) {
			strcat(due_of[a], i ? " " : "");
			strcat(due_of[a], d[a][i].address);
		}
	}
	for (a = 1; a <= 4; a++) {
		for (i = 0; i < n[a]; i++) {
			b = d[a][i].address[7] - '0';
			ck_assert_int_ne(a, b);
			if (host_connected(h, a, b)) {
				ck_assert_int_eq(
					mesh_targets_attempt_failed(h[a].t, d[a][i].address,
								    "Multiple connections", now),
					0);
				continue;
			}
			ck_assert(d[a][i].accept_new_peer || mesh_peers_find(h[a].ps, NAME(b)));
			host_connect(h, a, b, conn_id);
			any = true;
		}
		free(d[a]);
	}
	return any;
}

START_TEST(test_targets_discovery_seed)
{
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct host h[5] = { 0 };
	char due_of[5][256];
	uint64_t conn_id = 0, now = 0;
	int a, round;

	for (a = 1; a <= 4; a++) {
		h[a].ps = new_self(NAME(a), a, (uint16_t)a, &sc);
		h[a].t = new_targets(&rnd);
	}
	/* host2: launch host1; host3: launch host2; host4: launch host3. */
	ck_assert_int_eq(mesh_targets_add_direct(h[2].t, "10.0.0.1", NULL, now), 0);
	ck_assert_int_eq(mesh_targets_add_direct(h[3].t, "10.0.0.2", NULL, now), 0);
	ck_assert_int_eq(mesh_targets_add_direct(h[4].t, "10.0.0.3", NULL, now), 0);
	ck_assert(hosts_dial(h, now, &conn_id, due_of));
	ck_assert_str_eq(due_of[1], "");
	ck_assert_str_eq(due_of[2], "10.0.0.1:6783");
	ck_assert_str_eq(due_of[3], "10.0.0.2:6783");
	ck_assert_str_eq(due_of[4], "10.0.0.3:6783");
	hosts_gossip(h);
	for (a = 1; a <= 4; a++)
		ck_assert_uint_eq(mesh_peers_count(h[a].ps), 4);

	/* Each host now finds every host it is not connected to: from outbound records
	 * their listening address, from inbound ones their IP with our port.
	 */
	now += 1000;
	ck_assert(hosts_dial(h, now, &conn_id, due_of));
	ck_assert_str_eq(due_of[1], "10.0.0.3:6783 10.0.0.4:6783");
	ck_assert_str_eq(due_of[2], "10.0.0.4:6783");
	ck_assert_str_eq(due_of[3], "10.0.0.1:6783");
	ck_assert_str_eq(due_of[4], "10.0.0.1:6783 10.0.0.2:6783");
	for (round = 0; round < 5; round++) {
		hosts_gossip(h);
		now += 10 * 60 * 1000;
		hosts_dial(h, now, &conn_id, due_of);
	}
	for (a = 1; a <= 4; a++) {
		ck_assert_uint_eq(mesh_peers_self(h[a].ps)->n_conns, 3);
		ck_assert_str_eq(due_of[a], "");
	}
	/* Nothing is left failing: the targets dialled are connected, the duplicates
	 * dropped.
	 */
	for (a = 1; a <= 4; a++)
		ck_assert_uint_eq(targets_listed(h[a].t), 0);
	ck_assert_uint_eq(targets_count(h[1].t), 2);
	ck_assert_int_eq(status_of(h[1].t, "10.0.0.3:6783").state, MESH_TARGET_CONNECTED);
	ck_assert_int_eq(status_of(h[2].t, "10.0.0.1:6783").state, MESH_TARGET_CONNECTED);
	for (a = 1; a <= 4; a++) {
		mesh_peers_free(h[a].ps);
		mesh_targets_free(h[a].t);
	}
}
END_TEST

START_TEST(test_targets_discovery_disabled)
{
	static const struct rec chain[] = { SYM(2, 1), SYM(3, 2) };
	struct script sc = { 0 };
	struct mesh_rand rnd = { script_next, &sc };
	struct mesh_peers *ps = build_view(1, chain, 4, &sc);
	struct mesh_targets *t = NULL;

	ck_assert_int_eq(mesh_targets_new(0, false, &rnd, &t), 0);
	ck_assert_int_eq(mesh_targets_connection_created(t, 1, NAME(2), "10.0.0.2:40001", false),
			 0);
	ck_assert_str_eq(due(t, ps, 0, 0, NULL), "");
	mesh_targets_free(t);
	ck_assert_int_eq(mesh_targets_new(0, true, &rnd, &t), 0);
	ck_assert_int_eq(mesh_targets_connection_created(t, 1, NAME(2), "10.0.0.2:40001", false),
			 0);
	ck_assert_str_eq(due(t, ps, 0, 0, NULL), "10.0.0.3:6783");
	ck_assert(!status_of(t, "10.0.0.3:6783").direct);
	mesh_targets_free(t);
	mesh_peers_free(ps);
}
END_TEST

static Suite *mesh_suite(void)
{
	Suite *s = suite_create("mesh");
	TCase *tc;

	tc = tcase_create("peer_name");
	tcase_add_test(tc, test_name_parse_full);
	tcase_add_test(tc, test_name_parse_compressed);
	tcase_add_test(tc, test_name_parse_rejects);
	tcase_add_test(tc, test_name_format_bytes);
	tcase_add_test(tc, test_name_derive);
	suite_add_tcase(s, tc);

	tc = tcase_create("peers");
	tcase_add_test(tc, test_peers_new);
	tcase_add_test(tc, test_peers_local_conns);
	tcase_add_test(tc, test_merge_new_peer);
	tcase_add_test(tc, test_merge_rules);
	tcase_add_test(tc, test_merge_placeholders);
	tcase_add_test(tc, test_merge_self_old_uid);
	tcase_add_test(tc, test_merge_rejects);
	tcase_add_test(tc, test_short_id_loser);
	tcase_add_test(tc, test_short_id_winner);
	tcase_add_test(tc, test_short_id_scan);
	tcase_add_test(tc, test_short_id_owner_collected);
	tcase_add_test(tc, test_gc_partition);
	tcase_add_test(tc, test_short_id_crowded);
	tcase_add_test(tc, test_summaries);
	tcase_add_test(tc, test_iteration_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("routes");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_routes_chain);
	tcase_add_test(tc, test_routes_full_mesh4);
	tcase_add_test(tc, test_routes_asymmetric);
	tcase_add_test(tc, test_broadcast_star);
	tcase_add_test(tc, test_broadcast_chain);
	tcase_add_test(tc, test_random_neighbours);
	tcase_add_test(tc, test_routes_scale_100);
	tcase_add_test(tc, test_routes_scale_1000);
	suite_add_tcase(s, tc);

	tc = tcase_create("targets");
	tcase_add_test(tc, test_targets_parse);
	tcase_add_test(tc, test_targets_direct);
	tcase_add_test(tc, test_targets_backoff);
	tcase_add_test(tc, test_targets_next_wait);
	tcase_add_test(tc, test_targets_never);
	tcase_add_test(tc, test_targets_long_lived);
	tcase_add_test(tc, test_targets_forget);
	tcase_add_test(tc, test_targets_conn_limit);
	tcase_add_test(tc, test_targets_no_port_inbound);
	tcase_add_test(tc, test_targets_discovery_seed);
	tcase_add_test(tc, test_targets_discovery_disabled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mesh_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
