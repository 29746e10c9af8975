// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics consistency (struct np_stats) under random workloads,
 * through the public API: every counter is checked against a model of
 * the live buffers, which also checks that buffers never overlap and
 * that their contents survive everything else the pool does. Then the
 * same with four threads sharing one pool and freeing each other's
 * buffers.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "np_test.h"

struct live_buf {
	unsigned char *ptr;
	u64 cap;
	u64 tag;
	u32 refs;	/* references beyond the first */
};

struct stats_model {
	struct np_pool *pool;
	u64 chunk_size;
	u64 page_size;
	struct live_buf *bufs;	/* sorted by address */
	u32 nr;
	u32 max;
	bool exact_classes;	/* no cache: arena counters are exact */
	u64 next_tag;
};

/* Big buffers get one word every this many bytes instead of a full fill. */
#define FULL_FILL_MAX	(16U << 10)
#define SPARSE_STRIDE	(64U << 10)

static u8 pattern_byte(u64 tag, u64 i)
{
	return (u8)((tag * 0x9e3779b97f4a7c15ULL + i * 131) >> 24);
}

static void pattern_fill(unsigned char *p, u64 cap, u64 tag)
{
	u64 i;

	if (cap <= FULL_FILL_MAX) {
		for (i = 0; i < cap; i++)
			p[i] = pattern_byte(tag, i);
		return;
	}
	for (i = 0; i < cap; i += SPARSE_STRIDE)
		p[i] = pattern_byte(tag, i);
	p[cap - 1] = pattern_byte(tag, cap - 1);
}

/* Index of the first byte that differs, or -1. */
static long long pattern_check(const unsigned char *p, u64 cap, u64 tag)
{
	u64 i;

	if (cap <= FULL_FILL_MAX) {
		for (i = 0; i < cap; i++)
			if (p[i] != pattern_byte(tag, i))
				return (long long)i;
		return -1;
	}
	for (i = 0; i < cap; i += SPARSE_STRIDE)
		if (p[i] != pattern_byte(tag, i))
			return (long long)i;
	if (p[cap - 1] != pattern_byte(tag, cap - 1))
		return (long long)(cap - 1);
	return -1;
}

static int size_class(const struct stats_model *m, u64 cap)
{
	if (cap < NP_TINY_MAX)
		return NP_SIZE_TINY;
	if (cap < m->page_size)
		return NP_SIZE_SMALL;
	if (cap <= m->chunk_size)
		return NP_SIZE_NORMAL;
	return NP_SIZE_HUGE;
}

/* A request size from 1 byte to twice the chunk size, mostly small. */
static u64 random_size(u64 *rnd, u64 page, u64 chunk)
{
	u64 r = np_test_below(rnd, 100);
	u64 lo, hi, shift;

	if (r < 45)
		return 1 + np_test_below(rnd, NP_TINY_MAX - 1);
	if (r < 70) {
		lo = NP_TINY_MAX;
		hi = page - 1;
	} else if (r < 96) {
		/* log-uniform over the normal sizes */
		shift = np_test_below(rnd, np_fls64(chunk / page));
		lo = page << shift;
		hi = lo * 2 > chunk ? chunk : lo * 2;
	} else {
		lo = chunk + 1;
		hi = 2 * chunk;
	}
	return lo + np_test_below(rnd, hi - lo + 1);
}

