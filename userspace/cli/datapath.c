// SPDX-License-Identifier: GPL-2.0
/* weave datapath: programs and shows the kernel module's switch by hand, as weaver does
 * (in the spirit of `wg set` / `wg show`): identity, peers, broadcast routes, the MAC
 * table, frame injection and upcalls.
 *
 * `show <dev> [section] --tsv` prints one tab-separated line per item, columns in a
 * fixed order (new ones are only ever appended):
 *   (none)  the device, as `weave status datapath --tsv` (status.c)
 *   peers   short_id name addr port via flags mtu rx_packets rx_bytes tx_packets
 *           tx_bytes, then one drop counter per enum weave_drop_reason in its order
 *           (no-peer no-route too-big malformed loop upcall xmit fdb-full)
 *   ports   ifname ifindex rx_packets rx_bytes tx_packets tx_bytes
 *   fdb     mac where age_ms; where is the port's ifname (`ifindex:<n>` if it has none
 *           here) or `peer:<short id>`
 *   bcast   src hops (comma-separated short ids)
 * `listen` prints one line per upcall: reason (heartbeat, via-userspace, or its number)
 * src dst outer_addr (0.0.0.0: none) outer_port len hex-of-the-first-64-bytes.
 */
#include "cli/cli.h"
#include "overlay/kdp.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	FRAME_MIN = 14,
	FRAME_MAX = 65535 - 64,
	HEX_SHOWN = 64, /* bytes of an upcalled frame that `listen` prints */
};

struct subcommand {
	const char *name;
	int (*fn)(int argc, const char *argv[]);
	const char *usage;
};

static const struct subcommand *find_subcommand(const char *name);

/* Prints the one-line usage of subcommand @name and returns the exit status 1. */
static int usage(const char *name)
{
	const struct subcommand *sub = find_subcommand(name);

	fprintf(stderr, "Usage: %s datapath %s %s\n", PROG_NAME, name, sub ? sub->usage : "");
	return 1;
}

