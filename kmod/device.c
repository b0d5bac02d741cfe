// SPDX-License-Identifier: GPL-2.0
/* The weave switch device: netdev ops, rtnl_link_ops for "ip link add ... type weave",
 * and the per-namespace device list that the netlink dump walks.
 *
 * Locking:
 * - RTNL protects every weave_net (its device list and generation), the
 *   configuration of struct weave_dev, its port list, peer table and routes.
 * - The datapath (rx_handler of the ports, ndo_start_xmit, the UDP socket's
 *   encap_rcv) runs under RCU: ports, peers, routes and the socket are published
 *   with rcu_assign_pointer/list_add_rcu and freed after a grace period.
 * - The MAC table is an rhashtable: lookups under RCU, its own bucket locks.
 * - Counters are per-CPU (dev->tstats, weave_pcpu_stats) and need no lock.
 * - Devices are NETIF_F_NETNS_LOCAL: a device never changes namespace, so its list
 *   never changes either. When a namespace dies, the core deletes its devices through
 *   our dellink; the pernet exit only checks that nothing is left.
 */

#include "device.h"
#include "encap.h"
#include "forward.h"
#include "port.h"
#include "stats.h"
#include "upcall.h"

#include <linux/etherdevice.h>
#include <linux/if_link.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

static unsigned int weave_net_id __read_mostly;

struct weave_net *weave_net(const struct net *net)
{
	return net_generic(net, weave_net_id);
}

bool weave_is_weave_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops && !strcmp(dev->rtnl_link_ops->kind, WEAVE_LINK_KIND);
}

/**
 * weave_dev_find - look up a weave device by ifindex or by name
 * @net: the namespace to look in
 * @ifindex: the index, or 0 to look up by @ifname
 * @ifname: the name, used when @ifindex is 0
 * @extack: where to report why the lookup failed
 *
 * The caller must hold RTNL. Returns the device or an ERR_PTR.
 */
