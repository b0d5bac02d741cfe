// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the sleeve wire codec (userspace/sleeve), including every sleeve datagram
 * of a real Weave Net 2.8.1 session read from the fixture pcap.
 */
#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/sleeve/sleeve_batch.h"
#include "overlay/sleeve/sleeve_control.h"
#include "overlay/sleeve/sleeve_crypto.h"
#include "overlay/sleeve/sleeve_datagram.h"
#include "overlay/sleeve/sleeve_mtu.h"
#include "overlay/sleeve/sleeve_replay.h"
#include "overlay/sleeve/sleeve_rx.h"
#include "overlay/sleeve/sleeve_special.h"
#include "fixture.h"

static const uint8_t name_a[SLEEVE_NAME_LEN] = { 0xaa, 0, 0, 0, 0, 0x01 };
static const uint8_t name_b[SLEEVE_NAME_LEN] = { 0xaa, 0, 0, 0, 0, 0x02 };
static const uint8_t name_c[SLEEVE_NAME_LEN] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc };

static uint8_t buf[SLEEVE_RECV_BUF_LEN];
static uint8_t frame[SLEEVE_MAX_FRAME_LEN];

static void fill_frame(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
	if (len >= 6)
		p[0] = 0x02; /* a unicast MAC: never mistaken for a special frame */
}

/* Builds a plain datagram from name_a with frames of the given lengths; returns its size. */
static size_t build_plain(const size_t *lens, size_t n)
{
	struct sleeve_batch b;
	size_t len;

	ck_assert_int_eq(
		sleeve_batch_init(&b, buf, sizeof(buf) - 28, sizeof(buf) - 28, name_a, false), 0);
	for (size_t i = 0; i < n; i++) {
		fill_frame(frame, lens[i], (uint8_t)i);
		ck_assert_int_eq(sleeve_batch_add(&b, name_b, name_c, frame, lens[i]), 0);
	}
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), 0);
	return len;
}

/* ---- datagrams and batching -------------------------------------------------------------- */

START_TEST(test_plain_round_trip)
{
	static const size_t lens[] = { 60, 1514, 0, 14, 9000 };
	struct sleeve_datagram d;
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	size_t len = build_plain(lens, 5), n = 0, want = SLEEVE_NAME_LEN;

	for (size_t i = 0; i < 5; i++)
		want += SLEEVE_FRAME_OVERHEAD + lens[i];
	ck_assert_uint_eq(len, want);
	ck_assert_int_eq(sleeve_datagram_parse(buf, len, &d), 0);
	ck_assert_mem_eq(d.sender, name_a, SLEEVE_NAME_LEN);
	ck_assert_uint_eq(d.body_len, len - SLEEVE_NAME_LEN);
	/* The record header layout: src, dst, BE16 length. */
	ck_assert_mem_eq(buf + 6, name_b, 6);
	ck_assert_mem_eq(buf + 12, name_c, 6);
	ck_assert_uint_eq(buf[18], 0);
	ck_assert_uint_eq(buf[19], 60);
	sleeve_frame_iter_init(&it, d.body, d.body_len);
	while (sleeve_frame_next(&it, &f) > 0) {
		ck_assert_mem_eq(f.src, name_b, SLEEVE_NAME_LEN);
		ck_assert_mem_eq(f.dst, name_c, SLEEVE_NAME_LEN);
		ck_assert_uint_eq(f.len, lens[n]);
		fill_frame(frame, lens[n], (uint8_t)n);
		if (f.len)
			ck_assert_mem_eq(f.data, frame, f.len);
		n++;
	}
	ck_assert_int_eq(it.error, 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(sleeve_frame_next(&it, &f), 0);
}
END_TEST

START_TEST(test_empty_and_short_datagrams)
{
	struct sleeve_datagram d;
	size_t n = 99;

	ck_assert_int_eq(sleeve_datagram_parse(buf, 5, &d), -EBADMSG);
	ck_assert_int_eq(sleeve_datagram_parse(NULL, 6, &d), -EBADMSG);
	/* A bare sender name is a valid, empty datagram (Weave iterates zero frames). */
	ck_assert_int_eq(sleeve_datagram_parse(buf, 6, &d), 0);
	ck_assert_int_eq(sleeve_frames_count(d.body, d.body_len, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_batch_exactly_full)
{
	enum { CAP = 1000 };
	struct sleeve_batch b;
	uint8_t *data;
	size_t len, n;
	size_t first = 400, second = CAP - 6 - 14 - first - 14; /* fills the datagram exactly */

	fill_frame(frame, sizeof(frame), 1);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, CAP, CAP, name_a, false), 0);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, first), 0);
	ck_assert(sleeve_batch_fits(&b, second));
	ck_assert(!sleeve_batch_fits(&b, second + 1));
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, second + 1), -E2BIG);
	ck_assert_uint_eq(b.len, 6 + 14 + first);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, second), 0);
	ck_assert_uint_eq(b.len, CAP);
	/* Full: not even an empty frame fits. */
	ck_assert_int_eq(sleeve_batch_reserve(&b, name_a, name_b, 0, &data), -E2BIG);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), 0);
	ck_assert_uint_eq(len, CAP);
	ck_assert_int_eq(sleeve_frames_count(buf + 6, len - 6, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 1), -EINVAL);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), -EINVAL);

	/* One frame exactly filling an empty datagram; one byte more fits no datagram. */
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, CAP - 20 + 1), -EMSGSIZE);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, CAP - 20), 0);
	ck_assert_uint_eq(b.len, CAP);
}
END_TEST

