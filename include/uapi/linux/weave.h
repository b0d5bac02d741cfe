/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The generic netlink interface of the weave switch device (rtnl link kind "weave").
 * This header is the only definition of the commands and attributes: the module and
 * userspace (weaver, the weave CLI) both include it.
 *
 * Devices are created and deleted with rtnetlink: ip link add weave0 type weave.
 * Everything else goes through the generic netlink family WEAVE_GENL_NAME. Every
 * request names a device by exactly one of WEAVE_DEV_A_IFINDEX or WEAVE_DEV_A_IFNAME,
 * in the caller's network namespace. Attributes are validated strictly: unknown
 * attributes, wrong lengths and out-of-range values are rejected with an extack
 * message. Commands that change state need CAP_NET_ADMIN in the user namespace that
 * owns the device's network namespace.
 *
 * WEAVE_CMD_GET_DEVICE
 * --------------------
 * Must be called with NLM_F_DUMP. Without a device selector it dumps every weave
 * device of the caller's namespace, one message per device, in ifindex order; with
 * WEAVE_DEV_A_IFINDEX or WEAVE_DEV_A_IFNAME it dumps only that device. A dump may take
 * several recvmsg() calls; if the set of devices changes during the dump, the
 * messages after the change carry NLM_F_DUMP_INTR and the caller should start over.
 * Each message carries:
 *
 *    WEAVE_DEV_A_IFINDEX: NLA_U32
 *    WEAVE_DEV_A_IFNAME: NLA_NUL_STRING, maxlen IFNAMSIZ - 1
 *    WEAVE_DEV_A_MTU: NLA_U32
 *    WEAVE_DEV_A_NUM_PORTS: NLA_U32, ports enslaved to the switch
 *    WEAVE_DEV_A_PEER_NAME: NLA_BINARY, exactly 6 bytes (our 48-bit peer name)
 *    WEAVE_DEV_A_SHORT_ID: NLA_U16, 0..4095 (our 12-bit short id)
 *    WEAVE_DEV_A_UDP_PORT: NLA_U16, the UDP port of the VXLAN encapsulation
 *    WEAVE_DEV_A_STATS: NLA_NESTED
 *        WEAVE_STATS_A_RX_PACKETS: NLA_U64
 *        WEAVE_STATS_A_RX_BYTES: NLA_U64
 *        WEAVE_STATS_A_TX_PACKETS: NLA_U64
 *        WEAVE_STATS_A_TX_BYTES: NLA_U64
 *        WEAVE_STATS_A_RX_DROPPED: NLA_U64
 *        WEAVE_STATS_A_TX_DROPPED: NLA_U64
 *
 * WEAVE_CMD_SET_DEVICE
 * --------------------
 * Sets the identity of a device. Needs CAP_NET_ADMIN. Attributes not given keep
 * their value:
 *
 *    WEAVE_DEV_A_IFINDEX: NLA_U32 (or WEAVE_DEV_A_IFNAME)
 *    WEAVE_DEV_A_PEER_NAME: NLA_BINARY, exactly 6 bytes
 *    WEAVE_DEV_A_SHORT_ID: NLA_U16, 0..4095
 *    WEAVE_DEV_A_UDP_PORT: NLA_U16, 1..65535 (default WEAVE_DEFAULT_UDP_PORT)
 *
 * weave.yaml beside this header describes the family in the kernel's
 * genetlink-legacy spec format.
 */

#ifndef _UAPI_LINUX_WEAVE_H
#define _UAPI_LINUX_WEAVE_H

#define WEAVE_GENL_NAME "weave"
#define WEAVE_GENL_VERSION 1

#define WEAVE_LINK_KIND "weave"
#define WEAVE_DEFAULT_UDP_PORT 6784
#define WEAVE_DEFAULT_MTU 1376
#define WEAVE_PEER_NAME_LEN 6
#define WEAVE_SHORT_ID_MAX 4095

enum weave_cmd {
	WEAVE_CMD_UNSPEC,
	WEAVE_CMD_GET_DEVICE,
	WEAVE_CMD_SET_DEVICE,
	__WEAVE_CMD_MAX
};

#define WEAVE_CMD_MAX (__WEAVE_CMD_MAX - 1)

enum weave_dev_attr {
	WEAVE_DEV_A_UNSPEC,
	WEAVE_DEV_A_IFINDEX,
	WEAVE_DEV_A_IFNAME,
	WEAVE_DEV_A_MTU,
	WEAVE_DEV_A_NUM_PORTS,
	WEAVE_DEV_A_PEER_NAME,
	WEAVE_DEV_A_SHORT_ID,
	WEAVE_DEV_A_UDP_PORT,
	WEAVE_DEV_A_STATS,
	__WEAVE_DEV_A_LAST
};

#define WEAVE_DEV_A_MAX (__WEAVE_DEV_A_LAST - 1)

enum weave_stats_attr {
	WEAVE_STATS_A_UNSPEC,
	WEAVE_STATS_A_PAD,
	WEAVE_STATS_A_RX_PACKETS,
	WEAVE_STATS_A_RX_BYTES,
	WEAVE_STATS_A_TX_PACKETS,
	WEAVE_STATS_A_TX_BYTES,
	WEAVE_STATS_A_RX_DROPPED,
	WEAVE_STATS_A_TX_DROPPED,
	__WEAVE_STATS_A_LAST
};

#define WEAVE_STATS_A_MAX (__WEAVE_STATS_A_LAST - 1)

#endif /* _UAPI_LINUX_WEAVE_H */
