#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - run every benchmark of make bench, print the results table
# and regenerate Documentation/benchmarks.rst.
#
# Usage: scripts/bench/bench.sh BUILD-DIR
#
# Expects what make bench builds: BUILD-DIR/bench-host-<allocator> for
# nettypool glibc jemalloc mimalloc tcmalloc, BUILD-DIR/bench-guest-user,
# nettypool.ko and scripts/bench/kernel/np_bench.ko.
#
#   1. host: every round runs each workload (pairs, window, larson over 1,
#      2 and 4 threads, xmalloc) under each allocator in turn, one process
#      per workload, so that the allocators are measured side by side;
#      then callgrind counts each allocator's instructions per pair;
#   2. guest (tests/guest/run-guest.sh, NP_GUEST_CPUS CPUs): np_bench.ko,
#      then bench-guest-user (scripts/bench/guest-bench.sh);
#   3. scripts/bench/report.sh: medians, ratios, targets -> stdout and
#      BUILD-DIR/bench-table.txt; raw lines in BUILD-DIR/bench-raw.txt.
#
# Environment:
#   NP_BENCH_ROUNDS  rounds of every measurement (7)
#   NP_BENCH_PARTS   which parts to run: "host guest" (default), "host",
#                    "guest"; the page is regenerated only when both ran
#   NP_BENCH_DOC     the page to regenerate (Documentation/benchmarks.rst;
#                    empty: none)
#   NP_GUEST_CPUS    guest CPUs (2), see tests/guest/run-guest.sh
#
# Exit status: 0, or 1 when a benchmark failed, 2 on usage errors.

set -uo pipefail

readonly ALLOCS=(nettypool glibc jemalloc mimalloc tcmalloc)
readonly WORKLOADS=("pairs" "window" "larson 1" "larson 2" "larson 4" "xmalloc")
readonly HOST_TIMEOUT=300	# seconds per benchmark process
readonly PAIR_SIZES=(64 256 1024 4096 16384 65536)	# as in host.c
readonly COUNT_PAIRS=4000	# pairs of the shorter callgrind run

die() {
	echo "bench: $2" >&2
	exit "$1"
}

[[ $# -eq 1 && -d $1 ]] || die 2 "usage: scripts/bench/bench.sh BUILD-DIR"
build=$1
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=${NP_BENCH_ROUNDS:-7}
parts=${NP_BENCH_PARTS:-host guest}
doc=${NP_BENCH_DOC-$top/Documentation/benchmarks.rst}
export NP_GUEST_CPUS=${NP_GUEST_CPUS:-2}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die 2 "NP_BENCH_ROUNDS must be a positive number"
[[ $NP_GUEST_CPUS =~ ^[1-9][0-9]*$ ]] || die 2 "NP_GUEST_CPUS must be a positive number"
[[ $parts =~ ^(host|guest|host guest|guest host)$ ]] ||
	die 2 "NP_BENCH_PARTS must be \"host guest\", \"host\" or \"guest\""

raw=$build/bench-raw.txt
table=$build/bench-table.txt

# pkg_version PACKAGE: its Debian version, or "?"
pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'
}

header() {
	local cpu kernel
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	kernel=$(printf '%s\n' /boot/vmlinuz-6.1.*-amd64 | sort -V | tail -n 1)
	echo "H nettypool make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
		"$(git -C "$top" describe --always --dirty 2>/dev/null || echo '?')"
	echo "H host: ${cpu:-?}, $(nproc) CPUs, load average" \
		"$(cut -d' ' -f1-3 /proc/loadavg) at start"
	if awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg; then
		echo "H WARNING: the host was busy at start (load above half its" \
			"CPUs): figures are noisy, thread scaling above all"
	fi
	echo "H allocators: glibc $(pkg_version libc6), jemalloc" \
		"$(pkg_version libjemalloc2), mimalloc $(pkg_version libmimalloc2.0)," \
		"tcmalloc $(pkg_version libtcmalloc-minimal4)"
	if [[ $parts == *guest* ]]; then
		echo "H guest: $(${NP_QEMU:-qemu-system-x86_64} --version |
			head -n 1) TCG, $NP_GUEST_CPUS CPUs," \
			"kernel ${kernel##*/}"
	fi
}

run_host() {
	local r w a start=$SECONDS

	for a in "${ALLOCS[@]}"; do
		[[ -x $build/bench-host-$a ]] ||
			die 1 "$build/bench-host-$a missing: run make bench"
	done
	for ((r = 1; r <= rounds; r++)); do
		echo "bench: host round $r of $rounds" >&2
		for w in "${WORKLOADS[@]}"; do
			for a in "${ALLOCS[@]}"; do
				# shellcheck disable=SC2086 # "larson 2": two words
				if ! timeout "$HOST_TIMEOUT" \
						"$build/bench-host-$a" $w >>"$raw"; then
					die 1 "bench-host-$a $w failed"
				fi
			done
		done
	done
	echo "bench: host part took $((SECONDS - start)) s" >&2
}

# instructions SUBJECT SIZE N: what callgrind counts for a whole run
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$build/bench-host-$1" count "$2" "$3" 2>&1 >/dev/null |
		sed -n 's/^==[0-9]*== Collected : //p'
}

