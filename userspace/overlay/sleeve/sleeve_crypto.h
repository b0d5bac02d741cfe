/* SPDX-License-Identifier: GPL-2.0 */
/* Sleeve/mesh crypto (reference §3.3, §4.2): the session key, the 24-byte nonces and the
 * in-place NaCl secretbox sealing and opening of sleeve datagrams. Needs sodium_init().
 */
#ifndef WEAVE_SLEEVE_CRYPTO_H
#define WEAVE_SLEEVE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_wire.h"

/* The top bit of the wire sequence word marks the DF stream; the rest is the counter. */
#define SLEEVE_SEQ_DF_BIT (UINT64_C(1) << 63)
#define SLEEVE_SEQ_MASK (SLEEVE_SEQ_DF_BIT - 1)

enum sleeve_nonce_bits {
	SLEEVE_NONCE_OUTBOUND = 0x80, /* byte 0: the sender dialled the connection */
	SLEEVE_NONCE_TCP = 0x40, /* byte 0: TCP control stream (never set for UDP) */
	SLEEVE_NONCE_SEQ_OFF = 16, /* bytes 16..23: BE u64 sequence word */
};

/* sessionKey = SHA256(crypto_box_beforenm(remote_pub, local_priv) || password).
 * -EPROTO when the remote key is a low-order point (libsodium refuses it).
 */
int sleeve_session_key(const uint8_t remote_pub[32], const uint8_t local_priv[32],
		       const uint8_t *password, size_t password_len,
		       uint8_t ret_key[SLEEVE_KEY_LEN]);

/* UDP nonce: byte 0 bit 7 = sender is the outbound side, bytes 16..23 = @seq_df exactly as
 * on the wire (counter | DF << 63), all else zero.
 */
void sleeve_nonce_udp(uint8_t ret_nonce[SLEEVE_NONCE_LEN], bool sender_outbound, uint64_t seq_df);

/* TCP control nonce (§3.3), kept beside the UDP one so their disjointness lives in one
 * place: bit 7 as above, bit 6 set, bytes 16..23 = message number from 0.
 */
void sleeve_nonce_tcp(uint8_t ret_nonce[SLEEVE_NONCE_LEN], bool sender_outbound, uint64_t seq);

/* One of the two per-connection encryptors (non-DF and DF), each counting from 0. */
struct sleeve_sealer {
	uint8_t key[SLEEVE_KEY_LEN];
	uint64_t next_seq;
	bool outbound; /* the local side dialled the connection */
	bool df;
};

void sleeve_sealer_init(struct sleeve_sealer *s, const uint8_t key[SLEEVE_KEY_LEN], bool outbound,
			bool df);
void sleeve_sealer_wipe(struct sleeve_sealer *s);

/* Seals a datagram in place. @pkt is [name][8 spare][16 spare][plaintext records] of @len
 * bytes (what an encrypted sleeve_batch holds); the sequence word and the tag are written
 * and the records encrypted, the length is unchanged. -EBADMSG when @len is shorter than
 * SLEEVE_CRYPT_PACKET_OVERHEAD, -EOVERFLOW when the 63-bit counter is exhausted.
 */
int sleeve_seal(struct sleeve_sealer *s, uint8_t *pkt, size_t len);

/* Opens in place the body of an encrypted datagram (after the sender name):
 * [seq word][tag][ciphertext]. On success the plaintext records are at
 * body + SLEEVE_SEQ_LEN + SLEEVE_TAG_LEN, len - 24 bytes, and *ret_seq_df is the sequence
 * word. @outbound is the local side's polarity. No replay check (sleeve_rx_open does it).
 * -EBADMSG when too short, -EKEYREJECTED when authentication fails (body unchanged).
 */
int sleeve_open(const uint8_t key[SLEEVE_KEY_LEN], bool outbound, uint8_t *body, size_t len,
		uint64_t *ret_seq_df);

#endif /* WEAVE_SLEEVE_CRYPTO_H */
