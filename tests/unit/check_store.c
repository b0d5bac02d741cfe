// SPDX-License-Identifier: GPL-2.0
/* Unit tests of store: persistence across reopen, transactions and crashes (forked children),
 * map growth, limits, and damaged or foreign files, which must be refused and left unchanged. */
#include "store/store.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- helpers ----------------------------------------------------------------------------- */

/* snprintf into a path buffer, asserting that it fit. */
__attribute__((format(printf, 3, 4))) static void fmt_path(char *buf, size_t size, const char *fmt,
							   ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < size);
}

/* The tcase's directory, made and removed by the unchecked fixture (in the parent, so that it
 * goes even when a forked test fails); each test makes its own directory inside. */
static char base_dir[] = "/tmp/check_store.XXXXXX";

static void base_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(base_dir));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void base_teardown(void)
{
	nftw(base_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(base_dir, "/tmp/check_store.XXXXXX");
}

/* A fresh directory for one test; returns "<dir>/<name>" (static buffer). */
static const char *test_path(const char *name)
{
	static char path[PATH_MAX];
	char dir[PATH_MAX];

	fmt_path(dir, sizeof(dir), "%s/t.XXXXXX", base_dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	fmt_path(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static uint8_t *read_all(const char *path, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	n = pread(fd, buf, (size_t)st.st_size, 0);
	ck_assert_int_eq(n, st.st_size);
	close(fd);
	*ret_len = (size_t)st.st_size;
	return buf;
}

static void write_all(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_str(struct store *s, const char *key, const char *val)
{
	ck_assert_int_eq(store_put(s, key, val, strlen(val)), 0);
}

static void assert_value(struct store *s, const char *key, const void *val, size_t len)
{
	void *data = NULL;
	size_t n = 0;

	ck_assert_int_eq(store_get(s, key, &data, &n), 0);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(n, len);
	ck_assert(len == 0 || memcmp(data, val, len) == 0);
	free(data);
}

static void assert_str(struct store *s, const char *key, const char *val)
{
	assert_value(s, key, val, strlen(val));
}

static void assert_absent(struct store *s, const char *key)
{
	void *data = (void *)0x1;
	size_t n = 77;

	ck_assert_int_eq(store_get(s, key, &data, &n), -ENOENT);
	ck_assert_ptr_eq(data, (void *)0x1); /* out-params untouched on failure */
	ck_assert_uint_eq(n, 77);
}

/* A valid database at @path with a few keys, closed again. */
static void make_db(const char *path)
{
	struct store *s = NULL;

	ck_assert_int_eq(store_open(path, &s), 0);
	put_str(s, STORE_KEY_PEERNAME, "aa:bb:cc:dd:ee:ff");
	put_str(s, STORE_KEY_RING, "ring bytes");
	put_str(s, STORE_KEY_DIRECT_PEERS, "10.0.0.1:6783");
	put_str(s, STORE_KEY_RING, "ring bytes, second version");
	store_close(s);
}

/* store_open on @path must fail with @expect, leave *ret alone and the file's bytes as they were. */
static void assert_refused(const char *path, int expect)
{
	struct store *s = (struct store *)0x1;
	uint8_t *before, *after;
	size_t n_before, n_after;

	before = read_all(path, &n_before);
	ck_assert_int_eq(store_open(path, &s), expect);
	ck_assert_ptr_eq(s, (struct store *)0x1);
	/* And again: a failed open must not have changed what the second one sees. */
	ck_assert_int_eq(store_open(path, &s), expect);
	after = read_all(path, &n_after);
	ck_assert_uint_eq(n_after, n_before);
	ck_assert(memcmp(before, after, n_before) == 0);
	free(before);
	free(after);
}

/* store_open on @path must not crash and must leave the file's bytes as they were; returns its
 * result. */
static int open_unchanged(const char *path)
{
	struct store *s = NULL;
	uint8_t *before, *after;
	size_t n_before, n_after;
	int r;

	before = read_all(path, &n_before);
	r = store_open(path, &s);
	if (r == 0)
		store_close(s);
	after = read_all(path, &n_after);
	ck_assert_uint_eq(n_after, n_before);
	ck_assert(memcmp(before, after, n_before) == 0);
	free(before);
	free(after);
	return r;
}

/* Writes @path as a raw LMDB file: main database key @main_key (if not NULL) and, if @top, the
 * "top" database with "version" set to @version (NULL: no version key). */
static void make_raw_lmdb(const char *path, const char *main_key, bool top, const void *version,
			  size_t version_len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;

	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 2), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	if (main_key) {
		ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
		k.mv_size = strlen(main_key);
		k.mv_data = (void *)main_key;
		v.mv_size = 3;
		v.mv_data = "xyz";
		ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	}
	if (top) {
		ck_assert_int_eq(mdb_dbi_open(txn, "top", MDB_CREATE, &dbi), 0);
		k.mv_size = strlen("ring");
		k.mv_data = "ring";
		v.mv_size = 4;
		v.mv_data = "ring";
		ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
		if (version) {
			k.mv_size = strlen("version");
			k.mv_data = "version";
			v.mv_size = version_len;
			v.mv_data = (void *)version;
			ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
		}
	}
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

static int wait_child(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* --- basics ------------------------------------------------------------------------------- */

START_TEST(test_create_reopen)
{
	const char *p = test_path("a/b/weave-netdata.db");
	char path[PATH_MAX], dir[PATH_MAX];
	struct store *s = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0;

	fmt_path(path, sizeof(path), "%s", p);
	ck_assert_int_eq(store_open(path, &s), 0);
	ck_assert_str_eq(store_path(s), path);
	/* The version key is there from the start. */
	assert_value(s, STORE_KEY_VERSION, "\x01\x00", 2);
	assert_absent(s, STORE_KEY_PEERNAME);
	put_str(s, STORE_KEY_PEERNAME, "aa:bb:cc:dd:ee:ff");
	ck_assert_ptr_null(store_close(s));

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, STORE_KEY_PEERNAME, "aa:bb:cc:dd:ee:ff");
	assert_value(s, STORE_KEY_VERSION, "\x01\x00", 2);
	store_close(s);
	/* The check of the existing file ran in a child, which is reaped. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);

	/* Parents made 0700; only the file and its lock file in the directory (no temporary). */
	fmt_path(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	fmt_path(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ck_assert(strcmp(de->d_name, "weave-netdata.db") == 0 ||
			  strcmp(de->d_name, "weave-netdata.db-lock") == 0);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_null(store_close(NULL));
	ck_assert_ptr_null(store_path(NULL));
}
END_TEST

START_TEST(test_permissions)
{
	char path[PATH_MAX], lock[PATH_MAX];
	struct store *s = NULL;
	struct stat st;

	fmt_path(path, sizeof(path), "%s", test_path("perm/data.db"));
	umask(0);
	ck_assert_int_eq(store_open(path, &s), 0);
	store_close(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert(S_ISREG(st.st_mode));
	fmt_path(lock, sizeof(lock), "%s-lock", path);
	ck_assert_int_eq(stat(lock, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	*strrchr(path, '/') = '\0';
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
}
END_TEST

START_TEST(test_get_put_del)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;

	ck_assert_int_eq(store_open(path, &s), 0);
	assert_absent(s, STORE_KEY_RING);
	assert_absent(s, "no such key");
	put_str(s, STORE_KEY_RING, "one");
	assert_str(s, STORE_KEY_RING, "one");
	/* Overwrite, longer then shorter. */
	put_str(s, STORE_KEY_RING, "a much longer second value");
	assert_str(s, STORE_KEY_RING, "a much longer second value");
	put_str(s, STORE_KEY_RING, "3");
	assert_str(s, STORE_KEY_RING, "3");
	put_str(s, STORE_KEY_OWNED_ADDRESSES, "owned");
	ck_assert_int_eq(store_del(s, STORE_KEY_RING), 0);
	assert_absent(s, STORE_KEY_RING);
	ck_assert_int_eq(store_del(s, STORE_KEY_RING), -ENOENT);
	ck_assert_int_eq(store_del(s, "never there"), -ENOENT);
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "owned");
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_absent(s, STORE_KEY_RING);
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "owned");
	store_close(s);
}
END_TEST

START_TEST(test_binary_values)
{
	static const uint8_t bin[] = { 0, 1, 0, 0, 255, 0, 'a', 0 };
	const char *path = test_path("data.db");
	struct store *s = NULL;
	uint8_t all[256];
	size_t i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	ck_assert_int_eq(store_open(path, &s), 0);
	ck_assert_int_eq(store_put(s, "bin", bin, sizeof(bin)), 0);
	ck_assert_int_eq(store_put(s, "all", all, sizeof(all)), 0);
	/* Empty values exist and come back as a non-NULL pointer with length 0. */
	ck_assert_int_eq(store_put(s, "empty", NULL, 0), 0);
	ck_assert_int_eq(store_put(s, "empty2", "", 0), 0);
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_value(s, "bin", bin, sizeof(bin));
	assert_value(s, "all", all, sizeof(all));
	assert_value(s, "empty", NULL, 0);
	assert_value(s, "empty2", NULL, 0);
	store_close(s);
}
END_TEST

START_TEST(test_limits)
{
	const char *path = test_path("data.db");
	char key[STORE_KEY_MAX + 2];
	struct store *s = NULL, *s2 = (struct store *)0x1;
	struct store_txn *t = NULL;
	uint8_t *big;
	void *data;
	size_t n;

	ck_assert_int_eq(store_open(path, &s), 0);
	memset(key, 'k', STORE_KEY_MAX);
	key[STORE_KEY_MAX] = '\0';
	put_str(s, key, "longest key");
	assert_str(s, key, "longest key");
	key[STORE_KEY_MAX] = 'k';
	key[STORE_KEY_MAX + 1] = '\0';
	ck_assert_int_eq(store_put(s, key, "x", 1), -E2BIG);
	ck_assert_int_eq(store_get(s, key, &data, &n), -E2BIG);
	ck_assert_int_eq(store_del(s, key), -E2BIG);
	ck_assert_int_eq(store_put(s, "", "x", 1), -EINVAL);
	ck_assert_int_eq(store_put(s, NULL, "x", 1), -EINVAL);
	ck_assert_int_eq(store_get(s, "", &data, &n), -EINVAL);
	ck_assert_int_eq(store_put(s, "k", NULL, 1), -EINVAL);
	ck_assert_int_eq(store_put(NULL, "k", "x", 1), -EINVAL);
	ck_assert_int_eq(store_get(s, "k", NULL, &n), -EINVAL);

	big = calloc(1, STORE_VALUE_MAX + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(store_put(s, "big", big, STORE_VALUE_MAX + 1), -E2BIG);
	assert_absent(s, "big");

	/* The version key is read-only. */
	ck_assert_int_eq(store_put(s, STORE_KEY_VERSION, "\x02\x00", 2), -EPERM);
	ck_assert_int_eq(store_del(s, STORE_KEY_VERSION), -EPERM);
	assert_value(s, STORE_KEY_VERSION, "\x01\x00", 2);

	/* Rejected arguments do not fail a transaction. */
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	ck_assert_int_eq(store_txn_put(t, key, "x", 1), -E2BIG);
	ck_assert_int_eq(store_txn_put(t, "big", big, STORE_VALUE_MAX + 1), -E2BIG);
	ck_assert_int_eq(store_txn_put(t, STORE_KEY_VERSION, "x", 1), -EPERM);
	ck_assert_int_eq(store_txn_del(t, STORE_KEY_VERSION), -EPERM);
	ck_assert_int_eq(store_txn_del(t, "absent"), -ENOENT);
	ck_assert_int_eq(store_txn_put(t, "ok", "yes", 3), 0);
	ck_assert_int_eq(store_txn_commit(t), 0);
	assert_str(s, "ok", "yes");
	free(big);
	store_close(s);

	ck_assert_int_eq(store_open("", &s2), -EINVAL);
	ck_assert_int_eq(store_open(NULL, &s2), -EINVAL);
	ck_assert_ptr_eq(s2, (struct store *)0x1);
	ck_assert_int_eq(store_txn_begin(NULL, &t), -EINVAL);
	ck_assert_int_eq(store_txn_commit(NULL), -EINVAL);
	ck_assert_ptr_null(store_txn_abort(NULL));
}
END_TEST

START_TEST(test_large_value)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	uint8_t *big;

	big = malloc(STORE_VALUE_MAX);
	ck_assert_ptr_nonnull(big);
	fill_pattern(big, STORE_VALUE_MAX, 1);
	ck_assert_int_eq(store_open(path, &s), 0);
	ck_assert_int_eq(store_put(s, STORE_KEY_RING, big, STORE_VALUE_MAX), 0);
	assert_value(s, STORE_KEY_RING, big, STORE_VALUE_MAX);
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_value(s, STORE_KEY_RING, big, STORE_VALUE_MAX);
	/* Shrink it again. */
	put_str(s, STORE_KEY_RING, "small");
	assert_str(s, STORE_KEY_RING, "small");
	store_close(s);
	free(big);
}
END_TEST

/* More than the initial 64 MiB map: the map doubles, in store_put and in a transaction (whose
 * writes are replayed into a new LMDB transaction). */
START_TEST(test_map_growth)
{
	enum { N = 6 };
	const char *path = test_path("data.db");
	const size_t len = 15U << 20;
	struct store *s = NULL;
	struct store_txn *t = NULL;
	uint8_t *v[N];
	char key[32];
	int i;

	for (i = 0; i < N; i++) {
		v[i] = malloc(len);
		ck_assert_ptr_nonnull(v[i]);
		fill_pattern(v[i], len, (uint32_t)i + 100);
	}
	ck_assert_int_eq(store_open(path, &s), 0);
	put_str(s, "before", "kept");
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	for (i = 0; i < N; i++) {
		fmt_path(key, sizeof(key), "txn%d", i);
		ck_assert_int_eq(store_txn_put(t, key, v[i], len), 0);
	}
	ck_assert_int_eq(store_txn_del(t, "before"), 0);
	ck_assert_int_eq(store_txn_put(t, "small", "s", 1), 0);
	ck_assert_int_eq(store_txn_commit(t), 0);
	for (i = 0; i < N; i++) {
		fmt_path(key, sizeof(key), "put%d", i);
		ck_assert_int_eq(store_put(s, key, v[N - 1 - i], len), 0);
	}
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	for (i = 0; i < N; i++) {
		fmt_path(key, sizeof(key), "txn%d", i);
		assert_value(s, key, v[i], len);
		fmt_path(key, sizeof(key), "put%d", i);
		assert_value(s, key, v[N - 1 - i], len);
	}
	assert_absent(s, "before");
	assert_str(s, "small", "s");
	store_close(s);
	for (i = 0; i < N; i++)
		free(v[i]);
}
END_TEST

/* --- transactions ------------------------------------------------------------------------- */

START_TEST(test_txn_commit)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	struct store_txn *t = NULL;
	void *data;
	size_t n;

	ck_assert_int_eq(store_open(path, &s), 0);
	put_str(s, STORE_KEY_RING, "old ring");
	put_str(s, "gone", "soon");
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	ck_assert_int_eq(store_txn_put(t, STORE_KEY_RING, "new ring", 8), 0);
	ck_assert_int_eq(store_txn_put(t, STORE_KEY_OWNED_ADDRESSES, "first", 5), 0);
	ck_assert_int_eq(store_txn_put(t, STORE_KEY_OWNED_ADDRESSES, "owned", 5), 0);
	ck_assert_int_eq(store_txn_del(t, "gone"), 0);
	ck_assert_int_eq(store_txn_del(t, "gone"), -ENOENT);

	/* The transaction sees its writes; outside it, the committed state. */
	ck_assert_int_eq(store_txn_get(t, STORE_KEY_RING, &data, &n), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert(memcmp(data, "new ring", 8) == 0);
	free(data);
	ck_assert_int_eq(store_txn_get(t, "gone", &data, &n), -ENOENT);
	ck_assert_int_eq(store_txn_get(t, STORE_KEY_VERSION, &data, &n), 0);
	ck_assert_uint_eq(n, 2);
	free(data);
	assert_str(s, STORE_KEY_RING, "old ring");
	assert_absent(s, STORE_KEY_OWNED_ADDRESSES);
	assert_str(s, "gone", "soon");

	ck_assert_int_eq(store_txn_commit(t), 0);
	assert_str(s, STORE_KEY_RING, "new ring");
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "owned");
	assert_absent(s, "gone");
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, STORE_KEY_RING, "new ring");
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "owned");
	assert_absent(s, "gone");
	store_close(s);
}
END_TEST

START_TEST(test_txn_abort)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	struct store_txn *t = NULL;

	ck_assert_int_eq(store_open(path, &s), 0);
	put_str(s, STORE_KEY_RING, "old ring");
	put_str(s, STORE_KEY_OWNED_ADDRESSES, "old owned");
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	ck_assert_int_eq(store_txn_put(t, STORE_KEY_RING, "new ring", 8), 0);
	ck_assert_int_eq(store_txn_del(t, STORE_KEY_OWNED_ADDRESSES), 0);
	ck_assert_int_eq(store_txn_put(t, "fresh", "x", 1), 0);
	ck_assert_ptr_null(store_txn_abort(t));
	assert_str(s, STORE_KEY_RING, "old ring");
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "old owned");
	assert_absent(s, "fresh");
	store_close(s);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, STORE_KEY_RING, "old ring");
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "old owned");
	assert_absent(s, "fresh");
	store_close(s);
}
END_TEST

