// SPDX-License-Identifier: GPL-2.0
/* connection: a mesh TCP connection driven by the event loop: socket I/O around the
 * protocol_stream machine, the features exchange, heartbeats and deadlines.
 */
#include "mesh/connection.h"

#include "lib/evl.h"
#include "lib/log.h"
#include "mesh/protocol_stream.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK 65536

struct mesh_conn {
	struct evl *evl;
	const struct mesh_conn_ops *ops;
	void *userdata;
	void *data;
	struct evl_source *io;
	struct evl_source *heartbeat;
	struct evl_source *deadline;
	struct mesh_proto *proto;
	int fd;
	bool outbound;
	bool connecting;
	bool features_sent;
	bool ready;
	bool closed;
	char remote_addr[MESH_TCP_ADDR_MAX + 1];
	struct mesh_features_info local;
	struct mesh_features_info remote;
	uint64_t conn_uid;
};

static int conn_update_events(struct mesh_conn *c)
{
	size_t n = 0;
	uint32_t ev = EPOLLIN;

	if (c->connecting)
		ev = EPOLLOUT;
	else if (mesh_proto_output(c->proto, &n) && n > 0)
		ev |= EPOLLOUT;
	return evl_io_set_events(c->io, ev);
}

/* Writes what the socket takes now; returns a negative errno on a write error. */
static int conn_flush_pending(struct mesh_conn *c)
{
	for (;;) {
		size_t n = 0;
		const uint8_t *out = mesh_proto_output(c->proto, &n);
		ssize_t w;

		if (!out || n == 0 || c->connecting)
			return 0;
		w = send(c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
		mesh_proto_output_consume(c->proto, (size_t)w);
	}
}

static int conn_flush(struct mesh_conn *c)
{
	int r = conn_flush_pending(c);

	if (r < 0)
		return r;
	return conn_update_events(c);
}

void mesh_conn_close(struct mesh_conn *c, int error, const char *fmt, ...)
{
	char text[MESH_ERROR_MAX + 1];
	va_list ap;

	if (c->closed)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->closed = true;
	conn_flush_pending(c); /* e.g. our features, so the remote sees why */
	shutdown(c->fd, SHUT_RDWR); /* the remote notices now, not when we free */
	evl_source_set_enabled(c->io, false);
	evl_timer_disable(c->heartbeat);
	evl_timer_disable(c->deadline);
	c->ops->closed(c, error, text, c->userdata);
}

static int conn_send_features(struct mesh_conn *c)
{
	struct mesh_features f = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	r = mesh_features_make(&c->local, &f);
	if (r >= 0)
		r = mesh_features_encode(&f, 0, &data, &len);
	if (r >= 0)
		r = mesh_proto_send_features(c->proto, data, len);
	free(data);
	mesh_features_done(&f);
	if (r >= 0)
		c->features_sent = true;
	return r;
}

static int conn_handle_features(struct mesh_conn *c, const struct mesh_proto_event *ev)
{
	struct mesh_features f = { 0 };
	struct mesh_error err = { { 0 } };
	int r;

	r = mesh_features_decode(ev->data, ev->len, &f, &err);
	if (r >= 0)
		r = mesh_features_parse(&f, &c->remote, &err);
	mesh_features_done(&f);
	if (r < 0)
		goto fail;
	c->conn_uid = mesh_conn_uid(c->local.conn_id, c->remote.conn_id);
	r = c->ops->ready(c, &c->remote, &err, c->userdata);
	if (r < 0)
		goto fail;
	c->ready = true;
	evl_timer_set_relative(c->deadline, MESH_CONN_READ_DEADLINE_MS);
	evl_timer_set_relative(c->heartbeat, MESH_CONN_HEARTBEAT_MS);
	return 0;
fail:
	mesh_conn_close(c, r, "%s", err.text[0] ? err.text : "malformed features");
	return r;
}

static int conn_handle_event(struct mesh_conn *c, const struct mesh_proto_event *ev)
{
	struct mesh_error err = { { 0 } };
	int r;

	switch (ev->type) {
	case MESH_PROTO_EV_HEADER:
		return 0;
	case MESH_PROTO_EV_INTRO:
		return conn_send_features(c);
	case MESH_PROTO_EV_FEATURES:
		return conn_handle_features(c, ev);
	case MESH_PROTO_EV_MESSAGE:
		if (!c->ready)
			return 0;
		r = c->ops->message(c, ev->tag, ev->data, ev->len, &err, c->userdata);
		if (r < 0 && !c->closed)
			mesh_conn_close(c, r, "%s", err.text[0] ? err.text : strerror(-r));
		return r;
	}
	return 0;
}

static int conn_feed(struct mesh_conn *c, const uint8_t *buf, size_t n)
{
	while (n > 0 && !c->closed) {
		struct mesh_proto_event ev;
		size_t used = 0;
		int r = mesh_proto_read(c->proto, buf, n, &used, &ev);

		if (r < 0) {
			mesh_conn_close(c, r, "%s", mesh_proto_error(c->proto));
			return r;
		}
		buf += used;
		n -= used;
		if (r == 0)
			break;
		r = conn_handle_event(c, &ev);
		if (r < 0) {
			if (!c->closed)
				mesh_conn_close(c, r, "%s", strerror(-r));
			return r;
		}
	}
	return 0;
}

static int conn_read(struct mesh_conn *c)
{
	uint8_t buf[READ_CHUNK];

	for (int i = 0; i < 16 && !c->closed; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			char reason[128];

			snprintf(reason, sizeof(reason), "%s", strerror(errno));
			reason[0] = (char)tolower((unsigned char)reason[0]);
			mesh_conn_close(c, -errno, "read tcp %s: read: %s", c->remote_addr, reason);
			return 0;
		}
		if (n == 0) {
			int r = mesh_proto_eof(c->proto);

			mesh_conn_close(c, r < 0 ? r : -ECONNRESET, "%s",
					r < 0 ? mesh_proto_error(c->proto) : "EOF");
			return 0;
		}
		if (c->ready)
			evl_timer_set_relative(c->deadline, MESH_CONN_READ_DEADLINE_MS);
		if (conn_feed(c, buf, (size_t)n) < 0)
			return 0;
	}
	return 0;
}

