// SPDX-License-Identifier: GPL-2.0
/*
 * test_nettypool - KTAP self-test of nettypool's in-kernel API
 * (kernel/np_kapi.h), in the style of lib/test_*.c.
 *
 * Loading the module runs every test and prints the results as KTAP
 * ("KTAP version 1", "1..N", "ok N name" / "not ok N name", "# ..."
 * diagnostics) in the kernel log. Init returns 0 when everything passed,
 * so the module can be unloaded again, and -EINVAL otherwise (the load
 * fails; nothing stays behind: every pool is destroyed before returning).
 *
 * Build: make -C tests/guest/kapi (needs nettypool's Module.symvers, made by
 * "make module" at the top level). Load after nettypool.ko.
 */

#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>

#include "np_kapi.h"

static unsigned int case_failures;

#define tdiag(fmt, ...) pr_info("# " fmt "\n", ##__VA_ARGS__)

#define T_EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			case_failures++;				\
			tdiag("%s:%d: expected %s", __func__, __LINE__,	\
			      #cond);					\
		}							\
	} while (0)

#define T_EXPECT_EQ(a, b)						\
	do {								\
		unsigned long long _a = (unsigned long long)(a);	\
		unsigned long long _b = (unsigned long long)(b);	\
		if (_a != _b) {						\
			case_failures++;				\
			tdiag("%s:%d: %s == %s: %llu != %llu",		\
			      __func__, __LINE__, #a, #b, _a, _b);	\
		}							\
	} while (0)

/* a failed requirement ends the test case (the case cleans up itself) */
#define T_REQUIRE(cond, label)						\
	do {								\
		if (!(cond)) {						\
			case_failures++;				\
			tdiag("%s:%d: required %s", __func__, __LINE__,	\
			      #cond);					\
			goto label;					\
		}							\
	} while (0)

static struct np_config plain_cfg(void)
{
	struct np_config c = {
		.n_arenas = 1,
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
		.keep_empty_chunks = -1,
	};
	return c;
}

static struct np_pool *plain_pool(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool = np_pool_create(&c, "test_nettypool");

	return IS_ERR(pool) ? NULL : pool;
}

static bool all_bytes(const void *p, size_t len, u8 v)
{
	return !memchr_inv(p, v, len);
}

/* ------------------------------------------------------------ cases */

static void test_create_defaults(void)
{
	struct np_config c = { 0 };
	struct np_stats st;
	struct np_pool *pool;

	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	T_EXPECT(c.flags & NP_CONFIG_MAX_ORDER);
	T_EXPECT_EQ(c.page_size, NP_PAGE_SIZE_DEFAULT);
	T_EXPECT_EQ(c.max_order, NP_MAX_ORDER_DEFAULT);
	T_EXPECT_EQ(c.n_arenas, num_online_cpus());
	T_EXPECT_EQ(c.tiny_cache, 512);
	T_EXPECT_EQ(c.small_cache, 256);
	T_EXPECT_EQ(c.normal_cache, 64);
	T_EXPECT_EQ(c.keep_empty_chunks, 1);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.page_size, 8192);
	T_EXPECT_EQ(st.chunk_size, SZ_4M);
	T_EXPECT_EQ(st.n_arenas, num_online_cpus());
	T_EXPECT_EQ(st.chunks, 0);
	T_EXPECT_EQ(st.bytes_reserved, 0);
	np_pool_destroy(pool);
	np_pool_destroy(NULL);		/* ignored */
out:
	return;
}

static void test_create_with_config(void)
{
	struct np_config c = plain_cfg();
	struct np_stats st;
	struct np_pool *pool;
	void *p;

	c.page_size = 4096;
	c.max_order = 4;
	c.n_arenas = 2;
	c.max_bytes = SZ_1M;
	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	T_EXPECT_EQ(c.page_size, 4096);
	T_EXPECT_EQ(c.max_order, 4);
	T_EXPECT_EQ(c.n_arenas, 2);
	T_EXPECT_EQ(c.tiny_cache, -1);
	T_EXPECT_EQ(c.keep_empty_chunks, -1);
	T_EXPECT_EQ(c.max_bytes, SZ_1M);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.page_size, 4096);
	T_EXPECT_EQ(st.chunk_size, SZ_64K);
	T_EXPECT_EQ(st.n_arenas, 2);
	p = np_pool_alloc(pool, 4096, GFP_KERNEL);	/* a page: normal */
	T_EXPECT(p);
	T_EXPECT_EQ(np_pool_usable_size(pool, p), 4096);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.alloc_normal, 1);
	T_EXPECT_EQ(np_pool_free(pool, p), 0);
	/* the byte limit: 1 MiB is 16 chunks, a 2 MiB huge buffer is refused */
	T_EXPECT(!np_pool_alloc(pool, SZ_2M, GFP_KERNEL | __GFP_NOWARN));
	np_pool_destroy(pool);
