# SPDX-License-Identifier: GPL-2.0
# userspace/lib: the event loop (evl) and logging (log), leaves that every daemon module uses.
LIBS += lib
lib_SRCS := userspace/lib/evl.c userspace/lib/log.c
UNIT_SUITES += lib
lib_TEST_LIBS := lib
