// SPDX-License-Identifier: GPL-2.0
/*
 * np_faults - fault injection against /dev/nettypool (the debug lane)
 *
 * Fails the page and slab allocations made on behalf of this program,
 * through the kernel's fault injection (CONFIG_FAIL_PAGE_ALLOC,
 * CONFIG_FAILSLAB, their debugfs knobs, /proc/thread-self/fail-nth and
 * /proc/self/make-it-fail), while it drives the module's ioctls, and
 * checks that:
 *  - every failure surfaces as ENOMEM, and an operation that cannot run
 *    out of memory (free, trim, stats) never fails;
 *  - a failed operation changes nothing: the pool's counters match the
 *    model of what this program holds, before and after;
 *  - no data goes wrong: each live buffer carries its own byte pattern,
 *    checked through a fresh mapping before it is freed;
 *  - the pool keeps working once the faults stop, and every counter
 *    comes back to zero after trim and close.
 * (The kernel side - no WARN, BUG, KASAN, lockdep or kmemleak report - is
 * checked by the lane around it: tests/debug/guest.sh, run-guest.sh.)
 *
 * Two phases:
 *  1. systematic: for each operation, fail its 1st, 2nd, ... fallible
 *     call (fail-nth) until it runs through without reaching the fault,
 *     so every allocation it makes fails once;
 *  2. random: a seeded mix of operations over two pools with each
 *     allocation failing with probability P (make-it-fail is set only
 *     around the ioctls, so the program's own page faults and mmap calls
 *     are not failed).
 * Faults are only ever injected into this task (task-filter) and only
 * while one ioctl runs.
 *
 * The pools use 4 KiB pages and 16-page chunks, whose metadata (2 KiB)
 * comes from the slab: kvmalloc() of more than a page falls back to
 * vmalloc, whose own failure prints a stack trace ("vmalloc error"),
 * which the lane would count as a kernel report. max_bytes keeps the
 * region map's array within a page for the same reason.
 *
 * Usage: np_faults [-s SEED] [-n OPS] [-p PERCENT]
 *   -s SEED     random phase seed (default: from the time; printed)
 *   -n OPS      operations of the random phase (default 6000)
 *   -p PERCENT  fault probability of the random phase (default 10)
 * Output: TAP 13, with the figures as "#" lines. Exit status: 0 all
 * passed, 1 a check failed, 4 (skip) without /dev/nettypool or the fault
 * injection knobs, 2 usage error. Needs root (debugfs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/nettypool.h>

#define KSFT_SKIP	4
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEV		"/dev/nettypool"
#define DBG		"/sys/kernel/debug"
#define FAIL_PAGE	DBG "/fail_page_alloc"
#define FAILSLAB	DBG "/failslab"
#define NP_STATS	DBG "/nettypool/stats"

#define PAGE		4096ULL
#define CHUNK		(PAGE << 4)
#define MAX_BYTES	(32ULL << 20)
#define MAX_LIVE	512
#define NTH_MAX		2000
#define TIMES_START	1000000000

/* ------------------------------------------------------------ output */

static unsigned int tap_n, tap_failed;

/* Problems found on the way, reported by the test that is running. */
static unsigned int problems, shown;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
	shown = 0;
}

