#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/vm/test-harness-smoke.sh: runs inside the VM (via tests/vm/vm-run) and checks that the VM
# gives the tests what they need: root, Debian kernel, writable /, netns/veth/vxlan/bridge, module.
set -uo pipefail

failures=0

ok() { echo "[ OK ] $1"; }
bad() {
	echo "[FAIL] $1"
	failures=$((failures + 1))
}
skip() { echo "[SKIP] $1"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

is_root() { [[ $(id -u) == 0 ]]; }
kernel_matches() { [[ -d /lib/modules/$(uname -r)/kernel ]] && [[ -e /boot/vmlinuz-$(uname -r) ]]; }

root_writable() {
	local f=/usr/lib/.vm-smoke.$$
	echo x >"$f" && [[ $(cat "$f") == x ]] && rm -f "$f"
}

# Two namespaces joined by a veth pair ping each other.
netns_ping() {
	local rc=0
	ip netns add smoke-a && ip netns add smoke-b &&
		ip link add smoke0 netns smoke-a type veth peer name smoke1 netns smoke-b &&
		ip -n smoke-a addr add 10.99.0.1/24 dev smoke0 && ip -n smoke-a link set smoke0 up &&
		ip -n smoke-b addr add 10.99.0.2/24 dev smoke1 && ip -n smoke-b link set smoke1 up &&
		ip netns exec smoke-a ping -c 1 -W 5 10.99.0.2 >/dev/null &&
		ip netns exec smoke-b ping -c 1 -W 5 10.99.0.1 >/dev/null || rc=1
	ip netns del smoke-a 2>/dev/null
	ip netns del smoke-b 2>/dev/null
	return "$rc"
}

check_module() {
	local ko
	ko=/lib/modules/$(uname -r)/extra/weave.ko
	if [[ ! -e $ko ]]; then
		skip "weave.ko installed in extra/ (vm-run got no --module)"
		return
	fi
	ok "weave.ko installed in extra/"
	check "modinfo weave" eval 'modinfo weave >/dev/null'
}

check "running as root" is_root
check "kernel $(uname -r) is the packaged one" kernel_matches
check "root file system is writable (overlay)" root_writable
check "loopback is up" eval 'ip -br link show lo | grep -q UP'
for m in veth vxlan bridge; do
	check "modprobe $m" modprobe "$m"
done
check "ip netns add works" eval 'ip netns add smoke-x && ip netns del smoke-x'
check "two namespaces on a veth pair ping each other" netns_ping
check_module
((failures == 0))
