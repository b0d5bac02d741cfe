// SPDX-License-Identifier: GPL-2.0
/* api_backend: the router's side of the HTTP API (api/api.h): the status snapshot that
 * `weave status` renders, connect and forget, and the servers for --http-addr/--status-addr.
 */
#include "api/api.h"
#include "lib/evl.h"
#include "lib/log.h"
#include "overlay/bridge.h"
#include "weaver/router_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fill_peer(const struct router *r, const struct mesh_peer *p, struct api_peer *out)
{
	mesh_peer_name_format(p->info.name, out->name);
	snprintf(out->nickname, sizeof(out->nickname), "%s", p->info.nickname);
	out->uid = p->info.uid;
	out->short_id = p->info.short_id;
	out->version = p->info.version;
	out->conns = calloc(p->n_conns ? p->n_conns : 1, sizeof(*out->conns));
	if (!out->conns)
		return;
	for (size_t i = 0; i < p->n_conns; i++) {
		const struct mesh_conn_summary *cs = &p->conns[i];
		const struct mesh_peer *remote = mesh_peers_find(r->peers, cs->name);
		struct api_peer_conn *pc = &out->conns[out->n_conns++];

		mesh_peer_name_format(cs->name, pc->name);
		snprintf(pc->nickname, sizeof(pc->nickname), "%s",
			 remote ? remote->info.nickname : "");
		snprintf(pc->address, sizeof(pc->address), "%s", cs->remote_tcp_addr);
		pc->outbound = cs->outbound;
		pc->established = cs->established;
	}
}

static void fill_conn(const struct router *r, const struct router_conn *c, struct api_conn *out)
{
	char peer[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 2];
	char info[sizeof(peer) + 16];
	int mtu;

	snprintf(out->address, sizeof(out->address), "%s", mesh_conn_remote_addr(c->mc));
	out->outbound = mesh_conn_outbound(c->mc);
	out->state = c->established ? "established" : "pending";
	router_peer_text(r, c->remote, peer, sizeof(peer));
	snprintf(info, sizeof(info), "%-6s %s", SLEEVE_OVERLAY_NAME, peer);
	if (r->cfg.password)
		snprintf(out->info, sizeof(out->info), "%-11s %s",
			 c->encrypted ? "encrypted" : "unencrypted", info);
	else
		snprintf(out->info, sizeof(out->info), "%s", info);
	snprintf(out->attr_name, sizeof(out->attr_name), "%s", SLEEVE_OVERLAY_NAME);
	if (c->fwd && sleeve_fwd_mtu(c->fwd, &mtu)) {
		out->has_mtu = true;
		out->mtu = (unsigned int)mtu;
	}
	if (c->encrypted) {
		out->has_encrypted = true;
		out->encrypted = true;
	}
}

/* Go's time.Time String() of a monotonic deadline. */
static void format_retry(const struct router *r, uint64_t at_ms, char *buf, size_t size)
{
	uint64_t now = evl_now_ms(r->evl), real = evl_now_realtime_ms(r->evl);
	uint64_t t = real + (at_ms > now ? at_ms - now : 0);
	time_t secs = (time_t)(t / 1000);
	struct tm tm;
	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%.20s.%09llu +0000 UTC", date,
		 (unsigned long long)(t % 1000) * 1000000);
}

static void fill_target(const struct router *r, const struct mesh_target_status *t,
			const char *state, struct api_conn *out)
{
	char when[96];

	snprintf(out->address, sizeof(out->address), "%.63s", t->address);
	out->outbound = true;
	out->state = state;
	if (!strcmp(state, "failed")) {
		if (t->retry_never)
			snprintf(when, sizeof(when), "never");
		else
			format_retry(r, t->retry_at_ms, when, sizeof(when));
		snprintf(out->info, sizeof(out->info), "%s, retry: %s", t->last_error, when);
	} else if (t->has_error) {
		snprintf(out->info, sizeof(out->info), "%s", t->last_error);
	}
}

static int fill_conns(const struct router *r, struct api_router_status *rs)
{
	struct mesh_target_status *ts = NULL;
	size_t nts = 0, n = 0;

	if (mesh_targets_status(r->targets, &ts, &nts) < 0)
		nts = 0;
	for (const struct router_conn *c = r->conns; c; c = c->next)
		n++;
	rs->conns = calloc(n + nts + 1, sizeof(*rs->conns));
	if (!rs->conns) {
		free(ts);
		return -ENOMEM;
	}
	for (const struct router_conn *c = r->conns; c; c = c->next)
		if (c->added && !c->dead)
			fill_conn(r, c, &rs->conns[rs->n_conns++]);
	for (size_t i = 0; i < nts; i++) {
		const char *state = mesh_target_status_state(&ts[i]);

		if (state && strcmp(state, "waiting") != 0)
			fill_target(r, &ts[i], state, &rs->conns[rs->n_conns++]);
	}
	free(ts);
	return 0;
}

