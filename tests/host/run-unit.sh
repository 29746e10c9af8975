#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the check unit-test binary in one lane and record its counts.
#
#   tests/host/run-unit.sh LANE BINARY RESULTS_DIR
#
# LANE is "unit", "asan" (a sanitizer build of the same tests) or
# "valgrind" (the plain build under memcheck, no fork per test, so that
# memcheck sees every test). The lane's line in RESULTS_DIR/LANE is
# "PASSED FAILED"; a lane that could not run, or a valgrind error, counts
# as one failure.
set -u
lane=$1 bin=$2 results=$3
log=$results/$lane.log

case $lane in
valgrind)
	if ! command -v valgrind >/dev/null; then
		echo "$lane: valgrind is not installed" | tee "$log"
		echo "0 1" >"$results/$lane"
		exit 1
	fi
	CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		"$bin" >"$log" 2>&1
	rc=$?
	;;
*)
	"$bin" >"$log" 2>&1
	rc=$?
	;;
esac

cat "$log"
summary=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
if [ -z "$summary" ]; then
	echo "$lane: no check summary (exit $rc)"
	echo "0 1" >"$results/$lane"
	exit 1
fi
read -r checks failures errors < <(echo "$summary" | tr -dc '0-9 ' | tr -s ' ')
failed=$((failures + errors))
passed=$((checks - failed))
# An exit status check's summary does not explain (valgrind's 99, a
# sanitizer report after the summary) is one more failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "$lane: exit status $rc with every check passed: counted as a failure"
	failed=1
fi
echo "$passed $failed" >"$results/$lane"
echo "$lane: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
