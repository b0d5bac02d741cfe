// SPDX-License-Identifier: GPL-2.0
/* kdp: generic netlink client of the weave module, through libnl-genl. Resolves the
 * family once, merges split dumps, restarts a dump the kernel marks interrupted and
 * keeps the kernel's extack message of a failed request.
 */
#include "overlay/kdp.h"

#include <errno.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdlib.h>
#include <string.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

enum {
	KDP_RCVBUF = 1 << 20,
	KDP_DUMP_RETRIES = 5,
	KDP_MAX_DEVICES = 1 << 16,
};

struct kdp {
	struct nl_sock *sock;
	int family;
	char error[256];
};

struct dump_state {
	struct kdp_device *devs;
	size_t count, cap;
	int error;
};

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

const char *kdp_last_error(const struct kdp *kdp)
{
	return kdp->error;
}

/* Keeps the extack message (NLMSGERR_ATTR_MSG) that follows a netlink error. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct kdp *kdp = arg;
	size_t off = sizeof(*err);
	struct nlattr *a;

	(void)nla;
	kdp->error[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	for (;;) {
		size_t left = nlh->nlmsg_len - NLMSG_HDRLEN;

		if (off + NLA_HDRLEN > left)
			break;
		a = (struct nlattr *)((char *)err + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > left)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(kdp->error, sizeof(kdp->error), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (char *)nla_data(a));
		off += NLA_ALIGN(a->nla_len);
	}
	return NL_STOP;
}

int kdp_open(struct kdp **ret_kdp)
{
	struct kdp *kdp;
	int one = 1, r;

	kdp = calloc(1, sizeof(*kdp));
	if (!kdp)
		return -ENOMEM;
	kdp->sock = nl_socket_alloc();
	if (!kdp->sock) {
		r = -ENOMEM;
		goto err_free;
	}
	r = genl_connect(kdp->sock);
	if (r < 0) {
		r = nl_to_errno(r);
		goto err_free;
	}
	/* A larger buffer only helps big dumps; failing to raise it is harmless. */
	(void)nl_socket_set_buffer_size(kdp->sock, KDP_RCVBUF, 0);
	(void)setsockopt(nl_socket_get_fd(kdp->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one,
			 sizeof(one));
	nl_socket_modify_err_cb(kdp->sock, NL_CB_CUSTOM, on_error, kdp);
	/* Requests ask for an ack themselves: a dump must not get one. */
	nl_socket_disable_auto_ack(kdp->sock);

	kdp->family = genl_ctrl_resolve(kdp->sock, WEAVE_GENL_NAME);
	if (kdp->family < 0) {
		r = nl_to_errno(kdp->family);
		goto err_free;
	}
	*ret_kdp = kdp;
	return 0;

err_free:
	kdp_close(kdp);
	return r;
}

struct kdp *kdp_close(struct kdp *kdp)
{
	if (!kdp)
		return NULL;
	nl_socket_free(kdp->sock);
	free(kdp);
	return NULL;
}

static struct nla_policy stats_policy[WEAVE_STATS_A_MAX + 1] = {
	[WEAVE_STATS_A_RX_PACKETS] = { .type = NLA_U64 },
	[WEAVE_STATS_A_RX_BYTES] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_PACKETS] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_BYTES] = { .type = NLA_U64 },
	[WEAVE_STATS_A_RX_DROPPED] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_DROPPED] = { .type = NLA_U64 },
};

