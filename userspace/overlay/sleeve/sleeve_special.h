/* SPDX-License-Identifier: GPL-2.0 */
/* Sleeve special frames (reference §4.3): an all-zero 14-byte Ethernet header, told apart
 * by length: heartbeat, fragmentation test, PMTU probes. Builders and the classifier.
 */
#ifndef WEAVE_SLEEVE_SPECIAL_H
#define WEAVE_SLEEVE_SPECIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "overlay/sleeve/sleeve_batch.h"
#include "overlay/sleeve/sleeve_wire.h"

enum sleeve_special_len {
	SLEEVE_HEARTBEAT_LEN = SLEEVE_ETH_HLEN + 8, /* zero header + BE u64 connUID */
	SLEEVE_FRAG_TEST_LEN = 60001, /* all zeros, non-DF: exercises IP fragmentation */
	SLEEVE_PMTU_DISCOVERY_LEN = 60000, /* all zeros, DF: provokes EMSGSIZE locally */
};

enum sleeve_frame_kind {
	SLEEVE_FRAME_DATA, /* an Ethernet frame to switch */
	SLEEVE_FRAME_RUNT, /* shorter than an Ethernet header: Weave drops it */
	SLEEVE_FRAME_HEARTBEAT,
	SLEEVE_FRAME_FRAG_TEST,
	/* Any other special length, the 60000-byte discovery frame included (Weave answers
	 * it like a probe): reply PMTUVerified(len - 14).
	 */
	SLEEVE_FRAME_PMTU_PROBE,
	SLEEVE_FRAME_BOGUS, /* fragmentation-test length but not all zeros: Weave ignores it */
};

/* Whether @frame starts with the all-zero Ethernet header of a special frame. */
bool sleeve_frame_is_special(const uint8_t *frame, size_t len);

/* What a received frame is. Special frames are to be acted on only when the record's
 * src is the connection's remote peer and dst the local peer, as Weave checks.
 */
enum sleeve_frame_kind sleeve_frame_classify(const uint8_t *frame, size_t len);

/* The connUID carried by a frame classified SLEEVE_FRAME_HEARTBEAT; Weave ignores a
 * heartbeat whose connUID is not the connection's.
 */
uint64_t sleeve_heartbeat_conn_uid(const uint8_t *frame);

/* The overlay MTU a PMTU probe of @frame_len bytes verifies, as echoed in PMTUVerified. */
uint16_t sleeve_pmtu_probe_mtu(size_t frame_len);

/* Length of the probe frame for overlay MTU @mtu (candidate + 14). */
size_t sleeve_pmtu_probe_len(unsigned int mtu);

void sleeve_heartbeat_build(uint8_t ret_frame[SLEEVE_HEARTBEAT_LEN], uint64_t conn_uid);

/* Append a special frame from @local to @remote; errors as sleeve_batch_reserve. */
int sleeve_batch_add_heartbeat(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
			       const uint8_t remote[SLEEVE_NAME_LEN], uint64_t conn_uid);
int sleeve_batch_add_frag_test(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
			       const uint8_t remote[SLEEVE_NAME_LEN]);
int sleeve_batch_add_pmtu_probe(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
				const uint8_t remote[SLEEVE_NAME_LEN], unsigned int mtu);
int sleeve_batch_add_pmtu_discovery(struct sleeve_batch *b, const uint8_t local[SLEEVE_NAME_LEN],
				    const uint8_t remote[SLEEVE_NAME_LEN]);

#endif /* WEAVE_SLEEVE_SPECIAL_H */
