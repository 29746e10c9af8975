// SPDX-License-Identifier: GPL-2.0
/*
 * Caches (kernel/core/cache.c) in front of the arenas: what is cached and
 * what is not, the bins' limits, double frees and other misuse of cached
 * buffers, the periodic trim after NP_CACHE_TRIM_INTERVAL requests,
 * flushes by trim, by the byte limit, at thread exit and at destruction,
 * and how the statistics count cached buffers. Core-level cases run on
 * the core directly (one thread's cache is the cache); the "library"
 * case goes through the public API on the test backend.
 */
#include <pthread.h>

#include "np_test.h"

/* A one-arena core with 8 KiB pages, 4 MiB chunks and the given caches. */
static struct np_core *cache_core(s32 tiny, s32 small, s32 normal,
				  u64 max_bytes)
{
	struct np_config cfg = {
		.n_arenas = 1,
		.tiny_cache = tiny,
		.small_cache = small,
		.normal_cache = normal,
		.max_bytes = max_bytes,
	};
	struct np_core *core;

	ck_assert_int_eq(np_config_resolve(&cfg, NULL), 0);
	core = np_core_create(&cfg, NULL, NULL, 0);
	ck_assert_ptr_nonnull(core);
	return core;
}

static struct np_stats core_stats(struct np_core *core)
{
	struct np_stats st;

	np_core_stats(core, &st);
	return st;
}

static void cache_teardown(void)
{
	np_test_no_warnings();
}

/* A freed buffer comes back to the next request of its size. */
START_TEST(free_then_alloc_hits)
{
	static const u64 sizes[] = { 16, 496, 512, 4096, 8192, 32768 };
	struct np_core *core = cache_core(0, 0, 0, 0);
	unsigned int i;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		u64 norm = np_core_normalize(core, sizes[i]);
		u64 cached = core_stats(core).bytes_cached;
		u64 a = np_test_alloc(core, sizes[i]);
		struct np_stats st;

		np_test_free(core, a);
		st = core_stats(core);
		ck_assert_uint_eq(st.bytes_cached, cached + norm);
		ck_assert_uint_eq(st.bytes_active, 0);
		ck_assert_uint_eq(st.active_buffers, 0);
		ck_assert_uint_eq(np_test_alloc(core, sizes[i]), a);
		st = core_stats(core);
		ck_assert_uint_eq(st.cache_hits, i + 1);
		ck_assert_uint_eq(st.bytes_cached, cached);
		ck_assert_uint_eq(st.bytes_active, norm);
		np_test_free(core, a);
	}
	/* arena counters saw one allocation per size, no free */
	{
		struct np_stats st = core_stats(core);

		ck_assert_uint_eq(st.alloc_tiny + st.alloc_small +
				  st.alloc_normal, NP_TEST_ARRAY_SIZE(sizes));
		ck_assert_uint_eq(st.free_tiny + st.free_small +
				  st.free_normal, 0);
	}
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* Normal buffers above 32 KiB and huge buffers are never cached. */
START_TEST(big_buffers_not_cached)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 a = np_test_alloc(core, 65536);
	u64 h = np_test_alloc(core, 8 << 20);
	struct np_stats st;

	np_test_free(core, a);
	np_test_free(core, h);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.free_normal, 1);
	ck_assert_uint_eq(st.free_huge, 1);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* -1 turns one kind off; the others keep caching. */
START_TEST(kind_turned_off)
{
	struct np_core *core = cache_core(-1, 0, -1, 0);
	u64 t = np_test_alloc(core, 64);
	u64 s = np_test_alloc(core, 1024);
	u64 n = np_test_alloc(core, 8192);
	struct np_stats st;

	np_test_free(core, t);
	np_test_free(core, s);
	np_test_free(core, n);
	st = core_stats(core);
	ck_assert_uint_eq(st.free_tiny, 1);
	ck_assert_uint_eq(st.free_small, 0);
	ck_assert_uint_eq(st.free_normal, 1);
	ck_assert_uint_eq(st.bytes_cached, 1024);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/*
 * A bin holds tiny_cache entries; a free into a full bin first gives its
 * older half back to the arena.
 */
START_TEST(bin_limit)
{
	struct np_core *core = cache_core(4, 0, 0, 0);
	u64 a[6];
	unsigned int i;
	struct np_stats st;

	for (i = 0; i < 6; i++)
		a[i] = np_test_alloc(core, 32);
	for (i = 0; i < 4; i++)
		np_test_free(core, a[i]);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 4 * 32);
	ck_assert_uint_eq(st.free_tiny, 0);
	np_test_free(core, a[4]);	/* a[0] and a[1] go back */
	np_test_free(core, a[5]);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 4 * 32);
	ck_assert_uint_eq(st.free_tiny, 2);
	ck_assert_int_eq(np_core_free(core, a[0]), -EINVAL);
	/* last in, first out */
	ck_assert_uint_eq(np_test_alloc(core, 32), a[5]);
	ck_assert_uint_eq(np_test_alloc(core, 32), a[4]);
	ck_assert_uint_eq(np_test_alloc(core, 32), a[3]);
	ck_assert_uint_eq(np_core_destroy(core), 3);
}
END_TEST

