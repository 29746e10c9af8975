// SPDX-License-Identifier: GPL-2.0
/*
 * Many threads on one pool, through the public API on
 * the test backend: 4 to 16 threads allocate tiny, small, normal and
 * huge buffers, hand them to each other through a queue, retain them
 * from other threads and free them wherever they end up, while a trimmer
 * flushes every cache under them. Every buffer carries a pattern derived
 * from the thread and sequence number that allocated it, checked by each
 * holder before it lets go; a shared model of the live buffers refuses a
 * buffer handed out twice or overlapping another one. At the end every
 * buffer is freed and, after np_trim(), the counters must show nothing
 * active, nothing cached, and as many frees as allocations.
 *
 * Under valgrind (or with NP_TEST_QUICK set) the threads do a tenth of
 * the work: the valgrind lane runs every suite in one serialised process.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

#include "np_test.h"
#include "np_handoff.h"
#include "np_pattern.h"
#include "np_live.h"

#define OWN_MAX		32	/* buffers a thread holds at most */
#define QUEUE_MAX	256	/* references waiting for another thread */
#define MAX_THREADS	16

/*
 * One buffer as the test sees it. @holders counts the references the
 * threads hold: one per owner list or queue entry naming it. Whoever
 * drops the last one takes it out of the model and frees the item.
 */
struct citem {
	unsigned char *ptr;
	u64 cap;
	u64 tag;		/* (thread << 32) | sequence */
	int holders;
};

struct conc_config {
	const char *name;
	unsigned int threads;
	u32 page_size;
	u32 max_order;
	unsigned int n_arenas;	/* 0: one per CPU */
	int cache;		/* entries per bin; 0 default, -1 none */
	int keep_empty_chunks;
	bool trimmer;		/* trim and read stats while the threads run */
	/*
	 * Extra references from other threads. While an arena holds any,
	 * frees bypass the caches (core.c), so the cache-heavy runs have none.
	 */
	bool retains;
	u32 ops;		/* per thread */
};

static const struct conc_config configs[] = {
	{ "4 threads, default caches, arenas per CPU", 4, 8192, 5, 0, 0, 0,
	  true, false, 3000 },
	{ "16 threads, 2 arenas, 4-entry caches, Netty's empty chunks", 16,
	  4096, 4, 2, 4, -1, true, true, 1000 },
	{ "8 threads, 3 arenas, no caches", 8, 8192, 6, 3, -1, 0, false,
	  true, 2000 },
	{ "8 threads, one arena, 64 KiB pages, default caches", 8, 65536, 3,
	  1, 0, 1, true, false, 2000 },
};

struct conc {
	const struct conc_config *cfg;
	struct np_pool *pool;
	u64 page_size;
	u64 chunk_size;
	u64 sys_page;

	struct np_handoff queue;
	void *queue_slots[QUEUE_MAX];

	struct np_live live;

	pthread_mutex_t error_lock;
	char error[256];
	int stop;		/* set at the first failure */
	int trimmer_stop;
	u64 trims;
};

struct cworker {
	struct conc *c;
	unsigned int id;
	u64 rnd;
	u32 ops;
	struct citem *own[OWN_MAX];
	u32 nr_own;
	u64 allocs;
	u64 class_allocs[4];	/* by enum np_size_kind */
	u64 huge_allocs;
	u64 zallocs;
	u64 retains;
	u64 foreign_drops;	/* references dropped of others' buffers */
};

