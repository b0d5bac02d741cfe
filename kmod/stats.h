/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU packet, byte and drop-by-reason counters of the switch, its ports and peers. */

#ifndef _WEAVE_STATS_H
#define _WEAVE_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/weave.h>

struct sk_buff;

struct weave_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t drops[__WEAVE_DROP_MAX];
	struct u64_stats_sync syncp;
};

struct weave_stats_sum {
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_dropped;
	u64 drops[__WEAVE_DROP_MAX];
};

static inline void weave_stats_rx(struct weave_pcpu_stats __percpu *stats, unsigned int len)
{
	struct weave_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

static inline void weave_stats_tx(struct weave_pcpu_stats __percpu *stats, unsigned int len)
{
	struct weave_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->tx_packets);
	u64_stats_add(&s->tx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

static inline void weave_stats_drop(struct weave_pcpu_stats __percpu *stats,
				    enum weave_drop_reason reason)
{
	struct weave_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
}

struct weave_pcpu_stats __percpu *weave_stats_alloc(void);
void weave_stats_read(struct weave_pcpu_stats __percpu *stats, struct weave_stats_sum *sum);
int weave_stats_put_sum(struct sk_buff *skb, int attr, const struct weave_stats_sum *sum);
int weave_stats_put(struct sk_buff *skb, int attr, struct weave_pcpu_stats __percpu *stats);

#endif /* _WEAVE_STATS_H */
