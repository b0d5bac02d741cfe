// SPDX-License-Identifier: GPL-2.0
/* weave status [targets|connections|peers|dns|ipam]: weaver's status texts over HTTP;
 * `status datapath` reads the kernel module's devices over netlink, in the layout of
 * weave status (labels right-aligned).
 * Also the datapath helpers `weave datapath` shares (cli.h).
 */
#include "cli/cli.h"
#include "overlay/kdp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const drop_names[__WEAVE_DROP_MAX] = {
	[WEAVE_DROP_NO_PEER] = "no-peer", [WEAVE_DROP_NO_ROUTE] = "no-route",
	[WEAVE_DROP_TOO_BIG] = "too-big", [WEAVE_DROP_MALFORMED] = "malformed",
	[WEAVE_DROP_LOOP] = "loop",	  [WEAVE_DROP_UPCALL] = "upcall",
	[WEAVE_DROP_XMIT] = "xmit",	  [WEAVE_DROP_FDB_FULL] = "fdb-full",
};

void cli_print_drops(const char *label, const uint64_t *drops)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < __WEAVE_DROP_MAX; i++) {
		if (!drops[i])
			continue;
		if (!*sep)
			printf("%15s: ", label);
		printf("%s%s %" PRIu64, sep, drop_names[i], drops[i]);
		sep = ", ";
	}
	if (*sep)
		printf("\n");
}

void cli_print_device(const struct kdp_device *d)
{
	const uint8_t *n = d->peer_name;

	printf("%15s: %s\n", "Device", d->name);
	printf("%15s: %" PRIu32 "\n", "Ifindex", d->ifindex);
	printf("%15s: %" PRIu32 "\n", "MTU", d->mtu);
	printf("%15s: %" PRIu32 "\n", "Ports", d->num_ports);
	printf("%15s: %02x:%02x:%02x:%02x:%02x:%02x\n", "PeerName", n[0], n[1], n[2], n[3], n[4],
	       n[5]);
	printf("%15s: %" PRIu16 "\n", "ShortID", d->short_id);
	printf("%15s: %" PRIu16 "\n", "UDPPort", d->udp_port);
	printf("%15s: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " dropped\n", "RX",
	       d->stats.rx_packets, d->stats.rx_bytes, d->stats.rx_dropped);
	printf("%15s: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " dropped\n", "TX",
	       d->stats.tx_packets, d->stats.tx_bytes, d->stats.tx_dropped);
	printf("%15s: %" PRIu32 "\n", "PeerCount", d->num_peers);
	printf("%15s: %" PRIu32 "/%" PRIu32 " MACs, ageing %" PRIu32 " s\n", "FDB", d->fdb_count,
	       d->fdb_max, d->fdb_ageing);
	if (d->upcall_portid)
		printf("%15s: to port id %" PRIu32 "\n", "Upcalls", d->upcall_portid);
	else
		printf("%15s: off\n", "Upcalls");
	cli_print_drops("Drops", d->stats.drops);
}

/* One line per device, tab-separated, in a fixed column order (stable for scripts):
 *   1 name, 2 ifindex, 3 mtu, 4 ports, 5 peer name, 6 short id, 7 UDP port,
 *   8 rx packets, 9 rx bytes, 10 tx packets, 11 tx bytes, 12 rx dropped, 13 tx dropped,
 *   14 peers, 15 MACs learned, 16 most MACs, 17 MAC ageing (s), 18 upcall port id (0: off),
 *   19.. one drop counter per enum weave_drop_reason, in its order (no-peer, no-route,
 *   too-big, malformed, loop, upcall, xmit, fdb-full).
 * New columns are only ever appended.
 */
