/* SPDX-License-Identifier: GPL-2.0 */
/* Sleeve MTU arithmetic and PMTU verification (reference §4.4): overheads, the DF payload
 * limit and the probe search Weave runs after an EMSGSIZE, as a pure state machine.
 */
#ifndef WEAVE_SLEEVE_MTU_H
#define WEAVE_SLEEVE_MTU_H

#include <stdbool.h>
#include <stddef.h>

enum sleeve_mtu_consts {
	SLEEVE_PMTU_SEARCH_FLOOR = 552, /* assumed good when a search starts */
	SLEEVE_PMTU_VERIFY_ATTEMPTS = 8, /* probes per candidate */
	SLEEVE_PMTU_VERIFY_TIMEOUT_MS = 10, /* doubled with each attempt */
};

/* Bytes added to an overlay IP packet on the underlay (Weave's overheadDF): IP+UDP 28,
 * packet overhead 6 (30 encrypted), record header 14, inner Ethernet 14: 62 or 86.
 */
int sleeve_overhead(bool encrypted);

/* Overlay MTU for an underlay path MTU (1500 -> 1438 plain, 1414 encrypted). */
int sleeve_mtu_for_pmtu(int underlay_pmtu, bool encrypted);

/* Largest DF datagram (UDP payload) once @mtu is verified: mtu + overhead - 28. */
size_t sleeve_max_payload_for_mtu(int mtu, bool encrypted);

/* Whether a captured frame exceeds the overlay MTU (its IP packet is longer than @mtu). */
bool sleeve_frame_too_big(size_t frame_len, int mtu);

struct sleeve_pmtu {
	int overhead;
	int mtu; /* overlay MTU in force (starts at 65535) */
	size_t max_payload; /* limit of DF datagrams (starts at 65507) */
	int highest_good;
	int lowest_bad;
	int candidate; /* 0 when no search runs */
	unsigned int tests_sent;
};

enum sleeve_pmtu_step {
	SLEEVE_PMTU_IDLE, /* nothing to do */
	SLEEVE_PMTU_PROBE, /* send the probe described in the out parameter, arm its timer */
	/* Search over: mtu and max_payload are final ("Effective MTU verified at <mtu>"),
	 * stop the timer.
	 */
	SLEEVE_PMTU_VERIFIED,
};

struct sleeve_pmtu_probe {
	size_t frame_len; /* special frame to send on the DF path */
	unsigned int timeout_ms;
};

void sleeve_pmtu_init(struct sleeve_pmtu *p, bool encrypted);

/* A DF send failed with EMSGSIZE and IP_MTU reported @underlay_pmtu: (re)start the search. */
enum sleeve_pmtu_step sleeve_pmtu_emsgsize(struct sleeve_pmtu *p, int underlay_pmtu,
					   struct sleeve_pmtu_probe *ret_probe);

/* The peer answered PMTUVerified(@mtu). */
enum sleeve_pmtu_step sleeve_pmtu_ack(struct sleeve_pmtu *p, int mtu,
				      struct sleeve_pmtu_probe *ret_probe);

/* The probe timer fired. */
enum sleeve_pmtu_step sleeve_pmtu_timeout(struct sleeve_pmtu *p,
					  struct sleeve_pmtu_probe *ret_probe);

#endif /* WEAVE_SLEEVE_MTU_H */
