// SPDX-License-Identifier: GPL-2.0
/* Session key derivation, nonce layouts and in-place secretbox seal/open of sleeve
 * datagrams, all through libsodium.
 */
#include "overlay/sleeve/sleeve_crypto.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

_Static_assert(SLEEVE_KEY_LEN == crypto_secretbox_KEYBYTES, "secretbox key size");
_Static_assert(SLEEVE_NONCE_LEN == crypto_secretbox_NONCEBYTES, "secretbox nonce size");
_Static_assert(SLEEVE_TAG_LEN == crypto_secretbox_MACBYTES, "secretbox tag size");
_Static_assert(crypto_box_BEFORENMBYTES == 32, "box shared key size");

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int sleeve_session_key(const uint8_t remote_pub[32], const uint8_t local_priv[32],
		       const uint8_t *password, size_t password_len,
		       uint8_t ret_key[SLEEVE_KEY_LEN])
{
	uint8_t shared[crypto_box_BEFORENMBYTES];
	crypto_hash_sha256_state st;
	int r = -EPROTO;

	if (crypto_box_beforenm(shared, remote_pub, local_priv) != 0)
		goto out_wipe;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, shared, sizeof(shared));
	if (password_len)
		crypto_hash_sha256_update(&st, password, password_len);
	crypto_hash_sha256_final(&st, ret_key);
	r = 0;
out_wipe:
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(&st, sizeof(st));
	return r;
}

void sleeve_nonce_udp(uint8_t ret_nonce[SLEEVE_NONCE_LEN], bool sender_outbound, uint64_t seq_df)
{
	memset(ret_nonce, 0, SLEEVE_NONCE_LEN);
	if (sender_outbound)
		ret_nonce[0] |= SLEEVE_NONCE_OUTBOUND;
	put_be64(ret_nonce + SLEEVE_NONCE_SEQ_OFF, seq_df);
}

void sleeve_nonce_tcp(uint8_t ret_nonce[SLEEVE_NONCE_LEN], bool sender_outbound, uint64_t seq)
{
	sleeve_nonce_udp(ret_nonce, sender_outbound, seq);
	ret_nonce[0] |= SLEEVE_NONCE_TCP;
}

void sleeve_sealer_init(struct sleeve_sealer *s, const uint8_t key[SLEEVE_KEY_LEN], bool outbound,
			bool df)
{
	memcpy(s->key, key, SLEEVE_KEY_LEN);
	s->next_seq = 0;
	s->outbound = outbound;
	s->df = df;
}

void sleeve_sealer_wipe(struct sleeve_sealer *s)
{
	sodium_memzero(s, sizeof(*s));
}

int sleeve_seal(struct sleeve_sealer *s, uint8_t *pkt, size_t len)
{
	uint8_t nonce[SLEEVE_NONCE_LEN];
	uint8_t *box = pkt + SLEEVE_NAME_LEN + SLEEVE_SEQ_LEN;
	uint64_t seq_df;

	if (!pkt || len < SLEEVE_CRYPT_PACKET_OVERHEAD)
		return -EBADMSG;
	if (s->next_seq > SLEEVE_SEQ_MASK)
		return -EOVERFLOW;
	seq_df = s->next_seq | (s->df ? SLEEVE_SEQ_DF_BIT : 0);
	put_be64(pkt + SLEEVE_NAME_LEN, seq_df);
	sleeve_nonce_udp(nonce, s->outbound, seq_df);
	/* The plaintext sits right after the tag's room: libsodium seals it in place. */
	crypto_secretbox_easy(box, box + SLEEVE_TAG_LEN, len - SLEEVE_CRYPT_PACKET_OVERHEAD, nonce,
			      s->key);
	s->next_seq++;
	return 0;
}

int sleeve_open(const uint8_t key[SLEEVE_KEY_LEN], bool outbound, uint8_t *body, size_t len,
		uint64_t *ret_seq_df)
{
	uint8_t nonce[SLEEVE_NONCE_LEN];
	uint8_t *box = body + SLEEVE_SEQ_LEN;
	uint64_t seq_df;

	if (!body || len < SLEEVE_SEQ_LEN + SLEEVE_TAG_LEN)
		return -EBADMSG;
	seq_df = get_be64(body);
	/* The sender's polarity is the opposite of ours. */
	sleeve_nonce_udp(nonce, !outbound, seq_df);
	if (crypto_secretbox_open_easy(box + SLEEVE_TAG_LEN, box, len - SLEEVE_SEQ_LEN, nonce,
				       key) != 0)
		return -EKEYREJECTED;
	*ret_seq_df = seq_df;
	return 0;
}
