// SPDX-License-Identifier: GPL-2.0
/* topology_wire: peerSummary and []connectionSummary values of topology gossip, to and from
 * struct mesh_peer_summary (peers.go encodePeers, decodeUpdate, peer.go peerSummary).
 */
#include "mesh/topology_wire.h"

#include "gob/gob.h"
#include "mesh/protocol.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* --- encoding -------------------------------------------------------------------------- */

struct topo_types {
	struct gob_schema *s;
	struct gob_type *peer, *conn;
	const struct gob_type *conns;
};

static int add_fields(struct gob_type *t, const char *const *names, const enum gob_kind *kinds,
		      size_t n)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n; i++)
		r = gob_struct_type_add_field(t, names[i], gob_builtin_type(kinds[i]), 0);
	return r;
}

/* peerSummary and connectionSummary as declared in peer.go and peers.go. */
static int declare_types(struct topo_types *t)
{
	static const char *const peer_fields[] = { "NameByte", "NickName", "UID",
						   "Version",  "ShortID",  "HasShortID" };
	static const enum gob_kind peer_kinds[] = { GOB_KIND_BYTES, GOB_KIND_STRING, GOB_KIND_UINT,
						    GOB_KIND_UINT,  GOB_KIND_UINT,   GOB_KIND_BOOL };
	static const char *const conn_fields[] = { "NameByte", "RemoteTCPAddr", "Outbound",
						   "Established" };
	static const enum gob_kind conn_kinds[] = { GOB_KIND_BYTES, GOB_KIND_STRING, GOB_KIND_BOOL,
						    GOB_KIND_BOOL };
	int r;

	r = gob_schema_new_struct(t->s, "peerSummary", &t->peer);
	if (r >= 0)
		r = add_fields(t->peer, peer_fields, peer_kinds, 6);
	if (r >= 0)
		r = gob_schema_new_struct(t->s, "connectionSummary", &t->conn);
	if (r >= 0)
		r = add_fields(t->conn, conn_fields, conn_kinds, 4);
	if (r >= 0)
		r = gob_schema_new_slice(t->s, "", t->conn, &t->conns);
	return r;
}

static struct gob_value *name_bytes(mesh_peer_name_t name)
{
	uint8_t b[MESH_PEER_NAME_LEN];

	mesh_peer_name_to_bytes(name, b);
	return gob_value_new_bytes(b, sizeof(b));
}

static struct gob_value *peer_value(const struct topo_types *t, const struct mesh_peer_info *p)
{
	struct gob_value *v = gob_value_new_struct(t->peer);
	int r = v ? 0 : -ENOMEM;

	if (r >= 0)
		r = gob_struct_set(v, "NameByte", name_bytes(p->name));
	if (r >= 0)
		r = gob_struct_set(v, "NickName", gob_value_new_string(p->nickname));
	if (r >= 0)
		r = gob_struct_set(v, "UID", gob_value_new_uint(p->uid));
	if (r >= 0)
		r = gob_struct_set(v, "Version", gob_value_new_uint(p->version));
	if (r >= 0)
		r = gob_struct_set(v, "ShortID", gob_value_new_uint(p->short_id));
	if (r >= 0)
		r = gob_struct_set(v, "HasShortID", gob_value_new_bool(p->has_short_id));
	return r < 0 ? gob_value_free(v) : v;
}

static struct gob_value *conn_value(const struct topo_types *t, const struct mesh_conn_summary *c)
{
	struct gob_value *v = gob_value_new_struct(t->conn);
	int r = v ? 0 : -ENOMEM;

	if (r >= 0)
		r = gob_struct_set(v, "NameByte", name_bytes(c->name));
	if (r >= 0)
		r = gob_struct_set(v, "RemoteTCPAddr", gob_value_new_string(c->remote_tcp_addr));
	if (r >= 0)
		r = gob_struct_set(v, "Outbound", gob_value_new_bool(c->outbound));
	if (r >= 0)
		r = gob_struct_set(v, "Established", gob_value_new_bool(c->established));
	return r < 0 ? gob_value_free(v) : v;
}

