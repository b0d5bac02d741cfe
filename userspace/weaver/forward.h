/* SPDX-License-Identifier: GPL-2.0 */
/* forward: the sleeve datapath's switching decisions (network_router.go handleCapturedPacket,
 * handleForwardedPacket) over the MAC cache, and the ICMP "fragmentation needed" reply.
 */
#ifndef WEAVE_WEAVER_FORWARD_H
#define WEAVE_WEAVER_FORWARD_H

#include "weaver/mac_cache.h"

#include <stddef.h>
#include <stdint.h>

enum forward_action {
	FORWARD_DROP,
	FORWARD_BROADCAST, /* along the broadcast routes of the frame's source peer */
	FORWARD_UNICAST, /* to dst_peer via its next hop */
	FORWARD_INJECT, /* into the local bridge */
	FORWARD_INJECT_BROADCAST, /* into the bridge, and on along the broadcast routes */
};

struct forward_decision {
	enum forward_action action;
	mesh_peer_name_t dst_peer;
	enum mac_cache_learn learnt; /* what learning the source MAC did */
};

#define FORWARD_ICMP_MAX_LEN (14 + 20 + 8 + 60 + 8) /* Ethernet, IP, ICMP, quoted IP + 8 */

/* A frame captured from the local bridge. */
int forward_captured(struct mac_cache *macs, mesh_peer_name_t self, const uint8_t *frame,
		     size_t len, uint64_t now_ms, struct forward_decision *ret);
/* A frame received from the overlay, captured by @src_peer and addressed to @dst_peer. */
int forward_received(struct mac_cache *macs, mesh_peer_name_t self, mesh_peer_name_t src_peer,
		     mesh_peer_name_t dst_peer, const uint8_t *frame, size_t len, uint64_t now_ms,
		     struct forward_decision *ret);

/* Whether @frame is IPv4 with DF set and its IP packet is longer than @mtu. */
bool forward_needs_frag(const uint8_t *frame, size_t len, int mtu);
/* Builds the ICMP type 3 code 4 reply (next-hop MTU @mtu) to @frame into @out; returns its
 * length, or -EINVAL when @frame is not a usable IPv4 packet.
 */
int forward_icmp_frag_needed(const uint8_t *frame, size_t len, int mtu,
			     uint8_t out[FORWARD_ICMP_MAX_LEN]);

#endif /* WEAVE_WEAVER_FORWARD_H */
