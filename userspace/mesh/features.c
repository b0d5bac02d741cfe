// SPDX-License-Identifier: GPL-2.0
/* features: the connection's features map, its gob form, Weave's parsing rules and the
 * checks on the remote's identity (connection.go makeFeatures, parseFeatures, registerRemote).
 */
#include "mesh/features.h"

#include "gob/gob.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mesh_features_done(struct mesh_features *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->entries[i].key);
		free(f->entries[i].value);
	}
	free(f->entries);
	f->entries = NULL;
	f->n = 0;
}

static struct mesh_feature *find(const struct mesh_features *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->entries[i].key, key))
			return &f->entries[i];
	return NULL;
}

const char *mesh_features_get(const struct mesh_features *f, const char *key)
{
	const struct mesh_feature *e = find(f, key);

	return e ? e->value : NULL;
}

int mesh_features_set(struct mesh_features *f, const char *key, const char *value)
{
	struct mesh_feature *e = find(f, key), *entries;
	char *v = strdup(value), *k;

	if (!v)
		return -ENOMEM;
	if (e) {
		free(e->value);
		e->value = v;
		return 0;
	}
	k = strdup(key);
	entries = k ? realloc(f->entries, (f->n + 1) * sizeof(*entries)) : NULL;
	if (!entries) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	f->entries = entries;
	f->entries[f->n++] = (struct mesh_feature){ .key = k, .value = v };
	return 0;
}

static int cmp_feature(const void *a, const void *b)
{
	return strcmp(((const struct mesh_feature *)a)->key, ((const struct mesh_feature *)b)->key);
}

void mesh_features_sort(struct mesh_features *f)
{
	if (f->n > 1)
		qsort(f->entries, f->n, sizeof(*f->entries), cmp_feature);
}

/* --- gob ------------------------------------------------------------------------------- */

static struct gob_value *features_value(const struct mesh_features *f)
{
	struct gob_value *m = gob_value_new_map();

	for (size_t i = 0; m && i < f->n; i++) {
		if (gob_map_put(m, gob_value_new_string(f->entries[i].key),
				gob_value_new_string(f->entries[i].value)) < 0)
			m = gob_value_free(m);
	}
	return m;
}

/* Copies the encoder's output into a malloc'ed buffer. */
static int take_output(const struct gob_encoder *enc, uint8_t **ret_data, size_t *ret_len)
{
	size_t len;
	const uint8_t *out = gob_encoder_data(enc, &len);
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, out, len);
	*ret_data = copy;
	*ret_len = len;
	return 0;
}

int mesh_features_encode(const struct mesh_features *f, int32_t first_type_id, uint8_t **ret_data,
			 size_t *ret_len)
{
	const struct gob_type *str = gob_builtin_type(GOB_KIND_STRING), *map;
	struct gob_encoder *enc = NULL;
	struct gob_schema *s = NULL;
	struct gob_value *v = NULL;
	int r;

	r = gob_schema_new(&s);
	if (r < 0)
		return r;
	if (first_type_id)
		r = gob_schema_set_next_id(s, first_type_id);
	if (r >= 0)
		r = gob_schema_new_map(s, "", str, str, &map);
	if (r >= 0)
		r = gob_encoder_new(s, &enc);
	if (r >= 0) {
		v = features_value(f);
		r = v ? gob_encode(enc, map, v) : -ENOMEM;
	}
	if (r >= 0)
		r = take_output(enc, ret_data, ret_len);
	gob_value_free(v);
	gob_encoder_free(enc);
	gob_schema_free(s);
	return r;
}

/* A string of a received map, as a C string within @max bytes. */
static int map_string(const struct gob_value *v, size_t max, const char **ret)
{
	size_t len;
	int r = gob_value_get_string(v, ret, &len);

	if (r < 0)
		return r;
	if (len > max)
		return -E2BIG;
	return strlen(*ret) == len ? 0 : -EPROTO; /* no NUL inside */
}

static int features_from_map(const struct gob_value *m, struct mesh_features *f,
			     struct mesh_error *err)
{
	size_t n = gob_value_len(m);
	const char *k, *v;
	int r;

	if (gob_value_kind(m) != GOB_KIND_MAP)
		return mesh_error_set(err, -EPROTO, "features: not a map[string]string");
	if (n > MESH_FEATURES_MAX)
		return mesh_error_set(err, -E2BIG, "features: more than %d entries",
				      MESH_FEATURES_MAX);
	for (size_t i = 0; i < n; i++) {
		r = map_string(gob_map_key(m, i), MESH_FEATURE_KEY_MAX, &k);
		if (r >= 0)
			r = map_string(gob_map_elem(m, i), MESH_FEATURE_VALUE_MAX, &v);
		if (r >= 0)
			r = mesh_features_set(f, k, v);
		if (r < 0)
			return mesh_error_set(err, r, "features: bad entry %zu", i);
	}
	return 0;
}

