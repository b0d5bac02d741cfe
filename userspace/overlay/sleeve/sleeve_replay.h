/* SPDX-License-Identifier: GPL-2.0 */
/* Replay window of one sleeve decryptor stream (reference §4.2): two 2^20-sequence bitmaps
 * that slide by whole windows, so the newest window always holds the highest sequence seen.
 */
#ifndef WEAVE_SLEEVE_REPLAY_H
#define WEAVE_SLEEVE_REPLAY_H

#include <stdint.h>

enum sleeve_replay_geometry {
	SLEEVE_REPLAY_WINDOW_BITS = 20,
	SLEEVE_REPLAY_PAGE_BITS = 15, /* 4 KiB bitmap pages, allocated on first use */
	SLEEVE_REPLAY_PAGES = 1 << (SLEEVE_REPLAY_WINDOW_BITS - SLEEVE_REPLAY_PAGE_BITS),
};

struct sleeve_replay {
	uint64_t window; /* seq >> SLEEVE_REPLAY_WINDOW_BITS of the newest window */
	uint64_t *cur[SLEEVE_REPLAY_PAGES];
	uint64_t *prev[SLEEVE_REPLAY_PAGES];
};

void sleeve_replay_init(struct sleeve_replay *r);
void sleeve_replay_release(struct sleeve_replay *r);

/* Records @seq (the counter without the DF bit) of an authenticated datagram. Returns 0
 * when it is new, -EALREADY when it was seen or is older than the previous window (drop
 * silently), -ENOMEM when a bitmap page cannot be allocated (drop; state stays valid).
 * Like Weave, a sequence two or more windows ahead resets both bitmaps.
 */
int sleeve_replay_check(struct sleeve_replay *r, uint64_t seq);

#endif /* WEAVE_SLEEVE_REPLAY_H */
