// SPDX-License-Identifier: GPL-2.0
/* http_client: one HTTP/1.1 request per connection ("Connection: close"), over TCP or a
 * unix socket, with a connect timeout; the response is read to EOF and then parsed
 * (Content-Length or chunked transfer coding).
 */
#include "cli/http_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t n)
{
	char *p;
	size_t cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/* Connects the non-blocking socket fd, waiting at most timeout_ms. */
static int connect_fd(int fd, const struct sockaddr *sa, socklen_t salen, int timeout_ms)
{
	socklen_t len = sizeof(int);
	int r, err = 0;

	if (!connect(fd, sa, salen))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	r = wait_fd(fd, POLLOUT, timeout_ms);
	if (r < 0)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

static int connect_unix(const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -EINVAL;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	r = connect_fd(fd, (struct sockaddr *)&sun, sizeof(sun), timeout_ms);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Splits "host:port" or "[v6]:port" into host and port (in a copy of addr). */
static int split_host_port(const char *addr, char *host, size_t hostlen, const char **ret_port)
{
	const char *colon = strrchr(addr, ':');
	const char *h = addr;
	size_t n;

	if (!colon || !colon[1])
		return -EINVAL;
	n = (size_t)(colon - addr);
	if (*h == '[' && n >= 2 && addr[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (!n || n >= hostlen)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*ret_port = colon + 1;
	return 0;
}

static int connect_tcp(const char *addr, int timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	const char *port;
	char host[256];
	int fd = -EINVAL, r;

	r = split_host_port(addr, host, sizeof(host), &port);
	if (r < 0)
		return r;
	if (getaddrinfo(host, port, &hints, &res))
		return -EINVAL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		r = connect_fd(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (!r)
			break;
		close(fd);
		fd = r;
	}
	freeaddrinfo(res);
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;
	int r;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EAGAIN) {
			r = wait_fd(fd, POLLOUT, HTTP_IO_TIMEOUT_MS);
			if (r < 0)
				return r;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, struct buf *b)
{
	char chunk[8192];
	ssize_t n;
	int r;

	for (;;) {
		r = wait_fd(fd, POLLIN, HTTP_IO_TIMEOUT_MS);
		if (r < 0)
			return r;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		if (b->len + (size_t)n > HTTP_MAX_RESPONSE)
			return -EFBIG;
		r = buf_add(b, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

static int send_request(int fd, const char *addr, const struct http_request *req)
{
	size_t blen = req->body ? strlen(req->body) : 0;
	struct buf b = { 0 };
	char *head;
	int n, r;

	n = asprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: weave/%s\r\n%s%s%s",
		     req->method, req->path, *addr == '/' ? "localhost" : addr, WEAVE_VERSION,
		     req->accept ? "Accept: " : "", req->accept ? req->accept : "",
		     req->accept ? "\r\n" : "");
	if (n < 0)
		return -ENOMEM;
	r = buf_add(&b, head, (size_t)n);
	free(head);
	if (!r && req->body && req->content_type) {
		n = asprintf(&head, "Content-Type: %s\r\n", req->content_type);
		r = n < 0 ? -ENOMEM : buf_add(&b, head, (size_t)n);
		if (n >= 0)
			free(head);
	}
	if (!r && (req->body || strcmp(req->method, "GET"))) {
		n = asprintf(&head, "Content-Length: %zu\r\n", blen);
		r = n < 0 ? -ENOMEM : buf_add(&b, head, (size_t)n);
		if (n >= 0)
			free(head);
	}
	if (!r)
		r = buf_add(&b, "Connection: close\r\n\r\n", 21);
	if (!r && blen)
		r = buf_add(&b, req->body, blen);
	if (!r)
		r = write_all(fd, b.p, b.len);
	free(b.p);
	return r;
}

/* Returns the value of header name in the header block [p, end), or NULL. */
static const char *find_header(const char *p, const char *end, const char *name, size_t *ret_len)
{
	size_t nlen = strlen(name);
	const char *eol, *v;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			v = p + nlen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*ret_len = (size_t)(eol - v);
			while (*ret_len && (v[*ret_len - 1] == '\r' || v[*ret_len - 1] == ' '))
				(*ret_len)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

static int dechunk(const char *p, const char *end, struct buf *out)
{
	unsigned long n;
	char *e;
	int r;

	for (;;) {
		n = strtoul(p, &e, 16);
		if (e == p || e >= end)
			return -EPROTO;
		p = memchr(e, '\n', (size_t)(end - e));
		if (!p)
			return -EPROTO;
		p++;
		if (!n)
			return 0;
		if (n > (size_t)(end - p))
			return -EPROTO;
		r = buf_add(out, p, n);
		if (r < 0)
			return r;
		p += n;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
}

static int parse_response(const struct buf *in, struct http_response *ret)
{
	const char *hdr, *body, *end = in->p + in->len, *v;
	struct buf out = { 0 };
	size_t vlen, blen;
	int status, r = 0;

	if (!in->p || sscanf(in->p, "HTTP/1.%*[01] %3d", &status) != 1 || status < 100)
		return -EPROTO;
	hdr = strstr(in->p, "\r\n");
	body = strstr(in->p, "\r\n\r\n");
	if (!hdr || !body)
		return -EPROTO;
	body += 4;
	blen = (size_t)(end - body);
	v = find_header(hdr + 2, body, "Transfer-Encoding", &vlen);
	if (v && vlen == 7 && !strncasecmp(v, "chunked", 7)) {
		r = dechunk(body, end, &out);
	} else {
		v = find_header(hdr + 2, body, "Content-Length", &vlen);
		if (v && strtoul(v, NULL, 10) < blen)
			blen = strtoul(v, NULL, 10);
		r = buf_add(&out, body, blen);
	}
	if (!r && !out.p)
		r = buf_add(&out, "", 0);
	if (r < 0) {
		free(out.p);
		return r;
	}
	ret->status = status;
	ret->body = out.p;
	ret->len = out.len;
	return 0;
}

int http_do(const char *addr, const struct http_request *req, struct http_response *ret)
{
	int timeout = req->timeout_ms ? req->timeout_ms : HTTP_CONNECT_TIMEOUT_MS;
	struct buf in = { 0 };
	int fd, r;

	fd = *addr == '/' ? connect_unix(addr, timeout) : connect_tcp(addr, timeout);
	if (fd < 0)
		return fd;
	r = send_request(fd, addr, req);
	if (!r)
		r = read_all(fd, &in);
	close(fd);
	if (!r)
		r = parse_response(&in, ret);
	free(in.p);
	return r;
}

void http_response_done(struct http_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

static int form_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3];
	int r = 0;

	for (; *s && !r; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c)) {
			r = buf_add(b, s, 1);
		} else if (c == ' ') {
			r = buf_add(b, "+", 1);
		} else {
			enc[0] = '%';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			r = buf_add(b, enc, 3);
		}
	}
	return r;
}

int http_form_add(char **buf, const char *key, const char *value)
{
	struct buf b = { .p = *buf, .len = *buf ? strlen(*buf) : 0 };
	int r = 0;

	b.cap = b.p ? b.len + 1 : 0;
	if (b.len)
		r = buf_add(&b, "&", 1);
	if (!r)
		r = form_escape(&b, key);
	if (!r)
		r = buf_add(&b, "=", 1);
	if (!r)
		r = form_escape(&b, value);
	*buf = b.p;
	return r;
}
