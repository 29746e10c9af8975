// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for nettypool's allocator core, run inside the kernel by
 * loading nettypool_kunit.ko (the core is compiled into it: see
 * Kbuild). They look below the API the module exports: the
 * buddy tree's memory_map, subpage bitmaps, the chunk lists a chunk
 * moves through, the region map, and the caches through the pool's
 * counters.
 *
 * Geometry: most cases use a small pool, 4 KiB pages and max_order 4 (a
 * 64 KiB chunk of 16 pages, a tree of 31 nodes), small enough to check
 * every node; some use the default 8 KiB pages and max_order 9.
 *
 * Chunks made with np_chunk_create() have metadata only, no pages: the
 * tree, subpage and chunk-list code never touches a buffer's bytes. Pool
 * cases (np_core_*) get real pages and write through every buffer.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "np_core_internal.h"

#define NP_KT_MAX_CHUNKS	4

/* What a case made, undone by np_kt_exit() even when the case fails. */
struct np_kt {
	struct np_core *core;
	struct np_chunk *chunks[NP_KT_MAX_CHUNKS];
	unsigned int nr_chunks;
};

static int np_kt_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct np_kt), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void np_kt_exit(struct kunit *test)
{
	struct np_kt *kt = test->priv;

	while (kt->nr_chunks)
		np_chunk_destroy(kt->chunks[--kt->nr_chunks]);
	if (kt->core)
		np_core_destroy(kt->core);
	np_mem_set_limit(0);
}

/*
 * A pool of the case: page_size << max_order chunks, one arena, caches
 * of @cache entries per size (-1: none), @keep for keep_empty_chunks.
 */
static struct np_core *np_kt_pool(struct kunit *test, u32 page_size,
				  u32 max_order, s32 cache, s32 keep,
				  u64 max_bytes)
{
	struct np_kt *kt = test->priv;
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = page_size,
		.max_order = max_order,
		.n_arenas = 1,
		.tiny_cache = cache,
		.small_cache = cache,
		.normal_cache = cache,
		.keep_empty_chunks = keep,
		.max_bytes = max_bytes,
	};

	KUNIT_ASSERT_EQ(test, np_config_resolve(&cfg, NULL), 0);
	kt->core = np_core_create(&cfg, NULL, NULL, NP_MEM_MAP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, kt->core);
	return kt->core;
}

/* The small pool, no caches, emptied chunks destroyed as in Netty. */
static struct np_core *np_kt_small_pool(struct kunit *test)
{
	return np_kt_pool(test, 4096, 4, -1, -1, 0);
}

/* A chunk with metadata only, of the pool's only arena. */
static struct np_chunk *np_kt_chunk(struct kunit *test, struct np_core *core)
{
	struct np_kt *kt = test->priv;
	struct np_chunk *chunk;

	KUNIT_ASSERT_LT(test, kt->nr_chunks, NP_KT_MAX_CHUNKS);
	chunk = np_chunk_create(&core->geo, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chunk);
	chunk->region.arena = &core->arenas[0];
	kt->chunks[kt->nr_chunks++] = chunk;
	return chunk;
}

/* The subpage pool of a chunk's arena that an allocation or handle needs. */
static struct np_subpage *np_kt_head(struct np_chunk *chunk, u64 norm)
{
	if (norm >= chunk->geo->page_size)
		return NULL;
	return np_arena_subpage_head(chunk->region.arena, (u32)norm);
}

static u32 np_kt_handle_size(struct np_chunk *chunk, u64 handle)
{
	u32 id = np_handle_memory_map_idx(handle);

	if (!np_handle_is_subpage(handle))
		return chunk->geo->page_size;
	return chunk->subpages[id ^ chunk->geo->n_pages].elem_size;
}

/* The chunk's and the list's calls, with the pool the arena passes. */
static bool np_kt_alloc(struct np_chunk *chunk, u64 norm, u64 *handle)
{
	return np_chunk_allocate(chunk, norm, np_kt_head(chunk, norm), handle);
}

static void np_kt_free(struct np_chunk *chunk, u64 handle)
{
	np_chunk_free(chunk, handle,
		      np_kt_head(chunk, np_kt_handle_size(chunk, handle)));
}

static bool np_kt_list_alloc(struct np_chunk_list *list, u64 norm,
			     struct np_chunk **chunk, u64 *handle)
{
	struct np_subpage *head = NULL;

	if (list->head)
		head = np_kt_head(list->head, norm);
	return np_chunk_list_allocate(list, norm, head, chunk, handle);
}

static bool np_kt_list_free(struct np_chunk_list *list,
			    struct np_chunk *chunk, u64 handle)
{
	return np_chunk_list_free(list, chunk, handle,
				  np_kt_head(chunk,
					     np_kt_handle_size(chunk, handle)));
}

/* The chunk holding a buffer, or NULL for a huge one. */
static struct np_chunk *np_kt_chunk_of(struct np_core *core,
				       const struct np_buf *buf)
{
	struct np_region *region = np_regions_find(&core->regions, buf->addr);

	if (!region || region->kind != NP_REGION_CHUNK)
		return NULL;
	return np_region_chunk(region);
}

static void np_kt_expect_pristine(struct kunit *test, struct np_chunk *chunk)
{
	const struct np_geometry *geo = chunk->geo;

	KUNIT_EXPECT_EQ(test, chunk->free_bytes, geo->chunk_size);
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 0);
	KUNIT_EXPECT_EQ(test, memcmp(chunk->memory_map, chunk->depth_map,
				     (size_t)2 << geo->max_order), 0);
}

