/* SPDX-License-Identifier: GPL-2.0 */
/* gossip_wire: the payloads of tags 4-6 (reference §3.4), each a fresh gob stream of
 * singleton values: string channel, uint PeerName(s), []byte data.
 */
#ifndef WEAVE_MESH_GOSSIP_WIRE_H
#define WEAVE_MESH_GOSSIP_WIRE_H

#include "mesh/peer_name.h"

#include <stddef.h>
#include <stdint.h>

#define MESH_CHANNEL_MAX 255 /* bytes of a gossip channel name */

struct gob_value;

/* A decoded envelope. @data points into memory the envelope owns: release it with
 * mesh_gossip_msg_done.
 */
struct mesh_gossip_msg {
	uint8_t tag; /* MESH_TAG_GOSSIP, _GOSSIP_UNICAST or _GOSSIP_BROADCAST */
	char channel[MESH_CHANNEL_MAX + 1];
	mesh_peer_name_t src; /* sender (4), source (5), original source (6) */
	mesh_peer_name_t dst; /* unicast destination (5), else MESH_PEER_NAME_UNKNOWN */
	const uint8_t *data;
	size_t len;
	/* private */
	struct gob_value *owner;
};

/* The payload (without the tag byte) of a gossip message; @dst is only written for
 * MESH_TAG_GOSSIP_UNICAST. -EINVAL for another tag or a channel name over the limit.
 * *ret_payload is malloc'ed.
 */
int mesh_gossip_encode(uint8_t tag, const char *channel, mesh_peer_name_t src, mesh_peer_name_t dst,
		       const void *data, size_t len, uint8_t **ret_payload, size_t *ret_len);

/* Decodes a tag 4-6 payload as Weave's handleGossip does (trailing bytes are ignored).
 * -EINVAL (malformed or cut), -EPROTO (a value of the wrong type), -E2BIG (channel name).
 */
int mesh_gossip_decode(uint8_t tag, const void *payload, size_t len,
		       struct mesh_gossip_msg *ret_msg);

void mesh_gossip_msg_done(struct mesh_gossip_msg *msg);

#endif /* WEAVE_MESH_GOSSIP_WIRE_H */
