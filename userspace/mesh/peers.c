// SPDX-License-Identifier: GPL-2.0
/* The mesh topology: known peers sorted by name, merging of topology updates, our own
 * connections and version, short ids with collision resolution, garbage collection.
 */
#include "mesh/peers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mesh_peers {
	struct mesh_peer *self;
	struct mesh_peer *peers[MESH_PEERS_MAX]; /* sorted by name */
	size_t n;
	struct mesh_peer *by_short_id[MESH_SHORT_IDS]; /* owner: the lowest name using it */
	uint8_t short_id_used[MESH_SHORT_IDS / 8]; /* had an owner once */
	struct mesh_rand rnd;
	uint64_t seq;
	/* scratch for the garbage collector's widening, so that it cannot fail */
	mesh_peer_name_t hops[MESH_PEERS_MAX];
	bool reached[MESH_PEERS_MAX];
	uint32_t work[2 * MESH_PEERS_MAX];
};

/* Side effects gathered while the topology changes, acted upon at the end. */
struct pending {
	bool reassign_short_id;
	bool invalidate;
	bool local_modified;
};

/* An accepted update entry's new connection list, built before anything changes. */
struct accepted {
	bool accept;
	struct mesh_conn_summary *conns;
	size_t n_conns;
};

uint64_t mesh_rand_below(const struct mesh_rand *rnd, uint64_t n)
{
	uint64_t x, threshold;
	int tries;

	if (n == 0)
		return 0;
	threshold = (0 - n) % n; /* 2^64 mod n: values above UINT64_MAX - threshold are biased */
	for (tries = 0;; tries++) {
		x = rnd->next(rnd->userdata);
		if (x <= UINT64_MAX - threshold || tries == 64)
			return x % n;
	}
}

static bool name_valid(mesh_peer_name_t name)
{
	return name != MESH_PEER_NAME_UNKNOWN && name <= MESH_PEER_NAME_MASK;
}

static bool info_valid(const struct mesh_peer_info *info)
{
	return name_valid(info->name) && memchr(info->nickname, 0, sizeof(info->nickname)) &&
	       (!info->has_short_id || info->short_id < MESH_SHORT_IDS);
}

static bool conn_valid(const struct mesh_conn_summary *c)
{
	return name_valid(c->name) && memchr(c->remote_tcp_addr, 0, sizeof(c->remote_tcp_addr));
}

