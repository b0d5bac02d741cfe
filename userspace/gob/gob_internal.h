/* SPDX-License-Identifier: GPL-2.0 */
/* Private layout of gob types and values, and the byte reader/writer the codec files share. */
#ifndef _WEAVE_GOB_INTERNAL_H
#define _WEAVE_GOB_INTERNAL_H

#include "gob/gob.h"

enum gob_internal_limits {
	GOB_DEFAULT_MAX_MESSAGE = 10 * 1024 * 1024,
	GOB_DEFAULT_MAX_NODES = 1 << 20,
	GOB_DEFAULT_MAX_DEPTH = 32,
	GOB_DEFAULT_MAX_TYPES = 256,
	GOB_DEFAULT_MAX_FIELDS = 1024,
	GOB_DEF_MAX_DEPTH = 8, /* nesting of a wireType definition is 5 */
	GOB_ENC_MAX_DEPTH = 64, /* nesting the encoder accepts */
	GOB_ENC_MAX_OUTPUT = 10 * 1024 * 1024,
	GOB_PREDEFINED_IDS = GOB_ID_GOBENCODER_TYPE + 1,
};

/* Field names of a struct type, shared (refcounted) by the type and its values so a value tree
 * can outlive the decoder that built it. refs == 0 marks a static, never freed set. */
struct gob_fieldset {
	unsigned long refs;
	const char *type_name;
	size_t n;
	const char *const *names;
};

/* A reference to a component type: decoders use the wire id (looked up in the stream's table
 * at each use, definitions may come later); schemas and predefined types use the pointer. */
struct gob_ref {
	int32_t id;
	const struct gob_type *type;
};

struct gob_field {
	struct gob_ref ref;
	unsigned flags;
};

struct gob_type {
	enum gob_kind kind;
	int32_t id;
	bool is_static; /* predefined: immutable, not owned by anyone */
	bool present; /* schema: entered Go's type table (ids assigned or being assigned) */
	const char *name;
	struct gob_fieldset *fs; /* struct: field names */
	struct gob_field *fields; /* struct: nfields entries, parallel to fs->names */
	size_t nfields;
	struct gob_ref elem; /* slice, array, map */
	struct gob_ref key; /* map */
	uint64_t len; /* array */
};

struct gob_field_value {
	size_t index; /* into the fieldset */
	struct gob_value *value;
};

struct gob_value {
	enum gob_kind kind;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		double f;
		double c[2];
		struct {
			char *data; /* NUL-terminated, allocated with the node */
			size_t len;
		} str;
		struct {
			struct gob_value **v;
			size_t n, cap;
		} list;
		struct {
			struct gob_value **kv; /* key, elem, key, elem... */
			size_t n, cap; /* n entries */
		} map;
		struct {
			struct gob_fieldset *fs;
			struct gob_field_value *f; /* present fields, ascending index */
			size_t n, cap;
		} st;
	};
};

/* gob_type.c */
const struct gob_type *gob_predefined_type(int64_t id);
struct gob_fieldset *gob_fieldset_ref(struct gob_fieldset *fs);
void gob_fieldset_unref(struct gob_fieldset *fs);
struct gob_type *gob_type_new(enum gob_kind kind, const char *name);
void gob_type_free(struct gob_type *t);
int gob_type_add_field(struct gob_type *st, const char *name, int32_t id,
		       const struct gob_type *type, unsigned flags);
int gob_schema_build_type(struct gob_schema *s, const struct gob_type *t);

/* gob_value.c */
struct gob_value *gob_value_new_struct_fs(struct gob_fieldset *fs);
int gob_value_reserve(struct gob_value *v, size_t n);
int gob_struct_set_index(struct gob_value *s, size_t index, struct gob_value *v);
const struct gob_value *gob_struct_get_index(const struct gob_value *s, size_t index);

/* gob_wire.c: bounded reader over one buffer; short reads are -ENODATA */
struct gob_reader {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static inline size_t gob_reader_left(const struct gob_reader *r)
{
	return r->len - r->pos;
}

int gob_read_uint(struct gob_reader *r, uint64_t *ret);
int gob_read_int(struct gob_reader *r, int64_t *ret);
int gob_read_data(struct gob_reader *r, const uint8_t **ret, size_t *ret_len);

/* gob_wire.c: growable output buffer */
struct gob_buf {
	uint8_t *data;
	size_t len, cap;
	size_t max;
};

int gob_buf_put(struct gob_buf *b, const void *data, size_t len);
int gob_buf_put_uint(struct gob_buf *b, uint64_t x);
int gob_buf_put_int(struct gob_buf *b, int64_t i);
int gob_buf_put_data(struct gob_buf *b, const void *data, size_t len);
int gob_buf_frame(struct gob_buf *b, size_t start);

#endif /* _WEAVE_GOB_INTERNAL_H */
