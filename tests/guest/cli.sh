#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cli.sh - the nettypool command in the QEMU guest (busybox sh).
#
# Sourced by suites.sh while nettypool.ko is loaded (it uses its say,
# check and DBG), or run alone as a guest script, then loading and
# unloading the module itself:
#
#   tests/guest/run-guest.sh --script tests/guest/cli.sh \
#       --file nettypool.ko --file build/nettypool-static --log cli.log
#   tests/guest/cli-host.sh cli.log
#
# Expects /np/nettypool-static (make build/nettypool-static). Every
# subcommand, every error message and exit status, and layout.dot of an
# empty pool, a busy one (hundreds of chunks, past the graph's bounds)
# and one with huge buffers. There is no graphviz and no JSON parser in
# the guest: what the host must parse is printed between the lines
#   NP-CAPTURE-BEGIN <name> <dot|json|jsonl|text>
#   NP-CAPTURE-END <name>
# and tests/guest/cli-host.sh renders the dot with dot -Tsvg and parses
# the JSON. The guest checks only their shape. Leaves no pool behind.

if ! type check >/dev/null 2>&1; then
	cli_alone=1
	DBG=/sys/kernel/debug/nettypool
	# shellcheck disable=SC2034 # read by check.sh
	check_lane=guest
	# shellcheck disable=SC1091 # tests/lib/check.sh, copied in beside this script
	. /np/check.sh
	insmod /np/nettypool.ko || { say "not ok - guest: insmod nettypool.ko"; exit 1; }
else
	cli_alone=0
fi

# as "nettypool", the name a user sees (in comm, in the pool table)
NP=/tmp/nettypool
cp /np/nettypool-static $NP 2>/dev/null
cli_holders=

say "=== suite cli: BEGIN"

# cli_run CMD...: run it; stdout in /tmp/cli.out, stderr in /tmp/cli.err,
# status in cli_rc.
cli_run() {
	"$@" >/tmp/cli.out 2>/tmp/cli.err
	cli_rc=$?
}

# cli_expect DESCRIPTION STATUS [ERE]: the last cli_run exited STATUS and
# its stdout or stderr matches ERE.
cli_expect() {
	if [ "$cli_rc" -eq "$2" ] &&
		{ [ -z "${3:-}" ] || cat /tmp/cli.out /tmp/cli.err | grep -qE -- "$3"; }; then
		check OK "nettypool $1"
	else
		check FAIL "nettypool $1 (exit $cli_rc, wanted $2${3:+, output matching /$3/})"
		head -n 5 /tmp/cli.err /tmp/cli.out | sed 's/^/#   /'
	fi
}

# cli_note SHOWN-COMMAND: add the last cli_run's stderr and status to
# the "errors" capture (Documentation/cli.rst quotes it).
cli_note() {
	{ echo "\$ $1"; cat /tmp/cli.err; echo "(exit status $cli_rc)"; echo; } >>/tmp/cli-errors.txt
}

# cli_capture NAME KIND FILE: FILE's text for the host.
cli_capture() {
	say "NP-CAPTURE-BEGIN $1 $2"
	cat "$3"
	[ -z "$(tail -c 1 "$3")" ] || echo
	say "NP-CAPTURE-END $1"
}

# cli_json_shape DESCRIPTION FILE [loose]: a JSON object, as far as sh
# can tell: starts with {, ends with }, and (unless loose: strings with
# brackets inside) as many { as } and [ as ].
cli_json_shape() {
	first=$(tr -d ' \n\t' <"$2" | head -c 1)
	last=$(tr -d ' \n\t' <"$2" | tail -c 1)
	if [ "$first" = "{" ] && [ "$last" = "}" ] &&
		{ [ "${3:-}" = loose ] ||
		{ [ "$(tr -cd '{' <"$2" | wc -c)" -eq "$(tr -cd '}' <"$2" | wc -c)" ] &&
		[ "$(tr -cd '[' <"$2" | wc -c)" -eq "$(tr -cd ']' <"$2" | wc -c)" ]; }; }; then
		check OK "nettypool $1: JSON object"
	else
		check FAIL "nettypool $1: JSON object"
		head -n 5 "$2" | cut -c 1-200 | sed 's/^/#   /'
	fi
}

