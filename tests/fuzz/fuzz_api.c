// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the socket-free HTTP API layer: whole requests through api_handle (routing,
 * forms, /report templates) against a fake backend, and the form and template parsers alone.
 */
#include "api/api.h"
#include "api/api_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Input: one mode byte, then fields separated by '\n'. Mode 'R' (request): method, target,
 * Accept, Content-Type, body (the rest). Mode 'T': a template. Mode 'F': a form.
 */

static struct api_peer_conn conns_a[] = { { "aa:00:00:00:00:02", "b<&>", "10.0.0.2:1", true,
					    false } };
static struct api_peer peers[] = {
	{ "aa:00:00:00:00:01", "a", UINT64_MAX, 1, 2, conns_a, 1 },
	{ "aa:00:00:00:00:02", "b\xff", 1, 2, 3, NULL, 0 },
};
static char via[][18] = { "aa:00:00:00:00:02" };
static struct api_broadcast_route broadcast[] = { { "aa:00:00:00:00:01", via, 1 } };
static struct api_conn lconns[] = {
	{ .address = "10.0.0.2:1", .state = "pending", .info = "x", .has_mtu = true, .mtu = 1 },
	{ .address = "10.0.0.3:6783", .outbound = true, .state = "failed", .info = "e" },
};
static char target[] = "10.0.0.3", subnet[] = "10.0.0.0/8";
static char *targets[] = { target }, *subnets[] = { subnet };
static struct api_mac macs[] = { { "aa:00:00:00:00:09", "aa:00:00:00:00:01", "a", 1 } };

static int fake_status(void *backend, struct api_status *ret)
{
	(void)backend;
	*ret = (struct api_status){
		.ready = true,
		.version = "2.8.1",
		.router = { .protocol = "weave",
			    .protocol_min_version = 1,
			    .protocol_max_version = 2,
			    .name = "aa:00:00:00:00:01",
			    .nickname = "a",
			    .peers = peers,
			    .n_peers = 2,
			    .broadcast_routes = broadcast,
			    .n_broadcast_routes = 1,
			    .conns = lconns,
			    .n_conns = 2,
			    .targets = targets,
			    .n_targets = 1,
			    .trusted_subnets = subnets,
			    .n_trusted_subnets = 1,
			    .datapath = "fastdp",
			    .macs = macs,
			    .n_macs = 1 },
	};
	return 0;
}

static int fake_connect(void *backend, char **p, size_t n, bool replace, char *err, size_t errlen)
{
	(void)backend;
	(void)replace;
	for (size_t i = 0; i < n; i++)
		if (!p[i][0]) {
			snprintf(err, errlen, "empty peer");
			return -EINVAL;
		}
	return 0;
}

static int fake_forget(void *backend, char **p, size_t n)
{
	(void)backend;
	(void)p;
	(void)n;
	return 0;
}

static const struct api_backend_ops ops = {
	.status = fake_status,
	.connect = fake_connect,
	.forget = fake_forget,
};

/* The next '\n'-terminated field of [*p, end) as a new string (the rest when last). */
static char *field(const char **p, const char *end, bool last)
{
	const char *nl = last ? NULL : memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = strndup(*p, n);

	*p += n + (nl ? 1 : 0);
	return s;
}

static void fuzz_request(const char *p, const char *end, bool read_only)
{
	char *method = field(&p, end, false), *tgt = field(&p, end, false);
	char *accept = field(&p, end, false), *ctype = field(&p, end, false);
	char *body = field(&p, end, true);
	struct api_handler h = { &ops, NULL, read_only };
	struct api_request req = { .method = method,
				   .target = tgt,
				   .accept = accept && *accept ? accept : NULL,
				   .content_type = ctype && *ctype ? ctype : NULL,
				   .body = body,
				   .body_len = body ? strlen(body) : 0 };
	struct api_response resp;

	if (method && tgt && accept && ctype && body && api_handle(&h, &req, &resp) == 0) {
		if (resp.status < 200 || resp.status > 599 || (resp.body_len && !resp.body))
			abort();
		api_response_done(&resp);
	}
	free(method);
	free(tgt);
	free(accept);
	free(ctype);
	free(body);
}

static void fuzz_template(const char *p, const char *end)
{
	struct api_status st;
	char *tmpl = strndup(p, (size_t)(end - p)), *out = NULL, *err = NULL;
	json_t *doc;
	int r;

	fake_status(NULL, &st);
	doc = api_report_document(&st);
	if (tmpl && doc) {
		r = api_template_run(tmpl, doc, &out, &err);
		if ((r == 0) != (err == NULL) || (r == 0 && !out))
			abort();
		free(out);
		free(err);
	}
	json_decref(doc);
	free(tmpl);
}

static void fuzz_form(const char *p, const char *end)
{
	struct api_form f = { 0 };

	if (api_form_parse(&f, p, (size_t)(end - p)) == 0)
		for (size_t i = 0; i < f.n; i++)
			if (!f.keys[i] || !f.values[i])
				abort();
	api_form_done(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;

	if (size < 1 || size > 65536)
		return 0;
	switch (data[0]) {
	case 'R':
	case 'r':
		fuzz_request(p, end, data[0] == 'r');
		break;
	case 'T':
		fuzz_template(p, end);
		break;
	case 'F':
		fuzz_form(p, end);
		break;
	default:
		break;
	}
	return 0;
}
