/* SPDX-License-Identifier: GPL-2.0 */
/* bridge: the sleeve datapath's devices (reference §4.1): the Linux bridge `weave` and
 * weaver's own port on it, a TAP device that weaver reads and writes Ethernet frames on.
 */
#ifndef WEAVE_OVERLAY_BRIDGE_H
#define WEAVE_OVERLAY_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#define BRIDGE_DEFAULT_NAME "weave"
#define BRIDGE_TAP_NAME "vethwe-pcap" /* Weave's name for the router's port */
#define BRIDGE_SLEEVE_MTU 65535 /* a sleeve-only bridge's default MTU */
#define BRIDGE_TAP_MAX_MTU (65535 - 14) /* the tun driver's limit */

/* Creates the bridge @name (random locally administered MAC, @mtu, up) unless it exists,
 * and returns its MAC and whether it was created. Logs what failed.
 */
int bridge_ensure(const char *name, unsigned int mtu, uint8_t ret_mac[6], bool *ret_created);

/* Creates the TAP device @tap_name (non-blocking fd, no packet info), sets its MTU,
 * enslaves it to @bridge and brings it up. Closing the fd removes the device.
 */
int bridge_tap_open(const char *bridge, const char *tap_name, unsigned int mtu, int *ret_fd);

#endif /* WEAVE_OVERLAY_BRIDGE_H */
