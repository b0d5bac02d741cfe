#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# weaver end to end on this machine's kernel (sleeve datapath): three hosts as network
# namespaces on a bridged underlay, joined as a chain (host2 -> host1, host3 -> host2), must
# form a full mesh by discovery; containers (namespaces on each host's bridge `weave`) ping
# across all hosts; a weaver killed with SIGKILL is noticed and the mesh heals after restart.
#
#   underlay ns (bridge br0, 192.168.213.0/24)
#     |-- host1 (eth0 .1) -- weaver -- bridge weave -- container c1 (10.32.0.1/12)
#     |-- host2 (eth0 .2) -- weaver -- bridge weave -- container c2 (10.32.0.2/12)
#     '-- host3 (eth0 .3) -- weaver -- bridge weave -- container c3 (10.32.0.3/12)
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"
# shellcheck source=tests/underlay.sh
source "$WEAVE_TOP/tests/underlay.sh"

if [[ $(id -u) != 0 ]]; then
	skip "test-weaver needs root (network namespaces)"
	test_exit
fi

N=3
P=wv$$
UNDERLAY=${P}u
TMP=$(mktemp -d /tmp/test-weaver.XXXXXX)
declare -A PIDS=()

host() { echo "${P}h$1"; }
ctr() { echo "${P}c$1"; }
hexec() {
	local h=$1
	shift
	ip netns exec "$(host "$h")" "$@"
}

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for i in $(seq 1 $((N + 1))); do
		ip netns del "$(ctr "$i")" 2>/dev/null
		ip netns del "$(host "$i")" 2>/dev/null
	done
	ip netns del "$UNDERLAY" 2>/dev/null
	if ((TEST_FAILED)) || [[ -n ${KEEP_LOGS:-} ]]; then
		for i in $(seq 1 $((N + 1))); do
			echo "--- weaver log of host$i (last 40 lines)"
			tail -n 40 "$TMP/host$i.log" 2>/dev/null
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

setup_underlay() {
	underlay_new "$UNDERLAY" || return 1
	underlay_bridge "$UNDERLAY" br0 || return 1
	for i in $(seq 1 "$N"); do
		underlay_host "$UNDERLAY" br0 "$(host "$i")" "${P}e$i" "192.168.213.$i/24" || return 1
	done
}

start_weaver() {
	local i=$1
	shift
	mkdir -p "$TMP/host$i"
	# Not through hexec: $! must be weaver itself (ip netns exec and env exec it).
	ip netns exec "$(host "$i")" env WEAVE_STATE_DIR="$TMP/host$i/state" WEAVE_RUN_DIR="$TMP/host$i/run" \
		"$WEAVE_BIN/weaver" --nickname "host$i" --http-addr 127.0.0.1:6784 \
		--status-addr 127.0.0.1:6782 "$@" >>"$TMP/host$i.log" 2>&1 &
	PIDS[$i]=$!
}

# GET path on host i's HTTP API, through curl or bash's /dev/tcp.
http_get() {
	local i=$1 path=$2
	if command -v curl >/dev/null; then
		hexec "$i" curl -sf --max-time 2 "http://127.0.0.1:6784$path"
	else
		hexec "$i" bash -c "exec 3<>/dev/tcp/127.0.0.1/6784 && printf 'GET %s HTTP/1.0\r\n\r\n' '$path' >&3 && sed '1,/^\r\$/d' <&3"
	fi
}

status_ok() {
	http_get "$1" /status >/dev/null
}

established_count() {
	http_get "$1" /status/connections 2>/dev/null | grep -c ' established '
}

has_established() {
	[[ $(established_count "$1") == "$2" ]]
}

all_established() {
	local i
	for i in $(seq 1 "$N"); do
		has_established "$i" "$1" || return 1
	done
}

add_container() {
	local i=$1 c
	c=$(ctr "$i")
	ip netns add "$c" || return 1
	ip -n "$c" link set lo up
	hexec "$i" ip link add "vethwc$i" type veth peer name ethwe netns "$c" || return 1
	hexec "$i" ip link set "vethwc$i" mtu 1376 master weave up || return 1
	ip -n "$c" link set ethwe mtu 1376 up
	ip -n "$c" addr add "10.32.0.$i/12" dev ethwe
}

