/* SPDX-License-Identifier: GPL-2.0 */
/* Ports of the switch: devices enslaved with "ip link set <dev> master <weave>". */

#ifndef _WEAVE_PORT_H
#define _WEAVE_PORT_H

#include <linux/list.h>
#include <linux/netdevice.h>

struct weave_dev;
struct netlink_ext_ack;

struct weave_port {
	struct net_device *dev;
	struct weave_dev *wd;
	/* In wd->ports: RTNL for writers, RCU for the datapath. */
	struct list_head list;
	struct weave_pcpu_stats __percpu *stats;
	netdevice_tracker dev_tracker;
	struct rcu_head rcu;
};

int weave_port_add(struct weave_dev *wd, struct net_device *port_dev,
		   struct netlink_ext_ack *extack);
int weave_port_del(struct weave_dev *wd, struct net_device *port_dev);
void weave_ports_del_all(struct weave_dev *wd);

int weave_port_init(void);
void weave_port_uninit(void);

#endif /* _WEAVE_PORT_H */
