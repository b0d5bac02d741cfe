// SPDX-License-Identifier: GPL-2.0
/* kdp: generic netlink client of the weave module, through libnl-genl. Resolves the
 * family once, merges split dumps, restarts a dump the kernel marks interrupted and
 * keeps the kernel's extack message of a failed request. Upcalls have a socket of
 * their own, read without libnl's per-message allocations.
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
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

enum {
	KDP_RCVBUF = 1 << 20,
	KDP_UPCALL_RCVBUF = 8 << 20,
	/* An upcall carries at most one attribute-sized frame (its length is 16 bits). */
	KDP_UPCALL_BUF = 1 << 17,
	/* The largest frame kdp_pkt_execute sends: it and its siblings fit a 16-bit nest. */
	KDP_FRAME_MAX = 65535 - 64,
	KDP_DUMP_RETRIES = 5,
	KDP_MAX_DEVICES = 1 << 16,
	KDP_MAX_PORTS = 1 << 16,
	KDP_MAX_PEERS = WEAVE_SHORT_ID_MAX + 1,
	/* A MAC table changing during a split dump may show an entry twice. */
	KDP_MAX_FDB = 2 * WEAVE_FDB_MAX_LIMIT,
};

struct kdp {
	struct nl_sock *sock;
	int family;
	int kernel_error; /* negative errno of the last NLMSG_ERROR, or 0 */
	char error[256];
};

struct kdp_upcall {
	struct nl_sock *sock;
	int family;
	uint32_t portid;
	uint64_t lost;
	size_t off, len; /* the unread part of buf */
	uint8_t *buf;
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

/* Keeps the errno and the extack message (NLMSGERR_ATTR_MSG) of a netlink error. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct kdp *kdp = arg;
	size_t off = sizeof(*err);
	struct nlattr *a;

	(void)nla;
	kdp->error[0] = '\0';
	kdp->kernel_error = err->error < 0 ? err->error : -EIO;
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

/* Allocates and connects a genl socket and resolves the weave family on it. */
static int connect_family(struct nl_sock **ret_sock, int *ret_family)
{
	struct nl_sock *sock = nl_socket_alloc();
	int r;

	if (!sock)
		return -ENOMEM;
	r = genl_connect(sock);
	if (r >= 0)
		r = genl_ctrl_resolve(sock, WEAVE_GENL_NAME);
	if (r < 0) {
		nl_socket_free(sock);
		return nl_to_errno(r);
	}
	*ret_family = r;
	*ret_sock = sock;
	return 0;
}

int kdp_open(struct kdp **ret_kdp)
{
	struct kdp *kdp;
	int one = 1, r;

	kdp = calloc(1, sizeof(*kdp));
	if (!kdp)
		return -ENOMEM;
	r = connect_family(&kdp->sock, &kdp->family);
	if (r < 0) {
		free(kdp);
		return r;
	}
	/* A larger buffer only helps big dumps; failing to raise it is harmless. */
	(void)nl_socket_set_buffer_size(kdp->sock, KDP_RCVBUF, 0);
	(void)setsockopt(nl_socket_get_fd(kdp->sock), SOL_NETLINK, NETLINK_EXT_ACK, &one,
			 sizeof(one));
	nl_socket_modify_err_cb(kdp->sock, NL_CB_CUSTOM, on_error, kdp);
	/* Requests ask for an ack themselves: a dump must not get one. */
	nl_socket_disable_auto_ack(kdp->sock);
	*ret_kdp = kdp;
	return 0;
}

struct kdp *kdp_close(struct kdp *kdp)
{
	if (!kdp)
		return NULL;
	nl_socket_free(kdp->sock);
	free(kdp);
	return NULL;
}

/* --- policies of what the kernel sends ------------------------------------------------ */

static struct nla_policy stats_policy[WEAVE_STATS_A_MAX + 1] = {
	[WEAVE_STATS_A_RX_PACKETS] = { .type = NLA_U64 },
	[WEAVE_STATS_A_RX_BYTES] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_PACKETS] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_BYTES] = { .type = NLA_U64 },
	[WEAVE_STATS_A_RX_DROPPED] = { .type = NLA_U64 },
	[WEAVE_STATS_A_TX_DROPPED] = { .type = NLA_U64 },
	/* Any length: an older module has fewer reasons, a newer one more. */
	[WEAVE_STATS_A_DROPS] = { .type = NLA_UNSPEC },
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
	[WEAVE_DEV_A_FDB_AGEING] = { .type = NLA_U32 },
	[WEAVE_DEV_A_FDB_MAX] = { .type = NLA_U32 },
	[WEAVE_DEV_A_FDB_COUNT] = { .type = NLA_U32 },
	[WEAVE_DEV_A_NUM_PEERS] = { .type = NLA_U32 },
	[WEAVE_DEV_A_UPCALL_PORTID] = { .type = NLA_U32 },
	[WEAVE_DEV_A_PEER] = { .type = NLA_NESTED },
	[WEAVE_DEV_A_BCAST] = { .type = NLA_NESTED },
	[WEAVE_DEV_A_FDB] = { .type = NLA_NESTED },
	[WEAVE_DEV_A_PORT] = { .type = NLA_NESTED },
	[WEAVE_DEV_A_PKT] = { .type = NLA_NESTED },
};

