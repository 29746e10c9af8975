// SPDX-License-Identifier: GPL-2.0
/*
 * Host allocator benchmark: one round of one workload, built once per
 * allocator (the Makefile's $(BUILD)/bench-host-<allocator>):
 *
 *   nettypool  np_alloc/np_free on a local-backend pool with its defaults
 *              (per-thread caches on, one arena per CPU)
 *   glibc, jemalloc, mimalloc, tcmalloc
 *              malloc/free of a binary linked with that allocator; at
 *              start the binary checks, with dladdr(), that the malloc
 *              the dynamic linker resolved comes from the expected
 *              library, and refuses to run otherwise
 *
 * Workloads (every size sequence comes from a fixed seed, so every
 * allocator sees the same requests):
 *
 *   pairs              back-to-back alloc+free of one size, 64 B .. 64 KiB,
 *                      first byte written; ns per pair, each size for at
 *                      least MS milliseconds
 *   count SIZE N       N pairs of SIZE bytes after the warm-up of pairs,
 *                      printing nothing: run under callgrind with two N,
 *                      the difference of the instruction counts divided
 *                      by that of N is the allocator's instructions per
 *                      pair (scripts/bench/bench.sh)
 *   window             4096 live buffers of mixed sizes (70% 16-512 B, 25%
 *                      up to 8 KiB, 5% up to 64 KiB), the oldest replaced
 *                      by a new one, 1M times; ns per replacement
 *   larson THREADS     larson-like: each thread replaces a random slot of
 *                      an array of 1000 buffers (16-1024 B) 2M times; every
 *                      200k the threads pass their arrays on to the next
 *                      thread, so most frees are of another thread's
 *                      buffers; throughput in Mops/s and ns per op
 *   xmalloc            xmalloc-like: one thread allocates 1M buffers
 *                      (16-1024 B) and hands them in batches of 256 (at most
 *                      4 batches in flight) to another thread, which frees
 *                      them: every free is remote; ns per buffer
 *
 * Buffers of window, larson and xmalloc get a byte written in each 4 KiB,
 * so that what an allocator hands out is resident. Those workloads also
 * report the peak of live (requested) bytes, the process's peak RSS
 * (VmHWM) above its RSS before the workload, and for nettypool the peak
 * of bytes_reserved (np_pool_stats).
 *
 * Output, one line per figure:
 *   R host <allocator> <workload> <param> <metric> <value>
 * with metric ns, mops, live, rss or reserved (bytes).
 *
 *   bench-host-<allocator> pairs [MS] | count SIZE N | window |
 *                          larson THREADS | xmalloc
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nettypool.h"

#ifndef NP_BENCH_ALLOC
#error "build with -DNP_BENCH_ALLOC=\"name\" -DNP_BENCH_LIB=\"library\""
#endif

#define WINDOW_SLOTS	4096
#define WINDOW_OPS	1000000L
#define LARSON_SLOTS	1000
#define LARSON_OPS	2000000L	/* per thread */
#define LARSON_EPOCH	200000L		/* ops between two hand-overs */
#define LARSON_MAX	16
#define XMALLOC_N	1000000L
#define XBATCH		256		/* buffers per xmalloc hand-over */
#define XRING		4		/* batches in flight */
#define SAMPLE		4096		/* ops between two memory samples */

static struct np_pool *pool;		/* nettypool only */
static void *volatile escape;

static void *b_alloc(size_t size)
{
	void *p = NP_BENCH_NETTYPOOL ? np_alloc(pool, size) : malloc(size);

	if (!p) {
		fprintf(stderr, "bench-host-%s: out of memory (%zu bytes)\n",
			NP_BENCH_ALLOC, size);
		exit(1);
	}
	return p;
}

static void b_free(void *p)
{
	if (NP_BENCH_NETTYPOOL) {
		if (np_free(pool, p)) {
			perror("np_free");
			exit(1);
		}
	} else {
		escape = p;	/* keeps the compiler from eliding the pair */
		free(p);
	}
}

