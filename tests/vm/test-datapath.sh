#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's datapath, inside the VM: three hosts, each with a weave switch and two
# containers, programmed by hand with `weave datapath` (as weaver will), and a fourth
# host speaking VXLAN through Linux's own vxlan device (collect_md + tc tunnel_key),
# to check the wire format against an implementation we did not write.
#
#   underlay bridge "ul" (VM root namespace), 192.168.50.0/24
#      |             |             |             |
#     h1 .1         h2 .2         h3 .3         h4 .4 (kernel vxlan, no weave)
#   weave id 1    weave id 2    weave id 3      vx external, dstport 6784
#   c11 c12       c21 c22       c31 c32         c41
#   10.2.0.11/12  .21/.22       .31/.32         10.2.0.41
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

hosts=(1 2 3)
cleanup() {
	local n
	for n in $(ip netns list | awk '{print $1}'); do ip netns del "$n" 2>/dev/null; done
	ip link del ul 2>/dev/null
}
trap cleanup EXIT

in_h() {
	local h=$1
	shift
	ip netns exec "h$h" "$@"
}

dp() { # dp <host> <weave datapath args...>
	local h=$1
	shift
	ip netns exec "h$h" weave datapath "$@"
}

# ping_ok <from-container> <ip>: one ping within 2 s
ping_ok() { ip netns exec "$1" ping -q -c 1 -W 2 "$2" >/dev/null 2>&1; }
# ping_retry <from> <ip>: a few tries (the first ping may wait for ARP under TCG)
ping_retry() { ping_ok "$1" "$2" || ping_ok "$1" "$2" || ping_ok "$1" "$2"; }

upcalls_on() { # upcalls_on <host>: a listener has set the device's upcall port id
	[[ $(in_h "$1" weave status datapath --tsv | awk -F'\t' '$1 == "weave" { print $18 }') != 0 ]]
}

peer_col() { # peer_col <host> <short-id> <tsv column>
	dp "$1" show weave peers --tsv | awk -F'\t' -v id="$2" -v c="$3" '$1 == id { print $c }'
}

add_container() { # add_container <host> <name> <ip> [mac]
	local h=$1 c=$2 ip=$3 mac=${4:-}
	ip netns add "$c"
	ip -n "h$h" link add "p$c" type veth peer name eth0 netns "$c"
	[[ -z $mac ]] || ip -n "$c" link set eth0 address "$mac"
	ip -n "$c" link set eth0 mtu 1376
	ip -n "$c" addr add "$ip/24" dev eth0
	ip -n "$c" link set eth0 up
	ip -n "$c" link set lo up
	# No IPv6 chatter (router and neighbour solicitations) between the checks.
	ip netns exec "$c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "h$h" link set "p$c" master weave
	ip -n "h$h" link set "p$c" up
}

setup_host() { # setup_host <n>
	local h=$1 m
	ip netns add "h$h"
	ip link add "ul$h" type veth peer name ul0 netns "h$h"
	ip link set "ul$h" master ul up
	in_h "$h" ip addr add "192.168.50.$h/24" dev ul0
	in_h "$h" ip link set ul0 up
	in_h "$h" ip link set lo up
	in_h "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	in_h "$h" ip link add weave type weave
	dp "$h" set weave peer-name "aa:00:00:00:00:0$h" short-id "$h"
	in_h "$h" ip link set weave up
	for m in "${hosts[@]}"; do
		((m == h)) && continue
		dp "$h" peer weave "$m" name "aa:00:00:00:00:0$m" addr "192.168.50.$m"
	done
	local others=()
	for m in "${hosts[@]}"; do ((m == h)) || others+=("$m"); done
	dp "$h" bcast weave "$h" "${others[@]}"
	add_container "$h" "c${h}1" "10.2.0.${h}1"
	add_container "$h" "c${h}2" "10.2.0.${h}2"
}

modprobe weave || { fail "modprobe weave"; test_exit; }
ip link add ul type bridge
ip link set ul up
for h in "${hosts[@]}"; do setup_host "$h"; done

check_eq "h1 has 2 ports" "$(dp 1 show weave ports --tsv | wc -l)" 2
check_eq "h1 has 2 peers" "$(dp 1 show weave peers --tsv | wc -l)" 2

# Unicast between every pair of containers (ARP requests exercise the broadcast routes).
containers=(c11 c12 c21 c22 c31 c32)
bad=()
for a in "${containers[@]}"; do
	for b in "${containers[@]}"; do
		[[ $a == "$b" ]] && continue
		ping_retry "$a" "10.2.0.${b#c}" || bad+=("$a->$b")
	done
done
check_eq "every container pings every other (30 pairs)" "${bad[*]}" ""

fdb=$(dp 1 show weave fdb --tsv)
check "h1 learned c21's MAC behind peer 2" \
	grep -qi "^$(ip -n c21 -br link show eth0 | awk '{print $3}')	peer:2	" <<<"$fdb"
check "h1 learned c11's MAC on its port" \
	grep -qi "^$(ip -n c11 -br link show eth0 | awk '{print $3}')	pc11	" <<<"$fdb"