int mesh_features_decode(const void *data, size_t len, struct mesh_features *ret_f,
			 struct mesh_error *err)
{
	const struct gob_limits lim = {
		.max_message = MESH_MAX_TCP_MSG,
		.max_nodes = 2 * MESH_FEATURES_MAX + 1,
		.max_depth = 4,
		.max_types = 8,
		.max_fields = 8,
	};
	struct mesh_features f = { 0 };
	struct gob_decoder *dec;
	struct gob_value *v = NULL;
	size_t pos = 0;
	int r;

	r = gob_decoder_new(&lim, &dec);
	if (r < 0)
		return mesh_error_set(err, r, "features: out of memory");
	r = gob_decode_next(dec, data, len, &pos, &v);
	gob_decoder_free(dec);
	if (r == 0)
		return mesh_error_set(err, -EINVAL, "features: EOF");
	if (r < 0)
		return mesh_error_set(err, r, "features: malformed gob stream (%d)", r);
	r = features_from_map(v, &f, err);
	gob_value_free(v);
	if (r < 0) {
		mesh_features_done(&f);
		return r;
	}
	*ret_f = f;
	return 0;
}

/* --- overlays -------------------------------------------------------------------------- */

int mesh_overlays_parse(const char *list, struct mesh_overlays *ret)
{
	struct mesh_overlays o = { 0 };

	while (*list) {
		size_t len = strcspn(list, " ");

		if (len) {
			if (o.n == MESH_OVERLAYS_MAX || len > MESH_OVERLAY_NAME_MAX)
				return -E2BIG;
			memcpy(o.names[o.n++], list, len);
		}
		list += len;
		list += *list == ' ';
	}
	*ret = o;
	return 0;
}

static bool overlays_have(const struct mesh_overlays *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->names[i], name))
			return true;
	return false;
}

int mesh_overlays_common(const struct mesh_overlays *ours, const struct mesh_overlays *theirs,
			 bool outbound, struct mesh_overlays *ret, struct mesh_error *err)
{
	const struct mesh_overlays *order = outbound ? ours : theirs;
	const struct mesh_overlays *other = outbound ? theirs : ours;
	struct mesh_overlays c = { 0 };

	for (size_t i = 0; i < order->n; i++)
		if (overlays_have(other, order->names[i]) && !overlays_have(&c, order->names[i]))
			memcpy(c.names[c.n++], order->names[i], sizeof(c.names[0]));
	if (!c.n)
		return mesh_error_set(err, -ENOENT, "no overlays in common with peer");
	*ret = c;
	return 0;
}

/* --- our features ---------------------------------------------------------------------- */

static int set_u64(struct mesh_features *f, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return mesh_features_set(f, key, buf);
}

static int set_overlays(struct mesh_features *f, const struct mesh_overlays *o)
{
	char buf[MESH_OVERLAYS_MAX * (MESH_OVERLAY_NAME_MAX + 1) + 1];
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n && i < MESH_OVERLAYS_MAX; i++)
		pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%s%.*s", i ? " " : "",
					MESH_OVERLAY_NAME_MAX, o->names[i]);
	return mesh_features_set(f, "Overlays", buf);
}

static int make_features(const struct mesh_features_info *info, struct mesh_features *f)
{
	char name[MESH_PEER_NAME_STRLEN];
	int r;

	r = mesh_features_set(f, "PeerNameFlavour", MESH_PEER_NAME_FLAVOUR);
	if (r >= 0)
		r = mesh_features_set(f, "Name", mesh_peer_name_format(info->name, name));
	if (r >= 0)
		r = mesh_features_set(f, "NickName", info->nickname);
	if (r >= 0)
		r = set_u64(f, "UID", info->uid);
	if (r >= 0)
		r = set_u64(f, "ConnID", info->conn_id);
	if (r >= 0)
		r = mesh_features_set(f, "Trusted", info->trusted ? "true" : "false");
	if (r >= 0 && info->has_short_id)
		r = set_u64(f, "ShortID", info->short_id);
	if (r >= 0 && info->has_overlays)
		r = set_overlays(f, &info->overlays);
	return r;
}

int mesh_features_make(const struct mesh_features_info *info, struct mesh_features *ret_f)
{
	struct mesh_features f = { 0 };
	int r;

	if (strnlen(info->nickname, sizeof(info->nickname)) == sizeof(info->nickname))
		return -EINVAL;
	r = make_features(info, &f);
	if (r < 0) {
		mesh_features_done(&f);
		return r;
	}
	mesh_features_sort(&f);
	*ret_f = f;
	return 0;
}

/* --- parsing the remote's ------------------------------------------------------------- */

/* Go's ParseUint loop: the first bad digit or overflow, left to right, is the error. */
static const char *scan_uint(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return "invalid syntax";
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return "invalid syntax";
		if (v > (max - d) / 10)
			return "value out of range";
		v = v * 10 + d;
	}
	*ret = v;
	return NULL;
}

