/* SPDX-License-Identifier: GPL-2.0 */
/* kdp: the one userspace client of the weave module's generic netlink family
 * (include/uapi/linux/weave.h), used by weaver and by `weave status datapath`.
 */
#ifndef WEAVE_OVERLAY_KDP_H
#define WEAVE_OVERLAY_KDP_H

#include <linux/weave.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdp;

/* Counters of a device, a port or a peer. rx_dropped/tx_dropped are the device's
 * netdev counters (0 for ports and peers); drops[] counts by enum weave_drop_reason
 * (0 for the reasons an older module does not report).
 */
struct kdp_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t drops[__WEAVE_DROP_MAX];
};

struct kdp_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t mtu;
	uint32_t num_ports;
	uint8_t peer_name[WEAVE_PEER_NAME_LEN];
	uint16_t short_id;
	uint16_t udp_port;
	uint32_t fdb_ageing; /* seconds */
	uint32_t fdb_max;
	uint32_t fdb_count;
	uint32_t num_peers;
	uint32_t upcall_portid; /* 0: upcalls off */
	struct kdp_stats stats;
};

/* What kdp_device_set changes; a field is sent only when its has_ flag is set. */
struct kdp_device_config {
	bool has_peer_name, has_short_id, has_udp_port;
	bool has_fdb_ageing, has_fdb_max, has_upcall_portid;
	uint8_t peer_name[WEAVE_PEER_NAME_LEN];
	uint16_t short_id;
	uint16_t udp_port;
	uint32_t fdb_ageing; /* seconds, 1..86400 */
	uint32_t fdb_max; /* 1..WEAVE_FDB_MAX_LIMIT */
	uint32_t upcall_portid; /* 0: off */
};

struct kdp_peer {
	uint16_t short_id;
	uint8_t name[WEAVE_PEER_NAME_LEN];
	uint32_t addr; /* underlay IPv4, network order; 0: none */
	uint16_t port; /* UDP port, host order */
	uint16_t next_hop; /* == short_id when direct */
	uint32_t flags; /* WEAVE_PEER_F_* */
	uint32_t mtu; /* 0: the device's */
	struct kdp_stats stats;
};

/* What kdp_peer_set changes: short_id is always sent, the rest only with its has_ flag. */
struct kdp_peer_config {
	bool has_name, has_addr, has_port, has_next_hop, has_flags, has_mtu;
	uint16_t short_id;
	uint8_t name[WEAVE_PEER_NAME_LEN];
	uint32_t addr; /* network order */
	uint16_t port;
	uint16_t next_hop;
	uint32_t flags;
	uint32_t mtu;
};

/* The broadcast route of one source: hops is malloc'ed (NULL when count is 0). */
struct kdp_bcast {
	uint16_t src;
	size_t count;
	uint16_t *hops;
};

struct kdp_fdb_entry {
	uint8_t mac[6];
	bool is_peer; /* behind peer_short_id, else on the local port port_ifindex */
	uint32_t port_ifindex;
	uint16_t peer_short_id;
	uint32_t age_ms;
};

struct kdp_port {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	struct kdp_stats stats;
};

/* Opens a netlink socket and resolves the family. Returns -ENOENT when the module
 * is not loaded (the family does not exist), another negative errno on failure.
 */
int kdp_open(struct kdp **ret_kdp);
struct kdp *kdp_close(struct kdp *kdp);

/* The kernel's extended ack message of the last failed request, or "" when none. */
const char *kdp_last_error(const struct kdp *kdp);

/* Every request below returns 0 or a negative errno (the kernel's own when it refused;
 * see kdp_last_error). Dumps return a malloc'ed array, sorted by its key (ifindex,
 * short id, source, MAC), in *ret_* only on success; the caller frees it.
 */

/* Dumps the weave devices of the caller's namespace (all, or only @ifname when it is
 * not NULL).
 */
int kdp_device_dump(struct kdp *kdp, const char *ifname, struct kdp_device **ret_devs,
		    size_t *ret_count);
int kdp_device_set(struct kdp *kdp, const char *ifname, const struct kdp_device_config *cfg);

int kdp_peer_dump(struct kdp *kdp, const char *ifname, struct kdp_peer **ret_peers,
		  size_t *ret_count);
int kdp_peer_set(struct kdp *kdp, const char *ifname, const struct kdp_peer_config *cfg);
int kdp_peer_del(struct kdp *kdp, const char *ifname, uint16_t short_id);

/* Sets the broadcast route of @src to @n next hops; n == 0 removes it. */
int kdp_bcast_set(struct kdp *kdp, const char *ifname, uint16_t src, const uint16_t *hops,
		  size_t n);
/* Free the result with kdp_bcast_free(). */
int kdp_bcast_dump(struct kdp *kdp, const char *ifname, struct kdp_bcast **ret_routes,
		   size_t *ret_count);
struct kdp_bcast *kdp_bcast_free(struct kdp_bcast *routes, size_t count);

int kdp_fdb_dump(struct kdp *kdp, const char *ifname, struct kdp_fdb_entry **ret_entries,
		 size_t *ret_count);
/* Forgets @mac (6 bytes; -ENOENT when not learned), or every MAC when @mac is NULL. */
int kdp_fdb_del(struct kdp *kdp, const char *ifname, const uint8_t *mac);

int kdp_port_dump(struct kdp *kdp, const char *ifname, struct kdp_port **ret_ports,
		  size_t *ret_count);

/* Injects an Ethernet frame (at least 14 bytes): as VXLAN to @dst_peer, or to the
 * local ports and the host when @dst_peer is -1; as if from @src_peer (-1: us).
 */
int kdp_pkt_execute(struct kdp *kdp, const char *ifname, const void *frame, size_t len,
		    int dst_peer, int src_peer);

/* Upcalls: a socket of their own, to set as a device's upcall_portid. */
struct kdp_upcall;

struct kdp_upcall_msg {
	uint32_t ifindex;
	const uint8_t *frame; /* valid until the next kdp_upcall_recv() or close */
	size_t len;
	uint16_t src, dst; /* short ids */
	uint32_t reason; /* enum weave_upcall_reason */
	uint32_t outer_addr; /* network order; 0: not from the underlay */
	uint16_t outer_port; /* host order; 0: not from the underlay */
};

/* Opens a nonblocking genl socket with a large receive buffer. -ENOENT when the
 * module is not loaded.
 */
int kdp_upcall_open(struct kdp_upcall **ret_upcall);
struct kdp_upcall *kdp_upcall_close(struct kdp_upcall *u);
uint32_t kdp_upcall_portid(const struct kdp_upcall *u);
/* For epoll: readable when kdp_upcall_recv() may have something. */
int kdp_upcall_fd(const struct kdp_upcall *u);
/* The next upcall: 0, -EAGAIN when there is none, -ENOBUFS when the socket overran
 * (upcalls were lost: see kdp_upcall_lost), -EBADMSG for a malformed one (skipped),
 * another negative errno on failure.
 */
int kdp_upcall_recv(struct kdp_upcall *u, struct kdp_upcall_msg *ret_msg);
/* Times the socket overran (each time one or more upcalls were lost). */
uint64_t kdp_upcall_lost(const struct kdp_upcall *u);

#endif /* WEAVE_OVERLAY_KDP_H */
