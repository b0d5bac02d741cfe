// SPDX-License-Identifier: GPL-2.0
/* weave attach / detach with explicit addresses: a veth pair vethwepl<id> (on bridge
 * `weave`) / ethwe (in the container), addresses, the multicast route; detach removes
 * addresses, and the veth with the last one. IPAM (addresses chosen by weaver) comes later.
 */
#include "cli/cli.h"
#include "cli/netns.h"
#include "cli/registry.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	DEFAULT_MTU = 1376, /* Weave's default overlay MTU */
	MAX_ADDRS = 64,
};

struct attach_args {
	struct cli_cidr cidrs[MAX_ADDRS];
	size_t n;
	const char *container;
	bool no_multicast_route;
};

static int ipam_unavailable(void)
{
	fprintf(stderr,
		"%s: IPAM is not available yet: give the container's addresses explicitly, "
		"e.g. `weave attach 10.32.0.1/12 <container>'\n",
		PROG_NAME);
	return -1;
}

/* [flags] [addr...] container; allow_flags: attach's flags (detach has none). */
static int parse_args(int argc, const char *argv[], bool allow_flags, struct attach_args *a)
{
	int i, last = argc - 1;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (allow_flags && !strcmp(s, "--no-multicast-route")) {
			a->no_multicast_route = true;
		} else if (allow_flags && !strcmp(s, "--without-dns")) {
			continue; /* no WeaveDNS yet: nothing to register */
		} else if (!strncmp(s, "--", 2)) {
			fprintf(stderr, "%s: unknown flag `%s'\n", PROG_NAME, s);
			return -1;
		} else if (i == last) {
			a->container = s;
		} else if (!strncmp(s, "net:", 4)) {
			return ipam_unavailable();
		} else if (a->n == MAX_ADDRS) {
			fprintf(stderr, "%s: too many addresses (at most %d)\n", PROG_NAME,
				MAX_ADDRS);
			return -1;
		} else if (!cli_cidr_parse(s, &a->cidrs[a->n++])) {
			fprintf(stderr,
				"%s: invalid CIDR `%s' (want ip/prefix, e.g. 10.32.0.1/12)\n",
				PROG_NAME, s);
			return -1;
		}
	}
	if (!a->container || (!a->n && cli_cidr_parse(a->container, &a->cidrs[0]))) {
		cli_usage_of(argv[0]);
		return -1;
	}
	return 0;
}

static void print_ips(const struct cli_cidr *c, size_t n)
{
	char ip[INET_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET, &c[i].addr, ip, sizeof(ip));
		printf("%s%s", i ? " " : "", ip);
	}
	if (n)
		printf("\n");
}

static int nl_fail(const char *what, const char *name, int r)
{
	fprintf(stderr, "%s: cannot %s `%s': %s\n", PROG_NAME, what, name, nl_geterror(r));
	return r;
}

/* Creates the veth pair and moves its inner end into the container as ethwe. */
static int plug(struct nl_sock *host, const struct cli_container *c, int bridge, int mtu)
{
	char outer[IFNAMSIZ], inner[IFNAMSIZ];
	int r;

	snprintf(outer, sizeof(outer), "vethwepl%s", c->veth_id);
	snprintf(inner, sizeof(inner), "vethwepg%s", c->veth_id);
	r = cli_veth_create(host, outer, inner, mtu);
	if (r == -NLE_EXIST) /* a leftover of an interrupted attach */
		r = cli_link_delete(host, outer) ?: cli_veth_create(host, outer, inner, mtu);
	if (r < 0)
		return nl_fail("create the veth", outer, r);
	r = cli_link_enslave_up(host, outer, bridge);
	if (r < 0) {
		nl_fail("attach to the weave bridge", outer, r);
		goto out_delete;
	}
	r = cli_link_move(host, inner, c->fd);
	if (r < 0) {
		nl_fail("move into the container", inner, r);
		goto out_delete;
	}
	return 0;
out_delete:
	cli_link_delete(host, outer);
	return r;
}

/* Names, addresses, link up and the route of ethwe inside the container. */
static int configure(struct nl_sock *in, const struct cli_container *c, const struct attach_args *a,
		     int mtu)
{
	char inner[IFNAMSIZ];
	int idx, r;
	size_t i;

	snprintf(inner, sizeof(inner), "vethwepg%s", c->veth_id);
	idx = cli_link_index(in, CONTAINER_IFNAME);
	if (idx < 0) {
		r = cli_link_rename(in, inner, CONTAINER_IFNAME, mtu);
		if (r < 0)
			return nl_fail("rename to ethwe", inner, r);
		idx = cli_link_index(in, CONTAINER_IFNAME);
		if (idx < 0)
			return nl_fail("find", CONTAINER_IFNAME, idx);
		r = cli_link_promote_secondaries(in, idx);
		if (r < 0)
			return nl_fail("configure", CONTAINER_IFNAME, r);
	}
	for (i = 0; i < a->n; i++) {
		r = cli_addr_add(in, idx, &a->cidrs[i]);
		if (r < 0)
			return nl_fail("add an address to", CONTAINER_IFNAME, r);
	}
	r = cli_link_up(in, idx);
	if (r < 0)
		return nl_fail("set up", CONTAINER_IFNAME, r);
	if (!a->no_multicast_route) {
		r = cli_route_multicast(in, idx);
		if (r < 0)
			return nl_fail("add the multicast route via", CONTAINER_IFNAME, r);
	}
	for (i = 0; i < a->n; i++) {
		r = cli_send_garp(c->fd, CONTAINER_IFNAME, &a->cidrs[i]);
		if (r < 0)
			fprintf(stderr, "%s: cannot send a gratuitous ARP, ignoring: %s\n",
				PROG_NAME, strerror(-r));
	}
	return 0;
}

