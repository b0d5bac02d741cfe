// SPDX-License-Identifier: GPL-2.0
/* store: weaver's state in one LMDB file (see store.h): atomic creation, validation on open that
 * never writes, durable commits, and map growth that replays the open transaction's writes. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <lmdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STORE_DB_NAME "top"
#define STORE_MAP_INITIAL ((size_t)64 << 20)
#define STORE_MAP_MAX ((size_t)1 << 30) /* doubling stops here: -ENOSPC */
#define STORE_PROBE_TIMEOUT_MS 60000
#define STORE_PROBE_MEMORY ((uint64_t)512 << 20) /* plus 4x the file */

static const unsigned char store_version[2] = { 1, 0 };
static const unsigned char empty_value[1];

struct store {
	char *path;
	MDB_env *env;
	MDB_dbi dbi; /* "top" */
	struct store_txn *txn; /* the open write transaction, if any */
};

/* One key's write in a transaction: the last one per key, enough to replay the transaction. */
struct store_op {
	char *key;
	size_t key_len;
	void *data;
	size_t len;
	bool del;
};

struct store_txn {
	struct store *store; /* NULL once store_close() ran under it */
	MDB_txn *txn;
	struct store_op *ops;
	size_t n_ops;
	size_t cap_ops;
	int error; /* sticky: the transaction failed */
};

static int grow(struct store *s);

static int errno_from_mdb(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_PAGE_NOTFOUND:
	case MDB_CORRUPTED:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
		return -EBADMSG;
	case MDB_INCOMPATIBLE:
		return -EPROTO;
	case MDB_PANIC:
		return -EIO;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
		return -ENOSPC;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_READERS_FULL:
	case MDB_DBS_FULL:
	case MDB_TLS_FULL:
	case MDB_CURSOR_FULL:
		return -EUSERS;
	case MDB_BAD_RSLOT:
	case MDB_BAD_TXN:
	case MDB_BAD_VALSIZE:
	case MDB_BAD_DBI:
		return -EINVAL;
	default:
		return rc > 0 ? -rc : -EIO;
	}
}

static int check_key(const char *key, size_t *ret_len)
{
	size_t n;

	if (!key || !*key)
		return -EINVAL;
	n = strnlen(key, STORE_KEY_MAX + 1);
	if (n > STORE_KEY_MAX)
		return -E2BIG;
	*ret_len = n;
	return 0;
}

/* A key callers may write: valid and not the version. */
static int check_write_key(const char *key, size_t *ret_len)
{
	int r = check_key(key, ret_len);

	if (r < 0)
		return r;
	if (strcmp(key, STORE_KEY_VERSION) == 0)
		return -EPERM;
	return 0;
}

static int check_value(const void *data, size_t len)
{
	if (len > STORE_VALUE_MAX)
		return -E2BIG;
	if (!data && len)
		return -EINVAL;
	return 0;
}

static int copy_out(const MDB_val *v, void **ret_data, size_t *ret_len)
{
	void *p;

	if (v->mv_size > STORE_VALUE_MAX)
		return -EBADMSG;
	p = malloc(v->mv_size ? v->mv_size : 1);
	if (!p)
		return -ENOMEM;
	if (v->mv_size)
		memcpy(p, v->mv_data, v->mv_size);
	*ret_data = p;
	*ret_len = v->mv_size;
	return 0;
}

/* mkdir -p of everything before the last '/', new directories 0700. */
static int mkdir_parents(const char *path)
{
	char *dir, *p;
	int r = 0;

	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			goto out;
		}
		if (!c)
			break;
		*p = c;
	}
out:
	free(dir);
	return r;
}

static int fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, r = 0;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		r = -errno;
	else if (fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

static int env_open(const char *path, unsigned int flags, MDB_env **ret_env)
{
	MDB_env *env;
	int rc;

	rc = mdb_env_create(&env);
	if (rc)
		return errno_from_mdb(rc);
	rc = mdb_env_set_maxdbs(env, 1);
	if (!rc)
		rc = mdb_env_set_mapsize(env, STORE_MAP_INITIAL);
	if (!rc)
		rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOTLS | flags, 0600);
	if (rc) {
		mdb_env_close(env);
		return errno_from_mdb(rc);
	}
	*ret_env = env;
	return 0;
}