out:
	return;
}

static void test_create_bad_config(void)
{
	struct np_pool *pool;
	int i;

	for (i = 0; i < 12; i++) {
		struct np_config c = plain_cfg();

		switch (i) {
		case 0: c.flags = 0x2; break;
		case 1: c.reserved[0] = 1; break;
		case 2: c.reserved[ARRAY_SIZE(c.reserved) - 1] = 1; break;
		case 10: c.pad = 1; break;
		case 11: c.leak_detection = NP_LEAK_PARANOID + 1; break;
		case 3: c.page_size = 5000; break;
		case 4: c.page_size = 2048; break;
		case 5: c.page_size = 1U << 17; break;
		case 6: c.max_order = 15; break;
		case 7: c.n_arenas = NP_ARENAS_MAX + 1; break;
		case 8: c.small_cache = -2; break;
		case 9: c.keep_empty_chunks = 3; break;
		}
		pool = np_pool_create(&c, "test_nettypool");
		if (PTR_ERR_OR_ZERO(pool) != -EINVAL) {
			case_failures++;
			tdiag("bad config %d: got %ld, want -EINVAL", i,
			      IS_ERR(pool) ? PTR_ERR(pool) : 0L);
			if (!IS_ERR_OR_NULL(pool))
				np_pool_destroy(pool);
		}
	}
}

struct class_case {
	size_t size;
	size_t cap;
	int cls;	/* 0 tiny, 1 small, 2 normal, 3 huge */
};

static u64 st_alloc(const struct np_stats *st, int cls)
{
	const u64 v[] = { st->alloc_tiny, st->alloc_small, st->alloc_normal,
			  st->alloc_huge };
	return v[cls];
}

static u64 st_free(const struct np_stats *st, int cls)
{
	const u64 v[] = { st->free_tiny, st->free_small, st->free_normal,
			  st->free_huge };
	return v[cls];
}

static void test_alloc_free_classes(void)
{
	static const struct class_case cases[] = {
		{ 0, 16, 0 }, { 24, 32, 0 }, { 496, 496, 0 }, { 800, 1024, 1 },
		{ 4096, 4096, 1 }, { SZ_16K, SZ_16K, 2 }, { SZ_4M, SZ_4M, 2 },
		{ 5 * SZ_1M, 5 * SZ_1M, 3 }, { SZ_4M + 1, SZ_4M + PAGE_SIZE, 3 },
	};
	struct np_pool *pool = plain_pool();
	struct np_stats st;
	unsigned int i;
	int k;

	T_REQUIRE(pool, out);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct class_case *c = &cases[i];
		u64 a0[4], f0[4];
		u8 *p;

		np_pool_stats(pool, &st);
		for (k = 0; k < 4; k++) {
			a0[k] = st_alloc(&st, k);
			f0[k] = st_free(&st, k);
		}
		p = np_pool_alloc(pool, c->size, GFP_KERNEL);
		if (!p) {
			case_failures++;
			tdiag("alloc of %zu bytes failed", c->size);
			continue;
		}
		T_EXPECT_EQ(np_pool_usable_size(pool, p), c->cap);
		memset(p, 0x5a, c->cap);	/* all of it is ours */
		np_pool_stats(pool, &st);
		for (k = 0; k < 4; k++)
			T_EXPECT_EQ(st_alloc(&st, k), a0[k] + (k == c->cls));
		T_EXPECT_EQ(st.active_buffers, 1);
		T_EXPECT_EQ(st.bytes_active, c->cap);
		T_EXPECT_EQ(st.huge_regions, c->cls == 3);
		T_EXPECT_EQ(np_pool_free(pool, p), 0);
		np_pool_stats(pool, &st);
		for (k = 0; k < 4; k++)
			T_EXPECT_EQ(st_free(&st, k), f0[k] + (k == c->cls));
		T_EXPECT_EQ(st.active_buffers, 0);
		T_EXPECT_EQ(st.bytes_active, 0);
	}
	np_pool_destroy(pool);
out:
	return;
}

