/* SPDX-License-Identifier: GPL-2.0 */
/* The sleeve's control messages over the TCP connection (reference §3.4, §3.7, §4.3):
 * sub-tags and payloads of the replies to special frames. The mesh adds the framing.
 */
#ifndef WEAVE_SLEEVE_CONTROL_H
#define WEAVE_SLEEVE_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_special.h"

/* Sub-tag after the forwarder index in an OverlayControlMsg (tag 7), or the legacy
 * protocol tag itself (1..3) when the peer has no Overlays feature.
 */
enum sleeve_control_tag {
	SLEEVE_CONTROL_CONNECTION_ESTABLISHED = 1, /* heartbeat received; empty payload */
	SLEEVE_CONTROL_FRAGMENTATION_RECEIVED = 2, /* frag test reassembled; empty payload */
	SLEEVE_CONTROL_PMTU_VERIFIED = 3, /* probe received; BE u16 = probe length - 14 */
};

enum { SLEEVE_CONTROL_MAX_MSG = 2 };

struct sleeve_control {
	uint8_t tag; /* enum sleeve_control_tag */
	uint8_t msg[SLEEVE_CONTROL_MAX_MSG];
	size_t msg_len;
	uint16_t mtu; /* SLEEVE_CONTROL_PMTU_VERIFIED only */
};

/* The reply Weave sends over TCP for a received special frame of @kind and @frame_len
 * bytes. -ENOMSG for kinds that get no reply (data, runt, bogus). ConnectionEstablished
 * is sent only for the first valid heartbeat of a connection: the caller tracks that.
 */
int sleeve_control_reply(enum sleeve_frame_kind kind, size_t frame_len,
			 struct sleeve_control *ret_ctl);

/* Decodes a received control message. -EPROTO for an unknown tag (Weave logs and ignores
 * it), -EBADMSG for a PMTUVerified shorter than 2 bytes; extra bytes are ignored.
 */
int sleeve_control_parse(uint8_t tag, const uint8_t *msg, size_t len,
			 struct sleeve_control *ret_ctl);

#endif /* WEAVE_SLEEVE_CONTROL_H */
