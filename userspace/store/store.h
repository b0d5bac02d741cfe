/* SPDX-License-Identifier: GPL-2.0 */
/* store: weaver's persistent state, opaque values under short string keys in one LMDB file,
 * written durably (fsync) before the caller acts on it. A leaf: knows nothing of peers or rings.
 */
#ifndef _WEAVE_STORE_H
#define _WEAVE_STORE_H

#include <stddef.h>

/* Weave's key names (db/boltdb.go); the values' encoding is the caller's. */
#define STORE_KEY_PEERNAME "peername"
#define STORE_KEY_RING "ring"
#define STORE_KEY_OWNED_ADDRESSES "ownedAddresses"
#define STORE_KEY_DIRECT_PEERS "directPeers"
/* Reserved: the schema version, {1, 0}, written when the file is created. Read-only to callers. */
#define STORE_KEY_VERSION "version"

#define STORE_KEY_MAX 255 /* bytes, not counting the NUL; keys are never empty */
#define STORE_VALUE_MAX (16U << 20) /* bytes */

struct store;
struct store_txn;

/* Opens the database file @path (LMDB with MDB_NOSUBDIR: the data file itself plus "<path>-lock"),
 * creating missing parent directories (0700) and, if @path does not exist, a new file (0600) that
 * holds only the version key. A new file is built under a temporary name, synced and renamed into
 * place, so @path is never a half-initialised database.
 * An existing file is never written by opening it. It is checked first in a short-lived child
 * process (fork; stderr silenced; memory limited; reaped before returning: the caller must not
 * reap children it did not start) that reads every record, and deletes and rewrites each in
 * transactions it aborts: LMDB has no page checksums and can crash on damaged pages, so damage is
 * found there rather than in the caller. Then the caller's process repeats the read-only checks.
 * Returns 0, or:
 *   -EBADMSG    @path is not an LMDB file, or is empty, truncated or damaged;
 *   -EPROTO     an LMDB file without our version key, or with a version we do not know;
 *   -EISDIR     @path is a directory;
 *   -ETIMEDOUT  the check took over 60 s (damage, or another process held the write lock);
 *   another negative errno from the system (-EACCES, -ENOTDIR, -ENOSPC, -ENOMEM, ...).
 * Open a file once per process (LMDB's rule), and not again in a child after fork(): open it anew.
 */
int store_open(const char *path, struct store **ret_store);
/* Closes the file. A transaction still open is aborted: its calls then return -ESTALE, and
 * store_txn_commit/store_txn_abort still free it. NULL-safe; returns NULL. */
struct store *store_close(struct store *store);
const char *store_path(const struct store *store);

/* A malloc'ed copy of @key's committed value in *ret_data (free() it; never NULL, even for an empty
 * value) and its length in *ret_len. -ENOENT when absent; -EINVAL or -E2BIG for a bad key;
 * -EBADMSG if the stored value is impossible (longer than STORE_VALUE_MAX). Outside any open
 * transaction: it sees what was committed, not a transaction's pending writes.
 */
int store_get(struct store *store, const char *key, void **ret_data, size_t *ret_len);
/* Sets @key to @len bytes at @data (NULL allowed when @len is 0) and commits: on return 0 the
 * value is on disk. -E2BIG beyond the limits, -EPERM for STORE_KEY_VERSION, -EBUSY while a
 * transaction is open, -ENOSPC when the map cannot grow further.
 */
int store_put(struct store *store, const char *key, const void *data, size_t len);
/* Deletes @key and commits. -ENOENT when it was absent (nothing is written then). */
int store_del(struct store *store, const char *key);

/* One write transaction at a time per store (-EBUSY otherwise): its puts and deletes reach the
 * disk together at store_txn_commit, or not at all. store_txn_get sees the transaction's own
 * writes. An error other than a rejected argument (-EINVAL, -E2BIG, -EPERM) or -ENOENT leaves
 * the transaction failed: later calls return that error and commit returns it without writing.
 */
int store_txn_begin(struct store *store, struct store_txn **ret_txn);
int store_txn_get(struct store_txn *txn, const char *key, void **ret_data, size_t *ret_len);
int store_txn_put(struct store_txn *txn, const char *key, const void *data, size_t len);
int store_txn_del(struct store_txn *txn, const char *key);
/* Commits durably and frees @txn, whether or not it succeeds. */
int store_txn_commit(struct store_txn *txn);
/* Discards the writes and frees @txn. NULL-safe; returns NULL. */
struct store_txn *store_txn_abort(struct store_txn *txn);

#endif /* _WEAVE_STORE_H */
