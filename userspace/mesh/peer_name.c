// SPDX-License-Identifier: GPL-2.0
/* PeerName parsing (full and "::"-compressed forms), formatting, wire bytes and the
 * sha256-based derivation of a host's persistent name.
 */
#include "mesh/peer_name.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NAME_SALT "9oBJ0Jmip-"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "x:y:z" (each 1 or 2 hex digits) from s[0..len) into ret_bytes, at most @max
 * groups. An empty string is zero groups. Returns the number of groups or -EINVAL.
 */
static int parse_groups(const char *s, size_t len, uint8_t *ret_bytes, int max)
{
	size_t i = 0;
	int n = 0;

	if (len == 0)
		return 0;
	for (;;) {
		int digits = 0, v = 0, d;

		while (i < len && digits < 2 && (d = hex_digit(s[i])) >= 0) {
			v = v * 16 + d;
			digits++;
			i++;
		}
		if (digits == 0 || n == max)
			return -EINVAL;
		ret_bytes[n++] = (uint8_t)v;
		if (i == len)
			return n;
		if (s[i] != ':' || ++i == len)
			return -EINVAL;
	}
}

static mesh_peer_name_t name_from_bytes(const uint8_t *b)
{
	mesh_peer_name_t name = 0;
	int i;

	for (i = 0; i < MESH_PEER_NAME_LEN; i++)
		name = name << 8 | b[i];
	return name;
}

int mesh_peer_name_parse(const char *s, mesh_peer_name_t *ret_name)
{
	uint8_t bytes[MESH_PEER_NAME_LEN] = { 0 }, head[4], tail[4];
	const char *gap;
	int nh, nt;

	if (!s)
		return -EINVAL;
	gap = strstr(s, "::");
	if (!gap) {
		if (parse_groups(s, strlen(s), bytes, MESH_PEER_NAME_LEN) != MESH_PEER_NAME_LEN)
			return -EINVAL;
		*ret_name = name_from_bytes(bytes);
		return 0;
	}
	/* "::" stands for at least two zero bytes: 1 to 4 explicit groups around it. */
	nh = parse_groups(s, (size_t)(gap - s), head, 4);
	nt = parse_groups(gap + 2, strlen(gap + 2), tail, 4);
	if (nh < 0 || nt < 0 || nh + nt < 1 || nh + nt > 4)
		return -EINVAL;
	memcpy(bytes, head, (size_t)nh);
	memcpy(bytes + MESH_PEER_NAME_LEN - nt, tail, (size_t)nt);
	*ret_name = name_from_bytes(bytes);
	return 0;
}

char *mesh_peer_name_format(mesh_peer_name_t name, char buf[static MESH_PEER_NAME_STRLEN])
{
	uint8_t b[MESH_PEER_NAME_LEN];

	mesh_peer_name_to_bytes(name, b);
	snprintf(buf, MESH_PEER_NAME_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
	return buf;
}

void mesh_peer_name_to_bytes(mesh_peer_name_t name, uint8_t ret_bytes[static MESH_PEER_NAME_LEN])
{
	int i;

	for (i = MESH_PEER_NAME_LEN - 1; i >= 0; i--) {
		ret_bytes[i] = (uint8_t)name;
		name >>= 8;
	}
}

int mesh_peer_name_from_bytes(const uint8_t *bytes, size_t len, mesh_peer_name_t *ret_name)
{
	if (!bytes || len != MESH_PEER_NAME_LEN)
		return -EINVAL;
	*ret_name = name_from_bytes(bytes);
	return 0;
}

mesh_peer_name_t mesh_peer_name_local_unicast(mesh_peer_name_t name)
{
	name &= MESH_PEER_NAME_MASK;
	return (name & ~(1ULL << 40)) | 1ULL << 41;
}

int mesh_peer_name_derive(const void *machine_id, size_t machine_id_len, const void *uuid,
			  size_t uuid_len, mesh_peer_name_t *ret_name)
{
	uint8_t sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	if ((machine_id_len && !machine_id) || (uuid_len && !uuid))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)NAME_SALT, strlen(NAME_SALT));
	if (machine_id_len)
		crypto_hash_sha256_update(&st, machine_id, machine_id_len);
	if (uuid_len)
		crypto_hash_sha256_update(&st, uuid, uuid_len);
	crypto_hash_sha256_final(&st, sum);
	*ret_name = mesh_peer_name_local_unicast(name_from_bytes(sum));
	return 0;
}
