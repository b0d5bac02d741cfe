// SPDX-License-Identifier: GPL-2.0
/* The text renderers: Weave 2.8's `weave status` router section and the targets, connections
 * and peers templates of prog/weaver/http.go, reproduced byte for byte.
 */
#include "api/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connection states in the order Weave prints their counts. */
static const char *const connection_states[] = {
	"established", "pending", "retrying", "failed", "connecting",
};

/* Go's %-Nv of a string: pads with spaces to width runes (never truncates). */
static void put_padded(FILE *f, const char *s, size_t width)
{
	size_t runes = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			runes++;
	fputs(s, f);
	for (; runes < width; runes++)
		fputc(' ', f);
}

static const char *state_text(bool enabled)
{
	return enabled ? "enabled" : "disabled";
}

/* Weave's printCounts: "N state" for each state present, comma-separated, in order. */
static void put_counts(FILE *f, const size_t *counts, const char *const *names, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		fprintf(f, "%s%zu %s", first ? "" : ", ", counts[i], names[i]);
		first = false;
	}
}

static void put_connections_line(FILE *f, const struct api_router_status *r)
{
	size_t counts[sizeof(connection_states) / sizeof(connection_states[0])] = { 0 };
	size_t n_states = sizeof(counts) / sizeof(counts[0]);
	bool any = false;

	for (size_t i = 0; i < r->n_conns; i++)
		for (size_t s = 0; s < n_states; s++)
			if (r->conns[i].state && !strcmp(r->conns[i].state, connection_states[s])) {
				counts[s]++;
				any = true;
			}
	fprintf(f, "    Connections: %zu", r->n_conns);
	if (any) {
		fputs(" (", f);
		put_counts(f, counts, connection_states, n_states);
		fputc(')', f);
	}
	fputc('\n', f);
}

static void put_peers_line(FILE *f, const struct api_router_status *r)
{
	static const char *const names[] = { "established", "pending" };
	size_t counts[2] = { 0 };

	for (size_t i = 0; i < r->n_peers; i++)
		for (size_t c = 0; c < r->peers[i].n_conns; c++)
			counts[r->peers[i].conns[c].established ? 0 : 1]++;
	fprintf(f, "          Peers: %zu", r->n_peers);
	if (counts[0] || counts[1]) {
		fputs(" (with ", f);
		put_counts(f, counts, names, 2);
		fputs(" connections)", f);
	}
	fputc('\n', f);
}

static void put_list(FILE *f, char *const *list, size_t n)
{
	if (!n) {
		fputs("none", f);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", list[i]);
}

/* Closes f and hands over the text, or frees it on a stream error. */
static int finish(FILE *f, char **buf, char **ret)
{
	bool failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	*ret = *buf;
	return 0;
}

static FILE *start(char **buf, size_t *len)
{
	*buf = NULL;
	return open_memstream(buf, len);
}

int api_render_status(const struct api_status *st, char **ret)
{
	const struct api_router_status *r = &st->router;
	size_t len;
	char *buf;
	FILE *f = start(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "        Version: %s (version check update disabled)\n\n",
		st->version ? st->version : "");
	fputs("        Service: router\n", f);
	fprintf(f, "       Protocol: %s ", r->protocol ? r->protocol : "weave");
	if (r->protocol_min_version == r->protocol_max_version)
		fprintf(f, "%u\n", r->protocol_max_version);
	else
		fprintf(f, "%u..%u\n", r->protocol_min_version, r->protocol_max_version);
	fprintf(f, "           Name: %s(%s)\n", r->name, r->nickname);
	fprintf(f, "     Encryption: %s\n", state_text(r->encryption));
	fprintf(f, "  PeerDiscovery: %s\n", state_text(r->peer_discovery));
	fprintf(f, "        Targets: %zu\n", r->n_targets);
	put_connections_line(f, r);
	put_peers_line(f, r);
	fputs(" TrustedSubnets: ", f);
	put_list(f, r->trusted_subnets, r->n_trusted_subnets);
	fputc('\n', f);
	return finish(f, &buf, ret);
}

int api_render_targets(const struct api_status *st, char **ret)
{
	size_t len;
	char *buf;
	FILE *f = start(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < st->router.n_targets; i++)
		fprintf(f, "%s\n", st->router.targets[i]);
	return finish(f, &buf, ret);
}

/* The attrs of a connection except `name`, in sorted key order, with no separator (Weave's
 * template ranges over the map and prints key=value back to back).
 */
static void put_attrs(FILE *f, const struct api_conn *c)
{
	if (c->has_encrypted)
		fprintf(f, "encrypted=%s", c->encrypted ? "true" : "false");
	if (c->has_mtu)
		fprintf(f, "mtu=%u", c->mtu);
}

int api_render_connections(const struct api_status *st, char **ret)
{
	size_t len;
	char *buf;
	FILE *f = start(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < st->router.n_conns; i++) {
		const struct api_conn *c = &st->router.conns[i];

		fputs(c->outbound ? "-> " : "<- ", f);
		put_padded(f, c->address, 21);
		fputc(' ', f);
		put_padded(f, c->state ? c->state : "", 11);
		fprintf(f, " %s ", c->info);
		put_attrs(f, c);
		fputc('\n', f);
	}
	return finish(f, &buf, ret);
}

int api_render_peers(const struct api_status *st, char **ret)
{
	size_t len;
	char *buf;
	FILE *f = start(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < st->router.n_peers; i++) {
		const struct api_peer *p = &st->router.peers[i];

		fprintf(f, "%s(%s)\n", p->name, p->nickname);
		for (size_t c = 0; c < p->n_conns; c++) {
			const struct api_peer_conn *pc = &p->conns[c];
			char who[sizeof(pc->name) + sizeof(pc->nickname) + 2];

			snprintf(who, sizeof(who), "%s(%s)", pc->name, pc->nickname);
			fputs(pc->outbound ? "   -> " : "   <- ", f);
			put_padded(f, pc->address, 21);
			fputc(' ', f);
			put_padded(f, who, 37);
			fprintf(f, " %s\n", pc->established ? "established" : "pending");
		}
	}
	return finish(f, &buf, ret);
}
