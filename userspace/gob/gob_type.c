// SPDX-License-Identifier: GPL-2.0
/* Gob types: the predefined ones (scalars and the wireType family that describes definitions),
 * refcounted field-name sets, and the schema that assigns type ids in Go's order. */
#include "gob/gob_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct gob_schema {
	struct gob_type **types;
	size_t n, cap;
	int32_t next_id;
};

/* --- predefined types ------------------------------------------------------------------- */

/* Initializers of the static tables below. */
// clang-format off
#define SCALAR(k, nm) { .kind = (k), .id = (int32_t)(k), .is_static = true, .name = (nm) }
#define FIELD(i, t) { .ref = { .id = (i), .type = (t) } }
#define PTR_FIELD(i, t) { .ref = { .id = (i), .type = (t) }, .flags = GOB_FIELD_POINTER }
#define FIELDSET(nm, arr) { .type_name = (nm), .n = sizeof(arr) / sizeof(arr[0]), .names = (arr) }
#define STRUCT(i, nm, fset, flds) {						\
	.kind = GOB_KIND_STRUCT, .id = (i), .is_static = true, .name = (nm),		\
	.fs = (struct gob_fieldset *)&(fset), .fields = (struct gob_field *)(flds),	\
	.nfields = sizeof(flds) / sizeof(flds[0]),					\
}
// clang-format on

static const struct gob_type t_bool = SCALAR(GOB_KIND_BOOL, "bool");
static const struct gob_type t_int = SCALAR(GOB_KIND_INT, "int");
static const struct gob_type t_uint = SCALAR(GOB_KIND_UINT, "uint");
static const struct gob_type t_float = SCALAR(GOB_KIND_FLOAT, "float");
static const struct gob_type t_bytes = SCALAR(GOB_KIND_BYTES, "bytes");
static const struct gob_type t_string = SCALAR(GOB_KIND_STRING, "string");
static const struct gob_type t_complex = SCALAR(GOB_KIND_COMPLEX, "complex");
static const struct gob_type t_interface = SCALAR(GOB_KIND_INTERFACE, "interface");

/* CommonType{Name string; Id typeId} */
static const char *const common_names[] = { "Name", "Id" };
static const struct gob_fieldset common_fs = FIELDSET("CommonType", common_names);
static const struct gob_field common_fields[] = { FIELD(GOB_ID_STRING, &t_string),
						  FIELD(GOB_ID_INT, &t_int) };
static const struct gob_type t_common =
	STRUCT(GOB_ID_COMMON_TYPE, "CommonType", common_fs, common_fields);

/* fieldType{Name string; Id typeId} and []*fieldType */
static const struct gob_fieldset field_fs = FIELDSET("fieldType", common_names);
static const struct gob_type t_field =
	STRUCT(GOB_ID_FIELD_TYPE, "fieldType", field_fs, common_fields);
static const struct gob_type t_field_slice = {
	.kind = GOB_KIND_SLICE,
	.id = GOB_ID_FIELD_TYPE_SLICE,
	.is_static = true,
	.name = "[]*gob.fieldType",
	.elem = { .id = GOB_ID_FIELD_TYPE, .type = &t_field },
};

/* arrayType{CommonType; Elem typeId; Len int} */
static const char *const array_names[] = { "CommonType", "Elem", "Len" };
static const struct gob_fieldset array_fs = FIELDSET("arrayType", array_names);
static const struct gob_field array_fields[] = { FIELD(GOB_ID_COMMON_TYPE, &t_common),
						 FIELD(GOB_ID_INT, &t_int),
						 FIELD(GOB_ID_INT, &t_int) };
static const struct gob_type t_array =
	STRUCT(GOB_ID_ARRAY_TYPE, "arrayType", array_fs, array_fields);