static struct nla_policy dev_policy[WEAVE_DEV_A_MAX + 1] = {
	[WEAVE_DEV_A_IFINDEX] = { .type = NLA_U32 },
	[WEAVE_DEV_A_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[WEAVE_DEV_A_MTU] = { .type = NLA_U32 },
	[WEAVE_DEV_A_NUM_PORTS] = { .type = NLA_U32 },
	[WEAVE_DEV_A_PEER_NAME] = { .minlen = WEAVE_PEER_NAME_LEN, .maxlen = WEAVE_PEER_NAME_LEN },
	[WEAVE_DEV_A_SHORT_ID] = { .type = NLA_U16 },
	[WEAVE_DEV_A_UDP_PORT] = { .type = NLA_U16 },
	[WEAVE_DEV_A_STATS] = { .type = NLA_NESTED },
};

static int parse_stats(struct nlattr *nest, struct kdp_stats *s)
{
	struct nlattr *tb[WEAVE_STATS_A_MAX + 1];

	if (nla_parse_nested(tb, WEAVE_STATS_A_MAX, nest, stats_policy) < 0)
		return -EBADMSG;
	s->rx_packets = tb[WEAVE_STATS_A_RX_PACKETS] ? nla_get_u64(tb[WEAVE_STATS_A_RX_PACKETS]) :
						       0;
	s->rx_bytes = tb[WEAVE_STATS_A_RX_BYTES] ? nla_get_u64(tb[WEAVE_STATS_A_RX_BYTES]) : 0;
	s->tx_packets = tb[WEAVE_STATS_A_TX_PACKETS] ? nla_get_u64(tb[WEAVE_STATS_A_TX_PACKETS]) :
						       0;
	s->tx_bytes = tb[WEAVE_STATS_A_TX_BYTES] ? nla_get_u64(tb[WEAVE_STATS_A_TX_BYTES]) : 0;
	s->rx_dropped = tb[WEAVE_STATS_A_RX_DROPPED] ? nla_get_u64(tb[WEAVE_STATS_A_RX_DROPPED]) :
						       0;
	s->tx_dropped = tb[WEAVE_STATS_A_TX_DROPPED] ? nla_get_u64(tb[WEAVE_STATS_A_TX_DROPPED]) :
						       0;
	return 0;
}

static int parse_device(struct nlattr **tb, struct kdp_device *d)
{
	memset(d, 0, sizeof(*d));
	if (!tb[WEAVE_DEV_A_IFINDEX] || !tb[WEAVE_DEV_A_IFNAME])
		return -EBADMSG;
	d->ifindex = nla_get_u32(tb[WEAVE_DEV_A_IFINDEX]);
	nla_strlcpy(d->name, tb[WEAVE_DEV_A_IFNAME], sizeof(d->name));
	if (tb[WEAVE_DEV_A_MTU])
		d->mtu = nla_get_u32(tb[WEAVE_DEV_A_MTU]);
	if (tb[WEAVE_DEV_A_NUM_PORTS])
		d->num_ports = nla_get_u32(tb[WEAVE_DEV_A_NUM_PORTS]);
	if (tb[WEAVE_DEV_A_PEER_NAME])
		memcpy(d->peer_name, nla_data(tb[WEAVE_DEV_A_PEER_NAME]), WEAVE_PEER_NAME_LEN);
	if (tb[WEAVE_DEV_A_SHORT_ID])
		d->short_id = nla_get_u16(tb[WEAVE_DEV_A_SHORT_ID]);
	if (tb[WEAVE_DEV_A_UDP_PORT])
		d->udp_port = nla_get_u16(tb[WEAVE_DEV_A_UDP_PORT]);
	if (tb[WEAVE_DEV_A_STATS])
		return parse_stats(tb[WEAVE_DEV_A_STATS], &d->stats);
	return 0;
}

/* One device per message; a device seen again (a dump split across messages)
 * replaces the earlier copy.
 */
static int on_device(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[WEAVE_DEV_A_MAX + 1];
	struct dump_state *st = arg;
	struct kdp_device dev;
	size_t i;
	int r;

	r = genlmsg_parse(nlmsg_hdr(msg), 0, tb, WEAVE_DEV_A_MAX, dev_policy);
	if (r < 0 || parse_device(tb, &dev) < 0) {
		st->error = -EBADMSG;
		return NL_STOP;
	}
	for (i = 0; i < st->count; i++) {
		if (st->devs[i].ifindex == dev.ifindex) {
			st->devs[i] = dev;
			return NL_OK;
		}
	}
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct kdp_device *devs;

		if (cap > KDP_MAX_DEVICES) {
			st->error = -E2BIG;
			return NL_STOP;
		}
		devs = realloc(st->devs, cap * sizeof(*devs));
		if (!devs) {
			st->error = -ENOMEM;
			return NL_STOP;
		}
		st->devs = devs;
		st->cap = cap;
	}
	st->devs[st->count++] = dev;
	return NL_OK;
}

static struct nl_msg *new_request(struct kdp *kdp, uint8_t cmd, int flags, const char *ifname)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, kdp->family, 0, flags, cmd,
			 WEAVE_GENL_VERSION) ||
	    (ifname && nla_put_string(msg, WEAVE_DEV_A_IFNAME, ifname) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends @msg and runs its replies through @fn; frees @msg. */
static int transact(struct kdp *kdp, struct nl_msg *msg, nl_recvmsg_msg_cb_t fn, void *arg)
{
	int r;

	kdp->error[0] = '\0';
	nl_socket_modify_cb(kdp->sock, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	r = nl_send_auto(kdp->sock, msg);
	nlmsg_free(msg);
	if (r < 0)
		return nl_to_errno(r);
	r = nl_recvmsgs_default(kdp->sock);
	return r < 0 ? nl_to_errno(r) : 0;
}

static int ignore_msg(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int kdp_device_dump(struct kdp *kdp, const char *ifname, struct kdp_device **ret_devs,
		    size_t *ret_count)
{
	struct dump_state st = {};
	int attempt, r = -EINTR;

	for (attempt = 0; attempt < KDP_DUMP_RETRIES && r == -EINTR; attempt++) {
		struct nl_msg *msg = new_request(kdp, WEAVE_CMD_GET_DEVICE, NLM_F_DUMP, ifname);

		if (!msg)
			return -ENOMEM;
		st.count = 0;
		st.error = 0;
		kdp->error[0] = '\0';
		nl_socket_modify_cb(kdp->sock, NL_CB_VALID, NL_CB_CUSTOM, on_device, &st);
		r = nl_send_auto(kdp->sock, msg);
		nlmsg_free(msg);
		if (r < 0) {
			r = nl_to_errno(r);
			break;
		}
		r = nl_recvmsgs_default(kdp->sock);
		r = st.error ? st.error : r < 0 ? nl_to_errno(r) : 0;
	}
	if (r < 0) {
		free(st.devs);
		return r;
	}
	*ret_devs = st.devs;
	*ret_count = st.count;
	return 0;
}

int kdp_device_set(struct kdp *kdp, const char *ifname, const struct kdp_device_config *cfg)
{
	struct nl_msg *msg = new_request(kdp, WEAVE_CMD_SET_DEVICE, NLM_F_ACK, ifname);

	if (!msg)
		return -ENOMEM;
	if ((cfg->has_peer_name &&
	     nla_put(msg, WEAVE_DEV_A_PEER_NAME, WEAVE_PEER_NAME_LEN, cfg->peer_name) < 0) ||
	    (cfg->has_short_id && nla_put_u16(msg, WEAVE_DEV_A_SHORT_ID, cfg->short_id) < 0) ||
	    (cfg->has_udp_port && nla_put_u16(msg, WEAVE_DEV_A_UDP_PORT, cfg->udp_port) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(kdp, msg, ignore_msg, NULL);
}