/* Position of addr in the sorted array (first element >= addr). */
static u32 model_pos(const struct stats_model *m, const void *addr)
{
	u32 lo = 0, hi = m->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if ((uintptr_t)m->bufs[mid].ptr < (uintptr_t)addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void model_insert(struct stats_model *m, unsigned char *p, u64 cap)
{
	u32 i = model_pos(m, p);
	struct live_buf *b;

	if (i > 0 && m->bufs[i - 1].ptr + m->bufs[i - 1].cap > p)
		ck_assert_msg(0, "%p+%llu overlaps %p+%llu", (void *)p,
			      (unsigned long long)cap,
			      (void *)m->bufs[i - 1].ptr,
			      (unsigned long long)m->bufs[i - 1].cap);
	if (i < m->nr && p + cap > m->bufs[i].ptr)
		ck_assert_msg(0, "%p+%llu overlaps %p+%llu", (void *)p,
			      (unsigned long long)cap, (void *)m->bufs[i].ptr,
			      (unsigned long long)m->bufs[i].cap);
	if (m->nr == m->max) {
		m->max = m->max ? 2 * m->max : 256;
		m->bufs = realloc(m->bufs, m->max * sizeof(*m->bufs));
		ck_assert_ptr_nonnull(m->bufs);
	}
	memmove(&m->bufs[i + 1], &m->bufs[i], (m->nr - i) * sizeof(*b));
	m->nr++;
	b = &m->bufs[i];
	b->ptr = p;
	b->cap = cap;
	b->tag = m->next_tag++;
	b->refs = 0;
	pattern_fill(p, cap, b->tag);
}

/* Drop one reference of bufs[i], checking its contents first. */
static void model_free(struct stats_model *m, u32 i)
{
	struct live_buf *b = &m->bufs[i];
	long long bad = pattern_check(b->ptr, b->cap, b->tag);

	if (bad >= 0)
		ck_assert_msg(0, "buffer %p (%llu bytes) corrupt at byte %lld",
			      (void *)b->ptr, (unsigned long long)b->cap, bad);
	np_expect_eq(np_free(m->pool, b->ptr), 0);
	if (b->refs) {
		b->refs--;
		np_expect_eq(np_usable_size(m->pool, b->ptr), b->cap);
		return;
	}
	memmove(&m->bufs[i], &m->bufs[i + 1], (m->nr - i - 1) * sizeof(*b));
	m->nr--;
}

static void model_check(struct stats_model *m)
{
	u64 active = 0, huge_bytes = 0, huge = 0, per_class[4] = { 0 };
	struct np_stats st;
	u64 sum = 0;
	u32 i;

	ck_assert_int_eq(np_pool_stats(m->pool, &st), 0);
	for (i = 0; i < m->nr; i++) {
		const struct live_buf *b = &m->bufs[i];
		int c = size_class(m, b->cap);

		np_expect_eq(np_usable_size(m->pool, b->ptr), b->cap);
		active += b->cap;
		per_class[c]++;
		if (c == NP_SIZE_HUGE) {
			huge++;
			huge_bytes += b->cap;
		}
	}
	ck_assert_uint_eq(st.bytes_active, active);
	ck_assert_uint_eq(st.active_buffers, m->nr);
	ck_assert_uint_eq(st.alloc_huge - st.free_huge, per_class[NP_SIZE_HUGE]);
	ck_assert_uint_eq(st.huge_regions, huge);
	if (m->exact_classes) {
		ck_assert_uint_eq(st.alloc_tiny - st.free_tiny,
				  per_class[NP_SIZE_TINY]);
		ck_assert_uint_eq(st.alloc_small - st.free_small,
				  per_class[NP_SIZE_SMALL]);
		ck_assert_uint_eq(st.alloc_normal - st.free_normal,
				  per_class[NP_SIZE_NORMAL]);
		ck_assert_uint_eq(st.bytes_cached, 0);
	}
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		sum += st.chunklist_chunks[i];
	ck_assert_uint_eq(st.chunks, sum);
	ck_assert_uint_eq(st.bytes_reserved,
			  st.chunks * st.chunk_size + huge_bytes);
	ck_assert_uint_ge(st.bytes_reserved, st.bytes_active);
}

struct workload {
	u32 page_size;
	u32 max_order;
	int keep_empty_chunks;
	int cache;		/* 0: default caches, -1: none */
	unsigned int n_arenas;
	u32 ops;
};

static const struct workload workloads[] = {
	{ 8192, 9, 0, -1, 1, 3000 },
	{ 4096, 4, -1, -1, 1, 3000 },	/* 64 KiB chunks: many, and huge */
	{ 65536, 3, 1, -1, 2, 3000 },
	{ 8192, 11, -1, -1, 1, 2000 },	/* the seeds' 16 MiB chunk */
	{ 8192, 6, 0, 0, 1, 3000 },	/* default caches */
};

START_TEST(random_workload)
{
	const struct workload *w = &workloads[_i];
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.page_size = w->page_size,
		.max_order = w->max_order,
		.n_arenas = w->n_arenas,
		.tiny_cache = w->cache,
		.small_cache = w->cache,
		.normal_cache = w->cache,
		.keep_empty_chunks = w->keep_empty_chunks,
	};
	struct stats_model m = { 0 };
	u64 rnd = 0xfeedULL * (_i + 1);
	struct np_stats st;
	u32 op, retains = 0, huge = 0;

	m.pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(m.pool);
	m.page_size = w->page_size;
	m.chunk_size = (u64)w->page_size << w->max_order;
	m.exact_classes = w->cache < 0;
	for (op = 0; op < w->ops; op++) {
		u64 r = np_test_below(&rnd, 100);
		u64 alloc_pct = m.nr < 64 ? 70 : m.nr > 256 ? 30 : 50;

		if (!m.nr || r < alloc_pct) {
			u64 size = random_size(&rnd, m.page_size, m.chunk_size);
			unsigned char *p = np_test_below(&rnd, 8) ?
					   np_alloc(m.pool, size) :
					   np_zalloc(m.pool, size);
			u64 cap;

			ck_assert_ptr_nonnull(p);
			cap = np_usable_size(m.pool, p);
			np_expect(cap >= size && cap >= 16);
			huge += cap > m.chunk_size;
			model_insert(&m, p, cap);
		} else if (r < alloc_pct + 5) {
			u32 i = (u32)np_test_below(&rnd, m.nr);

			np_expect_eq(np_retain(m.pool, m.bufs[i].ptr), 0);
			m.bufs[i].refs++;
			retains++;
		} else {
			model_free(&m, (u32)np_test_below(&rnd, m.nr));
		}
		if (op % 64 == 0)
			model_check(&m);
		if (op % 1000 == 999)
			ck_assert_int_eq(np_trim(m.pool), 0);
	}
	model_check(&m);
	ck_assert_uint_gt(retains, 0);
	ck_assert_uint_gt(huge, 0);
	while (m.nr)
		model_free(&m, m.nr - 1);
	model_check(&m);
	ck_assert_int_eq(np_trim(m.pool), 0);
	ck_assert_int_eq(np_pool_stats(m.pool, &st), 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_uint_eq(st.huge_regions, 0);
	ck_assert_uint_eq(st.bytes_active, 0);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.alloc_tiny, st.free_tiny);
	ck_assert_uint_eq(st.alloc_small, st.free_small);
	ck_assert_uint_eq(st.alloc_normal, st.free_normal);
	ck_assert_uint_eq(st.alloc_huge, st.free_huge);
	ck_assert_uint_eq(st.alloc_huge, huge);
	ck_assert_int_eq(np_pool_close(m.pool), 0);
	free(m.bufs);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Four threads, one pool, two arenas. */

#define NR_THREADS	4
#define THREAD_OPS	2000
#define QUEUE_MAX	256

struct handed {
	unsigned char *ptr;
	u64 cap;
	u64 tag;
	u32 refs;	/* references beyond the first */
};

struct shared {
	struct np_pool *pool;
	pthread_mutex_t lock;
	struct handed queue[QUEUE_MAX];
	u32 nr_queued;
	u64 chunk_size;
};

struct worker {
	struct shared *sh;
	unsigned int id;
	struct handed own[512];
	u32 nr_own;
	u64 allocs;
	u64 frees;		/* of buffers this thread allocated */
	u64 foreign_frees;	/* of other threads' buffers */
	char error[160];
};

/* Threads must not call into check: they record the first failure. */
static void *worker_fail(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void *worker_fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->error[0]) {
		va_start(ap, fmt);
		vsnprintf(w->error, sizeof(w->error), fmt, ap);
		va_end(ap);
	}
	return NULL;
}

/* Check a buffer and drop all its references; false on any failure. */
static bool worker_free(struct worker *w, struct handed *h)
{
	if (pattern_check(h->ptr, h->cap, h->tag) >= 0)
		return false;
	for (; h->refs; h->refs--) {
		if (np_free(w->sh->pool, h->ptr) ||
		    np_usable_size(w->sh->pool, h->ptr) != h->cap)
			return false;
	}
	return np_free(w->sh->pool, h->ptr) == 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	u64 rnd = 0x7777ULL + w->id * 0x1000193ULL;
	u32 op;

	for (op = 0; op < THREAD_OPS; op++) {
		u64 r = np_test_below(&rnd, 100);

		if (w->nr_own < 16 || (r < 50 && w->nr_own < 512)) {
			u64 size = random_size(&rnd, 8192, sh->chunk_size);
			struct handed *h = &w->own[w->nr_own];

			h->ptr = np_alloc(sh->pool, size);
			if (!h->ptr)
				return worker_fail(w, "np_alloc(%llu): errno %d",
						   (unsigned long long)size,
						   errno);
			h->cap = np_usable_size(sh->pool, h->ptr);
			if (h->cap < size)
				return worker_fail(w, "usable %llu < %llu",
						   (unsigned long long)h->cap,
						   (unsigned long long)size);
			h->tag = ((u64)w->id << 32) | op;
			h->refs = 0;
			if (np_test_below(&rnd, 16) == 0) {
				if (np_retain(sh->pool, h->ptr))
					return worker_fail(w, "np_retain: errno %d",
							   errno);
				h->refs++;
			}
			pattern_fill(h->ptr, h->cap, h->tag);
			w->nr_own++;
			w->allocs++;
		} else if (r < 80) {
			u32 i = (u32)np_test_below(&rnd, w->nr_own);

			if (!worker_free(w, &w->own[i]))
				return worker_fail(w, "own buffer %p bad",
						   (void *)w->own[i].ptr);
			w->own[i] = w->own[--w->nr_own];
			w->frees++;
		} else if (r < 90) {
			/* hand one of ours over */
			u32 i = (u32)np_test_below(&rnd, w->nr_own);

			pthread_mutex_lock(&sh->lock);
			if (sh->nr_queued < QUEUE_MAX) {
				sh->queue[sh->nr_queued++] = w->own[i];
				w->own[i] = w->own[--w->nr_own];
				w->frees++;	/* no longer ours to count */
			}
			pthread_mutex_unlock(&sh->lock);
		} else {
			/* free one handed over, maybe by another thread */
			struct handed h = { 0 };

			pthread_mutex_lock(&sh->lock);
			if (sh->nr_queued) {
				u32 i = (u32)np_test_below(&rnd, sh->nr_queued);

				h = sh->queue[i];
				sh->queue[i] = sh->queue[--sh->nr_queued];
			}
			pthread_mutex_unlock(&sh->lock);
			if (h.ptr) {
				if (!worker_free(w, &h))
					return worker_fail(w, "handed buffer %p bad",
							   (void *)h.ptr);
				w->foreign_frees++;
			}
		}
	}
	return NULL;
}

static int trimmer_stop;
static char trimmer_error[160];

/* Trims and reads the counters while the workers run. */
static void *trimmer_main(void *arg)
{
	struct np_pool *pool = arg;
	unsigned int n = 0;

	while (!__atomic_load_n(&trimmer_stop, __ATOMIC_ACQUIRE) || !n) {
		struct np_stats st;
		u64 sum = 0;
		int i;

		if (np_trim(pool) || np_pool_stats(pool, &st)) {
			snprintf(trimmer_error, sizeof(trimmer_error),
				 "trim or stats failed: errno %d", errno);
			return NULL;
		}
		/* each arena's lists and chunk count are read together */
		for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
			sum += st.chunklist_chunks[i];
		if (sum != st.chunks) {
			snprintf(trimmer_error, sizeof(trimmer_error),
				 "chunks %llu, lists hold %llu",
				 (unsigned long long)st.chunks,
				 (unsigned long long)sum);
			return NULL;
		}
		n++;
		sched_yield();
	}
	return NULL;
}

START_TEST(threads_share_a_pool)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.page_size = 8192,
		.max_order = 5,		/* 256 KiB chunks: many of them */
		.n_arenas = 2,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
	};
	static struct worker workers[NR_THREADS];
	pthread_t tids[NR_THREADS], trimmer;
	static struct shared sh;
	u64 live = 0, bytes = 0, allocs = 0, foreign = 0, sum = 0;
	struct np_stats st;
	unsigned int t;
	u32 i;

	memset(&sh, 0, sizeof(sh));
	memset(workers, 0, sizeof(workers));
	sh.pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(sh.pool);
	sh.chunk_size = 8192 << 5;
	pthread_mutex_init(&sh.lock, NULL);
	for (t = 0; t < NR_THREADS; t++) {
		workers[t].sh = &sh;
		workers[t].id = t;
		ck_assert_int_eq(pthread_create(&tids[t], NULL, worker_main,
						&workers[t]), 0);
	}
	trimmer_stop = 0;
	trimmer_error[0] = 0;
	ck_assert_int_eq(pthread_create(&trimmer, NULL, trimmer_main, sh.pool),
			 0);
	for (t = 0; t < NR_THREADS; t++)
		ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
	__atomic_store_n(&trimmer_stop, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(trimmer, NULL), 0);
	ck_assert_msg(!trimmer_error[0], "trimmer: %s", trimmer_error);
	for (t = 0; t < NR_THREADS; t++) {
		ck_assert_msg(!workers[t].error[0], "thread %u: %s", t,
			      workers[t].error);
		allocs += workers[t].allocs;
		foreign += workers[t].foreign_frees;
		live += workers[t].nr_own;
		for (i = 0; i < workers[t].nr_own; i++)
			bytes += workers[t].own[i].cap;
	}
	live += sh.nr_queued;
	for (i = 0; i < sh.nr_queued; i++)
		bytes += sh.queue[i].cap;
	ck_assert_uint_gt(foreign, 0);

	ck_assert_int_eq(np_pool_stats(sh.pool, &st), 0);
	ck_assert_uint_eq(st.n_arenas, 2);
	ck_assert_uint_eq(st.active_buffers, live);
	ck_assert_uint_eq(st.bytes_active, bytes);
	ck_assert_uint_eq(st.alloc_tiny + st.alloc_small + st.alloc_normal +
			  st.alloc_huge, allocs);
	ck_assert_uint_eq(st.alloc_tiny + st.alloc_small + st.alloc_normal +
			  st.alloc_huge - st.free_tiny - st.free_small -
			  st.free_normal - st.free_huge, live);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		sum += st.chunklist_chunks[i];
	ck_assert_uint_eq(st.chunks, sum);

	/* everything left, checked and freed from this thread */
	for (t = 0; t < NR_THREADS; t++)
		for (i = 0; i < workers[t].nr_own; i++)
			np_expect(worker_free(&workers[t], &workers[t].own[i]));
	for (i = 0; i < sh.nr_queued; i++)
		np_expect(worker_free(&workers[0], &sh.queue[i]));
	ck_assert_int_eq(np_pool_stats(sh.pool, &st), 0);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.bytes_active, 0);
	ck_assert_uint_eq(st.alloc_tiny, st.free_tiny);
	ck_assert_uint_eq(st.alloc_small, st.free_small);
	ck_assert_uint_eq(st.alloc_normal, st.free_normal);
	ck_assert_uint_eq(st.alloc_huge, st.free_huge);
	ck_assert_int_eq(np_trim(sh.pool), 0);
	ck_assert_int_eq(np_pool_stats(sh.pool, &st), 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_int_eq(np_pool_close(sh.pool), 0);
	pthread_mutex_destroy(&sh.lock);
}
END_TEST