/* Writes "top" with the version key into the empty file @path and syncs it. */
static int init_file(const char *path)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_VERSION), .mv_data = (void *)STORE_KEY_VERSION };
	MDB_val v = { .mv_size = sizeof(store_version), .mv_data = (void *)store_version };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	int r, rc;

	/* Nobody else knows the temporary name: no lock file needed. */
	r = env_open(path, MDB_NOLOCK, &env);
	if (r < 0)
		return r;
	rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc)
		goto out;
	rc = mdb_dbi_open(txn, STORE_DB_NAME, MDB_CREATE, &dbi);
	if (!rc)
		rc = mdb_put(txn, dbi, &k, &v, 0);
	if (rc)
		mdb_txn_abort(txn);
	else
		rc = mdb_txn_commit(txn);
out:
	mdb_env_close(env);
	return errno_from_mdb(rc);
}

/* Builds a new database under a temporary name and moves it to @path: 1. Or 0 when another
 * process got there first (then its file is used). */
static int create_file(const char *path)
{
	char *tmp;
	int fd, r;

	if (asprintf(&tmp, "%s.new-XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	close(fd);

	r = init_file(tmp);
	if (r < 0)
		goto out;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		r = 1;
	else if (errno == EINVAL || errno == ENOSYS)
		/* No RENAME_NOREPLACE on this filesystem: link() does not replace either. */
		r = link(tmp, path) == 0 ? 1 : -errno;
	else
		r = -errno;
	if (r == -EEXIST)
		r = 0;
	if (r > 0) {
		int q = fsync_parent(path);

		if (q < 0)
			r = q;
	}
out:
	unlink(tmp); /* already gone after a rename */
	free(tmp);
	return r;
}

/* A read of every record, so that damage LMDB can detect shows at open rather than later; keys
 * must come in the database's order, or lookups would miss them. */
static int walk(MDB_txn *txn, MDB_dbi dbi)
{
	unsigned char prev_key[STORE_KEY_MAX];
	MDB_val prev = { .mv_size = 0, .mv_data = prev_key };
	MDB_cursor *cur;
	MDB_val k, v;
	bool first = true;
	int rc;

	rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc)
		return errno_from_mdb(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size == 0 || k.mv_size > STORE_KEY_MAX || v.mv_size > STORE_VALUE_MAX ||
		    (!first && mdb_cmp(txn, dbi, &prev, &k) >= 0)) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(prev_key, k.mv_data, k.mv_size);
		prev.mv_size = k.mv_size;
		first = false;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : errno_from_mdb(rc);
}

static int begin(struct store *s, unsigned int flags, MDB_txn **ret_txn)
{
	int rc, i;

	for (i = 0;; i++) {
		rc = mdb_txn_begin(s->env, NULL, flags, ret_txn);
		if (rc != MDB_MAP_RESIZED || i > 0)
			break;
		/* Another process grew the map: adopt its size. */
		rc = mdb_env_set_mapsize(s->env, 0);
		if (rc)
			break;
	}
	return errno_from_mdb(rc);
}

/* Checks an opened file before anything but its two meta pages was read: the pages the meta
 * page claims must all be in the file (LMDB would fault on a truncated one), then our version,
 * then a walk over every record and the trees' page counts. */
static int check_file(struct store *s)
{
	MDB_val k = { .mv_size = strlen(STORE_KEY_VERSION), .mv_data = (void *)STORE_KEY_VERSION };
	MDB_val v;
	MDB_envinfo info;
	MDB_stat mst;
	MDB_txn *txn;
	MDB_dbi main_dbi, dbis[3];
	uint64_t pages = 0;
	struct stat st;
	int fd, dead, i, r, rc;

	rc = mdb_env_info(s->env, &info);
	if (!rc)
		rc = mdb_env_stat(s->env, &mst);
	if (!rc)
		rc = mdb_env_get_fd(s->env, &fd);
	if (rc)
		return errno_from_mdb(rc);
	if (fstat(fd, &st) < 0)
		return -errno;
	if (mst.ms_psize == 0 ||
	    (uint64_t)st.st_size / mst.ms_psize < (uint64_t)info.me_last_pgno + 1)
		return -EBADMSG;
	(void)mdb_reader_check(s->env, &dead);

	r = begin(s, MDB_RDONLY, &txn);
	if (r < 0)
		return r;
	rc = mdb_dbi_open(txn, STORE_DB_NAME, 0, &s->dbi);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
		r = -EPROTO;
		goto out_abort;
	}
	if (!rc)
		rc = mdb_get(txn, s->dbi, &k, &v);
	if (rc == MDB_NOTFOUND) {
		r = -EPROTO;
		goto out_abort;
	}
	if (rc) {
		r = errno_from_mdb(rc);
		goto out_abort;
	}
	if (v.mv_size != sizeof(store_version) || memcmp(v.mv_data, store_version, v.mv_size)) {
		r = -EPROTO;
		goto out_abort;
	}
	rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
	if (rc) {
		r = errno_from_mdb(rc);
		goto out_abort;
	}
	/* Database 0 is LMDB's list of free pages. The trees cannot hold more pages than the file
	 * has besides its two meta pages. */
	dbis[0] = 0;
	dbis[1] = main_dbi;
	dbis[2] = s->dbi;
	for (i = 0; i < 3; i++) {
		r = walk(txn, dbis[i]);
		if (r < 0)
			goto out_abort;
		rc = mdb_stat(txn, dbis[i], &mst);
		if (rc) {
			r = errno_from_mdb(rc);
			goto out_abort;
		}
		pages += (uint64_t)mst.ms_branch_pages + mst.ms_leaf_pages + mst.ms_overflow_pages;
	}
	if (pages + 2 > (uint64_t)info.me_last_pgno + 1) {
		r = -EBADMSG;
		goto out_abort;
	}
	/* Committing the read transaction keeps the "top" handle for the environment. */
	return errno_from_mdb(mdb_txn_commit(txn));
out_abort:
	mdb_txn_abort(txn);
	return r;
}

