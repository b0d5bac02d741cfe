/* SPDX-License-Identifier: GPL-2.0 */
/* PeerName: a peer's 48-bit name (MAC flavour), its text and wire forms, and the
 * derivation of a stable name from the host's machine-id and hardware uuid.
 */
#ifndef WEAVE_MESH_PEER_NAME_H
#define WEAVE_MESH_PEER_NAME_H

#include <stddef.h>
#include <stdint.h>

/* A peer name is the 48-bit MAC read big-endian into the low bits; 0 means "no peer". */
typedef uint64_t mesh_peer_name_t;

#define MESH_PEER_NAME_UNKNOWN ((mesh_peer_name_t)0)
#define MESH_PEER_NAME_MASK ((mesh_peer_name_t)0xffffffffffffULL)
#define MESH_PEER_NAME_LEN 6 /* bytes of NameByte on the wire */
#define MESH_PEER_NAME_STRLEN 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define MESH_PEER_NAME_FLAVOUR "mac" /* the PeerNameFlavour feature */

/* Parses "aa:bb:cc:dd:ee:ff" (1 or 2 hex digits per byte) or a form with one "::"
 * standing for two or more zero bytes ("::1", "aa::ff", "1:2::3:4"), as Weave's
 * PeerNameFromString. Returns -EINVAL on anything else.
 */
int mesh_peer_name_parse(const char *s, mesh_peer_name_t *ret_name);

/* Writes the canonical lowercase "aa:bb:cc:dd:ee:ff" form into @buf and returns @buf. */
char *mesh_peer_name_format(mesh_peer_name_t name, char buf[static MESH_PEER_NAME_STRLEN]);

void mesh_peer_name_to_bytes(mesh_peer_name_t name, uint8_t ret_bytes[static MESH_PEER_NAME_LEN]);

/* NameByte of a topology update; -EINVAL unless @len is MESH_PEER_NAME_LEN. */
int mesh_peer_name_from_bytes(const uint8_t *bytes, size_t len, mesh_peer_name_t *ret_name);

/* Clears the multicast bit and sets the locally-administered bit of the first byte,
 * e.g. to turn 48 random bits into a usable name.
 */
mesh_peer_name_t mesh_peer_name_local_unicast(mesh_peer_name_t name);

/* The persistent name: sha256("9oBJ0Jmip-" || machine_id || uuid)[:6], made locally
 * administered unicast. The bytes are hashed as given (the files' contents, newline
 * included); pass an empty machine id for the older uuid-only derivation.
 */
int mesh_peer_name_derive(const void *machine_id, size_t machine_id_len, const void *uuid,
			  size_t uuid_len, mesh_peer_name_t *ret_name);

#endif /* WEAVE_MESH_PEER_NAME_H */
