// SPDX-License-Identifier: GPL-2.0
/* Sleeve datagram parsing: header split and the frame record iterator, with every length
 * checked against the bytes that remain (Weave's NonDecryptor.IterateFrames).
 */
#include "overlay/sleeve/sleeve_datagram.h"

#include <errno.h>

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int sleeve_datagram_parse(const uint8_t *pkt, size_t len, struct sleeve_datagram *ret_dgram)
{
	if (!pkt || len < SLEEVE_NAME_LEN)
		return -EBADMSG;
	ret_dgram->sender = pkt;
	ret_dgram->body = pkt + SLEEVE_NAME_LEN;
	ret_dgram->body_len = len - SLEEVE_NAME_LEN;
	return 0;
}

int sleeve_frame_header(const uint8_t *rec, size_t avail, struct sleeve_frame *ret_hdr)
{
	if (!rec || avail < SLEEVE_FRAME_OVERHEAD)
		return -EBADMSG;
	ret_hdr->src = rec;
	ret_hdr->dst = rec + SLEEVE_NAME_LEN;
	ret_hdr->len = get_be16(rec + 2 * SLEEVE_NAME_LEN);
	ret_hdr->data = rec + SLEEVE_FRAME_OVERHEAD;
	return 0;
}

void sleeve_frame_iter_init(struct sleeve_frame_iter *it, const uint8_t *records, size_t len)
{
	it->pos = records;
	it->left = len;
	it->error = 0;
}

static int iter_fail(struct sleeve_frame_iter *it)
{
	it->error = -EBADMSG;
	it->left = 0;
	return it->error;
}

int sleeve_frame_next(struct sleeve_frame_iter *it, struct sleeve_frame *ret_frame)
{
	struct sleeve_frame f;

	if (it->error)
		return it->error;
	if (it->left == 0)
		return 0;
	/* Fewer bytes than a record header left: Weave's "trailing garbage". */
	if (sleeve_frame_header(it->pos, it->left, &f) < 0)
		return iter_fail(it);
	if (f.len > it->left - SLEEVE_FRAME_OVERHEAD)
		return iter_fail(it);
	it->pos += SLEEVE_FRAME_OVERHEAD + f.len;
	it->left -= SLEEVE_FRAME_OVERHEAD + f.len;
	*ret_frame = f;
	return 1;
}

int sleeve_frames_count(const uint8_t *records, size_t len, size_t *ret_count)
{
	struct sleeve_frame_iter it;
	struct sleeve_frame f;
	size_t n = 0;
	int r;

	sleeve_frame_iter_init(&it, records, len);
	while ((r = sleeve_frame_next(&it, &f)) > 0)
		n++;
	if (r < 0)
		return r;
	*ret_count = n;
	return 0;
}
