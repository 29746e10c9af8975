// SPDX-License-Identifier: GPL-2.0
/*
 * The chunk's buddy tree (kernel/core/chunk.c, Netty's PoolChunk) against a
 * brute-force model.
 *
 * The model knows only which runs are live. After every step it rebuilds
 * the whole memory map from that knowledge alone, bottom up: a node that
 * is a live run is max_order + 1, a leaf that is not is its depth, an
 * inner node whose children are both entirely free is its depth, and any
 * other node is the smaller of its children. The incremental map the
 * chunk keeps must equal it node for node. Allocation must succeed
 * exactly when some aligned block of the requested depth has no live
 * page, and must return the leftmost such block (Netty's allocateNode
 * always descends left first).
 */
#include <stdlib.h>

#include "np_test.h"

struct buddy_geo {
	u32 page_size;
	u32 max_order;
};

static const struct buddy_geo buddy_geos[] = {
	{ 4096, 0 }, { 4096, 1 }, { 4096, 3 }, { 4096, 9 }, { 4096, 11 },
	{ 8192, 0 }, { 8192, 1 }, { 8192, 3 }, { 8192, 9 }, { 8192, 11 },
	{ 65536, 0 }, { 65536, 1 }, { 65536, 3 }, { 65536, 9 }, { 65536, 11 },
};

#define NR_GEOS		((int)NP_TEST_ARRAY_SIZE(buddy_geos))

struct buddy_model {
	struct np_core *core;
	struct np_chunk *chunk;
	u32 max_order;
	u32 n_pages;
	u32 page_size;
	u8 *is_live;	/* per node: a live run */
	u32 *owner;	/* per page: the live run covering it, or 0 */
	u32 *live;	/* the live runs */
	u32 nr_live;
	u8 *expect;	/* the memory map rebuilt from scratch */
	u64 used;	/* bytes in live runs */
};

static u32 node_depth(u32 id)
{
	return np_fls64(id) - 1;
}

static u32 node_pages(const struct buddy_model *m, u32 id)
{
	return m->n_pages >> node_depth(id);
}

static u32 node_first_page(const struct buddy_model *m, u32 id)
{
	return (id - (1U << node_depth(id))) * node_pages(m, id);
}

static void model_init(struct buddy_model *m, u32 page_size, u32 max_order)
{
	memset(m, 0, sizeof(*m));
	m->core = np_test_core(page_size, max_order, 1);
	ck_assert_ptr_nonnull(m->core);
	m->chunk = np_test_new_chunk(&m->core->arenas[0]);
	m->max_order = max_order;
	m->n_pages = 1U << max_order;
	m->page_size = page_size;
	m->is_live = calloc(2 * m->n_pages, 1);
	m->owner = calloc(m->n_pages, sizeof(*m->owner));
	m->live = calloc(m->n_pages, sizeof(*m->live));
	m->expect = calloc(2 * m->n_pages, 1);
	ck_assert(m->is_live && m->owner && m->live && m->expect);
	ck_assert_uint_eq(m->chunk->region.size, (u64)page_size << max_order);
	ck_assert_uint_eq(m->core->regions.bytes_reserved, m->chunk->region.size);
}

static void model_fini(struct buddy_model *m)
{
	np_test_retire_chunk(m->chunk);
	ck_assert_uint_eq(m->core->regions.bytes_reserved, 0);
	ck_assert_uint_eq(m->core->regions.map.nr, 0);
	np_core_destroy(m->core);
	free(m->is_live);
	free(m->owner);
	free(m->live);
	free(m->expect);
}

/* The leftmost node of depth d whose pages are all free, or 0. */
static u32 model_find_free(const struct buddy_model *m, u32 d)
{
	u32 len = m->n_pages >> d;
	u32 j, p;

	for (j = 0; j < 1U << d; j++) {
		for (p = j * len; p < (j + 1) * len; p++)
			if (m->owner[p])
				break;
		if (p == (j + 1) * len)
			return (1U << d) + j;
	}
	return 0;
}