static int cmp_name(const void *a, const void *b)
{
	mesh_peer_name_t x = *(const mesh_peer_name_t *)a, y = *(const mesh_peer_name_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void touch(struct mesh_peers *ps, struct mesh_peer *peer)
{
	peer->changed_seq = ++ps->seq;
}

static struct mesh_peer *peer_new(const struct mesh_peer_info *info)
{
	struct mesh_peer *peer = calloc(1, sizeof(*peer));

	if (peer)
		peer->info = *info;
	return peer;
}

static struct mesh_peer *peer_free(struct mesh_peer *peer)
{
	if (peer) {
		free(peer->conns);
		free(peer);
	}
	return NULL;
}

/* Binary search; on a miss *ret_index is where @name would go. */
static bool find_index(const struct mesh_peers *ps, mesh_peer_name_t name, size_t *ret_index)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		mesh_peer_name_t m = ps->peers[mid]->info.name;

		if (m == name) {
			*ret_index = mid;
			return true;
		}
		if (m < name)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_index = lo;
	return false;
}

static struct mesh_peer *find(const struct mesh_peers *ps, mesh_peer_name_t name)
{
	size_t i;

	return find_index(ps, name, &i) ? ps->peers[i] : NULL;
}

static bool find_conn(const struct mesh_peer *peer, mesh_peer_name_t remote, size_t *ret_index)
{
	size_t lo = 0, hi = peer->n_conns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		mesh_peer_name_t m = peer->conns[mid].name;

		if (m == remote) {
			*ret_index = mid;
			return true;
		}
		if (m < remote)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_index = lo;
	return false;
}

/* --- short ids --------------------------------------------------------------------- */

static bool short_id_was_used(const struct mesh_peers *ps, uint16_t id)
{
	return ps->short_id_used[id / 8] & (1u << (id % 8));
}

static void add_short_id(struct mesh_peers *ps, struct mesh_peer *peer, struct pending *pd)
{
	struct mesh_peer **owner;

	if (!peer->info.has_short_id)
		return;
	owner = &ps->by_short_id[peer->info.short_id];
	if (!*owner) {
		/* Reusing an id that had an owner changes the mapping. */
		if (short_id_was_used(ps, peer->info.short_id))
			pd->invalidate = true;
		*owner = peer;
		ps->short_id_used[peer->info.short_id / 8] |= 1u << (peer->info.short_id % 8);
	} else if (peer->info.name < (*owner)->info.name) {
		/* Collision: the lowest name keeps the id. */
		if (*owner == ps->self)
			pd->reassign_short_id = true;
		*owner = peer;
		pd->invalidate = true;
	}
}

static void del_short_id(struct mesh_peers *ps, struct mesh_peer *peer, struct pending *pd)
{
	struct mesh_peer **owner;
	size_t i;

	if (!peer->info.has_short_id)
		return;
	owner = &ps->by_short_id[peer->info.short_id];
	if (*owner != peer)
		return;
	*owner = NULL;
	for (i = 0; i < ps->n; i++) {
		struct mesh_peer *q = ps->peers[i];

		if (q != peer && !q->gone && q->info.has_short_id &&
		    q->info.short_id == peer->info.short_id) {
			*owner = q; /* the next lowest name */
			pd->invalidate = true;
			return;
		}
	}
}

/* Ten random picks, then a random one among the free ids (peers.go chooseShortID). */
static bool choose_short_id(const struct mesh_peers *ps, uint16_t *ret_id)
{
	uint64_t avail = 0, k;
	unsigned i;

	for (i = 0; i < 10; i++) {
		uint16_t id = (uint16_t)mesh_rand_below(&ps->rnd, MESH_SHORT_IDS);

		if (!ps->by_short_id[id]) {
			*ret_id = id;
			return true;
		}
	}
	for (i = 0; i < MESH_SHORT_IDS; i++)
		avail += !ps->by_short_id[i];
	if (avail == 0)
		return false;
	k = mesh_rand_below(&ps->rnd, avail);
	for (i = 0; i < MESH_SHORT_IDS; i++) {
		if (ps->by_short_id[i])
			continue;
		if (k-- == 0)
			break;
	}
	*ret_id = (uint16_t)i;
	return true;
}

static void reassign_local_short_id(struct mesh_peers *ps, struct pending *pd)
{
	uint16_t id;

	if (!choose_short_id(ps, &id))
		return; /* all taken: retried after the next collection that removes peers */
	del_short_id(ps, ps->self, pd);
	ps->self->info.short_id = id;
	ps->self->info.version++;
	touch(ps, ps->self);
	add_short_id(ps, ps->self, pd);
	pd->local_modified = true;
}

static void finish(struct mesh_peers *ps, struct pending *pd, struct mesh_peers_changes *ch)
{
	if (pd->reassign_short_id)
		reassign_local_short_id(ps, pd);
	ch->local_modified = pd->local_modified;
	ch->short_ids_invalidated = pd->invalidate;
}

/* --- routes and garbage collection --------------------------------------------------- */

static bool established_back(const struct mesh_peer *remote, mesh_peer_name_t name)
{
	size_t i;

	return find_conn(remote, name, &i) && remote->conns[i].established;
}

/* @work holds 2 * ps->n entries. @stop is an index, or SIZE_MAX for none. */
static int widen(const struct mesh_peers *ps, size_t start, size_t stop, bool sym,
		 mesh_peer_name_t *hops, bool *reached, uint32_t *work)
{
	uint32_t *cur = work, *next = work + ps->n, *tmp;
	size_t n_cur = 1, n_next, i, j, ri;

	for (i = 0; i < ps->n; i++) {
		reached[i] = false;
		hops[i] = MESH_PEER_NAME_UNKNOWN;
	}
	reached[start] = true;
	cur[0] = (uint32_t)start;
	while (n_cur) {
		qsort(cur, n_cur, sizeof(*cur), cmp_u32); /* index order is name order */
		n_next = 0;
		for (i = 0; i < n_cur; i++) {
			const struct mesh_peer *peer = ps->peers[cur[i]];

			if (cur[i] == stop)
				return 1;
			for (j = 0; j < peer->n_conns; j++) {
				const struct mesh_conn_summary *c = &peer->conns[j];

				if (sym && !c->established)
					continue;
				if (!find_index(ps, c->name, &ri) || reached[ri])
					continue;
				if (sym && !established_back(ps->peers[ri], peer->info.name))
					continue;
				reached[ri] = true;
				hops[ri] = cur[i] == start ? c->name : hops[cur[i]];
				next[n_next++] = (uint32_t)ri;
			}
		}
		tmp = cur;
		cur = next;
		next = tmp;
		n_cur = n_next;
	}
	return 0;
}

int mesh_peers_routes(const struct mesh_peers *ps, mesh_peer_name_t start, mesh_peer_name_t stop_at,
		      bool established_symmetric, mesh_peer_name_t *ret_hops, bool *ret_reached)
{
	size_t start_idx, stop_idx = SIZE_MAX;
	uint32_t *work;
	int r;

	if (!ps || !ret_hops || !ret_reached)
		return -EINVAL;
	if (!find_index(ps, start, &start_idx))
		return -ENOENT;
	if (stop_at != MESH_PEER_NAME_UNKNOWN && !find_index(ps, stop_at, &stop_idx))
		stop_idx = SIZE_MAX;
	work = malloc(2 * ps->n * sizeof(*work));
	if (!work)
		return -ENOMEM;
	r = widen(ps, start_idx, stop_idx, established_symmetric, ret_hops, ret_reached, work);
	free(work);
	return r;
}

/* Moves the unreachable, unreferenced peers into @removed (room for ps->n). */
static void gc(struct mesh_peers *ps, struct pending *pd, struct mesh_peer **removed,
	       size_t *ret_n_removed)
{
	size_t self_idx, i, w, n_rm = 0;

	find_index(ps, ps->self->info.name, &self_idx);
	widen(ps, self_idx, SIZE_MAX, false, ps->hops, ps->reached, ps->work);
	for (i = 0; i < ps->n; i++) {
		struct mesh_peer *peer = ps->peers[i];

		if (ps->reached[i] || peer->local_refs > 0)
			continue;
		peer->gone = true;
		del_short_id(ps, peer, pd);
		removed[n_rm++] = peer;
	}
	for (i = w = 0; i < ps->n; i++)
		if (!ps->peers[i]->gone)
			ps->peers[w++] = ps->peers[i];
	ps->n = w;
	/* Collection may have freed the short id we lost, or another one. */
	if (n_rm && ps->by_short_id[ps->self->info.short_id] != ps->self)
		pd->reassign_short_id = true;
	*ret_n_removed = n_rm;
}

int mesh_peers_gc(struct mesh_peers *ps, struct mesh_peers_changes *ret_changes)
{
	struct mesh_peers_changes ch = { 0 };
	struct pending pd = { 0 };

	if (!ps || !ret_changes)
		return -EINVAL;
	ch.removed = malloc(ps->n * sizeof(*ch.removed));
	if (!ch.removed)
		return -ENOMEM;
	gc(ps, &pd, ch.removed, &ch.n_removed);
	finish(ps, &pd, &ch);
	*ret_changes = ch;
	return 0;
}

/* --- lifecycle and lookup ------------------------------------------------------------ */

int mesh_peers_new(mesh_peer_name_t name, const char *nickname, uint64_t uid, uint16_t short_id,
		   const struct mesh_rand *rnd, struct mesh_peers **ret_peers)
{
	struct mesh_peer_info info = { .name = name, .uid = uid, .short_id = short_id };
	struct pending pd = { 0 };
	struct mesh_peers *ps;

	if (!nickname || !rnd || !rnd->next || !ret_peers || !name_valid(name) || uid == 0 ||
	    short_id >= MESH_SHORT_IDS)
		return -EINVAL;
	if (strlen(nickname) > MESH_NICKNAME_MAX)
		return -ENAMETOOLONG;
	strcpy(info.nickname, nickname);
	info.has_short_id = true;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->self = peer_new(&info);
	if (!ps->self) {
		free(ps);
		return -ENOMEM;
	}
	ps->rnd = *rnd;
	ps->self->local_refs = 1;
	ps->peers[0] = ps->self;
	ps->n = 1;
	add_short_id(ps, ps->self, &pd);
	touch(ps, ps->self);
	*ret_peers = ps;
	return 0;
}

struct mesh_peers *mesh_peers_free(struct mesh_peers *ps)
{
	size_t i;

	if (!ps)
		return NULL;
	for (i = 0; i < ps->n; i++)
		peer_free(ps->peers[i]);
	free(ps);
	return NULL;
}

void mesh_peers_changes_done(struct mesh_peers_changes *ch)
{
	size_t i;

	if (!ch)
		return;
	free(ch->update);
	free(ch->improved);
	for (i = 0; i < ch->n_removed; i++)
		peer_free(ch->removed[i]);
	free(ch->removed);
	memset(ch, 0, sizeof(*ch));
}

const struct mesh_peer *mesh_peers_self(const struct mesh_peers *ps)
{
	return ps->self;
}

size_t mesh_peers_count(const struct mesh_peers *ps)
{
	return ps->n;
}

const struct mesh_peer *mesh_peers_at(const struct mesh_peers *ps, size_t i)
{
	return i < ps->n ? ps->peers[i] : NULL;
}

const struct mesh_peer *mesh_peers_find(const struct mesh_peers *ps, mesh_peer_name_t name)
{
	return find(ps, name);
}

int mesh_peers_index(const struct mesh_peers *ps, mesh_peer_name_t name, size_t *ret_index)
{
	size_t i;

	if (!find_index(ps, name, &i))
		return -ENOENT;
	*ret_index = i;
	return 0;
}

const struct mesh_peer *mesh_peers_by_short_id(const struct mesh_peers *ps, uint16_t short_id)
{
	return short_id < MESH_SHORT_IDS ? ps->by_short_id[short_id] : NULL;
}

const struct mesh_conn_summary *mesh_peer_conn(const struct mesh_peer *peer,
					       mesh_peer_name_t remote)
{
	size_t i;

	return find_conn(peer, remote, &i) ? &peer->conns[i] : NULL;
}

uint64_t mesh_peer_local_refs(const struct mesh_peer *peer)
{
	return peer->local_refs;
}

uint64_t mesh_peers_seq(const struct mesh_peers *ps)
{
	return ps->seq;
}

/* --- local peer ---------------------------------------------------------------------- */

int mesh_peers_fetch_with_default(struct mesh_peers *ps, const struct mesh_peer_info *info,
				  const struct mesh_peer **ret_peer,
				  struct mesh_peers_changes *ret_changes)
{
	struct mesh_peers_changes ch = { 0 };
	struct pending pd = { 0 };
	struct mesh_peer *peer;
	size_t i;

	if (!ps || !info || !info_valid(info))
		return -EINVAL;
	if (find_index(ps, info->name, &i)) {
		peer = ps->peers[i];
		peer->local_refs++;
		goto out;
	}
	if (ps->n >= MESH_PEERS_MAX)
		return -E2BIG;
	peer = peer_new(info);
	if (!peer)
		return -ENOMEM;
	memmove(&ps->peers[i + 1], &ps->peers[i], (ps->n - i) * sizeof(ps->peers[0]));
	ps->peers[i] = peer;
	ps->n++;
	peer->local_refs = 1;
	touch(ps, peer);
	add_short_id(ps, peer, &pd);
	finish(ps, &pd, &ch);
out:
	if (ret_peer)
		*ret_peer = peer;
	if (ret_changes)
		*ret_changes = ch;
	return 0;
}

int mesh_peers_unref(struct mesh_peers *ps, mesh_peer_name_t name)
{
	struct mesh_peer *peer = find(ps, name);

	if (!peer)
		return -ENOENT;
	if (peer->local_refs == 0)
		return -EINVAL;
	peer->local_refs--;
	return 0;
}

static void bump_self(struct mesh_peers *ps)
{
	ps->self->info.version++;
	touch(ps, ps->self);
}

int mesh_peers_add_local_conn(struct mesh_peers *ps, mesh_peer_name_t remote,
			      const char *remote_tcp_addr, bool outbound)
{
	struct mesh_peer *self = ps->self;
	struct mesh_conn_summary *c;
	size_t i;

	if (!remote_tcp_addr || remote == self->info.name)
		return -EINVAL;
	if (strlen(remote_tcp_addr) > MESH_TCP_ADDR_MAX)
		return -ENAMETOOLONG;
	if (!find(ps, remote))
		return -ENOENT;
	if (find_conn(self, remote, &i))
		return -EEXIST;
	if (self->n_conns >= MESH_PEER_CONNS_MAX)
		return -E2BIG;
	if (self->n_conns == self->conns_cap) {
		size_t cap = self->conns_cap ? 2 * self->conns_cap : 8;

		c = reallocarray(self->conns, cap, sizeof(*c));
		if (!c)
			return -ENOMEM;
		self->conns = c;
		self->conns_cap = cap;
	}
	memmove(&self->conns[i + 1], &self->conns[i], (self->n_conns - i) * sizeof(*c));
	c = &self->conns[i];
	memset(c, 0, sizeof(*c));
	c->name = remote;
	strcpy(c->remote_tcp_addr, remote_tcp_addr);
	c->outbound = outbound;
	self->n_conns++;
	bump_self(ps);
	return 0;
}

int mesh_peers_set_local_conn_established(struct mesh_peers *ps, mesh_peer_name_t remote)
{
	size_t i;

	if (!find_conn(ps->self, remote, &i))
		return -ENOENT;
	ps->self->conns[i].established = true;
	bump_self(ps);
	return 0;
}

int mesh_peers_del_local_conn(struct mesh_peers *ps, mesh_peer_name_t remote)
{
	struct mesh_peer *self = ps->self;
	size_t i;

	if (!find_conn(self, remote, &i))
		return -ENOENT;
	memmove(&self->conns[i], &self->conns[i + 1],
		(self->n_conns - i - 1) * sizeof(self->conns[0]));
	self->n_conns--;
	bump_self(ps);
	return 0;
}

/* --- topology updates ---------------------------------------------------------------- */

static int validate_update(const struct mesh_peer_summary *upd, size_t n)
{
	size_t i, j;

	if (n > MESH_PEERS_MAX)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (!info_valid(&upd[i].info))
			return -EINVAL;
		if (upd[i].n_conns > MESH_PEER_CONNS_MAX)
			return -E2BIG;
		if (upd[i].n_conns && !upd[i].conns)
			return -EINVAL;
		for (j = 0; j < upd[i].n_conns; j++)
			if (!conn_valid(&upd[i].conns[j]))
				return -EINVAL;
	}
	return 0;
}

