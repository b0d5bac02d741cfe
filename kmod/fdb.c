// SPDX-License-Identifier: GPL-2.0
/* The MAC table: an rhashtable keyed by MAC, looked up under RCU by the datapath,
 * learned from local ports and from decapsulated frames, bounded in size, and aged
 * out by a delayed work.
 */

#include "fdb.h"
#include "device.h"
#include "stats.h"

#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

static const struct rhashtable_params fdb_params = {
	.head_offset = offsetof(struct weave_fdb_entry, node),
	.key_offset = offsetof(struct weave_fdb_entry, mac),
	.key_len = ETH_ALEN,
	.automatic_shrinking = true,
};

struct weave_fdb_entry *weave_fdb_lookup(struct weave_fdb *fdb, const u8 *mac)
{
	return rhashtable_lookup(&fdb->table, mac, fdb_params);
}

void weave_fdb_learn(struct weave_fdb *fdb, const u8 *mac, unsigned long dst)
{
	struct weave_fdb_entry *e, *old;
	unsigned long now = jiffies;

	if (unlikely(!is_valid_ether_addr(mac)))
		return;

	e = rhashtable_lookup(&fdb->table, mac, fdb_params);
	if (likely(e)) {
		/* Written only when changed: a hot entry stays in every CPU's cache. */
		if (READ_ONCE(e->dst) != dst)
			WRITE_ONCE(e->dst, dst);
		if (READ_ONCE(e->updated) != now)
			WRITE_ONCE(e->updated, now);
		return;
	}

	if (atomic_read(&fdb->count) >= READ_ONCE(fdb->max)) {
		weave_stats_drop(fdb->wd->stats, WEAVE_DROP_FDB_FULL);
		return;
	}
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		return;
	ether_addr_copy(e->mac, mac);
	e->dst = dst;
	e->updated = now;
	old = rhashtable_lookup_get_insert_fast(&fdb->table, &e->node, fdb_params);
	if (old) {
		/* Learned by another CPU meanwhile, or the table could not grow. */
		kfree(e);
		return;
	}
	atomic_inc(&fdb->count);
}

static void fdb_remove(struct weave_fdb *fdb, struct weave_fdb_entry *e)
{
	if (rhashtable_remove_fast(&fdb->table, &e->node, fdb_params) == 0) {
		atomic_dec(&fdb->count);
		kfree_rcu(e, rcu);
	}
}

bool weave_fdb_match_dst(const struct weave_fdb_entry *e, const void *dst)
{
	return READ_ONCE(e->dst) == (unsigned long)dst;
}

bool weave_fdb_match_mac(const struct weave_fdb_entry *e, const void *mac)
{
	return ether_addr_equal(e->mac, mac);
}

static bool match_expired(const struct weave_fdb_entry *e, const void *fdb)
{
	const struct weave_fdb *f = fdb;

	return time_after(jiffies, READ_ONCE(e->updated) + READ_ONCE(f->ageing));
}

/* Process context. Returns how many entries were removed. */
unsigned int weave_fdb_flush(struct weave_fdb *fdb, weave_fdb_match_t match, const void *arg)
{
	struct rhashtable_iter iter;
	struct weave_fdb_entry *e;
	unsigned int removed = 0;

	rhashtable_walk_enter(&fdb->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))
			continue;	/* -EAGAIN: the table was resized, keep going */
		if (match && !match(e, arg))
			continue;
		fdb_remove(fdb, e);
		removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}

int weave_fdb_walk(struct weave_fdb *fdb, unsigned long skip,
		   int (*fn)(const struct weave_fdb_entry *e, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct weave_fdb_entry *e;
	int ret = 0;

	rhashtable_walk_enter(&fdb->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		ret = fn(e, arg);
		if (ret)
			break;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return ret;
}

static unsigned long gc_interval(const struct weave_fdb *fdb)
{
	return clamp_t(unsigned long, READ_ONCE(fdb->ageing) / 4, HZ / 2, 10 * HZ);
}

static void fdb_gc(struct work_struct *work)
{
	struct weave_fdb *fdb = container_of(work, struct weave_fdb, gc.work);

	weave_fdb_flush(fdb, match_expired, fdb);
	queue_delayed_work(system_power_efficient_wq, &fdb->gc, gc_interval(fdb));
}

void weave_fdb_set_ageing(struct weave_fdb *fdb, unsigned int seconds)
{
	WRITE_ONCE(fdb->ageing, seconds * HZ);
	mod_delayed_work(system_power_efficient_wq, &fdb->gc, gc_interval(fdb));
}

int weave_fdb_init(struct weave_fdb *fdb, struct weave_dev *wd)
{
	int ret;

	ret = rhashtable_init(&fdb->table, &fdb_params);
	if (ret < 0)
		return ret;
	atomic_set(&fdb->count, 0);
	fdb->ageing = WEAVE_FDB_AGEING_DEFAULT * HZ;
	fdb->max = WEAVE_FDB_MAX_DEFAULT;
	fdb->wd = wd;
	INIT_DELAYED_WORK(&fdb->gc, fdb_gc);
	queue_delayed_work(system_power_efficient_wq, &fdb->gc, gc_interval(fdb));
	return 0;
}

static void fdb_free_entry(void *ptr, void *arg)
{
	struct weave_fdb_entry *e = ptr;

	kfree_rcu(e, rcu);
}

/* The datapath must be quiet: the device is unregistered and its ports released. */
void weave_fdb_uninit(struct weave_fdb *fdb)
{
	cancel_delayed_work_sync(&fdb->gc);
	rhashtable_free_and_destroy(&fdb->table, fdb_free_entry, NULL);
}
