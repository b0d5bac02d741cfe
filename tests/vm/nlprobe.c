// SPDX-License-Identifier: GPL-2.0
/* nlprobe: sends hand-made, mostly malformed, generic netlink messages to the weave
 * family and checks the kernel's answer: the errno and that an extack message came.
 * Usage: nlprobe <weave-device>            malformed requests, as root
 *        nlprobe --unprivileged <device>   as uid 65534: SET refused, GET allowed
 * Prints "[ OK ] ..." / "[FAIL] ..." per case; exits 1 when a case failed.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/weave.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[16384];
	};
};

struct answer {
	int error; /* 0 or a positive errno */
	char extack[256];
	int replies; /* data messages before DONE/ERROR */
};

static int failures;

static void msg_init(struct msg *m, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	m->nlh.nlmsg_seq = 1;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = WEAVE_GENL_VERSION;
}

/* Appends an attribute with an arbitrary header length (to forge bad ones). */
static void put_raw(struct msg *m, uint16_t type, uint16_t nla_len, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = nla_len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(NLA_HDRLEN + len);
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	put_raw(m, type, NLA_HDRLEN + len, data, len);
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

/* Opens a nested attribute; nest_end() closes it. */
static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	a->nla_type = type;
	m->nlh.nlmsg_len = off + NLA_HDRLEN;
	return off;
}

static void nest_end(struct msg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	a->nla_len = m->nlh.nlmsg_len - off;
}

static void parse_extack(struct nlmsghdr *h, struct answer *ans)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e), end = h->nlmsg_len - NLMSG_HDRLEN;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= end) {
		struct nlattr *a = (struct nlattr *)((char *)e + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(ans->extack, sizeof(ans->extack), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (char *)a + NLA_HDRLEN);
		off += NLA_ALIGN(a->nla_len);
	}
}

/* Sends @m and reads until an error/ack or the end of a dump. */
static int transact(int fd, struct msg *m, struct answer *ans)
{
	static char rbuf[65536];

	memset(ans, 0, sizeof(*ans));
	if (send(fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				ans->error = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				parse_extack(h, ans);
				return 0;
			}
			ans->replies++;
		}
	}
}

