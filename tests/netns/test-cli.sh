#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The weave CLI on this machine's kernel, which has no module support: exit codes, help,
# version, and the one-line "module not loaded" answer of `weave status datapath`.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

if grep -q '^weave ' /proc/modules 2>/dev/null; then
	skip "the weave module is loaded here: the not-loaded path is tested on kernels without it"
	test_exit
fi

out=$(weave status datapath 2>&1)
rc=$?
check "status datapath without the module exits non-zero (got $rc)" test "$rc" -ne 0
check_eq "it answers in one line" "$(wc -l <<<"$out")" 1
check "the line says the module is not loaded and what to do" \
	grep -q "weave kernel module is not loaded: load it with 'modprobe weave', or weave will use the sleeve datapath" <<<"$out"

check "weave help exits 0 and shows the usage" bash -c 'weave help | grep -q "^Usage:"'
check "weave --help exits 0" bash -c "weave --help >/dev/null"
check_eq "weave version" "$(weave version)" "weave script $(cat "$WEAVE_TOP/VERSION")"
out=$(weave no-such-command 2>&1)
rc=$?
check_eq "an unknown subcommand exits 1" "$rc" 1
check "an unknown subcommand is quoted in the error" grep -q "invalid subcommand \`no-such-command'" <<<"$out"
check "weave with no arguments exits 1" bash -c '! weave 2>/dev/null'
out=$(weave status bogus 2>&1)
rc=$?
check_eq "an unknown status sub-command exits 1" "$rc" 1
check "it is named as Weave does" grep -q "^Invalid 'weave status' sub-command: bogus" <<<"$out"
check "status datapath rejects extra arguments" bash -c '! weave status datapath --bogus 2>/dev/null'
test_exit