START_TEST(test_txn_busy)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	struct store_txn *t = NULL, *t2 = (struct store_txn *)0x1;
	void *data;
	size_t n;

	ck_assert_int_eq(store_open(path, &s), 0);
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	ck_assert_int_eq(store_txn_begin(s, &t2), -EBUSY);
	ck_assert_ptr_eq(t2, (struct store_txn *)0x1);
	ck_assert_int_eq(store_put(s, "k", "v", 1), -EBUSY);
	ck_assert_int_eq(store_del(s, "k"), -EBUSY);
	/* Reads still work, and see the committed state. */
	ck_assert_int_eq(store_txn_put(t, "k", "v", 1), 0);
	assert_absent(s, "k");
	ck_assert_int_eq(store_txn_commit(t), 0);
	assert_str(s, "k", "v");

	/* After commit or abort a new one can start. */
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	store_txn_abort(t);
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	ck_assert_int_eq(store_txn_put(t, "k", "w", 1), 0);

	/* Closing the store under a transaction aborts it; the handle only answers -ESTALE. */
	store_close(s);
	ck_assert_int_eq(store_txn_put(t, "k", "x", 1), -ESTALE);
	ck_assert_int_eq(store_txn_get(t, "k", &data, &n), -ESTALE);
	ck_assert_int_eq(store_txn_commit(t), -ESTALE);

	s = NULL;
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, "k", "v");
	ck_assert_int_eq(store_txn_begin(s, &t), 0);
	store_close(s);
	ck_assert_ptr_null(store_txn_abort(t));
}
END_TEST