static void test_gfp_zero(void)
{
	static const size_t sizes[] = { 24, 800, SZ_16K, 5 * SZ_1M };
	struct np_pool *pool = plain_pool();
	unsigned int i;

	T_REQUIRE(pool, out);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *keep = np_pool_alloc(pool, sizes[i], GFP_KERNEL);
		u8 *p = np_pool_alloc(pool, sizes[i], GFP_KERNEL);
		u8 *q;
		size_t cap;

		if (!keep || !p) {
			case_failures++;
			tdiag("alloc of %zu failed", sizes[i]);
			np_pool_free(pool, keep);
			np_pool_free(pool, p);
			continue;
		}
		cap = np_pool_usable_size(pool, p);
		memset(p, 0xa5, cap);
		T_EXPECT_EQ(np_pool_free(pool, p), 0);
		q = np_pool_alloc(pool, sizes[i], GFP_KERNEL | __GFP_ZERO);
		T_EXPECT(q);
		if (q) {
			if (sizes[i] < SZ_1M && q != p)
				tdiag("size %zu: freed buffer not reused", sizes[i]);
			T_EXPECT(all_bytes(q, np_pool_usable_size(pool, q), 0));
			np_pool_free(pool, q);
		}
		np_pool_free(pool, keep);
	}
	np_pool_destroy(pool);
out:
	return;
}

/*
 * GFP_ATOMIC under a spinlock and with bottom halves disabled: nothing
 * may sleep (CONFIG_DEBUG_ATOMIC_SLEEP and "scheduling while atomic"
 * catch it; the context-switch counts are checked here as well). The
 * frees empty chunks (keep_empty_chunks -1), whose release must be
 * deferred.
 */
static DEFINE_SPINLOCK(test_lock);

static unsigned long nr_switches(void)
{
	return current->nvcsw + current->nivcsw;
}

static void atomic_round(struct np_pool *pool, gfp_t gfp, void **bufs,
			 unsigned int *got)
{
	static const size_t sizes[] = { 24, 800, SZ_16K, SZ_256K, SZ_4M };
	unsigned int i;

	*got = 0;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		bufs[i] = np_pool_alloc(pool, sizes[i], gfp | __GFP_NOWARN);
		if (bufs[i]) {
			memset(bufs[i], 1, sizes[i]);
			(*got)++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (bufs[i] && np_pool_free(pool, bufs[i]))
			*got = 1000;
}

static void test_atomic_contexts(void)
{
	struct np_pool *pool = plain_pool();
	struct np_stats st;
	unsigned long sw;
	unsigned int got;
	void *bufs[5];

	T_REQUIRE(pool, out);
	sw = nr_switches();
	spin_lock(&test_lock);
	atomic_round(pool, GFP_ATOMIC, bufs, &got);
	spin_unlock(&test_lock);
	T_EXPECT_EQ(got, 5);
	T_EXPECT_EQ(nr_switches(), sw);

	sw = nr_switches();
	local_bh_disable();
	atomic_round(pool, GFP_ATOMIC, bufs, &got);
	local_bh_enable();
	T_EXPECT_EQ(got, 5);

	sw = nr_switches();
	spin_lock_bh(&test_lock);
	atomic_round(pool, GFP_NOWAIT, bufs, &got);
	spin_unlock_bh(&test_lock);
	T_EXPECT(got <= 5);	/* GFP_NOWAIT may fail, must not sleep */
	T_EXPECT_EQ(nr_switches(), sw);

	/*
	 * The small buffers' chunk stays in qInit; the 4 MiB buffer's chunk
	 * (q100) was destroyed by its free, its release deferred.
	 */
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.active_buffers, 0);
	T_EXPECT_EQ(st.chunks, 1);
	T_EXPECT_EQ(st.bytes_reserved, SZ_4M);
	np_pool_destroy(pool);		/* waits for the deferred releases */
out:
	return;
}

/* An atomic allocation that would need vmap() fails instead of sleeping. */
static void test_atomic_no_vmap(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool;
	void *p;

	c.max_order = 11;	/* 16 MiB chunks: several blocks, vmap() */
	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	spin_lock(&test_lock);
	p = np_pool_alloc(pool, 100, GFP_ATOMIC | __GFP_NOWARN);
	spin_unlock(&test_lock);
	T_EXPECT(!p);
	np_pool_free(pool, p);
	spin_lock(&test_lock);
	p = np_pool_alloc(pool, 17 * SZ_1M, GFP_ATOMIC | __GFP_NOWARN);
	spin_unlock(&test_lock);
	T_EXPECT(!p);		/* a huge buffer of several blocks too */
	np_pool_free(pool, p);
	np_pool_destroy(pool);
out:
	return;
}

