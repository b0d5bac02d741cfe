// SPDX-License-Identifier: GPL-2.0
/* Encoding and decoding of the sleeve's TCP control replies (ConnectionEstablished,
 * FragmentationReceived, PMTUVerified).
 */
#include "overlay/sleeve/sleeve_control.h"

#include <errno.h>
#include <string.h>

static void set_pmtu_verified(struct sleeve_control *ctl, uint16_t mtu)
{
	ctl->tag = SLEEVE_CONTROL_PMTU_VERIFIED;
	ctl->msg[0] = (uint8_t)(mtu >> 8);
	ctl->msg[1] = (uint8_t)mtu;
	ctl->msg_len = 2;
	ctl->mtu = mtu;
}

int sleeve_control_reply(enum sleeve_frame_kind kind, size_t frame_len,
			 struct sleeve_control *ret_ctl)
{
	struct sleeve_control ctl;

	memset(&ctl, 0, sizeof(ctl));
	switch (kind) {
	case SLEEVE_FRAME_HEARTBEAT:
		ctl.tag = SLEEVE_CONTROL_CONNECTION_ESTABLISHED;
		break;
	case SLEEVE_FRAME_FRAG_TEST:
		ctl.tag = SLEEVE_CONTROL_FRAGMENTATION_RECEIVED;
		break;
	case SLEEVE_FRAME_PMTU_PROBE:
		set_pmtu_verified(&ctl, sleeve_pmtu_probe_mtu(frame_len));
		break;
	default:
		return -ENOMSG;
	}
	*ret_ctl = ctl;
	return 0;
}

int sleeve_control_parse(uint8_t tag, const uint8_t *msg, size_t len,
			 struct sleeve_control *ret_ctl)
{
	struct sleeve_control ctl;

	memset(&ctl, 0, sizeof(ctl));
	switch (tag) {
	case SLEEVE_CONTROL_CONNECTION_ESTABLISHED:
	case SLEEVE_CONTROL_FRAGMENTATION_RECEIVED:
		ctl.tag = tag;
		break;
	case SLEEVE_CONTROL_PMTU_VERIFIED:
		if (!msg || len < 2)
			return -EBADMSG;
		set_pmtu_verified(&ctl, (uint16_t)(msg[0] << 8 | msg[1]));
		break;
	default:
		return -EPROTO;
	}
	*ret_ctl = ctl;
	return 0;
}
