// SPDX-License-Identifier: GPL-2.0
/*
 * Netty 4.1.51's own allocator tests (PoolArenaTest,
 * PooledByteBufAllocatorTest), ported. Those that only need the public
 * API go through libnettypool as a new user would: np_pool_open() with
 * NP_BACKEND_LOCAL, np_alloc(), np_free(), np_pool_stats(), np_trim().
 * Those that inspect subpages and list bounds use the core.
 */
#include <errno.h>
#include <limits.h>

#include "np_test.h"

static struct np_pool *pool;

static void netty_teardown(void)
{
	if (pool)
		ck_assert_int_eq(np_pool_close(pool), 0);
	pool = NULL;
	np_test_no_warnings();
}

/* Netty's new PooledByteBufAllocator(true, 1, 1, 8192, 11, 0, 0, 0). */
static struct np_pool *open_netty(int keep_empty_chunks, unsigned int arenas)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.page_size = 8192,
		.max_order = 11,
		.n_arenas = arenas,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
		.keep_empty_chunks = keep_empty_chunks,
	};
	struct np_pool *p = np_test_pool_open(&opts);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(np_pool_backend(p), np_test_backend());
	return p;
}

static struct np_stats stats(void)
{
	struct np_stats st;

	ck_assert_int_eq(np_pool_stats(pool, &st), 0);
	return st;
}

/* PoolArenaTest.testAllocationCounter */
START_TEST(allocation_counter)
{
	void *b1, *b2, *b3;
	struct np_stats st;

	pool = open_netty(0, 1);
	b1 = np_alloc(pool, 24);		/* tiny */
	b2 = np_alloc(pool, 800);		/* small */
	b3 = np_alloc(pool, 8192 * 2);		/* normal */
	ck_assert_ptr_nonnull(b1);
	ck_assert_ptr_nonnull(b2);
	ck_assert_ptr_nonnull(b3);
	st = stats();
	ck_assert_uint_eq(st.alloc_tiny, 1);
	ck_assert_uint_eq(st.alloc_small, 1);
	ck_assert_uint_eq(st.alloc_normal, 1);
	ck_assert_uint_eq(st.alloc_huge, 0);
	ck_assert_uint_eq(st.free_tiny + st.free_small + st.free_normal, 0);
	ck_assert_uint_eq(st.active_buffers, 3);
	ck_assert_uint_eq(st.bytes_active, 32 + 1024 + 16384);

	ck_assert_int_eq(np_free(pool, b1), 0);
	ck_assert_int_eq(np_free(pool, b2), 0);
	ck_assert_int_eq(np_free(pool, b3), 0);
	st = stats();
	ck_assert_uint_eq(st.alloc_tiny + st.alloc_small + st.alloc_normal, 3);
	ck_assert_uint_eq(st.free_tiny + st.free_small + st.free_normal, 3);
	ck_assert_uint_eq(st.free_tiny, 1);
	ck_assert_uint_eq(st.free_small, 1);
	ck_assert_uint_eq(st.free_normal, 1);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.bytes_active, 0);
}
END_TEST

/* PooledByteBufAllocatorTest.testFreePoolChunk */
START_TEST(free_pool_chunk)
{
	const size_t chunk_size = 16 << 20;
	struct np_stats st;
	void *buf;
	int i;

	pool = open_netty(-1, 1);
	buf = np_alloc(pool, chunk_size);
	ck_assert_ptr_nonnull(buf);
	st = stats();
	ck_assert_uint_eq(st.chunk_size, chunk_size);
	for (i = NP_QINIT; i < NP_Q100; i++)
		ck_assert_uint_eq(st.chunklist_chunks[i], 0);
	/* must end up in the 6th list */
	ck_assert_uint_eq(st.chunklist_chunks[NP_Q100], 1);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.huge_regions, 0);
	ck_assert_uint_eq(np_usable_size(pool, buf), chunk_size);

	ck_assert_int_eq(np_free(pool, buf), 0);
	/* completely removed: every list empty */
	st = stats();
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		ck_assert_uint_eq(st.chunklist_chunks[i], 0);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
}
END_TEST

/* The same past Netty: by default the emptied chunk is kept in qInit. */
START_TEST(free_pool_chunk_kept)
{
	struct np_stats st;
	void *buf;

	pool = open_netty(0, 1);
	buf = np_alloc(pool, 16 << 20);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(np_free(pool, buf), 0);
	st = stats();
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 1);
	ck_assert_uint_eq(st.chunklist_chunks[NP_Q100], 0);
	ck_assert_uint_eq(st.bytes_reserved, 16 << 20);
	ck_assert_int_eq(np_trim(pool), 0);
	st = stats();
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
}
END_TEST

/*
 * Netty issue #9253: a 1 MB buffer in a 16 MiB chunk leaves the chunk in
 * qInit when released, where Netty never frees it. np_trim() does.
 */