/* One byte in each 4 KiB of the buffer: what is handed out is resident. */
static void touch(char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i += 4096)
		p[i] = (char)i;
	p[size - 1] = 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 16-1024 B, the larson and xmalloc sizes */
static size_t small_size(uint64_t *s)
{
	return 16 + rnd(s) % 1009;
}

/* The window's mix: mostly small, some pages, a few large. */
static size_t mixed_size(uint64_t *s)
{
	unsigned int c = rnd(s) % 100;

	if (c < 70)
		return 16 + rnd(s) % 497;
	if (c < 95)
		return 513 + rnd(s) % 7680;
	return 8193 + rnd(s) % 57344;
}

/* A "Vm...:" line of /proc/self/status, in bytes. */
static long long vm_bytes(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t len = strlen(key);
	long long kb = -1;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			kb = atoll(line + len + 1);
			break;
		}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Peaks of one workload: live bytes, and the pool's bytes_reserved. */
static _Atomic long long peak_live;
static _Atomic unsigned long long peak_reserved;
static long long rss_before;

static void note_live(long long live)
{
	long long old = atomic_load_explicit(&peak_live, memory_order_relaxed);

	while (live > old &&
	       !atomic_compare_exchange_weak(&peak_live, &old, live))
		;
	if (NP_BENCH_NETTYPOOL) {
		struct np_stats st;

		if (!np_pool_stats(pool, &st) && st.bytes_reserved > peak_reserved)
			peak_reserved = st.bytes_reserved;
	}
}

static void start_memory(void)
{
	peak_live = 0;
	peak_reserved = 0;
	rss_before = vm_bytes("VmRSS");
}

static void report(const char *workload, const char *param, const char *metric,
		   double value)
{
	printf("R host %s %s %s %s %.6g\n", NP_BENCH_ALLOC, workload, param,
	       metric, value);
}

static void report_memory(const char *workload, const char *param)
{
	long long hwm = vm_bytes("VmHWM");

	report(workload, param, "live", (double)peak_live);
	if (hwm >= 0 && rss_before >= 0)
		report(workload, param, "rss", (double)(hwm - rss_before));
	if (NP_BENCH_NETTYPOOL)
		report(workload, param, "reserved", (double)peak_reserved);
}

static const size_t pair_sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };

static void pairs(size_t size, long n)
{
	long k;

	for (k = 0; k < n; k++) {
		char *p = b_alloc(size);

		p[0] = (char)k;
		b_free(p);
	}
}

static void run_pairs(double ms)
{
	unsigned int i;
	char param[32];
	long n;

	for (i = 0; i < sizeof(pair_sizes) / sizeof(pair_sizes[0]); i++) {
		double start, now;

		pairs(pair_sizes[i], 1000);	/* warm up */
		n = 0;
		start = now_ns();
		do {
			pairs(pair_sizes[i], 1000);
			n += 1000;
			now = now_ns();
		} while (now - start < ms * 1e6);
		snprintf(param, sizeof(param), "%zu", pair_sizes[i]);
		report("pairs", param, "ns", (now - start) / n);
	}
}

static void run_window(void)
{
	static char *slot[WINDOW_SLOTS];
	static size_t len[WINDOW_SLOTS];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	long long live = 0;
	double start;
	long i;

	start_memory();
	start = now_ns();
	for (i = 0; i < WINDOW_OPS; i++) {
		unsigned int s = i % WINDOW_SLOTS;
		size_t size = mixed_size(&seed);

		if (slot[s]) {
			b_free(slot[s]);
			live -= len[s];
		}
		slot[s] = b_alloc(size);
		touch(slot[s], size);
		len[s] = size;
		live += size;
		if (i % SAMPLE == 0)
			note_live(live);
	}
	report("window", "-", "ns", (now_ns() - start) / WINDOW_OPS);
	note_live(live);
	report_memory("window", "-");
	for (i = 0; i < WINDOW_SLOTS; i++)
		b_free(slot[i]);
}

