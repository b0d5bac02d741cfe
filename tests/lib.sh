# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the shell tests (netns and vm): results in the "[ OK ]/[FAIL]/[SKIP]"
# lines that tests/run counts. A test keeps going after a failed check and exits 1 at the end.
# shellcheck shell=bash

TEST_FAILED=0
WEAVE_TOP=${WEAVE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WEAVE_BIN=${WEAVE_BIN:-$WEAVE_TOP/build/san/bin}
WEAVE_TESTS=${WEAVE_TESTS:-$(dirname "$WEAVE_BIN")/tests}
export PATH="$WEAVE_BIN:$PATH"
# ASan: a leak in a short-lived CLI run is still a failure; keep reports readable.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

pass() { printf '[ OK ] %s\n' "$*"; }
fail() {
	printf '[FAIL] %s\n' "$*"
	TEST_FAILED=1
}
skip() { printf '[SKIP] %s\n' "$*"; }

# check "what" command...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# check_eq "what" actual expected
check_eq() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

# wait_for seconds command...: polls (every 0.1 s) until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

test_exit() { exit "$TEST_FAILED"; }
