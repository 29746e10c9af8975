// SPDX-License-Identifier: GPL-2.0
/*
 * Chunk lists (kernel/core/chunk_list.c and the arena's use of them, Netty's
 * PoolChunkList): one arena, 8 KiB pages, max_order 9 (4 MiB chunks, 512
 * pages). The list of a chunk is read from chunk->list and from the
 * chunklist_chunks counters.
 *
 * Filling a fresh chunk one page (k pages in use) at a time, usage is
 * 100 - floor((512 - k) * 100 / 512), so it enters q000 at k = 123
 * (usage 25), q025 at 251 (50), q050 at 379 (75) and, as q050 and q075
 * both end at 100, goes straight from q050 to q100 at 512. Emptying it
 * again, f pages free, it falls to q075 at once (99), to q050 at f = 134
 * (74), q025 at 262 (49), q000 at 390 (24) and out of q000 at 512.
 */
#include <limits.h>
#include <stdlib.h>

#include "np_test.h"

#define PAGE		8192U
#define N_PAGES		512U
#define CHUNK		((u64)PAGE * N_PAGES)

static struct np_core *core;
static struct np_arena *arena;
static u64 pages[2 * N_PAGES];

static void cl_make(int keep_empty_chunks)
{
	core = np_test_core(PAGE, 9, keep_empty_chunks);
	ck_assert_ptr_nonnull(core);
	arena = &core->arenas[0];
}

static void cl_teardown(void)
{
	if (core)
		np_core_destroy(core);
	core = NULL;
	np_test_no_warnings();
}

static int list_of(u64 addr)
{
	struct np_chunk *chunk = np_test_chunk_of(core, addr);

	np_expect(chunk);
	return np_test_list_id(chunk);
}

/* The counters say exactly one chunk, in list id (or none for -1). */
static void expect_lists(int id, u64 chunks)
{
	struct np_stats st;
	u64 sum = 0;
	int i;

	np_core_stats(core, &st);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++) {
		sum += st.chunklist_chunks[i];
		if (id >= 0 && i == id)
			np_expect(st.chunklist_chunks[i] >= 1);
	}
	np_expect_eq(st.chunks, chunks);
	np_expect_eq(sum, chunks);
}

static int climb_list(u32 k)
{
	if (k < 123)
		return NP_QINIT;
	if (k < 251)
		return NP_Q000;
	if (k < 379)
		return NP_Q025;
	if (k < 512)
		return NP_Q050;
	return NP_Q100;
}

static int fall_list(u32 f)
{
	if (f < 134)
		return NP_Q075;
	if (f < 262)
		return NP_Q050;
	if (f < 390)
		return NP_Q025;
	if (f < 512)
		return NP_Q000;
	return -1;
}

static void fill_chunk(u64 *out)
{
	u32 k;

	for (k = 1; k <= N_PAGES; k++) {
		out[k - 1] = np_test_alloc(core, PAGE);
		np_expect_eq(list_of(out[k - 1]), climb_list(k));
		np_expect_eq(np_chunk_usage(np_test_chunk_of(core, out[0])),
			     np_test_netty_usage((N_PAGES - k) * (u64)PAGE,
						 CHUNK));
		expect_lists(climb_list(k), 1);
	}
}

START_TEST(climb_through_every_list)
{
	struct np_chunk *chunk;

	cl_make(-1);
	fill_chunk(pages);
	chunk = np_test_chunk_of(core, pages[0]);
	ck_assert_str_eq(chunk->list->name, "q100");
	ck_assert_uint_eq(chunk->free_bytes, 0);
	/* every page of the one chunk, in order */
	ck_assert_uint_eq(pages[N_PAGES - 1], pages[0] + CHUNK - PAGE);
}
END_TEST

