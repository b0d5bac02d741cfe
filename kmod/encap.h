/* SPDX-License-Identifier: GPL-2.0 */
/* VXLAN encapsulation on the underlay: the UDP tunnel socket, transmit and receive. */

#ifndef _WEAVE_ENCAP_H
#define _WEAVE_ENCAP_H

#include <linux/types.h>

struct sk_buff;
struct weave_dev;
struct weave_ingress;

int weave_encap_open(struct weave_dev *wd);
void weave_encap_close(struct weave_dev *wd);

/* Sends @skb (data at the Ethernet header) to peer @dst as coming from peer @src,
 * through the next hop the peer table gives. Consumes @skb. Called under RCU with
 * bottom halves off.
 */
void weave_encap_xmit(struct weave_dev *wd, struct sk_buff *skb, u16 dst, u16 src,
		      const struct weave_ingress *in);

#endif /* _WEAVE_ENCAP_H */