START_TEST(test_batch_cap_and_limit)
{
	struct sleeve_batch b;
	uint8_t *data;
	size_t len;

	fill_frame(frame, sizeof(frame), 2);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, 100, 101, name_a, false), -EINVAL);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, 5, 5, name_a, false), -EINVAL);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, 29, 29, name_a, true), -EINVAL);
	/* Non-DF rule: the first frame may use the whole datagram, batching stops at limit. */
	ck_assert_int_eq(sleeve_batch_init(&b, buf, SLEEVE_MAX_DATAGRAM, 1472, name_a, false), 0);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 8000), 0);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 1), -E2BIG);
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 1452), 0);
	ck_assert_uint_eq(b.len, 1472);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 0), -E2BIG);
	/* The largest frame a datagram carries, and the 16-bit record length. */
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, SLEEVE_MAX_DATAGRAM - 19),
			 -EMSGSIZE);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, SLEEVE_MAX_DATAGRAM - 20), 0);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), 0);
	ck_assert_uint_eq(len, SLEEVE_MAX_DATAGRAM);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, sizeof(buf), sizeof(buf), name_a, false), 0);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 65536), -EMSGSIZE);
	ck_assert_int_eq(sleeve_batch_reserve(&b, name_a, name_b, SIZE_MAX, &data), -EMSGSIZE);
	ck_assert(!sleeve_batch_fits(&b, SIZE_MAX - 10));
	/* Encrypted batches count the seq and tag room and need a sealer. */
	ck_assert_int_eq(sleeve_batch_init(&b, buf, 100, 100, name_a, true), 0);
	ck_assert_uint_eq(b.len, 30);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 100 - 44 + 1), -EMSGSIZE);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 100 - 44), 0);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), -EINVAL);
}
END_TEST

START_TEST(test_batch_frame_count_limit)
{
	struct sleeve_batch b;
	size_t len, n;

	ck_assert_int_eq(sleeve_batch_init(&b, buf, SLEEVE_MAX_DATAGRAM, SLEEVE_MAX_DATAGRAM,
					   name_a, false),
			 0);
	fill_frame(frame, 60, 3);
	for (int i = 0; i < SLEEVE_MAX_BATCH_FRAMES; i++)
		ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 60), 0);
	ck_assert(!sleeve_batch_fits(&b, 60));
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, 60), -E2BIG);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), 0);
	ck_assert_int_eq(sleeve_frames_count(buf + 6, len - 6, &n), 0);
	ck_assert_uint_eq(n, SLEEVE_MAX_BATCH_FRAMES);
}
END_TEST

/* Every prefix of a datagram is rejected unless it ends exactly on a record boundary. */
START_TEST(test_truncated_at_every_offset)
{
	static const size_t lens[] = { 42, 0, 14, 300 };
	size_t len = build_plain(lens, 4), bounds[5], nb = 0, off = 6;
	struct sleeve_datagram d;

	bounds[nb++] = off;
	for (size_t i = 0; i < 4; i++) {
		off += 14 + lens[i];
		bounds[nb++] = off;
	}
	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		size_t n = 0, expect = 0;
		bool boundary = false;
		int r;

		memcpy(copy, buf, cut);
		for (size_t i = 0; i < nb; i++)
			if (cut == bounds[i]) {
				boundary = true;
				expect = i;
			}
		r = sleeve_datagram_parse(copy, cut, &d);
		if (cut < 6) {
			ck_assert_int_eq(r, -EBADMSG);
		} else {
			ck_assert_int_eq(r, 0);
			r = sleeve_frames_count(d.body, d.body_len, &n);
			ck_assert_int_eq(r, boundary ? 0 : -EBADMSG);
			if (boundary)
				ck_assert_uint_eq(n, expect);
		}
		free(copy);
	}
}
END_TEST

START_TEST(test_bad_lengths)
{
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	uint8_t rec[64];
	size_t n;

	/* Declared length 0xffff with 10 bytes behind it. */
	memset(rec, 0, sizeof(rec));
	rec[12] = 0xff;
	rec[13] = 0xff;
	ck_assert_int_eq(sleeve_frames_count(rec, 24, &n), -EBADMSG);
	ck_assert_int_eq(sleeve_frame_header(rec, 24, &f), 0);
	ck_assert_uint_eq(f.len, 0xffff);
	ck_assert_int_eq(sleeve_frame_header(rec, 13, &f), -EBADMSG);
	/* Length one past the end, and trailing garbage of 1..13 bytes. */
	rec[12] = 0;
	rec[13] = 11;
	ck_assert_int_eq(sleeve_frames_count(rec, 24, &n), -EBADMSG);
	ck_assert_int_eq(sleeve_frames_count(rec, 25, &n), 0);
	for (size_t g = 1; g < 14; g++)
		ck_assert_int_eq(sleeve_frames_count(rec, 25 + g, &n), -EBADMSG);
	/* Frames before a bad record are delivered, then the error sticks. */
	memset(rec + 25, 0, 14);
	rec[25 + 13] = 200;
	sleeve_frame_iter_init(&it, rec, 25 + 14 + 5);
	ck_assert_int_eq(sleeve_frame_next(&it, &f), 1);
	ck_assert_uint_eq(f.len, 11);
	ck_assert_int_eq(sleeve_frame_next(&it, &f), -EBADMSG);
	ck_assert_int_eq(sleeve_frame_next(&it, &f), -EBADMSG);
	sleeve_frame_iter_init(&it, NULL, 20);
	ck_assert_int_eq(sleeve_frame_next(&it, &f), -EBADMSG);
}
END_TEST

/* ---- crypto ------------------------------------------------------------------------------ */

static void test_key(uint8_t key[SLEEVE_KEY_LEN], uint8_t seed)
{
	for (int i = 0; i < SLEEVE_KEY_LEN; i++)
		key[i] = (uint8_t)(seed + i);
}

