// SPDX-License-Identifier: GPL-2.0
/* netns: links, addresses and routes through libnl-route-3, in any network namespace
 * (a socket opened inside a namespace stays bound to it), and container resolution.
 */
#include "cli/netns.h"
#include "cli/cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel numbers namespace inodes from here (PROC_DYNAMIC_FIRST). */
#define NS_INO_FIRST 0xF0000000UL

struct nl_sock *cli_nl_open(int nsfd)
{
	struct nl_sock *sk = nl_socket_alloc();
	int orig = -1, r;

	if (!sk) {
		fprintf(stderr, "%s: out of memory\n", PROG_NAME);
		return NULL;
	}
	if (nsfd >= 0) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
			fprintf(stderr, "%s: cannot enter the container's network namespace: %m\n",
				PROG_NAME);
			if (orig >= 0)
				close(orig);
			nl_socket_free(sk);
			return NULL;
		}
	}
	r = nl_connect(sk, NETLINK_ROUTE);
	if (orig >= 0) {
		if (setns(orig, CLONE_NEWNET) < 0)
			abort(); /* we would act on the wrong host */
		close(orig);
	}
	if (r < 0) {
		fprintf(stderr, "%s: cannot open a netlink socket: %s\n", PROG_NAME,
			nl_geterror(r));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

void cli_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int cli_link_index(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link;
	int r, idx;

	r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0)
		return r == -NLE_NODEV ? -NLE_OBJ_NOTFOUND : r;
	idx = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return idx;
}

int cli_link_mac(struct nl_sock *sk, int ifindex, char ret[18])
{
	struct rtnl_link *link;
	struct nl_addr *a;
	const unsigned char *b;
	int r;

	r = rtnl_link_get_kernel(sk, ifindex, NULL, &link);
	if (r < 0)
		return r;
	a = rtnl_link_get_addr(link);
	if (a && nl_addr_get_len(a) == 6) {
		b = nl_addr_get_binary_addr(a);
		snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
			 b[5]);
	} else {
		r = -NLE_NOADDR;
	}
	rtnl_link_put(link);
	return r;
}

int cli_link_delete(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int r;

	if (!link)
		return -NLE_NOMEM;
	rtnl_link_set_name(link, name);
	r = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	return r;
}

int cli_links_delete_prefix(struct nl_sock *sk, const char *prefix)
{
	struct nl_cache *cache;
	struct nl_object *o;
	size_t plen = strlen(prefix);
	int r, n = 0;

	r = rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
	if (r < 0)
		return r;
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(link);

		if (!name || strncmp(name, prefix, plen))
			continue;
		r = rtnl_link_delete(sk, link);
		/* The peer of a veth we deleted is gone too. */
		if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
			break;
		n++;
		r = 0;
	}
	nl_cache_free(cache);
	return r < 0 ? r : n;
}

int cli_veth_create(struct nl_sock *sk, const char *name, const char *peer_name, int mtu)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int r;

	if (!link)
		return -NLE_NOMEM;
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, name);
	rtnl_link_set_mtu(link, (unsigned int)mtu);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_mtu(peer, (unsigned int)mtu);
	r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(peer);
	rtnl_link_put(link);
	return r;
}

/* Applies the attributes set in changes to the link called name. */
static int link_change(struct nl_sock *sk, const char *name, struct rtnl_link *changes)
{
	struct rtnl_link *orig;
	int r;

	r = rtnl_link_get_kernel(sk, 0, name, &orig);
	if (r < 0)
		return r;
	r = rtnl_link_change(sk, orig, changes, 0);
	rtnl_link_put(orig);
	return r;
}

int cli_link_enslave_up(struct nl_sock *sk, const char *name, int master)
{
	struct rtnl_link *changes = rtnl_link_alloc();
	int r;

	if (!changes)
		return -NLE_NOMEM;
	rtnl_link_set_master(changes, master);
	rtnl_link_set_flags(changes, IFF_UP);
	r = link_change(sk, name, changes);
	rtnl_link_put(changes);
	return r;
}

int cli_link_move(struct nl_sock *sk, const char *name, int nsfd)
{
	struct rtnl_link *changes = rtnl_link_alloc();
	int r;

	if (!changes)
		return -NLE_NOMEM;
	rtnl_link_set_ns_fd(changes, nsfd);
	r = link_change(sk, name, changes);
	rtnl_link_put(changes);
	return r;
}

