/* SPDX-License-Identifier: GPL-2.0 */
/* peers: the mesh topology as Weave's mesh keeps it (peers.go, local_peer.go): our own
 * peer and every known peer with its connection list, merged from topology gossip,
 * short ids, local reference counts and garbage collection of unreachable peers.
 */
#ifndef WEAVE_MESH_PEERS_H
#define WEAVE_MESH_PEERS_H

#include "mesh/peer_name.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on what the network can make us hold. Short ids have 12 bits, so a mesh of
 * more than 4096 peers cannot work with fastdp anyway; updates that would take us
 * beyond MESH_PEERS_MAX known peers (ourselves and placeholders included) are refused.
 */
#define MESH_PEERS_MAX 4096
#define MESH_PEER_CONNS_MAX MESH_PEERS_MAX /* one connection per remote peer */
#define MESH_NICKNAME_MAX 255 /* bytes, without the NUL */
#define MESH_TCP_ADDR_MAX 63 /* "ip:port" text, without the NUL */
#define MESH_SHORT_ID_BITS 12
#define MESH_SHORT_IDS (1u << MESH_SHORT_ID_BITS)

/* Caller-supplied randomness, so that tests are deterministic. */
struct mesh_rand {
	uint64_t (*next)(void *userdata); /* 64 uniformly random bits */
	void *userdata;
};

/* Uniform in [0, n) for n > 0 (0 for n == 0). */
uint64_t mesh_rand_below(const struct mesh_rand *rnd, uint64_t n);

/* The peerSummary of the wire, decoded. uid 0 marks a placeholder: a peer we only know
 * as the remote end of somebody's connection.
 */
struct mesh_peer_info {
	mesh_peer_name_t name;
	char nickname[MESH_NICKNAME_MAX + 1];
	uint64_t uid;
	uint64_t version;
	uint16_t short_id;
	bool has_short_id;
};

/* The connectionSummary of the wire; also how a peer's connections are stored. */
struct mesh_conn_summary {
	mesh_peer_name_t name; /* the remote peer */
	char remote_tcp_addr[MESH_TCP_ADDR_MAX + 1];
	bool outbound;
	bool established;
};

/* One peer of a topology update: what the gob layer decodes and encodes. */
struct mesh_peer_summary {
	struct mesh_peer_info info;
	struct mesh_conn_summary *conns;
	size_t n_conns;
};

/* A known peer, read-only outside peers.c. conns are sorted by remote name. */
struct mesh_peer {
	struct mesh_peer_info info;
	struct mesh_conn_summary *conns;
	size_t n_conns;
	/* private */
	size_t conns_cap;
	uint64_t local_refs;
	uint64_t changed_seq;
	bool gone;
};

/* What a change to the topology asks of the caller. */
struct mesh_peers_changes {
	mesh_peer_name_t *update; /* apply_update: the names in the update, sorted */
	size_t n_update;
	mesh_peer_name_t *improved; /* apply_update: new or newer peers to re-gossip, sorted */
	size_t n_improved;
	struct mesh_peer **removed; /* garbage-collected peers, owned here, sorted */
	size_t n_removed;
	bool local_modified; /* our version or short id changed: gossip ourselves */
	bool short_ids_invalidated; /* the short id -> peer map changed: flush fastdp flows */
};

struct mesh_peers;

/* Creates the topology holding only ourselves (version 0, with a short id). @uid must
 * not be 0, @short_id must be below MESH_SHORT_IDS; @rnd is kept for picking a new
 * short id after a collision.
 */
int mesh_peers_new(mesh_peer_name_t name, const char *nickname, uint64_t uid, uint16_t short_id,
		   const struct mesh_rand *rnd, struct mesh_peers **ret_peers);
struct mesh_peers *mesh_peers_free(struct mesh_peers *peers);

/* Frees what a changes result holds (the removed peers too) and zeroes it. */
void mesh_peers_changes_done(struct mesh_peers_changes *changes);

