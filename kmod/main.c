// SPDX-License-Identifier: GPL-2.0
/* Module init and exit of the weave switch: registers the device kind and the
 * generic netlink family, and undoes both in reverse order.
 */

#include "device.h"
#include "netlink.h"
#include "port.h"
#include "version.h"

#include <linux/module.h>
#include <net/rtnetlink.h>
#include <net/genetlink.h>
#include <uapi/linux/weave.h>

static int __init weave_mod_init(void)
{
	int ret;

	ret = weave_port_init();
	if (ret < 0)
		goto err_port;

	ret = weave_device_init();
	if (ret < 0)
		goto err_device;

	ret = weave_genetlink_init();
	if (ret < 0)
		goto err_netlink;

	pr_info("weave switch " WEAVE_VERSION " loaded\n");
	return 0;

err_netlink:
	weave_device_uninit();
err_device:
	weave_port_uninit();
err_port:
	return ret;
}

static void __exit weave_mod_exit(void)
{
	weave_genetlink_uninit();
	weave_device_uninit();
	weave_port_uninit();
	/* Peers and ports are freed by RCU callbacks of this module. */
	rcu_barrier();
}

module_init(weave_mod_init);
module_exit(weave_mod_exit);
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("Weave overlay network switch with VXLAN encapsulation");
MODULE_VERSION(WEAVE_VERSION);
MODULE_ALIAS_RTNL_LINK(WEAVE_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(WEAVE_GENL_NAME);