static int resolve_family(int fd)
{
	static char rbuf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
	struct msg m;
	struct nlattr *a;
	ssize_t n;
	size_t off;

	msg_init(&m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->version = 1;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, WEAVE_GENL_NAME);
	if (send(fd, &m, m.nlh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, rbuf, sizeof(rbuf), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(h, n) || h->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	for (off = NLMSG_LENGTH(GENL_HDRLEN); off + NLA_HDRLEN <= h->nlmsg_len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (struct nlattr *)(rbuf + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	return -ENOENT;
}

static void expect(int fd, struct msg *m, int want, bool want_extack, const char *what)
{
	struct answer ans;
	int r = transact(fd, m, &ans);

	if (r < 0) {
		printf("[FAIL] %s: netlink I/O failed: %s\n", what, strerror(-r));
		failures++;
		return;
	}
	if (ans.error != want || (want_extack && !ans.extack[0])) {
		printf("[FAIL] %s: got %s (extack \"%s\"), want %s%s\n", what,
		       ans.error ? strerror(ans.error) : "success", ans.extack,
		       want ? strerror(want) : "success",
		       want_extack ? " with an extack message" : "");
		failures++;
		return;
	}
	printf("[ OK ] %s: %s%s%s\n", what, want ? strerror(want) : "accepted",
	       ans.extack[0] ? ": " : "", ans.extack);
}

static void bad_input_cases(int fd, int family, const char *dev)
{
	char longname[IFNAMSIZ + 8];
	uint8_t name5[5] = { 1, 2, 3, 4, 5 }, name7[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t name6[6] = { 0xaa, 0, 0, 0, 0, 1 };
	uint32_t ifindex = if_nametoindex(dev), lo = if_nametoindex("lo"), big = 4096, zero32 = 0;
	uint16_t port0 = 0, sid_max = WEAVE_SHORT_ID_MAX, sid_big = WEAVE_SHORT_ID_MAX + 1, u16 = 7;
	uint64_t u64 = 1;
	struct msg m;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_SHORT_ID, &u16, sizeof(u16));
	expect(fd, &m, EINVAL, true, "SET without a device");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_IFINDEX, &ifindex, sizeof(ifindex));
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	expect(fd, &m, EINVAL, true, "SET with both IFINDEX and IFNAME");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, "nosuchdev0");
	expect(fd, &m, ENODEV, true, "SET of a device that does not exist");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_IFINDEX, &lo, sizeof(lo));
	expect(fd, &m, EOPNOTSUPP, true, "SET of a device that is not a weave device");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_IFINDEX, &zero32, sizeof(zero32));
	expect(fd, &m, ERANGE, true, "SET with ifindex 0");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, 99, &u16, sizeof(u16));
	expect(fd, &m, EINVAL, true, "SET with an unknown attribute");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_SHORT_ID, &sid_big, sizeof(sid_big));
	expect(fd, &m, ERANGE, true, "SET with short id 4096");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_SHORT_ID, &big, sizeof(big));
	expect(fd, &m, EINVAL, true, "SET with a 4-byte short id (wrong type)");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_IFINDEX, &u16, sizeof(u16));
	expect(fd, &m, EINVAL, true, "SET with a 2-byte ifindex (wrong type)");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_UDP_PORT, &port0, sizeof(port0));
	expect(fd, &m, ERANGE, true, "SET with UDP port 0");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_PEER_NAME, name5, sizeof(name5));
	expect(fd, &m, ERANGE, true, "SET with a 5-byte peer name");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_PEER_NAME, name7, sizeof(name7));
	expect(fd, &m, ERANGE, true, "SET with a 7-byte peer name (oversized)");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, longname);
	expect(fd, &m, EINVAL, true, "SET with an oversized device name");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put(&m, WEAVE_DEV_A_IFNAME, dev, strlen(dev));
	expect(fd, &m, EINVAL, true, "SET with a device name that is not NUL-terminated");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_MTU, &big, sizeof(big));
	expect(fd, &m, EINVAL, true, "SET with the read-only MTU attribute");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_STATS | NLA_F_NESTED, &u64, 0);
	expect(fd, &m, EINVAL, true, "SET with the read-only STATS nest");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put_raw(&m, WEAVE_DEV_A_SHORT_ID, 200, &u16, sizeof(u16));
	expect(fd, &m, EINVAL, false, "SET with an attribute longer than the message");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put_raw(&m, WEAVE_DEV_A_SHORT_ID, 2, &u16, sizeof(u16));
	expect(fd, &m, EINVAL, false, "SET with an attribute length below its header");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->reserved = 1;
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	expect(fd, &m, EINVAL, true, "SET with a non-zero reserved header field");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_GET_DEVICE);
	expect(fd, &m, EOPNOTSUPP, false, "GET without NLM_F_DUMP");

	msg_init(&m, family, NLM_F_ACK, 99);
	expect(fd, &m, EOPNOTSUPP, false, "unknown command 99");

	msg_init(&m, family, NLM_F_DUMP, WEAVE_CMD_GET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, "nosuchdev0");
	/* Linux 6.1 gives a dump's .start callback no extack to fill in. */
	expect(fd, &m, ENODEV, false, "dump of a device that does not exist");

	msg_init(&m, family, NLM_F_DUMP, WEAVE_CMD_GET_DEVICE);
	put(&m, WEAVE_DEV_A_IFINDEX, &u64, sizeof(u64));
	expect(fd, &m, EINVAL, true, "dump with an 8-byte ifindex (wrong type)");

	msg_init(&m, family, NLM_F_DUMP, WEAVE_CMD_GET_DEVICE);
	put(&m, 42, &u64, sizeof(u64));
	expect(fd, &m, EINVAL, true, "dump with an unknown attribute");

	/* A well-formed SET still works after all that, at the edges of the ranges. */
	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_PEER_NAME, name6, sizeof(name6));
	put(&m, WEAVE_DEV_A_SHORT_ID, &sid_max, sizeof(sid_max));
	expect(fd, &m, 0, false, "SET of peer name aa:00:00:00:00:01, short id 4095");
}

