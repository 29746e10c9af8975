// SPDX-License-Identifier: GPL-2.0
/*
 * Backing memory: the pages of a chunk or of a huge region, from the
 * buddy allocator.
 *
 * A region is built from the largest blocks the buddy allocator will
 * give without working for them: order 10 (4 MiB, a whole default chunk)
 * first, then 9, 4 and 0, as drivers/dma-buf/heaps/system_heap.c does.
 * The high orders are asked for with __GFP_NORETRY | __GFP_NOWARN and no
 * reclaim, so a fragmented system answers quickly with smaller blocks
 * instead of compacting or warning; only order 0 may reclaim, and it
 * fails rather than wake the OOM killer (__GFP_RETRY_MAYFAIL): a pool's
 * request is never worth killing a process for. Every block
 * is a compound page (__GFP_COMP), so that each of its pages can be
 * mapped into userspace on its own with a reference of its own, and
 * zeroed (__GFP_ZERO), so fresh memory never shows anyone's old data.
 * Pools opened from userspace charge their pages to the opener's memory
 * cgroup (__GFP_ACCOUNT).
 *
 * In-kernel pools need addresses: a region that is a single block uses
 * the direct map, one made of several blocks is vmap()ed. Userspace
 * pools need none.
 *
 * A module-wide limit, max_total_bytes, caps the pages held by all pools
 * together.
 *
 * Locking: none; np_mem_alloc() runs with no lock held and may sleep
 * when @gfp allows it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_core.h"
#include "np_module.h"

#include <linux/atomic.h>
#include <linux/sched/signal.h>
#include <linux/vmalloc.h>

static const unsigned int np_block_orders[] = { 10, 9, 4, 0 };

static atomic64_t np_total_bytes = ATOMIC64_INIT(0);

/**
 * np_backing_total_bytes() - bytes of pages held by all pools
 *
 * Return: the sum over every live region.
 */
u64 np_backing_total_bytes(void)
{
	return atomic64_read(&np_total_bytes);
}

static bool np_backing_charge(size_t size)
{
	u64 limit = np_param_max_total_bytes;

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
	if (nr_pages > totalram_pages() || !np_backing_charge(size))
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
