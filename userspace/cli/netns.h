/* SPDX-License-Identifier: GPL-2.0 */
/* netns: the links, addresses and routes the CLI manages (libnl-route-3), in this or
 * another network namespace; and containers, which are network namespaces named by a
 * netns name (/run/netns/NAME), a netns path or a PID.
 * Link/address functions return 0 or a negative libnl error (print it with nl_geterror).
 */
#ifndef WEAVE_CLI_NETNS_H
#define WEAVE_CLI_NETNS_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct nl_sock;

#define WEAVE_BRIDGE "weave"
#define CONTAINER_IFNAME "ethwe"

struct cli_cidr {
	struct in_addr addr;
	unsigned int prefixlen;
};

/* A route socket in the network namespace nsfd (< 0: ours); NULL on failure (printed). */
struct nl_sock *cli_nl_open(int nsfd);
void cli_nl_close(struct nl_sock *sk);

/* ifindex (> 0), or -NLE_OBJ_NOTFOUND. */
int cli_link_index(struct nl_sock *sk, const char *name);
int cli_link_mac(struct nl_sock *sk, int ifindex, char ret[18]);
int cli_link_delete(struct nl_sock *sk, const char *name);
/* Deletes every link whose name starts with prefix; returns how many, or an error. */
int cli_links_delete_prefix(struct nl_sock *sk, const char *prefix);
/* A veth pair name/peer in sk's namespace, both with this MTU, down. */
int cli_veth_create(struct nl_sock *sk, const char *name, const char *peer, int mtu);
/* Enslaves name to master (ifindex) and sets it up. */
int cli_link_enslave_up(struct nl_sock *sk, const char *name, int master);
/* Moves name into the network namespace nsfd. */
int cli_link_move(struct nl_sock *sk, const char *name, int nsfd);
/* Renames name to new_name and sets its MTU (the link must be down). */
int cli_link_rename(struct nl_sock *sk, const char *name, const char *new_name, int mtu);
int cli_link_up(struct nl_sock *sk, int ifindex);
/* Removing an address keeps the others of its subnet (net.ipv4.conf.*.promote_secondaries). */
int cli_link_promote_secondaries(struct nl_sock *sk, int ifindex);
/* Adding an address that exists, or deleting one that doesn't, succeeds. */
int cli_addr_add(struct nl_sock *sk, int ifindex, const struct cli_cidr *c);
int cli_addr_del(struct nl_sock *sk, int ifindex, const struct cli_cidr *c);
/* The IPv4 addresses of ifindex, in the kernel's order: at most max, count in *ret_n. */
int cli_addrs_get(struct nl_sock *sk, int ifindex, struct cli_cidr *ret, size_t max, size_t *ret_n);
/* 224.0.0.0/4 scope link via ifindex (an existing one is fine). */
int cli_route_multicast(struct nl_sock *sk, int ifindex);

/* A gratuitous ARP for c's address out of ifname in the namespace nsfd; 0 or -errno. */
int cli_send_garp(int nsfd, const char *ifname, const struct cli_cidr *c);

/* Parses "a.b.c.d/len" (or "ip:a.b.c.d/len"); false if it isn't one. */
bool cli_cidr_parse(const char *s, struct cli_cidr *ret);

struct cli_container {
	char id[256]; /* as given: netns name, PID or path */
	char path[PATH_MAX]; /* the netns file */
	int fd;
	char veth_id[8]; /* stable, unique per network namespace: vethwepl<veth_id> */
};

/* Opens a container; prints why not (no such netns, the host's own netns; unless quiet)
 * and returns -1.
 */
int cli_container_open(const char *arg, bool quiet, struct cli_container *ret);
void cli_container_close(struct cli_container *c);

#endif /* WEAVE_CLI_NETNS_H */