static void problem(const char *fmt, ...)
{
	va_list ap;

	problems++;
	if (++shown > 10)
		return;	/* enough to debug with, per test */
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------- fault injection */

static int nth_fd = -1, fail_fd = -1;

static bool knob_write(const char *dir, const char *name, const char *val)
{
	char path[256];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

static long long knob_read(const char *dir, const char *name)
{
	char path[256], buf[64] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtoll(buf, NULL, 0) : -1;
}

/*
 * Both attributes: only this task (task-filter), any allocation that can
 * sleep too (ignore-gfp-wait off), pages of every order, silent (the
 * injection's own messages print a stack), @percent of the calls.
 */
static bool faults_setup(unsigned int percent)
{
	static const char *const dirs[] = { FAIL_PAGE, FAILSLAB };
	char p[16];
	unsigned int i;
	bool ok = true;

	snprintf(p, sizeof(p), "%u", percent);
	for (i = 0; i < 2; i++) {
		ok &= knob_write(dirs[i], "probability", p);
		ok &= knob_write(dirs[i], "interval", "1");
		ok &= knob_write(dirs[i], "times", "1000000000");
		ok &= knob_write(dirs[i], "space", "0");
		ok &= knob_write(dirs[i], "verbose", "0");
		ok &= knob_write(dirs[i], "task-filter", "Y");
		ok &= knob_write(dirs[i], "ignore-gfp-wait", "N");
	}
	ok &= knob_write(FAIL_PAGE, "ignore-gfp-highmem", "Y");
	ok &= knob_write(FAIL_PAGE, "min-order", "0");
	ok &= knob_write(FAILSLAB, "cache-filter", "N");
	return ok;
}

/* Faults injected so far (the attributes count "times" down). */
static long long injected(const char *dir)
{
	return TIMES_START - knob_read(dir, "times");
}

static void make_it_fail(bool on)
{
	if (pwrite(fail_fd, on ? "1" : "0", 1, 0) != 1)
		die("make-it-fail");
}

static void fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		die("fail-nth");
}

/* Whether the armed fault was injected (fail-nth reads 0 then). */
static bool nth_hit(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		die("fail-nth");
	return strtoul(buf, NULL, 10) == 0;
}

/* ------------------------------------------------------- the model */

struct live {
	__u64 offset, capacity, region_offset, region_size, size;
	unsigned int refs;
	unsigned char seed;
};

struct pool {
	int fd;
	struct live live[MAX_LIVE];
	unsigned int nr;
};

static struct pool pools[2];

static int np_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int pool_open(struct pool *p)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = PAGE,
		.max_order = 4,
		.n_arenas = 1,
		.max_bytes = MAX_BYTES,
		.leak_detection = NP_LEAK_PARANOID,
	};

	memset(p, 0, sizeof(*p));
	p->fd = open(DEV, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	return np_ioctl(p->fd, NP_IOC_CONFIGURE, &cfg);
}

static __u64 normalize(__u64 size)
{
	__u64 n = 16;

	if (size > CHUNK)
		return (size + 4095) & ~4095ULL;
	if (size < 512)
		return size ? (size + 15) & ~15ULL : 16;
	while (n < size)
		n <<= 1;
	return n;
}

/* Map the buffer's region, run @fn on its bytes, unmap. */
static bool with_bytes(struct pool *p, const struct live *l,
		       bool (*fn)(unsigned char *b, const struct live *l))
{
	unsigned char *r;
	bool ok;

	r = mmap(NULL, l->region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 p->fd, l->region_offset);
	if (r == MAP_FAILED) {
		problem("mmap of region %#llx: %s",
			(unsigned long long)l->region_offset, strerror(errno));
		return false;
	}
	ok = fn(r + (l->offset - l->region_offset), l);
	munmap(r, l->region_size);
	return ok;
}

static bool fill_fn(unsigned char *b, const struct live *l)
{
	__u64 i;

	for (i = 0; i < l->capacity; i++)
		b[i] = (unsigned char)(l->seed + i * 7);
	return true;
}

static bool check_fn(unsigned char *b, const struct live *l)
{
	__u64 i;

	for (i = 0; i < l->capacity; i++) {
		if (b[i] != (unsigned char)(l->seed + i * 7)) {
			problem("buffer %#llx byte %llu is %#x, wrote %#x",
				(unsigned long long)l->offset,
				(unsigned long long)i, b[i],
				(unsigned char)(l->seed + i * 7));
			return false;
		}
	}
	return true;
}

static bool zero_fn(unsigned char *b, const struct live *l)
{
	__u64 i;

	for (i = 0; i < l->capacity; i++)
		if (b[i])
			return false;
	return true;
}

static unsigned char next_seed;

/* Record a buffer just allocated (faults off): check and fill it. */
static void adopt(struct pool *p, __u64 size, __u64 offset, __u64 capacity,
		  __u64 region_offset, __u64 region_size, bool zeroed)
{
	struct live *l = &p->live[p->nr++];

	*l = (struct live){ offset, capacity, region_offset, region_size,
			    size, 1, ++next_seed };
	if (capacity != normalize(size))
		problem("size %llu got capacity %llu", (unsigned long long)size,
			(unsigned long long)capacity);
	if (zeroed && !with_bytes(p, l, zero_fn))
		problem("buffer %#llx asked zeroed is not",
			(unsigned long long)offset);
	with_bytes(p, l, fill_fn);
}

