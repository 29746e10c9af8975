// SPDX-License-Identifier: GPL-2.0
/*
 * The public API of libnettypool (userspace/include/nettypool.h), in-process
 * backend: options and their validation, the errno conventions, what is
 * and is not a live buffer, references, zeroing, huge buffers and the
 * pool's byte limit.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "np_test.h"

static struct np_pool *pool;

static void lib_teardown(void)
{
	if (pool)
		ck_assert_int_eq(np_pool_close(pool), 0);
	pool = NULL;
	np_test_no_warnings();
}

/*
 * One arena, so that which chunk serves a request does not depend on the
 * CPU (kernel backend) or thread the test runs on.
 */
static struct np_pool *open_local(void)
{
	struct np_pool_opts opts = { .backend = NP_BACKEND_LOCAL, .n_arenas = 1 };
	struct np_pool *p = np_test_pool_open(&opts);

	ck_assert_ptr_nonnull(p);
	return p;
}

static struct np_stats stats_of(struct np_pool *p)
{
	struct np_stats st;

	ck_assert_int_eq(np_pool_stats(p, &st), 0);
	return st;
}

static long sys_page(void)
{
	return sysconf(_SC_PAGESIZE);
}

START_TEST(open_null_opts_defaults)
{
	struct np_stats st;
	void *buf;

	pool = np_pool_open(NULL);
	ck_assert_ptr_nonnull(pool);
	ck_assert(np_pool_backend(pool) == NP_BACKEND_LOCAL ||
		  np_pool_backend(pool) == NP_BACKEND_KERNEL);
	st = stats_of(pool);
	ck_assert_uint_eq(st.page_size, 8192);
	ck_assert_uint_eq(st.chunk_size, 4 << 20);
	ck_assert_uint_eq(st.n_arenas, (u64)sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_uint_eq(st.chunks, 0);
	ck_assert_uint_eq(st.bytes_reserved, 0);
	buf = np_alloc(pool, 100);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(np_usable_size(pool, buf), 112);
	ck_assert_int_eq(np_free(pool, buf), 0);
}
END_TEST

START_TEST(open_every_option)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.device = "/nonexistent/nettypool",
		.page_size = 16384,
		.max_order = 5,
		.n_arenas = 3,
		.tiny_cache = -1,
		.small_cache = 7,
		.normal_cache = 65536,
		.keep_empty_chunks = 1,
		.max_bytes = 64 << 20,
	};
	struct np_stats st;
	void *buf;

	pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	ck_assert_int_eq(np_pool_backend(pool), np_test_backend());
	st = stats_of(pool);
	ck_assert_uint_eq(st.page_size, 16384);
	ck_assert_uint_eq(st.chunk_size, 16384 << 5);
	ck_assert_uint_eq(st.n_arenas, 3);
	/* small is below the 16 KiB page now, normal from 16 KiB */
	buf = np_alloc(pool, 9000);
	ck_assert_uint_eq(np_usable_size(pool, buf), 16384);
	ck_assert_uint_eq(stats_of(pool).alloc_normal, 1);
	ck_assert_int_eq(np_free(pool, buf), 0);
	buf = np_alloc(pool, 8192);
	ck_assert_uint_eq(stats_of(pool).alloc_small, 1);
	ck_assert_int_eq(np_free(pool, buf), 0);
}
END_TEST

/* Each invalid option alone: NULL with errno EINVAL. */
struct bad_opt {
	const char *what;
	struct np_pool_opts opts;
};

static const struct bad_opt bad_opts[] = {
	{ "page_size 1000", { .page_size = 1000 } },
	{ "page_size 2048", { .page_size = 2048 } },
	{ "page_size 12288", { .page_size = 12288 } },
	{ "page_size 131072", { .page_size = 131072 } },
	{ "page_size 2^33", { .page_size = (size_t)1 << 33 } },
	{ "max_order 15", { .max_order = 15 } },
	{ "max_order 15, 4 KiB pages", { .page_size = 4096, .max_order = 15 } },
	{ "n_arenas 1025", { .n_arenas = 1025 } },
	{ "tiny_cache -2", { .tiny_cache = -2 } },
	{ "small_cache -2", { .small_cache = -2 } },
	{ "normal_cache 65537", { .normal_cache = 65537 } },
	{ "keep_empty_chunks 2", { .keep_empty_chunks = 2 } },
	{ "keep_empty_chunks -2", { .keep_empty_chunks = -2 } },
	{ "backend 7", { .backend = 7 } },
	{ "backend -1", { .backend = -1 } },
};