/*
 * Frees that release vmap()ed memory (a huge buffer, the last buffer of
 * a 16 MiB chunk) where sleeping is not allowed: the release is deferred
 * to the pool's work item, the free itself does not sleep.
 */
static void test_atomic_free_vmapped(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool;
	struct np_stats st;
	void *h1, *h2, *n1, *n2;
	unsigned long sw;

	c.max_order = 11;
	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	h1 = np_pool_alloc(pool, 17 * SZ_1M, GFP_KERNEL);
	h2 = np_pool_alloc(pool, 17 * SZ_1M, GFP_KERNEL);
	n1 = np_pool_alloc(pool, SZ_16M, GFP_KERNEL);	/* q100 */
	T_REQUIRE(h1 && h2 && n1, free);
	T_EXPECT(is_vmalloc_addr(h1) && is_vmalloc_addr(n1));
	sw = nr_switches();
	spin_lock(&test_lock);
	T_EXPECT_EQ(np_pool_free(pool, h1), 0);
	T_EXPECT_EQ(np_pool_free(pool, n1), 0);	/* destroys the chunk */
	spin_unlock(&test_lock);
	T_EXPECT_EQ(nr_switches(), sw);
	h1 = n1 = NULL;
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 0);
	T_EXPECT_EQ(st.huge_regions, 1);
	T_EXPECT_EQ(st.bytes_reserved, 17 * SZ_1M);
	n2 = np_pool_alloc(pool, SZ_16M, GFP_KERNEL);
	T_EXPECT(n2);
	sw = nr_switches();
	local_bh_disable();
	T_EXPECT_EQ(np_pool_free(pool, h2), 0);
	T_EXPECT_EQ(np_pool_free(pool, n2), 0);
	local_bh_enable();
	T_EXPECT_EQ(nr_switches(), sw);
	h2 = NULL;
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.bytes_reserved, 0);
	msleep(20);		/* let the work item run before destroy too */
free:
	np_pool_free(pool, h1);
	np_pool_free(pool, h2);
	np_pool_free(pool, n1);
	np_pool_destroy(pool);
out:
	return;
}

static void test_usable_size(void)
{
	struct np_pool *pool = plain_pool();
	u8 *t, *n, *h;

	T_REQUIRE(pool, out);
	t = np_pool_alloc(pool, 100, GFP_KERNEL);
	n = np_pool_alloc(pool, 20000, GFP_KERNEL);
	h = np_pool_alloc(pool, 5 * SZ_1M + 1, GFP_KERNEL);
	T_REQUIRE(t && n && h, free);
	T_EXPECT_EQ(np_pool_usable_size(pool, t), 112);
	T_EXPECT_EQ(np_pool_usable_size(pool, n), 32768);
	T_EXPECT_EQ(np_pool_usable_size(pool, h), 5 * SZ_1M + PAGE_SIZE);
	T_EXPECT_EQ(np_pool_usable_size(pool, t + 16), 0);
	T_EXPECT_EQ(np_pool_usable_size(pool, n + 8192), 0);
	T_EXPECT_EQ(np_pool_usable_size(pool, h + PAGE_SIZE), 0);
	T_EXPECT_EQ(np_pool_usable_size(pool, &case_failures), 0);
free:
	np_pool_free(pool, t);
	np_pool_free(pool, n);
	np_pool_free(pool, h);
	T_EXPECT_EQ(np_pool_usable_size(pool, n), 0);
	np_pool_destroy(pool);
out:
	return;
}

static void test_free_invalid(void)
{
	struct np_pool *pool = plain_pool(), *other = plain_pool();
	struct np_stats before, after;
	u8 *t = NULL, *n = NULL, *h = NULL, *o = NULL;
	void *km = kmalloc(64, GFP_KERNEL);

	T_REQUIRE(pool && other && km, out);
	t = np_pool_alloc(pool, 32, GFP_KERNEL);
	n = np_pool_alloc(pool, SZ_16K, GFP_KERNEL);
	h = np_pool_alloc(pool, 5 * SZ_1M, GFP_KERNEL);
	o = np_pool_alloc(other, 32, GFP_KERNEL);
	T_REQUIRE(t && n && h && o, out);
	np_pool_stats(pool, &before);
	T_EXPECT_EQ(np_pool_free(pool, t + 16), -EINVAL);	/* interior */
	T_EXPECT_EQ(np_pool_free(pool, t + 1), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, n + 8192), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, n + 4096), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, h + PAGE_SIZE), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, o), -EINVAL);		/* foreign */
	T_EXPECT_EQ(np_pool_free(other, t), -EINVAL);
	T_EXPECT_EQ(np_pool_free(other, h), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, km), -EINVAL);		/* kmalloc */
	T_EXPECT_EQ(np_pool_free(pool, &case_failures), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, NULL), 0);
	np_pool_stats(pool, &after);
	T_EXPECT(!memcmp(&before, &after, sizeof(before)));
	T_EXPECT_EQ(np_pool_free(pool, t), 0);
	T_EXPECT_EQ(np_pool_free(pool, t), -EINVAL);		/* double */
	T_EXPECT_EQ(np_pool_free(pool, h), 0);
	T_EXPECT_EQ(np_pool_free(pool, h), -EINVAL);
	T_EXPECT_EQ(np_pool_free(pool, n), 0);
	T_EXPECT_EQ(np_pool_free(other, o), 0);
	t = n = h = o = NULL;
