// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the sleeve codec: received datagrams parsed plain and through the
 * decrypting path, bodies sealed and reopened, the replay window and the PMTU search.
 */
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t test_key[SLEEVE_KEY_LEN] = "weave-sleeve-fuzz-test-key-32-B";

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* Walks the records the way the router would; returns the frame count or the error. */
static int walk_frames(const uint8_t *rec, size_t len)
{
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	struct sleeve_control ctl;
	int r, n = 0;

	sleeve_frame_iter_init(&it, rec, len);
	while ((r = sleeve_frame_next(&it, &f)) > 0) {
		enum sleeve_frame_kind kind = sleeve_frame_classify(f.data, f.len);

		CHECK(f.data >= rec && f.data + f.len <= rec + len);
		if (kind == SLEEVE_FRAME_HEARTBEAT)
			(void)sleeve_heartbeat_conn_uid(f.data);
		(void)sleeve_control_reply(kind, f.len, &ctl);
		n++;
	}
	return r < 0 ? r : n;
}

static void fuzz_plain(const uint8_t *pkt, size_t len)
{
	struct sleeve_datagram d;
	size_t count;
	int n;

	if (sleeve_datagram_parse(pkt, len, &d) < 0)
		return;
	n = walk_frames(d.body, d.body_len);
	if (sleeve_frames_count(d.body, d.body_len, &count) == 0)
		CHECK(n >= 0 && (size_t)n == count);
	else
		CHECK(n < 0);
}

/* Raw bytes through the decrypting path: (almost) never authentic, must not crash. */
static void fuzz_decrypt(uint8_t *pkt, size_t len, bool outbound)
{
	struct sleeve_datagram d;
	struct sleeve_rx *rx;
	const uint8_t *rec;
	size_t rlen;
	bool df;

	if (sleeve_datagram_parse(pkt, len, &d) < 0 || sleeve_rx_new(test_key, outbound, &rx) < 0)
		return;
	if (sleeve_rx_open(rx, pkt + SLEEVE_NAME_LEN, d.body_len, &rec, &rlen, &df) == 0)
		(void)walk_frames(rec, rlen);
	sleeve_rx_free(rx);
}

/* The body sealed as an encrypted datagram's records must reopen to the same bytes and
 * parse exactly as the plain body does; a second open is a replay.
 */
static void fuzz_sealed(const uint8_t *data, size_t size)
{
	size_t body = size > SLEEVE_NAME_LEN ? size - SLEEVE_NAME_LEN : 0;
	size_t len = SLEEVE_CRYPT_PACKET_OVERHEAD + body;
	struct sleeve_sealer s;
	struct sleeve_rx *rx;
	const uint8_t *rec;
	uint8_t *pkt, *copy;
	size_t rlen;
	bool df, outbound = size && (data[0] & 1);

	if (len > SLEEVE_RECV_BUF_LEN)
		return;
	pkt = malloc(len);
	copy = malloc(len);
	if (!pkt || !copy || sleeve_rx_new(test_key, !outbound, &rx) < 0)
		goto out_free;
	memset(pkt, 0, SLEEVE_CRYPT_PACKET_OVERHEAD);
	if (body)
		memcpy(pkt + SLEEVE_CRYPT_PACKET_OVERHEAD, data + SLEEVE_NAME_LEN, body);
	sleeve_sealer_init(&s, test_key, outbound, size > 1 && (data[1] & 1));
	s.next_seq = size > 2 ? (uint64_t)data[2] << 40 : 0;
	CHECK(sleeve_seal(&s, pkt, len) == 0);
	memcpy(copy, pkt, len);
	CHECK(sleeve_rx_open(rx, pkt + SLEEVE_NAME_LEN, len - SLEEVE_NAME_LEN, &rec, &rlen, &df) ==
	      0);
	CHECK(rlen == body && df == s.df);
	CHECK(!body || !memcmp(rec, data + SLEEVE_NAME_LEN, body));
	CHECK(walk_frames(rec, rlen) == walk_frames(body ? data + SLEEVE_NAME_LEN : NULL, body));
	CHECK(sleeve_rx_open(rx, copy + SLEEVE_NAME_LEN, len - SLEEVE_NAME_LEN, &rec, &rlen, &df) ==
	      -EALREADY);
	sleeve_rx_free(rx);
out_free:
	free(copy);
	free(pkt);
}