int cli_link_rename(struct nl_sock *sk, const char *name, const char *new_name, int mtu)
{
	struct rtnl_link *changes = rtnl_link_alloc();
	int r;

	if (!changes)
		return -NLE_NOMEM;
	rtnl_link_set_name(changes, new_name);
	rtnl_link_set_mtu(changes, (unsigned int)mtu);
	r = link_change(sk, name, changes);
	rtnl_link_put(changes);
	return r;
}

int cli_link_up(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *orig, *changes = rtnl_link_alloc();
	int r;

	if (!changes)
		return -NLE_NOMEM;
	r = rtnl_link_get_kernel(sk, ifindex, NULL, &orig);
	if (!r) {
		rtnl_link_set_flags(changes, IFF_UP);
		r = rtnl_link_change(sk, orig, changes, 0);
		rtnl_link_put(orig);
	}
	rtnl_link_put(changes);
	return r;
}

int cli_link_promote_secondaries(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *orig, *changes = rtnl_link_alloc();
	int r;

	if (!changes)
		return -NLE_NOMEM;
	r = rtnl_link_get_kernel(sk, ifindex, NULL, &orig);
	if (!r) {
		r = rtnl_link_inet_set_conf(changes, IPV4_DEVCONF_PROMOTE_SECONDARIES, 1);
		if (!r)
			r = rtnl_link_change(sk, orig, changes, 0);
		rtnl_link_put(orig);
	}
	rtnl_link_put(changes);
	return r;
}

static struct rtnl_addr *addr_new(int ifindex, const struct cli_cidr *c)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(AF_INET, &c->addr, sizeof(c->addr));

	if (!addr || !local) {
		if (addr)
			rtnl_addr_put(addr);
		if (local)
			nl_addr_put(local);
		return NULL;
	}
	nl_addr_set_prefixlen(local, (int)c->prefixlen);
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_local(addr, local);
	nl_addr_put(local);
	return addr;
}

int cli_addr_add(struct nl_sock *sk, int ifindex, const struct cli_cidr *c)
{
	struct rtnl_addr *addr = addr_new(ifindex, c);
	int r;

	if (!addr)
		return -NLE_NOMEM;
	r = rtnl_addr_add(sk, addr, NLM_F_EXCL);
	rtnl_addr_put(addr);
	return r == -NLE_EXIST ? 0 : r;
}

int cli_addr_del(struct nl_sock *sk, int ifindex, const struct cli_cidr *c)
{
	struct rtnl_addr *addr = addr_new(ifindex, c);
	int r;

	if (!addr)
		return -NLE_NOMEM;
	r = rtnl_addr_delete(sk, addr, 0);
	rtnl_addr_put(addr);
	return r == -NLE_NOADDR || r == -NLE_OBJ_NOTFOUND ? 0 : r;
}

int cli_addrs_get(struct nl_sock *sk, int ifindex, struct cli_cidr *ret, size_t max, size_t *ret_n)
{
	struct nl_cache *cache;
	struct nl_object *o;
	size_t n = 0;
	int r;

	r = rtnl_addr_alloc_cache(sk, &cache);
	if (r < 0)
		return r;
	for (o = nl_cache_get_first(cache); o && n < max; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_family(a) != AF_INET ||
		    !local || nl_addr_get_len(local) != 4)
			continue;
		memcpy(&ret[n].addr, nl_addr_get_binary_addr(local), 4);
		ret[n++].prefixlen = (unsigned int)rtnl_addr_get_prefixlen(a);
	}
	nl_cache_free(cache);
	*ret_n = n;
	return 0;
}

int cli_route_multicast(struct nl_sock *sk, int ifindex)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL;
	int r;

	if (!route || !nh || nl_addr_parse("224.0.0.0/4", AF_INET, &dst) < 0) {
		r = -NLE_NOMEM;
		goto out;
	}
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, dst);
	rtnl_route_set_scope(route, RT_SCOPE_LINK);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_BOOT);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, nh);
	nh = NULL; /* owned by route now */
	r = rtnl_route_add(sk, route, NLM_F_EXCL);
	if (r == -NLE_EXIST)
		r = 0;
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (dst)
		nl_addr_put(dst);
	if (route)
		rtnl_route_put(route);
	return r;
}

