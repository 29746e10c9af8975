// SPDX-License-Identifier: GPL-2.0
/*
 * Subpages (kernel/core/subpage.c, Netty's PoolSubpage), driven through
 * np_core_alloc()/np_core_free() by address, their state read from the
 * core's structures: every tiny (16..496) and small (512..page/2) element
 * size with 8 KiB pages, and a few with 4 KiB and 64 KiB pages.
 */
#include <stdlib.h>

#include "np_test.h"

struct sp_case {
	u32 page_size;
	u32 elem;
};

#define NR_SP_CASES	(31 + 4 + 5 + 5)

static struct sp_case sp_cases[NR_SP_CASES];

static void sp_cases_init(void)
{
	static const struct sp_case extra[] = {
		{ 4096, 16 }, { 4096, 48 }, { 4096, 496 }, { 4096, 512 },
		{ 4096, 2048 },
		{ 65536, 16 }, { 65536, 496 }, { 65536, 512 }, { 65536, 4096 },
		{ 65536, 32768 },
	};
	unsigned int i, n = 0;

	for (i = 1; i < NP_NR_TINY_POOLS; i++)
		sp_cases[n++] = (struct sp_case){ 8192, i * NP_TINY_QUANTUM };
	for (i = 512; i < 8192; i <<= 1)
		sp_cases[n++] = (struct sp_case){ 8192, i };
	for (i = 0; i < NP_TEST_ARRAY_SIZE(extra); i++)
		sp_cases[n++] = extra[i];
}

static struct np_core *core;
static const struct sp_case *sc;
static u32 n_elems;		/* elements per page */
static u64 *addrs;		/* the first page's elements, by index */
static u64 rnd;

static void sp_setup(u32 i)
{
	sc = &sp_cases[i];
	core = np_test_core(sc->page_size, 5, 1);
	ck_assert_ptr_nonnull(core);
	n_elems = sc->page_size / sc->elem;
	addrs = calloc(n_elems, sizeof(*addrs));
	ck_assert_ptr_nonnull(addrs);
	rnd = 0xabcdef12345ULL + i;
}

static void sp_teardown(void)
{
	np_core_destroy(core);
	free(addrs);
	np_test_no_warnings();
}

static struct np_subpage *head_of(void)
{
	return np_arena_subpage_head(&core->arenas[0], sc->elem);
}

static struct np_subpage *subpage_of(u64 addr)
{
	struct np_chunk *chunk = np_test_chunk_of(core, addr);

	ck_assert_ptr_nonnull(chunk);
	return &chunk->subpages[(addr - chunk->region.key) >>
				core->geo.page_shift];
}

/* Is the subpage in the ring of its size class? */
static bool in_ring(const struct np_subpage *sp)
{
	const struct np_subpage *head = head_of(), *s;

	for (s = head->next; s != head; s = s->next)
		if (s == sp)
			return true;
	return false;
}

/* Allocate the n elements of a fresh page; they come out in order. */
static void fill_first_page(void)
{
	u32 i;

	for (i = 0; i < n_elems; i++) {
		addrs[i] = np_test_alloc(core, sc->elem);
		np_expect_eq(addrs[i], addrs[0] + (u64)i * sc->elem);
	}
}