static void model_add(struct buddy_model *m, u32 id)
{
	u32 first = node_first_page(m, id);
	u32 n = node_pages(m, id);
	u32 p;

	/* no two live runs overlap */
	for (p = first; p < first + n; p++) {
		if (m->owner[p])
			ck_assert_msg(0, "run %u overlaps live run %u at page %u",
				      id, m->owner[p], p);
		m->owner[p] = id;
	}
	m->is_live[id] = 1;
	m->live[m->nr_live++] = id;
	m->used += (u64)n * m->page_size;
}

static void model_remove(struct buddy_model *m, u32 idx)
{
	u32 id = m->live[idx];
	u32 first = node_first_page(m, id);
	u32 n = node_pages(m, id);
	u32 p;

	for (p = first; p < first + n; p++)
		m->owner[p] = 0;
	m->is_live[id] = 0;
	m->live[idx] = m->live[--m->nr_live];
	m->used -= (u64)n * m->page_size;
}

/* Compare everything the chunk says with what the model derives. */
static void model_verify(struct buddy_model *m)
{
	const struct np_chunk *chunk = m->chunk;
	u32 unusable = m->max_order + 1;
	u32 id, p;

	for (id = 2 * m->n_pages - 1; id >= 1; id--) {
		u32 d = node_depth(id);

		if (m->is_live[id]) {
			m->expect[id] = (u8)unusable;
		} else if (id >= m->n_pages) {
			m->expect[id] = (u8)d;
		} else {
			u8 l = m->expect[2 * id], r = m->expect[2 * id + 1];

			if (l == d + 1 && r == d + 1)
				m->expect[id] = (u8)d;
			else
				m->expect[id] = l < r ? l : r;
		}
	}
	for (id = 1; id < 2 * m->n_pages; id++)
		if (chunk->memory_map[id] != m->expect[id])
			ck_assert_msg(0, "memory_map[%u] = %u, model says %u", id,
				      chunk->memory_map[id], m->expect[id]);
	np_expect_eq(chunk->free_bytes, chunk->region.size - m->used);
	np_expect_eq(np_chunk_usage(chunk),
		     np_test_netty_usage(chunk->free_bytes, chunk->region.size));
	for (p = 0; p < m->n_pages; p++) {
		u32 o = m->owner[p];
		u32 want = o && node_first_page(m, o) == p ? o : 0;

		np_expect_eq(chunk->run_at_page[p], want);
	}
}

/* Lookups of a live run: its start resolves, nothing inside it does. */
static void check_live_lookup(const struct buddy_model *m, u32 id)
{
	u64 start = (u64)node_first_page(m, id) * m->page_size;
	u64 len = (u64)node_pages(m, id) * m->page_size;
	u32 capacity = 0;
	u64 handle = 0;

	np_expect(np_chunk_lookup(m->chunk, start, &handle, &capacity));
	np_expect_eq(handle, id);
	np_expect_eq(capacity, len);
	np_expect(!np_chunk_lookup(m->chunk, start + 1, &handle, &capacity));
	np_expect(!np_chunk_lookup(m->chunk, start + len - 1, &handle,
				   &capacity));
	np_expect(!np_chunk_lookup(m->chunk, start + 16, &handle, &capacity));
	if (len > m->page_size)
		np_expect(!np_chunk_lookup(m->chunk, start + m->page_size,
					   &handle, &capacity));
}