static struct gob_value *conns_value(const struct topo_types *t, const struct mesh_peer_summary *p)
{
	struct gob_value *v = gob_value_new_slice();

	for (size_t i = 0; v && i < p->n_conns; i++)
		if (gob_value_append(v, conn_value(t, &p->conns[i])) < 0)
			v = gob_value_free(v);
	return v;
}

static bool summary_valid(const struct mesh_peer_summary *p)
{
	if (strnlen(p->info.nickname, sizeof(p->info.nickname)) == sizeof(p->info.nickname))
		return false;
	if (p->n_conns && !p->conns)
		return false;
	for (size_t i = 0; i < p->n_conns; i++) {
		const char *addr = p->conns[i].remote_tcp_addr;

		if (strnlen(addr, sizeof(p->conns[i].remote_tcp_addr)) ==
		    sizeof(p->conns[i].remote_tcp_addr))
			return false;
	}
	return true;
}

/* Encodes one value (owned here) of type t. */
static int put(struct gob_encoder *enc, const struct gob_type *t, struct gob_value *v)
{
	int r = v ? gob_encode(enc, t, v) : -ENOMEM;

	gob_value_free(v);
	return r;
}

static int encode_peers(struct gob_encoder *enc, const struct topo_types *t,
			const struct mesh_peer_summary *peers, size_t n)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (peers[i].n_conns > MESH_TOPOLOGY_CONNS_MAX)
			return -E2BIG;
		if (!summary_valid(&peers[i]))
			return -EINVAL;
		r = put(enc, t->peer, peer_value(t, &peers[i].info));
		if (r >= 0)
			r = put(enc, t->conns, conns_value(t, &peers[i]));
	}
	return r;
}

static int take_output(const struct gob_encoder *enc, uint8_t **ret_data, size_t *ret_len)
{
	size_t len;
	const uint8_t *out = gob_encoder_data(enc, &len);
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, out, len);
	*ret_data = copy;
	*ret_len = len;
	return 0;
}

int mesh_topology_encode(const struct mesh_peer_summary *peers, size_t n, int32_t first_type_id,
			 uint8_t **ret_data, size_t *ret_len)
{
	struct topo_types t = { 0 };
	struct gob_encoder *enc = NULL;
	int r;

	if (n > MESH_TOPOLOGY_PEERS_MAX)
		return -E2BIG;
	r = gob_schema_new(&t.s);
	if (r < 0)
		return r;
	if (first_type_id)
		r = gob_schema_set_next_id(t.s, first_type_id);
	if (r >= 0)
		r = declare_types(&t);
	if (r >= 0)
		r = gob_encoder_new(t.s, &enc);
	if (r >= 0)
		r = encode_peers(enc, &t, peers, n);
	if (r >= 0)
		r = take_output(enc, ret_data, ret_len);
	gob_encoder_free(enc);
	gob_schema_free(t.s);
	return r;
}

/* --- decoding -------------------------------------------------------------------------- */

static int get_name(const struct gob_value *s, mesh_peer_name_t *ret)
{
	const uint8_t *b;
	size_t n;
	int r = gob_value_get_bytes(gob_struct_get(s, "NameByte"), &b, &n);

	return r < 0 ? r : mesh_peer_name_from_bytes(b, n, ret);
}

