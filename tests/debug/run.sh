#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the "debug" lane (make check-debug): every guest suite under a
# debug kernel (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, kmemleak, UBSAN,
# DEBUG_LIST, DEBUG_VM; see config.fragment), then a kmemleak scan after
# the module is unloaded.
#
# Usage: tests/debug/run.sh RESULTS_DIR
#
#   1. tests/debug/build-kernel.sh: the debug kernel, built once and cached
#      outside the repository (~20 min on 2 CPUs, then instant).
#   2. A copy of the working tree (git ls-files: tracked and untracked,
#      not ignored) in a temporary directory, so that nettypool.ko and
#      test_nettypool.ko built against the debug tree never replace the
#      repository's own (built against Debian's headers).
#   3. In the copy: build/np-unit-kernel (the library suites over the
#      module), and tests/guest/suites.sh wrapped: the wrapper stops
#      kmemleak's periodic scan (only the final scan counts), runs the
#      original suites.sh with a longer per-program timeout, then - the
#      module unloaded - kmemleak_check (kmemleak.sh): a scan after
#      kmemleak's 5 s minimum age, every suspected leak listed, as TAP:
#        ok - debug: kmemleak: no leak from nettypool after rmmod (N in all)
#   4. The copy's tests/guest/run-suites.sh with KDIR=<debug tree> and
#      NP_KERNEL=<tree>/arch/x86/boot/bzImage (NP_GUEST_PVH=0: see below),
#      kernel command line "kmemleak=on".  run-guest.sh fails the guest on any
#      BUG:/WARNING:/KASAN/UBSAN/lockdep/kmemleak line in the kernel log.
#   5. A second guest, same kernel, running tests/debug/guest.sh: the KUnit
#      suites of the allocator core (tests/debug/kunit/nettypool_kunit.ko, one
#      TAP line per case), fault injection (np_faults.c: fail-nth and
#      fail_page_alloc/failslab at random over the device's ioctls), and
#      kmemleak_check again. Its results are added to the lane's.
#
# Results: RESULTS_DIR/debug ("PASSED FAILED", like the other lanes),
# RESULTS_DIR/debug.log and debug-robust.log (the serial output of the two
# guests), RESULTS_DIR/debug-findings.log (each kernel report, and the
# kmemleak listings).
#
# Environment: NP_DEBUG_MEM (guest MiB, default 3072: KASAN takes 1/8 of
#   memory for its shadow and the library suites map a 1 GiB chunk),
#   NP_DEBUG_TIMEOUT (whole guest, s, default 3600), NP_DEBUG_PROG_TIMEOUT
#   (each program in the guest, s, default 1800), NP_DEBUG_APPEND (more
#   kernel command line), NP_DEBUG_KEEP=1 (keep the temporary copy),
#   NP_DEBUG_REV (test this git revision, e.g. HEAD, instead of the
#   working tree), NP_DEBUG_FAULTS (arguments of np_faults, e.g.
#   "-s 42 -n 20000 -p 20"; the seed is printed), and
#   what build-kernel.sh, run-suites.sh and run-guest.sh read.
# Exit status: 0 when nothing failed, 1 otherwise.

set -uo pipefail

readonly PROG=debug
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

(($# == 1)) || { msg "usage: $0 RESULTS_DIR"; exit 2; }
mkdir -p "$1" || exit 2
results=$(cd "$1" && pwd)
out_file=$results/debug
log_file=$results/debug.log
findings=$results/debug-findings.log
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# Run from make (make check-debug BUILD=... KDIR=...): the copy is built
# with its own defaults, not with the caller's command-line variables.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL
rm -f -- "$out_file" "$log_file" "$findings"

fail_lane() {
	msg "FAILED: $*"
	echo "0 1" >"$out_file"
	exit 1
}

lane_start=$(date +%s)

# ------------------------------------------------------------ 1. kernel
t0=$(date +%s)
# shellcheck disable=SC2015 # either failing is a failure
tree=$(bash "$here/build-kernel.sh" | tail -n 1) && [[ -d $tree ]] ||
	fail_lane "building the debug kernel (tests/debug/build-kernel.sh)"
kernel_s=$(($(date +%s) - t0))
msg "debug kernel: $tree (${kernel_s}s)"

# ------------------------------------------------------------ 2. copy
work=$(mktemp -d "${TMPDIR:-/tmp}/np-debug.XXXXXX") || fail_lane "mktemp"
# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	if [[ ${NP_DEBUG_KEEP:-0} == 1 ]]; then
		msg "kept: $work"
	else
		rm -rf -- "$work"
	fi
}
trap cleanup EXIT
src=$work/src
mkdir -p "$src"
if [[ -n ${NP_DEBUG_REV:-} ]]; then
	git -C "$top" archive --format=tar "$NP_DEBUG_REV" | tar -C "$src" -xf - ||
		fail_lane "git archive $NP_DEBUG_REV"
elif git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (tracked files deleted in the working tree are left out)
	(cd "$top" && git ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ ! -e $f && ! -L $f ]] || printf '%s\0' "$f"
		done | cpio -0 -pdm --quiet "$src") || fail_lane "copying the working tree"
