# SPDX-License-Identifier: GPL-2.0
# Helpers of tests/bench/mesh: the convergence run of N weavers and the sleeve/vxlan pairs.
# Uses the caller's P, TMP, BIN, LIMIT, SECS, NETNS, PIDS, LAUNCHED, CONV_ROWS, CLK_TCK.
# shellcheck shell=bash

die() {
	echo "$*" >&2
	exit 1
}

addns() {
	ip netns add "$1" || return 1
	NETNS+=("$1")
	ip -n "$1" link set lo up
}

delns() {
	local ns=$1 i
	ip netns del "$ns" 2>/dev/null
	for i in "${!NETNS[@]}"; do
		[[ ${NETNS[i]} == "$ns" ]] && unset 'NETNS[i]'
	done
}

# median numbers...: the middle value (mean of the two middle ones for an even count).
median() {
	printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -n |
		awk '{v[NR] = $1} END {if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f\n", a / b; else print "-"}'
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f\n", b - a}'; }

# http host path: GET on the weaver API of a host (in its namespace).
http() { ip netns exec "$1" curl -s --max-time 3 "http://127.0.0.1:6784$2"; }

stop_weavers() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	PIDS=()
}

# listening pid: the weaver pid listens on TCP 6783 (its namespace's /proc/<pid>/net/tcp).
listening() { grep -q '^ *[0-9]*: 00000000:1A7F 00000000:0000 0A' "/proc/$1/net/tcp" 2>/dev/null; }

# established_on host: how many established connections the host's weaver lists.
established_on() { http "$1" /status/connections 2>/dev/null | grep -c ' established '; }

