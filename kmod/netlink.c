// SPDX-License-Identifier: GPL-2.0
/* The generic netlink family "weave": policies, the dumps of devices, peers,
 * broadcast routes, MACs and ports, and the commands that program them. Commands and
 * attributes are defined in include/uapi/linux/weave.h.
 */

#include "netlink.h"
#include "device.h"
#include "port.h"
#include "stats.h"
#include "upcall.h"

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/weave.h>

static struct netlink_range_validation ageing_range = {
	.min = 1,
	.max = 86400,
};

static struct netlink_range_validation fdb_max_range = {
	.min = 1,
	.max = WEAVE_FDB_MAX_LIMIT,
};

static struct netlink_range_validation mtu_range = {
	.min = 0,
	.max = ETH_MAX_MTU,
};

static const struct nla_policy weave_peer_policy[WEAVE_PEER_A_MAX + 1] = {
	[WEAVE_PEER_A_SHORT_ID] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_PEER_A_NAME] = NLA_POLICY_EXACT_LEN(WEAVE_PEER_NAME_LEN),
	[WEAVE_PEER_A_ADDR] = { .type = NLA_BE32 },
	[WEAVE_PEER_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[WEAVE_PEER_A_NEXT_HOP] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_PEER_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __WEAVE_PEER_F_ALL),
	[WEAVE_PEER_A_MTU] = NLA_POLICY_FULL_RANGE(NLA_U32, &mtu_range),
	[WEAVE_PEER_A_STATS] = { .type = NLA_REJECT },
};

static const struct nla_policy weave_bcast_policy[WEAVE_BCAST_A_MAX + 1] = {
	[WEAVE_BCAST_A_SRC] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_BCAST_A_HOPS] = { .type = NLA_BINARY,
				 .len = (WEAVE_SHORT_ID_MAX + 1) * sizeof(u16) },
};

static const struct nla_policy weave_fdb_policy[WEAVE_FDB_A_MAX + 1] = {
	[WEAVE_FDB_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[WEAVE_FDB_A_PORT] = { .type = NLA_REJECT },
	[WEAVE_FDB_A_PEER] = { .type = NLA_REJECT },
	[WEAVE_FDB_A_AGE_MS] = { .type = NLA_REJECT },
};

static const struct nla_policy weave_pkt_policy[WEAVE_PKT_A_MAX + 1] = {
	[WEAVE_PKT_A_FRAME] = NLA_POLICY_MIN_LEN(ETH_HLEN),
	[WEAVE_PKT_A_SRC_PEER] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_PKT_A_DST_PEER] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_PKT_A_LOCAL] = { .type = NLA_FLAG },
	[WEAVE_PKT_A_REASON] = { .type = NLA_REJECT },
	[WEAVE_PKT_A_OUTER_ADDR] = { .type = NLA_REJECT },
	[WEAVE_PKT_A_OUTER_PORT] = { .type = NLA_REJECT },
};

static const struct nla_policy weave_dev_policy[WEAVE_DEV_A_MAX + 1] = {
	[WEAVE_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WEAVE_DEV_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[WEAVE_DEV_A_MTU] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_NUM_PORTS] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_PEER_NAME] = NLA_POLICY_EXACT_LEN(WEAVE_PEER_NAME_LEN),
	[WEAVE_DEV_A_SHORT_ID] = NLA_POLICY_MAX(NLA_U16, WEAVE_SHORT_ID_MAX),
	[WEAVE_DEV_A_UDP_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[WEAVE_DEV_A_STATS] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_FDB_AGEING] = NLA_POLICY_FULL_RANGE(NLA_U32, &ageing_range),
	[WEAVE_DEV_A_FDB_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &fdb_max_range),
	[WEAVE_DEV_A_FDB_COUNT] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_NUM_PEERS] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_UPCALL_PORTID] = { .type = NLA_U32 },
	[WEAVE_DEV_A_PEER] = NLA_POLICY_NESTED(weave_peer_policy),
	[WEAVE_DEV_A_BCAST] = NLA_POLICY_NESTED(weave_bcast_policy),
	[WEAVE_DEV_A_FDB] = NLA_POLICY_NESTED(weave_fdb_policy),
	[WEAVE_DEV_A_PORT] = { .type = NLA_REJECT },
	[WEAVE_DEV_A_PKT] = NLA_POLICY_NESTED(weave_pkt_policy),
};

