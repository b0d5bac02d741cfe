// SPDX-License-Identifier: GPL-2.0
/* Ports: enslaving and releasing devices (ndo_add_slave/ndo_del_slave, upper-dev
 * linking and an rx_handler, as bridge and team do), and the rx_handler that hands
 * every frame a port receives to the switch.
 */

#include "port.h"
#include "device.h"
#include "forward.h"
#include "stats.h"

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

static rx_handler_result_t weave_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct weave_port *port;
	struct weave_dev *wd;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	wd = port->wd;
	if (unlikely(!is_valid_ether_addr(eth_hdr(skb)->h_source))) {
		weave_stats_drop(port->stats, WEAVE_DROP_MALFORMED);
		goto drop;
	}
	if (unlikely(!(wd->dev->flags & IFF_UP)))
		goto drop;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	weave_stats_rx(port->stats, skb->len + ETH_HLEN);
	skb_push(skb, ETH_HLEN);
	weave_forward(wd, skb, &(struct weave_ingress){ .port = port });
	return RX_HANDLER_CONSUMED;

drop:
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

static struct weave_port *port_of(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != weave_handle_frame)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

static void port_free_rcu(struct rcu_head *rcu)
{
	struct weave_port *port = container_of(rcu, struct weave_port, rcu);

	free_percpu(port->stats);
	kfree(port);
}

/* The caller must hold RTNL. */
int weave_port_add(struct weave_dev *wd, struct net_device *dev, struct netlink_ext_ack *extack)
{
	struct weave_port *port;
	int ret;

	ASSERT_RTNL();
	if ((dev->flags & IFF_LOOPBACK) || dev->type != ARPHRD_ETHER ||
	    dev->addr_len != ETH_ALEN || !is_valid_ether_addr(dev->dev_addr)) {
		NL_SET_ERR_MSG(extack, "Only Ethernet devices can be weave ports");
		return -EINVAL;
	}
	if (weave_is_weave_dev(dev)) {
		NL_SET_ERR_MSG(extack, "A weave device cannot be a port of a weave device");
		return -ELOOP;
	}
	if (netdev_master_upper_dev_get(dev)) {
		NL_SET_ERR_MSG(extack, "Device already has a master");
		return -EBUSY;
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->stats = weave_stats_alloc();
	if (!port->stats) {
		ret = -ENOMEM;
		goto err_free;
	}
	port->dev = dev;
	port->wd = wd;

	ret = dev_set_promiscuity(dev, 1);
	if (ret < 0)
		goto err_free;
	ret = netdev_rx_handler_register(dev, weave_handle_frame, port);
	if (ret < 0)
		goto err_promisc;
	ret = netdev_master_upper_dev_link(dev, wd->dev, NULL, NULL, extack);
	if (ret < 0)
		goto err_rx_handler;

	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);
	dev_disable_lro(dev);
	list_add_tail_rcu(&port->list, &wd->ports);
	wd->num_ports++;
	pr_debug("%s: port %s added\n", wd->dev->name, dev->name);
	return 0;

err_rx_handler:
	netdev_rx_handler_unregister(dev);
err_promisc:
	dev_set_promiscuity(dev, -1);
err_free:
	free_percpu(port->stats);
	kfree(port);
	return ret;
}

static void port_release(struct weave_port *port)
{
	struct weave_dev *wd = port->wd;
	struct net_device *dev = port->dev;

	list_del_rcu(&port->list);
	wd->num_ports--;
	netdev_upper_dev_unlink(dev, wd->dev);
	netdev_rx_handler_unregister(dev);
	dev_set_promiscuity(dev, -1);
	weave_fdb_flush(&wd->fdb, weave_fdb_match_dst, (void *)weave_fdb_dst_port(port));
	pr_debug("%s: port %s removed\n", wd->dev->name, dev->name);
	netdev_put(dev, &port->dev_tracker);
	call_rcu(&port->rcu, port_free_rcu);
}

/* The caller must hold RTNL. */
int weave_port_del(struct weave_dev *wd, struct net_device *dev)
{
	struct weave_port *port = port_of(dev);

	ASSERT_RTNL();
	if (!port || port->wd != wd)
		return -EINVAL;
	port_release(port);
	return 0;
}

/* The caller must hold RTNL. */
void weave_ports_del_all(struct weave_dev *wd)
{
	struct weave_port *port, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(port, tmp, &wd->ports, list)
		port_release(port);
}

static int weave_port_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct weave_port *port;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	port = port_of(dev);
	if (port)
		port_release(port);
	return NOTIFY_DONE;
}

static struct notifier_block weave_port_notifier = {
	.notifier_call = weave_port_event,
};

int __init weave_port_init(void)
{
	return register_netdevice_notifier(&weave_port_notifier);
}

void weave_port_uninit(void)
{
	unregister_netdevice_notifier(&weave_port_notifier);
}