out:
	kfree(km);
	if (pool) {
		np_pool_free(pool, t);
		np_pool_free(pool, n);
		np_pool_free(pool, h);
		np_pool_destroy(pool);
	}
	if (other) {
		np_pool_free(other, o);
		np_pool_destroy(other);
	}
}

static void test_stats_counters(void)
{
	struct np_pool *pool = plain_pool();
	struct np_stats st;
	void *b[40];
	int i;

	T_REQUIRE(pool, out);
	for (i = 0; i < 40; i++) {
		static const size_t sz[] = { 16, 1000, SZ_8K, SZ_8M };

		b[i] = np_pool_alloc(pool, sz[i % 4], GFP_KERNEL);
		T_REQUIRE(b[i], free);
	}
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.alloc_tiny, 10);
	T_EXPECT_EQ(st.alloc_small, 10);
	T_EXPECT_EQ(st.alloc_normal, 10);
	T_EXPECT_EQ(st.alloc_huge, 10);
	T_EXPECT_EQ(st.active_buffers, 40);
	T_EXPECT_EQ(st.bytes_active, 10ULL * (16 + 1024 + SZ_8K + SZ_8M));
	T_EXPECT_EQ(st.huge_regions, 10);
	T_EXPECT_EQ(st.chunks, 1);
	T_EXPECT_EQ(st.chunklist_chunks[NP_QINIT], 1);
	T_EXPECT_EQ(st.bytes_reserved, SZ_4M + 10ULL * SZ_8M);
	T_EXPECT_EQ(st.cache_hits, 0);
	T_EXPECT_EQ(st.bytes_cached, 0);
free:
	while (--i >= 0)
		T_EXPECT_EQ(np_pool_free(pool, b[i]), 0);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.free_tiny + st.free_small + st.free_normal +
		    st.free_huge, 40);
	T_EXPECT_EQ(st.active_buffers, 0);
	T_EXPECT_EQ(st.huge_regions, 0);
	T_EXPECT_EQ(st.bytes_reserved, SZ_4M);	/* qInit keeps its chunk */
	np_pool_destroy(pool);
out:
	return;
}

static void test_trim(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool;
	struct np_stats st;
	void *p;

	c.keep_empty_chunks = 1;
	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	p = np_pool_alloc(pool, SZ_2M, GFP_KERNEL);	/* q025 */
	T_REQUIRE(p, destroy);
	T_EXPECT_EQ(np_pool_free(pool, p), 0);		/* kept */
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 1);
	T_EXPECT_EQ(st.bytes_reserved, SZ_4M);
	np_pool_trim(pool);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 0);
	T_EXPECT_EQ(st.bytes_reserved, 0);
	/* an empty qInit chunk too, and the pool still works after */
	p = np_pool_alloc(pool, 100, GFP_KERNEL);
	T_REQUIRE(p, destroy);
	T_EXPECT_EQ(np_pool_free(pool, p), 0);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 1);
	np_pool_trim(pool);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 0);
	p = np_pool_alloc(pool, 100, GFP_KERNEL);
	T_EXPECT(p);
	np_pool_free(pool, p);
destroy:
	np_pool_destroy(pool);
out:
	return;
}

static void test_destroy_with_live_buffers(void)
{
	struct np_config c = { 0 };	/* defaults: caches, arenas, keep */
	struct np_pool *pool;
	int i;

	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	for (i = 0; i < 50; i++)
		T_EXPECT(np_pool_alloc(pool, 24 + 300 * i, GFP_KERNEL));
	T_EXPECT(np_pool_alloc(pool, SZ_1M, GFP_KERNEL));
	T_EXPECT(np_pool_alloc(pool, 6 * SZ_1M, GFP_KERNEL));
	np_pool_destroy(pool);	/* reclaims all 52, reports them */
out:
	return;
}