/* The dump cursor, kept in cb->args. */
struct dump_ctx {
	int next_ifindex;	/* device dump: resume at the first device at or after */
	int only_ifindex;	/* device dump: just this device, or 0 for all */
	int dev_ifindex;	/* per-device dumps: the device */
	unsigned long next;	/* per-device dumps: the next item (short id, index) */
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

static void *dump_msg_start(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
			    struct weave_dev *wd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &weave_genl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return NULL;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, WEAVE_DEV_A_IFINDEX, wd->dev->ifindex)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/* The device's own counters (the host's traffic) and the switch's drops. */
/* Ends a dump message started by dump_msg_start() with its item nest, or takes the whole
 * message back when something did not fit (@failed) so the next dumpit call resends it.
 */
static int dump_msg_end(struct sk_buff *skb, void *hdr, struct nlattr *nest, bool failed)
{
	if (failed || !nest) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int put_dev_stats(struct sk_buff *skb, struct weave_dev *wd)
{
	struct rtnl_link_stats64 s = {};
	struct weave_stats_sum sum;

	dev_get_tstats64(wd->dev, &s);
	weave_stats_read(wd->stats, &sum);
	sum.rx_packets = s.rx_packets;
	sum.rx_bytes = s.rx_bytes;
	sum.tx_packets = s.tx_packets;
	sum.tx_bytes = s.tx_bytes;
	sum.rx_dropped = s.rx_dropped;
	sum.tx_dropped = s.tx_dropped;
	return weave_stats_put_sum(skb, WEAVE_DEV_A_STATS, &sum);
}

static int fill_device(struct sk_buff *skb, struct netlink_callback *cb, struct weave_dev *wd)
{
	struct net_device *dev = wd->dev;
	void *hdr;

	hdr = dump_msg_start(skb, cb, WEAVE_CMD_GET_DEVICE, wd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, WEAVE_DEV_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, WEAVE_DEV_A_MTU, dev->mtu) ||
	    nla_put_u32(skb, WEAVE_DEV_A_NUM_PORTS, wd->num_ports) ||
	    nla_put(skb, WEAVE_DEV_A_PEER_NAME, WEAVE_PEER_NAME_LEN, wd->peer_name) ||
	    nla_put_u16(skb, WEAVE_DEV_A_SHORT_ID, wd->short_id) ||
	    nla_put_u16(skb, WEAVE_DEV_A_UDP_PORT, wd->udp_port) ||
	    nla_put_u32(skb, WEAVE_DEV_A_FDB_AGEING, wd->fdb.ageing / HZ) ||
	    nla_put_u32(skb, WEAVE_DEV_A_FDB_MAX, wd->fdb.max) ||
	    nla_put_u32(skb, WEAVE_DEV_A_FDB_COUNT, atomic_read(&wd->fdb.count)) ||
	    nla_put_u32(skb, WEAVE_DEV_A_NUM_PEERS, wd->peers.count) ||
	    nla_put_u32(skb, WEAVE_DEV_A_UPCALL_PORTID, wd->upcall_portid) ||
	    put_dev_stats(skb, wd)) {
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

/* .start of the dumps of one device's items: the device selector is required. */
static int weave_dev_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct dump_ctx *ctx = DUMP_CTX(cb);
	struct weave_dev *wd;

	memset(ctx, 0, sizeof(*ctx));
	rtnl_lock();
	wd = lookup_device(sock_net(cb->skb->sk), info->attrs, cb->extack);
	if (!IS_ERR(wd))
		ctx->dev_ifindex = wd->dev->ifindex;
	rtnl_unlock();
	return PTR_ERR_OR_ZERO(wd);
}

/* Finds the device of a per-device dump again, under RTNL; NULL when it is gone. */
static struct weave_dev *dump_device(struct netlink_callback *cb)
{
	struct weave_dev *wd;

	wd = weave_dev_find(sock_net(cb->skb->sk), DUMP_CTX(cb)->dev_ifindex, NULL, NULL);
	return IS_ERR(wd) ? NULL : wd;
}

static int fill_peer(struct sk_buff *skb, struct netlink_callback *cb, struct weave_dev *wd,
		     struct weave_peer *peer)
{
	struct nlattr *nest;
	void *hdr;

	hdr = dump_msg_start(skb, cb, WEAVE_CMD_GET_PEER, wd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, WEAVE_DEV_A_PEER);
	return dump_msg_end(skb, hdr, nest,
			    !nest || nla_put_u16(skb, WEAVE_PEER_A_SHORT_ID, peer->short_id) ||
			    nla_put(skb, WEAVE_PEER_A_NAME, WEAVE_PEER_NAME_LEN, peer->name) ||
			    nla_put_be32(skb, WEAVE_PEER_A_ADDR, peer->addr) ||
			    nla_put_u16(skb, WEAVE_PEER_A_PORT, ntohs(peer->port)) ||
			    nla_put_u16(skb, WEAVE_PEER_A_NEXT_HOP, peer->next_hop) ||
			    nla_put_u32(skb, WEAVE_PEER_A_FLAGS, peer->flags) ||
			    nla_put_u32(skb, WEAVE_PEER_A_MTU, peer->mtu) ||
			    weave_stats_put(skb, WEAVE_PEER_A_STATS, peer->stats));
}

static int fill_peer_at(struct sk_buff *skb, struct netlink_callback *cb,
			struct weave_dev *wd, u16 id)
{
	struct weave_peer *peer = rtnl_dereference(wd->peers.by_id[id]);

	return peer ? fill_peer(skb, cb, wd, peer) : 0;
}

/* The dumps indexed by short id (peers, broadcast routes): fill_at() puts what is at
 * one id, if anything; the cursor is the next id.
 */
static int dump_by_short_id(struct sk_buff *skb, struct netlink_callback *cb,
			    int (*fill_at)(struct sk_buff *skb, struct netlink_callback *cb,
					   struct weave_dev *wd, u16 id))
{
	struct dump_ctx *ctx = DUMP_CTX(cb);
	struct weave_dev *wd;
	int ret = 0;

	rtnl_lock();
	wd = dump_device(cb);
	for (; wd && ctx->next <= WEAVE_SHORT_ID_MAX; ctx->next++) {
		ret = fill_at(skb, cb, wd, ctx->next);
		if (ret < 0)
			break;
	}
	rtnl_unlock();
	return ret < 0 && !skb->len ? ret : skb->len;
}

static int weave_get_peer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_short_id(skb, cb, fill_peer_at);
}

static int fill_bcast(struct sk_buff *skb, struct netlink_callback *cb, struct weave_dev *wd,
		      u16 src, struct weave_bcast *b)
{
	struct nlattr *nest;
	void *hdr;

	hdr = dump_msg_start(skb, cb, WEAVE_CMD_GET_BCAST, wd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, WEAVE_DEV_A_BCAST);
	return dump_msg_end(skb, hdr, nest,
			    !nest || nla_put_u16(skb, WEAVE_BCAST_A_SRC, src) ||
			    nla_put(skb, WEAVE_BCAST_A_HOPS, b->count * sizeof(u16), b->hops));
}

static int fill_bcast_at(struct sk_buff *skb, struct netlink_callback *cb,
			 struct weave_dev *wd, u16 id)
{
	struct weave_bcast *b = rtnl_dereference(wd->peers.bcast[id]);

