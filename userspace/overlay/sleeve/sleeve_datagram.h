/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of received sleeve datagrams: the sender's name, then an iterator over the
 * frame records of the (plain or decrypted) body with every length checked.
 */
#ifndef WEAVE_SLEEVE_DATAGRAM_H
#define WEAVE_SLEEVE_DATAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_wire.h"

/* A received datagram split at its header. For a plain connection the body holds the
 * records; for an encrypted one it is [seq][tag][sealed records] (sleeve_rx_open).
 */
struct sleeve_datagram {
	const uint8_t *sender; /* SLEEVE_NAME_LEN bytes: the peer that sent the datagram */
	const uint8_t *body;
	size_t body_len;
};

/* One frame record. src is the peer that captured the frame, dst the peer it is for. */
struct sleeve_frame {
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *data;
	size_t len;
};

struct sleeve_frame_iter {
	const uint8_t *pos;
	size_t left;
	int error;
};

/* Splits @pkt at the sender name. -EBADMSG when it is shorter than a name. */
int sleeve_datagram_parse(const uint8_t *pkt, size_t len, struct sleeve_datagram *ret_dgram);

/* Reads the record header at @rec. ret_hdr->len is the declared frame length, which may
 * exceed what follows in @avail (the iterator checks that). -EBADMSG when @avail is
 * shorter than a record header.
 */
int sleeve_frame_header(const uint8_t *rec, size_t avail, struct sleeve_frame *ret_hdr);

void sleeve_frame_iter_init(struct sleeve_frame_iter *it, const uint8_t *records, size_t len);

/* Returns 1 with the next frame in *ret_frame, 0 at the end of a well-formed body, or
 * -EBADMSG for a record longer than the bytes left or 1..13 bytes of trailing garbage.
 * Frames before a bad record are returned first, as Weave delivers them; the error is
 * sticky.
 */
int sleeve_frame_next(struct sleeve_frame_iter *it, struct sleeve_frame *ret_frame);

/* Validates a whole body and counts its frames (0 is valid: a bare header). */
int sleeve_frames_count(const uint8_t *records, size_t len, size_t *ret_count);

#endif /* WEAVE_SLEEVE_DATAGRAM_H */
