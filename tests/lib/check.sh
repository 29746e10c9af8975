# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# check.sh - the TAP lines of the guest scripts (busybox sh), sourced by
# tests/guest/suites.sh and tests/debug/guest.sh, which the harness runs
# from /np with this file beside them.
#
#   say TEXT...                 one line on stdout
#   check OK|FAIL DESCRIPTION   "ok - LANE: DESCRIPTION" or "not ok - ...",
#                               counting the failures in $failures
#
# LANE is $check_lane, set by the script before it sources this file.

failures=0

say() { printf '%s\n' "$*"; }

# shellcheck disable=SC2154 # check_lane: set by the script that sources this
check() {
	if [ "$1" = OK ]; then
		say "ok - $check_lane: $2"
	else
		say "not ok - $check_lane: $2"
		failures=$((failures + 1))
	fi
}
