#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-suites.sh - the module's suites in a QEMU guest (host side; the
# "guest" lane of make check).
#
# Usage: tests/guest/run-suites.sh RESULTS_DIR [EXTRA-PROGRAM...]
#
# Builds nettypool.ko (make module), the kselftest binary
# (tests/guest/selftests/nettypool, static) and the KTAP test module
# (tests/guest/kapi), boots one guest with tests/guest/run-guest.sh that runs
# tests/guest/suites.sh with all of them (plus EXTRA-PROGRAMs, static
# binaries, and $BUILD/np-unit-kernel when it exists), and counts the
# TAP/KTAP "ok" / "not ok" lines of its output into RESULTS_DIR/guest as
# "PASSED FAILED" ("ok ... # SKIP" counts as neither). A guest that fails
# (non-zero status from run-guest.sh: a failed check, a kernel WARNING or
# oops, a timeout) adds one failure. The whole serial output is kept in
# RESULTS_DIR/guest.log.
#
# Missing kernel headers, qemu, busybox-static or a kernel image: the lane
# is skipped (nothing written, exit 0) - unless $CI is set (and not
# "false"/"0"), where that is a failure ("0 1").
#
# Environment: KDIR (kernel build tree; default as in the Makefile),
# NP_KERNEL (guest kernel image; a debug kernel goes with its own KDIR),
# NP_SUITES_TIMEOUT (guest timeout, seconds, default 900), and whatever
# run-guest.sh reads (NP_GUEST_CPUS, here 4 by default; NP_GUEST_MEM,
# here 2048 by default; NP_QEMU, ...).
# Exit status: 0 when nothing failed (or skipped), 1 otherwise.

set -uo pipefail

PROG=run-suites
msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }

(($# >= 1)) || { msg "usage: $0 RESULTS_DIR [EXTRA-PROGRAM...]"; exit 2; }
results=$1
shift
extra=("$@")

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$results" || exit 2
results=$(cd "$results" && pwd)
build=$(dirname "$results")	# $(BUILD)/results -> $(BUILD)
out_file=$results/guest
log_file=$results/guest.log

in_ci() { [[ -n ${CI:-} && ${CI:-} != false && ${CI:-} != 0 ]]; }

# fail_lane REASON: record one failure for the lane and stop.
fail_lane() {
	msg "FAILED: $*"
	echo "0 1" >"$out_file"
	exit 1
}

# missing REASON: skip outside CI, fail under CI.
missing() {
	if in_ci; then
		fail_lane "$* (CI is set: missing tools are a failure)"
	fi
	msg "skipped: $* (scripts/install-deps.sh installs it)"
	exit 0
}

# ------------------------------------------------------------ tools
kdir=${KDIR:-}
if [[ -z $kdir ]]; then
	if [[ -d /lib/modules/$(uname -r)/build ]]; then
		kdir=/lib/modules/$(uname -r)/build
	else
		kdir=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' 2>/dev/null |
			sort -V | tail -n 1)
	fi
fi
[[ -n $kdir && -f $kdir/Makefile ]] ||
	missing "no kernel headers (linux-headers-amd64) or KDIR"
command -v "${NP_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
	missing "no ${NP_QEMU:-qemu-system-x86_64} (qemu-system-x86)"
busybox=$(command -v busybox 2>/dev/null) || missing "no busybox (busybox-static)"
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	missing "$busybox is not static (busybox-static)"
fi
if [[ -n ${NP_KERNEL:-} ]]; then
	[[ -r $NP_KERNEL ]] || missing "NP_KERNEL $NP_KERNEL not readable"
elif [[ -z $(find /boot -maxdepth 1 -name 'vmlinuz-6.1.*-amd64' 2>/dev/null) ]]; then
	missing "no /boot/vmlinuz-6.1.*-amd64 (linux-image-amd64)"
fi

# ------------------------------------------------------------ build
msg "building with KDIR=$kdir"
selftest_dir=$build/selftests
mkdir -p "$selftest_dir"
make -C "$top" --no-print-directory module KDIR="$kdir" >"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "make module"; }
[[ -f $top/nettypool.ko && -f $top/Module.symvers ]] ||
	fail_lane "make module left no nettypool.ko / Module.symvers"
make -C "$top/tests/guest/selftests/nettypool" --no-print-directory OUTPUT="$selftest_dir" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building the selftest"; }
make -C "$top/tests/guest/kapi" --no-print-directory KDIR="$kdir" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building test_nettypool.ko"; }
make -C "$top" --no-print-directory BUILD="$build" "$build/nettypool-static" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building nettypool-static"; }
# The concurrency stress (tests/guest/stress), run by suites.sh as an extra program.
make -C "$top/tests/guest/stress" --no-print-directory BUILD="$build" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building np_stress"; }
extra+=("$build/stress/np_stress")
# The adversarial suite (tests/guest/adversary), an extra program too.
make -C "$top/tests/guest/adversary" --no-print-directory OUTPUT="$build/adversary" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building np_adversary"; }
extra+=("$build/adversary/np_adversary")
# The tracepoints through tracefs (tests/guest/trace), an extra program too.
make -C "$top/tests/guest/trace" --no-print-directory OUTPUT="$build/trace" \
	>>"$results/guest-build.log" 2>&1 ||
	{ cat "$results/guest-build.log" >&2; fail_lane "building np_trace"; }
extra+=("$build/trace/np_trace")
# The ioctl fuzzer and the limits test; suites.sh gives them their arguments.
for d in ioctl-fuzz limits; do
	make -C "$top/tests/guest/$d" --no-print-directory OUTPUT="$build/$d" \
		>>"$results/guest-build.log" 2>&1 ||
		{ cat "$results/guest-build.log" >&2; fail_lane "building tests/guest/$d"; }
done

files=(--file "$top/nettypool.ko" --file "$selftest_dir/nettypool_test"
       --file "$top/tests/guest/kapi/test_nettypool.ko"
       --file "$build/nettypool-static" --file "$top/tests/guest/cli.sh"
       --file "$top/tests/lib/check.sh")
files+=(--file "$build/ioctl-fuzz/np_ioctl_fuzz" --file "$build/limits/np_limits")
names=()
[[ -x $build/np-unit-kernel ]] && files+=(--file "$build/np-unit-kernel")
# The traces Netty replayed, for np_netty_replay (tests/host/netty).
[[ -f $build/netty/netty-guest.expected ]] &&
	files+=(--file "$build/netty/netty-guest.expected")
for p in "${extra[@]+"${extra[@]}"}"; do
	[[ -f $p ]] || fail_lane "extra program not found: $p"
	files+=(--file "$p")
	names+=("$(basename -- "$p")")
done

# ------------------------------------------------------------ run
# 2 GiB: the library suites allocate a 1 GiB chunk, the largest geometry.
export NP_GUEST_MEM=${NP_GUEST_MEM:-2048}
# 4 CPUs, twice the host's: the per-CPU caches, remote frees, CPU offline
# and the concurrency stress (several processes and threads on several
# pools) want more CPUs than threads are busy at once.
export NP_GUEST_CPUS=${NP_GUEST_CPUS:-4}
msg "running the suites in a guest (log: $log_file)"
stdout_file=$(mktemp "${TMPDIR:-/tmp}/np-suites.XXXXXX")
trap 'rm -f -- "$stdout_file"' EXIT
start=$(date +%s)
rc=0
bash "$top/tests/guest/run-guest.sh" --script "$top/tests/guest/suites.sh" \
	"${files[@]}" --log "$log_file" --timeout "${NP_SUITES_TIMEOUT:-900}" \
	-- "${names[@]+"${names[@]}"}" | tee "$stdout_file"
rc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))
# The host's half of cli.sh: render the captured graphs, parse the JSON.
bash "$top/tests/guest/cli-host.sh" "$log_file" "$results/cli" | tee -a "$stdout_file"

# ------------------------------------------------------------ verdict
# Only lines that start with the result: the kernel-log dump at the end
# has "[ time ]" in front of its copies of the KTAP lines.
passed=$(grep -E '^ok( |$)' "$stdout_file" | grep -cvE '# (SKIP|skip)')
skipped=$(grep -E '^ok( |$)' "$stdout_file" | grep -cE '# (SKIP|skip)')
failed=$(grep -cE '^not ok( |$)' "$stdout_file")
if ((rc != 0)); then
	msg "the guest failed (run-guest.sh status $rc): one more failure"
	failed=$((failed + 1))
fi
if ((passed + failed == 0)); then
	msg "no test result in the guest's output"
	failed=1
fi
echo "$passed $failed" >"$out_file"
msg "guest: $passed passed, $failed failed, $skipped skipped (run-guest status $rc, ${elapsed}s)"
((failed == 0))
