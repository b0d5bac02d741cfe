#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The seed scenario with the real weaver: four hosts (network namespaces, each with its own
# WEAVE_STATE_DIR and WEAVE_RUN_DIR) on an underlay of two subnets joined by a router
# namespace; host1 launches, host2 joins host1, host3 joins host2, host4 (other subnet)
# joins host3, and the chain becomes a full mesh: 4 peers, 12 established connections.
# `weave status`, `status connections`, `status peers` checked field by field; a container
# on every host pings every other; `weave reset` leaves nothing; a star join does the same.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"
# shellcheck source=tests/underlay.sh
source "$WEAVE_TOP/tests/underlay.sh"

if [[ ! -x $WEAVE_BIN/weaver ]]; then
	fail "no weaver in $WEAVE_BIN: the seed scenario needs it"
	test_exit
fi

id=$$
ul=wsu-$id
hosts=("" "wsh1-$id" "wsh2-$id" "wsh3-$id" "wsh4-$id")
ctrs=("" "wsc1-$id" "wsc2-$id" "wsc3-$id" "wsc4-$id")
ips=("" 192.168.51.11 192.168.51.12 192.168.51.13 192.168.52.14)
tmp=$(mktemp -d /tmp/weave-seed.XXXXXX)
mac_re='[0-9a-f]{2}(:[0-9a-f]{2}){5}'

# wv i args...: weave on host i, with that host's own directories and API address.
wv() {
	local i=$1
	shift
	ip netns exec "${hosts[i]}" env WEAVE_STATE_DIR="$tmp/h$i/state" WEAVE_RUN_DIR="$tmp/h$i/run" \
		WEAVE_HTTP_ADDR=127.0.0.1:6784 WEAVE_STATUS_ADDR=127.0.0.1:6782 weave "$@"
}

