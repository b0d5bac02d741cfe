// SPDX-License-Identifier: GPL-2.0
/* router_topology: the "topology" gossip channel (peers.go, router.go gossip side) and the
 * transport gossip uses: our connections for sending, the routes for choosing neighbours.
 */
#include "weaver/router_internal.h"

#include "lib/log.h"
#include "mesh/topology_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOPOLOGY_CHANNEL "topology"

static int encode_summaries(struct mesh_peer_summary *s, size_t n, uint8_t **ret_data,
			    size_t *ret_len)
{
	int r = 0;

	*ret_data = NULL;
	*ret_len = 0;
	if (n > 0)
		r = mesh_topology_encode(s, n, 0, ret_data, ret_len);
	mesh_peer_summaries_free(s, n);
	return r;
}

static int topology_gossip(void *userdata, uint8_t **ret_data, size_t *ret_len)
{
	struct router *r = userdata;
	struct mesh_peer_summary *s = NULL;
	size_t n = 0;
	int ret;

	ret = mesh_peers_summarize(r->peers, NULL, 0, &s, &n);
	if (ret < 0)
		return ret;
	return encode_summaries(s, n, ret_data, ret_len);
}

/* Applies an update; the improved subset goes into *ret_data when asked for. */
static int topology_apply(struct router *r, mesh_peer_name_t src, const uint8_t *data, size_t len,
			  uint8_t **ret_data, size_t *ret_len)
{
	struct mesh_peers_changes ch = { 0 };
	struct mesh_peer_summary *update = NULL, *s = NULL;
	size_t n = 0, ns = 0;
	char name[MESH_PEER_NAME_STRLEN];
	int ret;

	ret = mesh_topology_decode(data, len, &update, &n);
	if (ret < 0)
		return log_warning_errno(ret, "Malformed topology update from %s",
					 mesh_peer_name_format(src, name));
	ret = mesh_peers_apply_update(r->peers, update, n, &ch);
	mesh_topology_free(update, n);
	if (ret < 0)
		return log_warning_errno(ret, "Topology update from %s refused",
					 mesh_peer_name_format(src, name));
	if (ret_data && ch.n_improved > 0 &&
	    mesh_peers_summarize(r->peers, ch.improved, ch.n_improved, &s, &ns) >= 0)
		encode_summaries(s, ns, ret_data, ret_len);
	if (ch.n_improved > 0 || ch.n_removed > 0 || ch.local_modified)
		router_topology_changed(r);
	router_handle_removed(r, &ch);
	mesh_peers_changes_done(&ch);
	return 0;
}

static int topology_on_gossip(void *userdata, mesh_peer_name_t src, const uint8_t *data, size_t len,
			      uint8_t **ret_data, size_t *ret_len)
{
	return topology_apply(userdata, src, data, len, ret_data, ret_len);
}

static int topology_on_broadcast(void *userdata, mesh_peer_name_t src, const uint8_t *data,
				 size_t len)
{
	return topology_apply(userdata, src, data, len, NULL, NULL);
}

static const struct gossip_channel_ops topology_ops = {
	.gossip = topology_gossip,
	.on_gossip = topology_on_gossip,
	.on_broadcast = topology_on_broadcast,
};

int router_topology_register(struct router *r)
{
	return gossip_register(r->gossip, TOPOLOGY_CHANNEL, &topology_ops, r, &r->topology);
}

/* The coalesced update: every peer changed since the last one, to random neighbours. */
int router_topology_flush(struct router *r)
{
	struct mesh_peer_summary *s = NULL;
	uint8_t *data = NULL;
	size_t n = 0, len = 0;
	int ret;

	ret = mesh_peers_summarize_changed(r->peers, r->topology_sent_seq, &s, &n);
	if (ret < 0)
		return ret;
	r->topology_sent_seq = mesh_peers_seq(r->peers);
	ret = encode_summaries(s, n, &data, &len);
	if (ret >= 0 && data)
		ret = gossip_channel_gossip(r->topology, data, len);
	free(data);
	return ret;
}

/* --- transport ---------------------------------------------------------------------------- */

static int transport_send(void *userdata, mesh_peer_name_t neighbour, uint8_t tag,
			  const uint8_t *payload, size_t len)
{
	struct router_conn *c = router_conn_by_peer(userdata, neighbour);

	if (!c)
		return -ENOTCONN;
	return mesh_conn_send(c->mc, tag, payload, len);
}

static int transport_random_neighbours(void *userdata, mesh_peer_name_t except,
				       mesh_peer_name_t **ret_names, size_t *ret_n)
{
	struct router *r = userdata;

	return mesh_routes_random_neighbours(r->routes, except, &r->rnd, ret_names, ret_n);
}

static int transport_broadcast_hops(void *userdata, mesh_peer_name_t src,
				    mesh_peer_name_t **ret_names, size_t *ret_n)
{
	struct router *r = userdata;
	const mesh_peer_name_t *hops = NULL;
	size_t n = 0;
	int ret;

	*ret_names = NULL;
	*ret_n = 0;
	ret = mesh_routes_broadcast(r->routes, r->peers, src, true, &hops, &n);
	if (ret < 0 || n == 0)
		return ret;
	*ret_names = malloc(n * sizeof(**ret_names));
	if (!*ret_names)
		return -ENOMEM;
	memcpy(*ret_names, hops, n * sizeof(**ret_names));
	*ret_n = n;
	return 0;
}

static int transport_unicast_hop(void *userdata, mesh_peer_name_t dst, mesh_peer_name_t *ret_hop)
{
	struct router *r = userdata;

	return mesh_routes_unicast(r->routes, dst, true, ret_hop);
}

void router_gossip_transport(struct router *r, struct gossip_transport *t)
{
	*t = (struct gossip_transport){
		.send = transport_send,
		.random_neighbours = transport_random_neighbours,
		.broadcast_hops = transport_broadcast_hops,
		.unicast_hop = transport_unicast_hop,
		.userdata = r,
	};
}