void cli_print_device_tsv(const struct kdp_device *d)
{
	const uint8_t *n = d->peer_name;
	unsigned int i;

	printf("%s\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%02x:%02x:%02x:%02x:%02x:%02x\t%" PRIu16
	       "\t%" PRIu16 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
	       "\t%" PRIu64,
	       d->name, d->ifindex, d->mtu, d->num_ports, n[0], n[1], n[2], n[3], n[4], n[5],
	       d->short_id, d->udp_port, d->stats.rx_packets, d->stats.rx_bytes,
	       d->stats.tx_packets, d->stats.tx_bytes, d->stats.rx_dropped, d->stats.tx_dropped);
	printf("\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu32, d->num_peers,
	       d->fdb_count, d->fdb_max, d->fdb_ageing, d->upcall_portid);
	for (i = 0; i < __WEAVE_DROP_MAX; i++)
		printf("\t%" PRIu64, d->stats.drops[i]);
	printf("\n");
}

int cli_open_datapath(struct kdp **ret_kdp)
{
	int r = kdp_open(ret_kdp);

	if (r == -ENOENT)
		fprintf(stderr,
			"%s: the weave kernel module is not loaded: load it with 'modprobe weave', "
			"or weave will use the sleeve datapath\n",
			PROG_NAME);
	else if (r < 0)
		fprintf(stderr, "%s: cannot talk to the weave kernel module over netlink: %s\n",
			PROG_NAME, strerror(-r));
	return r;
}

static int status_datapath(int argc, const char *argv[])
{
	struct kdp_device *devs = NULL;
	struct kdp *kdp = NULL;
	bool tsv = false;
	size_t i, n = 0;
	int r;

	if (argc == 2 && !strcmp(argv[1], "--tsv")) {
		tsv = true;
	} else if (argc != 1) {
		fprintf(stderr, "Usage: %s status datapath [--tsv]\n", PROG_NAME);
		return 1;
	}
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	r = kdp_device_dump(kdp, NULL, &devs, &n);
	if (r < 0) {
		fprintf(stderr, "%s: cannot list the weave devices: %s%s%s\n", PROG_NAME,
			strerror(-r), *kdp_last_error(kdp) ? ": " : "", kdp_last_error(kdp));
		goto out;
	}
	if (!n && !tsv)
		printf("No weave devices in this network namespace.\n");
	for (i = 0; i < n; i++) {
		if (tsv) {
			cli_print_device_tsv(&devs[i]);
			continue;
		}
		if (i)
			printf("\n");
		cli_print_device(&devs[i]);
	}
out:
	free(devs);
	kdp_close(kdp);
	return r < 0 ? 1 : 0;
}

static bool known_sub(const char *sub)
{
	static const char *const subs[] = { "targets", "connections", "peers", "dns", "ipam" };
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(sub, subs[i]))
			return true;
	return false;
}

static int invalid_sub(const char *sub)
{
	fprintf(stderr, "Invalid 'weave status' sub-command: %s\n", sub);
	cli_usage();
	return 1;
}

/* GET /status[/sub]; the top level is set off by one empty line before and after. */
static int status_router(const char *sub)
{
	char path[64], *body = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/status%s%s", sub ? "/" : "", sub ? sub : "");
	r = cli_call("GET", path, NULL, NULL, &body);
	if (r == CALL_NOT_FOUND && sub)
		return invalid_sub(sub);
	if (r == CALL_NOT_FOUND)
		fprintf(stderr, "%s: weaver on %s does not serve /status\n", PROG_NAME,
			cli_http_addr());
	if (r != CALL_OK)
		return 1;
	len = strlen(body);
	if (!sub)
		printf("\n");
	fputs(body, stdout);
	if (len && body[len - 1] != '\n')
		printf("\n");
	if (!sub)
		printf("\n");
	free(body);
	return 0;
}

int status_main(int argc, const char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "datapath"))
		return status_datapath(argc - 1, argv + 1);
	if (argc >= 2 && !known_sub(argv[1]))
		return invalid_sub(argv[1]);
	if (argc > 2)
		return cli_usage_of(argv[0]);
	return status_router(argc == 2 ? argv[1] : NULL);
}
