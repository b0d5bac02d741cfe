// SPDX-License-Identifier: GPL-2.0
/* router_conn: the router's TCP side (connection_maker.go, local_peer.go, connection.go):
 * listening with the accept rate limit, dialling targets, registering remotes, duplicate
 * tie-breaks, the sleeve forwarder per connection, and tearing connections down.
 */
#include "weaver/router_internal.h"

#include "lib/evl.h"
#include "lib/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void conn_label(const struct router_conn *c, char *buf, size_t size)
{
	char peer[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 3] = "";

	if (c->remote) {
		peer[0] = '|';
		router_peer_text(c->r, c->remote, peer + 1, sizeof(peer) - 1);
	}
	snprintf(buf, size, "%s[%s%s]", mesh_conn_outbound(c->mc) ? "->" : "<-",
		 mesh_conn_remote_addr(c->mc), peer);
}

static bool addr_trusted(const struct router *r, const char *addr)
{
	char host[MESH_TCP_ADDR_MAX + 1];
	struct in_addr a;
	uint16_t port;

	if (mesh_targets_parse_peer(addr, host, sizeof(host), &port) < 0 ||
	    inet_pton(AF_INET, host, &a) != 1)
		return false;
	for (size_t i = 0; i < r->cfg.n_trusted; i++)
		if ((a.s_addr & r->cfg.trusted[i].mask.s_addr) == r->cfg.trusted[i].addr.s_addr)
			return true;
	return false;
}

static void local_info(const struct router *r, const char *remote_addr,
		       struct mesh_features_info *info)
{
	const struct mesh_peer *self = mesh_peers_self(r->peers);

	memset(info, 0, sizeof(*info));
	info->name = r->self;
	snprintf(info->nickname, sizeof(info->nickname), "%s", r->cfg.nickname);
	info->uid = r->uid;
	info->short_id = self->info.short_id;
	info->has_short_id = self->info.has_short_id;
	info->trusted = addr_trusted(r, remote_addr);
	info->has_overlays = true;
	mesh_overlays_parse(SLEEVE_OVERLAY_NAME, &info->overlays);
}

/* --- registering the remote ---------------------------------------------------------------- */

static int conn_check_remote(struct router_conn *c, const struct mesh_features_info *remote,
			     struct mesh_error *err)
{
	struct router *r = c->r;
	struct mesh_features_info local;
	const struct mesh_peer *known;
	int ret;

	local_info(r, mesh_conn_remote_addr(c->mc), &local);
	ret = mesh_features_check_remote(&local, remote, err);
	if (ret < 0)
		return ret;
	known = mesh_peers_find(r->peers, remote->name);
	if (mesh_conn_outbound(c->mc) && !c->accept_new_peer && !known)
		return mesh_error_set(err, -EPERM, "Found unknown remote name: %s at %s",
				      mesh_peer_name_format(remote->name, (char[18]){ 0 }),
				      mesh_conn_remote_addr(c->mc));
	if (known && known->info.uid != 0 && known->info.uid != remote->uid)
		return mesh_error_set(err, -ESTALE,
				      "Connection appears to be with different version of a peer "
				      "we already know");
	return 0;
}

/* Multiple connections to one peer: the lower connection uid wins. */
static int conn_tie_break(struct router_conn *c, struct mesh_error *err)
{
	struct router_conn *dup = router_conn_by_peer(c->r, c->remote);
	char remote[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 2];
	char self[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 2];

	if (!dup)
		return 0;
	router_peer_text(c->r, c->remote, remote, sizeof(remote));
	router_peer_text(c->r, c->r->self, self, sizeof(self));
	if (mesh_conn_get_uid(c->mc) < mesh_conn_get_uid(dup->mc)) {
		mesh_conn_close(dup->mc, -EEXIST, "Multiple connections to %s added to %s", remote,
				self);
		return 0;
	}
	return mesh_error_set(err, -EEXIST, "Multiple connections to %s added to %s", remote, self);
}

static int conn_overlay(struct router_conn *c, const struct mesh_features_info *remote,
			struct mesh_error *err)
{
	struct mesh_overlays ours, common;
	int ret;

	if (!remote->has_overlays) {
		c->legacy_overlay = true;
		return 0;
	}
	mesh_overlays_parse(SLEEVE_OVERLAY_NAME, &ours);
	ret = mesh_overlays_common(&ours, &remote->overlays, mesh_conn_outbound(c->mc), &common,
				   err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < common.n; i++)
		if (strcmp(common.names[i], SLEEVE_OVERLAY_NAME) == 0)
			c->overlay_index = (uint8_t)i;
	return 0;
}

