# SPDX-License-Identifier: GPL-2.0
#
# guest-bench.sh - guest side of make bench (busybox sh, run by
# scripts/bench/bench.sh through tests/guest/run-guest.sh).
#
# Usage (in the guest, from /np): sh guest-bench.sh [ROUNDS [KMS [UMS]]]
#   ROUNDS  rounds of every measurement (5)
#   KMS     milliseconds per in-kernel measurement (20)
#   UMS     milliseconds per userspace measurement (50)
#
# Expects in /np: nettypool.ko, np_bench.ko, bench-guest-user (static).
# Prints the raw result lines ("I ..." and "R ...") of np_bench.ko (from
# the kernel log) and of bench-guest-user on stdout; exits non-zero when
# any part fails.

rounds=${1:-5}
kms=${2:-20}
ums=${3:-50}

insmod /np/nettypool.ko || exit 1
echo np-bench-begin >/dev/kmsg
if ! insmod /np/np_bench.ko rounds="$rounds" ms="$kms"; then
	echo "guest-bench: np_bench.ko failed" >&2
	exit 1
fi
rmmod np_bench
dmesg | sed -n '/np-bench-begin/,$p' | sed -n 's/^.*np_bench: \([IR] \)/\1/p'
/np/bench-guest-user "$rounds" "$ums" || exit 1
rmmod nettypool
