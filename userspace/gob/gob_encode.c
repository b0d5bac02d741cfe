// SPDX-License-Identifier: GPL-2.0
/* Gob stream encoder: writes type definitions in the order Go's Encoder.sendType does (a type,
 * then the types it contains, each once per stream) and values with Go's zero-field omission. */
#include "gob/gob_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gob_encoder {
	struct gob_schema *schema;
	struct gob_buf out;
	const struct gob_type **sent; /* types defined in this stream */
	size_t nsent, cap;
	int err; /* first error of the current gob_encode() */
};

int gob_encoder_new(struct gob_schema *s, struct gob_encoder **ret)
{
	struct gob_encoder *enc;

	if (!s)
		return -EINVAL;
	enc = calloc(1, sizeof(*enc));
	if (!enc)
		return -ENOMEM;
	enc->schema = s;
	enc->out.max = GOB_ENC_MAX_OUTPUT;
	*ret = enc;
	return 0;
}

struct gob_encoder *gob_encoder_free(struct gob_encoder *enc)
{
	if (!enc)
		return NULL;
	free(enc->out.data);
	free(enc->sent);
	free(enc);
	return NULL;
}

void gob_encoder_reset(struct gob_encoder *enc)
{
	enc->out.len = 0;
	enc->nsent = 0;
}

const uint8_t *gob_encoder_data(const struct gob_encoder *enc, size_t *ret_len)
{
	*ret_len = enc->out.len;
	return enc->out.data;
}

/* Output helpers: after the first error they do nothing, enc->err keeps it. */
static int fail(struct gob_encoder *enc, int err)
{
	if (!enc->err)
		enc->err = err;
	return enc->err;
}

static int put_uint(struct gob_encoder *enc, uint64_t x)
{
	if (!enc->err)
		fail(enc, gob_buf_put_uint(&enc->out, x));
	return enc->err;
}

static int put_int(struct gob_encoder *enc, int64_t i)
{
	return put_uint(enc, gob_int_to_uint(i));
}

static int put_data(struct gob_encoder *enc, const void *data, size_t len)
{
	if (!enc->err)
		fail(enc, gob_buf_put_data(&enc->out, data, len));
	return enc->err;
}

static int frame(struct gob_encoder *enc, size_t start)
{
	if (!enc->err)
		fail(enc, gob_buf_frame(&enc->out, start));
	return enc->err;
}

/* --- type definitions -------------------------------------------------------------------- */

static bool is_sent(const struct gob_encoder *enc, const struct gob_type *t)
{
	for (size_t i = 0; i < enc->nsent; i++)
		if (enc->sent[i] == t)
			return true;
	return false;
}

static int mark_sent(struct gob_encoder *enc, const struct gob_type *t)
{
	if (enc->err)
		return enc->err;
	if (enc->nsent == enc->cap) {
		size_t cap = enc->cap ? 2 * enc->cap : 16;
		const struct gob_type **sent = realloc(enc->sent, cap * sizeof(*sent));

		if (!sent)
			return fail(enc, -ENOMEM);
		enc->sent = sent;
		enc->cap = cap;
	}
	enc->sent[enc->nsent++] = t;
	return 0;
}

/* A string or int struct field: delta (from *fieldnum) and value, omitted when zero. */
static void put_name_field(struct gob_encoder *enc, int *fieldnum, int num, const char *s)
{
	if (!*s)
		return;
	put_uint(enc, (uint64_t)(num - *fieldnum));
	put_data(enc, s, strlen(s));
	*fieldnum = num;
}

static void put_int_field(struct gob_encoder *enc, int *fieldnum, int num, int64_t i)
{
	if (!i)
		return;
	put_uint(enc, (uint64_t)(num - *fieldnum));
	put_int(enc, i);
	*fieldnum = num;
}

/* CommonType{Name, Id} as the first field of arrayType/sliceType/structType/mapType. */
static void put_common(struct gob_encoder *enc, const struct gob_type *t)
{
	int fieldnum = -1;

	put_uint(enc, 1);
	put_name_field(enc, &fieldnum, 0, t->name);
	put_int_field(enc, &fieldnum, 1, t->id);
	put_uint(enc, 0);
}

static void put_struct_fields(struct gob_encoder *enc, const struct gob_type *t)
{
	if (!t->nfields)
		return;
	put_uint(enc, 1);
	put_uint(enc, t->nfields);
	for (size_t i = 0; i < t->nfields; i++) {
		int fieldnum = -1;

		put_name_field(enc, &fieldnum, 0, t->fs->names[i]);
		put_int_field(enc, &fieldnum, 1, t->fields[i].ref.type->id);
		put_uint(enc, 0);
	}
}