static int conn_start_forwarder(struct router_conn *c, const struct mesh_features_info *remote)
{
	struct router *r = c->r;
	struct sleeve_fwd_config fc = {
		.remote = c->remote,
		.conn_uid = mesh_conn_get_uid(c->mc),
		.outbound = mesh_conn_outbound(c->mc),
		.conn = c,
	};
	uint8_t key[MESH_SESSION_KEY_LEN];
	char host[MESH_TCP_ADDR_MAX + 1];
	uint16_t port = 0;
	bool untrusted = !addr_trusted(r, mesh_conn_remote_addr(c->mc)) || !remote->trusted;
	int ret;

	fc.addr.sin_family = AF_INET;
	if (fc.outbound &&
	    mesh_targets_parse_peer(mesh_conn_remote_addr(c->mc), host, sizeof(host), &port) >= 0 &&
	    inet_pton(AF_INET, host, &fc.addr.sin_addr) == 1)
		fc.addr.sin_port = htons(port ? port : MESH_DEFAULT_PORT);
	if (r->cfg.password && untrusted && mesh_conn_session_key(c->mc, key) >= 0) {
		fc.key = key;
		c->encrypted = true;
	}
	ret = sleeve_fwd_new(r->sleeve, &fc, &c->fwd);
	memset(key, 0, sizeof(key));
	return ret;
}

static int conn_ready(struct mesh_conn *mc, const struct mesh_features_info *remote,
		      struct mesh_error *err, void *userdata)
{
	struct router_conn *c = userdata;
	struct router *r = c->r;
	struct mesh_peer_info info = { 0 };
	char label[512];
	bool new_peer;
	int ret;

	(void)mc;
	ret = conn_check_remote(c, remote, err);
	if (ret < 0)
		return ret;
	c->remote = remote->name;
	new_peer = !mesh_peers_find(r->peers, remote->name);
	info.name = remote->name;
	snprintf(info.nickname, sizeof(info.nickname), "%s", remote->nickname);
	info.uid = remote->uid;
	info.short_id = remote->short_id;
	info.has_short_id = remote->has_short_id;
	ret = mesh_peers_fetch_with_default(r->peers, &info, NULL, NULL);
	if (ret < 0)
		return mesh_error_set(err, ret, "cannot add peer: %s", strerror(-ret));
	c->has_ref = true;
	ret = conn_overlay(c, remote, err);
	if (ret >= 0)
		ret = conn_tie_break(c, err);
	if (ret < 0)
		return ret;
	ret = mesh_peers_add_local_conn(r->peers, c->remote, mesh_conn_remote_addr(c->mc),
					mesh_conn_outbound(c->mc));
	if (ret < 0)
		return mesh_error_set(err, ret, "cannot add connection: %s", strerror(-ret));
	c->added = true;
	mesh_targets_connection_created(r->targets, c->id, c->remote, mesh_conn_remote_addr(c->mc),
					mesh_conn_outbound(c->mc));
	ret = conn_start_forwarder(c, remote);
	if (ret < 0)
		return mesh_error_set(err, ret, "cannot start the sleeve overlay: %s",
				      strerror(-ret));
	conn_label(c, label, sizeof(label));
	log_info("%s: connection added%s", label, new_peer ? " (new peer)" : "");
	router_topology_changed(r);
	gossip_send_all_to(r->gossip, c->remote);
	return 0;
}

/* --- messages ------------------------------------------------------------------------------ */

static int conn_overlay_control(struct router_conn *c, const uint8_t *data, size_t len,
				struct mesh_error *err)
{
	struct mesh_overlay_msg m;

	if (mesh_overlay_msg_parse(data, len, &m) < 0)
		return mesh_error_set(err, -EBADMSG, "malformed overlay control message");
	if (c->legacy_overlay || m.index != c->overlay_index || !c->fwd)
		return 0;
	return sleeve_fwd_control(c->fwd, m.subtag, m.msg, m.len);
}

static int conn_message(struct mesh_conn *mc, uint8_t tag, const uint8_t *data, size_t len,
			struct mesh_error *err, void *userdata)
{
	struct router_conn *c = userdata;
	int ret;

