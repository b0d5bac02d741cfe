// SPDX-License-Identifier: GPL-2.0
/* Gob stream decoder: frames messages, records the stream's type definitions (themselves gob
 * values of the predefined wireType) and decodes values generically into a gob_value tree. */
#include "gob/gob_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gob_decoder {
	struct gob_limits lim;
	struct gob_type **types; /* defined by the stream, ascending id */
	size_t n, cap;
};

/* State of decoding one message body. */
struct dctx {
	const struct gob_decoder *dec;
	struct gob_reader *r;
	size_t nodes, max_nodes;
	unsigned max_depth;
};

static int decode_value(struct dctx *c, int32_t id, unsigned depth, struct gob_value **ret);

/* --- decoder object and type table ------------------------------------------------------- */

static size_t or_default(size_t v, size_t def)
{
	return v ? v : def;
}

int gob_decoder_new(const struct gob_limits *limits, struct gob_decoder **ret)
{
	struct gob_limits lim = limits ? *limits : (struct gob_limits){ 0 };
	struct gob_decoder *dec = calloc(1, sizeof(*dec));

	if (!dec)
		return -ENOMEM;
	dec->lim.max_message = or_default(lim.max_message, GOB_DEFAULT_MAX_MESSAGE);
	dec->lim.max_nodes = or_default(lim.max_nodes, GOB_DEFAULT_MAX_NODES);
	dec->lim.max_depth = (unsigned)or_default(lim.max_depth, GOB_DEFAULT_MAX_DEPTH);
	dec->lim.max_types = (unsigned)or_default(lim.max_types, GOB_DEFAULT_MAX_TYPES);
	dec->lim.max_fields = (unsigned)or_default(lim.max_fields, GOB_DEFAULT_MAX_FIELDS);
	*ret = dec;
	return 0;
}

void gob_decoder_reset(struct gob_decoder *dec)
{
	for (size_t i = 0; i < dec->n; i++)
		gob_type_free(dec->types[i]);
	dec->n = 0;
}

struct gob_decoder *gob_decoder_free(struct gob_decoder *dec)
{
	if (!dec)
		return NULL;
	gob_decoder_reset(dec);
	free(dec->types);
	free(dec);
	return NULL;
}

