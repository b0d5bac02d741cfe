// SPDX-License-Identifier: GPL-2.0
/* The /report document (Weave's WeaveStatus, Go field names and order) and a JSON writer with
 * Go's encoding/json output: MarshalIndent layout, HTML-safe escapes, unsigned 64-bit UIDs.
 */
#include "api/api_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- building the document ---------------------------------------------------------------- */

/* Strings from the network may be invalid UTF-8: the writer replaces bad bytes as Go does. */
static json_t *str(const char *s)
{
	return json_string_nocheck(s ? s : "");
}

static json_t *unum(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* json_object_set_new (which takes v, and fails on a NULL obj or v), remembering failures so
 * that builders check once at the end.
 */
static void set(json_t *obj, const char *key, json_t *v, bool *oom)
{
	if (json_object_set_new(obj, key, v) < 0)
		*oom = true;
}

/* Go's time.Time in RFC 3339 with nanoseconds, trailing zeros of the fraction dropped. */
static json_t *go_time(uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000);
	unsigned int frac = (unsigned int)(ns % 1000000000);
	char buf[64], fbuf[16] = "";
	struct tm tm;

	if (!gmtime_r(&secs, &tm))
		return NULL;
	if (frac) {
		int n = snprintf(fbuf, sizeof(fbuf), ".%09u", frac);

		while (n > 1 && fbuf[n - 1] == '0')
			fbuf[--n] = '\0';
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fbuf);
	return str(buf);
}

