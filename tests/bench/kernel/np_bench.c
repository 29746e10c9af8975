// SPDX-License-Identifier: GPL-2.0
/*
 * np_bench - in-kernel allocation benchmark, run at module load.
 *
 * Back-to-back alloc+free pairs of one size on one CPU, in ns per pair,
 * median of several rounds, measured side by side in one run:
 *
 *   nettypool with the leak detector disabled, simple and paranoid,
 *   kmalloc/kfree, kmem_cache_alloc/kmem_cache_free (a cache of that
 *   size), alloc_pages/__free_pages (the order holding that size).
 *
 * Under TCG only the ratios of one run mean anything. Debian's kernel
 * zeroes every slab and page allocation (init_on_alloc=1), which is why
 * kmalloc and alloc_pages grow with the size; pools hand out memory
 * without zeroing it unless asked. The table goes to the kernel log.
 */
#define pr_fmt(fmt) "np_bench: " fmt

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "np_kapi.h"

#define ROUNDS	5

static unsigned int pairs = 5000;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "alloc+free pairs per round (5000)");

static void *volatile np_bench_sink;

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v)
{
	sort(v, ROUNDS, sizeof(*v), cmp_u64, NULL);
	return v[ROUNDS / 2];
}

enum np_bench_kind { NP_POOL, NP_KMALLOC, NP_KMEM_CACHE, NP_PAGES };

struct np_bench_ctx {
	enum np_bench_kind kind;
	size_t size;
	struct np_pool *pool;
	struct kmem_cache *cache;
	unsigned int order;
};

/* ns per pair, median of ROUNDS, or 0 when an allocation failed */
static u64 np_bench_run(struct np_bench_ctx *c)
{
	u64 t[ROUNDS];
	unsigned int r, i;

	for (r = 0; r < ROUNDS; r++) {
		u64 start = ktime_get_ns();

		for (i = 0; i < pairs; i++) {
			void *p = NULL;
			struct page *page;

			switch (c->kind) {
			case NP_POOL:
				p = np_pool_alloc(c->pool, c->size, GFP_KERNEL);
				np_bench_sink = p;
				np_pool_free(c->pool, p);
				break;
			case NP_KMALLOC:
				p = kmalloc(c->size, GFP_KERNEL);
				np_bench_sink = p;
				kfree(p);
				break;
			case NP_KMEM_CACHE:
				p = kmem_cache_alloc(c->cache, GFP_KERNEL);
				np_bench_sink = p;
				kmem_cache_free(c->cache, p);
				break;
			case NP_PAGES:
				page = alloc_pages(GFP_KERNEL, c->order);
				p = page;
				np_bench_sink = p;
				if (page)
					__free_pages(page, c->order);
				break;
			}
			if (!p)
				return 0;
		}
		t[r] = (ktime_get_ns() - start) / pairs;
	}
	return median(t);
}

static struct np_pool *np_bench_pool(u32 leak)
{
	struct np_config cfg = { .n_arenas = 1, .leak_detection = leak };
	struct np_pool *pool = np_pool_create(&cfg, "np_bench");

	return IS_ERR(pool) ? NULL : pool;
}

static int __init np_bench_init(void)
{
	static const size_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };
	static const u32 leaks[] = {
		NP_LEAK_DISABLED, NP_LEAK_SIMPLE, NP_LEAK_PARANOID,
	};
	struct np_pool *pool[ARRAY_SIZE(leaks)];
	unsigned int i, l;
	int ret = -ENOMEM;

	for (l = 0; l < ARRAY_SIZE(leaks); l++) {
		pool[l] = np_bench_pool(leaks[l]);
		if (!pool[l])
			goto out;
	}
	pr_info("ns per alloc+free pair, one CPU, median of %d rounds of %u pairs\n",
		ROUNDS, pairs);
	pr_info("%8s %9s %9s %9s %9s %9s %9s %8s %8s\n", "size", "np", "np-simple",
		"np-parano", "kmalloc", "kmemcache", "pages", "np/kmal", "np/kmc");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct np_bench_ctx c = { .size = sizes[i] };
		u64 np[ARRAY_SIZE(leaks)], km, kc, pg;

		c.kind = NP_POOL;
		for (l = 0; l < ARRAY_SIZE(leaks); l++) {
			c.pool = pool[l];
			np[l] = np_bench_run(&c);
		}
		c.kind = NP_KMALLOC;
		km = np_bench_run(&c);
		c.kind = NP_KMEM_CACHE;
		c.cache = kmem_cache_create("np_bench", sizes[i], 0, 0, NULL);
		kc = c.cache ? np_bench_run(&c) : 0;
		kmem_cache_destroy(c.cache);
		c.kind = NP_PAGES;
		c.order = get_order(sizes[i]);
		pg = np_bench_run(&c);
		pr_info("%8zu %9llu %9llu %9llu %9llu %9llu %9llu %7llu%% %7llu%%\n",
			sizes[i], np[0], np[1], np[2], km, kc, pg,
			km ? np[0] * 100 / km : 0, kc ? np[0] * 100 / kc : 0);
	}
	pr_info("done\n");
	ret = 0;
out:
	for (l = 0; l < ARRAY_SIZE(leaks); l++)
		if (pool[l])
			np_pool_destroy(pool[l]);
	return ret;
}

static void __exit np_bench_exit(void)
{
}

module_init(np_bench_init);
module_exit(np_bench_exit);

MODULE_DESCRIPTION("nettypool in-kernel allocation benchmark");
MODULE_LICENSE("GPL");