/* Opens an existing file and checks it (check_file). */
static int load(const char *path, struct store **ret_store)
{
	struct store *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	if (!s->path) {
		r = -ENOMEM;
		goto out_free;
	}
	r = env_open(path, 0, &s->env);
	if (r < 0)
		goto out_free;
	r = check_file(s);
	if (r < 0)
		goto out_free;
	*ret_store = s;
	return 0;
out_free:
	store_close(s);
	return r;
}

/* Deletes and rewrites one record in a write transaction that is then aborted: without
 * MDB_WRITEMAP, dirty pages live in memory until commit, so the file is not written. */
static int exercise_one(struct store *s, MDB_val *k, MDB_val *v)
{
	MDB_stat before, after;
	MDB_txn *txn;
	int r, rc;

	for (;;) {
		r = begin(s, 0, &txn);
		if (r < 0)
			return r;
		rc = mdb_stat(txn, s->dbi, &before);
		if (!rc)
			rc = mdb_del(txn, s->dbi, k, NULL);
		if (rc == MDB_NOTFOUND) /* it was just listed */
			rc = MDB_CORRUPTED;
		if (!rc)
			rc = mdb_stat(txn, s->dbi, &after);
		/* The overflow pages a value's page header claims are freed with it: at most its
		 * length's worth. */
		if (!rc && (after.ms_overflow_pages > before.ms_overflow_pages ||
			    before.ms_overflow_pages - after.ms_overflow_pages >
				    v->mv_size / before.ms_psize + 2))
			rc = MDB_CORRUPTED;
		if (!rc)
			rc = mdb_put(txn, s->dbi, k, v, 0);
		mdb_txn_abort(txn);
		if (rc != MDB_MAP_FULL)
			return errno_from_mdb(rc);
		r = grow(s);
		if (r < 0)
			return r;
	}
}

/* What later calls will touch: every byte of every value (copied out), then each record's
 * deletion and rewrite. */
