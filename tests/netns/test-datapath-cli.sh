#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `weave datapath` without the kernel: every bad argument gets one line (a usage or an error
# quoting the value) and exit 1 before netlink is touched; valid commands get the one-line
# "module not loaded" answer when the module is not there.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

# bad "expected text" args...: `weave datapath args...` exits 1 with one line holding the text.
bad() {
	local want=$1 out rc
	shift
	out=$(weave datapath "$@" 2>&1)
	rc=$?
	if ((rc == 1)) && [[ $(wc -l <<<"$out") == 1 ]] && grep -qF -- "$want" <<<"$out"; then
		pass "datapath $*: $want"
	else
		fail "datapath $*: exit $rc, got '$out', want one line with '$want'"
	fi
}

usage_of() { echo "Usage: weave datapath $1 "; }

frame=00112233445566778899aabb0800

bad "Usage: weave datapath <set|peer|del-peer|bcast|flush|inject|show|listen> <dev> ..."
bad "invalid datapath subcommand \`bogus'" bogus

bad "$(usage_of set)" set
bad "$(usage_of set)" set weave0 short-id
bad "invalid device name \`0123456789abcdef'" set 0123456789abcdef short-id 1
bad "invalid device name \`a/b'" set a/b
bad "invalid device name \`'" set ""
bad "invalid short id \`4096' (0..4095)" set weave0 short-id 4096
bad "invalid short id \`-1' (0..4095)" set weave0 short-id -1
bad "invalid short id \`+1' (0..4095)" set weave0 short-id +1
bad "invalid short id \`1x' (0..4095)" set weave0 short-id 1x
bad "invalid short id \`' (0..4095)" set weave0 short-id ""
bad "invalid peer name \`aa:bb' (aa:bb:cc:dd:ee:ff)" set weave0 peer-name aa:bb
bad "invalid peer name \`aa-bb-cc-dd-ee-ff' (aa:bb:cc:dd:ee:ff)" set weave0 peer-name aa-bb-cc-dd-ee-ff
bad "invalid port \`0' (1..65535)" set weave0 port 0
bad "invalid port \`65536' (1..65535)" set weave0 port 65536
bad "invalid fdb ageing \`0' (1..86400)" set weave0 fdb-ageing 0
bad "invalid fdb ageing \`86401' (1..86400)" set weave0 fdb-ageing 86401
bad "invalid fdb max \`0' (1..1048576)" set weave0 fdb-max 0
bad "invalid fdb max \`1048577' (1..1048576)" set weave0 fdb-max 1048577
bad "invalid upcall port id \`4294967296' (0..4294967295)" set weave0 upcall-portid 4294967296
bad "invalid upcall port id \`99999999999999999999999' (0..4294967295)" set weave0 upcall-portid 99999999999999999999999
bad "invalid argument \`bogus'" set weave0 bogus 1

bad "$(usage_of peer)" peer
bad "$(usage_of peer)" peer weave0
bad "$(usage_of peer)" peer weave0 2 name
bad "invalid short id \`x' (0..4095)" peer weave0 x
bad "invalid peer name \`zz:00:00:00:00:02' (aa:bb:cc:dd:ee:ff)" peer weave0 2 name zz:00:00:00:00:02
bad "invalid IPv4 address \`1.2.3'" peer weave0 2 addr 1.2.3
bad "invalid IPv4 address \`::1'" peer weave0 2 addr ::1
bad "invalid port \`0' (1..65535)" peer weave0 2 port 0
bad "invalid short id \`4096' (0..4095)" peer weave0 2 via 4096
bad "invalid mtu \`65536' (0..65535)" peer weave0 2 mtu 65536
bad "invalid userspace \`yes' (on or off)" peer weave0 2 userspace yes
bad "invalid argument \`nexthop'" peer weave0 2 nexthop 3

bad "$(usage_of del-peer)" del-peer weave0
bad "$(usage_of del-peer)" del-peer weave0 2 3
bad "invalid short id \`5000' (0..4095)" del-peer weave0 5000

bad "$(usage_of bcast)" bcast weave0
bad "invalid short id \`x' (0..4095)" bcast weave0 x
bad "invalid short id \`4096' (0..4095)" bcast weave0 1 2 4096

bad "$(usage_of flush)" flush
bad "$(usage_of flush)" flush weave0 aa:bb:cc:dd:ee:ff extra
bad "invalid MAC address \`aa:bb:cc:dd:ee' (aa:bb:cc:dd:ee:ff)" flush weave0 aa:bb:cc:dd:ee

bad "$(usage_of inject)" inject weave0
bad "$(usage_of inject)" inject weave0 peer 2
bad "$(usage_of inject)" inject weave0 somewhere "$frame"
bad "$(usage_of inject)" inject weave0 local from 2
bad "$(usage_of inject)" inject weave0 local "$frame" extra
bad "invalid short id \`4096' (0..4095)" inject weave0 peer 4096 "$frame"
bad "invalid short id \`x' (0..4095)" inject weave0 local from x "$frame"
bad "invalid frame \`0011' (hex, 14 to 65471 bytes)" inject weave0 local 0011
bad "invalid frame \`${frame}0' (hex," inject weave0 local "${frame}0"
bad "invalid frame \`${frame:0:26}zz' (hex," inject weave0 peer 2 "${frame:0:26}zz"

bad "$(usage_of show)" show
bad "$(usage_of show)" show weave0 peers --tsv extra
bad "invalid argument \`macs'" show weave0 macs
bad "invalid argument \`fdb'" show weave0 peers fdb
bad "invalid argument \`--tsv'" show weave0 --tsv --tsv

bad "$(usage_of listen)" listen
bad "$(usage_of listen)" listen weave0 --count
bad "invalid count \`0' (1..1000000000)" listen weave0 --count 0
bad "invalid timeout \`1.5' (1..31536000)" listen weave0 --timeout 1.5
bad "invalid argument \`--forever'" listen weave0 --forever 1

out=$(weave datapath help)
rc=$?
check_eq "datapath help exits 0" "$rc" 0
check_eq "datapath help lists the 8 subcommands" "$(grep -c '^  weave datapath ' <<<"$out")" 8
check "weave help lists datapath" bash -c 'weave help | grep -q "^  weave datapath "'

if grep -q '^weave ' /proc/modules 2>/dev/null; then
	skip "the weave module is loaded here: the not-loaded path is tested on kernels without it"
	test_exit
fi

not_loaded="weave: the weave kernel module is not loaded: load it with 'modprobe weave', or weave will use the sleeve datapath"
while read -r -a args; do
	bad "$not_loaded" "${args[@]}"
done <<EOF
set weave0
set weave0 peer-name aa:00:00:00:00:01 short-id 1 port 6784 fdb-ageing 60 fdb-max 1000 upcall-portid 0
peer weave0 2 name aa:00:00:00:00:02 addr 192.168.1.2 port 6784 via 3 mtu 1400 userspace on
peer weave0 2 userspace off
del-peer weave0 2
bcast weave0 1
bcast weave0 1 2 3 4095
flush weave0
flush weave0 AA:bb:CC:dd:EE:ff
inject weave0 local $frame
inject weave0 peer 2 from 3 $frame
show weave0
show weave0 --tsv
show weave0 peers
show weave0 --tsv ports
show weave0 fdb --tsv
show weave0 bcast
listen weave0
listen weave0 --count 1 --timeout 1
EOF
test_exit