	return b ? fill_bcast(skb, cb, wd, id, b) : 0;
}

static int weave_get_bcast_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_by_short_id(skb, cb, fill_bcast_at);
}

struct fdb_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct weave_dev *wd;
};

static int fill_fdb(const struct weave_fdb_entry *e, void *arg)
{
	struct fdb_dump *d = arg;
	struct sk_buff *skb = d->skb;
	unsigned long dst = READ_ONCE(e->dst);
	struct nlattr *nest;
	void *hdr;
	int ret;

	hdr = dump_msg_start(skb, d->cb, WEAVE_CMD_GET_FDB, d->wd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, WEAVE_DEV_A_FDB);
	if (!nest || nla_put(skb, WEAVE_FDB_A_MAC, ETH_ALEN, e->mac) ||
	    nla_put_u32(skb, WEAVE_FDB_A_AGE_MS, jiffies_to_msecs(jiffies - READ_ONCE(e->updated))))
		ret = -EMSGSIZE;
	else if (weave_fdb_dst_is_peer(dst))
		ret = nla_put_u16(skb, WEAVE_FDB_A_PEER, weave_fdb_dst_peer_id(dst));
	else
		ret = nla_put_u32(skb, WEAVE_FDB_A_PORT, weave_fdb_dst_to_port(dst)->dev->ifindex);
	ret = dump_msg_end(skb, hdr, nest, ret);
	if (!ret)
		DUMP_CTX(d->cb)->next++;
	return ret;
}