/* ------------------------------------------------------- buddy tree */

static void np_kt_depth_map(struct kunit *test)
{
	u8 *map = np_depth_map_create(4, GFP_KERNEL);
	u32 id;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	for (id = 1; id < 32; id++)
		KUNIT_EXPECT_EQ(test, map[id], fls(id) - 1);
	np_meta_free(map);
}

/*
 * One page taken from a fresh 16-page chunk: the leftmost leaf (id 16)
 * is unusable (max_order + 1 = 5) and every ancestor holds the depth of
 * its largest free descendant, its own depth + 1; the other nodes are
 * untouched.
 */
static void np_kt_tree_values(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_chunk *chunk = np_kt_chunk(test, core);
	u64 handle;
	u32 id;

	np_kt_expect_pristine(test, chunk);
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 4096, &handle));
	KUNIT_EXPECT_EQ(test, handle, 16ULL);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[16], 5);
	for (id = 8; id; id >>= 1)
		KUNIT_EXPECT_EQ(test, chunk->memory_map[id],
				chunk->depth_map[id] + 1);
	for (id = 1; id < 32; id++)
		if (id != 16 && id != 8 && id != 4 && id != 2 && id != 1)
			KUNIT_EXPECT_EQ(test, chunk->memory_map[id],
					chunk->depth_map[id]);
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 15 * 4096ULL);
	KUNIT_EXPECT_EQ(test, chunk->run_at_page[0], 16U);

	/* a run of 8 pages must take the right half, node 3 */
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 8 * 4096, &handle));
	KUNIT_EXPECT_EQ(test, handle, 3ULL);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[3], 5);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[1], 2);	/* node 5: 4 pages */
	KUNIT_EXPECT_EQ(test, np_chunk_handle_offset(chunk, handle),
			8 * 4096ULL);

	np_kt_free(chunk, 16);
	np_kt_free(chunk, 3);
	np_kt_expect_pristine(test, chunk);
}

/*
 * Runs of every order fill a fresh chunk exactly, left to right, each
 * aligned to its size and found again by its offset; freeing them all
 * restores the tree byte for byte. Both geometries.
 */
static void np_kt_every_order(struct kunit *test, u32 page_size,
			      u32 max_order)
{
	struct np_core *core = np_kt_pool(test, page_size, max_order, -1, -1, 0);
	struct np_chunk *chunk = np_kt_chunk(test, core);
	const struct np_geometry *geo = &core->geo;
	u64 *handles;
	u32 k;

	handles = kunit_kcalloc(test, geo->n_pages, sizeof(*handles),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, handles);
	for (k = 0; k <= max_order; k++) {
		u64 run = (u64)page_size << k;
		u32 n = 1U << (max_order - k), i, id, capacity;
		u64 handle, off;

		for (i = 0; i < n; i++) {
			KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, run,
								  &handles[i]));
			KUNIT_EXPECT_EQ(test, np_chunk_handle_offset(chunk,
								     handles[i]),
					i * run);
			id = (u32)handles[i];
			KUNIT_EXPECT_EQ(test, np_chunk_run_length(chunk, id), run);
			KUNIT_EXPECT_EQ(test, chunk->memory_map[handles[i]],
					chunk->unusable);
		}
		/* full: nothing more, not even one page */
		KUNIT_EXPECT_FALSE(test, np_kt_alloc(chunk, page_size,
							   &handle));
		KUNIT_EXPECT_EQ(test, chunk->free_bytes, 0ULL);
		KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 100);
		KUNIT_EXPECT_EQ(test, chunk->memory_map[1], chunk->unusable);
		for (i = 0; i < n; i++) {
			KUNIT_EXPECT_TRUE(test, np_chunk_lookup(chunk, i * run,
								&handle,
								&capacity));
			KUNIT_EXPECT_EQ(test, handle, handles[i]);
			KUNIT_EXPECT_EQ(test, capacity, run);
			/* the second page of a run, and byte 16, are no buffer */
			off = i * run + page_size;
			if (k)
				KUNIT_EXPECT_FALSE(test, np_chunk_lookup(chunk, off,
									 &handle,
									 &capacity));
			off = i * run + 16;
			KUNIT_EXPECT_FALSE(test, np_chunk_lookup(chunk, off, &handle,
								 &capacity));
		}
		for (i = 0; i < n; i++)
			np_kt_free(chunk, handles[i]);
		np_kt_expect_pristine(test, chunk);
		KUNIT_EXPECT_FALSE(test, np_chunk_lookup(chunk, 0, &handle,
							 &capacity));
	}
}

static void np_kt_every_order_small(struct kunit *test)
{
	np_kt_every_order(test, 4096, 4);
}

static void np_kt_every_order_default(struct kunit *test)
{
	np_kt_every_order(test, NP_PAGE_SIZE_DEFAULT, NP_MAX_ORDER_DEFAULT);
}

/*
 * Every other page free: half the chunk is free but no run of two pages
 * is; the root says so (depth of the largest free run = max_order). The
 * next page goes to the leftmost hole; freeing buddies merges them.
 */