/* A request for @cmd on @dev with one nest @nest holding one attribute. */
static void one_nested(struct msg *m, int family, uint8_t cmd, const char *dev, uint16_t nest,
		       uint16_t type, const void *data, size_t len)
{
	size_t off;

	msg_init(m, family, NLM_F_ACK, cmd);
	put_str(m, WEAVE_DEV_A_IFNAME, dev);
	off = nest_start(m, nest | NLA_F_NESTED);
	put(m, type, data, len);
	nest_end(m, off);
}

static void datapath_cases(int fd, int family, const char *dev)
{
	uint16_t id7 = 7, id_big = WEAVE_SHORT_ID_MAX + 1, zero16 = 0, odd[3] = { 1, 2, 3 };
	uint32_t bad_flags = 1U << 7, mtu_big = 70000, zero32 = 0;
	uint8_t name5[5] = { 0 }, frame10[10] = { 0 }, frame60[60] = { 0 };
	static uint16_t many[WEAVE_SHORT_ID_MAX + 2];
	struct msg m;
	size_t off;

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_PEER);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	expect(fd, &m, EINVAL, true, "SET_PEER without a peer");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_PEER);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	off = nest_start(&m, WEAVE_DEV_A_PEER);
	put(&m, WEAVE_PEER_A_SHORT_ID, &id7, sizeof(id7));
	nest_end(&m, off);
	expect(fd, &m, EINVAL, true, "SET_PEER whose nest lacks NLA_F_NESTED");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_PORT,
		   &zero16, sizeof(zero16));
	expect(fd, &m, ERANGE, true, "SET_PEER with UDP port 0");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_FLAGS,
		   &zero32, sizeof(zero32));
	expect(fd, &m, EINVAL, true, "SET_PEER without a short id");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_SHORT_ID,
		   &id_big, sizeof(id_big));
	expect(fd, &m, ERANGE, true, "SET_PEER with short id 4096");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_SHORT_ID,
		   &id7, sizeof(id7));
	expect(fd, &m, EINVAL, true, "SET_PEER of a new peer without a name");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_NAME, name5,
		   sizeof(name5));
	expect(fd, &m, ERANGE, true, "SET_PEER with a 5-byte name");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_FLAGS,
		   &bad_flags, sizeof(bad_flags));
	expect(fd, &m, EINVAL, true, "SET_PEER with unknown flag bits");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_MTU,
		   &mtu_big, sizeof(mtu_big));
	expect(fd, &m, ERANGE, true, "SET_PEER with MTU 70000");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_NEXT_HOP,
		   &id_big, sizeof(id_big));
	expect(fd, &m, ERANGE, true, "SET_PEER with next hop 4096");

	one_nested(&m, family, WEAVE_CMD_SET_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_STATS,
		   &zero32, sizeof(zero32));
	expect(fd, &m, EINVAL, true, "SET_PEER with the read-only stats");

	one_nested(&m, family, WEAVE_CMD_DEL_PEER, dev, WEAVE_DEV_A_PEER, WEAVE_PEER_A_SHORT_ID,
		   &id7, sizeof(id7));
	expect(fd, &m, ENOENT, true, "DEL_PEER of a peer that does not exist");

	one_nested(&m, family, WEAVE_CMD_SET_BCAST, dev, WEAVE_DEV_A_BCAST, WEAVE_BCAST_A_HOPS, odd,
		   sizeof(odd));
	expect(fd, &m, EINVAL, true, "SET_BCAST without a source");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_BCAST);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	off = nest_start(&m, WEAVE_DEV_A_BCAST | NLA_F_NESTED);
	put(&m, WEAVE_BCAST_A_SRC, &id7, sizeof(id7));
	put(&m, WEAVE_BCAST_A_HOPS, odd, 5);
	nest_end(&m, off);
	expect(fd, &m, EINVAL, true, "SET_BCAST with hops of odd length");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_BCAST);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	off = nest_start(&m, WEAVE_DEV_A_BCAST | NLA_F_NESTED);
	put(&m, WEAVE_BCAST_A_SRC, &id7, sizeof(id7));
	put(&m, WEAVE_BCAST_A_HOPS, many, sizeof(many));
	nest_end(&m, off);
	expect(fd, &m, ERANGE, true, "SET_BCAST with 4097 hops");

	one_nested(&m, family, WEAVE_CMD_DEL_FDB, dev, WEAVE_DEV_A_FDB, WEAVE_FDB_A_MAC, name5,
		   sizeof(name5));
	expect(fd, &m, ERANGE, true, "DEL_FDB with a 5-byte MAC");

	one_nested(&m, family, WEAVE_CMD_PKT_EXECUTE, dev, WEAVE_DEV_A_PKT, WEAVE_PKT_A_FRAME,
		   frame10, sizeof(frame10));
	expect(fd, &m, ERANGE, true, "PKT_EXECUTE with a 10-byte frame");

	one_nested(&m, family, WEAVE_CMD_PKT_EXECUTE, dev, WEAVE_DEV_A_PKT, WEAVE_PKT_A_FRAME,
		   frame60, sizeof(frame60));
	expect(fd, &m, EINVAL, true, "PKT_EXECUTE with neither a peer nor LOCAL");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_PKT_EXECUTE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	off = nest_start(&m, WEAVE_DEV_A_PKT | NLA_F_NESTED);
	put(&m, WEAVE_PKT_A_FRAME, frame60, sizeof(frame60));
	put(&m, WEAVE_PKT_A_DST_PEER, &id7, sizeof(id7));
	nest_end(&m, off);
	expect(fd, &m, ENOENT, true, "PKT_EXECUTE to a peer that does not exist");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_FDB_AGEING, &zero32, sizeof(zero32));
	expect(fd, &m, ERANGE, true, "SET_DEVICE with MAC ageing 0");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_FDB_MAX, &zero32, sizeof(zero32));
	expect(fd, &m, ERANGE, true, "SET_DEVICE with MAC table size 0");

	msg_init(&m, family, NLM_F_DUMP, WEAVE_CMD_GET_PEER);
	expect(fd, &m, EINVAL, false, "peer dump without a device");

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_UPCALL);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	expect(fd, &m, EOPNOTSUPP, false, "UPCALL sent by userspace");
}