static int weave_get_fdb_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fdb_dump d = { .skb = skb, .cb = cb };
	int ret = 0;

	rtnl_lock();
	d.wd = dump_device(cb);
	if (d.wd)
		ret = weave_fdb_walk(&d.wd->fdb, DUMP_CTX(cb)->next, fill_fdb, &d);
	rtnl_unlock();
	return ret < 0 && !skb->len ? ret : skb->len;
}

static int fill_port(struct sk_buff *skb, struct netlink_callback *cb, struct weave_dev *wd,
		     struct weave_port *port)
{
	struct nlattr *nest;
	void *hdr;

	hdr = dump_msg_start(skb, cb, WEAVE_CMD_GET_PORT, wd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, WEAVE_DEV_A_PORT);
	return dump_msg_end(skb, hdr, nest,
			    !nest || nla_put_u32(skb, WEAVE_PORT_A_IFINDEX, port->dev->ifindex) ||
			    nla_put_string(skb, WEAVE_PORT_A_IFNAME, port->dev->name) ||
			    weave_stats_put(skb, WEAVE_PORT_A_STATS, port->stats));
}

static int weave_get_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dump_ctx *ctx = DUMP_CTX(cb);
	struct weave_port *port;
	struct weave_dev *wd;
	unsigned long i = 0;
	int ret = 0;

	rtnl_lock();
	wd = dump_device(cb);
	if (!wd)
		goto out;
	list_for_each_entry(port, &wd->ports, list) {
		if (i++ < ctx->next)
			continue;
		ret = fill_port(skb, cb, wd, port);
		if (ret < 0)
			break;
		ctx->next++;
	}
out:
	rtnl_unlock();
	return ret < 0 && !skb->len ? ret : skb->len;
}

static int set_device(struct weave_dev *wd, struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	int ret;

	if (attrs[WEAVE_DEV_A_UDP_PORT]) {
		ret = weave_dev_set_port(wd, nla_get_u16(attrs[WEAVE_DEV_A_UDP_PORT]), extack);
		if (ret < 0)
			return ret;
	}
	if (attrs[WEAVE_DEV_A_PEER_NAME])
		nla_memcpy(wd->peer_name, attrs[WEAVE_DEV_A_PEER_NAME], WEAVE_PEER_NAME_LEN);
	if (attrs[WEAVE_DEV_A_SHORT_ID])
		WRITE_ONCE(wd->short_id, nla_get_u16(attrs[WEAVE_DEV_A_SHORT_ID]));
	if (attrs[WEAVE_DEV_A_FDB_AGEING])
		weave_fdb_set_ageing(&wd->fdb, nla_get_u32(attrs[WEAVE_DEV_A_FDB_AGEING]));
	if (attrs[WEAVE_DEV_A_FDB_MAX])
		WRITE_ONCE(wd->fdb.max, nla_get_u32(attrs[WEAVE_DEV_A_FDB_MAX]));
	if (attrs[WEAVE_DEV_A_UPCALL_PORTID])
		WRITE_ONCE(wd->upcall_portid, nla_get_u32(attrs[WEAVE_DEV_A_UPCALL_PORTID]));
	return 0;
}