static void np_kt_fragmentation(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_chunk *chunk = np_kt_chunk(test, core);
	u64 handles[16], handle;
	u32 i;

	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 4096,
							  &handles[i]));
	for (i = 0; i < 16; i += 2)
		np_kt_free(chunk, handles[i]);
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 8 * 4096ULL);
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 50);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[1], 4);
	KUNIT_EXPECT_FALSE(test, np_kt_alloc(chunk, 2 * 4096, &handle));

	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 4096, &handle));
	KUNIT_EXPECT_EQ(test, handle, handles[0]);
	np_kt_free(chunk, handle);

	/* pages 0 and 1 free again: their parent (node 8) is whole */
	np_kt_free(chunk, handles[1]);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[8], 3);
	KUNIT_EXPECT_EQ(test, chunk->memory_map[1], 3);
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 2 * 4096, &handle));
	KUNIT_EXPECT_EQ(test, handle, 8ULL);
	np_kt_free(chunk, handle);
	for (i = 3; i < 16; i += 2)
		np_kt_free(chunk, handles[i]);
	np_kt_expect_pristine(test, chunk);
}

/* Netty's usage: 100 only when full, else at most 99, rounded down. */
static void np_kt_usage(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, NP_PAGE_SIZE_DEFAULT,
					  NP_MAX_ORDER_DEFAULT, -1, -1, 0);
	struct np_chunk *chunk = np_kt_chunk(test, core);
	u64 half, quarter, rest[7], page;
	u32 i;

	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 2 << 20, &half));
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 50);
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 1 << 20, &quarter));
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 75);
	/* all but one 8 KiB page of 512: 0.19% free, reported as 99 */
	for (i = 0; i < 7; i++)
		KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 8192U << (6 - i),
							  &rest[i]));
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 8192ULL);
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 99);
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 8192, &page));
	KUNIT_EXPECT_EQ(test, np_chunk_usage(chunk), 100);
	np_kt_free(chunk, page);
	for (i = 0; i < 7; i++)
		np_kt_free(chunk, rest[i]);
	np_kt_free(chunk, quarter);
	np_kt_free(chunk, half);
	np_kt_expect_pristine(test, chunk);
}

static struct kunit_case np_kt_chunk_cases[] = {
	KUNIT_CASE(np_kt_depth_map),
	KUNIT_CASE(np_kt_tree_values),
	KUNIT_CASE(np_kt_every_order_small),
	KUNIT_CASE(np_kt_every_order_default),
	KUNIT_CASE(np_kt_fragmentation),
	KUNIT_CASE(np_kt_usage),
	{}
};

static struct kunit_suite np_kt_chunk_suite = {
	.name = "nettypool_chunk",
	.init = np_kt_init,
	.exit = np_kt_exit,
	.test_cases = np_kt_chunk_cases,
};

/* ---------------------------------------------------------- subpage */

static u32 np_kt_bits_set(const struct np_subpage *subpage)
{
	u32 i, n = 0;

	for (i = 0; i < subpage->bitmap_length; i++)
		n += hweight64(subpage->bitmap[i]);
	return n;
}

/*
 * Every tiny and small size class of a 4 KiB page: the page is carved
 * into page / size elements, handed out in order from bit 0, each set in
 * the bitmap and found again by its offset; a full subpage leaves its
 * ring. Freed, the last subpage of its class keeps its page (and its
 * ring place) while the chunk still counts the page as used.
 */
static void np_kt_subpage_classes(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_arena *arena = &core->arenas[0];
	struct np_chunk *chunk = np_kt_chunk(test, core);
	u64 *handles;
	u32 size;

	handles = kunit_kcalloc(test, 256, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, handles);
	for (size = 16; size < 4096; size = size < 512 ? size + 16 : size * 2) {
		struct np_subpage *head = np_arena_subpage_head(arena, size);
		struct np_subpage *subpage;
		u32 n = 4096 / size, i, capacity;
		u64 handle;

		KUNIT_ASSERT_TRUE(test, head->next == head);
		KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, size,
							  &handles[0]));
		KUNIT_EXPECT_TRUE(test, np_handle_is_subpage(handles[0]));
		subpage = &chunk->subpages[np_handle_memory_map_idx(handles[0]) ^
					   core->geo.n_pages];
		KUNIT_EXPECT_TRUE(test, head->next == subpage);
		KUNIT_EXPECT_EQ(test, subpage->elem_size, size);
		KUNIT_EXPECT_EQ(test, subpage->max_num_elems, n);
		KUNIT_EXPECT_EQ(test, subpage->bitmap_length,
				DIV_ROUND_UP(n, 64));
		for (i = 1; i < n; i++)
			handles[i] = np_subpage_allocate(subpage);
		for (i = 0; i < n; i++) {
			u64 offset = subpage->run_offset + (u64)i * size;

			KUNIT_EXPECT_EQ(test, np_handle_bitmap_idx(handles[i]), i);
			KUNIT_EXPECT_EQ(test, np_chunk_handle_offset(chunk,
								     handles[i]),
					offset);
			KUNIT_EXPECT_TRUE(test, np_chunk_lookup(chunk, offset,
								&handle,
								&capacity));
			KUNIT_EXPECT_EQ(test, handle, handles[i]);
			KUNIT_EXPECT_EQ(test, capacity, size);
		}
		KUNIT_EXPECT_EQ(test, np_kt_bits_set(subpage), n);
		KUNIT_EXPECT_EQ(test, subpage->num_avail, 0);
		KUNIT_EXPECT_TRUE(test, head->next == head);
		if (size > 16) {	/* no element starts inside another */
			u64 off = subpage->run_offset + 16;

			KUNIT_EXPECT_FALSE(test, np_chunk_lookup(chunk, off,
								 &handle,
								 &capacity));
		}

		for (i = 0; i < n; i++)
			np_kt_free(chunk, handles[i]);
		/* the only subpage of its class: kept, page still taken */
		KUNIT_EXPECT_EQ(test, np_kt_bits_set(subpage), 0U);
		KUNIT_EXPECT_EQ(test, subpage->num_avail, n);
		KUNIT_EXPECT_TRUE(test, subpage->do_not_destroy);
		KUNIT_EXPECT_TRUE(test, head->next == subpage);
		KUNIT_EXPECT_EQ(test, chunk->free_bytes, 15 * 4096ULL);
		KUNIT_EXPECT_FALSE(test, np_chunk_lookup(chunk,
							 subpage->run_offset,
							 &handle, &capacity));
		/* give the page back as trim does */
		np_subpage_remove_from_pool(subpage);
		subpage->do_not_destroy = false;
		np_kt_free(chunk, subpage->memory_map_idx);
		np_kt_expect_pristine(test, chunk);
	}
}