struct name_index {
	mesh_peer_name_t name;
	size_t index;
};

static int cmp_name_index(const void *a, const void *b)
{
	const struct name_index *x = a, *y = b;

	if (x->name != y->name)
		return (x->name > y->name) - (x->name < y->name);
	return (x->index > y->index) - (x->index < y->index);
}

/* The update's names with their positions, sorted; duplicate names are refused. */
static int sort_update(const struct mesh_peer_summary *upd, size_t n, struct name_index **ret)
{
	struct name_index *ni = malloc((n ? n : 1) * sizeof(*ni));
	size_t i;

	if (!ni)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ni[i] = (struct name_index){ upd[i].info.name, i };
	qsort(ni, n, sizeof(*ni), cmp_name_index);
	for (i = 1; i < n; i++) {
		if (ni[i].name == ni[i - 1].name) {
			free(ni);
			return -EINVAL;
		}
	}
	*ret = ni;
	return 0;
}

static bool update_lookup(const struct name_index *ni, size_t n, mesh_peer_name_t name,
			  size_t *ret_index)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ni[mid].name == name) {
			*ret_index = ni[mid].index;
			return true;
		}
		if (ni[mid].name < name)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A sorted set of names that may hold at most @room, kept in bounded memory. */
struct name_set {
	mesh_peer_name_t *v;
	size_t n, cap, room;
};