static bool model_try_alloc(struct buddy_model *m, u32 d)
{
	u64 norm = m->chunk->region.size >> d;
	u32 want = model_find_free(m, d);
	u64 handle = 0;
	bool ok = np_chunk_allocate(m->chunk, norm, NULL, &handle);

	if (ok != !!want)
		ck_assert_msg(0, "depth %u: chunk says %d, model says %u",
			      d, ok, want);
	if (!ok)
		return false;
	np_expect(!np_handle_is_subpage(handle));
	np_expect_eq(handle, want);
	np_expect_eq(np_chunk_run_length(m->chunk, (u32)handle), norm);
	np_expect_eq(np_chunk_run_offset(m->chunk, (u32)handle) % norm, 0);
	np_expect_eq(np_chunk_handle_offset(m->chunk, handle),
		     (u64)node_first_page(m, want) * m->page_size);
	model_add(m, want);
	return true;
}

static void model_free(struct buddy_model *m, u32 idx)
{
	u32 id = m->live[idx];
	u64 start = (u64)node_first_page(m, id) * m->page_size;
	u32 capacity;
	u64 handle;

	np_chunk_free(m->chunk, id, NULL);
	model_remove(m, idx);
	/* a freed run is no longer a buffer */
	np_expect(!np_chunk_lookup(m->chunk, start, &handle, &capacity));
}

/* A depth biased towards small runs: the smaller of two uniform draws. */
static u32 random_depth(u64 *rnd, u32 max_order)
{
	u32 a = (u32)np_test_below(rnd, max_order + 1);
	u32 b = (u32)np_test_below(rnd, max_order + 1);

	return max_order - (a < b ? a : b);
}

START_TEST(random_runs_match_model)
{
	const struct buddy_geo *g = &buddy_geos[_i];
	u64 rnd = 0x1234567ULL + (u64)_i * 7919;
	u32 steps = g->max_order >= 9 ? 1500 : 400;
	struct buddy_model m;
	u32 step, fails = 0, allocs = 0;

	model_init(&m, g->page_size, g->max_order);
	model_verify(&m);
	for (step = 0; step < steps; step++) {
		/* drift: fill for a while, then drain, several times */
		bool filling = (step / 150) % 2 == 0;
		u64 alloc_pct = filling ? 75 : 30;

		if (!m.nr_live || np_test_below(&rnd, 100) < alloc_pct) {
			if (model_try_alloc(&m, random_depth(&rnd, g->max_order)))
				allocs++;
			else
				fails++;
		} else {
			model_free(&m, (u32)np_test_below(&rnd, m.nr_live));
		}
		model_verify(&m);
		if (m.nr_live) {
			u32 i = (u32)np_test_below(&rnd, m.nr_live);

			check_live_lookup(&m, m.live[i]);
		}
	}
	/* the walk must have exercised both outcomes */
	ck_assert_uint_gt(allocs, 10);
	ck_assert_uint_gt(fails, 0);
	while (m.nr_live) {
		model_free(&m, (u32)np_test_below(&rnd, m.nr_live));
		model_verify(&m);
	}
	ck_assert_mem_eq(m.chunk->memory_map + 1, m.chunk->depth_map + 1,
			 2 * m.n_pages - 1);
	ck_assert(np_chunk_is_empty(m.chunk));
	ck_assert_int_eq(np_chunk_usage(m.chunk), 0);
	model_fini(&m);
}
END_TEST

/* Single pages come out left to right; the full chunk refuses more. */
START_TEST(pages_fill_left_to_right)
{
	const struct buddy_geo *g = &buddy_geos[_i];
	struct buddy_model m;
	u32 p;

	model_init(&m, g->page_size, g->max_order);
	for (p = 0; p < m.n_pages; p++) {
		np_expect(model_try_alloc(&m, g->max_order));
		np_expect_eq(m.live[p], m.n_pages + p);
	}
	model_verify(&m);
	ck_assert_uint_eq(m.chunk->memory_map[1], g->max_order + 1);
	ck_assert_uint_eq(m.chunk->free_bytes, 0);
	ck_assert_int_eq(np_chunk_usage(m.chunk), 100);
	ck_assert(!model_try_alloc(&m, g->max_order));
	ck_assert(!model_try_alloc(&m, 0));
	/* free the last page: it is the one handed out again */
	model_free(&m, m.nr_live - 1);
	ck_assert_uint_eq(m.chunk->memory_map[1], g->max_order);
	ck_assert(model_try_alloc(&m, g->max_order));
	ck_assert_uint_eq(m.live[m.nr_live - 1], 2 * m.n_pages - 1);
	model_verify(&m);
	model_fini(&m);
}
END_TEST

