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

static void np_kapi_release_now(struct np_core *core, struct np_region *dead)
{
	struct np_region *next;

	for (; dead; dead = next) {
		next = dead->next_dead;
		np_core_release_region(core, dead);
	}
}

static void np_kapi_grave_work(struct work_struct *work)
{
	struct np_pool *pool = container_of(work, struct np_pool, grave_work);
	struct np_region *dead;

	spin_lock_bh(&pool->grave_lock);
	dead = pool->grave;
	pool->grave = NULL;
	spin_unlock_bh(&pool->grave_lock);
	np_kapi_release_now(pool->core, dead);
}

static void np_kapi_release(struct np_core *core, struct np_region *dead)
{
	struct np_pool *pool = core->priv;
	struct np_region *last;

	if (preemptible()) {
		np_kapi_release_now(core, dead);
		return;
	}
	for (last = dead; last->next_dead; last = last->next_dead)
		;
	spin_lock_bh(&pool->grave_lock);
	last->next_dead = pool->grave;
	pool->grave = dead;
	spin_unlock_bh(&pool->grave_lock);
	schedule_work(&pool->grave_work);
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
	pool = np_pool_new(cfg, name, &np_kapi_ops, NP_MEM_MAP);
	if (IS_ERR(pool)) {
		module_put(THIS_MODULE);
		return pool;
	}
	spin_lock_init(&pool->grave_lock);
	INIT_WORK(&pool->grave_work, np_kapi_grave_work);
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
	flush_work(&pool->grave_work);
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
	ptr = (void *)(uintptr_t)buf.addr;
	if (gfp & __GFP_ZERO)
		memset(ptr, 0, buf.capacity);
	return ptr;
}
EXPORT_SYMBOL_GPL(np_pool_alloc);

/**
 * np_pool_free() - free a buffer
 * @pool: the pool.
 * @ptr: a buffer of @pool, as returned by np_pool_alloc(); NULL is ignored.
 *
 * Context: process or softirq context; never sleeps where sleeping is
 * not allowed (the release of an emptied chunk is deferred then).
 * Return: 0, or -EINVAL when @ptr is not the start of a live buffer of
 * @pool (nothing changes then).
 */
int np_pool_free(struct np_pool *pool, const void *ptr)
{
	if (!ptr)
		return 0;
	return np_core_free(pool->core, (u64)(uintptr_t)ptr);
}
EXPORT_SYMBOL_GPL(np_pool_free);

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