# Instructions per pair: callgrind's count is the same on every run, so
# two runs that differ only in their number of pairs tell it exactly.
run_counts() {
	local a size lo hi start=$SECONDS

	command -v valgrind >/dev/null || die 1 "valgrind missing: run make deps"
	echo "bench: instructions per pair under callgrind" >&2
	for a in "${ALLOCS[@]}"; do
		for size in "${PAIR_SIZES[@]}"; do
			lo=$(instructions "$a" "$size" "$COUNT_PAIRS")
			hi=$(instructions "$a" "$size" $((2 * COUNT_PAIRS)))
			[[ $lo =~ ^[0-9]+$ && $hi =~ ^[0-9]+$ ]] ||
				die 1 "callgrind gave no count for $a at $size B"
			echo "R host $a pairs $size instr" \
				"$(((hi - lo) / COUNT_PAIRS))" >>"$raw"
		done
	done
	echo "bench: instruction counts took $((SECONDS - start)) s" >&2
}

run_guest() {
	local out=$build/bench-guest.out rc f start=$SECONDS

	for f in "$top/nettypool.ko" "$top/scripts/bench/kernel/np_bench.ko" \
			"$build/bench-guest-user"; do
		[[ -f $f ]] || die 1 "$f missing: run make bench"
	done
	echo "bench: guest ($NP_GUEST_CPUS CPUs), $rounds rounds" >&2
	bash "$top/tests/guest/run-guest.sh" \
		--script "$top/scripts/bench/guest-bench.sh" \
		--file "$top/nettypool.ko" \
		--file "$top/scripts/bench/kernel/np_bench.ko" \
		--file "$build/bench-guest-user" \
		--timeout 1200 --log "$build/bench-guest.log" \
		-- "$rounds" 20 50 >"$out" 2>&1
	rc=$?
	if [[ $rc -ne 0 ]]; then
		tail -n 30 "$out" >&2
		die 1 "guest run failed (exit $rc), log in $build/bench-guest.log"
	fi
	grep -E '^[IR] ' "$out" >>"$raw"
	echo "bench: guest part took $((SECONDS - start)) s" >&2
}

# Put the table between the page's two marker comments.
write_doc() {
	local tmp

	if ! grep -q '^\.\. bench-results-begin$' "$doc" ||
	   ! grep -q '^\.\. bench-results-end$' "$doc"; then
		die 1 "$doc lacks the bench-results-begin/end markers"
	fi
	tmp=$(mktemp) || die 1 "mktemp failed"
	awk -v table="$table" '
		/^\.\. bench-results-end$/ { skip = 0 }
		!skip { print }
		/^\.\. bench-results-begin$/ {
			skip = 1
			print "\n::\n"
			while ((getline line < table) > 0)
				print (line == "" ? "" : "    " line)
			print ""
		}' "$doc" >"$tmp" && cat "$tmp" >"$doc"
	rm -f "$tmp"
	echo "bench: wrote the table into $doc" >&2
}

header >"$raw"
[[ $parts == *host* ]] && run_host && run_counts
[[ $parts == *guest* ]] && run_guest
bash "$top/scripts/bench/report.sh" "$raw" >"$table" || exit 1
cat "$table"
if [[ -n $doc && $parts == *host* && $parts == *guest* ]]; then
	write_doc
fi