/* Three buffers leaked from here; suites.sh finds this name in the report. */
static noinline void np_test_leaky_alloc(struct np_pool *pool, void **bufs)
{
	int i;

	for (i = 0; i < 3; i++)
		bufs[i] = np_pool_alloc(pool, 100 + i, GFP_KERNEL);
}

/*
 * paranoid tracks every buffer; a buffer still live at destroy is
 * reported as "LEAK: ... (leaky) ... allocated at: ... np_test_leaky_alloc"
 * (suites.sh counts those lines: 3). Retains and frees are recorded,
 * and a free past the last reference is refused without a warning.
 */
static void test_leak_report_paranoid(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool;
	void *bufs[3], *extra;

	c.leak_detection = NP_LEAK_PARANOID;
	pool = np_pool_create(&c, "leaky");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	T_EXPECT_EQ(c.leak_detection, NP_LEAK_PARANOID);
	np_test_leaky_alloc(pool, bufs);
	T_REQUIRE(bufs[0] && bufs[1] && bufs[2], destroy);
	extra = np_pool_alloc(pool, 64, GFP_KERNEL);
	T_REQUIRE(extra, destroy);
	T_EXPECT_EQ(np_pool_leak_suspects(pool), 4);
	/* a retained buffer needs two frees; the third is refused */
	T_EXPECT_EQ(np_pool_retain(pool, extra), 0);
	T_EXPECT_EQ(np_pool_free(pool, extra), 0);
	T_EXPECT_EQ(np_pool_leak_suspects(pool), 4);
	T_EXPECT_EQ(np_pool_free(pool, extra), 0);
	T_EXPECT_EQ(np_pool_leak_suspects(pool), 3);
	T_EXPECT_EQ(np_pool_free(pool, extra), -EINVAL);
	T_EXPECT_EQ(np_pool_retain(pool, extra), -EINVAL);
	/* a retained leaked buffer carries its record into the report */
	T_EXPECT_EQ(np_pool_retain(pool, bufs[2]), 0);
destroy:
	np_pool_destroy(pool);
out:
	return;
}

/*
 * Every level tracks what it should: nothing when disabled, every buffer
 * at paranoid, about one in 128 at simple and advanced (12800 buffers:
 * 100 expected, a standard deviation of 10; the bounds are 5 of them).
 * Everything is freed before destroy: nothing is reported.
 */
static void test_leak_levels(void)
{
	static const u32 levels[] = {
		NP_LEAK_DISABLED, NP_LEAK_SIMPLE, NP_LEAK_ADVANCED,
		NP_LEAK_PARANOID,
	};
	const unsigned int n = 12800;
	struct np_pool *pool;
	unsigned int l, i;
	void **bufs;
	u64 tracked;

	bufs = kvmalloc_array(n, sizeof(*bufs), GFP_KERNEL);
	T_REQUIRE(bufs, out);
	for (l = 0; l < ARRAY_SIZE(levels); l++) {
		struct np_config c = plain_cfg();

		c.leak_detection = levels[l];
		pool = np_pool_create(&c, "leak-levels");
		T_REQUIRE(!IS_ERR_OR_NULL(pool), free_bufs);
		for (i = 0; i < n; i++)
			bufs[i] = np_pool_alloc(pool, 64, GFP_KERNEL);
		tracked = np_pool_leak_suspects(pool);
		switch (levels[l]) {
		case NP_LEAK_DISABLED:
			T_EXPECT_EQ(tracked, 0);
			break;
		case NP_LEAK_PARANOID:
			T_EXPECT_EQ(tracked, n);
			break;
		default:
			T_EXPECT(tracked >= 50 && tracked <= 150);
			tdiag("level %u: %llu of %u buffers tracked", levels[l],
			      tracked, n);
		}
		for (i = 0; i < n; i++)
			T_EXPECT(!np_pool_free(pool, bufs[i]));
		T_EXPECT_EQ(np_pool_leak_suspects(pool), 0);
		np_pool_destroy(pool);
	}
free_bufs:
	kvfree(bufs);
out:
	return;
}