/* Parses the WEAVE_DEV_A_PEER nest that SET_PEER and DEL_PEER require. */
static int parse_peer(struct nlattr **attrs, struct weave_peer_config *cfg,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[WEAVE_PEER_A_MAX + 1];
	struct nlattr *nest = attrs[WEAVE_DEV_A_PEER];
	int ret;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "WEAVE_DEV_A_PEER is missing");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, WEAVE_PEER_A_MAX, nest, weave_peer_policy, extack);
	if (ret < 0)
		return ret;
	if (!tb[WEAVE_PEER_A_SHORT_ID]) {
		NL_SET_ERR_MSG(extack, "WEAVE_PEER_A_SHORT_ID is missing");
		return -EINVAL;
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->short_id = nla_get_u16(tb[WEAVE_PEER_A_SHORT_ID]);
	cfg->has_name = tb[WEAVE_PEER_A_NAME];
	if (cfg->has_name)
		nla_memcpy(cfg->name, tb[WEAVE_PEER_A_NAME], WEAVE_PEER_NAME_LEN);
	cfg->has_addr = tb[WEAVE_PEER_A_ADDR];
	if (cfg->has_addr)
		cfg->addr = nla_get_be32(tb[WEAVE_PEER_A_ADDR]);
	cfg->has_port = tb[WEAVE_PEER_A_PORT];
	if (cfg->has_port)
		cfg->port = nla_get_u16(tb[WEAVE_PEER_A_PORT]);
	cfg->has_next_hop = tb[WEAVE_PEER_A_NEXT_HOP];
	if (cfg->has_next_hop)
		cfg->next_hop = nla_get_u16(tb[WEAVE_PEER_A_NEXT_HOP]);
	cfg->has_flags = tb[WEAVE_PEER_A_FLAGS];
	if (cfg->has_flags)
		cfg->flags = nla_get_u32(tb[WEAVE_PEER_A_FLAGS]);
	cfg->has_mtu = tb[WEAVE_PEER_A_MTU];
	if (cfg->has_mtu)
		cfg->mtu = nla_get_u32(tb[WEAVE_PEER_A_MTU]);
	return 0;
}

static int set_peer(struct weave_dev *wd, struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct weave_peer_config cfg;
	int ret = parse_peer(attrs, &cfg, extack);

	return ret < 0 ? ret : weave_peer_set(wd, &cfg, extack);
}

static int del_peer(struct weave_dev *wd, struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct weave_peer_config cfg;
	int ret = parse_peer(attrs, &cfg, extack);

	return ret < 0 ? ret : weave_peer_del(wd, cfg.short_id, extack);
}

static int set_bcast(struct weave_dev *wd, struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[WEAVE_BCAST_A_MAX + 1];
	u16 hops[64], *buf = hops;
	unsigned int count = 0;
	int ret;

	if (!attrs[WEAVE_DEV_A_BCAST]) {
		NL_SET_ERR_MSG(extack, "WEAVE_DEV_A_BCAST is missing");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, WEAVE_BCAST_A_MAX, attrs[WEAVE_DEV_A_BCAST],
			       weave_bcast_policy, extack);
	if (ret < 0)
		return ret;
	if (!tb[WEAVE_BCAST_A_SRC]) {
		NL_SET_ERR_MSG(extack, "WEAVE_BCAST_A_SRC is missing");
		return -EINVAL;
	}
	if (tb[WEAVE_BCAST_A_HOPS]) {
		if (nla_len(tb[WEAVE_BCAST_A_HOPS]) % sizeof(u16)) {
			NL_SET_ERR_MSG(extack, "WEAVE_BCAST_A_HOPS is not an array of u16");
			return -EINVAL;
		}
		count = nla_len(tb[WEAVE_BCAST_A_HOPS]) / sizeof(u16);
		if (count > ARRAY_SIZE(hops)) {
			buf = kmalloc_array(count, sizeof(u16), GFP_KERNEL);
			if (!buf)
				return -ENOMEM;
		}
		nla_memcpy(buf, tb[WEAVE_BCAST_A_HOPS], count * sizeof(u16));
	}
	ret = weave_bcast_set(wd, nla_get_u16(tb[WEAVE_BCAST_A_SRC]), buf, count, extack);
	if (buf != hops)
		kfree(buf);
	return ret;
}

