// SPDX-License-Identifier: GPL-2.0
/* The dynamic value tree decoded from or encoded to gob: constructors, accessors, Go-semantic
 * equality (absent struct fields are zero) and a one-line text rendering. */
#include "gob/gob_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- construction and destruction -------------------------------------------------------- */

static struct gob_value *value_new(enum gob_kind kind)
{
	struct gob_value *v = calloc(1, sizeof(*v));

	if (v)
		v->kind = kind;
	return v;
}

static struct gob_value *str_new(enum gob_kind kind, const void *data, size_t len)
{
	struct gob_value *v;

	if (len > SIZE_MAX - sizeof(*v) - 1)
		return NULL;
	v = malloc(sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->str.data = (char *)(v + 1);
	v->str.len = len;
	if (len)
		memcpy(v->str.data, data, len);
	v->str.data[len] = '\0';
	return v;
}

struct gob_value *gob_value_free(struct gob_value *v)
{
	if (!v)
		return NULL;
	switch (v->kind) {
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		for (size_t i = 0; i < v->list.n; i++)
			gob_value_free(v->list.v[i]);
		free(v->list.v);
		break;
	case GOB_KIND_MAP:
		for (size_t i = 0; i < 2 * v->map.n; i++)
			gob_value_free(v->map.kv[i]);
		free(v->map.kv);
		break;
	case GOB_KIND_STRUCT:
		for (size_t i = 0; i < v->st.n; i++)
			gob_value_free(v->st.f[i].value);
		free(v->st.f);
		gob_fieldset_unref(v->st.fs);
		break;
	default:
		break;
	}
	free(v);
	return NULL;
}

enum gob_kind gob_value_kind(const struct gob_value *v)
{
	return v ? v->kind : 0;
}

struct gob_value *gob_value_new_bool(bool b)
{
	struct gob_value *v = value_new(GOB_KIND_BOOL);

	if (v)
		v->b = b;
	return v;
}

struct gob_value *gob_value_new_int(int64_t i)
{
	struct gob_value *v = value_new(GOB_KIND_INT);

	if (v)
		v->i = i;
	return v;
}

struct gob_value *gob_value_new_uint(uint64_t u)
{
	struct gob_value *v = value_new(GOB_KIND_UINT);

	if (v)
		v->u = u;
	return v;
}

struct gob_value *gob_value_new_float(double f)
{
	struct gob_value *v = value_new(GOB_KIND_FLOAT);

	if (v)
		v->f = f;
	return v;
}

struct gob_value *gob_value_new_complex(double re, double im)
{
	struct gob_value *v = value_new(GOB_KIND_COMPLEX);

	if (v) {
		v->c[0] = re;
		v->c[1] = im;
	}
	return v;
}

struct gob_value *gob_value_new_string(const char *s)
{
	return s ? str_new(GOB_KIND_STRING, s, strlen(s)) : NULL;
}

struct gob_value *gob_value_new_string_len(const char *s, size_t len)
{
	return s || !len ? str_new(GOB_KIND_STRING, s, len) : NULL;
}

struct gob_value *gob_value_new_bytes(const void *data, size_t len)
{
	return data || !len ? str_new(GOB_KIND_BYTES, data, len) : NULL;
}

struct gob_value *gob_value_new_slice(void)
{
	return value_new(GOB_KIND_SLICE);
}

struct gob_value *gob_value_new_array(void)
{
	return value_new(GOB_KIND_ARRAY);
}

struct gob_value *gob_value_new_map(void)
{
	return value_new(GOB_KIND_MAP);
}

struct gob_value *gob_value_new_struct_fs(struct gob_fieldset *fs)
{
	struct gob_value *v = value_new(GOB_KIND_STRUCT);