/* 16 MiB chunks (max_order 11): more than one page block, vmap()ed. */
static void test_chunk_16m_vmap(void)
{
	struct np_config c = plain_cfg();
	struct np_pool *pool;
	struct np_stats st;
	u32 *p, *q[16];
	size_t i, n;
	int k;

	c.max_order = 11;
	pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunk_size, SZ_16M);
	p = np_pool_alloc(pool, SZ_16M, GFP_KERNEL);	/* the whole chunk */
	T_REQUIRE(p, destroy);
	T_EXPECT(is_vmalloc_addr(p));
	T_EXPECT_EQ(np_pool_usable_size(pool, p), SZ_16M);
	n = SZ_16M / sizeof(u32);
	for (i = 0; i < n; i++)
		p[i] = (u32)i * 2654435761u;
	for (i = 0; i < n; i++)
		if (p[i] != (u32)i * 2654435761u)
			break;
	T_EXPECT_EQ(i, n);
	T_EXPECT_EQ(np_pool_free(pool, p), 0);

	/* 16 buffers of 1 MiB fill one chunk without overlapping */
	for (k = 0; k < 16; k++) {
		q[k] = np_pool_alloc(pool, SZ_1M, GFP_KERNEL);
		T_REQUIRE(q[k], free);
		memset(q[k], k + 1, SZ_1M);
	}
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.chunks, 1);
	T_EXPECT_EQ(st.chunklist_chunks[NP_Q100], 1);
	for (k = 0; k < 16; k++)
		T_EXPECT(all_bytes(q[k], SZ_1M, k + 1));
free:
	while (--k >= 0)
		T_EXPECT_EQ(np_pool_free(pool, q[k]), 0);
destroy:
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.active_buffers, 0);
	np_pool_destroy(pool);
out:
	return;
}

static void test_huge_vmap(void)
{
	struct np_pool *pool = plain_pool();
	size_t size = 5 * SZ_1M + 3 * PAGE_SIZE;
	u8 *p;

	T_REQUIRE(pool, out);
	p = np_pool_alloc(pool, size, GFP_KERNEL);
	T_REQUIRE(p, destroy);
	T_EXPECT(is_vmalloc_addr(p));
	memset(p, 0xc3, size);
	T_EXPECT(all_bytes(p, size, 0xc3));
	T_EXPECT_EQ(np_pool_free(pool, p), 0);
destroy:
	np_pool_destroy(pool);
out:
	return;
}

static void test_many_tiny(void)
{
	enum { N = 20000 };
	struct np_pool *pool = plain_pool();
	struct np_stats st;
	void **b = NULL;
	int i, bad = 0;

	T_REQUIRE(pool, out);
	b = kvcalloc(N, sizeof(*b), GFP_KERNEL);
	T_REQUIRE(b, destroy);
	for (i = 0; i < N; i++) {
		b[i] = np_pool_alloc(pool, 8 + i % 480, GFP_KERNEL);
		if (!b[i]) {
			bad++;
			continue;
		}
		*(int *)b[i] = i;
	}
	for (i = 0; i < N; i++)
		if (b[i] && *(int *)b[i] != i)
			bad++;
	T_EXPECT_EQ(bad, 0);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.active_buffers, N);
	for (i = 0; i < N; i += 2)
		T_EXPECT_EQ(np_pool_free(pool, b[i]), 0);
	for (i = 1; i < N; i += 2)
		T_EXPECT_EQ(np_pool_free(pool, b[i]), 0);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.active_buffers, 0);
	T_EXPECT_EQ(st.bytes_active, 0);
	kvfree(b);
destroy:
	np_pool_destroy(pool);
out:
	return;
}

/*
 * A timer (softirq) allocating and freeing with GFP_ATOMIC while process
 * context does the same on the same pool.
 */
struct softirq_ctx {
	struct timer_list timer;
	struct np_pool *pool;
	struct completion done;
	int rounds;
	int errors;
};

static void softirq_fn(struct timer_list *t)
{
	struct softirq_ctx *ctx = from_timer(ctx, t, timer);
	void *b[16];
	int i;

	for (i = 0; i < 16; i++) {
		b[i] = np_pool_alloc(ctx->pool, 16 << (i % 10), GFP_ATOMIC);
		if (!b[i])
			ctx->errors++;
	}
	for (i = 0; i < 16; i++)
		if (b[i] && np_pool_free(ctx->pool, b[i]))
			ctx->errors++;
	if (--ctx->rounds > 0)
		mod_timer(&ctx->timer, jiffies + 1);
	else
		complete(&ctx->done);
}

