#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Faults with the real CLI on the seed topology (4 hosts, two subnets joined by a router netns):
# self-connection, two peers with the same name, and a partition between the subnets and its healing.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"
# shellcheck source=tests/underlay.sh
source "$WEAVE_TOP/tests/underlay.sh"

if [[ $(id -u) != 0 ]]; then
	skip "test-faults needs root (network namespaces)"
	test_exit
fi
if [[ ! -x $WEAVE_BIN/weaver ]]; then
	fail "no weaver in $WEAVE_BIN: the fault tests need it"
	test_exit
fi

id=$$
rt=wfr-$id
# host5 is the impostor that takes host1's name; it has no container (9 namespaces + 1).
hosts=("" "wfh1-$id" "wfh2-$id" "wfh3-$id" "wfh4-$id" "wfh5-$id")
ctrs=("" "wfc1-$id" "wfc2-$id" "wfc3-$id" "wfc4-$id")
ips=("" 192.168.61.11 192.168.61.12 192.168.61.13 192.168.62.14 192.168.61.15)
tmp=$(mktemp -d /tmp/weave-faults.XXXXXX)
mac_re='[0-9a-f]{2}(:[0-9a-f]{2}){5}'
names=()

# wv i args...: weave on host i, with that host's own directories and API address.
wv() {
	local i=$1
	shift
	ip netns exec "${hosts[i]}" env WEAVE_STATE_DIR="$tmp/h$i/state" WEAVE_RUN_DIR="$tmp/h$i/run" \
		WEAVE_HTTP_ADDR=127.0.0.1:6784 WEAVE_STATUS_ADDR=127.0.0.1:6782 weave "$@"
}