START_TEST(fall_and_destroy)
{
	struct np_stats st;
	u32 f;

	cl_make(-1);
	fill_chunk(pages);
	for (f = 1; f < N_PAGES; f++) {
		np_test_free(core, pages[f - 1]);
		np_expect_eq(list_of(pages[N_PAGES - 1]), fall_list(f));
		expect_lists(fall_list(f), 1);
	}
	ck_assert_str_eq(np_test_chunk_of(core, pages[N_PAGES - 1])->list->name,
			 "q000");
	np_test_free(core, pages[N_PAGES - 1]);
	/* Netty: out of q000 empty, the chunk is destroyed */
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_uint_eq(core->regions.map.nr, 0);
	expect_lists(-1, 0);
	ck_assert_ptr_null(arena->spare);
	ck_assert_uint_eq(np_core_usable_size(core, pages[0]), 0);
}
END_TEST

START_TEST(fall_into_spare)
{
	struct np_chunk *chunk;
	struct np_stats st;
	u32 f;

	cl_make(1);
	fill_chunk(pages);
	chunk = np_test_chunk_of(core, pages[0]);
	for (f = 1; f <= N_PAGES; f++) {
		np_test_free(core, pages[f - 1]);
		if (f < N_PAGES)
			np_expect_eq(np_test_list_id(chunk), fall_list(f));
	}
	/* kept: empty, in qInit, still reserved */
	ck_assert_ptr_eq(arena->spare, chunk);
	ck_assert_int_eq(np_test_list_id(chunk), NP_QINIT);
	ck_assert(np_chunk_is_empty(chunk));
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 1);
	ck_assert_uint_eq(st.bytes_reserved, CHUNK);
	/* the next allocation reuses it: no new pages */
	ck_assert_uint_eq(np_test_alloc(core, PAGE), chunk->region.key);
	ck_assert_uint_eq(core->regions.bytes_reserved, CHUNK);
	ck_assert_uint_eq(core->regions.map.nr, 1);
}
END_TEST

/*
 * Random single-page allocations and frees against a model of the list
 * transitions of the design: hysteresis between overlapping ranges,
 * multi-step moves, destruction (or keeping) below q000.
 */
static const int model_min[] = { INT_MIN, 1, 25, 50, 75, 100 };
static const int model_max[] = { 25, 50, 75, 100, 100, INT_MAX };

START_TEST(random_walk_matches_model)
{
	int keep = _i ? 1 : -1;
	u64 rnd = 0x5eed0000ULL + (u64)_i;
	u32 live = 0, step, destroyed = 0, transitions = 0;
	int list = -1, prev;
	struct np_chunk *chunk;

	cl_make(keep);
	for (step = 0; step < 6000; step++) {
		bool up = (step / 1000) % 2 == 0;
		u64 pct = up ? 85 : 15;
		int u;

		prev = list;
		if (live < N_PAGES &&
		    (!live || np_test_below(&rnd, 100) < pct)) {
			pages[live++] = np_test_alloc(core, PAGE);
			if (list < 0)
				list = NP_QINIT;
			u = np_test_netty_usage((N_PAGES - live) * (u64)PAGE,
						CHUNK);
			while (list != NP_Q100 && u >= model_max[list])
				list++;
		} else {
			u32 i = (u32)np_test_below(&rnd, live);

			np_test_free(core, pages[i]);
			pages[i] = pages[--live];
			u = np_test_netty_usage((N_PAGES - live) * (u64)PAGE,
						CHUNK);
			while (list >= 0 && u < model_min[list]) {
				if (list == NP_Q000) {
					np_expect_eq(live, 0);
					list = keep > 0 ? NP_QINIT : -1;
					destroyed++;
					break;
				}
				list--;
			}
		}
		transitions += prev != list;
		if (live) {
			np_expect_eq(list_of(pages[0]), list);
			chunk = np_test_chunk_of(core, pages[0]);
			np_expect_eq(np_chunk_usage(chunk), u);
		}
		expect_lists(list, list < 0 ? 0 : 1);
	}
	/* the walk went through the lists several times, both ways */
	ck_assert_uint_gt(transitions, 20);
	ck_assert_uint_ge(destroyed, 2);
}
END_TEST

