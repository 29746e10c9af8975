#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Add up the lanes' "PASSED FAILED" lines and print the closing line of
# make check. Under a lane that failed, its first failing TAP lines (from
# <lane>.log), so that the end of a CI log says what broke. Exits non-zero
# when anything failed or nothing ran.
set -u
results=$1
total_passed=0
total_failed=0
for f in "$results"/*; do
	[ -f "$f" ] || continue
	case $f in *.log) continue ;; esac
	read -r passed failed <"$f"
	printf '  %-12s %5d passed, %d failed\n' "$(basename "$f")" "$passed" "$failed"
	if [ "$failed" -gt 0 ] && [ -f "$f.log" ]; then
		grep -a -m 8 -E '^[[:space:]]*not ok( |$)' "$f.log" |
			cut -c1-200 | sed 's/^/      /'
	fi
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ]
