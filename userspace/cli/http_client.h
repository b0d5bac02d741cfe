/* SPDX-License-Identifier: GPL-2.0 */
/* http_client: a small blocking HTTP/1.1 client for the weave CLI, enough to talk to
 * weaver's API on 127.0.0.1 or a unix socket (one request per connection).
 */
#ifndef WEAVE_CLI_HTTP_CLIENT_H
#define WEAVE_CLI_HTTP_CLIENT_H

#include <stddef.h>

enum {
	HTTP_CONNECT_TIMEOUT_MS = 3000, /* as the weave script's curl --connect-timeout 3 */
	HTTP_IO_TIMEOUT_MS = 30000,
	HTTP_MAX_RESPONSE = 16 << 20,
};

struct http_request {
	const char *method; /* "GET", "POST", "DELETE", "PUT" */
	const char *path; /* "/status", with any query string already encoded */
	const char *accept; /* NULL: no Accept header */
	const char *content_type; /* for body; NULL: none */
	const char *body; /* NULL: no body */
	int timeout_ms; /* connect timeout; 0: HTTP_CONNECT_TIMEOUT_MS */
};

struct http_response {
	int status;
	char *body; /* NUL-terminated, malloc'ed */
	size_t len;
};

/* Sends req to addr ("host:port", "[v6]:port", or a unix socket path starting with '/')
 * and reads the whole response. Returns 0 with *ret filled (free with http_response_done),
 * or a negative errno: -ECONNREFUSED/-ENOENT/-ETIMEDOUT when nothing answers, -EINVAL for
 * a bad address, -EPROTO for a malformed response.
 */
int http_do(const char *addr, const struct http_request *req, struct http_response *ret);
void http_response_done(struct http_response *resp);

/* Appends s to the form or query string *buf (malloc'ed, NULL at first) as key=value with
 * application/x-www-form-urlencoded escaping, '&'-separated. Returns 0 or -ENOMEM.
 */
int http_form_add(char **buf, const char *key, const char *value);

#endif /* WEAVE_CLI_HTTP_CLIENT_H */
