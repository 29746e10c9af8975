#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh - turn the raw lines of make bench into the results table.
#
# Usage: scripts/bench/report.sh RAW-FILE
#
# RAW-FILE holds the lines the benchmarks print (scripts/bench/host.c,
# scripts/bench/kernel/np_bench.c, scripts/bench/guest-user.c):
#   R <group> <subject> <workload> <param> <metric> <value>   one round
#   I ...                                                     information
#   H <text>                                                  table header
# Every figure printed is the median of the rounds of its key. The table,
# with the speed targets marked met / missed, goes to stdout.
# Exit status: 0, or 1 when the file holds no result, 2 on usage errors.

set -uo pipefail

if [[ $# -ne 1 || ! -r $1 ]]; then
	echo "usage: scripts/bench/report.sh RAW-FILE (readable)" >&2
	exit 2
fi
if ! grep -q '^R ' "$1"; then
	echo "bench-report: no result line (R ...) in $1" >&2
	exit 1
fi

awk '
function median(key,    n, a, i, j, t) {
	if (!(key in vals))
		return ""
	n = split(vals[key], a, " ")
	for (i = 2; i <= n; i++)	# insertion sort, numerically
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return a[int((n + 1) / 2)] + 0
}
function ns(v) {
	if (v == "") return "-"
	if (v == 0) return "fail"
	return v < 100 ? sprintf("%.1f", v) : sprintf("%d", v + 0.5)
}
function ratio(a, b) {
	if (a == "" || b == "" || a == 0 || b == 0) return "-"
	return sprintf("%.2fx", a / b)
}
function mib(v) {
	return v == "" ? "-" : sprintf("%.1f", v / 1048576)
}
function verdict(ok) {
	return ok ? "met   " : "MISSED"
}
# The best (lowest) median of the host peers for a figure; its name in bestname.
function best(wl, p, metric,    h, v, b) {
	b = ""; bestname = "-"
	for (h = 2; h <= nhost; h++) {
		v = median("host" SUBSEP host[h] SUBSEP wl SUBSEP p SUBSEP metric)
		if (v != "" && v > 0 && (b == "" || v < b)) { b = v; bestname = host[h] }
	}
	return b
}
function np_host(wl, p, metric) {
	return median("host" SUBSEP "nettypool" SUBSEP wl SUBSEP p SUBSEP metric)
}
# One figure of the host pairs: a row per size, a column per allocator.
function pairs_table(t, metric,    s, h, v, b) {
	title(t)
	printf "%-8s", "size"
	for (h = 1; h <= nhost; h++) printf " %10s", host[h]
	printf " %18s\n", "np/best peer"
	for (s = 1; s <= nsize; s++) {
		printf "%-8s", size[s]
		for (h = 1; h <= nhost; h++) {
			v = median("host" SUBSEP host[h] SUBSEP "pairs" SUBSEP size[s] SUBSEP metric)
			printf " %10s", metric == "ns" ? ns(v) : (v == "" ? "-" : v)
		}
		b = best("pairs", size[s], metric)
		printf " %18s\n", ratio(np_host("pairs", size[s], metric), b) " " bestname
	}
}
function title(t) {
	printf "\n%s\n", t
}
BEGIN {
	nhost = split("nettypool glibc jemalloc mimalloc tcmalloc", host)
	nsize = split("64 256 1024 4096 16384 65536", size)
	nwork = split("window larson:1 larson:2 larson:4 xmalloc", work)
	nkern = split("np-cache np-arena np-simple np-paranoid kmalloc kmem_cache pages page_pool", kern)
	nref = split("kmalloc kmem_cache pages page_pool", ref)
	nuser = split("ioctl batch lib-cache lib-nocache glibc", user)
}
$1 == "R" && NF == 7 {
	key = $2 SUBSEP $3 SUBSEP $4 SUBSEP $5 SUBSEP $6
	vals[key] = (key in vals) ? vals[key] " " $7 : $7
	rounds[key]++
	if (rounds[key] > maxr) maxr = rounds[key]
	have[$2] = 1
	next
}
$1 == "H" { sub(/^H /, ""); header[++nheader] = $0; next }
$1 == "I" && $2 == "cpus" { guestcpus = $3 }
END {
	for (i = 1; i <= nheader; i++)
		print header[i]
	printf "Every figure: median of %d rounds.\n", maxr

	if (have["host"]) {
		pairs_table("Host: alloc+free pairs of one size, ns per pair (local backend for nettypool)", "ns")
		pairs_table("Host: instructions per alloc+free pair (callgrind; the same on every run)", "instr")

		title("Host: workloads, ns per operation (larson: per operation of one thread)")
		printf "%-10s", "workload"
		for (h = 1; h <= nhost; h++) printf " %10s", host[h]
		printf " %18s\n", "np/best peer"
		for (w = 1; w <= nwork; w++) {
			split(work[w], wp, ":")
			p = (2 in wp) ? wp[2] : "-"
			name = work[w]; sub(/:/, "-", name)
			printf "%-10s", name
			for (h = 1; h <= nhost; h++)
				printf " %10s", ns(median("host" SUBSEP host[h] SUBSEP wp[1] SUBSEP p SUBSEP "ns"))
			b = best(wp[1], p, "ns")
			printf " %18s\n", ratio(np_host(wp[1], p, "ns"), b) " " bestname
			delete wp
		}

		title("Host: larson throughput, million operations per second")
		printf "%-10s", "threads"
		for (h = 1; h <= nhost; h++) printf " %10s", host[h]
		printf "\n"
		for (t = 1; t <= 4; t *= 2) {
			printf "%-10s", t
			for (h = 1; h <= nhost; h++) {
				v = median("host" SUBSEP host[h] SUBSEP "larson" SUBSEP t SUBSEP "mops")
				printf " %10s", v == "" ? "-" : sprintf("%.2f", v)
			}
			printf "\n"
		}
		printf "%-10s", "2T / 1T"
		for (h = 1; h <= nhost; h++)
			printf " %10s", ratio(median("host" SUBSEP host[h] SUBSEP "larson" SUBSEP 2 SUBSEP "mops"), median("host" SUBSEP host[h] SUBSEP "larson" SUBSEP 1 SUBSEP "mops"))
		printf "\n"

		title("Host: peak memory, MiB (RSS: peak above the RSS before the workload; (x): times the\npeak live bytes of the same run; live: the nettypool run; for xmalloc it follows the consumer pace)")
		printf "%-10s %7s %14s", "workload", "live", "np-reserved"
		for (h = 1; h <= nhost; h++) printf " %14s", host[h] "-rss"
		printf "\n"
		for (w = 1; w <= nwork; w++) {
			split(work[w], wp, ":")
			p = (2 in wp) ? wp[2] : "-"
			name = work[w]; sub(/:/, "-", name)
			live = median("host" SUBSEP "nettypool" SUBSEP wp[1] SUBSEP p SUBSEP "live")
			printf "%-10s %7s", name, mib(live)
			v = median("host" SUBSEP "nettypool" SUBSEP wp[1] SUBSEP p SUBSEP "reserved")
			printf " %14s", mib(v) " (" ratio(v, live) ")"
			for (h = 1; h <= nhost; h++) {
				v = median("host" SUBSEP host[h] SUBSEP wp[1] SUBSEP p SUBSEP "rss")
				own = median("host" SUBSEP host[h] SUBSEP wp[1] SUBSEP p SUBSEP "live")
				printf " %14s", mib(v) " (" ratio(v, own) ")"
			}
			printf "\n"
			delete wp
		}
	}

	for (g = 1; g <= 2; g++) {
		grp = g == 1 ? "k1" : "kN"
		if (!have[grp])
			continue
		title(sprintf("Guest kernel, %s: ns per alloc+free pair", g == 1 ? "one CPU" : "all " guestcpus " CPUs at once (mean per CPU)"))
		printf "%-6s", "size"
		for (k = 1; k <= nkern; k++) printf " %11s", kern[k]
		printf "\n"
		for (s = 1; s <= nsize; s++) {
			printf "%-6s", size[s]
			for (k = 1; k <= nkern; k++)
				printf " %11s", ns(median(grp SUBSEP kern[k] SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"))
			printf "\n"
		}
		if (grp == "kN") {	# throughput of all CPUs over one, at 256 B
			printf "%-6s", "scale"
			for (k = 1; k <= nkern; k++) {
				v = median("kN" SUBSEP kern[k] SUBSEP "pairs" SUBSEP 256 SUBSEP "ns")
				printf " %11s", ratio(guestcpus * median("k1" SUBSEP kern[k] SUBSEP "pairs" SUBSEP 256 SUBSEP "ns"), v)
			}
			printf "   (throughput, all CPUs / one, 256 B)\n"
		}
		printf "ratios (np-cache | np-arena) / ...\n%-6s", "size"
		for (r = 1; r <= nref; r++) printf " %19s", ref[r]
		printf "\n"
		for (s = 1; s <= nsize; s++) {
			printf "%-6s", size[s]
			c = median(grp SUBSEP "np-cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			a = median(grp SUBSEP "np-arena" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			for (r = 1; r <= nref; r++) {
				v = median(grp SUBSEP ref[r] SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
				printf " %19s", ratio(c, v) " | " ratio(a, v)
			}
			printf "\n"
		}
	}

	if (have["u1"]) {
		title("Guest userspace, one thread: ns per alloc+free pair")
		printf "%-6s", "size"
		for (u = 1; u <= nuser; u++) printf " %11s", user[u]
		printf " %16s\n", "lib-cache/glibc"
		for (s = 1; s <= nsize; s++) {
			printf "%-6s", size[s]
			for (u = 1; u <= nuser; u++)
				printf " %11s", ns(median("u1" SUBSEP user[u] SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"))
			printf " %16s\n", ratio(median("u1" SUBSEP "lib-cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"), median("u1" SUBSEP "glibc" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"))
		}
	}

	title("Speed targets")
	for (g = 1; g <= 2; g++) {
		grp = g == 1 ? "k1" : "kN"
		if (!have[grp])
			continue
		ok1 = ok2 = 1; d1 = d2 = ""
		for (s = 1; s <= nsize; s++) {
			if (size[s] > 16384)	# not a cache target
				continue
			c = median(grp SUBSEP "np-cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			kc = median(grp SUBSEP "kmem_cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			pp = median(grp SUBSEP "page_pool" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			if (!(c > 0 && kc > 0 && c <= kc)) ok1 = 0
			if (!(c > 0 && pp > 0 && c <= 2 * pp)) ok2 = 0
			d1 = d1 " " size[s] ":" ratio(c, kc)
			d2 = d2 " " size[s] ":" ratio(c, pp)
		}
		cpus = g == 1 ? "one CPU" : "all CPUs"
		printf "%s kernel cache hit <= kmem_cache pair (%s, 64 B-16 KiB; np-cache/kmem_cache):%s\n", verdict(ok1), cpus, d1
		printf "%s kernel cache hit <= 2x page_pool pair (%s, 64 B-16 KiB; np-cache/page_pool):%s\n", verdict(ok2), cpus, d2
	}
	if (have["u1"]) {
		c = median("u1" SUBSEP "lib-cache" SUBSEP "pairs" SUBSEP 256 SUBSEP "ns")
		gl = median("u1" SUBSEP "glibc" SUBSEP "pairs" SUBSEP 256 SUBSEP "ns")
		printf "%s library thread cache over the kernel backend <= 1.3x glibc, 256 B pairs: %s\n", verdict(c > 0 && gl > 0 && c <= 1.3 * gl), ratio(c, gl)
	}
	if (have["host"]) {
		ok1 = ok2 = ok3 = 1; d1 = d2 = d3 = ""
		for (s = 1; s <= nsize; s++) {
			n = np_host("pairs", size[s], "ns")
			b = best("pairs", size[s], "ns")
			lim = size[s] > 16384 ? 2 : 1.25
			if (!(n > 0 && b > 0 && n <= lim * b)) ok2 = 0
			d2 = d2 " " size[s] ":" ratio(n, b)
			if (size[s] > 16384)
				continue
			n = np_host("pairs", size[s], "instr")
			b = best("pairs", size[s], "instr")
			if (!(n > 0 && b > 0 && n <= b)) ok1 = 0
			d1 = d1 " " size[s] ":" ratio(n, b)
		}
		for (w = 1; w <= nwork; w++) {
			split(work[w], wp, ":")
			p = (2 in wp) ? wp[2] : "-"
			name = work[w]; sub(/:/, "-", name)
			n = np_host(wp[1], p, "ns")
			b = best(wp[1], p, "ns")
			if (!(n > 0 && b > 0 && n <= 1.3 * b)) ok3 = 0
			d3 = d3 " " name ":" ratio(n, b)
			delete wp
		}
		printf "%s host pairs, instructions <= the best peer (64 B-16 KiB; np/best):%s\n", verdict(ok1), d1
		printf "%s host pairs, time <= 1.25x the best peer (64 KiB: 2x; np/best):%s\n", verdict(ok2), d2
		printf "%s host workloads <= 1.3x the best peer (np/best):%s\n", verdict(ok3), d3
		m1 = np_host("larson", 1, "mops")
		m2 = np_host("larson", 2, "mops")
		printf "%s two threads >= 1.8x the throughput of one on larson (local backend): %s\n", verdict(m1 > 0 && m2 >= 1.8 * m1), ratio(m2, m1)
	}
}
' "$1"