/* Seals a datagram holding one frame of @flen bytes; returns its length. */
static size_t build_sealed(struct sleeve_sealer *s, size_t flen)
{
	struct sleeve_batch b;
	size_t len;

	ck_assert_int_eq(sleeve_batch_init(&b, buf, SLEEVE_MAX_DATAGRAM, SLEEVE_MAX_DATAGRAM,
					   name_a, true),
			 0);
	fill_frame(frame, flen, 9);
	ck_assert_int_eq(sleeve_batch_add(&b, name_a, name_b, frame, flen), 0);
	ck_assert_int_eq(sleeve_batch_finish(&b, s, &len), 0);
	ck_assert_uint_eq(len, 30 + 14 + flen);
	return len;
}

START_TEST(test_nonce_layout)
{
	uint8_t n[SLEEVE_NONCE_LEN], want[SLEEVE_NONCE_LEN];

	memset(want, 0, sizeof(want));
	want[0] = 0x80;
	want[16] = 0x80;
	want[23] = 0x05;
	sleeve_nonce_udp(n, true, SLEEVE_SEQ_DF_BIT | 5);
	ck_assert_mem_eq(n, want, sizeof(want));
	want[0] = 0;
	sleeve_nonce_udp(n, false, SLEEVE_SEQ_DF_BIT | 5);
	ck_assert_mem_eq(n, want, sizeof(want));
	memset(want, 0, sizeof(want));
	want[0] = 0xc0;
	want[22] = 0x01;
	want[23] = 0x02;
	sleeve_nonce_tcp(n, true, 0x102);
	ck_assert_mem_eq(n, want, sizeof(want));
	want[0] = 0x40;
	sleeve_nonce_tcp(n, false, 0x102);
	ck_assert_mem_eq(n, want, sizeof(want));
}
END_TEST

/* The sealed datagram decrypts with plain libsodium and the nonce the reference describes. */
START_TEST(test_seal_wire_layout)
{
	uint8_t key[SLEEVE_KEY_LEN], nonce[SLEEVE_NONCE_LEN], plain[200];
	struct sleeve_sealer s;
	size_t len;

	test_key(key, 1);
	sleeve_sealer_init(&s, key, true, true);
	len = build_sealed(&s, 100);
	len = build_sealed(&s, 100); /* second datagram: seq 1 */
	ck_assert_mem_eq(buf, name_a, 6);
	ck_assert_uint_eq(buf[6], 0x80); /* DF << 63 */
	for (int i = 7; i < 13; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert_uint_eq(buf[13], 1);
	memset(nonce, 0, sizeof(nonce));
	nonce[0] = 0x80; /* sender is outbound */
	memcpy(nonce + 16, buf + 6, 8);
	ck_assert_int_eq(crypto_secretbox_open_easy(plain, buf + 14, len - 14, nonce, key), 0);
	ck_assert_mem_eq(plain, name_a, 6);
	ck_assert_mem_eq(plain + 6, name_b, 6);
	ck_assert_uint_eq(plain[13], 100);
	fill_frame(frame, 100, 9);
	ck_assert_mem_eq(plain + 14, frame, 100);
	nonce[0] = 0;
	ck_assert_int_ne(crypto_secretbox_open_easy(plain, buf + 14, len - 14, nonce, key), 0);
	sleeve_sealer_wipe(&s);
}
END_TEST

START_TEST(test_seal_open_round_trip)
{
	uint8_t key[SLEEVE_KEY_LEN];
	struct sleeve_sealer s;
	struct sleeve_datagram d;
	struct sleeve_rx *rx;
	const uint8_t *rec;
	size_t len, rlen, n;
	bool df;

	test_key(key, 7);
	sleeve_sealer_init(&s, key, false, false);
	ck_assert_int_eq(sleeve_rx_new(key, true, &rx), 0);
	for (int i = 0; i < 3; i++) {
		len = build_sealed(&s, 200 + i);
		ck_assert_int_eq(sleeve_datagram_parse(buf, len, &d), 0);
		ck_assert_mem_eq(d.sender, name_a, 6);
		ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), 0);
		ck_assert(!df);
		ck_assert_uint_eq(rlen, 14 + 200 + i);
		ck_assert_int_eq(sleeve_frames_count(rec, rlen, &n), 0);
		ck_assert_uint_eq(n, 1);
		fill_frame(frame, 200 + i, 9);
		ck_assert_mem_eq(rec + 14, frame, 200 + i);
	}
	ck_assert_uint_eq(s.next_seq, 3);
	rx = sleeve_rx_free(rx);
	ck_assert_ptr_null(rx);
	ck_assert_ptr_null(sleeve_rx_free(NULL));
}
END_TEST

START_TEST(test_open_rejects)
{
	uint8_t key[SLEEVE_KEY_LEN], other[SLEEVE_KEY_LEN], copy[400];
	struct sleeve_sealer s;
	uint64_t seq;
	size_t len;

	test_key(key, 3);
	test_key(other, 4);
	sleeve_sealer_init(&s, key, true, false);
	len = build_sealed(&s, 300);
	memcpy(copy, buf, len);
	/* Every byte after the sender name is authenticated: seq word, tag, ciphertext. */
	for (size_t i = 6; i < len; i++) {
		memcpy(buf, copy, len);
		buf[i] ^= 0x01;
		ck_assert_int_eq(sleeve_open(key, false, buf + 6, len - 6, &seq), -EKEYREJECTED);
		ck_assert_uint_eq(buf[i], copy[i] ^ 0x01); /* left untouched */
	}
	memcpy(buf, copy, len);
	ck_assert_int_eq(sleeve_open(other, false, buf + 6, len - 6, &seq), -EKEYREJECTED);
	ck_assert_int_eq(sleeve_open(key, true, buf + 6, len - 6, &seq), -EKEYREJECTED);
	for (size_t cut = 0; cut < len - 6; cut++)
		ck_assert_int_lt(sleeve_open(key, false, buf + 6, cut, &seq), 0);
	ck_assert_int_eq(sleeve_open(key, false, buf + 6, 23, &seq), -EBADMSG);
	ck_assert_int_eq(sleeve_open(key, false, buf + 6, len - 6, &seq), 0);
	ck_assert_uint_eq(seq, 0);
	s.next_seq = SLEEVE_SEQ_MASK + 1;
	ck_assert_int_eq(sleeve_seal(&s, buf, len), -EOVERFLOW);
	ck_assert_int_eq(sleeve_seal(&s, buf, 29), -EBADMSG);
}
END_TEST

