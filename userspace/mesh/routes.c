// SPDX-License-Identifier: GPL-2.0
/* Route calculation over the topology: breadth-first unicast tables, broadcast relays per
 * source (cached until the next calculation) and weighted random gossip neighbours.
 */
#include "mesh/routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct bcast_entry {
	mesh_peer_name_t src;
	bool all;
	mesh_peer_name_t *hops;
	size_t n_hops;
};

struct mesh_routes {
	struct mesh_route *unicast, *unicast_all;
	size_t n_unicast, n_unicast_all;
	struct bcast_entry *cache; /* sorted by (src, all) */
	size_t n_cache, cap_cache;
};

static int cmp_name(const void *a, const void *b)
{
	mesh_peer_name_t x = *(const mesh_peer_name_t *)a, y = *(const mesh_peer_name_t *)b;

	return (x > y) - (x < y);
}

static void cache_clear(struct mesh_routes *r)
{
	size_t i;

	for (i = 0; i < r->n_cache; i++)
		free(r->cache[i].hops);
	r->n_cache = 0;
}

int mesh_routes_new(struct mesh_routes **ret_routes)
{
	struct mesh_routes *r;

	if (!ret_routes)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*ret_routes = r;
	return 0;
}

struct mesh_routes *mesh_routes_free(struct mesh_routes *r)
{
	if (!r)
		return NULL;
	cache_clear(r);
	free(r->cache);
	free(r->unicast);
	free(r->unicast_all);
	free(r);
	return NULL;
}

/* Scratch arrays for one widening over @peers. */
struct widening {
	mesh_peer_name_t *hops;
	bool *reached;
};

static int widening_init(struct widening *w, const struct mesh_peers *peers)
{
	size_t n = mesh_peers_count(peers);

	w->hops = malloc(n * sizeof(*w->hops));
	w->reached = malloc(n * sizeof(*w->reached));
	if (!w->hops || !w->reached) {
		free(w->hops);
		free(w->reached);
		return -ENOMEM;
	}
	return 0;
}

static void widening_done(struct widening *w)
{
	free(w->hops);
	free(w->reached);
}