/* --- crashes ------------------------------------------------------------------------------ */

/* A child that dies inside a transaction leaves nothing of it. */
START_TEST(test_crash_uncommitted)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	int mode, status;
	pid_t pid;

	make_db(path);
	for (mode = 0; mode < 2; mode++) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct store *cs = NULL;
			struct store_txn *t = NULL;

			if (store_open(path, &cs) < 0 || store_txn_begin(cs, &t) < 0 ||
			    store_txn_put(t, STORE_KEY_RING, "half", 4) < 0 ||
			    store_txn_put(t, STORE_KEY_OWNED_ADDRESSES, "written", 7) < 0)
				_exit(2);
			if (mode == 1)
				kill(getpid(), SIGKILL);
			_exit(0);
		}
		status = wait_child(pid);
		if (mode == 0)
			ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		else
			ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

		s = NULL;
		ck_assert_int_eq(store_open(path, &s), 0);
		assert_str(s, STORE_KEY_RING, "ring bytes, second version");
		assert_absent(s, STORE_KEY_OWNED_ADDRESSES);
		/* The writer lock the child held is free again. */
		put_str(s, STORE_KEY_DIRECT_PEERS, "after crash");
		assert_str(s, STORE_KEY_DIRECT_PEERS, "after crash");
		store_close(s);
	}
}
END_TEST