/* Index of the first defined type whose id is >= id. */
static size_t find_slot(const struct gob_decoder *dec, int64_t id)
{
	size_t lo = 0, hi = dec->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dec->types[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct gob_type *gob_decoder_type(const struct gob_decoder *dec, int32_t id)
{
	size_t i;

	if (id < GOB_PREDEFINED_IDS)
		return gob_predefined_type(id);
	i = find_slot(dec, id);
	return i < dec->n && dec->types[i]->id == id ? dec->types[i] : NULL;
}

static int insert_type(struct gob_decoder *dec, struct gob_type *t)
{
	size_t i = find_slot(dec, t->id);

	if (dec->n == dec->cap) {
		size_t cap = dec->cap ? 2 * dec->cap : 16;
		struct gob_type **types = realloc(dec->types, cap * sizeof(*types));

		if (!types)
			return -ENOMEM;
		dec->types = types;
		dec->cap = cap;
	}
	memmove(&dec->types[i + 1], &dec->types[i], (dec->n - i) * sizeof(*dec->types));
	dec->types[i] = t;
	dec->n++;
	return 0;
}

/* --- values ------------------------------------------------------------------------------ */

static int decode_scalar(struct dctx *c, enum gob_kind kind, struct gob_value **ret)
{
	struct gob_value *v = NULL;
	uint64_t u, im = 0;
	int err;

	err = gob_read_uint(c->r, &u);
	if (err >= 0 && kind == GOB_KIND_COMPLEX)
		err = gob_read_uint(c->r, &im);
	if (err < 0)
		return err;
	switch (kind) {
	case GOB_KIND_BOOL:
		v = gob_value_new_bool(u != 0);
		break;
	case GOB_KIND_INT:
		v = gob_value_new_int(gob_uint_to_int(u));
		break;
	case GOB_KIND_UINT:
		v = gob_value_new_uint(u);
		break;
	case GOB_KIND_FLOAT:
		v = gob_value_new_float(gob_uint_to_float(u));
		break;
	default:
		v = gob_value_new_complex(gob_uint_to_float(u), gob_uint_to_float(im));
		break;
	}
	if (!v)
		return -ENOMEM;
	*ret = v;
	return 0;
}

static int decode_str(struct dctx *c, enum gob_kind kind, struct gob_value **ret)
{
	const uint8_t *data;
	struct gob_value *v;
	size_t len;
	int err;

	err = gob_read_data(c->r, &data, &len);
	if (err < 0)
		return err;
	if (kind == GOB_KIND_STRING)
		v = gob_value_new_string_len((const char *)data, len);
	else
		v = gob_value_new_bytes(data, len);
	if (!v)
		return -ENOMEM;
	*ret = v;
	return 0;
}

/* Fields come as (delta from the previous field number, value) pairs, ended by delta 0. */
static int decode_struct(struct dctx *c, const struct gob_type *t, unsigned depth,
			 struct gob_value **ret)
{
	struct gob_value *v, *field;
	int64_t fieldnum = -1;
	uint64_t delta;
	int err;

	v = gob_value_new_struct_fs(t->fs);
	if (!v)
		return -ENOMEM;
	for (;;) {
		err = gob_read_uint(c->r, &delta);
		if (err < 0)
			goto err_free;
		if (!delta)
			break;
		err = -EINVAL;
		if (delta > (uint64_t)((int64_t)t->nfields - 1 - fieldnum))
			goto err_free;
		fieldnum += (int64_t)delta;
		err = decode_value(c, t->fields[fieldnum].ref.id, depth + 1, &field);
		if (err < 0)
			goto err_free;
		err = gob_struct_set_index(v, (size_t)fieldnum, field);
		if (err < 0)
			goto err_free;
	}
	*ret = v;
	return 0;

err_free:
	gob_value_free(v);
	return err;
}

/* Checks a count of elements taking at least min_bytes each before anything is allocated. */
static int check_count(struct dctx *c, uint64_t n, size_t min_bytes)
{
	if (n > gob_reader_left(c->r) / min_bytes)
		return -EINVAL;
	if (n * min_bytes > c->max_nodes - c->nodes)
		return -E2BIG;
	return 0;
}

static int decode_list(struct dctx *c, const struct gob_type *t, unsigned depth,
		       struct gob_value **ret)
{
	struct gob_value *v, *elem;
	uint64_t n;
	int err;

	err = gob_read_uint(c->r, &n);
	if (err < 0)
		return err;
	if (t->kind == GOB_KIND_ARRAY && n != t->len)
		return -EINVAL;
	err = check_count(c, n, 1);
	if (err < 0)
		return err;
	v = t->kind == GOB_KIND_ARRAY ? gob_value_new_array() : gob_value_new_slice();
	if (!v)
		return -ENOMEM;
	err = gob_value_reserve(v, (size_t)n);
	while (err >= 0 && v->list.n < n) {
		err = decode_value(c, t->elem.id, depth + 1, &elem);
		if (err >= 0)
			v->list.v[v->list.n++] = elem;
	}
	if (err < 0) {
		gob_value_free(v);
		return err;
	}
	*ret = v;
	return 0;
}

static int decode_map(struct dctx *c, const struct gob_type *t, unsigned depth,
		      struct gob_value **ret)
{
	struct gob_value *v, *key, *elem;
	uint64_t n;
	int err;

	err = gob_read_uint(c->r, &n);
	if (err < 0)
		return err;
	err = check_count(c, n, 2);
	if (err < 0)
		return err;
	v = gob_value_new_map();
	if (!v)
		return -ENOMEM;
	err = gob_value_reserve(v, (size_t)n);
	while (err >= 0 && v->map.n < n) {
		err = decode_value(c, t->key.id, depth + 1, &key);
		if (err < 0)
			break;
		err = decode_value(c, t->elem.id, depth + 1, &elem);
		if (err < 0) {
			gob_value_free(key);
			break;
		}
		v->map.kv[2 * v->map.n] = key;
		v->map.kv[2 * v->map.n + 1] = elem;
		v->map.n++;
	}
	if (err < 0) {
		gob_value_free(v);
		return err;
	}
	*ret = v;
	return 0;
}

static int decode_value(struct dctx *c, int32_t id, unsigned depth, struct gob_value **ret)
{
	const struct gob_type *t = gob_decoder_type(c->dec, id);

	if (!t)
		return -EPROTO;
	if (depth > c->max_depth || c->nodes >= c->max_nodes)
		return -E2BIG;
	c->nodes++;
	switch (t->kind) {
	case GOB_KIND_BOOL:
	case GOB_KIND_INT:
	case GOB_KIND_UINT:
	case GOB_KIND_FLOAT:
	case GOB_KIND_COMPLEX:
		return decode_scalar(c, t->kind, ret);
	case GOB_KIND_STRING:
		return decode_str(c, GOB_KIND_STRING, ret);
	case GOB_KIND_BYTES:
	case GOB_KIND_GOBENCODER:
		return decode_str(c, GOB_KIND_BYTES, ret);
	case GOB_KIND_STRUCT:
		return decode_struct(c, t, depth, ret);
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		return decode_list(c, t, depth, ret);
	case GOB_KIND_MAP:
		return decode_map(c, t, depth, ret);
	default:
		return -EOPNOTSUPP;
	}
}

/* --- definitions ------------------------------------------------------------------------- */

/* A type id inside a definition: present and in range. */
static int wire_id(const struct gob_value *v, int32_t *ret)
{
	int64_t id = gob_value_int(v);

	if (gob_value_kind(v) != GOB_KIND_INT || id <= 0 || id > INT32_MAX)
		return -EINVAL;
	*ret = (int32_t)id;
	return 0;
}

static int wire_fields(const struct gob_decoder *dec, const struct gob_value *fields,
		       struct gob_type *t)
{
	size_t n = gob_value_len(fields);
	int32_t id;
	int err;

	if (n > dec->lim.max_fields)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		const struct gob_value *f = gob_value_index(fields, i);

		err = wire_id(gob_struct_get_index(f, 1), &id);
		if (err < 0)
			return err;
		err = gob_type_add_field(t, gob_value_string(gob_struct_get_index(f, 0), NULL), id,
					 NULL, 0);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Fills t from the arrayType/sliceType/structType/mapType value body. */
static int wire_components(const struct gob_decoder *dec, const struct gob_value *body,
			   struct gob_type *t)
{
	int64_t len;
	int err;

	switch (t->kind) {
	case GOB_KIND_ARRAY:
		len = gob_value_int(gob_struct_get_index(body, 2));
		if (len < 0)
			return -EINVAL;
		t->len = (uint64_t)len;
		return wire_id(gob_struct_get_index(body, 1), &t->elem.id);
	case GOB_KIND_SLICE:
		return wire_id(gob_struct_get_index(body, 1), &t->elem.id);
	case GOB_KIND_STRUCT:
		return wire_fields(dec, gob_struct_get_index(body, 1), t);
	case GOB_KIND_MAP:
		err = wire_id(gob_struct_get_index(body, 1), &t->key.id);
		if (err < 0)
			return err;
		return wire_id(gob_struct_get_index(body, 2), &t->elem.id);
	default:
		return 0;
	}
}

static int type_from_wire(const struct gob_decoder *dec, const struct gob_value *wire, int32_t id,
			  struct gob_type **ret)
{
	static const enum gob_kind kinds[] = { GOB_KIND_ARRAY,	    GOB_KIND_SLICE,
					       GOB_KIND_STRUCT,	    GOB_KIND_MAP,
					       GOB_KIND_GOBENCODER, GOB_KIND_GOBENCODER,
					       GOB_KIND_GOBENCODER };
	const struct gob_value *body, *common;
	struct gob_type *t;
	int err;

	/* exactly one of wireType's pointers is set */
	if (wire->st.n != 1)
		return -EINVAL;
	body = wire->st.f[0].value;
	common = gob_struct_get_index(body, 0);
	t = gob_type_new(kinds[wire->st.f[0].index],
			 gob_value_string(gob_struct_get_index(common, 0), NULL));
	if (!t)
		return -ENOMEM;
	t->id = id;
	err = wire_components(dec, body, t);
	if (err < 0) {
		gob_type_free(t);
		return err;
	}
	*ret = t;
	return 0;
}

static int define_type(struct gob_decoder *dec, int64_t id, struct gob_reader *r)
{
	struct dctx c = { .dec = dec, .r = r, .max_nodes = dec->lim.max_nodes };
	struct gob_value *wire;
	struct gob_type *t;
	int err;

	if (id < GOB_MIN_USER_ID || id > INT32_MAX || gob_decoder_type(dec, (int32_t)id))
		return -EINVAL;
	if (dec->n >= dec->lim.max_types)
		return -E2BIG;
	c.max_depth = GOB_DEF_MAX_DEPTH;
	err = decode_value(&c, GOB_ID_WIRE_TYPE, 1, &wire);
	if (err < 0)
		return err;
	err = type_from_wire(dec, wire, (int32_t)id, &t);
	gob_value_free(wire);
	if (err < 0)
		return err;
	err = insert_type(dec, t);
	if (err < 0)
		gob_type_free(t);
	return err;
}

/* --- messages ---------------------------------------------------------------------------- */

/* A top-level value: non-struct values follow a zero "singleton field" byte. */
static int decode_top(struct gob_decoder *dec, int64_t id, struct gob_reader *r,
		      struct gob_value **ret)
{
	struct dctx c = { .dec = dec, .r = r, .max_nodes = dec->lim.max_nodes };
	const struct gob_type *t;
	uint64_t singleton;
	int err;

	if (id > INT32_MAX)
		return -EPROTO;
	t = gob_decoder_type(dec, (int32_t)id);
	if (!t)
		return -EPROTO;
	if (t->kind != GOB_KIND_STRUCT) {
		err = gob_read_uint(r, &singleton);
		if (err < 0)
			return err;
		if (singleton)
			return -EINVAL;
	}
	c.max_depth = dec->lim.max_depth;
	return decode_value(&c, (int32_t)id, 1, ret);
}

static int decode_body(struct gob_decoder *dec, struct gob_reader *body, int32_t *ret_id,
		       struct gob_value **ret_value)
{
	struct gob_value *v = NULL;
	int64_t id;
	int err;

	err = gob_read_int(body, &id);
	if (err < 0)
		return err;
	if (id < 0)
		err = id < -(int64_t)INT32_MAX ? -EINVAL : define_type(dec, -id, body);
	else
		err = decode_top(dec, id, body, &v);
	if (err < 0)
		return err;
	if (gob_reader_left(body)) {
		gob_value_free(v);
		return -EINVAL;
	}
	*ret_id = (int32_t)id;
	*ret_value = v;
	return 0;
}

int gob_decode_message(struct gob_decoder *dec, const void *buf, size_t len, size_t *ret_used,
		       int32_t *ret_id, struct gob_value **ret_value)
{
	struct gob_reader r = { .p = buf, .len = len };
	struct gob_reader body;
	uint64_t n;
	int err;

	err = gob_read_uint(&r, &n);
	if (err < 0)
		return err;
	if (!n)
		return -EINVAL;
	if (n > dec->lim.max_message)
		return -E2BIG;
	if (n > gob_reader_left(&r))
		return -ENODATA;
	body = (struct gob_reader){ .p = r.p + r.pos, .len = (size_t)n };
	err = decode_body(dec, &body, ret_id, ret_value);
	if (err == -ENODATA)
		return -EINVAL; /* the message is whole: its contents are cut */
	if (err < 0)
		return err;
	*ret_used = r.pos + (size_t)n;
	return 0;
}

int gob_decode_next(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
		    struct gob_value **ret_value)
{
	const uint8_t *p = buf;
	struct gob_value *v;
	size_t used;
	int32_t id;
	int err;

	while (*pos < len) {
		err = gob_decode_message(dec, p + *pos, len - *pos, &used, &id, &v);
		if (err == -ENODATA)
			return -EINVAL;
		if (err < 0)
			return err;
		*pos += used;
		if (v) {
			*ret_value = v;
			return 1;
		}
	}
	*ret_value = NULL;
	return 0;
}

void gob_values_free(struct gob_value **values, size_t n)
{
	if (!values)
		return;
	for (size_t i = 0; i < n; i++)
		gob_value_free(values[i]);
	free(values);
}

static int push_value(struct gob_value ***values, size_t *n, struct gob_value *v)
{
	struct gob_value **p;

	p = realloc(*values, (*n + 1) * sizeof(*p));
	if (!p) {
		gob_value_free(v);
		return -ENOMEM;
	}
	p[(*n)++] = v;
	*values = p;
	return 0;
}

int gob_decode_stream(const void *buf, size_t len, const struct gob_limits *limits,
		      struct gob_value ***ret_values, size_t *ret_n)
{
	struct gob_value **values = NULL, *v;
	struct gob_decoder *dec;
	size_t n = 0, pos = 0;
	int r;

	r = gob_decoder_new(limits, &dec);
	if (r < 0)
		return r;
	while ((r = gob_decode_next(dec, buf, len, &pos, &v)) > 0) {
		r = push_value(&values, &n, v);
		if (r < 0)
			break;
	}
	gob_decoder_free(dec);
	if (r < 0) {
		gob_values_free(values, n);
		return r;
	}
	*ret_values = values;
	*ret_n = n;
	return 0;
}
