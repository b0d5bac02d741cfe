# SPDX-License-Identifier: GPL-2.0
# weaver/: the daemon (router, connections, sleeve datapath, HTTP backend) and its unit suite.
PROGS += weaver
weaver_SRCS := userspace/weaver/main.c userspace/weaver/router.c \
	userspace/weaver/router_conn.c userspace/weaver/router_topology.c \
	userspace/weaver/router_datapath.c userspace/weaver/api_backend.c
weaver_LIBS := weaverlib api overlay sleeve mesh gob store lib
# The pure logic, as a library of its own for the unit suite.
LIBS += weaverlib
weaverlib_SRCS := userspace/weaver/mac_cache.c userspace/weaver/forward.c userspace/weaver/options.c
UNIT_SUITES += weaver
weaver_TEST_LIBS := weaverlib mesh lib