/* sliceType{CommonType; Elem typeId} */
static const char *const slice_names[] = { "CommonType", "Elem" };
static const struct gob_fieldset slice_fs = FIELDSET("sliceType", slice_names);
static const struct gob_type t_slice = {
	.kind = GOB_KIND_STRUCT,
	.id = GOB_ID_SLICE_TYPE,
	.is_static = true,
	.name = "sliceType",
	.fs = (struct gob_fieldset *)&slice_fs,
	.fields = (struct gob_field *)array_fields,
	.nfields = 2,
};

/* structType{CommonType; Field []*fieldType} */
static const char *const struct_names[] = { "CommonType", "Field" };
static const struct gob_fieldset struct_fs = FIELDSET("structType", struct_names);
static const struct gob_field struct_fields[] = { FIELD(GOB_ID_COMMON_TYPE, &t_common),
						  FIELD(GOB_ID_FIELD_TYPE_SLICE, &t_field_slice) };
static const struct gob_type t_struct =
	STRUCT(GOB_ID_STRUCT_TYPE, "structType", struct_fs, struct_fields);

/* mapType{CommonType; Key typeId; Elem typeId} */
static const char *const map_names[] = { "CommonType", "Key", "Elem" };
static const struct gob_fieldset map_fs = FIELDSET("mapType", map_names);
static const struct gob_type t_map = STRUCT(GOB_ID_MAP_TYPE, "mapType", map_fs, array_fields);

/* gobEncoderType{CommonType} */
static const char *const gobenc_names[] = { "CommonType" };
static const struct gob_fieldset gobenc_fs = FIELDSET("gobEncoderType", gobenc_names);
static const struct gob_type t_gobenc = {
	.kind = GOB_KIND_STRUCT,
	.id = GOB_ID_GOBENCODER_TYPE,
	.is_static = true,
	.name = "gobEncoderType",
	.fs = (struct gob_fieldset *)&gobenc_fs,
	.fields = (struct gob_field *)struct_fields,
	.nfields = 1,
};

/* wireType: exactly one of these pointers is set in a definition */
static const char *const wire_names[] = { "ArrayT",	   "SliceT",	  "StructT",
					  "MapT",	   "GobEncoderT", "BinaryMarshalerT",
					  "TextMarshalerT" };
static const struct gob_fieldset wire_fs = FIELDSET("wireType", wire_names);
static const struct gob_field wire_fields[] = {
	PTR_FIELD(GOB_ID_ARRAY_TYPE, &t_array),	      PTR_FIELD(GOB_ID_SLICE_TYPE, &t_slice),
	PTR_FIELD(GOB_ID_STRUCT_TYPE, &t_struct),     PTR_FIELD(GOB_ID_MAP_TYPE, &t_map),
	PTR_FIELD(GOB_ID_GOBENCODER_TYPE, &t_gobenc), PTR_FIELD(GOB_ID_GOBENCODER_TYPE, &t_gobenc),
	PTR_FIELD(GOB_ID_GOBENCODER_TYPE, &t_gobenc),
};
static const struct gob_type t_wire = STRUCT(GOB_ID_WIRE_TYPE, "wireType", wire_fs, wire_fields);

static const struct gob_type *const predefined[GOB_PREDEFINED_IDS] = {
	[GOB_ID_BOOL] = &t_bool,
	[GOB_ID_INT] = &t_int,
	[GOB_ID_UINT] = &t_uint,
	[GOB_ID_FLOAT] = &t_float,
	[GOB_ID_BYTES] = &t_bytes,
	[GOB_ID_STRING] = &t_string,
	[GOB_ID_COMPLEX] = &t_complex,
	[GOB_ID_INTERFACE] = &t_interface,
	[GOB_ID_WIRE_TYPE] = &t_wire,
	[GOB_ID_ARRAY_TYPE] = &t_array,
	[GOB_ID_COMMON_TYPE] = &t_common,
	[GOB_ID_SLICE_TYPE] = &t_slice,
	[GOB_ID_STRUCT_TYPE] = &t_struct,
	[GOB_ID_FIELD_TYPE] = &t_field,
	[GOB_ID_FIELD_TYPE_SLICE] = &t_field_slice,
	[GOB_ID_MAP_TYPE] = &t_map,
	[GOB_ID_GOBENCODER_TYPE] = &t_gobenc,
};

