#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scale of the module's tables, inside the VM: 4095 peers and 100,000 learned MACs are
# programmed, dumped completely and removed; the memory each entry takes is reported.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

ns="scale$$"
cleanup() { ip netns del "$ns" 2>/dev/null; }
trap cleanup EXIT
dp() { ip netns exec "$ns" weave datapath "$@"; }
dev_col() { ip netns exec "$ns" weave status datapath --tsv | awk -F'\t' -v c="$1" '$1 == "weave" { print $c }'; }
# Kernel memory in use, kB: slab plus per-CPU allocations.
kmem() { awk '/^Slab:/ { s = $2 } /^Percpu:/ { p = $2 } END { print s + p }' /proc/meminfo; }

modprobe weave || { fail "modprobe weave"; test_exit; }
ip netns add "$ns"
ip -n "$ns" link add weave type weave
dp set weave short-id 4095 peer-name aa:00:00:00:0f:ff
ip -n "$ns" link set weave up

m0=$(kmem)
check "4095 peers programmed" ip netns exec "$ns" "$WEAVE_TESTS/dpscale" weave add-peers 4095
m1=$(kmem)
check_eq "the peer dump lists all 4094 others" "$(dp show weave peers --tsv | wc -l)" 4094
check_eq "the device counts 4094 peers" "$(dev_col 14)" 4094
check "100,000 MACs learned behind peer 1" \
	ip netns exec "$ns" "$WEAVE_TESTS/dpscale" weave learn-macs 100000 1
m2=$(kmem)
check_eq "the device counts 100,000 MACs" "$(dev_col 15)" 100000
fdb=$(dp show weave fdb --tsv)
check_eq "the MAC dump lists all 100,000" "$(wc -l <<<"$fdb")" 100000
check_eq "each MAC once" "$(cut -f1 <<<"$fdb" | sort -u | wc -l)" 100000
check_eq "all behind peer 1" "$(cut -f2 <<<"$fdb" | sort -u)" "peer:1"

per_peer=$(((m1 - m0) * 1024 / 4094))
per_mac=$(((m2 - m1) * 1024 / 100000))
echo "info: kernel memory per peer ${per_peer} bytes, per learned MAC ${per_mac} bytes (slab + percpu, $(nproc) CPUs)"
check "a learned MAC takes less than 512 bytes (${per_mac})" test "$per_mac" -lt 512
check "a peer takes less than 16 KiB (${per_peer})" test "$per_peer" -lt 16384

check "flush removes every MAC" dp flush weave
check_eq "no MAC left" "$(dev_col 15)" 0
check "4095 peers removed" ip netns exec "$ns" "$WEAVE_TESTS/dpscale" weave del-peers 4095
check_eq "no peer left" "$(dp show weave peers --tsv | wc -l)" 0
check "rmmod after the scale test" bash -c "ip netns del $ns && rmmod weave"
test_exit