/*
 * Two subpages of one class: the one that empties while the other is in
 * the ring gives its page back; the last one keeps it. The element freed
 * last is the next handed out.
 */
static void np_kt_subpage_last_kept(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_arena *arena = &core->arenas[0];
	struct np_chunk *chunk = np_kt_chunk(test, core);
	struct np_subpage *head = np_arena_subpage_head(arena, 1024);
	struct np_subpage *a, *b;
	u64 ha[4], hb, h;
	u32 i;

	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 1024, &ha[0]));
	a = &chunk->subpages[np_handle_memory_map_idx(ha[0]) ^ 16];
	for (i = 1; i < 4; i++)
		ha[i] = np_subpage_allocate(a);
	KUNIT_ASSERT_TRUE(test, head->next == head);	/* a is full */
	KUNIT_ASSERT_TRUE(test, np_kt_alloc(chunk, 1024, &hb));
	b = &chunk->subpages[np_handle_memory_map_idx(hb) ^ 16];
	KUNIT_EXPECT_TRUE(test, a != b);
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 14 * 4096ULL);

	/* element 2 of a freed: a rejoins the ring; 2 is next */
	np_kt_free(chunk, ha[2]);
	KUNIT_EXPECT_EQ(test, a->next_avail, 2);
	h = np_subpage_allocate(a);
	KUNIT_EXPECT_EQ(test, h, ha[2]);

	for (i = 0; i < 4; i++)
		np_kt_free(chunk, ha[i]);
	/* a emptied with b in the ring: its page went back */
	KUNIT_EXPECT_FALSE(test, a->do_not_destroy);
	KUNIT_EXPECT_TRUE(test, head->next == b && b->next == head);
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 15 * 4096ULL);
	np_kt_free(chunk, hb);
	/* b is the last of its class: kept */
	KUNIT_EXPECT_TRUE(test, b->do_not_destroy);
	KUNIT_EXPECT_TRUE(test, head->next == b);
	KUNIT_EXPECT_EQ(test, chunk->free_bytes, 15 * 4096ULL);
	np_subpage_remove_from_pool(b);
	b->do_not_destroy = false;
	np_kt_free(chunk, b->memory_map_idx);
	np_kt_expect_pristine(test, chunk);
}

static struct kunit_case np_kt_subpage_cases[] = {
	KUNIT_CASE(np_kt_subpage_classes),
	KUNIT_CASE(np_kt_subpage_last_kept),
	{}
};

static struct kunit_suite np_kt_subpage_suite = {
	.name = "nettypool_subpage",
	.init = np_kt_init,
	.exit = np_kt_exit,
	.test_cases = np_kt_subpage_cases,
};

/* ------------------------------------------------------ chunk lists */

/* max_capacity: chunk_size * (100 - max(min_usage, 1)) / 100. */
static void np_kt_list_capacity(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_chunk_list *q = core->arenas[0].lists;
	u64 c = core->geo.chunk_size;

	KUNIT_EXPECT_EQ(test, q[NP_QINIT].max_capacity, c * 99 / 100);
	KUNIT_EXPECT_EQ(test, q[NP_Q000].max_capacity, c * 99 / 100);
	KUNIT_EXPECT_EQ(test, q[NP_Q025].max_capacity, c * 75 / 100);
	KUNIT_EXPECT_EQ(test, q[NP_Q050].max_capacity, c * 50 / 100);
	KUNIT_EXPECT_EQ(test, q[NP_Q075].max_capacity, c * 25 / 100);
	KUNIT_EXPECT_EQ(test, q[NP_Q100].max_capacity, 0ULL);
	KUNIT_EXPECT_TRUE(test, q[NP_QINIT].prev_list == &q[NP_QINIT]);
	KUNIT_EXPECT_TRUE(test, !q[NP_Q000].prev_list);
	KUNIT_EXPECT_TRUE(test, !q[NP_Q100].next_list);
}

/*
 * One 16-page chunk filled a page at a time from qInit, then emptied:
 * it climbs qInit -> q000 (25%) -> q025 (50%) -> q050 (75%) -> q100
 * (100%) and falls q075 (94%) -> q050 (69%) -> q025 (44%) -> q000 (19%)
 * and out of q000 (0%), where the list says the chunk is to be
 * destroyed. A whole-chunk request never fits a qInit chunk.
 */