static int name_set_compact(struct name_set *s)
{
	size_t i, w = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_name);
	for (i = 0; i < s->n; i++)
		if (w == 0 || s->v[w - 1] != s->v[i])
			s->v[w++] = s->v[i];
	s->n = w;
	return s->n > s->room ? -E2BIG : 0;
}

static int name_set_add(struct name_set *s, mesh_peer_name_t name)
{
	int r;

	if (s->n == s->cap) {
		r = name_set_compact(s);
		if (r < 0)
			return r;
	}
	s->v[s->n++] = name;
	return 0;
}

/* The peers the update makes us add: its unknown peers and placeholders. */
static int collect_new_names(const struct mesh_peers *ps, const struct mesh_peer_summary *upd,
			     size_t n, struct name_set *s)
{
	size_t i, j;
	int r;

	s->cap = 2 * MESH_PEERS_MAX;
	s->room = MESH_PEERS_MAX - ps->n;
	s->v = malloc(s->cap * sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!find(ps, upd[i].info.name)) {
			r = name_set_add(s, upd[i].info.name);
			if (r < 0)
				return r;
		}
		for (j = 0; j < upd[i].n_conns; j++) {
			if (find(ps, upd[i].conns[j].name))
				continue;
			r = name_set_add(s, upd[i].conns[j].name);
			if (r < 0)
				return r;
		}
	}
	return name_set_compact(s);
}

