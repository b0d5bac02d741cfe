/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "weave" through which userspace programs the switch. */

#ifndef _WEAVE_NETLINK_H
#define _WEAVE_NETLINK_H

#include <net/genetlink.h>

extern struct genl_family weave_genl_family;

int weave_genetlink_init(void);
void weave_genetlink_uninit(void);

#endif /* _WEAVE_NETLINK_H */