static struct nla_policy peer_policy[WEAVE_PEER_A_MAX + 1] = {
	[WEAVE_PEER_A_SHORT_ID] = { .type = NLA_U16 },
	[WEAVE_PEER_A_NAME] = { .minlen = WEAVE_PEER_NAME_LEN, .maxlen = WEAVE_PEER_NAME_LEN },
	[WEAVE_PEER_A_ADDR] = { .type = NLA_U32 },
	[WEAVE_PEER_A_PORT] = { .type = NLA_U16 },
	[WEAVE_PEER_A_NEXT_HOP] = { .type = NLA_U16 },
	[WEAVE_PEER_A_FLAGS] = { .type = NLA_U32 },
	[WEAVE_PEER_A_MTU] = { .type = NLA_U32 },
	[WEAVE_PEER_A_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy bcast_policy[WEAVE_BCAST_A_MAX + 1] = {
	[WEAVE_BCAST_A_SRC] = { .type = NLA_U16 },
	[WEAVE_BCAST_A_HOPS] = { .maxlen = KDP_MAX_PEERS * sizeof(uint16_t) },
};

static struct nla_policy fdb_policy[WEAVE_FDB_A_MAX + 1] = {
	[WEAVE_FDB_A_MAC] = { .minlen = 6, .maxlen = 6 },
	[WEAVE_FDB_A_PORT] = { .type = NLA_U32 },
	[WEAVE_FDB_A_PEER] = { .type = NLA_U16 },
	[WEAVE_FDB_A_AGE_MS] = { .type = NLA_U32 },
};

static struct nla_policy port_policy[WEAVE_PORT_A_MAX + 1] = {
	[WEAVE_PORT_A_IFINDEX] = { .type = NLA_U32 },
	[WEAVE_PORT_A_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[WEAVE_PORT_A_STATS] = { .type = NLA_NESTED },
};

static struct nla_policy pkt_policy[WEAVE_PKT_A_MAX + 1] = {
	[WEAVE_PKT_A_FRAME] = { .minlen = 14 },
	[WEAVE_PKT_A_SRC_PEER] = { .type = NLA_U16 },
	[WEAVE_PKT_A_DST_PEER] = { .type = NLA_U16 },
	[WEAVE_PKT_A_LOCAL] = { .type = NLA_FLAG },
	[WEAVE_PKT_A_REASON] = { .type = NLA_U32 },
	[WEAVE_PKT_A_OUTER_ADDR] = { .type = NLA_U32 },
	[WEAVE_PKT_A_OUTER_PORT] = { .type = NLA_U16 },
};

/* --- parsing ---------------------------------------------------------------------------- */

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t get_u32(struct nlattr *a, uint32_t def)
{
	return a ? nla_get_u32(a) : def;
}

static uint16_t get_u16(struct nlattr *a, uint16_t def)
{
	return a ? nla_get_u16(a) : def;
}

static int parse_stats(struct nlattr *nest, struct kdp_stats *s)
{
	struct nlattr *tb[WEAVE_STATS_A_MAX + 1];
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, WEAVE_STATS_A_MAX, nest, stats_policy) < 0)
		return -EBADMSG;
	s->rx_packets = get_u64(tb[WEAVE_STATS_A_RX_PACKETS]);
	s->rx_bytes = get_u64(tb[WEAVE_STATS_A_RX_BYTES]);
	s->tx_packets = get_u64(tb[WEAVE_STATS_A_TX_PACKETS]);
	s->tx_bytes = get_u64(tb[WEAVE_STATS_A_TX_BYTES]);
	s->rx_dropped = get_u64(tb[WEAVE_STATS_A_RX_DROPPED]);
	s->tx_dropped = get_u64(tb[WEAVE_STATS_A_TX_DROPPED]);
	if (tb[WEAVE_STATS_A_DROPS]) {
		n = nla_len(tb[WEAVE_STATS_A_DROPS]) / sizeof(uint64_t);
		if (n > __WEAVE_DROP_MAX)
			n = __WEAVE_DROP_MAX;
		memcpy(s->drops, nla_data(tb[WEAVE_STATS_A_DROPS]), n * sizeof(uint64_t));
	}
	return 0;
}

static int parse_device(struct nlattr **tb, void *item)
{
	struct kdp_device *d = item;

	if (!tb[WEAVE_DEV_A_IFINDEX] || !tb[WEAVE_DEV_A_IFNAME])
		return -EBADMSG;
	d->ifindex = nla_get_u32(tb[WEAVE_DEV_A_IFINDEX]);
	nla_strlcpy(d->name, tb[WEAVE_DEV_A_IFNAME], sizeof(d->name));
	d->mtu = get_u32(tb[WEAVE_DEV_A_MTU], 0);
	d->num_ports = get_u32(tb[WEAVE_DEV_A_NUM_PORTS], 0);
	if (tb[WEAVE_DEV_A_PEER_NAME])
		memcpy(d->peer_name, nla_data(tb[WEAVE_DEV_A_PEER_NAME]), WEAVE_PEER_NAME_LEN);
	d->short_id = get_u16(tb[WEAVE_DEV_A_SHORT_ID], 0);
	d->udp_port = get_u16(tb[WEAVE_DEV_A_UDP_PORT], 0);
	d->fdb_ageing = get_u32(tb[WEAVE_DEV_A_FDB_AGEING], 0);
	d->fdb_max = get_u32(tb[WEAVE_DEV_A_FDB_MAX], 0);
	d->fdb_count = get_u32(tb[WEAVE_DEV_A_FDB_COUNT], 0);
	d->num_peers = get_u32(tb[WEAVE_DEV_A_NUM_PEERS], 0);
	d->upcall_portid = get_u32(tb[WEAVE_DEV_A_UPCALL_PORTID], 0);
	return parse_stats(tb[WEAVE_DEV_A_STATS], &d->stats);
}

/* Parses the nest @attr of a dump message with @policy; -EBADMSG when it is missing. */
static int parse_nest(struct nlattr **dev_tb, int attr, struct nlattr **tb, int max,
		      struct nla_policy *policy)
{
	if (!dev_tb[attr] || nla_parse_nested(tb, max, dev_tb[attr], policy) < 0)
		return -EBADMSG;
	return 0;
}

static int parse_peer(struct nlattr **dev_tb, void *item)
{
	struct nlattr *tb[WEAVE_PEER_A_MAX + 1];
	struct kdp_peer *p = item;

	if (parse_nest(dev_tb, WEAVE_DEV_A_PEER, tb, WEAVE_PEER_A_MAX, peer_policy) < 0 ||
	    !tb[WEAVE_PEER_A_SHORT_ID])
		return -EBADMSG;
	p->short_id = nla_get_u16(tb[WEAVE_PEER_A_SHORT_ID]);
	if (p->short_id > WEAVE_SHORT_ID_MAX)
		return -EBADMSG;
	if (tb[WEAVE_PEER_A_NAME])
		memcpy(p->name, nla_data(tb[WEAVE_PEER_A_NAME]), WEAVE_PEER_NAME_LEN);
	p->addr = get_u32(tb[WEAVE_PEER_A_ADDR], 0);
	p->port = get_u16(tb[WEAVE_PEER_A_PORT], 0);
	p->next_hop = get_u16(tb[WEAVE_PEER_A_NEXT_HOP], p->short_id);
	p->flags = get_u32(tb[WEAVE_PEER_A_FLAGS], 0);
	p->mtu = get_u32(tb[WEAVE_PEER_A_MTU], 0);
	return parse_stats(tb[WEAVE_PEER_A_STATS], &p->stats);
}

static int parse_bcast(struct nlattr **dev_tb, void *item)
{
	struct nlattr *tb[WEAVE_BCAST_A_MAX + 1];
	struct kdp_bcast *b = item;
	size_t len;

	if (parse_nest(dev_tb, WEAVE_DEV_A_BCAST, tb, WEAVE_BCAST_A_MAX, bcast_policy) < 0 ||
	    !tb[WEAVE_BCAST_A_SRC])
		return -EBADMSG;
	b->src = nla_get_u16(tb[WEAVE_BCAST_A_SRC]);
	len = tb[WEAVE_BCAST_A_HOPS] ? (size_t)nla_len(tb[WEAVE_BCAST_A_HOPS]) : 0;
	if (len % sizeof(uint16_t))
		return -EBADMSG;
	b->count = len / sizeof(uint16_t);
	if (!b->count)
		return 0;
	b->hops = malloc(len);
	if (!b->hops)
		return -ENOMEM;
	memcpy(b->hops, nla_data(tb[WEAVE_BCAST_A_HOPS]), len);
	return 0;
}

static int parse_fdb(struct nlattr **dev_tb, void *item)
{
	struct nlattr *tb[WEAVE_FDB_A_MAX + 1];
	struct kdp_fdb_entry *e = item;

	if (parse_nest(dev_tb, WEAVE_DEV_A_FDB, tb, WEAVE_FDB_A_MAX, fdb_policy) < 0 ||
	    !tb[WEAVE_FDB_A_MAC] || !tb[WEAVE_FDB_A_PORT] == !tb[WEAVE_FDB_A_PEER])
		return -EBADMSG;
	memcpy(e->mac, nla_data(tb[WEAVE_FDB_A_MAC]), sizeof(e->mac));
	e->is_peer = tb[WEAVE_FDB_A_PEER] != NULL;
	e->port_ifindex = get_u32(tb[WEAVE_FDB_A_PORT], 0);
	e->peer_short_id = get_u16(tb[WEAVE_FDB_A_PEER], 0);
	e->age_ms = get_u32(tb[WEAVE_FDB_A_AGE_MS], 0);
	return 0;
}

static int parse_port(struct nlattr **dev_tb, void *item)
{
	struct nlattr *tb[WEAVE_PORT_A_MAX + 1];
	struct kdp_port *p = item;

	if (parse_nest(dev_tb, WEAVE_DEV_A_PORT, tb, WEAVE_PORT_A_MAX, port_policy) < 0 ||
	    !tb[WEAVE_PORT_A_IFINDEX])
		return -EBADMSG;
	p->ifindex = nla_get_u32(tb[WEAVE_PORT_A_IFINDEX]);
	if (tb[WEAVE_PORT_A_IFNAME])
		nla_strlcpy(p->name, tb[WEAVE_PORT_A_IFNAME], sizeof(p->name));
	return parse_stats(tb[WEAVE_PORT_A_STATS], &p->stats);
}

/* --- the keys dumps are sorted and merged by ------------------------------------------- */

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_device(const void *a, const void *b)
{
	return cmp_u32(((const struct kdp_device *)a)->ifindex,
		       ((const struct kdp_device *)b)->ifindex);
}

static int cmp_peer(const void *a, const void *b)
{
	return cmp_u32(((const struct kdp_peer *)a)->short_id,
		       ((const struct kdp_peer *)b)->short_id);
}

static int cmp_bcast(const void *a, const void *b)
{
	return cmp_u32(((const struct kdp_bcast *)a)->src, ((const struct kdp_bcast *)b)->src);
}

static int cmp_fdb(const void *a, const void *b)
{
	return memcmp(((const struct kdp_fdb_entry *)a)->mac,
		      ((const struct kdp_fdb_entry *)b)->mac, 6);
}

static int cmp_port(const void *a, const void *b)
{
	return cmp_u32(((const struct kdp_port *)a)->ifindex,
		       ((const struct kdp_port *)b)->ifindex);
}

static void release_bcast(void *item)
{
	struct kdp_bcast *b = item;

	free(b->hops);
	b->hops = NULL;
}

/* --- requests and dumps ------------------------------------------------------------------- */

/* One kind of dump: its command, its items and how a message becomes one. */
struct dump_kind {
	uint8_t cmd;
	size_t size;
	size_t max;
	int (*parse)(struct nlattr **dev_tb, void *item);
	int (*compare)(const void *a, const void *b);
	void (*release)(void *item); /* frees what parse allocated; may be NULL */
};

#define DUMP_KIND(_cmd, _type, _max, _parse, _compare, _release)                        \
	{                                                                               \
		.cmd = (_cmd), .size = sizeof(_type), .max = (_max), .parse = (_parse), \
		.compare = (_compare), .release = (_release),                           \
	}

static const struct dump_kind device_dump = DUMP_KIND(
	WEAVE_CMD_GET_DEVICE, struct kdp_device, KDP_MAX_DEVICES, parse_device, cmp_device, NULL);
static const struct dump_kind peer_dump =
	DUMP_KIND(WEAVE_CMD_GET_PEER, struct kdp_peer, KDP_MAX_PEERS, parse_peer, cmp_peer, NULL);
static const struct dump_kind bcast_dump = DUMP_KIND(WEAVE_CMD_GET_BCAST, struct kdp_bcast,
						     KDP_MAX_PEERS, parse_bcast, cmp_bcast,
						     release_bcast);
static const struct dump_kind fdb_dump =
	DUMP_KIND(WEAVE_CMD_GET_FDB, struct kdp_fdb_entry, KDP_MAX_FDB, parse_fdb, cmp_fdb, NULL);
static const struct dump_kind port_dump =
	DUMP_KIND(WEAVE_CMD_GET_PORT, struct kdp_port, KDP_MAX_PORTS, parse_port, cmp_port, NULL);

struct dump_state {
	const struct dump_kind *kind;
	char *items;
	size_t count, cap;
	int error;
};

static void *dump_item(struct dump_state *st, size_t i)
{
	return st->items + i * st->kind->size;
}

/* Forgets the items of an attempt (keeping the buffer) and its error. */
static void dump_reset(struct dump_state *st)
{
	size_t i;

	for (i = 0; st->kind->release && i < st->count; i++)
		st->kind->release(dump_item(st, i));
	st->count = 0;
	st->error = 0;
}

/* A zeroed slot for the next item, or NULL with st->error set. */
static void *dump_slot(struct dump_state *st)
{
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		char *items;

		if (st->count >= st->kind->max) {
			st->error = -E2BIG;
			return NULL;
		}
		if (cap > st->kind->max)
			cap = st->kind->max;
		items = realloc(st->items, cap * st->kind->size);
		if (!items) {
			st->error = -ENOMEM;
			return NULL;
		}
		st->items = items;
		st->cap = cap;
	}
	return memset(dump_item(st, st->count), 0, st->kind->size);
}