START_TEST(invalid_option)
{
	struct np_pool_opts opts = bad_opts[_i].opts;
	struct np_pool *p;

	errno = 0;
	if (opts.backend == NP_BACKEND_AUTO)
		p = np_test_pool_open(&opts);
	else
		p = np_pool_open(&opts);
	ck_assert_msg(!p, "%s accepted", bad_opts[_i].what);
	ck_assert_msg(errno == EINVAL, "%s: errno %d", bad_opts[_i].what,
		      errno);
}
END_TEST

/* Limits that are valid, including the 1 GiB chunk. */
START_TEST(valid_limits)
{
	static const struct np_pool_opts ok[] = {
		{ .page_size = 4096, .max_order = 14 },
		{ .page_size = 65536, .max_order = 14 },	/* exactly 1 GiB */
		{ .page_size = 65536, .max_order = 1 },
		{ .n_arenas = 1024 },
		{ .tiny_cache = 65536, .small_cache = -1, .normal_cache = 1 },
		{ .keep_empty_chunks = -1 },
		{ .max_bytes = 1 },
	};
	unsigned int i;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(ok); i++) {
		struct np_pool_opts opts = ok[i];
		struct np_pool *p;

		opts.backend = NP_BACKEND_LOCAL;
		p = np_test_pool_open(&opts);
		ck_assert_msg(p, "option set %u refused", i);
		ck_assert_int_eq(np_pool_close(p), 0);
	}
}
END_TEST

/* A 1 GiB chunk really works (its pages are never touched here). */
START_TEST(one_gib_chunk)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.page_size = 65536,
		.max_order = 14,
		.n_arenas = 1,
	};
	struct np_stats st;
	void *a, *b;

	pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	a = np_alloc(pool, 1);
	b = np_alloc(pool, 512 << 20);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	st = stats_of(pool);
	ck_assert_uint_eq(st.chunk_size, 1ULL << 30);
	ck_assert_uint_eq(st.chunks, 1);
	ck_assert_uint_eq(st.bytes_reserved, 1ULL << 30);
	ck_assert_uint_eq((uintptr_t)b - (uintptr_t)a, 512 << 20);
	ck_assert_int_eq(np_free(pool, b), 0);
	ck_assert_int_eq(np_free(pool, a), 0);
}
END_TEST

/* Zero means default field by field: max_order 0 is 9 with 4 KiB pages. */
START_TEST(zero_fields_are_defaults)
{
	struct np_pool_opts opts = { .page_size = 4096, .n_arenas = 2 };
	struct np_stats st;

	pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	st = stats_of(pool);
	ck_assert_uint_eq(st.page_size, 4096);
	ck_assert_uint_eq(st.chunk_size, 4096 << 9);
	ck_assert_uint_eq(st.n_arenas, 2);
}
END_TEST

/* The core's resolution of a configuration, which backs the options. */
START_TEST(config_resolve_defaults)
{
	struct np_config cfg = { 0 };

	ck_assert_int_eq(np_config_resolve(&cfg, NULL), 0);
	ck_assert_uint_eq(cfg.page_size, 8192);
	ck_assert_uint_eq(cfg.max_order, 9);
	ck_assert_uint_eq(cfg.n_arenas, (u32)sysconf(_SC_NPROCESSORS_ONLN));
	ck_assert_int_eq(cfg.tiny_cache, 512);
	ck_assert_int_eq(cfg.small_cache, 256);
	ck_assert_int_eq(cfg.normal_cache, 64);
	ck_assert_int_eq(cfg.keep_empty_chunks, 1);
	ck_assert_uint_eq(cfg.max_bytes, 0);
	ck_assert_uint_eq(cfg.leak_detection, NP_LEAK_SIMPLE);
	ck_assert(cfg.flags & NP_CONFIG_MAX_ORDER);
	/* resolving the effective configuration again changes nothing */
	{
		struct np_config again = cfg;

		ck_assert_int_eq(np_config_resolve(&again, NULL), 0);
		ck_assert_mem_eq(&again, &cfg, sizeof(cfg));
	}
}
END_TEST

