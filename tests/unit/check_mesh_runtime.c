// SPDX-License-Identifier: GPL-2.0
/* check_mesh_runtime: the mesh's run-time pieces: gossip dispatch, relaying and the surrogate
 * (over a recording transport), and two connections handshaking over a socketpair.
 */
#include "lib/evl.h"
#include "lib/log.h"
#include "mesh/connection.h"
#include "mesh/gossip.h"
#include "mesh/protocol.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SELF ((mesh_peer_name_t)0x0a0000000001ULL)
#define PEER_B ((mesh_peer_name_t)0x0a0000000002ULL)
#define PEER_C ((mesh_peer_name_t)0x0a0000000003ULL)
#define PEER_D ((mesh_peer_name_t)0x0a0000000004ULL)

/* --- a transport that records what is sent ------------------------------------------------- */

struct sent {
	mesh_peer_name_t to;
	uint8_t tag;
};

struct fake {
	struct sent sent[32];
	size_t n_sent;
	int delivered, unicasts, broadcasts;
};

static int fake_send(void *ud, mesh_peer_name_t to, uint8_t tag, const uint8_t *p, size_t len)
{
	struct fake *f = ud;

	(void)p;
	(void)len;
	if (f->n_sent < 32)
		f->sent[f->n_sent++] = (struct sent){ to, tag };
	return 0;
}

static int fake_neighbours(void *ud, mesh_peer_name_t except, mesh_peer_name_t **ret, size_t *n)
{
	static const mesh_peer_name_t all[] = { PEER_B, PEER_C };

	(void)ud;
	*ret = malloc(sizeof(all));
	*n = 0;
	for (size_t i = 0; i < 2; i++)
		if (all[i] != except)
			(*ret)[(*n)++] = all[i];
	return 0;
}

static int fake_bhops(void *ud, mesh_peer_name_t src, mesh_peer_name_t **ret, size_t *n)
{
	(void)ud;
	*ret = malloc(sizeof(**ret));
	**ret = src == PEER_B ? PEER_C : PEER_B;
	*n = 1;
	return 0;
}

static int fake_uhop(void *ud, mesh_peer_name_t dst, mesh_peer_name_t *hop)
{
	(void)ud;
	*hop = dst == PEER_D ? PEER_C : dst;
	return 0;
}

static int ch_gossip(void *ud, uint8_t **data, size_t *len)
{
	(void)ud;
	*data = (uint8_t *)strdup("state");
	*len = 5;
	return 0;
}

static int ch_on_gossip(void *ud, mesh_peer_name_t src, const uint8_t *d, size_t n, uint8_t **out,
			size_t *olen)
{
	struct fake *f = ud;

	(void)src;
	f->delivered++;
	if (n == 3 && !memcmp(d, "new", 3)) {
		*out = (uint8_t *)strdup("new");
		*olen = 3;
	}
	return 0;
}

static int ch_on_broadcast(void *ud, mesh_peer_name_t src, const uint8_t *d, size_t n)
{
	(void)src;
	(void)d;
	(void)n;
	((struct fake *)ud)->broadcasts++;
	return 0;
}

static int ch_on_unicast(void *ud, mesh_peer_name_t src, const uint8_t *d, size_t n)
{
	(void)src;
	(void)d;
	(void)n;
	((struct fake *)ud)->unicasts++;
	return 0;
}

static const struct gossip_channel_ops ch_ops = {
	.gossip = ch_gossip,
	.on_gossip = ch_on_gossip,
	.on_broadcast = ch_on_broadcast,
	.on_unicast = ch_on_unicast,
};

static struct gossip *new_gossip(struct fake *f, struct gossip_channel **ret_ch)
{
	struct gossip_transport t = {
		.send = fake_send,
		.random_neighbours = fake_neighbours,
		.broadcast_hops = fake_bhops,
		.unicast_hop = fake_uhop,
		.userdata = f,
	};
	struct gossip *g;

	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(gossip_new(SELF, &t, &g), 0);
	ck_assert_int_eq(gossip_register(g, "test", &ch_ops, f, ret_ch), 0);
	return g;
}

static void receive(struct gossip *g, mesh_peer_name_t from, uint8_t tag, const char *ch,
		    mesh_peer_name_t src, mesh_peer_name_t dst, const char *data, int expect)
{
	uint8_t *p = NULL;
	size_t len = 0;

	ck_assert_int_eq(mesh_gossip_encode(tag, ch, src, dst, data, strlen(data), &p, &len), 0);
	ck_assert_int_eq(gossip_receive(g, from, tag, p, len), expect);
	free(p);
}

