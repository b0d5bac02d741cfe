// SPDX-License-Identifier: GPL-2.0
/* Sleeve overheads and the PMTU verification search of Weave's sleeveForwarder
 * (processSendError, sendMTUTest, handleMTUTestAck/Failure, searchMTU).
 */
#include "overlay/sleeve/sleeve_mtu.h"

#include "overlay/sleeve/sleeve_special.h"
#include "overlay/sleeve/sleeve_wire.h"

int sleeve_overhead(bool encrypted)
{
	int packet = encrypted ? SLEEVE_CRYPT_PACKET_OVERHEAD : SLEEVE_PLAIN_PACKET_OVERHEAD;

	return SLEEVE_UDP_OVERHEAD + packet + SLEEVE_FRAME_OVERHEAD + SLEEVE_ETH_HLEN;
}

int sleeve_mtu_for_pmtu(int underlay_pmtu, bool encrypted)
{
	return underlay_pmtu - sleeve_overhead(encrypted);
}

size_t sleeve_max_payload_for_mtu(int mtu, bool encrypted)
{
	int payload = mtu + sleeve_overhead(encrypted) - SLEEVE_UDP_OVERHEAD;

	return payload > 0 ? (size_t)payload : 0;
}

bool sleeve_frame_too_big(size_t frame_len, int mtu)
{
	return mtu < 0 || frame_len > (size_t)mtu + SLEEVE_ETH_HLEN;
}

void sleeve_pmtu_init(struct sleeve_pmtu *p, bool encrypted)
{
	p->overhead = sleeve_overhead(encrypted);
	p->mtu = SLEEVE_DEFAULT_MTU;
	p->max_payload = SLEEVE_MAX_DATAGRAM;
	p->highest_good = 0;
	p->lowest_bad = 0;
	p->candidate = 0;
	p->tests_sent = 0;
}

/* sendMTUTest: a zero frame of candidate + 14 bytes, timeout doubling per attempt. */
static enum sleeve_pmtu_step send_probe(struct sleeve_pmtu *p, struct sleeve_pmtu_probe *ret_probe)
{
	ret_probe->frame_len = sleeve_pmtu_probe_len((unsigned int)p->candidate);
	ret_probe->timeout_ms = SLEEVE_PMTU_VERIFY_TIMEOUT_MS << p->tests_sent;
	p->tests_sent++;
	return SLEEVE_PMTU_PROBE;
}

/* searchMTU: done when the bounds meet, else probe halfway. */
static enum sleeve_pmtu_step search(struct sleeve_pmtu *p, struct sleeve_pmtu_probe *ret_probe)
{
	if (p->highest_good + 1 >= p->lowest_bad) {
		p->mtu = p->highest_good;
		p->candidate = 0;
		p->max_payload = (size_t)(p->mtu + p->overhead - SLEEVE_UDP_OVERHEAD);
		return SLEEVE_PMTU_VERIFIED;
	}
	p->candidate = (p->highest_good + p->lowest_bad) / 2;
	p->tests_sent = 0;
	return send_probe(p, ret_probe);
}

enum sleeve_pmtu_step sleeve_pmtu_emsgsize(struct sleeve_pmtu *p, int underlay_pmtu,
					   struct sleeve_pmtu_probe *ret_probe)
{
	int mtu = underlay_pmtu - p->overhead;

	/* A path too small for any payload still gets a 1-byte candidate, never 0 (idle). */
	if (mtu < 1)
		mtu = 1;
	if (p->candidate != 0 && mtu >= p->candidate)
		return SLEEVE_PMTU_IDLE;
	p->highest_good = SLEEVE_PMTU_SEARCH_FLOOR;
	p->lowest_bad = mtu + 1;
	p->candidate = mtu;
	p->tests_sent = 0;
	p->max_payload = (size_t)(mtu + p->overhead - SLEEVE_UDP_OVERHEAD);
	p->mtu = mtu;
	return send_probe(p, ret_probe);
}

enum sleeve_pmtu_step sleeve_pmtu_ack(struct sleeve_pmtu *p, int mtu,
				      struct sleeve_pmtu_probe *ret_probe)
{
	if (p->candidate == 0 || mtu != p->candidate)
		return SLEEVE_PMTU_IDLE;
	p->highest_good = mtu;
	return search(p, ret_probe);
}

enum sleeve_pmtu_step sleeve_pmtu_timeout(struct sleeve_pmtu *p,
					  struct sleeve_pmtu_probe *ret_probe)
{
	if (p->candidate == 0)
		return SLEEVE_PMTU_IDLE;
	if (p->tests_sent < SLEEVE_PMTU_VERIFY_ATTEMPTS)
		return send_probe(p, ret_probe);
	p->lowest_bad = p->candidate;
	return search(p, ret_probe);
}
