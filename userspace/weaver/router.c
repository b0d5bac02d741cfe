// SPDX-License-Identifier: GPL-2.0
/* router: weaver's manager: identity (name, uid, short id), the persisted state, the timers
 * that drive routes, topology gossip, garbage collection and the connection maker.
 */
#include "weaver/router_internal.h"

#include "lib/evl.h"
#include "lib/log.h"
#include "overlay/bridge.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rand_next(void *userdata)
{
	uint64_t v;

	(void)userdata;
	randombytes_buf(&v, sizeof(v));
	return v;
}

void router_peer_text(const struct router *r, mesh_peer_name_t name, char *buf, size_t size)
{
	const struct mesh_peer *p = mesh_peers_find(r->peers, name);
	char n[MESH_PEER_NAME_STRLEN];

	snprintf(buf, size, "%s(%s)", mesh_peer_name_format(name, n), p ? p->info.nickname : "");
}

struct router_conn *router_conn_by_peer(const struct router *r, mesh_peer_name_t name)
{
	for (struct router_conn *c = r->conns; c; c = c->next)
		if (c->added && !c->dead && c->remote == name)
			return c;
	return NULL;
}

void router_handle_removed(struct router *r, struct mesh_peers_changes *ch)
{
	for (size_t i = 0; i < ch->n_removed; i++) {
		char name[MESH_PEER_NAME_STRLEN];

		mac_cache_forget_peer(r->macs, ch->removed[i]->info.name);
		log_info("Removed unreachable peer %s(%s)",
			 mesh_peer_name_format(ch->removed[i]->info.name, name),
			 ch->removed[i]->info.nickname);
	}
}

/* --- timers -------------------------------------------------------------------------------- */

static void arm_once(struct evl_source *t, bool *pending, uint64_t delay_ms)
{
	if (*pending)
		return;
	*pending = true;
	evl_timer_set_relative(t, delay_ms);
}

void router_topology_changed(struct router *r)
{
	arm_once(r->t_routes, &r->routes_pending, ROUTER_ROUTES_DEFER_MS);
	arm_once(r->t_topology, &r->topology_pending, ROUTER_TOPOLOGY_COALESCE_MS);
	arm_once(r->t_gc, &r->gc_pending, ROUTER_GC_MS);
}

void router_targets_kick(struct router *r)
{
	evl_timer_set_relative(r->t_targets, 0);
}

static int on_targets(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;
	struct mesh_target_due *due = NULL;
	uint64_t wait = UINT64_MAX;
	size_t n = 0;
	int ret;

	(void)when_ms;
	ret = mesh_targets_check(r->targets, r->cfg.discovery ? r->peers : NULL, evl_now_ms(r->evl),
				 r->cfg.conn_limit, &due, &n, &wait);
	if (ret < 0)
		return log_warning_errno(ret, "Connection maker check failed");
	for (size_t i = 0; i < n; i++)
		router_dial(r, &due[i]);
	free(due);
	/* Not the wait computed before dialling: a dial that failed at once waits again now. */
	wait = mesh_targets_next_wait(r->targets, evl_now_ms(r->evl));
	if (wait != UINT64_MAX)
		evl_timer_set_relative(s, wait);
	return 0;
}

static int on_routes(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;
	int ret;

	(void)s;
	(void)when_ms;
	r->routes_pending = false;
	ret = mesh_routes_calculate(r->routes, r->peers);
	if (ret < 0)
		return log_warning_errno(ret, "Route calculation failed");
	router_targets_kick(r);
	return 0;
}

static int on_topology(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;

	(void)s;
	(void)when_ms;
	r->topology_pending = false;
	return router_topology_flush(r);
}

static int on_gc(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;
	struct mesh_peers_changes ch = { 0 };
	int ret;

	(void)s;
	(void)when_ms;
	r->gc_pending = false;
	ret = mesh_peers_gc(r->peers, &ch);
	if (ret < 0)
		return ret;
	router_handle_removed(r, &ch);
	if (ch.n_removed > 0 || ch.local_modified)
		router_topology_changed(r);
	mesh_peers_changes_done(&ch);
	return 0;
}

static int on_gossip(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;

	evl_timer_set(s, when_ms + GOSSIP_INTERVAL_MS);
	return gossip_periodic(r->gossip);
}

static int on_macs(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;

	evl_timer_set(s, when_ms + ROUTER_MAC_EXPIRY_CHECK_MS);
	mac_cache_expire(r->macs, evl_now_ms(r->evl));
	return 0;
}

