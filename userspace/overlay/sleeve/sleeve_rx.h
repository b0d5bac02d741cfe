/* SPDX-License-Identifier: GPL-2.0 */
/* Receive side of an encrypted sleeve connection: opens datagrams with the session key and
 * drops replays through one window per stream (non-DF and DF), as Weave's NaClDecryptor.
 */
#ifndef WEAVE_SLEEVE_RX_H
#define WEAVE_SLEEVE_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_wire.h"

struct sleeve_rx;

/* @outbound: the local side dialled the connection. -ENOMEM. */
int sleeve_rx_new(const uint8_t key[SLEEVE_KEY_LEN], bool outbound, struct sleeve_rx **ret_rx);
struct sleeve_rx *sleeve_rx_free(struct sleeve_rx *rx);

/* Opens, in place, the body of a received datagram (what follows the sender name). On
 * success *ret_records and *ret_len are the plaintext records (for sleeve_frame_iter_init)
 * and *ret_df tells which stream it came on. The window advances only after the
 * datagram authenticated. Errors: -EBADMSG too short, -EKEYREJECTED not authentic
 * (stray or forged: log), -EALREADY duplicate or too old (drop silently), -ENOMEM.
 */
int sleeve_rx_open(struct sleeve_rx *rx, uint8_t *body, size_t len, const uint8_t **ret_records,
		   size_t *ret_len, bool *ret_df);

#endif /* WEAVE_SLEEVE_RX_H */