static void np_kt_list_moves(struct kunit *test)
{
	static const enum np_chunk_list_id up[17] = {
		NP_QINIT, NP_QINIT, NP_QINIT, NP_QINIT, NP_Q000, NP_Q000,
		NP_Q000, NP_Q000, NP_Q025, NP_Q025, NP_Q025, NP_Q025,
		NP_Q050, NP_Q050, NP_Q050, NP_Q050, NP_Q100,
	};
	static const enum np_chunk_list_id down[16] = {
		NP_Q000, NP_Q000, NP_Q000, NP_Q000, NP_Q025, NP_Q025,
		NP_Q025, NP_Q025, NP_Q050, NP_Q050, NP_Q050, NP_Q050,
		NP_Q075, NP_Q075, NP_Q075, NP_Q075,
	};
	struct np_core *core = np_kt_small_pool(test);
	struct np_chunk_list *q = core->arenas[0].lists;
	struct np_chunk *chunk = np_kt_chunk(test, core), *got;
	u64 handles[16], handle;
	int i;

	np_chunk_list_add(&q[NP_QINIT], chunk);
	KUNIT_EXPECT_FALSE(test, np_kt_list_alloc(&q[NP_QINIT],
							16 * 4096, &got,
							&handle));
	for (i = 0; i < 16; i++) {
		KUNIT_ASSERT_TRUE(test, chunk->list == &q[up[i]]);
		KUNIT_ASSERT_TRUE(test, np_kt_list_alloc(chunk->list,
							       4096, &got,
							       &handles[i]));
		KUNIT_EXPECT_TRUE(test, got == chunk);
		KUNIT_EXPECT_EQ(test, chunk->list->nr_chunks, 1ULL);
	}
	KUNIT_EXPECT_TRUE(test, chunk->list == &q[up[16]]);
	for (i = 15; i > 0; i--) {
		KUNIT_EXPECT_TRUE(test, np_kt_list_free(chunk->list, chunk,
							   handles[i]));
		KUNIT_EXPECT_TRUE(test, chunk->list == &q[down[i]]);
	}
	KUNIT_EXPECT_FALSE(test, np_kt_list_free(chunk->list, chunk,
						    handles[0]));
	KUNIT_EXPECT_TRUE(test, !chunk->list);
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		KUNIT_EXPECT_EQ(test, q[i].nr_chunks, 0ULL);
	np_kt_expect_pristine(test, chunk);
}

/* qInit is its own predecessor: a chunk emptied there stays. */
static void np_kt_list_qinit_keeps(struct kunit *test)
{
	struct np_core *core = np_kt_small_pool(test);
	struct np_chunk_list *q = core->arenas[0].lists;
	struct np_chunk *chunk = np_kt_chunk(test, core), *got;
	u64 handle;

	np_chunk_list_add(&q[NP_QINIT], chunk);
	KUNIT_ASSERT_TRUE(test, np_kt_list_alloc(&q[NP_QINIT], 4096,
						       &got, &handle));
	KUNIT_EXPECT_TRUE(test, np_kt_list_free(&q[NP_QINIT], chunk,
						   handle));
	KUNIT_EXPECT_TRUE(test, chunk->list == &q[NP_QINIT]);
	np_chunk_list_remove(&q[NP_QINIT], chunk);
	KUNIT_EXPECT_EQ(test, q[NP_QINIT].nr_chunks, 0ULL);
}

/*
 * Through a pool: a chunk filled to q100 and emptied again is destroyed
 * (keep_empty_chunks -1, as Netty) or kept in qInit as the spare (1),
 * which trim gives back.
 */
static void np_kt_list_keep_empty(struct kunit *test, s32 keep)
{
	struct np_core *core = np_kt_pool(test, 4096, 4, -1, keep, 0);
	struct np_stats st;
	struct np_buf buf;

	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 64 << 10, GFP_KERNEL, &buf),
			0);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.chunks, 1ULL);
	KUNIT_EXPECT_EQ(test, st.chunklist_chunks[NP_Q100], 1ULL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, buf.addr), 1);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.active_buffers, 0ULL);
	if (keep > 0) {
		KUNIT_EXPECT_EQ(test, st.chunks, 1ULL);
		KUNIT_EXPECT_EQ(test, st.chunklist_chunks[NP_QINIT], 1ULL);
		KUNIT_EXPECT_EQ(test, st.bytes_reserved, 64ULL << 10);
		np_core_trim(core);
		np_core_stats(core, &st);
	}
	KUNIT_EXPECT_EQ(test, st.chunks, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_reserved, 0ULL);
	KUNIT_EXPECT_EQ(test, core->regions.map.nr, (size_t)0);
}

static void np_kt_list_keep_empty_netty(struct kunit *test)
{
	np_kt_list_keep_empty(test, -1);
}

static void np_kt_list_keep_empty_kept(struct kunit *test)
{
	np_kt_list_keep_empty(test, 1);
}

static struct kunit_case np_kt_list_cases[] = {
	KUNIT_CASE(np_kt_list_capacity),
	KUNIT_CASE(np_kt_list_moves),
	KUNIT_CASE(np_kt_list_qinit_keeps),
	KUNIT_CASE(np_kt_list_keep_empty_netty),
	KUNIT_CASE(np_kt_list_keep_empty_kept),
	{}
};

static struct kunit_suite np_kt_list_suite = {
	.name = "nettypool_chunk_list",
	.init = np_kt_init,
	.exit = np_kt_exit,
	.test_cases = np_kt_list_cases,
};

/* ------------------------------------------------------- arena, pool */

