// SPDX-License-Identifier: GPL-2.0
/* bridge: creates the `weave` Linux bridge (libnl-route) and weaver's TAP port on it. */
#include "overlay/bridge.h"

#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sodium.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int nl_open(struct nl_sock **ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return -EIO;
	}
	*ret = sk;
	return 0;
}

static int link_mac(struct rtnl_link *link, uint8_t ret_mac[6])
{
	struct nl_addr *a = rtnl_link_get_addr(link);

	if (!a || nl_addr_get_len(a) != 6)
		return -ENODATA;
	memcpy(ret_mac, nl_addr_get_binary_addr(a), 6);
	return 0;
}

static int bridge_create(struct nl_sock *sk, const char *name, unsigned int mtu)
{
	struct rtnl_link *link = rtnl_link_alloc();
	struct nl_addr *addr = NULL;
	uint8_t mac[6];
	int r = -ENOMEM;

	if (!link)
		return -ENOMEM;
	randombytes_buf(mac, sizeof(mac));
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	addr = nl_addr_build(AF_LLC, mac, sizeof(mac));
	if (!addr)
		goto out;
	rtnl_link_set_name(link, name);
	r = rtnl_link_set_type(link, "bridge");
	if (r < 0)
		goto out;
	rtnl_link_set_addr(link, addr);
	rtnl_link_set_mtu(link, mtu);
	rtnl_link_set_flags(link, IFF_UP);
	r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0)
		r = log_error_errno(EIO, "Failed to create bridge %s: %s", name, nl_geterror(r));
out:
	nl_addr_put(addr);
	rtnl_link_put(link);
	return r;
}

int bridge_ensure(const char *name, unsigned int mtu, uint8_t ret_mac[6], bool *ret_created)
{
	struct rtnl_link *link = NULL;
	struct nl_sock *sk = NULL;
	bool created = false;
	int r;

	r = nl_open(&sk);
	if (r < 0)
		return log_error_errno(r, "Failed to open rtnetlink");
	if (rtnl_link_get_kernel(sk, 0, name, &link) < 0) {
		r = bridge_create(sk, name, mtu);
		if (r < 0)
			goto out;
		created = true;
		if (rtnl_link_get_kernel(sk, 0, name, &link) < 0) {
			r = log_error_errno(ENODEV, "Bridge %s vanished after creation", name);
			goto out;
		}
	}
	r = link_mac(link, ret_mac);
	if (r < 0) {
		log_error_errno(r, "Failed to read the MAC of bridge %s", name);
		goto out;
	}
	*ret_created = created;
out:
	rtnl_link_put(link);
	nl_socket_free(sk);
	return r;
}

/* MTU and up through ioctls: libnl's link change carries the tun link info, which fails. */
static int tap_configure(const char *tap_name, unsigned int mtu)
{
	struct ifreq ifr = { 0 };
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap_name);
	ifr.ifr_mtu = (int)(mtu < BRIDGE_TAP_MAX_MTU ? mtu : BRIDGE_TAP_MAX_MTU);
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		r = log_error_errno(errno, "Failed to set the MTU of %s to %u", tap_name, mtu);
	if (r >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = log_error_errno(errno, "Failed to read the flags of %s", tap_name);
	ifr.ifr_flags |= IFF_UP;
	if (r >= 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = log_error_errno(errno, "Failed to bring %s up", tap_name);
	close(fd);
	return r;
}

static int tap_attach(const char *bridge, const char *tap_name)
{
	struct rtnl_link *br = NULL, *tap = NULL;
	struct nl_sock *sk = NULL;
	int r;

	r = nl_open(&sk);
	if (r < 0)
		return log_error_errno(r, "Failed to open rtnetlink");
	if (rtnl_link_get_kernel(sk, 0, bridge, &br) < 0 ||
	    rtnl_link_get_kernel(sk, 0, tap_name, &tap) < 0) {
		r = log_error_errno(ENODEV, "Failed to find %s or %s", bridge, tap_name);
		goto out;
	}
	r = rtnl_link_enslave_ifindex(sk, rtnl_link_get_ifindex(br), rtnl_link_get_ifindex(tap));
	if (r < 0)
		r = log_error_errno(EIO, "Failed to attach %s to bridge %s: %s", tap_name, bridge,
				    nl_geterror(r));
out:
	rtnl_link_put(tap);
	rtnl_link_put(br);
	nl_socket_free(sk);
	return r;
}

int bridge_tap_open(const char *bridge, const char *tap_name, unsigned int mtu, int *ret_fd)
{
	struct ifreq ifr = { 0 };
	int fd, r;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return log_error_errno(errno, "Failed to open /dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap_name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = log_error_errno(errno, "Failed to create TAP device %s", tap_name);
		goto fail;
	}
	r = tap_configure(tap_name, mtu);
	if (r >= 0)
		r = tap_attach(bridge, tap_name);
	if (r < 0)
		goto fail;
	*ret_fd = fd;
	return 0;
fail:
	close(fd);
	return r;
}