else
	tar -C "$top" --exclude=./build --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order -cf - . |
		tar -C "$src" -xf - || fail_lane "copying the source tree"
fi

# ------------------------------------------------------------ 3. prepare
mkdir -p "$src/build/results"
make -C "$src" --no-print-directory BUILD=build build/np-unit-kernel >"$work/unit-build.log" 2>&1 ||
	{ cat "$work/unit-build.log" >&2; fail_lane "building build/np-unit-kernel"; }

orig=$src/tests/guest/suites.sh
[[ -f $orig ]] || fail_lane "no tests/guest/suites.sh"
! grep -qx NP_DEBUG_SUITES_EOF "$orig" || fail_lane "suites.sh contains the heredoc marker"
wrapped=$work/suites.sh
{
	cat <<EOF
#!/bin/sh
# Generated by tests/debug/run.sh: tests/guest/suites.sh, then kmemleak.
export NP_PROG_TIMEOUT=${NP_DEBUG_PROG_TIMEOUT:-1800}
# Only the final scan counts: no periodic scan while the suites run.
KL=/sys/kernel/debug/kmemleak
[ -w \$KL ] && echo scan=off >\$KL
cat >/tmp/np-suites.sh <<'NP_DEBUG_SUITES_EOF'
EOF
	cat -- "$orig"
	cat <<'EOF'
NP_DEBUG_SUITES_EOF
sh /tmp/np-suites.sh "$@"
rc=$?
EOF
	cat -- "$here/kmemleak.sh"
	cat <<'EOF'
kmemleak_check test_nettypool nettypool || rc=1
exit $rc
EOF
} >"$wrapped"
cp -- "$wrapped" "$orig"

# ------------------------------------------------------------ 4. run
msg "running the guest suites under the debug kernel (log: $log_file)"
t0=$(date +%s)
# The bzImage as is: KASAN instruments xen_prepare_pvh(), which runs
# before the KASAN shadow exists, so a KASAN kernel cannot boot through
# its PVH entry (gzip decompression costs ~1 s under TCG).
KDIR=$tree NP_KERNEL=$tree/arch/x86/boot/bzImage NP_GUEST_PVH=0 \
	NP_GUEST_MEM=${NP_DEBUG_MEM:-3072} \
	NP_SUITES_TIMEOUT=${NP_DEBUG_TIMEOUT:-3600} \
	NP_GUEST_APPEND="${NP_GUEST_APPEND:-} kmemleak=on ${NP_DEBUG_APPEND:-}" \
	bash "$src/tests/guest/run-suites.sh" "$src/build/results"
rc=$?
guest_s=$(($(date +%s) - t0))
cp -- "$src/build/results/guest.log" "$log_file" 2>/dev/null || true
if [[ ! -s $src/build/results/guest ]]; then
	# run-suites.sh skips (no output) only when a tool is missing.
	fail_lane "run-suites.sh recorded nothing (rc $rc): missing tools?"
fi
cp -- "$src/build/results/guest" "$out_file"

