// SPDX-License-Identifier: GPL-2.0
/* The connection maker's state machine: direct and discovered targets, which of them are
 * due, the randomised exponential back-off, and what `weave status` shows about them.
 */
#include "mesh/targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct direct_peer {
	char given[MESH_TARGET_ADDR_MAX + 1]; /* as the user wrote it */
	char host[MESH_TARGET_ADDR_MAX + 1]; /* resolved, or as written */
	char address[MESH_TARGET_ADDR_MAX + 1]; /* host:port dialled */
	bool has_port;
};

struct target {
	char address[MESH_TARGET_ADDR_MAX + 1];
	enum mesh_target_state state;
	bool has_error;
	char last_error[MESH_TARGET_ERROR_MAX + 1];
	bool never;
	uint64_t try_after; /* ms */
	uint64_t interval; /* ms: the next back-off's centre */
	bool valid; /* scratch of mesh_targets_check */
};

struct conn {
	uint64_t id;
	mesh_peer_name_t remote;
	char addr[MESH_TARGET_ADDR_MAX + 1];
	bool outbound;
};

struct mesh_targets {
	uint16_t port;
	bool discovery;
	struct mesh_rand rnd;
	struct direct_peer *direct;
	size_t n_direct, cap_direct;
	struct target *targets; /* sorted by address */
	size_t n_targets, cap_targets;
	struct conn *conns;
	size_t n_conns, cap_conns;
};

