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
		title("Host: alloc+free pairs of one size, ns per pair (local backend for nettypool)")
		printf "%-8s", "size"
		for (h = 1; h <= nhost; h++) printf " %10s", host[h]
		printf " %9s\n", "np/glibc"
		for (s = 1; s <= nsize; s++) {
			printf "%-8s", size[s]
			for (h = 1; h <= nhost; h++)
				printf " %10s", ns(median("host" SUBSEP host[h] SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"))
			printf " %9s\n", ratio(median("host" SUBSEP "nettypool" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"), median("host" SUBSEP "glibc" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns"))
		}

		title("Host: workloads, ns per operation (larson: per operation of one thread)")
		printf "%-10s", "workload"
		for (h = 1; h <= nhost; h++) printf " %10s", host[h]
		printf " %9s\n", "np/glibc"
		for (w = 1; w <= nwork; w++) {
			split(work[w], wp, ":")
			p = (2 in wp) ? wp[2] : "-"
			delete wp
			name = work[w]; sub(/:/, "-", name)
			printf "%-10s", name
			split(work[w], wp, ":")
			for (h = 1; h <= nhost; h++)
				printf " %10s", ns(median("host" SUBSEP host[h] SUBSEP wp[1] SUBSEP p SUBSEP "ns"))
			printf " %9s\n", ratio(median("host" SUBSEP "nettypool" SUBSEP wp[1] SUBSEP p SUBSEP "ns"), median("host" SUBSEP "glibc" SUBSEP wp[1] SUBSEP p SUBSEP "ns"))
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
	if (have["k1"]) {
		ok1 = ok2 = 1; d1 = d2 = ""
		for (s = 1; s <= nsize; s++) {
			if (size[s] > 32768)	# not cacheable: the arena path
				continue
			c = median("k1" SUBSEP "np-cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			kc = median("k1" SUBSEP "kmem_cache" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			km = median("k1" SUBSEP "kmalloc" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			if (!(c > 0 && kc > 0 && c <= kc)) ok1 = 0
			if (!(c > 0 && km > 0 && c < km / 2)) ok2 = 0
			d1 = d1 " " size[s] ":" ratio(c, kc)
			d2 = d2 " " size[s] ":" ratio(c, km)
		}
		printf "%s kernel cache hit <= kmem_cache pair (one CPU, 64 B-16 KiB; np-cache/kmem_cache):%s\n", verdict(ok1), d1
		printf "%s kernel cache hit < half a kmalloc pair (one CPU, 64 B-16 KiB; np-cache/kmalloc):%s\n", verdict(ok2), d2
	}
	if (have["u1"]) {
		c = median("u1" SUBSEP "lib-cache" SUBSEP "pairs" SUBSEP 256 SUBSEP "ns")
		gl = median("u1" SUBSEP "glibc" SUBSEP "pairs" SUBSEP 256 SUBSEP "ns")
		printf "%s library thread cache over the kernel backend < 2x glibc, 256 B pairs: %s\n", verdict(c > 0 && gl > 0 && c < 2 * gl), ratio(c, gl)
	}
	if (have["host"]) {
		ok1 = ok2 = 1; d1 = d2 = ""
		for (s = 1; s <= nsize; s++) {
			n = median("host" SUBSEP "nettypool" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			gl = median("host" SUBSEP "glibc" SUBSEP "pairs" SUBSEP size[s] SUBSEP "ns")
			if (!(n > 0 && gl > 0 && n <= 1.5 * gl)) ok1 = 0
			if (!(n > 0 && gl > 0 && n < gl)) ok2 = 0
			d1 = d1 " pairs-" size[s] ":" ratio(n, gl)
		}
		for (w = 1; w <= nwork; w++) {
			split(work[w], wp, ":")
			p = (2 in wp) ? wp[2] : "-"
			name = work[w]; sub(/:/, "-", name)
			n = median("host" SUBSEP "nettypool" SUBSEP wp[1] SUBSEP p SUBSEP "ns")
			gl = median("host" SUBSEP "glibc" SUBSEP wp[1] SUBSEP p SUBSEP "ns")
			if (!(n > 0 && gl > 0 && n <= 1.5 * gl)) ok1 = 0
			d1 = d1 " " name ":" ratio(n, gl)
			delete wp
		}
		printf "%s local backend within 1.5x of glibc on every workload (np/glibc):%s\n", verdict(ok1), d1
		printf "%s local backend ahead of glibc on pairs (every size; ratios above)\n", verdict(ok2)
		m1 = median("host" SUBSEP "nettypool" SUBSEP "larson" SUBSEP 1 SUBSEP "mops")
		m2 = median("host" SUBSEP "nettypool" SUBSEP "larson" SUBSEP 2 SUBSEP "mops")
		printf "%s two threads >= 1.8x the throughput of one on larson (local backend): %s\n", verdict(m1 > 0 && m2 >= 1.8 * m1), ratio(m2, m1)
	}
}
' "$1"