START_TEST(config_resolve_explicit)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = 65536,
		.max_order = 0,
		.n_arenas = 5,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = 3,
		.keep_empty_chunks = -1,
		.max_bytes = 12345,
		.leak_detection = NP_LEAK_PARANOID,
	};
	struct np_config want = cfg;

	ck_assert_int_eq(np_config_resolve(&cfg, NULL), 0);
	ck_assert_mem_eq(&cfg, &want, sizeof(cfg));
}
END_TEST

START_TEST(config_resolve_custom_defaults)
{
	struct np_config defaults = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = 4096,
		.max_order = 3,
		.n_arenas = 7,
		.tiny_cache = 1,
		.small_cache = 2,
		.normal_cache = 3,
		.keep_empty_chunks = -1,
		.max_bytes = 1 << 20,
	};
	struct np_config cfg = { .small_cache = 9 };

	ck_assert_int_eq(np_config_resolve(&cfg, &defaults), 0);
	ck_assert_uint_eq(cfg.page_size, 4096);
	ck_assert_uint_eq(cfg.max_order, 3);
	ck_assert_uint_eq(cfg.n_arenas, 7);
	ck_assert_int_eq(cfg.tiny_cache, 1);
	ck_assert_int_eq(cfg.small_cache, 9);
	ck_assert_int_eq(cfg.normal_cache, 3);
	ck_assert_int_eq(cfg.keep_empty_chunks, -1);
	ck_assert_uint_eq(cfg.max_bytes, 1 << 20);
}
END_TEST

/* Unknown flags and reserved fields are refused; cfg is left alone. */
START_TEST(config_resolve_refusals)
{
	struct np_config bad[] = {
		{ .flags = 1U << 5 },
		{ .reserved = { 0, 1, 0 } },
		{ .pad = 1 },
		{ .leak_detection = NP_LEAK_PARANOID + 1 },
		{ .flags = NP_CONFIG_MAX_ORDER, .max_order = 15 },
		{ .page_size = 65536 * 2 },
	};
	unsigned int i;

	for (i = 0; i < NP_TEST_ARRAY_SIZE(bad); i++) {
		struct np_config copy = bad[i];

		ck_assert_int_eq(np_config_resolve(&bad[i], NULL), -EINVAL);
		ck_assert_mem_eq(&bad[i], &copy, sizeof(copy));
	}
}
END_TEST

/* The kernel backend asked for explicitly, with no device: ENODEV. */
START_TEST(kernel_backend_without_device)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_KERNEL,
		.device = "/nonexistent/nettypool",
	};

	errno = 0;
	ck_assert_ptr_null(np_pool_open(&opts));
	ck_assert_int_eq(errno, ENODEV);
	/* AUTO falls back to the in-process backend */
	opts.backend = NP_BACKEND_AUTO;
	pool = np_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	ck_assert_int_eq(np_pool_backend(pool), NP_BACKEND_LOCAL);
}
END_TEST

START_TEST(alloc_sizes)
{
	struct np_stats st, before;
	size_t chunk;
	void *p;

	pool = open_local();
	chunk = stats_of(pool).chunk_size;
	p = np_alloc(pool, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(np_usable_size(pool, p), 16);
	ck_assert_int_eq(np_free(pool, p), 0);
	before = stats_of(pool);

	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, SIZE_MAX));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, SIZE_MAX - 4096));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(np_zalloc(pool, SIZE_MAX / 2));
	ck_assert_int_eq(errno, ENOMEM);
	/* nothing was reserved or counted by the refusals */
	st = stats_of(pool);
	ck_assert_mem_eq(&st, &before, sizeof(st));
	ck_assert_uint_eq(st.alloc_huge, 0);
	ck_assert_uint_eq(st.active_buffers, 0);

	/* exactly the chunk size is still pooled, one byte more is huge */
	p = np_alloc(pool, chunk);
	ck_assert_uint_eq(np_usable_size(pool, p), chunk);
	ck_assert_uint_eq(stats_of(pool).huge_regions, 0);
	ck_assert_int_eq(np_free(pool, p), 0);
}
END_TEST

