/* SPDX-License-Identifier: GPL-2.0 */
/* Go encoding/gob codec: a stream decoder into a dynamic value tree (types read from the stream,
 * struct fields matched by name) and an encoder that writes streams byte-identical to Go's. */
#ifndef _WEAVE_GOB_H
#define _WEAVE_GOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a type or a value is. The scalar kinds equal their predefined gob type ids. */
enum gob_kind {
	GOB_KIND_BOOL = 1,
	GOB_KIND_INT = 2,
	GOB_KIND_UINT = 3,
	GOB_KIND_FLOAT = 4,
	GOB_KIND_BYTES = 5,
	GOB_KIND_STRING = 6,
	GOB_KIND_COMPLEX = 7,
	GOB_KIND_INTERFACE = 8, /* a type only: interface values are rejected (-EOPNOTSUPP) */
	GOB_KIND_STRUCT,
	GOB_KIND_SLICE,
	GOB_KIND_ARRAY,
	GOB_KIND_MAP,
	GOB_KIND_GOBENCODER, /* GobEncoder/BinaryMarshaler/TextMarshaler: values decode as bytes */
};

/* Type ids every gob stream knows without a definition (Go's encoding/gob/type.go). */
enum gob_predefined_id {
	GOB_ID_BOOL = 1,
	GOB_ID_INT = 2,
	GOB_ID_UINT = 3,
	GOB_ID_FLOAT = 4,
	GOB_ID_BYTES = 5,
	GOB_ID_STRING = 6,
	GOB_ID_COMPLEX = 7,
	GOB_ID_INTERFACE = 8,
	GOB_ID_WIRE_TYPE = 16,
	GOB_ID_ARRAY_TYPE = 17,
	GOB_ID_COMMON_TYPE = 18,
	GOB_ID_SLICE_TYPE = 19,
	GOB_ID_STRUCT_TYPE = 20,
	GOB_ID_FIELD_TYPE = 21,
	GOB_ID_FIELD_TYPE_SLICE = 22,
	GOB_ID_MAP_TYPE = 23,
	GOB_ID_GOBENCODER_TYPE = 24,
	GOB_MIN_USER_ID = 64, /* lowest id a stream may define */
	GOB_FIRST_USER_ID = 65, /* first id a fresh Go (<= 1.20) process assigns */
};

enum {
	GOB_UINT_MAX_LEN = 9, /* bytes of the longest encoded uint */
};

/* Struct field flags (gob_struct_type_add_field). */
enum gob_field_flags {
	/* The Go field is a pointer (*T): when the value lacks the field nothing is sent. Without
	 * it an absent struct or array field is sent as Go sends a zero struct or array. */
	GOB_FIELD_POINTER = 1U << 0,
};

/* Decoder limits; a zero member means its default. */
struct gob_limits {
	size_t max_message; /* bytes in one message (default 10 MiB, weave's maxTCPMsgSize) */
	size_t max_nodes; /* value nodes in one top-level value (default 1 << 20) */
	unsigned max_depth; /* nesting of one value (default 32) */
	unsigned max_types; /* type definitions in one stream (default 256) */
	unsigned max_fields; /* fields of one struct type (default 1024) */
};

struct gob_value;
struct gob_type;
struct gob_decoder;
struct gob_schema;
struct gob_encoder;

/* --- primitive coding (gob_wire.c) ------------------------------------------------------ */

/* Writes x as a gob uint into out, returns the number of bytes (1..GOB_UINT_MAX_LEN). */
size_t gob_uint_encode(uint64_t x, uint8_t out[GOB_UINT_MAX_LEN]);
/* Reads a gob uint: 0 and the byte count, -ENODATA if buf is too short, -EINVAL if malformed. */
int gob_uint_decode(const void *buf, size_t len, uint64_t *ret, size_t *ret_used);
uint64_t gob_int_to_uint(int64_t i); /* the uint Go writes for an int */
int64_t gob_uint_to_int(uint64_t u); /* and back */
uint64_t gob_float_to_uint(double f); /* byte-reversed IEEE 754 bits */
double gob_uint_to_float(uint64_t u);

/* --- values (gob_value.c) ---------------------------------------------------------------
 * A decoded or hand-built value tree. Struct values hold only the fields present (Go omits
 * zero fields): an absent field means the zero value. Every node is owned by its parent;
 * gob_value_free() frees a whole tree and returns NULL. */

struct gob_value *gob_value_free(struct gob_value *v);
enum gob_kind gob_value_kind(const struct gob_value *v); /* 0 for NULL */

