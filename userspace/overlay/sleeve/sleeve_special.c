// SPDX-License-Identifier: GPL-2.0
/* Special frames: classification of received frames (Weave's IsSpecial and
 * handleSpecialFrame) and builders that write them straight into a batch.
 */
#include "overlay/sleeve/sleeve_special.h"

#include <errno.h>
#include <string.h>

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

bool sleeve_frame_is_special(const uint8_t *frame, size_t len)
{
	return frame && len >= SLEEVE_ETH_HLEN && all_zero(frame, SLEEVE_ETH_HLEN);
}

enum sleeve_frame_kind sleeve_frame_classify(const uint8_t *frame, size_t len)
{
	if (!frame || len < SLEEVE_ETH_HLEN)
		return SLEEVE_FRAME_RUNT;
	if (!sleeve_frame_is_special(frame, len))
		return SLEEVE_FRAME_DATA;
	switch (len) {
	case SLEEVE_HEARTBEAT_LEN:
		return SLEEVE_FRAME_HEARTBEAT;
	case SLEEVE_FRAG_TEST_LEN:
		return all_zero(frame, len) ? SLEEVE_FRAME_FRAG_TEST : SLEEVE_FRAME_BOGUS;
	default:
		return SLEEVE_FRAME_PMTU_PROBE;
	}
}

uint64_t sleeve_heartbeat_conn_uid(const uint8_t *frame)
{
	uint64_t uid = 0;

	for (int i = 0; i < 8; i++)
		uid = uid << 8 | frame[SLEEVE_ETH_HLEN + i];
	return uid;
}

uint16_t sleeve_pmtu_probe_mtu(size_t frame_len)
{
	return (uint16_t)(frame_len - SLEEVE_ETH_HLEN);
}

size_t sleeve_pmtu_probe_len(unsigned int mtu)
{
	return (size_t)mtu + SLEEVE_ETH_HLEN;
}

void sleeve_heartbeat_build(uint8_t ret_frame[SLEEVE_HEARTBEAT_LEN], uint64_t conn_uid)
{
	memset(ret_frame, 0, SLEEVE_ETH_HLEN);
	for (int i = 7; i >= 0; i--) {
		ret_frame[SLEEVE_ETH_HLEN + i] = (uint8_t)conn_uid;
		conn_uid >>= 8;
	}
}

int sleeve_batch_add_heartbeat(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
			       const uint8_t remote[SLEEVE_NAME_LEN], uint64_t conn_uid)
{
	uint8_t *frame;
	int r = sleeve_batch_reserve(b, local, remote, SLEEVE_HEARTBEAT_LEN, &frame);

	if (r < 0)
		return r;
	sleeve_heartbeat_build(frame, conn_uid);
	return 0;
}

static int add_zero_frame(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
			  const uint8_t remote[SLEEVE_NAME_LEN], size_t len)
{
	uint8_t *frame;
	int r = sleeve_batch_reserve(b, local, remote, len, &frame);

	if (r < 0)
		return r;
	memset(frame, 0, len);
	return 0;
}

int sleeve_batch_add_frag_test(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
			       const uint8_t remote[SLEEVE_NAME_LEN])
{
	return add_zero_frame(b, local, remote, SLEEVE_FRAG_TEST_LEN);
}

int sleeve_batch_add_pmtu_probe(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
				const uint8_t remote[SLEEVE_NAME_LEN], unsigned int mtu)
{
	if (mtu > SLEEVE_MAX_FRAME_LEN - SLEEVE_ETH_HLEN)
		return -EMSGSIZE;
	return add_zero_frame(b, local, remote, sleeve_pmtu_probe_len(mtu));
}

int sleeve_batch_add_pmtu_discovery(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
				    const uint8_t remote[SLEEVE_NAME_LEN])
{
	return add_zero_frame(b, local, remote, SLEEVE_PMTU_DISCOVERY_LEN);
}
