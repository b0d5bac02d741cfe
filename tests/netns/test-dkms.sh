#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# How users install the module on Docker hosts: `make dkms-install`, then `dkms add` and
# `dkms build` against Debian's headers, in private DKMS trees so the host is untouched.
set -u
# shellcheck source=tests/lib.sh
source "$WEAVE_TOP/tests/lib.sh"

version=$(cat "$WEAVE_TOP/VERSION")
headers=$("$WEAVE_TOP/scripts/kdir") || { fail "no kernel headers"; test_exit; }
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$headers/include/generated/utsrelease.h")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_eq "dkms.conf has the version of VERSION" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$WEAVE_TOP/dkms.conf")" "$version"
check_eq "kmod/version.h has the version of VERSION" \
	"$(sed -n 's/^#define WEAVE_VERSION "\(.*\)"/\1/p' "$WEAVE_TOP/kmod/version.h")" "$version"
check "make dkms-install copies the sources" \
	make -s -C "$WEAVE_TOP" dkms-install DESTDIR="$tmp/root"
dkms_args=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/root/usr/src" --installtree "$tmp/install")
mkdir -p "$tmp/dkms" "$tmp/install"
check "dkms add weave/$version" dkms add "${dkms_args[@]}" "weave/$version"
if dkms build "${dkms_args[@]}" -m weave -v "$version" -k "$kver" >"$tmp/build.log" 2>&1; then
	pass "dkms build -m weave -v $version -k $kver"
else
	fail "dkms build -m weave -v $version -k $kver"
	tail -n 30 "$tmp/build.log"
	find "$tmp/dkms" -name make.log -exec tail -n 30 {} \;
fi
ko=$(find "$tmp/dkms/weave/$version/$kver" -name 'weave.ko*' | head -n 1)
check "dkms built weave.ko" test -n "$ko"
check_eq "the built module is for $kver" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" "$kver"
check_eq "the built module has the release's version" "$(modinfo -F version "$ko" 2>/dev/null)" "$version"
test_exit
