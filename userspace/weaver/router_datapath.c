// SPDX-License-Identifier: GPL-2.0
/* router_datapath: the sleeve datapath's switching: frames captured on weaver's TAP port of
 * the bridge and frames received from the overlay, sent along unicast or broadcast routes.
 */
#include "weaver/router_internal.h"

#include "lib/evl.h"
#include "lib/log.h"
#include "overlay/bridge.h"
#include "weaver/forward.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAP_READ_BATCH 64
#define TAP_FRAME_MAX (65535 + 14)

static struct sleeve_fwd *fwd_to(struct router *r, mesh_peer_name_t hop)
{
	struct router_conn *c = router_conn_by_peer(r, hop);

	if (!c || !c->fwd || !c->established)
		return NULL;
	return c->fwd;
}

static void log_learnt(struct router *r, const uint8_t *mac, enum mac_cache_learn learnt,
		       mesh_peer_name_t peer)
{
	char name[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 2];

	if (learnt != MAC_CACHE_NEW && learnt != MAC_CACHE_MOVED)
		return;
	if (peer == r->self) {
		log_info("Discovered local MAC %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			 mac[2], mac[3], mac[4], mac[5]);
		return;
	}
	router_peer_text(r, peer, name, sizeof(name));
	log_info("Discovered remote MAC %02x:%02x:%02x:%02x:%02x:%02x at %s", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5], name);
}

static void send_unicast(struct router *r, mesh_peer_name_t src, mesh_peer_name_t dst,
			 const uint8_t *frame, size_t len)
{
	mesh_peer_name_t hop;
	struct sleeve_fwd *fwd;

	if (mesh_routes_unicast(r->routes, dst, false, &hop) < 0 || hop == MESH_PEER_NAME_UNKNOWN)
		return;
	fwd = fwd_to(r, hop);
	if (fwd)
		(void)sleeve_fwd_send(fwd, src, dst, frame, len);
}

