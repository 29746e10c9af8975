#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# suites.sh - the module's test suites, run inside the QEMU guest
# (busybox sh) by tests/guest/run-suites.sh through run-guest.sh.
#
# Usage (in the guest, from /np): sh suites.sh [EXTRA-PROGRAM...]
#
# Expects in /np: nettypool.ko, nettypool_test (kselftest, static),
# test_nettypool.ko (KTAP self-test module); optionally np-unit-kernel and
# the EXTRA-PROGRAMs (static binaries; run when present).
#
#   1. insmod nettypool.ko
#   2. nettypool_test: TAP 13 on stdout
#   3. insmod test_nettypool.ko, print its KTAP report from the kernel log,
#      rmmod test_nettypool
#   4. np-unit-kernel and every EXTRA-PROGRAM present
#   5. the debugfs totals are back to zero (pools, bytes, buffers)
#   6. rmmod nettypool: refused while the device is open, then it must
#      succeed and the device and debugfs directory must go
#
# Its own checks are printed as TAP lines "ok - guest: ..." /
# "not ok - guest: ..." (the host counts every "ok"/"not ok" line). A
# program that exits non-zero without reporting a failing test, or that
# reports fewer results than its plan, adds a "not ok" line of its own.
# Exit status: 0 when every check and every suite passed, else 1.

PROG_TIMEOUT=${NP_PROG_TIMEOUT:-300}
DBG=/sys/kernel/debug/nettypool
# shellcheck disable=SC2034 # read by check.sh
check_lane=guest
# shellcheck disable=SC1091 # tests/lib/check.sh, copied in beside this script
. /np/check.sh