# ------------------------------------------------------------ 5. robustness
# A second guest (guest.sh): the core's KUnit suites (tests/debug/kunit) and
# fault injection (np_faults), then kmemleak. The nettypool.ko that
# step 4 built against the debug tree is the one loaded.
robust() {
	local out=$work/robust.out

	if ! make -C "$src/tests/debug/kunit" --no-print-directory KDIR="$tree" \
		>"$work/robust-build.log" 2>&1 ||
	   ! ${CC:-gcc} -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
		-I"$src/uapi" -static -o "$work/np_faults" \
		"$src/tests/debug/np_faults.c" >>"$work/robust-build.log" 2>&1; then
		cat "$work/robust-build.log" >&2
		return 1
	fi
	msg "running KUnit and fault injection in a second guest (log: $robust_log)"
	# shellcheck disable=SC2086 # NP_DEBUG_FAULTS is a list of arguments
	NP_KERNEL=$tree/arch/x86/boot/bzImage NP_GUEST_PVH=0 \
		NP_GUEST_MEM=${NP_DEBUG_MEM:-3072} \
		NP_GUEST_APPEND="${NP_GUEST_APPEND:-} kmemleak=on ${NP_DEBUG_APPEND:-}" \
		bash "$src/tests/guest/run-guest.sh" \
		--script "$src/tests/debug/guest.sh" \
		--file "$src/nettypool.ko" \
		--file "$src/tests/debug/kunit/nettypool_kunit.ko" \
		--file "$work/np_faults" --file "$here/kmemleak.sh" \
		--file "$src/tests/lib/check.sh" \
		--log "$robust_log" --timeout "${NP_DEBUG_TIMEOUT:-3600}" \
		-- ${NP_DEBUG_FAULTS:-} | tee "$out"
	robust_rc=${PIPESTATUS[0]}
	robust_passed=$(grep -E '^ok( |$)' "$out" | grep -cvE '# (SKIP|skip)')
	robust_failed=$(grep -cE '^not ok( |$)' "$out")
	((robust_rc == 0)) || robust_failed=$((robust_failed + 1))
	((robust_passed + robust_failed)) || robust_failed=1
	return 0
}
robust_log=$results/debug-robust.log
robust_passed=0 robust_failed=0 robust_rc=0
t0=$(date +%s)
robust || { msg "FAILED: building nettypool_kunit.ko or np_faults"; robust_failed=1; }
robust_s=$(($(date +%s) - t0))
msg "robustness guest: $robust_passed passed, $robust_failed failed (run-guest status $robust_rc, ${robust_s}s)"
read -r passed failed <"$out_file"
echo "$((passed + robust_passed)) $((failed + robust_failed))" >"$out_file"

# ------------------------------------------------------------ findings
# Each report of the kernel log, from its first line to its end marker
# (or 200 lines), and the wrapper's kmemleak listing.  The kernel log is
# the guest's final dump; only when there is none (a crash) the kernel
# lines of the console.  (After a lockdep report the console shows every
# kernel message too: lockdep raises the console log level.)
: >"$findings"
for log in "$log_file" "$robust_log"; do
	[[ -f $log ]] || continue
	whole=0
	grep -q '^NP-DMESG-BEGIN$' "$log" || whole=1
	awk -v whole="$whole" '
		/^NP-DMESG-BEGIN$/ { dump = 1; next }
		/^NP-DMESG-END$/ { dump = 0; next }
		/^# kmemleak[|:]/ || /^(not )?ok - debug: kmemleak/ { print; next }
		!dump && !(whole && /^\[ *[0-9]+\.[0-9]+\]/) { next }
		n > 0 {
			print; n--
			if (seen > 2 && (/---\[ end trace|^\[ *[0-9.]+\] =+$/ ||
					 (!kasan && /<\/TASK>$/))) { n = 0; print "" }
			seen++
			next
		}
		/BUG:|WARNING:|Oops|KASAN|UBSAN|[Kk]ernel panic|general protection fault|suspected memory leak|possible (circular|recursive)|inconsistent lock|sleeping function/ {
			print "----"; print; n = 200; seen = 0; kasan = /KASAN/
		}' "$log" >>"$findings"
done
grep -qv '^ok - debug: kmemleak' "$findings" || rm -f -- "$findings"

read -r passed failed <"$out_file"
msg "debug: $passed passed, $failed failed (kernel ${kernel_s}s, guests ${guest_s}s + ${robust_s}s, lane $(($(date +%s) - lane_start))s)"
[[ ! -f $findings ]] || msg "kernel reports: $findings"
((failed == 0))