static void test_softirq_and_process(void)
{
	struct np_config c = { 0 };	/* defaults */
	struct softirq_ctx ctx = { 0 };
	struct np_stats st;
	unsigned long until;
	int errors = 0;

	ctx.pool = np_pool_create(&c, "test_nettypool");
	T_REQUIRE(!IS_ERR_OR_NULL(ctx.pool), out);
	ctx.rounds = 20;
	init_completion(&ctx.done);
	timer_setup_on_stack(&ctx.timer, softirq_fn, 0);
	mod_timer(&ctx.timer, jiffies + 1);
	until = jiffies + msecs_to_jiffies(2000);
	while (!completion_done(&ctx.done) && time_before(jiffies, until)) {
		void *b[8];
		int i;

		for (i = 0; i < 8; i++) {
			b[i] = np_pool_alloc(ctx.pool, 32 << i, GFP_KERNEL);
			if (!b[i])
				errors++;
		}
		for (i = 0; i < 8; i++)
			if (b[i] && np_pool_free(ctx.pool, b[i]))
				errors++;
		cond_resched();
	}
	T_EXPECT(wait_for_completion_timeout(&ctx.done, 10 * HZ));
	del_timer_sync(&ctx.timer);
	destroy_timer_on_stack(&ctx.timer);
	T_EXPECT_EQ(errors, 0);
	T_EXPECT_EQ(ctx.errors, 0);
	np_pool_stats(ctx.pool, &st);
	T_EXPECT_EQ(st.active_buffers, 0);
	T_EXPECT(st.cache_hits > 0);	/* both contexts use the caches */
	np_pool_destroy(ctx.pool);
out:
	return;
}

/*
 * The per-CPU cache answers a steady loop: all but the first pairs (and
 * those after a migration to another CPU) never reach an arena; trim
 * empties every CPU's cache.
 */
static void test_cache_pairs(void)
{
	struct np_config c = { 0 };	/* defaults: caches on */
	struct np_pool *pool = np_pool_create(&c, "test_nettypool");
	struct np_stats st;
	int i, errors = 0;

	T_REQUIRE(!IS_ERR_OR_NULL(pool), out);
	for (i = 0; i < 1000; i++) {
		void *p = np_pool_alloc(pool, 256, GFP_KERNEL);

		if (!p || np_pool_free(pool, p))
			errors++;
	}
	T_EXPECT_EQ(errors, 0);
	np_pool_stats(pool, &st);
	T_EXPECT(st.cache_hits >= 990);
	T_EXPECT_EQ(st.alloc_tiny + st.cache_hits, 1000);
	T_EXPECT_EQ(st.free_tiny, 0);
	T_EXPECT_EQ(st.bytes_active, 0);
	T_EXPECT(st.bytes_cached >= 256);
	np_pool_trim(pool);
	np_pool_stats(pool, &st);
	T_EXPECT_EQ(st.bytes_cached, 0);
	T_EXPECT_EQ(st.free_tiny, st.alloc_tiny);
	T_EXPECT_EQ(st.chunks, 0);
	np_pool_destroy(pool);
out:
	return;
}

/* ------------------------------------------------------------ runner */

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TC(name) { #name, test_##name }
static const struct test_case cases[] = {
	TC(create_defaults),
	TC(create_with_config),
	TC(create_bad_config),
	TC(alloc_free_classes),
	TC(gfp_zero),
	TC(atomic_contexts),
	TC(atomic_no_vmap),
	TC(atomic_free_vmapped),
	TC(usable_size),
	TC(free_invalid),
	TC(stats_counters),
	TC(trim),
	TC(leak_report_paranoid),
	TC(leak_levels),
	TC(destroy_with_live_buffers),
	TC(chunk_16m_vmap),
	TC(huge_vmap),
	TC(many_tiny),
	TC(softirq_and_process),
	TC(cache_pairs),
};

static int __init test_nettypool_init(void)
{
	unsigned int i, failed = 0;

	pr_info("KTAP version 1\n");
	pr_info("1..%zu\n", ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		case_failures = 0;
		cases[i].fn();
		if (case_failures)
			failed++;
		pr_info("%sok %u %s\n", case_failures ? "not " : "", i + 1,
			cases[i].name);
	}
	pr_info("# test_nettypool: pass:%zu fail:%u\n",
		ARRAY_SIZE(cases) - failed, failed);
	return failed ? -EINVAL : 0;
}

static void __exit test_nettypool_exit(void)
{
}

module_init(test_nettypool_init);
module_exit(test_nettypool_exit);

MODULE_DESCRIPTION("KTAP self-test of nettypool's in-kernel API");
MODULE_LICENSE("GPL");
