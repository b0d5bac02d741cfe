# mesh/: Weave's mesh without sockets: peer names, topology, routes, connection targets.
LIBS += mesh
mesh_SRCS := userspace/mesh/peers.c userspace/mesh/routes.c userspace/mesh/peer_name.c userspace/mesh/targets.c
UNIT_SUITES += mesh
mesh_TEST_LIBS := mesh
