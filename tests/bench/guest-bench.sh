# SPDX-License-Identifier: GPL-2.0
# Guest side of make bench: the in-kernel benchmark table.
insmod /np/nettypool.ko || exit 1
echo np-bench-begin >/dev/kmsg
insmod /np/np_bench.ko && rmmod np_bench
dmesg | sed -n '/np-bench-begin/,$p' | sed -n 's/^\[ *[0-9.]*\] np_bench: //p'
rmmod nettypool