# tap_verdict NAME FILE RC: judge a TAP/KTAP output already shown.
tap_verdict() {
	name=$1 out=$2 rc=$3
	nok=$(grep -cE '^ok( |$)' "$out")
	nnot=$(grep -cE '^not ok( |$)' "$out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	if [ -n "$plan" ] && [ $((nok + nnot)) -lt "$plan" ]; then
		check FAIL "$name: $((nok + nnot)) of $plan planned results reported"
	fi
	if [ "$rc" -ne 0 ] && [ "$nnot" -eq 0 ]; then
		check FAIL "$name: exit status $rc without a failing test"
	elif [ "$rc" -ne 0 ]; then
		failures=$((failures + 1))	# already counted by its TAP
	fi
	say "=== suite $name: END rc=$rc ($nok ok, $nnot not ok)"
}

# run_prog NAME PATH [ARGS]: run a static test program, stream its output.
run_prog() {
	name=$1 path=$2
	shift 2
	say "=== suite $name: BEGIN"
	rm -f /tmp/np-rc
	{ timeout "$PROG_TIMEOUT" "$path" "$@" 2>&1; echo $? >/tmp/np-rc; } |
		tee "/tmp/np-$name.out"
	rc=$(cat /tmp/np-rc 2>/dev/null || echo 255)
	[ "$rc" -ne 143 ] || say "# $name: killed after ${PROG_TIMEOUT}s"
	tap_verdict "$name" "/tmp/np-$name.out" "$rc"
}

say "=== nettypool guest suites: BEGIN ($(uname -r), $(nproc) CPUs)"

# ------------------------------------------------------------------ 1. load
if insmod /np/nettypool.ko; then
	check OK "insmod nettypool.ko"
else
	check FAIL "insmod nettypool.ko"
	say "=== nettypool guest suites: END ($failures failed checks)"
	exit 1
fi
if [ -c /dev/nettypool ]; then
	check OK "/dev/nettypool is a character device"
else
	check FAIL "/dev/nettypool is a character device"
fi

# ------------------------------------------------------------- 2. selftest
if [ -x /np/nettypool_test ]; then
	run_prog selftest /np/nettypool_test
else
	check FAIL "nettypool_test present"
fi

# -------------------------------------------------------- 3. kernel KTAP
if [ -f /np/test_nettypool.ko ]; then
	say "=== suite ktap: BEGIN"
	echo "np-suites: ktap begin" >/dev/kmsg
	if insmod /np/test_nettypool.ko; then loaded=1; else loaded=0; fi
	# The report, from the kernel log, without the timestamps.
	dmesg | sed -n '/np-suites: ktap begin/,$p' |
		sed -e 's/^\[ *[0-9]*\.[0-9]*\] //' |
		grep -E '^(KTAP version|[0-9]+\.\.[0-9]+|(not )?ok |#)' >/tmp/np-ktap.out
	cat /tmp/np-ktap.out
	# leak_report_paranoid leaks three buffers from np_test_leaky_alloc
	leaks=$(dmesg | sed -n '/np-suites: ktap begin/,$p' |
		grep -c 'LEAK: buffer .* (leaky) was not freed; allocated at: .*np_test_leaky_alloc')
	if [ "$leaks" = 3 ]; then
		check OK "leak detector reports the 3 leaked buffers with their stack"
	else
		check FAIL "leak detector reports the 3 leaked buffers with their stack ($leaks)"
	fi
	if [ "$loaded" = 1 ]; then
		tap_verdict ktap /tmp/np-ktap.out 0
		if rmmod test_nettypool; then
			check OK "rmmod test_nettypool"
		else
			check FAIL "rmmod test_nettypool"
		fi
	else
		say "# insmod test_nettypool.ko failed (it refuses to load when a test fails)"
		tap_verdict ktap /tmp/np-ktap.out 1
	fi
else
	check FAIL "test_nettypool.ko present"
fi

# ------------------------------------------------------ 4. extra programs
extra="np-unit-kernel"
for p in "$@"; do
	extra="$extra $(basename "$p")"
done
for p in $extra; do
	if [ "$p" = np-unit-kernel ] && [ -x "/np/$p" ]; then
		# the library's unit suites, over this module, as TAP
		NP_TEST_BACKEND=kernel CK_TAP_LOG_FILE_NAME=- CK_VERBOSITY=silent \
			run_prog "$p" "/np/$p"
		# the threaded stats suite again with every buffer tracked:
		# the leak detector must add no failure under concurrency
		param=/sys/module/nettypool/parameters/leak_detection
		echo paranoid >$param
		NP_TEST_BACKEND=kernel CK_RUN_SUITE=stats CK_TAP_LOG_FILE_NAME=- \
			CK_VERBOSITY=silent run_prog "$p-paranoid" "/np/$p"
		echo simple >$param
	elif [ "$p" = np_stress ] && [ -x "/np/$p" ]; then
		# the concurrency stress, then again with every buffer
		# tracked: the leak detector must add no failure
		run_prog "$p" "/np/$p"
		run_prog "$p-paranoid" "/np/$p" -l paranoid
	elif [ "$p" = np_netty_replay ] && [ -x "/np/$p" ]; then
		# the device against what Netty did with the same traces
		run_prog netty-device "/np/$p" -d /dev/nettypool \
			-c /np/netty-guest.expected
	elif [ -x "/np/$p" ]; then
		run_prog "$p" "/np/$p"
	elif [ "$p" != np-unit-kernel ]; then
		check FAIL "$p present"
	fi
done
[ ! -f /np/cli.sh ] || . /np/cli.sh	# 4b. the nettypool command (cli.sh)

# ------------------------------- 4c. ioctl fuzzer, limits of the memcg
for p in np_ioctl_fuzz np_limits; do
	[ -x "/np/$p" ] || check FAIL "$p present"
done
[ ! -x /np/np_ioctl_fuzz ] || run_prog ioctl-fuzz /np/np_ioctl_fuzz -t 25
[ ! -x /np/np_limits ] || run_prog limits-memcg /np/np_limits memcg

# -------------------------------------------------- 5. nothing left behind
if [ -r $DBG/stats ]; then
	left=$(grep -E '^(pools|chunks|huge_regions|bytes_reserved|bytes_active|active_buffers): ' $DBG/stats |
		grep -v ': 0$')
	if [ -z "$left" ]; then
		check OK "debugfs totals back to zero (pools, chunks, bytes, buffers)"
	else
		say "# left in $DBG/stats:"
		printf '%s\n' "$left" | sed 's/^/#   /'
		check FAIL "debugfs totals back to zero (pools, chunks, bytes, buffers)"
	fi
	say "# leaked_on_close: $(sed -n 's/^leaked_on_close: //p' $DBG/stats)"
else
	check FAIL "$DBG/stats readable"
fi

# -------------------------------------------------------------- 6. unload
# An open pool pins the module.
if exec 3</dev/nettypool; then
	if rmmod nettypool 2>/dev/null; then
		check FAIL "rmmod nettypool refused while /dev/nettypool is open"
		exec 3<&-
		say "=== nettypool guest suites: END ($failures failed checks)"
		exit 1
	fi
	check OK "rmmod nettypool refused while /dev/nettypool is open"
	exec 3<&-
fi
if rmmod nettypool; then
	check OK "rmmod nettypool"
	if [ -e /dev/nettypool ] || [ -e $DBG ]; then
		check FAIL "/dev/nettypool and $DBG gone after rmmod"
	else
		check OK "/dev/nettypool and $DBG gone after rmmod"
	fi
else
	check FAIL "rmmod nettypool"
fi

# ------------------------------------------------- 7. module parameters
# A bad parameter refuses the load; max_total_bytes caps all pools.
if insmod /np/nettypool.ko page_size=1000 2>/dev/null; then
	check FAIL "insmod with page_size=1000 refused"
	rmmod nettypool
else
	check OK "insmod with page_size=1000 refused"
fi
if insmod /np/nettypool.ko max_total_bytes=16777216; then
	check OK "insmod with max_total_bytes=16777216"
	[ -x /np/nettypool_test ] && run_prog module-limit /np/nettypool_test module_limit
	[ -x /np/np_limits ] && run_prog limits-opens /np/np_limits opens
	if rmmod nettypool; then
		check OK "rmmod nettypool (limited)"
	else
		check FAIL "rmmod nettypool (limited)"
	fi
else
	check FAIL "insmod with max_total_bytes=16777216"
fi

say "=== nettypool guest suites: END ($failures failed checks)"
[ "$failures" -eq 0 ]