	if (v)
		v->st.fs = gob_fieldset_ref(fs);
	return v;
}

struct gob_value *gob_value_new_struct(const struct gob_type *type)
{
	if (!type || type->kind != GOB_KIND_STRUCT)
		return NULL;
	return gob_value_new_struct_fs(type->fs);
}

static void *resize(void *p, size_t n, size_t elem)
{
	if (n > SIZE_MAX / elem)
		return NULL;
	return realloc(p, n * elem);
}

/* Makes room for n elements (list, map entries or struct fields) in total. */
int gob_value_reserve(struct gob_value *v, size_t n)
{
	void *p;

	switch (v->kind) {
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		if (n <= v->list.cap)
			return 0;
		p = resize(v->list.v, n, sizeof(*v->list.v));
		if (p)
			v->list.v = p, v->list.cap = n;
		break;
	case GOB_KIND_MAP:
		if (n <= v->map.cap)
			return 0;
		p = resize(v->map.kv, n, 2 * sizeof(*v->map.kv));
		if (p)
			v->map.kv = p, v->map.cap = n;
		break;
	case GOB_KIND_STRUCT:
		if (n <= v->st.cap)
			return 0;
		p = resize(v->st.f, n, sizeof(*v->st.f));
		if (p)
			v->st.f = p, v->st.cap = n;
		break;
	default:
		return -EINVAL;
	}
	return p ? 0 : -ENOMEM;
}

static int grow(struct gob_value *v, size_t n, size_t cap)
{
	if (n < cap)
		return 0;
	return gob_value_reserve(v, cap ? 2 * cap : 4);
}

int gob_value_append(struct gob_value *list, struct gob_value *elem)
{
	int err = -EINVAL;

	if (!elem) {
		err = -ENOMEM;
		goto err_free;
	}
	if (!list || (list->kind != GOB_KIND_SLICE && list->kind != GOB_KIND_ARRAY))
		goto err_free;
	err = grow(list, list->list.n, list->list.cap);
	if (err < 0)
		goto err_free;
	list->list.v[list->list.n++] = elem;
	return 0;

err_free:
	gob_value_free(elem);
	return err;
}

int gob_map_put(struct gob_value *map, struct gob_value *key, struct gob_value *elem)
{
	int err = -EINVAL;

	if (!key || !elem) {
		err = -ENOMEM;
		goto err_free;
	}
	if (!map || map->kind != GOB_KIND_MAP)
		goto err_free;
	err = grow(map, map->map.n, map->map.cap);
	if (err < 0)
		goto err_free;
	map->map.kv[2 * map->map.n] = key;
	map->map.kv[2 * map->map.n + 1] = elem;
	map->map.n++;
	return 0;

err_free:
	gob_value_free(key);
	gob_value_free(elem);
	return err;
}

/* Inserts field index (ascending order kept), replacing an existing value. */
int gob_struct_set_index(struct gob_value *s, size_t index, struct gob_value *v)
{
	size_t i = s->st.n;
	int err;

	/* decoders append in ascending order: only search when inserting before the end */
	if (i && s->st.f[i - 1].index >= index)
		for (i = 0; i < s->st.n && s->st.f[i].index < index; i++)
			;
	if (i < s->st.n && s->st.f[i].index == index) {
		gob_value_free(s->st.f[i].value);
		s->st.f[i].value = v;
		return 0;
	}
	err = grow(s, s->st.n, s->st.cap);
	if (err < 0) {
		gob_value_free(v);
		return err;
	}
	memmove(&s->st.f[i + 1], &s->st.f[i], (s->st.n - i) * sizeof(*s->st.f));
	s->st.f[i] = (struct gob_field_value){ .index = index, .value = v };
	s->st.n++;
	return 0;
}

int gob_struct_set(struct gob_value *s, const char *field, struct gob_value *v)
{
	if (!v)
		return -ENOMEM;
	if (!s || s->kind != GOB_KIND_STRUCT || !field)
		goto err_inval;
	for (size_t i = 0; i < s->st.fs->n; i++)
		if (!strcmp(s->st.fs->names[i], field))
			return gob_struct_set_index(s, i, v);
	gob_value_free(v);
	return -ENOENT;

err_inval:
	gob_value_free(v);
	return -EINVAL;
}

/* --- accessors --------------------------------------------------------------------------- */

bool gob_value_bool(const struct gob_value *v)
{
	return v && v->kind == GOB_KIND_BOOL ? v->b : false;
}

int64_t gob_value_int(const struct gob_value *v)
{
	return v && v->kind == GOB_KIND_INT ? v->i : 0;
}

uint64_t gob_value_uint(const struct gob_value *v)
{
	return v && v->kind == GOB_KIND_UINT ? v->u : 0;
}

double gob_value_float(const struct gob_value *v)
{
	return v && v->kind == GOB_KIND_FLOAT ? v->f : 0;
}

const char *gob_value_string(const struct gob_value *v, size_t *ret_len)
{
	bool ok = v && v->kind == GOB_KIND_STRING;

	if (ret_len)
		*ret_len = ok ? v->str.len : 0;
	return ok ? v->str.data : "";
}

const uint8_t *gob_value_bytes(const struct gob_value *v, size_t *ret_len)
{
	bool ok = v && v->kind == GOB_KIND_BYTES;

	if (ret_len)
		*ret_len = ok ? v->str.len : 0;
	return ok ? (const uint8_t *)v->str.data : (const uint8_t *)"";
}

static int check_kind(const struct gob_value *v, enum gob_kind kind)
{
	return !v || v->kind == kind ? 0 : -EPROTO;
}

int gob_value_get_bool(const struct gob_value *v, bool *ret)
{
	int err = check_kind(v, GOB_KIND_BOOL);

	if (err >= 0)
		*ret = gob_value_bool(v);
	return err;
}

int gob_value_get_int(const struct gob_value *v, int64_t *ret)
{
	int err = check_kind(v, GOB_KIND_INT);

	if (err >= 0)
		*ret = gob_value_int(v);
	return err;
}

int gob_value_get_uint(const struct gob_value *v, uint64_t *ret)
{
	int err = check_kind(v, GOB_KIND_UINT);

	if (err >= 0)
		*ret = gob_value_uint(v);
	return err;
}

int gob_value_get_string(const struct gob_value *v, const char **ret, size_t *ret_len)
{
	int err = check_kind(v, GOB_KIND_STRING);

	if (err >= 0)
		*ret = gob_value_string(v, ret_len);
	return err;
}

int gob_value_get_bytes(const struct gob_value *v, const uint8_t **ret, size_t *ret_len)
{
	int err = check_kind(v, GOB_KIND_BYTES);

	if (err >= 0)
		*ret = gob_value_bytes(v, ret_len);
	return err;
}

size_t gob_value_len(const struct gob_value *v)
{
	switch (gob_value_kind(v)) {
	case GOB_KIND_STRING:
	case GOB_KIND_BYTES:
		return v->str.len;
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		return v->list.n;
	case GOB_KIND_MAP:
		return v->map.n;
	case GOB_KIND_STRUCT:
		return v->st.n;
	default:
		return 0;
	}
}

const struct gob_value *gob_value_index(const struct gob_value *list, size_t i)
{
	enum gob_kind k = gob_value_kind(list);

	if ((k != GOB_KIND_SLICE && k != GOB_KIND_ARRAY) || i >= list->list.n)
		return NULL;
	return list->list.v[i];
}

const struct gob_value *gob_map_key(const struct gob_value *map, size_t i)
{
	if (gob_value_kind(map) != GOB_KIND_MAP || i >= map->map.n)
		return NULL;
	return map->map.kv[2 * i];
}

const struct gob_value *gob_map_elem(const struct gob_value *map, size_t i)
{
	if (gob_value_kind(map) != GOB_KIND_MAP || i >= map->map.n)
		return NULL;
	return map->map.kv[2 * i + 1];
}

const struct gob_value *gob_map_get(const struct gob_value *map, const struct gob_value *key)
{
	if (gob_value_kind(map) != GOB_KIND_MAP)
		return NULL;
	for (size_t i = map->map.n; i-- > 0;)
		if (gob_value_equal(map->map.kv[2 * i], key))
			return map->map.kv[2 * i + 1];
	return NULL;
}

const struct gob_value *gob_map_get_string(const struct gob_value *map, const char *key)
{
	size_t len = strlen(key);

	if (gob_value_kind(map) != GOB_KIND_MAP)
		return NULL;
	for (size_t i = map->map.n; i-- > 0;) {
		const struct gob_value *k = map->map.kv[2 * i];

		if (k->kind == GOB_KIND_STRING && k->str.len == len &&
		    !memcmp(k->str.data, key, len))
			return map->map.kv[2 * i + 1];
	}
	return NULL;
}

const struct gob_value *gob_map_get_uint(const struct gob_value *map, uint64_t key)
{
	if (gob_value_kind(map) != GOB_KIND_MAP)
		return NULL;
	for (size_t i = map->map.n; i-- > 0;) {
		const struct gob_value *k = map->map.kv[2 * i];

		if (k->kind == GOB_KIND_UINT && k->u == key)
			return map->map.kv[2 * i + 1];
	}
	return NULL;
}

const struct gob_value *gob_struct_get_index(const struct gob_value *s, size_t index)
{
	if (gob_value_kind(s) != GOB_KIND_STRUCT)
		return NULL;
	for (size_t i = 0; i < s->st.n; i++)
		if (s->st.f[i].index == index)
			return s->st.f[i].value;
	return NULL;
}

const struct gob_value *gob_struct_get(const struct gob_value *s, const char *field)
{
	if (gob_value_kind(s) != GOB_KIND_STRUCT || !field)
		return NULL;
	for (size_t i = 0; i < s->st.n; i++)
		if (!strcmp(s->st.fs->names[s->st.f[i].index], field))
			return s->st.f[i].value;
	return NULL;
}

const char *gob_struct_field(const struct gob_value *s, size_t i,
			     const struct gob_value **ret_value)
{
	if (gob_value_kind(s) != GOB_KIND_STRUCT || i >= s->st.n)
		return NULL;
	if (ret_value)
		*ret_value = s->st.f[i].value;
	return s->st.fs->names[s->st.f[i].index];
}

const char *gob_struct_type_name(const struct gob_value *s)
{
	if (gob_value_kind(s) != GOB_KIND_STRUCT)
		return NULL;
	return s->st.fs->type_name;
}

/* --- comparison -------------------------------------------------------------------------- */

bool gob_value_is_zero(const struct gob_value *v)
{
	if (!v)
		return true;
	switch (v->kind) {
	case GOB_KIND_BOOL:
		return !v->b;
	case GOB_KIND_INT:
		return !v->i;
	case GOB_KIND_UINT:
		return !v->u;
	case GOB_KIND_FLOAT:
		return v->f == 0;
	case GOB_KIND_COMPLEX:
		return v->c[0] == 0 && v->c[1] == 0;
	case GOB_KIND_ARRAY:
		for (size_t i = 0; i < v->list.n; i++)
			if (!gob_value_is_zero(v->list.v[i]))
				return false;
		return true;
	case GOB_KIND_STRUCT:
		for (size_t i = 0; i < v->st.n; i++)
			if (!gob_value_is_zero(v->st.f[i].value))
				return false;
		return true;
	default:
		return gob_value_len(v) == 0;
	}
}

static bool float_equal(double a, double b)
{
	return a == b || !memcmp(&a, &b, sizeof(a));
}

static bool list_equal(const struct gob_value *a, const struct gob_value *b)
{
	if (a->list.n != b->list.n)
		return false;
	for (size_t i = 0; i < a->list.n; i++)
		if (!gob_value_equal(a->list.v[i], b->list.v[i]))
			return false;
	return true;
}

/* Every entry of a has an equal entry in b. */
static bool map_subset(const struct gob_value *a, const struct gob_value *b)
{
	for (size_t i = 0; i < a->map.n; i++) {
		bool found = false;

		for (size_t j = 0; j < b->map.n && !found; j++)
			found = gob_value_equal(a->map.kv[2 * i], b->map.kv[2 * j]) &&
				gob_value_equal(a->map.kv[2 * i + 1], b->map.kv[2 * j + 1]);
		if (!found)
			return false;
	}
	return true;
}

static bool map_equal(const struct gob_value *a, const struct gob_value *b)
{
	bool same_order = a->map.n == b->map.n;

	if (a->map.n != b->map.n)
		return false;
	for (size_t i = 0; i < 2 * a->map.n && same_order; i++)
		same_order = gob_value_equal(a->map.kv[i], b->map.kv[i]);
	return same_order || (map_subset(a, b) && map_subset(b, a));
}

/* Fields of a equal b's fields of the same name (absent: zero). */
static bool struct_subset(const struct gob_value *a, const struct gob_value *b)
{
	for (size_t i = 0; i < a->st.n; i++) {
		const char *name = a->st.fs->names[a->st.f[i].index];

		if (!gob_value_equal(a->st.f[i].value, gob_struct_get(b, name)))
			return false;
	}
	return true;
}

bool gob_value_equal(const struct gob_value *a, const struct gob_value *b)
{
	if (!a || !b)
		return gob_value_is_zero(a ? a : b);
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case GOB_KIND_BOOL:
		return a->b == b->b;
	case GOB_KIND_INT:
		return a->i == b->i;
	case GOB_KIND_UINT:
		return a->u == b->u;
	case GOB_KIND_FLOAT:
		return float_equal(a->f, b->f);
	case GOB_KIND_COMPLEX:
		return float_equal(a->c[0], b->c[0]) && float_equal(a->c[1], b->c[1]);
	case GOB_KIND_STRING:
	case GOB_KIND_BYTES:
		return a->str.len == b->str.len && !memcmp(a->str.data, b->str.data, a->str.len);
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		return list_equal(a, b);
	case GOB_KIND_MAP:
		return map_equal(a, b);
	case GOB_KIND_STRUCT:
		return struct_subset(a, b) && struct_subset(b, a);
	default:
		return false;
	}
}