/* Half the pages free but no two adjacent: a two-page run must fail. */
START_TEST(fragmentation_refuses_larger_run)
{
	struct buddy_model m;
	u32 i, id;

	model_init(&m, 8192, 3);
	for (i = 0; i < 8; i++)
		ck_assert(model_try_alloc(&m, 3));
	/* free pages 0, 2, 4, 6 (live[] is reordered by removal: by id) */
	for (id = 8; id < 16; id += 2) {
		for (i = 0; m.live[i] != id; i++)
			;
		model_free(&m, i);
	}
	model_verify(&m);
	ck_assert_uint_eq(m.chunk->free_bytes, 4 * 8192);
	ck_assert_int_eq(np_chunk_usage(m.chunk), 50);
	ck_assert_uint_eq(m.chunk->memory_map[1], 3);
	ck_assert(!model_try_alloc(&m, 2));
	ck_assert(!model_try_alloc(&m, 0));
	/* free page 1: pages 0-1 make node 4, the two-page run fits there */
	for (i = 0; m.live[i] != 9; i++)
		;
	model_free(&m, i);
	model_verify(&m);
	ck_assert_uint_eq(m.chunk->memory_map[4], 2);
	ck_assert(model_try_alloc(&m, 2));
	ck_assert_uint_eq(m.live[m.nr_live - 1], 4);
	model_verify(&m);
	model_fini(&m);
}
END_TEST

/* A run of the whole chunk takes the root and nothing else fits. */
START_TEST(whole_chunk_run)
{
	const struct buddy_geo *g = &buddy_geos[_i];
	struct buddy_model m;

	model_init(&m, g->page_size, g->max_order);
	ck_assert(model_try_alloc(&m, 0));
	ck_assert_uint_eq(m.live[0], 1);
	ck_assert_uint_eq(m.chunk->memory_map[1], g->max_order + 1);
	ck_assert(!model_try_alloc(&m, g->max_order));
	model_verify(&m);
	model_free(&m, 0);
	model_verify(&m);
	ck_assert_uint_eq(m.chunk->memory_map[1], 0);
	model_fini(&m);
}
END_TEST

START_TEST(handle_round_trip)
{
	static const u32 idx[] = { 1, 2, 3, 511, 512, 1023, 2048, 4095,
				   16384, 32767 };
	static const u32 bits[] = { 0, 1, 63, 64, 511, 4095,
				    NP_HANDLE_BITMAP_MASK };
	unsigned int i, j;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(idx); i++) {
		/* a run's handle is its node id and is not a subpage */
		ck_assert(!np_handle_is_subpage(idx[i]));
		ck_assert_uint_eq(np_handle_memory_map_idx(idx[i]), idx[i]);
		ck_assert_uint_eq(np_handle_bitmap_idx(idx[i]), 0);
		for (j = 0; j < NP_TEST_ARRAY_SIZE(bits); j++) {
			u64 h = np_handle(idx[i], bits[j]);

			ck_assert(np_handle_is_subpage(h));
			ck_assert_uint_eq(np_handle_memory_map_idx(h), idx[i]);
			ck_assert_uint_eq(np_handle_bitmap_idx(h), bits[j]);
			/* element 0 differs from the run of the same node */
			ck_assert_uint_ne(h, idx[i]);
			ck_assert_uint_ne(h, 0);
		}
	}
}
END_TEST