/* Netty: a chunk that empties without leaving qInit is never destroyed. */
START_TEST(empty_in_qinit_stays)
{
	struct np_chunk *chunk;
	struct np_stats st;
	u32 i;

	cl_make(_i ? 1 : -1);
	for (i = 0; i < 122; i++)
		pages[i] = np_test_alloc(core, PAGE);
	chunk = np_test_chunk_of(core, pages[0]);
	ck_assert_int_eq(np_test_list_id(chunk), NP_QINIT);
	for (i = 0; i < 122; i++)
		np_test_free(core, pages[i]);
	ck_assert(np_chunk_is_empty(chunk));
	ck_assert_int_eq(np_test_list_id(chunk), NP_QINIT);
	/* it did not fall out of q000: it is not the spare */
	ck_assert_ptr_null(arena->spare);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.bytes_reserved, CHUNK);
	/* reused by the next allocation */
	pages[0] = np_test_alloc(core, PAGE);
	ck_assert_ptr_eq(np_test_chunk_of(core, pages[0]), chunk);
	np_test_free(core, pages[0]);
	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_uint_eq(core->regions.map.nr, 0);
}
END_TEST

/* One emptied chunk is kept; a second one is destroyed; trim frees it. */
START_TEST(keep_one_empty_chunk)
{
	static u64 b_pages[123];
	struct np_chunk *a, *b;
	struct np_stats st;
	u64 b_key;
	u32 i;

	cl_make(1);
	fill_chunk(pages);
	a = np_test_chunk_of(core, pages[0]);
	for (i = 0; i < 123; i++)
		b_pages[i] = np_test_alloc(core, PAGE);
	b = np_test_chunk_of(core, b_pages[0]);
	b_key = b->region.key;
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(np_test_list_id(b), NP_Q000);
	expect_lists(NP_Q000, 2);

	for (i = 0; i < N_PAGES; i++)
		np_test_free(core, pages[i]);
	ck_assert_ptr_eq(arena->spare, a);
	ck_assert_int_eq(np_test_list_id(a), NP_QINIT);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 2);
	ck_assert_uint_eq(st.bytes_reserved, 2 * CHUNK);

	for (i = 0; i < 123; i++)
		np_test_free(core, b_pages[i]);
	/* the spare is empty: the second emptied chunk goes */
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 1);
	ck_assert_uint_eq(st.bytes_reserved, CHUNK);
	ck_assert_ptr_null(np_test_chunk_of(core, b_key));
	ck_assert_ptr_eq(arena->spare, a);

	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_ptr_null(arena->spare);
	expect_lists(-1, 0);
}
END_TEST

/* A spare that has been used since is replaced by the next emptied chunk. */
START_TEST(used_spare_is_replaced)
{
	static u64 b_pages[123];
	struct np_chunk *a, *b;
	struct np_stats st;
	u64 x;
	u32 i;

	cl_make(1);
	fill_chunk(pages);
	a = np_test_chunk_of(core, pages[0]);
	for (i = 0; i < 123; i++)
		b_pages[i] = np_test_alloc(core, PAGE);
	b = np_test_chunk_of(core, b_pages[0]);
	for (i = 0; i < 123; i++)
		np_test_free(core, b_pages[i]);
	ck_assert_ptr_eq(arena->spare, b);
	/* a is full (q100): the next page comes from the spare in qInit */
	x = np_test_alloc(core, PAGE);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), b);
	for (i = 0; i < N_PAGES; i++)
		np_test_free(core, pages[i]);
	/* b is not empty any more: a becomes the spare instead */
	ck_assert_ptr_eq(arena->spare, a);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 2);
	ck_assert_uint_eq(st.chunklist_chunks[NP_QINIT], 2);
	np_test_free(core, x);
	ck_assert_int_eq(np_test_list_id(b), NP_QINIT);
	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
}
END_TEST

