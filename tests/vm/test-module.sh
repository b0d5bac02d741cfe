#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module's first cut, inside the VM: load, devices in two namespaces and their dump,
# counters, SET round trip, deletion, namespace death, 300 devices in one dump, bad and
# unprivileged netlink input, unload with devices present, and the created/destroyed
# leak check on the kernel log.
#
#   netns A: weave0          netns B: weave0 weave1        netns C: w0 ... w299
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

ns="wt$$"
cleanup() {
	local n
	for n in a b c; do ip netns del "$ns-$n" 2>/dev/null; done
}
trap cleanup EXIT

inns() {
	local n=$1
	shift
	ip netns exec "$ns-$n" "$@"
}

tsv_field() { # tsv_field <ns> <device> <column>: one column of `weave status datapath --tsv`
	inns "$1" weave status datapath --tsv | awk -F'\t' -v d="$2" -v c="$3" '$1 == d { print $c }'
}

# Lifecycle messages (pr_debug) go to the kernel log for the leak check at the end.
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
dmesg -C

check "modprobe weave loads the module" modprobe weave
check "module is listed in /proc/modules" grep -q '^weave ' /proc/modules
echo 'module weave +p' >/sys/kernel/debug/dynamic_debug/control ||
	fail "cannot enable the module's debug messages"

for n in a b c; do ip netns add "$ns-$n"; done
check "ip link add weave0 type weave in namespace A" ip -n "$ns-a" link add weave0 type weave
check "two devices in namespace B" \
	bash -c "ip -n $ns-b link add weave0 type weave && ip -n $ns-b link add weave1 type weave"

out=$(inns a weave status datapath)
check "weave status datapath shows weave0 in A" grep -q '^ *Device: weave0$' <<<"$out"
check "default MTU 1376 and UDP port 6784" \
	bash -c 'grep -q "^ *MTU: 1376$" <<<"$1" && grep -q "^ *UDPPort: 6784$" <<<"$1"' _ "$out"
check_eq "A lists one device" "$(inns a weave status datapath --tsv | wc -l)" 1
check_eq "B lists its two devices" "$(inns b weave status datapath --tsv | cut -f1 | xargs)" \
	"weave0 weave1"
check_eq "the dump's ifindex is the kernel's" "$(tsv_field b weave1 2)" \
	"$(inns b cat /sys/class/net/weave1/ifindex)"

# Counters: frames the host sends into the switch are counted (ARP requests, 42 bytes).
ip -n "$ns-a" addr add 10.99.0.1/24 dev weave0
inns a sysctl -qw net.ipv6.conf.weave0.disable_ipv6=1
ip -n "$ns-a" link set weave0 up
inns a ping -c 2 -W 1 10.99.0.2 >/dev/null 2>&1
txp=$(tsv_field a weave0 10)
txb=$(tsv_field a weave0 11)
check "TX packets counted (got ${txp:-none})" test "${txp:-0}" -ge 1
check_eq "TX bytes are 42 per ARP request" "$txb" "$((txp * 42))"
check_eq "the dump's TX count agrees with ip -s link" "$txp" \
	"$(inns a cat /sys/class/net/weave0/statistics/tx_packets)"

# Bad and unprivileged netlink input (nlprobe prints its own [ OK ]/[FAIL] lines).
inns a "$WEAVE_TESTS/nlprobe" weave0 || TEST_FAILED=1
check_eq "a valid SET is seen in the dump (peer name)" "$(tsv_field a weave0 5)" "aa:00:00:00:00:01"
check_eq "a valid SET is seen in the dump (short id)" "$(tsv_field a weave0 6)" "4095"
inns a "$WEAVE_TESTS/nlprobe" --unprivileged weave0 || TEST_FAILED=1

check "a device cannot move to another namespace" \
	bash -c "! ip -n $ns-b link set weave1 netns $ns-a 2>/dev/null"
check "ip link del weave1 in B" ip -n "$ns-b" link del weave1
check_eq "B then lists only weave0" "$(inns b weave status datapath --tsv | cut -f1 | xargs)" "weave0"
check "deleting namespace A deletes its device" ip netns del "$ns-a"

# 300 devices: the dump spans several messages and must come back complete and in order.
for i in $(seq 0 299); do echo "link add w$i type weave"; done >"/tmp/$ns.batch"
check "300 devices created in namespace C" ip -n "$ns-c" -batch "/tmp/$ns.batch"
dump=$(inns c weave status datapath --tsv)
check_eq "all 300 devices dumped" "$(wc -l <<<"$dump")" 300
check_eq "each device dumped once" "$(cut -f1 <<<"$dump" | sort -u | wc -l)" 300
check "the dump is in ifindex order" bash -c 'cut -f2 <<<"$1" | sort -nc' _ "$dump"
check_eq "the dump agrees with ip link" "$(cut -f1 <<<"$dump" | sort | xargs)" \
	"$(ip -n "$ns-c" -o link show type weave | awk -F': ' '{print $2}' | sort | xargs)"

# Unload with devices present in two namespaces.
check "rmmod with 301 devices present" rmmod weave
check "no weave device is left in C" bash -c "[[ -z \$(ip -n $ns-c -o link show type weave) ]]"
check "no weave device is left in B" bash -c "[[ -z \$(ip -n $ns-b -o link show type weave) ]]"
check "the module is gone" bash -c '! grep -q "^weave " /proc/modules'

created=$(dmesg | grep -c ': device created$')
destroyed=$(dmesg | grep -c ': device destroyed$')
check_eq "every device created was destroyed (leak check)" "$destroyed" "$created"
check_eq "303 devices were created" "$created" 303

check "the module loads again" modprobe weave
check_eq "no devices after reload" "$(inns b weave status datapath)" \
	"No weave devices in this network namespace."
check "rmmod with no devices" rmmod weave
test_exit