# cli_dot_shape DESCRIPTION FILE ERE...: a digraph with balanced braces
# and a line matching each ERE.
cli_dot_shape() {
	desc=$1 file=$2
	shift 2
	ok=1
	grep -q '^digraph nettypool_pool_[0-9]* {$' "$file" || ok=0
	[ "$(tail -n 1 "$file")" = "}" ] || ok=0
	[ "$(tr -cd '{' <"$file" | wc -c)" -eq "$(tr -cd '}' <"$file" | wc -c)" ] || ok=0
	for re in "$@"; do
		if ! grep -qE -- "$re" "$file"; then
			say "# $desc: no line matches /$re/"
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		check OK "layout.dot $desc: digraph with $(grep -c ' -> ' "$file") edges"
	else
		check FAIL "layout.dot $desc"
	fi
}

# cli_hold WORKLOAD: start "nettypool demo --workload WORKLOAD --hold" in
# the background; cli_pid and cli_pool say which process and pool.
cli_hold() {
	cli_pool=
	rm -f "/tmp/cli-$1.out" "/tmp/cli-$1.err"	# not an earlier run's
	"$NP" demo --workload "$1" --hold >"/tmp/cli-$1.out" 2>"/tmp/cli-$1.err" &
	cli_pid=$!
	cli_holders="$cli_holders $cli_pid"
	n=0
	while [ $n -lt 1200 ] && ! grep -q 'holding pool' "/tmp/cli-$1.err" 2>/dev/null; do
		kill -0 $cli_pid 2>/dev/null || break
		usleep 100000
		n=$((n + 1))
	done
	cli_pool=$(sed -n 's/.*holding pool \([0-9][0-9]*\) .*/\1/p' "/tmp/cli-$1.err")
	if [ -n "$cli_pool" ] && [ -d "$DBG/$cli_pool" ]; then
		check OK "nettypool demo --workload $1 --hold: pool $cli_pool live"
		return 0
	fi
	check FAIL "nettypool demo --workload $1 --hold: pool live"
	sed 's/^/#   /' "/tmp/cli-$1.err"
	return 1
}

# cli_release: let the held demo go on (SIGTERM), free and exit 0.
cli_release() {
	kill -TERM "$cli_pid" 2>/dev/null
	wait "$cli_pid"
	rc=$?
	if [ $rc -eq 0 ] && [ ! -d "$DBG/$cli_pool" ]; then
		check OK "nettypool demo: released on SIGTERM, exit 0, pool $cli_pool gone"
	else
		check FAIL "nettypool demo: released on SIGTERM (exit $rc, wanted 0; pool $cli_pool gone?)"
	fi
}

if [ ! -x "$NP" ]; then
	check FAIL "/np/nettypool-static present"