START_TEST(depth_map_layout)
{
	u32 mo;

	for (mo = 0; mo <= NP_MAX_ORDER_MAX; mo++) {
		u8 *map = np_depth_map_create(mo, GFP_KERNEL);
		u32 id;

		ck_assert_ptr_nonnull(map);
		for (id = 1; id < 2U << mo; id++)
			np_expect_eq(map[id], node_depth(id));
		np_meta_free(map);
	}
}
END_TEST

/* Node lengths and offsets, for every node of every geometry. */
START_TEST(run_length_and_offset)
{
	const struct buddy_geo *g = &buddy_geos[_i];
	struct buddy_model m;
	u32 id;

	model_init(&m, g->page_size, g->max_order);
	for (id = 1; id < 2 * m.n_pages; id++) {
		np_expect_eq(np_chunk_run_length(m.chunk, id),
			     (u64)node_pages(&m, id) * g->page_size);
		np_expect_eq(np_chunk_run_offset(m.chunk, id),
			     (u64)node_first_page(&m, id) * g->page_size);
	}
	model_fini(&m);
}
END_TEST

/* Offsets that never were, or no longer are, a buffer start. */
START_TEST(lookup_refusals)
{
	struct buddy_model m;
	u32 capacity;
	u64 handle, off;

	model_init(&m, 8192, 4);
	/* nothing allocated: every page start is refused */
	for (off = 0; off < m.chunk->region.size; off += 8192)
		np_expect(!np_chunk_lookup(m.chunk, off, &handle, &capacity));
	ck_assert(model_try_alloc(&m, 1));	/* 8 pages at 0 */
	ck_assert(model_try_alloc(&m, 4));	/* 1 page at 8 */
	check_live_lookup(&m, 2);
	check_live_lookup(&m, 24);
	/* the second half of the 8-page run is not a buffer */
	ck_assert(!np_chunk_lookup(m.chunk, 4 * 8192, &handle, &capacity));
	/* past the end */
	ck_assert(!np_chunk_lookup(m.chunk, m.chunk->region.size, &handle,
				   &capacity));
	ck_assert(!np_chunk_lookup(m.chunk, ~0ULL, &handle, &capacity));
	/* freeing the big run leaves the page alone and vice versa */
	model_free(&m, 0);
	ck_assert(!np_chunk_lookup(m.chunk, 0, &handle, &capacity));
	check_live_lookup(&m, 24);
	/* a smaller run at the same start is a new buffer */
	ck_assert(model_try_alloc(&m, 3));
	ck_assert_uint_eq(m.live[m.nr_live - 1], 8);
	ck_assert(np_chunk_lookup(m.chunk, 0, &handle, &capacity));
	ck_assert_uint_eq(handle, 8);
	ck_assert_uint_eq(capacity, 2 * 8192);
	ck_assert(!np_chunk_lookup(m.chunk, 8192, &handle, &capacity));
	model_verify(&m);
	model_fini(&m);
}
END_TEST

static void buddy_teardown(void)
{
	np_test_no_warnings();
}

Suite *buddy_suite(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc;

	tc = tcase_create("model");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, buddy_teardown);
	tcase_add_loop_test(tc, random_runs_match_model, 0, NR_GEOS);
	suite_add_tcase(s, tc);

	tc = tcase_create("tree");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, buddy_teardown);
	tcase_add_loop_test(tc, pages_fill_left_to_right, 0, NR_GEOS);
	tcase_add_loop_test(tc, whole_chunk_run, 0, NR_GEOS);
	tcase_add_loop_test(tc, run_length_and_offset, 0, NR_GEOS);
	tcase_add_test(tc, fragmentation_refuses_larger_run);
	tcase_add_test(tc, depth_map_layout);
	suite_add_tcase(s, tc);

	tc = tcase_create("handles");
	tcase_add_checked_fixture(tc, NULL, buddy_teardown);
	tcase_add_test(tc, handle_round_trip);
	tcase_add_test(tc, lookup_refusals);
	suite_add_tcase(s, tc);
	return s;
}