/* A cached buffer is not live: every use of it is refused. */
START_TEST(cached_buffer_is_not_live)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 a = np_test_alloc(core, 100);
	u64 b = np_test_alloc(core, 16384);
	struct np_stats before, after;

	np_test_free(core, a);
	np_test_free(core, b);
	before = core_stats(core);
	ck_assert_int_eq(np_core_free(core, a), -EINVAL);
	ck_assert_int_eq(np_core_free(core, b), -EINVAL);
	ck_assert_int_eq(np_core_retain(core, a), -EINVAL);
	ck_assert_uint_eq(np_core_usable_size(core, a), 0);
	ck_assert_uint_eq(np_core_usable_size(core, b), 0);
	ck_assert_int_eq(np_core_free(core, a + 16), -EINVAL);
	ck_assert_int_eq(np_core_free(core, b + 8), -EINVAL);
	after = core_stats(core);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* Retained buffers drop references first, then are freed (and cached). */
START_TEST(retained_buffer)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 a = np_test_alloc(core, 48);

	ck_assert_int_eq(np_core_retain(core, a), 0);
	ck_assert_int_eq(np_core_free(core, a), 0);
	ck_assert_uint_eq(np_core_usable_size(core, a), 48);
	ck_assert_int_eq(np_core_free(core, a), 1);
	ck_assert_int_eq(np_core_free(core, a), -EINVAL);
	ck_assert_uint_eq(core_stats(core).active_buffers, 0);
	/* with no retained buffer left, the free was cached */
	ck_assert_uint_eq(np_test_alloc(core, 48), a);
	np_test_free(core, a);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* Trim empties the cache, then gives the emptied chunk back. */
START_TEST(trim_flushes)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 a[64];
	unsigned int i;
	struct np_stats st;

	for (i = 0; i < 64; i++)
		a[i] = np_test_alloc(core, i % 2 ? 128 : 16384);
	for (i = 0; i < 64; i++)
		np_test_free(core, a[i]);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 32 * 128 + 32 * 16384);
	ck_assert_uint_eq(st.chunks, 1);
	np_core_trim(core);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_uint_eq(st.free_tiny, 32);
	ck_assert_uint_eq(st.free_normal, 32);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/*
 * Netty's periodic trim: after NP_CACHE_TRIM_INTERVAL cacheable requests,
 * a bin keeps only as many entries as it answered since the last trim.
 */
START_TEST(periodic_trim)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 idle[10], busy;
	unsigned int i;
	struct np_stats st;

	for (i = 0; i < 10; i++)
		idle[i] = np_test_alloc(core, 256);
	for (i = 0; i < 10; i++)
		np_test_free(core, idle[i]);
	ck_assert_uint_eq(core_stats(core).bytes_cached, 10 * 256);
	/* 10 + 1 requests so far (the 256s missed, the first 1024 too) */
	busy = np_test_alloc(core, 1024);
	for (i = 0; i < NP_CACHE_TRIM_INTERVAL - 12; i++) {
		np_test_free(core, busy);
		ck_assert_uint_eq(np_test_alloc(core, 1024), busy);
	}
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 10 * 256);
	np_test_free(core, busy);
	busy = np_test_alloc(core, 1024);	/* request 8192: trim */
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.free_tiny, 10);
	np_test_free(core, busy);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* The byte limit empties the caches before it refuses a chunk. */
START_TEST(limit_flushes_caches)
{
	struct np_core *core = cache_core(0, 0, 0, 4 << 20);
	u64 a[128], big;
	unsigned int i;

	for (i = 0; i < 128; i++)
		a[i] = np_test_alloc(core, 32768);
	for (i = 0; i < 128; i++)
		np_test_free(core, a[i]);
	ck_assert_uint_eq(core_stats(core).bytes_cached, 64 * 32768);
	/* a whole chunk: only once the cached buffers are given back */
	big = np_test_alloc(core, 4 << 20);
	ck_assert_uint_eq(core_stats(core).bytes_cached, 0);
	np_test_free(core, big);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* Destruction with cached buffers reports no leak. */
START_TEST(destroy_with_cached)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	u64 a = np_test_alloc(core, 64);
	u64 b = np_test_alloc(core, 2048);

	np_test_free(core, a);
	np_test_free(core, b);
	(void)np_test_alloc(core, 4096);
	ck_assert_uint_eq(np_core_destroy(core), 1);
}
END_TEST

struct thread_job {
	struct np_core *core;
	u64 addr[16];
	unsigned int n;
	bool alloc;
};

static void *thread_run(void *arg)
{
	struct thread_job *job = arg;
	unsigned int i;

	for (i = 0; i < job->n; i++) {
		if (job->alloc)
			job->addr[i] = np_test_alloc(job->core, 64);
		else
			np_test_free(job->core, job->addr[i]);
	}
	return NULL;
}

/*
 * Buffers freed by another thread go to that thread's cache, and when it
 * exits its cache is given back: nothing stays cached, nothing leaks.
 */