/* Netty's allocateNormal order. */
static const int alloc_order[] = {
	NP_Q050, NP_Q025, NP_Q000, NP_QINIT, NP_Q075,
};

/* Pages in use that put a chunk in the middle of each list's range. */
static const u32 placement_pages[] = {
	[NP_QINIT] = 50,	/* usage 10 */
	[NP_Q000] = 154,	/* 31 */
	[NP_Q025] = 256,	/* 50 */
	[NP_Q050] = 410,	/* 81 */
	[NP_Q075] = 410,	/* 81 */
};

/* A chunk made by hand with some pages in use, filed in list id. */
static struct np_chunk *place_chunk(int id)
{
	struct np_chunk *chunk = np_test_new_chunk(arena);
	u64 handle;
	u32 i;

	for (i = 0; i < placement_pages[id]; i++)
		np_expect(np_chunk_allocate(chunk, PAGE, NULL, &handle));
	np_chunk_list_add(&arena->lists[id], chunk);
	arena->stats.chunks++;
	ck_assert_int_eq(np_test_list_id(chunk), id);
	return chunk;
}

/* Every ordered pair of lists: the one Netty tries first serves. */
START_TEST(allocation_order_pairs)
{
	int first = -1, second = -1, i, j, n = 0;
	struct np_chunk *hi, *lo;
	u64 addr;

	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++, n++)
			if (n == _i) {
				first = alloc_order[i];
				second = alloc_order[j];
			}
	cl_make(-1);
	/* file the later one first, so list heads do not decide */
	lo = place_chunk(second);
	hi = place_chunk(first);
	addr = np_test_alloc(core, PAGE);
	ck_assert_ptr_eq(np_test_chunk_of(core, addr), hi);
	ck_assert_uint_eq(core->regions.bytes_reserved, 2 * CHUNK);
	/* the other one was not touched */
	ck_assert_uint_eq(lo->free_bytes,
			  CHUNK - (u64)placement_pages[second] * PAGE);
}
END_TEST

/* The same with chunks shaped by ordinary allocations only. */
START_TEST(q050_before_q025)
{
	u64 a1, a2, b1, x;
	struct np_chunk *a, *b;

	cl_make(-1);
	a1 = np_test_alloc(core, 2 << 20);
	a = np_test_chunk_of(core, a1);
	ck_assert_int_eq(np_test_list_id(a), NP_Q025);
	a2 = np_test_alloc(core, 1 << 20);
	ck_assert_ptr_eq(np_test_chunk_of(core, a2), a);
	ck_assert_int_eq(np_test_list_id(a), NP_Q050);
	/* a has 1 MiB left: 2 MiB needs a new chunk, which lands in q025 */
	b1 = np_test_alloc(core, 2 << 20);
	b = np_test_chunk_of(core, b1);
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(np_test_list_id(b), NP_Q025);
	/* b has more room, but q050 is tried first */
	x = np_test_alloc(core, PAGE);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
	x = np_test_alloc(core, 512 << 10);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
	ck_assert_int_eq(np_test_list_id(a), NP_Q050);
	/* a cannot take 512 KiB any more: it goes to b */
	x = np_test_alloc(core, 512 << 10);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), b);
	ck_assert_uint_eq(core->regions.bytes_reserved, 2 * CHUNK);
}
END_TEST

