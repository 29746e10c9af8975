#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-fuzz.sh - the ioctl fuzzer on its own in a QEMU guest (busybox sh),
# for make fuzz-ioctl: load the module, run np_ioctl_fuzz with the given
# arguments, check that it left nothing behind, unload.
#
# Usage (host): tests/guest/run-guest.sh --script tests/guest/ioctl-fuzz/guest-fuzz.sh \
#     --file nettypool.ko --file np_ioctl_fuzz -- [FUZZER-ARGS...]
# Exit status: the fuzzer's, or 1 when loading, the totals or rmmod fail.

DBG=/sys/kernel/debug/nettypool

insmod /np/nettypool.ko || { echo "not ok - insmod nettypool.ko"; exit 1; }
/np/np_ioctl_fuzz "$@"
rc=$?
left=$(grep -E '^(pools|chunks|huge_regions|bytes_reserved|bytes_active|active_buffers): ' \
	$DBG/stats | grep -v ': 0$')
if [ -n "$left" ]; then
	echo "not ok - debugfs totals back to zero: $left"
	rc=1
else
	echo "ok - debugfs totals back to zero"
fi
if rmmod nettypool; then
	echo "ok - rmmod nettypool"
else
	echo "not ok - rmmod nettypool"
	rc=1
fi
exit $rc