const struct gob_type *gob_predefined_type(int64_t id)
{
	if (id < 0 || id >= GOB_PREDEFINED_IDS)
		return NULL;
	return predefined[id];
}

const struct gob_type *gob_builtin_type(enum gob_kind kind)
{
	if (kind < GOB_KIND_BOOL || kind > GOB_KIND_COMPLEX)
		return NULL;
	return predefined[kind];
}

enum gob_kind gob_type_kind(const struct gob_type *t)
{
	return t ? t->kind : 0;
}

const char *gob_type_name(const struct gob_type *t)
{
	return t ? t->name : NULL;
}

int32_t gob_type_id(const struct gob_type *t)
{
	return t ? t->id : 0;
}

/* --- field-name sets and type objects ---------------------------------------------------- */

struct gob_fieldset *gob_fieldset_ref(struct gob_fieldset *fs)
{
	if (fs && fs->refs)
		fs->refs++;
	return fs;
}

void gob_fieldset_unref(struct gob_fieldset *fs)
{
	if (!fs || !fs->refs || --fs->refs)
		return;
	for (size_t i = 0; i < fs->n; i++)
		free((char *)fs->names[i]);
	free((char **)fs->names);
	free((char *)fs->type_name);
	free(fs);
}

static struct gob_fieldset *fieldset_new(const char *type_name)
{
	struct gob_fieldset *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->type_name = strdup(type_name);
	if (!fs->type_name) {
		free(fs);
		return NULL;
	}
	return fs;
}

struct gob_type *gob_type_new(enum gob_kind kind, const char *name)
{
	struct gob_type *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kind = kind;
	t->name = strdup(name ? name : "");
	if (!t->name)
		goto err_free_type;
	if (kind == GOB_KIND_STRUCT) {
		t->fs = fieldset_new(t->name);
		if (!t->fs)
			goto err_free_name;
	}
	return t;

err_free_name:
	free((char *)t->name);
err_free_type:
	free(t);
	return NULL;
}

void gob_type_free(struct gob_type *t)
{
	if (!t || t->is_static)
		return;
	gob_fieldset_unref(t->fs);
	free(t->fields);
	free((char *)t->name);
	free(t);
}

/* Appends a field. The name set must not be shared with values yet. */
int gob_type_add_field(struct gob_type *st, const char *name, int32_t id,
		       const struct gob_type *type, unsigned flags)
{
	struct gob_fieldset *fs = st->fs;
	struct gob_field *fields;
	const char **names;
	char *copy;

	if (fs->refs != 1)
		return -EBUSY;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	names = realloc((char **)fs->names, (fs->n + 1) * sizeof(*names));
	if (!names)
		goto err_free_copy;
	fs->names = names;
	fields = realloc(st->fields, (st->nfields + 1) * sizeof(*fields));
	if (!fields)
		goto err_free_copy;
	st->fields = fields;
	names[fs->n++] = copy;
	fields[st->nfields++] =
		(struct gob_field){ .ref = { .id = id, .type = type }, .flags = flags };
	return 0;

err_free_copy:
	free(copy);
	return -ENOMEM;
}

/* --- schema ------------------------------------------------------------------------------ */

int gob_schema_new(struct gob_schema **ret)
{
	struct gob_schema *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->next_id = GOB_FIRST_USER_ID;
	*ret = s;
	return 0;
}

struct gob_schema *gob_schema_free(struct gob_schema *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		gob_type_free(s->types[i]);
	free(s->types);
	free(s);
	return NULL;
}

int gob_schema_set_next_id(struct gob_schema *s, int32_t id)
{
	if (id < s->next_id)
		return -EINVAL;
	s->next_id = id;
	return 0;
}

static int schema_add(struct gob_schema *s, enum gob_kind kind, const char *name,
		      struct gob_type **ret)
{
	struct gob_type *t;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct gob_type **types = realloc(s->types, cap * sizeof(*types));