START_TEST(test_session_key)
{
	uint8_t pa[32], sa[32], pb[32], sb[32], k1[32], k2[32], k3[32], shared[32], want[32];
	uint8_t zero[32] = { 0 };
	crypto_hash_sha256_state st;
	const uint8_t pw[] = "s3cret";

	crypto_box_keypair(pa, sa);
	crypto_box_keypair(pb, sb);
	ck_assert_int_eq(sleeve_session_key(pb, sa, pw, 6, k1), 0);
	ck_assert_int_eq(sleeve_session_key(pa, sb, pw, 6, k2), 0);
	ck_assert_mem_eq(k1, k2, 32);
	ck_assert_int_eq(crypto_box_beforenm(shared, pb, sa), 0);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, shared, 32);
	crypto_hash_sha256_update(&st, pw, 6);
	crypto_hash_sha256_final(&st, want);
	ck_assert_mem_eq(k1, want, 32);
	ck_assert_int_eq(sleeve_session_key(pb, sa, pw, 5, k3), 0);
	ck_assert_mem_ne(k1, k3, 32);
	ck_assert_int_eq(sleeve_session_key(pb, sa, NULL, 0, k3), 0);
	crypto_hash_sha256(want, shared, 32);
	ck_assert_mem_eq(k3, want, 32);
	ck_assert_int_eq(sleeve_session_key(zero, sa, pw, 6, k3), -EPROTO);
}
END_TEST

START_TEST(test_replay_window)
{
	struct sleeve_replay r;
	const uint64_t w = UINT64_C(1) << SLEEVE_REPLAY_WINDOW_BITS;

	sleeve_replay_init(&r);
	ck_assert_int_eq(sleeve_replay_check(&r, 0), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 0), -EALREADY);
	ck_assert_int_eq(sleeve_replay_check(&r, 5), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 3), 0); /* reordered within the window */
	ck_assert_int_eq(sleeve_replay_check(&r, w - 1), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, w + 2), 0); /* slides by one window */
	ck_assert_uint_eq(r.window, 1);
	ck_assert_int_eq(sleeve_replay_check(&r, 5), -EALREADY); /* kept in the previous one */
	ck_assert_int_eq(sleeve_replay_check(&r, 6), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 6), -EALREADY);
	ck_assert_int_eq(sleeve_replay_check(&r, 2 * w), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 7), -EALREADY); /* older than both windows */
	ck_assert_int_eq(sleeve_replay_check(&r, w + 2), -EALREADY);
	ck_assert_int_eq(sleeve_replay_check(&r, w + 3), 0);
	/* A jump of several windows forgets both. */
	ck_assert_int_eq(sleeve_replay_check(&r, 10 * w + 1), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 9 * w + 1), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, 9 * w + 1), -EALREADY);
	ck_assert_int_eq(sleeve_replay_check(&r, 8 * w), -EALREADY);
	ck_assert_int_eq(sleeve_replay_check(&r, SLEEVE_SEQ_MASK), 0);
	ck_assert_int_eq(sleeve_replay_check(&r, SLEEVE_SEQ_MASK), -EALREADY);
	sleeve_replay_release(&r);
}
END_TEST

/* Replays are dropped per stream; forged packets never move the window. */
START_TEST(test_rx_streams_and_forgery)
{
	uint8_t key[SLEEVE_KEY_LEN], saved[400];
	struct sleeve_sealer plain_s, df_s;
	struct sleeve_rx *rx;
	const uint8_t *rec;
	size_t len, rlen;
	bool df;

	test_key(key, 11);
	sleeve_sealer_init(&plain_s, key, true, false);
	sleeve_sealer_init(&df_s, key, true, true);
	ck_assert_int_eq(sleeve_rx_new(key, false, &rx), 0);
	len = build_sealed(&df_s, 50);
	memcpy(saved, buf, len);
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), 0);
	ck_assert(df);
	memcpy(buf, saved, len);
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), -EALREADY);
	/* seq 0 of the non-DF stream is a different nonce and a different window. */
	len = build_sealed(&plain_s, 50);
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), 0);
	ck_assert(!df);
	/* A forged far-ahead sequence fails authentication and leaves the window alone. */
	plain_s.next_seq = 5;
	len = build_sealed(&plain_s, 50);
	memcpy(saved, buf, len);
	buf[6] = 0x7f;
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), -EKEYREJECTED);
	memcpy(buf, saved, len);
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, len - 6, &rec, &rlen, &df), 0);
	ck_assert_int_eq(sleeve_rx_open(rx, buf + 6, 10, &rec, &rlen, &df), -EBADMSG);
	sleeve_rx_free(rx);
}
END_TEST

/* ---- special frames, control replies, MTU -------------------------------------------------- */

