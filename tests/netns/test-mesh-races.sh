#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# weaver's connection maker under launch races (network namespaces on a bridged underlay):
# - rounds of two weavers started at the same instant, each naming the other: the
#   simultaneous dials are resolved by the connUID tie-break into one connection;
# - rounds of three weavers launched back to back as a chain (host2 -> host1, host3 -> host2)
#   without waiting: discovery makes it a full mesh;
# - a handshake that times out (the remote weaver stopped) is retried once it runs again;
# - a weaver launched before its host's network is up: the dial fails at once ("network is
#   unreachable") and must be retried with back-off until the address appears.
# Each must reach its mesh within a bounded time; the logs are shown on failure.
#
#   underlay ns (bridge br0, 192.168.217.0/24)
#     |-- host1 (eth0 .1) -- weaver
#     |-- host2 (eth0 .2) -- weaver
#     '-- host3 (eth0 .3) -- weaver
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"
# shellcheck source=tests/underlay.sh
source "$WEAVE_TOP/tests/underlay.sh"

if [[ $(id -u) != 0 ]]; then
	skip "test-mesh-races needs root (network namespaces)"
	test_exit
fi

N=3
ROUNDS=${MESH_RACES_ROUNDS:-5}
P=wr$$
UNDERLAY=${P}u
NET=192.168.217
TMP=$(mktemp -d /tmp/test-mesh-races.XXXXXX)
declare -A PIDS=()

host() { echo "${P}h$1"; }
hexec() {
	local h=$1
	shift
	ip netns exec "$(host "$h")" "$@"
}

# show_logs hosts...
show_logs() {
	local i
	for i in "$@"; do
		[[ -s $TMP/host$i.log ]] || continue
		echo "--- weaver log of host$i (last 30 lines)"
		tail -n 30 "$TMP/host$i.log"
	done
}

# stop_all: ends the weavers; their logs are kept in all.log for the sanitizer check.
stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null # a stopped weaver would not see the SIGTERM
		kill "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	PIDS=()
	cat "$TMP"/host*.log >>"$TMP/all.log" 2>/dev/null
}

cleanup() {
	local i
	stop_all
	for i in $(seq 1 "$N"); do
		ip netns del "$(host "$i")" 2>/dev/null
	done
	ip netns del "$UNDERLAY" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

setup_underlay() {
	local i
	underlay_new "$UNDERLAY" || return 1
	underlay_bridge "$UNDERLAY" br0 || return 1
	for i in $(seq 1 "$N"); do
		underlay_host "$UNDERLAY" br0 "$(host "$i")" "${P}e$i" "$NET.$i/24" || return 1
	done
}

# start_weaver i peers...: a fresh weaver on host i (new state, new log).
start_weaver() {
	local i=$1
	shift
	rm -rf "$TMP/host$i"
	mkdir -p "$TMP/host$i"
	# Not through hexec: $! must be weaver itself (ip netns exec and env exec it).
	ip netns exec "$(host "$i")" env WEAVE_STATE_DIR="$TMP/host$i/state" WEAVE_RUN_DIR="$TMP/host$i/run" \
		"$WEAVE_BIN/weaver" --nickname "host$i" --http-addr 127.0.0.1:6784 \
		--status-addr 127.0.0.1:6782 "$@" >"$TMP/host$i.log" 2>&1 &
	PIDS[$i]=$!
}

connections() {
	hexec "$1" curl -sf --max-time 2 http://127.0.0.1:6784/status/connections 2>/dev/null
}

# established i n: host i lists exactly n connections, all established (no failed target).
established() {
	local out
	out=$(connections "$1") || return 1
	[[ $(grep -c ' established ' <<<"$out") == "$2" && $(grep -c . <<<"$out") == "$2" ]]
}

# meshed n hosts...: each of the hosts has n established connections and nothing else.
meshed() {
	local n=$1 i
	shift
	for i in "$@"; do
		established "$i" "$n" || return 1
	done
}

# round_result what seconds n hosts...: passes when the hosts mesh in time, else shows why.
round_result() {
	local what=$1 secs=$2 n=$3 i
	shift 3
	if wait_for "$secs" meshed "$n" "$@"; then
		pass "$what: full mesh within $secs s"
		return 0
	fi
	fail "$what: no full mesh within $secs s"
	for i in "$@"; do
		echo "--- host$i: weave status connections"
		connections "$i"
	done
	show_logs "$@"
	return 1
}

# Two weavers at the same instant, each naming the other.
simultaneous_pair() {
	local r=$1
	start_weaver 1 "$NET.2"
	start_weaver 2 "$NET.1"
	round_result "round $r: two weavers started together, each naming the other" 20 1 1 2
	stop_all
}

# A chain launched back to back: host2 -> host1, host3 -> host2, nothing awaited in between.
back_to_back_chain() {
	local r=$1
	start_weaver 1
	start_weaver 2 "$NET.1"
	start_weaver 3 "$NET.2"
	round_result "round $r: a chain of three launched back to back" 30 2 1 2 3
	stop_all
}

# host2 has no address yet when its weaver starts: its dial to host1 fails at once.
launched_before_network() {
	ip -n "$(host 2)" addr flush dev eth0
	start_weaver 1
	start_weaver 2 "$NET.1"
	if wait_for 10 bash -c "ip netns exec $(host 2) curl -sf --max-time 2 \
			http://127.0.0.1:6784/status/connections | grep -q 'network is unreachable, retry: '"; then
		pass "before its network is up, host2's target fails with 'network is unreachable'"
	else
		fail "host2's target did not fail with 'network is unreachable'"
		connections 2
	fi
	ip -n "$(host 2)" addr add "$NET.2/24" dev eth0
	# Back-off: the next tries come within [1 s, 3 s), [1.5 s, 4.5 s), ...
	round_result "once host2's address is up, the failed target is retried" 20 1 1 2
	stop_all
}

# host1's weaver is stopped (SIGSTOP) while host2 dials it: the kernel completes the TCP
# handshake, the mesh handshake times out after 10 s; once host1 runs again the retry works.
handshake_timeout() {
	start_weaver 1
	wait_for 10 hexec 1 curl -sf --max-time 2 http://127.0.0.1:6784/status >/dev/null
	kill -STOP "${PIDS[1]}"
	start_weaver 2 "$NET.1"
	if wait_for 20 bash -c "ip netns exec $(host 2) curl -sf --max-time 2 \
			http://127.0.0.1:6784/status/connections | grep -q 'handshake with $NET.1:6783 timed out'"; then
		pass "with host1's weaver stopped, host2's handshake times out"
	else
		fail "host2's handshake with the stopped host1 did not time out"
		connections 2
	fi
	kill -CONT "${PIDS[1]}"
	round_result "after a handshake timeout, the retry connects" 20 1 1 2
	stop_all
}

if ! setup_underlay; then
	fail "could not build the underlay namespaces"
	test_exit
fi
if ! wait_for 5 hexec 2 ping -c 1 -W 1 "$NET.1" >/dev/null; then
	fail "the underlay does not connect the hosts: stopping"
	test_exit
fi
pass "the underlay connects the hosts"

for r in $(seq 1 "$ROUNDS"); do
	simultaneous_pair "$r"
	back_to_back_chain "$r"
done
handshake_timeout
launched_before_network

check "no weaver log reports a sanitizer error" bash -c "! grep -l 'ERROR: AddressSanitizer\|runtime error:' $TMP/all.log"
test_exit