/* A string field into buf (size bytes with the NUL). */
static int get_string(const struct gob_value *s, const char *field, char *buf, size_t size)
{
	const char *p;
	size_t n;
	int r = gob_value_get_string(gob_struct_get(s, field), &p, &n);

	if (r < 0)
		return r;
	if (n >= size)
		return -E2BIG;
	if (n && strnlen(p, n) != n)
		return -EINVAL; /* a NUL inside */
	if (n)
		memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

static int get_short_id(const struct gob_value *s, uint16_t *ret)
{
	uint64_t v;
	int r = gob_value_get_uint(gob_struct_get(s, "ShortID"), &v);

	if (r < 0)
		return r;
	if (v > UINT16_MAX)
		return -EINVAL; /* Go: overflow decoding into a uint16 */
	*ret = (uint16_t)v;
	return 0;
}

static int peer_from_value(const struct gob_value *v, struct mesh_peer_info *p)
{
	int r;

	if (gob_value_kind(v) != GOB_KIND_STRUCT)
		return -EPROTO;
	r = get_name(v, &p->name);
	if (r >= 0)
		r = get_string(v, "NickName", p->nickname, sizeof(p->nickname));
	if (r >= 0)
		r = gob_value_get_uint(gob_struct_get(v, "UID"), &p->uid);
	if (r >= 0)
		r = gob_value_get_uint(gob_struct_get(v, "Version"), &p->version);
	if (r >= 0)
		r = get_short_id(v, &p->short_id);
	if (r >= 0)
		r = gob_value_get_bool(gob_struct_get(v, "HasShortID"), &p->has_short_id);
	return r;
}

static int conn_from_value(const struct gob_value *v, struct mesh_conn_summary *c)
{
	int r;

	if (gob_value_kind(v) != GOB_KIND_STRUCT)
		return -EPROTO;
	r = get_name(v, &c->name);
	if (r >= 0)
		r = get_string(v, "RemoteTCPAddr", c->remote_tcp_addr, sizeof(c->remote_tcp_addr));
	if (r >= 0)
		r = gob_value_get_bool(gob_struct_get(v, "Outbound"), &c->outbound);
	if (r >= 0)
		r = gob_value_get_bool(gob_struct_get(v, "Established"), &c->established);
	return r;
}

static int conns_from_value(const struct gob_value *v, struct mesh_peer_summary *p)
{
	size_t n = gob_value_len(v);
	int r = 0;

	if (gob_value_kind(v) != GOB_KIND_SLICE)
		return -EPROTO;
	if (n > MESH_TOPOLOGY_CONNS_MAX)
		return -E2BIG;
	if (!n)
		return 0;
	p->conns = calloc(n, sizeof(*p->conns));
	if (!p->conns)
		return -ENOMEM;
	p->n_conns = n;
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = conn_from_value(gob_value_index(v, i), &p->conns[i]);
	return r;
}

struct summaries {
	struct mesh_peer_summary *v;
	size_t n, cap;
};

static struct mesh_peer_summary *summaries_push(struct summaries *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct mesh_peer_summary *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	return &s->v[s->n++];
}

/* Reads one peerSummary and its connections: 1, 0 at the end, or an error. */
static int decode_peer(struct gob_decoder *dec, const void *data, size_t len, size_t *pos,
		       struct summaries *s)
{
	struct gob_value *pv = NULL, *cv = NULL;
	struct mesh_peer_summary *p;
	int r;

	r = gob_decode_next(dec, data, len, pos, &pv);
	if (r > 0)
		r = gob_decode_next(dec, data, len, pos, &cv);
	if (r > 0 && s->n == MESH_TOPOLOGY_PEERS_MAX)
		r = -E2BIG;
	if (r > 0) {
		p = summaries_push(s);
		r = p ? peer_from_value(pv, &p->info) : -ENOMEM;
		if (r >= 0)
			r = conns_from_value(cv, p);
		r = r < 0 ? r : 1;
	}
	gob_value_free(pv);
	gob_value_free(cv);
	return r;
}

int mesh_topology_decode(const void *data, size_t len, struct mesh_peer_summary **ret_peers,
			 size_t *ret_n)
{
	const struct gob_limits lim = {
		.max_message = MESH_MAX_TCP_MSG,
		.max_nodes = (MESH_TOPOLOGY_CONNS_MAX + 1) * 8,
		.max_depth = 8,
		.max_types = 64,
		.max_fields = 64,
	};
	struct summaries s = { 0 };
	struct gob_decoder *dec;
	size_t pos = 0;
	int r;

	r = gob_decoder_new(&lim, &dec);
	if (r < 0)
		return r;
	while ((r = decode_peer(dec, data, len, &pos, &s)) > 0)
		;
	gob_decoder_free(dec);
	if (r < 0) {
		mesh_topology_free(s.v, s.n);
		return r;
	}
	*ret_peers = s.v;
	*ret_n = s.n;
	return 0;
}

struct mesh_peer_summary *mesh_topology_free(struct mesh_peer_summary *peers, size_t n)
{
	return mesh_peer_summaries_free(peers, n);
}