else
	# ------------------------------------------------------- usage
	cli_run "$NP" --help
	cli_expect "--help" 0 'stat .*layout|layout .*graphviz'
	for sub in stat layout leaks demo; do
		cli_run "$NP" $sub --help
		cli_expect "$sub --help" 0 "^usage: nettypool $sub"
	done
	cli_run "$NP"
	cli_expect "without a command: usage error" 64 'which command'
	cli_run "$NP" frobnicate
	cli_expect "frobnicate: usage error" 64 "unknown command 'frobnicate'"
	cli_run "$NP" stat --pool x
	cli_expect "stat --pool x: usage error" 64 'takes a pool id'
	cli_run "$NP" stat --count 2
	cli_expect "stat --count without --watch: usage error" 64 'goes with --watch'
	cli_run "$NP" demo --workload nope
	cli_expect "demo --workload nope: usage error" 64 "no workload 'nope'"

	# --------------------------------------------- errors: module, debugfs, root
	for sub in stat layout leaks; do
		cli_run env NETTYPOOL_DEBUGFS=/nonexistent "$NP" $sub
		cli_expect "$sub, module not loaded: exit 3, says modprobe/insmod" 3 \
			'not loaded.*modprobe nettypool.*insmod nettypool\.ko'
	done
	cli_note "NETTYPOOL_DEBUGFS=/nonexistent nettypool leaks"
	cli_run env NETTYPOOL_DEBUGFS=/nonexistent "$NP" stat --json
	cli_expect "stat --json, module not loaded: exit 3" 3 '"error": "module_not_loaded"'
	cli_json_shape "stat --json error" /tmp/cli.out
	cli_capture error-not-loaded json /tmp/cli.out

	if umount /sys/kernel/debug; then
		cli_run "$NP" stat
		cli_expect "stat, debugfs not mounted: exit 4, says mount -t debugfs" 4 \
			'not mounted.*mount -t debugfs none /sys/kernel/debug'
		cli_note "nettypool stat        # debugfs unmounted"
		cli_run "$NP" layout --json
		cli_expect "layout --json, debugfs not mounted: exit 4" 4 '"error": "debugfs_not_mounted"'
		mount -t debugfs debugfs /sys/kernel/debug
	else
		check FAIL "umount /sys/kernel/debug (to test the message)"
	fi
	if [ -r "$DBG"/stats ]; then
		check OK "debugfs mounted again"
	else
		check FAIL "debugfs mounted again"
	fi

	# not root: busybox su needs the user in /etc/passwd
	grep -q '^nobody:' /etc/passwd 2>/dev/null ||
		echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
	cli_run su -s /bin/sh nobody -c "$NP stat"
	cli_expect "stat as nobody: exit 5, says run as root" 5 'permission denied.*run as root'
	cli_note "nettypool stat        # as nobody"
	cli_run su -s /bin/sh nobody -c "$NP leaks --json"
	cli_expect "leaks --json as nobody: exit 5" 5 '"error": "permission_denied"'

	# ------------------------------------------------------ no pool
	cli_run "$NP" stat
	cli_expect "stat, no pools: exit 0" 0 '\(no pools'
	cli_capture stat-idle text /tmp/cli.out
	cli_run "$NP" stat --pool 99999
	cli_expect "stat --pool 99999: exit 7" 7 'there is no pool 99999'
	cli_note "nettypool stat --pool 99999"
	cli_run "$NP" layout
	cli_expect "layout, no pools: exit 7" 7 'no pool to draw'

	# ------------------------------------------------------ leaks
	if [ -e "$DBG"/leaks ]; then
		cli_run "$NP" leaks
		cli_expect "leaks (detector present)" 0 'leak suspect'
		cli_run "$NP" leaks --json
		cli_expect "leaks --json (detector present)" 0 '"suspects"'
		cli_json_shape "leaks --json" /tmp/cli.out
		cli_capture leaks-live json /tmp/cli.out
	else
		cli_run "$NP" leaks
		cli_expect "leaks without a leaks file: exit 2, says so" 2 \
			'the leak detector is not available in this nettypool.ko \(no leaks file\)'
		cli_note "nettypool leaks"
	fi
	# The grouping, on records written here in the detector's format.
	mkdir -p /tmp/cli-fake
	cp "$DBG"/stats /tmp/cli-fake/stats
	cat >/tmp/cli-fake/leaks <<'EOF'
leak pool=4 kind=kernel addr=0xffff888004a10000 capacity=4096 age_ms=1200 tag=0 pid=81 comm=insmod
  allocated at:
    np_test_leak_small+0x21/0x40 [test_nettypool]
    np_test_init+0x99/0x200 [test_nettypool]

leak pool=7 kind=user addr=0x10040 capacity=112 age_ms=50 tag=0xbeef pid=90 comm=my server

