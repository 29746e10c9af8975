#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-load.sh - the module DKMS built, in the QEMU guest (busybox sh),
# run by tests/host/install/dkms.sh through run-guest.sh.
#
# Usage (in the guest, from /np): sh dkms-load.sh RELEASE SRCVERSION VERSION
#
# Expects in /np: nettypool.ko (from the DKMS tree), nettypool_test and
# check.sh. The guest must run RELEASE, the kernel of the module's
# vermagic; the module must load, be the one DKMS built (SRCVERSION and
# VERSION, as modinfo read them on the host), give a working
# /dev/nettypool (the selftest's alloc/free tests), and unload. Its
# checks are TAP lines "ok - dkms: ...".
# Exit status: 0 when every check passed, else 1.

# shellcheck disable=SC2034 # read by check.sh
check_lane=dkms
# shellcheck disable=SC1091 # tests/lib/check.sh, copied in beside this script
. /np/check.sh
kver=$1 srcversion=$2 version=$3

if [ "$(uname -r)" = "$kver" ]; then
	check OK "the guest runs $kver, the module's vermagic"
else
	check FAIL "the guest runs $kver, the module's vermagic (it runs $(uname -r))"
fi
if ! insmod /np/nettypool.ko; then
	check FAIL "insmod the module DKMS built"
	exit 1
fi
check OK "insmod the module DKMS built"
for f in srcversion version; do
	eval "want=\$$f"
	got=$(cat /sys/module/nettypool/$f 2>/dev/null)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		check OK "the loaded module's $f is DKMS's, $want"
	else
		check FAIL "the loaded module's $f is DKMS's, '$want' (it is '$got')"
	fi
done
if [ -c /dev/nettypool ]; then
	check OK "/dev/nettypool is a character device"
else
	check FAIL "/dev/nettypool is a character device"
fi
# Allocations of each class and their frees, through the device; the
# selftest's TAP is shown, indented, so that only these checks count.
/np/nettypool_test alloc_tiny_24 alloc_small_800 alloc_normal_16k \
	>/tmp/np-selftest.out 2>&1
rc=$?
sed 's/^/    /' /tmp/np-selftest.out
if [ "$rc" -eq 0 ] && ! grep -q '^not ok' /tmp/np-selftest.out &&
	[ "$(grep -c '^ok' /tmp/np-selftest.out)" -eq 3 ]; then
	check OK "alloc and free through /dev/nettypool (3 selftests)"
else
	check FAIL "alloc and free through /dev/nettypool (3 selftests, rc $rc)"
fi
if rmmod nettypool; then
	check OK "rmmod nettypool"
else
	check FAIL "rmmod nettypool"
fi
# shellcheck disable=SC2154 # failures: counted by check.sh
[ "$failures" -eq 0 ]
