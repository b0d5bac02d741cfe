/* SPDX-License-Identifier: GPL-2.0 */
/* The MAC table: MAC -> local port or remote peer, learned from traffic, aged out. */

#ifndef _WEAVE_FDB_H
#define _WEAVE_FDB_H

#include <linux/etherdevice.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>

struct weave_dev;
struct weave_port;

/* Where a MAC lives: a port pointer, or a peer's short id shifted left by one with the
 * low bit set (ports are aligned, so the two never collide). One word, so the datapath
 * reads and updates it atomically.
 */
static inline unsigned long weave_fdb_dst_port(struct weave_port *port)
{
	return (unsigned long)port;
}

static inline unsigned long weave_fdb_dst_peer(u16 id)
{
	return ((unsigned long)id << 1) | 1;
}

static inline bool weave_fdb_dst_is_peer(unsigned long dst)
{
	return dst & 1;
}

static inline u16 weave_fdb_dst_peer_id(unsigned long dst)
{
	return dst >> 1;
}

static inline struct weave_port *weave_fdb_dst_to_port(unsigned long dst)
{
	return (struct weave_port *)dst;
}

struct weave_fdb_entry {
	struct rhash_head node;
	u8 mac[ETH_ALEN];
	unsigned long dst;	/* weave_fdb_dst_*() */
	unsigned long updated;	/* jiffies */
	struct rcu_head rcu;
};

struct weave_fdb {
	struct rhashtable table;
	atomic_t count;
	unsigned long ageing;	/* jiffies */
	unsigned int max;
	struct delayed_work gc;
	struct weave_dev *wd;
};

int weave_fdb_init(struct weave_fdb *fdb, struct weave_dev *wd);
void weave_fdb_uninit(struct weave_fdb *fdb);
void weave_fdb_learn(struct weave_fdb *fdb, const u8 *mac, unsigned long dst);
struct weave_fdb_entry *weave_fdb_lookup(struct weave_fdb *fdb, const u8 *mac);
void weave_fdb_set_ageing(struct weave_fdb *fdb, unsigned int seconds);

/* Removes the entries that match: all (match == NULL), or those for which it is true. */
typedef bool (*weave_fdb_match_t)(const struct weave_fdb_entry *e, const void *arg);
unsigned int weave_fdb_flush(struct weave_fdb *fdb, weave_fdb_match_t match, const void *arg);
bool weave_fdb_match_dst(const struct weave_fdb_entry *e, const void *dst);
bool weave_fdb_match_mac(const struct weave_fdb_entry *e, const void *mac);

/* Calls fn for the entries after the first @skip, until it returns non-zero. */
int weave_fdb_walk(struct weave_fdb *fdb, unsigned long skip,
		   int (*fn)(const struct weave_fdb_entry *e, void *arg), void *arg);

#endif /* _WEAVE_FDB_H */