static int exercise(struct store *s)
{
	struct rec {
		void *key;
		size_t key_len;
		void *data;
		size_t len;
	} *recs = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int r, rc;

	r = begin(s, MDB_RDONLY, &txn);
	if (r < 0)
		return r;
	rc = mdb_cursor_open(txn, s->dbi, &cur);
	if (rc) {
		mdb_txn_abort(txn);
		return errno_from_mdb(rc);
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = reallocarray(recs, cap, sizeof(*recs));
			if (!tmp) {
				rc = ENOMEM;
				break;
			}
			recs = tmp;
		}
		recs[n].key = malloc(k.mv_size);
		recs[n].data = malloc(v.mv_size ? v.mv_size : 1);
		if (!recs[n].key || !recs[n].data) {
			free(recs[n].key);
			free(recs[n].data);
			rc = ENOMEM;
			break;
		}
		memcpy(recs[n].key, k.mv_data, k.mv_size);
		if (v.mv_size)
			memcpy(recs[n].data, v.mv_data, v.mv_size);
		recs[n].key_len = k.mv_size;
		recs[n].len = v.mv_size;
		n++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	r = rc == MDB_NOTFOUND ? 0 : errno_from_mdb(rc);
	for (i = 0; i < n && r == 0; i++) {
		k = (MDB_val){ .mv_size = recs[i].key_len, .mv_data = recs[i].key };
		v = (MDB_val){ .mv_size = recs[i].len, .mv_data = recs[i].data };
		r = exercise_one(s, &k, &v);
	}
	for (i = 0; i < n; i++) {
		free(recs[i].key);
		free(recs[i].data);
	}
	free(recs);
	return r;
}

/* Lowers RLIMIT_DATA to what the process has plus a budget: a damaged page header can make
 * LMDB allocate for billions of pages. Under AddressSanitizer too, whose reserved shadow is
 * counted in VmData already. */
static void limit_memory(uint64_t file_size)
{
	unsigned long long kb = 0;
	struct rlimit rl;
	char line[128];
	uint64_t limit;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %llu kB", &kb) == 1)
			break;
	fclose(f);
	if (kb == 0 || getrlimit(RLIMIT_DATA, &rl) < 0)
		return;
	limit = (uint64_t)kb * 1024 + STORE_PROBE_MEMORY + 4 * file_size;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= limit)
		return;
	rl.rlim_cur = limit;
	(void)setrlimit(RLIMIT_DATA, &rl);
}

