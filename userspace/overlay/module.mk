# overlay/: the datapaths; kdp.c is the netlink client of the kernel module.
LIBS += overlay
overlay_SRCS := userspace/overlay/kdp.c
overlay_SRCS += userspace/overlay/sleeve_overlay.c userspace/overlay/bridge.c
UNIT_SUITES += sleeve_overlay
sleeve_overlay_TEST_LIBS := overlay sleeve mesh lib