/* Lookup and deterministic iteration: mesh_peers_at(i) for i < count, sorted by name. */
const struct mesh_peer *mesh_peers_self(const struct mesh_peers *peers);
size_t mesh_peers_count(const struct mesh_peers *peers);
const struct mesh_peer *mesh_peers_at(const struct mesh_peers *peers, size_t i);
const struct mesh_peer *mesh_peers_find(const struct mesh_peers *peers, mesh_peer_name_t name);
int mesh_peers_index(const struct mesh_peers *peers, mesh_peer_name_t name, size_t *ret_index);
/* The owner of a short id: on a collision, the peer with the lowest name. */
const struct mesh_peer *mesh_peers_by_short_id(const struct mesh_peers *peers, uint16_t short_id);
const struct mesh_conn_summary *mesh_peer_conn(const struct mesh_peer *peer,
					       mesh_peer_name_t remote);
uint64_t mesh_peer_local_refs(const struct mesh_peer *peer);

/* A counter bumped on every change to any peer; see mesh_peers_summarize_changed. */
uint64_t mesh_peers_seq(const struct mesh_peers *peers);

/* A handshake's remote: returns the known peer, or adds one made from @info, and takes
 * a local reference on it (peers with references are never garbage-collected).
 * Adding a peer can take our short id from us; @ret_changes (optional) says so.
 */
int mesh_peers_fetch_with_default(struct mesh_peers *peers, const struct mesh_peer_info *info,
				  const struct mesh_peer **ret_peer,
				  struct mesh_peers_changes *ret_changes);
int mesh_peers_unref(struct mesh_peers *peers, mesh_peer_name_t name);

/* Our own connections; each bumps our version. The remote must be a known peer
 * (-ENOENT), not ourselves (-EINVAL), and not connected already (-EEXIST): duplicate
 * connections are resolved by the caller before adding. New connections are pending.
 */
int mesh_peers_add_local_conn(struct mesh_peers *peers, mesh_peer_name_t remote,
			      const char *remote_tcp_addr, bool outbound);
int mesh_peers_set_local_conn_established(struct mesh_peers *peers, mesh_peer_name_t remote);
/* Deleting does not collect garbage: call mesh_peers_gc next, as Weave does. */
int mesh_peers_del_local_conn(struct mesh_peers *peers, mesh_peer_name_t remote);

/* Merges a received topology update (peers.go applyUpdate): unknown peers are added,
 * unknown peers named only in connection lists become placeholders, a known peer is
 * replaced when the update has a greater version, or an equal version and a greater
 * uid, or equal both and a short id where we had none. An older incarnation of
 * ourselves makes us move our version beyond it. Then unreachable peers are collected.
 * Refuses duplicate names or overlong strings (-EINVAL) and more peers or connections
 * than the limits (-E2BIG); on failure nothing has changed.
 */
int mesh_peers_apply_update(struct mesh_peers *peers, const struct mesh_peer_summary *update,
			    size_t n, struct mesh_peers_changes *ret_changes);

/* Removes the peers unreachable from us over all connections that have no local
 * reference, and retries a lost short id if that freed some.
 */
int mesh_peers_gc(struct mesh_peers *peers, struct mesh_peers_changes *ret_changes);

/* Summaries for encoding, sorted by name: of @names (unknown ones are skipped), or of
 * every peer when @names is NULL. Free with mesh_peer_summaries_free.
 */
int mesh_peers_summarize(const struct mesh_peers *peers, const mesh_peer_name_t *names,
			 size_t n_names, struct mesh_peer_summary **ret_summaries, size_t *ret_n);
/* Summaries of the peers changed after mesh_peers_seq() returned @since. */
int mesh_peers_summarize_changed(const struct mesh_peers *peers, uint64_t since,
				 struct mesh_peer_summary **ret_summaries, size_t *ret_n);
struct mesh_peer_summary *mesh_peer_summaries_free(struct mesh_peer_summary *summaries, size_t n);

/* Breadth-first widening from @start (peer.go routes): each level is processed in name
 * order; with @established_symmetric only connections that are established on both
 * ends count. Fills ret_hops[i] (next hop from @start towards the i-th peer, UNKNOWN
 * for @start) and ret_reached[i], both mesh_peers_count() long. Stops when @stop_at
 * (UNKNOWN: never) comes up for processing and returns 1 then, 0 otherwise.
 */
int mesh_peers_routes(const struct mesh_peers *peers, mesh_peer_name_t start,
		      mesh_peer_name_t stop_at, bool established_symmetric,
		      mesh_peer_name_t *ret_hops, bool *ret_reached);

#endif /* WEAVE_MESH_PEERS_H */
