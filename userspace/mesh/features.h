/* SPDX-License-Identifier: GPL-2.0 */
/* features: the map[string]string both ends send first on a connection (reference §3.2,
 * connection.go makeFeatures/parseFeatures), its gob encoding, parsing and the checks
 * that end a connection: name collision and connecting to ourself.
 */
#ifndef WEAVE_MESH_FEATURES_H
#define WEAVE_MESH_FEATURES_H

#include "mesh/peer_name.h"
#include "mesh/peers.h"
#include "mesh/protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MESH_FEATURES_MAX 64 /* entries in a received map */
#define MESH_FEATURE_KEY_MAX 255 /* bytes */
#define MESH_FEATURE_VALUE_MAX 4095 /* bytes */
#define MESH_OVERLAYS_MAX 16 /* names in the Overlays feature */
#define MESH_OVERLAY_NAME_MAX 31 /* bytes */

/* A small string map that keeps its entries in the order they were set (so a decoded
 * map re-encodes as it came); setting an existing key replaces its value in place.
 */
struct mesh_feature {
	char *key;
	char *value;
};

struct mesh_features {
	struct mesh_feature *entries;
	size_t n;
};

/* Frees the entries and zeroes @f (which may hold nothing). */
void mesh_features_done(struct mesh_features *f);
int mesh_features_set(struct mesh_features *f, const char *key, const char *value);
/* NULL when absent. */
const char *mesh_features_get(const struct mesh_features *f, const char *key);
/* Sorts the entries by key: the stable order we send. */
void mesh_features_sort(struct mesh_features *f);

/* A fresh gob stream holding the map (definition, then value), entries in their order.
 * @first_type_id is the id the map type gets (0: GOB_FIRST_USER_ID, as a fresh Go process).
 * *ret_data is malloc'ed.
 */
int mesh_features_encode(const struct mesh_features *f, int32_t first_type_id, uint8_t **ret_data,
			 size_t *ret_len);
/* Reads the first value of a gob stream as a map[string]string, in wire order; a repeated
 * key keeps its last value. -EPROTO (not a string map), -E2BIG (a limit above), -EINVAL
 * (malformed). On success *ret_f holds the map; the caller releases it.
 */
int mesh_features_decode(const void *data, size_t len, struct mesh_features *ret_f,
			 struct mesh_error *err);

/* The overlay names of an Overlays feature, in preference order. */
struct mesh_overlays {
	size_t n;
	char names[MESH_OVERLAYS_MAX][MESH_OVERLAY_NAME_MAX + 1];
};

/* Splits at spaces (empty names are dropped); -E2BIG beyond the limits above. */
int mesh_overlays_parse(const char *list, struct mesh_overlays *ret);
/* The overlays both sides have, in the order of the dialling side's list: ours when
 * @outbound. The forwarder index of tag 7 messages is the position in *ret. -ENOENT when
 * there is none ("no overlays in common with peer").
 */
int mesh_overlays_common(const struct mesh_overlays *ours, const struct mesh_overlays *theirs,
			 bool outbound, struct mesh_overlays *ret, struct mesh_error *err);

/* What the features say about a peer and this connection. */
struct mesh_features_info {
	mesh_peer_name_t name;
	char nickname[MESH_NICKNAME_MAX + 1];
	uint64_t uid;
	uint64_t conn_id; /* random per connection and side */
	uint16_t short_id;
	bool has_short_id;
	bool trusted; /* the sender trusts its remote (absent: false) */
	bool has_overlays; /* absent: the peer only knows legacy sleeve tags 1-3 */
	struct mesh_overlays overlays;
};

/* Our features (makeFeatures), sorted: PeerNameFlavour mac, Name, NickName, UID, ConnID,
 * Trusted, ShortID when we have one, Overlays when has_overlays.
 */
int mesh_features_make(const struct mesh_features_info *info, struct mesh_features *ret_f);

/* parseFeatures: the required keys (PeerNameFlavour, Name, NickName, UID, ConnID; "field X
 * is missing"), the flavour ("Peer name flavour mismatch (ours: 'mac', theirs: '...')"),
 * then Name, NickName, ShortID (12 bits), Trusted (Go's ParseBool), UID, ConnID (decimal)
 * and Overlays. -EPROTO for a missing or malformed value, -E2BIG for overlong ones.
 */
int mesh_features_parse(const struct mesh_features *f, struct mesh_features_info *ret_info,
			struct mesh_error *err);

/* The connection's uid on both ends: tie-breaks duplicate connections, keys heartbeats. */
uint64_t mesh_conn_uid(uint64_t local_conn_id, uint64_t remote_conn_id);

/* registerRemote's fatal checks, never retried: -ENOTUNIQ for the same name with another
 * uid ("local \"N(nick)\" and remote \"N(nick)\" peer names collision"), -ELOOP for
 * ourselves ("cannot connect to ourself"). See enum mesh_conn_error (targets.h).
 */
int mesh_features_check_remote(const struct mesh_features_info *local,
			       const struct mesh_features_info *remote, struct mesh_error *err);

#endif /* WEAVE_MESH_FEATURES_H */
