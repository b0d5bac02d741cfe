/* SPDX-License-Identifier: GPL-2.0 */
/* evl: weaver's single-threaded event loop (epoll + one timerfd + one signalfd) with I/O, timer,
 * signal and post sources, in sd-event's spirit. Not thread-safe; no global state.
 */
#ifndef WEAVE_LIB_EVL_H
#define WEAVE_LIB_EVL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>

#define EVL_SOURCES_MAX 65536 /* live sources per loop; adding more fails with -ENOBUFS */
#define EVL_DESCRIPTION_MAX 64 /* bytes of a description, with the NUL; longer ones are cut */
#define EVL_EPOLL_BATCH 64 /* epoll events taken per iteration */
#define EVL_SIGNAL_BATCH 16 /* signals read per iteration */
#define EVL_TIME_INFINITY UINT64_MAX /* a timer that never fires */

struct evl;
struct evl_source;

/* Handlers return 0 or a negative errno. A negative value is logged at warning level with the
 * source's description and otherwise ignored: the source stays as the handler left it and the
 * loop goes on. Only evl_exit() ends evl_run().
 */
typedef int (*evl_io_handler_t)(struct evl_source *s, int fd, uint32_t revents, void *userdata);
/* when_ms: the time the timer was due. The timer is disabled before the call; re-arm it from
 * here for periodic timers (evl_timer_set(s, when_ms + period) does not drift).
 */
typedef int (*evl_timer_handler_t)(struct evl_source *s, uint64_t when_ms, void *userdata);
typedef int (*evl_signal_handler_t)(struct evl_source *s, const struct signalfd_siginfo *si,
				    void *userdata);
typedef int (*evl_post_handler_t)(struct evl_source *s, void *userdata);

/* --- the loop ---------------------------------------------------------------------------- */

int evl_new(struct evl **ret);
/* Frees the loop and every source still attached (their pointers become invalid; fds owned
 * through evl_io_set_fd_own() are closed). NULL-safe; returns NULL. Not from inside a handler.
 */
struct evl *evl_free(struct evl *evl);

/* Runs iterations until evl_exit(); returns the exit code, or a negative errno if the loop
 * itself failed (epoll/timerfd/signalfd). An exit requested before the call returns at once.
 * -EBUSY when called from a handler.
 */
int evl_run(struct evl *evl);
/* One iteration: waits up to timeout_ms (-1: forever, 0: poll), then dispatches signals, I/O,
 * due timers (in due order), then the post sources if anything else was dispatched.
 * Returns 1 if a non-post handler ran, 0 if none did, or a negative errno.
 */
int evl_run_once(struct evl *evl, int timeout_ms);
/* Asks evl_run() to return code once the running handler returns. The rest of the iteration's
 * events are left for a later run, but its post sources still run (flush state before exit).
 */
void evl_exit(struct evl *evl, int code);
bool evl_exiting(const struct evl *evl);

/* CLOCK_MONOTONIC, taken once per iteration when it wakes up (fresh outside iterations). */
uint64_t evl_now_ns(struct evl *evl);
uint64_t evl_now_ms(struct evl *evl);
/* CLOCK_REALTIME in ms since the epoch, cached per iteration like evl_now_*. */
uint64_t evl_now_realtime_ms(struct evl *evl);
/* Uncached clock reads for code without a loop at hand; 0 if the clock fails. */
uint64_t evl_clock_ns(clockid_t clock);
uint64_t evl_clock_ms(clockid_t clock);

/* --- sources ------------------------------------------------------------------------------
 * Every evl_add_* stores the new source in *ret (non-NULL) only on success. Sources start
 * enabled (timers: armed at when_ms).
 */

/* fd is not owned (see evl_io_set_fd_own) and must stay open until the source is freed.
 * events: EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDHUP, EPOLLET...; EPOLLERR and EPOLLHUP are always
 * reported. -EEXIST if the fd already has a source, -EINVAL for a negative fd.
 */
int evl_add_io(struct evl *evl, int fd, uint32_t events, evl_io_handler_t cb, void *userdata,
	       struct evl_source **ret);
int evl_io_set_events(struct evl_source *s, uint32_t events);
int evl_io_get_fd(const struct evl_source *s);
/* With own, evl_source_free() (and evl_free()) closes the fd after unregistering it. */
int evl_io_set_fd_own(struct evl_source *s, bool own);

/* Absolute CLOCK_MONOTONIC time in ms (evl_now_ms() + delay for relative ones). One timerfd
 * and a min-heap serve all timers; those due together run in due order, then in arming order.
 */
int evl_add_timer(struct evl *evl, uint64_t when_ms, evl_timer_handler_t cb, void *userdata,
		  struct evl_source **ret);
int evl_add_timer_relative(struct evl *evl, uint64_t delay_ms, evl_timer_handler_t cb,
			   void *userdata, struct evl_source **ret);
/* (Re-)arms the timer for when_ms (absolute); EVL_TIME_INFINITY disables it. */
int evl_timer_set(struct evl_source *s, uint64_t when_ms);
int evl_timer_set_relative(struct evl_source *s, uint64_t delay_ms);
int evl_timer_disable(struct evl_source *s);
/* The time the timer is (or was last) armed for. */
int evl_timer_get(const struct evl_source *s, uint64_t *ret_when_ms);

/* Blocks signo (sigprocmask) and reads it through the loop's signalfd; freeing the source
 * restores the previous blocked state. One source per signal: -EBUSY for a second one;
 * -EINVAL for SIGKILL, SIGSTOP or a number out of range.
 */
int evl_add_signal(struct evl *evl, int signo, evl_signal_handler_t cb, void *userdata,
		   struct evl_source **ret);

/* Runs once at the end of every iteration in which any non-post handler ran, in the order the
 * post sources were added (flush dirty state once per iteration).
 */
int evl_add_post(struct evl *evl, evl_post_handler_t cb, void *userdata, struct evl_source **ret);

/* Unregisters and frees a source; NULL-safe, returns NULL. Safe from any handler, including
 * the source's own: destruction is deferred to the end of the iteration, and events of the
 * source still pending in that iteration are never dispatched.
 */
struct evl_source *evl_source_free(struct evl_source *s);

/* Disabled sources keep their settings but dispatch nothing: I/O leaves epoll, signals stay
 * blocked and pending, timers are disarmed (enabling re-arms at the last time set).
 */
int evl_source_set_enabled(struct evl_source *s, bool enabled);
bool evl_source_get_enabled(const struct evl_source *s);
/* Names the source in the loop's log messages; copied, cut at EVL_DESCRIPTION_MAX - 1 bytes. */
int evl_source_set_description(struct evl_source *s, const char *description);
const char *evl_source_get_description(const struct evl_source *s);
void *evl_source_get_userdata(const struct evl_source *s);
void *evl_source_set_userdata(struct evl_source *s, void *userdata); /* returns the old one */
struct evl *evl_source_get_evl(const struct evl_source *s);

#endif /* WEAVE_LIB_EVL_H */