/* Check a recorded buffer's bytes, then drop one reference (faults off). */
static void drop(struct pool *p, unsigned int i)
{
	struct live *l = &p->live[i];
	struct np_free f = { .offset = l->offset };
	int ret;

	if (!with_bytes(p, l, check_fn))
		problem("buffer %#llx lost its bytes", (unsigned long long)l->offset);
	ret = np_ioctl(p->fd, NP_IOC_FREE, &f);
	if (ret)
		problem("free of %#llx: %s", (unsigned long long)l->offset,
			strerror(-ret));
	if (--l->refs == 0)
		p->live[i] = p->live[--p->nr];
}

static void drop_all(struct pool *p)
{
	while (p->nr)
		drop(p, p->nr - 1);
}

/* The pool's counters agree with the model. */
static bool consistent(struct pool *p, const char *when)
{
	struct np_stats st;
	__u64 bytes = 0;
	unsigned int i;
	int ret;

	ret = np_ioctl(p->fd, NP_IOC_STATS, &st);
	if (ret) {
		problem("%s: NP_IOC_STATS: %s", when, strerror(-ret));
		return false;
	}
	for (i = 0; i < p->nr; i++)
		bytes += p->live[i].capacity;
	if (st.active_buffers != p->nr || st.bytes_active != bytes) {
		problem("%s: pool counts %llu buffers of %llu bytes, holds %u of %llu",
			when, (unsigned long long)st.active_buffers,
			(unsigned long long)st.bytes_active, p->nr,
			(unsigned long long)bytes);
		return false;
	}
	if (st.bytes_reserved > MAX_BYTES) {
		problem("%s: %llu bytes reserved, above max_bytes", when,
			(unsigned long long)st.bytes_reserved);
		return false;
	}
	return true;
}

/* A failed call must say ENOMEM; anything else is a finding. */
static void expect_enomem(int ret, const char *what)
{
	if (ret && ret != -ENOMEM)
		problem("%s failed with %s, not ENOMEM", what, strerror(-ret));
}

/* ------------------------------------------------------ operations */

/*
 * Each operation arms the faults around its one ioctl only, and records
 * what it got with faults off: the Nth fallible call (phase 1, @nth > 0),
 * or any call with the set probability (phase 2). Return: 0, or the
 * ioctl's -errno.
 */
static bool armed_random, armed_nth, nth_was_hit;

static void arm(unsigned int nth)
{
	armed_nth = nth;
	if (nth)
		fail_nth(nth);
	else if (armed_random)
		make_it_fail(true);
}

/* Off again before anything else runs: mmap must not take the fault. */
static void disarm(void)
{
	if (armed_nth) {
		nth_was_hit = nth_hit();
		fail_nth(0);
		armed_nth = false;
	} else if (armed_random) {
		make_it_fail(false);
	}
}

static int op_alloc(struct pool *p, __u64 size, bool zero, unsigned int nth)
{
	struct np_alloc a = { .size = size, .flags = zero ? NP_ALLOC_ZERO : 0,
			      .tag = 0xfa17 };
	int ret;

	if (p->nr == MAX_LIVE)
		return 0;
	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_ALLOC, &a);
	disarm();
	expect_enomem(ret, "NP_IOC_ALLOC");
	if (!ret)
		adopt(p, size, a.offset, a.capacity, a.region_offset,
		      a.region_size, zero);
	return ret;
}