check "peer 2 counts frames both ways on h1" \
	test "$(peer_col 1 2 8)" -gt 0 -a "$(peer_col 1 2 10)" -gt 0

# A MAC moving from h1 to h3: c12 goes away, and comes back on h3 with its MAC and IP.
mac12=$(ip -n c12 -br link show eth0 | awk '{print $3}')
ip netns del c12
check "a port goes away with its container's namespace" \
	wait_for 5 bash -c '[[ $(ip netns exec h1 weave datapath show weave ports --tsv | wc -l) == 1 ]]'
add_container 3 c12 10.2.0.12 "$mac12"
check "the moved container reaches c21 from h3" ping_retry c12 10.2.0.21
check "c21 reaches the moved container" ping_retry c21 10.2.0.12
check "h2 now has the moved MAC behind peer 3" \
	bash -c "ip netns exec h2 weave datapath show weave fdb --tsv | grep -qi '^$mac12	peer:3	'"

# Flush and ageing.
check "flush empties the MAC table" dp 1 flush weave
check_eq "no MAC after flush" "$(dp 1 show weave fdb --tsv | wc -l)" 0
ping_retry c11 10.2.0.21 >/dev/null
check "MACs are learned again" test "$(dp 1 show weave fdb --tsv | wc -l)" -gt 0
check "ageing can be set to 2 s" dp 1 set weave fdb-ageing 2
check "learned MACs age out" wait_for 8 bash -c '[[ -z $(ip netns exec h1 weave datapath show weave fdb --tsv) ]]'
dp 1 set weave fdb-ageing 600

# Removing a peer stops traffic to it; adding it back restores it.
check "del-peer 3 on h1" dp 1 del-peer weave 3
if ping_ok c11 10.2.0.31; then fail "c11 still reaches c31 after del-peer"; else pass "c11 cannot reach c31 after del-peer"; fi
dp 1 peer weave 3 name aa:00:00:00:00:03 addr 192.168.50.3
dp 1 bcast weave 1 2 3
check "c11 reaches c31 again after the peer is back" ping_retry c11 10.2.0.31

# MTU: a DF frame larger than the peer's MTU gets "fragmentation needed" back.
ip -n c11 link set eth0 mtu 1500
out=$(ip netns exec c11 ping -c 1 -W 2 -M 'do' -s 1450 10.2.0.21 2>&1)
check "a too-big DF ping gets ICMP fragmentation needed with mtu 1376" \
	grep -qiE 'mtu ?= ?1376|Frag needed.*1376' <<<"$out"
check "the too-big frame is counted on peer 2" test "$(peer_col 1 2 14)" -gt 0
# The same for IPv6: "packet too big".
for c in c11 c21; do
	ip netns exec "$c" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
	ip netns exec "$c" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
	ip -n "$c" addr add "fd00::${c#c}/64" dev eth0 nodad
done
ip netns exec c11 ping -6 -c 1 -W 2 fd00::21 >/dev/null 2>&1
out=$(ip netns exec c11 ping -6 -c 1 -W 2 -M 'do' -s 1450 fd00::21 2>&1)
check "a too-big IPv6 ping gets ICMPv6 packet too big with mtu 1376" grep -qiE 'mtu ?= ?1376' <<<"$out" ||
	echo "$out"
for c in c11 c21; do ip netns exec "$c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n c11 link set eth0 mtu 1376

# Relay: h1 and h3 cannot reach each other on the underlay; their frames go through h2.
in_h 1 ip route add blackhole 192.168.50.3/32
in_h 3 ip route add blackhole 192.168.50.1/32
dp 1 peer weave 3 via 2
dp 3 peer weave 1 via 2
dp 1 bcast weave 1 2
dp 3 bcast weave 3 2
dp 2 bcast weave 1 3
dp 2 bcast weave 3 1
dp 1 flush weave
dp 3 flush weave
before=$(peer_col 2 3 10)
check "c11 reaches c31 through h2" ping_retry c11 10.2.0.31
check "c32 reaches c11 through h2" ping_retry c32 10.2.0.11
check "h2 relayed frames to peer 3" test "$(peer_col 2 3 10)" -gt "$before"

# Throughput while peers are reconfigured.
if command -v iperf3 >/dev/null; then
	ip netns exec c21 iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.5
	( for i in $(seq 1 20); do dp 1 peer weave 2 mtu $((1300 + i)); dp 1 peer weave 2 mtu 0; done ) &
	flap=$!
	out=$(ip netns exec c11 iperf3 -c 10.2.0.21 -p 5201 -t 3 -J 2>/dev/null)
	wait "$flap"
	bps=$(sed -n 's/.*"bits_per_second":[[:space:]]*\([0-9.e+]*\).*/\1/p' <<<"$out" | tail -n 1)
	check "iperf3 TCP runs while peers are reconfigured (${bps:-none} bit/s)" \
		awk -v b="${bps:-0}" 'BEGIN { exit !(b > 1000000) }'
	ip netns exec c21 iperf3 -s -1 -D -p 5202 >/dev/null 2>&1
	sleep 0.5
	out=$(ip netns exec c11 iperf3 -u -b 50M -c 10.2.0.21 -p 5202 -t 2 -J 2>/dev/null)
	check "iperf3 UDP runs" grep -q '"lost_percent"' <<<"$out"