static int conn_connected(struct mesh_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		char text[MESH_ERROR_MAX + 1];

		mesh_conn_dial_error(text, sizeof(text), c->remote_addr, err);
		mesh_conn_close(c, -err, "%s", text);
		return 0;
	}
	c->connecting = false;
	return 0;
}

static int conn_io(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	struct mesh_conn *c = userdata;
	int r;

	(void)s;
	(void)fd;
	if (c->closed)
		return 0;
	if (c->connecting) {
		conn_connected(c);
		if (c->closed)
			return 0;
	}
	if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(c);
	if (c->closed)
		return 0;
	r = conn_flush(c);
	if (r < 0)
		mesh_conn_close(c, r, "write tcp %s: %s", c->remote_addr, strerror(-r));
	return 0;
}

static int conn_heartbeat(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct mesh_conn *c = userdata;

	if (c->closed)
		return 0;
	evl_timer_set(s, when_ms + MESH_CONN_HEARTBEAT_MS);
	return mesh_conn_send(c, MESH_TAG_HEARTBEAT, NULL, 0);
}

static int conn_deadline(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct mesh_conn *c = userdata;

	(void)s;
	(void)when_ms;
	if (c->ready)
		mesh_conn_close(c, -ETIMEDOUT, "read tcp %s: i/o timeout", c->remote_addr);
	else
		mesh_conn_close(c, -ETIMEDOUT, "handshake with %s timed out", c->remote_addr);
	return 0;
}