static int unicast_table(const struct mesh_peers *peers, bool all, struct mesh_route **ret,
			 size_t *ret_n)
{
	const struct mesh_peer *self = mesh_peers_self(peers);
	size_t i, k = 0, n = mesh_peers_count(peers);
	struct mesh_route *table;
	struct widening w;
	int r;

	r = widening_init(&w, peers);
	if (r < 0)
		return r;
	r = mesh_peers_routes(peers, self->info.name, MESH_PEER_NAME_UNKNOWN, !all, w.hops,
			      w.reached);
	table = malloc(n * sizeof(*table));
	if (r < 0 || !table) {
		free(table);
		widening_done(&w);
		return r < 0 ? r : -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (w.reached[i])
			table[k++] = (struct mesh_route){ mesh_peers_at(peers, i)->info.name,
							  w.hops[i] };
	widening_done(&w);
	*ret = table;
	*ret_n = k;
	return 0;
}

/* Our neighbours (Peer.forEachConnectedPeer) not in @reached. */
static int neighbours_not_reached(const struct mesh_peers *peers, bool all, const bool *reached,
				  mesh_peer_name_t **ret_hops, size_t *ret_n)
{
	const struct mesh_peer *self = mesh_peers_self(peers);
	mesh_peer_name_t *hops;
	size_t i, idx, k = 0;

	hops = malloc((self->n_conns ? self->n_conns : 1) * sizeof(*hops));
	if (!hops)
		return -ENOMEM;
	for (i = 0; i < self->n_conns; i++) {
		const struct mesh_conn_summary *c = &self->conns[i];
		const struct mesh_conn_summary *back;

		if (!all && !c->established)
			continue;
		if (mesh_peers_index(peers, c->name, &idx) < 0 || reached[idx])
			continue;
		back = mesh_peer_conn(mesh_peers_at(peers, idx), self->info.name);
		if (!all && (!back || !back->established))
			continue;
		hops[k++] = c->name;
	}
	*ret_hops = hops;
	*ret_n = k;
	return 0;
}

int mesh_routes_calculate_broadcast(const struct mesh_peers *peers, mesh_peer_name_t src, bool all,
				    mesh_peer_name_t **ret_hops, size_t *ret_n)
{
	struct widening w;
	int r;

	if (!peers || !ret_hops || !ret_n)
		return -EINVAL;
	if (!mesh_peers_find(peers, src)) {
		*ret_hops = NULL;
		*ret_n = 0;
		return 0;
	}
	r = widening_init(&w, peers);
	if (r < 0)
		return r;
	r = mesh_peers_routes(peers, src, mesh_peers_self(peers)->info.name, !all, w.hops,
			      w.reached);
	if (r == 1) {
		r = neighbours_not_reached(peers, all, w.reached, ret_hops, ret_n);
	} else if (r == 0) {
		*ret_hops = NULL;
		*ret_n = 0;
	}
	widening_done(&w);
	return r;
}

static bool cache_find(const struct mesh_routes *r, mesh_peer_name_t src, bool all, size_t *ret)
{
	size_t lo = 0, hi = r->n_cache;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bcast_entry *e = &r->cache[mid];

		if (e->src == src && e->all == all) {
			*ret = mid;
			return true;
		}
		if (e->src < src || (e->src == src && e->all < all))
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret = lo;
	return false;
}

static int cache_insert(struct mesh_routes *r, size_t at, const struct bcast_entry *e)
{
	if (r->n_cache == r->cap_cache) {
		size_t cap = r->cap_cache ? 2 * r->cap_cache : 16;
		struct bcast_entry *c = reallocarray(r->cache, cap, sizeof(*c));

		if (!c)
			return -ENOMEM;
		r->cache = c;
		r->cap_cache = cap;
	}
	memmove(&r->cache[at + 1], &r->cache[at], (r->n_cache - at) * sizeof(*e));
	r->cache[at] = *e;
	r->n_cache++;
	return 0;
}

int mesh_routes_broadcast(struct mesh_routes *r, const struct mesh_peers *peers,
			  mesh_peer_name_t src, bool all, const mesh_peer_name_t **ret_hops,
			  size_t *ret_n)
{
	struct bcast_entry e = { .src = src, .all = all };
	size_t at;
	int ret;

	if (!r || !peers || !ret_hops || !ret_n)
		return -EINVAL;
	if (!cache_find(r, src, all, &at)) {
		if (!mesh_peers_find(peers, src)) {
			*ret_hops = NULL; /* not cached: sources come from the network */
			*ret_n = 0;
			return 0;
		}
		ret = mesh_routes_calculate_broadcast(peers, src, all, &e.hops, &e.n_hops);
		if (ret < 0)
			return ret;
		ret = cache_insert(r, at, &e);
		if (ret < 0) {
			free(e.hops);
			return ret;
		}
	}
	*ret_hops = r->cache[at].hops;
	*ret_n = r->cache[at].n_hops;
	return 0;
}

int mesh_routes_calculate(struct mesh_routes *r, const struct mesh_peers *peers)
{
	struct mesh_route *uni = NULL, *uni_all = NULL;
	size_t n_uni, n_uni_all;
	const mesh_peer_name_t *hops;
	size_t n_hops;
	int ret;

	if (!r || !peers)
		return -EINVAL;
	ret = unicast_table(peers, false, &uni, &n_uni);
	if (ret < 0)
		return ret;
	ret = unicast_table(peers, true, &uni_all, &n_uni_all);
	if (ret < 0) {
		free(uni);
		return ret;
	}
	free(r->unicast);
	free(r->unicast_all);
	r->unicast = uni;
	r->n_unicast = n_uni;
	r->unicast_all = uni_all;
	r->n_unicast_all = n_uni_all;
	cache_clear(r);
	/* Our own broadcast hops are always wanted; failing here only defers them. */
	(void)mesh_routes_broadcast(r, peers, mesh_peers_self(peers)->info.name, false, &hops,
				    &n_hops);
	(void)mesh_routes_broadcast(r, peers, mesh_peers_self(peers)->info.name, true, &hops,
				    &n_hops);
	return 0;
}

static const struct mesh_route *table_find(const struct mesh_route *t, size_t n,
					   mesh_peer_name_t dest)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].dest == dest)
			return &t[mid];
		if (t[mid].dest < dest)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int mesh_routes_unicast(const struct mesh_routes *r, mesh_peer_name_t dest, bool all,
			mesh_peer_name_t *ret_hop)
{
	const struct mesh_route *e;

	if (!r || !ret_hop)
		return -EINVAL;
	e = all ? table_find(r->unicast_all, r->n_unicast_all, dest) :
		  table_find(r->unicast, r->n_unicast, dest);
	if (!e)
		return -EHOSTUNREACH;
	*ret_hop = e->hop;
	return 0;
}

