// SPDX-License-Identifier: GPL-2.0
/*
 * np_bench - in-kernel allocation benchmark, run at module load.
 *
 * Back-to-back alloc+free pairs of one size (64 B .. 64 KiB), each buffer's
 * first byte written, in ns per pair, side by side in one run: every round
 * measures every allocator in turn, and the host takes the median of the
 * rounds (scripts/bench/report.sh). The allocators:
 *
 *   np-cache     nettypool with its defaults: per-CPU caches in front
 *                of one arena per CPU (the cache hit path up to 32 KiB)
 *   np-arena     caches disabled (tiny/small/normal_cache = -1): every
 *                pair goes to an arena
 *   np-simple    defaults with leak_detection = simple
 *   np-paranoid  defaults with leak_detection = paranoid
 *   kmalloc      kmalloc/kfree
 *   kmem_cache   kmem_cache_alloc/kmem_cache_free on a cache of that size
 *   pages        alloc_pages/__free_pages of the order holding that size
 *   page_pool    page_pool_alloc_pages/page_pool_put_full_page, one pool
 *                per CPU of the order holding that size, with bottom
 *                halves disabled as in a NAPI poll (the direct-recycling
 *                fast path drivers use)
 *
 * Each measurement runs pairs in blocks for at least @ms milliseconds.
 * Mode "k1" measures on the loading CPU alone; mode "kN" (when more than
 * one CPU is online) runs the same loop on every online CPU at once, each
 * in a kthread bound to its CPU, on the same shared pool or cache (one
 * page_pool per CPU, as drivers have one per queue), and reports the mean
 * of the CPUs' ns per pair.
 *
 * Results go to the kernel log as "np_bench: R <mode> <allocator> pairs
 * <size> ns <value>" (0 = an allocation failed). Debian's kernel zeroes
 * every slab and page allocation (init_on_alloc=1), which is why kmalloc,
 * kmem_cache and alloc_pages grow with the size; pools hand out memory
 * without zeroing it unless asked.
 */
#define pr_fmt(fmt) "np_bench: " fmt

#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/page_pool.h>

#include "np_kapi.h"

#define NP_BENCH_BLOCK	64	/* pairs between two clock reads */

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds of every measurement (5)");

static unsigned int ms = 20;
module_param(ms, uint, 0444);
MODULE_PARM_DESC(ms, "milliseconds per measurement (20)");

/* where each buffer escapes to, so that no pair is optimised away */
static void *np_bench_sink;

enum np_bench_kind {
	NP_CACHE,
	NP_ARENA,
	NP_SIMPLE,
	NP_PARANOID,
	NP_KMALLOC,
	NP_KMEM_CACHE,
	NP_PAGES,
	NP_PAGE_POOL,
	NP_NR_KINDS,
};

static const char *const np_kind_name[NP_NR_KINDS] = {
	"np-cache", "np-arena", "np-simple", "np-paranoid",
	"kmalloc", "kmem_cache", "pages", "page_pool",
};

/* Everything one size needs, shared by every CPU. */
struct np_bench_size {
	size_t size;
	unsigned int order;
	struct np_pool *pool[NP_NR_KINDS];	/* the four np-* kinds */
	struct kmem_cache *cache;
	struct page_pool **pp;			/* one per possible CPU */
};

static void np_touch(void *p)
{
	WRITE_ONCE(*(char *)p, 1);
	WRITE_ONCE(np_bench_sink, p);
}