	(void)mc;
	switch (tag) {
	case MESH_TAG_HEARTBEAT:
		return 0;
	case MESH_TAG_RESERVED1:
	case MESH_TAG_RESERVED2:
	case MESH_TAG_RESERVED3:
		if (c->legacy_overlay && c->fwd)
			return sleeve_fwd_control(c->fwd, tag, data, len);
		return 0;
	case MESH_TAG_GOSSIP:
	case MESH_TAG_GOSSIP_UNICAST:
	case MESH_TAG_GOSSIP_BROADCAST:
		ret = gossip_receive(c->r->gossip, c->remote, tag, data, len);
		if (ret < 0)
			return mesh_error_set(err, ret, "malformed gossip message (tag %u): %s",
					      tag, strerror(-ret));
		return 0;
	case MESH_TAG_OVERLAY_CONTROL:
		return conn_overlay_control(c, data, len, err);
	default:
		return mesh_error_set(err, -EPROTO, "Unknown message tag: %u", tag);
	}
}

/* --- teardown ------------------------------------------------------------------------------ */

static enum mesh_conn_error conn_error_kind(int error)
{
	if (error == -ELOOP)
		return MESH_CONN_ERROR_SELF;
	if (error == -ENOTUNIQ)
		return MESH_CONN_ERROR_NAME_COLLISION;
	return MESH_CONN_ERROR_OTHER;
}

static void conn_unregister(struct router_conn *c)
{
	struct router *r = c->r;
	struct mesh_peers_changes ch = { 0 };

	if (c->added) {
		mesh_peers_del_local_conn(r->peers, c->remote);
		c->added = false;
		r->termination_count++;
	}
	if (c->has_ref) {
		mesh_peers_unref(r->peers, c->remote);
		c->has_ref = false;
	}
	if (mesh_peers_gc(r->peers, &ch) >= 0) {
		router_handle_removed(r, &ch);
		mesh_peers_changes_done(&ch);
	}
	router_topology_changed(r);
}

static void conn_closed(struct mesh_conn *mc, int error, const char *text, void *userdata)
{
	struct router_conn *c = userdata;
	struct router *r = c->r;
	bool was_added = c->added;
	char label[512];

	conn_label(c, label, sizeof(label));
	if (!c->remote)
		log_info("%s: connection shutting down due to error during handshake: %s", label,
			 text);
	else
		log_info("%s: connection shutting down due to error: %s", label, text);
	conn_unregister(c);
	if (was_added)
		log_info("%s: connection deleted", label);
	if (was_added || mesh_conn_outbound(mc))
		mesh_targets_connection_terminated(
			r->targets, c->id, c->target[0] ? c->target : mesh_conn_remote_addr(mc),
			mesh_conn_outbound(mc), conn_error_kind(error), text, evl_now_ms(r->evl));
	c->dead = true;
	router_targets_kick(r);
}

static const struct mesh_conn_ops conn_ops = {
	.ready = conn_ready,
	.message = conn_message,
	.closed = conn_closed,
};

static int conn_create(struct router *r, int fd, bool outbound, const char *addr,
		       const char *target, bool accept_new_peer)
{
	struct mesh_conn_config cfg = {
		.outbound = outbound,
		.fd = fd,
		.remote_addr = addr,
		.password = (const uint8_t *)r->cfg.password,
		.password_len = r->cfg.password ? strlen(r->cfg.password) : 0,
	};
	struct router_conn *c = calloc(1, sizeof(*c));
	int ret;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->r = r;
	c->id = ++r->next_conn_id;
	c->accept_new_peer = accept_new_peer;
	snprintf(c->target, sizeof(c->target), "%s", target ? target : "");
	local_info(r, addr, &cfg.local);
	ret = mesh_conn_new(r->evl, &cfg, &conn_ops, c, &c->mc);
	if (ret < 0) {
		free(c);
		return ret;
	}
	c->next = r->conns;
	r->conns = c;
	return 0;
}

/* --- dialling ------------------------------------------------------------------------------ */

