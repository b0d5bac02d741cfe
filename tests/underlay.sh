# SPDX-License-Identifier: GPL-2.0
# Underlays for the netns tests: an underlay namespace holding bridges (and routing between
# them when they have addresses), and "hosts" (namespaces) plugged into a bridge with a veth.
# shellcheck shell=bash

# underlay_new <ns> [forward]: the underlay namespace; with "forward" it routes between
# its bridges.
underlay_new() {
	ip netns add "$1" || return 1
	[[ ${2:-} != forward ]] || ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
}

# underlay_bridge <ns> <bridge> [<cidr>]: a bridge in the underlay, with the address the
# hosts behind it use as their gateway.
underlay_bridge() {
	ip -n "$1" link add "$2" type bridge || return 1
	[[ -z ${3:-} ]] || ip -n "$1" addr add "$3" dev "$2" || return 1
	ip -n "$1" link set "$2" up
}

# underlay_host <ns> <bridge> <host-ns> <veth> <cidr> [<gateway>]: a new host namespace
# whose eth0 is plugged into the bridge (the underlay end is named <veth>).
underlay_host() {
	local ul=$1 br=$2 h=$3 veth=$4 cidr=$5 gw=${6:-}
	ip netns add "$h" || return 1
	ip -n "$h" link set lo up
	ip -n "$ul" link add "$veth" type veth peer name eth0 netns "$h" || return 1
	ip -n "$ul" link set "$veth" master "$br" up
	ip -n "$h" addr add "$cidr" dev eth0 || return 1
	ip -n "$h" link set eth0 up
	[[ -z $gw ]] || ip -n "$h" route add default via "$gw"
}