		if (!types)
			return -ENOMEM;
		s->types = types;
		s->cap = cap;
	}
	t = gob_type_new(kind, name);
	if (!t)
		return -ENOMEM;
	s->types[s->n++] = t;
	*ret = t;
	return 0;
}

int gob_schema_new_struct(struct gob_schema *s, const char *name, struct gob_type **ret)
{
	return schema_add(s, GOB_KIND_STRUCT, name, ret);
}

static bool has_field(const struct gob_type *st, const char *name)
{
	for (size_t i = 0; i < st->fs->n; i++)
		if (!strcmp(st->fs->names[i], name))
			return true;
	return false;
}

int gob_struct_type_add_field(struct gob_type *st, const char *name, const struct gob_type *type,
			      unsigned flags)
{
	if (!st || !name || !type || st->kind != GOB_KIND_STRUCT)
		return -EINVAL;
	if (st->is_static || st->present)
		return -EBUSY;
	if (has_field(st, name))
		return -EEXIST;
	return gob_type_add_field(st, name, 0, type, flags);
}

int gob_schema_new_slice(struct gob_schema *s, const char *name, const struct gob_type *elem,
			 const struct gob_type **ret)
{
	struct gob_type *t;
	int err;

	if (!elem)
		return -EINVAL;
	err = schema_add(s, GOB_KIND_SLICE, name, &t);
	if (err < 0)
		return err;
	t->elem.type = elem;
	*ret = t;
	return 0;
}

int gob_schema_new_array(struct gob_schema *s, const char *name, const struct gob_type *elem,
			 uint64_t len, const struct gob_type **ret)
{
	struct gob_type *t;
	int err;

	if (!elem || len > INT64_MAX)
		return -EINVAL;
	err = schema_add(s, GOB_KIND_ARRAY, name, &t);
	if (err < 0)
		return err;
	t->elem.type = elem;
	t->len = len;
	*ret = t;
	return 0;
}

int gob_schema_new_map(struct gob_schema *s, const char *name, const struct gob_type *key,
		       const struct gob_type *elem, const struct gob_type **ret)
{
	struct gob_type *t;
	int err;

	if (!key || !elem)
		return -EINVAL;
	err = schema_add(s, GOB_KIND_MAP, name, &t);
	if (err < 0)
		return err;
	t->key.type = key;
	t->elem.type = elem;
	*ret = t;
	return 0;
}

/* Go's setTypeId: the next id, unless the type already has one. */
static int set_id(struct gob_schema *s, const struct gob_type *ct)
{
	struct gob_type *t = (struct gob_type *)ct;

	if (t->is_static || t->id)
		return 0;
	if (s->next_id == INT32_MAX)
		return -E2BIG;
	t->id = s->next_id++;
	return 0;
}

static int build_struct(struct gob_schema *s, struct gob_type *t)
{
	int err;

	/* structs take their id before their fields' types */
	err = set_id(s, t);
	for (size_t i = 0; err >= 0 && i < t->nfields; i++) {
		err = gob_schema_build_type(s, t->fields[i].ref.type);
		if (err >= 0)
			err = set_id(s, t->fields[i].ref.type);
	}
	return err;
}

/* Mirrors newTypeObject(): a type enters the table before its components are built, so a
 * recursive reference finds it (possibly still without an id); slices, arrays and maps take
 * their id after their components. */
int gob_schema_build_type(struct gob_schema *s, const struct gob_type *ct)
{
	struct gob_type *t = (struct gob_type *)ct;
	int err = 0;

	if (!t)
		return -EINVAL;
	if (t->is_static || t->present)
		return 0;
	t->present = true;
	switch (t->kind) {
	case GOB_KIND_STRUCT:
		return build_struct(s, t);
	case GOB_KIND_SLICE:
		err = gob_schema_build_type(s, t->elem.type);
		if (err >= 0)
			err = set_id(s, t);
		if (err >= 0)
			err = set_id(s, t->elem.type);
		return err;
	case GOB_KIND_ARRAY:
		err = gob_schema_build_type(s, t->elem.type);
		return err < 0 ? err : set_id(s, t);
	case GOB_KIND_MAP:
		err = gob_schema_build_type(s, t->key.type);
		if (err >= 0)
			err = gob_schema_build_type(s, t->elem.type);
		return err < 0 ? err : set_id(s, t);
	default:
		return -EINVAL;
	}
}

