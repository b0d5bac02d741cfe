/* SPDX-License-Identifier: GPL-2.0 */
/* Building sleeve datagrams: frames are appended to a caller's buffer until the next one
 * would break the datagram limit (Weave's aggregateAndSend), then sealed or sent plain.
 */
#ifndef WEAVE_SLEEVE_BATCH_H
#define WEAVE_SLEEVE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_crypto.h"
#include "overlay/sleeve/sleeve_wire.h"

/* Fields are read-only for callers. The first frame of a datagram may fill it up to
 * @cap, further frames join only while the total stays within @limit: Weave sends
 * non-DF with cap SLEEVE_MAX_DATAGRAM and limit maxPayload, DF with both maxPayload.
 */
struct sleeve_batch {
	uint8_t *buf;
	size_t cap;
	size_t limit;
	size_t len; /* bytes used, headers (and reserved seq/tag room) included */
	size_t hdr_len; /* SLEEVE_PLAIN_PACKET_OVERHEAD or SLEEVE_CRYPT_PACKET_OVERHEAD */
	unsigned int frames;
	bool encrypted;
	bool finished;
};

/* Starts an empty datagram from @sender in @buf (at least @cap bytes). -EINVAL when
 * @limit > @cap or @cap cannot hold the header.
 */
int sleeve_batch_init(struct sleeve_batch *b, uint8_t *buf, size_t cap, size_t limit,
		      const uint8_t sender[SLEEVE_NAME_LEN], bool encrypted);

/* Empties the batch (the sender name stays) to build the next datagram in the same buffer. */
void sleeve_batch_reset(struct sleeve_batch *b);

/* Whether a frame of @frame_len bytes would be accepted now. */
bool sleeve_batch_fits(const struct sleeve_batch *b, size_t frame_len);

/* Appends a record header and returns in *ret_frame where its @frame_len bytes go (for
 * reading a frame straight into the datagram). Errors, with nothing written:
 * -EMSGSIZE the frame fits no datagram (drop it); -E2BIG it does not fit this one or the
 * batch has SLEEVE_MAX_BATCH_FRAMES frames (finish, send, reset, retry); -EINVAL finished.
 */
int sleeve_batch_reserve(struct sleeve_batch *b, const uint8_t src[SLEEVE_NAME_LEN],
			 const uint8_t dst[SLEEVE_NAME_LEN], size_t frame_len, uint8_t **ret_frame);

/* sleeve_batch_reserve and a copy of @frame. */
int sleeve_batch_add(struct sleeve_batch *b, const uint8_t src[SLEEVE_NAME_LEN],
		     const uint8_t dst[SLEEVE_NAME_LEN], const uint8_t *frame, size_t frame_len);

/* Completes the datagram: seals it with @sealer when the batch is encrypted (@sealer is
 * ignored otherwise) and returns its length; buf[0..len) is ready for sendmsg.
 * -EINVAL when already finished or an encrypted batch has no sealer; sleeve_seal errors.
 */
int sleeve_batch_finish(struct sleeve_batch *b, struct sleeve_sealer *sealer, size_t *ret_len);

#endif /* WEAVE_SLEEVE_BATCH_H */
