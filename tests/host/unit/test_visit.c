// SPDX-License-Identifier: GPL-2.0
/*
 * What outsiders read of a pool (kernel/core/visit.c and
 * np_core_with_region()): every callback of np_core_visit() in its order
 * with the values of a pool in a known state, and the region handed to a
 * function by address.
 */
#include "np_test.h"

#define PAGE	8192ULL

/* Everything a visit showed, in the order it was shown. */
struct seen {
	char order[512];	/* one letter per callback */
	unsigned int n;
	struct np_visit_arena arena;
	struct np_visit_list lists[NP_NR_CHUNK_LISTS];
	struct np_visit_chunk chunks[8];
	unsigned int nr_chunks;
	struct np_visit_subpage subpages[8];
	unsigned int nr_subpages;
	struct np_visit_huge huge[4];
	unsigned int nr_huge;
	u32 subpages_classes[2];
	unsigned int nr_classes;
	bool skip_arena;
};

static void note(struct seen *s, char c)
{
	if (s->n + 1 < sizeof(s->order))
		s->order[s->n++] = c;
}

static void seen_huge(void *arg, const struct np_visit_huge *h)
{
	struct seen *s = arg;

	note(s, 'h');
	if (s->nr_huge < 4)
		s->huge[s->nr_huge++] = *h;
}

static bool seen_arena(void *arg, const struct np_visit_arena *a)
{
	struct seen *s = arg;

	note(s, 'a');
	s->arena = *a;
	return !s->skip_arena;
}

static void seen_list(void *arg, const struct np_visit_list *l)
{
	struct seen *s = arg;

	note(s, 'l');
	s->lists[l->id] = *l;
}

static void seen_chunk(void *arg, const struct np_visit_chunk *c)
{
	struct seen *s = arg;

	note(s, 'c');
	if (s->nr_chunks < 8)
		s->chunks[s->nr_chunks++] = *c;
}

static void seen_subpages(void *arg, u32 arena, u32 size_class)
{
	struct seen *s = arg;

	note(s, 's');
	if (s->nr_classes < 2)
		s->subpages_classes[s->nr_classes++] = size_class;
}

static void seen_subpage(void *arg, const struct np_visit_subpage *sp)
{
	struct seen *s = arg;

	note(s, 'p');
	if (s->nr_subpages < 8)
		s->subpages[s->nr_subpages++] = *sp;
}

static const struct np_visitor every = {
	.huge = seen_huge,
	.arena = seen_arena,
	.list = seen_list,
	.chunk = seen_chunk,
	.subpages = seen_subpages,
	.subpage = seen_subpage,
};

/* An empty pool: its arena, six empty lists linked as Netty links them. */
START_TEST(empty_pool_shows_the_lists)
{
	static const int next[] = { 1, 2, 3, 4, 5, -1 };
	static const int prev[] = { 0, -1, 1, 2, 3, 4 };
	struct np_core *core = np_test_core(PAGE, 9, 1);
	struct seen s = { 0 };
	unsigned int i;

	np_core_visit(core, &every, &s);
	ck_assert_str_eq(s.order, "allllllss");
	ck_assert_uint_eq(s.arena.index, 0);
	ck_assert_uint_eq(s.arena.chunks, 0);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++) {
		ck_assert_uint_eq(s.lists[i].id, i);
		ck_assert_str_eq(s.lists[i].name, np_chunk_list_info[i].name);
		ck_assert_int_eq(s.lists[i].min_usage,
				 np_chunk_list_info[i].min_usage);
		ck_assert_int_eq(s.lists[i].max_usage,
				 np_chunk_list_info[i].max_usage);
		ck_assert_int_eq(s.lists[i].next, next[i]);
		ck_assert_int_eq(s.lists[i].prev, prev[i]);
		ck_assert_uint_eq(s.lists[i].nr_chunks, 0);
	}
	ck_assert_uint_eq(s.subpages_classes[0], NP_SIZE_TINY);
	ck_assert_uint_eq(s.subpages_classes[1], NP_SIZE_SMALL);
	np_core_destroy(core);
}
END_TEST

/*
 * One chunk with a run of 64 pages (12.5%: qInit), a 64-byte element and
 * a 1 KiB element (two subpages), and a huge buffer: each shown with its
 * values, and the callbacks in their order.
 */
