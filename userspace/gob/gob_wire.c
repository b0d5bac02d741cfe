// SPDX-License-Identifier: GPL-2.0
/* Gob primitive coding: uints (one byte below 128, else negated byte count and big-endian
 * bytes), ints folded into uints, byte-reversed floats, counted byte strings, message framing. */
#include "gob/gob_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t gob_uint_encode(uint64_t x, uint8_t out[GOB_UINT_MAX_LEN])
{
	size_t n = 0;
	uint64_t t;

	if (x < 0x80) {
		out[0] = (uint8_t)x;
		return 1;
	}
	for (t = x; t; t >>= 8)
		n++;
	out[0] = (uint8_t)(256 - n);
	for (size_t i = 0; i < n; i++)
		out[n - i] = (uint8_t)(x >> (8 * i));
	return n + 1;
}

int gob_uint_decode(const void *buf, size_t len, uint64_t *ret, size_t *ret_used)
{
	const uint8_t *p = buf;
	uint64_t x = 0;
	size_t n;

	if (len < 1)
		return -ENODATA;
	if (p[0] < 0x80) {
		*ret = p[0];
		*ret_used = 1;
		return 0;
	}
	n = 256 - p[0];
	if (n > 8)
		return -EINVAL;
	if (len < n + 1)
		return -ENODATA;
	for (size_t i = 1; i <= n; i++)
		x = x << 8 | p[i];
	*ret = x;
	*ret_used = n + 1;
	return 0;
}

uint64_t gob_int_to_uint(int64_t i)
{
	if (i < 0)
		return (uint64_t)~i << 1 | 1;
	return (uint64_t)i << 1;
}

int64_t gob_uint_to_int(uint64_t u)
{
	int64_t i = (int64_t)(u >> 1);

	return u & 1 ? ~i : i;
}

uint64_t gob_float_to_uint(double f)
{
	uint64_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return __builtin_bswap64(bits);
}

double gob_uint_to_float(uint64_t u)
{
	uint64_t bits = __builtin_bswap64(u);
	double f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

int gob_read_uint(struct gob_reader *r, uint64_t *ret)
{
	size_t used;
	int err;

	err = gob_uint_decode(r->p + r->pos, gob_reader_left(r), ret, &used);
	if (err < 0)
		return err;
	r->pos += used;
	return 0;
}

int gob_read_int(struct gob_reader *r, int64_t *ret)
{
	uint64_t u;
	int err;

	err = gob_read_uint(r, &u);
	if (err < 0)
		return err;
	*ret = gob_uint_to_int(u);
	return 0;
}

/* A uint count then that many bytes, returned in place. */
int gob_read_data(struct gob_reader *r, const uint8_t **ret, size_t *ret_len)
{
	uint64_t n;
	int err;

	err = gob_read_uint(r, &n);
	if (err < 0)
		return err;
	if (n > gob_reader_left(r))
		return -ENODATA;
	*ret = r->p + r->pos;
	*ret_len = (size_t)n;
	r->pos += (size_t)n;
	return 0;
}

static int buf_grow(struct gob_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 64;
	uint8_t *data;

	if (more > b->max - b->len)
		return -E2BIG;
	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	data = realloc(b->data, cap);
	if (!data)
		return -ENOMEM;
	b->data = data;
	b->cap = cap;
	return 0;
}

int gob_buf_put(struct gob_buf *b, const void *data, size_t len)
{
	int err;

	if (!len)
		return 0;
	err = buf_grow(b, len);
	if (err < 0)
		return err;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int gob_buf_put_uint(struct gob_buf *b, uint64_t x)
{
	uint8_t tmp[GOB_UINT_MAX_LEN];

	return gob_buf_put(b, tmp, gob_uint_encode(x, tmp));
}

int gob_buf_put_int(struct gob_buf *b, int64_t i)
{
	return gob_buf_put_uint(b, gob_int_to_uint(i));
}

int gob_buf_put_data(struct gob_buf *b, const void *data, size_t len)
{
	int err;

	err = gob_buf_put_uint(b, len);
	if (err < 0)
		return err;
	return gob_buf_put(b, data, len);
}

/* Turns the bytes written since start into a message: prefixes them with their length. */
int gob_buf_frame(struct gob_buf *b, size_t start)
{
	uint8_t hdr[GOB_UINT_MAX_LEN];
	size_t body = b->len - start;
	size_t n = gob_uint_encode(body, hdr);
	int err;

	err = buf_grow(b, n);
	if (err < 0)
		return err;
	memmove(b->data + start + n, b->data + start, body);
	memcpy(b->data + start, hdr, n);
	b->len += n;
	return 0;
}