static int fill_routes(const struct router *r, struct api_router_status *rs)
{
	const struct mesh_route *table = NULL;
	size_t n = 0;

	mesh_routes_table(r->routes, false, &table, &n);
	rs->unicast_routes = calloc(n + 1, sizeof(*rs->unicast_routes));
	if (!rs->unicast_routes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		mesh_peer_name_format(table[i].dest, rs->unicast_routes[i].dest);
		mesh_peer_name_format(table[i].hop ? table[i].hop : table[i].dest,
				      rs->unicast_routes[i].via);
	}
	rs->n_unicast_routes = n;
	n = mesh_peers_count(r->peers);
	rs->broadcast_routes = calloc(n + 1, sizeof(*rs->broadcast_routes));
	if (!rs->broadcast_routes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct mesh_peer *p = mesh_peers_at(r->peers, i);
		struct api_broadcast_route *br = &rs->broadcast_routes[rs->n_broadcast_routes++];
		const mesh_peer_name_t *hops = NULL;
		size_t nh = 0;

		mesh_peer_name_format(p->info.name, br->source);
		if (mesh_routes_broadcast(r->routes, r->peers, p->info.name, false, &hops, &nh) < 0)
			nh = 0;
		br->via = calloc(nh + 1, sizeof(*br->via));
		if (!br->via)
			continue;
		for (size_t k = 0; k < nh; k++)
			mesh_peer_name_format(hops[k], br->via[k]);
		br->n_via = nh;
	}
	return 0;
}

static int fill_lists(const struct router *r, struct api_router_status *rs)
{
	size_t n = mesh_targets_direct_count(r->targets);

	rs->targets = calloc(n + 1, sizeof(*rs->targets));
	rs->trusted_subnets = calloc(r->cfg.n_trusted + 1, sizeof(*rs->trusted_subnets));
	if (!rs->targets || !rs->trusted_subnets)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((rs->targets[rs->n_targets] = strdup(mesh_targets_direct_at(r->targets, i))))
			rs->n_targets++;
	for (size_t i = 0; i < r->cfg.n_trusted; i++)
		if ((rs->trusted_subnets[rs->n_trusted_subnets] = strdup(r->cfg.trusted[i].text)))
			rs->n_trusted_subnets++;
	return 0;
}

static void backend_status_free(void *backend, struct api_status *st)
{
	struct api_router_status *rs = &st->router;

	(void)backend;
	for (size_t i = 0; i < rs->n_peers; i++)
		free(rs->peers[i].conns);
	free(rs->peers);
	free(rs->unicast_routes);
	for (size_t i = 0; i < rs->n_broadcast_routes; i++)
		free(rs->broadcast_routes[i].via);
	free(rs->broadcast_routes);
	free(rs->conns);
	for (size_t i = 0; i < rs->n_targets; i++)
		free(rs->targets[i]);
	free(rs->targets);
	for (size_t i = 0; i < rs->n_trusted_subnets; i++)
		free(rs->trusted_subnets[i]);
	free(rs->trusted_subnets);
	memset(st, 0, sizeof(*st));
}

static int backend_status(void *backend, struct api_status *st)
{
	struct router *r = backend;
	struct api_router_status *rs = &st->router;
	size_t n = mesh_peers_count(r->peers);
	int ret;

	memset(st, 0, sizeof(*st));
	st->ready = r->ready;
	st->version = WEAVE_VERSION;
	rs->protocol = MESH_PROTOCOL_NAME;
	rs->protocol_min_version = MESH_PROTOCOL_V1;
	rs->protocol_max_version = MESH_PROTOCOL_V2;
	rs->encryption = r->cfg.password != NULL;
	rs->peer_discovery = r->cfg.discovery;
	snprintf(rs->name, sizeof(rs->name), "%s", r->self_str);
	snprintf(rs->nickname, sizeof(rs->nickname), "%s", r->cfg.nickname);
	rs->port = r->cfg.port;
	rs->termination_count = r->termination_count;
	rs->interface = BRIDGE_TAP_NAME " (via sleeve)";
	rs->datapath = SLEEVE_OVERLAY_NAME;
	rs->peers = calloc(n + 1, sizeof(*rs->peers));
	ret = rs->peers ? 0 : -ENOMEM;
	for (size_t i = 0; ret >= 0 && i < n; i++)
		fill_peer(r, mesh_peers_at(r->peers, i), &rs->peers[rs->n_peers++]);
	if (ret >= 0)
		ret = fill_conns(r, rs);
	if (ret >= 0)
		ret = fill_routes(r, rs);
	if (ret >= 0)
		ret = fill_lists(r, rs);
	if (ret < 0)
		backend_status_free(backend, st);
	return ret;
}

static int backend_connect(void *backend, char **peers, size_t n, bool replace, char *err,
			   size_t errlen)
{
	return router_connect(backend, peers, n, replace, err, errlen);
}

static int backend_forget(void *backend, char **peers, size_t n)
{
	return router_forget(backend, peers, n);
}

static const struct api_backend_ops backend_ops = {
	.status = backend_status,
	.status_free = backend_status_free,
	.connect = backend_connect,
	.forget = backend_forget,
};

int router_api_start(struct router *r)
{
	int ret;

	if (r->cfg.http_addr && r->cfg.http_addr[0]) {
		ret = api_server_new(r->evl, r->cfg.http_addr, false, &backend_ops, r, &r->http);
		if (ret < 0)
			return log_error_errno(ret, "Failed to serve the HTTP API on %s",
					       r->cfg.http_addr);
	}
	if (r->cfg.status_addr && r->cfg.status_addr[0]) {
		ret = api_server_new(r->evl, r->cfg.status_addr, true, &backend_ops, r,
				     &r->status_http);
		if (ret < 0)
			return log_error_errno(ret, "Failed to serve the status API on %s",
					       r->cfg.status_addr);
	}
	return 0;
}

void router_api_stop(struct router *r)
{
	r->http = api_server_free(r->http);
	r->status_http = api_server_free(r->status_http);
}