/* --- text rendering ---------------------------------------------------------------------- */

static void format_str(FILE *f, const struct gob_value *v)
{
	if (v->kind == GOB_KIND_BYTES) {
		fputs("0x", f);
		for (size_t i = 0; i < v->str.len; i++)
			fprintf(f, "%02x", (uint8_t)v->str.data[i]);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < v->str.len; i++) {
		uint8_t c = (uint8_t)v->str.data[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void format_value(FILE *f, const struct gob_value *v)
{
	const char *sep = "";

	switch (gob_value_kind(v)) {
	case GOB_KIND_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case GOB_KIND_INT:
		fprintf(f, "%" PRId64, v->i);
		break;
	case GOB_KIND_UINT:
		fprintf(f, "%" PRIu64, v->u);
		break;
	case GOB_KIND_FLOAT:
		fprintf(f, "%g", v->f);
		break;
	case GOB_KIND_COMPLEX:
		fprintf(f, "(%g%+gi)", v->c[0], v->c[1]);
		break;
	case GOB_KIND_STRING:
	case GOB_KIND_BYTES:
		format_str(f, v);
		break;
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		fputc('[', f);
		for (size_t i = 0; i < v->list.n; i++, sep = " ") {
			fputs(sep, f);
			format_value(f, v->list.v[i]);
		}
		fputc(']', f);
		break;
	case GOB_KIND_MAP:
		fputs("map[", f);
		for (size_t i = 0; i < v->map.n; i++, sep = " ") {
			fputs(sep, f);
			format_value(f, v->map.kv[2 * i]);
			fputc(':', f);
			format_value(f, v->map.kv[2 * i + 1]);
		}
		fputc(']', f);
		break;
	case GOB_KIND_STRUCT:
		fprintf(f, "%s{", v->st.fs->type_name);
		for (size_t i = 0; i < v->st.n; i++, sep = " ") {
			fprintf(f, "%s%s:", sep, v->st.fs->names[v->st.f[i].index]);
			format_value(f, v->st.f[i].value);
		}
		fputc('}', f);
		break;
	default:
		fputs("<nil>", f);
		break;
	}
}

int gob_value_format(const struct gob_value *v, char **ret)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	format_value(f, v);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	return 0;
}