/* One message: -id, then the wireType struct with the one pointer field for t's kind. */
static void put_definition(struct gob_encoder *enc, const struct gob_type *t)
{
	size_t start = enc->out.len;
	int fieldnum = 0; /* of the inner type, after CommonType */

	put_int(enc, -(int64_t)t->id);
	switch (t->kind) {
	case GOB_KIND_ARRAY:
		put_uint(enc, 1);
		put_common(enc, t);
		put_int_field(enc, &fieldnum, 1, t->elem.type->id);
		put_int_field(enc, &fieldnum, 2, (int64_t)t->len);
		break;
	case GOB_KIND_SLICE:
		put_uint(enc, 2);
		put_common(enc, t);
		put_int_field(enc, &fieldnum, 1, t->elem.type->id);
		break;
	case GOB_KIND_STRUCT:
		put_uint(enc, 3);
		put_common(enc, t);
		put_struct_fields(enc, t);
		break;
	default:
		put_uint(enc, 4);
		put_common(enc, t);
		put_int_field(enc, &fieldnum, 1, t->key.type->id);
		put_int_field(enc, &fieldnum, 2, t->elem.type->id);
		break;
	}
	put_uint(enc, 0); /* end of the inner type */
	put_uint(enc, 0); /* end of wireType */
	frame(enc, start);
}

static bool components_ok(const struct gob_type *t)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (!t->fields[i].ref.type)
			return false;
	if ((t->kind == GOB_KIND_SLICE || t->kind == GOB_KIND_ARRAY) && !t->elem.type)
		return false;
	return t->kind != GOB_KIND_MAP || (t->key.type && t->elem.type);
}

/* Go's sendType: predefined types are never described; a composite type is described once,
 * before the types it contains. */
static int send_type(struct gob_encoder *enc, const struct gob_type *t)
{
	if (enc->err || t->is_static || is_sent(enc, t))
		return enc->err;
	if (!components_ok(t) || !t->id)
		return fail(enc, -EINVAL);
	put_definition(enc, t);
	mark_sent(enc, t);
	switch (t->kind) {
	case GOB_KIND_STRUCT:
		for (size_t i = 0; i < t->nfields; i++)
			send_type(enc, t->fields[i].ref.type);
		break;
	case GOB_KIND_MAP:
		send_type(enc, t->key.type);
		send_type(enc, t->elem.type);
		break;
	default:
		send_type(enc, t->elem.type);
		break;
	}
	return enc->err;
}

/* --- values ------------------------------------------------------------------------------ */

static int enc_value(struct gob_encoder *enc, const struct gob_type *t, const struct gob_value *v,
		     unsigned depth);

/* Whether Go sends a struct field the value lacks: a by-value struct or array, as a zero one. */
static bool sent_when_absent(const struct gob_field *f)
{
	const struct gob_type *ft = f->ref.type;

	return !(f->flags & GOB_FIELD_POINTER) &&
	       (ft->kind == GOB_KIND_STRUCT || ft->kind == GOB_KIND_ARRAY);
}

/* Go's zero value of t where zeros are sent (array elements, map entries, by-value fields). */
static int enc_zero(struct gob_encoder *enc, const struct gob_type *t, unsigned depth)
{
	int64_t fieldnum = -1;

	if (enc->err)
		return enc->err;
	if (!t)
		return fail(enc, -EINVAL);
	if (depth > GOB_ENC_MAX_DEPTH)
		return fail(enc, -E2BIG);
	switch (t->kind) {
	case GOB_KIND_ARRAY:
		put_uint(enc, t->len);
		for (uint64_t i = 0; i < t->len && !enc->err; i++)
			enc_zero(enc, t->elem.type, depth + 1);
		return enc->err;
	case GOB_KIND_STRUCT:
		for (size_t i = 0; i < t->nfields; i++) {
			if (!t->fields[i].ref.type)
				return fail(enc, -EINVAL);
			if (!sent_when_absent(&t->fields[i]))
				continue;
			put_uint(enc, (uint64_t)((int64_t)i - fieldnum));
			fieldnum = (int64_t)i;
			enc_zero(enc, t->fields[i].ref.type, depth + 1);
		}
		put_uint(enc, 0);
		return enc->err;
	case GOB_KIND_COMPLEX:
		put_uint(enc, 0);
		put_uint(enc, 0);
		return enc->err;
	case GOB_KIND_INTERFACE:
	case GOB_KIND_GOBENCODER:
		return fail(enc, -EOPNOTSUPP);
	default:
		return put_uint(enc, 0); /* false, 0, empty string/bytes/slice, nil map */
	}
}

/* Whether Go leaves this struct field out: zero scalars, empty strings and slices. Present
 * maps (even empty), structs and arrays are always sent. */
static bool omitted(const struct gob_value *v)
{
	switch (v->kind) {
	case GOB_KIND_STRUCT:
	case GOB_KIND_ARRAY:
	case GOB_KIND_MAP:
		return false;
	default:
		return gob_value_is_zero(v);
	}
}

