// SPDX-License-Identifier: GPL-2.0
/* Sliding two-window replay bitmap, with Weave's NaClDecryptorInstance.advanceState
 * semantics; bitmap pages are allocated lazily so idle connections stay small.
 */
#include "overlay/sleeve/sleeve_replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	PAGE_WORDS = (1 << SLEEVE_REPLAY_PAGE_BITS) / 64,
	OFFSET_MASK = (1 << SLEEVE_REPLAY_WINDOW_BITS) - 1,
	PAGE_MASK = (1 << SLEEVE_REPLAY_PAGE_BITS) - 1,
};

static void free_pages(uint64_t **pages)
{
	for (int i = 0; i < SLEEVE_REPLAY_PAGES; i++) {
		free(pages[i]);
		pages[i] = NULL;
	}
}

void sleeve_replay_init(struct sleeve_replay *r)
{
	memset(r, 0, sizeof(*r));
}

void sleeve_replay_release(struct sleeve_replay *r)
{
	free_pages(r->cur);
	free_pages(r->prev);
	r->window = 0;
}

/* Moves the newest window to @window, keeping the old one as previous only when adjacent. */
static void slide(struct sleeve_replay *r, uint64_t window)
{
	free_pages(r->prev);
	if (window == r->window + 1)
		memcpy(r->prev, r->cur, sizeof(r->prev));
	else
		free_pages(r->cur);
	memset(r->cur, 0, sizeof(r->cur));
	r->window = window;
}

/* The bitmap @seq falls in, or NULL when it is older than the previous window. */
static uint64_t **pick_bitmap(struct sleeve_replay *r, uint64_t seq)
{
	uint64_t window = seq >> SLEEVE_REPLAY_WINDOW_BITS;

	if (window > r->window)
		slide(r, window);
	if (window == r->window)
		return r->cur;
	if (window + 1 == r->window)
		return r->prev;
	return NULL;
}

int sleeve_replay_check(struct sleeve_replay *r, uint64_t seq)
{
	uint64_t offset = seq & OFFSET_MASK;
	uint64_t **bitmap = pick_bitmap(r, seq);
	uint64_t **page, bit;

	if (!bitmap)
		return -EALREADY;
	page = &bitmap[offset >> SLEEVE_REPLAY_PAGE_BITS];
	bit = offset & PAGE_MASK;
	if (!*page) {
		*page = calloc(PAGE_WORDS, sizeof(**page));
		if (!*page)
			return -ENOMEM;
	}
	if ((*page)[bit / 64] & (UINT64_C(1) << (bit % 64)))
		return -EALREADY;
	(*page)[bit / 64] |= UINT64_C(1) << (bit % 64);
	return 0;
}
