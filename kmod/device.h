/* SPDX-License-Identifier: GPL-2.0 */
/* The weave switch device (rtnl link kind "weave") and the per-namespace list of
 * such devices.
 */

#ifndef _WEAVE_DEVICE_H
#define _WEAVE_DEVICE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <uapi/linux/weave.h>

struct netlink_ext_ack;

struct weave_dev {
	struct net_device *dev;
	/* In weave_net->devices, sorted by ifindex. RTNL. */
	struct list_head list;
	u8 peer_name[WEAVE_PEER_NAME_LEN];
	u16 short_id;
	u16 udp_port;
	u32 num_ports;
};

/* Per network namespace state. All fields are protected by RTNL. */
struct weave_net {
	struct list_head devices;
	/* Bumped whenever a device is added or removed, for dump consistency. */
	unsigned int generation;
};

struct weave_net *weave_net(const struct net *net);
struct weave_dev *weave_dev_find(struct net *net, int ifindex, const char *ifname,
				 struct netlink_ext_ack *extack);

int weave_device_init(void);
void weave_device_uninit(void);

#endif /* _WEAVE_DEVICE_H */
