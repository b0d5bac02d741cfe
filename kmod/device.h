/* SPDX-License-Identifier: GPL-2.0 */
/* The weave switch device (rtnl link kind "weave") and the per-namespace list of
 * such devices.
 */

#ifndef _WEAVE_DEVICE_H
#define _WEAVE_DEVICE_H

#include "fdb.h"
#include "peer.h"

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <uapi/linux/weave.h>

struct netlink_ext_ack;
struct socket;

/* Outer IPv4, UDP and VXLAN headers plus the inner Ethernet header. */
#define WEAVE_ENCAP_OVERHEAD 50

struct weave_dev {
	struct net_device *dev;
	/* In weave_net->devices, sorted by ifindex. RTNL. */
	struct list_head list;
	/* Our identity; written under RTNL, read by the datapath. */
	u8 peer_name[WEAVE_PEER_NAME_LEN];
	u16 short_id;
	u16 udp_port;
	/* Ports: RTNL for writers, RCU for the datapath. */
	struct list_head ports;
	u32 num_ports;
	struct weave_peers peers;
	struct weave_fdb fdb;
	/* The UDP tunnel socket while the device is up. */
	struct socket __rcu *sock;
	u32 upcall_portid;
	/* Token bucket of upcalls: WEAVE_UPCALL_RATE a second. */
	spinlock_t upcall_lock;
	unsigned long upcall_stamp;
	u32 upcall_tokens;
	/* Switch-wide drops by reason (the device's own rx/tx are in dev->tstats). */
	struct weave_pcpu_stats __percpu *stats;
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
bool weave_is_weave_dev(const struct net_device *dev);
int weave_dev_set_port(struct weave_dev *wd, u16 port, struct netlink_ext_ack *extack);

int weave_device_init(void);
void weave_device_uninit(void);

#endif /* _WEAVE_DEVICE_H */
