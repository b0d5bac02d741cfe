// SPDX-License-Identifier: GPL-2.0
/* The generic netlink family "weave": policies, the device dump and the device SET
 * command. Commands and attributes are defined in include/uapi/linux/weave.h.
 */

#include "netlink.h"
#include "device.h"

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/weave.h>

static const struct nla_policy weave_dev_policy[WEAVE_DEV_A_MAX + 1] = {
	[WEAVE_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WEAVE_DEV_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[WEAVE_DEV_A_MTU] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_NUM_PORTS] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_PEER_NAME] = NLA_POLICY_EXACT_LEN(WEAVE_PEER_NAME_LEN),
	[WEAVE_DEV_A_SHORT_ID] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_DEV_A_UDP_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[WEAVE_DEV_A_STATS] = { .type = NLA_REJECT },
};

static struct genl_family weave_genl_family;

/* The dump cursor, kept in cb->args. */
struct dump_ctx {
	int next_ifindex;	/* resume with the first device at or after this */
	int only_ifindex;	/* dump just this device, or 0 for all */
};

#define DUMP_CTX(cb) ((struct dump_ctx *)(cb)->args)

/* Resolves the device selector of a request: exactly one of IFINDEX or IFNAME.
 * The caller must hold RTNL.
 */
static struct weave_dev *lookup_device(struct net *net, struct nlattr **attrs,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *index = attrs[WEAVE_DEV_A_IFINDEX];
	struct nlattr *name = attrs[WEAVE_DEV_A_IFNAME];

	if (!index == !name) {
		NL_SET_ERR_MSG(extack, "Give exactly one of IFINDEX and IFNAME");
		return ERR_PTR(-EINVAL);
	}
	if (index)
		return weave_dev_find(net, nla_get_u32(index), NULL, extack);
	return weave_dev_find(net, 0, nla_data(name), extack);
}

static int put_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct rtnl_link_stats64 s = {};
	struct nlattr *nest;

	dev_get_tstats64(dev, &s);
	nest = nla_nest_start(skb, WEAVE_DEV_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_PACKETS, s.rx_packets, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_BYTES, s.rx_bytes, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_PACKETS, s.tx_packets, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_BYTES, s.tx_bytes, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_DROPPED, s.rx_dropped, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_DROPPED, s.tx_dropped, WEAVE_STATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_device(struct sk_buff *skb, struct netlink_callback *cb, struct weave_dev *wd)
{
	struct net_device *dev = wd->dev;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &weave_genl_family, NLM_F_MULTI, WEAVE_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, WEAVE_DEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, WEAVE_DEV_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, WEAVE_DEV_A_MTU, dev->mtu) ||
	    nla_put_u32(skb, WEAVE_DEV_A_NUM_PORTS, wd->num_ports) ||
	    nla_put(skb, WEAVE_DEV_A_PEER_NAME, WEAVE_PEER_NAME_LEN, wd->peer_name) ||
	    nla_put_u16(skb, WEAVE_DEV_A_SHORT_ID, wd->short_id) ||
	    nla_put_u16(skb, WEAVE_DEV_A_UDP_PORT, wd->udp_port) ||
	    put_stats(skb, dev)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int weave_get_device_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct dump_ctx *ctx = DUMP_CTX(cb);
	struct weave_dev *wd;

	BUILD_BUG_ON(sizeof(struct dump_ctx) > sizeof(cb->args));
	memset(ctx, 0, sizeof(*ctx));
	if (!info->attrs[WEAVE_DEV_A_IFINDEX] && !info->attrs[WEAVE_DEV_A_IFNAME])
		return 0;

	rtnl_lock();
	wd = lookup_device(sock_net(cb->skb->sk), info->attrs, cb->extack);
	if (!IS_ERR(wd))
		ctx->only_ifindex = wd->dev->ifindex;
	rtnl_unlock();
	return PTR_ERR_OR_ZERO(wd);
}

static int weave_get_device_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct weave_net *wn = weave_net(sock_net(skb->sk));
	struct dump_ctx *ctx = DUMP_CTX(cb);
	struct weave_dev *wd;
	int ret = 0;

	rtnl_lock();
	cb->seq = wn->generation;
	list_for_each_entry(wd, &wn->devices, list) {
		int ifindex = wd->dev->ifindex;

		if (ifindex < ctx->next_ifindex)
			continue;
		if (ctx->only_ifindex && ifindex != ctx->only_ifindex)
			continue;
		ret = fill_device(skb, cb, wd);
		if (ret < 0)
			break;
		ctx->next_ifindex = ifindex + 1;
	}
	rtnl_unlock();

	/* A device that does not fit in an empty message can never be sent. */
	if (ret < 0 && !skb->len)
		return ret;
	return skb->len;
}

static int weave_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct weave_dev *wd;
	int ret = 0;

	rtnl_lock();
	wd = lookup_device(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(wd)) {
		ret = PTR_ERR(wd);
		goto out;
	}
	if (info->attrs[WEAVE_DEV_A_PEER_NAME])
		nla_memcpy(wd->peer_name, info->attrs[WEAVE_DEV_A_PEER_NAME],
			   WEAVE_PEER_NAME_LEN);
	if (info->attrs[WEAVE_DEV_A_SHORT_ID])
		wd->short_id = nla_get_u16(info->attrs[WEAVE_DEV_A_SHORT_ID]);
	if (info->attrs[WEAVE_DEV_A_UDP_PORT])
		wd->udp_port = nla_get_u16(info->attrs[WEAVE_DEV_A_UDP_PORT]);
out:
	rtnl_unlock();
	return ret;
}

static const struct genl_ops weave_genl_ops[] = {
	{
		.cmd = WEAVE_CMD_GET_DEVICE,
		.start = weave_get_device_start,
		.dumpit = weave_get_device_dump,
	},
	{
		.cmd = WEAVE_CMD_SET_DEVICE,
		.doit = weave_set_device,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family weave_genl_family __ro_after_init = {
	.name = WEAVE_GENL_NAME,
	.version = WEAVE_GENL_VERSION,
	.maxattr = WEAVE_DEV_A_MAX,
	.policy = weave_dev_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = weave_genl_ops,
	.n_ops = ARRAY_SIZE(weave_genl_ops),
	.resv_start_op = 0,
};

int __init weave_genetlink_init(void)
{
	return genl_register_family(&weave_genl_family);
}

void weave_genetlink_uninit(void)
{
	genl_unregister_family(&weave_genl_family);
}
