// SPDX-License-Identifier: GPL-2.0
/* gossip: channel registry, dispatch of received gossip and relaying; channels nobody
 * registered get Weave's surrogate behaviour (relay broadcasts, de-duplicated re-gossip).
 */
#include "mesh/gossip.h"

#include "lib/log.h"
#include "mesh/protocol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GOSSIP_CHANNELS_MAX 64

struct gossip_channel {
	struct gossip *g;
	char name[MESH_CHANNEL_MAX + 1];
	const struct gossip_channel_ops *ops; /* NULL: surrogate */
	void *userdata;
	uint64_t *seen; /* surrogate: hashes of this interval */
	size_t n_seen;
};

struct gossip {
	mesh_peer_name_t self;
	struct gossip_transport t;
	struct gossip_channel *channels[GOSSIP_CHANNELS_MAX];
	size_t n_channels;
};

uint64_t gossip_fnv64a(const uint8_t *data, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= data[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int gossip_new(mesh_peer_name_t self, const struct gossip_transport *transport, struct gossip **ret)
{
	struct gossip *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->self = self;
	g->t = *transport;
	*ret = g;
	return 0;
}

struct gossip *gossip_free(struct gossip *g)
{
	if (!g)
		return NULL;
	for (size_t i = 0; i < g->n_channels; i++) {
		free(g->channels[i]->seen);
		free(g->channels[i]);
	}
	free(g);
	return NULL;
}

static struct gossip_channel *gossip_find(struct gossip *g, const char *name)
{
	for (size_t i = 0; i < g->n_channels; i++)
		if (strcmp(g->channels[i]->name, name) == 0)
			return g->channels[i];
	return NULL;
}

static int gossip_add(struct gossip *g, const char *name, const struct gossip_channel_ops *ops,
		      void *userdata, struct gossip_channel **ret)
{
	struct gossip_channel *ch;

	if (strlen(name) > MESH_CHANNEL_MAX)
		return -EINVAL;
	if (g->n_channels >= GOSSIP_CHANNELS_MAX)
		return -E2BIG;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->g = g;
	strcpy(ch->name, name);
	ch->ops = ops;
	ch->userdata = userdata;
	g->channels[g->n_channels++] = ch;
	*ret = ch;
	return 0;
}

int gossip_register(struct gossip *g, const char *name, const struct gossip_channel_ops *ops,
		    void *userdata, struct gossip_channel **ret)
{
	struct gossip_channel *ch = gossip_find(g, name);

	if (ch && ch->ops)
		return -EEXIST;
	if (ch) { /* a surrogate so far: the subsystem takes over */
		ch->ops = ops;
		ch->userdata = userdata;
		*ret = ch;
		return 0;
	}
	return gossip_add(g, name, ops, userdata, ret);
}

static int gossip_send_to(struct gossip_channel *ch, uint8_t tag, mesh_peer_name_t src,
			  mesh_peer_name_t dst, const mesh_peer_name_t *hops, size_t n,
			  const uint8_t *data, size_t len)
{
	uint8_t *payload = NULL;
	size_t plen = 0;
	int r;

	if (n == 0)
		return 0;
	r = mesh_gossip_encode(tag, ch->name, src, dst, data, len, &payload, &plen);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		(void)ch->g->t.send(ch->g->t.userdata, hops[i], tag, payload, plen);
	free(payload);
	return 0;
}

static int gossip_subset(struct gossip_channel *ch, mesh_peer_name_t except, const uint8_t *data,
			 size_t len)
{
	mesh_peer_name_t *hops = NULL;
	size_t n = 0;
	int r;

	r = ch->g->t.random_neighbours(ch->g->t.userdata, except, &hops, &n);
	if (r >= 0)
		r = gossip_send_to(ch, MESH_TAG_GOSSIP, ch->g->self, MESH_PEER_NAME_UNKNOWN, hops,
				   n, data, len);
	free(hops);
	return r;
}

int gossip_channel_gossip(struct gossip_channel *ch, const uint8_t *data, size_t len)
{
	return gossip_subset(ch, MESH_PEER_NAME_UNKNOWN, data, len);
}

int gossip_channel_broadcast(struct gossip_channel *ch, const uint8_t *data, size_t len)
{
	mesh_peer_name_t *hops = NULL;
	size_t n = 0;
	int r;

	r = ch->g->t.broadcast_hops(ch->g->t.userdata, ch->g->self, &hops, &n);
	if (r >= 0)
		r = gossip_send_to(ch, MESH_TAG_GOSSIP_BROADCAST, ch->g->self,
				   MESH_PEER_NAME_UNKNOWN, hops, n, data, len);
	free(hops);
	return r;
}

int gossip_channel_unicast(struct gossip_channel *ch, mesh_peer_name_t dst, const uint8_t *data,
			   size_t len)
{
	mesh_peer_name_t hop;
	int r;

	r = ch->g->t.unicast_hop(ch->g->t.userdata, dst, &hop);
	if (r < 0)
		return r;
	return gossip_send_to(ch, MESH_TAG_GOSSIP_UNICAST, ch->g->self, dst, &hop, 1, data, len);
}

int gossip_send_all_to(struct gossip *g, mesh_peer_name_t neighbour)
{
	for (size_t i = 0; i < g->n_channels; i++) {
		struct gossip_channel *ch = g->channels[i];
		uint8_t *data = NULL;
		size_t len = 0;

		if (!ch->ops || !ch->ops->gossip || ch->ops->gossip(ch->userdata, &data, &len) < 0)
			continue;
		if (data)
			gossip_send_to(ch, MESH_TAG_GOSSIP, g->self, MESH_PEER_NAME_UNKNOWN,
				       &neighbour, 1, data, len);
		free(data);
	}
	return 0;
}

int gossip_periodic(struct gossip *g)
{
	for (size_t i = 0; i < g->n_channels; i++) {
		struct gossip_channel *ch = g->channels[i];
		uint8_t *data = NULL;
		size_t len = 0;

		ch->n_seen = 0;
		if (!ch->ops || !ch->ops->gossip || ch->ops->gossip(ch->userdata, &data, &len) < 0)
			continue;
		if (data)
			gossip_channel_gossip(ch, data, len);
		free(data);
	}
	return 0;
}

/* The surrogate's de-duplication: true when @data was seen this interval. */
static bool surrogate_seen(struct gossip_channel *ch, const uint8_t *data, size_t len)
{
	uint64_t h = gossip_fnv64a(data, len);
	uint64_t *seen;

	for (size_t i = 0; i < ch->n_seen; i++)
		if (ch->seen[i] == h)
			return true;
	if (ch->n_seen >= GOSSIP_SURROGATE_SEEN_MAX)
		return false;
	seen = realloc(ch->seen, (ch->n_seen + 1) * sizeof(*seen));
	if (!seen)
		return false;
	ch->seen = seen;
	ch->seen[ch->n_seen++] = h;
	return false;
}

static void gossip_deliver(struct gossip_channel *ch, mesh_peer_name_t neighbour,
			   const struct mesh_gossip_msg *m)
{
	uint8_t *out = NULL;
	size_t olen = 0;
	int r;

	if (!ch->ops) {
		if (!surrogate_seen(ch, m->data, m->len))
			gossip_subset(ch, neighbour, m->data, m->len);
		return;
	}
	if (!ch->ops->on_gossip)
		return;
	r = ch->ops->on_gossip(ch->userdata, m->src, m->data, m->len, &out, &olen);
	if (r < 0) {
		char name[MESH_PEER_NAME_STRLEN];

		log_warning("gossip on channel %s from %s: %s", ch->name,
			    mesh_peer_name_format(m->src, name), strerror(-r));
	} else if (out) {
		gossip_subset(ch, neighbour, out, olen);
	}
	free(out);
}

static void gossip_relay(struct gossip *g, const struct mesh_gossip_msg *m, const uint8_t *payload,
			 size_t len)
{
	mesh_peer_name_t *hops = NULL;
	mesh_peer_name_t hop;
	size_t n = 0;

	if (m->tag == MESH_TAG_GOSSIP_UNICAST) {
		if (g->t.unicast_hop(g->t.userdata, m->dst, &hop) >= 0 &&
		    hop != MESH_PEER_NAME_UNKNOWN)
			g->t.send(g->t.userdata, hop, m->tag, payload, len);
		return;
	}
	if (g->t.broadcast_hops(g->t.userdata, m->src, &hops, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			g->t.send(g->t.userdata, hops[i], m->tag, payload, len);
	free(hops);
}

int gossip_receive(struct gossip *g, mesh_peer_name_t neighbour, uint8_t tag,
		   const uint8_t *payload, size_t len)
{
	struct mesh_gossip_msg m;
	struct gossip_channel *ch;
	int r;

	r = mesh_gossip_decode(tag, payload, len, &m);
	if (r < 0)
		return r;
	ch = gossip_find(g, m.channel);
	if (!ch) {
		r = gossip_add(g, m.channel, NULL, NULL, &ch);
		if (r < 0)
			goto out;
	}
	switch (tag) {
	case MESH_TAG_GOSSIP:
		gossip_deliver(ch, neighbour, &m);
		break;
	case MESH_TAG_GOSSIP_UNICAST:
		if (m.dst != g->self)
			gossip_relay(g, &m, payload, len);
		else if (ch->ops && ch->ops->on_unicast)
			ch->ops->on_unicast(ch->userdata, m.src, m.data, m.len);
		break;
	case MESH_TAG_GOSSIP_BROADCAST:
		gossip_relay(g, &m, payload, len);
		if (ch->ops && ch->ops->on_broadcast)
			ch->ops->on_broadcast(ch->userdata, m.src, m.data, m.len);
		break;
	}
out:
	mesh_gossip_msg_done(&m);
	return r;
}
