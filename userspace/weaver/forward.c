// SPDX-License-Identifier: GPL-2.0
/* forward: switching decisions of the sleeve datapath and the ICMP frag-needed builder. */
#include "weaver/forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static const uint8_t stp_dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

static bool mac_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

int forward_captured(struct mac_cache *macs, mesh_peer_name_t self, const uint8_t *frame,
		     size_t len, uint64_t now_ms, struct forward_decision *ret)
{
	mesh_peer_name_t dst;

	memset(ret, 0, sizeof(*ret));
	if (len < 14 || memcmp(frame, stp_dst, 6) == 0 || mac_is_group(frame + 6))
		return 0; /* runt, STP, or a bogus multicast source: drop */
	ret->learnt = mac_cache_learn(macs, frame + 6, self, now_ms, NULL);
	dst = mac_is_group(frame) ? MESH_PEER_NAME_UNKNOWN : mac_cache_lookup(macs, frame);
	if (dst == self)
		return 0;
	if (dst == MESH_PEER_NAME_UNKNOWN) {
		ret->action = FORWARD_BROADCAST;
		return 0;
	}
	ret->action = FORWARD_UNICAST;
	ret->dst_peer = dst;
	return 0;
}

int forward_received(struct mac_cache *macs, mesh_peer_name_t self, mesh_peer_name_t src_peer,
		     mesh_peer_name_t dst_peer, const uint8_t *frame, size_t len, uint64_t now_ms,
		     struct forward_decision *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (len < 14 || src_peer == self)
		return 0;
	if (dst_peer != self) { /* we are just relaying it */
		ret->action = FORWARD_UNICAST;
		ret->dst_peer = dst_peer;
		return 0;
	}
	/* Unicast to us, or a broadcast: its DstPeer is always the peer it is forwarded to. */
	if (!mac_is_group(frame + 6))
		ret->learnt = mac_cache_learn(macs, frame + 6, src_peer, now_ms, NULL);
	if (!mac_is_group(frame) && mac_cache_lookup(macs, frame) == self)
		ret->action = FORWARD_INJECT;
	else
		ret->action = FORWARD_INJECT_BROADCAST;
	return 0;
}

bool forward_needs_frag(const uint8_t *frame, size_t len, int mtu)
{
	if (len < 14 + 20 || frame[12] != 0x08 || frame[13] != 0x00)
		return false;
	if (!(frame[14 + 6] & 0x40)) /* DF */
		return false;
	return len - 14 > (size_t)mtu;
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int forward_icmp_frag_needed(const uint8_t *frame, size_t len, int mtu,
			     uint8_t out[FORWARD_ICMP_MAX_LEN])
{
	const uint8_t *ip = frame + 14;
	size_t ihl, quoted, total;
	uint8_t *oip, *icmp;

	if (len < 14 + 20 || frame[12] != 0x08 || frame[13] != 0x00 || (ip[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || len < 14 + ihl)
		return -EINVAL;
	quoted = ihl + 8 <= len - 14 ? ihl + 8 : len - 14;
	total = 20 + 8 + quoted;
	memcpy(out, frame + 6, 6); /* back to the sender */
	memcpy(out + 6, frame, 6);
	out[12] = 0x08;
	out[13] = 0x00;
	oip = out + 14;
	memset(oip, 0, 20);
	oip[0] = 0x45;
	put16(oip + 2, (uint16_t)total);
	oip[8] = 64; /* TTL */
	oip[9] = 1; /* ICMP */
	memcpy(oip + 12, ip + 16, 4);
	memcpy(oip + 16, ip + 12, 4);
	put16(oip + 10, csum(oip, 20));
	icmp = oip + 20;
	memset(icmp, 0, 8);
	icmp[0] = 3;
	icmp[1] = 4;
	put16(icmp + 6, (uint16_t)mtu);
	memcpy(icmp + 8, ip, quoted);
	put16(icmp + 2, csum(icmp, 8 + quoted));
	return (int)(14 + total);
}