START_TEST(issue_9253_trim)
{
	struct np_stats st;
	void *buf;

	pool = open_netty(_i ? -1 : 0, 1);
	buf = np_alloc(pool, 1000 * 1000);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(np_usable_size(pool, buf), 1 << 20);
	st = stats();
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 1);
	ck_assert_int_eq(np_free(pool, buf), 0);
	st = stats();
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 1);
	ck_assert_uint_eq(st.bytes_reserved, 16 << 20);
	ck_assert_uint_eq(st.bytes_active, 0);
	ck_assert_int_eq(np_trim(pool), 0);
	st = stats();
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	/* the pool still works after the trim */
	buf = np_alloc(pool, 1000 * 1000);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(stats().chunks, 1);
	ck_assert_int_eq(np_free(pool, buf), 0);
}
END_TEST

/* PooledByteBufAllocatorTest.testAllocNotNull */
START_TEST(alloc_not_null)
{
	const size_t sizes[] = { (16 << 20) + 1, 1024, 512, 1 };
	struct np_stats st;
	unsigned int i;

	pool = open_netty(0, 1);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		void *buf = np_alloc(pool, sizes[i]);

		ck_assert_ptr_nonnull(buf);
		ck_assert_uint_ge(np_usable_size(pool, buf), sizes[i]);
		ck_assert_int_eq(np_free(pool, buf), 0);
	}
	/* Netty's comment calls 1024 "normal", but below a page it is small */
	st = stats();
	ck_assert_uint_eq(st.alloc_huge, 1);
	ck_assert_uint_eq(st.free_huge, 1);
	ck_assert_uint_eq(st.alloc_normal, 0);
	ck_assert_uint_eq(st.alloc_small, 2);
	ck_assert_uint_eq(st.free_small, 2);
	ck_assert_uint_eq(st.alloc_tiny, 1);
	ck_assert_uint_eq(st.huge_regions, 0);
}
END_TEST

/* PooledByteBufAllocatorTest.testArenaMetricsNoCache: 2 arenas, no cache */
START_TEST(arena_metrics_no_cache)
{
	struct np_stats st;
	int i;

	pool = open_netty(0, 2);
	for (i = 0; i < 100; i++) {
		void *buf = np_alloc(pool, 256);

		ck_assert_ptr_nonnull(buf);
		ck_assert_int_eq(np_free(pool, buf), 0);
	}
	st = stats();
	ck_assert_uint_eq(st.n_arenas, 2);
	ck_assert_uint_eq(st.active_buffers, 0);
	ck_assert_uint_eq(st.alloc_tiny, 100);
	ck_assert_uint_eq(st.free_tiny, 100);
	ck_assert_uint_eq(st.cache_hits, 0);
	ck_assert_uint_eq(st.bytes_cached, 0);
}
END_TEST

/* PooledByteBufAllocatorTest.testPoolChunkListMetric, on the core. */
START_TEST(pool_chunk_list_metric)
{
	/* Netty reports max(min_usage, 1) and min(max_usage, 100) */
	static const int want_min[] = { 1, 1, 25, 50, 75, 100 };
	static const int want_max[] = { 25, 50, 75, 100, 100, 100 };
	struct np_core *core = np_test_core(8192, 11, 0);
	int i;

	ck_assert_ptr_nonnull(core);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++) {
		const struct np_chunk_list *l = &core->arenas[0].lists[i];
		int lo = l->min_usage < 1 ? 1 : l->min_usage;
		int hi = l->max_usage > 100 ? 100 : l->max_usage;

		ck_assert_int_eq(lo, want_min[i]);
		ck_assert_int_eq(hi, want_max[i]);
	}
	np_core_destroy(core);
}
END_TEST

/* testSmallSubpageMetric (500 bytes) and testTinySubpageMetric (1 byte) */
START_TEST(subpage_metric)
{
	const u64 size = _i ? 1 : 500;
	const u32 elem = _i ? 16 : 512;
	struct np_core *core = np_test_core(8192, 11, 0);
	struct np_subpage *head, *sp;
	u64 addr;

	ck_assert_ptr_nonnull(core);
	addr = np_test_alloc(core, size);
	head = np_arena_subpage_head(&core->arenas[0], elem);
	ck_assert_ptr_eq(head, _i ? &core->arenas[0].tiny_pools[1] :
			 &core->arenas[0].small_pools[0]);
	sp = head->next;
	ck_assert_ptr_ne(sp, head);
	ck_assert_uint_eq(sp->elem_size, elem);
	ck_assert_uint_eq(sp->max_num_elems - sp->num_avail, 1);
	ck_assert_uint_eq(sp->max_num_elems, 8192 / elem);
	np_test_free(core, addr);
	ck_assert_uint_eq(sp->max_num_elems - sp->num_avail, 0);
	np_core_destroy(core);
}
END_TEST

Suite *netty_suite(void)
{
	Suite *s = suite_create("netty");
	TCase *tc;

	tc = tcase_create("library");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, NULL, netty_teardown);
	tcase_add_test(tc, allocation_counter);
	tcase_add_test(tc, free_pool_chunk);
	tcase_add_test(tc, free_pool_chunk_kept);
	tcase_add_loop_test(tc, issue_9253_trim, 0, 2);
	tcase_add_test(tc, alloc_not_null);
	tcase_add_test(tc, arena_metrics_no_cache);
	suite_add_tcase(s, tc);

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, NULL, netty_teardown);
	tcase_add_test(tc, pool_chunk_list_metric);
	tcase_add_loop_test(tc, subpage_metric, 0, 2);
	suite_add_tcase(s, tc);

	return s;
}
