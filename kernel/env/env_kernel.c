// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel half of the environment (np_env.h): page blocks for regions,
 * and per-CPU slots.
 *
 * Page blocks. A region is built from the largest blocks the buddy
 * allocator will give without working for them: order 10 (4 MiB, a whole
 * default chunk) first, then 9, 4 and 0, as drivers/dma-buf/heaps/
 * system_heap.c does. The high orders are asked for with __GFP_NORETRY |
 * __GFP_NOWARN and no reclaim, so a fragmented system answers quickly
 * with smaller blocks instead of compacting or warning; only order 0 may
 * reclaim, and it fails rather than wake the OOM killer
 * (__GFP_RETRY_MAYFAIL): a pool's request is never worth killing a
 * process for. Every block is a compound page (__GFP_COMP), so that each
 * of its pages can be mapped into userspace on its own with a reference
 * of its own, and zeroed (__GFP_ZERO), so fresh memory never shows
 * anyone's old data. Pools opened from userspace charge their pages to
 * the opener's memory cgroup (__GFP_ACCOUNT).
 *
 * In-kernel pools need addresses: a region that is a single block uses
 * the direct map, one made of several blocks is vmap()ed. Userspace
 * pools need none.
 *
 * A limit set once by the module, np_mem_set_limit(), caps the pages held
 * by all pools together.
 *
 * Per-CPU slots. A pool's caches are one slot per possible CPU, made with
 * the pool and freed with it; np_slots_for_each() visits every possible
 * CPU's slot, online or not, so that a flush reaches the cache of a CPU
 * that went offline too. The slots' own locks (in the core's struct
 * np_cache) serialise their users.
 *
 * Locking: none here; np_mem_alloc() runs with no lock held and may sleep
 * when @gfp allows it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_env.h"

#include <linux/atomic.h>
#include <linux/sched/signal.h>
#include <linux/vmalloc.h>

static const unsigned int np_block_orders[] = { 10, 9, 4, 0 };

static atomic64_t np_total_bytes = ATOMIC64_INIT(0);
static u64 np_total_limit;

/**
 * np_mem_set_limit() - cap the pages all pools hold together
 * @bytes: the cap; 0 for none.
 *
 * Called before the first region is obtained.
 */
void np_mem_set_limit(u64 bytes)
{
	np_total_limit = bytes;
}

/**
 * np_mem_total_bytes() - bytes of pages held by all pools
 *
 * Return: the sum over every live region.
 */
u64 np_mem_total_bytes(void)
{
	return atomic64_read(&np_total_bytes);
}

static bool np_mem_charge(size_t size)
{
	u64 limit = np_total_limit;

	if (atomic64_add_return(size, &np_total_bytes) <= limit || !limit)
		return true;
	atomic64_sub(size, &np_total_bytes);
	return false;
}

static struct page *np_alloc_block(unsigned long remaining, gfp_t gfp,
				   unsigned int *order)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(np_block_orders); i++) {
		gfp_t block_gfp = gfp;
		struct page *page;

		if (remaining < (1UL << np_block_orders[i]))
			continue;
		if (np_block_orders[i])
			block_gfp = (gfp | __GFP_NOWARN | __GFP_NORETRY) &
				    ~__GFP_RECLAIM;
		else
			block_gfp = gfp | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
		page = alloc_pages(block_gfp | __GFP_ZERO | __GFP_COMP,
				   np_block_orders[i]);
		if (page) {
			*order = np_block_orders[i];
			return page;
		}
	}
	return NULL;
}

static void np_free_blocks(struct page **pages, unsigned long nr_pages)
{
	unsigned long i = 0;

	while (i < nr_pages) {
		unsigned int order = compound_order(pages[i]);

		__free_pages(pages[i], order);
		i += 1UL << order;
	}
}

/**
 * np_mem_alloc() - obtain the pages of a region
 * @mem: filled in on success.
 * @size: bytes, a multiple of PAGE_SIZE.
 * @flags: NP_MEM_MAP for a linear mapping, NP_MEM_ACCOUNT to charge the
 *	caller's memory cgroup.
 * @gfp: GFP_KERNEL, or GFP_ATOMIC for callers that cannot sleep (which
 *	then cannot get a region that needs vmap()).
 *
 * Return: 0, or -ENOMEM (out of memory, the module-wide limit, a fatal
 * signal, or a mapping that would need to sleep).
 */
