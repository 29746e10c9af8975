/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the unit tests. Each test_*.c file provides one
 * Suite constructor, listed in main.c.
 */
#ifndef NP_TEST_H
#define NP_TEST_H

#include <check.h>
#include <errno.h>

#include "np_core_internal.h"
#include "np_tables.h"
#include "nettypool.h"

Suite *size_class_suite(void);
Suite *buddy_suite(void);
Suite *subpage_suite(void);
Suite *chunk_list_suite(void);
Suite *netty_suite(void);
Suite *library_suite(void);
Suite *stats_suite(void);
Suite *cache_suite(void);
Suite *concurrency_suite(void);
Suite *visit_suite(void);
Suite *cli_text_suite(void);

/* A pool core with the given geometry, one arena, no caches. */
struct np_core *np_test_core(u32 page_size, u32 max_order,
			     int keep_empty_chunks);

/*
 * Fail the current test if an NP_WARN_ON() of the allocator fired. With
 * fork mode every test runs in a child, so main()'s own check of
 * np_env_warnings only sees the CK_FORK=no lane; fixtures call this.
 */
static inline void np_test_no_warnings(void)
{
	ck_assert_msg(np_env_warnings == 0, "%lu allocator warnings fired",
		      np_env_warnings);
}

/* Deterministic pseudo-random numbers (xorshift64*), never 0 state. */
static inline u64 np_test_rand(u64 *state)
{
	u64 x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n), n > 0. */
static inline u64 np_test_below(u64 *state, u64 n)
{
	return (np_test_rand(state) >> 11) % n;
}

/* The chunk of core holding addr, or NULL. */
static inline struct np_chunk *np_test_chunk_of(struct np_core *core,
						u64 addr)
{
	struct np_region *region = np_region_map_find(&core->regions.map, addr);

	if (!region || region->kind != NP_REGION_CHUNK)
		return NULL;
	return np_region_chunk(region);
}

/* A registered chunk of an arena, in no list yet, as the arena makes one. */
static inline struct np_chunk *np_test_new_chunk(struct np_arena *arena)
{
	struct np_chunk *chunk = np_chunk_create(arena->geo, GFP_KERNEL);

	ck_assert_ptr_nonnull(chunk);
	chunk->region.arena = arena;
	ck_assert_int_eq(np_regions_add(arena->regions, &chunk->region,
					GFP_KERNEL), 0);
	return chunk;
}

/* Retire and remove a chunk that is in no list. */
static inline void np_test_retire_chunk(struct np_chunk *chunk)
{
	chunk->region.retired = true;
	chunk->region.next_retired = NULL;
	np_regions_remove(chunk->region.arena->regions, &chunk->region);
}

/* Index of a chunk's list in its arena (enum np_chunk_list_id), or -1. */
static inline int np_test_list_id(const struct np_chunk *chunk)
{
	if (!chunk->list)
		return -1;
	return (int)(chunk->list - chunk->region.arena->lists);
}

/* Allocate from a core, asserting success; returns the address. */
static inline u64 np_test_alloc(struct np_core *core, u64 size)
{
	struct np_buf buf;

	ck_assert_int_eq(np_core_alloc(core, size, GFP_KERNEL, &buf), 0);
	ck_assert_uint_eq(buf.capacity, np_core_normalize(core, size));
	return buf.addr;
}

/* Free into a core, asserting success. */
static inline void np_test_free(struct np_core *core, u64 addr)
{
	ck_assert_int_eq(np_core_free(core, addr), 1);
}

/* Netty's PoolChunk.usage(), restated from the Java source. */
static inline int np_test_netty_usage(u64 free_bytes, u64 chunk_size)
{
	u64 free_percentage;

	if (!free_bytes)
		return 100;
	free_percentage = free_bytes * 100 / chunk_size;
	if (!free_percentage)
		return 99;
	return 100 - (int)free_percentage;
}

/*
 * Every passing ck_assert*() costs check a write() to record the last
 * location reached; in loops of millions of comparisons that dominates.
 * These only call into check when the comparison fails.
 */
#define np_expect(cond) do {						\
	if (np_unlikely(!(cond)))					\
		ck_assert_msg(0, "Assertion '%s' failed", #cond);	\
} while (0)

#define np_expect_eq(x, y) do {						\
	unsigned long long __np_x = (x), __np_y = (y);			\
	if (np_unlikely(__np_x != __np_y))				\
		ck_assert_msg(0, "Assertion '%s == %s' failed: %llu != %llu", \
			      #x, #y, __np_x, __np_y);			\
} while (0)

/*
 * The backend the library tests run on: NP_BACKEND_LOCAL, or the kernel
 * module's when NP_TEST_BACKEND=kernel (the guest runs them so).
 */
static inline int np_test_backend(void)
{
	const char *b = getenv("NP_TEST_BACKEND");

	return b && !strcmp(b, "kernel") ? NP_BACKEND_KERNEL : NP_BACKEND_LOCAL;
}

/*
 * Open a pool with these options on the test backend; NULL + errno as
 * np_pool_open().
 */
static inline struct np_pool *np_test_pool_open(const struct np_pool_opts *opts)
{
	struct np_pool_opts o = { 0 };
	struct np_pool *pool;

	if (opts)
		o = *opts;
	o.backend = np_test_backend();
	if (o.backend == NP_BACKEND_KERNEL)
		o.device = NULL;
	pool = np_pool_open(&o);
	if (pool)
		ck_assert_int_eq(np_pool_backend(pool), o.backend);
	return pool;
}

#define NP_TEST_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* NP_TEST_H */