cleanup() {
	local i ns
	for i in 1 2 3 4 5; do
		if ((TEST_FAILED)) && [[ -s $tmp/h$i/run/weaver.log ]]; then
			echo "--- weaver log of host$i (last 30 lines)"
			tail -n 30 "$tmp/h$i/run/weaver.log"
		fi
		wv "$i" reset >/dev/null 2>&1
	done
	for ns in "$rt" "${hosts[@]:1}" "${ctrs[@]:1}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The underlay: router namespace with br1 (192.168.61.0/24: hosts 1-3 and 5) and br2
# (192.168.62.0/24: host 4), forwarding between them.
make_underlay() {
	local i br gw
	underlay_new "$rt" forward || return 1
	underlay_bridge "$rt" br1 192.168.61.1/24 || return 1
	underlay_bridge "$rt" br2 192.168.62.1/24 || return 1
	for i in 1 2 3 4 5; do
		br=br1 gw=192.168.61.1
		((i == 4)) && br=br2 gw=192.168.62.1
		underlay_host "$rt" "$br" "${hosts[i]}" "u$i" "${ips[i]}/24" "$gw" || return 1
		((i <= 4)) && { ip netns add "${ctrs[i]}" || return 1; }
		mkdir -p "$tmp/h$i"
	done
}

# field i label: the value of one line of host i's `weave status`.
field() { wv "$1" status 2>/dev/null | sed -n "s/^ *$2: //p"; }

status_is() { [[ $(field "$1" Connections) == "$2" && $(field "$1" Peers) == "$3" ]]; }
peers_is() { [[ $(field "$1" Peers) == "$2" ]]; }

full_mesh() {
	local i
	for i in 1 2 3 4; do
		status_is "$i" "3 (3 established)" "4 (with 12 established connections)" || return 1
	done
}

# launch i args...: weave launch on host i; it must print a peer name.
launch() {
	local i=$1 out rc
	shift
	out=$(wv "$i" launch --nickname "host$i" "$@" 2>&1)
	rc=$?
	if ((rc != 0)) || ! grep -Eqx "$mac_re" <<<"$out"; then
		fail "host$i: weave launch $* exited $rc without printing a peer name: $out"
		return 1
	fi
	names[i]=$out
	pass "host$i: weave launch $* prints its peer name $out"
}

quiet() { "$@" >/dev/null 2>&1; }
pings() { ip netns exec "${ctrs[$1]}" ping -c 1 -W 1 "10.32.0.$2" >/dev/null 2>&1; }

# check_pings "what" pairs...: every pair "i:j" pings (container on host i to the one on host j).
check_pings() {
	local what=$1 p
	shift
	for p in "$@"; do
		check "$what: container on host${p%:*} pings the one on host${p#*:}" \
			wait_for 20 pings "${p%:*}" "${p#*:}"
	done
}

# no_established_with i nick: host i lists no established connection to (nick).
no_established_with() { ! wv "$1" status connections | grep -q " established .*($2)"; }

# A connection-status line as Weave lays it out: "-> %-21s %-11s <info> <attrs>", the attrs
# empty for a failed target (hence the trailing space).
conn_line() { printf -- '-> %-21s %-11s %s ' "$1" "$2" "$3"; }
has_line() { wv "$1" status connections | grep -qxF -- "$2"; }

# --- the mesh ---------------------------------------------------------------------------------
if ! make_underlay; then
	fail "could not build the underlay namespaces"
	test_exit
fi
if ! wait_for 5 quiet ip netns exec "${hosts[4]}" ping -c 1 -W 1 "${ips[1]}"; then
	fail "the underlay does not route between the subnets: stopping"
	test_exit
fi
pass "the underlay routes between the subnets"

if ! { launch 1 && launch 2 "${ips[1]}" && launch 3 "${ips[2]}" && launch 4 "${ips[3]}"; }; then
	test_exit
fi
if wait_for 60 full_mesh; then
	pass "chain join: every host shows Connections: 3 (3 established), Peers: 4 (with 12 established connections)"
else
	fail "chain join: no full mesh within 60 s"
	test_exit
fi
for i in 1 2 3 4; do
	check_eq "host$i: weave attach prints the address" "$(wv "$i" attach "10.32.0.$i/12" "${ctrs[i]}" 2>&1)" "10.32.0.$i"
done
check_pings "full mesh" 1:4 4:1 2:4 3:4 1:2

# --- self-connection through the CLI ----------------------------------------------------------
check "self: weave connect ${ips[1]} exits 0" wv 1 connect "${ips[1]}"
want=$(conn_line "${ips[1]}:6783" failed "cannot connect to ourself, retry: never")
check "self: host1's status connections shows '$want'" wait_for 10 has_line 1 "$want"
check "self: weave forget ${ips[1]} exits 0" wv 1 forget "${ips[1]}"
check_eq "self: host1's targets are empty again" "$(wv 1 status targets)" ""

# --- two peers with the same name -------------------------------------------------------------
if launch 5 --name "${names[1]}" "${ips[1]}"; then
	want=$(conn_line "${ips[1]}:6783" failed \
		"local \"${names[1]}(host5)\" and remote \"${names[1]}(host1)\" peer names collision, retry: never")
	if wait_for 15 has_line 5 "$want"; then
		pass "same name: host5's status connections shows '$want'"
	else
		fail "same name: host5's status connections is '$(wv 5 status connections)', want '$want'"
	fi
	check_eq "same name: host5 knows only itself" "$(field 5 Peers)" 1
	sleep 3
	check "same name: the mesh of the others is unaffected (3 established, 4 peers, 12 connections each)" full_mesh
	check "same name: host1 does not list host5" bash -c "! ip netns exec ${hosts[1]} env WEAVE_RUN_DIR=$tmp/h1/run weave status peers | grep -q '(host5)'"
	check "same name: host5 weave reset exits 0" wv 5 reset
fi

# --- a partition between the subnets and its healing ------------------------------------------
# br2 down in the router: host4's subnet is unreachable from the others and vice versa.
ip -n "$rt" link set br2 down
cut_at=$SECONDS
cut_seen() {
	local i
	peers_is 4 1 && no_established_with 4 'host[123]' || return 1
	for i in 1 2 3; do
		peers_is "$i" "3 (with 6 established connections)" && no_established_with "$i" host4 || return 1
	done
}
if wait_for 120 cut_seen; then
	pass "partition: after $((SECONDS - cut_at)) s host4 sees Peers: 1 and hosts 1-3 see Peers: 3 (with 6 established connections), no established connection across"
else
	fail "partition: not noticed within 120 s"
	for i in 1 2 3 4; do
		echo "    host$i: Connections: $(field "$i" Connections); Peers: $(field "$i" Peers)"
	done
fi
check_eq "partition: host4's Connections line has no established one" \
	"$(field 4 Connections | grep -c established)" 0
check_pings "partition: same side" 1:2 2:3 3:1
check "partition: the container on host1 cannot reach the one on host4" bash -c "! ip netns exec ${ctrs[1]} ping -c 2 -W 1 10.32.0.4 >/dev/null 2>&1"

ip -n "$rt" link set br2 up
healed_at=$SECONDS
if wait_for 60 full_mesh; then
	pass "healing: $((SECONDS - healed_at)) s after the router is back every host shows Connections: 3 (3 established), Peers: 4 (with 12 established connections)"
else
	fail "healing: no full mesh within 60 s"
	for i in 1 2 3 4; do
		echo "    host$i: Connections: $(field "$i" Connections); Peers: $(field "$i" Peers)"
	done
fi
for i in 1 2 3 4; do
	check_eq "healing: host$i: Connections" "$(field "$i" Connections)" "3 (3 established)"
	check_eq "healing: host$i: Peers" "$(field "$i" Peers)" "4 (with 12 established connections)"
done
check_pings "healing: across" 1:4 4:1 2:4 4:2 3:4 4:3
test_exit