struct weave_dev *weave_dev_find(struct net *net, int ifindex, const char *ifname,
				 struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	ASSERT_RTNL();
	if (ifindex)
		dev = __dev_get_by_index(net, ifindex);
	else
		dev = __dev_get_by_name(net, ifname);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "No such device in this network namespace");
		return ERR_PTR(-ENODEV);
	}
	if (!weave_is_weave_dev(dev)) {
		NL_SET_ERR_MSG(extack, "Device is not a weave device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/* Frames the host sends into the switch through the weave device. */
static netdev_tx_t weave_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct weave_dev *wd = netdev_priv(dev);

	dev_sw_netstats_tx_add(dev, 1, skb->len);
	rcu_read_lock();
	weave_forward(wd, skb, &(struct weave_ingress){ .host = true });
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static int weave_open(struct net_device *dev)
{
	return weave_encap_open(netdev_priv(dev));
}

static int weave_stop(struct net_device *dev)
{
	weave_encap_close(netdev_priv(dev));
	return 0;
}

static int weave_add_slave(struct net_device *dev, struct net_device *port_dev,
			   struct netlink_ext_ack *extack)
{
	return weave_port_add(netdev_priv(dev), port_dev, extack);
}

static int weave_del_slave(struct net_device *dev, struct net_device *port_dev)
{
	return weave_port_del(netdev_priv(dev), port_dev);
}

/**
 * weave_dev_set_port - move the VXLAN socket to another UDP port
 * @wd: the device
 * @port: the new port
 * @extack: where to say why it failed
 *
 * The caller must hold RTNL. On failure the device keeps its old port.
 */
int weave_dev_set_port(struct weave_dev *wd, u16 port, struct netlink_ext_ack *extack)
{
	u16 old = wd->udp_port;
	int ret;

	ASSERT_RTNL();
	if (port == old)
		return 0;
	wd->udp_port = port;
	if (!netif_running(wd->dev))
		return 0;
	weave_encap_close(wd);
	ret = weave_encap_open(wd);
	if (ret < 0) {
		NL_SET_ERR_MSG(extack, "Cannot open the new UDP port (in use?)");
		wd->udp_port = old;
		if (weave_encap_open(wd) < 0)
			netdev_err(wd->dev, "lost its VXLAN socket; set it down and up\n");
	}
	return ret;
}

static int weave_dev_init(struct net_device *dev)
{
	struct weave_dev *wd = netdev_priv(dev);
	int ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	wd->stats = weave_stats_alloc();
	if (!wd->stats) {
		ret = -ENOMEM;
		goto err_tstats;
	}
	ret = weave_fdb_init(&wd->fdb, wd);
	if (ret < 0)
		goto err_stats;
	return 0;

err_stats:
	free_percpu(wd->stats);
err_tstats:
	free_percpu(dev->tstats);
	return ret;
}

/* After unregistration: the datapath no longer runs for this device. */
static void weave_dev_uninit(struct net_device *dev)
{
	struct weave_dev *wd = netdev_priv(dev);

	weave_peers_flush(wd);
	weave_fdb_uninit(&wd->fdb);
	free_percpu(wd->stats);
	free_percpu(dev->tstats);
}

static const struct net_device_ops weave_netdev_ops = {
	.ndo_init = weave_dev_init,
	.ndo_uninit = weave_dev_uninit,
	.ndo_open = weave_open,
	.ndo_stop = weave_stop,
	.ndo_start_xmit = weave_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
	.ndo_add_slave = weave_add_slave,
	.ndo_del_slave = weave_del_slave,
};

static void weave_setup(struct net_device *dev)
{
	struct weave_dev *wd = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &weave_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL | NETIF_F_SG | NETIF_F_HW_CSUM |
			 NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE;
	dev->hw_features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE;
	dev->needed_headroom = LL_MAX_HEADER + WEAVE_ENCAP_OVERHEAD;
	dev->mtu = WEAVE_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU - WEAVE_ENCAP_OVERHEAD;
	eth_hw_addr_random(dev);

	memset(wd, 0, sizeof(*wd));
	wd->dev = dev;
	wd->udp_port = WEAVE_DEFAULT_UDP_PORT;
	INIT_LIST_HEAD(&wd->list);
	INIT_LIST_HEAD(&wd->ports);
	spin_lock_init(&wd->upcall_lock);
	wd->upcall_tokens = WEAVE_UPCALL_RATE;
	wd->upcall_stamp = jiffies;
}

/* Keeps the namespace's list sorted by ifindex, so that a dump can resume after the
 * last ifindex it sent.
 */
static void weave_net_add(struct weave_net *wn, struct weave_dev *wd)
{
	struct weave_dev *pos;

	list_for_each_entry(pos, &wn->devices, list) {
		if (pos->dev->ifindex > wd->dev->ifindex)
			break;
	}
	list_add_tail(&wd->list, &pos->list);
	wn->generation++;
}

static int weave_newlink(struct net *src_net, struct net_device *dev, struct nlattr *tb[],
			 struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct weave_dev *wd = netdev_priv(dev);
	int ret;

	ret = register_netdevice(dev);
	if (ret < 0)
		return ret;

	weave_net_add(weave_net(dev_net(dev)), wd);
	pr_debug("%s: device created\n", dev->name);
	return 0;
}

static void weave_dellink(struct net_device *dev, struct list_head *head)
{
	struct weave_dev *wd = netdev_priv(dev);

	weave_ports_del_all(wd);
	list_del_init(&wd->list);
	weave_net(dev_net(dev))->generation++;
	pr_debug("%s: device destroyed\n", dev->name);
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops weave_link_ops __read_mostly = {
	.kind = WEAVE_LINK_KIND,
	.priv_size = sizeof(struct weave_dev),
	.setup = weave_setup,
	.newlink = weave_newlink,
	.dellink = weave_dellink,
};

static int __net_init weave_net_init(struct net *net)
{
	struct weave_net *wn = weave_net(net);

	INIT_LIST_HEAD(&wn->devices);
	wn->generation = 1;
	return 0;
}

static void __net_exit weave_net_exit_batch(struct list_head *net_list)
{
	struct weave_dev *wd, *tmp;
	struct net *net;
	LIST_HEAD(list);

	/* The core has normally deleted every device already; this catches any left. */
	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list) {
		list_for_each_entry_safe(wd, tmp, &weave_net(net)->devices, list)
			weave_dellink(wd->dev, &list);
	}
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

static struct pernet_operations weave_net_ops = {
	.init = weave_net_init,
	.exit_batch = weave_net_exit_batch,
	.id = &weave_net_id,
	.size = sizeof(struct weave_net),
};

int __init weave_device_init(void)
{
	int ret;

	ret = register_pernet_subsys(&weave_net_ops);
	if (ret < 0)
		goto err_pernet;

	ret = rtnl_link_register(&weave_link_ops);
	if (ret < 0)
		goto err_link;

	return 0;

err_link:
	unregister_pernet_subsys(&weave_net_ops);
err_pernet:
	return ret;
}

void weave_device_uninit(void)
{
	/* Deletes every weave device in every namespace. */
	rtnl_link_unregister(&weave_link_ops);
	unregister_pernet_subsys(&weave_net_ops);
}
