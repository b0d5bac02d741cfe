// SPDX-License-Identifier: GPL-2.0
/* check_weaver: the daemon's pure logic: the MAC cache, the sleeve forwarding decisions and
 * the ICMP "fragmentation needed" reply.
 */
#include "weaver/forward.h"
#include "weaver/mac_cache.h"
#include "weaver/options.h"

#include "lib/log.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define SELF ((mesh_peer_name_t)0x0a0000000001ULL)
#define PEER_B ((mesh_peer_name_t)0x0a0000000002ULL)
#define PEER_C ((mesh_peer_name_t)0x0a0000000003ULL)

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void frame(uint8_t *f, const uint8_t *dst, const uint8_t *src)
{
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
}

START_TEST(test_mac_cache_learn_lookup)
{
	struct mac_cache *mc;
	mesh_peer_name_t old;

	ck_assert_int_eq(mac_cache_new(&mc), 0);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_a), MESH_PEER_NAME_UNKNOWN);
	ck_assert_int_eq(mac_cache_learn(mc, mac_a, SELF, 1, &old), MAC_CACHE_NEW);
	ck_assert_uint_eq(old, MESH_PEER_NAME_UNKNOWN);
	ck_assert_int_eq(mac_cache_learn(mc, mac_a, SELF, 2, NULL), MAC_CACHE_KNOWN);
	ck_assert_int_eq(mac_cache_learn(mc, mac_a, PEER_B, 3, &old), MAC_CACHE_MOVED);
	ck_assert_uint_eq(old, SELF);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_a), PEER_B);
	ck_assert_uint_eq(mac_cache_count(mc), 1);
	mac_cache_free(mc);
}
END_TEST

START_TEST(test_mac_cache_grows)
{
	struct mac_cache *mc;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };

	ck_assert_int_eq(mac_cache_new(&mc), 0);
	for (unsigned int i = 0; i < 5000; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		ck_assert_int_eq(mac_cache_learn(mc, mac, i % 2 ? PEER_B : PEER_C, i, NULL),
				 MAC_CACHE_NEW);
	}
	ck_assert_uint_eq(mac_cache_count(mc), 5000);
	mac[4] = 0x12;
	mac[5] = 0x34;
	ck_assert_uint_eq(mac_cache_lookup(mc, mac), 0x1234 % 2 ? PEER_B : PEER_C);
	ck_assert_uint_eq(mac_cache_forget_peer(mc, PEER_B), 2500);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac), PEER_C);
	mac_cache_free(mc);
}
END_TEST

START_TEST(test_mac_cache_expiry)
{
	struct mac_cache *mc;

	ck_assert_int_eq(mac_cache_new(&mc), 0);
	mac_cache_learn(mc, mac_a, SELF, 1000, NULL);
	mac_cache_learn(mc, mac_b, PEER_B, 5000, NULL);
	ck_assert_uint_eq(mac_cache_expire(mc, 1000 + MAC_CACHE_MAX_AGE_MS - 1), 0);
	ck_assert_uint_eq(mac_cache_expire(mc, 1000 + MAC_CACHE_MAX_AGE_MS), 1);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_a), MESH_PEER_NAME_UNKNOWN);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_b), PEER_B);
	mac_cache_free(mc);
}
END_TEST

START_TEST(test_forward_captured)
{
	struct mac_cache *mc;
	struct forward_decision d;
	uint8_t f[64];
	static const uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

	ck_assert_int_eq(mac_cache_new(&mc), 0);
	frame(f, bcast, mac_a);
	forward_captured(mc, SELF, f, sizeof(f), 1, &d);
	ck_assert_int_eq(d.action, FORWARD_BROADCAST);
	ck_assert_int_eq(d.learnt, MAC_CACHE_NEW);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_a), SELF);
	frame(f, mac_b, mac_a); /* unknown unicast: broadcast */
	forward_captured(mc, SELF, f, sizeof(f), 2, &d);
	ck_assert_int_eq(d.action, FORWARD_BROADCAST);
	mac_cache_learn(mc, mac_b, PEER_B, 3, NULL);
	forward_captured(mc, SELF, f, sizeof(f), 4, &d);
	ck_assert_int_eq(d.action, FORWARD_UNICAST);
	ck_assert_uint_eq(d.dst_peer, PEER_B);
	frame(f, mac_a, mac_a); /* local destination: the bridge delivered it already */
	forward_captured(mc, SELF, f, sizeof(f), 5, &d);
	ck_assert_int_eq(d.action, FORWARD_DROP);
	frame(f, stp, mac_a);
	forward_captured(mc, SELF, f, sizeof(f), 6, &d);
	ck_assert_int_eq(d.action, FORWARD_DROP);
	forward_captured(mc, SELF, f, 10, 7, &d); /* runt */
	ck_assert_int_eq(d.action, FORWARD_DROP);
	mac_cache_free(mc);
}
END_TEST