static int on_post(struct evl_source *s, void *userdata)
{
	struct router *r = userdata;

	(void)s;
	sleeve_overlay_flush(r->sleeve);
	router_conns_reap(r);
	return 0;
}

static int router_add_timers(struct router *r)
{
	struct {
		struct evl_source **src;
		evl_timer_handler_t cb;
		uint64_t delay;
	} t[] = {
		{ &r->t_targets, on_targets, 0 },
		{ &r->t_routes, on_routes, EVL_TIME_INFINITY },
		{ &r->t_topology, on_topology, EVL_TIME_INFINITY },
		{ &r->t_gc, on_gc, EVL_TIME_INFINITY },
		{ &r->t_gossip, on_gossip, GOSSIP_INTERVAL_MS },
		{ &r->t_macs, on_macs, ROUTER_MAC_EXPIRY_CHECK_MS },
	};
	int ret;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t when = t[i].delay == EVL_TIME_INFINITY ? EVL_TIME_INFINITY :
								  evl_now_ms(r->evl) + t[i].delay;

		ret = evl_add_timer(r->evl, when, t[i].cb, r, t[i].src);
		if (ret < 0)
			return ret;
	}
	return evl_add_post(r->evl, on_post, r, &r->post);
}

/* --- identity and persistence -------------------------------------------------------------- */

static int router_identity(struct router *r)
{
	char text[MESH_PEER_NAME_STRLEN];
	uint8_t mac[6];
	bool created = false;
	void *data = NULL;
	size_t len = 0;
	int ret;

	ret = bridge_ensure(r->cfg.bridge, r->cfg.mtu ? r->cfg.mtu : BRIDGE_SLEEVE_MTU, mac,
			    &created);
	if (ret < 0)
		return ret;
	if (created)
		log_info("Created bridge %s", r->cfg.bridge);
	r->self = r->cfg.name;
	if (!r->self && store_get(r->store, STORE_KEY_PEERNAME, &data, &len) >= 0) {
		char buf[MESH_PEER_NAME_STRLEN] = "";

		memcpy(buf, data, len < sizeof(buf) - 1 ? len : sizeof(buf) - 1);
		if (mesh_peer_name_parse(buf, &r->self) < 0)
			r->self = 0;
	}
	free(data);
	if (!r->self)
		mesh_peer_name_from_bytes(mac, sizeof(mac), &r->self);
	mesh_peer_name_format(r->self, text);
	ret = store_put(r->store, STORE_KEY_PEERNAME, text, strlen(text));
	if (ret < 0)
		return log_error_errno(ret, "Failed to persist the peer name in %s",
				       store_path(r->store));
	do
		randombytes_buf(&r->uid, sizeof(r->uid));
	while (r->uid == 0);
	snprintf(r->self_str, sizeof(r->self_str), "%s", text);
	return 0;
}

static int persist_targets(struct router *r)
{
	size_t n = mesh_targets_direct_count(r->targets), len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", mesh_targets_direct_at(r->targets, i));
	fclose(f);
	ret = store_put(r->store, STORE_KEY_DIRECT_PEERS, buf, len);
	free(buf);
	if (ret < 0)
		log_warning_errno(ret, "Failed to persist the targets, ignoring");
	return ret;
}

static void load_targets(struct router *r)
{
	void *data = NULL;
	size_t len = 0;
	char *text, *save = NULL;

	if (store_get(r->store, STORE_KEY_DIRECT_PEERS, &data, &len) < 0)
		return;
	text = calloc(1, len + 1);
	if (text) {
		memcpy(text, data, len);
		for (char *p = strtok_r(text, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
			(void)router_connect(r, &p, 1, false, NULL, 0);
	}
	free(text);
	free(data);
}

/* --- connect / forget ---------------------------------------------------------------------- */

static int resolve_host(const char *peer, char *ret, size_t size)
{
	char host[MESH_TARGET_ADDR_MAX + 1];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct in_addr a;
	uint16_t port;
	int ret_code;

	ret_code = mesh_targets_parse_peer(peer, host, sizeof(host), &port);
	if (ret_code < 0)
		return ret_code;
	if (inet_pton(AF_INET, host, &a) == 1) {
		ret[0] = '\0';
		return 0;
	}
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return -EHOSTUNREACH;
	inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ret, (socklen_t)size);
	freeaddrinfo(ai);
	return 0;
}

int router_connect(struct router *r, char **peers, size_t n, bool replace, char *err, size_t len)
{
	char resolved[INET_ADDRSTRLEN];
	size_t used = 0;
	int ret = 0;

	if (err && len)
		err[0] = '\0';
	if (replace)
		mesh_targets_clear_direct(r->targets);
	for (size_t i = 0; i < n; i++) {
		int k = resolve_host(peers[i], resolved, sizeof(resolved));

		if (k >= 0)
			k = mesh_targets_add_direct(r->targets, peers[i],
						    resolved[0] ? resolved : NULL,
						    evl_now_ms(r->evl));
		if (k < 0) {
			ret = -EINVAL;
			if (err && used < len)
				used += (size_t)snprintf(err + used, len - used,
							 "invalid peer '%s': %s\n", peers[i],
							 strerror(-k));
		}
	}
	persist_targets(r);
	router_targets_kick(r);
	return ret;
}

int router_forget(struct router *r, char **peers, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)mesh_targets_forget(r->targets, peers[i]);
	persist_targets(r);
	router_targets_kick(r);
	return 0;
}