else
	skip "iperf3 not installed"
fi

# The wire format against Linux's vxlan: h4 has no weave, only a collect_md vxlan
# device and tc: frames from c41 get the VNI (dst 1 << 12 | src 4) to h1; frames
# arriving with VNI (4 << 12 | 1) go to c41.
ip netns add h4
ip link add ul4 type veth peer name ul0 netns h4
ip link set ul4 master ul up
in_h 4 ip addr add 192.168.50.4/24 dev ul0
in_h 4 ip link set ul0 up
in_h 4 ip link set lo up
in_h 4 ip link add vx type vxlan dstport 6784 external
in_h 4 ip link set vx up
ip netns add c41
ip -n h4 link add pc41 type veth peer name eth0 netns c41
ip -n c41 link set eth0 mtu 1376
ip -n c41 addr add 10.2.0.41/24 dev eth0
ip -n c41 link set eth0 up
ip -n h4 link set pc41 up
in_h 4 tc qdisc add dev pc41 ingress
in_h 4 tc filter add dev pc41 ingress matchall \
	action tunnel_key set src_ip 192.168.50.4 dst_ip 192.168.50.1 id $(((1 << 12) | 4)) \
	dst_port 6784 nocsum action mirred egress redirect dev vx
in_h 4 tc qdisc add dev vx ingress
in_h 4 tc filter add dev vx ingress protocol all flower enc_key_id $(((4 << 12) | 1)) \
	action tunnel_key unset action mirred egress redirect dev pc41
dp 1 peer weave 4 name aa:00:00:00:00:04 addr 192.168.50.4
check "c41 (kernel vxlan) reaches c11 (weave)" ping_retry c41 10.2.0.11
check "c11 reaches c41" ping_retry c11 10.2.0.41
check "h1 learned c41's MAC behind peer 4" \
	bash -c "ip netns exec h1 weave datapath show weave fdb --tsv | grep -q '	peer:4	'"

# Upcalls: a frame for a peer reached through userspace goes up with its peer ids.
dp 1 peer weave 2 userspace on
( dp 1 listen weave --count 1 --timeout 10 >"$WEAVE_TOP/build/upcall.$$" 2>&1 ) &
listener=$!
wait_for 10 upcalls_on 1
ping_ok c11 10.2.0.21
wait "$listener"
check "a frame for a userspace peer is upcalled (via-userspace, 1 -> 2)" \
	grep -qE '^via-userspace	1	2	' "$WEAVE_TOP/build/upcall.$$"
dp 1 peer weave 2 userspace off
# A heartbeat (all-zero Ethernet header) injected on h2 for h1 comes up on h1.
( dp 1 listen weave --count 1 --timeout 10 >"$WEAVE_TOP/build/upcall.$$" 2>&1 ) &
listener=$!
wait_for 10 upcalls_on 1
dp 2 inject weave peer 1 "$(printf '00%.0s' $(seq 1 14))0102030405060708"
wait "$listener"
check "an injected heartbeat arrives as an upcall with its outer source" \
	grep -qE '^heartbeat	2	1	192.168.50.2	' "$WEAVE_TOP/build/upcall.$$" ||
	cat "$WEAVE_TOP/build/upcall.$$"
rm -f "$WEAVE_TOP/build/upcall.$$"

# Garbage on UDP 6784: counted as malformed, nothing else happens.
before=$(in_h 1 weave status datapath --tsv | awk -F'\t' '$1 == "weave" { print $0 }')
for payload in x 'too short' '\x08\x00\x00\x00' '\x08\x00\x00\x00\x00\x00\x01\x00' \
	'\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff'; do
	in_h 2 bash -c "printf '$payload' >/dev/udp/192.168.50.1/6784" 2>/dev/null
done
sleep 0.5
check "garbage is counted as malformed" \
	bash -c "ip netns exec h1 weave datapath show weave | grep -q 'malformed'"
check "the datapath still works after garbage" ping_retry c21 10.2.0.11

# Several devices in one namespace: each needs its own UDP port.
in_h 1 ip link add weave2 type weave
check "a second device on the same UDP port cannot come up" bash -c '! ip netns exec h1 ip link set weave2 up 2>/dev/null'
dp 1 set weave2 port 6790
check "a second device on another port comes up" in_h 1 ip link set weave2 up
check "the first device still carries traffic" ping_retry c21 10.2.0.11

# Unload while traffic flows through the switch.
ip netns exec c11 ping -q -i 0.01 10.2.0.21 >/dev/null 2>&1 &
pinger=$!
ip netns exec c21 ping -q -i 0.01 10.2.0.11 >/dev/null 2>&1 &
pinger2=$!
sleep 1
check "rmmod while frames are flowing" rmmod weave
kill "$pinger" "$pinger2" 2>/dev/null
wait "$pinger" "$pinger2" 2>/dev/null
check "every port was released" bash -c '[[ -z $(ip -n h1 -o link show master weave 2>/dev/null) ]]'
test_exit