START_TEST(test_gossip_register_and_send_all)
{
	struct fake f;
	struct gossip_channel *ch, *dup;
	struct gossip *g = new_gossip(&f, &ch);

	ck_assert_int_eq(gossip_register(g, "test", &ch_ops, &f, &dup), -EEXIST);
	ck_assert_int_eq(gossip_send_all_to(g, PEER_B), 0);
	ck_assert_uint_eq(f.n_sent, 1);
	ck_assert_uint_eq(f.sent[0].to, PEER_B);
	ck_assert_uint_eq(f.sent[0].tag, MESH_TAG_GOSSIP);
	f.n_sent = 0;
	ck_assert_int_eq(gossip_periodic(g), 0);
	ck_assert_uint_eq(f.n_sent, 2); /* to both neighbours */
	gossip_free(g);
}
END_TEST

START_TEST(test_gossip_receive_regossips_improved)
{
	struct fake f;
	struct gossip_channel *ch;
	struct gossip *g = new_gossip(&f, &ch);

	receive(g, PEER_B, MESH_TAG_GOSSIP, "test", PEER_B, 0, "old", 0);
	ck_assert_int_eq(f.delivered, 1);
	ck_assert_uint_eq(f.n_sent, 0);
	receive(g, PEER_B, MESH_TAG_GOSSIP, "test", PEER_B, 0, "new", 0);
	ck_assert_uint_eq(f.n_sent, 1); /* on to the neighbours except the sender */
	ck_assert_uint_eq(f.sent[0].to, PEER_C);
	gossip_free(g);
}
END_TEST

START_TEST(test_gossip_unicast_and_broadcast)
{
	struct fake f;
	struct gossip_channel *ch;
	struct gossip *g = new_gossip(&f, &ch);

	receive(g, PEER_B, MESH_TAG_GOSSIP_UNICAST, "test", PEER_B, SELF, "x", 0);
	ck_assert_int_eq(f.unicasts, 1);
	ck_assert_uint_eq(f.n_sent, 0);
	receive(g, PEER_B, MESH_TAG_GOSSIP_UNICAST, "test", PEER_B, PEER_D, "x", 0);
	ck_assert_int_eq(f.unicasts, 1);
	ck_assert_uint_eq(f.n_sent, 1); /* relayed towards D */
	ck_assert_uint_eq(f.sent[0].to, PEER_C);
	receive(g, PEER_B, MESH_TAG_GOSSIP_BROADCAST, "test", PEER_B, 0, "x", 0);
	ck_assert_int_eq(f.broadcasts, 1);
	ck_assert_uint_eq(f.n_sent, 2);
	ck_assert_uint_eq(f.sent[1].to, PEER_C);
	ck_assert_uint_eq(f.sent[1].tag, MESH_TAG_GOSSIP_BROADCAST);
	ck_assert_int_eq(gossip_channel_unicast(ch, PEER_D, (const uint8_t *)"y", 1), 0);
	ck_assert_uint_eq(f.sent[2].tag, MESH_TAG_GOSSIP_UNICAST);
	gossip_free(g);
}
END_TEST

START_TEST(test_gossip_surrogate)
{
	struct fake f;
	struct gossip_channel *ch;
	struct gossip *g = new_gossip(&f, &ch);

	receive(g, PEER_B, MESH_TAG_GOSSIP, "IPallocation", PEER_B, 0, "ring", 0);
	ck_assert_uint_eq(f.n_sent, 1); /* relayed once */
	receive(g, PEER_C, MESH_TAG_GOSSIP, "IPallocation", PEER_C, 0, "ring", 0);
	ck_assert_uint_eq(f.n_sent, 1); /* the same data again: de-duplicated */
	ck_assert_int_eq(gossip_periodic(g), 0); /* forgets the hashes */
	f.n_sent = 0;
	receive(g, PEER_C, MESH_TAG_GOSSIP, "IPallocation", PEER_C, 0, "ring", 0);
	ck_assert_uint_eq(f.n_sent, 1);
	receive(g, PEER_B, MESH_TAG_GOSSIP_BROADCAST, "nameserver", PEER_B, 0, "dns", 0);
	ck_assert_uint_eq(f.n_sent, 2); /* broadcasts relayed along the tree */
	ck_assert_int_eq(f.delivered + f.broadcasts, 0);
	gossip_free(g);
}
END_TEST

START_TEST(test_gossip_malformed)
{
	struct fake f;
	struct gossip_channel *ch;
	struct gossip *g = new_gossip(&f, &ch);
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01, 0x02 };

	ck_assert_int_lt(gossip_receive(g, PEER_B, MESH_TAG_GOSSIP, junk, sizeof(junk)), 0);
	ck_assert_int_lt(gossip_receive(g, PEER_B, MESH_TAG_GOSSIP_BROADCAST, junk, 0), 0);
	ck_assert_uint_eq(f.n_sent, 0);
	ck_assert_uint_eq(gossip_fnv64a((const uint8_t *)"a", 1), 0xaf63dc4c8601ec8cULL);
	gossip_free(g);
}
END_TEST

/* --- two connections over a socketpair -------------------------------------------------------- */

struct side {
	struct mesh_conn *c;
	bool ready, closed;
	int messages;
	char error[256];
	mesh_peer_name_t remote;
};