START_TEST(test_forward_received)
{
	struct mac_cache *mc;
	struct forward_decision d;
	uint8_t f[64];

	ck_assert_int_eq(mac_cache_new(&mc), 0);
	frame(f, mac_a, mac_b);
	forward_received(mc, SELF, PEER_B, PEER_C, f, sizeof(f), 1, &d); /* relay */
	ck_assert_int_eq(d.action, FORWARD_UNICAST);
	ck_assert_uint_eq(d.dst_peer, PEER_C);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_b), MESH_PEER_NAME_UNKNOWN);
	forward_received(mc, SELF, PEER_B, SELF, f, sizeof(f), 2, &d); /* dst not local yet */
	ck_assert_int_eq(d.action, FORWARD_INJECT_BROADCAST);
	ck_assert_uint_eq(mac_cache_lookup(mc, mac_b), PEER_B);
	mac_cache_learn(mc, mac_a, SELF, 3, NULL);
	forward_received(mc, SELF, PEER_B, SELF, f, sizeof(f), 4, &d);
	ck_assert_int_eq(d.action, FORWARD_INJECT);
	forward_received(mc, SELF, PEER_C, SELF, f, sizeof(f), 5, &d); /* MAC moved */
	ck_assert_int_eq(d.learnt, MAC_CACHE_MOVED);
	frame(f, bcast, mac_b);
	forward_received(mc, SELF, PEER_B, SELF, f, sizeof(f), 6, &d);
	ck_assert_int_eq(d.action, FORWARD_INJECT_BROADCAST);
	forward_received(mc, SELF, SELF, SELF, f, sizeof(f), 7, &d); /* our own frame back */
	ck_assert_int_eq(d.action, FORWARD_DROP);
	mac_cache_free(mc);
}
END_TEST

static size_t ipv4_frame(uint8_t *f, size_t total, bool df)
{
	memset(f, 0, total);
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 2] = (uint8_t)((total - 14) >> 8);
	f[14 + 3] = (uint8_t)(total - 14);
	f[14 + 6] = df ? 0x40 : 0;
	f[14 + 8] = 64;
	f[14 + 9] = 17;
	memcpy(f + 14 + 12, (uint8_t[]){ 10, 32, 0, 1 }, 4);
	memcpy(f + 14 + 16, (uint8_t[]){ 10, 32, 0, 2 }, 4);
	return total;
}

static uint16_t sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

START_TEST(test_icmp_frag_needed)
{
	uint8_t f[1500], out[FORWARD_ICMP_MAX_LEN];
	int n;

	ipv4_frame(f, 1500, true);
	ck_assert(forward_needs_frag(f, 1500, 1438));
	ck_assert(!forward_needs_frag(f, 1500, 1486));
	ipv4_frame(f, 1500, false);
	ck_assert(!forward_needs_frag(f, 1500, 1438));
	ipv4_frame(f, 1500, true);
	n = forward_icmp_frag_needed(f, 1500, 1438, out);
	ck_assert_int_eq(n, 14 + 20 + 8 + 28);
	ck_assert_mem_eq(out, mac_a, 6); /* back to the sender */
	ck_assert_mem_eq(out + 6, mac_b, 6);
	ck_assert_mem_eq(out + 14 + 12, ((uint8_t[]){ 10, 32, 0, 2 }), 4);
	ck_assert_mem_eq(out + 14 + 16, ((uint8_t[]){ 10, 32, 0, 1 }), 4);
	ck_assert_uint_eq(out[14 + 8], 64);
	ck_assert_uint_eq(out[34], 3);
	ck_assert_uint_eq(out[35], 4);
	ck_assert_uint_eq(out[34 + 6] << 8 | out[34 + 7], 1438);
	ck_assert_uint_eq(sum16(out + 14, 20), 0xffff); /* valid IP checksum */
	ck_assert_uint_eq(sum16(out + 34, 8 + 28), 0xffff); /* valid ICMP checksum */
	ck_assert_int_lt(forward_icmp_frag_needed(f, 20, 1438, out), 0);
}
END_TEST