static void send_broadcast(struct router *r, mesh_peer_name_t src, const uint8_t *frame, size_t len)
{
	const mesh_peer_name_t *hops = NULL;
	size_t n = 0;

	if (mesh_routes_broadcast(r->routes, r->peers, src, false, &hops, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct sleeve_fwd *fwd = fwd_to(r, hops[i]);

		if (fwd)
			(void)sleeve_fwd_send(fwd, src, hops[i], frame, len);
	}
}

static void inject(struct router *r, const uint8_t *frame, size_t len)
{
	if (write(r->tap_fd, frame, len) < 0 && errno != EAGAIN)
		log_debug_errno(errno, "Failed to inject a frame into the bridge");
}

/* A DF frame over the path MTU to its next hop: answer "fragmentation needed". */
static bool too_big(struct router *r, mesh_peer_name_t dst, const uint8_t *frame, size_t len)
{
	uint8_t icmp[FORWARD_ICMP_MAX_LEN];
	mesh_peer_name_t hop;
	struct sleeve_fwd *fwd;
	int mtu, n;

	if (mesh_routes_unicast(r->routes, dst, false, &hop) < 0 || !(fwd = fwd_to(r, hop)))
		return false;
	mtu = sleeve_fwd_effective_mtu(fwd);
	if (!forward_needs_frag(frame, len, mtu))
		return false;
	n = forward_icmp_frag_needed(frame, len, mtu, icmp);
	if (n > 0)
		inject(r, icmp, (size_t)n);
	return true;
}

static void handle_captured(struct router *r, const uint8_t *frame, size_t len)
{
	struct forward_decision d;

	forward_captured(r->macs, r->self, frame, len, evl_now_ms(r->evl), &d);
	if (len >= 14)
		log_learnt(r, frame + 6, d.learnt, r->self);
	switch (d.action) {
	case FORWARD_BROADCAST:
		/* DF broadcast frames too big for the overlay are dropped, as Weave does. */
		if (!forward_needs_frag(frame, len, ROUTER_BROADCAST_MTU))
			send_broadcast(r, r->self, frame, len);
		break;
	case FORWARD_UNICAST:
		if (!too_big(r, d.dst_peer, frame, len))
			send_unicast(r, r->self, d.dst_peer, frame, len);
		break;
	default:
		break;
	}
}

static int tap_read(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	struct router *r = userdata;

	(void)s;
	(void)revents;
	for (int i = 0; i < TAP_READ_BATCH; i++) {
		ssize_t n = read(fd, r->tap_buf, TAP_FRAME_MAX);

		if (n < 0)
			break;
		handle_captured(r, r->tap_buf, (size_t)n);
	}
	return 0;
}

/* --- the sleeve's callbacks ---------------------------------------------------------------- */

static void sleeve_established(void *userdata, void *conn)
{
	struct router_conn *c = conn;
	char peer[MESH_PEER_NAME_STRLEN + MESH_NICKNAME_MAX + 2];

	(void)userdata;
	if (c->dead || c->established || !c->added)
		return;
	c->established = true;
	mesh_peers_set_local_conn_established(c->r->peers, c->remote);
	router_peer_text(c->r, c->remote, peer, sizeof(peer));
	log_info("%s[%s|%s]: connection fully established", mesh_conn_outbound(c->mc) ? "->" : "<-",
		 mesh_conn_remote_addr(c->mc), peer);
	router_topology_changed(c->r);
}

static void sleeve_failed(void *userdata, void *conn, const char *text)
{
	struct router_conn *c = conn;

	(void)userdata;
	if (!c->dead)
		mesh_conn_close(c->mc, -ETIMEDOUT, "%s", text);
}

static int sleeve_send_control(void *userdata, void *conn, uint8_t subtag, const uint8_t *msg,
			       size_t len)
{
	struct router_conn *c = conn;
	uint8_t buf[2 + 16];
	size_t blen;
	int ret;

	(void)userdata;
	if (c->dead)
		return -ENOTCONN;
	if (c->legacy_overlay)
		return mesh_conn_send(c->mc, subtag, msg, len);
	ret = mesh_overlay_msg_build(c->overlay_index, subtag, msg, len, buf, sizeof(buf), &blen);
	if (ret < 0)
		return ret;
	return mesh_conn_send(c->mc, MESH_TAG_OVERLAY_CONTROL, buf, blen);
}

static void sleeve_frame(void *userdata, mesh_peer_name_t src, mesh_peer_name_t dst, uint8_t *frame,
			 size_t len)
{
	struct router *r = userdata;
	struct forward_decision d;

	forward_received(r->macs, r->self, src, dst, frame, len, evl_now_ms(r->evl), &d);
	log_learnt(r, frame + 6, d.learnt, src);
	switch (d.action) {
	case FORWARD_UNICAST:
		send_unicast(r, src, d.dst_peer, frame, len);
		break;
	case FORWARD_INJECT:
		inject(r, frame, len);
		break;
	case FORWARD_INJECT_BROADCAST:
		inject(r, frame, len);
		send_broadcast(r, src, frame, len);
		break;
	default:
		break;
	}
}

const struct sleeve_overlay_ops router_sleeve_ops = {
	.established = sleeve_established,
	.failed = sleeve_failed,
	.send_control = sleeve_send_control,
	.frame = sleeve_frame,
};

int router_datapath_start(struct router *r)
{
	unsigned int mtu = r->cfg.mtu ? r->cfg.mtu : BRIDGE_SLEEVE_MTU;
	int ret;

	r->tap_buf = malloc(TAP_FRAME_MAX);
	if (!r->tap_buf)
		return log_oom();
	ret = bridge_tap_open(r->cfg.bridge, BRIDGE_TAP_NAME, mtu, &r->tap_fd);
	if (ret < 0)
		return ret;
	ret = evl_add_io(r->evl, r->tap_fd, EPOLLIN, tap_read, r, &r->tap_io);
	if (ret < 0) {
		close(r->tap_fd);
		r->tap_fd = -1;
		return ret;
	}
	evl_io_set_fd_own(r->tap_io, true); /* tap_fd stays valid for writing until stop */
	evl_source_set_description(r->tap_io, "bridge-tap");
	return 0;
}

void router_datapath_stop(struct router *r)
{
	if (r->tap_io)
		r->tap_io = evl_source_free(r->tap_io);
	else if (r->tap_fd >= 0)
		close(r->tap_fd);
	r->tap_fd = -1;
	free(r->tap_buf);
	r->tap_buf = NULL;
}
