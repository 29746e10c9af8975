#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest-trace.sh - the tracepoint test on its own in a QEMU guest (busybox
# sh), for make check-trace: load the module, run np_trace, check that it
# left nothing behind, unload. The guest lane of make check runs np_trace
# among the other suites (tests/guest/suites.sh).
#
# Usage (host): tests/guest/run-guest.sh --script tests/guest/trace/guest-trace.sh \
#     --file nettypool.ko --file np_trace
# Exit status: np_trace's, or 1 when loading, the totals or rmmod fail.

DBG=/sys/kernel/debug/nettypool

insmod /np/nettypool.ko || { echo "not ok - insmod nettypool.ko"; exit 1; }
/np/np_trace
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
