/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes and limits of the sleeve UDP wire format (reference §4.2-§4.4), shared by the
 * datagram parser, the batch builder, the crypto and the MTU arithmetic.
 */
#ifndef WEAVE_SLEEVE_WIRE_H
#define WEAVE_SLEEVE_WIRE_H

/* Plain datagram:     [sender name][record]...
 * Encrypted datagram: [sender name][BE u64 seq | DF << 63][16 B Poly1305 tag][sealed records]
 * Record:             [src peer name][dst peer name][BE u16 frame length][Ethernet frame]
 */
enum sleeve_wire {
	SLEEVE_PORT = 6783,
	SLEEVE_NAME_LEN = 6,
	SLEEVE_ETH_HLEN = 14, /* Weave's EthernetOverhead */
	SLEEVE_UDP_OVERHEAD = 28, /* IPv4 20 + UDP 8 */
	SLEEVE_SEQ_LEN = 8,
	SLEEVE_TAG_LEN = 16, /* crypto_secretbox_MACBYTES */
	SLEEVE_KEY_LEN = 32, /* crypto_secretbox_KEYBYTES */
	SLEEVE_NONCE_LEN = 24, /* crypto_secretbox_NONCEBYTES */
	/* Encryptor.PacketOverhead: what a datagram costs before its first record. */
	SLEEVE_PLAIN_PACKET_OVERHEAD = SLEEVE_NAME_LEN,
	SLEEVE_CRYPT_PACKET_OVERHEAD = SLEEVE_NAME_LEN + SLEEVE_SEQ_LEN + SLEEVE_TAG_LEN,
	/* Encryptor.FrameOverhead: the record header. */
	SLEEVE_FRAME_OVERHEAD = 2 * SLEEVE_NAME_LEN + 2,
	SLEEVE_MAX_FRAME_LEN = 0xffff, /* the record length is 16 bits */
	/* Weave's DefaultMTU; minus UDPOverhead it is the largest datagram ever sent. */
	SLEEVE_DEFAULT_MTU = 65535,
	SLEEVE_MAX_DATAGRAM = SLEEVE_DEFAULT_MTU - SLEEVE_UDP_OVERHEAD,
	/* A receive buffer of this size holds any UDP payload. */
	SLEEVE_RECV_BUF_LEN = 65535,
	/* aggregateAndSend stops batching after this many frames. */
	SLEEVE_MAX_BATCH_FRAMES = 100,
};

#endif /* WEAVE_SLEEVE_WIRE_H */