static int parse(struct weaver_options *o, const char *const *args)
{
	static char *argv[32]; /* o->router.peers points into it */
	int argc = 0;

	argv[argc++] = (char *)"weaver";
	for (; *args && argc < 31; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return weaver_options_parse(argc, argv, o);
}

START_TEST(test_options_defaults)
{
	struct weaver_options o;
	static const char *const args[] = { NULL };

	setenv("WEAVE_STATE_DIR", "/tmp/st", 1);
	setenv("WEAVE_RUN_DIR", "/tmp/run", 1);
	setenv("WEAVE_PASSWORD", "pw", 1);
	ck_assert_int_eq(parse(&o, args), 1);
	ck_assert_uint_eq(o.router.port, 6783);
	ck_assert_uint_eq(o.router.conn_limit, 200);
	ck_assert(o.router.discovery);
	ck_assert_str_eq(o.router.bridge, "weave");
	ck_assert_str_eq(o.router.db_path, "/tmp/st/weave-netdata.db");
	ck_assert_str_eq(o.run_dir, "/tmp/run");
	ck_assert_str_eq(o.router.password, "pw");
	ck_assert_uint_eq(o.router.n_peers, 0);
	weaver_options_done(&o);
	unsetenv("WEAVE_PASSWORD");
}
END_TEST

START_TEST(test_options_flags)
{
	struct weaver_options o;
	static const char *const args[] = {
		"--port=7000",
		"-name",
		"aa:bb:cc:dd:ee:ff",
		"--nickname",
		"nick",
		"--no-discovery",
		"--conn-limit",
		"30",
		"--trusted-subnets",
		"10.0.0.0/8,192.168.1.7/24",
		"--db-prefix",
		"/x/y-",
		"--ipalloc-range",
		"10.32.0.0/12",
		"--no-dns",
		"--password",
		"secret",
		"192.168.1.2",
		"host3:6790",
		NULL,
	};

	ck_assert_int_eq(parse(&o, args), 1);
	ck_assert_uint_eq(o.router.port, 7000);
	ck_assert_uint_eq(o.router.name, 0xaabbccddeeffULL);
	ck_assert_str_eq(o.router.nickname, "nick");
	ck_assert(!o.router.discovery);
	ck_assert_uint_eq(o.router.conn_limit, 30);
	ck_assert_uint_eq(o.router.n_trusted, 2);
	ck_assert_str_eq(o.router.trusted[1].text, "192.168.1.0/24");
	ck_assert_str_eq(o.router.db_path, "/x/y-data.db");
	ck_assert_str_eq(o.router.password, "secret");
	ck_assert_ptr_null(strstr(o.cmdline, "secret"));
	ck_assert_uint_eq(o.router.n_peers, 2);
	ck_assert_str_eq(o.router.peers[1], "host3:6790");
	weaver_options_done(&o);
}
END_TEST

START_TEST(test_options_bad)
{
	struct weaver_options o;
	static const char *const port[] = { "--port", "70000", NULL };
	static const char *const name[] = { "--name", "nope", NULL };
	static const char *const cidr[] = { "--trusted-subnets", "10.0.0.0", NULL };
	static const char *const version[] = { "--version", NULL };

	log_set_level(LOG_LEVEL_ERROR);
	ck_assert_int_lt(parse(&o, port), 0);
	weaver_options_done(&o);
	ck_assert_int_lt(parse(&o, name), 0);
	weaver_options_done(&o);
	ck_assert_int_lt(parse(&o, cidr), 0);
	weaver_options_done(&o);
	ck_assert_int_eq(parse(&o, version), 0);
	weaver_options_done(&o);
}
END_TEST

static Suite *weaver_suite(void)
{
	Suite *s = suite_create("weaver");
	TCase *tc = tcase_create("mac_cache");

	tcase_add_test(tc, test_mac_cache_learn_lookup);
	tcase_add_test(tc, test_mac_cache_grows);
	tcase_add_test(tc, test_mac_cache_expiry);
	suite_add_tcase(s, tc);
	tc = tcase_create("forward");
	tcase_add_test(tc, test_forward_captured);
	tcase_add_test(tc, test_forward_received);
	tcase_add_test(tc, test_icmp_frag_needed);
	suite_add_tcase(s, tc);
	tc = tcase_create("options");
	tcase_add_test(tc, test_options_defaults);
	tcase_add_test(tc, test_options_flags);
	tcase_add_test(tc, test_options_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(weaver_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
