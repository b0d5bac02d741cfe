// SPDX-License-Identifier: GPL-2.0
/* Upcalls: frames the module cannot handle itself (weave heartbeats, frames for peers
 * reached through the daemon) go to the daemon's netlink port, rate limited and never
 * blocking. Injection: WEAVE_CMD_PKT_EXECUTE sends a frame from the daemon as VXLAN
 * to a peer, or through the switch to the local ports.
 */

#include "upcall.h"
#include "device.h"
#include "encap.h"
#include "forward.h"
#include "netlink.h"
#include "stats.h"

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

/* A token bucket of WEAVE_UPCALL_RATE per second, as deep as one second's worth. */
static bool upcall_allowed(struct weave_dev *wd)
{
	unsigned long now = jiffies, elapsed;
	bool ok;

	spin_lock_bh(&wd->upcall_lock);
	elapsed = min_t(unsigned long, now - wd->upcall_stamp, HZ);
	if (elapsed) {
		wd->upcall_tokens = min_t(u32, WEAVE_UPCALL_RATE,
					  wd->upcall_tokens + elapsed * WEAVE_UPCALL_RATE / HZ);
		wd->upcall_stamp = now;
	}
	ok = wd->upcall_tokens > 0;
	if (ok)
		wd->upcall_tokens--;
	spin_unlock_bh(&wd->upcall_lock);
	return ok;
}

static int upcall_one(struct weave_dev *wd, u32 portid, struct sk_buff *skb, u8 reason,
		      u16 src, u16 dst, __be32 outer_addr, __be16 outer_port)
{
	struct nlattr *nest, *frame;
	struct sk_buff *msg;
	void *hdr;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return -EINVAL;
	msg = genlmsg_new(nla_total_size(skb->len) + 128, GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &weave_genl_family, 0, WEAVE_CMD_UPCALL);
	if (!hdr)
		goto err;
	if (nla_put_u32(msg, WEAVE_DEV_A_IFINDEX, wd->dev->ifindex))
		goto err;
	nest = nla_nest_start(msg, WEAVE_DEV_A_PKT);
	if (!nest)
		goto err;
	frame = nla_reserve(msg, WEAVE_PKT_A_FRAME, skb->len);
	if (!frame || skb_copy_bits(skb, 0, nla_data(frame), skb->len) ||
	    nla_put_u16(msg, WEAVE_PKT_A_SRC_PEER, src) ||
	    nla_put_u16(msg, WEAVE_PKT_A_DST_PEER, dst) ||
	    nla_put_u32(msg, WEAVE_PKT_A_REASON, reason))
		goto err;
	if (outer_addr && (nla_put_be32(msg, WEAVE_PKT_A_OUTER_ADDR, outer_addr) ||
			   nla_put_u16(msg, WEAVE_PKT_A_OUTER_PORT, ntohs(outer_port))))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_unicast(dev_net(wd->dev), msg, portid);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

void weave_upcall(struct weave_dev *wd, struct sk_buff *skb, u8 reason, u16 src, u16 dst,
		  __be32 outer_addr, __be16 outer_port)
{
	u32 portid = READ_ONCE(wd->upcall_portid);
	struct sk_buff *segs, *seg, *next;

	if (!portid || !upcall_allowed(wd))
		goto drop;

	if (!skb_is_gso(skb)) {
		if (upcall_one(wd, portid, skb, reason, src, dst, outer_addr, outer_port))
			goto drop;
		consume_skb(skb);
		return;
	}

	/* The daemon sees frames as they go on the wire. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		goto drop;
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		if (upcall_one(wd, portid, seg, reason, src, dst, outer_addr, outer_port))
			weave_stats_drop(wd->stats, WEAVE_DROP_UPCALL);
		kfree_skb(seg);
	}
	return;

drop:
	weave_stats_drop(wd->stats, WEAVE_DROP_UPCALL);
	kfree_skb(skb);
}

static struct sk_buff *frame_to_skb(struct weave_dev *wd, const struct nlattr *frame)
{
	unsigned int len = nla_len(frame);
	struct sk_buff *skb;
	__be16 proto;

	skb = alloc_skb(LL_MAX_HEADER + WEAVE_ENCAP_OVERHEAD + len, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER + WEAVE_ENCAP_OVERHEAD);
	skb_put_data(skb, nla_data(frame), len);
	skb->dev = wd->dev;
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	proto = eth_hdr(skb)->h_proto;
	skb->protocol = eth_proto_is_802_3(proto) ? proto : htons(ETH_P_802_2);
	return skb;
}

/* The caller holds RTNL. */
int weave_pkt_execute(struct weave_dev *wd, struct nlattr **pkt, struct genl_info *info)
{
	struct weave_ingress in = { .no_relay = true };
	struct nlattr *dst_attr = pkt[WEAVE_PKT_A_DST_PEER];
	bool local = nla_get_flag(pkt[WEAVE_PKT_A_LOCAL]);
	u16 src = wd->short_id, dst = 0;
	struct sk_buff *skb;

	if (!pkt[WEAVE_PKT_A_FRAME]) {
		NL_SET_ERR_MSG(info->extack, "WEAVE_PKT_A_FRAME is missing");
		return -EINVAL;
	}
	if (!dst_attr == !local) {
		NL_SET_ERR_MSG(info->extack, "Give exactly one of DST_PEER and LOCAL");
		return -EINVAL;
	}
	if (pkt[WEAVE_PKT_A_SRC_PEER])
		src = nla_get_u16(pkt[WEAVE_PKT_A_SRC_PEER]);
	if (src != wd->short_id && !rtnl_dereference(wd->peers.by_id[src])) {
		NL_SET_ERR_MSG(info->extack, "No peer with the source short id");
		return -ENOENT;
	}
	if (dst_attr) {
		dst = nla_get_u16(dst_attr);
		if (!rtnl_dereference(wd->peers.by_id[dst])) {
			NL_SET_ERR_MSG(info->extack, "No peer with the destination short id");
			return -ENOENT;
		}
	}

	skb = frame_to_skb(wd, pkt[WEAVE_PKT_A_FRAME]);
	if (!skb)
		return -ENOMEM;
	rcu_read_lock();
	local_bh_disable();
	if (dst_attr) {
		weave_encap_xmit(wd, skb, dst, src, &in);
	} else {
		/* Learned behind the source peer, unless the frame claims to be ours. */
		in.remote = src != wd->short_id;
		in.src_peer = src;
		weave_forward(wd, skb, &in);
	}
	local_bh_enable();
	rcu_read_unlock();
	return 0;
}