/* One item per message. After an error the rest of the dump is still read (and
 * skipped), so that the socket is left clean for the next request.
 */
static int on_dump_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[WEAVE_DEV_A_MAX + 1];
	struct dump_state *st = arg;
	void *item;
	int r;

	if (st->error)
		return NL_SKIP;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, WEAVE_DEV_A_MAX, dev_policy) < 0) {
		st->error = -EBADMSG;
		return NL_SKIP;
	}
	item = dump_slot(st);
	if (!item)
		return NL_SKIP;
	r = st->kind->parse(tb, item);
	if (r < 0) {
		st->error = r;
		return NL_SKIP;
	}
	st->count++;
	return NL_OK;
}

/* Sorts the items by key and keeps one of each key: a split dump of a changing
 * table may show an item twice.
 */
static void dump_merge(struct dump_state *st)
{
	const struct dump_kind *k = st->kind;
	size_t i, n = 0;

	if (st->count < 2)
		return;
	qsort(st->items, st->count, k->size, k->compare);
	for (i = 1; i < st->count; i++) {
		if (!k->compare(dump_item(st, n), dump_item(st, i))) {
			if (k->release)
				k->release(dump_item(st, n));
		} else {
			n++;
		}
		if (n != i)
			memcpy(dump_item(st, n), dump_item(st, i), k->size);
	}
	st->count = n + 1;
}