START_TEST(huge_buffer)
{
	size_t chunk, page = (size_t)sys_page();
	struct np_stats st, before;
	unsigned char *p;

	pool = open_local();
	before = stats_of(pool);
	chunk = before.chunk_size;
	p = np_alloc(pool, chunk + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(np_usable_size(pool, p), chunk + page);
	ck_assert_uint_eq((uintptr_t)p % page, 0);
	st = stats_of(pool);
	ck_assert_uint_eq(st.huge_regions, 1);
	ck_assert_uint_eq(st.chunks, before.chunks);
	ck_assert_uint_eq(st.alloc_huge, 1);
	ck_assert_uint_eq(st.bytes_reserved,
			  before.bytes_reserved + chunk + page);
	ck_assert_uint_eq(st.bytes_active, chunk + page);
	ck_assert_uint_eq(st.active_buffers, 1);
	/* all of it is usable */
	p[0] = 1;
	p[chunk + page - 1] = 2;
	/* interior and one-past are not buffers */
	ck_assert_uint_eq(np_usable_size(pool, p + page), 0);
	ck_assert_uint_eq(np_usable_size(pool, p + chunk + page), 0);
	errno = 0;
	ck_assert_int_eq(np_free(pool, p + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(np_free(pool, p), 0);
	st = stats_of(pool);
	ck_assert_uint_eq(st.huge_regions, 0);
	ck_assert_uint_eq(st.free_huge, 1);
	ck_assert_uint_eq(st.bytes_reserved, before.bytes_reserved);
	ck_assert_uint_eq(st.bytes_active, 0);
	/* freed: pages given back, the address is no buffer any more */
	errno = 0;
	ck_assert_int_eq(np_free(pool, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(np_usable_size(pool, p), 0);
}
END_TEST

/* np_zalloc zeroes memory a previous buffer dirtied. */
START_TEST(zalloc_zeroes_reused_memory)
{
	static const size_t sizes[] = { 100, 3000, 20000, 1 << 20,
					(4 << 20) + 1 };
	unsigned int i;

	pool = open_local();
	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		unsigned char *p = np_alloc(pool, sizes[i]), *q;
		size_t cap = np_usable_size(pool, p), j;

		memset(p, 0xa5, cap);
		ck_assert_int_eq(np_free(pool, p), 0);
		q = np_zalloc(pool, sizes[i]);
		/*
		 * pooled sizes get the same memory back (subpage next_avail,
		 * leftmost run); a huge one has fresh pages of its own
		 */
		if (sizes[i] <= (4 << 20))
			ck_assert_ptr_eq(q, p);
		ck_assert_uint_eq(np_usable_size(pool, q), cap);
		for (j = 0; j < cap; j++)
			np_expect_eq(q[j], 0);
		ck_assert_int_eq(np_free(pool, q), 0);
	}
}
END_TEST

START_TEST(free_null_and_double_free)
{
	void *p;

	pool = open_local();
	ck_assert_int_eq(np_free(pool, NULL), 0);
	p = np_alloc(pool, 64);
	ck_assert_int_eq(np_free(pool, p), 0);
	errno = 0;
	ck_assert_int_eq(np_free(pool, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* normal run: the same */
	p = np_alloc(pool, 100000);
	ck_assert_int_eq(np_free(pool, p), 0);
	errno = 0;
	ck_assert_int_eq(np_free(pool, p), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(stats_of(pool).active_buffers, 0);
}
END_TEST

/* Addresses that are not a live buffer of this pool change nothing. */
START_TEST(foreign_pointers_refused)
{
	struct np_pool *other = open_local();
	struct np_stats before, after;
	void *mine, *theirs, *big, *freed, *heap = malloc(64);
	char stack[32];
	void *bad[7];
	unsigned int i;

	pool = open_local();
	freed = np_alloc(pool, 256);
	mine = np_alloc(pool, 256);
	big = np_alloc(pool, 64 << 10);
	ck_assert_int_eq(np_free(pool, freed), 0);
	theirs = np_alloc(other, 256);
	ck_assert(mine && big && theirs && heap);
	bad[0] = heap;
	bad[1] = stack;
	bad[2] = theirs;
	bad[3] = (char *)mine + 16;
	bad[4] = (char *)big + 8192;
	bad[5] = freed;			/* a free element of the same page */
	bad[6] = (void *)(uintptr_t)0x1000;
	before = stats_of(pool);
	for (i = 0; i < NP_TEST_ARRAY_SIZE(bad); i++) {
		errno = 0;
		ck_assert_int_eq(np_free(pool, bad[i]), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(np_retain(pool, bad[i]), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_uint_eq(np_usable_size(pool, bad[i]), 0);
	}
	after = stats_of(pool);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	/* and the real buffers are untouched */
	ck_assert_uint_eq(np_usable_size(pool, mine), 256);
	ck_assert_uint_eq(np_usable_size(other, theirs), 256);
	ck_assert_int_eq(np_free(pool, mine), 0);
	ck_assert_int_eq(np_free(pool, big), 0);
	ck_assert_int_eq(np_free(other, theirs), 0);
	ck_assert_int_eq(np_pool_close(other), 0);
	free(heap);
}
END_TEST

START_TEST(retain_needs_two_frees)
{
	static const size_t sizes[] = { 10, 1000, 50000, (4 << 20) + 1 };
	unsigned int i;

	pool = open_local();
	for (i = 0; i < NP_TEST_ARRAY_SIZE(sizes); i++) {
		void *p = np_alloc(pool, sizes[i]);
		size_t cap = np_usable_size(pool, p);
		struct np_stats st;

		ck_assert_int_eq(np_retain(pool, p), 0);
		ck_assert_int_eq(np_retain(pool, p), 0);
		ck_assert_int_eq(np_free(pool, p), 0);
		ck_assert_int_eq(np_free(pool, p), 0);
		/* one reference left: still live and counted */
		ck_assert_uint_eq(np_usable_size(pool, p), cap);
		st = stats_of(pool);
		ck_assert_uint_eq(st.active_buffers, 1);
		ck_assert_uint_eq(st.bytes_active, cap);
		ck_assert_int_eq(np_free(pool, p), 0);
		ck_assert_uint_eq(np_usable_size(pool, p), 0);
		ck_assert_uint_eq(stats_of(pool).active_buffers, 0);
		errno = 0;
		ck_assert_int_eq(np_free(pool, p), -1);
		ck_assert_int_eq(errno, EINVAL);
		errno = 0;
		ck_assert_int_eq(np_retain(pool, p), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

/* A retained buffer's reference does not leak onto the next one there. */
START_TEST(retain_does_not_outlive_buffer)
{
	void *p, *q;

	pool = open_local();
	p = np_alloc(pool, 48);
	ck_assert_int_eq(np_retain(pool, p), 0);
	ck_assert_int_eq(np_free(pool, p), 0);
	ck_assert_int_eq(np_free(pool, p), 0);
	q = np_alloc(pool, 48);
	ck_assert_ptr_eq(q, p);
	/* a fresh buffer: one free releases it */
	ck_assert_int_eq(np_free(pool, q), 0);
	ck_assert_uint_eq(np_usable_size(pool, q), 0);
	ck_assert_uint_eq(stats_of(pool).active_buffers, 0);
}
END_TEST

START_TEST(usable_size_cases)
{
	char *p, *r;

	pool = open_local();
	p = np_alloc(pool, 700);
	r = np_alloc(pool, 3 * 8192);
	ck_assert_uint_eq(np_usable_size(pool, p), 1024);
	ck_assert_uint_eq(np_usable_size(pool, r), 32768);
	ck_assert_uint_eq(np_usable_size(pool, p + 1), 0);
	ck_assert_uint_eq(np_usable_size(pool, p + 512), 0);
	ck_assert_uint_eq(np_usable_size(pool, r + 8192), 0);
	ck_assert_uint_eq(np_usable_size(pool, NULL), 0);
	ck_assert_int_eq(np_free(pool, p), 0);
	ck_assert_uint_eq(np_usable_size(pool, p), 0);
	ck_assert_uint_eq(np_usable_size(pool, r), 32768);
	ck_assert_int_eq(np_free(pool, r), 0);
	ck_assert_uint_eq(np_usable_size(pool, r), 0);
}
END_TEST

/* max_bytes: ENOMEM at the limit, huge buffers included, then room again. */
START_TEST(max_bytes_limit)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.n_arenas = 1,
		.keep_empty_chunks = -1,
		.max_bytes = 8 << 20,
	};
	void *a, *b, *c, *h;
	struct np_stats st;

	pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	a = np_alloc(pool, 4 << 20);
	b = np_alloc(pool, 4 << 20);
	ck_assert(a && b);
	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, 16));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, (4 << 20) + 1));
	ck_assert_int_eq(errno, ENOMEM);
	st = stats_of(pool);
	ck_assert_uint_eq(st.bytes_reserved, 8 << 20);
	ck_assert_uint_eq(st.active_buffers, 2);
	ck_assert_int_eq(np_free(pool, b), 0);
	c = np_alloc(pool, 16);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(np_free(pool, c), 0);
	/* the chunk c went to stays in qInit until a trim */
	ck_assert_uint_eq(stats_of(pool).bytes_reserved, 8 << 20);
	ck_assert_int_eq(np_trim(pool), 0);
	ck_assert_uint_eq(stats_of(pool).bytes_reserved, 4 << 20);
	/* a huge buffer is over 4 MiB: it does not fit beside a */
	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, (4 << 20) + 1));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_int_eq(np_free(pool, a), 0);
	ck_assert_uint_eq(stats_of(pool).bytes_reserved, 0);
	h = np_alloc(pool, (4 << 20) + 1);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(stats_of(pool).bytes_reserved,
			  (4 << 20) + (size_t)sys_page());
	errno = 0;
	ck_assert_ptr_null(np_alloc(pool, (4 << 20) + 1));
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_int_eq(np_free(pool, h), 0);
	ck_assert_uint_eq(stats_of(pool).bytes_reserved, 0);
}
END_TEST

/* Closing a pool with live (and retained) buffers reclaims them. */
START_TEST(close_with_live_buffers)
{
	struct np_pool *p = open_local();
	void *a = np_alloc(p, 10), *b = np_alloc(p, 100000);
	void *c = np_alloc(p, 5 << 20);

	ck_assert(a && b && c);
	ck_assert_int_eq(np_retain(p, a), 0);
	ck_assert_int_eq(np_retain(p, c), 0);
	ck_assert_uint_eq(stats_of(p).active_buffers, 3);
	/* the leak checker of the valgrind lane sees anything left behind */
	ck_assert_int_eq(np_pool_close(p), 0);
}
END_TEST

START_TEST(null_pool_arguments)
{
	struct np_stats st;
	int x;

	pool = open_local();
	errno = 0;
	ck_assert_int_eq(np_pool_close(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(np_alloc(NULL, 16));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(np_zalloc(NULL, 16));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(np_free(NULL, &x), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(np_retain(NULL, &x), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(np_retain(pool, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(np_usable_size(NULL, &x), 0);
	errno = 0;
	ck_assert_int_eq(np_pool_stats(NULL, &st), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(np_pool_stats(pool, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(np_trim(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(np_pool_backend(NULL), -1);
}
END_TEST

/* Two pools never share memory. */
START_TEST(pools_are_separate)
{
	struct np_pool *other = open_local();
	char *a, *b;

	pool = open_local();
	a = np_alloc(pool, 32);
	b = np_alloc(other, 32);
	ck_assert(a && b);
	memset(a, 'a', 32);
	memset(b, 'b', 32);
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(a[31], 'a');
	ck_assert_uint_eq(np_usable_size(other, a), 0);
	ck_assert_int_eq(np_pool_close(other), 0);
	/* closing the other pool left this one alone */
	ck_assert_int_eq(a[0], 'a');
	ck_assert_uint_eq(np_usable_size(pool, a), 32);
	ck_assert_int_eq(np_free(pool, a), 0);
}
END_TEST

/*
 * With keep_empty_chunks and a max_bytes limit, the emptied chunk an
 * arena keeps counts against the limit, and a whole-chunk request cannot
 * use it (qInit's max_capacity is 99% of a chunk, as in Netty): when the
 * limit refuses a new chunk, the kept ones are given back first.
 */
START_TEST(kept_chunk_yields_to_max_bytes)
{
	struct np_pool_opts opts = {
		.backend = NP_BACKEND_LOCAL,
		.n_arenas = 1,
		.max_bytes = 8 << 20,
	};
	void *a, *b;

	pool = np_test_pool_open(&opts);
	ck_assert_ptr_nonnull(pool);
	a = np_alloc(pool, 4 << 20);
	b = np_alloc(pool, 4 << 20);
	ck_assert(a && b);
	ck_assert_int_eq(np_free(pool, b), 0);
	b = np_alloc(pool, 4 << 20);
	ck_assert_msg(b, "4 MiB refused (errno %d) with an empty kept chunk",
		      errno);
	ck_assert_int_eq(np_free(pool, b), 0);
	ck_assert_int_eq(np_free(pool, a), 0);
}
END_TEST

/* NP_BACKEND_LOCAL opens the in-process backend, and checks options. */
START_TEST(local_backend_opens)
{
	struct np_pool_opts opts = { .backend = NP_BACKEND_LOCAL };

	errno = 0;
	pool = np_pool_open(&opts);
	ck_assert_msg(pool, "NP_BACKEND_LOCAL refused, errno %d",
		      errno);
	ck_assert_int_eq(np_pool_backend(pool), NP_BACKEND_LOCAL);
	opts.page_size = 1000;
	errno = 0;
	ck_assert_ptr_null(np_pool_open(&opts));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *library_suite(void)
{
	Suite *s = suite_create("library");
	TCase *tc;

	tc = tcase_create("open");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, NULL, lib_teardown);
	tcase_add_test(tc, open_null_opts_defaults);
	tcase_add_test(tc, open_every_option);
	tcase_add_loop_test(tc, invalid_option, 0,
			    (int)NP_TEST_ARRAY_SIZE(bad_opts));
	tcase_add_test(tc, valid_limits);
	tcase_add_test(tc, one_gib_chunk);
	tcase_add_test(tc, kernel_backend_without_device);
	tcase_add_test(tc, null_pool_arguments);
	tcase_add_test(tc, zero_fields_are_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("config_resolve");
	tcase_add_checked_fixture(tc, NULL, lib_teardown);
	tcase_add_test(tc, config_resolve_defaults);
	tcase_add_test(tc, config_resolve_explicit);
	tcase_add_test(tc, config_resolve_custom_defaults);
	tcase_add_test(tc, config_resolve_refusals);
	suite_add_tcase(s, tc);

	tc = tcase_create("buffers");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, NULL, lib_teardown);
	tcase_add_test(tc, alloc_sizes);
	tcase_add_test(tc, huge_buffer);
	tcase_add_test(tc, zalloc_zeroes_reused_memory);
	tcase_add_test(tc, free_null_and_double_free);
	tcase_add_test(tc, foreign_pointers_refused);
	tcase_add_test(tc, retain_needs_two_frees);
	tcase_add_test(tc, retain_does_not_outlive_buffer);
	tcase_add_test(tc, usable_size_cases);
	tcase_add_test(tc, pools_are_separate);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, NULL, lib_teardown);
	tcase_add_test(tc, max_bytes_limit);
	tcase_add_test(tc, close_with_live_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("backend_and_limits");
	tcase_add_checked_fixture(tc, NULL, lib_teardown);
	tcase_add_test(tc, local_backend_opens);
	tcase_add_test(tc, kept_chunk_yields_to_max_bytes);
	suite_add_tcase(s, tc);
	return s;
}
