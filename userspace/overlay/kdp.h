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

struct kdp_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
};

struct kdp_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t mtu;
	uint32_t num_ports;
	uint8_t peer_name[WEAVE_PEER_NAME_LEN];
	uint16_t short_id;
	uint16_t udp_port;
	struct kdp_stats stats;
};

/* What kdp_device_set changes; a field is sent only when its has_ flag is set. */
struct kdp_device_config {
	bool has_peer_name, has_short_id, has_udp_port;
	uint8_t peer_name[WEAVE_PEER_NAME_LEN];
	uint16_t short_id;
	uint16_t udp_port;
};

/* Opens a netlink socket and resolves the family. Returns -ENOENT when the module
 * is not loaded (the family does not exist), another negative errno on failure.
 */
int kdp_open(struct kdp **ret_kdp);
struct kdp *kdp_close(struct kdp *kdp);

/* Dumps the weave devices of the caller's namespace (all, or only @ifname when it is
 * not NULL). On success *ret_devs is a malloc'ed array the caller frees.
 */
int kdp_device_dump(struct kdp *kdp, const char *ifname, struct kdp_device **ret_devs,
		    size_t *ret_count);
int kdp_device_set(struct kdp *kdp, const char *ifname, const struct kdp_device_config *cfg);

/* The kernel's extended ack message of the last failed request, or "" when none. */
const char *kdp_last_error(const struct kdp *kdp);

#endif /* WEAVE_OVERLAY_KDP_H */