static int create_fresh(const struct name_set *s, const struct mesh_peer_summary *upd,
			const struct name_index *ni, size_t n, struct mesh_peer **fresh)
{
	size_t k, ui;

	for (k = 0; k < s->n; k++) {
		struct mesh_peer_info placeholder = { .name = s->v[k] };

		if (update_lookup(ni, n, s->v[k], &ui))
			fresh[k] = peer_new(&upd[ui].info);
		else
			fresh[k] = peer_new(&placeholder);
		if (!fresh[k])
			return -ENOMEM;
	}
	return 0;
}

/* A peer's connections from a summary, sorted; the last of duplicates wins, as in Go. */
static int build_conns(const struct mesh_peer_summary *s, struct accepted *a)
{
	struct name_index *ni;
	size_t j, k = 0;

	a->conns = NULL;
	a->n_conns = 0;
	if (s->n_conns == 0)
		return 0;
	ni = malloc(s->n_conns * sizeof(*ni));
	a->conns = malloc(s->n_conns * sizeof(*a->conns));
	if (!ni || !a->conns) {
		free(ni);
		return -ENOMEM;
	}
	for (j = 0; j < s->n_conns; j++)
		ni[j] = (struct name_index){ s->conns[j].name, j };
	qsort(ni, s->n_conns, sizeof(*ni), cmp_name_index);
	for (j = 0; j < s->n_conns; j++)
		if (j + 1 == s->n_conns || ni[j + 1].name != ni[j].name)
			a->conns[k++] = s->conns[ni[j].index];
	a->n_conns = k;
	free(ni);
	return 0;
}