# converge n: n weavers, host i with host i-1 as target; appends a row to CONV_ROWS.
converge() {
	local n=$1 ul=${P}u i h ip prev="" t0 t_launch="" t_conv="" want peers="" line reached=""
	local -a hosts=() rss=() cpu=() left=() est=()
	echo "convergence: $n weavers..." >&2
	addns "$ul" || die "mesh: cannot create namespaces"
	ip -n "$ul" link add br0 type bridge
	ip -n "$ul" link set br0 up
	for i in $(seq 1 "$n"); do
		h=${P}h$i
		hosts[i]=$h
		addns "$h" || die "mesh: cannot create namespace $h"
		ip -n "$ul" link add "p$i" type veth peer name eth0 netns "$h" || die "mesh: veth for $h"
		ip -n "$ul" link set "p$i" master br0 up
		ip -n "$h" addr add "10.99.$((i / 200)).$((i % 200 + 1))/16" dev eth0
		ip -n "$h" link set eth0 up
		mkdir -p "$TMP/$h"
	done
	t0=$(now)
	for i in $(seq 1 "$n"); do
		h=${hosts[i]}
		ip="10.99.$((i / 200)).$((i % 200 + 1))"
		# Not through a subshell: $! must be weaver itself (ip netns exec and env exec it).
		# shellcheck disable=SC2086 # prev is empty for host1
		ip netns exec "$h" env WEAVE_STATE_DIR="$TMP/$h/state" WEAVE_RUN_DIR="$TMP/$h/run" \
			"$BIN/weaver" --nickname "host$i" --http-addr 127.0.0.1:6784 \
			--status-addr 127.0.0.1:6782 $prev >"$TMP/$h.log" 2>&1 &
		PIDS[i]=$!
		# The next one is launched once this one listens, as `weave launch` waits for its API.
		local d=$((SECONDS + 10))
		until listening "${PIDS[i]}"; do
			((SECONDS < d)) || die "mesh: host$i's weaver does not listen: $(tail -n 5 "$TMP/$h.log")"
			sleep 0.005
		done
		prev=$ip
	done
	t_launch=$(elapsed "$t0")
	# Host1's view of the topology says when every peer gossips n-1 established connections;
	# then every host is asked itself.
	want="$n (with $((n * (n - 1))) established connections)"
	local timed_out=0 next_note=30 t
	while :; do
		peers=$(http "${hosts[1]}" /status | sed -n 's/^ *Peers: //p')
		[[ $peers == "$want" ]] && break
		t=$(elapsed "$t0" | cut -d. -f1)
		if ((t >= next_note)); then
			echo "convergence: $n: ${t} s: host1 sees Peers: ${peers:-(no answer within 3 s)}" >&2
			next_note=$((next_note + 30))
		fi
		if ((t >= LIMIT)); then
			timed_out=1
			break
		fi
		sleep 0.25
	done
	left=("${hosts[@]:1}")
	while ((!timed_out && ${#left[@]})); do
		local -a next=()
		for h in "${left[@]}"; do
			[[ $(established_on "$h") == $((n - 1)) ]] || next+=("$h")
		done
		left=("${next[@]}")
		((${#left[@]})) || break
		[[ $(elapsed "$t0" | cut -d. -f1) -ge $LIMIT ]] && break
		sleep 0.25
	done
	t_conv=$(elapsed "$t0")
	for i in $(seq 1 "$n"); do
		rss[i]=$(awk '/^VmRSS:/ {printf "%.2f\n", $2 / 1024}' "/proc/${PIDS[i]}/status" 2>/dev/null)
		cpu[i]=$(awk -v t="$CLK_TCK" '{printf "%.2f\n", ($14 + $15) / t}' "/proc/${PIDS[i]}/stat" 2>/dev/null)
	done
	if ((${#left[@]})); then
		# How far it got, from one answer (host1's view of every peer's connections): asking
		# each of n starved daemons would take minutes.
		est=()
		while read -r t; do est+=("$t"); done < <(ip netns exec "${hosts[1]}" \
			curl -s --max-time 20 http://127.0.0.1:6784/status/peers |
			awk '/^[^ ]/ {if (p != "") print c + 0; p = $0; c = 0} / established$/ {c++}
				END {if (p != "") print c + 0}')
		line="no"
		echo "convergence: $n: not converged within $LIMIT s: host1 sees Peers: ${peers:-(no answer)};" \
			"its view lists ${#est[@]} peers with established connections per peer: min" \
			"$(printf '%s\n' "${est[@]}" | sort -n | head -1), median $(median "${est[@]}")," \
			"max $(printf '%s\n' "${est[@]}" | sort -n | tail -1) (want $((n - 1)))" >&2
		t_conv=">$LIMIT"
		reached=" (host1's view after $LIMIT s: ${#est[@]} peers, median $(median "${est[@]}") of $((n - 1)) established connections per peer)"
	else
		line=yes
	fi
	CONV_ROWS+=("$n $line $t_conv $t_launch $(median "${rss[@]:1}") $(printf '%s\n' "${rss[@]:1}" | sort -n | tail -1) $(median "${cpu[@]:1}") $(printf '%s\n' "${cpu[@]:1}" | sort -n | tail -1)")
	echo "convergence: $n: ${CONV_ROWS[-1]}" >&2
	# shellcheck disable=SC2034 # read by tests/bench/mesh
	SUMMARY_CONV="$n peers: converged $line in $t_conv s$reached (target < 15 s at 100), RSS max $(printf '%s\n' "${rss[@]:1}" | sort -n | tail -1) MiB (target < 8 MiB)"
	stop_weavers
	for h in "${hosts[@]:1}"; do delns "$h"; done
	delns "$ul"
	rm -rf "${TMP:?}/${P}"h*
}

# wvp host args...: weave on one of the sleeve hosts.
wvp() {
	local h=$1
	shift
	ip netns exec "$h" env WEAVE_STATE_DIR="$TMP/$h/state" WEAVE_RUN_DIR="$TMP/$h/run" \
		WEAVE_MTU=1376 WEAVE_HTTP_ADDR=127.0.0.1:6784 WEAVE_STATUS_ADDR=127.0.0.1:6782 "$BIN/weave" "$@"
}

# Two hosts with weave (sleeve) and a container each (10.40.0.1-2), and two hosts with a bridge
# and kernel vxlan (VNI 42, UDP 4789) and a container each (10.41.0.1-2); each pair joined by a veth.
setup_pairs() {
	local s1=${P}s1 s2=${P}s2 v1=${P}v1 v2=${P}v2 i h c d
	for h in "$s1" "$s2" "$v1" "$v2" "${P}sc1" "${P}sc2" "${P}vc1" "${P}vc2"; do addns "$h" || return 1; done
	ip -n "$s1" link add eth0 type veth peer name eth0 netns "$s2" || return 1
	ip -n "$v1" link add eth0 type veth peer name eth0 netns "$v2" || return 1
	for i in 1 2; do
		ip -n "${P}s$i" addr add "192.168.70.$i/24" dev eth0
		ip -n "${P}s$i" link set eth0 up
		ip -n "${P}v$i" addr add "192.168.71.$i/24" dev eth0
		ip -n "${P}v$i" link set eth0 up
		mkdir -p "$TMP/${P}s$i"
	done
	LAUNCHED+=("$s1" "$s2")
	wvp "$s1" launch --nickname bench1 >/dev/null || return 1
	wvp "$s2" launch --nickname bench2 192.168.70.1 >/dev/null || return 1
	for i in 1 2; do
		wvp "${P}s$i" attach "10.40.0.$i/16" "${P}sc$i" >/dev/null || return 1
	done
	for i in 1 2; do
		h=${P}v$i c=${P}vc$i d=192.168.71.$((3 - i))
		ip -n "$h" link add br0 type bridge
		ip -n "$h" link add vxlan0 type vxlan id 42 remote "$d" local "192.168.71.$i" dstport 4789 dev eth0 || return 1
		ip -n "$h" link set vxlan0 mtu 1376 master br0 up
		ip -n "$h" link add vethc type veth peer name eth0 netns "$c"
		ip -n "$h" link set vethc mtu 1376 master br0 up
		ip -n "$h" link set br0 up
		ip -n "$c" link set eth0 mtu 1376 up
		ip -n "$c" addr add "10.41.0.$i/16" dev eth0
	done
	# The sleeve connection must be established before it carries anything.
	local d2=$((SECONDS + 30))
	until [[ $(established_on "$s1") == 1 ]]; do
		((SECONDS < d2)) || return 1
		sleep 0.2
	done
	for c in "${P}sc" "${P}vc"; do
		ip netns exec "${c}2" iperf3 -s -D -p 5201 --pidfile "$TMP/iperf-${c}.pid" >/dev/null || return 1
	done
	for i in $(seq 1 50); do
		ip netns exec "${P}sc1" ping -c 1 -W 1 10.40.0.2 >/dev/null 2>&1 &&
			ip netns exec "${P}vc1" ping -c 1 -W 1 10.41.0.2 >/dev/null 2>&1 && break
		((i == 50)) && return 1
		sleep 0.2
	done
	return 0
}

# iperf_run ctr addr: Mbit/s received, single TCP stream for SECS seconds.
iperf_run() {
	ip netns exec "$1" iperf3 -c "$2" -p 5201 -t "$SECS" -f m 2>/dev/null |
		awk '/receiver/ {print $(NF - 2)}'
}

# ping_run ctr addr: average RTT in ms over 50 pings 20 ms apart.
ping_run() {
	ip netns exec "$1" ping -q -c 50 -i 0.02 "$2" 2>/dev/null | awk -F/ '/^rtt/ {print $5}'
}
