// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the gob decoder: decodes a stream; when it decodes, re-encodes every value
 * through types imported from the decoder and checks the result decodes to equal values. */
#include "gob/gob.h"

#include <stdlib.h>

enum {
	MAX_VALUES = 256,
};

static void touch(const struct gob_value *v)
{
	char *text = NULL;

	if (gob_value_format(v, &text) == 0)
		free(text);
	(void)gob_struct_get(v, "Name");
	(void)gob_map_get_string(v, "Name");
	(void)gob_value_index(v, 0);
}

/* Decodes out as a stream and wants values equal to want[0..n). */
static void check_again(const uint8_t *out, size_t len, struct gob_value **want, size_t n)
{
	struct gob_value **got;
	size_t ngot;

	if (gob_decode_stream(out, len, NULL, &got, &ngot) < 0 || ngot != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!gob_value_equal(want[i], got[i]))
			abort();
	gob_values_free(got, ngot);
}

/* Re-encodes what was decoded; types that cannot be re-encoded (GobEncoder, duplicated field
 * names after NUL truncation) end the check quietly. */
static void reencode(const struct gob_decoder *dec, struct gob_value **vals, const int32_t *ids,
		     size_t n)
{
	struct gob_encoder *enc = NULL;
	struct gob_schema *s = NULL;
	const struct gob_type *t;
	const uint8_t *out;
	size_t len;

	if (gob_schema_new(&s) < 0 || gob_encoder_new(s, &enc) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (gob_schema_import(s, dec, ids[i], &t) < 0 || gob_encode(enc, t, vals[i]) < 0)
			goto out;
	}
	out = gob_encoder_data(enc, &len);
	check_again(out, len, vals, n);
out:
	gob_encoder_free(enc);
	gob_schema_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct gob_limits limits = { .max_message = 1 << 16, .max_nodes = 1 << 14 };
	struct gob_value *vals[MAX_VALUES], *v;
	int32_t ids[MAX_VALUES], id;
	struct gob_decoder *dec;
	size_t pos = 0, n = 0, used;
	bool ok = true;

	if (gob_decoder_new(&limits, &dec) < 0)
		return 0;
	while (pos < size && n < MAX_VALUES) {
		if (gob_decode_message(dec, data + pos, size - pos, &used, &id, &v) < 0) {
			ok = false;
			break;
		}
		pos += used;
		if (!v)
			continue;
		touch(v);
		ids[n] = id;
		vals[n++] = v;
	}
	if (ok)
		reencode(dec, vals, ids, n);
	for (size_t i = 0; i < n; i++)
		gob_value_free(vals[i]);
	gob_decoder_free(dec);
	return 0;
}
