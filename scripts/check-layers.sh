#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-layers.sh - hold the tree to its architecture.
#
#   1. A file of the portable core (kernel/core/) includes only the core's
#      own headers, the environment contract "np_env.h" and the ABI
#      <linux/nettypool.h>: never a kernel or libc header.
#   2. The environment (kernel/env/) includes no header of the core.
#   3. Nothing outside the core and its tests includes np_core_internal.h,
#      and nothing outside the core and the environment takes a core lock
#      (np_lock(), np_read_lock(), np_write_lock() and their unlocks).
#   4. Inside the core, calls run downward only: a file calls functions of
#      the files listed after it in the layer list at the top of
#      kernel/core/np_core.h, never of those before it.
#
# Usage: scripts/check-layers.sh [RESULTS-FILE]
# Prints one "ok"/"not ok" line per rule and a summary; with RESULTS-FILE
# it also writes "PASSED FAILED" there (for tests/summary.sh). Exit 1 when
# a rule is broken.

set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

results=${1:-}
passed=0
failed=0
report() {	# report STATUS description [details]
	if [ "$1" = ok ]; then
		echo "ok - layers: $2"
		passed=$((passed + 1))
	else
		echo "not ok - layers: $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

core_headers=$(cd kernel/core && ls ./*.h | sed 's|^\./||')

# 1. the core's includes
bad=$(grep -Hn '^#include' kernel/core/*.c kernel/core/*.h | while IFS= read -r line; do
	inc=$(printf '%s' "$line" | sed -E 's/.*#include[[:space:]]+//')
	case $inc in
	'<linux/nettypool.h>' | '"np_env.h"') continue ;;
	\"*\")
		name=${inc#\"}
		name=${name%\"}
		printf '%s\n' "$core_headers" | grep -qxF "$name" && continue
		;;
	esac
	printf '%s\n' "$line"
done)
[ -z "$bad" ] && report ok "the core includes only its own headers, np_env.h and the ABI" ||
	report fail "the core includes only its own headers, np_env.h and the ABI" "$bad"

# 2. the environment stays below the core
bad=$(grep -Hn '^#include[[:space:]]*"np_\(core\|cache\|refs\|size_class\|tables\)' kernel/env/* || true)
[ -z "$bad" ] && report ok "the environment includes no header of the core" ||
	report fail "the environment includes no header of the core" "$bad"

# 3. outsiders: no internal header, no core lock
bad=$(grep -rHn '#include[[:space:]]*"np_core_internal.h"' kernel/module userspace || true)
[ -z "$bad" ] && report ok "only the core and its tests include np_core_internal.h" ||
	report fail "only the core and its tests include np_core_internal.h" "$bad"
bad=$(grep -rHnE '\bnp_(read_|write_)?(un)?lock\(' kernel/module userspace --include='*.c' --include='*.h' || true)
[ -z "$bad" ] && report ok "no file outside the core takes a core lock" ||
	report fail "no file outside the core takes a core lock" "$bad"

# 4. calls run downward: the layer list of np_core.h, top to bottom
mapfile -t layers < <(awk '/^ \* Layers:/ { on = 1; next }
	on && /^ \* and under all of them/ { exit }
	on && match($0, /^ \*   [a-z_]+\.c/) { print substr($0, 6, RLENGTH - 5) }' \
	kernel/core/np_core.h)
listed=$(printf '%s\n' "${layers[@]}" | sort)
present=$(cd kernel/core && ls ./*.c | sed 's|^\./||' | sort)
if [ "$listed" != "$present" ]; then
	report fail "the layer list of np_core.h names every core file" \
		"$(diff <(echo "$listed") <(echo "$present"))"
else
	report ok "the layer list of np_core.h names every core file (${#layers[@]})"
fi
declare -A rank owner
for i in "${!layers[@]}"; do
	rank[${layers[$i]}]=$i
done
# functions defined by each file: a line starting a definition
for f in "${layers[@]}"; do
	[ -f "kernel/core/$f" ] || continue
	while read -r fn; do
		owner[$fn]=$f
	done < <(grep -oE '^[a-z][a-z0-9_ *]*\bnp_[a-z0-9_]+\(' "kernel/core/$f" |
		grep -oE 'np_[a-z0-9_]+\($' | tr -d '(')
done
bad=
for f in "${layers[@]}"; do
	[ -f "kernel/core/$f" ] || continue
	while read -r fn; do
		callee=${owner[$fn]:-}
		[ -n "$callee" ] && [ "$callee" != "$f" ] || continue
		if [ "${rank[$callee]}" -lt "${rank[$f]}" ]; then
			bad+="$f calls $fn() of $callee, a layer above it"$'\n'
		fi
	done < <(sed -E -e 's|/\*.*\*/||g' -e '/^[[:space:]]*(\/\*|\*)/d' \
		"kernel/core/$f" | grep -oE '\bnp_[a-z0-9_]+\(' | tr -d '(' |
		sort -u)
done
[ -z "$bad" ] && report ok "calls inside the core run downward only" ||
	report fail "calls inside the core run downward only" "${bad%$'\n'}"

echo "layers: $passed passed, $failed failed"
[ -n "$results" ] && echo "$passed $failed" >"$results"
[ "$failed" = 0 ]