START_TEST(test_special_frames)
{
	uint8_t hb[SLEEVE_HEARTBEAT_LEN];
	struct sleeve_batch b;
	struct sleeve_frame f;
	size_t len;

	sleeve_heartbeat_build(hb, UINT64_C(0xc86a88017801ddbe));
	ck_assert_int_eq(sleeve_frame_classify(hb, sizeof(hb)), SLEEVE_FRAME_HEARTBEAT);
	ck_assert_uint_eq(sleeve_heartbeat_conn_uid(hb), UINT64_C(0xc86a88017801ddbe));
	ck_assert_uint_eq(hb[14], 0xc8);
	ck_assert_uint_eq(hb[21], 0xbe);
	memset(frame, 0, sizeof(frame));
	ck_assert_int_eq(sleeve_frame_classify(frame, 60001), SLEEVE_FRAME_FRAG_TEST);
	frame[60000] = 1;
	ck_assert_int_eq(sleeve_frame_classify(frame, 60001), SLEEVE_FRAME_BOGUS);
	ck_assert_int_eq(sleeve_frame_classify(frame, 60000), SLEEVE_FRAME_PMTU_PROBE);
	ck_assert_int_eq(sleeve_frame_classify(frame, 1452), SLEEVE_FRAME_PMTU_PROBE);
	ck_assert_uint_eq(sleeve_pmtu_probe_mtu(1452), 1438);
	ck_assert_uint_eq(sleeve_pmtu_probe_len(1438), 1452);
	ck_assert_int_eq(sleeve_frame_classify(frame, 14), SLEEVE_FRAME_PMTU_PROBE);
	ck_assert_int_eq(sleeve_frame_classify(frame, 13), SLEEVE_FRAME_RUNT);
	ck_assert_int_eq(sleeve_frame_classify(NULL, 0), SLEEVE_FRAME_RUNT);
	frame[13] = 0x08; /* type/len 0x0008 is not special */
	ck_assert_int_eq(sleeve_frame_classify(frame, 22), SLEEVE_FRAME_DATA);
	ck_assert(!sleeve_frame_is_special(frame, 22));

	/* On the wire: 42-byte plain heartbeat datagram, 66 encrypted. */
	ck_assert_int_eq(sleeve_batch_init(&b, buf, SLEEVE_MAX_DATAGRAM, SLEEVE_MAX_DATAGRAM,
					   name_a, false),
			 0);
	ck_assert_int_eq(sleeve_batch_add_heartbeat(&b, name_a, name_b, 42), 0);
	ck_assert_int_eq(sleeve_batch_finish(&b, NULL, &len), 0);
	ck_assert_uint_eq(len, 42);
	ck_assert_int_eq(sleeve_frame_header(buf + 6, len - 6, &f), 0);
	ck_assert_int_eq(sleeve_frame_classify(f.data, f.len), SLEEVE_FRAME_HEARTBEAT);
	ck_assert_uint_eq(sleeve_heartbeat_conn_uid(f.data), 42);
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add_frag_test(&b, name_a, name_b), 0);
	ck_assert_uint_eq(b.len, 60021);
	ck_assert_int_eq(sleeve_frame_classify(buf + 20, 60001), SLEEVE_FRAME_FRAG_TEST);
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add_pmtu_discovery(&b, name_a, name_b), 0);
	ck_assert_uint_eq(b.len, 60020);
	sleeve_batch_reset(&b);
	ck_assert_int_eq(sleeve_batch_add_pmtu_probe(&b, name_a, name_b, 1438), 0);
	ck_assert_uint_eq(b.len, 1472);
	ck_assert_int_eq(sleeve_batch_add_pmtu_probe(&b, name_a, name_b, 65522), -EMSGSIZE);
	ck_assert_int_eq(sleeve_batch_init(&b, buf, 1500, 1500, name_a, true), 0);
	ck_assert_int_eq(sleeve_batch_add_heartbeat(&b, name_a, name_b, 1), 0);
	ck_assert_uint_eq(b.len, 66);
	ck_assert_int_eq(sleeve_batch_add_frag_test(&b, name_a, name_b), -EMSGSIZE);
}
END_TEST

START_TEST(test_control_messages)
{
	struct sleeve_control c;
	const uint8_t m[] = { 0x05, 0x9e, 0xff };

	ck_assert_int_eq(sleeve_control_reply(SLEEVE_FRAME_HEARTBEAT, 22, &c), 0);
	ck_assert_uint_eq(c.tag, 1);
	ck_assert_uint_eq(c.msg_len, 0);
	ck_assert_int_eq(sleeve_control_reply(SLEEVE_FRAME_FRAG_TEST, 60001, &c), 0);
	ck_assert_uint_eq(c.tag, 2);
	ck_assert_int_eq(sleeve_control_reply(SLEEVE_FRAME_PMTU_PROBE, 1452, &c), 0);
	ck_assert_uint_eq(c.tag, 3);
	ck_assert_uint_eq(c.msg_len, 2);
	ck_assert_mem_eq(c.msg, m, 2);
	ck_assert_int_eq(sleeve_control_reply(SLEEVE_FRAME_DATA, 60, &c), -ENOMSG);
	ck_assert_int_eq(sleeve_control_reply(SLEEVE_FRAME_BOGUS, 60001, &c), -ENOMSG);
	ck_assert_int_eq(sleeve_control_parse(3, m, 3, &c), 0);
	ck_assert_uint_eq(c.mtu, 1438);
	ck_assert_int_eq(sleeve_control_parse(3, m, 1, &c), -EBADMSG);
	ck_assert_int_eq(sleeve_control_parse(1, NULL, 0, &c), 0);
	ck_assert_uint_eq(c.tag, SLEEVE_CONTROL_CONNECTION_ESTABLISHED);
	ck_assert_int_eq(sleeve_control_parse(2, NULL, 0, &c), 0);
	ck_assert_int_eq(sleeve_control_parse(4, NULL, 0, &c), -EPROTO);
	ck_assert_int_eq(sleeve_control_parse(0, NULL, 0, &c), -EPROTO);
}
END_TEST

