# SPDX-License-Identifier: GPL-2.0
# userspace/store: weaver's persistent state in one LMDB file (library and unit suite).
LIBS += store
store_SRCS := userspace/store/store.c
UNIT_SUITES += store
store_TEST_LIBS := store
