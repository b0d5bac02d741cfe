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
 *
 * Datapath commands (all need a device selector, and CAP_NET_ADMIN except the dumps)
 * ------------------------------------------------------------------------------------
 * The switch's ports are enslaved with rtnetlink: ip link set veth0 master weave0.
 *
 * WEAVE_CMD_SET_DEVICE also takes:
 *    WEAVE_DEV_A_FDB_AGEING: NLA_U32, seconds a learned MAC lives unseen (1..86400,
 *        default 600)
 *    WEAVE_DEV_A_FDB_MAX: NLA_U32, most MACs learned (1..1048576, default 131072);
 *        frames still flow when it is full, the new MAC is not learned and counted
 *    WEAVE_DEV_A_UPCALL_PORTID: NLA_U32, netlink port id that receives upcalls (0: off)
 * and the device dump also carries WEAVE_DEV_A_FDB_COUNT and WEAVE_DEV_A_NUM_PEERS
 * (NLA_U32) and, in WEAVE_DEV_A_STATS, WEAVE_STATS_A_DROPS.
 *
 * WEAVE_CMD_SET_PEER: adds or changes the peer WEAVE_PEER_A_SHORT_ID.
 *    WEAVE_DEV_A_PEER: NLA_NESTED
 *        WEAVE_PEER_A_SHORT_ID: NLA_U16, 0..4095, required, never our own
 *        WEAVE_PEER_A_NAME: NLA_BINARY, 6 bytes, required when adding
 *        WEAVE_PEER_A_ADDR: NLA_BE32, the underlay IPv4 address (0: none)
 *        WEAVE_PEER_A_PORT: NLA_U16, its UDP port (default WEAVE_DEFAULT_UDP_PORT)
 *        WEAVE_PEER_A_NEXT_HOP: NLA_U16, short id of the peer that frames for this one
 *            go through (default: itself, i.e. direct)
 *        WEAVE_PEER_A_FLAGS: NLA_U32, WEAVE_PEER_F_*; unknown bits are refused
 *        WEAVE_PEER_A_MTU: NLA_U32, largest inner frame payload (0: the device's MTU)
 * WEAVE_CMD_DEL_PEER: removes a peer (WEAVE_DEV_A_PEER with WEAVE_PEER_A_SHORT_ID only),
 *    the MACs learned behind it, and its broadcast route.
 * WEAVE_CMD_GET_PEER (dump): one message per peer, with WEAVE_DEV_A_IFINDEX and
 *    WEAVE_DEV_A_PEER carrying every WEAVE_PEER_A_* above plus WEAVE_PEER_A_STATS
 *    (WEAVE_STATS_A_*: frames sent to and received from the peer, drops by reason).
 *
 * WEAVE_CMD_SET_BCAST: the broadcast route of one source peer (which may be us).
 *    WEAVE_DEV_A_BCAST: NLA_NESTED
 *        WEAVE_BCAST_A_SRC: NLA_U16, source short id
 *        WEAVE_BCAST_A_HOPS: NLA_BINARY, array of __u16 next-hop short ids (host order);
 *            empty removes the route. Frames broadcast by SRC are sent on to these.
 * WEAVE_CMD_GET_BCAST (dump): one WEAVE_DEV_A_BCAST per source.
 *
 * WEAVE_CMD_GET_FDB (dump): one WEAVE_DEV_A_FDB per learned MAC:
 *        WEAVE_FDB_A_MAC: NLA_BINARY, 6 bytes
 *        WEAVE_FDB_A_PORT: NLA_U32, ifindex of the local port, or
 *        WEAVE_FDB_A_PEER: NLA_U16, short id of the remote peer
 *        WEAVE_FDB_A_AGE_MS: NLA_U32, milliseconds since last seen
 * WEAVE_CMD_DEL_FDB: forgets WEAVE_DEV_A_FDB's WEAVE_FDB_A_MAC, or every MAC without it.
 *
 * WEAVE_CMD_GET_PORT (dump): one WEAVE_DEV_A_PORT per port: WEAVE_PORT_A_IFINDEX,
 *    WEAVE_PORT_A_IFNAME, WEAVE_PORT_A_STATS.
 *
 * WEAVE_CMD_PKT_EXECUTE: injects a frame.
 *    WEAVE_DEV_A_PKT: NLA_NESTED
 *        WEAVE_PKT_A_FRAME: NLA_BINARY, an Ethernet frame (at least 14 bytes)
 *        WEAVE_PKT_A_DST_PEER: NLA_U16, send it as VXLAN to this peer (through its next
 *            hop, DF set) as if it came from WEAVE_PKT_A_SRC_PEER (default: us); or
 *        WEAVE_PKT_A_LOCAL: NLA_FLAG, deliver it to the local ports and the host as if
 *            received from WEAVE_PKT_A_SRC_PEER; it is not relayed to other peers
 * WEAVE_CMD_UPCALL (sent by the module to the upcall port id, never accepted):
 *        WEAVE_DEV_A_IFINDEX, and WEAVE_DEV_A_PKT with WEAVE_PKT_A_FRAME,
 *        WEAVE_PKT_A_SRC_PEER, WEAVE_PKT_A_DST_PEER, WEAVE_PKT_A_REASON (NLA_U32,
 *        WEAVE_UPCALL_*) and, for frames from the underlay, WEAVE_PKT_A_OUTER_ADDR
 *        (NLA_BE32) and WEAVE_PKT_A_OUTER_PORT (NLA_U16).
 *    Upcalls are rate limited per device and dropped, counted, when the socket is full.
 */

#ifndef _UAPI_LINUX_WEAVE_H
#define _UAPI_LINUX_WEAVE_H

#include <linux/types.h>

#define WEAVE_GENL_NAME "weave"
#define WEAVE_GENL_VERSION 1

#define WEAVE_LINK_KIND "weave"
#define WEAVE_DEFAULT_UDP_PORT 6784
#define WEAVE_DEFAULT_MTU 1376
#define WEAVE_PEER_NAME_LEN 6
#define WEAVE_SHORT_ID_MAX 4095
#define WEAVE_FDB_AGEING_DEFAULT 600
#define WEAVE_FDB_MAX_DEFAULT 131072
#define WEAVE_FDB_MAX_LIMIT 1048576

enum weave_cmd {
	WEAVE_CMD_UNSPEC,
	WEAVE_CMD_GET_DEVICE,
	WEAVE_CMD_SET_DEVICE,
	WEAVE_CMD_GET_PEER,
	WEAVE_CMD_SET_PEER,
	WEAVE_CMD_DEL_PEER,
	WEAVE_CMD_GET_BCAST,
	WEAVE_CMD_SET_BCAST,
	WEAVE_CMD_GET_FDB,
	WEAVE_CMD_DEL_FDB,
	WEAVE_CMD_GET_PORT,
	WEAVE_CMD_PKT_EXECUTE,
	WEAVE_CMD_UPCALL,
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
	WEAVE_DEV_A_FDB_AGEING,
	WEAVE_DEV_A_FDB_MAX,
	WEAVE_DEV_A_FDB_COUNT,
	WEAVE_DEV_A_NUM_PEERS,
	WEAVE_DEV_A_UPCALL_PORTID,
	WEAVE_DEV_A_PEER,
	WEAVE_DEV_A_BCAST,
	WEAVE_DEV_A_FDB,
	WEAVE_DEV_A_PORT,
	WEAVE_DEV_A_PKT,
	__WEAVE_DEV_A_LAST
};

#define WEAVE_DEV_A_MAX (__WEAVE_DEV_A_LAST - 1)

enum weave_peer_flag {
	/* Frames for this peer go up to the daemon (sleeve) instead of VXLAN. */
	WEAVE_PEER_F_VIA_USERSPACE = 1U << 0,
	__WEAVE_PEER_F_ALL = WEAVE_PEER_F_VIA_USERSPACE
};

enum weave_peer_attr {
	WEAVE_PEER_A_UNSPEC,
	WEAVE_PEER_A_SHORT_ID,
	WEAVE_PEER_A_NAME,
	WEAVE_PEER_A_ADDR,
	WEAVE_PEER_A_PORT,
	WEAVE_PEER_A_NEXT_HOP,
	WEAVE_PEER_A_FLAGS,
	WEAVE_PEER_A_MTU,
	WEAVE_PEER_A_STATS,
	__WEAVE_PEER_A_LAST
};

#define WEAVE_PEER_A_MAX (__WEAVE_PEER_A_LAST - 1)

enum weave_bcast_attr {
	WEAVE_BCAST_A_UNSPEC,
	WEAVE_BCAST_A_SRC,
	WEAVE_BCAST_A_HOPS,
	__WEAVE_BCAST_A_LAST
};

#define WEAVE_BCAST_A_MAX (__WEAVE_BCAST_A_LAST - 1)

enum weave_fdb_attr {
	WEAVE_FDB_A_UNSPEC,
	WEAVE_FDB_A_MAC,
	WEAVE_FDB_A_PORT,
	WEAVE_FDB_A_PEER,
	WEAVE_FDB_A_AGE_MS,
	__WEAVE_FDB_A_LAST
};

#define WEAVE_FDB_A_MAX (__WEAVE_FDB_A_LAST - 1)

enum weave_port_attr {
	WEAVE_PORT_A_UNSPEC,
	WEAVE_PORT_A_IFINDEX,
	WEAVE_PORT_A_IFNAME,
	WEAVE_PORT_A_STATS,
	__WEAVE_PORT_A_LAST
};

#define WEAVE_PORT_A_MAX (__WEAVE_PORT_A_LAST - 1)

enum weave_upcall_reason {
	WEAVE_UPCALL_HEARTBEAT,		/* all-zero Ethernet header from the underlay */
	WEAVE_UPCALL_VIA_USERSPACE,	/* a frame for a peer reached through the daemon */
	__WEAVE_UPCALL_MAX
};

enum weave_pkt_attr {
	WEAVE_PKT_A_UNSPEC,
	WEAVE_PKT_A_FRAME,
	WEAVE_PKT_A_SRC_PEER,
	WEAVE_PKT_A_DST_PEER,
	WEAVE_PKT_A_LOCAL,
	WEAVE_PKT_A_REASON,
	WEAVE_PKT_A_OUTER_ADDR,
	WEAVE_PKT_A_OUTER_PORT,
	__WEAVE_PKT_A_LAST
};

#define WEAVE_PKT_A_MAX (__WEAVE_PKT_A_LAST - 1)

/* Why frames were dropped; counted per device, port and peer. */
enum weave_drop_reason {
	WEAVE_DROP_NO_PEER,	/* VXLAN from or to a short id we don't know */
	WEAVE_DROP_NO_ROUTE,	/* a peer without underlay address or next hop */
	WEAVE_DROP_TOO_BIG,	/* larger than the peer's MTU (ICMP sent back) */
	WEAVE_DROP_MALFORMED,	/* truncated or invalid VXLAN, runt frames */
	WEAVE_DROP_LOOP,	/* would go back where it came from */
	WEAVE_DROP_UPCALL,	/* upcall off, rate limited or its socket full */
	WEAVE_DROP_XMIT,	/* underlay route or transmit failure, no memory */
	WEAVE_DROP_FDB_FULL,	/* not a drop: a MAC not learned, the table was full */
	__WEAVE_DROP_MAX
};

enum weave_stats_attr {
	WEAVE_STATS_A_UNSPEC,
	WEAVE_STATS_A_PAD,
	WEAVE_STATS_A_RX_PACKETS,
	WEAVE_STATS_A_RX_BYTES,
	WEAVE_STATS_A_TX_PACKETS,
	WEAVE_STATS_A_TX_BYTES,
	WEAVE_STATS_A_RX_DROPPED,
	WEAVE_STATS_A_TX_DROPPED,
	/* NLA_BINARY: __WEAVE_DROP_MAX __u64 counters, indexed by weave_drop_reason */
	WEAVE_STATS_A_DROPS,
	__WEAVE_STATS_A_LAST
};

#define WEAVE_STATS_A_MAX (__WEAVE_STATS_A_LAST - 1)

#endif /* _UAPI_LINUX_WEAVE_H */