/* strconv.ParseUint(s, 10, bits), with Go's error texts. */
static int parse_uint(const char *s, unsigned bits, uint64_t *ret, struct mesh_error *err)
{
	uint64_t max = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	const char *why = scan_uint(s, max, ret);
	char q[MESH_ERROR_MAX / 2];

	if (!why)
		return 0;
	mesh_format_go_quoted(q, sizeof(q), s);
	return mesh_error_set(err, -EPROTO, "strconv.ParseUint: parsing %s: %s", q, why);
}

/* strconv.ParseBool. */
static int parse_bool(const char *s, bool *ret, struct mesh_error *err)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	char q[MESH_ERROR_MAX / 2];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*ret = !strcmp(s, yes[i]);
			return 0;
		}
	}
	mesh_format_go_quoted(q, sizeof(q), s);
	return mesh_error_set(err, -EPROTO, "strconv.ParseBool: parsing %s: invalid syntax", q);
}

static int check_required(const struct mesh_features *f, struct mesh_error *err)
{
	static const char *const required[] = { "PeerNameFlavour", "Name", "NickName", "UID",
						"ConnID" };
	const char *flavour;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!mesh_features_get(f, required[i]))
			return mesh_error_set(err, -EPROTO, "field %s is missing", required[i]);
	flavour = mesh_features_get(f, "PeerNameFlavour");
	if (strcmp(flavour, MESH_PEER_NAME_FLAVOUR))
		return mesh_error_set(err, -EPROTO,
				      "Peer name flavour mismatch (ours: '%s', theirs: '%.64s')",
				      MESH_PEER_NAME_FLAVOUR, flavour);
	return 0;
}

static int parse_identity(const struct mesh_features *f, struct mesh_features_info *info,
			  struct mesh_error *err)
{
	const char *name = mesh_features_get(f, "Name");
	const char *nick = mesh_features_get(f, "NickName");
	size_t len = strlen(nick);

	if (mesh_peer_name_parse(name, &info->name) < 0)
		return mesh_error_set(err, -EPROTO, "address %.64s: invalid MAC address", name);
	if (len > MESH_NICKNAME_MAX)
		return mesh_error_set(err, -E2BIG, "NickName longer than %d bytes",
				      MESH_NICKNAME_MAX);
	memcpy(info->nickname, nick, len + 1);
	return 0;
}

static int parse_optional(const struct mesh_features *f, struct mesh_features_info *info,
			  struct mesh_error *err)
{
	const char *short_id = mesh_features_get(f, "ShortID");
	const char *trusted = mesh_features_get(f, "Trusted");
	const char *overlays = mesh_features_get(f, "Overlays");
	uint64_t v;
	int r;

	if (short_id) {
		r = parse_uint(short_id, MESH_SHORT_ID_BITS, &v, err);
		if (r < 0)
			return r;
		info->short_id = (uint16_t)v;
		info->has_short_id = true;
	}
	if (trusted) {
		r = parse_bool(trusted, &info->trusted, err);
		if (r < 0)
			return r;
	}
	if (overlays) {
		if (mesh_overlays_parse(overlays, &info->overlays) < 0)
			return mesh_error_set(err, -E2BIG, "Overlays: too many or too long names");
		info->has_overlays = true;
	}
	return 0;
}

int mesh_features_parse(const struct mesh_features *f, struct mesh_features_info *ret_info,
			struct mesh_error *err)
{
	struct mesh_features_info info = { 0 };
	int r;

	r = check_required(f, err);
	if (r >= 0)
		r = parse_identity(f, &info, err);
	if (r >= 0)
		r = parse_optional(f, &info, err);
	if (r >= 0)
		r = parse_uint(mesh_features_get(f, "UID"), 64, &info.uid, err);
	if (r >= 0)
		r = parse_uint(mesh_features_get(f, "ConnID"), 64, &info.conn_id, err);
	if (r < 0)
		return r;
	*ret_info = info;
	return 0;
}

uint64_t mesh_conn_uid(uint64_t local_conn_id, uint64_t remote_conn_id)
{
	return local_conn_id ^ remote_conn_id;
}

/* Peer.String(): "aa:bb:cc:dd:ee:ff(nick)", quoted as %q does. */
static void format_peer(char *buf, size_t size, const struct mesh_features_info *info)
{
	char name[MESH_PEER_NAME_STRLEN];
	char s[MESH_PEER_NAME_STRLEN + 64 + 2];

	snprintf(s, sizeof(s), "%s(%.64s)", mesh_peer_name_format(info->name, name),
		 info->nickname);
	mesh_format_go_quoted(buf, size, s);
}

int mesh_features_check_remote(const struct mesh_features_info *local,
			       const struct mesh_features_info *remote, struct mesh_error *err)
{
	char l[120], r[120];

	if (remote->name != local->name)
		return 0;
	if (remote->uid != local->uid) {
		format_peer(l, sizeof(l), local);
		format_peer(r, sizeof(r), remote);
		return mesh_error_set(err, -ENOTUNIQ, "local %s and remote %s peer names collision",
				      l, r);
	}
	return mesh_error_set(err, -ELOOP, "cannot connect to ourself");
}
