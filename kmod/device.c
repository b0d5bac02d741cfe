// SPDX-License-Identifier: GPL-2.0
/* The weave switch device: netdev ops, rtnl_link_ops for "ip link add ... type weave",
 * and the per-namespace device list that the netlink dump walks.
 *
 * Locking:
 * - RTNL protects every weave_net (its device list and generation) and the
 *   configuration fields of struct weave_dev.
 * - Counters are per-CPU (dev->tstats) and need no lock.
 * - Devices are NETIF_F_NETNS_LOCAL: a device never changes namespace, so its list
 *   never changes either. When a namespace dies, the core deletes its devices through
 *   our dellink; the pernet exit only checks that nothing is left.
 */

#include "device.h"

#include <linux/etherdevice.h>
#include <linux/if_link.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

/* Outer Ethernet, IPv4, UDP and VXLAN headers added on encapsulation. */
#define WEAVE_ENCAP_OVERHEAD 50

static unsigned int weave_net_id __read_mostly;

struct weave_net *weave_net(const struct net *net)
{
	return net_generic(net, weave_net_id);
}

static bool is_weave_dev(const struct net_device *dev)
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
	if (!is_weave_dev(dev)) {
		NL_SET_ERR_MSG(extack, "Device is not a weave device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static netdev_tx_t weave_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* Frames the host sends into the switch. The switch has no port to
	 * forward them to yet, so they are counted and consumed.
	 */
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static int weave_dev_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	return 0;
}

static void weave_dev_uninit(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static const struct net_device_ops weave_netdev_ops = {
	.ndo_init = weave_dev_init,
	.ndo_uninit = weave_dev_uninit,
	.ndo_start_xmit = weave_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void weave_setup(struct net_device *dev)
{
	struct weave_dev *wd = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &weave_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | NETIF_F_NETNS_LOCAL;
	dev->mtu = WEAVE_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU - WEAVE_ENCAP_OVERHEAD;
	eth_hw_addr_random(dev);

	memset(wd, 0, sizeof(*wd));
	wd->dev = dev;
	wd->udp_port = WEAVE_DEFAULT_UDP_PORT;
	INIT_LIST_HEAD(&wd->list);
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