static void shuffle(u32 *v, u32 n)
{
	u32 i;

	for (i = n; i > 1; i--) {
		u32 j = (u32)np_test_below(&rnd, i);
		u32 t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Filling a page: element order, ring membership, counts. */
START_TEST(fill_page_leaves_ring)
{
	struct np_subpage *sp;
	struct np_chunk *chunk;
	u64 next;

	sp_setup(_i);
	addrs[0] = np_test_alloc(core, sc->elem);
	chunk = np_test_chunk_of(core, addrs[0]);
	/* a fresh chunk gives its leftmost page */
	ck_assert_uint_eq(addrs[0], chunk->region.key);
	sp = subpage_of(addrs[0]);
	ck_assert(sp->do_not_destroy);
	ck_assert_uint_eq(sp->elem_size, sc->elem);
	ck_assert_uint_eq(sp->max_num_elems, n_elems);
	ck_assert_uint_eq(sp->memory_map_idx, core->geo.n_pages);
	ck_assert_uint_eq(sp->num_avail, n_elems - 1);
	ck_assert_uint_eq(chunk->free_bytes,
			  chunk->region.size - sc->page_size);
	ck_assert(in_ring(sp));
	ck_assert_ptr_eq(head_of()->next, sp);
	/* the page leaves the chunk's tree as one allocated leaf */
	ck_assert_uint_eq(chunk->memory_map[core->geo.n_pages],
			  core->geo.max_order + 1);

	np_test_free(core, chunk->region.key);
	fill_first_page();
	ck_assert_uint_eq(addrs[0], chunk->region.key);
	ck_assert_uint_eq(sp->num_avail, 0);
	ck_assert(!in_ring(sp));
	ck_assert_ptr_eq(head_of()->next, head_of());
	ck_assert(sp->do_not_destroy);
	/* the next element needs the next page */
	next = np_test_alloc(core, sc->elem);
	ck_assert_uint_eq(next, chunk->region.key + sc->page_size);
	ck_assert_ptr_eq(head_of()->next, subpage_of(next));
	ck_assert_uint_eq(chunk->free_bytes,
			  chunk->region.size - 2 * sc->page_size);
}
END_TEST

/*
 * Free a random subset in random order, then refill: the element freed
 * last comes first (next_avail), the others lowest index first.
 */
START_TEST(refill_order)
{
	u32 *order, *sorted, n_free, i, j, round;
	struct np_subpage *sp;
	u64 chunk_free;

	sp_setup(_i);
	order = calloc(n_elems, sizeof(*order));
	sorted = calloc(n_elems, sizeof(*sorted));
	ck_assert(order && sorted);
	fill_first_page();
	sp = subpage_of(addrs[0]);
	chunk_free = np_test_chunk_of(core, addrs[0])->free_bytes;
	for (round = 0; round < 4; round++) {
		for (i = 0; i < n_elems; i++)
			order[i] = i;
		shuffle(order, n_elems);
		/* the last round frees every element */
		n_free = round == 3 ? n_elems :
			 1 + (u32)np_test_below(&rnd, n_elems);
		for (i = 0; i < n_free; i++) {
			np_test_free(core, addrs[order[i]]);
			np_expect(in_ring(sp));
		}
		ck_assert_uint_eq(sp->num_avail, n_free);
		/* alone in its ring: even entirely free it keeps its page */
		ck_assert(sp->do_not_destroy);
		ck_assert_uint_eq(np_test_chunk_of(core, addrs[0])->free_bytes,
				  chunk_free);
		/* expected refill: last freed, then ascending */
		memset(sorted, 0, n_elems * sizeof(*sorted));
		for (i = 0; i + 1 < n_free; i++)
			sorted[order[i]] = 1;
		ck_assert_uint_eq(np_test_alloc(core, sc->elem),
				  addrs[order[n_free - 1]]);
		for (j = 0; j < n_elems; j++)
			if (sorted[j])
				np_expect_eq(np_test_alloc(core, sc->elem),
					     addrs[j]);
		ck_assert_uint_eq(sp->num_avail, 0);
		ck_assert(!in_ring(sp));
	}
	free(order);
	free(sorted);
}
END_TEST

/* Element starts resolve; interiors, the tail and freed elements do not. */
START_TEST(element_lookups)
{
	u64 tail, addr, handle;
	struct np_chunk *chunk;
	u32 i, capacity;

	sp_setup(_i);
	fill_first_page();
	chunk = np_test_chunk_of(core, addrs[0]);
	for (i = 0; i < n_elems; i++) {
		addr = addrs[i];
		np_expect_eq(np_core_usable_size(core, addr), sc->elem);
		np_expect(np_chunk_lookup(chunk, addr - chunk->region.key,
					  &handle, &capacity));
		np_expect_eq(handle, np_handle(core->geo.n_pages, i));
		np_expect_eq(capacity, sc->elem);
		np_expect_eq(np_chunk_handle_offset(chunk, handle),
			     addr - chunk->region.key);
		np_expect_eq(np_core_usable_size(core, addr + 1), 0);
		np_expect_eq(np_core_usable_size(core, addr + sc->elem / 2), 0);
		np_expect_eq(np_core_usable_size(core, addr + sc->elem - 1), 0);
		np_expect_eq(np_core_free(core, addr + sc->elem / 2), -EINVAL);
		np_expect_eq(np_core_retain(core, addr + 8), -EINVAL);
	}
	/* the bytes past the last whole element are no buffer */
	tail = addrs[0] + (u64)n_elems * sc->elem;
	if (sc->page_size % sc->elem) {
		ck_assert_uint_eq(np_core_usable_size(core, tail), 0);
		ck_assert_int_eq(np_core_free(core, tail), -EINVAL);
	}
	/* free the odd elements: they are refused from then on */
	for (i = 1; i < n_elems; i += 2)
		np_test_free(core, addrs[i]);
	for (i = 0; i < n_elems; i++) {
		np_expect_eq(np_core_usable_size(core, addrs[i]),
			     i % 2 ? 0 : sc->elem);
		if (i % 2)
			np_expect_eq(np_core_free(core, addrs[i]), -EINVAL);
	}
	ck_assert_uint_eq(subpage_of(addrs[0])->num_avail, n_elems / 2);
}
END_TEST

/* An emptied subpage alone in its ring keeps its page, and is reused. */
START_TEST(alone_keeps_page)
{
	struct np_subpage *sp;
	struct np_chunk *chunk;
	u64 other, before;
	u32 i, *order;
	struct np_stats st;

	sp_setup(_i);
	fill_first_page();
	chunk = np_test_chunk_of(core, addrs[0]);
	sp = subpage_of(addrs[0]);
	/* a subpage of another size does not share the ring */
	other = np_test_alloc(core, sc->elem == 16 ? 32 : 16);
	ck_assert_ptr_ne(subpage_of(other), sp);
	before = chunk->free_bytes;
	order = calloc(n_elems, sizeof(*order));
	for (i = 0; i < n_elems; i++)
		order[i] = i;
	shuffle(order, n_elems);
	for (i = 0; i < n_elems; i++)
		np_test_free(core, addrs[order[i]]);
	ck_assert_uint_eq(chunk->free_bytes, before);
	ck_assert(sp->do_not_destroy);
	ck_assert_uint_eq(sp->num_avail, n_elems);
	ck_assert_ptr_eq(head_of()->next, sp);
	ck_assert_ptr_eq(sp->next, head_of());
	ck_assert_uint_eq(chunk->memory_map[sp->memory_map_idx],
			  core->geo.max_order + 1);
	/* no element is live, yet the page is still carved */
	for (i = 0; i < n_elems; i++)
		np_expect_eq(np_core_usable_size(core, addrs[i]), 0);
	np_core_stats(core, &st);
	ck_assert_uint_eq(st.active_buffers, 1);
	ck_assert_uint_eq(st.chunks, 1);
	/* the next request of the size is served from it, last freed first */
	ck_assert_uint_eq(np_test_alloc(core, sc->elem),
			  addrs[order[n_elems - 1]]);
	ck_assert_uint_eq(chunk->free_bytes, before);
	free(order);
}
END_TEST

/*
 * An emptied subpage with another of its size in the ring gives its page
 * back to the chunk: free_bytes grows by exactly one page.
 */
START_TEST(empty_with_sibling_returns_page)
{
	struct np_subpage *a, *b;
	struct np_chunk *chunk;
	u64 second, before, run;
	u32 i, *order, leaf;

	sp_setup(_i);
	fill_first_page();
	second = np_test_alloc(core, sc->elem);
	chunk = np_test_chunk_of(core, addrs[0]);
	a = subpage_of(addrs[0]);
	b = subpage_of(second);
	ck_assert_ptr_ne(a, b);
	leaf = a->memory_map_idx;
	order = calloc(n_elems, sizeof(*order));
	for (i = 0; i < n_elems; i++)
		order[i] = i;
	shuffle(order, n_elems);
	for (i = 0; i + 1 < n_elems; i++) {
		np_test_free(core, addrs[order[i]]);
		np_expect(a->do_not_destroy);
	}
	ck_assert(in_ring(a) && in_ring(b));
	before = chunk->free_bytes;
	ck_assert_uint_eq(before, chunk->region.size - 2 * sc->page_size);
	np_test_free(core, addrs[order[n_elems - 1]]);
	ck_assert_uint_eq(chunk->free_bytes, before + sc->page_size);
	ck_assert(!a->do_not_destroy);
	ck_assert(!in_ring(a));
	ck_assert_ptr_eq(head_of()->next, b);
	ck_assert_ptr_eq(b->next, head_of());
	ck_assert_uint_eq(chunk->memory_map[leaf], core->geo.max_order);
	for (i = 0; i < n_elems; i++)
		np_expect_eq(np_core_usable_size(core, addrs[i]), 0);
	ck_assert_int_eq(np_core_free(core, addrs[0]), -EINVAL);
	/* the same size now goes to the sibling */
	ck_assert_uint_eq(np_test_alloc(core, sc->elem), second + sc->elem);
	/* and the returned page is the leftmost free one for a run */
	run = np_test_alloc(core, sc->page_size);
	ck_assert_uint_eq(run, addrs[0]);
	ck_assert_uint_eq(np_core_usable_size(core, run), sc->page_size);
	/* the stale subpage does not resolve inside the run */
	ck_assert_uint_eq(np_core_usable_size(core, run + sc->elem), 0);
	free(order);
}
END_TEST

/* Tiny and small counters follow the class of the element size. */
START_TEST(class_counters)
{
	struct np_stats st;
	u32 i;

	sp_setup(_i);
	fill_first_page();
	for (i = 0; i < n_elems; i += 3)
		np_test_free(core, addrs[i]);
	np_core_stats(core, &st);
	if (sc->elem < NP_TINY_MAX) {
		ck_assert_uint_eq(st.alloc_tiny, n_elems);
		ck_assert_uint_eq(st.free_tiny, (n_elems + 2) / 3);
		ck_assert_uint_eq(st.alloc_small, 0);
	} else {
		ck_assert_uint_eq(st.alloc_small, n_elems);
		ck_assert_uint_eq(st.free_small, (n_elems + 2) / 3);
		ck_assert_uint_eq(st.alloc_tiny, 0);
	}
	ck_assert_uint_eq(st.alloc_normal, 0);
	ck_assert_uint_eq(st.active_buffers, n_elems - (n_elems + 2) / 3);
	ck_assert_uint_eq(st.bytes_active,
			  (u64)(n_elems - (n_elems + 2) / 3) * sc->elem);
}
END_TEST

/* Requests rounding to the same element size share a subpage. */
START_TEST(requests_share_size_class)
{
	u64 a, b, c;

	sp_setup(0);
	a = np_test_alloc(core, 1);
	b = np_test_alloc(core, 16);
	c = np_test_alloc(core, 0);
	ck_assert_uint_eq(b, a + 16);
	ck_assert_uint_eq(c, a + 32);
	ck_assert_ptr_eq(subpage_of(a), subpage_of(c));
	/* 17 bytes is the next class, on a page of its own */
	ck_assert_uint_eq(np_test_alloc(core, 17), a + 8192);
	/* 510 bytes are served as a 512-byte small element */
	ck_assert_uint_eq(np_core_usable_size(core, np_test_alloc(core, 510)),
			  512);
}
END_TEST

/* Trim gives back the page an emptied lone subpage kept. */
START_TEST(trim_releases_kept_page)
{
	struct np_chunk *chunk;
	u64 keep, before;
	u32 i;

	sp_setup(_i);
	/* a normal run keeps the chunk alive through the trim */
	keep = np_test_alloc(core, sc->page_size);
	fill_first_page();
	chunk = np_test_chunk_of(core, addrs[0]);
	for (i = 0; i < n_elems; i++)
		np_test_free(core, addrs[i]);
	before = chunk->free_bytes;
	np_core_trim(core);
	ck_assert_uint_eq(chunk->free_bytes, before + sc->page_size);
	ck_assert_ptr_eq(head_of()->next, head_of());
	ck_assert_uint_eq(np_core_usable_size(core, keep), sc->page_size);
	np_test_free(core, keep);
	np_core_trim(core);
	ck_assert_uint_eq(core->regions.bytes_reserved, 0);
}
END_TEST

Suite *subpage_suite(void)
{
	Suite *s = suite_create("subpage");
	TCase *tc;

	sp_cases_init();
	tc = tcase_create("fill");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sp_teardown);
	tcase_add_loop_test(tc, fill_page_leaves_ring, 0, NR_SP_CASES);
	tcase_add_loop_test(tc, refill_order, 0, NR_SP_CASES);
	tcase_add_loop_test(tc, class_counters, 0, NR_SP_CASES);
	tcase_add_test(tc, requests_share_size_class);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sp_teardown);
	tcase_add_loop_test(tc, element_lookups, 0, NR_SP_CASES);
	suite_add_tcase(s, tc);

	tc = tcase_create("release");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, sp_teardown);
	tcase_add_loop_test(tc, alone_keeps_page, 0, NR_SP_CASES);
	tcase_add_loop_test(tc, empty_with_sibling_returns_page, 0,
			    NR_SP_CASES);
	tcase_add_loop_test(tc, trim_releases_kept_page, 0, NR_SP_CASES);
	suite_add_tcase(s, tc);
	return s;
}
