// SPDX-License-Identifier: GPL-2.0
/* weaver's HTTP server: libmicrohttpd in external-epoll mode driven by the event loop (its epoll
 * fd as an I/O source, MHD_get_timeout as a timer), feeding requests to api_handle().
 */
#include "api/api_internal.h"
#include "lib/evl.h"
#include "lib/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum {
	CONNECTION_LIMIT = 64,
	CONNECTION_TIMEOUT_S = 10,
	LISTEN_BACKLOG = 64,
	/* An oversized body without a Content-Length is read and dropped up to this much, so the
	 * client gets its 413 instead of a reset; beyond it the 413 goes out at once.
	 */
	DISCARD_MAX = 1024 * 1024,
};

struct api_server {
	struct evl *evl;
	struct MHD_Daemon *mhd;
	struct evl_source *io, *timer;
	struct api_handler handler;
	unsigned int port;
	char *unix_path; /* unlinked when the server is freed */
};

/* Per request, created when MHD has the request line. */
struct request_ctx {
	char *target;
	char *body;
	size_t body_len;
	size_t discarded; /* bytes of an oversized body dropped */
	bool started, too_large;
};

/* --- listening socket --------------------------------------------------------------------- */

static int parse_ipv4(const char *addr, struct sockaddr_in *sin)
{
	const char *colon = strrchr(addr, ':');
	char host[INET_ADDRSTRLEN];
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port > 65535)
		return -EINVAL;
	*sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!host[0])
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