static int del_fdb(struct weave_dev *wd, struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[WEAVE_FDB_A_MAX + 1];
	int ret;

	if (!attrs[WEAVE_DEV_A_FDB]) {
		weave_fdb_flush(&wd->fdb, NULL, NULL);
		return 0;
	}
	ret = nla_parse_nested(tb, WEAVE_FDB_A_MAX, attrs[WEAVE_DEV_A_FDB], weave_fdb_policy,
			       extack);
	if (ret < 0)
		return ret;
	if (!tb[WEAVE_FDB_A_MAC]) {
		weave_fdb_flush(&wd->fdb, NULL, NULL);
		return 0;
	}
	if (!weave_fdb_flush(&wd->fdb, weave_fdb_match_mac, nla_data(tb[WEAVE_FDB_A_MAC]))) {
		NL_SET_ERR_MSG(extack, "MAC not in the table");
		return -ENOENT;
	}
	return 0;
}

static int pkt_execute(struct weave_dev *wd, struct genl_info *info)
{
	struct nlattr *tb[WEAVE_PKT_A_MAX + 1];
	int ret;

	if (!info->attrs[WEAVE_DEV_A_PKT]) {
		NL_SET_ERR_MSG(info->extack, "WEAVE_DEV_A_PKT is missing");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, WEAVE_PKT_A_MAX, info->attrs[WEAVE_DEV_A_PKT],
			       weave_pkt_policy, info->extack);
	if (ret < 0)
		return ret;
	return weave_pkt_execute(wd, tb, info);
}

/* Runs a state-changing command on the device the request names, under RTNL. */
static int weave_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct weave_dev *wd;
	int ret;

	rtnl_lock();
	wd = lookup_device(genl_info_net(info), attrs, extack);
	if (IS_ERR(wd)) {
		ret = PTR_ERR(wd);
		goto out;
	}
	switch (info->genlhdr->cmd) {
	case WEAVE_CMD_SET_DEVICE:
		ret = set_device(wd, attrs, extack);
		break;
	case WEAVE_CMD_SET_PEER:
		ret = set_peer(wd, attrs, extack);
		break;
	case WEAVE_CMD_DEL_PEER:
		ret = del_peer(wd, attrs, extack);
		break;
	case WEAVE_CMD_SET_BCAST:
		ret = set_bcast(wd, attrs, extack);
		break;
	case WEAVE_CMD_DEL_FDB:
		ret = del_fdb(wd, attrs, extack);
		break;
	case WEAVE_CMD_PKT_EXECUTE:
		ret = pkt_execute(wd, info);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
out:
	rtnl_unlock();
	return ret;
}

#define WEAVE_DUMP(_cmd, _start, _dump) { .cmd = _cmd, .start = _start, .dumpit = _dump }
#define WEAVE_DO(_cmd) { .cmd = _cmd, .doit = weave_doit, .flags = GENL_UNS_ADMIN_PERM }

static const struct genl_ops weave_genl_ops[] = {
	WEAVE_DUMP(WEAVE_CMD_GET_DEVICE, weave_get_device_start, weave_get_device_dump),
	WEAVE_DO(WEAVE_CMD_SET_DEVICE),
	WEAVE_DUMP(WEAVE_CMD_GET_PEER, weave_dev_dump_start, weave_get_peer_dump),
	WEAVE_DO(WEAVE_CMD_SET_PEER),
	WEAVE_DO(WEAVE_CMD_DEL_PEER),
	WEAVE_DUMP(WEAVE_CMD_GET_BCAST, weave_dev_dump_start, weave_get_bcast_dump),
	WEAVE_DO(WEAVE_CMD_SET_BCAST),
	WEAVE_DUMP(WEAVE_CMD_GET_FDB, weave_dev_dump_start, weave_get_fdb_dump),
	WEAVE_DO(WEAVE_CMD_DEL_FDB),
	WEAVE_DUMP(WEAVE_CMD_GET_PORT, weave_dev_dump_start, weave_get_port_dump),
	WEAVE_DO(WEAVE_CMD_PKT_EXECUTE),
};

/* resv_start_op 0: every command gets strict attribute and header validation. */
struct genl_family weave_genl_family __ro_after_init = {
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