static bool newer(const struct mesh_peer_info *n, const struct mesh_peer_info *o)
{
	if (n->version != o->version)
		return n->version > o->version;
	if (n->uid != o->uid)
		return n->uid > o->uid;
	return n->has_short_id && !o->has_short_id;
}

static int prepare_accepted(const struct mesh_peers *ps, const struct mesh_peer_summary *upd,
			    size_t n, struct accepted *acc)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const struct mesh_peer *peer = find(ps, upd[i].info.name);

		if (peer == ps->self || (peer && !newer(&upd[i].info, &peer->info)))
			continue;
		acc[i].accept = true;
		r = build_conns(&upd[i], &acc[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static void merge_fresh(struct mesh_peers *ps, struct mesh_peer **fresh, size_t n_fresh,
			struct pending *pd)
{
	size_t i = ps->n, j = n_fresh, k = ps->n + n_fresh;

	while (j > 0) {
		if (i > 0 && ps->peers[i - 1]->info.name > fresh[j - 1]->info.name)
			ps->peers[--k] = ps->peers[--i];
		else
			ps->peers[--k] = fresh[--j];
	}
	ps->n += n_fresh;
	for (j = 0; j < n_fresh; j++) {
		touch(ps, fresh[j]);
		add_short_id(ps, fresh[j], pd);
	}
}

/* An update about an older incarnation of ourselves: supersede it. */
static void self_seen(struct mesh_peers *ps, const struct mesh_peer_info *info, struct pending *pd)
{
	struct mesh_peer *self = ps->self;

	if (info->uid == self->info.uid || info->version < self->info.version)
		return;
	self->info.version = info->version + 1;
	touch(ps, self);
	pd->local_modified = true;
}

static void replace_peer(struct mesh_peers *ps, struct mesh_peer *peer,
			 const struct mesh_peer_info *info, struct accepted *a, struct pending *pd)
{
	peer->info.version = info->version;
	peer->info.uid = info->uid;
	memcpy(peer->info.nickname, info->nickname, sizeof(peer->info.nickname));
	if (info->short_id != peer->info.short_id ||
	    info->has_short_id != peer->info.has_short_id) {
		del_short_id(ps, peer, pd);
		peer->info.short_id = info->short_id;
		peer->info.has_short_id = info->has_short_id;
		add_short_id(ps, peer, pd);
	}
	free(peer->conns);
	peer->conns = a->conns;
	peer->n_conns = peer->conns_cap = a->n_conns;
	a->conns = NULL;
	touch(ps, peer);
}

static void commit_update(struct mesh_peers *ps, const struct mesh_peer_summary *upd, size_t n,
			  struct accepted *acc, struct mesh_peers_changes *ch, struct pending *pd)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct mesh_peer *peer = find(ps, upd[i].info.name);

		if (peer == ps->self) {
			self_seen(ps, &upd[i].info, pd);
		} else if (acc[i].accept) {
			replace_peer(ps, peer, &upd[i].info, &acc[i], pd);
			ch->improved[ch->n_improved++] = peer->info.name;
		}
	}
	qsort(ch->improved, ch->n_improved, sizeof(*ch->improved), cmp_name);
}