/* Prints "weave: invalid <what> `<value>'<hint>" and returns false, for parsers. */
__attribute__((format(printf, 3, 4))) static bool invalid(const char *what, const char *value,
							  const char *hint_fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: invalid %s `%s'", PROG_NAME, what, value);
	va_start(ap, hint_fmt);
	vfprintf(stderr, hint_fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* Prints "weave: cannot <what> on <dev>: <strerror>[: <extack>]" and returns 1. */
__attribute__((format(printf, 4, 5))) static int
kernel_error(const struct kdp *kdp, int r, const char *dev, const char *what_fmt, ...)
{
	const char *extack = kdp_last_error(kdp);
	va_list ap;

	fprintf(stderr, "%s: cannot ", PROG_NAME);
	va_start(ap, what_fmt);
	vfprintf(stderr, what_fmt, ap);
	va_end(ap);
	fprintf(stderr, " on %s: %s%s%s\n", dev, strerror(-r), *extack ? ": " : "", extack);
	return 1;
}

/* --- argument parsers: each prints its own error ----------------------------------------- */

static bool parse_number(const char *what, const char *s, unsigned long long min,
			 unsigned long long max, unsigned long long *ret)
{
	unsigned long long v = 0;
	char *end = NULL;

	errno = 0;
	if (isdigit((unsigned char)s[0]))
		v = strtoull(s, &end, 10);
	if (!end || *end || errno || v < min || v > max)
		return invalid(what, s, " (%llu..%llu)", min, max);
	*ret = v;
	return true;
}

static bool parse_u32(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *ret)
{
	unsigned long long v;

	if (!parse_number(what, s, min, max, &v))
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool parse_short_id(const char *s, uint16_t *ret)
{
	uint32_t v;

	if (!parse_u32("short id", s, 0, WEAVE_SHORT_ID_MAX, &v))
		return false;
	*ret = (uint16_t)v;
	return true;
}

static bool parse_port(const char *s, uint16_t *ret)
{
	uint32_t v;

	if (!parse_u32("port", s, 1, 65535, &v))
		return false;
	*ret = (uint16_t)v;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly "aa:bb:cc:dd:ee:ff", either case. */
static bool parse_mac(const char *what, const char *s, uint8_t ret[6])
{
	uint8_t mac[6];
	int i, hi, lo;

	if (strlen(s) != 17)
		return invalid(what, s, " (aa:bb:cc:dd:ee:ff)");
	for (i = 0; i < 6; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return invalid(what, s, " (aa:bb:cc:dd:ee:ff)");
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, mac, 6);
	return true;
}

static bool parse_ipv4(const char *s, uint32_t *ret)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return invalid("IPv4 address", s, "%s", "");
	*ret = a.s_addr;
	return true;
}

/* A frame in hex, FRAME_MIN..FRAME_MAX bytes; *ret is malloc'ed. */
static bool parse_frame(const char *s, uint8_t **ret, size_t *ret_len)
{
	size_t i, len = strlen(s) / 2;
	uint8_t *frame = NULL;

	if (strlen(s) % 2 || len < FRAME_MIN || len > FRAME_MAX)
		return invalid("frame", s, " (hex, %d to %d bytes)", FRAME_MIN, FRAME_MAX);
	frame = malloc(len);
	if (!frame) {
		fprintf(stderr, "%s: %s\n", PROG_NAME, strerror(ENOMEM));
		return false;
	}
	for (i = 0; i < len; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(frame);
			return invalid("frame", s, " (hex, %d to %d bytes)", FRAME_MIN, FRAME_MAX);
		}
		frame[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret = frame;
	*ret_len = len;
	return true;
}

/* The kernel's rules for a device name (dev_valid_name). */
static bool check_dev(const char *s)
{
	size_t len = strlen(s);

	if (!len || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, "..") ||
	    strpbrk(s, "/: \t\n\v\f\r"))
		return invalid("device name", s, "%s", "");
	return true;
}

/* --- set ---------------------------------------------------------------------------------- */

static bool parse_set_option(const char *key, const char *val, struct kdp_device_config *c)
{
	if (!strcmp(key, "peer-name"))
		return (c->has_peer_name = parse_mac("peer name", val, c->peer_name));
	if (!strcmp(key, "short-id"))
		return (c->has_short_id = parse_short_id(val, &c->short_id));
	if (!strcmp(key, "port"))
		return (c->has_udp_port = parse_port(val, &c->udp_port));
	if (!strcmp(key, "fdb-ageing"))
		return (c->has_fdb_ageing = parse_u32("fdb ageing", val, 1, 86400, &c->fdb_ageing));
	if (!strcmp(key, "fdb-max"))
		return (c->has_fdb_max =
				parse_u32("fdb max", val, 1, WEAVE_FDB_MAX_LIMIT, &c->fdb_max));
	if (!strcmp(key, "upcall-portid"))
		return (c->has_upcall_portid =
				parse_u32("upcall port id", val, 0, UINT32_MAX, &c->upcall_portid));
	return invalid("argument", key, "%s", "");
}

static int set_main(int argc, const char *argv[])
{
	struct kdp_device_config cfg = {};
	struct kdp *kdp;
	int i, r, ret = 0;

	if (argc < 2 || argc % 2)
		return usage(argv[0]);
	if (!check_dev(argv[1]))
		return 1;
	for (i = 2; i < argc; i += 2) {
		if (!parse_set_option(argv[i], argv[i + 1], &cfg))
			return 1;
	}
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	r = kdp_device_set(kdp, argv[1], &cfg);
	if (r < 0)
		ret = kernel_error(kdp, r, argv[1], "set the device");
	kdp_close(kdp);
	return ret;
}

/* --- peer, del-peer -------------------------------------------------------------------------- */

static bool parse_on_off(const char *s, uint32_t flag, uint32_t *flags)
{
	if (strcmp(s, "on") && strcmp(s, "off"))
		return invalid("userspace", s, " (on or off)");
	/* Every flag is set at once; VIA_USERSPACE is the only one. */
	*flags = strcmp(s, "on") ? 0 : flag;
	return true;
}

static bool parse_peer_option(const char *key, const char *val, struct kdp_peer_config *c)
{
	if (!strcmp(key, "name"))
		return (c->has_name = parse_mac("peer name", val, c->name));
	if (!strcmp(key, "addr"))
		return (c->has_addr = parse_ipv4(val, &c->addr));
	if (!strcmp(key, "port"))
		return (c->has_port = parse_port(val, &c->port));
	if (!strcmp(key, "via"))
		return (c->has_next_hop = parse_short_id(val, &c->next_hop));
	if (!strcmp(key, "mtu"))
		return (c->has_mtu = parse_u32("mtu", val, 0, 65535, &c->mtu));
	if (!strcmp(key, "userspace"))
		return (c->has_flags = parse_on_off(val, WEAVE_PEER_F_VIA_USERSPACE, &c->flags));
	return invalid("argument", key, "%s", "");
}

static int peer_main(int argc, const char *argv[])
{
	struct kdp_peer_config cfg = {};
	struct kdp *kdp;
	int i, r, ret = 0;

	if (argc < 3 || argc % 2 == 0)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || !parse_short_id(argv[2], &cfg.short_id))
		return 1;
	for (i = 3; i < argc; i += 2) {
		if (!parse_peer_option(argv[i], argv[i + 1], &cfg))
			return 1;
	}
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	r = kdp_peer_set(kdp, argv[1], &cfg);
	if (r < 0)
		ret = kernel_error(kdp, r, argv[1], "set peer %u", cfg.short_id);
	kdp_close(kdp);
	return ret;
}

static int del_peer_main(int argc, const char *argv[])
{
	struct kdp *kdp;
	uint16_t id;
	int r, ret = 0;

	if (argc != 3)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || !parse_short_id(argv[2], &id))
		return 1;
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	r = kdp_peer_del(kdp, argv[1], id);
	if (r < 0)
		ret = kernel_error(kdp, r, argv[1], "delete peer %u", id);
	kdp_close(kdp);
	return ret;
}

/* --- bcast ----------------------------------------------------------------------------------- */

static int bcast_main(int argc, const char *argv[])
{
	uint16_t src, *hops = NULL;
	size_t i, n = argc > 3 ? (size_t)argc - 3 : 0;
	struct kdp *kdp = NULL;
	int r, ret = 1;

	if (argc < 3)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || !parse_short_id(argv[2], &src))
		return 1;
	if (n > WEAVE_SHORT_ID_MAX + 1) {
		fprintf(stderr, "%s: too many hops: %zu (at most %d)\n", PROG_NAME, n,
			WEAVE_SHORT_ID_MAX + 1);
		return 1;
	}
	if (n && !(hops = calloc(n, sizeof(*hops)))) {
		fprintf(stderr, "%s: %s\n", PROG_NAME, strerror(ENOMEM));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!parse_short_id(argv[3 + i], &hops[i]))
			goto out;
	}
	if (cli_open_datapath(&kdp) < 0)
		goto out;
	r = kdp_bcast_set(kdp, argv[1], src, hops, n);
	ret = r < 0 ? kernel_error(kdp, r, argv[1], "set the broadcast route of %u", src) : 0;
out:
	kdp_close(kdp);
	free(hops);
	return ret;
}

/* --- flush ----------------------------------------------------------------------------------- */

static int flush_main(int argc, const char *argv[])
{
	struct kdp *kdp;
	uint8_t mac[6];
	int r, ret = 0;

	if (argc != 2 && argc != 3)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || (argc == 3 && !parse_mac("MAC address", argv[2], mac)))
		return 1;
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	r = kdp_fdb_del(kdp, argv[1], argc == 3 ? mac : NULL);
	if (r < 0 && argc == 3)
		ret = kernel_error(kdp, r, argv[1], "forget %s", argv[2]);
	else if (r < 0)
		ret = kernel_error(kdp, r, argv[1], "flush the MAC table");
	kdp_close(kdp);
	return ret;
}

/* --- inject ---------------------------------------------------------------------------------- */

struct inject_args {
	int dst, src; /* -1: local, us */
	const char *hex;
};

/* (peer <short-id> | local) [from <short-id>] <hex-frame>, from argv[2]. */
static bool parse_inject(int argc, const char *argv[], struct inject_args *a)
{
	uint16_t id;
	int i = 3;

	a->dst = a->src = -1;
	if (argc >= 4 && !strcmp(argv[2], "peer")) {
		if (!parse_short_id(argv[3], &id))
			return false;
		a->dst = id;
		i = 4;
	} else if (argc < 3 || strcmp(argv[2], "local")) {
		usage(argv[0]);
		return false;
	}
	if (argc - i == 3 && !strcmp(argv[i], "from")) {
		if (!parse_short_id(argv[i + 1], &id))
			return false;
		a->src = id;
		i += 2;
	}
	if (argc - i != 1) {
		usage(argv[0]);
		return false;
	}
	a->hex = argv[i];
	return true;
}

static int inject_main(int argc, const char *argv[])
{
	struct inject_args a;
	struct kdp *kdp;
	uint8_t *frame = NULL;
	size_t len = 0;
	int r, ret = 0;

	if (argc < 4)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || !parse_inject(argc, argv, &a) ||
	    !parse_frame(a.hex, &frame, &len))
		return 1;
	if (cli_open_datapath(&kdp) < 0) {
		free(frame);
		return 1;
	}
	r = kdp_pkt_execute(kdp, argv[1], frame, len, a.dst, a.src);
	if (r < 0)
		ret = kernel_error(kdp, r, argv[1], "inject a frame");
	kdp_close(kdp);
	free(frame);
	return ret;
}

/* --- show ------------------------------------------------------------------------------------ */

static void format_mac(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *format_ipv4(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN) ? buf : "?";
}

static void print_traffic(const struct kdp_stats *s)
{
	printf("%15s: %" PRIu64 " packets, %" PRIu64 " bytes\n", "RX", s->rx_packets, s->rx_bytes);
	printf("%15s: %" PRIu64 " packets, %" PRIu64 " bytes\n", "TX", s->tx_packets, s->tx_bytes);
	cli_print_drops("Drops", s->drops);
}

static void print_peer(const struct kdp_peer *p)
{
	char mac[18], addr[INET_ADDRSTRLEN];

	format_mac(p->name, mac);
	printf("%15s: %" PRIu16 "\n", "Peer", p->short_id);
	printf("%15s: %s\n", "Name", mac);
	printf("%15s: %s:%" PRIu16 "\n", "Address", format_ipv4(p->addr, addr), p->port);
	if (p->next_hop == p->short_id)
		printf("%15s: direct\n", "Via");
	else
		printf("%15s: %" PRIu16 "\n", "Via", p->next_hop);
	if (p->mtu)
		printf("%15s: %" PRIu32 "\n", "MTU", p->mtu);
	else
		printf("%15s: the device's\n", "MTU");
	printf("%15s: %s\n", "Userspace", p->flags & WEAVE_PEER_F_VIA_USERSPACE ? "on" : "off");
	print_traffic(&p->stats);
}

static void print_peer_tsv(const struct kdp_peer *p)
{
	char mac[18], addr[INET_ADDRSTRLEN];
	unsigned int i;

	format_mac(p->name, mac);
	printf("%" PRIu16 "\t%s\t%s\t%" PRIu16 "\t%" PRIu16 "\t%" PRIu32 "\t%" PRIu32 "\t%" PRIu64
	       "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64,
	       p->short_id, mac, format_ipv4(p->addr, addr), p->port, p->next_hop, p->flags, p->mtu,
	       p->stats.rx_packets, p->stats.rx_bytes, p->stats.tx_packets, p->stats.tx_bytes);
	for (i = 0; i < __WEAVE_DROP_MAX; i++)
		printf("\t%" PRIu64, p->stats.drops[i]);
	printf("\n");
}

static void print_port(const struct kdp_port *p)
{
	printf("%15s: %s\n", "Port", p->name);
	printf("%15s: %" PRIu32 "\n", "Ifindex", p->ifindex);
	print_traffic(&p->stats);
}

static void print_port_tsv(const struct kdp_port *p)
{
	printf("%s\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", p->name,
	       p->ifindex, p->stats.rx_packets, p->stats.rx_bytes, p->stats.tx_packets,
	       p->stats.tx_bytes);
}

/* Where a MAC is: "peer:<id>", or its port's name (`ifindex:<n>` when it has none here). */
static const char *fdb_where(const struct kdp_fdb_entry *e, char buf[IFNAMSIZ + 16])
{
	if (e->is_peer)
		snprintf(buf, IFNAMSIZ + 16, "peer:%" PRIu16, e->peer_short_id);
	else if (!if_indextoname(e->port_ifindex, buf))
		snprintf(buf, IFNAMSIZ + 16, "ifindex:%" PRIu32, e->port_ifindex);
	return buf;
}

static void print_fdb(const struct kdp_fdb_entry *e, bool tsv)
{
	char mac[18], where[IFNAMSIZ + 16];

	format_mac(e->mac, mac);
	if (tsv)
		printf("%s\t%s\t%" PRIu32 "\n", mac, fdb_where(e, where), e->age_ms);
	else
		printf("%s  %-20s %" PRIu32 ".%03" PRIu32 " s ago\n", mac, fdb_where(e, where),
		       e->age_ms / 1000, e->age_ms % 1000);
}

static void print_bcast(const struct kdp_bcast *b, bool tsv)
{
	char label[32];
	size_t i;

	snprintf(label, sizeof(label), "Broadcast %" PRIu16, b->src);
	if (tsv)
		printf("%" PRIu16 "\t", b->src);
	else
		printf("%15s: ", label);
	for (i = 0; i < b->count; i++)
		printf("%s%" PRIu16, i ? (tsv ? "," : ", ") : "", b->hops[i]);
	printf("\n");
}

struct show {
	struct kdp *kdp;
	const char *dev;
	bool tsv;
	bool first; /* nothing printed yet: no blank line before the next block */
};

static void block_start(struct show *s)
{
	if (!s->tsv && !s->first)
		printf("\n");
	s->first = false;
}

static int show_device(struct show *s)
{
	struct kdp_device *devs = NULL;
	size_t n = 0;
	int r;

	r = kdp_device_dump(s->kdp, s->dev, &devs, &n);
	if (r >= 0 && n != 1)
		r = -ENODEV;
	if (r < 0) {
		free(devs);
		return kernel_error(s->kdp, r, s->dev, "read the device");
	}
	block_start(s);
	if (s->tsv)
		cli_print_device_tsv(&devs[0]);
	else
		cli_print_device(&devs[0]);
	free(devs);
	return 0;
}

static int show_peers(struct show *s)
{
	struct kdp_peer *peers = NULL;
	size_t i, n = 0;
	int r;

	r = kdp_peer_dump(s->kdp, s->dev, &peers, &n);
	if (r < 0)
		return kernel_error(s->kdp, r, s->dev, "list the peers");
	for (i = 0; i < n; i++) {
		block_start(s);
		if (s->tsv)
			print_peer_tsv(&peers[i]);
		else
			print_peer(&peers[i]);
	}
	free(peers);
	return 0;
}

static int show_ports(struct show *s)
{
	struct kdp_port *ports = NULL;
	size_t i, n = 0;
	int r;

	r = kdp_port_dump(s->kdp, s->dev, &ports, &n);
	if (r < 0)
		return kernel_error(s->kdp, r, s->dev, "list the ports");
	for (i = 0; i < n; i++) {
		block_start(s);
		if (s->tsv)
			print_port_tsv(&ports[i]);
		else
			print_port(&ports[i]);
	}
	free(ports);
	return 0;
}

static int show_fdb(struct show *s)
{
	struct kdp_fdb_entry *entries = NULL;
	size_t i, n = 0;
	int r;

	r = kdp_fdb_dump(s->kdp, s->dev, &entries, &n);
	if (r < 0)
		return kernel_error(s->kdp, r, s->dev, "list the MAC table");
	if (!n && !s->tsv)
		printf("No MACs learned.\n");
	for (i = 0; i < n; i++)
		print_fdb(&entries[i], s->tsv);
	free(entries);
	return 0;
}

static int show_bcast(struct show *s)
{
	struct kdp_bcast *routes = NULL;
	size_t i, n = 0;
	int r;

	r = kdp_bcast_dump(s->kdp, s->dev, &routes, &n);
	if (r < 0)
		return kernel_error(s->kdp, r, s->dev, "list the broadcast routes");
	if (!n && !s->tsv)
		printf("No broadcast routes.\n");
	for (i = 0; i < n; i++)
		print_bcast(&routes[i], s->tsv);
	kdp_bcast_free(routes, n);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct show *s);
} sections[] = {
	{ "peers", show_peers },
	{ "ports", show_ports },
	{ "fdb", show_fdb },
	{ "bcast", show_bcast },
};

/* The device, then (human output only) its peers and ports. */
static int show_all(struct show *s)
{
	int ret = show_device(s);

	if (ret || s->tsv)
		return ret;
	ret = show_peers(s);
	return ret ? ret : show_ports(s);
}

/* <dev> [peers|ports|fdb|bcast] [--tsv], the section and --tsv in either order. */
static int show_main(int argc, const char *argv[])
{
	int (*fn)(struct show * s) = show_all;
	struct show s = { .first = true };
	bool have_section = false;
	size_t j;
	int i, ret;

	if (argc < 2 || argc > 4)
		return usage(argv[0]);
	if (!check_dev(argv[1]))
		return 1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--tsv") && !s.tsv) {
			s.tsv = true;
			continue;
		}
		for (j = 0; !have_section && j < sizeof(sections) / sizeof(sections[0]); j++) {
			if (!strcmp(argv[i], sections[j].name))
				break;
		}
		if (have_section || j == sizeof(sections) / sizeof(sections[0])) {
			invalid("argument", argv[i], "%s", "");
			return 1;
		}
		fn = sections[j].fn;
		have_section = true;
	}
	if (cli_open_datapath(&s.kdp) < 0)
		return 1;
	s.dev = argv[1];
	ret = fn(&s);
	kdp_close(s.kdp);
	return ret;
}

/* --- listen ---------------------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* SIGINT and SIGTERM end the wait (without SA_RESTART, poll returns EINTR). */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

static const char *reason_name(uint32_t reason, char buf[16])
{
	if (reason == WEAVE_UPCALL_HEARTBEAT)
		return "heartbeat";
	if (reason == WEAVE_UPCALL_VIA_USERSPACE)
		return "via-userspace";
	snprintf(buf, 16, "%" PRIu32, reason);
	return buf;
}

static void print_upcall(const struct kdp_upcall_msg *m)
{
	char reason[16], addr[INET_ADDRSTRLEN];
	size_t i;

	printf("%s\t%" PRIu16 "\t%" PRIu16 "\t%s\t%" PRIu16 "\t%zu\t",
	       reason_name(m->reason, reason), m->src, m->dst, format_ipv4(m->outer_addr, addr),
	       m->outer_port, m->len);
	for (i = 0; i < m->len && i < HEX_SHOWN; i++)
		printf("%02x", m->frame[i]);
	printf("\n");
	fflush(stdout);
}

struct listen {
	const char *dev;
	uint32_t ifindex;
	unsigned long long count; /* 0: no limit */
	unsigned long long timeout_ms; /* 0: none */
	unsigned long long seen;
	struct kdp_upcall *u;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* Prints the upcalls waiting on the socket; 0 when drained, 1 on a fatal error. */
static int drain_upcalls(struct listen *l)
{
	struct kdp_upcall_msg m;
	int r;

	while (!l->count || l->seen < l->count) {
		r = kdp_upcall_recv(l->u, &m);
		if (r == -EAGAIN)
			return 0;
		if (r == -ENOBUFS || r == -EBADMSG) {
			fprintf(stderr, "%s: %s, ignoring\n", PROG_NAME,
				r == -ENOBUFS ? "upcalls lost: the socket overran" :
						"malformed upcall");
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "%s: cannot receive upcalls on %s: %s\n", PROG_NAME, l->dev,
				strerror(-r));
			return 1;
		}
		if (m.ifindex != l->ifindex)
			continue;
		print_upcall(&m);
		l->seen++;
	}
	return 0;
}

/* Waits for upcalls until @count, the timeout or a signal: 0 when @count arrived. */
static int listen_loop(struct listen *l)
{
	unsigned long long deadline = l->timeout_ms ? now_ms() + l->timeout_ms : 0;
	struct pollfd pfd = { .fd = kdp_upcall_fd(l->u), .events = POLLIN };

	while (!interrupted) {
		unsigned long long now = now_ms();
		int wait = -1;

		if (drain_upcalls(l))
			return 1;
		if (l->count && l->seen >= l->count)
			return 0;
		if (deadline && now >= deadline)
			return 1;
		if (deadline)
			wait = (int)(deadline - now);
		if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll: %s\n", PROG_NAME, strerror(errno));
			return 1;
		}
	}
	return l->count ? 1 : 0;
}

static bool parse_listen(int argc, const char *argv[], struct listen *l)
{
	int i;

	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			usage(argv[0]);
			return false;
		}
		if (!strcmp(argv[i], "--count")) {
			if (!parse_number("count", argv[i + 1], 1, 1000000000, &l->count))
				return false;
		} else if (!strcmp(argv[i], "--timeout")) {
			if (!parse_number("timeout", argv[i + 1], 1, 86400 * 365, &l->timeout_ms))
				return false;
			l->timeout_ms *= 1000;
		} else {
			return invalid("argument", argv[i], "%s", "");
		}
	}
	return true;
}

/* Points the device's upcalls at our socket; *ret_old is the port id it had. */
static int take_upcalls(struct kdp *kdp, struct listen *l, uint32_t *ret_old)
{
	struct kdp_device_config cfg = { .has_upcall_portid = true };
	struct kdp_device *devs = NULL;
	size_t n = 0;
	int r;

	r = kdp_device_dump(kdp, l->dev, &devs, &n);
	if (r >= 0 && n != 1)
		r = -ENODEV;
	if (r < 0) {
		free(devs);
		return kernel_error(kdp, r, l->dev, "read the device");
	}
	*ret_old = devs[0].upcall_portid;
	l->ifindex = devs[0].ifindex;
	free(devs);
	r = kdp_upcall_open(&l->u);
	if (r < 0) {
		fprintf(stderr, "%s: cannot open a socket for upcalls: %s\n", PROG_NAME,
			strerror(-r));
		return 1;
	}
	cfg.upcall_portid = kdp_upcall_portid(l->u);
	r = kdp_device_set(kdp, l->dev, &cfg);
	return r < 0 ? kernel_error(kdp, r, l->dev, "set the upcall port id") : 0;
}

/* Gives the device back the upcall port id it had before `listen`. */
static void restore_upcalls(struct kdp *kdp, const char *dev, uint32_t old)
{
	struct kdp_device_config cfg = { .has_upcall_portid = true, .upcall_portid = old };
	int r = kdp_device_set(kdp, dev, &cfg);

	if (r < 0)
		fprintf(stderr,
			"%s: cannot restore the upcall port id %" PRIu32 " on %s: %s, ignoring\n",
			PROG_NAME, old, dev, strerror(-r));
}

static int listen_main(int argc, const char *argv[])
{
	struct listen l = {};
	struct kdp *kdp;
	uint32_t old = 0;
	int ret;

	if (argc < 2 || argc % 2)
		return usage(argv[0]);
	if (!check_dev(argv[1]) || !parse_listen(argc, argv, &l))
		return 1;
	if (cli_open_datapath(&kdp) < 0)
		return 1;
	l.dev = argv[1];
	catch_signals();
	ret = take_upcalls(kdp, &l, &old);
	if (!ret) {
		ret = listen_loop(&l);
		restore_upcalls(kdp, l.dev, old);
	}
	kdp_upcall_close(l.u);
	kdp_close(kdp);
	return ret;
}

/* --- dispatch ------------------------------------------------------------------------------ */

static const struct subcommand subcommands[] = {
	{ "set", set_main,
	  "<dev> [peer-name <mac>] [short-id <n>] [port <n>] [fdb-ageing <s>] [fdb-max <n>] [upcall-portid <n>]" },
	{ "peer", peer_main,
	  "<dev> <short-id> [name <mac>] [addr <ipv4>] [port <n>] [via <short-id>] [mtu <n>] [userspace on|off]" },
	{ "del-peer", del_peer_main, "<dev> <short-id>" },
	{ "bcast", bcast_main, "<dev> <src-short-id> [<hop-short-id>...]" },
	{ "flush", flush_main, "<dev> [<mac>]" },
	{ "inject", inject_main, "<dev> (peer <short-id> | local) [from <short-id>] <hex-frame>" },
	{ "show", show_main, "<dev> [peers|ports|fdb|bcast] [--tsv]" },
	{ "listen", listen_main, "<dev> [--count N] [--timeout S]" },
};

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(name, subcommands[i].name))
			return &subcommands[i];
	}
	return NULL;
}

static int datapath_help(void)
{
	size_t i;

	printf("Usage:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		printf("  %s datapath %s %s\n", PROG_NAME, subcommands[i].name,
		       subcommands[i].usage);
	return 0;
}

int datapath_main(int argc, const char *argv[])
{
	const struct subcommand *sub;

	if (argc < 2) {
		fprintf(stderr,
			"Usage: %s datapath <set|peer|del-peer|bcast|flush|inject|show|listen> <dev> ...\n",
			PROG_NAME);
		return 1;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return datapath_help();
	sub = find_subcommand(argv[1]);
	if (!sub) {
		fprintf(stderr, "%s: invalid datapath subcommand `%s'\n", PROG_NAME, argv[1]);
		return 1;
	}
	return sub->fn(argc - 1, argv + 1);
}
