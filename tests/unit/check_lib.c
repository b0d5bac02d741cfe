// SPDX-License-Identifier: GPL-2.0
/* Unit tests of userspace/lib: the event loop (I/O, deferred frees, timers, signals, post
 * sources, exit, handler errors, limits) and the Weave-format logger.
 */
#include "lib/evl.h"
#include "lib/log.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- helpers ----------------------------------------------------------------------------- */

static FILE *capture;
static char *capture_buf;
static size_t capture_len;

static void capture_start(void)
{
	capture = open_memstream(&capture_buf, &capture_len);
	ck_assert_ptr_nonnull(capture);
	log_set_target(capture);
}

/* The captured text; the caller frees it. */
static char *capture_end(void)
{
	log_set_target(NULL);
	ck_assert_int_eq(fclose(capture), 0);
	capture = NULL;
	return capture_buf;
}

static bool matches(const char *text, const char *pattern)
{
	regex_t re;
	int r;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	r = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	return r == 0;
}

static struct evl *new_evl(void)
{
	struct evl *evl = NULL;

	ck_assert_int_eq(evl_new(&evl), 0);
	ck_assert_ptr_nonnull(evl);
	return evl;
}

static void new_pipe(int fds[2])
{
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
}

static void close_pipe(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

static void write_byte(int fd)
{
	ck_assert_int_eq(write(fd, "x", 1), 1);
}

/* --- log --------------------------------------------------------------------------------- */

START_TEST(test_log_format)
{
	struct tm tm = { 0 };
	int usec;
	char *out;
	time_t t;

	log_set_level(LOG_LEVEL_INFO);
	capture_start();
	log_info("hello %d", 42);
	out = capture_end();
	ck_assert_msg(matches(out, "^INFO: [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
				   "\\.[0-9]{6} hello 42\n$"),
		      "got '%s'", out);

	/* Local time, close to now. */
	ck_assert_int_eq(sscanf(out, "INFO: %d/%d/%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &usec),
			 7);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	ck_assert_int_le(labs((long)(t - time(NULL))), 5);
	free(out);

	/* Level tags are Weave's four letters; one line per entry whatever the message says. */
	log_set_level(LOG_LEVEL_DEBUG);
	capture_start();
	log_debug("d");
	log_warning("w");
	log_error("e");
	log_info("two\nlines\n\n");
	out = capture_end();
	ck_assert_msg(matches(out, "^DEBU: [^\n]* d\nWARN: [^\n]* w\nERRO: [^\n]* e\n"
				   "INFO: [^\n]* two lines\n$"),
		      "got '%s'", out);
	free(out);
	log_set_level(LOG_LEVEL_INFO);
}
END_TEST

static int evaluated;

static int side_effect(void)
{
	return ++evaluated;
}

START_TEST(test_log_levels)
{
	enum log_level l;
	char *out;

	ck_assert_int_eq(log_parse_level("debug", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(log_parse_level("info", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_INFO);
	ck_assert_int_eq(log_parse_level("WARNING", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_WARNING);
	ck_assert_int_eq(log_parse_level("warn", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_WARNING);
	ck_assert_int_eq(log_parse_level("error", &l), 0);
	ck_assert_int_eq(l, LOG_LEVEL_ERROR);
	l = LOG_LEVEL_INFO;
	ck_assert_int_eq(log_parse_level("verbose", &l), -EINVAL);
	ck_assert_int_eq(log_parse_level("", &l), -EINVAL);
	ck_assert_int_eq(log_parse_level(NULL, &l), -EINVAL);
	ck_assert_int_eq(l, LOG_LEVEL_INFO); /* untouched on failure */
	ck_assert_str_eq(log_level_to_string(LOG_LEVEL_WARNING), "warning");
	ck_assert_ptr_null(log_level_to_string((enum log_level)17));

	ck_assert_int_eq(log_get_level(), LOG_LEVEL_INFO); /* the default */
	log_set_level(LOG_LEVEL_WARNING);
	evaluated = 0;
	capture_start();
	log_debug("debug %d", side_effect());
	log_info("info %d", side_effect());
	log_warning("warning");
	log_error("error");
	ck_assert_int_eq(log_info_errno(-EIO, "x"), -EIO); /* still returns the error */
	out = capture_end();
	ck_assert_int_eq(evaluated, 0); /* disabled levels do not even evaluate arguments */
	ck_assert_msg(matches(out, "^WARN: [^\n]* warning\nERRO: [^\n]* error\n$"), "got '%s'",
		      out);
	free(out);

	log_set_level(LOG_LEVEL_ERROR);
	capture_start();
	log_warning("hidden");
	out = capture_end();
	ck_assert_str_eq(out, "");
	free(out);
	log_set_level(LOG_LEVEL_INFO);
}
END_TEST

static int failing_step(void)
{
	return log_error_errno(-ENOENT, "Failed to open '%s'", "/nope");
}

START_TEST(test_log_errno)
{
	char *out;

	log_set_level(LOG_LEVEL_INFO);
	errno = EAGAIN;
	capture_start();
	ck_assert_int_eq(failing_step(), -ENOENT);
	ck_assert_int_eq(errno, EAGAIN); /* preserved */
	ck_assert_int_eq(log_warning_errno(EPERM, "Positive errno"), -EPERM);
	ck_assert_int_eq(log_error_errno(-EACCES, "Explicit: %m, ignoring"), -EACCES);
	ck_assert_int_eq(log_error_errno(0, "No error"), 0);
	ck_assert_int_eq(log_debug_errno(-EIO, "disabled"), -EIO);
	ck_assert_int_eq(log_error_errno(-EIO, "100%% literal %%m"), -EIO);
	ck_assert_int_eq(log_oom(), -ENOMEM);
	out = capture_end();
	ck_assert_msg(matches(out,
			      "^ERRO: [^\n]* Failed to open '/nope': No such file or directory\n"
			      "WARN: [^\n]* Positive errno: Operation not permitted\n"
			      "ERRO: [^\n]* Explicit: Permission denied, ignoring\n"
			      "ERRO: [^\n]* No error\n"
			      "ERRO: [^\n]* 100% literal %m: Input/output error\n"
			      "ERRO: [^\n]* Out of memory: Cannot allocate memory\n$"),
		      "got '%s'", out);
	free(out);
}
END_TEST

START_TEST(test_log_long_line)
{
	char *big = malloc(3 * LOG_LINE_MAX), *out;

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 3 * LOG_LINE_MAX - 1);
	big[3 * LOG_LINE_MAX - 1] = '\0';
	capture_start();
	log_error_errno(-EIO, "%s", big);
	log_info("after");
	out = capture_end();
	/* Truncated to one line of LOG_LINE_MAX bytes with its newline, and the next line intact. */
	ck_assert_ptr_nonnull(strchr(out, '\n'));
	ck_assert_uint_eq((size_t)(strchr(out, '\n') - out), LOG_LINE_MAX - 1);
	ck_assert_msg(matches(out, "^ERRO: [^\n]* a+\nINFO: [^\n]* after\n$"), "bad output");
	free(out);
	free(big);
}
END_TEST

/* --- evl: I/O ---------------------------------------------------------------------------- */

struct io_state {
	int calls;
	uint32_t revents;
	char data[8];
	struct evl_source *other; /* freed by the handler, if set */
	struct evl_source **self; /* cleared when the handler frees itself */
	int *shared_calls;
};

static int on_io(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	struct io_state *st = userdata;

	st->calls++;
	if (st->shared_calls)
		(*st->shared_calls)++;
	st->revents = revents;
	if (revents & EPOLLIN)
		(void)!read(fd, st->data, sizeof(st->data));
	if (st->other)
		st->other = evl_source_free(st->other);
	if (st->self)
		*st->self = evl_source_free(s);
	return 0;
}

START_TEST(test_io_pipe)
{
	struct evl *evl = new_evl();
	struct io_state rd = { 0 }, wr = { 0 };
	struct evl_source *rs, *ws;
	int fds[2];

	new_pipe(fds);
	ck_assert_int_eq(evl_add_io(evl, fds[0], EPOLLIN, on_io, &rd, &rs), 0);
	ck_assert_int_eq(evl_io_get_fd(rs), fds[0]);
	ck_assert_int_eq(evl_add_io(evl, fds[0], EPOLLIN, on_io, &rd, &ws), -EEXIST);
	ck_assert_int_eq(evl_add_io(evl, -1, EPOLLIN, on_io, &rd, &ws), -EINVAL);

	/* Nothing to read: the iteration times out. */
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(rd.calls, 0);

	write_byte(fds[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(rd.calls, 1);
	ck_assert_uint_eq(rd.revents, EPOLLIN);
	ck_assert_int_eq(rd.data[0], 'x');

	/* Writability, then switched off with evl_io_set_events. */
	ck_assert_int_eq(evl_add_io(evl, fds[1], EPOLLOUT, on_io, &wr, &ws), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(wr.calls, 1);
	ck_assert_uint_eq(wr.revents, EPOLLOUT);
	ck_assert_int_eq(evl_io_set_events(ws, EPOLLIN), 0);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(wr.calls, 1);

	/* Disabled sources see nothing, enabled again they do. */
	write_byte(fds[1]);
	ck_assert_int_eq(evl_source_set_enabled(rs, false), 0);
	ck_assert(!evl_source_get_enabled(rs));
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(evl_source_set_enabled(rs, true), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(rd.calls, 2);

	/* Hang-up is reported even though not asked for. */
	close(fds[1]);
	ws = evl_source_free(ws);
	ck_assert_ptr_null(ws);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_uint_eq(rd.revents & EPOLLHUP, EPOLLHUP);
	evl_source_free(rs);
	close(fds[0]);
	ck_assert_ptr_null(evl_free(evl));
	ck_assert_ptr_null(evl_free(NULL));
	ck_assert_ptr_null(evl_source_free(NULL));
}
END_TEST

START_TEST(test_io_free_self)
{
	struct evl *evl = new_evl();
	struct io_state st = { 0 };
	struct evl_source *s;
	int fds[2];

	new_pipe(fds);
	ck_assert_int_eq(evl_add_io(evl, fds[0], EPOLLIN, on_io, &st, &s), 0);
	st.self = &s;
	/* Two bytes, read one at a time would make it readable again; freed, it never is. */
	ck_assert_int_eq(write(fds[1], "xyxyxyxyxy", 10), 10);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(st.calls, 1);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(st.calls, 1);

	/* The fd number is free again in the same loop. */
	st.self = NULL;
	ck_assert_int_eq(evl_add_io(evl, fds[0], EPOLLIN, on_io, &st, &s), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(st.calls, 2);
	evl_free(evl);
	close_pipe(fds);
}
END_TEST

START_TEST(test_io_free_other_in_batch)
{
	struct evl *evl = new_evl();
	struct io_state a = { 0 }, b = { 0 };
	struct evl_source *sa, *sb;
	int fa[2], fb[2], shared = 0;

	new_pipe(fa);
	new_pipe(fb);
	ck_assert_int_eq(evl_add_io(evl, fa[0], EPOLLIN, on_io, &a, &sa), 0);
	ck_assert_int_eq(evl_add_io(evl, fb[0], EPOLLIN, on_io, &b, &sb), 0);
	a.other = sb;
	b.other = sa;
	a.shared_calls = b.shared_calls = &shared;
	/* Both readable before the iteration, so both are in one epoll batch: whichever runs
	 * first frees the other, whose pending event must then be dropped.
	 */
	write_byte(fa[1]);
	write_byte(fb[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(shared, 1);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(shared, 1);
	/* Freeing an already freed source from a handler's stale pointer is harmless here. */
	evl_free(evl);
	close_pipe(fa);
	close_pipe(fb);
}
END_TEST

START_TEST(test_io_fd_own)
{
	struct evl *evl = new_evl();
	struct io_state st = { 0 };
	struct evl_source *s;
	int fds[2];

	new_pipe(fds);
	ck_assert_int_eq(evl_add_io(evl, fds[0], EPOLLIN, on_io, &st, &s), 0);
	ck_assert_int_eq(evl_io_set_fd_own(s, true), 0);
	evl_source_free(s);
	ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);

	/* evl_free() closes owned fds of the sources left. */
	new_pipe(fds);
	ck_assert_int_eq(evl_add_io(evl, fds[1], EPOLLOUT, on_io, &st, &s), 0);
	ck_assert_int_eq(evl_io_set_fd_own(s, true), 0);
	evl_free(evl);
	ck_assert_int_eq(fcntl(fds[1], F_GETFD), -1);
	close(fds[0]);
}
END_TEST

/* --- evl: timers ------------------------------------------------------------------------- */

struct timer_log {
	struct evl *evl;
	uint64_t when[16];
	int id[16];
	int n;
	struct evl_source *victim; /* freed or disabled by the first handler, if set */
	bool free_victim;
};

struct timer_ctx {
	struct timer_log *log;
	int id;
};

static int on_timer_logged(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct timer_ctx *ctx = userdata;
	struct timer_log *tl = ctx->log;

	(void)s;
	ck_assert_int_lt(tl->n, 16);
	tl->when[tl->n] = when_ms;
	tl->id[tl->n] = ctx->id;
	tl->n++;
	if (tl->victim) {
		if (tl->free_victim)
			evl_source_free(tl->victim);
		else
			ck_assert_int_eq(evl_timer_disable(tl->victim), 0);
		tl->victim = NULL;
	}
	return 0;
}

START_TEST(test_timer_order)
{
	static const int offsets[10] = { 7, 2, 9, 0, 5, 3, 8, 1, 6, 4 };
	struct evl *evl = new_evl();
	struct timer_log tl = { .evl = evl };
	struct timer_ctx ctx[12];
	struct evl_source *s[12];
	uint64_t base = evl_now_ms(evl) + 2, when;
	int done = 0;

	for (int i = 0; i < 10; i++) {
		ctx[i] = (struct timer_ctx){ &tl, i };
		ck_assert_int_eq(evl_add_timer(evl, base + (uint64_t)offsets[i], on_timer_logged,
					       &ctx[i], &s[i]),
				 0);
		ck_assert_int_eq(evl_timer_get(s[i], &when), 0);
		ck_assert_uint_eq(when, base + (uint64_t)offsets[i]);
	}
	/* Two more due together with offset 5: they run after it, in arming order. */
	for (int i = 10; i < 12; i++) {
		ctx[i] = (struct timer_ctx){ &tl, i };
		ck_assert_int_eq(evl_add_timer(evl, base + 5, on_timer_logged, &ctx[i], &s[i]), 0);
	}
	for (int i = 0; i < 200 && !done; i++) {
		ck_assert_int_ge(evl_run_once(evl, 5), 0);
		done = tl.n == 12;
	}
	ck_assert_int_eq(tl.n, 12);
	for (int i = 1; i < 12; i++)
		ck_assert_uint_le(tl.when[i - 1], tl.when[i]);
	for (int i = 0; i < 12; i++)
		if (tl.when[i] == base + 5) {
			ck_assert_int_eq(tl.id[i], 4);
			ck_assert_int_eq(tl.id[i + 1], 10);
			ck_assert_int_eq(tl.id[i + 2], 11);
			break;
		}
	/* Fired timers are one-shot: disabled until set again. */
	for (int i = 0; i < 12; i++)
		ck_assert(!evl_source_get_enabled(s[i]));
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	evl_free(evl);
}
END_TEST

struct periodic {
	struct evl *evl;
	uint64_t first, period;
	int fired, limit;
};

static int on_periodic(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct periodic *p = userdata;

	ck_assert_uint_eq(when_ms, p->first + (uint64_t)p->fired * p->period);
	ck_assert_uint_ge(evl_now_ms(p->evl), when_ms);
	if (++p->fired == p->limit)
		evl_exit(p->evl, 0);
	else
		ck_assert_int_eq(evl_timer_set(s, when_ms + p->period), 0);
	return 0;
}

START_TEST(test_timer_rearm)
{
	struct evl *evl = new_evl();
	struct periodic p = { .evl = evl, .period = 3, .limit = 5 };
	struct evl_source *s;
	uint64_t start = evl_clock_ms(CLOCK_MONOTONIC);

	p.first = evl_now_ms(evl) + 1;
	ck_assert_int_eq(evl_add_timer(evl, p.first, on_periodic, &p, &s), 0);
	ck_assert_int_eq(evl_run(evl), 0);
	ck_assert_int_eq(p.fired, 5);
	ck_assert_uint_ge(evl_clock_ms(CLOCK_MONOTONIC), start + 1 + 4 * 3);

	/* Relative arming, and re-arming in the past fires on the next iteration. */
	p.fired = 0;
	p.limit = 1;
	ck_assert_int_eq(evl_timer_set(s, 1), 0);
	p.first = 1;
	ck_assert_int_eq(evl_run(evl), 0);
	ck_assert_int_eq(p.fired, 1);
	ck_assert_int_eq(evl_timer_set_relative(s, 2), 0);
	ck_assert_int_eq(evl_timer_get(s, &p.first), 0);
	p.fired = 0;
	ck_assert_int_eq(evl_run(evl), 0);
	ck_assert_int_eq(p.fired, 1);
	evl_free(evl);
}
END_TEST

/* A handler re-arming its timer for "now" must not starve the loop. */
static int on_rearm_now(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	int *n = userdata;

	(*n)++;
	return evl_timer_set(s, when_ms);
}

START_TEST(test_timer_rearm_now)
{
	struct evl *evl = new_evl();
	struct evl_source *s;
	int n = 0;

	ck_assert_int_eq(evl_add_timer(evl, 0, on_rearm_now, &n, &s), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(n, 2);
	evl_free(evl);
}
END_TEST

START_TEST(test_timer_disable)
{
	struct evl *evl = new_evl();
	struct timer_log tl = { .evl = evl };
	struct timer_ctx ctx[3] = { { &tl, 0 }, { &tl, 1 }, { &tl, 2 } };
	struct evl_source *s[3];
	uint64_t now = evl_now_ms(evl);

	/* Disabled before it is due: it never fires. */
	ck_assert_int_eq(evl_add_timer(evl, now, on_timer_logged, &ctx[0], &s[0]), 0);
	ck_assert_int_eq(evl_timer_disable(s[0]), 0);
	ck_assert_int_eq(evl_run_once(evl, 10), 0);
	ck_assert_int_eq(tl.n, 0);
	/* Enabled again: armed at the time it had. */
	ck_assert_int_eq(evl_source_set_enabled(s[0], true), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(tl.n, 1);
	ck_assert_uint_eq(tl.when[0], now);

	/* Infinity: never. */
	ck_assert_int_eq(evl_add_timer(evl, EVL_TIME_INFINITY, on_timer_logged, &ctx[1], &s[1]), 0);
	ck_assert(!evl_source_get_enabled(s[1]));
	ck_assert_int_eq(evl_source_set_enabled(s[1], true), -EINVAL);
	ck_assert_int_eq(evl_run_once(evl, 5), 0);

	/* Due in the same iteration: the first disables the second, then frees the third. */
	tl.n = 0;
	ck_assert_int_eq(evl_timer_set(s[0], now - 1), 0);
	ck_assert_int_eq(evl_timer_set(s[1], now), 0);
	tl.victim = s[1];
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(tl.n, 1);
	ck_assert_int_eq(tl.id[0], 0);
	ck_assert(!evl_source_get_enabled(s[1]));

	ck_assert_int_eq(evl_add_timer(evl, now, on_timer_logged, &ctx[2], &s[2]), 0);
	ck_assert_int_eq(evl_timer_set(s[0], now - 1), 0);
	tl.n = 0;
	tl.victim = s[2];
	tl.free_victim = true;
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(tl.n, 1);
	ck_assert_int_eq(tl.id[0], 0);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	evl_free(evl);
}
END_TEST

#define MANY_TIMERS 10000

struct many {
	uint64_t last;
	int fired;
	bool ordered;
};

static int on_many(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct many *m = userdata;

	(void)s;
	if (when_ms < m->last)
		m->ordered = false;
	m->last = when_ms;
	m->fired++;
	return 0;
}

START_TEST(test_timer_many)
{
	struct evl *evl = new_evl();
	struct many m = { .ordered = true };
	struct evl_source **s = calloc(MANY_TIMERS, sizeof(*s));
	uint64_t now = evl_now_ms(evl);

	ck_assert_ptr_nonnull(s);
	/* Pseudo-random due times in the last 10 s and the next 20 ms, in scrambled order. */
	for (int i = 0; i < MANY_TIMERS; i++) {
		uint64_t when = now - 10000 + (uint64_t)((i * 7919) % (MANY_TIMERS + 20));

		ck_assert_int_eq(evl_add_timer(evl, when, on_many, &m, &s[i]), 0);
	}
	/* Re-arm a tenth, disable another tenth and free a tenth before running. */
	for (int i = 0; i < MANY_TIMERS; i += 10) {
		ck_assert_int_eq(evl_timer_set(s[i], now - 5000 + (uint64_t)(i % 97)), 0);
		ck_assert_int_eq(evl_timer_disable(s[i + 1]), 0);
		s[i + 2] = evl_source_free(s[i + 2]);
	}
	for (int i = 0; i < 200 && m.fired < MANY_TIMERS * 8 / 10; i++)
		ck_assert_int_ge(evl_run_once(evl, 5), 0);
	ck_assert_int_eq(m.fired, MANY_TIMERS * 8 / 10);
	ck_assert(m.ordered);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	evl_free(evl);
	free(s);
}
END_TEST

/* --- evl: signals ------------------------------------------------------------------------ */

static int on_signal(struct evl_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	int *got = userdata;

	(void)s;
	*got = (int)si->ssi_signo;
	return 0;
}

START_TEST(test_signal)
{
	struct evl *evl = new_evl();
	struct evl_source *s, *s2;
	sigset_t cur;
	int got = 0;

	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &cur), 0);
	ck_assert(!sigismember(&cur, SIGUSR1));
	ck_assert_int_eq(evl_add_signal(evl, SIGUSR1, on_signal, &got, &s), 0);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &cur), 0);
	ck_assert(sigismember(&cur, SIGUSR1));
	ck_assert_int_eq(evl_add_signal(evl, SIGUSR1, on_signal, &got, &s2), -EBUSY);
	ck_assert_int_eq(evl_add_signal(evl, SIGKILL, on_signal, &got, &s2), -EINVAL);
	ck_assert_int_eq(evl_add_signal(evl, 0, on_signal, &got, &s2), -EINVAL);
	ck_assert_int_eq(evl_add_signal(evl, _NSIG, on_signal, &got, &s2), -EINVAL);

	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(got, SIGUSR1);

	/* Disabled, the signal stays pending and blocked; enabled, it is delivered. */
	got = 0;
	ck_assert_int_eq(evl_source_set_enabled(s, false), 0);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(evl_source_set_enabled(s, true), 0);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(got, SIGUSR1);

	/* Freeing restores the mask; a second loop can take the signal over. */
	evl_source_free(s);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &cur), 0);
	ck_assert(!sigismember(&cur, SIGUSR1));
	ck_assert_int_eq(evl_add_signal(evl, SIGUSR1, on_signal, &got, &s), 0);
	evl_free(evl);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &cur), 0);
	ck_assert(!sigismember(&cur, SIGUSR1));
}
END_TEST

/* --- evl: post sources, exit, errors ----------------------------------------------------- */

struct post_state {
	int runs;
	int events_seen; /* io + timer handler calls when the post ran */
	int *events;
	struct evl_source **self_free;
};

static int on_post(struct evl_source *s, void *userdata)
{
	struct post_state *p = userdata;

	p->runs++;
	p->events_seen = *p->events;
	if (p->self_free)
		*p->self_free = evl_source_free(s);
	return 0;
}

static int on_count_io(struct evl_source *s, int fd, uint32_t revents, void *userdata)
{
	char c;

	(void)s;
	(void)revents;
	(void)!read(fd, &c, 1);
	(*(int *)userdata)++;
	return 0;
}

static int on_count_timer(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	(void)s;
	(void)when_ms;
	(*(int *)userdata)++;
	return 0;
}

START_TEST(test_post)
{
	struct evl *evl = new_evl();
	struct evl_source *io1, *io2, *tm, *post, *post2;
	int fa[2], fb[2], events = 0;
	struct post_state p = { .events = &events }, p2 = { .events = &events };

	new_pipe(fa);
	new_pipe(fb);
	ck_assert_int_eq(evl_add_post(evl, on_post, &p, &post), 0);
	ck_assert_int_eq(evl_add_io(evl, fa[0], EPOLLIN, on_count_io, &events, &io1), 0);
	ck_assert_int_eq(evl_add_io(evl, fb[0], EPOLLIN, on_count_io, &events, &io2), 0);
	ck_assert_int_eq(evl_add_timer(evl, 0, on_count_timer, &events, &tm), 0);

	/* Three events in one iteration, the post source once, after all of them. */
	write_byte(fa[1]);
	write_byte(fb[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(events, 3);
	ck_assert_int_eq(p.runs, 1);
	ck_assert_int_eq(p.events_seen, 3);

	/* An idle iteration runs no post source. */
	ck_assert_int_eq(evl_run_once(evl, 0), 0);
	ck_assert_int_eq(p.runs, 1);

	/* Once per iteration: a second iteration with an event runs it again. */
	write_byte(fa[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p.events_seen, 4);

	/* Disabled, it does not run; two post sources run in order; one frees itself. */
	ck_assert_int_eq(evl_source_set_enabled(post, false), 0);
	ck_assert_int_eq(evl_add_post(evl, on_post, &p2, &post2), 0);
	p2.self_free = &post2;
	write_byte(fb[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(p.runs, 2);
	ck_assert_int_eq(p2.runs, 1);
	ck_assert_ptr_null(post2);
	ck_assert_int_eq(evl_source_set_enabled(post, true), 0);
	write_byte(fb[1]);
	ck_assert_int_eq(evl_run_once(evl, 100), 1);
	ck_assert_int_eq(p.runs, 3);
	ck_assert_int_eq(p2.runs, 1);

	evl_free(evl);
	close_pipe(fa);
	close_pipe(fb);
}
END_TEST

static int on_exit_timer(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	(void)when_ms;
	evl_exit(evl_source_get_evl(s), *(int *)userdata);
	return 0;
}

static int on_nested(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	struct evl *evl = evl_source_get_evl(s);

	(void)when_ms;
	(void)userdata;
	ck_assert_int_eq(evl_run(evl), -EBUSY);
	ck_assert_int_eq(evl_run_once(evl, 0), -EBUSY);
	ck_assert_ptr_eq(evl_free(evl), evl); /* refused from a handler */
	/* The time is cached for the whole iteration. */
	ck_assert_uint_eq(evl_now_ns(evl), evl_now_ns(evl));
	ck_assert_uint_eq(evl_now_realtime_ms(evl), evl_now_realtime_ms(evl));
	return 0;
}

START_TEST(test_exit)
{
	struct evl *evl = new_evl();
	struct evl_source *a, *b, *c, *post;
	int code = 42, other = 7, events = 0;
	struct post_state p = { .events = &events };
	uint64_t rt;

	ck_assert_int_eq(evl_add_timer(evl, 0, on_nested, NULL, &c), 0);
	ck_assert_int_eq(evl_add_timer_relative(evl, 2, on_exit_timer, &code, &a), 0);
	ck_assert_int_eq(evl_add_timer_relative(evl, 2, on_exit_timer, &other, &b), 0);
	ck_assert_int_eq(evl_add_post(evl, on_post, &p, &post), 0);
	ck_assert(!evl_exiting(evl));
	/* The first exits: the second, due at the same time, is left for later; the post
	 * source still runs.
	 */
	ck_assert_int_eq(evl_run(evl), 42);
	ck_assert(evl_source_get_enabled(b));
	ck_assert(!evl_exiting(evl));
	ck_assert_int_ge(p.runs, 1);
	ck_assert_int_eq(evl_run(evl), 7);

	/* An exit asked for before running returns at once. */
	evl_exit(evl, 3);
	ck_assert(evl_exiting(evl));
	ck_assert_int_eq(evl_run(evl), 3);

	rt = evl_now_realtime_ms(evl);
	ck_assert_uint_gt(rt, 1600000000000ull);
	ck_assert_uint_le(rt, evl_clock_ms(CLOCK_REALTIME));
	evl_free(evl);
	ck_assert_int_eq(evl_run(NULL), -EINVAL);
}
END_TEST

static int on_fail(struct evl_source *s, uint64_t when_ms, void *userdata)
{
	(void)s;
	(void)when_ms;
	(*(int *)userdata)++;
	return -EIO;
}

START_TEST(test_handler_error)
{
	struct evl *evl = new_evl();
	struct evl_source *f, *g, *x;
	int fails = 0, code = 5;
	char *out;

	log_set_level(LOG_LEVEL_INFO);
	ck_assert_int_eq(evl_add_timer(evl, 0, on_fail, &fails, &f), 0);
	ck_assert_int_eq(evl_source_set_description(f, "heartbeat 'aa:bb'"), 0);
	ck_assert_str_eq(evl_source_get_description(f), "heartbeat 'aa:bb'");
	ck_assert_int_eq(evl_add_timer(evl, 1, on_fail, &fails, &g), 0); /* default name */
	ck_assert_int_eq(evl_add_timer_relative(evl, 3, on_exit_timer, &code, &x), 0);
	capture_start();
	ck_assert_int_eq(evl_run(evl), 5);
	out = capture_end();
	ck_assert_int_eq(fails, 2);
	ck_assert_msg(matches(out, "^WARN: [^\n]* Event source 'heartbeat 'aa:bb'' failed, "
				   "ignoring: Input/output error\n"
				   "WARN: [^\n]* Event source 'timer' failed, ignoring: "
				   "Input/output error\n$"),
		      "got '%s'", out);
	free(out);

	/* Descriptions are cut, not overflowed. */
	char longname[200];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(evl_source_set_description(f, longname), 0);
	ck_assert_uint_eq(strlen(evl_source_get_description(f)), EVL_DESCRIPTION_MAX - 1);
	ck_assert_ptr_eq(evl_source_get_userdata(f), &fails);
	ck_assert_ptr_eq(evl_source_set_userdata(f, NULL), &fails);
	ck_assert_ptr_null(evl_source_get_userdata(f));
	evl_free(evl);
}
END_TEST

static int on_noop_post(struct evl_source *s, void *userdata)
{
	(void)s;
	(void)userdata;
	return 0;
}

START_TEST(test_limits)
{
	struct evl *evl = new_evl();
	struct evl_source *s;
	int r = 0, n = 0;

	while (n <= EVL_SOURCES_MAX) {
		r = evl_add_post(evl, on_noop_post, NULL, &s);
		if (r < 0)
			break;
		n++;
	}
	ck_assert_int_eq(r, -ENOBUFS);
	ck_assert_int_eq(n, EVL_SOURCES_MAX);
	/* Freeing one makes room for one. */
	evl_source_free(s);
	ck_assert_int_eq(evl_add_timer(evl, EVL_TIME_INFINITY, on_count_timer, &n, &s), 0);
	ck_assert_int_eq(evl_add_post(evl, on_noop_post, NULL, &s), -ENOBUFS);
	evl_free(evl);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc;

	tc = tcase_create("log");
	tcase_add_test(tc, test_log_format);
	tcase_add_test(tc, test_log_levels);
	tcase_add_test(tc, test_log_errno);
	tcase_add_test(tc, test_log_long_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("evl");
	tcase_add_test(tc, test_io_pipe);
	tcase_add_test(tc, test_io_free_self);
	tcase_add_test(tc, test_io_free_other_in_batch);
	tcase_add_test(tc, test_io_fd_own);
	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_rearm);
	tcase_add_test(tc, test_timer_rearm_now);
	tcase_add_test(tc, test_timer_disable);
	tcase_add_test(tc, test_timer_many);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_post);
	tcase_add_test(tc, test_exit);
	tcase_add_test(tc, test_handler_error);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
