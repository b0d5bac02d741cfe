/* SPDX-License-Identifier: GPL-2.0 */
/* The switching decision: where a frame goes given where it came from. */

#ifndef _WEAVE_FORWARD_H
#define _WEAVE_FORWARD_H

#include <linux/types.h>

struct sk_buff;
struct weave_dev;
struct weave_port;

/* Where a frame entered the switch. */
struct weave_ingress {
	struct weave_port *port;	/* a local port */
	bool host;			/* the host, through the weave device itself */
	bool remote;			/* the underlay, from peer src_peer */
	bool no_relay;			/* injected by the daemon: local delivery only */
	u16 src_peer;
	__be32 outer_saddr;		/* remote: the underlay source */
	__be16 outer_sport;
};

/* Consumes @skb, whose data starts at its Ethernet header. Called under RCU. */
void weave_forward(struct weave_dev *wd, struct sk_buff *skb, const struct weave_ingress *in);

/* Sends a frame that could not be carried (an ICMP error built from it) back to
 * where it came from.
 */
void weave_reply(struct weave_dev *wd, struct sk_buff *skb, const struct weave_ingress *in);

#endif /* _WEAVE_FORWARD_H */
