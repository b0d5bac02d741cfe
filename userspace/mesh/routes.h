/* SPDX-License-Identifier: GPL-2.0 */
/* routes: unicast next hops, broadcast next hops per source and the choice of random
 * gossip neighbours, computed from a topology as Weave's mesh does (routes.go).
 */
#ifndef WEAVE_MESH_ROUTES_H
#define WEAVE_MESH_ROUTES_H

#include "mesh/peers.h"

#include <stdbool.h>
#include <stddef.h>

/* Each routing question comes in two variants. @all false ("unicast", "broadcast")
 * uses only connections established on both ends: data frames go that way. @all true
 * ("unicastAll", "broadcastAll") uses every connection: gossip goes that way.
 */

struct mesh_route {
	mesh_peer_name_t dest;
	mesh_peer_name_t hop; /* MESH_PEER_NAME_UNKNOWN for ourselves */
};

struct mesh_routes;

int mesh_routes_new(struct mesh_routes **ret_routes);
struct mesh_routes *mesh_routes_free(struct mesh_routes *routes);

/* Recomputes both unicast tables and our own broadcast hops, and forgets the broadcast
 * hops cached for other sources. On failure the previous routes stay.
 */
int mesh_routes_calculate(struct mesh_routes *routes, const struct mesh_peers *peers);

/* The next hop towards @dest (MESH_PEER_NAME_UNKNOWN for ourselves), -EHOSTUNREACH. */
int mesh_routes_unicast(const struct mesh_routes *routes, mesh_peer_name_t dest, bool all,
			mesh_peer_name_t *ret_hop);
/* The whole table, sorted by destination, valid until the next calculation. */
void mesh_routes_table(const struct mesh_routes *routes, bool all, const struct mesh_route **ret,
		       size_t *ret_n);

/* Where to relay a broadcast from @src: our neighbours that @src's breadth-first tree has
 * not reached by the time it reaches us (none when it doesn't reach us), sorted. Computed
 * from @peers on first use after a calculation and cached until the next one; the array
 * stays valid until then. Unknown sources get no hops.
 */
int mesh_routes_broadcast(struct mesh_routes *routes, const struct mesh_peers *peers,
			  mesh_peer_name_t src, bool all, const mesh_peer_name_t **ret_hops,
			  size_t *ret_n);

/* The same without the cache: a malloc'ed array the caller frees. */
int mesh_routes_calculate_broadcast(const struct mesh_peers *peers, mesh_peer_name_t src, bool all,
				    mesh_peer_name_t **ret_hops, size_t *ret_n);

/* Gossip targets: min(floor(2 log2(#peers)), #neighbours) distinct neighbours other than
 * @except, drawn without replacement, each weighted by how many destinations unicastAll
 * routes through it. A malloc'ed array the caller frees.
 */
int mesh_routes_random_neighbours(const struct mesh_routes *routes, mesh_peer_name_t except,
				  const struct mesh_rand *rnd, mesh_peer_name_t **ret_names,
				  size_t *ret_n);

#endif /* WEAVE_MESH_ROUTES_H */