/* larson: arrays of slots passed from thread to thread */
struct larson_array {
	char *slot[LARSON_SLOTS];
	size_t len[LARSON_SLOTS];
	long long live;		/* written only by the array's current holder */
};

static struct larson_array larson_arrays[LARSON_MAX];
static pthread_barrier_t larson_barrier;
static int larson_threads;

static long long larson_live(void)
{
	long long sum = 0;
	int i;

	for (i = 0; i < larson_threads; i++)
		sum += __atomic_load_n(&larson_arrays[i].live, __ATOMIC_RELAXED);
	return sum;
}

static void *larson_thread(void *arg)
{
	int id = (int)(intptr_t)arg, epoch;
	uint64_t seed = 0x2545f4914f6cdd1dULL * (id + 1);
	long i;

	for (epoch = 0; epoch < LARSON_OPS / LARSON_EPOCH; epoch++) {
		/* the array of thread id + epoch: a neighbour's last epoch */
		struct larson_array *a =
			&larson_arrays[(id + epoch) % larson_threads];

		for (i = 0; i < LARSON_EPOCH; i++) {
			unsigned int s = rnd(&seed) % LARSON_SLOTS;
			size_t size = small_size(&seed);

			b_free(a->slot[s]);
			a->slot[s] = b_alloc(size);
			touch(a->slot[s], size);
			__atomic_store_n(&a->live, a->live - a->len[s] + size,
					 __ATOMIC_RELAXED);
			a->len[s] = size;
			if (id == 0 && i % SAMPLE == 0)
				note_live(larson_live());
		}
		pthread_barrier_wait(&larson_barrier);
	}
	return NULL;
}

static void run_larson(int threads)
{
	pthread_t tid[LARSON_MAX];
	uint64_t seed = 42;
	double start, wall;
	char param[16];
	int t, s;

	if (threads < 1 || threads > LARSON_MAX) {
		fprintf(stderr, "larson: THREADS must be 1..%d\n", LARSON_MAX);
		exit(2);
	}
	larson_threads = threads;
	start_memory();
	for (t = 0; t < threads; t++)
		for (s = 0; s < LARSON_SLOTS; s++) {
			size_t size = small_size(&seed);

			larson_arrays[t].slot[s] = b_alloc(size);
			touch(larson_arrays[t].slot[s], size);
			larson_arrays[t].len[s] = size;
			larson_arrays[t].live += size;
		}
	note_live(larson_live());
	pthread_barrier_init(&larson_barrier, NULL, threads);
	start = now_ns();
	for (t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, larson_thread,
				   (void *)(intptr_t)t)) {
			perror("pthread_create");
			exit(1);
		}
	for (t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	wall = now_ns() - start;
	snprintf(param, sizeof(param), "%d", threads);
	report("larson", param, "mops", threads * LARSON_OPS / wall * 1e3);
	report("larson", param, "ns", wall / LARSON_OPS);
	note_live(larson_live());
	report_memory("larson", param);
	for (t = 0; t < threads; t++)
		for (s = 0; s < LARSON_SLOTS; s++)
			b_free(larson_arrays[t].slot[s]);
	pthread_barrier_destroy(&larson_barrier);
}

/*
 * xmalloc: the producer fills batches of XBATCH buffers and hands each
 * whole batch over through a ring of XRING batches; the consumer frees
 * every buffer of a batch it takes.
 */
static struct {
	char *buf[XRING][XBATCH];
	size_t len[XRING][XBATCH];
	_Atomic long head;	/* batches handed over, producer's */
	_Atomic long tail;	/* batches freed, consumer's */
	_Atomic long long freed;
} ring;