static int op_batch(struct pool *p, unsigned int n, unsigned int seed,
		    unsigned int nth)
{
	struct np_batch_op ops[16];
	/* done starts out of range: the call must always write it */
	struct np_batch b = { .ops = (uintptr_t)ops, .count = n, .done = ~0U };
	unsigned int i;
	int ret;

	if (p->nr + n > MAX_LIVE)
		return 0;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < n; i++) {
		ops[i].op = NP_BATCH_ALLOC;
		ops[i].flags = i & 1 ? NP_ALLOC_ZERO : 0;
		ops[i].size = 16ULL << ((seed + i) % 13);
	}
	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_BATCH, &b);
	disarm();
	expect_enomem(ret, "NP_IOC_BATCH");
	/*
	 * A failed operation carries the batch's errno; a batch refused as a
	 * whole (its own buffer) has done 0 and no result.
	 */
	if (b.done > n || (!ret && b.done != n) ||
	    (ret && ops[b.done].result != ret &&
	     (b.done || ops[0].result)))
		problem("batch: done %u of %u, status %d, result %d", b.done, n,
			ret, b.done < n ? ops[b.done].result : 0);
	for (i = 0; i < b.done && i < n; i++)
		adopt(p, ops[i].size, ops[i].offset, ops[i].capacity,
		      ops[i].region_offset, ops[i].region_size,
		      ops[i].flags & NP_ALLOC_ZERO);
	return ret;
}

static int op_retain(struct pool *p, unsigned int i, unsigned int nth)
{
	struct np_free f = { .offset = p->live[i].offset };
	int ret;

	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_RETAIN, &f);
	disarm();
	expect_enomem(ret, "NP_IOC_RETAIN");
	if (!ret)
		p->live[i].refs++;
	return ret;
}

/* Free and trim cannot run out of memory: they must always succeed. */
static int op_free(struct pool *p, unsigned int i, unsigned int nth)
{
	struct live *l = &p->live[i];
	struct np_free f = { .offset = l->offset };
	int ret;

	if (!with_bytes(p, l, check_fn))
		problem("buffer %#llx lost its bytes", (unsigned long long)l->offset);
	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_FREE, &f);
	disarm();
	if (ret)
		problem("NP_IOC_FREE under faults: %s", strerror(-ret));
	else if (--l->refs == 0)
		p->live[i] = p->live[--p->nr];
	return ret;
}

static int op_trim(struct pool *p, unsigned int nth)
{
	int ret;

	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_TRIM, NULL);
	disarm();
	if (ret)
		problem("NP_IOC_TRIM under faults: %s", strerror(-ret));
	return ret;
}

/* A new pool for an open file; a refusal leaves the old one in place. */
static int op_configure(struct pool *p, unsigned int nth)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = PAGE,
		.max_order = 4,
		.n_arenas = 2,
		.max_bytes = MAX_BYTES,
	};
	int ret;

	arm(nth);
	ret = np_ioctl(p->fd, NP_IOC_CONFIGURE, &cfg);
	disarm();
	expect_enomem(ret, "NP_IOC_CONFIGURE");
	return ret;
}

/* ------------------------------------------------ phase 1: fail-nth */

enum scenario {
	SC_NEW_CHUNK, SC_FROM_CHUNK, SC_HUGE, SC_WHOLE_CHUNK, SC_BATCH,
	SC_RETAIN, SC_FREE, SC_TRIM, SC_CONFIGURE, SC_COUNT
};

static const char *const sc_names[SC_COUNT] = {
	"alloc 64 B, new chunk", "alloc 8 KiB from a live chunk",
	"alloc 100000 B, huge", "alloc 64 KiB, a whole new chunk",
	"batch of 12 allocations", "retain", "free", "trim",
	"configure a new pool",
};

/* Bring the pool to the state the scenario starts from (faults off). */
static void sc_prepare(struct pool *p, enum scenario sc)
{
	drop_all(p);
	if (op_trim(p, 0))
		return;
	switch (sc) {
	case SC_FROM_CHUNK:
	case SC_RETAIN:
	case SC_FREE:
		op_alloc(p, 64, false, 0);
		break;
	case SC_TRIM:	/* a spare chunk and kept subpages to give back */
		op_alloc(p, 64, false, 0);
		op_alloc(p, 2048, false, 0);
		op_alloc(p, CHUNK, false, 0);
		drop_all(p);
		break;
	default:
		break;
	}
}