struct gob_value *gob_value_new_bool(bool b);
struct gob_value *gob_value_new_int(int64_t i);
struct gob_value *gob_value_new_uint(uint64_t u);
struct gob_value *gob_value_new_float(double f);
struct gob_value *gob_value_new_complex(double re, double im);
struct gob_value *gob_value_new_string(const char *s);
struct gob_value *gob_value_new_string_len(const char *s, size_t len);
struct gob_value *gob_value_new_bytes(const void *data, size_t len);
struct gob_value *gob_value_new_slice(void);
struct gob_value *gob_value_new_array(void);
struct gob_value *gob_value_new_map(void);
/* A struct value with no fields set; type must be a struct type. NULL on error. */
struct gob_value *gob_value_new_struct(const struct gob_type *type);

/* These take ownership of their value arguments even on failure (NULL gives -ENOMEM), so
 * constructors can be nested: gob_struct_set(s, "UID", gob_value_new_uint(uid)). */
int gob_value_append(struct gob_value *list, struct gob_value *elem); /* slice or array */
int gob_map_put(struct gob_value *map, struct gob_value *key, struct gob_value *elem);
/* Sets (or replaces) a field; -ENOENT if the struct's type has no such field. */
int gob_struct_set(struct gob_value *s, const char *field, struct gob_value *v);

/* Accessors with Go semantics: NULL (absent) or another kind gives the zero value. */
bool gob_value_bool(const struct gob_value *v);
int64_t gob_value_int(const struct gob_value *v);
uint64_t gob_value_uint(const struct gob_value *v);
double gob_value_float(const struct gob_value *v);
const char *gob_value_string(const struct gob_value *v, size_t *ret_len); /* NUL-terminated */
const uint8_t *gob_value_bytes(const struct gob_value *v, size_t *ret_len);

/* Checked accessors: NULL (absent) gives 0 and the zero value, another kind -EPROTO. */
int gob_value_get_bool(const struct gob_value *v, bool *ret);
int gob_value_get_int(const struct gob_value *v, int64_t *ret);
int gob_value_get_uint(const struct gob_value *v, uint64_t *ret);
int gob_value_get_string(const struct gob_value *v, const char **ret, size_t *ret_len);
int gob_value_get_bytes(const struct gob_value *v, const uint8_t **ret, size_t *ret_len);

/* Elements of a slice/array/map, present fields of a struct, bytes of a string/bytes. */
size_t gob_value_len(const struct gob_value *v);
const struct gob_value *gob_value_index(const struct gob_value *list, size_t i);
const struct gob_value *gob_map_key(const struct gob_value *map, size_t i);
const struct gob_value *gob_map_elem(const struct gob_value *map, size_t i);
/* The element of the last entry whose key equals key (as Go, where a later key wins). */
const struct gob_value *gob_map_get(const struct gob_value *map, const struct gob_value *key);
const struct gob_value *gob_map_get_string(const struct gob_value *map, const char *key);
const struct gob_value *gob_map_get_uint(const struct gob_value *map, uint64_t key);
/* A struct field by name, NULL if absent (zero) or not a struct. */
const struct gob_value *gob_struct_get(const struct gob_value *s, const char *field);
/* The i-th present field: its name, and its value in *ret_value. NULL past the end. */
const char *gob_struct_field(const struct gob_value *s, size_t i,
			     const struct gob_value **ret_value);
const char *gob_struct_type_name(const struct gob_value *s);

/* Go-semantic comparison: an absent struct field equals a zero one; maps compare as sets. */
bool gob_value_is_zero(const struct gob_value *v);
bool gob_value_equal(const struct gob_value *a, const struct gob_value *b);
/* A one-line rendering for logs and tests, malloc'ed into *ret. */
int gob_value_format(const struct gob_value *v, char **ret);

/* --- types and the encoder-side type registry (gob_type.c) --------------------------------
 * A schema plays the role of Go's process-wide type table: ids are assigned the way Go assigns
 * them when a type is first used (gob_schema_build(), or the first gob_encode()), starting at
 * GOB_FIRST_USER_ID. Names are what Go writes in definitions: a struct's type name, a named
 * type's name, "" for a top-level unnamed type, reflect's String() (e.g. "[]mesh.PeerName")
 * for an unnamed field type. Types belong to their schema and live as long as it does. */