static struct np_pool *counters_pool(void)
{
	struct np_pool_opts opts = {
		.page_size = 8192,
		.max_order = 9,
		.n_arenas = 1,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
	};
	struct np_pool *pool = np_test_pool_open(&opts);

	ck_assert_ptr_nonnull(pool);
	return pool;
}

/* Known counts of each class, then a known subset freed. */
START_TEST(counters_per_class)
{
	static const size_t sizes[] = {
		1, 16, 17, 300, 496,			/* tiny */
		510, 511, 512, 4096,			/* small */
		4097, 8192, 8193, 1 << 20, 4 << 20,	/* normal */
		(4 << 20) + 1, 6 << 20,			/* huge */
	};
	static const u64 norm[] = {
		16, 16, 32, 304, 496,
		512, 512, 512, 4096,
		8192, 8192, 16384, 1 << 20, 4 << 20,
		(4 << 20) + 4096, 6 << 20,
	};
	struct np_pool *pool = counters_pool();
	void *p[NP_TEST_ARRAY_SIZE(sizes)];
	u64 cap[NP_TEST_ARRAY_SIZE(sizes)];
	u64 active = 0, huge = 0;
	struct np_stats st;
	unsigned int i;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		u64 want = norm[i];

		/* huge sizes round to the system's page, 4 KiB above */
		if (sizes[i] > (4 << 20))
			want = np_align_up(sizes[i], (u64)sysconf(_SC_PAGESIZE));
		p[i] = np_alloc(pool, sizes[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_eq(np_usable_size(pool, p[i]), want);
		active += want;
		if (want > (4 << 20))
			huge += want;
		cap[i] = want;
	}
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.page_size, 8192);
	ck_assert_uint_eq(st.chunk_size, 4 << 20);
	ck_assert_uint_eq(st.n_arenas, 1);
	ck_assert_uint_eq(st.alloc_tiny, 5);
	ck_assert_uint_eq(st.alloc_small, 4);
	/* 4097 bytes round up to a page: normal, as in Netty */
	ck_assert_uint_eq(st.alloc_normal, 5);
	ck_assert_uint_eq(st.alloc_huge, 2);
	ck_assert_uint_eq(st.huge_regions, 2);
	ck_assert_uint_eq(st.active_buffers, NP_TEST_ARRAY_SIZE(sizes));
	ck_assert_uint_eq(st.bytes_active, active);
	ck_assert_uint_eq(st.bytes_reserved, st.chunks * (4 << 20) + huge);
	/* the 4 MiB buffer has a chunk of its own, in q100 */
	ck_assert_uint_eq(st.chunklist_chunks[NP_Q100], 1);
	ck_assert_uint_eq(st.cache_hits, 0);

	/* free every other buffer */
	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i += 2) {
		ck_assert_int_eq(np_free(pool, p[i]), 0);
		active -= cap[i];
	}
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.free_tiny, 3);	/* 1, 17, 496 */
	ck_assert_uint_eq(st.free_small, 2);	/* 511, 4096 */
	ck_assert_uint_eq(st.free_normal, 2);	/* 8192, 1 MiB */
	ck_assert_uint_eq(st.free_huge, 1);	/* 4 MiB + 1 */
	ck_assert_uint_eq(st.huge_regions, 1);
	ck_assert_uint_eq(st.bytes_active, active);
	ck_assert_uint_eq(st.active_buffers, NP_TEST_ARRAY_SIZE(sizes) / 2);
	for (i = 1; i < NP_TEST_ARRAY_SIZE(sizes); i += 2)
		ck_assert_int_eq(np_free(pool, p[i]), 0);
	ck_assert_int_eq(np_pool_close(pool), 0);
}
END_TEST

