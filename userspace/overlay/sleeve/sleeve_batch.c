// SPDX-License-Identifier: GPL-2.0
/* Sleeve datagram builder: record headers and frames appended in place, the size rules of
 * Weave's aggregateAndSend/fits, and the final sealing of encrypted datagrams.
 */
#include "overlay/sleeve/sleeve_batch.h"

#include <errno.h>
#include <string.h>

int sleeve_batch_init(struct sleeve_batch *b, uint8_t *buf, size_t cap, size_t limit,
		      const uint8_t sender[SLEEVE_NAME_LEN], bool encrypted)
{
	size_t hdr_len = encrypted ? SLEEVE_CRYPT_PACKET_OVERHEAD : SLEEVE_PLAIN_PACKET_OVERHEAD;

	if (!buf || cap < hdr_len || limit > cap)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = cap;
	b->limit = limit;
	b->hdr_len = hdr_len;
	b->encrypted = encrypted;
	memcpy(buf, sender, SLEEVE_NAME_LEN);
	sleeve_batch_reset(b);
	return 0;
}

void sleeve_batch_reset(struct sleeve_batch *b)
{
	b->len = b->hdr_len;
	b->frames = 0;
	b->finished = false;
}

/* 0 when a frame of @frame_len fits, else the error sleeve_batch_reserve reports. */
static int check_room(const struct sleeve_batch *b, size_t frame_len)
{
	size_t bound = b->frames ? b->limit : b->cap;

	if (b->finished)
		return -EINVAL;
	if (b->cap < b->hdr_len + SLEEVE_FRAME_OVERHEAD || frame_len > SLEEVE_MAX_FRAME_LEN ||
	    frame_len > b->cap - b->hdr_len - SLEEVE_FRAME_OVERHEAD)
		return -EMSGSIZE;
	if (b->frames >= SLEEVE_MAX_BATCH_FRAMES)
		return -E2BIG;
	if (bound < b->len || frame_len + SLEEVE_FRAME_OVERHEAD > bound - b->len)
		return b->frames ? -E2BIG : -EMSGSIZE;
	return 0;
}

bool sleeve_batch_fits(const struct sleeve_batch *b, size_t frame_len)
{
	return check_room(b, frame_len) == 0;
}

int sleeve_batch_reserve(struct sleeve_batch *b, const uint8_t src[SLEEVE_NAME_LEN],
			 const uint8_t dst[SLEEVE_NAME_LEN], size_t frame_len, uint8_t **ret_frame)
{
	uint8_t *rec = b->buf + b->len;
	int r = check_room(b, frame_len);

	if (r < 0)
		return r;
	memcpy(rec, src, SLEEVE_NAME_LEN);
	memcpy(rec + SLEEVE_NAME_LEN, dst, SLEEVE_NAME_LEN);
	rec[2 * SLEEVE_NAME_LEN] = (uint8_t)(frame_len >> 8);
	rec[2 * SLEEVE_NAME_LEN + 1] = (uint8_t)frame_len;
	b->len += SLEEVE_FRAME_OVERHEAD + frame_len;
	b->frames++;
	*ret_frame = rec + SLEEVE_FRAME_OVERHEAD;
	return 0;
}

int sleeve_batch_add(struct sleeve_batch *b, const uint8_t src[SLEEVE_NAME_LEN],
		     const uint8_t dst[SLEEVE_NAME_LEN], const uint8_t *frame, size_t frame_len)
{
	uint8_t *data;
	int r = sleeve_batch_reserve(b, src, dst, frame_len, &data);

	if (r < 0)
		return r;
	if (frame_len)
		memcpy(data, frame, frame_len);
	return 0;
}

int sleeve_batch_finish(struct sleeve_batch *b, struct sleeve_sealer *sealer, size_t *ret_len)
{
	int r;

	if (b->finished || (b->encrypted && !sealer))
		return -EINVAL;
	if (b->encrypted) {
		r = sleeve_seal(sealer, b->buf, b->len);
		if (r < 0)
			return r;
	}
	b->finished = true;
	*ret_len = b->len;
	return 0;
}