static int dial_socket(const char *address, int *ret_fd)
{
	char host[MESH_TARGET_ADDR_MAX + 1];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	uint16_t port = 0;
	int fd, one = 1;

	if (mesh_targets_parse_peer(address, host, sizeof(host), &port) < 0 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EADDRNOTAVAIL;
	sa.sin_port = htons(port ? port : MESH_DEFAULT_PORT);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*ret_fd = fd;
	return 0;
}

void router_dial(struct router *r, const struct mesh_target_due *due)
{
	char text[MESH_TARGET_ADDR_MAX + MESH_TARGET_ERROR_MAX];
	int fd = -1, ret;

	ret = dial_socket(due->address, &fd);
	if (ret == -EADDRNOTAVAIL) {
		snprintf(text, sizeof(text), "dial tcp4: lookup %s: no such host", due->address);
		goto fail;
	}
	if (ret < 0) {
		mesh_conn_dial_error(text, sizeof(text), due->address, ret);
		goto fail;
	}
	log_info("->[%s] attempting connection", due->address);
	ret = conn_create(r, fd, true, due->address, due->address, due->accept_new_peer);
	if (ret < 0) {
		snprintf(text, sizeof(text), "%s", strerror(-ret));
		goto fail;
	}
	return;
fail:
	log_info("->[%s] error during connection attempt: %s", due->address, text);
	mesh_targets_attempt_failed(r->targets, due->address, text, evl_now_ms(r->evl));
}

/* --- listening ----------------------------------------------------------------------------- */

static size_t conns_live(const struct router *r)
{
	size_t n = 0;

	for (const struct router_conn *c = r->conns; c; c = c->next)
		n += !c->dead;
	return n;
}

static bool accept_take_token(struct router *r)
{
	uint64_t now = evl_now_ms(r->evl);

	r->accept_tokens += (double)(now - r->accept_tokens_ms) / ROUTER_ACCEPT_TOKEN_MS;
	if (r->accept_tokens > ROUTER_ACCEPT_TOKENS)
		r->accept_tokens = ROUTER_ACCEPT_TOKENS;
	r->accept_tokens_ms = now;
	if (r->accept_tokens < 1)
		return false;
	r->accept_tokens -= 1;
	return true;
}

static void accept_one(struct router *r, int fd, const struct sockaddr_in *sa)
{
	char addr[MESH_TCP_ADDR_MAX + 1], ip[INET_ADDRSTRLEN];
	int one = 1;

	inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
	snprintf(addr, sizeof(addr), "%s:%u", ip, ntohs(sa->sin_port));
	if (r->cfg.conn_limit && conns_live(r) >= r->cfg.conn_limit) {
		log_info("<-[%s] connection refused: too many connections (limit %u)", addr,
			 r->cfg.conn_limit);
		close(fd);
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (conn_create(r, fd, false, addr, NULL, true) < 0)
		log_warning("<-[%s] connection dropped: out of memory", addr);
}

static int listen_io(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	struct router *r = userdata;

	(void)revents;
	for (;;) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		int cfd;

		if (!accept_take_token(r)) {
			evl_source_set_enabled(s, false);
			evl_timer_set_relative(r->t_accept, ROUTER_ACCEPT_TOKEN_MS);
			return 0;
		}
		cfd = accept4(fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			r->accept_tokens += 1;
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				return 0;
			return log_warning_errno(errno, "accept on TCP port %u failed",
						 r->cfg.port);
		}
		accept_one(r, cfd, &sa);
	}
}

int router_accept_timer(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct router *r = userdata;

	(void)s;
	(void)when_ms;
	return evl_source_set_enabled(r->listen_io, true);
}

int router_listen(struct router *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(r->cfg.port) };
	int one = 1, ret;

	r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->listen_fd < 0)
		return log_error_errno(errno, "Failed to create the TCP socket");
	(void)setsockopt(r->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(r->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(r->listen_fd, 128) < 0)
		return log_error_errno(errno,
				       "Failed to listen on TCP port %u: is another weaver "
				       "running in this network namespace?",
				       r->cfg.port);
	ret = evl_add_io(r->evl, r->listen_fd, EPOLLIN, listen_io, r, &r->listen_io);
	if (ret < 0)
		return ret;
	evl_io_set_fd_own(r->listen_io, true);
	r->listen_fd = -1;
	r->accept_tokens = ROUTER_ACCEPT_TOKENS;
	r->accept_tokens_ms = evl_now_ms(r->evl);
	return evl_add_timer(r->evl, EVL_TIME_INFINITY, router_accept_timer, r, &r->t_accept);
}

/* --- lifetime ------------------------------------------------------------------------------ */

void router_conns_reap(struct router *r)
{
	struct router_conn **p = &r->conns;

	while (*p) {
		struct router_conn *c = *p;

		if (!c->dead) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		sleeve_fwd_free(c->fwd);
		mesh_conn_free(c->mc);
		free(c);
	}
}

void router_conns_close_all(struct router *r)
{
	for (struct router_conn *c = r->conns; c; c = c->next)
		if (!c->dead)
			mesh_conn_close(c->mc, -ESHUTDOWN, "router shutting down");
	router_conns_reap(r);
}