ping_from() {
	ip netns exec "$(ctr "$1")" ping -c 1 -W 1 "10.32.0.$2" >/dev/null 2>&1
}

ping_all() {
	local i j
	for i in $(seq 1 "$N"); do
		for j in $(seq 1 "$N"); do
			((i == j)) && continue
			check "container on host$i pings the one on host$j" wait_for 10 ping_from "$i" "$j"
		done
	done
}

if ! setup_underlay; then
	fail "could not build the underlay namespaces"
	test_exit
fi

start_weaver 1
if ! wait_for 10 status_ok 1; then
	fail "host1's weaver answers GET /status"
	test_exit
fi
pass "host1's weaver answers GET /status"
check "it created the bridge weave" hexec 1 test -d /sys/class/net/weave/bridge
check "its router port is on the bridge" bash -c "ip netns exec $(host 1) ip link show vethwe-pcap | grep -q 'master weave'"
check "the pid file is under WEAVE_RUN_DIR" test -s "$TMP/host1/run/weaver.pid"
check "the database is under WEAVE_STATE_DIR" test -s "$TMP/host1/state/weave-netdata.db"

start_weaver 2 192.168.213.1
check "host2 -> host1: 1 established connection on host1" wait_for 20 has_established 1 1
check "host2 -> host1: 1 established connection on host2" wait_for 20 has_established 2 1
start_weaver 3 192.168.213.2
check "chain join: every host reaches 2 established connections" wait_for 30 all_established 2
check_eq "host1 knows 3 peers" "$(http_get 1 /status/peers | grep -cv '^ ')" 3
check_eq "host3's target is host2" "$(http_get 3 /status/targets)" "192.168.213.2"

name1=$(http_get 1 /status | sed -n 's/^ *Name: \([0-9a-f:]*\)(host1)$/\1/p')
name2=$(http_get 2 /status | sed -n 's/^ *Name: \([0-9a-f:]*\)(host2)$/\1/p')
check "the hosts have distinct names (from their bridges' MACs)" test -n "$name1" -a "$name1" != "$name2"
bridge_mac=$(hexec 1 cat /sys/class/net/weave/address)
check_eq "host1's name is its bridge's MAC" "$name1" "$bridge_mac"

for i in $(seq 1 "$N"); do
	check "container on host$i" add_container "$i"
done
ping_all

# Kill host1's weaver: the others lose their connection to it; after a restart it rejoins.
kill -9 "${PIDS[1]}"
wait "${PIDS[1]}" 2>/dev/null
unset 'PIDS[1]'
check "after kill -9 of host1's weaver host2 has 1 established connection" wait_for 20 has_established 2 1
check "and host3 too" wait_for 20 has_established 3 1
check "host2 forgets host1 (2 peers)" wait_for 10 bash -c "[[ \$(ip netns exec $(host 2) curl -sf http://127.0.0.1:6784/status/peers | grep -cv '^ ') == 2 ]]"
start_weaver 1
check "the restarted weaver answers" wait_for 10 status_ok 1
name1b=$(http_get 1 /status | sed -n 's/^ *Name: \([0-9a-f:]*\)(host1)$/\1/p')
check_eq "it kept its name" "$name1b" "$name1"
check "the mesh heals: every host has 2 established connections again" wait_for 60 all_established 2
ping_all

# Bad input: garbage on TCP and UDP 6783 is logged and dropped, the mesh is unaffected.
hexec 2 bash -c 'printf "GARBAGE-NOT-WEAVE\n" >/dev/tcp/192.168.213.1/6783' 2>/dev/null
hexec 2 bash -c 'printf "weave\x01\x02\x00garbage" >/dev/tcp/192.168.213.1/6783' 2>/dev/null
hexec 2 bash -c 'head -c 3000 /dev/urandom >/dev/udp/192.168.213.1/6783' 2>/dev/null
hexec 2 bash -c 'printf "\x02\x00\x00\x00\x00\x01short" >/dev/udp/192.168.213.1/6783' 2>/dev/null
sleep 1
check "garbage on TCP is logged as a protocol error" grep -q "remote protocol header not recognised" "$TMP/host1.log"
check "after garbage, host1 still has 2 established connections" has_established 1 2
check "and its weaver is still running" kill -0 "${PIDS[1]}"

