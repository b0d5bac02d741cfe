// SPDX-License-Identifier: GPL-2.0
/* The switch: learns where source MACs live, then sends a frame to the port or
 * peer its destination MAC was learned on, to the host, or floods it to every
 * local port and along the broadcast route of its source peer.
 */

#include "forward.h"
#include "device.h"
#include "encap.h"
#include "port.h"
#include "stats.h"

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

static void to_port(struct weave_port *port, struct sk_buff *skb)
{
	skb->dev = port->dev;
	skb_forward_csum(skb);
	weave_stats_tx(port->stats, skb->len);
	dev_queue_xmit(skb);
}

static void to_host(struct weave_dev *wd, struct sk_buff *skb)
{
	struct net_device *dev = wd->dev;

	skb->protocol = eth_type_trans(skb, dev);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	dev_sw_netstats_rx_add(dev, skb->len + ETH_HLEN);
	netif_rx(skb);
}

void weave_reply(struct weave_dev *wd, struct sk_buff *skb, const struct weave_ingress *in)
{
	if (in->port)
		to_port(in->port, skb);
	else if (in->host)
		to_host(wd, skb);
	else
		kfree_skb(skb);
}

static void flood(struct weave_dev *wd, struct sk_buff *skb, const struct weave_ingress *in,
		  bool relay)
{
	struct weave_port *port;
	struct weave_bcast *b;
	struct sk_buff *c;
	unsigned int i;
	u16 src;

	list_for_each_entry_rcu(port, &wd->ports, list) {
		if (port == in->port)
			continue;
		c = skb_clone(skb, GFP_ATOMIC);
		if (c)
			to_port(port, c);
	}
	if (!in->host) {
		c = skb_clone(skb, GFP_ATOMIC);
		if (c)
			to_host(wd, c);
	}
	if (!relay || in->no_relay)
		goto out;

	src = in->remote ? in->src_peer : READ_ONCE(wd->short_id);
	b = weave_bcast_get(&wd->peers, src);
	for (i = 0; b && i < b->count; i++) {
		c = skb_clone(skb, GFP_ATOMIC);
		if (c)
			weave_encap_xmit(wd, c, b->hops[i], src, in);
	}
out:
	consume_skb(skb);
}

static void learn(struct weave_dev *wd, const u8 *mac, const struct weave_ingress *in)
{
	if (in->port)
		weave_fdb_learn(&wd->fdb, mac, weave_fdb_dst_port(in->port));
	else if (in->remote)
		weave_fdb_learn(&wd->fdb, mac, weave_fdb_dst_peer(in->src_peer));
}

void weave_forward(struct weave_dev *wd, struct sk_buff *skb, const struct weave_ingress *in)
{
	const struct ethhdr *eth;
	struct weave_fdb_entry *e;
	unsigned long dst;

	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		weave_stats_drop(wd->stats, WEAVE_DROP_MALFORMED);
		kfree_skb(skb);
		return;
	}
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	eth = eth_hdr(skb);
	learn(wd, eth->h_source, in);

	if (is_multicast_ether_addr(eth->h_dest)) {
		flood(wd, skb, in, true);
		return;
	}
	if (ether_addr_equal(eth->h_dest, wd->dev->dev_addr)) {
		if (in->host)
			goto loop;
		to_host(wd, skb);
		return;
	}

	e = weave_fdb_lookup(&wd->fdb, eth->h_dest);
	if (!e) {
		flood(wd, skb, in, true);
		return;
	}
	dst = READ_ONCE(e->dst);
	if (weave_fdb_dst_is_peer(dst)) {
		/* Behind another peer, yet sent to us (flooded by a peer that had not
		 * learned it): deliver here and send it on along the source's
		 * broadcast tree, as Weave's router does.
		 */
		if (in->remote)
			flood(wd, skb, in, true);
		else
			weave_encap_xmit(wd, skb, weave_fdb_dst_peer_id(dst),
					 READ_ONCE(wd->short_id), in);
		return;
	}
	if (weave_fdb_dst_to_port(dst) == in->port)
		goto loop;
	to_port(weave_fdb_dst_to_port(dst), skb);
	return;

loop:
	weave_stats_drop(wd->stats, WEAVE_DROP_LOOP);
	kfree_skb(skb);
}
