// SPDX-License-Identifier: GPL-2.0
/* VXLAN (RFC 7348) over UDP on the underlay, in Weave Net's fastdp format:
 * VNI = destination short id << 12 | source short id, outer IPv4 with DF and TTL 64,
 * UDP checksum 0, source port hashed from the inner flow. One UDP tunnel socket per
 * device while it is up, with GRO on receive and GSO (SKB_GSO_UDP_TUNNEL) on transmit.
 */

#include "encap.h"
#include "device.h"
#include "forward.h"
#include "stats.h"
#include "upcall.h"

#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <net/gro.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/vxlan.h>

#define WEAVE_TTL 64

static u32 vni_of(u16 dst, u16 src)
{
	return ((u32)dst << 12) | src;
}

static bool too_big(struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return skb->len - ETH_HLEN > mtu;
}

/* A frame larger than the path can carry: an IPv4 DF or IPv6 frame from a local
 * sender gets an ICMP "fragmentation needed"/"packet too big" back; others are dropped.
 */
static void xmit_too_big(struct weave_dev *wd, struct sk_buff *skb, struct rtable *rt,
			 unsigned int mtu, const struct weave_ingress *in)
{
	bool local = in && !in->remote;
	int ret;

	ret = skb_tunnel_check_pmtu(skb, &rt->dst, dst_mtu(&rt->dst) - mtu, local);
	if (ret > 0 && local)
		weave_reply(wd, skb, in);
	else
		kfree_skb(skb);
}

/* The underlay route to @hop: from its per-CPU cache, else looked up and cached. */
static struct rtable *route(struct weave_dev *wd, struct weave_peer *hop, __be16 sport,
			    struct flowi4 *fl4)
{
	struct rtable *rt;

	memset(fl4, 0, sizeof(*fl4));
	rt = dst_cache_get_ip4(&hop->dst_cache, &fl4->saddr);
	if (rt) {
		fl4->daddr = hop->addr;
		return rt;
	}
	fl4->daddr = hop->addr;
	fl4->flowi4_proto = IPPROTO_UDP;
	fl4->fl4_sport = sport;
	fl4->fl4_dport = hop->port;
	rt = ip_route_output_key(dev_net(wd->dev), fl4);
	if (IS_ERR(rt))
		return rt;
	if (rt->dst.dev == wd->dev) {
		ip_rt_put(rt);
		return ERR_PTR(-ELOOP);
	}
	dst_cache_set_ip4(&hop->dst_cache, &rt->dst, fl4->saddr);
	return rt;
}

void weave_encap_xmit(struct weave_dev *wd, struct sk_buff *skb, u16 dst, u16 src,
		      const struct weave_ingress *in)
{
	struct weave_pcpu_stats __percpu *stats = wd->stats;
	struct net *net = dev_net(wd->dev);
	enum weave_drop_reason why;
	struct weave_peer *peer, *hop;
	struct vxlanhdr *vh;
	struct socket *sock;
	struct flowi4 fl4;
	struct rtable *rt;
	unsigned int mtu, len;
	__be16 sport;

	peer = weave_peer_get(&wd->peers, dst);
	why = WEAVE_DROP_NO_PEER;
	if (!peer)
		goto drop;
	stats = peer->stats;
	hop = peer;
	why = WEAVE_DROP_NO_ROUTE;
	if (peer->next_hop != peer->short_id) {
		hop = weave_peer_get(&wd->peers, peer->next_hop);
		if (!hop)
			goto drop;
	}
	if ((peer->flags | hop->flags) & WEAVE_PEER_F_VIA_USERSPACE) {
		weave_upcall(wd, skb, WEAVE_UPCALL_VIA_USERSPACE, src, dst, 0, 0);
		return;
	}
	if (!hop->addr)
		goto drop;
	why = WEAVE_DROP_LOOP;
	if (in && in->remote && hop->addr == in->outer_saddr)
		goto drop;
	why = WEAVE_DROP_XMIT;
	sock = rcu_dereference(wd->sock);
	if (!sock)
		goto drop;

	sport = udp_flow_src_port(net, skb, 0, 0, true);
	rt = route(wd, hop, sport, &fl4);
	if (IS_ERR(rt)) {
		if (PTR_ERR(rt) == -ELOOP)
			why = WEAVE_DROP_LOOP;
		goto drop;
	}

	mtu = min_t(unsigned int, peer->mtu ?: wd->dev->mtu,
		    dst_mtu(&rt->dst) - WEAVE_ENCAP_OVERHEAD);
	if (too_big(skb, mtu)) {
		weave_stats_drop(stats, WEAVE_DROP_TOO_BIG);
		xmit_too_big(wd, skb, rt, mtu, in);
		ip_rt_put(rt);
		return;
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
				      sizeof(struct iphdr) + VXLAN_HLEN) ||
	    udp_tunnel_handle_offloads(skb, false)) {
		ip_rt_put(rt);
		goto drop;
	}
	len = skb->len;
	vh = __skb_push(skb, sizeof(*vh));
	vh->vx_flags = VXLAN_HF_VNI;
	vh->vx_vni = cpu_to_be32(vni_of(dst, src) << 8);
	skb_set_inner_protocol(skb, htons(ETH_P_TEB));
	weave_stats_tx(peer->stats, len);

	/* The device's own counters are the host's traffic, not the underlay's. */
	skb->dev = NULL;
	udp_tunnel_xmit_skb(rt, sock->sk, skb, fl4.saddr, fl4.daddr, 0, WEAVE_TTL,
			    htons(IP_DF), sport, hop->port, false, true);
	return;

