// SPDX-License-Identifier: GPL-2.0
/* mac_cache: an open-addressing hash table of MAC -> (peer, last seen), rebuilt on expiry. */
#include "weaver/mac_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mac_entry {
	uint64_t key; /* the MAC in the low 48 bits, bit 63 set: in use */
	mesh_peer_name_t peer;
	uint64_t seen_ms;
};

struct mac_cache {
	struct mac_entry *slots;
	size_t cap; /* a power of two, at least twice count */
	size_t count;
};

#define USED (1ULL << 63)

static uint64_t mac_key(const uint8_t mac[6])
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = (k << 8) | mac[i];
	return k | USED;
}

static size_t mac_hash(uint64_t key, size_t cap)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ULL;
	key ^= key >> 32;
	return (size_t)key & (cap - 1);
}

int mac_cache_new(struct mac_cache **ret)
{
	struct mac_cache *mc = calloc(1, sizeof(*mc));

	if (!mc)
		return -ENOMEM;
	mc->cap = 64;
	mc->slots = calloc(mc->cap, sizeof(*mc->slots));
	if (!mc->slots) {
		free(mc);
		return -ENOMEM;
	}
	*ret = mc;
	return 0;
}

struct mac_cache *mac_cache_free(struct mac_cache *mc)
{
	if (mc) {
		free(mc->slots);
		free(mc);
	}
	return NULL;
}

static struct mac_entry *mac_slot(const struct mac_cache *mc, uint64_t key)
{
	size_t i = mac_hash(key, mc->cap);

	while (mc->slots[i].key && mc->slots[i].key != key)
		i = (i + 1) & (mc->cap - 1);
	return &mc->slots[i];
}

/* Re-inserts the entries kept by @keep into a table of @cap slots. */
static int mac_rebuild(struct mac_cache *mc, size_t cap,
		       bool (*keep)(const struct mac_entry *e, uint64_t arg), uint64_t arg)
{
	struct mac_entry *old = mc->slots;
	size_t old_cap = mc->cap;

	mc->slots = calloc(cap, sizeof(*mc->slots));
	if (!mc->slots) {
		mc->slots = old;
		return -ENOMEM;
	}
	mc->cap = cap;
	mc->count = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].key || (keep && !keep(&old[i], arg)))
			continue;
		*mac_slot(mc, old[i].key) = old[i];
		mc->count++;
	}
	free(old);
	return 0;
}

enum mac_cache_learn mac_cache_learn(struct mac_cache *mc, const uint8_t mac[6],
				     mesh_peer_name_t peer, uint64_t now_ms,
				     mesh_peer_name_t *ret_old_peer)
{
	uint64_t key = mac_key(mac);
	struct mac_entry *e = mac_slot(mc, key);
	enum mac_cache_learn res = MAC_CACHE_KNOWN;

	if (ret_old_peer)
		*ret_old_peer = e->key ? e->peer : MESH_PEER_NAME_UNKNOWN;
	if (!e->key) {
		if (mc->count >= MAC_CACHE_MAX_ENTRIES)
			return MAC_CACHE_FULL;
		if ((mc->count + 1) * 2 > mc->cap) {
			if (mac_rebuild(mc, mc->cap * 2, NULL, 0) < 0)
				return MAC_CACHE_FULL;
			e = mac_slot(mc, key);
		}
		e->key = key;
		mc->count++;
		res = MAC_CACHE_NEW;
	} else if (e->peer != peer) {
		res = MAC_CACHE_MOVED;
	}
	e->peer = peer;
	e->seen_ms = now_ms;
	return res;
}

mesh_peer_name_t mac_cache_lookup(const struct mac_cache *mc, const uint8_t mac[6])
{
	const struct mac_entry *e = mac_slot(mc, mac_key(mac));

	return e->key ? e->peer : MESH_PEER_NAME_UNKNOWN;
}

static bool keep_fresh(const struct mac_entry *e, uint64_t now_ms)
{
	return e->seen_ms + MAC_CACHE_MAX_AGE_MS > now_ms;
}

static bool keep_other_peer(const struct mac_entry *e, uint64_t peer)
{
	return e->peer != peer;
}

size_t mac_cache_expire(struct mac_cache *mc, uint64_t now_ms)
{
	size_t before = mc->count;

	if (mac_rebuild(mc, mc->cap, keep_fresh, now_ms) < 0)
		return 0;
	return before - mc->count;
}

size_t mac_cache_forget_peer(struct mac_cache *mc, mesh_peer_name_t peer)
{
	size_t before = mc->count;

	if (mac_rebuild(mc, mc->cap, keep_other_peer, peer) < 0)
		return 0;
	return before - mc->count;
}

size_t mac_cache_count(const struct mac_cache *mc)
{
	return mc->count;
}