static int conn_setup_sources(struct mesh_conn *c)
{
	int r;

	r = evl_add_io(c->evl, c->fd, c->outbound ? EPOLLOUT : EPOLLIN, conn_io, c, &c->io);
	if (r < 0)
		return r;
	evl_io_set_fd_own(c->io, true);
	evl_source_set_description(c->io, "mesh-connection");
	r = evl_add_timer(c->evl, EVL_TIME_INFINITY, conn_heartbeat, c, &c->heartbeat);
	if (r < 0)
		return r;
	return evl_add_timer_relative(c->evl, MESH_CONN_HANDSHAKE_MS, conn_deadline, c,
				      &c->deadline);
}

int mesh_conn_new(struct evl *evl, const struct mesh_conn_config *cfg,
		  const struct mesh_conn_ops *ops, void *userdata, struct mesh_conn **ret)
{
	struct mesh_proto_config pc = {
		.outbound = cfg->outbound,
		.password = cfg->password,
		.password_len = cfg->password_len,
		.min_version = MESH_PROTOCOL_V1,
	};
	struct mesh_conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfg->fd);
		return -ENOMEM;
	}
	c->evl = evl;
	c->ops = ops;
	c->userdata = userdata;
	c->fd = cfg->fd;
	c->outbound = cfg->outbound;
	c->connecting = cfg->outbound;
	c->local = cfg->local;
	randombytes_buf(&c->local.conn_id, sizeof(c->local.conn_id));
	snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", cfg->remote_addr);
	r = conn_setup_sources(c);
	if (r < 0) {
		if (!c->io)
			close(c->fd);
		goto fail;
	}
	r = mesh_proto_new(&pc, &c->proto);
	if (r < 0)
		goto fail;
	if (!c->connecting)
		conn_update_events(c);
	*ret = c;
	return 0;
fail:
	mesh_conn_free(c);
	return r;
}

struct mesh_conn *mesh_conn_free(struct mesh_conn *c)
{
	if (!c)
		return NULL;
	evl_source_free(c->io);
	evl_source_free(c->heartbeat);
	evl_source_free(c->deadline);
	mesh_proto_free(c->proto);
	free(c);
	return NULL;
}

int mesh_conn_send(struct mesh_conn *c, uint8_t tag, const void *payload, size_t len)
{
	int r;

	if (c->closed)
		return -ESHUTDOWN;
	r = mesh_proto_send(c->proto, tag, payload, len);
	if (r < 0) {
		mesh_conn_close(c, r, "failed to send to %s: %s", c->remote_addr, strerror(-r));
		return r;
	}
	return conn_update_events(c);
}

bool mesh_conn_outbound(const struct mesh_conn *c)
{
	return c->outbound;
}

bool mesh_conn_is_ready(const struct mesh_conn *c)
{
	return c->ready && !c->closed;
}

bool mesh_conn_is_closed(const struct mesh_conn *c)
{
	return c->closed;
}

const char *mesh_conn_remote_addr(const struct mesh_conn *c)
{
	return c->remote_addr;
}

const struct mesh_features_info *mesh_conn_remote(const struct mesh_conn *c)
{
	return &c->remote;
}

uint64_t mesh_conn_get_uid(const struct mesh_conn *c)
{
	return c->conn_uid;
}

int mesh_conn_session_key(const struct mesh_conn *c, uint8_t ret_key[MESH_SESSION_KEY_LEN])
{
	return mesh_proto_session_key(c->proto, ret_key);
}

void *mesh_conn_get_data(const struct mesh_conn *c)
{
	return c->data;
}

void mesh_conn_set_data(struct mesh_conn *c, void *data)
{
	c->data = data;
}

void mesh_conn_dial_error(char *buf, size_t size, const char *addr, int error)
{
	char reason[128];

	snprintf(reason, sizeof(reason), "%s", strerror(abs(error)));
	reason[0] = (char)tolower((unsigned char)reason[0]);
	snprintf(buf, size, "dial tcp4 %s: connect: %s", addr, reason);
}
