# SPDX-License-Identifier: GPL-2.0
#
# Top-level build: userspace programs (default), the kernel module (kmod), tests and style.
# Each userspace directory describes itself in a module.mk fragment included below:
#   <name>_SRCS  sources of a static library build/lib<name>.a  (add <name> to LIBS)
#   PROGS        programs; <prog>_SRCS and <prog>_LIBS (libraries, in link order)
#   UNIT_SUITES  check suites; tests/unit/check_<suite>.c, linked with <suite>_TEST_LIBS
#   FUZZERS      libFuzzer targets; tests/fuzz/fuzz_<name>.c, linked with <name>_FUZZ_LIBS
#   TEST_PROGS   test tools, built into build/tests/<prog> from <prog>_SRCS and <prog>_LIBS

VERSION := $(shell cat VERSION)
BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=

CC ?= cc
PKGS := libnl-3.0 libnl-genl-3.0 libnl-route-3.0 libsodium jansson libmicrohttpd lmdb
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lldns
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP -D_GNU_SOURCE -DWEAVE_VERSION='"$(VERSION)"' \
	-Iinclude/uapi -Iuserspace $(PKG_CFLAGS)
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIBS :=
PROGS :=
UNIT_SUITES :=
FUZZERS :=
TEST_PROGS :=
include $(sort $(wildcard userspace/*/module.mk userspace/*/*/module.mk)) tests/unit/module.mk \
	tests/fuzz/module.mk \
	tests/vm/module.mk

.PHONY: all userspace kmod kmod-check style format check unit fuzz install dkms-install clean
all: userspace
userspace: $(addprefix $(BUILD)/bin/,$(PROGS))

# --- userspace -------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

define lib_rule
$(BUILD)/lib$(1).a: $(call objs,$($(1)_SRCS))
	@mkdir -p $$(dir $$@)
	$(AR) rcs $$@ $$^
endef
$(foreach l,$(LIBS),$(eval $(call lib_rule,$(l))))

define prog_rule
$(BUILD)/bin/$(1): $(call objs,$($(1)_SRCS)) $(patsubst %,$(BUILD)/lib%.a,$($(1)_LIBS))
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(PKG_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

define test_prog_rule
$(BUILD)/tests/$(1): $(call objs,$($(1)_SRCS)) $(patsubst %,$(BUILD)/lib%.a,$($(1)_LIBS))
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(PKG_LIBS)
endef
$(foreach p,$(TEST_PROGS),$(eval $(call test_prog_rule,$(p))))

define suite_rule
$(BUILD)/tests/check_$(1): $(call objs,tests/unit/check_$(1).c) $(patsubst %,$(BUILD)/lib%.a,$($(1)_TEST_LIBS))
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(PKG_LIBS) $(CHECK_LIBS)
endef
$(foreach s,$(UNIT_SUITES),$(eval $(call suite_rule,$(s))))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# libFuzzer targets are built with clang into their own tree (instrumented separately).
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude/uapi -Iuserspace $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
define fuzz_rule
$(FUZZ_BUILD)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(foreach l,$($(1)_FUZZ_LIBS),$($(l)_SRCS))
	@mkdir -p $$(dir $$@)
	clang $(FUZZ_CFLAGS) -o $$@ $$^ $(PKG_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))
fuzz: $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZERS))

unit: $(addprefix $(BUILD)/tests/check_,$(UNIT_SUITES)) $(addprefix $(BUILD)/tests/,$(TEST_PROGS))

# --- kernel module ---------------------------------------------------------------------------
# KDIR: the running kernel's build dir if it exists, else the newest installed Debian headers.
KDIR ?= $(shell scripts/kdir)
kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

kmod-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

# --- tests, style ----------------------------------------------------------------------------
# check: unit suites, native netns tests, VM tests with the module, short fuzz runs.
check:
	$(MAKE) BUILD=build/san SAN=1 userspace unit
	$(MAKE) kmod
	$(MAKE) fuzz
	tests/run

style:
	scripts/style

format:
	clang-format -i $$(git ls-files 'userspace/*.[ch]' 'tests/*.[ch]')

# --- install ---------------------------------------------------------------------------------
install: userspace
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/bin/weave $(BUILD)/bin/weaver $(DESTDIR)$(PREFIX)/bin/

# Copies the module's sources where DKMS expects them; then: dkms install weave/$(VERSION)
dkms-install:
	install -d $(DESTDIR)/usr/src/weave-$(VERSION)/kmod $(DESTDIR)/usr/src/weave-$(VERSION)/include/uapi/linux
	install -m 0644 dkms.conf Kbuild VERSION $(DESTDIR)/usr/src/weave-$(VERSION)/
	install -m 0644 kmod/*.c kmod/*.h kmod/Kbuild $(DESTDIR)/usr/src/weave-$(VERSION)/kmod/
	install -m 0644 include/uapi/linux/weave.h $(DESTDIR)/usr/src/weave-$(VERSION)/include/uapi/linux/

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
