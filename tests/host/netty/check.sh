#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - the netty lane of make check: nettypool's core against Netty
# 4.1's own PooledByteBufAllocator (Debian's libnetty-java), trace by trace.
#
# Usage: tests/host/netty/check.sh BUILD [--prepare]
#
#   1. np_netty_gen writes the traces (fixed seeds) to BUILD/netty/traces;
#   2. NettyReplay.java replays them through Netty (one direct arena, no
#      caches) into BUILD/netty/expected/NAME.expected;
#   3. np_netty_replay replays the operations of every expected file
#      through the core and compares line by line: one TAP result per
#      trace, "ok" when identical, else the first differing operation with
#      both lines;
#   4. np_netty_replay_perturbed (arena.c with two lists of the allocation
#      order swapped) must differ from Netty on the climb trace, so a lane
#      that compares nothing cannot pass.
# Also writes BUILD/netty/netty-guest.expected: every expected file cut to
# what the device shows (operation, result, list counts), one "trace NAME"
# line before each, for the guest lane (np_netty_replay -d).
#
# With --prepare only steps 1, 2 and the guest file (for make check-guest
# alone). Results: BUILD/results/netty ("PASSED FAILED"), the TAP in
# BUILD/results/netty.log. No JDK, no Netty jars, or a build that fails:
# one failure, never a skip. Exit status 0 when nothing failed.

set -uo pipefail

build=${1:?usage: check.sh BUILD [--prepare]}
prepare=${2:-}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$build/results" || exit 2
build=$(cd "$build" && pwd)
out=$build/netty
results=$build/results
log=$results/netty${prepare:+-prepare}.log
jars=/usr/share/java

# fail REASON: the lane could not run; that counts as one failure.
fail() {
	echo "not ok 1 - netty: $*" | tee -a "$log"
	[[ -n $prepare ]] || echo "0 1" >"$results/netty"
	exit 1
}

: >"$log"
start=$(date +%s)
for tool in java javac; do
	command -v $tool >/dev/null ||
		fail "$tool is missing (make deps installs default-jdk-headless)"
done
classpath=$out/classes
for jar in netty-buffer netty-common; do
	[[ -r $jars/$jar.jar ]] ||
		fail "$jars/$jar.jar is missing (make deps installs libnetty-java)"
	classpath+=:$jars/$jar.jar
done

mkdir -p "$out/traces" "$out/expected" "$out/classes"
make --no-print-directory -C "$top/tests/host/netty" O="$out" \
	LIB="$build/libnettypool.a" >>"$log" 2>&1 ||
	fail "building the replayers (see $log)"
javac -nowarn -d "$out/classes" -cp "$classpath" \
	"$top/tests/host/netty/NettyReplay.java" >>"$log" 2>&1 ||
	fail "javac NettyReplay.java (see $log)"

rm -f "$out"/traces/*.trace "$out"/expected/*.expected
"$out/np_netty_gen" "$out/traces" >>"$log" 2>&1 ||
	fail "np_netty_gen (see $log)"
# No leak detector: it would sample and wrap buffers, and has nothing to
# do with where they are placed.
java -Dio.netty.leakDetection.level=disabled -cp "$classpath" NettyReplay \
	"$out/expected" "$out"/traces/*.trace >>"$log" 2>&1 ||
	fail "NettyReplay (see $log)"
n=$(find "$out/expected" -name '*.expected' | wc -l)
((n >= 12)) || fail "only $n traces replayed by Netty (see $log)"

for f in "$out"/expected/*.expected; do
	echo "trace $(basename "$f" .expected)"
	# the operation, its result and " | lists ..."
	awk -F ' [|] ' '{ print ($2 == "" ? $1 : $1 " | " $2) }' "$f"
done >"$out/netty-guest.expected"
[[ -z $prepare ]] || exit 0

"$out/np_netty_replay" -c "$out"/expected/*.expected >"$out/tap" 2>&1
grep -v '^1\.\.' "$out/tap" >>"$log"
if "$out/np_netty_replay_perturbed" -c "$out/expected/climb.expected" \
	>"$out/perturbed.tap" 2>&1; then
	echo "not ok - netty: the perturbed list order went unnoticed" >>"$log"
else
	echo "ok - netty: the perturbed list order is caught:" \
		"$(sed -n 's/^not ok [0-9]* - netty //p' "$out/perturbed.tap")" >>"$log"
fi

cat "$log"
passed=$(grep -cE '^ok( |$)' "$log")
failed=$(grep -cE '^not ok( |$)' "$log")
((passed + failed > 1)) || failed=$((failed + 1))
echo "$passed $failed" >"$results/netty"
echo "netty: $passed passed, $failed failed ($(($(date +%s) - start)) s)"
((failed == 0))
