// SPDX-License-Identifier: GPL-2.0
/* check_sleeve_overlay: two sleeve overlays on 127.0.0.1 with a forwarder each: heartbeats,
 * ConnectionEstablished through the control callback, frames both ways, plain and sealed,
 * and garbage datagrams dropped.
 */
#include "lib/evl.h"
#include "lib/log.h"
#include "overlay/sleeve_overlay.h"

#include <arpa/inet.h>
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NAME_A ((mesh_peer_name_t)0x0a000000000aULL)
#define NAME_B ((mesh_peer_name_t)0x0a000000000bULL)
#define PORT_A 46783
#define PORT_B 46784

struct side {
	struct sleeve_overlay *so;
	struct sleeve_fwd *fwd;
	struct side *other;
	bool established, failed;
	int frames;
	size_t last_len;
	mesh_peer_name_t last_src, last_dst;
};

static void on_established(void *ud, void *conn)
{
	(void)conn;
	((struct side *)ud)->established = true;
}

static void on_failed(void *ud, void *conn, const char *text)
{
	(void)conn;
	(void)text;
	((struct side *)ud)->failed = true;
}

/* The TCP connection, short-circuited: the reply goes to the other side's forwarder. */
static int on_send_control(void *ud, void *conn, uint8_t subtag, const uint8_t *msg, size_t len)
{
	struct side *s = ud;

	(void)conn;
	return sleeve_fwd_control(s->other->fwd, subtag, msg, len);
}

static void on_frame(void *ud, mesh_peer_name_t src, mesh_peer_name_t dst, uint8_t *frame,
		     size_t len)
{
	struct side *s = ud;

	(void)frame;
	s->frames++;
	s->last_len = len;
	s->last_src = src;
	s->last_dst = dst;
}

static const struct sleeve_overlay_ops ops = { on_established, on_failed, on_send_control,
					       on_frame };

static void setup(struct evl **evl, struct side *a, struct side *b, const uint8_t *key)
{
	struct sleeve_fwd_config ca = {
		.remote = NAME_B, .conn_uid = 42, .outbound = true, .key = key
	};
	struct sleeve_fwd_config cb = {
		.remote = NAME_A, .conn_uid = 42, .outbound = false, .key = key
	};

	ck_assert_int_ge(sodium_init(), 0);
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->other = b;
	b->other = a;
	ck_assert_int_eq(evl_new(evl), 0);
	ck_assert_int_eq(sleeve_overlay_new(*evl, PORT_A, NAME_A, &ops, a, &a->so), 0);
	ck_assert_int_eq(sleeve_overlay_new(*evl, PORT_B, NAME_B, &ops, b, &b->so), 0);
	ca.addr.sin_family = AF_INET;
	ca.addr.sin_port = htons(PORT_B);
	ca.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cb.addr.sin_family = AF_INET; /* port 0: learnt from A's first heartbeat */
	ck_assert_int_eq(sleeve_fwd_new(a->so, &ca, &a->fwd), 0);
	ck_assert_int_eq(sleeve_fwd_new(b->so, &cb, &b->fwd), 0);
}

static void teardown(struct evl *evl, struct side *a, struct side *b)
{
	sleeve_overlay_free(a->so);
	sleeve_overlay_free(b->so);
	evl_free(evl);
}

static void run_until(struct evl *evl, bool *flag)
{
	for (int i = 0; i < 50 && !*flag; i++)
		evl_run_once(evl, 100);
}

static void exchange(const uint8_t *key)
{
	struct side a, b;
	struct evl *evl;
	uint8_t frame[100] = { 0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa, 0x08, 0x00 };
	bool got;

	setup(&evl, &a, &b, key);
	run_until(evl, &a.established);
	run_until(evl, &b.established);
	ck_assert(a.established && b.established);
	ck_assert(sleeve_fwd_established(a.fwd) && sleeve_fwd_established(b.fwd));
	ck_assert_int_eq(sleeve_fwd_send(a.fwd, NAME_A, NAME_B, frame, sizeof(frame)), 0);
	ck_assert_int_eq(sleeve_fwd_send(a.fwd, NAME_A, NAME_B, frame, 60), 0);
	sleeve_overlay_flush(a.so);
	for (int i = 0; i < 20 && b.frames < 2; i++)
		evl_run_once(evl, 100);
	ck_assert_int_eq(b.frames, 2); /* both frames, batched in one datagram */
	ck_assert_uint_eq(b.last_len, 60);
	ck_assert_uint_eq(b.last_src, NAME_A);
	ck_assert_uint_eq(b.last_dst, NAME_B);
	ck_assert_int_eq(sleeve_fwd_send(b.fwd, NAME_B, NAME_A, frame, sizeof(frame)), 0);
	sleeve_overlay_flush(b.so);
	got = false;
	for (int i = 0; i < 20 && !got; i++) {
		evl_run_once(evl, 100);
		got = a.frames == 1;
	}
	ck_assert_int_eq(a.frames, 1);
	ck_assert(!a.failed && !b.failed);
	teardown(evl, &a, &b);
}

START_TEST(test_plain)
{
	exchange(NULL);
}
END_TEST

START_TEST(test_encrypted)
{
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	exchange(key);
}
END_TEST

START_TEST(test_garbage)
{
	struct side a, b;
	struct evl *evl;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(PORT_B) };
	uint8_t junk[1500];
	int fd;

	setup(&evl, &a, &b, NULL);
	run_until(evl, &b.established);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 50; i++) {
		randombytes_buf(junk, sizeof(junk));
		if (i % 2) /* with A's name in front: looked up, then malformed records */
			memcpy(junk, (uint8_t[]){ 0x0a, 0, 0, 0, 0, 0x0a }, 6);
		sendto(fd, junk, (size_t)(i * 29) % sizeof(junk), 0, (struct sockaddr *)&to,
		       sizeof(to));
	}
	close(fd);
	for (int i = 0; i < 5; i++)
		evl_run_once(evl, 50);
	ck_assert(!b.failed);
	ck_assert(b.established);
	teardown(evl, &a, &b);
}
END_TEST

static Suite *sleeve_overlay_suite(void)
{
	Suite *s = suite_create("sleeve_overlay");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_encrypted);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sleeve_overlay_suite());
	int failed;

	log_set_level(LOG_LEVEL_ERROR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