/* Both lists are sorted: drop the collected peers from the improved ones. */
static void drop_removed(struct mesh_peers_changes *ch)
{
	size_t i, j = 0, w = 0;

	for (i = 0; i < ch->n_improved; i++) {
		while (j < ch->n_removed && ch->removed[j]->info.name < ch->improved[i])
			j++;
		if (j < ch->n_removed && ch->removed[j]->info.name == ch->improved[i])
			continue;
		ch->improved[w++] = ch->improved[i];
	}
	ch->n_improved = w;
}

static int alloc_changes(struct mesh_peers_changes *ch, size_t n_update, size_t n_peers)
{
	ch->update = malloc((n_update ? n_update : 1) * sizeof(*ch->update));
	ch->improved = malloc((n_update ? n_update : 1) * sizeof(*ch->improved));
	ch->removed = malloc(n_peers * sizeof(*ch->removed));
	return ch->update && ch->improved && ch->removed ? 0 : -ENOMEM;
}

int mesh_peers_apply_update(struct mesh_peers *ps, const struct mesh_peer_summary *upd, size_t n,
			    struct mesh_peers_changes *ret_changes)
{
	struct mesh_peers_changes ch = { 0 };
	struct name_set fresh_names = { 0 };
	struct mesh_peer **fresh = NULL;
	struct accepted *acc = NULL;
	struct name_index *ni = NULL;
	struct pending pd = { 0 };
	size_t i;
	int r;

	if (!ps || !ret_changes || (n && !upd))
		return -EINVAL;
	r = validate_update(upd, n);
	if (r < 0)
		return r;
	r = sort_update(upd, n, &ni);
	if (r < 0)
		return r;
	r = collect_new_names(ps, upd, n, &fresh_names);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	fresh = calloc(fresh_names.n ? fresh_names.n : 1, sizeof(*fresh));
	acc = calloc(n ? n : 1, sizeof(*acc));
	if (!fresh || !acc)
		goto out;
	r = create_fresh(&fresh_names, upd, ni, n, fresh);
	if (r < 0)
		goto out;
	r = prepare_accepted(ps, upd, n, acc);
	if (r < 0)
		goto out;
	r = alloc_changes(&ch, n, ps->n + fresh_names.n);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++)
		ch.update[i] = ni[i].name;
	ch.n_update = n;

	/* Nothing fails from here on. */
	merge_fresh(ps, fresh, fresh_names.n, &pd);
	fresh_names.n = 0;
	commit_update(ps, upd, n, acc, &ch, &pd);
	gc(ps, &pd, ch.removed, &ch.n_removed);
	drop_removed(&ch);
	finish(ps, &pd, &ch);
	*ret_changes = ch;
	memset(&ch, 0, sizeof(ch));
	r = 0;
