// SPDX-License-Identifier: GPL-2.0
/* The socket-free half of the HTTP API: urlencoded forms, routing (gorilla/mux's 404/405) and
 * the handlers of /status*, /report, /connect and /forget, producing Go-compatible responses.
 */
#include "api/api_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TEXT_PLAIN "text/plain; charset=utf-8"

/* --- forms -------------------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int api_unescape(const char *s, size_t len, bool plus, char **ret)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
				free(out);
				return -EINVAL;
			}
			*o++ = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	*ret = out;
	return 0;
}

static int form_add(struct api_form *form, char *key, char *value)
{
	char **keys, **values;

	if (form->n >= API_FORM_VALUES_MAX)
		return -E2BIG;
	keys = realloc(form->keys, (form->n + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	form->keys = keys;
	values = realloc(form->values, (form->n + 1) * sizeof(*values));
	if (!values)
		return -ENOMEM;
	form->values = values;
	form->keys[form->n] = key;
	form->values[form->n] = value;
	form->n++;
	return 0;
}

/* One key[=value] pair of s[0..len). */
static int form_pair(struct api_form *form, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t klen = eq ? (size_t)(eq - s) : len;
	char *key = NULL, *value = NULL;
	int r;

	if (memchr(s, ';', len))
		return -EINVAL;
	r = api_unescape(s, klen, true, &key);
	if (r < 0)
		return r;
	r = eq ? api_unescape(eq + 1, len - klen - 1, true, &value) :
		 api_unescape("", 0, true, &value);
	if (r >= 0)
		r = form_add(form, key, value);
	if (r < 0) {
		free(key);
		free(value);
	}
	return r;
}

int api_form_parse(struct api_form *form, const char *s, size_t len)
{
	const char *end = s + len;
	int r, first_error = 0;

	/* like Go's parseQuery, bad pairs are skipped and the first error is returned */
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		size_t n = amp ? (size_t)(amp - s) : (size_t)(end - s);

		if (n) {
			r = form_pair(form, s, n);
			if (r == -ENOMEM || r == -E2BIG)
				return r;
			if (r < 0 && !first_error)
				first_error = r;
		}
		s += n + (amp ? 1 : 0);
	}
	return first_error;
}

void api_form_done(struct api_form *form)
{
	for (size_t i = 0; i < form->n; i++) {
		free(form->keys[i]);
		free(form->values[i]);
	}
	free(form->keys);
	free(form->values);
	*form = (struct api_form){ 0 };
}

const char *api_form_get(const struct api_form *form, const char *key)
{
	for (size_t i = 0; i < form->n; i++)
		if (!strcmp(form->keys[i], key))
			return form->values[i];
	return NULL;
}

