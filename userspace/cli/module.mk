# cli/: the weave command line program.
PROGS += weave
weave_SRCS := userspace/cli/weave.c userspace/cli/version.c userspace/cli/status.c \
	userspace/cli/datapath.c userspace/cli/env.c userspace/cli/http_client.c \
	userspace/cli/router.c userspace/cli/launch.c userspace/cli/stop.c \
	userspace/cli/reset.c userspace/cli/report.c userspace/cli/connect.c \
	userspace/cli/netns.c userspace/cli/registry.c userspace/cli/attach.c \
	userspace/cli/ps.c
weave_LIBS := overlay
