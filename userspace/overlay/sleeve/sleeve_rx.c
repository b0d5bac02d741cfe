// SPDX-License-Identifier: GPL-2.0
/* sleeve_rx: decrypt-then-check-replay for one encrypted sleeve connection. */
#include "overlay/sleeve/sleeve_rx.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/sleeve/sleeve_crypto.h"
#include "overlay/sleeve/sleeve_replay.h"

struct sleeve_rx {
	uint8_t key[SLEEVE_KEY_LEN];
	bool outbound;
	struct sleeve_replay window[2]; /* [0] non-DF stream, [1] DF stream */
};

int sleeve_rx_new(const uint8_t key[SLEEVE_KEY_LEN], bool outbound, struct sleeve_rx **ret_rx)
{
	struct sleeve_rx *rx = calloc(1, sizeof(*rx));

	if (!rx)
		return -ENOMEM;
	memcpy(rx->key, key, SLEEVE_KEY_LEN);
	rx->outbound = outbound;
	sleeve_replay_init(&rx->window[0]);
	sleeve_replay_init(&rx->window[1]);
	*ret_rx = rx;
	return 0;
}

struct sleeve_rx *sleeve_rx_free(struct sleeve_rx *rx)
{
	if (!rx)
		return NULL;
	sleeve_replay_release(&rx->window[0]);
	sleeve_replay_release(&rx->window[1]);
	sodium_memzero(rx->key, sizeof(rx->key));
	free(rx);
	return NULL;
}

int sleeve_rx_open(struct sleeve_rx *rx, uint8_t *body, size_t len, const uint8_t **ret_records,
		   size_t *ret_len, bool *ret_df)
{
	uint64_t seq_df;
	bool df;
	int r;

	r = sleeve_open(rx->key, rx->outbound, body, len, &seq_df);
	if (r < 0)
		return r;
	df = (seq_df & SLEEVE_SEQ_DF_BIT) != 0;
	r = sleeve_replay_check(&rx->window[df], seq_df & SLEEVE_SEQ_MASK);
	if (r < 0)
		return r;
	*ret_records = body + SLEEVE_SEQ_LEN + SLEEVE_TAG_LEN;
	*ret_len = len - SLEEVE_SEQ_LEN - SLEEVE_TAG_LEN;
	*ret_df = df;
	return 0;
}
