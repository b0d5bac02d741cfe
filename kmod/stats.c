// SPDX-License-Identifier: GPL-2.0
/* Per-CPU counters: allocation, summing over CPUs, and their netlink form. */

#include "stats.h"

#include <linux/cpumask.h>
#include <net/netlink.h>

struct weave_pcpu_stats __percpu *weave_stats_alloc(void)
{
	struct weave_pcpu_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct weave_pcpu_stats, GFP_KERNEL);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void weave_stats_read(struct weave_pcpu_stats __percpu *stats, struct weave_stats_sum *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct weave_pcpu_stats *s = per_cpu_ptr(stats, cpu);
		struct weave_stats_sum one;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.rx_packets = u64_stats_read(&s->rx_packets);
			one.rx_bytes = u64_stats_read(&s->rx_bytes);
			one.tx_packets = u64_stats_read(&s->tx_packets);
			one.tx_bytes = u64_stats_read(&s->tx_bytes);
			for (i = 0; i < __WEAVE_DROP_MAX; i++)
				one.drops[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->rx_packets += one.rx_packets;
		sum->rx_bytes += one.rx_bytes;
		sum->tx_packets += one.tx_packets;
		sum->tx_bytes += one.tx_bytes;
		for (i = 0; i < __WEAVE_DROP_MAX; i++)
			sum->drops[i] += one.drops[i];
	}
}

/* Puts a nest @attr of WEAVE_STATS_A_* with @sum. */
int weave_stats_put_sum(struct sk_buff *skb, int attr, const struct weave_stats_sum *sum)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_PACKETS, sum->rx_packets, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_BYTES, sum->rx_bytes, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_PACKETS, sum->tx_packets, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_BYTES, sum->tx_bytes, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_RX_DROPPED, sum->rx_dropped, WEAVE_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, WEAVE_STATS_A_TX_DROPPED, sum->tx_dropped, WEAVE_STATS_A_PAD) ||
	    nla_put(skb, WEAVE_STATS_A_DROPS, sizeof(sum->drops), sum->drops)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Puts a nest @attr of WEAVE_STATS_A_* with the sums of @stats. */
int weave_stats_put(struct sk_buff *skb, int attr, struct weave_pcpu_stats __percpu *stats)
{
	struct weave_stats_sum sum;

	weave_stats_read(stats, &sum);
	return weave_stats_put_sum(skb, attr, &sum);
}