drop:
	weave_stats_drop(stats, why);
	kfree_skb(skb);
}

static int weave_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct weave_ingress in = { .remote = true };
	struct weave_peer *src_peer;
	enum weave_drop_reason why;
	struct weave_dev *wd;
	struct vxlanhdr *vh;
	u16 src, dst;
	u32 vni;

	wd = rcu_dereference_sk_user_data(sk);
	if (!wd)
		goto free;
	why = WEAVE_DROP_MALFORMED;
	if (!pskb_may_pull(skb, VXLAN_HLEN))
		goto drop;
	vh = vxlan_hdr(skb);
	if (vh->vx_flags != VXLAN_HF_VNI || (vh->vx_vni & ~VXLAN_VNI_MASK))
		goto drop;
	vni = be32_to_cpu(vh->vx_vni) >> 8;
	src = vni & WEAVE_SHORT_ID_MAX;
	dst = vni >> 12;
	in.src_peer = src;
	in.outer_saddr = ip_hdr(skb)->saddr;
	in.outer_sport = udp_hdr(skb)->source;

	if (__iptunnel_pull_header(skb, VXLAN_HLEN, htons(ETH_P_TEB), false,
				   !net_eq(sock_net(sk), dev_net(wd->dev))))
		goto drop;
	if (!pskb_may_pull(skb, ETH_HLEN))
		goto drop;
	if (!memchr_inv(skb->data, 0, ETH_HLEN)) {
		/* Weave's fastdp heartbeat: the daemon checks and answers it. */
		weave_upcall(wd, skb, WEAVE_UPCALL_HEARTBEAT, src, dst, in.outer_saddr,
			     in.outer_sport);
		return 0;
	}

	why = WEAVE_DROP_NO_PEER;
	src_peer = weave_peer_get(&wd->peers, src);
	if (!src_peer)
		goto drop;
	if (dst != READ_ONCE(wd->short_id)) {
		weave_encap_xmit(wd, skb, dst, src, &in);
		return 0;
	}
	weave_stats_rx(src_peer->stats, skb->len);
	weave_forward(wd, skb, &in);
	return 0;

drop:
	weave_stats_drop(wd->stats, why);
free:
	kfree_skb(skb);
	return 0;
}

static struct sk_buff *weave_gro_receive(struct sock *sk, struct list_head *head,
					 struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb);
	struct sk_buff *pp = NULL, *p;
	struct vxlanhdr *vh, *vh2;
	int flush = 1;

	vh = skb_gro_header(skb, off + sizeof(*vh), off);
	if (!vh || vh->vx_flags != VXLAN_HF_VNI)
		goto out;
	skb_gro_postpull_rcsum(skb, vh, sizeof(*vh));

	/* Only frames of the same source and destination peer are merged. */
	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		vh2 = (struct vxlanhdr *)(p->data + off);
		if (vh->vx_flags != vh2->vx_flags || vh->vx_vni != vh2->vx_vni)
			NAPI_GRO_CB(p)->same_flow = 0;
	}
	skb_gro_pull(skb, sizeof(*vh));
	pp = call_gro_receive(eth_gro_receive, head, skb);
	flush = 0;
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

static int weave_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	return eth_gro_complete(skb, nhoff + sizeof(struct vxlanhdr));
}

/* Opens the UDP tunnel socket on the device's port. The caller must hold RTNL. */
int weave_encap_open(struct weave_dev *wd)
{
	struct udp_tunnel_sock_cfg tunnel_cfg = {
		.sk_user_data = wd,
		.encap_type = 1,
		.encap_rcv = weave_udp_rcv,
		.gro_receive = weave_gro_receive,
		.gro_complete = weave_gro_complete,
	};
	struct udp_port_cfg udp_conf = {
		.family = AF_INET,
		.local_udp_port = htons(wd->udp_port),
	};
	struct net *net = dev_net(wd->dev);
	struct socket *sock;
	int ret;

	ASSERT_RTNL();
	ret = udp_sock_create(net, &udp_conf, &sock);
	if (ret < 0) {
		netdev_err(wd->dev, "cannot open UDP port %u for VXLAN: %d\n", wd->udp_port, ret);
		return ret;
	}
	setup_udp_tunnel_sock(net, sock, &tunnel_cfg);
	rcu_assign_pointer(wd->sock, sock);
	return 0;
}

/* The caller must hold RTNL. */
void weave_encap_close(struct weave_dev *wd)
{
	struct socket *sock = rtnl_dereference(wd->sock);

	ASSERT_RTNL();
	if (!sock)
		return;
	RCU_INIT_POINTER(wd->sock, NULL);
	synchronize_net();
	udp_tunnel_sock_release(sock);
}