static void np_kt_normalize(struct kunit *test)
{
	static const struct { u64 size, norm; int class; } t[] = {
		{ 0, 16, NP_SIZE_TINY }, { 1, 16, NP_SIZE_TINY },
		{ 17, 32, NP_SIZE_TINY }, { 496, 496, NP_SIZE_TINY },
		{ 497, 512, NP_SIZE_SMALL }, { 512, 512, NP_SIZE_SMALL },
		{ 513, 1024, NP_SIZE_SMALL }, { 4096, 4096, NP_SIZE_SMALL },
		{ 4097, 8192, NP_SIZE_NORMAL },
		{ 3 << 20, 4 << 20, NP_SIZE_NORMAL },
		{ 4 << 20, 4 << 20, NP_SIZE_NORMAL },
		{ (4 << 20) + 1, (4 << 20) + PAGE_SIZE, NP_SIZE_HUGE },
		{ ~0ULL, 0, -1 },
	};
	struct np_core *core = np_kt_pool(test, 8192, 9, -1, -1, 0);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u64 norm = np_core_normalize(core, t[i].size);

		KUNIT_EXPECT_EQ_MSG(test, norm, t[i].norm, "size %llu",
				    t[i].size);
		if (norm)
			KUNIT_EXPECT_EQ(test,
					(int)np_core_size_class(core, norm),
					t[i].class);
	}
}

/* A byte pattern per buffer, to see that no two overlap. */
static void np_kt_fill(const struct np_buf *buf, u8 seed)
{
	memset((void *)(uintptr_t)buf->addr, seed, buf->capacity);
}

static bool np_kt_check(const struct np_buf *buf, u8 seed)
{
	const u8 *p = (const u8 *)(uintptr_t)buf->addr;
	u64 i;

	for (i = 0; i < buf->capacity; i++)
		if (p[i] != seed)
			return false;
	return true;
}

/*
 * Buffers of every class at once, huge included: each has its
 * normalised capacity, lies inside its region, keeps its bytes while the
 * others are written, and is freed exactly once; the counters go back
 * to zero and every chunk and huge region is gone.
 */
static void np_kt_pool_classes(struct kunit *test)
{
	static const u64 sizes[] = {
		0, 1, 16, 100, 496, 500, 512, 1000, 2048, 4095, 4096, 8192,
		12288, 32768, 65536, 65537, 200000,
	};
	struct np_core *core = np_kt_pool(test, 4096, 4, -1, -1, 0);
	unsigned int i, n = ARRAY_SIZE(sizes) * 3;
	struct np_stats st;
	struct np_buf *bufs;

	bufs = kunit_kcalloc(test, n, sizeof(*bufs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bufs);
	for (i = 0; i < n; i++) {
		u64 size = sizes[i % ARRAY_SIZE(sizes)];

		KUNIT_ASSERT_EQ(test, np_core_alloc(core, size, GFP_KERNEL,
						    &bufs[i]), 0);
		KUNIT_EXPECT_EQ(test, bufs[i].capacity,
				np_core_normalize(core, size));
		KUNIT_EXPECT_GE(test, bufs[i].addr, bufs[i].region_key);
		KUNIT_EXPECT_LE(test, bufs[i].addr + bufs[i].capacity,
				bufs[i].region_key + bufs[i].region_size);
		KUNIT_EXPECT_EQ(test, np_core_usable_size(core, bufs[i].addr),
				bufs[i].capacity);
		KUNIT_EXPECT_EQ(test, !np_kt_chunk_of(core, &bufs[i]),
				bufs[i].capacity > core->geo.chunk_size);
		np_kt_fill(&bufs[i], (u8)(i + 1));
	}
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.active_buffers, (u64)n);
	KUNIT_EXPECT_EQ(test, st.huge_regions, 6ULL);
	KUNIT_EXPECT_EQ(test, st.alloc_huge, 6ULL);
	KUNIT_EXPECT_EQ(test, st.alloc_tiny + st.alloc_small +
			st.alloc_normal + st.alloc_huge, (u64)n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, np_kt_check(&bufs[i], (u8)(i + 1)),
				      "buffer %u", i);
		KUNIT_EXPECT_EQ(test, np_core_free(core, bufs[i].addr), 1);
		KUNIT_EXPECT_EQ(test, np_core_free(core, bufs[i].addr),
				-EINVAL);
	}
	np_core_trim(core);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.active_buffers, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_active, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_reserved, 0ULL);
	KUNIT_EXPECT_EQ(test, st.chunks + st.huge_regions, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_huge, 6ULL);
	KUNIT_EXPECT_EQ(test, core->regions.map.nr, (size_t)0);
}

/*
 * Frees of what is not a live buffer change nothing: an interior byte,
 * a byte past a region, a huge buffer's second page, a freed buffer.
 * Retained buffers take one free per reference.
 */
static void np_kt_pool_bad_free(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, 4096, 4, -1, -1, 0);
	struct np_stats *before, *after;
	struct np_buf small, run, huge;

	before = kunit_kzalloc(test, 2 * sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, before);
	after = before + 1;
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 64, GFP_KERNEL, &small), 0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 8192, GFP_KERNEL, &run), 0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 100000, GFP_KERNEL, &huge),
			0);
	np_core_stats(core, before);
	KUNIT_EXPECT_EQ(test, np_core_free(core, small.addr + 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, small.addr + 64), -EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, run.addr + 4096), -EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, huge.addr + PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, run.region_key +
					   run.region_size + (1ULL << 40)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_retain(core, small.addr + 1), -EINVAL);
	np_core_stats(core, after);
	KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(*before)), 0);

	KUNIT_EXPECT_EQ(test, np_core_retain(core, small.addr), 0);
	KUNIT_EXPECT_EQ(test, np_core_retain(core, huge.addr), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, small.addr), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, huge.addr), 0);
	KUNIT_EXPECT_EQ(test, np_core_usable_size(core, small.addr), 64ULL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, small.addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, huge.addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, run.addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, small.addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_usable_size(core, small.addr), 0ULL);
	np_core_stats(core, after);
	KUNIT_EXPECT_EQ(test, after->active_buffers, 0ULL);
}