# Connecting to ourselves fails for good, with Weave's text.
hexec 1 curl -sf -X POST -d peer=192.168.213.1 http://127.0.0.1:6784/connect >/dev/null
self_failed() {
	http_get 1 /status/connections | grep -q "192.168.213.1:6783 *failed *cannot connect to ourself, retry: never"
}
check "connect to ourselves: 'cannot connect to ourself, retry: never'" wait_for 10 self_failed
hexec 1 curl -sf -X POST -d peer=192.168.213.1 http://127.0.0.1:6784/forget >/dev/null
check_eq "forget drops the target" "$(http_get 1 /status/targets)" ""

# Encryption: every weaver restarted with a password; a host with another one is refused.
for i in $(seq 1 "$N"); do
	kill -TERM "${PIDS[$i]}"
	wait "${PIDS[$i]}"
	unset "PIDS[$i]"
done
WEAVE_PASSWORD=s3cret start_weaver 1
WEAVE_PASSWORD=s3cret start_weaver 2 192.168.213.1
WEAVE_PASSWORD=s3cret start_weaver 3 192.168.213.2
check "encrypted chain join: full mesh" wait_for 30 all_established 2
check "weave status says Encryption: enabled" bash -c "ip netns exec $(host 1) curl -sf http://127.0.0.1:6784/status | grep -q 'Encryption: enabled'"
check "connections are listed as encrypted" bash -c "ip netns exec $(host 1) curl -sf http://127.0.0.1:6784/status/connections | grep -q ' established encrypted *sleeve '"
hexec 2 timeout 10 tcpdump -i eth0 -U -w "$TMP/cap.pcap" udp port 6783 2>/dev/null &
tcpdump_pid=$!
sleep 1
ip netns exec "$(ctr 1)" ping -c 3 -i 0.2 -p 5eedfacecafe 10.32.0.2 >/dev/null 2>&1
check "encrypted: the containers ping" ping_from 1 2
sleep 1
kill "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null
check "the capture holds sleeve traffic" test -s "$TMP/cap.pcap"
check "no ping payload in clear on UDP 6783" bash -c "! od -An -tx1 -v '$TMP/cap.pcap' | tr -d ' \n' | grep -q 5eedfacecafe5eedfacecafe"
PW_HOST=4
ip netns add "$(host $PW_HOST)"
ip -n "$(host $PW_HOST)" link set lo up
ip link add "${P}e$PW_HOST" type veth peer name eth0 netns "$(host $PW_HOST)"
ip link set "${P}e$PW_HOST" netns "$UNDERLAY"
ip -n "$UNDERLAY" link set "${P}e$PW_HOST" master br0 up
ip -n "$(host $PW_HOST)" addr add "192.168.213.$PW_HOST/24" dev eth0
ip -n "$(host $PW_HOST)" link set eth0 up
WEAVE_PASSWORD=wrong start_weaver $PW_HOST 192.168.213.1
wrong_refused() {
	http_get "$PW_HOST" /status/connections | grep -q "192.168.213.1:6783 *failed *Unable to decrypt TCP msg"
}
check "a host with the wrong password is refused (Unable to decrypt TCP msg)" wait_for 15 wrong_refused
check "and the mesh keeps its 3 peers" bash -c "[[ \$(ip netns exec $(host 1) curl -sf http://127.0.0.1:6784/status/peers | grep -cv '^ ') == 3 ]]"

kill -TERM "${PIDS[2]}"
wait "${PIDS[2]}"
rc=$?
unset 'PIDS[2]'
check_eq "SIGTERM: weaver exits 0" "$rc" 0
check "SIGTERM: the pid file is removed" test ! -e "$TMP/host2/run/weaver.pid"
test_exit
