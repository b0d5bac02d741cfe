// SPDX-License-Identifier: GPL-2.0
/* The event loop: epoll for I/O, one timerfd driven by a min-heap of timers, one signalfd, and
 * post sources; sources freed during an iteration are destroyed at its end.
 */
#include "lib/evl.h"

#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define HEAP_NONE SIZE_MAX /* heap_index of a timer that is not armed */

enum source_type {
	SOURCE_IO,
	SOURCE_TIMER,
	SOURCE_SIGNAL,
	SOURCE_POST,
};

struct evl_source {
	struct evl *evl;
	enum source_type type;
	bool enabled;
	bool freed; /* waiting for the end of the iteration to be destroyed */
	void *userdata;
	struct evl_source *prev, *next; /* evl->sources, or evl->posts for post sources */
	struct evl_source *gc_next; /* evl->garbage */
	char description[EVL_DESCRIPTION_MAX];
	union {
		struct {
			evl_io_handler_t cb;
			int fd;
			uint32_t events;
			bool registered; /* in the epoll set */
			bool own_fd;
		} io;
		struct {
			evl_timer_handler_t cb;
			uint64_t when_ms;
			uint64_t seq; /* arming order, for timers due at the same time */
			size_t heap_index;
		} timer;
		struct {
			evl_signal_handler_t cb;
			int signo;
			bool was_blocked; /* before we blocked it */
		} signal;
		struct {
			evl_post_handler_t cb;
		} post;
	};
};

struct source_list {
	struct evl_source *head, *tail;
};

struct evl {
	int epoll_fd;
	int timer_fd;
	int signal_fd;

	struct source_list sources; /* io, timer, signal */
	struct source_list posts;
	struct evl_source *garbage; /* freed during this iteration */
	size_t n_sources;

	/* armed timers: a binary min-heap on (when_ms, seq); capacity covers every timer source */
	struct evl_source **heap;
	size_t heap_n, heap_cap, n_timers;
	uint64_t timer_seq;
	uint64_t timer_armed_ms; /* what timer_fd is set to, valid if timer_armed */
	bool timer_armed;

	struct evl_source *signals[_NSIG];
	sigset_t signal_mask; /* of enabled signal sources: what signal_fd reads */

	uint64_t now_ns, realtime_ms;
	bool now_valid, realtime_valid;

	bool in_iteration;
	bool exiting;
	int exit_code;
};

/* --- clocks ------------------------------------------------------------------------------ */

uint64_t evl_clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t evl_clock_ms(clockid_t clock)
{
	return evl_clock_ns(clock) / 1000000u;
}

uint64_t evl_now_ns(struct evl *evl)
{
	if (!evl->now_valid)
		return evl_clock_ns(CLOCK_MONOTONIC);
	return evl->now_ns;
}

uint64_t evl_now_ms(struct evl *evl)
{
	return evl_now_ns(evl) / 1000000u;
}

uint64_t evl_now_realtime_ms(struct evl *evl)
{
	if (!evl->in_iteration)
		return evl_clock_ms(CLOCK_REALTIME);
	if (!evl->realtime_valid) {
		evl->realtime_ms = evl_clock_ms(CLOCK_REALTIME);
		evl->realtime_valid = true;
	}
	return evl->realtime_ms;
}

static uint64_t add_saturated(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* --- lists and the timer heap ------------------------------------------------------------- */

static void list_append(struct source_list *l, struct evl_source *s)
{
	s->next = NULL;
	s->prev = l->tail;
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
}

static void list_remove(struct source_list *l, struct evl_source *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->tail = s->prev;
	s->prev = s->next = NULL;
}

static bool timer_before(const struct evl_source *a, const struct evl_source *b)
{
	if (a->timer.when_ms != b->timer.when_ms)
		return a->timer.when_ms < b->timer.when_ms;
	return a->timer.seq < b->timer.seq;
}

static void heap_put(struct evl *evl, size_t i, struct evl_source *s)
{
	evl->heap[i] = s;
	s->timer.heap_index = i;
}

static void heap_sift_up(struct evl *evl, size_t i)
{
	struct evl_source *s = evl->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(s, evl->heap[parent]))
			break;
		heap_put(evl, i, evl->heap[parent]);
		i = parent;
	}
	heap_put(evl, i, s);
}