/* What mesh_targets_check learns from our connections. */
struct connected {
	mesh_peer_name_t *peers; /* sorted */
	const char **addrs; /* sorted */
	size_t n;
};

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 8;
	p = reallocarray(*v, c, size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static bool fits(const char *s, size_t max)
{
	return strnlen(s, max + 1) <= max;
}

int mesh_targets_new(uint16_t port, bool discovery, const struct mesh_rand *rnd,
		     struct mesh_targets **ret_targets)
{
	struct mesh_targets *t;

	if (!rnd || !rnd->next || !ret_targets)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->port = port ? port : MESH_DEFAULT_PORT;
	t->discovery = discovery;
	t->rnd = *rnd;
	*ret_targets = t;
	return 0;
}

struct mesh_targets *mesh_targets_free(struct mesh_targets *t)
{
	if (!t)
		return NULL;
	free(t->direct);
	free(t->targets);
	free(t->conns);
	free(t);
	return NULL;
}

/* --- addresses ----------------------------------------------------------------------- */

static int parse_port(const char *s, uint16_t *ret_port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*ret_port = (uint16_t)v; /* "" and "0" both mean none, as in Weave */
	return 0;
}

int mesh_targets_parse_peer(const char *peer, char *ret_host, size_t host_size, uint16_t *ret_port)
{
	const char *host = peer, *end, *port = NULL, *colon;
	uint16_t p = 0;
	size_t len;

	if (!peer || !ret_host || !ret_port)
		return -EINVAL;
	if (peer[0] == '[') {
		host = peer + 1;
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		if (end[1] == ':')
			port = end + 2;
	} else {
		colon = strchr(peer, ':');
		if (colon && strchr(colon + 1, ':'))
			return -EINVAL; /* a bare IPv6 address needs brackets */
		end = colon ? colon : peer + strlen(peer);
		if (colon)
			port = colon + 1;
	}
	len = (size_t)(end - host);
	if (len == 0 || (port && parse_port(port, &p) < 0))
		return -EINVAL;
	if (len >= host_size)
		return -ENAMETOOLONG;
	memcpy(ret_host, host, len);
	ret_host[len] = 0;
	*ret_port = p;
	return 0;
}

static int join_host_port(const char *host, uint16_t port, char ret[MESH_TARGET_ADDR_MAX + 1])
{
	int n;

	if (strchr(host, ':'))
		n = snprintf(ret, MESH_TARGET_ADDR_MAX + 1, "[%s]:%u", host, (unsigned)port);
	else
		n = snprintf(ret, MESH_TARGET_ADDR_MAX + 1, "%s:%u", host, (unsigned)port);
	return n < 0 || n > MESH_TARGET_ADDR_MAX ? -ENAMETOOLONG : 0;
}

/* --- targets ------------------------------------------------------------------------- */

static bool find_target(const struct mesh_targets *t, const char *address, size_t *ret_index)
{
	size_t lo = 0, hi = t->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->targets[mid].address, address);

		if (c == 0) {
			*ret_index = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_index = lo;
	return false;
}

static struct target *target_get(struct mesh_targets *t, const char *address)
{
	size_t i;

	return find_target(t, address, &i) ? &t->targets[i] : NULL;
}

static void set_error(struct target *tg, const char *error)
{
	tg->has_error = error != NULL;
	snprintf(tg->last_error, sizeof(tg->last_error), "%s", error ? error : "");
}

static void next_try_now(struct target *tg, uint64_t now)
{
	tg->never = false;
	tg->try_after = now;
	tg->interval = MESH_TARGET_INITIAL_INTERVAL_MS;
}

static void next_try_never(struct target *tg)
{
	tg->never = true;
	tg->try_after = 0;
	tg->interval = MESH_TARGET_MAX_INTERVAL_MS;
}

/* A delay in [i/2, 3i/2), then i grows by half, up to the maximum. */
static void next_try_later(struct mesh_targets *t, struct target *tg, uint64_t now)
{
	tg->never = false;
	tg->try_after = now + tg->interval / 2 + mesh_rand_below(&t->rnd, tg->interval);
	tg->interval = tg->interval * 3 / 2;
	if (tg->interval > MESH_TARGET_MAX_INTERVAL_MS)
		tg->interval = MESH_TARGET_MAX_INTERVAL_MS;
}

static int target_insert(struct mesh_targets *t, size_t at, const char *address, uint64_t now)
{
	struct target *tg;
	int r;

	r = grow((void **)&t->targets, &t->cap_targets, t->n_targets, sizeof(*t->targets));
	if (r < 0)
		return r;
	memmove(&t->targets[at + 1], &t->targets[at], (t->n_targets - at) * sizeof(*tg));
	tg = &t->targets[at];
	memset(tg, 0, sizeof(*tg));
	snprintf(tg->address, sizeof(tg->address), "%s", address);
	tg->state = MESH_TARGET_WAITING;
	next_try_now(tg, now);
	t->n_targets++;
	return 0;
}

static void target_remove(struct mesh_targets *t, size_t i)
{
	memmove(&t->targets[i], &t->targets[i + 1], (t->n_targets - i - 1) * sizeof(t->targets[0]));
	t->n_targets--;
}

/* --- direct peers -------------------------------------------------------------------- */

static struct direct_peer *direct_get(const struct mesh_targets *t, const char *given, size_t *ret)
{
	size_t i;

	for (i = 0; i < t->n_direct; i++) {
		if (!strcmp(t->direct[i].given, given)) {
			if (ret)
				*ret = i;
			return &t->direct[i];
		}
	}
	return NULL;
}

static bool is_direct_address(const struct mesh_targets *t, const char *address)
{
	size_t i;

	for (i = 0; i < t->n_direct; i++)
		if (!strcmp(t->direct[i].address, address))
			return true;
	return false;
}

int mesh_targets_add_direct(struct mesh_targets *t, const char *peer, const char *resolved_host,
			    uint64_t now_ms)
{
	struct direct_peer d = { 0 }, *old;
	struct target *tg;
	uint16_t port;
	int r;

	if (!t || !peer)
		return -EINVAL;
	if (!fits(peer, MESH_TARGET_ADDR_MAX))
		return -ENAMETOOLONG;
	r = mesh_targets_parse_peer(peer, d.host, sizeof(d.host), &port);
	if (r < 0)
		return r;
	if (resolved_host) {
		if (!*resolved_host)
			return -EINVAL;
		if (!fits(resolved_host, MESH_TARGET_ADDR_MAX))
			return -ENAMETOOLONG;
		strcpy(d.host, resolved_host);
	}
	r = join_host_port(d.host, port ? port : t->port, d.address);
	if (r < 0)
		return r;
	strcpy(d.given, peer);
	d.has_port = port != 0;
	old = direct_get(t, peer, NULL);
	if (old) {
		*old = d;
	} else {
		if (t->n_direct >= MESH_DIRECT_PEERS_MAX)
			return -E2BIG;
		r = grow((void **)&t->direct, &t->cap_direct, t->n_direct, sizeof(d));
		if (r < 0)
			return r;
		t->direct[t->n_direct++] = d;
	}
	/* Curtail any reconnection delay. */
	tg = target_get(t, d.address);
	if (tg)
		next_try_now(tg, now_ms);
	return 0;
}

void mesh_targets_clear_direct(struct mesh_targets *t)
{
	t->n_direct = 0;
}

int mesh_targets_forget(struct mesh_targets *t, const char *peer)
{
	size_t i;

	if (!t || !peer)
		return -EINVAL;
	if (!direct_get(t, peer, &i))
		return -ENOENT;
	memmove(&t->direct[i], &t->direct[i + 1], (t->n_direct - i - 1) * sizeof(t->direct[0]));
	t->n_direct--;
	return 0;
}

size_t mesh_targets_direct_count(const struct mesh_targets *t)
{
	return t->n_direct;
}

const char *mesh_targets_direct_at(const struct mesh_targets *t, size_t i)
{
	return i < t->n_direct ? t->direct[i].given : NULL;
}

/* --- connection events --------------------------------------------------------------- */

static bool find_conn(const struct mesh_targets *t, uint64_t id, size_t *ret)
{
	size_t i;

	for (i = 0; i < t->n_conns; i++) {
		if (t->conns[i].id == id) {
			*ret = i;
			return true;
		}
	}
	return false;
}

int mesh_targets_connection_created(struct mesh_targets *t, uint64_t conn_id,
				    mesh_peer_name_t remote, const char *remote_addr, bool outbound)
{
	struct target *tg;
	size_t i;
	int r;

	if (!t || !remote_addr)
		return -EINVAL;
	if (!fits(remote_addr, MESH_TARGET_ADDR_MAX))
		return -ENAMETOOLONG;
	if (find_conn(t, conn_id, &i))
		return -EEXIST;
	if (t->n_conns >= MESH_TARGET_CONNS_MAX)
		return -E2BIG;
	r = grow((void **)&t->conns, &t->cap_conns, t->n_conns, sizeof(*t->conns));
	if (r < 0)
		return r;
	t->conns[t->n_conns] =
		(struct conn){ .id = conn_id, .remote = remote, .outbound = outbound };
	strcpy(t->conns[t->n_conns].addr, remote_addr);
	t->n_conns++;
	tg = outbound ? target_get(t, remote_addr) : NULL;
	if (tg)
		tg->state = MESH_TARGET_CONNECTED;
	return 0;
}

int mesh_targets_connection_terminated(struct mesh_targets *t, uint64_t conn_id,
				       const char *remote_addr, bool outbound,
				       enum mesh_conn_error kind, const char *error,
				       uint64_t now_ms)
{
	struct target *tg;
	size_t i;

	if (!t || !remote_addr)
		return -EINVAL;
	if (find_conn(t, conn_id, &i))
		t->conns[i] = t->conns[--t->n_conns];
	tg = outbound ? target_get(t, remote_addr) : NULL;
	if (!tg)
		return 0;
	tg->state = MESH_TARGET_WAITING;
	set_error(tg, error);
	if (kind == MESH_CONN_ERROR_SELF || kind == MESH_CONN_ERROR_NAME_COLLISION)
		next_try_never(tg);
	else if (now_ms > tg->try_after + MESH_TARGET_RESET_AFTER_MS)
		next_try_now(tg, now_ms); /* it lived long enough: no back-off */
	else
		next_try_later(t, tg, now_ms);
	return 0;
}

int mesh_targets_attempt_failed(struct mesh_targets *t, const char *address, const char *error,
				uint64_t now_ms)
{
	struct target *tg;

	if (!t || !address)
		return -EINVAL;
	tg = target_get(t, address);
	if (!tg)
		return -ENOENT;
	tg->state = MESH_TARGET_WAITING;
	set_error(tg, error);
	next_try_later(t, tg, now_ms);
	return 0;
}

/* --- the check ----------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	mesh_peer_name_t x = *(const mesh_peer_name_t *)a, y = *(const mesh_peer_name_t *)b;

	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int connected_init(const struct mesh_targets *t, struct connected *c)
{
	size_t i, n = t->n_conns ? t->n_conns : 1;

	c->peers = malloc(n * sizeof(*c->peers));
	c->addrs = malloc(n * sizeof(*c->addrs));
	if (!c->peers || !c->addrs) {
		free(c->peers);
		free(c->addrs);
		return -ENOMEM;
	}
	for (i = 0; i < t->n_conns; i++) {
		c->peers[i] = t->conns[i].remote;
		c->addrs[i] = t->conns[i].addr;
	}
	c->n = t->n_conns;
	qsort(c->peers, c->n, sizeof(*c->peers), cmp_name);
	qsort(c->addrs, c->n, sizeof(*c->addrs), cmp_str);
	return 0;
}

static void connected_done(struct connected *c)
{
	free(c->peers);
	free(c->addrs);
}

static bool connected_to_peer(const struct connected *c, mesh_peer_name_t name)
{
	return bsearch(&name, c->peers, c->n, sizeof(*c->peers), cmp_name) != NULL;
}

static bool connected_to_address(const struct connected *c, const char *address)
{
	return bsearch(&address, c->addrs, c->n, sizeof(*c->addrs), cmp_str) != NULL;
}

/* Whether one of our inbound connections comes from @host. */
static bool inbound_from(const struct mesh_targets *t, const char *host)
{
	char h[MESH_TARGET_ADDR_MAX + 1];
	uint16_t port;
	size_t i;

	for (i = 0; i < t->n_conns; i++)
		if (!t->conns[i].outbound &&
		    mesh_targets_parse_peer(t->conns[i].addr, h, sizeof(h), &port) == 0 &&
		    !strcmp(h, host))
			return true;
	return false;
}

static int add_target(struct mesh_targets *t, const struct connected *c, const char *address,
		      uint64_t now)
{
	size_t i;
	int r;

	if (connected_to_address(c, address))
		return 0;
	if (!find_target(t, address, &i)) {
		if (t->n_targets >= MESH_TARGETS_MAX)
			return 0;
		r = target_insert(t, i, address, now);
		if (r < 0)
			return r;
	}
	t->targets[i].valid = true;
	return 0;
}

static int add_direct_targets(struct mesh_targets *t, const struct connected *c, uint64_t now)
{
	size_t i;
	int r;

	for (i = 0; i < t->n_direct; i++) {
		const struct direct_peer *d = &t->direct[i];

		/* Given without a port and already connected to us from there: don't dial. */
		if (!d->has_port && inbound_from(t, d->host))
			continue;
		r = add_target(t, c, d->address, now);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Someone else's connection to a peer we are not connected to: an outbound one tells
 * the peer's listening address, an inbound one its IP, where we try our own port.
 */
static int add_discovered_target(struct mesh_targets *t, const struct connected *c,
				 const struct mesh_conn_summary *conn, uint64_t now)
{
	char host[MESH_TARGET_ADDR_MAX + 1], address[MESH_TARGET_ADDR_MAX + 1];
	uint16_t port;

	if (conn->outbound)
		return add_target(t, c, conn->remote_tcp_addr, now);
	if (mesh_targets_parse_peer(conn->remote_tcp_addr, host, sizeof(host), &port) < 0 ||
	    join_host_port(host, t->port, address) < 0)
		return 0;
	return add_target(t, c, address, now);
}

static int add_peer_targets(struct mesh_targets *t, const struct connected *c,
			    const struct mesh_peers *peers, uint64_t now)
{
	mesh_peer_name_t self = mesh_peers_self(peers)->info.name;
	size_t i, j;
	int r;

	for (i = 0; i < mesh_peers_count(peers); i++) {
		const struct mesh_peer *peer = mesh_peers_at(peers, i);

		if (peer->info.name == self)
			continue;
		for (j = 0; j < peer->n_conns; j++) {
			const struct mesh_conn_summary *conn = &peer->conns[j];

			if (conn->name == self || connected_to_peer(c, conn->name))
				continue;
			r = add_discovered_target(t, c, conn, now);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static void connect_to_targets(struct mesh_targets *t, uint64_t now, unsigned conn_limit,
			       struct mesh_target_due *due, size_t *ret_n, uint64_t *ret_wait)
{
	char error[MESH_TARGET_ERROR_MAX + 1];
	uint64_t wait = UINT64_MAX;
	size_t i = 0, k = 0;

	while (i < t->n_targets) {
		struct target *tg = &t->targets[i];

		if (tg->state != MESH_TARGET_WAITING && tg->state != MESH_TARGET_SUSPENDED) {
			i++;
			continue;
		}
		if (!tg->valid) {
			/* Suspend a direct peer's reconnects, forget a discovered target. */
			if (is_direct_address(t, tg->address)) {
				tg->state = MESH_TARGET_SUSPENDED;
				i++;
			} else {
				target_remove(t, i);
			}
			continue;
		}
		i++;
		if (tg->never)
			continue;
		tg->state = MESH_TARGET_WAITING;
		if (tg->try_after <= now && conn_limit && t->n_conns >= conn_limit) {
			/* What dialling would have said at once. */
			snprintf(error, sizeof(error), "Connection limit reached (%u)", conn_limit);
			set_error(tg, error);
			next_try_later(t, tg, now);
		}
		if (tg->try_after <= now) {
			tg->state = MESH_TARGET_ATTEMPTING;
			due[k].accept_new_peer = is_direct_address(t, tg->address);
			memcpy(due[k++].address, tg->address, sizeof(tg->address));
		} else if (tg->try_after - now < wait) {
			wait = tg->try_after - now;
		}
	}
	*ret_n = k;
	*ret_wait = wait;
}

int mesh_targets_check(struct mesh_targets *t, const struct mesh_peers *peers, uint64_t now_ms,
		       unsigned conn_limit, struct mesh_target_due **ret_due, size_t *ret_n,
		       uint64_t *ret_wait_ms)
{
	struct mesh_target_due *due = NULL;
	struct connected c;
	size_t i;
	int r;

	if (!t || !ret_due || !ret_n || !ret_wait_ms)
		return -EINVAL;
	r = connected_init(t, &c);
	if (r < 0)
		return r;
	for (i = 0; i < t->n_targets; i++)
		t->targets[i].valid = false;
	r = add_direct_targets(t, &c, now_ms);
	if (r >= 0 && t->discovery && peers)
		r = add_peer_targets(t, &c, peers, now_ms);
	connected_done(&c);
	if (r < 0)
		return r;
	due = malloc((t->n_targets ? t->n_targets : 1) * sizeof(*due));
	if (!due)
		return -ENOMEM;
	connect_to_targets(t, now_ms, conn_limit, due, ret_n, ret_wait_ms);
	*ret_due = due;
	return 0;
}

uint64_t mesh_targets_next_wait(const struct mesh_targets *t, uint64_t now_ms)
{
	uint64_t wait = UINT64_MAX;
	size_t i;

	for (i = 0; i < t->n_targets; i++) {
		const struct target *tg = &t->targets[i];

		if (tg->state != MESH_TARGET_WAITING || tg->never)
			continue;
		if (tg->try_after <= now_ms)
			return 0;
		if (tg->try_after - now_ms < wait)
			wait = tg->try_after - now_ms;
	}
	return wait;
}

/* --- status -------------------------------------------------------------------------- */

int mesh_targets_status(const struct mesh_targets *t, struct mesh_target_status **ret,
			size_t *ret_n)
{
	struct mesh_target_status *s;
	size_t i;

	if (!t || !ret || !ret_n)
		return -EINVAL;
	s = calloc(t->n_targets ? t->n_targets : 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < t->n_targets; i++) {
		const struct target *tg = &t->targets[i];

		memcpy(s[i].address, tg->address, sizeof(s[i].address));
		s[i].state = tg->state;
		s[i].direct = is_direct_address(t, tg->address);
		s[i].has_error = tg->has_error;
		memcpy(s[i].last_error, tg->last_error, sizeof(s[i].last_error));
		s[i].retry_never = tg->never;
		s[i].retry_at_ms = tg->try_after;
	}
	*ret = s;
	*ret_n = t->n_targets;
	return 0;
}

const char *mesh_target_status_state(const struct mesh_target_status *s)
{
	switch (s->state) {
	case MESH_TARGET_WAITING:
		return s->has_error ? "failed" : "waiting";
	case MESH_TARGET_ATTEMPTING:
		return s->has_error ? "retrying" : "connecting";
	default:
		return NULL;
	}
}
