# cli/: the weave command line program.
PROGS += weave
weave_SRCS := userspace/cli/weave.c userspace/cli/version.c userspace/cli/status.c \
	userspace/cli/datapath.c
weave_LIBS := overlay
