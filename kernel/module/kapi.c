// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel API: pools for kernel code, whose buffers are addressed
 * by kernel virtual address. A pool's regions are mapped into the kernel
 * (the direct map for a region of one block, vmap() otherwise), and a
 * buffer's key is its address, so np_pool_free() hands the pointer to the
 * core as it is.
 *
 * Freeing may empty a chunk, whose release can sleep (vunmap(), the
 * metadata's vfree()). A free made where sleeping is not allowed hands
 * the chunk to the pool's work item instead; np_pool_destroy() waits for
 * it.
 *
 * Module references: a pool holds one on nettypool.ko for as long as it
 * lives, so the module cannot be unloaded under its users; the users'
 * own modules already depend on nettypool's symbols.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"

#include <linux/module.h>
#include <linux/preempt.h>

static void np_kapi_release_work(struct work_struct *work)
{
	struct np_pool *pool = container_of(work, struct np_pool, release_work);
	struct np_region *retired;

	spin_lock_bh(&pool->retired_lock);
	retired = pool->retired;
	pool->retired = NULL;
	spin_unlock_bh(&pool->retired_lock);
	np_core_release_retired(pool->core, retired);
}

static void np_kapi_release(void *priv, struct np_region *retired)
{
	struct np_pool *pool = priv;
	struct np_region *last;

	if (preemptible()) {
		np_core_release_retired(pool->core, retired);
		return;
	}
	for (last = retired; last->next_retired; last = last->next_retired)
		;
	spin_lock_bh(&pool->retired_lock);
	last->next_retired = pool->retired;
	pool->retired = retired;
	spin_unlock_bh(&pool->retired_lock);
	schedule_work(&pool->release_work);
}

static const struct np_core_ops np_kapi_ops = {
	.release = np_kapi_release,
};

/**
 * np_pool_create() - create a pool for kernel use
 * @cfg: configuration, zero fields meaning the module's defaults; on
 *	success it holds the effective values.
 * @name: a name for debugfs and log lines.
 *
 * Context: process context; may sleep.
 * Return: the pool, or ERR_PTR(-EINVAL) for a bad configuration,
 * ERR_PTR(-ENOMEM).
 */
struct np_pool *np_pool_create(struct np_config *cfg, const char *name)
{
	struct np_pool *pool;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	pool = np_pool_new(cfg, name, &np_kapi_ops, NP_MEM_MAP, false);
	if (IS_ERR(pool)) {
		module_put(THIS_MODULE);
		return pool;
	}
	spin_lock_init(&pool->retired_lock);
	INIT_WORK(&pool->release_work, np_kapi_release_work);
	return pool;
}
EXPORT_SYMBOL_GPL(np_pool_create);

/**
 * np_pool_destroy() - destroy a pool and everything in it
 * @pool: the pool; NULL is ignored.
 *
 * Buffers still allocated are reclaimed and reported as leaked.
 *
 * Context: process context; may sleep.
 */
void np_pool_destroy(struct np_pool *pool)
{
	if (!pool)
		return;
	flush_work(&pool->release_work);
	np_pool_release(pool);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(np_pool_destroy);

/**
 * np_pool_alloc() - allocate a buffer
 * @pool: the pool.
 * @size: bytes wanted; the buffer's capacity is the normalised size.
 * @gfp: GFP_KERNEL, or GFP_ATOMIC / GFP_NOWAIT where sleeping is not
 *	allowed; __GFP_ZERO zeroes the buffer.
 *
 * Context: process or softirq context, as @gfp allows (not hard irq:
 * the pool's locks disable bottom halves); a non-blocking @gfp never
 * sleeps, and then cannot make a chunk that needs vmap().
 * Return: the buffer, or NULL.
 */
void *np_pool_alloc(struct np_pool *pool, size_t size, gfp_t gfp)
{
	struct np_buf buf;
	void *ptr;

	if (np_core_alloc(pool->core, size, gfp & ~__GFP_ZERO, &buf))
		return NULL;
	np_trace_alloc(pool, size, &buf);
	ptr = (void *)(uintptr_t)buf.addr;
	if (gfp & __GFP_ZERO)
		memset(ptr, 0, buf.capacity);
	if (np_leak_enabled(pool))
		np_leak_track_alloc(&pool->leak, buf.addr, buf.capacity, 0, gfp);
	return ptr;
}
EXPORT_SYMBOL_GPL(np_pool_alloc);

/**
 * np_pool_free() - drop a reference of a buffer, freeing it at zero
 * @pool: the pool.
 * @ptr: a buffer of @pool, as returned by np_pool_alloc(); NULL is ignored.
 *
 * A buffer has one reference when allocated and one more for each
 * np_pool_retain(); the last np_pool_free() frees it, as releasing a
 * PooledByteBuf does. A free past the last reference is refused (the
 * buffer is no longer live), without a warning.
 *
 * Context: process or softirq context; never sleeps where sleeping is
 * not allowed (the release of an emptied chunk is deferred then).
 * Return: 0, or -EINVAL when @ptr is not the start of a live buffer of
 * @pool (nothing changes then).
 */
int np_pool_free(struct np_pool *pool, const void *ptr)
{
	return ptr ? np_pool_free_addr(pool, (u64)(uintptr_t)ptr) : 0;
}
EXPORT_SYMBOL_GPL(np_pool_free);

/**
 * np_pool_retain() - add a reference to a buffer
 * @pool: the pool.
 * @ptr: a live buffer of @pool.
 *
 * The reference count is kept by the pool with the buffer's metadata
 * rather than in a refcount_t next to the data, so that a retain or a
 * free of a buffer that is no longer live is refused (-EINVAL) instead of
 * touching freed memory; it saturates by refusing a retain past 2^32 - 1
 * references (-EOVERFLOW), so the buffer is never freed early.
 *
 * Context: process context (the first retain of a buffer allocates a
 * small record with GFP_KERNEL).
 * Return: 0, -EINVAL, -EOVERFLOW or -ENOMEM.
 */
int np_pool_retain(struct np_pool *pool, const void *ptr)
{
	return np_pool_retain_addr(pool, (u64)(uintptr_t)ptr);
}
EXPORT_SYMBOL_GPL(np_pool_retain);

/**
 * np_pool_usable_size() - the capacity of a buffer
 * @pool: the pool.
 * @ptr: the buffer.
 *
 * Return: its normalised size, or 0 when @ptr is not a live buffer.
 */
size_t np_pool_usable_size(struct np_pool *pool, const void *ptr)
{
	return np_core_usable_size(pool->core, (u64)(uintptr_t)ptr);
}
EXPORT_SYMBOL_GPL(np_pool_usable_size);

/**
 * np_pool_leak_suspects() - how many buffers the leak detector tracks
 * @pool: the pool.
 *
 * These are the buffers that would be reported as leaks if the pool were
 * destroyed now: every live one at paranoid, about one in 128 at simple
 * and advanced, none when disabled. /sys/kernel/debug/nettypool/leaks
 * shows them with their stacks.
 *
 * Return: the number of tracked live buffers.
 */
u64 np_pool_leak_suspects(struct np_pool *pool)
{
	u64 n;

	spin_lock_bh(&pool->leak.lock);
	n = pool->leak.nr;
	spin_unlock_bh(&pool->leak.lock);
	return n;
}
EXPORT_SYMBOL_GPL(np_pool_leak_suspects);

/**
 * np_pool_trim() - give back the pages a pool holds but does not use
 * @pool: the pool.
 *
 * Context: process context; may sleep.
 */
void np_pool_trim(struct np_pool *pool)
{
	np_core_trim(pool->core);
}
EXPORT_SYMBOL_GPL(np_pool_trim);

/**
 * np_pool_stats() - read a pool's counters
 * @pool: the pool.
 * @st: filled in.
 */
void np_pool_stats(struct np_pool *pool, struct np_stats *st)
{
	np_core_stats(pool->core, st);
}
EXPORT_SYMBOL_GPL(np_pool_stats);