/* A child killed right after its commit returned: both keys are there. */
START_TEST(test_crash_committed)
{
	const char *path = test_path("data.db");
	struct store *s = NULL;
	int status;
	pid_t pid;

	make_db(path);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *cs = NULL;
		struct store_txn *t = NULL;

		if (store_open(path, &cs) < 0 || store_txn_begin(cs, &t) < 0 ||
		    store_txn_put(t, STORE_KEY_RING, "committed ring", 14) < 0 ||
		    store_txn_put(t, STORE_KEY_OWNED_ADDRESSES, "committed owned", 15) < 0 ||
		    store_txn_commit(t) < 0)
			_exit(2);
		kill(getpid(), SIGKILL);
		_exit(3);
	}
	status = wait_child(pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, STORE_KEY_RING, "committed ring");
	assert_str(s, STORE_KEY_OWNED_ADDRESSES, "committed owned");
	assert_str(s, STORE_KEY_PEERNAME, "aa:bb:cc:dd:ee:ff");
	store_close(s);
}
END_TEST

/* Another process has the file open (as `weave` tools or a second look might): both see each
 * other's commits. */
START_TEST(test_two_processes)
{
	const char *path = test_path("data.db");
	int to_child[2], to_parent[2], status;
	struct store *s = NULL;
	char c;
	pid_t pid;

	make_db(path);
	ck_assert_int_eq(pipe(to_child), 0);
	ck_assert_int_eq(pipe(to_parent), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *cs = NULL;
		void *data;
		size_t n;
		int ok;

		if (store_open(path, &cs) < 0 || store_put(cs, "child", "c", 1) < 0)
			_exit(2);
		if (write(to_parent[1], "x", 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(3);
		ok = store_get(cs, "parent", &data, &n) == 0 && n == 1 && *(char *)data == 'p';
		store_close(cs);
		_exit(ok ? 0 : 4);
	}
	ck_assert_int_eq(read(to_parent[0], &c, 1), 1);
	ck_assert_int_eq(store_open(path, &s), 0);
	assert_str(s, "child", "c");
	put_str(s, "parent", "p");
	ck_assert_int_eq(write(to_child[1], "x", 1), 1);
	status = wait_child(pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	store_close(s);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}
END_TEST

/* --- damaged and foreign files ------------------------------------------------------------ */

START_TEST(test_corrupt_garbage)
{
	const char *p = test_path("valid.db");
	char valid[PATH_MAX], bad[PATH_MAX];
	uint8_t *img, *garbage;
	struct store *s;
	size_t len;

	fmt_path(valid, sizeof(valid), "%s", p);
	make_db(valid);
	img = read_all(valid, &len);
	ck_assert_uint_ge(len, 4 * 4096);
	garbage = malloc(len);
	ck_assert_ptr_nonnull(garbage);
	fmt_path(bad, sizeof(bad), "%s.bad", valid);

	/* Garbage over the whole copy. */
	fill_pattern(garbage, len, 7);
	write_all(bad, garbage, len);
	assert_refused(bad, -EBADMSG);

	/* Garbage over the first meta page, then over the second only. */
	memcpy(garbage, img, len);
	fill_pattern(garbage, 4096, 8);
	write_all(bad, garbage, len);
	assert_refused(bad, -EBADMSG);
	memcpy(garbage, img, len);
	fill_pattern(garbage + 4096, 4096, 9);
	write_all(bad, garbage, len);
	assert_refused(bad, -EBADMSG);

	/* Meta pages intact, data pages zeroed. */
	memcpy(garbage, img, len);
	memset(garbage + 2 * 4096, 0, len - 2 * 4096);
	write_all(bad, garbage, len);
	assert_refused(bad, -EBADMSG);

	/* Not a database at all. */
	write_all(bad, "hello, world\n", 13);
	assert_refused(bad, -EBADMSG);

	/* The original still opens. */
	s = NULL;
	ck_assert_int_eq(store_open(valid, &s), 0);
	assert_str(s, STORE_KEY_PEERNAME, "aa:bb:cc:dd:ee:ff");
	store_close(s);
	free(garbage);
	free(img);
}
END_TEST

/* Damage inside data pages, meta pages intact: LMDB has no checksums and may fault on such
 * pages, so store_open must answer (the probe in a child) rather than crash, never writing. */
START_TEST(test_corrupt_pages)
{
	const char *p = test_path("valid.db");
	char valid[PATH_MAX], bad[PATH_MAX], key[16];
	int refused = 0, r;
	size_t len, pg, npages, pattern, i;
	struct store *s = NULL;
	uint8_t *img, *g, val[20000];

	/* Branch, leaf and overflow pages. */
	fmt_path(valid, sizeof(valid), "%s", p);
	ck_assert_int_eq(store_open(valid, &s), 0);
	fill_pattern(val, sizeof(val), 5);
	for (i = 0; i < 300; i++) {
		fmt_path(key, sizeof(key), "k%03zu", i);
		ck_assert_int_eq(store_put(s, key, val, (i * 37) % 1500 + 1), 0);
	}
	ck_assert_int_eq(store_put(s, "big1", val, 6000), 0);
	ck_assert_int_eq(store_put(s, "big2", val, sizeof(val)), 0);
	store_close(s);

	img = read_all(valid, &len);
	npages = len / 4096;
	g = malloc(len);
	ck_assert_ptr_nonnull(g);
	fmt_path(bad, sizeof(bad), "%s.bad", valid);
	for (pg = 2; pg < npages; pg++) {
		for (pattern = 0; pattern < 4; pattern++) {
			uint8_t *page = g + pg * 4096;

			memcpy(g, img, len);
			if (pattern == 0)
				fill_pattern(page, 4096, (uint32_t)pg);
			else if (pattern == 1)
				fill_pattern(page, 64, (uint32_t)pg + 1000); /* the page header */
			else if (pattern == 2)
				fill_pattern(page + 16, 4080, (uint32_t)pg + 2000); /* all but it */
			else
				memset(page, 0xff, 4096);
			write_all(bad, g, len);
			r = open_unchanged(bad);
			ck_assert_msg(r == 0 || r == -EBADMSG || r == -EPROTO,
				      "page %zu pattern %zu: %d", pg, pattern, r);
			if (r < 0)
				refused++;
		}
	}
	ck_assert_int_gt(refused, 0);
	free(g);
	free(img);
}
END_TEST

START_TEST(test_corrupt_empty)
{
	const char *path = test_path("data.db");

	write_all(path, "", 0);
	assert_refused(path, -EBADMSG);
}
END_TEST

START_TEST(test_corrupt_truncated)
{
	const char *p = test_path("valid.db");
	char valid[PATH_MAX], bad[PATH_MAX];
	size_t len, cuts[8], i;
	struct store *s = NULL;
	uint8_t *img;

	fmt_path(valid, sizeof(valid), "%s", p);
	make_db(valid);
	img = read_all(valid, &len);
	ck_assert_uint_ge(len, 4 * 4096);
	cuts[0] = 1;
	cuts[1] = 100;
	cuts[2] = 4096;
	cuts[3] = 4097;
	cuts[4] = 2 * 4096;
	cuts[5] = 3 * 4096;
	cuts[6] = len - 4096;
	cuts[7] = len - 1;
	fmt_path(bad, sizeof(bad), "%s.bad", valid);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_all(bad, img, cuts[i]);
		assert_refused(bad, -EBADMSG);
	}

	/* An untouched copy opens. */
	write_all(bad, img, len);
	ck_assert_int_eq(store_open(bad, &s), 0);
	assert_str(s, STORE_KEY_RING, "ring bytes, second version");
	store_close(s);
	free(img);
}
END_TEST

START_TEST(test_unknown_version)
{
	const char *p = test_path("v2.db");
	char path[PATH_MAX];

	fmt_path(path, sizeof(path), "%s", p);
	make_raw_lmdb(path, NULL, true, "\x02\x00", 2);
	assert_refused(path, -EPROTO);

	fmt_path(path, sizeof(path), "%s", test_path("v1-long.db"));
	make_raw_lmdb(path, NULL, true, "\x01\x00\x00", 3);
	assert_refused(path, -EPROTO);

	/* LMDB files that are not ours: no "top", or "top" without a version. */
	fmt_path(path, sizeof(path), "%s", test_path("foreign.db"));
	make_raw_lmdb(path, "something", false, NULL, 0);
	assert_refused(path, -EPROTO);

	fmt_path(path, sizeof(path), "%s", test_path("noversion.db"));
	make_raw_lmdb(path, NULL, true, NULL, 0);
	assert_refused(path, -EPROTO);

	/* "top" as a plain key, not a database. */
	fmt_path(path, sizeof(path), "%s", test_path("plain-top.db"));
	make_raw_lmdb(path, "top", false, NULL, 0);
	assert_refused(path, -EPROTO);
}
END_TEST

START_TEST(test_open_errors)
{
	const char *p = test_path("dir");
	char path[PATH_MAX], file[PATH_MAX];
	struct store *s = (struct store *)0x1;

	fmt_path(path, sizeof(path), "%s", p);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(store_open(path, &s), -EISDIR);
	fmt_path(file, sizeof(file), "%s/", path);
	ck_assert_int_eq(store_open(file, &s), -EISDIR);

	/* A parent that is a file. */
	fmt_path(file, sizeof(file), "%s/plain", path);
	write_all(file, "x", 1);
	fmt_path(path, sizeof(path), "%s/sub/data.db", file);
	ck_assert_int_eq(store_open(path, &s), -ENOTDIR);
	ck_assert_ptr_eq(s, (struct store *)0x1);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_reopen);
	tcase_add_test(tc, test_permissions);
	tcase_add_test(tc, test_get_put_del);
	tcase_add_test(tc, test_binary_values);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_large_value);
	tcase_add_test(tc, test_map_growth);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_txn_commit);
	tcase_add_test(tc, test_txn_abort);
	tcase_add_test(tc, test_txn_busy);
	tcase_add_test(tc, test_crash_uncommitted);
	tcase_add_test(tc, test_crash_committed);
	tcase_add_test(tc, test_two_processes);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_add_unchecked_fixture(tc, base_setup, base_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_corrupt_garbage);
	tcase_add_test(tc, test_corrupt_pages);
	tcase_add_test(tc, test_corrupt_empty);
	tcase_add_test(tc, test_corrupt_truncated);
	tcase_add_test(tc, test_unknown_version);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
