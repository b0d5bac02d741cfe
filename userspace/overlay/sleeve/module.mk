# sleeve/: wire codec of the sleeve overlay (UDP 6783): datagrams, NaCl crypto, special frames, PMTU.
LIBS += sleeve
sleeve_SRCS := userspace/overlay/sleeve/sleeve_datagram.c userspace/overlay/sleeve/sleeve_batch.c \
	userspace/overlay/sleeve/sleeve_crypto.c userspace/overlay/sleeve/sleeve_replay.c userspace/overlay/sleeve/sleeve_rx.c \
	userspace/overlay/sleeve/sleeve_special.c userspace/overlay/sleeve/sleeve_control.c userspace/overlay/sleeve/sleeve_mtu.c
UNIT_SUITES += sleeve
sleeve_TEST_LIBS := sleeve
FUZZERS += sleeve
sleeve_FUZZ_LIBS := sleeve