int np_mem_alloc(struct np_mem *mem, size_t size, unsigned int flags,
		 gfp_t gfp)
{
	unsigned long nr_pages = size >> PAGE_SHIFT;
	unsigned long i = 0, j;
	unsigned int order;
	struct page *page;

	/* more than the machine has can only fail, and must fail quietly */
	if (nr_pages > totalram_pages() || !np_mem_charge(size))
		return -ENOMEM;
	if (flags & NP_MEM_ACCOUNT)
		gfp |= __GFP_ACCOUNT;
	mem->pages = kvmalloc_array(nr_pages, sizeof(*mem->pages),
				    gfp | __GFP_NOWARN);
	if (!mem->pages)
		goto uncharge;
	while (i < nr_pages) {
		if (gfpflags_allow_blocking(gfp) && fatal_signal_pending(current))
			goto free_blocks;
		page = np_alloc_block(nr_pages - i, gfp, &order);
		if (!page)
			goto free_blocks;
		for (j = 0; j < (1UL << order); j++)
			mem->pages[i + j] = page + j;
		i += 1UL << order;
	}
	mem->nr_pages = nr_pages;
	mem->size = size;
	mem->vaddr = NULL;
	mem->vmapped = false;
	if (!(flags & NP_MEM_MAP))
		return 0;
	if (compound_order(mem->pages[0]) == ilog2(nr_pages) &&
	    is_power_of_2(nr_pages)) {
		mem->vaddr = page_address(mem->pages[0]);
		return 0;
	}
	if (gfpflags_allow_blocking(gfp))
		mem->vaddr = vmap(mem->pages, nr_pages, VM_MAP, PAGE_KERNEL);
	if (mem->vaddr) {
		mem->vmapped = true;
		return 0;
	}
free_blocks:
	np_free_blocks(mem->pages, i);
	kvfree(mem->pages);
	mem->pages = NULL;
uncharge:
	atomic64_sub(size, &np_total_bytes);
	return -ENOMEM;
}

/**
 * np_mem_free() - give a region's pages back
 * @mem: a region's memory, with no user mapping left.
 */
void np_mem_free(struct np_mem *mem)
{
	if (!mem->pages)
		return;
	if (mem->vmapped)
		vunmap(mem->vaddr);
	np_free_blocks(mem->pages, mem->nr_pages);
	kvfree(mem->pages);
	atomic64_sub(mem->size, &np_total_bytes);
	mem->pages = NULL;
}

/**
 * np_slots_init() - make one zeroed slot per possible CPU
 * @set: the set.
 * @size: bytes per slot.
 * @init: called on every slot before the set is used.
 * @flush: called on every slot by np_slots_fini().
 * @arg: passed to @init and @flush.
 * @gfp: GFP_KERNEL, with __GFP_ACCOUNT to charge the slots to the caller's
 *	memory cgroup.
 *
 * Return: 0, or -ENOMEM.
 */
int np_slots_init(struct np_slots *set, size_t size,
		  void (*init)(void *slot, void *arg),
		  void (*flush)(void *slot, void *arg), void *arg, gfp_t gfp)
{
	unsigned int cpu;

	set->slots = __alloc_percpu_gfp(size, SMP_CACHE_BYTES, np_meta_gfp(gfp));
	if (!set->slots)
		return -ENOMEM;
	set->flush = flush;
	set->arg = arg;
	for_each_possible_cpu(cpu)
		init(per_cpu_ptr(set->slots, cpu), arg);
	return 0;
}

/**
 * np_slots_for_each() - call a function on every CPU's slot
 * @set: the set.
 * @fn: the function; it takes the slot's own lock if it needs it.
 * @arg: passed to @fn.
 */
void np_slots_for_each(struct np_slots *set,
		       void (*fn)(void *slot, void *arg), void *arg)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		fn(per_cpu_ptr(set->slots, cpu), arg);
}

/**
 * np_slots_fini() - flush every slot and free the set
 * @set: a set no one uses any more.
 */
void np_slots_fini(struct np_slots *set)
{
	np_slots_for_each(set, set->flush, set->arg);
	free_percpu(set->slots);
	set->slots = NULL;
}