/* One block of pairs; false when an allocation failed. */
static bool np_bench_block(struct np_bench_size *s, enum np_bench_kind kind)
{
	struct page_pool *pp;
	struct page *page;
	unsigned int i;
	void *p;

	for (i = 0; i < NP_BENCH_BLOCK; i++) {
		switch (kind) {
		case NP_CACHE:
		case NP_ARENA:
		case NP_SIMPLE:
		case NP_PARANOID:
			p = np_pool_alloc(s->pool[kind], s->size, GFP_KERNEL);
			if (!p)
				return false;
			np_touch(p);
			np_pool_free(s->pool[kind], p);
			break;
		case NP_KMALLOC:
			p = kmalloc(s->size, GFP_KERNEL);
			if (!p)
				return false;
			np_touch(p);
			kfree(p);
			break;
		case NP_KMEM_CACHE:
			p = kmem_cache_alloc(s->cache, GFP_KERNEL);
			if (!p)
				return false;
			np_touch(p);
			kmem_cache_free(s->cache, p);
			break;
		case NP_PAGES:
			page = alloc_pages(GFP_KERNEL, s->order);
			if (!page)
				return false;
			np_touch(page_address(page));
			__free_pages(page, s->order);
			break;
		case NP_PAGE_POOL:
			/* the pool of this CPU, only touched with BHs off */
			local_bh_disable();
			pp = s->pp[smp_processor_id()];
			page = page_pool_alloc_pages(pp, GFP_ATOMIC);
			if (!page) {
				local_bh_enable();
				return false;
			}
			np_touch(page_address(page));
			page_pool_put_full_page(pp, page, true);
			local_bh_enable();
			break;
		case NP_NR_KINDS:
			return false;
		}
	}
	return true;
}

/* ns per pair over at least ms milliseconds, or 0 when allocation failed */
static u64 np_bench_measure(struct np_bench_size *s, enum np_bench_kind kind)
{
	u64 budget = (u64)ms * NSEC_PER_MSEC, start, now, n = 0;

	if (!np_bench_block(s, kind))	/* warm up: chunks, caches, slabs */
		return 0;
	start = ktime_get_ns();
	do {
		if (!np_bench_block(s, kind))
			return 0;
		n += NP_BENCH_BLOCK;
		cond_resched();
		now = ktime_get_ns();
	} while (now - start < budget);
	return div64_u64(now - start, n);
}

/* The all-CPUs mode: one bound kthread per online CPU, started together. */
struct np_bench_par {
	struct np_bench_size *s;
	enum np_bench_kind kind;
	unsigned int nr;		/* kthreads taking part */
	atomic_t ready;
	atomic_t left;
	struct completion done;
	u64 ns[NR_CPUS];
	bool failed;
};

static int np_bench_worker(void *arg)
{
	struct np_bench_par *par = arg;
	unsigned int cpu = smp_processor_id();
	u64 ns;

	atomic_inc(&par->ready);
	while (atomic_read(&par->ready) < par->nr)
		cpu_relax();
	ns = np_bench_measure(par->s, par->kind);
	par->ns[cpu] = ns;
	if (!ns)
		par->failed = true;
	if (atomic_dec_and_test(&par->left))
		complete(&par->done);
	return 0;
}

/* mean ns per pair of the online CPUs running at once, or 0 on failure */
static u64 np_bench_all_cpus(struct np_bench_size *s, enum np_bench_kind kind)
{
	static struct task_struct *task[NR_CPUS];
	static struct np_bench_par par;
	unsigned int cpu;
	u64 sum = 0;

	memset(&par, 0, sizeof(par));
	par.s = s;
	par.kind = kind;
	init_completion(&par.done);
	cpus_read_lock();
	par.nr = num_online_cpus();
	atomic_set(&par.left, par.nr);
	/* create them all first: a worker started alone would wait forever */
	for_each_online_cpu(cpu) {
		task[cpu] = kthread_create(np_bench_worker, &par,
					   "np_bench/%u", cpu);
		if (IS_ERR(task[cpu])) {
			pr_err("kthread_create: %ld\n", PTR_ERR(task[cpu]));
			par.failed = true;
			break;
		}
		kthread_bind(task[cpu], cpu);
	}
	for_each_online_cpu(cpu) {
		if (IS_ERR(task[cpu]))
			break;
		if (par.failed)
			kthread_stop(task[cpu]);	/* never runs */
		else
			wake_up_process(task[cpu]);
	}
	cpus_read_unlock();
	if (par.failed)
		return 0;
	wait_for_completion(&par.done);
	if (par.failed)
		return 0;
	for_each_online_cpu(cpu)
		sum += par.ns[cpu];
	return div64_u64(sum, par.nr);
}