static void heap_sift_down(struct evl *evl, size_t i)
{
	struct evl_source *s = evl->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= evl->heap_n)
			break;
		if (child + 1 < evl->heap_n && timer_before(evl->heap[child + 1], evl->heap[child]))
			child++;
		if (!timer_before(evl->heap[child], s))
			break;
		heap_put(evl, i, evl->heap[child]);
		i = child;
	}
	heap_put(evl, i, s);
}

static void heap_remove(struct evl *evl, struct evl_source *s)
{
	size_t i = s->timer.heap_index;
	struct evl_source *last;

	if (i == HEAP_NONE)
		return;
	s->timer.heap_index = HEAP_NONE;
	last = evl->heap[--evl->heap_n];
	if (last == s)
		return;
	heap_put(evl, i, last);
	heap_sift_up(evl, i);
	heap_sift_down(evl, last->timer.heap_index);
}

/* Capacity for every timer source is reserved when it is added, so arming cannot fail. */
static void heap_insert(struct evl *evl, struct evl_source *s)
{
	s->timer.seq = evl->timer_seq++;
	heap_put(evl, evl->heap_n++, s);
	heap_sift_up(evl, evl->heap_n - 1);
}

static int heap_reserve(struct evl *evl, size_t n)
{
	struct evl_source **heap;
	size_t cap;

	if (n <= evl->heap_cap)
		return 0;
	cap = evl->heap_cap ? evl->heap_cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	heap = reallocarray(evl->heap, cap, sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	evl->heap = heap;
	evl->heap_cap = cap;
	return 0;
}

/* Points timer_fd at the earliest armed timer (or disarms it). */
static int timer_fd_update(struct evl *evl)
{
	uint64_t when = evl->heap_n ? evl->heap[0]->timer.when_ms : EVL_TIME_INFINITY;
	struct itimerspec its = { 0 };

	if (evl->timer_armed && evl->timer_armed_ms == when)
		return 0;
	if (when != EVL_TIME_INFINITY) {
		its.it_value.tv_sec = (time_t)(when / 1000u);
		its.it_value.tv_nsec = (long)(when % 1000u) * 1000000L;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1; /* all zero would disarm */
	}
	if (timerfd_settime(evl->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	evl->timer_armed_ms = when;
	evl->timer_armed = true;
	return 0;
}

/* --- signals ----------------------------------------------------------------------------- */

static int signal_fd_update(struct evl *evl)
{
	if (signalfd(evl->signal_fd, &evl->signal_mask, SFD_NONBLOCK | SFD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int signal_set_listening(struct evl_source *s, bool listen)
{
	struct evl *evl = s->evl;
	int r;

	if (listen == (sigismember(&evl->signal_mask, s->signal.signo) == 1))
		return 0;
	if (listen)
		sigaddset(&evl->signal_mask, s->signal.signo);
	else
		sigdelset(&evl->signal_mask, s->signal.signo);
	r = signal_fd_update(evl);
	if (r < 0) {
		if (listen)
			sigdelset(&evl->signal_mask, s->signal.signo);
		else
			sigaddset(&evl->signal_mask, s->signal.signo);
	}
	return r;
}

/* --- the loop ---------------------------------------------------------------------------- */

int evl_new(struct evl **ret)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct evl *evl;
	int r;

	if (!ret)
		return -EINVAL;
	evl = calloc(1, sizeof(*evl));
	if (!evl)
		return -ENOMEM;
	evl->timer_fd = evl->signal_fd = -1;
	sigemptyset(&evl->signal_mask);

	evl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (evl->epoll_fd < 0)
		goto err_errno;
	evl->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (evl->timer_fd < 0)
		goto err_errno;
	evl->signal_fd = signalfd(-1, &evl->signal_mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (evl->signal_fd < 0)
		goto err_errno;

	/* The internal fds are told apart from sources by these tags. */
	ev.data.ptr = &evl->timer_fd;
	if (epoll_ctl(evl->epoll_fd, EPOLL_CTL_ADD, evl->timer_fd, &ev) < 0)
		goto err_errno;
	ev.data.ptr = &evl->signal_fd;
	if (epoll_ctl(evl->epoll_fd, EPOLL_CTL_ADD, evl->signal_fd, &ev) < 0)
		goto err_errno;

	*ret = evl;
	return 0;

err_errno:
	r = -errno;
	evl_free(evl);
	return r;
}

static void source_disconnect(struct evl_source *s);

static void source_destroy(struct evl_source *s)
{
	struct evl *evl = s->evl;

	list_remove(s->type == SOURCE_POST ? &evl->posts : &evl->sources, s);
	free(s);
}

struct evl *evl_free(struct evl *evl)
{
	struct source_list *lists[2];

	if (!evl)
		return NULL;
	if (evl->in_iteration)
		return evl; /* not from a handler: the caller still owns it */

	lists[0] = &evl->sources;
	lists[1] = &evl->posts;
	for (size_t i = 0; i < 2; i++) {
		while (lists[i]->head) {
			struct evl_source *s = lists[i]->head;

			source_disconnect(s);
			source_destroy(s);
		}
	}
	if (evl->signal_fd >= 0)
		close(evl->signal_fd);
	if (evl->timer_fd >= 0)
		close(evl->timer_fd);
	if (evl->epoll_fd >= 0)
		close(evl->epoll_fd);
	free(evl->heap);
	free(evl);
	return NULL;
}

void evl_exit(struct evl *evl, int code)
{
	evl->exiting = true;
	evl->exit_code = code;
}

bool evl_exiting(const struct evl *evl)
{
	return evl->exiting;
}

static void log_handler_error(struct evl_source *s, int r)
{
	if (r < 0)
		log_warning_errno(r, "Event source '%s' failed, ignoring", s->description);
}

static int dispatch_signals(struct evl *evl)
{
	int dispatched = 0;

	for (unsigned int i = 0; i < EVL_SIGNAL_BATCH && !evl->exiting; i++) {
		struct signalfd_siginfo si;
		struct evl_source *s;
		ssize_t n;

		n = read(evl->signal_fd, &si, sizeof(si));
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug_errno(errno, "Failed to read signalfd, ignoring");
			break;
		}
		if (n != sizeof(si) || si.ssi_signo >= _NSIG)
			break;
		s = evl->signals[si.ssi_signo];
		if (!s || s->freed || !s->enabled)
			continue; /* its source went away after the signal was queued */
		log_handler_error(s, s->signal.cb(s, &si, s->userdata));
		dispatched = 1;
	}
	return dispatched;
}

static int dispatch_timers(struct evl *evl)
{
	uint64_t now = evl_now_ms(evl), seq_end = evl->timer_seq;
	int dispatched = 0;

	/* Timers armed by these handlers wait for the next iteration, even if already due. */
	while (evl->heap_n > 0 && !evl->exiting) {
		struct evl_source *s = evl->heap[0];

		if (s->timer.when_ms > now || s->timer.seq >= seq_end)
			break;
		heap_remove(evl, s);
		s->enabled = false;
		log_handler_error(s, s->timer.cb(s, s->timer.when_ms, s->userdata));
		dispatched = 1;
	}
	return dispatched;
}

static void dispatch_posts(struct evl *evl)
{
	struct evl_source *last = evl->posts.tail; /* those added now wait for the next round */

	for (struct evl_source *s = evl->posts.head; s; s = s->next) {
		if (!s->freed && s->enabled)
			log_handler_error(s, s->post.cb(s, s->userdata));
		if (s == last)
			break;
	}
}

int evl_run_once(struct evl *evl, int timeout_ms)
{
	struct epoll_event events[EVL_EPOLL_BATCH];
	bool timer_ready = false, signal_ready = false;
	int n, r, dispatched = 0;

	if (!evl)
		return -EINVAL;
	if (evl->in_iteration)
		return -EBUSY;
	r = timer_fd_update(evl);
	if (r < 0)
		return r;

	n = epoll_wait(evl->epoll_fd, events, EVL_EPOLL_BATCH, timeout_ms);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}

	evl->in_iteration = true;
	evl->now_ns = evl_clock_ns(CLOCK_MONOTONIC);
	evl->now_valid = true;
	evl->realtime_valid = false;

	for (int i = 0; i < n; i++) {
		if (events[i].data.ptr == &evl->timer_fd)
			timer_ready = true;
		else if (events[i].data.ptr == &evl->signal_fd)
			signal_ready = true;
	}

	if (signal_ready)
		dispatched |= dispatch_signals(evl);

	for (int i = 0; i < n && !evl->exiting; i++) {
		struct evl_source *s = events[i].data.ptr;
		uint32_t revents;

		if (s == (void *)&evl->timer_fd || s == (void *)&evl->signal_fd)
			continue;
		if (s->freed || !s->enabled)
			continue;
		revents = events[i].events & (s->io.events | EPOLLERR | EPOLLHUP);
		if (!revents)
			continue;
		log_handler_error(s, s->io.cb(s, s->io.fd, revents, s->userdata));
		dispatched = 1;
	}

	if (timer_ready) {
		uint64_t expirations;

		/* Consumed: make the next timer_fd_update() set it again even for the same time. */
		(void)!read(evl->timer_fd, &expirations, sizeof(expirations));
		evl->timer_armed = false;
	}
	dispatched |= dispatch_timers(evl);

	if (dispatched)
		dispatch_posts(evl);

	while (evl->garbage) {
		struct evl_source *s = evl->garbage;

		evl->garbage = s->gc_next;
		source_destroy(s);
	}
	evl->in_iteration = false;
	evl->now_valid = false;
	return dispatched;
}

int evl_run(struct evl *evl)
{
	int r;

	if (!evl)
		return -EINVAL;
	if (evl->in_iteration)
		return -EBUSY;
	while (!evl->exiting) {
		r = evl_run_once(evl, -1);
		if (r < 0)
			return r;
	}
	evl->exiting = false;
	return evl->exit_code;
}

/* --- sources ----------------------------------------------------------------------------- */

static int source_new(struct evl *evl, enum source_type type, void *userdata,
		      struct evl_source **ret)
{
	struct evl_source *s;

	if (evl->n_sources >= EVL_SOURCES_MAX)
		return -ENOBUFS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->evl = evl;
	s->type = type;
	s->enabled = true;
	s->userdata = userdata;
	*ret = s;
	return 0;
}

static void source_attach(struct evl_source *s)
{
	struct evl *evl = s->evl;

	list_append(s->type == SOURCE_POST ? &evl->posts : &evl->sources, s);
	evl->n_sources++;
}

int evl_add_io(struct evl *evl, int fd, uint32_t events, evl_io_handler_t cb, void *userdata,
	       struct evl_source **ret)
{
	struct epoll_event ev = { .events = events };
	struct evl_source *s;
	int r;

	if (!evl || fd < 0 || !cb || !ret)
		return -EINVAL;
	r = source_new(evl, SOURCE_IO, userdata, &s);
	if (r < 0)
		return r;
	s->io.cb = cb;
	s->io.fd = fd;
	s->io.events = events;
	ev.data.ptr = s;
	if (epoll_ctl(evl->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		r = -errno;
		free(s);
		return r;
	}
	s->io.registered = true;
	(void)snprintf(s->description, sizeof(s->description), "io fd %d", fd);
	source_attach(s);
	*ret = s;
	return 0;
}

int evl_io_set_events(struct evl_source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (!s || s->type != SOURCE_IO)
		return -EINVAL;
	if (s->freed)
		return -ESTALE;
	/* Also re-arms an EPOLLONESHOT registration, so no shortcut for unchanged events. */
	if (s->io.registered && epoll_ctl(s->evl->epoll_fd, EPOLL_CTL_MOD, s->io.fd, &ev) < 0)
		return -errno;
	s->io.events = events;
	return 0;
}

int evl_io_get_fd(const struct evl_source *s)
{
	if (!s || s->type != SOURCE_IO)
		return -EINVAL;
	return s->io.fd;
}

int evl_io_set_fd_own(struct evl_source *s, bool own)
{
	if (!s || s->type != SOURCE_IO)
		return -EINVAL;
	if (s->freed)
		return -ESTALE;
	s->io.own_fd = own;
	return 0;
}

int evl_add_timer(struct evl *evl, uint64_t when_ms, evl_timer_handler_t cb, void *userdata,
		  struct evl_source **ret)
{
	struct evl_source *s;
	int r;

	if (!evl || !cb || !ret)
		return -EINVAL;
	r = source_new(evl, SOURCE_TIMER, userdata, &s);
	if (r < 0)
		return r;
	r = heap_reserve(evl, evl->n_timers + 1);
	if (r < 0) {
		free(s);
		return r;
	}
	s->timer.cb = cb;
	s->timer.when_ms = when_ms;
	s->timer.heap_index = HEAP_NONE;
	(void)snprintf(s->description, sizeof(s->description), "timer");
	evl->n_timers++;
	source_attach(s);
	if (when_ms == EVL_TIME_INFINITY)
		s->enabled = false;
	else
		heap_insert(evl, s);
	*ret = s;
	return 0;
}

int evl_add_timer_relative(struct evl *evl, uint64_t delay_ms, evl_timer_handler_t cb,
			   void *userdata, struct evl_source **ret)
{
	if (!evl)
		return -EINVAL;
	return evl_add_timer(evl, add_saturated(evl_now_ms(evl), delay_ms), cb, userdata, ret);
}

int evl_timer_set(struct evl_source *s, uint64_t when_ms)
{
	if (!s || s->type != SOURCE_TIMER)
		return -EINVAL;
	if (s->freed)
		return -ESTALE;
	heap_remove(s->evl, s);
	s->timer.when_ms = when_ms;
	s->enabled = when_ms != EVL_TIME_INFINITY;
	if (s->enabled)
		heap_insert(s->evl, s);
	return 0;
}

int evl_timer_set_relative(struct evl_source *s, uint64_t delay_ms)
{
	if (!s || s->type != SOURCE_TIMER)
		return -EINVAL;
	return evl_timer_set(s, add_saturated(evl_now_ms(s->evl), delay_ms));
}

int evl_timer_disable(struct evl_source *s)
{
	if (!s || s->type != SOURCE_TIMER)
		return -EINVAL;
	return evl_source_set_enabled(s, false);
}

int evl_timer_get(const struct evl_source *s, uint64_t *ret_when_ms)
{
	if (!s || s->type != SOURCE_TIMER || !ret_when_ms)
		return -EINVAL;
	*ret_when_ms = s->timer.when_ms;
	return 0;
}

int evl_add_signal(struct evl *evl, int signo, evl_signal_handler_t cb, void *userdata,
		   struct evl_source **ret)
{
	struct evl_source *s;
	sigset_t set, old;
	int r;

	if (!evl || !cb || !ret || signo <= 0 || signo >= _NSIG || signo == SIGKILL ||
	    signo == SIGSTOP)
		return -EINVAL;
	if (evl->signals[signo])
		return -EBUSY;
	r = source_new(evl, SOURCE_SIGNAL, userdata, &s);
	if (r < 0)
		return r;
	s->signal.cb = cb;
	s->signal.signo = signo;

	sigemptyset(&set);
	sigaddset(&set, signo);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0) {
		r = -errno;
		free(s);
		return r;
	}
	s->signal.was_blocked = sigismember(&old, signo) == 1;
	r = signal_set_listening(s, true);
	if (r < 0) {
		if (!s->signal.was_blocked)
			(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
		free(s);
		return r;
	}
	(void)snprintf(s->description, sizeof(s->description), "signal %d", signo);
	evl->signals[signo] = s;
	source_attach(s);
	*ret = s;
	return 0;
}

int evl_add_post(struct evl *evl, evl_post_handler_t cb, void *userdata, struct evl_source **ret)
{
	struct evl_source *s;
	int r;

	if (!evl || !cb || !ret)
		return -EINVAL;
	r = source_new(evl, SOURCE_POST, userdata, &s);
	if (r < 0)
		return r;
	s->post.cb = cb;
	(void)snprintf(s->description, sizeof(s->description), "post");
	source_attach(s);
	*ret = s;
	return 0;
}

/* Takes the source out of epoll, the heap or the signal mask, for good. */
static void source_disconnect(struct evl_source *s)
{
	struct evl *evl = s->evl;
	sigset_t set;

	switch (s->type) {
	case SOURCE_IO:
		if (s->io.registered && epoll_ctl(evl->epoll_fd, EPOLL_CTL_DEL, s->io.fd, NULL) < 0)
			log_debug_errno(errno, "Failed to remove fd %d from epoll, ignoring",
					s->io.fd);
		s->io.registered = false;
		if (s->io.own_fd)
			close(s->io.fd);
		s->io.own_fd = false;
		break;
	case SOURCE_TIMER:
		heap_remove(evl, s);
		evl->n_timers--;
		break;
	case SOURCE_SIGNAL:
		if (signal_set_listening(s, false) < 0)
			log_debug("Failed to update signalfd, ignoring");
		evl->signals[s->signal.signo] = NULL;
		if (!s->signal.was_blocked) {
			sigemptyset(&set);
			sigaddset(&set, s->signal.signo);
			(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
		}
		break;
	case SOURCE_POST:
		break;
	}
	evl->n_sources--;
}

struct evl_source *evl_source_free(struct evl_source *s)
{
	struct evl *evl;

	if (!s || s->freed)
		return NULL;
	evl = s->evl;
	source_disconnect(s);
	s->enabled = false;
	if (evl->in_iteration) {
		/* The iteration may still hold events for it, or be walking the post list. */
		s->freed = true;
		s->gc_next = evl->garbage;
		evl->garbage = s;
	} else {
		source_destroy(s);
	}
	return NULL;
}

int evl_source_set_enabled(struct evl_source *s, bool enabled)
{
	struct epoll_event ev;
	int r = 0;

	if (!s)
		return -EINVAL;
	if (s->freed)
		return -ESTALE;
	if (s->enabled == enabled)
		return 0;

	switch (s->type) {
	case SOURCE_IO:
		if (enabled) {
			ev.events = s->io.events;
			ev.data.ptr = s;
			if (epoll_ctl(s->evl->epoll_fd, EPOLL_CTL_ADD, s->io.fd, &ev) < 0)
				return -errno;
		} else if (epoll_ctl(s->evl->epoll_fd, EPOLL_CTL_DEL, s->io.fd, NULL) < 0) {
			return -errno;
		}
		s->io.registered = enabled;
		break;
	case SOURCE_TIMER:
		if (enabled && s->timer.when_ms == EVL_TIME_INFINITY)
			return -EINVAL; /* nothing to arm it for */
		if (enabled)
			heap_insert(s->evl, s);
		else
			heap_remove(s->evl, s);
		break;
	case SOURCE_SIGNAL:
		r = signal_set_listening(s, enabled);
		break;
	case SOURCE_POST:
		break;
	}
	if (r < 0)
		return r;
	s->enabled = enabled;
	return 0;
}

bool evl_source_get_enabled(const struct evl_source *s)
{
	return s && s->enabled;
}

int evl_source_set_description(struct evl_source *s, const char *description)
{
	if (!s || !description)
		return -EINVAL;
	(void)snprintf(s->description, sizeof(s->description), "%s", description);
	return 0;
}

const char *evl_source_get_description(const struct evl_source *s)
{
	return s ? s->description : NULL;
}

void *evl_source_get_userdata(const struct evl_source *s)
{
	return s ? s->userdata : NULL;
}

void *evl_source_set_userdata(struct evl_source *s, void *userdata)
{
	void *old;

	if (!s)
		return NULL;
	old = s->userdata;
	s->userdata = userdata;
	return old;
}

struct evl *evl_source_get_evl(const struct evl_source *s)
{
	return s ? s->evl : NULL;
}