int gob_schema_build(struct gob_schema *s, const struct gob_type *t, int32_t *ret_id)
{
	int err;

	err = gob_schema_build_type(s, t);
	if (err < 0)
		return err;
	if (ret_id)
		*ret_id = t->id;
	return 0;
}

/* --- importing a decoder's types --------------------------------------------------------- */

struct import_ctx {
	struct gob_schema *s;
	const struct gob_decoder *dec;
	struct {
		int32_t id;
		const struct gob_type *type;
	} * memo;
	size_t n, cap;
	unsigned depth;
};

static int import_id(struct import_ctx *c, int32_t id, const struct gob_type **ret);

static int memo_add(struct import_ctx *c, int32_t id, const struct gob_type *t)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		void *memo = realloc(c->memo, cap * sizeof(*c->memo));

		if (!memo)
			return -ENOMEM;
		c->memo = memo;
		c->cap = cap;
	}
	c->memo[c->n].id = id;
	c->memo[c->n++].type = t;
	return 0;
}

static int import_fields(struct import_ctx *c, const struct gob_type *dt, struct gob_type *t)
{
	const struct gob_type *ft;
	int err;

	for (size_t i = 0; i < dt->nfields; i++) {
		err = import_id(c, dt->fields[i].ref.id, &ft);
		if (err < 0)
			return err;
		err = gob_struct_type_add_field(t, dt->fs->names[i], ft, GOB_FIELD_POINTER);
		if (err < 0)
			return err;
	}
	return 0;
}

static int import_components(struct import_ctx *c, const struct gob_type *dt, struct gob_type *t)
{
	int err;

	switch (dt->kind) {
	case GOB_KIND_STRUCT:
		return import_fields(c, dt, t);
	case GOB_KIND_MAP:
		err = import_id(c, dt->key.id, &t->key.type);
		if (err < 0)
			return err;
		/* fall through */
	case GOB_KIND_SLICE:
	case GOB_KIND_ARRAY:
		t->len = dt->len;
		return import_id(c, dt->elem.id, &t->elem.type);
	default:
		return -EOPNOTSUPP;
	}
}

static int import_id(struct import_ctx *c, int32_t id, const struct gob_type **ret)
{
	const struct gob_type *dt;
	struct gob_type *t;
	int err;

	for (size_t i = 0; i < c->n; i++) {
		if (c->memo[i].id == id) {
			*ret = c->memo[i].type;
			return 0;
		}
	}
	dt = gob_decoder_type(c->dec, id);
	if (!dt)
		return -EPROTO;
	if (dt->is_static) {
		if (dt->kind == GOB_KIND_INTERFACE)
			return -EOPNOTSUPP;
		*ret = dt;
		return 0;
	}
	if (dt->kind == GOB_KIND_GOBENCODER || dt->kind == GOB_KIND_INTERFACE)
		return -EOPNOTSUPP;
	if (++c->depth > GOB_ENC_MAX_DEPTH)
		return -E2BIG;
	err = schema_add(c->s, dt->kind, dt->name, &t);
	if (err >= 0)
		err = memo_add(c, id, t);
	if (err >= 0)
		err = import_components(c, dt, t);
	c->depth--;
	if (err < 0)
		return err;
	*ret = t;
	return 0;
}

int gob_schema_import(struct gob_schema *s, const struct gob_decoder *dec, int32_t id,
		      const struct gob_type **ret)
{
	struct import_ctx c = { .s = s, .dec = dec };
	int err;

	err = import_id(&c, id, ret);
	free(c.memo);
	return err;
}