static void np_bench_size_free(struct np_bench_size *s)
{
	unsigned int k, cpu;

	for (k = 0; k < NP_NR_KINDS; k++)
		if (s->pool[k])
			np_pool_destroy(s->pool[k]);
	kmem_cache_destroy(s->cache);
	if (s->pp)
		for_each_possible_cpu(cpu)
			if (s->pp[cpu])
				page_pool_destroy(s->pp[cpu]);
	kfree(s->pp);
}

static int np_bench_size_init(struct np_bench_size *s, size_t size)
{
	static const struct {
		enum np_bench_kind kind;
		s32 cache;
		u32 leak;
	} pools[] = {
		{ NP_CACHE, 0, NP_LEAK_DISABLED },
		{ NP_ARENA, -1, NP_LEAK_DISABLED },
		{ NP_SIMPLE, 0, NP_LEAK_SIMPLE },
		{ NP_PARANOID, 0, NP_LEAK_PARANOID },
	};
	unsigned int i, cpu;

	memset(s, 0, sizeof(*s));
	s->size = size;
	s->order = get_order(size);
	for (i = 0; i < ARRAY_SIZE(pools); i++) {
		struct np_config cfg = {
			.tiny_cache = pools[i].cache,
			.small_cache = pools[i].cache,
			.normal_cache = pools[i].cache,
			.leak_detection = pools[i].leak,
		};
		struct np_pool *pool = np_pool_create(&cfg, "np_bench");

		if (IS_ERR(pool)) {
			pr_err("np_pool_create(%s): %ld\n",
			       np_kind_name[pools[i].kind], PTR_ERR(pool));
			return PTR_ERR(pool);
		}
		s->pool[pools[i].kind] = pool;
	}
	s->cache = kmem_cache_create("np_bench", size, 0, 0, NULL);
	s->pp = kcalloc(nr_cpu_ids, sizeof(*s->pp), GFP_KERNEL);
	if (!s->cache || !s->pp)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct page_pool_params pp = {
			.order = s->order,
			.pool_size = 256,
			.nid = cpu_to_node(cpu),
		};

		s->pp[cpu] = page_pool_create(&pp);
		if (IS_ERR(s->pp[cpu])) {
			int ret = PTR_ERR(s->pp[cpu]);

			s->pp[cpu] = NULL;
			pr_err("page_pool_create: %d\n", ret);
			return ret;
		}
	}
	return 0;
}

static int __init np_bench_init(void)
{
	static const size_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };
	unsigned int i, r, k, ncpus = num_online_cpus();
	struct np_bench_size s;
	int ret;

	if (!rounds || !ms) {
		pr_err("rounds and ms must be at least 1\n");
		return -EINVAL;
	}
	pr_info("I cpus %u rounds %u ms %u\n", ncpus, rounds, ms);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ret = np_bench_size_init(&s, sizes[i]);
		if (ret) {
			np_bench_size_free(&s);
			return ret;
		}
		for (r = 0; r < rounds; r++) {
			for (k = 0; k < NP_NR_KINDS; k++)
				pr_info("R k1 %s pairs %zu ns %llu\n",
					np_kind_name[k], sizes[i],
					np_bench_measure(&s, k));
			for (k = 0; ncpus > 1 && k < NP_NR_KINDS; k++)
				pr_info("R kN %s pairs %zu ns %llu\n",
					np_kind_name[k], sizes[i],
					np_bench_all_cpus(&s, k));
		}
		np_bench_size_free(&s);
	}
	pr_info("done\n");
	return 0;
}

static void __exit np_bench_exit(void)
{
}

module_init(np_bench_init);
module_exit(np_bench_exit);

MODULE_DESCRIPTION("nettypool in-kernel allocation benchmark");
MODULE_LICENSE("GPL");