/* q075 is tried last, but before a new chunk is made. */
START_TEST(q075_before_new_chunk)
{
	u64 mb[4], x;
	struct np_chunk *a;
	int i;

	cl_make(-1);
	for (i = 0; i < 4; i++)
		mb[i] = np_test_alloc(core, 1 << 20);
	a = np_test_chunk_of(core, mb[0]);
	ck_assert_int_eq(np_test_list_id(a), NP_Q100);
	np_test_free(core, mb[2]);
	ck_assert_int_eq(np_test_list_id(a), NP_Q075);
	x = np_test_alloc(core, PAGE);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
	ck_assert_uint_eq(x, mb[2]);
	ck_assert_uint_eq(core->regions.bytes_reserved, CHUNK);
	ck_assert_int_eq(np_test_list_id(a), NP_Q075);
	/* exactly q075's max_capacity still fits, and fills the chunk */
	np_test_free(core, x);
	x = np_test_alloc(core, 1 << 20);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
	ck_assert_int_eq(np_test_list_id(a), NP_Q100);
	/* q100 is never tried: the next page needs a new chunk */
	x = np_test_alloc(core, PAGE);
	ck_assert_ptr_ne(np_test_chunk_of(core, x), a);
	ck_assert_int_eq(list_of(x), NP_QINIT);
	ck_assert_uint_eq(core->regions.bytes_reserved, 2 * CHUNK);
}
END_TEST

/* Netty's calculateMaxCapacity for each list. */
START_TEST(max_capacity_values)
{
	static const u64 want[] = {
		[NP_QINIT] = CHUNK * 99 / 100,
		[NP_Q000] = CHUNK * 99 / 100,
		[NP_Q025] = CHUNK * 75 / 100,
		[NP_Q050] = CHUNK * 50 / 100,
		[NP_Q075] = CHUNK * 25 / 100,
		[NP_Q100] = 0,
	};
	static const char *const names[] = {
		"qInit", "q000", "q025", "q050", "q075", "q100",
	};
	int i;

	cl_make(-1);
	ck_assert_uint_eq(want[NP_QINIT], 4152360);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++) {
		ck_assert_uint_eq(arena->lists[i].max_capacity, want[i]);
		ck_assert_str_eq(arena->lists[i].name, names[i]);
		ck_assert_int_eq(arena->lists[i].min_usage, model_min[i]);
		ck_assert_int_eq(arena->lists[i].max_usage, model_max[i]);
	}
}
END_TEST

/* A whole-chunk request skips qInit even when a chunk there is empty. */
START_TEST(max_capacity_skips_empty_qinit)
{
	struct np_chunk *a, *b;
	u64 x, big;

	cl_make(-1);
	x = np_test_alloc(core, PAGE);
	a = np_test_chunk_of(core, x);
	np_test_free(core, x);
	ck_assert(np_chunk_is_empty(a));
	ck_assert_int_eq(np_test_list_id(a), NP_QINIT);
	big = np_test_alloc(core, CHUNK);
	b = np_test_chunk_of(core, big);
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(np_test_list_id(b), NP_Q100);
	ck_assert(np_chunk_is_empty(a));
	ck_assert_uint_eq(core->regions.bytes_reserved, 2 * CHUNK);
	/* 99% of a chunk still fits the empty one: 2 MiB goes there */
	x = np_test_alloc(core, 2 << 20);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
}
END_TEST

/* A request of exactly a list's max_capacity is still tried there. */
START_TEST(max_capacity_bound_inclusive)
{
	u64 half, quarter, x;
	struct np_chunk *a;

	cl_make(-1);
	half = np_test_alloc(core, 2 << 20);
	quarter = np_test_alloc(core, 1 << 20);
	a = np_test_chunk_of(core, half);
	ck_assert_ptr_eq(np_test_chunk_of(core, quarter), a);
	np_test_free(core, quarter);
	/* usage 50: still q050, with the upper 2 MiB free */
	ck_assert_int_eq(np_test_list_id(a), NP_Q050);
	x = np_test_alloc(core, 2 << 20);
	ck_assert_ptr_eq(np_test_chunk_of(core, x), a);
	ck_assert_uint_eq(x, half + (2 << 20));
	ck_assert_int_eq(np_test_list_id(a), NP_Q100);
	ck_assert_uint_eq(core->regions.bytes_reserved, CHUNK);
}
END_TEST

