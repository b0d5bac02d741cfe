# overlay/: the datapaths; kdp.c is the netlink client of the kernel module.
LIBS += overlay
overlay_SRCS := userspace/overlay/kdp.c