static int attach_mtu(void)
{
	int mtu = cli_mtu();

	return mtu ? mtu : DEFAULT_MTU;
}

static int do_attach(const struct attach_args *a, struct cli_container *c)
{
	struct nl_sock *host = NULL, *in = NULL;
	int bridge, mtu = attach_mtu(), r = -1;
	bool fresh;

	host = cli_nl_open(-1);
	in = host ? cli_nl_open(c->fd) : NULL;
	if (!in || mtu < 0)
		goto out;
	bridge = cli_link_index(host, WEAVE_BRIDGE);
	if (bridge < 0) {
		fprintf(stderr, "weave bridge is not present. Have you launched weave?\n");
		goto out;
	}
	fresh = cli_link_index(in, CONTAINER_IFNAME) < 0;
	if (fresh && plug(host, c, bridge, mtu) < 0)
		goto out;
	r = configure(in, c, a, mtu);
	if (r < 0 && fresh) {
		char outer[IFNAMSIZ];

		snprintf(outer, sizeof(outer), "vethwepl%s", c->veth_id);
		cli_link_delete(host, outer);
	}
out:
	cli_nl_close(in);
	cli_nl_close(host);
	return r;
}

int attach_main(int argc, const char *argv[])
{
	struct cli_container c;
	struct attach_args a;
	int r;

	if (parse_args(argc, argv, true, &a) < 0)
		return 1;
	if (!a.n && ipam_unavailable() < 0)
		return 1;
	if (cli_container_open(a.container, false, &c) < 0)
		return 1;
	r = do_attach(&a, &c);
	if (!r) {
		r = registry_add(c.veth_id, c.id, c.path);
		if (r < 0)
			fprintf(stderr, "%s: cannot record `%s' in %s, ignoring: %s\n", PROG_NAME,
				c.id, cli_run_path("attached"), strerror(-r));
		r = 0;
		print_ips(a.cidrs, a.n);
	}
	cli_container_close(&c);
	return r < 0 ? 1 : 0;
}

static bool cidr_listed(const struct cli_cidr *c, const struct attach_args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->cidrs[i].addr.s_addr == c->addr.s_addr)
			return true;
	return false;
}

/* Removes the listed addresses (all if none listed); the veth when none remain. */
static int do_detach(struct nl_sock *in, const struct attach_args *a, struct cli_container *c)
{
	struct cli_cidr have[MAX_ADDRS], gone[MAX_ADDRS];
	size_t n, i, ngone = 0;
	int idx, r;

	idx = cli_link_index(in, CONTAINER_IFNAME);
	if (idx < 0) {
		fprintf(stderr, "%s: container `%s' is not attached to weave\n", PROG_NAME, c->id);
		return -1;
	}
	r = cli_addrs_get(in, idx, have, MAX_ADDRS, &n);
	if (r < 0)
		return nl_fail("list the addresses of", CONTAINER_IFNAME, r);
	for (i = 0; i < n; i++) {
		if (a->n && !cidr_listed(&have[i], a))
			continue;
		r = cli_addr_del(in, idx, &have[i]);
		if (r < 0)
			return nl_fail("remove an address from", CONTAINER_IFNAME, r);
		gone[ngone++] = have[i];
	}
	r = cli_addrs_get(in, idx, have, MAX_ADDRS, &n);
	if (r < 0)
		return nl_fail("list the addresses of", CONTAINER_IFNAME, r);
	if (!n) {
		r = cli_link_delete(in, CONTAINER_IFNAME);
		if (r < 0)
			return nl_fail("delete", CONTAINER_IFNAME, r);
		registry_remove(c->veth_id);
	}
	print_ips(gone, ngone);
	return 0;
}

int detach_main(int argc, const char *argv[])
{
	struct cli_container c;
	struct attach_args a;
	struct nl_sock *in;
	int r = -1;

	if (parse_args(argc, argv, false, &a) < 0)
		return 1;
	if (cli_container_open(a.container, false, &c) < 0)
		return 1;
	in = cli_nl_open(c.fd);
	if (in)
		r = do_detach(in, &a, &c);
	cli_nl_close(in);
	cli_container_close(&c);
	return r < 0 ? 1 : 0;
}