START_TEST(test_mtu_arithmetic)
{
	ck_assert_int_eq(sleeve_overhead(false), 62);
	ck_assert_int_eq(sleeve_overhead(true), 86);
	ck_assert_int_eq(sleeve_mtu_for_pmtu(1500, false), 1438);
	ck_assert_int_eq(sleeve_mtu_for_pmtu(1500, true), 1414);
	ck_assert_uint_eq(sleeve_max_payload_for_mtu(1438, false), 1472);
	ck_assert_uint_eq(sleeve_max_payload_for_mtu(1414, true), 1472);
	ck_assert(!sleeve_frame_too_big(1452, 1438));
	ck_assert(sleeve_frame_too_big(1453, 1438));
	ck_assert_int_eq(SLEEVE_HEARTBEAT_LEN, 22);
	ck_assert_int_eq(SLEEVE_FRAG_TEST_LEN, 60001);
	ck_assert_int_eq(SLEEVE_PMTU_DISCOVERY_LEN, 60000);
	ck_assert_int_eq(SLEEVE_MAX_DATAGRAM, 65507);
}
END_TEST

START_TEST(test_pmtu_verified_first_try)
{
	struct sleeve_pmtu p;
	struct sleeve_pmtu_probe probe;

	sleeve_pmtu_init(&p, false);
	ck_assert_int_eq(p.mtu, 65535);
	ck_assert_uint_eq(p.max_payload, 65507);
	ck_assert_int_eq(sleeve_pmtu_timeout(&p, &probe), SLEEVE_PMTU_IDLE);
	ck_assert_int_eq(sleeve_pmtu_emsgsize(&p, 1500, &probe), SLEEVE_PMTU_PROBE);
	ck_assert_uint_eq(probe.frame_len, 1452);
	ck_assert_uint_eq(probe.timeout_ms, 10);
	ck_assert_int_eq(p.mtu, 1438);
	ck_assert_uint_eq(p.max_payload, 1472);
	ck_assert_int_eq(sleeve_pmtu_emsgsize(&p, 1600, &probe), SLEEVE_PMTU_IDLE);
	ck_assert_int_eq(sleeve_pmtu_ack(&p, 1437, &probe), SLEEVE_PMTU_IDLE);
	ck_assert_int_eq(sleeve_pmtu_ack(&p, 1438, &probe), SLEEVE_PMTU_VERIFIED);
	ck_assert_int_eq(p.mtu, 1438);
	ck_assert_uint_eq(p.max_payload, 1472);
	ck_assert_int_eq(p.candidate, 0);
}
END_TEST

/* The path really carries 1400-byte IP packets though the kernel said 1500. */
START_TEST(test_pmtu_search_converges)
{
	const int real_pmtu = 1400;
	struct sleeve_pmtu p;
	struct sleeve_pmtu_probe probe;
	enum sleeve_pmtu_step step;
	unsigned int timeouts = 0, want_timeout = 10;
	int rounds = 0;

	sleeve_pmtu_init(&p, true);
	step = sleeve_pmtu_emsgsize(&p, 1500, &probe);
	ck_assert_uint_eq(probe.frame_len, 1414 + 14);
	while (step == SLEEVE_PMTU_PROBE && rounds++ < 1000) {
		/* The IP packet of the probe: IP/UDP 28 + packet 30 + record 14 + frame. */
		bool passes = 28 + 30 + 14 + probe.frame_len <= (size_t)real_pmtu;

		if (passes) {
			want_timeout = 10;
			step = sleeve_pmtu_ack(&p, sleeve_pmtu_probe_mtu(probe.frame_len), &probe);
			continue;
		}
		ck_assert_uint_eq(probe.timeout_ms, want_timeout);
		want_timeout = want_timeout == 1280 ? 10 : want_timeout * 2;
		timeouts++;
		step = sleeve_pmtu_timeout(&p, &probe);
	}
	ck_assert_int_eq(step, SLEEVE_PMTU_VERIFIED);
	ck_assert_int_eq(p.mtu, real_pmtu - 86);
	ck_assert_uint_eq(p.max_payload, real_pmtu - 28);
	ck_assert_uint_eq(timeouts % SLEEVE_PMTU_VERIFY_ATTEMPTS, 0);
}
END_TEST

/* ---- the real session -------------------------------------------------------------------- */

struct pcap_reader {
	uint8_t *data;
	size_t len, pos;
	bool swapped;
	uint32_t linktype;
};

struct udp_packet {
	uint8_t saddr[4], daddr[4];
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t cap_len; /* captured payload bytes */
	size_t full_len; /* payload length from the UDP header */
};