static const struct gob_value *field_value(const struct gob_type *t, const struct gob_value *v,
					   size_t i)
{
	if (v->st.fs == t->fs)
		return gob_struct_get_index(v, i);
	return gob_struct_get(v, t->fs->names[i]);
}

static int enc_struct(struct gob_encoder *enc, const struct gob_type *t, const struct gob_value *v,
		      unsigned depth)
{
	size_t matched = 0;
	int64_t fieldnum = -1;

	for (size_t i = 0; i < t->nfields && !enc->err; i++) {
		const struct gob_type *ft = t->fields[i].ref.type;
		const struct gob_value *fv = field_value(t, v, i);

		if (!ft)
			return fail(enc, -EINVAL);
		if (fv)
			matched++;
		/* a zero value of the wrong kind still goes on to fail in enc_value() */
		if (fv ? omitted(fv) && fv->kind == ft->kind : !sent_when_absent(&t->fields[i]))
			continue;
		put_uint(enc, (uint64_t)((int64_t)i - fieldnum));
		fieldnum = (int64_t)i;
		if (fv)
			enc_value(enc, ft, fv, depth + 1);
		else
			enc_zero(enc, ft, depth + 1);
	}
	if (matched != v->st.n)
		return fail(enc, -EPROTO); /* fields the type does not have */
	return put_uint(enc, 0);
}

static int enc_list(struct gob_encoder *enc, const struct gob_type *t, const struct gob_value *v,
		    unsigned depth)
{
	if (t->kind == GOB_KIND_ARRAY && v->list.n != t->len)
		return fail(enc, -EPROTO);
	put_uint(enc, v->list.n);
	for (size_t i = 0; i < v->list.n && !enc->err; i++)
		enc_value(enc, t->elem.type, v->list.v[i], depth + 1);
	return enc->err;
}

static int enc_map(struct gob_encoder *enc, const struct gob_type *t, const struct gob_value *v,
		   unsigned depth)
{
	put_uint(enc, v->map.n);
	for (size_t i = 0; i < v->map.n && !enc->err; i++) {
		enc_value(enc, t->key.type, v->map.kv[2 * i], depth + 1);
		enc_value(enc, t->elem.type, v->map.kv[2 * i + 1], depth + 1);
	}
	return enc->err;
}

/* A value where zeros are sent (top level, elements, present fields). */
static int enc_value(struct gob_encoder *enc, const struct gob_type *t, const struct gob_value *v,
		     unsigned depth)
{
	if (enc->err)
		return enc->err;
	if (!t || !v)
		return fail(enc, -EINVAL);
	if (depth > GOB_ENC_MAX_DEPTH)
		return fail(enc, -E2BIG);
	if (v->kind != t->kind)
		return fail(enc, -EPROTO);
	switch (v->kind) {
	case GOB_KIND_BOOL:
		return put_uint(enc, v->b);
	case GOB_KIND_INT:
		return put_int(enc, v->i);
	case GOB_KIND_UINT:
		return put_uint(enc, v->u);
	case GOB_KIND_FLOAT:
		return put_uint(enc, gob_float_to_uint(v->f));
	case GOB_KIND_COMPLEX:
		put_uint(enc, gob_float_to_uint(v->c[0]));
		return put_uint(enc, gob_float_to_uint(v->c[1]));
	case GOB_KIND_STRING:
	case GOB_KIND_BYTES:
		return put_data(enc, v->str.data, v->str.len);
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		return enc_list(enc, t, v, depth);
	case GOB_KIND_MAP:
		return enc_map(enc, t, v, depth);
	case GOB_KIND_STRUCT:
		return enc_struct(enc, t, v, depth);
	default:
		return fail(enc, -EOPNOTSUPP);
	}
}

int gob_encode(struct gob_encoder *enc, const struct gob_type *type, const struct gob_value *v)
{
	size_t len = enc->out.len, nsent = enc->nsent, start;
	int err;

	if (!v)
		return -EINVAL;
	if (!type)
		type = gob_builtin_type(v->kind);
	if (!type)
		return -EINVAL;
	err = gob_schema_build_type(enc->schema, type);
	if (err < 0)
		return err;
	enc->err = 0;
	send_type(enc, type);
	start = enc->out.len;
	put_int(enc, type->id);
	if (type->kind == GOB_KIND_STRUCT) {
		if (v->kind != GOB_KIND_STRUCT)
			fail(enc, -EPROTO);
		else
			enc_struct(enc, type, v, 1);
	} else {
		put_uint(enc, 0); /* singleton: no struct around the value */
		enc_value(enc, type, v, 1);
	}
	frame(enc, start);
	err = enc->err;
	if (err < 0) {
		enc->out.len = len;
		enc->nsent = nsent;
	}
	return err;
}