leak pool=4 kind=kernel addr=0xffff888004a20000 capacity=65536 age_ms=900 tag=0 pid=81 comm=insmod
  allocated at:
    np_test_leak_big+0x11/0x30 [test_nettypool]
    np_test_init+0xa9/0x200 [test_nettypool]
  retained at (#1):
    np_test_keep+0x5/0x10 [test_nettypool]

leak pool=4 kind=kernel addr=0xffff888004a11000 capacity=4096 age_ms=1100 tag=0 pid=81 comm=insmod
  allocated at:
    np_test_leak_small+0x21/0x40 [test_nettypool]
    np_test_init+0x99/0x200 [test_nettypool]

leak pool=7 kind=user addr=0x10080 capacity=112 age_ms=40 tag=0xbeef pid=90 comm=my server

leak pool=5 kind=kernel addr=0xffff888004a12000 capacity=4096 age_ms=1000 tag=0 pid=81 comm=insmod
  allocated at:
    np_test_leak_small+0x21/0x40 [test_nettypool]
    np_test_init+0x99/0x200 [test_nettypool]

leak pool=7 kind=user addr=0x20000 capacity=16 age_ms=30 tag=0x1 pid=90 comm=my server

EOF
	cli_run env NETTYPOOL_DEBUGFS=/tmp/cli-fake "$NP" leaks
	cli_expect "leaks: 7 suspects in 4 groups" 0 '^7 leak suspects, 76\.[0-9] KiB, in 4 groups'
	if grep -E '^#[0-9]' /tmp/cli.out | sed 's/  .*//' | tr '\n' ' ' |
		grep -qx '#1 #2 #3 #4 ' &&
		grep -E '^#1 ' /tmp/cli.out | grep -q '1 buffer, 64.0 KiB' &&
		grep -E '^#2 ' /tmp/cli.out | grep -q '3 buffers, 12.0 KiB.*pools 4,5' &&
		grep -E '^#3 ' /tmp/cli.out | grep -q '2 buffers, 224 B  user  pool 7  comm my server.*tag 0xbeef' &&
		grep -E '^#4 ' /tmp/cli.out | grep -q '1 buffer, 16 B'; then
		check OK "nettypool leaks: grouped by stack or comm+tag, biggest first"
	else
		check FAIL "nettypool leaks: grouped by stack or comm+tag, biggest first"
		sed 's/^/#   /' /tmp/cli.out
	fi
	cli_capture leaks-fake text /tmp/cli.out
	cli_run env NETTYPOOL_DEBUGFS=/tmp/cli-fake "$NP" leaks --json
	cli_expect "leaks --json (fake records)" 0 '"suspects": 7'
	cli_json_shape "leaks --json" /tmp/cli.out
	cli_capture leaks-fake json /tmp/cli.out
	: >/tmp/cli-fake/leaks
	cli_run env NETTYPOOL_DEBUGFS=/tmp/cli-fake "$NP" leaks
	cli_expect "leaks, none" 0 'no leak suspects'
	rm -rf /tmp/cli-fake

	# ------------------------------------------------------ empty pool
	if cli_hold empty; then
		cli_run "$NP" layout --pool "$cli_pool"
		cli_expect "layout --pool $cli_pool (empty)" 0 '^digraph'
		cp /tmp/cli.out /tmp/cli-empty.dot
		cli_dot_shape "empty pool" /tmp/cli-empty.dot \
			'a0_l0 -> a0_l0 \[label="prev"' \
			'a0_l1 -> a0_destroyed \[label="prev"' \
			'a0_l0 -> a0_l1 \[label="next", ' 'a0_l4 -> a0_l5 \[label="next / prev", color=blue, dir=both' \
			'qInit \[MIN,25\)\\n0 chunks'
		if grep -q ' -> c' /tmp/cli-empty.dot; then
			check FAIL "layout.dot empty pool: no chunk"
		else
			check OK "layout.dot empty pool: no chunk"
		fi
		cli_capture layout-empty dot /tmp/cli-empty.dot
		cli_run "$NP" stat --pool "$cli_pool"
		cli_expect "stat --pool $cli_pool (empty)" 0 "^nettypool pool $cli_pool: 0 chunks"
		cli_release
	fi

	# ------------------------------------------------------ busy pool
	if cli_hold busy; then
		busy_pid=$cli_pid busy_pool=$cli_pool
		chunks=$(sed -n 's/^chunks: //p' "$DBG"/"$busy_pool"/stats)
		cli_run "$NP" stat
		cli_expect "stat (busy pool)" 0 "^ +$busy_pool +user +[0-9]+ nettypool "
		if [ -z "$(tr -cd '\033' </tmp/cli.out)" ]; then
			check OK "nettypool stat: no colour when stdout is not a terminal"
		else
			check FAIL "nettypool stat: no colour when stdout is not a terminal"
		fi
		cli_capture stat-busy text /tmp/cli.out
		cli_run "$NP" --color=always stat --pool "$busy_pool"
		cli_expect "--color=always stat: colour" 0 "$(printf '\033')\\[1m"
		cli_run env NO_COLOR=1 "$NP" stat --pool "$busy_pool"
		cli_expect "NO_COLOR=1 stat" 0 "^nettypool pool $busy_pool: $chunks chunks"
		cli_run "$NP" stat --pool "$busy_pool" --json
		cli_expect "stat --pool $busy_pool --json" 0 "\"chunks\": $chunks,"
		cli_json_shape "stat --json" /tmp/cli.out
		cli_capture stat-busy json /tmp/cli.out
		cli_run "$NP" stat --watch 0.2 --count 3 --pool "$busy_pool"
		n=$(grep -c '^-- .*every 0.2s' /tmp/cli.out)
		cli_expect "stat --watch 0.2 --count 3: $n tables" 0
		[ "$n" -eq 3 ] || check FAIL "nettypool stat --watch --count 3 drew $n tables"
		cli_run "$NP" stat --watch 0.2 --count 2 --json
		n=$(grep -c '^{.*}$' /tmp/cli.out)
		if [ "$cli_rc" -eq 0 ] && [ "$n" -eq 2 ] && [ "$(wc -l </tmp/cli.out)" -eq 2 ]; then
			check OK "nettypool stat --watch --count 2 --json: 2 lines of JSON"
		else
			check FAIL "nettypool stat --watch --count 2 --json: 2 lines of JSON (exit $cli_rc, $n)"
		fi
		cli_capture stat-watch jsonl /tmp/cli.out
		"$NP" stat --watch 0.3 >/tmp/cli-watch.out 2>&1 &
		w=$!
		sleep 1
		kill -INT $w
		wait $w
		rc=$?
		n=$(grep -c '^-- ' /tmp/cli-watch.out)
		if [ $rc -eq 0 ] && [ "$n" -ge 2 ]; then
			check OK "nettypool stat --watch stops on SIGINT, exit 0 ($n tables)"
		else
			check FAIL "nettypool stat --watch stops on SIGINT (exit $rc, $n tables)"
		fi

		cli_run "$NP" layout --pool "$busy_pool"
		cli_expect "layout --pool $busy_pool (busy)" 0 '^digraph'
		cp /tmp/cli.out /tmp/cli-busy.dot
		cli_dot_shape "busy pool" /tmp/cli-busy.dot \
			'and [0-9]+ more chunks' 'and [0-9]+ more subpages' \
			'usage [0-9]+%\\nfree [0-9]+ B\\npages [0-9]+ / 16' \
			'used [0-9]+ / [0-9]+\\nchunk 0x[0-9a-f]+ page [0-9]+' \
			'a0_l0 -> a0_l0 \[label="prev"' 'a0_destroyed'
		# at most 16 chunks per list: 6 lists
		n=$(grep -c "^$(printf '\t')c[0-9a-f]* \\[label=\"chunk" /tmp/cli-busy.dot)
		if [ "$n" -le 96 ] && [ "$chunks" -gt 96 ]; then
			check OK "layout.dot busy pool: $n of $chunks chunks drawn (at most 16 per list)"
		else
			check FAIL "layout.dot busy pool: $n of $chunks chunks drawn (at most 16 per list)"
		fi
		cli_capture layout-busy dot /tmp/cli-busy.dot

		# a second pool: layout without --pool draws the largest
		if cli_hold empty; then
			cli_run "$NP" layout
			cli_expect "layout without --pool, 2 pools: the largest" 0 \
				"drawing pool $busy_pool, the largest"
			grep -q "^digraph nettypool_pool_$busy_pool {" /tmp/cli.out ||
				check FAIL "nettypool layout without --pool drew pool $busy_pool"
			cli_release
		fi
		cli_pid=$busy_pid cli_pool=$busy_pool

		cli_run "$NP" layout --pool "$busy_pool" --json
		cli_expect "layout --json" 0 "\"pool\": $busy_pool,"
		cli_json_shape "layout --json" /tmp/cli.out loose
		cli_capture layout-busy json /tmp/cli.out
		cli_run "$NP" layout --pool "$busy_pool" --svg /tmp/cli.svg
		cli_expect "layout --svg without graphviz: exit 6, says so" 6 \
			'graphviz is not installed.*apt-get install graphviz'
		cli_note "nettypool layout --svg pool.svg"
		# dot's part, by a stand-in that copies its input to -o FILE
		# shellcheck disable=SC2016 # a script for later, expanded by it
		printf '#!/bin/sh\n[ "$1" = -Tpng ] && [ "$2" = -o ] && cat >"$3"\n' >/tmp/cli-dot
		chmod +x /tmp/cli-dot
		cli_run env NETTYPOOL_DOT=/tmp/cli-dot "$NP" layout --pool "$busy_pool" --png /tmp/cli.png
		cli_expect "layout --png through dot" 0 "pool $busy_pool: png written to /tmp/cli.png"
		if cmp -s /tmp/cli.png /tmp/cli-busy.dot; then
			check OK "nettypool layout --png: dot -Tpng -o FILE got layout.dot"
		else
			check FAIL "nettypool layout --png: dot -Tpng -o FILE got layout.dot"
		fi
		cli_run env NETTYPOOL_DOT=/bin/false "$NP" layout --pool "$busy_pool" --svg /tmp/cli.svg
		cli_expect "layout --svg, dot fails: exit 1" 1 'failed \(status 1\)'
		rm -f /tmp/cli-dot /tmp/cli.png /tmp/cli.svg

		cli_release
		cli_run cat /tmp/cli-busy.out
		cli_expect "demo --workload busy: phases" 0 'after 6000 allocations, one in three freed \(kernel backend\)'
	fi

	# ------------------------------------------------------ huge pool
	if cli_hold huge; then
		cli_run "$NP" layout --pool "$cli_pool"
		cli_expect "layout --pool $cli_pool (huge)" 0 '^digraph'
		cp /tmp/cli.out /tmp/cli-huge.dot
		cli_dot_shape "huge pool" /tmp/cli-huge.dot \
			'huge regions\\n18, ' 'and 2 more huge regions' \
			'h[0-9a-f]+ \[label="huge 0x[0-9a-f]+\\ncapacity [0-9]+ B'
		cli_capture layout-huge dot /tmp/cli-huge.dot
		cli_run "$NP" stat --pool "$cli_pool"
		cli_expect "stat --pool $cli_pool (huge)" 0 ' 18 huge'
		cli_release
	fi

	# ------------------------------------------- leaks of a live pool
	# paranoid: every buffer of the held demo is tracked, a suspect.
	if [ -e "$DBG"/leaks ]; then
		export NETTYPOOL_LEAK_DETECTION=paranoid
		if cli_hold mixed; then
			n=$(sed -n 's/^active_buffers: //p' "$DBG"/"$cli_pool"/stats)
			cli_run "$NP" leaks
			cli_expect "leaks, paranoid demo: $n suspects in one group" 0 \
				"^$n leak suspects, .* in 1 group"
			cli_capture leaks-paranoid text /tmp/cli.out
			cli_run "$NP" leaks --json
			cli_expect "leaks --json, paranoid demo" 0 "\"count\": $n,"
			cli_capture leaks-paranoid json /tmp/cli.out
			cli_release
		fi
		unset NETTYPOOL_LEAK_DETECTION
	fi

	# ------------------------------------------------------ demo
	cli_run "$NP" demo
	cli_expect "demo (make run's workload)" 0 \
		'after freeing the rest and trimming \(kernel backend\)'
	cli_capture demo text /tmp/cli.out
	cli_run "$NP" demo --debugfs
	cli_expect "demo --debugfs" 0 "== $DBG/pools =="
	cli_run "$NP" demo --json
	cli_expect "demo --json" 0 '"backend": "kernel"'
	cli_json_shape "demo --json" /tmp/cli.out
	cli_capture demo json /tmp/cli.out
	cli_run "$NP" demo --backend local --workload busy --json
	cli_expect "demo --backend local --json" 0 '"backend": "local"'
	cli_capture demo-local json /tmp/cli.out
fi

cli_capture errors text /tmp/cli-errors.txt

# nothing left running
for p in $cli_holders; do
	kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
done
rm -f /tmp/cli.out /tmp/cli.err /tmp/cli-*.out /tmp/cli-*.err /tmp/cli-*.dot \
	/tmp/cli-errors.txt "$NP"
say "=== suite cli: END"

if [ "$cli_alone" = 1 ]; then
	rmmod nettypool || check FAIL "rmmod nettypool"
	# shellcheck disable=SC2154 # failures: counted by check.sh
	say "=== cli: $failures failed checks"
	[ "$failures" -eq 0 ]
fi
