// SPDX-License-Identifier: GPL-2.0
/* weave ps [<container>...]: "<id> <mac of ethwe> <cidr>..." for each attached container
 * (those recorded in $WEAVE_RUN_DIR/attached, or those named), and "weave:expose <mac>
 * <cidr>..." for the bridge when it has addresses, as Weave's ps.
 */
#include "cli/cli.h"
#include "cli/netns.h"
#include "cli/registry.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum { MAX_ADDRS = 64 };

/* One line for interface ifname in sk's namespace; false if it has no such interface. */
static bool print_line(struct nl_sock *sk, const char *id, const char *ifname, bool need_addrs)
{
	struct cli_cidr c[MAX_ADDRS];
	char mac[18], ip[INET_ADDRSTRLEN];
	size_t n = 0, i;
	int idx;

	idx = cli_link_index(sk, ifname);
	if (idx < 0 || cli_link_mac(sk, idx, mac) < 0 ||
	    cli_addrs_get(sk, idx, c, MAX_ADDRS, &n) < 0 || (need_addrs && !n))
		return false;
	/* Docker ids are shown truncated to 12 characters, as Weave does; names in full. */
	if (strlen(id) == 64 && strspn(id, "0123456789abcdef") == 64)
		printf("%.12s %s", id, mac);
	else
		printf("%s %s", id, mac);
	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET, &c[i].addr, ip, sizeof(ip));
		printf(" %s/%u", ip, c[i].prefixlen);
	}
	printf("\n");
	return true;
}

static int ps_container(const char *arg, bool quiet)
{
	struct cli_container c;
	struct nl_sock *sk;

	/* A recorded container that is gone is skipped without a word. */
	if (cli_container_open(arg, quiet, &c) < 0)
		return quiet ? 0 : -1;
	sk = cli_nl_open(c.fd);
	if (sk)
		print_line(sk, c.id, CONTAINER_IFNAME, false);
	cli_nl_close(sk);
	cli_container_close(&c);
	return sk ? 0 : -1;
}

static int ps_all(void)
{
	struct registry_entry *e;
	struct nl_sock *host;
	size_t n, i;
	int r;

	host = cli_nl_open(-1);
	if (!host)
		return -1;
	print_line(host, "weave:expose", WEAVE_BRIDGE, true);
	cli_nl_close(host);
	r = registry_load(&e, &n);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", PROG_NAME, cli_run_path("attached"),
			strerror(-r));
		return -1;
	}
	for (i = 0; i < n; i++)
		ps_container(e[i].id, true);
	registry_free(e, n);
	return 0;
}

int ps_main(int argc, const char *argv[])
{
	int i, r = 0;

	if (argc < 2)
		return ps_all() < 0 ? 1 : 0;
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2)) {
			fprintf(stderr, "%s: unknown flag `%s'\n", PROG_NAME, argv[i]);
			return 1;
		}
		if (ps_container(argv[i], false) < 0)
			r = 1;
	}
	return r;
}
