/* SPDX-License-Identifier: GPL-2.0 */
/* mac_cache: which peer each MAC address was last seen behind (router/mac_cache.go), with
 * Weave's 10-minute expiry, for the sleeve datapath's forwarding decisions.
 */
#ifndef WEAVE_WEAVER_MAC_CACHE_H
#define WEAVE_WEAVER_MAC_CACHE_H

#include "mesh/peer_name.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAC_CACHE_MAX_AGE_MS (10 * 60 * 1000ULL)
#define MAC_CACHE_MAX_ENTRIES 65536 /* further MACs are not learnt */

enum mac_cache_learn {
	MAC_CACHE_KNOWN, /* already there, same peer: refreshed */
	MAC_CACHE_NEW,
	MAC_CACHE_MOVED, /* was behind another peer */
	MAC_CACHE_FULL,
};

struct mac_cache;

int mac_cache_new(struct mac_cache **ret);
struct mac_cache *mac_cache_free(struct mac_cache *mc);

/* Records @mac behind @peer at @now_ms; *ret_old_peer (optional) is the previous owner. */
enum mac_cache_learn mac_cache_learn(struct mac_cache *mc, const uint8_t mac[6],
				     mesh_peer_name_t peer, uint64_t now_ms,
				     mesh_peer_name_t *ret_old_peer);
/* The peer behind @mac, MESH_PEER_NAME_UNKNOWN when unknown. */
mesh_peer_name_t mac_cache_lookup(const struct mac_cache *mc, const uint8_t mac[6]);
/* Drops entries not seen for MAC_CACHE_MAX_AGE_MS; returns how many went. */
size_t mac_cache_expire(struct mac_cache *mc, uint64_t now_ms);
/* Drops the MACs of a peer that left; returns how many went. */
size_t mac_cache_forget_peer(struct mac_cache *mc, mesh_peer_name_t peer);
size_t mac_cache_count(const struct mac_cache *mc);

#endif /* WEAVE_WEAVER_MAC_CACHE_H */