enum gob_kind gob_type_kind(const struct gob_type *t);
const char *gob_type_name(const struct gob_type *t);
int32_t gob_type_id(const struct gob_type *t); /* 0 while a schema type is not built */
/* The predefined type of a scalar kind (BOOL..COMPLEX), NULL for any other kind. */
const struct gob_type *gob_builtin_type(enum gob_kind kind);

int gob_schema_new(struct gob_schema **ret);
struct gob_schema *gob_schema_free(struct gob_schema *s);
/* Continues id assignment at id (to mirror a Go process that already used other types). */
int gob_schema_set_next_id(struct gob_schema *s, int32_t id);
/* A struct type without fields; add them in declaration order before it is built or used. */
int gob_schema_new_struct(struct gob_schema *s, const char *name, struct gob_type **ret);
int gob_struct_type_add_field(struct gob_type *st, const char *name, const struct gob_type *type,
			      unsigned flags);
int gob_schema_new_slice(struct gob_schema *s, const char *name, const struct gob_type *elem,
			 const struct gob_type **ret);
int gob_schema_new_array(struct gob_schema *s, const char *name, const struct gob_type *elem,
			 uint64_t len, const struct gob_type **ret);
int gob_schema_new_map(struct gob_schema *s, const char *name, const struct gob_type *key,
		       const struct gob_type *elem, const struct gob_type **ret);
/* Assigns ids to t and everything it reaches, as Go's first use of the type would. */
int gob_schema_build(struct gob_schema *s, const struct gob_type *t, int32_t *ret_id);
/* Copies the decoder's type id (and what it reaches) into the schema, for re-encoding values
 * received from a stream. Struct fields become GOB_FIELD_POINTER fields. */
int gob_schema_import(struct gob_schema *s, const struct gob_decoder *dec, int32_t id,
		      const struct gob_type **ret);

/* --- decoder (gob_decode.c) --------------------------------------------------------------
 * One decoder per gob stream: it keeps the type definitions the stream sent. Input is untrusted:
 * errors are -EINVAL (malformed), -EPROTO (undefined or mismatched type ids), -EOPNOTSUPP
 * (interface values), -E2BIG (a limit), -ENOMEM. */

int gob_decoder_new(const struct gob_limits *limits, struct gob_decoder **ret);
struct gob_decoder *gob_decoder_free(struct gob_decoder *dec);
void gob_decoder_reset(struct gob_decoder *dec); /* forget all definitions: a new stream */
/* Reads one message from buf: uint length, type id, then a definition (recorded; *ret_value
 * NULL, *ret_id negative) or a value (*ret_value, *ret_id its type id). -ENODATA if buf does
 * not hold a whole message yet; *ret_used is the message's size on success. */
int gob_decode_message(struct gob_decoder *dec, const void *buf, size_t len, size_t *ret_used,
		       int32_t *ret_id, struct gob_value **ret_value);
/* Reads messages from buf + *pos until the next value: 1 and the value, 0 at the end of buf
 * (definitions before it are recorded), negative on error (a cut message is -EINVAL). */
int gob_decode_next(struct gob_decoder *dec, const void *buf, size_t len, size_t *pos,
		    struct gob_value **ret_value);
/* The type of id as the stream defined it (or a predefined type), NULL if undefined. */
const struct gob_type *gob_decoder_type(const struct gob_decoder *dec, int32_t id);
/* Decodes all of buf as one fresh stream into a malloc'ed array of values. */
int gob_decode_stream(const void *buf, size_t len, const struct gob_limits *limits,
		      struct gob_value ***ret_values, size_t *ret_n);
void gob_values_free(struct gob_value **values, size_t n);

/* --- encoder (gob_encode.c) --------------------------------------------------------------
 * One encoder per gob stream, like Go's gob.NewEncoder: each type's definition (with those of
 * the types it contains) is written once, before its first value. */

int gob_encoder_new(struct gob_schema *s, struct gob_encoder **ret);
struct gob_encoder *gob_encoder_free(struct gob_encoder *enc);
void gob_encoder_reset(struct gob_encoder *enc); /* empty output, nothing sent: a new stream */
/* Appends v (of type; NULL means the predefined type of a scalar v) to the stream. On error
 * the output is unchanged: -EPROTO if v does not fit type, -E2BIG past 10 MiB of output. */
int gob_encode(struct gob_encoder *enc, const struct gob_type *type, const struct gob_value *v);
const uint8_t *gob_encoder_data(const struct gob_encoder *enc, size_t *ret_len);

#endif /* _WEAVE_GOB_H */