static json_t *string_list(char *const *list, size_t n, bool nil_when_empty)
{
	json_t *a;

	if (!n && nil_when_empty)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, str(list[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *peer_conn(const struct api_peer_conn *c)
{
	json_t *o = json_object();
	bool oom = false;

	set(o, "Name", str(c->name), &oom);
	set(o, "NickName", str(c->nickname), &oom);
	set(o, "Address", str(c->address), &oom);
	set(o, "Outbound", json_boolean(c->outbound), &oom);
	set(o, "Established", json_boolean(c->established), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *peer(const struct api_peer *p)
{
	json_t *o = json_object(), *conns = p->n_conns ? json_array() : json_null();
	bool oom = false;

	for (size_t i = 0; conns && i < p->n_conns; i++)
		if (json_array_append_new(conns, peer_conn(&p->conns[i])) < 0)
			oom = true;
	set(o, "Name", str(p->name), &oom);
	set(o, "NickName", str(p->nickname), &oom);
	set(o, "UID", unum(p->uid), &oom);
	set(o, "ShortID", unum(p->short_id), &oom);
	set(o, "Version", unum(p->version), &oom);
	set(o, "Connections", conns, &oom);
	return oom ? (json_decref(o), NULL) : o;
}

/* Go encodes the map[string]interface{} of attrs with sorted keys; nil (no attrs) is null. */
static json_t *conn_attrs(const struct api_conn *c)
{
	json_t *o;
	bool oom = false;

	if (!c->has_encrypted && !c->has_mtu && !c->attr_name[0])
		return json_null();
	o = json_object();
	if (c->has_encrypted)
		set(o, "encrypted", json_boolean(c->encrypted), &oom);
	if (c->has_mtu)
		set(o, "mtu", unum(c->mtu), &oom);
	if (c->attr_name[0])
		set(o, "name", str(c->attr_name), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *local_conn(const struct api_conn *c)
{
	json_t *o = json_object();
	bool oom = false;

	set(o, "Address", str(c->address), &oom);
	set(o, "Outbound", json_boolean(c->outbound), &oom);
	set(o, "State", str(c->state), &oom);
	set(o, "Info", str(c->info), &oom);
	set(o, "Attrs", conn_attrs(c), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *unicast_route(const struct api_unicast_route *u)
{
	json_t *o = json_object();
	bool oom = false;

	set(o, "Dest", str(u->dest), &oom);
	set(o, "Via", str(u->via), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *broadcast_route(const struct api_broadcast_route *b)
{
	json_t *o = json_object(), *via = b->n_via ? json_array() : json_null();
	bool oom = false;

	for (size_t i = 0; via && i < b->n_via; i++)
		if (json_array_append_new(via, str(b->via[i])) < 0)
			oom = true;
	set(o, "Source", str(b->source), &oom);
	set(o, "Via", via, &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *mac(const struct api_mac *m)
{
	json_t *o = json_object();
	bool oom = false;

	set(o, "Mac", str(m->mac), &oom);
	set(o, "Name", str(m->name), &oom);
	set(o, "NickName", str(m->nickname), &oom);
	set(o, "LastSeen", go_time(m->last_seen_ns), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

/* A Go slice of n elements built by fn: null when empty, as Go marshals a nil slice. */
#define SLICE(arr, n, fn)                                                    \
	({                                                                   \
		json_t *_a = (n) ? json_array() : json_null();               \
		for (size_t _i = 0; _a && _i < (n); _i++)                    \
			if (json_array_append_new(_a, fn(&(arr)[_i])) < 0) { \
				json_decref(_a);                             \
				_a = NULL;                                   \
			}                                                    \
		_a;                                                          \
	})

static bool is_fastdp(const struct api_router_status *r)
{
	return r->datapath && !strcmp(r->datapath, "fastdp");
}

/* OverlayDiagnostics: the sleeve overlay reports nothing; fastdp's vports and flows are not
 * exposed by weaver, so they are empty.
 */
static json_t *overlay_diagnostics(const struct api_router_status *r)
{
	json_t *o = json_object();
	bool oom = false;

	if (is_fastdp(r))
		set(o, "fastdp", json_pack("{s:[],s:[]}", "Vports", "Flows"), &oom);
	set(o, "sleeve", json_null(), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

static json_t *capture_stats(const struct api_router_status *r)
{
	json_t *o = json_object();
	bool oom = false;

	if (is_fastdp(r)) {
		set(o, "FlowMisses", unum(r->flow_misses), &oom);
	} else {
		set(o, "PacketsDropped", unum(r->packets_dropped), &oom);
		set(o, "PacketsIfDropped", unum(r->packets_if_dropped), &oom);
		set(o, "PacketsReceived", unum(r->packets_received), &oom);
	}
	return oom ? (json_decref(o), NULL) : o;
}

static void router_identity(json_t *o, const struct api_router_status *r, bool *oom)
{
	set(o, "Protocol", str(r->protocol ? r->protocol : "weave"), oom);
	set(o, "ProtocolMinVersion", unum(r->protocol_min_version), oom);
	set(o, "ProtocolMaxVersion", unum(r->protocol_max_version), oom);
	set(o, "Encryption", json_boolean(r->encryption), oom);
	set(o, "PeerDiscovery", json_boolean(r->peer_discovery), oom);
	set(o, "Name", str(r->name), oom);
	set(o, "NickName", str(r->nickname), oom);
	set(o, "Port", unum(r->port), oom);
}

static json_t *router(const struct api_router_status *r)
{
	json_t *o = json_object();
	bool oom = false;

	router_identity(o, r, &oom);
	set(o, "Peers", SLICE(r->peers, r->n_peers, peer), &oom);
	set(o, "UnicastRoutes", SLICE(r->unicast_routes, r->n_unicast_routes, unicast_route), &oom);
	set(o, "BroadcastRoutes",
	    SLICE(r->broadcast_routes, r->n_broadcast_routes, broadcast_route), &oom);
	set(o, "Connections", SLICE(r->conns, r->n_conns, local_conn), &oom);
	set(o, "TerminationCount", unum(r->termination_count), &oom);
	set(o, "Targets", string_list(r->targets, r->n_targets, true), &oom);
	set(o, "OverlayDiagnostics", overlay_diagnostics(r), &oom);
	set(o, "TrustedSubnets", string_list(r->trusted_subnets, r->n_trusted_subnets, false),
	    &oom);
	set(o, "Interface", str(r->interface), &oom);
	set(o, "CaptureStats", capture_stats(r), &oom);
	set(o, "MACs", SLICE(r->macs, r->n_macs, mac), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

json_t *api_report_document(const struct api_status *st)
{
	json_t *o = json_object();
	bool oom = false;

	set(o, "Ready", json_boolean(st->ready), &oom);
	set(o, "Version", str(st->version), &oom);
	/* weaver never checks for new versions: Weave's VersionCheck with checks disabled */
	set(o, "VersionCheck",
	    json_pack("{s:b,s:b,s:s,s:s}", "Enabled", 0, "Success", 0, "NewVersion", "",
		      "NextCheckAt", "0001-01-01T00:00:00Z"),
	    &oom);
	set(o, "Router", router(&st->router), &oom);
	return oom ? (json_decref(o), NULL) : o;
}

int api_render_report_json(const struct api_status *st, char **ret)
{
	json_t *doc = api_report_document(st);
	int r;

	if (!doc)
		return -ENOMEM;
	r = api_json_dump(doc, 4, ret);
	json_decref(doc);
	return r;
}

/* --- writing it as Go does ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* encoding/json's string encoder with HTML escaping (Go 1.15-1.21 escapes, as in Weave 2.8). */
static void put_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n' || c == '\r' || c == '\t') {
			fputs(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t", f);
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			fprintf(f, "\\u00%02x", c);
		} else if (c >= 0x80) {
			len = utf8_len(p + i, n - i);
			if (!len) {
				fputs("\\ufffd", f);
				i++;
				continue;
			}
			if (len == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
			    (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
				fprintf(f, "\\u202%c", p[i + 2] == 0xa8 ? '8' : '9');
			else
				fwrite(p + i, 1, len, f);
			i += len;
			continue;
		} else {
			fputc(c, f);
		}
		i++;
	}
	fputc('"', f);
}

static void newline(FILE *f, unsigned int indent, unsigned int depth)
{
	if (!indent)
		return;
	fputc('\n', f);
	for (unsigned int i = 0; i < indent * depth; i++)
		fputc(' ', f);
}

static void put_value(FILE *f, const json_t *v, bool uid, unsigned int indent, unsigned int depth);

static void put_object(FILE *f, const json_t *v, unsigned int indent, unsigned int depth)
{
	const char *key;
	json_t *item;
	bool first = true;

	if (!json_object_size(v)) {
		fputs("{}", f);
		return;
	}
	fputc('{', f);
	json_object_foreach((json_t *)v, key, item) {
		if (!first)
			fputc(',', f);
		first = false;
		newline(f, indent, depth + 1);
		put_string(f, key, strlen(key));
		fputs(indent ? ": " : ":", f);
		put_value(f, item, !strcmp(key, "UID"), indent, depth + 1);
	}
	newline(f, indent, depth);
	fputc('}', f);
}

static void put_array(FILE *f, const json_t *v, unsigned int indent, unsigned int depth)
{
	size_t n = json_array_size(v);

	if (!n) {
		fputs("[]", f);
		return;
	}
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		newline(f, indent, depth + 1);
		put_value(f, json_array_get(v, i), false, indent, depth + 1);
	}
	newline(f, indent, depth);
	fputc(']', f);
}

static void put_value(FILE *f, const json_t *v, bool uid, unsigned int indent, unsigned int depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(f, v, indent, depth);
		break;
	case JSON_ARRAY:
		put_array(f, v, indent, depth);
		break;
	case JSON_STRING:
		put_string(f, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		if (uid)
			fprintf(f, "%llu", (unsigned long long)json_integer_value(v));
		else
			fprintf(f, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", f);
		break;
	case JSON_FALSE:
		fputs("false", f);
		break;
	case JSON_NULL:
		fputs("null", f);
		break;
	}
}

int api_json_dump(const json_t *v, unsigned int indent, char **ret)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	bool failed;

	if (!f)
		return -ENOMEM;
	put_value(f, v, false, indent, 0);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