/*
 * Byte limits: the pool's max_bytes, and the module-wide one that
 * env_kernel.c enforces over every pool; both refuse with -ENOMEM and
 * allow again once memory is given back.
 */
static void np_kt_pool_limits(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, 4096, 4, -1, -1, 64 << 10);
	struct np_buf a, b;

	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 64 << 10, GFP_KERNEL, &a), 0);
	KUNIT_EXPECT_EQ(test, np_core_alloc(core, 16, GFP_KERNEL, &b), -ENOMEM);
	KUNIT_EXPECT_EQ(test, np_core_alloc(core, 1 << 20, GFP_KERNEL, &b),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, np_core_free(core, a.addr), 1);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 16, GFP_KERNEL, &b), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, b.addr), 1);

	np_core_trim(core);	/* the 16-byte subpage kept the chunk */
	KUNIT_EXPECT_EQ(test, np_mem_total_bytes(), 0ULL);
	core->regions.max_bytes = 0;	/* the pool's limit off */
	np_mem_set_limit(64 << 10);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 32 << 10, GFP_KERNEL, &a), 0);
	KUNIT_EXPECT_EQ(test, np_core_alloc(core, 64 << 10, GFP_KERNEL, &b),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, np_core_alloc(core, 100000, GFP_KERNEL, &b),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, np_core_free(core, a.addr), 1);
	np_mem_set_limit(0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 100000, GFP_KERNEL, &b), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, b.addr), 1);
}

/*
 * Netty's order of the lists: a page goes to a chunk in q050 before the
 * emptier chunk in q025.
 */
static void np_kt_arena_order(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, 4096, 4, -1, -1, 0);
	struct np_chunk_list *q = core->arenas[0].lists;
	struct np_buf fill[12], empty, next;
	unsigned int i;

	for (i = 0; i < 12; i++)	/* 75%: the first chunk goes to q050 */
		KUNIT_ASSERT_EQ(test, np_core_alloc(core, 4096, GFP_KERNEL,
						    &fill[i]), 0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 64 << 10, GFP_KERNEL,
					    &empty), 0);
	KUNIT_ASSERT_EQ(test, np_core_free(core, fill[11].addr), 1);
	KUNIT_ASSERT_TRUE(test, np_kt_chunk_of(core, &fill[0])->list == &q[NP_Q050]);
	/* a second chunk, half used: in q025 */
	KUNIT_ASSERT_EQ(test, np_core_free(core, empty.addr), 1);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 32 << 10, GFP_KERNEL,
					    &empty), 0);
	KUNIT_ASSERT_TRUE(test, np_kt_chunk_of(core, &empty) != np_kt_chunk_of(core, &fill[0]));
	KUNIT_ASSERT_TRUE(test, np_kt_chunk_of(core, &empty)->list == &q[NP_Q025]);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 4096, GFP_KERNEL, &next), 0);
	KUNIT_EXPECT_TRUE(test, np_kt_chunk_of(core, &next) == np_kt_chunk_of(core, &fill[0]));
	KUNIT_EXPECT_EQ(test, np_core_free(core, next.addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, empty.addr), 1);
	for (i = 0; i < 11; i++)
		KUNIT_EXPECT_EQ(test, np_core_free(core, fill[i].addr), 1);
}

static struct kunit_case np_kt_pool_cases[] = {
	KUNIT_CASE(np_kt_normalize),
	KUNIT_CASE(np_kt_pool_classes),
	KUNIT_CASE(np_kt_pool_bad_free),
	KUNIT_CASE(np_kt_pool_limits),
	KUNIT_CASE(np_kt_arena_order),
	{}
};

static struct kunit_suite np_kt_pool_suite = {
	.name = "nettypool_arena",
	.init = np_kt_init,
	.exit = np_kt_exit,
	.test_cases = np_kt_pool_cases,
};

/* ------------------------------------------------------- region map */

/*
 * Regions inserted out of order are found by any byte inside them and
 * by no byte outside; the array grows past its first 16 slots; removal
 * keeps the order.
 */
static void np_kt_region_map(struct kunit *test)
{
	struct np_region_map map = {};
	struct np_rwlock lock;
	struct np_region *r;
	unsigned int i, n = 100;

	np_rwlock_init(&lock);
	r = kunit_kcalloc(test, n, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	for (i = 0; i < n; i++) {
		/* keys 0x10000 * (37 i mod 100) + 0x100000: a permutation */
		r[i].key = 0x100000 + 0x10000ULL * ((37 * i) % n);
		r[i].size = 0x8000;
		if (map.nr == map.cap)
			KUNIT_ASSERT_EQ(test, np_region_map_grow(&map, &lock,
								 GFP_KERNEL), 0);
		np_region_map_insert(&map, &r[i]);
	}
	KUNIT_EXPECT_EQ(test, map.nr, (size_t)n);
	KUNIT_EXPECT_GE(test, map.cap, (size_t)n);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_LT(test, map.slots[i - 1]->key, map.slots[i]->key);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map, r[i].key),
				    &r[i]);
		KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map,
							     r[i].key + 0x7fff),
				    &r[i]);
		KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map,
							     r[i].key + 0x8000),
				    NULL);
	}
	KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map, 0), NULL);
	KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map, 0xfffff), NULL);
	KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map, ~0ULL), NULL);
	for (i = 0; i < n; i += 2)
		np_region_map_remove(&map, &r[i]);
	KUNIT_EXPECT_EQ(test, map.nr, (size_t)n / 2);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_PTR_EQ(test, np_region_map_find(&map, r[i].key + 1),
				    i % 2 ? &r[i] : NULL);
	for (i = 1; i < n; i += 2)
		np_region_map_remove(&map, &r[i]);
	KUNIT_EXPECT_EQ(test, map.nr, (size_t)0);
	np_region_map_fini(&map);
	np_rwlock_destroy(&lock);
}