static int side_ready(struct mesh_conn *c, const struct mesh_features_info *remote,
		      struct mesh_error *err, void *ud)
{
	struct side *s = ud;

	(void)c;
	(void)err;
	s->ready = true;
	s->remote = remote->name;
	return 0;
}

static int side_message(struct mesh_conn *c, uint8_t tag, const uint8_t *d, size_t n,
			struct mesh_error *err, void *ud)
{
	(void)c;
	(void)d;
	(void)n;
	(void)err;
	if (tag == MESH_TAG_GOSSIP)
		((struct side *)ud)->messages++;
	return 0;
}

static void side_closed(struct mesh_conn *c, int error, const char *text, void *ud)
{
	struct side *s = ud;

	(void)c;
	(void)error;
	s->closed = true;
	snprintf(s->error, sizeof(s->error), "%s", text);
}

static const struct mesh_conn_ops side_ops = { side_ready, side_message, side_closed };

static void run_pair(mesh_peer_name_t name_a, uint64_t uid_a, mesh_peer_name_t name_b,
		     uint64_t uid_b, const char *pw_a, const char *pw_b, struct side *a,
		     struct side *b)
{
	struct mesh_conn_config ca = { .outbound = true, .remote_addr = "10.0.0.2:6783" };
	struct mesh_conn_config cb = { .outbound = false, .remote_addr = "10.0.0.1:40000" };
	struct evl *evl;
	int sv[2];

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	ck_assert_int_eq(sodium_init() >= 0, 1);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ck_assert_int_eq(evl_new(&evl), 0);
	ca.fd = sv[0];
	cb.fd = sv[1];
	ca.local = (struct mesh_features_info){ .name = name_a, .uid = uid_a };
	cb.local = (struct mesh_features_info){ .name = name_b, .uid = uid_b };
	strcpy(ca.local.nickname, "a");
	strcpy(cb.local.nickname, "b");
	if (pw_a) {
		ca.password = (const uint8_t *)pw_a;
		ca.password_len = strlen(pw_a);
	}
	if (pw_b) {
		cb.password = (const uint8_t *)pw_b;
		cb.password_len = strlen(pw_b);
	}
	ck_assert_int_eq(mesh_conn_new(evl, &ca, &side_ops, a, &a->c), 0);
	ck_assert_int_eq(mesh_conn_new(evl, &cb, &side_ops, b, &b->c), 0);
	for (int i = 0; i < 100 && !(a->ready && b->ready) && !a->closed && !b->closed; i++)
		evl_run_once(evl, 100);
	if (a->ready && b->ready) {
		ck_assert_int_eq(mesh_conn_send(a->c, MESH_TAG_GOSSIP, "x", 1), 0);
		for (int i = 0; i < 20 && b->messages == 0; i++)
			evl_run_once(evl, 100);
		ck_assert_uint_eq(mesh_conn_get_uid(a->c), mesh_conn_get_uid(b->c));
	}
	for (int i = 0; i < 20 && (a->closed != b->closed); i++)
		evl_run_once(evl, 50);
	mesh_conn_free(a->c);
	mesh_conn_free(b->c);
	evl_free(evl);
}

START_TEST(test_conn_handshake)
{
	struct side a, b;

	run_pair(PEER_B, 11, PEER_C, 12, NULL, NULL, &a, &b);
	ck_assert(a.ready && b.ready);
	ck_assert_uint_eq(a.remote, PEER_C);
	ck_assert_uint_eq(b.remote, PEER_B);
	ck_assert_int_eq(b.messages, 1);
}
END_TEST

START_TEST(test_conn_encrypted)
{
	struct side a, b;

	run_pair(PEER_B, 11, PEER_C, 12, "secret", "secret", &a, &b);
	ck_assert(a.ready && b.ready);
	ck_assert_int_eq(b.messages, 1);
	run_pair(PEER_B, 11, PEER_C, 12, "secret", "other", &a, &b);
	ck_assert(!a.ready || !b.ready);
	ck_assert(a.closed || b.closed);
	run_pair(PEER_B, 11, PEER_C, 12, "secret", NULL, &a, &b);
	ck_assert(a.closed && b.closed);
	/* Weave's text, typo included */
	ck_assert_str_eq(b.error,
			 "no password specificed, but peer requested an encrypted connection");
}
END_TEST

static Suite *mesh_runtime_suite(void)
{
	Suite *s = suite_create("mesh_runtime");
	TCase *tc = tcase_create("gossip");

	tcase_add_test(tc, test_gossip_register_and_send_all);
	tcase_add_test(tc, test_gossip_receive_regossips_improved);
	tcase_add_test(tc, test_gossip_unicast_and_broadcast);
	tcase_add_test(tc, test_gossip_surrogate);
	tcase_add_test(tc, test_gossip_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("connection");
	tcase_add_test(tc, test_conn_handshake);
	tcase_add_test(tc, test_conn_encrypted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mesh_runtime_suite());
	int failed;

	log_set_level(LOG_LEVEL_ERROR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