cleanup() {
	local i
	for i in 1 2 3 4; do
		wv "$i" reset >/dev/null 2>&1
	done
	for ns in "$ul" "${hosts[@]:1}" "${ctrs[@]:1}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# The underlay: router namespace with br1 (192.168.51.0/24, hosts 1-3) and br2
# (192.168.52.0/24, host 4), forwarding between them.
make_underlay() {
	local i br gw
	underlay_new "$ul" forward || return 1
	underlay_bridge "$ul" br1 192.168.51.1/24 || return 1
	underlay_bridge "$ul" br2 192.168.52.1/24 || return 1
	for i in 1 2 3 4; do
		br=br1 gw=192.168.51.1
		((i == 4)) && br=br2 gw=192.168.52.1
		underlay_host "$ul" "$br" "${hosts[i]}" "u$i" "${ips[i]}/24" "$gw" || return 1
		ip netns add "${ctrs[i]}"
		mkdir -p "$tmp/h$i"
	done
}

# field i label: the value of one line of host i's `weave status`.
field() { wv "$1" status 2>/dev/null | sed -n "s/^ *$2: //p"; }

status_is() { [[ $(field "$1" Connections) == "$2" && $(field "$1" Peers) == "$3" ]]; }

full_mesh() {
	local i
	for i in 1 2 3 4; do
		status_is "$i" "3 (3 established)" "4 (with 12 established connections)" || return 1
	done
}

# launch i args...: weave launch on host i; checks it prints the peer name. Fails (and
# shows weave's output) when it doesn't.
launch() {
	local i=$1 out rc line
	shift
	out=$(wv "$i" "$@" --nickname "host$i" 2>&1)
	rc=$?
	[[ -f $tmp/h$i/run/weaver.pid ]] && pids[i]=$(cat "$tmp/h$i/run/weaver.pid")
	if ((rc != 0)) || ! grep -Eqx "$mac_re" <<<"$out"; then
		fail "$mode: host$i: weave $* exited $rc without printing a peer name:"
		while IFS= read -r line; do printf '    | %s\n' "$line"; done <<<"$out"
		return 1
	fi
	pass "$mode: host$i: weave $1 exits 0 and prints the peer name $out"
	names[i]=$out
}

check_first_status() {
	local out version want rc
	out=$(wv 1 status)
	version=$(sed -n 's/^        Version: \([^ ]*\) (version check update disabled)$/\1/p' <<<"$out")
	check "$mode: host1: the version line claims no version check" test -n "$version"
	want=$(printf '\n        Version: %s (version check update disabled)\n\n' "$version"
		printf '        Service: router\n       Protocol: weave 1..2\n'
		printf '           Name: %s(host1)\n     Encryption: disabled\n' "${names[1]}"
		printf '  PeerDiscovery: enabled\n        Targets: 0\n    Connections: 0\n'
		printf '          Peers: 1\n TrustedSubnets: none\n\n')
	check_eq "$mode: host1: weave status, alone" "$out" "$want"
	check_eq "$mode: host1: weave status targets is empty" "$(wv 1 status targets)" ""
	check_eq "$mode: host1: weave status connections is empty" "$(wv 1 status connections)" ""
	check_eq "$mode: host1: weave status peers lists itself" "$(wv 1 status peers)" "${names[1]}(host1)"
	out=$(wv 1 launch 2>&1)
	rc=$?
	check_eq "$mode: host1: a second launch is refused ($out)" "$rc" 1
	check "$mode: host1: ... with Weave's text" grep -q "^Weave Net is already running" <<<"$out"
}

check_second() {
	if ! wait_for 30 status_is 2 "1 (1 established)" "2 (with 2 established connections)"; then
		fail "$mode: host2 did not get 1 established connection within 30 s"
	fi
	check_eq "$mode: host2: Targets" "$(field 2 Targets)" 1
	check_eq "$mode: host2: Connections" "$(field 2 Connections)" "1 (1 established)"
	check_eq "$mode: host2: Peers" "$(field 2 Peers)" "2 (with 2 established connections)"
	check_eq "$mode: host2: status targets" "$(wv 2 status targets)" "${ips[1]}"
	check_eq "$mode: host1: Targets" "$(field 1 Targets)" 0
	check_eq "$mode: host1: Connections" "$(field 1 Connections)" "1 (1 established)"
}

# One `weave status connections` line: "<dir> %-21s %-11s sleeve <name>(<nick>) <attrs>".
connection_line_ok() {
	local line=$1 dir=${1:0:2} addr=${1:3:21} state=${1:25:11} info=${1:37}
	[[ $dir == "->" || $dir == "<-" ]] && [[ ${line:2:1} == " " && ${line:24:1} == " " ]] &&
		[[ ${line:36:1} == " " ]] && [[ $addr =~ ^[0-9.]+:[0-9]+\ *$ ]] &&
		[[ $state == "established" ]] &&
		[[ $info =~ ^sleeve\ ${mac_re}\(host[1-4]\)\ ?([a-z]+=[^ ]*)*$ ]]
}

check_connections() {
	local i=$1 out line nicks bad=0 want
	out=$(wv "$i" status connections)
	check_eq "$mode: host$i: status connections has 3 lines" "$(grep -c . <<<"$out")" 3
	while IFS= read -r line; do
		connection_line_ok "$line" || {
			bad=1
			fail "$mode: host$i: connection line '$line'"
		}
	done <<<"$out"
	((bad)) || pass "$mode: host$i: every connection line is laid out as Weave's, established, sleeve"
	nicks=$(grep -Eo '\(host[1-4]\)' <<<"$out" | sort | paste -sd ' ')
	want=$(for j in 1 2 3 4; do ((j != i)) && echo "(host$j)"; done | paste -sd ' ')
	check_eq "$mode: host$i: connected to the three others" "$nicks" "$want"
	for j in 1 2 3 4; do
		grep -q "${names[j]}(host$j)" <<<"$out" || ((j == i)) ||
			fail "$mode: host$i: no connection names ${names[j]}(host$j)"
	done
}

# `weave status peers`: each peer "name(nick)", then its connections
# "   <dir> %-21s %-37s established".
check_peers() {
	local i=$1 out line peers=0 conns=0 bad=0 name
	out=$(wv "$i" status peers)
	while IFS= read -r line; do
		if [[ $line =~ ^${mac_re}\(host[1-4]\)$ ]]; then
			peers=$((peers + 1))
		elif [[ ${line:0:3} == "   " && (${line:3:2} == "->" || ${line:3:2} == "<-") &&
			${line:5:1} == " " && ${line:6:21} =~ ^[0-9.]+:[0-9]+\ *$ && ${line:27:1} == " " &&
			${line:28:37} =~ ^${mac_re}\(host[1-4]\)\ *$ && ${line:65} == " established" ]]; then
			conns=$((conns + 1))
		else
			bad=1
			fail "$mode: host$i: status peers line '$line'"
		fi
	done <<<"$out"
	((bad)) || pass "$mode: host$i: every status peers line is laid out as Weave's"
	check_eq "$mode: host$i: status peers lists 4 peers" "$peers" 4
	check_eq "$mode: host$i: ... with 12 established connections" "$conns" 12
	for j in 1 2 3 4; do
		name="${names[j]}(host$j)"
		check_eq "$mode: host$i: $name has 3 connections" \
			"$(awk -v p="$name" '/^[^ ]/ {cur = ($0 == p)} /^   / && cur' <<<"$out" | grep -c established)" 3
	done
}

check_full_mesh() {
	local i targets
	if wait_for 60 full_mesh; then
		pass "$mode: every host has 3 established connections and sees 4 peers"
	else
		fail "$mode: no full mesh within 60 s"
	fi
	for i in 1 2 3 4; do
		check_eq "$mode: host$i: Connections" "$(field "$i" Connections)" "3 (3 established)"
		check_eq "$mode: host$i: Peers" "$(field "$i" Peers)" "4 (with 12 established connections)"
		targets=1
		((i == 1)) && targets=0
		check_eq "$mode: host$i: Targets" "$(field "$i" Targets)" "$targets"
		check_eq "$mode: host$i: Encryption" "$(field "$i" Encryption)" disabled
		check_eq "$mode: host$i: Name" "$(field "$i" Name)" "${names[i]}(host$i)"
		check_connections "$i"
		check_peers "$i"
	done
	return 0
}

ping_all() {
	local i j
	for i in 1 2 3 4; do
		out=$(wv "$i" attach "10.32.0.$i/12" "${ctrs[i]}" 2>&1)
		check_eq "$mode: host$i: attach prints the address" "$out" "10.32.0.$i"
	done
	for i in 1 2 3 4; do
		for j in 1 2 3 4; do
			((i == j)) && continue
			if wait_for 20 ip netns exec "${ctrs[i]}" ping -c 1 -W 1 "10.32.0.$j" >/dev/null; then
				pass "$mode: container on host$i pings the one on host$j"
			else
				fail "$mode: container on host$i cannot ping the one on host$j"
			fi
		done
	done
	check "$mode: host2: ps lists its container" bash -c \
		"[[ \$(ip netns exec ${hosts[2]} env WEAVE_RUN_DIR=$tmp/h2/run weave ps) == '${ctrs[2]} '*' 10.32.0.2/12' ]]"
}

# gone pid: the process has exited (a zombie waiting for init to reap it counts as gone).
gone() {
	local state
	[[ -z $1 ]] && return 0
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	[[ $state == Z* ]]
}

reset_all() {
	local i
	for i in 1 2 3 4; do
		check "$mode: host$i: weave reset exits 0" wv "$i" reset
		check "$mode: host$i: no bridge weave is left" bash -c "! ip -n ${hosts[i]} link show weave 2>/dev/null"
		check_eq "$mode: host$i: no vethwe* link is left" \
			"$(ip -n "${hosts[i]}" -o link | grep -c vethwe)" 0
		check_eq "$mode: host$i: no database is left" \
			"$(find "$tmp/h$i/state" -name 'weave-net*' 2>/dev/null | wc -l)" 0
		check "$mode: host$i: no pid file is left" test ! -e "$tmp/h$i/run/weaver.pid"
		check "$mode: host$i: weaver is gone" gone "${pids[i]:-}"
		check "$mode: host$i: the container lost ethwe" bash -c "! ip -n ${ctrs[i]} link show ethwe 2>/dev/null"
		check_eq "$mode: host$i: weave status says it is not running" \
			"$(wv "$i" status 2>&1 | grep -c 'weave is not running')" 1
	done
}

# Chain: host3 joins host2, host4 joins host3; star: both join host1. The checks after a
# failed launch would only repeat it, so the scenario then goes straight to the reset.
run_scenario() {
	mode=$1
	names=() pids=()
	if launch 1 launch; then
		check_first_status
		if launch 2 launch-router "${ips[1]}"; then
			check_second
			if [[ $mode == chain ]]; then
				launch 3 launch-router "${ips[2]}" && launch 4 launch-router "${ips[3]}"
			else
				launch 3 launch-router "${ips[1]}" && launch 4 launch-router "${ips[1]}"
			fi && check_full_mesh && ping_all
		fi
	fi
	reset_all
}

quiet() { "$@" >/dev/null 2>&1; }

make_underlay
if ! wait_for 5 quiet ip netns exec "${hosts[4]}" ping -c 1 -W 1 "${ips[1]}"; then
	# Nothing weave does can work then; one cause seen: other tests filling the kernel's
	# neighbour table, which all namespaces share ("neighbor table overflow" in dmesg).
	fail "the underlay does not route between the subnets: stopping"
	test_exit
fi
pass "the underlay routes between the subnets"
run_scenario chain
run_scenario star

# launch --password: weaver encrypts, and the password is in its environment, not its argv.
mode=password
names=() pids=()
if launch 1 launch --password s3cret; then
	check_eq "password: host1: Encryption" "$(field 1 Encryption)" enabled
	check "password: host1: the password is not on weaver's command line" \
		bash -c "[[ -r /proc/${pids[1]}/cmdline ]] && ! tr '\\0' ' ' </proc/${pids[1]}/cmdline | grep -q s3cret"
	check "password: host1: weaver has it in WEAVE_PASSWORD" \
		bash -c "tr '\\0' '\\n' </proc/${pids[1]}/environ | grep -qx WEAVE_PASSWORD=s3cret"
fi
check "password: host1: weave reset exits 0" wv 1 reset
test_exit
