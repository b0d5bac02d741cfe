/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of api/ shared by its files, the unit suite and the fuzzer: the socket-free request
 * layer (routing, forms, responses), the /report document and the template mini-language.
 */
#ifndef WEAVE_API_API_INTERNAL_H
#define WEAVE_API_API_INTERNAL_H

#include "api/api.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	API_BODY_MAX = 64 * 1024, /* request bodies; more is 413 */
	API_FORM_VALUES_MAX = 1024, /* key=value pairs in one form */
};

/* A decoded application/x-www-form-urlencoded form (query and body merged, query first). */
struct api_form {
	char **keys, **values;
	size_t n;
};

/* Parses s[0..len) into form (appending); -EINVAL for a bad %-escape or a ';' (Go's ParseQuery
 * rejects both), -E2BIG past API_FORM_VALUES_MAX, -ENOMEM.
 */
int api_form_parse(struct api_form *form, const char *s, size_t len);
void api_form_done(struct api_form *form);
/* The first value of key, or NULL. */
const char *api_form_get(const struct api_form *form, const char *key);
/* Decodes %XX (and '+' as ' ' when plus) from s[0..len) into a malloc'ed string. */
int api_unescape(const char *s, size_t len, bool plus, char **ret);

/* One HTTP request, as the server hands it over (strings are NUL-terminated; absent headers
 * NULL).
 */
struct api_request {
	const char *method;
	const char *target; /* the raw request-target: path[?query] */
	const char *accept;
	const char *content_type;
	const char *body;
	size_t body_len;
};

struct api_response {
	unsigned int status;
	const char *content_type; /* static; NULL: no Content-Type */
	char *body; /* malloc'ed, may be NULL when body_len is 0 */
	size_t body_len;
};

struct api_handler {
	const struct api_backend_ops *ops;
	void *backend;
	bool read_only;
};

/* Routes and serves req into *resp (which the caller frees with api_response_done); every
 * outcome, errors included, is a response. Returns 0, or -ENOMEM.
 */
int api_handle(const struct api_handler *h, const struct api_request *req,
	       struct api_response *resp);
void api_response_done(struct api_response *resp);

/* The /report document (WeaveStatus with the parts we have), keys in Go's struct order. UIDs
 * are stored as json_integer of the uint64 bit pattern: api_json_dump prints them unsigned.
 */
json_t *api_report_document(const struct api_status *st);
/* Go's json.Marshal (indent 0) or json.MarshalIndent(v, "", "    ") of v, HTML-escaped as Go
 * does, with no trailing newline.
 */
int api_json_dump(const json_t *v, unsigned int indent, char **ret);

/* Runs a Go text/template subset (see README.md) against doc. On a template error returns
 * -EINVAL with a malloc'ed message in *ret_err (400); -ENOEXEC with a message when execution
 * fails (500); -ENOMEM.
 */
int api_template_run(const char *tmpl, const json_t *doc, char **ret, char **ret_err);

#endif /* WEAVE_API_API_INTERNAL_H */
