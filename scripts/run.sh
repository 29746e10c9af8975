#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make run: load nettypool.ko, allocate a mixed workload from userspace
# through libnettypool, and show what /sys/kernel/debug/nettypool/ says.
#
# This host's kernel cannot load modules (there is no /proc/modules), so
# the module runs in a QEMU guest booted from Debian's own kernel; on a
# host that can load modules, and as root, it runs right here.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-build}
demo=$build/nettypool-demo-static

echo "== building the demo (static, so it runs in the guest as it is)"
make --no-print-directory BUILD="$build" "$demo"

if [ -e /proc/modules ] && [ "$(id -u)" -eq 0 ]; then
	echo "== loading nettypool.ko on this host"
	insmod ./nettypool.ko
	trap 'rmmod nettypool' EXIT
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	"$demo" --debugfs
	exit 0
fi

script=$(mktemp -d)/run-demo.sh
cat >"$script" <<'GUEST'
echo "== insmod nettypool.ko"
insmod /np/nettypool.ko || exit 1
./nettypool-demo-static --debugfs || exit 1
echo
echo "== /sys/kernel/debug/nettypool/stats after the pool was closed"
cat /sys/kernel/debug/nettypool/stats
rmmod nettypool
GUEST
echo "== booting Debian's kernel in QEMU (about 10 s; this host cannot load modules)"
bash tests/guest/run-guest.sh --script "$script" --file nettypool.ko \
	--file "$demo" --timeout 300