/* Trim: empty chunks in qInit go, used chunks and their buffers stay. */
START_TEST(trim_only_empty)
{
	struct np_stats st;
	struct np_chunk *a;
	u64 half, x, y;

	cl_make(_i ? 1 : -1);
	half = np_test_alloc(core, 2 << 20);
	a = np_test_chunk_of(core, half);
	x = np_test_alloc(core, 4 << 20);	/* a full chunk of its own */
	ck_assert_ptr_ne(np_test_chunk_of(core, x), a);
	y = np_test_alloc(core, PAGE);		/* goes to a, in q025 */
	ck_assert_ptr_eq(np_test_chunk_of(core, y), a);
	np_test_free(core, x);
	/* b fell out of q000 empty: destroyed, or kept in qInit */
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, _i ? 2 : 1);
	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.bytes_reserved, CHUNK);
	ck_assert_ptr_null(np_test_chunk_of(core, x));
	ck_assert_uint_eq(np_core_usable_size(core, half), 2 << 20);
	ck_assert_uint_eq(np_core_usable_size(core, y), PAGE);
	ck_assert_int_eq(np_test_list_id(a), NP_Q025);
	/* trimming twice changes nothing */
	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	np_test_free(core, half);
	np_test_free(core, y);
}
END_TEST

/*
 * A chunk held in q000 only by the last subpage of its size class (which
 * keeps its page when emptied) is released by trim, which gives that
 * page back and so lets the chunk fall out of q000.
 */
START_TEST(trim_releases_chunk_held_by_subpage)
{
	static u64 elems[246];
	struct np_chunk *chunk;
	struct np_stats st;
	u32 i;

	cl_make(_i ? 1 : -1);
	/* 4 KiB elements, two per page: 123 pages, usage 25 */
	for (i = 0; i < 246; i++)
		elems[i] = np_test_alloc(core, 4096);
	chunk = np_test_chunk_of(core, elems[0]);
	ck_assert_int_eq(np_test_list_id(chunk), NP_Q000);
	for (i = 0; i < 246; i++)
		np_test_free(core, elems[i]);
	/* one page is still carved: usage 1, the chunk stays in q000 */
	ck_assert_uint_eq(chunk->free_bytes, CHUNK - PAGE);
	ck_assert_int_eq(np_test_list_id(chunk), NP_Q000);
	ck_assert_int_eq(np_chunk_usage(chunk), 1);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.active_buffers, 0);
	np_core_trim(core);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	ck_assert_ptr_null(arena->spare);
	ck_assert_ptr_eq(arena->small_pools[3].next, &arena->small_pools[3]);
}
END_TEST

Suite *chunk_list_suite(void)
{
	Suite *s = suite_create("chunk_list");
	TCase *tc;

	tc = tcase_create("migration");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, cl_teardown);
	tcase_add_test(tc, climb_through_every_list);
	tcase_add_test(tc, fall_and_destroy);
	tcase_add_test(tc, fall_into_spare);
	tcase_add_loop_test(tc, random_walk_matches_model, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("empty_chunks");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, cl_teardown);
	tcase_add_loop_test(tc, empty_in_qinit_stays, 0, 2);
	tcase_add_test(tc, keep_one_empty_chunk);
	tcase_add_test(tc, used_spare_is_replaced);
	tcase_add_loop_test(tc, trim_only_empty, 0, 2);
	tcase_add_loop_test(tc, trim_releases_chunk_held_by_subpage, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("allocation_order");
	tcase_add_checked_fixture(tc, NULL, cl_teardown);
	tcase_add_loop_test(tc, allocation_order_pairs, 0, 10);
	tcase_add_test(tc, q050_before_q025);
	tcase_add_test(tc, q075_before_new_chunk);
	suite_add_tcase(s, tc);

	tc = tcase_create("max_capacity");
	tcase_add_checked_fixture(tc, NULL, cl_teardown);
	tcase_add_test(tc, max_capacity_values);
	tcase_add_test(tc, max_capacity_skips_empty_qinit);
	tcase_add_test(tc, max_capacity_bound_inclusive);
	suite_add_tcase(s, tc);
	return s;
}