static int listen_fd(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (bind(fd, sa, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0)
		return -errno;
	return 0;
}

static int listen_tcp(struct api_server *srv, const char *addr, int *ret_fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, r, one = 1;

	r = parse_ipv4(addr, &sin);
	if (r < 0)
		return log_error_errno(r, "Invalid HTTP address '%s' (want IPv4 host:port)", addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(errno, "Failed to create a socket for '%s'", addr);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = listen_fd(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (r >= 0 && getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return log_error_errno(r, "Failed to listen on '%s'", addr);
	}
	srv->port = ntohs(sin.sin_port);
	*ret_fd = fd;
	return 0;
}

/* Whether nobody listens on the unix socket any more (connecting is refused). */
static bool socket_is_stale(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool stale;

	if (fd < 0)
		return false;
	stale = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0 &&
		errno == ECONNREFUSED;
	close(fd);
	return stale;
}

static int listen_unix(struct api_server *srv, const char *path, int *ret_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat stbuf;
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return log_error_errno(ENAMETOOLONG, "Invalid HTTP socket path '%s'", path);
	strcpy(sun.sun_path, path);
	if (lstat(path, &stbuf) == 0 && S_ISSOCK(stbuf.st_mode) && socket_is_stale(&sun))
		(void)unlink(path); /* left by a previous run */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(errno, "Failed to create a socket for '%s'", path);
	r = listen_fd(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (r < 0) {
		close(fd);
		return log_error_errno(r, "Failed to listen on '%s'", path);
	}
	/* from here on the path is ours, and unlinked when the server goes */
	srv->unix_path = strdup(path);
	if (!srv->unix_path) {
		close(fd);
		(void)unlink(path);
		return log_oom();
	}
	*ret_fd = fd;
	return 0;
}

/* --- MHD callbacks ------------------------------------------------------------------------ */

/* MHD's messages end in a newline of their own. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	if (!log_level_enabled(LOG_LEVEL_DEBUG))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	log_debug("HTTP: %s", line);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request_ctx *ctx = calloc(1, sizeof(*ctx));

	(void)cls;
	(void)conn;
	if (ctx && !(ctx->target = strdup(uri))) {
		free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	free(ctx->target);
	free(ctx->body);
	free(ctx);
	*con_cls = NULL;
}

static enum MHD_Result queue(struct MHD_Connection *conn, const struct api_response *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (resp->content_type) {
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
		if (resp->status >= 400)
			(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	}
	ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result queue_error(struct MHD_Connection *conn, unsigned int status,
				   const char *text)
{
	struct api_response resp = {
		.status = status,
		.content_type = "text/plain; charset=utf-8",
		.body = (char *)text,
		.body_len = strlen(text),
	};

	return queue(conn, &resp);
}

static bool body_too_large(struct MHD_Connection *conn)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl && strtoull(cl, NULL, 10) > API_BODY_MAX;
}

static int append_body(struct request_ctx *ctx, const char *data, size_t len)
{
	char *b;

	if (ctx->too_large || ctx->body_len + len > API_BODY_MAX) {
		ctx->too_large = true;
		ctx->discarded += len;
		return 0;
	}
	b = realloc(ctx->body, ctx->body_len + len + 1);
	if (!b)
		return -ENOMEM;
	memcpy(b + ctx->body_len, data, len);
	ctx->body_len += len;
	b[ctx->body_len] = '\0';
	ctx->body = b;
	return 0;
}

static enum MHD_Result serve(struct api_server *srv, struct MHD_Connection *conn,
			     struct request_ctx *ctx, const char *method)
{
	struct api_request req = {
		.method = method,
		.target = ctx->target,
		.accept =
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
		.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.body = ctx->body,
		.body_len = ctx->body_len,
	};
	struct api_response resp;
	enum MHD_Result ret;

	if (api_handle(&srv->handler, &req, &resp) < 0)
		return queue_error(conn, 500, "out of memory\n");
	ret = queue(conn, &resp);
	api_response_done(&resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct request_ctx *ctx = *con_cls;

	(void)url;
	(void)version;
	if (!ctx)
		return MHD_NO; /* out of memory in on_uri: drop the connection */
	if (!ctx->started) {
		ctx->started = true;
		if (body_too_large(conn))
			return queue_error(conn, 413, "request body too large\n");
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (append_body(ctx, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		if (ctx->discarded > DISCARD_MAX)
			return queue_error(conn, 413, "request body too large\n");
		return MHD_YES;
	}
	if (ctx->too_large)
		return queue_error(conn, 413, "request body too large\n");
	return serve(cls, conn, ctx, method);
}

/* --- event loop glue ---------------------------------------------------------------------- */

/* Runs MHD and re-arms the timer for its next deadline (none: disabled). */
static int run_mhd(struct api_server *srv)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_run(srv->mhd) != MHD_YES)
		log_debug("MHD_run failed");
	if (MHD_get_timeout(srv->mhd, &ms) != MHD_YES)
		return evl_timer_disable(srv->timer);
	return evl_timer_set(srv->timer, evl_now_ms(srv->evl) + ms);
}

static int on_io(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s;
	(void)fd;
	(void)revents;
	return run_mhd(userdata);
}

static int on_timer(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	(void)s;
	(void)when_ms;
	return run_mhd(userdata);
}

static int start_mhd(struct api_server *srv, int fd)
{
	srv->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request,
				    srv, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				    (unsigned int)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
				    (unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_URI_LOG_CALLBACK,
				    on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv, MHD_OPTION_END);
	if (!srv->mhd) {
		close(fd);
		return -EIO;
	}
	return 0;
}

static int attach(struct api_server *srv)
{
	const union MHD_DaemonInfo *info;
	int r;

	info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return -EIO;
	r = evl_add_io(srv->evl, info->epoll_fd, EPOLLIN, on_io, srv, &srv->io);
	if (r < 0)
		return r;
	(void)evl_source_set_description(srv->io, "http");
	r = evl_add_timer(srv->evl, EVL_TIME_INFINITY, on_timer, srv, &srv->timer);
	if (r < 0)
		return r;
	(void)evl_source_set_description(srv->timer, "http-timer");
	return run_mhd(srv);
}

int api_server_new(struct evl *evl, const char *addr, bool read_only,
		   const struct api_backend_ops *ops, void *backend, struct api_server **ret)
{
	struct api_server *srv;
	int fd = -1, r;

	if (!evl || !addr || !ops || !ops->status || !ret)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return log_oom();
	srv->evl = evl;
	srv->handler =
		(struct api_handler){ .ops = ops, .backend = backend, .read_only = read_only };
	r = addr[0] == '/' ? listen_unix(srv, addr, &fd) : listen_tcp(srv, addr, &fd);
	if (r < 0)
		goto fail;
	r = start_mhd(srv, fd);
	if (r < 0) {
		log_error_errno(r, "Failed to start the HTTP server on '%s'", addr);
		goto fail;
	}
	r = attach(srv);
	if (r < 0) {
		log_error_errno(r, "Failed to attach the HTTP server on '%s' to the event loop",
				addr);
		goto fail;
	}
	log_debug("HTTP API on %s%s", addr, read_only ? " (read-only)" : "");
	*ret = srv;
	return 0;
fail:
	api_server_free(srv);
	return r;
}

struct api_server *api_server_free(struct api_server *srv)
{
	if (!srv)
		return NULL;
	srv->io = evl_source_free(srv->io);
	srv->timer = evl_source_free(srv->timer);
	if (srv->mhd)
		MHD_stop_daemon(srv->mhd); /* closes the listening socket too */
	if (srv->unix_path)
		(void)unlink(srv->unix_path);
	free(srv->unix_path);
	free(srv);
	return NULL;
}

int api_server_get_port(const struct api_server *srv, unsigned int *ret_port)
{
	if (srv->unix_path)
		return -EAFNOSUPPORT;
	*ret_port = srv->port;
	return 0;
}