/* Runs fn(arg) with the calling thread in the network namespace nsfd. */
static int in_netns(int nsfd, int (*fn)(void *arg), void *arg)
{
	int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), r;

	if (orig < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		close(orig);
		return r;
	}
	r = fn(arg);
	if (setns(orig, CLONE_NEWNET) < 0)
		abort(); /* we would act on the wrong host */
	close(orig);
	return r;
}

struct garp {
	const char *ifname;
	struct in_addr ip;
};

/* An ARP request for our own address (sender = target), broadcast: neighbours and the
 * weave bridges learn where the address lives now.
 */
static int garp_send(void *arg)
{
	const struct garp *g = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ARP),
				   .sll_halen = ETH_ALEN };
	struct ether_arp a = { .ea_hdr = { .ar_hrd = htons(ARPHRD_ETHER),
					   .ar_pro = htons(ETH_P_IP),
					   .ar_hln = ETH_ALEN,
					   .ar_pln = 4,
					   .ar_op = htons(ARPOP_REQUEST) } };
	struct ifreq ifr = { 0 };
	int fd, r = 0;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		r = -errno;
		goto out;
	}
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		r = -errno;
		goto out;
	}
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	memcpy(a.arp_sha, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(a.arp_spa, &g->ip, 4);
	memcpy(a.arp_tpa, &g->ip, 4);
	if (sendto(fd, &a, sizeof(a), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		r = -errno;
out:
	close(fd);
	return r;
}

int cli_send_garp(int nsfd, const char *ifname, const struct cli_cidr *c)
{
	struct garp g = { .ifname = ifname, .ip = c->addr };

	return in_netns(nsfd, garp_send, &g);
}

bool cli_cidr_parse(const char *s, struct cli_cidr *ret)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash;
	unsigned long len;
	char *end;

	if (!strncmp(s, "ip:", 3))
		s += 3;
	slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(ip) || slash == s)
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (inet_pton(AF_INET, ip, &ret->addr) != 1 || slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end || len > 32)
		return false;
	ret->prefixlen = (unsigned int)len;
	return true;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The veth id: the namespace's inode counted from the kernel's first namespace inode
 * (unique among live namespaces, fits the 7 characters an interface name leaves).
 */
static void veth_id(const struct stat *st, char ret[8])
{
	unsigned long ino = (unsigned long)st->st_ino;

	if (ino >= NS_INO_FIRST && ino - NS_INO_FIRST <= 0xfffffffUL)
		snprintf(ret, 8, "%lx", ino - NS_INO_FIRST);
	else
		snprintf(ret, 8, "%07lx", (ino * 2654435761UL) & 0xfffffffUL);
}

static int check_netns(const char *arg, bool quiet, struct cli_container *c)
{
	struct stat st, self;

	if (ioctl(c->fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		if (!quiet)
			fprintf(stderr, "%s: `%s' is not a network namespace\n", PROG_NAME, arg);
		return -1;
	}
	if (fstat(c->fd, &st) < 0 || stat("/proc/self/ns/net", &self) < 0) {
		if (!quiet)
			fprintf(stderr, "%s: cannot stat `%s': %m\n", PROG_NAME, c->path);
		return -1;
	}
	if (st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
		if (!quiet)
			fprintf(stderr, "%s: container `%s' uses the host's network namespace\n",
				PROG_NAME, arg);
		return -1;
	}
	veth_id(&st, c->veth_id);
	return 0;
}

int cli_container_open(const char *arg, bool quiet, struct cli_container *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!*arg || strlen(arg) >= sizeof(c->id)) {
		fprintf(stderr, "%s: invalid container `%s'\n", PROG_NAME, arg);
		return -1;
	}
	snprintf(c->id, sizeof(c->id), "%s", arg);
	if (all_digits(arg))
		snprintf(c->path, sizeof(c->path), "/proc/%s/ns/net", arg);
	else if (strchr(arg, '/'))
		snprintf(c->path, sizeof(c->path), "%s", arg);
	else
		snprintf(c->path, sizeof(c->path), "/run/netns/%s", arg);
	c->fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		if (!quiet)
			fprintf(stderr,
				"%s: no such container `%s' (want a network namespace name, a netns path "
				"or a PID): %m\n",
				PROG_NAME, arg);
		return -1;
	}
	if (check_netns(arg, quiet, c) < 0) {
		cli_container_close(c);
		return -1;
	}
	return 0;
}

void cli_container_close(struct cli_container *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