static int sc_run(struct pool *p, enum scenario sc, unsigned int nth)
{
	switch (sc) {
	case SC_NEW_CHUNK:
		return op_alloc(p, 64, false, nth);
	case SC_FROM_CHUNK:
		return op_alloc(p, 8192, true, nth);
	case SC_HUGE:
		return op_alloc(p, 100000, true, nth);
	case SC_WHOLE_CHUNK:
		return op_alloc(p, CHUNK, false, nth);
	case SC_BATCH:
		return op_batch(p, 12, nth, nth);
	case SC_RETAIN:
		return op_retain(p, 0, nth);
	case SC_FREE:
		return op_free(p, 0, nth);
	case SC_TRIM:
		return op_trim(p, nth);
	case SC_CONFIGURE:
		return op_configure(p, nth);
	default:
		return -EINVAL;
	}
}

static void phase_nth(struct pool *p)
{
	long long pages0 = injected(FAIL_PAGE), slabs0 = injected(FAILSLAB);
	unsigned int sc, total_sites = 0, total_enomem = 0;

	for (sc = 0; sc < SC_COUNT; sc++) {
		unsigned int nth, sites = 0, enomem = 0, before = problems;
		bool done = false;

		for (nth = 1; nth <= NTH_MAX && !done; nth++) {
			bool hit;
			int ret;

			sc_prepare(p, sc);
			/* a pool that allocated is frozen: a fresh file each time */
			if (sc == SC_CONFIGURE) {
				close(p->fd);
				if (pool_open(p))
					die("reopening " DEV);
			}
			nth_was_hit = false;
			ret = sc_run(p, sc, nth);
			hit = nth_was_hit;
			sites += hit;
			enomem += ret == -ENOMEM;
			if (!hit && ret)
				problem("%s failed (%s) with no fault injected",
					sc_names[sc], strerror(-ret));
			done = !hit;
			consistent(p, sc_names[sc]);
			/* the pool works after the fault */
			if (op_alloc(p, 100, false, 0))
				problem("%s: the pool fails after a fault",
					sc_names[sc]);
			consistent(p, sc_names[sc]);
		}
		tap(done && problems == before,
		    "fail-nth: %s: %u fault points, %u ENOMEM, the rest absorbed",
		    sc_names[sc], sites, enomem);
		total_sites += sites;
		total_enomem += enomem;
	}
	drop_all(p);
	printf("# fail-nth: %u faults injected (%lld page, %lld slab), %u ENOMEM returned\n",
	       total_sites, injected(FAIL_PAGE) - pages0,
	       injected(FAILSLAB) - slabs0, total_enomem);
}

/* ------------------------------------------------ phase 2: random */

static unsigned long long rng;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* Mostly small buffers, some runs and whole chunks, a few huge ones. */
static __u64 rnd_size(void)
{
	switch (rnd(10)) {
	case 0:
		return CHUNK + 1 + rnd(200000);
	case 1:
	case 2:
		return PAGE + rnd(CHUNK - PAGE + 1);
	default:
		return rnd(4096);
	}
}

static void phase_random(unsigned int nops, unsigned int percent)
{
	long long pages0 = injected(FAIL_PAGE), slabs0 = injected(FAILSLAB);
	unsigned int i, ok = 0, enomem = 0, before = problems;

	armed_random = true;
	for (i = 0; i < nops; i++) {
		struct pool *p = &pools[rnd(2)];
		unsigned int r = rnd(100);
		int ret;

		if (r < 45)
			ret = op_alloc(p, rnd_size(), rnd(4) == 0, 0);
		else if (r < 50)
			ret = op_batch(p, 1 + rnd(12), rnd(13), 0);
		else if (r < 55 && p->nr)
			ret = op_retain(p, rnd(p->nr), 0);
		else if (r < 97 && p->nr)
			ret = op_free(p, rnd(p->nr), 0);
		else
			ret = op_trim(p, 0);
		ok += !ret;
		enomem += ret == -ENOMEM;
		if (i % 64 == 0)
			consistent(p, "random");
	}
	armed_random = false;
	consistent(&pools[0], "random, end");
	consistent(&pools[1], "random, end");
	tap(problems == before,
	    "random: %u operations at %u%%: %u succeeded, %u ENOMEM, no other error, data intact",
	    nops, percent, ok, enomem);
	printf("# random: %lld faults injected (%lld page, %lld slab)\n",
	       injected(FAIL_PAGE) - pages0 + injected(FAILSLAB) - slabs0,
	       injected(FAIL_PAGE) - pages0, injected(FAILSLAB) - slabs0);
}

