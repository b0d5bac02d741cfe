# SPDX-License-Identifier: GPL-2.0
# userspace/gob: the encoding/gob codec (library, unit suite, fuzz target).
LIBS += gob
gob_SRCS := userspace/gob/gob_wire.c userspace/gob/gob_type.c userspace/gob/gob_value.c \
	userspace/gob/gob_decode.c userspace/gob/gob_encode.c
UNIT_SUITES += gob
gob_TEST_LIBS := gob
FUZZERS += gob
gob_FUZZ_LIBS := gob