static void conc_fail(struct conc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Threads must not call into check: the first failure is kept. */
static void conc_fail(struct conc *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&c->error_lock);
	if (!c->error[0]) {
		va_start(ap, fmt);
		vsnprintf(c->error, sizeof(c->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&c->error_lock);
	__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
}

static bool conc_stopped(struct conc *c)
{
	return __atomic_load_n(&c->stop, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ */
/* The model of live buffers */

/* A buffer the pool just handed out: it must overlap no live one. */
static bool model_insert(struct conc *c, const struct citem *it)
{
	char why[160];

	if (!np_live_insert(&c->live, (uintptr_t)it->ptr, it->cap, why,
			    sizeof(why)))
		return true;
	conc_fail(c, "%s", why);
	return false;
}

/* A buffer about to be freed for good. */
static bool model_remove(struct conc *c, const struct citem *it)
{
	if (!np_live_remove(&c->live, (uintptr_t)it->ptr, it->cap))
		return true;
	conc_fail(c, "%p is not in the model of live buffers", (void *)it->ptr);
	return false;
}

/* ------------------------------------------------------------------ */
/* Sizes */

/* What the pool must make of a request (np_size_class.h). */
static u64 expected_capacity(const struct conc *c, u64 size)
{
	u64 cap;

	if (size > c->chunk_size)
		return np_align_up(size, c->sys_page);
	if (size < NP_TINY_MAX)
		return np_align_up(size, NP_TINY_QUANTUM);
	for (cap = NP_TINY_MAX; cap < size; cap <<= 1)
		;
	return cap;
}

/* Tiny, small, normal or huge, by capacity. */
static int capacity_class(const struct conc *c, u64 cap)
{
	if (cap < NP_TINY_MAX)
		return NP_SIZE_TINY;
	if (cap < c->page_size)
		return NP_SIZE_SMALL;
	if (cap <= c->chunk_size)
		return NP_SIZE_NORMAL;
	return NP_SIZE_HUGE;
}

/*
 * Half the requests are of a few common sizes, so that caches hit; the
 * others are mostly tiny and small, a quarter normal, 1% huge.
 */
static u64 random_size(struct cworker *w)
{
	static const u64 common[] = { 24, 64, 200, 1000, 3000, 20000 };
	const struct conc *c = w->c;
	u64 r = np_test_below(&w->rnd, 100);
	u64 lo, hi;

	/* thread 0 starts with a huge one: every run has some */
	if (!w->id && !w->allocs)
		r = 99;
	else if (np_test_below(&w->rnd, 2))
		return common[np_test_below(&w->rnd,
					    NP_TEST_ARRAY_SIZE(common))];
	if (r < 45) {
		lo = 1;
		hi = NP_TINY_MAX - 1;
	} else if (r < 74) {
		lo = NP_TINY_MAX;
		hi = c->page_size - 1;
	} else if (r < 99) {
		lo = c->page_size << np_test_below(&w->rnd,
			np_fls64(c->chunk_size / c->page_size));
		hi = lo * 2 > c->chunk_size ? c->chunk_size : lo * 2;
	} else {
		lo = c->chunk_size + 1;
		hi = 2 * c->chunk_size;
	}
	return lo + np_test_below(&w->rnd, hi - lo + 1);
}

/* ------------------------------------------------------------------ */
/* The workers */

static struct citem *worker_alloc(struct cworker *w)
{
	struct conc *c = w->c;
	u64 size = random_size(w), want = expected_capacity(c, size);
	bool zero = np_test_below(&w->rnd, 8) == 0;
	struct citem *it = calloc(1, sizeof(*it));
	long long bad;

	if (!it) {
		conc_fail(c, "out of memory for the model");
		return NULL;
	}
	it->ptr = zero ? np_zalloc(c->pool, size) : np_alloc(c->pool, size);
	if (!it->ptr) {
		conc_fail(c, "thread %u: np_%salloc(%llu): errno %d", w->id,
			  zero ? "z" : "", (unsigned long long)size, errno);
		free(it);
		return NULL;
	}
	it->cap = np_usable_size(c->pool, it->ptr);
	it->tag = ((u64)w->id << 32) | w->allocs;
	it->holders = 1;
	if (it->cap != want) {
		conc_fail(c, "np_usable_size of a %llu-byte request: %llu, not %llu",
			  (unsigned long long)size,
			  (unsigned long long)it->cap,
			  (unsigned long long)want);
		free(it);
		return NULL;
	}
	/* written before the model knows it: a second owner would clash */
	bad = zero ? np_pattern_zero_check(it->ptr, it->cap) : -1;
	np_pattern_fill(it->ptr, it->cap, it->tag);
	if (!model_insert(c, it)) {
		free(it);
		return NULL;
	}
	if (bad >= 0) {
		conc_fail(c, "np_zalloc(%llu) at %p: byte %lld not zero",
			  (unsigned long long)size, (void *)it->ptr, bad);
		return NULL;
	}
	w->allocs++;
	w->class_allocs[capacity_class(c, it->cap)]++;
	w->huge_allocs += it->cap > c->chunk_size;
	w->zallocs += zero;
	return it;
}

/*
 * Drop one reference to an item: check it first, while the reference
 * keeps it live. The last holder takes it out of the model before the
 * pool may reuse it; the others only give their reference back.
 */
static bool worker_drop(struct cworker *w, struct citem *it)
{
	struct conc *c = w->c;
	unsigned char *ptr = it->ptr;
	long long bad = np_pattern_check(ptr, it->cap, it->tag);
	size_t usable = np_usable_size(c->pool, ptr);

	if (bad >= 0) {
		conc_fail(c, "thread %u: buffer %p (%llu bytes, thread %llu seq %llu) corrupt at byte %lld",
			  w->id, (void *)ptr, (unsigned long long)it->cap,
			  (unsigned long long)(it->tag >> 32),
			  (unsigned long long)(u32)it->tag, bad);
		return false;
	}
	if (usable != it->cap) {
		conc_fail(c, "thread %u: np_usable_size(%p) %zu, not %llu",
			  w->id, (void *)ptr, usable,
			  (unsigned long long)it->cap);
		return false;
	}
	if (__atomic_sub_fetch(&it->holders, 1, __ATOMIC_ACQ_REL) == 0) {
		if (!model_remove(c, it))
			return false;
		free(it);
	}
	if (np_free(c->pool, ptr)) {
		conc_fail(c, "thread %u: np_free(%p): errno %d", w->id,
			  (void *)ptr, errno);
		return false;
	}
	return true;
}

/* One more reference to a held item, for the queue. */
static bool worker_retain(struct cworker *w, struct citem *it)
{
	if (np_retain(w->c->pool, it->ptr)) {
		conc_fail(w->c, "thread %u: np_retain(%p): errno %d", w->id,
			  (void *)it->ptr, errno);
		return false;
	}
	__atomic_add_fetch(&it->holders, 1, __ATOMIC_RELAXED);
	w->retains++;
	return true;
}

static bool queue_push(struct conc *c, struct citem *it)
{
	return np_handoff_push(&c->queue, it);
}

static struct citem *queue_pop(struct conc *c, u64 *rnd)
{
	return np_handoff_pop(&c->queue, np_test_rand(rnd) >> 11);
}

/* Take one of our buffers out of our list. */
static struct citem *own_take(struct cworker *w)
{
	return np_take_at(w->own, &w->nr_own,
			  np_test_rand(&w->rnd) >> 11);
}

/* Hand an item over, with extra references from time to time. */
static bool worker_hand_over(struct cworker *w, struct citem *it)
{
	u64 extra = !w->c->cfg->retains || np_test_below(&w->rnd, 4) ? 0 :
		    1 + np_test_below(&w->rnd, 2);

	for (; extra; extra--) {
		if (!worker_retain(w, it))
			return false;
		if (!queue_push(w->c, it) && !worker_drop(w, it))
			return false;
	}
	return queue_push(w->c, it) || worker_drop(w, it);
}

/* One step; false once the test has failed. */
static bool worker_step(struct cworker *w)
{
	u64 r = np_test_below(&w->rnd, 100);
	struct conc *c = w->c;
	struct citem *it;

	if (w->nr_own < 4 || (r < 40 && w->nr_own < OWN_MAX)) {
		it = worker_alloc(w);
		if (!it)
			return false;
		w->own[w->nr_own++] = it;
	} else if (r < 60) {
		return worker_drop(w, own_take(w));
	} else if (r < 75) {
		return worker_hand_over(w, own_take(w));
	} else if (r < 92) {
		/* another thread's buffer, maybe passed on with a reference */
		it = queue_pop(c, &w->rnd);
		if (!it)
			return true;
		if (c->cfg->retains && !np_test_below(&w->rnd, 8)) {
			if (!worker_retain(w, it))
				return false;
			if (!queue_push(c, it) && !worker_drop(w, it))
				return false;
		}
		w->foreign_drops++;
		return worker_drop(w, it);
	} else if (r < 96 && c->cfg->retains) {
		/* a short-lived extra reference to one of ours */
		it = w->own[np_test_below(&w->rnd, w->nr_own)];
		if (!worker_retain(w, it))
			return false;
		return worker_drop(w, it);
	} else {
		it = w->own[np_test_below(&w->rnd, w->nr_own)];
		if (np_pattern_check(it->ptr, it->cap, it->tag) >= 0 ||
		    np_usable_size(c->pool, it->ptr) != it->cap) {
			conc_fail(c, "thread %u: live buffer %p changed",
				  w->id, (void *)it->ptr);
			return false;
		}
	}
	return true;
}

static void *worker_main(void *arg)
{
	struct cworker *w = arg;
	u32 op;

	for (op = 0; op < w->ops && !conc_stopped(w->c); op++)
		if (!worker_step(w))
			break;
	return NULL;
}

/* Trims (flushing every thread's cache) and reads the counters. */
static void *trimmer_main(void *arg)
{
	struct conc *c = arg;

	/* at least once, however quickly the workers are done */
	while ((!__atomic_load_n(&c->trimmer_stop, __ATOMIC_ACQUIRE) ||
		!c->trims) && !conc_stopped(c)) {
		struct np_stats st;
		u64 sum = 0;
		int i;

		if (np_trim(c->pool) || np_pool_stats(c->pool, &st)) {
			conc_fail(c, "trimmer: trim or stats: errno %d", errno);
			break;
		}
		for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
			sum += st.chunklist_chunks[i];
		if (sum != st.chunks) {
			conc_fail(c, "trimmer: %llu chunks, lists hold %llu",
				  (unsigned long long)st.chunks,
				  (unsigned long long)sum);
			break;
		}
		c->trims++;
		usleep(500);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

/* A tenth of the work under valgrind, or when NP_TEST_QUICK is set. */
static u32 scaled_ops(u32 ops)
{
	const char *quick = getenv("NP_TEST_QUICK");

	if (RUNNING_ON_VALGRIND || (quick && *quick && strcmp(quick, "0")))
		return ops / 10;
	return ops;
}

static void check_counters_drained(const struct np_stats *st, u64 huge)
{
	ck_assert_uint_eq(st->active_buffers, 0);
	ck_assert_uint_eq(st->bytes_active, 0);
	ck_assert_uint_eq(st->huge_regions, 0);
	ck_assert_uint_eq(st->alloc_huge, huge);
	ck_assert_uint_eq(st->free_huge, huge);
}

START_TEST(threads_hand_buffers_over)
{
	const struct conc_config *cfg = &configs[_i];
	struct np_pool_opts opts = {
		.page_size = cfg->page_size,
		.max_order = cfg->max_order,
		.n_arenas = cfg->n_arenas,
		.tiny_cache = cfg->cache,
		.small_cache = cfg->cache,
		.normal_cache = cfg->cache,
		.keep_empty_chunks = cfg->keep_empty_chunks,
	};
	static struct cworker workers[MAX_THREADS];
	u64 allocs = 0, huge = 0, retains = 0, foreign = 0, zallocs = 0;
	u64 per_class[4] = { 0 };
	struct cworker *main_w = &workers[0];
	pthread_t tids[MAX_THREADS], trimmer;
	struct np_stats st;
	struct citem *it;
	struct conc *c;
	unsigned int t;
	u32 i;

	c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	c->cfg = cfg;
	c->page_size = cfg->page_size;
	c->chunk_size = (u64)cfg->page_size << cfg->max_order;
	c->sys_page = (u64)sysconf(_SC_PAGESIZE);
	np_handoff_init(&c->queue, c->queue_slots, QUEUE_MAX);
	np_live_init(&c->live);
	pthread_mutex_init(&c->error_lock, NULL);
	c->pool = np_test_pool_open(&opts);
	ck_assert_msg(c->pool, "np_pool_open: errno %d", errno);

	memset(workers, 0, sizeof(workers));
	for (t = 0; t < cfg->threads; t++) {
		workers[t].c = c;
		workers[t].id = t;
		workers[t].rnd = 0x5eed0000ULL + 0x100000001b3ULL * (t + 1) +
				 (u64)_i;
		/* threads end at different times: caches flush under load */
		workers[t].ops = scaled_ops(cfg->ops) * (4 + t % 4) / 7;
		ck_assert_int_eq(pthread_create(&tids[t], NULL, worker_main,
						&workers[t]), 0);
	}
	if (cfg->trimmer)
		ck_assert_int_eq(pthread_create(&trimmer, NULL, trimmer_main,
						c), 0);
	for (t = 0; t < cfg->threads; t++)
		ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
	__atomic_store_n(&c->trimmer_stop, 1, __ATOMIC_RELEASE);
	if (cfg->trimmer)
		ck_assert_int_eq(pthread_join(trimmer, NULL), 0);
	ck_assert_msg(!c->error[0], "%s: %s", cfg->name, c->error);

	/* what is left, dropped from this thread as thread 0 */
	for (t = 0; t < cfg->threads; t++)
		for (i = 0; i < workers[t].nr_own; i++)
			np_expect(worker_drop(main_w, workers[t].own[i]));
	while ((it = queue_pop(c, &main_w->rnd)))
		np_expect(worker_drop(main_w, it));
	ck_assert_msg(!c->error[0], "%s: %s", cfg->name, c->error);
	ck_assert_uint_eq(c->live.nr, 0);

	for (t = 0; t < cfg->threads; t++) {
		allocs += workers[t].allocs;
		huge += workers[t].huge_allocs;
		retains += workers[t].retains;
		foreign += workers[t].foreign_drops;
		zallocs += workers[t].zallocs;
		for (i = 0; i < 4; i++)
			per_class[i] += workers[t].class_allocs[i];
	}
	/* the work did happen, every kind of it */
	ck_assert_uint_gt(huge, 0);
	ck_assert(!cfg->retains || retains > 0);
	ck_assert_uint_gt(foreign, 0);
	ck_assert_uint_gt(zallocs, 0);
	ck_assert(!cfg->trimmer || c->trims > 0);

	ck_assert_int_eq(np_pool_stats(c->pool, &st), 0);
	check_counters_drained(&st, huge);
	if (cfg->cache < 0) {
		/* no cache: every request reached an arena */
		ck_assert_uint_eq(st.bytes_cached, 0);
		ck_assert_uint_eq(st.cache_hits, 0);
		ck_assert_uint_eq(st.alloc_tiny, per_class[NP_SIZE_TINY]);
		ck_assert_uint_eq(st.alloc_small, per_class[NP_SIZE_SMALL]);
		ck_assert_uint_eq(st.alloc_normal, per_class[NP_SIZE_NORMAL]);
		ck_assert_uint_eq(st.alloc_tiny, st.free_tiny);
		ck_assert_uint_eq(st.alloc_small, st.free_small);
		ck_assert_uint_eq(st.alloc_normal, st.free_normal);
	}
	/* caches in use, and nothing keeping frees from them: hits */
	if (cfg->cache >= 0 && !cfg->retains)
		ck_assert_uint_gt(st.cache_hits, 0);
	/* in-process, an allocation is a cache hit or reaches an arena */
	if (np_pool_backend(c->pool) == NP_BACKEND_LOCAL)
		ck_assert_uint_eq(st.alloc_tiny + st.alloc_small +
				  st.alloc_normal + st.alloc_huge +
				  st.cache_hits, allocs);
	else
		ck_assert_uint_ge(st.alloc_tiny + st.alloc_small +
				  st.alloc_normal + st.alloc_huge +
				  st.cache_hits, allocs);

	ck_assert_int_eq(np_trim(c->pool), 0);
	ck_assert_int_eq(np_pool_stats(c->pool, &st), 0);
	check_counters_drained(&st, huge);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.alloc_tiny, st.free_tiny);
	ck_assert_uint_eq(st.alloc_small, st.free_small);
	ck_assert_uint_eq(st.alloc_normal, st.free_normal);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		ck_assert_uint_eq(st.chunklist_chunks[i], 0);
	ck_assert_int_eq(np_pool_close(c->pool), 0);
	np_handoff_fini(&c->queue);
	np_live_fini(&c->live);
	pthread_mutex_destroy(&c->error_lock);
	free(c);
}
END_TEST

/* After a trim, nothing is active, cached or reserved in chunks: close. */
static void close_empty_pool(struct np_pool *pool)
{
	struct np_stats st;

	ck_assert_int_eq(np_trim(pool), 0);
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.bytes_active, 0);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_int_eq(np_pool_close(pool), 0);
}

/*
 * Every thread retains and frees one buffer it did not allocate; the
 * buffer must outlive all of them and go away with its owner's free.
 */
struct shared_ref {
	struct np_pool *pool;
	unsigned char *ptr;
	u64 cap;
	unsigned int rounds;
	int failed;
};

static void *retain_free_main(void *arg)
{
	struct shared_ref *s = arg;
	unsigned int r;

	for (r = 0; r < s->rounds; r++) {
		if (np_retain(s->pool, s->ptr) ||
		    np_usable_size(s->pool, s->ptr) != s->cap ||
		    s->ptr[s->cap - 1] != 0xa5 || np_free(s->pool, s->ptr)) {
			__atomic_store_n(&s->failed, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

START_TEST(retain_free_from_other_threads)
{
	static const size_t sizes[] = { 48, 2048, 20000, 300000 };
	struct np_pool_opts opts = { .page_size = 8192, .max_order = 5 };
	struct shared_ref s = { .rounds = scaled_ops(2000) };
	pthread_t tids[8];
	struct np_stats st;
	unsigned int t, k;

	s.pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(s.pool);
	for (k = 0; k < NP_TEST_ARRAY_SIZE(sizes); k++) {
		s.ptr = np_alloc(s.pool, sizes[k]);
		ck_assert_ptr_nonnull(s.ptr);
		s.cap = np_usable_size(s.pool, s.ptr);
		s.ptr[s.cap - 1] = 0xa5;
		for (t = 0; t < NP_TEST_ARRAY_SIZE(tids); t++)
			ck_assert_int_eq(pthread_create(&tids[t], NULL,
							retain_free_main, &s),
					 0);
		for (t = 0; t < NP_TEST_ARRAY_SIZE(tids); t++)
			ck_assert_int_eq(pthread_join(tids[t], NULL), 0);
		ck_assert_msg(!s.failed, "a %zu-byte buffer: retain, size or free failed",
			      sizes[k]);
		ck_assert_uint_eq(np_usable_size(s.pool, s.ptr), s.cap);
		ck_assert_int_eq(np_pool_stats(s.pool, &st), 0);
		ck_assert_uint_eq(st.active_buffers, 1);
		ck_assert_uint_eq(st.bytes_active, s.cap);
		ck_assert_int_eq(np_free(s.pool, s.ptr), 0);
		/* the last reference is gone: a second free is refused */
		ck_assert_int_eq(np_free(s.pool, s.ptr), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	close_empty_pool(s.pool);
}
END_TEST

/*
 * The last two references of a buffer dropped at the same moment from two
 * threads: whichever order the frees land in, both succeed and the buffer
 * is gone. (The kernel backend once refused one of them: the free that
 * took the extra reference off its table looked at the buffer's owned
 * bit again, after the other free had claimed it.)
 */
struct racing_free {
	struct np_pool *pool;
	void *ptr;
	unsigned int round;	/* the round the helper may start */
	unsigned int arrived;	/* rounds the helper is ready for */
	int ret;
};

static void *racing_free_main(void *arg)
{
	struct racing_free *rf = arg;
	unsigned int r = 1;

	for (;;) {
		__atomic_store_n(&rf->arrived, r, __ATOMIC_RELEASE);
		while (__atomic_load_n(&rf->round, __ATOMIC_ACQUIRE) < r)
			sched_yield();
		if (!rf->ptr)
			return NULL;
		rf->ret = np_free(rf->pool, rf->ptr) ? errno : 0;
		__atomic_store_n(&rf->arrived, r + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&rf->round, __ATOMIC_ACQUIRE) == r)
			sched_yield();
		r++;
	}
}

START_TEST(last_references_freed_together)
{
	static const size_t sizes[] = { 48, 700, 2048, 20000 };
	struct np_pool_opts opts = { .page_size = 8192, .max_order = 5 };
	struct racing_free rf = { 0 };
	unsigned int r, rounds = scaled_ops(1500);
	pthread_t tid;

	rf.pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(rf.pool);
	ck_assert_int_eq(pthread_create(&tid, NULL, racing_free_main, &rf), 0);
	for (r = 1; r <= rounds; r++) {
		void *ptr = np_alloc(rf.pool, sizes[r % 4]);
		int mine;

		ck_assert_ptr_nonnull(ptr);
		ck_assert_int_eq(np_retain(rf.pool, ptr), 0);
		while (__atomic_load_n(&rf.arrived, __ATOMIC_ACQUIRE) < r)
			sched_yield();
		rf.ptr = ptr;
		__atomic_store_n(&rf.round, r, __ATOMIC_RELEASE);
		mine = np_free(rf.pool, ptr) ? errno : 0;
		while (__atomic_load_n(&rf.arrived, __ATOMIC_ACQUIRE) <= r)
			sched_yield();
		ck_assert_msg(!mine && !rf.ret,
			      "round %u, %zu bytes: frees gave errno %d and %d",
			      r, sizes[r % 4], mine, rf.ret);
		/* both references are gone: one more free is refused */
		ck_assert_int_eq(np_free(rf.pool, ptr), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	rf.ptr = NULL;
	__atomic_store_n(&rf.round, r, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(tid, NULL), 0);
	close_empty_pool(rf.pool);
}
END_TEST

/*
 * The environment's reader/writer lock (np_env_user.h), which guards every
 * pool's region map: a writer changes two words one after the other,
 * readers must never see them differ, and readers do share the lock.
 */
struct rw_test {
	struct np_rwlock lock;
	u64 a, b;
	unsigned int rounds;
	int readers_inside;
	int most_readers;
	int torn;
};

static void *rw_test_main(void *arg)
{
	struct rw_test *t = arg;
	unsigned int r;

	for (r = 0; r < t->rounds; r++) {
		if (r % 8 == 0) {
			np_write_lock(&t->lock);
			t->a++;
			sched_yield();
			t->b++;
			np_write_unlock(&t->lock);
			continue;
		}
		np_read_lock(&t->lock);
		{
			int in = __atomic_add_fetch(&t->readers_inside, 1,
						    __ATOMIC_RELAXED);
			int most = __atomic_load_n(&t->most_readers,
						   __ATOMIC_RELAXED);

			while (in > most &&
			       !__atomic_compare_exchange_n(&t->most_readers,
							    &most, in, false,
							    __ATOMIC_RELAXED,
							    __ATOMIC_RELAXED))
				;
			if (t->a != t->b)
				__atomic_store_n(&t->torn, 1, __ATOMIC_RELAXED);
			if (r % 64 == 1)
				sched_yield();	/* let another reader in */
			__atomic_sub_fetch(&t->readers_inside, 1,
					   __ATOMIC_RELAXED);
		}
		np_read_unlock(&t->lock);
	}
	return NULL;
}

START_TEST(rwlock_readers_share_writers_exclude)
{
	struct rw_test *t = calloc(1, sizeof(*t));
	pthread_t tids[6];
	unsigned int i;

	ck_assert_ptr_nonnull(t);
	np_rwlock_init(&t->lock);
	t->rounds = scaled_ops(20000);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(tids); i++)
		ck_assert_int_eq(pthread_create(&tids[i], NULL, rw_test_main, t),
				 0);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(tids); i++)
		ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
	ck_assert_int_eq(t->torn, 0);
	ck_assert_uint_eq(t->a, t->b);
	ck_assert_uint_eq(t->a, NP_TEST_ARRAY_SIZE(tids) *
				((t->rounds + 7) / 8));
	ck_assert_int_ge(t->most_readers, 2);
	np_rwlock_destroy(&t->lock);
	free(t);
}
END_TEST

/*
 * The owner lock (np_env_user.h), which guards every thread's cache: the
 * owner and two visitors each change two words one after the other, and
 * nobody may ever see them differ. Once with membarrier() doing the
 * visitors' barrier, once with the owner fencing for itself, as under
 * valgrind.
 */
struct owner_test {
	struct np_owner_lock lock;
	u64 a, b;
	unsigned int rounds;
	unsigned int visits;
	int stop;
	int torn;
};

static void owner_test_step(struct owner_test *t, unsigned int r)
{
	if (t->a != t->b)
		__atomic_store_n(&t->torn, 1, __ATOMIC_RELAXED);
	t->a++;
	if (r % 128 == 0)
		sched_yield();
	t->b++;
}

static void *owner_test_visitor(void *arg)
{
	struct owner_test *t = arg;
	unsigned int r = 0;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		np_visit_lock(&t->lock);
		owner_test_step(t, r++);
		np_visit_unlock(&t->lock);
		__atomic_add_fetch(&t->visits, 1, __ATOMIC_RELAXED);
		/*
		 * Visit now and then, as flushes and statistics do: under
		 * valgrind, whose threads take turns, visitors that never
		 * pause would leave the owner no turn to step out.
		 */
		usleep(20);
	}
	return (void *)(uintptr_t)r;
}

START_TEST(owner_lock_excludes_visitors)
{
	struct owner_test *t = calloc(1, sizeof(*t));
	bool fenced = np_asym_fenced;
	u64 visits = 0;
	pthread_t tids[2];
	unsigned int i, r;

	ck_assert_ptr_nonnull(t);
	np_owner_lock_init(&t->lock);
	if (_i)
		np_asym_fenced = true;
	t->rounds = scaled_ops(200000);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(tids); i++)
		ck_assert_int_eq(pthread_create(&tids[i], NULL,
						owner_test_visitor, t), 0);
	for (r = 0; r < t->rounds ||
		    !__atomic_load_n(&t->visits, __ATOMIC_RELAXED); r++) {
		np_owner_lock(&t->lock);
		owner_test_step(t, r + 1);
		np_owner_unlock(&t->lock);
	}
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(tids); i++) {
		void *ret;

		ck_assert_int_eq(pthread_join(tids[i], &ret), 0);
		visits += (uintptr_t)ret;
	}
	np_asym_fenced = fenced;
	ck_assert_int_eq(t->torn, 0);
	ck_assert_uint_eq(t->a, t->b);
	ck_assert_uint_eq(t->a, r + visits);
	ck_assert_uint_gt(visits, 0);
	free(t);
}
END_TEST

/*
 * fork() while other threads allocate and free. Each child must find the
 * pool usable within a bounded time: with a local pool, whatever locks
 * the threads held at the fork are released in the child and their
 * caches are returned, so that the counters add up there; with a kernel
 * pool, every call fails with EPERM and closing works. The parent's pool
 * must be unaffected.
 */
#define FORK_RING	8	/* buffers a churning thread holds at most */
#define FORK_CHURNERS	2
#define FORK_TIMEOUT_MS	10000
/*
 * Operations each thread does before the first fork, which make its
 * cache's bins and the chunks it needs: gcc 12's AddressSanitizer does not
 * hold its allocator across fork(), so a child whose parent had a thread
 * inside malloc() at that instant can hang in the next malloc(). Past
 * this, the threads rarely allocate metadata.
 */
#define FORK_WARMUP	4096

struct fork_churn {
	struct np_pool *pool;
	int stop;
	unsigned int id;
	u64 ops;
	bool failed;
};

/* No ck_assert() here: a failing one would leave the thread running. */
static void *fork_churner(void *arg)
{
	struct fork_churn *c = arg;
	void *ring[FORK_RING] = { NULL };
	unsigned int k = 0, i;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) && !c->failed) {
		size_t size = 16 << (k % 11);	/* 16 B .. 16 KiB */
		void **slot = &ring[k % FORK_RING];

		if (*slot && np_free(c->pool, *slot))
			c->failed = true;
		*slot = np_alloc(c->pool, size);
		if (*slot)
			memset(*slot, (int)c->id, size);
		else
			c->failed = true;
		__atomic_store_n(&c->ops, ++k, __ATOMIC_RELEASE);
	}
	for (i = 0; i < FORK_RING; i++)
		if (ring[i] && np_free(c->pool, ring[i]))
			c->failed = true;
	return NULL;
}

/* The child's work on a local pool; an exit status, 0 when all is well. */
static int fork_child_local(struct np_pool *pool)
{
	struct np_stats s0, s1;
	void *small[64], *pages[16];
	unsigned int i;

	if (np_trim(pool) || np_pool_stats(pool, &s0))
		return 10;
	if (s0.bytes_cached)
		return 11;	/* the dead threads' caches were not returned */
	/* a churner's ring, and one buffer caught between ring and pool */
	if (s0.active_buffers > FORK_CHURNERS * (FORK_RING + 1))
		return 12;
	for (i = 0; i < NP_TEST_ARRAY_SIZE(small); i++)
		if (!(small[i] = np_alloc(pool, 256)))
			return 13;
	for (i = 0; i < NP_TEST_ARRAY_SIZE(pages); i++)
		if (!(pages[i] = np_alloc(pool, 4096)))
			return 13;
	if (np_pool_stats(pool, &s1))
		return 14;
	if (s1.active_buffers != s0.active_buffers + 80 ||
	    s1.bytes_active != s0.bytes_active + 64 * 256 + 16 * 4096)
		return 15;
	for (i = 0; i < NP_TEST_ARRAY_SIZE(small); i++)
		if (np_free(pool, small[i]))
			return 16;
	for (i = 0; i < NP_TEST_ARRAY_SIZE(pages); i++)
		if (np_free(pool, pages[i]))
			return 16;
	if (np_trim(pool) || np_pool_stats(pool, &s1))
		return 17;
	if (s1.active_buffers != s0.active_buffers ||
	    s1.bytes_active != s0.bytes_active || s1.bytes_cached)
		return 18;
	return np_pool_close(pool) ? 19 : 0;
}

/* A kernel pool is the opener's: EPERM for everything but closing. */
static int fork_child_kernel(struct np_pool *pool, void *parent_buf)
{
	struct np_stats st;

	errno = 0;
	if (np_alloc(pool, 256) || errno != EPERM)
		return 20;
	if (np_free(pool, parent_buf) != -1 || errno != EPERM)
		return 21;
	if (np_retain(pool, parent_buf) != -1 || errno != EPERM)
		return 22;
	if (np_pool_stats(pool, &st) != -1 || errno != EPERM)
		return 23;
	if (np_trim(pool) != -1 || errno != EPERM)
		return 24;
	if (np_usable_size(pool, parent_buf))
		return 25;
	return np_pool_close(pool) ? 26 : 0;
}

/*
 * Wait for a child, and kill it when it is not done in time: its exit
 * status, -1 when it hung, -3 when waitpid() failed.
 */
static int fork_wait(pid_t pid)
{
	int status, ms;

	for (ms = 0; ms < FORK_TIMEOUT_MS; ms++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r < 0)
			return -3;
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       128 + WTERMSIG(status);
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

START_TEST(fork_while_threads_churn)
{
	struct fork_churn c[FORK_CHURNERS];
	pthread_t tids[FORK_CHURNERS];
	bool kernel = np_test_backend() == NP_BACKEND_KERNEL;
	unsigned int i, f, forks = scaled_ops(2000);
	struct np_pool *pool = np_test_pool_open(NULL);
	char *mine;
	int rc;

	ck_assert_ptr_nonnull(pool);
	mine = np_alloc(pool, 1000);
	ck_assert_ptr_nonnull(mine);
	memset(mine, 0x5a, 1000);
	for (i = 0; i < FORK_CHURNERS; i++) {
		c[i] = (struct fork_churn){ .pool = pool, .id = i + 1 };
		ck_assert_int_eq(pthread_create(&tids[i], NULL, fork_churner,
						&c[i]), 0);
	}
	for (i = 0; i < FORK_CHURNERS; i++)
		while (__atomic_load_n(&c[i].ops, __ATOMIC_ACQUIRE) <
		       FORK_WARMUP && !__atomic_load_n(&c[i].failed,
							 __ATOMIC_RELAXED))
			usleep(100);
	/* the threads use this frame: no ck_assert() until they are joined */
	for (f = 0, rc = 0; f < forks && !rc; f++) {
		pid_t pid = fork();

		if (!pid)
			_exit(kernel ? fork_child_kernel(pool, mine) :
			      fork_child_local(pool));
		rc = pid < 0 ? -2 : fork_wait(pid);
	}
	for (i = 0; i < FORK_CHURNERS; i++)
		__atomic_store_n(&c[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < FORK_CHURNERS; i++)
		ck_assert_int_eq(pthread_join(tids[i], NULL), 0);
	ck_assert_msg(rc == 0, "fork %u: %s %d", f - 1,
		      rc == -2 ? "fork() failed" :
		      rc == -3 ? "waitpid() failed" :
		      rc == -1 ? "the child hung, killed after (ms)" :
		      "the child exited with", rc == -1 ? FORK_TIMEOUT_MS : rc);
	for (i = 0; i < FORK_CHURNERS; i++) {
		ck_assert(!c[i].failed);
		ck_assert_uint_gt(c[i].ops, 0);
	}
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(mine[i], 0x5a);
	ck_assert_int_eq(np_free(pool, mine), 0);
	close_empty_pool(pool);
}
END_TEST

static void concurrency_teardown(void)
{
	np_test_no_warnings();
}

Suite *concurrency_suite(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("threads");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, NULL, concurrency_teardown);
	tcase_add_loop_test(tc, threads_hand_buffers_over, 0,
			    (int)NP_TEST_ARRAY_SIZE(configs));
	tcase_add_test(tc, retain_free_from_other_threads);
	tcase_add_test(tc, last_references_freed_together);
	tcase_add_test(tc, rwlock_readers_share_writers_exclude);
	tcase_add_loop_test(tc, owner_lock_excludes_visitors, 0, 2);
	tcase_add_test(tc, fork_while_threads_churn);
	suite_add_tcase(s, tc);
	return s;
}