static void *xmalloc_consumer(void *arg)
{
	long b, k, n = XMALLOC_N / XBATCH;

	for (b = 0; b < n; b++) {
		unsigned int r = b % XRING;
		long long bytes = 0;

		while (atomic_load_explicit(&ring.head,
					    memory_order_acquire) == b)
			sched_yield();
		for (k = 0; k < XBATCH; k++) {
			if (ring.buf[r][k][0] != (char)0) {
				fprintf(stderr, "xmalloc: buffer corrupted\n");
				exit(1);
			}
			b_free(ring.buf[r][k]);
			bytes += ring.len[r][k];
		}
		atomic_fetch_add_explicit(&ring.freed, bytes,
					  memory_order_relaxed);
		atomic_store_explicit(&ring.tail, b + 1, memory_order_release);
	}
	return NULL;
}

static void run_xmalloc(void)
{
	long b, k, n = XMALLOC_N / XBATCH;
	uint64_t seed = 7;
	long long made = 0;
	double start;
	pthread_t tid;

	start_memory();
	start = now_ns();
	if (pthread_create(&tid, NULL, xmalloc_consumer, NULL)) {
		perror("pthread_create");
		exit(1);
	}
	for (b = 0; b < n; b++) {
		unsigned int r = b % XRING;

		while (b - atomic_load_explicit(&ring.tail,
						memory_order_acquire) >= XRING)
			sched_yield();
		for (k = 0; k < XBATCH; k++) {
			size_t size = small_size(&seed);
			char *p = b_alloc(size);

			touch(p, size);
			p[0] = 0;
			ring.buf[r][k] = p;
			ring.len[r][k] = size;
			made += size;
		}
		note_live(made - atomic_load(&ring.freed));
		atomic_store_explicit(&ring.head, b + 1, memory_order_release);
	}
	pthread_join(tid, NULL);
	report("xmalloc", "-", "ns", (now_ns() - start) / (n * XBATCH));
	report_memory("xmalloc", "-");
}

/* The malloc the dynamic linker resolved must be the expected one's. */
static void check_allocator(void)
{
	void *m = dlsym(RTLD_DEFAULT, "malloc");
	Dl_info info;

	if (!m || !dladdr(m, &info) || !info.dli_fname ||
	    !strstr(info.dli_fname, NP_BENCH_LIB)) {
		fprintf(stderr,
			"bench-host-%s: malloc comes from %s, not %s\n",
			NP_BENCH_ALLOC, m && info.dli_fname ? info.dli_fname :
			"nowhere", NP_BENCH_LIB);
		exit(1);
	}
	printf("I host %s malloc %s\n", NP_BENCH_ALLOC, info.dli_fname);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench-host-%s pairs [MS] | count SIZE N | window | larson THREADS | xmalloc\n",
		NP_BENCH_ALLOC);
	exit(2);
}

int main(int argc, char **argv)
{
	struct np_pool_opts opts = { .backend = NP_BACKEND_LOCAL };

	if (argc < 2)
		usage();
	check_allocator();
	if (NP_BENCH_NETTYPOOL) {
		pool = np_pool_open(&opts);
		if (!pool) {
			perror("np_pool_open");
			return 1;
		}
	}
	if (!strcmp(argv[1], "pairs")) {
		double ms = argc > 2 ? atof(argv[2]) : 100;

		if (ms <= 0)
			usage();
		run_pairs(ms);
	}
	else if (!strcmp(argv[1], "count") && argc > 3) {
		long n = atol(argv[3]);

		if (n <= 0)
			usage();
		pairs((size_t)atol(argv[2]), 1000);	/* as pairs warms up */
		pairs((size_t)atol(argv[2]), n);
	} else if (!strcmp(argv[1], "window"))
		run_window();
	else if (!strcmp(argv[1], "larson") && argc > 2)
		run_larson(atoi(argv[2]));
	else if (!strcmp(argv[1], "xmalloc"))
		run_xmalloc();
	else
		usage();
	if (NP_BENCH_NETTYPOOL && np_pool_close(pool)) {
		perror("np_pool_close");
		return 1;
	}
	return 0;
}