/* Retains and the frees that only drop a reference count nothing. */
START_TEST(references_are_not_allocations)
{
	static const size_t sizes[] = { 40, 2000, 70000, 5 << 20 };
	struct np_pool *pool = counters_pool();
	struct np_stats st0, st1;
	unsigned int i;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		void *p = np_alloc(pool, sizes[i]);
		int r;

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(np_pool_stats(pool, &st0), 0);
		for (r = 0; r < 3; r++)
			ck_assert_int_eq(np_retain(pool, p), 0);
		for (r = 0; r < 3; r++)
			ck_assert_int_eq(np_free(pool, p), 0);
		ck_assert_int_eq(np_pool_stats(pool, &st1), 0);
		ck_assert_mem_eq(&st0, &st1, sizeof(st0));
		ck_assert_int_eq(np_free(pool, p), 0);
		ck_assert_int_eq(np_pool_stats(pool, &st1), 0);
		ck_assert_uint_eq(st1.active_buffers, st0.active_buffers - 1);
		ck_assert_uint_eq(st1.free_tiny + st1.free_small +
				  st1.free_normal + st1.free_huge,
				  st0.free_tiny + st0.free_small +
				  st0.free_normal + st0.free_huge + 1);
	}
	ck_assert_int_eq(np_pool_close(pool), 0);
}
END_TEST

static void stats_teardown(void)
{
	np_test_no_warnings();
}

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc;

	tc = tcase_create("random");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, stats_teardown);
	tcase_add_loop_test(tc, random_workload, 0,
			    (int)NP_TEST_ARRAY_SIZE(workloads));
	suite_add_tcase(s, tc);

	tc = tcase_create("counters");
	tcase_add_checked_fixture(tc, NULL, stats_teardown);
	tcase_add_test(tc, counters_per_class);
	tcase_add_test(tc, references_are_not_allocations);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, stats_teardown);
	tcase_add_test(tc, threads_share_a_pool);
	suite_add_tcase(s, tc);
	return s;
}
