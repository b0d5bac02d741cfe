/* SPDX-License-Identifier: GPL-2.0 */
/* Upcalls (frames the module hands to the daemon) and injection of frames from it. */

#ifndef _WEAVE_UPCALL_H
#define _WEAVE_UPCALL_H

#include <linux/types.h>

struct genl_info;
struct nlattr;
struct sk_buff;
struct weave_dev;

/* Upcalls allowed per second and device, and the burst. */
#define WEAVE_UPCALL_RATE 2000

/* Sends @skb (data at the Ethernet header) to the upcall port id. Consumes @skb;
 * never blocks: a full socket or an exhausted rate drops it and counts the drop.
 */
void weave_upcall(struct weave_dev *wd, struct sk_buff *skb, u8 reason, u16 src, u16 dst,
		  __be32 outer_addr, __be16 outer_port);

/* WEAVE_CMD_PKT_EXECUTE; the caller holds RTNL and has resolved the device. */
int weave_pkt_execute(struct weave_dev *wd, struct nlattr **pkt, struct genl_info *info);

#endif /* _WEAVE_UPCALL_H */