void mesh_routes_table(const struct mesh_routes *r, bool all, const struct mesh_route **ret,
		       size_t *ret_n)
{
	*ret = all ? r->unicast_all : r->unicast;
	*ret_n = all ? r->n_unicast_all : r->n_unicast;
}

/* floor(2 * log2(n)) = floor(log2(n * n)), exactly, for 0 < n < 2^32. */
static size_t two_log2(size_t n)
{
	uint64_t sq = (uint64_t)n * n;
	size_t k = 0;

	if (n == 0)
		return 0;
	while (sq >>= 1)
		k++;
	return k;
}

struct weight {
	mesh_peer_name_t hop;
	uint64_t count;
};

/* How many destinations unicastAll routes via each neighbour but @except, by name. */
static int neighbour_weights(const struct mesh_routes *r, mesh_peer_name_t except,
			     struct weight **ret, size_t *ret_n, uint64_t *ret_total)
{
	mesh_peer_name_t *hops;
	struct weight *w;
	size_t i, n = 0, k = 0;

	hops = malloc((r->n_unicast_all ? r->n_unicast_all : 1) * sizeof(*hops));
	w = malloc((r->n_unicast_all ? r->n_unicast_all : 1) * sizeof(*w));
	if (!hops || !w) {
		free(hops);
		free(w);
		return -ENOMEM;
	}
	for (i = 0; i < r->n_unicast_all; i++) {
		mesh_peer_name_t hop = r->unicast_all[i].hop;

		if (hop != MESH_PEER_NAME_UNKNOWN && hop != except)
			hops[n++] = hop;
	}
	qsort(hops, n, sizeof(*hops), cmp_name);
	for (i = 0; i < n; i++) {
		if (k && w[k - 1].hop == hops[i])
			w[k - 1].count++;
		else
			w[k++] = (struct weight){ hops[i], 1 };
	}
	free(hops);
	*ret = w;
	*ret_n = k;
	*ret_total = n;
	return 0;
}

int mesh_routes_random_neighbours(const struct mesh_routes *r, mesh_peer_name_t except,
				  const struct mesh_rand *rnd, mesh_peer_name_t **ret_names,
				  size_t *ret_n)
{
	mesh_peer_name_t *out;
	struct weight *w;
	size_t n_w, needed, k, i;
	uint64_t total, x;
	int ret;

	if (!r || !rnd || !rnd->next || !ret_names || !ret_n)
		return -EINVAL;
	ret = neighbour_weights(r, except, &w, &n_w, &total);
	if (ret < 0)
		return ret;
	needed = two_log2(r->n_unicast_all);
	if (needed > n_w)
		needed = n_w;
	out = malloc((needed ? needed : 1) * sizeof(*out));
	if (!out) {
		free(w);
		return -ENOMEM;
	}
	for (k = 0; k < needed; k++) {
		/* A random point on the distribution; the chosen one leaves it. */
		x = mesh_rand_below(rnd, total);
		for (i = 0; i < n_w; i++) {
			if (x < w[i].count)
				break;
			x -= w[i].count;
		}
		out[k] = w[i].hop;
		total -= w[i].count;
		w[i].count = 0;
	}
	free(w);
	*ret_names = out;
	*ret_n = needed;
	return 0;
}
