#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (tests/bench/datapath): container-to-container TCP throughput (iperf3,
# 1 and 4 streams) and ping RTT between two hosts, for three datapaths side by side:
#   routed   veth + IP routing over the underlay, no overlay (the limit)
#   vxlan    Linux bridge + kernel vxlan on UDP 6784 (what overlays use today)
#   weave    the weave module
# Every container interface has MTU 1376 so the three carry the same frames. Runs are
# interleaved (ROUNDS rounds of each path) and the table gives medians and ratios.
set -u
ROUNDS=${1:-3}
SECS=${2:-5}
export PATH="$WEAVE_BIN:$PATH"

cleanup() {
	local n
	for n in $(ip netns list | awk '{print $1}'); do ip netns del "$n" 2>/dev/null; done
}
trap cleanup EXIT
modprobe weave || exit 1

ip netns add h1
ip netns add h2
ip -n h1 link add ul0 type veth peer name ul0 netns h2
for h in 1 2; do
	ip -n "h$h" addr add "192.168.60.$h/24" dev ul0
	ip -n "h$h" link set ul0 up
	ip -n "h$h" link set lo up
	ip netns exec "h$h" sysctl -qw net.ipv4.ip_forward=1
done

container() { # container <host> <name> <ip/len> [gateway]
	ip netns add "$2"
	ip -n "h$1" link add "p$2" type veth peer name eth0 netns "$2"
	ip -n "$2" link set eth0 mtu 1376
	ip -n "$2" addr add "$3" dev eth0
	ip -n "$2" link set eth0 up
	ip -n "$2" link set lo up
	ip -n "h$1" link set "p$2" mtu 1376 up
	[[ -z ${4:-} ]] || ip -n "$2" route add default via "$4"
}

# routed: 10.3.1.0/24 behind h1, 10.3.2.0/24 behind h2
container 1 r1 10.3.1.2/24 10.3.1.1
container 2 r2 10.3.2.2/24 10.3.2.1
ip -n h1 addr add 10.3.1.1/24 dev pr1
ip -n h2 addr add 10.3.2.1/24 dev pr2
ip -n h1 route add 10.3.2.0/24 via 192.168.60.2
ip -n h2 route add 10.3.1.0/24 via 192.168.60.1

# vxlan: a bridge per host with a unicast vxlan port
container 1 v1 10.4.0.1/24
container 2 v2 10.4.0.2/24
for h in 1 2; do
	o=$((3 - h))
	ip -n "h$h" link add br0 type bridge
	ip -n "h$h" link add vx0 type vxlan id 42 dstport 6784 local "192.168.60.$h" \
		remote "192.168.60.$o"
	ip -n "h$h" link set vx0 master br0 mtu 1376 up
	ip -n "h$h" link set "pv$h" master br0
	ip -n "h$h" link set br0 up
done

# weave: one switch per host, the other host as its peer
container 1 w1 10.5.0.1/24
container 2 w2 10.5.0.2/24
for h in 1 2; do
	o=$((3 - h))
	ip -n "h$h" link add weave type weave
	ip netns exec "h$h" weave datapath set weave short-id "$h" peer-name "aa:00:00:00:00:0$h" \
		port 6785
	ip netns exec "h$h" weave datapath peer weave "$o" name "aa:00:00:00:00:0$o" \
		addr "192.168.60.$o" port 6785
	ip netns exec "h$h" weave datapath bcast weave "$h" "$o"
	ip -n "h$h" link set "pw$h" master weave
	ip -n "h$h" link set weave up
done

declare -A server=([routed]=r2 [vxlan]=v2 [weave]=w2) client=([routed]=r1 [vxlan]=v1 [weave]=w1)
declare -A addr=([routed]=10.3.2.2 [vxlan]=10.4.0.2 [weave]=10.5.0.2)
paths=(routed vxlan weave)
for p in "${paths[@]}"; do
	if ! ip netns exec "${client[$p]}" ping -c 3 -W 2 -q "${addr[$p]}" >/dev/null; then
		echo "bench: $p path does not work" >&2
		exit 1
	fi
done

iperf() { # iperf <path> <streams>: prints Gbit/s
	ip netns exec "${server[$1]}" iperf3 -s -1 -D -p 5300 >/dev/null 2>&1
	sleep 0.3
	ip netns exec "${client[$1]}" iperf3 -c "${addr[$1]}" -p 5300 -t "$SECS" -P "$2" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}
rtt() { # rtt <path>: average RTT in microseconds over 50 pings
	ip netns exec "${client[$1]}" ping -q -c 50 -i 0.02 "${addr[$1]}" |
		awk -F'/' '/^rtt/ { printf "%.0f\n", $5 * 1000 }'
}

declare -A t1 t4 lat m1 m4 ml
for r in $(seq 1 "$ROUNDS"); do
	for p in "${paths[@]}"; do
		t1[$p]+="$(iperf "$p" 1) "
		t4[$p]+="$(iperf "$p" 4) "
		lat[$p]+="$(rtt "$p") "
	done
	echo "bench: round $r of $ROUNDS done" >&2
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "Datapath benchmark, $ROUNDS interleaved rounds of ${SECS}s, medians (kernel $(uname -r), qemu TCG)"
printf '%-8s %14s %14s %10s   %s\n' path "TCP 1 (Gb/s)" "TCP 4 (Gb/s)" "RTT (us)" "runs (1 stream)"
for p in "${paths[@]}"; do
	m1[$p]=$(median <<<"${t1[$p]}")
	m4[$p]=$(median <<<"${t4[$p]}")
	ml[$p]=$(median <<<"${lat[$p]}")
	printf '%-8s %14s %14s %10s   %s\n' "$p" "${m1[$p]}" "${m4[$p]}" "${ml[$p]}" "${t1[$p]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "weave / vxlan:  TCP 1 $(ratio "${m1[weave]}" "${m1[vxlan]}")x  TCP 4 $(ratio "${m4[weave]}" "${m4[vxlan]}")x  RTT $(ratio "${ml[weave]}" "${ml[vxlan]}")x"
echo "weave / routed: TCP 1 $(ratio "${m1[weave]}" "${m1[routed]}")x  TCP 4 $(ratio "${m4[weave]}" "${m4[routed]}")x  RTT $(ratio "${ml[weave]}" "${ml[routed]}")x"