START_TEST(busy_pool_shows_chunks_subpages_huge)
{
	struct np_core *core = np_test_core(PAGE, 9, 1);
	u64 run = np_test_alloc(core, 64 * PAGE);
	u64 tiny = np_test_alloc(core, 64);
	u64 small = np_test_alloc(core, 1024);
	u64 huge = np_test_alloc(core, (PAGE << 9) + 1);
	struct np_chunk *chunk = np_test_chunk_of(core, run);
	struct seen s = { 0 };

	np_core_visit(core, &every, &s);
	ck_assert_str_eq(s.order, "halclllllspsp");
	ck_assert_uint_eq(s.nr_huge, 1);
	ck_assert_uint_eq(s.huge[0].key, huge);
	ck_assert_uint_eq(s.huge[0].capacity, np_core_usable_size(core, huge));
	ck_assert_uint_eq(s.huge[0].refs, 1);
	ck_assert_uint_eq(s.arena.chunks, 1);
	ck_assert_uint_eq(s.arena.active_buffers, 3);
	ck_assert_uint_eq(s.arena.bytes_active, 64 * PAGE + 64 + 1024);
	ck_assert_uint_eq(s.lists[NP_QINIT].nr_chunks, 1);
	ck_assert_uint_eq(s.chunks[0].list, NP_QINIT);
	ck_assert_uint_eq(s.chunks[0].key, chunk->region.key);
	ck_assert_uint_eq(s.chunks[0].size, PAGE << 9);
	ck_assert_uint_eq(s.chunks[0].free_bytes, (512 - 66) * PAGE);
	ck_assert_int_eq(s.chunks[0].usage, np_chunk_usage(chunk));
	ck_assert_uint_eq(s.chunks[0].pages_used, 66);
	ck_assert_uint_eq(s.chunks[0].n_pages, 512);
	ck_assert(!s.chunks[0].kept_empty);
	ck_assert_uint_eq(s.subpages[0].size_class, NP_SIZE_TINY);
	ck_assert_uint_eq(s.subpages[0].index, 64 / 16);
	ck_assert_uint_eq(s.subpages[0].elem_size, 64);
	ck_assert_uint_eq(s.subpages[0].chunk_key, chunk->region.key);
	ck_assert_uint_eq(s.subpages[0].page, (tiny - chunk->region.key) / PAGE);
	ck_assert_uint_eq(s.subpages[0].elems_used, 1);
	ck_assert_uint_eq(s.subpages[0].nr_elems, PAGE / 64);
	ck_assert_uint_eq(s.subpages[1].size_class, NP_SIZE_SMALL);
	ck_assert_uint_eq(s.subpages[1].index, 1);
	ck_assert_uint_eq(s.subpages[1].elem_size, 1024);
	ck_assert_uint_eq(s.subpages[1].nr_elems, PAGE / 1024);

	/* an arena the visitor skips shows nothing of its contents */
	memset(&s, 0, sizeof(s));
	s.skip_arena = true;
	np_core_visit(core, &every, &s);
	ck_assert_str_eq(s.order, "ha");

	np_test_free(core, run);
	np_test_free(core, tiny);
	np_test_free(core, small);
	np_test_free(core, huge);
	np_core_destroy(core);
}
END_TEST

/* The spare of keep_empty_chunks is shown as kept empty. */
START_TEST(kept_chunk_is_marked)
{
	struct np_core *core = np_test_core(PAGE, 9, 1);
	u64 a = np_test_alloc(core, 300 * PAGE);
	struct seen s = { 0 };

	np_test_free(core, a);
	np_core_visit(core, &every, &s);
	ck_assert_uint_eq(s.nr_chunks, 1);
	ck_assert(s.chunks[0].kept_empty);
	ck_assert_int_eq(s.chunks[0].usage, 0);
	np_core_destroy(core);
}
END_TEST

static int region_offset_of(void *arg, struct np_region *region, u64 offset)
{
	*(u64 *)arg = region->key + offset;
	return (int)(region->size >> 20);
}

/* np_core_with_region(): the live region holding an address, or -ENOENT. */
START_TEST(with_region_finds_live_regions_only)
{
	struct np_core *core = np_test_core(PAGE, 9, 1);
	u64 a = np_test_alloc(core, 1024), got = 0;

	ck_assert_int_eq(np_core_with_region(core, a + 100, region_offset_of,
					     &got), 4);
	ck_assert_uint_eq(got, a + 100);
	ck_assert_int_eq(np_core_with_region(core, 16, region_offset_of,
					     &got), -ENOENT);
	np_test_free(core, a);
	np_core_trim(core);
	ck_assert_int_eq(np_core_with_region(core, a, region_offset_of, &got),
			 -ENOENT);
	np_core_destroy(core);
}
END_TEST

Suite *visit_suite(void)
{
	Suite *s = suite_create("visit");
	TCase *tc = tcase_create("visit");

	tcase_add_test(tc, empty_pool_shows_the_lists);
	tcase_add_test(tc, busy_pool_shows_chunks_subpages_huge);
	tcase_add_test(tc, kept_chunk_is_marked);
	tcase_add_test(tc, with_region_finds_live_regions_only);
	suite_add_tcase(s, tc);
	return s;
}