static uint32_t rd32(const struct pcap_reader *pr, const uint8_t *p)
{
	if (pr->swapped)
		return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Classic libpcap file: 24-byte header, then 16-byte record headers; either byte order
 * and either timestamp resolution.
 */
static void pcap_open(struct pcap_reader *pr, const char *name)
{
	static const uint8_t magic_us[4] = { 0xa1, 0xb2, 0xc3, 0xd4 };
	static const uint8_t magic_ns[4] = { 0xa1, 0xb2, 0x3c, 0x4d };
	uint8_t m[4];

	pr->data = fixture_load(name, &pr->len);
	ck_assert_uint_ge(pr->len, 24);
	memcpy(m, pr->data, 4);
	pr->swapped = false;
	if (memcmp(m, magic_us, 4) && memcmp(m, magic_ns, 4)) {
		uint8_t r[4] = { m[3], m[2], m[1], m[0] };

		ck_assert_msg(!memcmp(r, magic_us, 4) || !memcmp(r, magic_ns, 4), "not a pcap");
		pr->swapped = true;
	}
	pr->linktype = rd32(pr, pr->data + 20) & 0x0fffffff;
	pr->pos = 24;
}

static bool pcap_next(struct pcap_reader *pr, const uint8_t **ret_pkt, size_t *ret_len)
{
	uint32_t caplen;

	if (pr->pos == pr->len)
		return false;
	ck_assert_uint_ge(pr->len - pr->pos, 16);
	caplen = rd32(pr, pr->data + pr->pos + 8);
	ck_assert_uint_le(caplen, pr->len - pr->pos - 16);
	*ret_pkt = pr->data + pr->pos + 16;
	*ret_len = caplen;
	pr->pos += 16 + caplen;
	return true;
}

/* The IPv4 header of a captured packet: Ethernet (with 802.1Q), Linux cooked v1 or v2. */
static const uint8_t *ipv4_of(uint32_t linktype, const uint8_t *p, size_t len, size_t *ret_len)
{
	size_t off;
	uint16_t proto;

	switch (linktype) {
	case 1: /* LINKTYPE_ETHERNET */
		if (len < 14)
			return NULL;
		off = 14;
		proto = be16(p + 12);
		if (proto == 0x8100 && len >= 18) {
			proto = be16(p + 16);
			off = 18;
		}
		break;
	case 113: /* LINKTYPE_LINUX_SLL */
		if (len < 16)
			return NULL;
		off = 16;
		proto = be16(p + 14);
		break;
	case 276: /* LINKTYPE_LINUX_SLL2 */
		if (len < 20)
			return NULL;
		off = 20;
		proto = be16(p);
		break;
	default:
		ck_abort_msg("unsupported pcap link type %u", linktype);
		return NULL;
	}
	if (proto != 0x0800)
		return NULL;
	*ret_len = len - off;
	return p + off;
}

/* A UDP datagram, or its first IP fragment (cap_len < full_len then). */
static bool udp_of(const uint8_t *ip, size_t len, struct udp_packet *ret)
{
	size_t ihl, tot, avail;

	if (len < 20 || ip[0] >> 4 != 4 || ip[9] != 17)
		return false;
	if (be16(ip + 6) & 0x1fff) /* a later fragment: no UDP header */
		return false;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	tot = be16(ip + 2);
	avail = (tot < len ? tot : len);
	ck_assert_uint_ge(avail, ihl + 8);
	memcpy(ret->saddr, ip + 12, 4);
	memcpy(ret->daddr, ip + 16, 4);
	ret->sport = be16(ip + ihl);
	ret->dport = be16(ip + ihl + 2);
	ck_assert_uint_ge(be16(ip + ihl + 4), 8);
	ret->full_len = be16(ip + ihl + 4) - 8u;
	ret->payload = ip + ihl + 8;
	ret->cap_len = avail - ihl - 8;
	if (ret->cap_len > ret->full_len)
		ret->cap_len = ret->full_len;
	return true;
}

enum { FX1, FX2 };

struct session_counts {
	unsigned int datagrams, heartbeats, frag_tests, probes, data, truncated;
	uint64_t conn_uid;
	int probe_mtu;
};

static const uint8_t *peer_name(int peer)
{
	return peer == FX1 ? name_a : name_b;
}

static void count_frame(struct session_counts *c, int from, const struct sleeve_frame *f)
{
	switch (sleeve_frame_classify(f->data, f->len)) {
	case SLEEVE_FRAME_HEARTBEAT:
		c->heartbeats++;
		c->conn_uid = sleeve_heartbeat_conn_uid(f->data);
		break;
	case SLEEVE_FRAME_FRAG_TEST:
		c->frag_tests++;
		break;
	case SLEEVE_FRAME_PMTU_PROBE:
		c->probes++;
		c->probe_mtu = sleeve_pmtu_probe_mtu(f->len);
		break;
	case SLEEVE_FRAME_DATA:
		c->data++;
		return;
	default:
		ck_abort_msg("unexpected frame kind in the session");
	}
	/* Special frames go from the sending peer to the other one. */
	ck_assert_mem_eq(f->src, peer_name(from), SLEEVE_NAME_LEN);
	ck_assert_mem_eq(f->dst, peer_name(!from), SLEEVE_NAME_LEN);
}

static void parse_session_datagram(struct session_counts *c, int from, const uint8_t *pkt,
				   size_t len)
{
	struct sleeve_datagram d;
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	int r, frames = 0;

	ck_assert_int_eq(sleeve_datagram_parse(pkt, len, &d), 0);
	ck_assert_mem_eq(d.sender, peer_name(from), SLEEVE_NAME_LEN);
	sleeve_frame_iter_init(&it, d.body, d.body_len);
	while ((r = sleeve_frame_next(&it, &f)) > 0) {
		count_frame(c, from, &f);
		frames++;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_gt(frames, 0);
}

/* The capture holds only the first IP fragment of the 60021-byte frag-test datagrams:
 * the parser must see the truncation; the datagram is then completed with the zeros a
 * frag test consists of (§4.3) and parsed whole.
 */
static void parse_first_fragment(struct session_counts *c, int from, const struct udp_packet *u)
{
	struct sleeve_frame f;
	uint8_t *whole;
	size_t n;

	ck_assert_int_eq(sleeve_frames_count(u->payload + 6, u->cap_len - 6, &n), -EBADMSG);
	ck_assert_int_eq(sleeve_frame_header(u->payload + 6, u->cap_len - 6, &f), 0);
	ck_assert_uint_eq(6 + 14 + f.len, u->full_len);
	for (size_t i = 20; i < u->cap_len; i++)
		ck_assert_uint_eq(u->payload[i], 0);
	whole = calloc(1, u->full_len);
	ck_assert_ptr_nonnull(whole);
	memcpy(whole, u->payload, u->cap_len);
	parse_session_datagram(c, from, whole, u->full_len);
	free(whole);
	c->truncated++;
}

START_TEST(test_pcap_session)
{
	static const uint8_t ip_fx1[4] = { 10, 200, 0, 1 }, ip_fx2[4] = { 10, 200, 0, 2 };
	struct session_counts c[2];
	struct pcap_reader pr;
	const uint8_t *pkt, *ip;
	size_t len, iplen;

	memset(c, 0, sizeof(c));
	pcap_open(&pr, "session.pcap");
	while (pcap_next(&pr, &pkt, &len)) {
		struct udp_packet u;
		int from;

		ip = ipv4_of(pr.linktype, pkt, len, &iplen);
		if (!ip || !udp_of(ip, iplen, &u))
			continue;
		if (u.sport != SLEEVE_PORT && u.dport != SLEEVE_PORT)
			continue;
		ck_assert_uint_eq(u.sport, SLEEVE_PORT);
		ck_assert_uint_eq(u.dport, SLEEVE_PORT);
		ck_assert(!memcmp(u.saddr, ip_fx1, 4) || !memcmp(u.saddr, ip_fx2, 4));
		from = memcmp(u.saddr, ip_fx1, 4) ? FX2 : FX1;
		ck_assert_mem_eq(u.daddr, from == FX1 ? ip_fx2 : ip_fx1, 4);
		c[from].datagrams++;
		if (u.cap_len < u.full_len)
			parse_first_fragment(&c[from], from, &u);
		else
			parse_session_datagram(&c[from], from, u.payload, u.cap_len);
	}
	free(pr.data);

	for (int p = FX1; p <= FX2; p++) {
		ck_assert_uint_ge(c[p].heartbeats, 1);
		ck_assert_uint_eq(c[p].frag_tests, 1);
		ck_assert_uint_eq(c[p].truncated, 1);
		ck_assert_uint_ge(c[p].probes, 1);
		/* Both verified 1500 - 62 on the first probe. */
		ck_assert_int_eq(c[p].probe_mtu, sleeve_mtu_for_pmtu(1500, false));
	}
	/* connUID = localConnID ^ remoteConnID: the same in both directions. */
	ck_assert_uint_eq(c[FX1].conn_uid, c[FX2].conn_uid);
	ck_assert_uint_ne(c[FX1].conn_uid, 0);
	/* fx2's IPv6 MLD reports, flooded to fx1; fx1 sent no data frames. */
	ck_assert_uint_eq(c[FX2].data, 4);
	ck_assert_uint_eq(c[FX1].data, 0);
	ck_assert_uint_eq(c[FX1].datagrams + c[FX2].datagrams, 10);
}
END_TEST

/* The sleeve's TCP replies in each direction: OverlayControlMsg (tag 7) with sleeve at
 * forwarder index 0 (both peers advertise only "sleeve").
 */
static void count_tcp_controls(const char *name, unsigned int counts[4], int *ret_mtu)
{
	struct sleeve_control ctl;
	size_t len, pos = 8;
	uint8_t *d = fixture_load(name, &len);
	bool features = true;

	ck_assert_mem_eq(d, "weave\x01\x02\x00", 8); /* header, v2, no encryption */
	while (pos < len) {
		uint32_t n;
		const uint8_t *body;

		ck_assert_uint_ge(len - pos, 4);
		n = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 |
		    (uint32_t)d[pos + 2] << 8 | d[pos + 3];
		ck_assert_uint_le(n, len - pos - 4);
		body = d + pos + 4;
		pos += 4 + n;
		if (features) { /* the first message is the features map, untagged */
			features = false;
			continue;
		}
		if (n < 3 || body[0] != 7)
			continue;
		ck_assert_uint_eq(body[1], 0);
		ck_assert_int_eq(sleeve_control_parse(body[2], body + 3, n - 3, &ctl), 0);
		counts[ctl.tag]++;
		if (ctl.tag == SLEEVE_CONTROL_PMTU_VERIFIED)
			*ret_mtu = ctl.mtu;
	}
	free(d);
}

START_TEST(test_tcp_control_replies)
{
	static const char *const streams[] = { "fx1-to-fx2.tcp.bin", "fx2-to-fx1.tcp.bin" };

	for (int i = 0; i < 2; i++) {
		unsigned int counts[4] = { 0 };
		int mtu = 0;

		count_tcp_controls(streams[i], counts, &mtu);
		ck_assert_uint_eq(counts[SLEEVE_CONTROL_CONNECTION_ESTABLISHED], 1);
		ck_assert_uint_eq(counts[SLEEVE_CONTROL_FRAGMENTATION_RECEIVED], 1);
		ck_assert_uint_eq(counts[SLEEVE_CONTROL_PMTU_VERIFIED], 1);
		ck_assert_int_eq(mtu, 1438);
	}
}
END_TEST

static Suite *sleeve_suite(void)
{
	Suite *s = suite_create("sleeve");
	TCase *wire = tcase_create("wire");
	TCase *crypto = tcase_create("crypto");
	TCase *special = tcase_create("special");
	TCase *session = tcase_create("session");

	tcase_add_test(wire, test_plain_round_trip);
	tcase_add_test(wire, test_empty_and_short_datagrams);
	tcase_add_test(wire, test_batch_exactly_full);
	tcase_add_test(wire, test_batch_cap_and_limit);
	tcase_add_test(wire, test_batch_frame_count_limit);
	tcase_add_test(wire, test_truncated_at_every_offset);
	tcase_add_test(wire, test_bad_lengths);
	suite_add_tcase(s, wire);
	tcase_add_test(crypto, test_nonce_layout);
	tcase_add_test(crypto, test_seal_wire_layout);
	tcase_add_test(crypto, test_seal_open_round_trip);
	tcase_add_test(crypto, test_open_rejects);
	tcase_add_test(crypto, test_session_key);
	tcase_add_test(crypto, test_replay_window);
	tcase_add_test(crypto, test_rx_streams_and_forgery);
	suite_add_tcase(s, crypto);
	tcase_add_test(special, test_special_frames);
	tcase_add_test(special, test_control_messages);
	tcase_add_test(special, test_mtu_arithmetic);
	tcase_add_test(special, test_pmtu_verified_first_try);
	tcase_add_test(special, test_pmtu_search_converges);
	suite_add_tcase(s, special);
	tcase_add_test(session, test_pcap_session);
	tcase_add_test(session, test_tcp_control_replies);
	suite_add_tcase(s, session);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(sleeve_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
