# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# steps.sh - the TAP lines and results file of the host install lanes,
# sourced by check.sh and dkms.sh once they have set lane and results:
#
#   step NAME CMD...  run CMD: "ok - LANE: NAME" or "not ok - ...", counted
#   tap_steps FILE    the "ok - LANE: ..." and "not ok - LANE: ..." lines
#                     of FILE (a guest's output), printed and counted
#   steps_done        write "PASSED FAILED" to RESULTS/LANE, print the
#                     lane's summary; succeeds when nothing failed

passed=0 failed=0

# shellcheck disable=SC2154 # lane: set by the script that sources this
step() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $lane: $name"
		passed=$((passed + 1))
	else
		echo "not ok - $lane: $name"
		failed=$((failed + 1))
	fi
}

tap_steps() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - $lane: "*) passed=$((passed + 1)) ;;
		"not ok - $lane: "*) failed=$((failed + 1)) ;;
		*) continue ;;
		esac
		echo "$line"
	done <"$1"
}

# shellcheck disable=SC2154 # results: set by the script that sources this
steps_done() {
	echo "$passed $failed" >"$results/$lane"
	echo "$lane: $passed passed, $failed failed"
	((failed == 0))
}