START_TEST(thread_exit_flushes)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	struct thread_job job = { .core = core, .n = 16, .alloc = true };
	pthread_t t;
	struct np_stats st;

	thread_run(&job);
	job.alloc = false;
	ck_assert_int_eq(pthread_create(&t, NULL, thread_run, &job), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.free_tiny, 16);
	/* and a thread's hits outlive it */
	job.alloc = true;
	job.n = 1;
	ck_assert_int_eq(pthread_create(&t, NULL, thread_run, &job), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	np_test_free(core, job.addr[0]);
	ck_assert_uint_eq(np_test_alloc(core, 64), job.addr[0]);
	ck_assert_uint_eq(core_stats(core).cache_hits, 1);
	ck_assert_uint_eq(np_core_destroy(core), 1);
}
END_TEST

struct free_job {
	struct np_core *core;
	u64 *addr;
	unsigned int n;
	pthread_barrier_t step;
};

/* Free all but the last buffer, wait, free the last one, wait. */
static void *free_all(void *arg)
{
	struct free_job *job = arg;
	unsigned int i;

	for (i = 0; i + 1 < job->n; i++)
		np_test_free(job->core, job->addr[i]);
	pthread_barrier_wait(&job->step);
	pthread_barrier_wait(&job->step);
	np_test_free(job->core, job->addr[i]);
	pthread_barrier_wait(&job->step);
	pthread_barrier_wait(&job->step);
	return NULL;
}

/*
 * A thread that only frees what others allocated (a consumer) never
 * allocates, so the allocation count never trims its cache: as many
 * frees do, and it keeps nothing nobody asked for, while it lives.
 */
START_TEST(free_only_cache_trims)
{
	struct np_core *core = cache_core(0, 0, 0, 0);
	struct free_job job = { .core = core, .n = NP_CACHE_TRIM_INTERVAL };
	struct np_stats st;
	pthread_t t;
	unsigned int i;

	job.addr = calloc(job.n, sizeof(*job.addr));
	ck_assert_ptr_nonnull(job.addr);
	ck_assert_int_eq(pthread_barrier_init(&job.step, NULL, 2), 0);
	/* 31 tiny sizes: about 264 buffers each, under the bins' 512 */
	for (i = 0; i < job.n; i++)
		job.addr[i] = np_test_alloc(core, 16 + 16 * (i % 31));
	ck_assert_int_eq(pthread_create(&t, NULL, free_all, &job), 0);
	pthread_barrier_wait(&job.step);
	st = core_stats(core);
	ck_assert_uint_eq(st.active_buffers, 1);
	ck_assert_uint_eq(st.free_tiny, 0);	/* all cached by the consumer */
	ck_assert_uint_gt(st.bytes_cached, 0);
	pthread_barrier_wait(&job.step);
	pthread_barrier_wait(&job.step);	/* its 8192nd free: a trim */
	st = core_stats(core);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.free_tiny, job.n);
	pthread_barrier_wait(&job.step);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	pthread_barrier_destroy(&job.step);
	free(job.addr);
	ck_assert_uint_eq(np_core_destroy(core), 0);
}
END_TEST

/* Through the library, on the test backend: cached, trimmed, counted. */
START_TEST(library_counts_cached)
{
	struct np_pool_opts opts = { .n_arenas = 1 };
	struct np_pool *pool = np_test_pool_open(&opts);
	struct np_stats st;
	void *p, *q;

	ck_assert_ptr_nonnull(pool);
	p = np_alloc(pool, 200);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(np_free(pool, p), 0);
	ck_assert_int_eq(np_free(pool, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.bytes_cached, 208);
	ck_assert_uint_eq(st.bytes_active, 0);
	q = np_alloc(pool, 200);
	ck_assert_ptr_eq(q, p);
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.cache_hits, 1);
	ck_assert_uint_eq(st.bytes_active, 208);
	ck_assert_int_eq(np_free(pool, q), 0);
	ck_assert_int_eq(np_trim(pool), 0);
	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	ck_assert_uint_eq(st.bytes_cached, 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_int_eq(np_pool_close(pool), 0);
}
END_TEST

Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, cache_teardown);
	tcase_add_test(tc, free_then_alloc_hits);
	tcase_add_test(tc, big_buffers_not_cached);
	tcase_add_test(tc, kind_turned_off);
	tcase_add_test(tc, bin_limit);
	tcase_add_test(tc, cached_buffer_is_not_live);
	tcase_add_test(tc, retained_buffer);
	tcase_add_test(tc, trim_flushes);
	tcase_add_test(tc, periodic_trim);
	tcase_add_test(tc, limit_flushes_caches);
	tcase_add_test(tc, destroy_with_cached);
	tcase_add_test(tc, thread_exit_flushes);
	tcase_add_test(tc, free_only_cache_trims);
	suite_add_tcase(s, tc);

	tc = tcase_create("library");
	tcase_add_checked_fixture(tc, NULL, cache_teardown);
	tcase_add_test(tc, library_counts_cached);
	suite_add_tcase(s, tc);
	return s;
}