static void __attribute__((noreturn)) probe_child(const char *path, uint64_t file_size, int fd)
{
	struct store *s;
	int null, r;

	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	limit_memory(file_size);
	r = load(path, &s);
	if (r == 0) {
		r = exercise(s);
		store_close(s);
	}
	/* Beyond the budget, which is well above what the file can need. */
	if (r == -ENOMEM)
		r = -EBADMSG;
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/* LMDB trusts its file (no page checksums): damage that leaves the meta pages valid can make it
 * fault, abort or allocate without bound. So an existing file is first loaded and exercised in a
 * child (stderr silenced, memory limited) that reports its result through a pipe; a child that
 * dies without reporting had hit such damage. One that takes longer than the timeout (damage,
 * or another process holding the write lock all that time) is killed: -ETIMEDOUT. */
static int probe(const char *path, uint64_t file_size)
{
	struct pollfd pfd;
	bool timed_out = false;
	int fds[2], status, r, res = 0;
	ssize_t got = 0, n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_child(path, file_size, fds[1]);
	}

	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	while (got < (ssize_t)sizeof(res)) {
		r = poll(&pfd, 1, STORE_PROBE_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		n = read(fds[0], (char *)&res + got, sizeof(res) - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return -ETIMEDOUT;
	if (got < (ssize_t)sizeof(res))
		return -EBADMSG; /* it crashed */
	return res > 0 ? -EIO : res;
}

int store_open(const char *path, struct store **ret_store)
{
	struct stat st;
	bool created = false;
	size_t n;
	int r;

	if (!path || !ret_store)
		return -EINVAL;
	n = strlen(path);
	if (n == 0)
		return -EINVAL;
	if (n > PATH_MAX - 16) /* room for "-lock" and the temporary name */
		return -ENAMETOOLONG;
	if (path[n - 1] == '/')
		return -EISDIR;

	r = mkdir_parents(path);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		r = create_file(path);
		if (r < 0)
			return r;
		created = r > 0;
		if (stat(path, &st) < 0)
			return -errno;
	}
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/* LMDB would initialise an empty file in place: refuse it, as anything not a file. */
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return -EBADMSG;
	if (!created) {
		r = probe(path, (uint64_t)st.st_size);
		if (r < 0)
			return r;
	}
	return load(path, ret_store);
}

static void txn_free(struct store_txn *t)
{
	size_t i;

	if (t->txn)
		mdb_txn_abort(t->txn);
	if (t->store)
		t->store->txn = NULL;
	for (i = 0; i < t->n_ops; i++) {
		free(t->ops[i].key);
		free(t->ops[i].data);
	}
	free(t->ops);
	free(t);
}

struct store *store_close(struct store *store)
{
	if (!store)
		return NULL;
	if (store->txn) {
		mdb_txn_abort(store->txn->txn);
		store->txn->txn = NULL;
		store->txn->store = NULL;
	}
	if (store->env)
		mdb_env_close(store->env);
	free(store->path);
	free(store);
	return NULL;
}

const char *store_path(const struct store *store)
{
	return store ? store->path : NULL;
}

int store_get(struct store *store, const char *key, void **ret_data, size_t *ret_len)
{
	MDB_txn *txn;
	MDB_val k, v;
	size_t n;
	int r, rc;

	if (!store || !ret_data || !ret_len)
		return -EINVAL;
	r = check_key(key, &n);
	if (r < 0)
		return r;
	r = begin(store, MDB_RDONLY, &txn);
	if (r < 0)
		return r;
	k.mv_size = n;
	k.mv_data = (void *)key;
	rc = mdb_get(txn, store->dbi, &k, &v);
	r = rc ? errno_from_mdb(rc) : copy_out(&v, ret_data, ret_len);
	mdb_txn_abort(txn);
	return r;
}

static int apply(struct store_txn *t, const struct store_op *op)
{
	MDB_val k = { .mv_size = op->key_len, .mv_data = op->key };
	MDB_val v = { .mv_size = op->len, .mv_data = op->data ? op->data : (void *)empty_value };

	if (op->del)
		return mdb_del(t->txn, t->store->dbi, &k, NULL);
	return mdb_put(t->txn, t->store->dbi, &k, &v, 0);
}

/* Doubles the map; only with no transaction of ours open. */
static int grow(struct store *s)
{
	MDB_envinfo info;
	size_t size;
	int rc;

	rc = mdb_env_info(s->env, &info);
	if (rc)
		return errno_from_mdb(rc);
	if (info.me_mapsize >= STORE_MAP_MAX)
		return -ENOSPC;
	size = info.me_mapsize > STORE_MAP_MAX / 2 ? STORE_MAP_MAX : info.me_mapsize * 2;
	return errno_from_mdb(mdb_env_set_mapsize(s->env, size));
}

/* After MDB_MAP_FULL: drop the LMDB transaction, grow the map and write the ops again. */
static int regrow(struct store_txn *t)
{
	size_t i;
	int r, rc;

	for (;;) {
		if (t->txn)
			mdb_txn_abort(t->txn);
		t->txn = NULL;
		r = grow(t->store);
		if (r < 0)
			return r;
		r = begin(t->store, 0, &t->txn);
		if (r < 0)
			return r;
		for (i = 0, rc = 0; i < t->n_ops && !rc; i++) {
			rc = apply(t, &t->ops[i]);
			if (rc == MDB_NOTFOUND && t->ops[i].del)
				rc = 0;
		}
		if (rc != MDB_MAP_FULL)
			return errno_from_mdb(rc);
	}
}

static void op_clear(struct store_op *op)
{
	free(op->key);
	free(op->data);
}

/* Applies a write and records it for replay; the record is built first so that nothing is
 * applied that could not be recorded. */
static int txn_write(struct store_txn *t, const char *key, size_t key_len, const void *data,
		     size_t len, bool del)
{
	struct store_op op = { .key_len = key_len, .len = len, .del = del };
	struct store_op *slot = NULL;
	size_t i;
	int rc;

	if (!t)
		return -EINVAL;
	if (!t->store)
		return -ESTALE;
	if (t->error)
		return t->error;

	for (i = 0; i < t->n_ops; i++) {
		if (t->ops[i].key_len == key_len && memcmp(t->ops[i].key, key, key_len) == 0) {
			slot = &t->ops[i];
			break;
		}
	}
	if (!slot && t->n_ops == t->cap_ops) {
		size_t cap = t->cap_ops ? t->cap_ops * 2 : 8;
		struct store_op *ops = reallocarray(t->ops, cap, sizeof(*ops));

		if (!ops)
			return -ENOMEM;
		t->ops = ops;
		t->cap_ops = cap;
	}
	op.key = strndup(key, key_len);
	if (!op.key)
		return -ENOMEM;
	if (!del && len) {
		op.data = malloc(len);
		if (!op.data) {
			free(op.key);
			return -ENOMEM;
		}
		memcpy(op.data, data, len);
	}

	rc = apply(t, &op);
	if (rc == MDB_NOTFOUND && del) {
		op_clear(&op);
		return -ENOENT;
	}
	if (rc && rc != MDB_MAP_FULL) {
		op_clear(&op);
		t->error = errno_from_mdb(rc);
		return t->error;
	}
	if (slot) {
		op_clear(slot);
		*slot = op;
	} else {
		t->ops[t->n_ops++] = op;
	}
	if (rc == MDB_MAP_FULL) {
		int r = regrow(t);

		if (r < 0) {
			t->error = r;
			return r;
		}
	}
	return 0;
}

int store_txn_begin(struct store *store, struct store_txn **ret_txn)
{
	struct store_txn *t;
	int r;

	if (!store || !ret_txn)
		return -EINVAL;
	if (store->txn)
		return -EBUSY;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->store = store;
	r = begin(store, 0, &t->txn);
	if (r < 0) {
		free(t);
		return r;
	}
	store->txn = t;
	*ret_txn = t;
	return 0;
}

int store_txn_get(struct store_txn *txn, const char *key, void **ret_data, size_t *ret_len)
{
	MDB_val k, v;
	size_t n;
	int r, rc;

	if (!txn || !ret_data || !ret_len)
		return -EINVAL;
	if (!txn->store)
		return -ESTALE;
	if (txn->error)
		return txn->error;
	r = check_key(key, &n);
	if (r < 0)
		return r;
	k.mv_size = n;
	k.mv_data = (void *)key;
	rc = mdb_get(txn->txn, txn->store->dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc) {
		txn->error = errno_from_mdb(rc);
		return txn->error;
	}
	return copy_out(&v, ret_data, ret_len);
}

int store_txn_put(struct store_txn *txn, const char *key, const void *data, size_t len)
{
	size_t n;
	int r;

	r = check_write_key(key, &n);
	if (r < 0)
		return r;
	r = check_value(data, len);
	if (r < 0)
		return r;
	return txn_write(txn, key, n, data, len, false);
}

int store_txn_del(struct store_txn *txn, const char *key)
{
	size_t n;
	int r;

	r = check_write_key(key, &n);
	if (r < 0)
		return r;
	return txn_write(txn, key, n, NULL, 0, true);
}

int store_txn_commit(struct store_txn *txn)
{
	int r, rc;

	if (!txn)
		return -EINVAL;
	r = txn->store ? txn->error : -ESTALE;
	while (r == 0) {
		rc = mdb_txn_commit(txn->txn); /* frees the LMDB transaction, even on failure */
		txn->txn = NULL;
		if (rc != MDB_MAP_FULL) {
			r = errno_from_mdb(rc);
			break;
		}
		r = regrow(txn);
	}
	txn_free(txn);
	return r;
}

struct store_txn *store_txn_abort(struct store_txn *txn)
{
	if (txn)
		txn_free(txn);
	return NULL;
}

int store_put(struct store *store, const char *key, const void *data, size_t len)
{
	struct store_txn *t;
	size_t n;
	int r;

	if (!store)
		return -EINVAL;
	r = check_write_key(key, &n);
	if (r < 0)
		return r;
	r = check_value(data, len);
	if (r < 0)
		return r;
	r = store_txn_begin(store, &t);
	if (r < 0)
		return r;
	r = store_txn_put(t, key, data, len);
	if (r < 0) {
		store_txn_abort(t);
		return r;
	}
	return store_txn_commit(t);
}

int store_del(struct store *store, const char *key)
{
	struct store_txn *t;
	size_t n;
	int r;

	if (!store)
		return -EINVAL;
	r = check_write_key(key, &n);
	if (r < 0)
		return r;
	r = store_txn_begin(store, &t);
	if (r < 0)
		return r;
	r = store_txn_del(t, key);
	if (r < 0) {
		store_txn_abort(t);
		return r;
	}
	return store_txn_commit(t);
}