static struct nl_msg *new_request(struct kdp *kdp, uint8_t cmd, int flags, const char *ifname,
				  size_t payload)
{
	struct nl_msg *msg = payload ? nlmsg_alloc_size(payload + 1024) : nlmsg_alloc();

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
	kdp->kernel_error = 0;
	nl_socket_modify_cb(kdp->sock, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	r = nl_send_auto(kdp->sock, msg);
	nlmsg_free(msg);
	if (r < 0)
		return nl_to_errno(r);
	r = nl_recvmsgs_default(kdp->sock);
	if (r >= 0)
		return 0;
	return kdp->kernel_error ? kdp->kernel_error : nl_to_errno(r);
}

static int ignore_msg(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Sends a request built by the caller and waits for its ack; frees @msg. */
static int request(struct kdp *kdp, struct nl_msg *msg)
{
	return transact(kdp, msg, ignore_msg, NULL);
}

/* Runs a dump, again while the kernel marks it interrupted. On success st->items
 * holds st->count merged items the caller owns.
 */
static int run_dump(struct kdp *kdp, const struct dump_kind *kind, const char *ifname,
		    struct dump_state *st)
{
	int attempt, r = -EINTR;

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	for (attempt = 0; attempt < KDP_DUMP_RETRIES && r == -EINTR; attempt++) {
		struct nl_msg *msg = new_request(kdp, kind->cmd, NLM_F_DUMP, ifname, 0);

		dump_reset(st);
		if (!msg) {
			r = -ENOMEM;
			break;
		}
		r = transact(kdp, msg, on_dump_msg, st);
		r = st->error ? st->error : r;
	}
	if (r < 0) {
		dump_reset(st);
		free(st->items);
		st->items = NULL;
		return r;
	}
	dump_merge(st);
	return 0;
}

int kdp_device_dump(struct kdp *kdp, const char *ifname, struct kdp_device **ret_devs,
		    size_t *ret_count)
{
	struct dump_state st;
	int r = run_dump(kdp, &device_dump, ifname, &st);

	if (r < 0)
		return r;
	*ret_devs = (struct kdp_device *)st.items;
	*ret_count = st.count;
	return 0;
}

int kdp_peer_dump(struct kdp *kdp, const char *ifname, struct kdp_peer **ret_peers,
		  size_t *ret_count)
{
	struct dump_state st;
	int r;

	if (!ifname)
		return -EINVAL;
	r = run_dump(kdp, &peer_dump, ifname, &st);
	if (r < 0)
		return r;
	*ret_peers = (struct kdp_peer *)st.items;
	*ret_count = st.count;
	return 0;
}

int kdp_bcast_dump(struct kdp *kdp, const char *ifname, struct kdp_bcast **ret_routes,
		   size_t *ret_count)
{
	struct dump_state st;
	int r;

	if (!ifname)
		return -EINVAL;
	r = run_dump(kdp, &bcast_dump, ifname, &st);
	if (r < 0)
		return r;
	*ret_routes = (struct kdp_bcast *)st.items;
	*ret_count = st.count;
	return 0;
}

struct kdp_bcast *kdp_bcast_free(struct kdp_bcast *routes, size_t count)
{
	size_t i;

	for (i = 0; routes && i < count; i++)
		free(routes[i].hops);
	free(routes);
	return NULL;
}

int kdp_fdb_dump(struct kdp *kdp, const char *ifname, struct kdp_fdb_entry **ret_entries,
		 size_t *ret_count)
{
	struct dump_state st;
	int r;

	if (!ifname)
		return -EINVAL;
	r = run_dump(kdp, &fdb_dump, ifname, &st);
	if (r < 0)
		return r;
	*ret_entries = (struct kdp_fdb_entry *)st.items;
	*ret_count = st.count;
	return 0;
}

int kdp_port_dump(struct kdp *kdp, const char *ifname, struct kdp_port **ret_ports,
		  size_t *ret_count)
{
	struct dump_state st;
	int r;

	if (!ifname)
		return -EINVAL;
	r = run_dump(kdp, &port_dump, ifname, &st);
	if (r < 0)
		return r;
	*ret_ports = (struct kdp_port *)st.items;
	*ret_count = st.count;
	return 0;
}

/* --- commands that change state ------------------------------------------------------------ */

static int put_device(struct nl_msg *msg, const struct kdp_device_config *cfg)
{
	if ((cfg->has_peer_name &&
	     nla_put(msg, WEAVE_DEV_A_PEER_NAME, WEAVE_PEER_NAME_LEN, cfg->peer_name) < 0) ||
	    (cfg->has_short_id && nla_put_u16(msg, WEAVE_DEV_A_SHORT_ID, cfg->short_id) < 0) ||
	    (cfg->has_udp_port && nla_put_u16(msg, WEAVE_DEV_A_UDP_PORT, cfg->udp_port) < 0) ||
	    (cfg->has_fdb_ageing &&
	     nla_put_u32(msg, WEAVE_DEV_A_FDB_AGEING, cfg->fdb_ageing) < 0) ||
	    (cfg->has_fdb_max && nla_put_u32(msg, WEAVE_DEV_A_FDB_MAX, cfg->fdb_max) < 0) ||
	    (cfg->has_upcall_portid &&
	     nla_put_u32(msg, WEAVE_DEV_A_UPCALL_PORTID, cfg->upcall_portid) < 0))
		return -EMSGSIZE;
	return 0;
}

int kdp_device_set(struct kdp *kdp, const char *ifname, const struct kdp_device_config *cfg)
{
	struct nl_msg *msg;

	if (!ifname)
		return -EINVAL;
	msg = new_request(kdp, WEAVE_CMD_SET_DEVICE, NLM_F_ACK, ifname, 0);
	if (!msg)
		return -ENOMEM;
	if (put_device(msg, cfg) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return request(kdp, msg);
}

/* Puts the WEAVE_DEV_A_PEER nest: the short id, and the rest when @cfg has it. */
static int put_peer(struct nl_msg *msg, uint16_t short_id, const struct kdp_peer_config *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, WEAVE_DEV_A_PEER | NLA_F_NESTED);

	if (!nest || nla_put_u16(msg, WEAVE_PEER_A_SHORT_ID, short_id) < 0)
		return -EMSGSIZE;
	if (cfg &&
	    ((cfg->has_name &&
	      nla_put(msg, WEAVE_PEER_A_NAME, WEAVE_PEER_NAME_LEN, cfg->name) < 0) ||
	     (cfg->has_addr && nla_put_u32(msg, WEAVE_PEER_A_ADDR, cfg->addr) < 0) ||
	     (cfg->has_port && nla_put_u16(msg, WEAVE_PEER_A_PORT, cfg->port) < 0) ||
	     (cfg->has_next_hop && nla_put_u16(msg, WEAVE_PEER_A_NEXT_HOP, cfg->next_hop) < 0) ||
	     (cfg->has_flags && nla_put_u32(msg, WEAVE_PEER_A_FLAGS, cfg->flags) < 0) ||
	     (cfg->has_mtu && nla_put_u32(msg, WEAVE_PEER_A_MTU, cfg->mtu) < 0)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int peer_request(struct kdp *kdp, uint8_t cmd, const char *ifname, uint16_t short_id,
			const struct kdp_peer_config *cfg)
{
	struct nl_msg *msg;

	if (!ifname)
		return -EINVAL;
	msg = new_request(kdp, cmd, NLM_F_ACK, ifname, 0);
	if (!msg)
		return -ENOMEM;
	if (put_peer(msg, short_id, cfg) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return request(kdp, msg);
}

int kdp_peer_set(struct kdp *kdp, const char *ifname, const struct kdp_peer_config *cfg)
{
	return peer_request(kdp, WEAVE_CMD_SET_PEER, ifname, cfg->short_id, cfg);
}

int kdp_peer_del(struct kdp *kdp, const char *ifname, uint16_t short_id)
{
	return peer_request(kdp, WEAVE_CMD_DEL_PEER, ifname, short_id, NULL);
}

int kdp_bcast_set(struct kdp *kdp, const char *ifname, uint16_t src, const uint16_t *hops, size_t n)
{
	size_t len = n * sizeof(*hops);
	struct nlattr *nest;
	struct nl_msg *msg;

	if (!ifname || (n && !hops))
		return -EINVAL;
	if (n > KDP_MAX_PEERS)
		return -E2BIG;
	msg = new_request(kdp, WEAVE_CMD_SET_BCAST, NLM_F_ACK, ifname, len);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, WEAVE_DEV_A_BCAST | NLA_F_NESTED);
	/* Without WEAVE_BCAST_A_HOPS the route is removed. */
	if (!nest || nla_put_u16(msg, WEAVE_BCAST_A_SRC, src) < 0 ||
	    (n && nla_put(msg, WEAVE_BCAST_A_HOPS, (int)len, hops) < 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return request(kdp, msg);
}

int kdp_fdb_del(struct kdp *kdp, const char *ifname, const uint8_t *mac)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	if (!ifname)
		return -EINVAL;
	msg = new_request(kdp, WEAVE_CMD_DEL_FDB, NLM_F_ACK, ifname, 0);
	if (!msg)
		return -ENOMEM;
	if (mac) {
		nest = nla_nest_start(msg, WEAVE_DEV_A_FDB | NLA_F_NESTED);
		if (!nest || nla_put(msg, WEAVE_FDB_A_MAC, 6, mac) < 0) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
		nla_nest_end(msg, nest);
	}
	return request(kdp, msg);
}

static int put_pkt(struct nl_msg *msg, const void *frame, size_t len, int dst_peer, int src_peer)
{
	struct nlattr *nest = nla_nest_start(msg, WEAVE_DEV_A_PKT | NLA_F_NESTED);

	if (!nest || nla_put(msg, WEAVE_PKT_A_FRAME, (int)len, frame) < 0 ||
	    (dst_peer >= 0 && nla_put_u16(msg, WEAVE_PKT_A_DST_PEER, (uint16_t)dst_peer) < 0) ||
	    (dst_peer < 0 && nla_put_flag(msg, WEAVE_PKT_A_LOCAL) < 0) ||
	    (src_peer >= 0 && nla_put_u16(msg, WEAVE_PKT_A_SRC_PEER, (uint16_t)src_peer) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int kdp_pkt_execute(struct kdp *kdp, const char *ifname, const void *frame, size_t len,
		    int dst_peer, int src_peer)
{
	struct nl_msg *msg;

	if (!ifname || !frame || len < 14 || dst_peer < -1 || dst_peer > WEAVE_SHORT_ID_MAX ||
	    src_peer < -1 || src_peer > WEAVE_SHORT_ID_MAX)
		return -EINVAL;
	if (len > KDP_FRAME_MAX)
		return -EMSGSIZE;
	msg = new_request(kdp, WEAVE_CMD_PKT_EXECUTE, NLM_F_ACK, ifname, len);
	if (!msg)
		return -ENOMEM;
	if (put_pkt(msg, frame, len, dst_peer, src_peer) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return request(kdp, msg);
}

/* --- upcalls ------------------------------------------------------------------------------ */

/* As large a receive buffer as we may have: beyond rmem_max only with CAP_NET_ADMIN. */
static void raise_rcvbuf(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

int kdp_upcall_open(struct kdp_upcall **ret_upcall)
{
	struct sockaddr_nl local = {};
	socklen_t len = sizeof(local);
	struct kdp_upcall *u;
	int r, fd;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->buf = malloc(KDP_UPCALL_BUF);
	if (!u->buf) {
		free(u);
		return -ENOMEM;
	}
	r = connect_family(&u->sock, &u->family);
	if (r < 0)
		goto err_free;
	fd = nl_socket_get_fd(u->sock);
	r = nl_socket_set_nonblocking(u->sock);
	if (r < 0) {
		r = nl_to_errno(r);
		goto err_free;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
		r = -errno;
		goto err_free;
	}
	raise_rcvbuf(fd, KDP_UPCALL_RCVBUF);
	u->portid = local.nl_pid;
	*ret_upcall = u;
	return 0;

err_free:
	kdp_upcall_close(u);
	return r;
}

struct kdp_upcall *kdp_upcall_close(struct kdp_upcall *u)
{
	if (!u)
		return NULL;
	if (u->sock)
		nl_socket_free(u->sock);
	free(u->buf);
	free(u);
	return NULL;
}

uint32_t kdp_upcall_portid(const struct kdp_upcall *u)
{
	return u->portid;
}

int kdp_upcall_fd(const struct kdp_upcall *u)
{
	return nl_socket_get_fd(u->sock);
}

uint64_t kdp_upcall_lost(const struct kdp_upcall *u)
{
	return u->lost;
}

/* Reads the next datagram from the kernel into u->buf. */
static int upcall_fill(struct kdp_upcall *u)
{
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(kdp_upcall_fd(u), u->buf, KDP_UPCALL_BUF, MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			u->lost++;
			return -ENOBUFS;
		}
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		if (n > KDP_UPCALL_BUF)
			return -EMSGSIZE;
		/* Other processes may send to our port id too: only the kernel counts. */
		if (from.nl_family == AF_NETLINK && from.nl_pid == 0)
			break;
	}
	u->off = 0;
	u->len = (size_t)n;
	return 0;
}

static int parse_upcall(struct nlmsghdr *nlh, struct kdp_upcall_msg *m)
{
	struct nlattr *dev_tb[WEAVE_DEV_A_MAX + 1], *tb[WEAVE_PKT_A_MAX + 1];
	struct nlattr *frame;

	if (genlmsg_parse(nlh, 0, dev_tb, WEAVE_DEV_A_MAX, dev_policy) < 0 ||
	    !dev_tb[WEAVE_DEV_A_IFINDEX] ||
	    parse_nest(dev_tb, WEAVE_DEV_A_PKT, tb, WEAVE_PKT_A_MAX, pkt_policy) < 0 ||
	    !tb[WEAVE_PKT_A_FRAME])
		return -EBADMSG;
	frame = tb[WEAVE_PKT_A_FRAME];
	memset(m, 0, sizeof(*m));
	m->ifindex = nla_get_u32(dev_tb[WEAVE_DEV_A_IFINDEX]);
	m->frame = nla_data(frame);
	m->len = (size_t)nla_len(frame);
	m->src = get_u16(tb[WEAVE_PKT_A_SRC_PEER], 0);
	m->dst = get_u16(tb[WEAVE_PKT_A_DST_PEER], 0);
	m->reason = get_u32(tb[WEAVE_PKT_A_REASON], 0);
	m->outer_addr = get_u32(tb[WEAVE_PKT_A_OUTER_ADDR], 0);
	m->outer_port = get_u16(tb[WEAVE_PKT_A_OUTER_PORT], 0);
	return 0;
}

/* The next netlink message of u->buf, or NULL when it is used up. */
static struct nlmsghdr *upcall_next(struct kdp_upcall *u)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(u->buf + u->off);
	size_t left = u->len - u->off;

	if (!NLMSG_OK(nlh, left)) {
		u->off = u->len;
		return NULL;
	}
	u->off += NLMSG_ALIGN(nlh->nlmsg_len) < left ? NLMSG_ALIGN(nlh->nlmsg_len) : left;
	return nlh;
}

int kdp_upcall_recv(struct kdp_upcall *u, struct kdp_upcall_msg *ret_msg)
{
	struct genlmsghdr *ghdr;
	struct nlmsghdr *nlh;
	int r;

	for (;;) {
		if (u->off >= u->len) {
			r = upcall_fill(u);
			if (r < 0)
				return r;
		}
		nlh = upcall_next(u);
		if (!nlh || nlh->nlmsg_type != u->family ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		ghdr = nlmsg_data(nlh);
		if (ghdr->cmd != WEAVE_CMD_UPCALL)
			continue;
		return parse_upcall(nlh, ret_msg);
	}
}
