/* SPDX-License-Identifier: GPL-2.0 */
/* topology_wire: the data of the "topology" gossip channel (reference §3.5, peers.go
 * encodePeers/decodeUpdate): one gob stream of peerSummary, []connectionSummary pairs.
 */
#ifndef WEAVE_MESH_TOPOLOGY_WIRE_H
#define WEAVE_MESH_TOPOLOGY_WIRE_H

#include "mesh/peers.h"

#include <stddef.h>
#include <stdint.h>

#define MESH_TOPOLOGY_PEERS_MAX MESH_PEERS_MAX /* peers in one update */
#define MESH_TOPOLOGY_CONNS_MAX MESH_PEER_CONNS_MAX /* connections of one peer */

/* Encodes @n peers (at most MESH_TOPOLOGY_PEERS_MAX) as Go does; a fresh stream whose
 * types take ids from @first_type_id on (0: GOB_FIRST_USER_ID) in Go's order: peerSummary,
 * connectionSummary, []connectionSummary. -EINVAL for unterminated strings, -E2BIG past
 * the limits. *ret_data is malloc'ed.
 */
int mesh_topology_encode(const struct mesh_peer_summary *peers, size_t n, int32_t first_type_id,
			 uint8_t **ret_data, size_t *ret_len);

/* Decodes an update, whatever its type ids, matching struct fields by name (others are
 * ignored, absent ones are zero). NameByte must be 6 bytes, ShortID fit 16 bits, strings
 * their fields (-EINVAL, -E2BIG); more than the limits above is -E2BIG; values of the
 * wrong type -EPROTO. As Go, a final peerSummary without its connection list is dropped.
 * Release *ret_peers with mesh_topology_free.
 */
int mesh_topology_decode(const void *data, size_t len, struct mesh_peer_summary **ret_peers,
			 size_t *ret_n);

/* Frees what mesh_topology_decode returned; NULL is fine. Returns NULL. */
struct mesh_peer_summary *mesh_topology_free(struct mesh_peer_summary *peers, size_t n);

#endif /* WEAVE_MESH_TOPOLOGY_WIRE_H */