/* The values of key, borrowed from form, in a malloc'ed array (NULL when there are none). */
static int form_all(const struct api_form *form, const char *key, char ***ret, size_t *ret_n)
{
	char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < form->n; i++) {
		char **nv;

		if (strcmp(form->keys[i], key))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = form->values[i];
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* --- responses ---------------------------------------------------------------------------- */

void api_response_done(struct api_response *resp)
{
	free(resp->body);
	*resp = (struct api_response){ 0 };
}

static int respond(struct api_response *resp, unsigned int status, const char *ctype, char *body)
{
	resp->status = status;
	resp->content_type = ctype;
	resp->body = body;
	resp->body_len = body ? strlen(body) : 0;
	return 0;
}

/* Go's http.Error: the message and a newline, as text/plain. */
static int respond_error(struct api_response *resp, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int respond_error(struct api_response *resp, unsigned int status, const char *fmt, ...)
{
	char *msg = NULL, *body = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = asprintf(&body, "%s\n", msg);
	free(msg);
	if (r < 0)
		return -ENOMEM;
	return respond(resp, status, TEXT_PLAIN, body);
}

/* --- handlers ----------------------------------------------------------------------------- */

struct call {
	const struct api_handler *h;
	const struct api_request *req;
	const char *query; /* raw, without '?'; NULL when there is none */
	struct api_response *resp;
};

typedef int (*render_fn)(const struct api_status *st, char **ret);

static int with_status(struct call *c, int (*fn)(struct call *c, const struct api_status *st))
{
	struct api_status st = { 0 };
	int r;

	r = c->h->ops->status(c->h->backend, &st);
	if (r < 0)
		return respond_error(c->resp, 500, "cannot get the router's status: %s",
				     strerror(-r));
	r = fn(c, &st);
	if (c->h->ops->status_free)
		c->h->ops->status_free(c->h->backend, &st);
	return r;
}

static int serve_text(struct call *c, const struct api_status *st, render_fn fn)
{
	char *text = NULL;
	int r = fn(st, &text);

	if (r < 0)
		return r;
	return respond(c->resp, st->ready ? 200 : 503, TEXT_PLAIN, text);
}

static int do_status(struct call *c, const struct api_status *st)
{
	return serve_text(c, st, api_render_status);
}

static int do_targets(struct call *c, const struct api_status *st)
{
	return serve_text(c, st, api_render_targets);
}

static int do_connections(struct call *c, const struct api_status *st)
{
	return serve_text(c, st, api_render_connections);
}

static int do_peers(struct call *c, const struct api_status *st)
{
	return serve_text(c, st, api_render_peers);
}

static int report_template(struct call *c, const json_t *doc, const char *format)
{
	char *out = NULL, *err = NULL;
	int r = api_template_run(format, doc, &out, &err);

	if (r == -EINVAL || r == -ENOEXEC) {
		r = respond_error(c->resp, r == -EINVAL ? 400 : 500, "%s", err);
		free(err);
		return r;
	}
	if (r < 0)
		return r;
	return respond(c->resp, 200, TEXT_PLAIN, out);
}

static int report_format(struct call *c, const struct api_status *st)
{
	struct api_form form = { 0 };
	char **formats = NULL;
	size_t n = 0;
	json_t *doc;
	int r;

	/* like Go's URL.Query(), pairs that do not parse are dropped */
	if (c->query && api_form_parse(&form, c->query, strlen(c->query)) == -ENOMEM)
		r = -ENOMEM;
	else
		r = form_all(&form, "format", &formats, &n);
	if (r >= 0 && n != 1)
		r = respond_error(c->resp, 400, "error: must supply one format parameter");
	else if (r >= 0) {
		doc = api_report_document(st);
		r = doc ? report_template(c, doc, formats[0]) : -ENOMEM;
		json_decref(doc);
	}
	free(formats);
	api_form_done(&form);
	return r;
}

static int do_report(struct call *c, const struct api_status *st)
{
	char *json = NULL;
	int r;

	if (!c->req->accept || strcmp(c->req->accept, "application/json"))
		return report_format(c, st);
	r = api_render_report_json(st, &json);
	if (r < 0)
		return r;
	return respond(c->resp, 200, "application/json", json);
}

static bool media_type_is(const char *ctype, const char *want, bool *ret_valid)
{
	size_t len = strcspn(ctype, ";");

	while (len && (ctype[len - 1] == ' ' || ctype[len - 1] == '\t'))
		len--;
	while (len && (*ctype == ' ' || *ctype == '\t'))
		ctype++, len--;
	*ret_valid = len && memchr(ctype, '/', len);
	return len == strlen(want) && !strncasecmp(ctype, want, len);
}

/* Go's Request.ParseForm: a urlencoded body's values, then the query's. */
static int parse_form(struct call *c, struct api_form *form)
{
	bool valid = true;
	int r = 0;

	if (c->req->content_type &&
	    media_type_is(c->req->content_type, "application/x-www-form-urlencoded", &valid))
		r = api_form_parse(form, c->req->body ? c->req->body : "", c->req->body_len);
	if (r < 0)
		return r;
	if (!valid)
		return -EBADMSG;
	return c->query ? api_form_parse(form, c->query, strlen(c->query)) : 0;
}

static const char *form_error(int r)
{
	switch (r) {
	case -EBADMSG:
		return "mime: no media type";
	case -E2BIG:
		return "too many form values";
	default:
		return "invalid URL escape or semicolon in form";
	}
}

static int do_peer_action(struct call *c, bool connect)
{
	struct api_form form = { 0 };
	char err[4096] = "", **peers = NULL;
	size_t n = 0;
	int r;

	if ((connect && !c->h->ops->connect) || (!connect && !c->h->ops->forget))
		return respond_error(c->resp, 501, "not implemented");
	r = parse_form(c, &form);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		r = respond_error(c->resp, 400, "unable to parse form: %s", form_error(r));
		goto out;
	}
	r = form_all(&form, "peer", &peers, &n);
	if (r < 0)
		goto out;
	if (connect) {
		const char *replace = api_form_get(&form, "replace");

		r = c->h->ops->connect(c->h->backend, peers, n, replace && !strcmp(replace, "true"),
				       err, sizeof(err));
	} else {
		r = c->h->ops->forget(c->h->backend, peers, n);
	}
	if (r == -EINVAL)
		r = respond_error(c->resp, 400, "%s", err[0] ? err : "invalid peer");
	else if (r < 0)
		r = respond_error(c->resp, 500, "%s", strerror(-r));
	else
		r = respond(c->resp, 200, NULL, NULL);
out:
	free(peers);
	api_form_done(&form);
	return r;
}

static int do_connect(struct call *c)
{
	return do_peer_action(c, true);
}

static int do_forget(struct call *c)
{
	return do_peer_action(c, false);
}

/* --- routing ------------------------------------------------------------------------------ */

struct route {
	const char *method, *path;
	bool read_only; /* also served on the status address */
	int (*status_fn)(struct call *c, const struct api_status *st);
	int (*fn)(struct call *c);
};

/* /status/ipam and /status/dns are absent: Weave answers 404 while those services are off. */
static const struct route routes[] = {
	{ "GET", "/status", true, do_status, NULL },
	{ "GET", "/status/targets", true, do_targets, NULL },
	{ "GET", "/status/connections", true, do_connections, NULL },
	{ "GET", "/status/peers", true, do_peers, NULL },
	{ "GET", "/report", true, do_report, NULL },
	{ "POST", "/connect", false, NULL, do_connect },
	{ "POST", "/forget", false, NULL, do_forget },
};

static int dispatch(struct call *c, const char *path)
{
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];

		if (strcmp(rt->path, path) || (c->h->read_only && !rt->read_only))
			continue;
		path_known = true;
		if (strcmp(rt->method, c->req->method))
			continue;
		return rt->status_fn ? with_status(c, rt->status_fn) : rt->fn(c);
	}
	if (path_known) /* gorilla/mux: a bare 405 */
		return respond(c->resp, 405, NULL, NULL);
	return respond_error(c->resp, 404, "404 page not found");
}

int api_handle(const struct api_handler *h, const struct api_request *req,
	       struct api_response *resp)
{
	const char *target = req->target ? req->target : "";
	const char *q = strchr(target, '?');
	struct call c = { .h = h, .req = req, .query = q ? q + 1 : NULL, .resp = resp };
	char *path = NULL;
	int r;

	*resp = (struct api_response){ 0 };
	if (target[0] != '/' || !req->method)
		return respond_error(resp, 400, "400 Bad Request");
	r = api_unescape(target, q ? (size_t)(q - target) : strlen(target), false, &path);
	if (r == -EINVAL)
		return respond_error(resp, 400, "400 Bad Request");
	if (r < 0)
		return r;
	r = dispatch(&c, path);
	free(path);
	if (r < 0)
		api_response_done(resp);
	return r;
}
