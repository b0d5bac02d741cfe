# mesh/: Weave's mesh without sockets: peer names, topology, routes, connection targets.
LIBS += mesh
mesh_SRCS := userspace/mesh/peers.c userspace/mesh/routes.c userspace/mesh/peer_name.c userspace/mesh/targets.c
UNIT_SUITES += mesh
mesh_TEST_LIBS := mesh
mesh_SRCS += userspace/mesh/protocol.c userspace/mesh/protocol_stream.c userspace/mesh/features.c \
	userspace/mesh/gossip_wire.c userspace/mesh/topology_wire.c
mesh_TEST_LIBS := mesh gob sleeve
UNIT_SUITES += mesh_protocol
mesh_protocol_TEST_LIBS := mesh gob sleeve
FUZZERS += mesh_protocol
mesh_protocol_FUZZ_LIBS := mesh gob sleeve
mesh_SRCS += userspace/mesh/connection.c userspace/mesh/gossip.c
# connection.c and gossip.c run on the event loop and log: the fuzz target compiles every
# mesh source, so it needs lib too.
mesh_protocol_FUZZ_LIBS += lib
UNIT_SUITES += mesh_runtime
mesh_runtime_TEST_LIBS := mesh gob sleeve lib