/* ---------------------------------------------- after the faults */

/* Every size class in both pools, written and read back, then freed. */
static void phase_after(void)
{
	static const __u64 sizes[] = {
		0, 1, 100, 496, 512, 1000, 2048, 4096, 8192, 32768, CHUNK,
		CHUNK + 1, 300000,
	};
	unsigned int round, k, j, before = problems;

	for (k = 0; k < 2; k++)
		drop_all(&pools[k]);
	for (round = 0; round < 4; round++)
		for (k = 0; k < 2; k++)
			for (j = 0; j < ARRAY_SIZE(sizes); j++)
				if (op_alloc(&pools[k], sizes[j], j & 1, 0))
					problem("size %llu fails after the faults",
						(unsigned long long)sizes[j]);
	for (k = 0; k < 2; k++) {
		struct np_stats st;

		consistent(&pools[k], "after");
		drop_all(&pools[k]);
		op_trim(&pools[k], 0);
		if (np_ioctl(pools[k].fd, NP_IOC_STATS, &st) ||
		    st.active_buffers || st.bytes_active || st.bytes_cached ||
		    st.bytes_reserved || st.chunks || st.huge_regions)
			problem("pool %u: counters not zero after trim", k);
	}
	tap(problems == before,
	    "after the faults: every size class works in both pools, all counters zero after trim");
}

/* The module-wide totals: nothing left once every pool is closed. */
static void check_module_totals(void)
{
	static const char *const keys[] = {
		"pools", "chunks", "huge_regions", "bytes_reserved",
		"bytes_active", "active_buffers",
	};
	char line[256];
	unsigned int k, left = 0, seen = 0;
	FILE *f;

	for (k = 0; k < 2; k++)
		close(pools[k].fd);
	f = fopen(NP_STATS, "r");
	if (!f) {
		tap(false, "debugfs totals readable (%s)", NP_STATS);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		for (k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t n = strlen(keys[k]);

			if (strncmp(line, keys[k], n) || line[n] != ':')
				continue;
			seen++;
			if (strtoull(line + n + 1, NULL, 10)) {
				left++;
				printf("# left: %s", line);
			}
		}
	}
	fclose(f);
	tap(seen == 6 && !left,
	    "closed: debugfs totals back to zero (pools, chunks, bytes, buffers)");
}

int main(int argc, char **argv)
{
	unsigned int nops = 6000, percent = 10, k;
	unsigned long long seed = (unsigned long long)time(NULL);
	int opt;

	while ((opt = getopt(argc, argv, "s:n:p:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			nops = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			percent = (unsigned int)strtoul(optarg, NULL, 0);
			if (percent > 100) {
				fprintf(stderr, "np_faults: -p takes 0..100\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-p PERCENT]\n",
				argv[0]);
			return 2;
		}
	}
	rng = seed * 0x9e3779b97f4a7c15ULL | 1;

	printf("TAP version 13\n");
	if (access(DEV, R_OK | W_OK) || access(FAIL_PAGE, F_OK) ||
	    access(FAILSLAB, F_OK)) {
		printf("1..0 # SKIP no %s, %s or %s\n", DEV, FAIL_PAGE, FAILSLAB);
		return KSFT_SKIP;
	}
	printf("1..%d\n", SC_COUNT + 4);
	printf("# seed %llu (np_faults -s %llu -n %u -p %u reproduces)\n",
	       seed, seed, nops, percent);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	fail_fd = open("/proc/self/make-it-fail", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || fail_fd < 0)
		die("/proc/thread-self/fail-nth, /proc/self/make-it-fail");
	/* fail-nth works whatever the probability: 0 until phase 2 */
	tap(faults_setup(0), "fault injection set up (task-filter, every order and gfp)");
	for (k = 0; k < 2; k++)
		if (pool_open(&pools[k]))
			die("opening " DEV);

	phase_nth(&pools[0]);
	if (!faults_setup(percent))
		die("fault injection knobs");
	phase_random(nops, percent);
	faults_setup(0);
	phase_after();
	check_module_totals();
	return tap_failed ? 1 : 0;
}