/* Reference model of Weave's advanceState: the newest window and the live sequences. */
struct replay_model {
	uint64_t window;
	uint64_t live[512];
	size_t n;
};

static int model_check(struct replay_model *m, uint64_t seq)
{
	uint64_t w = seq >> SLEEVE_REPLAY_WINDOW_BITS;
	size_t kept = 0;

	if (w > m->window) {
		for (size_t i = 0; i < m->n; i++)
			if (w == m->window + 1 &&
			    m->live[i] >> SLEEVE_REPLAY_WINDOW_BITS == m->window)
				m->live[kept++] = m->live[i];
		m->n = kept;
		m->window = w;
	}
	if (w + 1 < m->window)
		return -EALREADY;
	for (size_t i = 0; i < m->n; i++)
		if (m->live[i] == seq)
			return -EALREADY;
	m->live[m->n++] = seq;
	return 0;
}

static void fuzz_replay(const uint8_t *data, size_t size)
{
	struct replay_model m = { 0 };
	struct sleeve_replay r;

	sleeve_replay_init(&r);
	for (size_t i = 0; i + 3 <= size && m.n < 512; i += 3) {
		/* Small windows and offsets bunched at both window edges hit every case. */
		uint64_t w = data[i] & 0x07;
		uint64_t off = (uint64_t)(data[i + 1] & 0x7f) << 8 | data[i + 2];
		uint64_t seq;

		if (data[i + 1] & 0x80)
			off = ((UINT64_C(1) << SLEEVE_REPLAY_WINDOW_BITS) - 1) - off;
		seq = w << SLEEVE_REPLAY_WINDOW_BITS | off;
		if (data[i] & 0x80)
			seq |= (uint64_t)(data[i] & 0x70) << 52;
		CHECK(sleeve_replay_check(&r, seq) == model_check(&m, seq));
	}
	sleeve_replay_release(&r);
}

/* Random EMSGSIZE/ack/timeout events keep the search's state sane. */
static void fuzz_pmtu(const uint8_t *data, size_t size)
{
	struct sleeve_pmtu p;
	struct sleeve_pmtu_probe probe;

	sleeve_pmtu_init(&p, size && (data[0] & 1));
	for (size_t i = 0; i + 3 <= size; i += 3) {
		int v = data[i + 1] << 8 | data[i + 2];
		enum sleeve_pmtu_step step;

		switch (data[i] % 3) {
		case 0:
			step = sleeve_pmtu_emsgsize(&p, v, &probe);
			break;
		case 1:
			step = sleeve_pmtu_ack(&p, p.candidate && (v & 1) ? p.candidate : v,
					       &probe);
			break;
		default:
			step = sleeve_pmtu_timeout(&p, &probe);
			break;
		}
		CHECK(p.mtu >= 1 && p.candidate >= 0 &&
		      p.tests_sent <= SLEEVE_PMTU_VERIFY_ATTEMPTS);
		if (step == SLEEVE_PMTU_PROBE)
			CHECK(probe.frame_len == (size_t)p.candidate + SLEEVE_ETH_HLEN &&
			      probe.timeout_ms <= 1280);
	}
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
	uint8_t *pkt;

	if (size > SLEEVE_RECV_BUF_LEN)
		return 0;
	/* An exact-size heap copy, so that ASan sees any read past the datagram. */
	pkt = malloc(size ? size : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data, size);
	fuzz_plain(pkt, size);
	fuzz_decrypt(pkt, size, size && (data[size - 1] & 1));
	free(pkt);
	fuzz_sealed(data, size);
	fuzz_replay(data, size);
	fuzz_pmtu(data, size);
	return 0;
}
