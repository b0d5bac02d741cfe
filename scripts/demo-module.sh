#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the module demo VM (scripts/demo-module): two hosts, each with a weave switch device.
set -euo pipefail
export PATH="$WEAVE_BIN:$PATH"
step() { printf '\n$ %s\n' "$*"; "$@"; }

step modprobe weave
for h in host1 host2; do
	ip netns add "$h"
	step ip netns exec "$h" ip link add weave type weave
done
step ip netns exec host1 weave status datapath
step ip netns exec host2 weave status datapath --tsv
step rmmod weave
echo
echo "demo: done"