out:
	for (i = 0; fresh && i < fresh_names.n; i++)
		peer_free(fresh[i]);
	for (i = 0; acc && i < n; i++)
		free(acc[i].conns);
	free(fresh);
	free(acc);
	free(ni);
	free(fresh_names.v);
	mesh_peers_changes_done(&ch);
	return r;
}

/* --- summaries ----------------------------------------------------------------------- */

static int summarize_peer(const struct mesh_peer *peer, struct mesh_peer_summary *s)
{
	s->info = peer->info;
	s->n_conns = peer->n_conns;
	s->conns = NULL;
	if (!peer->n_conns)
		return 0;
	s->conns = malloc(peer->n_conns * sizeof(*s->conns));
	if (!s->conns)
		return -ENOMEM;
	memcpy(s->conns, peer->conns, peer->n_conns * sizeof(*s->conns));
	return 0;
}

struct selector {
	const mesh_peer_name_t *names; /* sorted; NULL: every peer */
	size_t n_names;
	bool by_seq;
	uint64_t since;
};

static bool selected(const struct selector *sel, const struct mesh_peer *peer)
{
	if (sel->by_seq)
		return peer->changed_seq > sel->since;
	return !sel->names ||
	       bsearch(&peer->info.name, sel->names, sel->n_names, sizeof(*sel->names), cmp_name);
}

static int summarize(const struct mesh_peers *ps, const struct selector *sel,
		     struct mesh_peer_summary **ret_summaries, size_t *ret_n)
{
	struct mesh_peer_summary *s;
	size_t i, k = 0, n = 0;
	int r;

	for (i = 0; i < ps->n; i++)
		n += selected(sel, ps->peers[i]);
	s = calloc(n ? n : 1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < ps->n; i++) {
		if (!selected(sel, ps->peers[i]))
			continue;
		r = summarize_peer(ps->peers[i], &s[k++]);
		if (r < 0) {
			mesh_peer_summaries_free(s, k);
			return r;
		}
	}
	*ret_summaries = s;
	*ret_n = n;
	return 0;
}

int mesh_peers_summarize(const struct mesh_peers *ps, const mesh_peer_name_t *names, size_t n_names,
			 struct mesh_peer_summary **ret_summaries, size_t *ret_n)
{
	struct selector sel = { 0 };
	mesh_peer_name_t *sorted = NULL;
	int r;

	if (!ps || !ret_summaries || !ret_n || (n_names && !names))
		return -EINVAL;
	if (names) {
		sorted = malloc((n_names ? n_names : 1) * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, names, n_names * sizeof(*sorted));
		qsort(sorted, n_names, sizeof(*sorted), cmp_name);
		sel.names = sorted;
		sel.n_names = n_names;
	}
	r = summarize(ps, &sel, ret_summaries, ret_n);
	free(sorted);
	return r;
}

int mesh_peers_summarize_changed(const struct mesh_peers *ps, uint64_t since,
				 struct mesh_peer_summary **ret_summaries, size_t *ret_n)
{
	struct selector sel = { .by_seq = true, .since = since };

	if (!ps || !ret_summaries || !ret_n)
		return -EINVAL;
	return summarize(ps, &sel, ret_summaries, ret_n);
}

struct mesh_peer_summary *mesh_peer_summaries_free(struct mesh_peer_summary *summaries, size_t n)
{
	size_t i;

	if (!summaries)
		return NULL;
	for (i = 0; i < n; i++)
		free(summaries[i].conns);
	free(summaries);
	return NULL;
}