static void unprivileged_cases(int fd, int family, const char *dev)
{
	uint16_t sid = 1;
	struct answer ans;
	struct msg m;

	msg_init(&m, family, NLM_F_ACK, WEAVE_CMD_SET_DEVICE);
	put_str(&m, WEAVE_DEV_A_IFNAME, dev);
	put(&m, WEAVE_DEV_A_SHORT_ID, &sid, sizeof(sid));
	expect(fd, &m, EPERM, false, "unprivileged SET");

	msg_init(&m, family, NLM_F_DUMP, WEAVE_CMD_GET_DEVICE);
	if (transact(fd, &m, &ans) < 0 || ans.error || ans.replies < 1) {
		printf("[FAIL] unprivileged dump: error %d, %d devices\n", ans.error, ans.replies);
		failures++;
	} else {
		printf("[ OK ] unprivileged dump lists %d device(s)\n", ans.replies);
	}
}

static int drop_privileges(void)
{
	gid_t nogroup = 65534;

	if (setgroups(0, NULL) < 0 || setresgid(nogroup, nogroup, nogroup) < 0 ||
	    setresuid(65534, 65534, 65534) < 0) {
		perror("nlprobe: cannot drop privileges");
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	bool unpriv = argc == 3 && !strcmp(argv[1], "--unprivileged");
	const char *dev = argv[argc - 1];
	int fd, family, one = 1;

	if (argc != 2 && !unpriv) {
		fprintf(stderr, "Usage: %s [--unprivileged] <weave-device>\n", argv[0]);
		return 2;
	}
	if (unpriv && drop_privileges() < 0)
		return 2;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("nlprobe: netlink socket");
		return 2;
	}
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	family = resolve_family(fd);
	if (family < 0) {
		fprintf(stderr, "nlprobe: generic netlink family '%s' not found: %s\n",
			WEAVE_GENL_NAME, strerror(-family));
		return 2;
	}
	if (unpriv)
		unprivileged_cases(fd, family, dev);
	else
		bad_input_cases(fd, family, dev);
	if (!unpriv)
		datapath_cases(fd, family, dev);
	close(fd);
	return failures ? 1 : 0;
}