static struct kunit_case np_kt_region_map_cases[] = {
	KUNIT_CASE(np_kt_region_map),
	{}
};

static struct kunit_suite np_kt_region_map_suite = {
	.name = "nettypool_region_map",
	.test_cases = np_kt_region_map_cases,
};

/* ----------------------------------------------------------- caches */

/*
 * A freed buffer of a cached size stays in this CPU's cache: counted as
 * cached, not active, not live (a second free and usable_size refuse
 * it); the next request of its size gets it back as a hit. The task
 * stays on its CPU, whose cache this is.
 */
static void np_kt_cache_hit(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, 4096, 4, 0, -1, 0);
	struct np_buf a, b;
	struct np_stats st;

	migrate_disable();
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 100, GFP_KERNEL, &a), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, a.addr), 1);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.bytes_cached, 112ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_active, 0ULL);
	KUNIT_EXPECT_EQ(test, st.active_buffers, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_tiny, 0ULL);
	KUNIT_EXPECT_EQ(test, st.cache_hits, 0ULL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, a.addr), -EINVAL);
	KUNIT_EXPECT_EQ(test, np_core_usable_size(core, a.addr), 0ULL);

	KUNIT_EXPECT_EQ(test, np_core_alloc(core, 97, GFP_KERNEL, &b), 0);
	KUNIT_EXPECT_EQ(test, b.addr, a.addr);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.cache_hits, 1ULL);
	KUNIT_EXPECT_EQ(test, st.alloc_tiny, 1ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_cached, 0ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_active, 112ULL);
	KUNIT_EXPECT_EQ(test, np_core_usable_size(core, b.addr), 112ULL);
	KUNIT_EXPECT_EQ(test, np_core_free(core, b.addr), 1);
	migrate_enable();
}

/*
 * A bin holds at most its configured entries (here 4); normal sizes are
 * cached up to 32 KiB only; a flush (and trim) gives everything back to
 * the arenas, whose free counters then see it; destroying a pool with
 * cached buffers reports no leak.
 */
static void np_kt_cache_limits(struct kunit *test)
{
	struct np_core *core = np_kt_pool(test, 4096, 5, 4, -1, 0);
	struct np_buf bufs[6], big, normal;
	struct np_stats st;
	unsigned int i;

	migrate_disable();
	for (i = 0; i < 6; i++)
		KUNIT_ASSERT_EQ(test, np_core_alloc(core, 32, GFP_KERNEL,
						    &bufs[i]), 0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 64 << 10, GFP_KERNEL, &big),
			0);
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 32 << 10, GFP_KERNEL,
					    &normal), 0);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, np_core_free(core, bufs[i].addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, big.addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_free(core, normal.addr), 1);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.bytes_cached, 4 * 32ULL + (32 << 10));
	KUNIT_EXPECT_EQ(test, st.free_tiny, 2ULL);
	KUNIT_EXPECT_EQ(test, st.free_normal, 1ULL);
	KUNIT_EXPECT_EQ(test, st.active_buffers, 0ULL);
	migrate_enable();

	np_core_flush_caches(core);
	np_core_stats(core, &st);
	KUNIT_EXPECT_EQ(test, st.bytes_cached, 0ULL);
	KUNIT_EXPECT_EQ(test, st.free_tiny, 6ULL);
	KUNIT_EXPECT_EQ(test, st.free_normal, 2ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_active, 0ULL);

	/* cached again, then the pool goes: nothing counts as leaked */
	KUNIT_ASSERT_EQ(test, np_core_alloc(core, 32, GFP_KERNEL, &bufs[0]), 0);
	KUNIT_EXPECT_EQ(test, np_core_free(core, bufs[0].addr), 1);
	KUNIT_EXPECT_EQ(test, np_core_destroy(core), 0ULL);
	((struct np_kt *)test->priv)->core = NULL;
}

static struct kunit_case np_kt_cache_cases[] = {
	KUNIT_CASE(np_kt_cache_hit),
	KUNIT_CASE(np_kt_cache_limits),
	{}
};

static struct kunit_suite np_kt_cache_suite = {
	.name = "nettypool_cache",
	.init = np_kt_init,
	.exit = np_kt_exit,
	.test_cases = np_kt_cache_cases,
};

kunit_test_suites(&np_kt_chunk_suite, &np_kt_subpage_suite,
		  &np_kt_list_suite, &np_kt_pool_suite,
		  &np_kt_region_map_suite, &np_kt_cache_suite);

MODULE_DESCRIPTION("KUnit suites of nettypool's allocator core");
MODULE_LICENSE("GPL");