/* --- lifetime ------------------------------------------------------------------------------ */

static int router_mesh_new(struct router *r)
{
	struct gossip_transport t;
	uint16_t short_id;
	int ret;

	randombytes_buf(&short_id, sizeof(short_id));
	short_id &= MESH_SHORT_IDS - 1;
	ret = mesh_peers_new(r->self, r->cfg.nickname, r->uid, short_id, &r->rnd, &r->peers);
	if (ret >= 0)
		ret = mesh_routes_new(&r->routes);
	if (ret >= 0)
		ret = mesh_routes_calculate(r->routes, r->peers);
	if (ret >= 0)
		ret = mesh_targets_new(r->cfg.port, r->cfg.discovery, &r->rnd, &r->targets);
	if (ret < 0)
		return log_error_errno(ret, "Failed to set up the mesh");
	router_gossip_transport(r, &t);
	ret = gossip_new(r->self, &t, &r->gossip);
	if (ret >= 0)
		ret = router_topology_register(r);
	if (ret >= 0)
		ret = mac_cache_new(&r->macs);
	return ret;
}

static int router_start(struct router *r)
{
	int ret;

	ret = store_open(r->cfg.db_path, &r->store);
	if (ret < 0)
		return log_error_errno(ret,
				       "Failed to open the database %s: remove it or set "
				       "--db-prefix to a writable location",
				       r->cfg.db_path);
	ret = router_identity(r);
	if (ret < 0)
		return ret;
	log_info("Our name is %s(%s)", r->self_str, r->cfg.nickname);
	ret = router_mesh_new(r);
	if (ret < 0)
		return ret;
	ret = router_add_timers(r);
	if (ret < 0)
		return ret;
	ret = sleeve_overlay_new(r->evl, r->cfg.port, r->self, &router_sleeve_ops, r, &r->sleeve);
	if (ret < 0)
		return ret;
	ret = router_listen(r);
	if (ret < 0)
		return ret;
	ret = router_datapath_start(r);
	if (ret < 0)
		return ret;
	if (r->cfg.resume)
		load_targets(r);
	else if (r->cfg.n_peers > 0)
		(void)router_connect(r, r->cfg.peers, r->cfg.n_peers, false, NULL, 0);
	else
		persist_targets(r);
	return router_api_start(r);
}

int router_new(struct evl *evl, const struct router_config *cfg, struct router **ret)
{
	struct router *r = calloc(1, sizeof(*r));
	int ret_code;

	if (!r)
		return log_oom();
	r->cfg = *cfg;
	r->evl = evl;
	r->tap_fd = -1;
	r->listen_fd = -1;
	r->rnd.next = rand_next;
	ret_code = router_start(r);
	if (ret_code < 0) {
		router_free(r);
		return ret_code;
	}
	r->ready = true;
	log_info("Listening on port %u, sleeve overlay on bridge %s", r->cfg.port, r->cfg.bridge);
	*ret = r;
	return 0;
}

struct router *router_free(struct router *r)
{
	if (!r)
		return NULL;
	router_api_stop(r);
	router_conns_close_all(r);
	router_datapath_stop(r);
	r->sleeve = sleeve_overlay_free(r->sleeve);
	evl_source_free(r->listen_io);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	evl_source_free(r->t_targets);
	evl_source_free(r->t_routes);
	evl_source_free(r->t_topology);
	evl_source_free(r->t_gc);
	evl_source_free(r->t_gossip);
	evl_source_free(r->t_macs);
	evl_source_free(r->t_accept);
	evl_source_free(r->post);
	gossip_free(r->gossip);
	mac_cache_free(r->macs);
	mesh_targets_free(r->targets);
	mesh_routes_free(r->routes);
	mesh_peers_free(r->peers);
	store_close(r->store);
	free(r);
	return NULL;
}
