#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the debug lane's second guest (busybox sh, debug kernel):
# the KUnit suites of the allocator core and fault injection, then a
# kmemleak scan. Run by tests/debug/run.sh through run-guest.sh.
#
# Usage (in the guest, from /np): sh guest.sh [NP_FAULTS-ARGS...]
#
# Expects in /np: nettypool_kunit.ko (tests/debug/kunit), nettypool.ko,
# np_faults (tests/debug/np_faults.c, static) and kmemleak.sh.
#
#   1. insmod nettypool_kunit.ko: its suites run while it loads. Each
#      suite's KTAP (/sys/kernel/debug/kunit/<suite>/results) is printed
#      with one TAP line per case, "ok - kunit: <suite>: <case>", and
#      everything else as "#" lines; rmmod nettypool_kunit.
#   2. insmod nettypool.ko, np_faults NP_FAULTS-ARGS (its TAP as it is;
#      it checks the debugfs totals itself), rmmod nettypool.
#   3. kmemleak_check (kmemleak.sh).
#
# The host counts every "ok" / "not ok" line. Exit status: 0 when every
# check passed, else 1.

PROG_TIMEOUT=${NP_PROG_TIMEOUT:-1800}
KUNIT=/sys/kernel/debug/kunit
# shellcheck disable=SC2034 # read by check.sh
check_lane=debug
# shellcheck disable=SC1091 # tests/lib/check.sh, copied in beside this script
. /np/check.sh

# Only the final scan counts: no periodic scan meanwhile.
[ -w /sys/kernel/debug/kmemleak ] && echo scan=off >/sys/kernel/debug/kmemleak
# shellcheck disable=SC1091 # kmemleak.sh, copied in by run.sh
. /np/kmemleak.sh

# ---------------------------------------------------------------- KUnit
say "=== suite kunit: BEGIN"
if insmod /np/nettypool_kunit.ko; then
	check OK "insmod nettypool_kunit.ko"
	suites=0
	for d in "$KUNIT"/nettypool_*; do
		[ -r "$d/results" ] || continue
		suites=$((suites + 1))
		awk -v suite="${d##*/}" '
			/^    (not )?ok [0-9]+ / {
				line = $0
				sub(/^ +/, "", line)
				bad = line ~ /^not /
				sub(/^(not )?ok [0-9]+ /, "", line)
				printf "%sok - kunit: %s: %s\n", bad ? "not " : "", suite, line
				n++
				next
			}
			/^    1\.\.[0-9]+$/ { plan = substr($1, 4) + 0 }
			{ print "# " $0 }
			END {
				if (n < plan)
					printf "not ok - kunit: %s: %d of %d cases reported\n", suite, n, plan
			}' "$d/results" >/tmp/np-kunit.out
		cat /tmp/np-kunit.out
		nnot=$(grep -c '^not ok' /tmp/np-kunit.out)
		failures=$((failures + nnot))
	done
	if [ "$suites" -gt 0 ]; then
		check OK "KUnit: $suites suites of nettypool_kunit ran"
	else
		check FAIL "KUnit: suites of nettypool_kunit ran (none in $KUNIT)"
	fi
	if rmmod nettypool_kunit; then
		check OK "rmmod nettypool_kunit"
	else
		check FAIL "rmmod nettypool_kunit"
	fi
else
	check FAIL "insmod nettypool_kunit.ko"
fi
say "=== suite kunit: END"

# ------------------------------------------------------ fault injection
say "=== suite faults: BEGIN"
if insmod /np/nettypool.ko; then
	check OK "insmod nettypool.ko"
	rm -f /tmp/np-rc
	{ timeout "$PROG_TIMEOUT" /np/np_faults "$@" 2>&1; echo $? >/tmp/np-rc; } |
		tee /tmp/np-faults.out
	rc=$(cat /tmp/np-rc 2>/dev/null || echo 255)
	[ "$rc" -ne 143 ] || say "# np_faults: killed after ${PROG_TIMEOUT}s"
	nok=$(grep -cE '^ok( |$)' /tmp/np-faults.out)
	nnot=$(grep -cE '^not ok( |$)' /tmp/np-faults.out)
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' /tmp/np-faults.out | head -n 1)
	failures=$((failures + nnot))
	if [ -z "$plan" ] || [ $((nok + nnot)) -lt "$plan" ]; then
		check FAIL "np_faults: $((nok + nnot)) of ${plan:-?} planned results reported (status $rc)"
	elif [ "$rc" -ne 0 ] && [ "$nnot" -eq 0 ]; then
		check FAIL "np_faults: exit status $rc without a failing test"
	fi
	# the injection must be off for everyone else, whatever happened
	for a in fail_page_alloc failslab; do
		echo 0 >/sys/kernel/debug/$a/probability
	done
	if rmmod nettypool; then
		check OK "rmmod nettypool after the faults"
	else
		check FAIL "rmmod nettypool after the faults"
	fi
else
	check FAIL "insmod nettypool.ko"
fi
say "=== suite faults: END"

# ------------------------------------------------------------ kmemleak
kmemleak_check nettypool_kunit nettypool || failures=$((failures + 1))

say "=== nettypool debug guest: END ($failures failed checks)"
[ "$failures" -eq 0 ]
