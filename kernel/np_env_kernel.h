/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core's environment in the kernel (see np_env.h).
 *
 * Locks are spinlocks taken with bottom halves disabled, so that a pool
 * can be used from process and softirq context alike; metadata comes
 * from kvzalloc(); page blocks from alloc_pages() (backing.c); the arena
 * hint is the current CPU.
 */
#ifndef NP_ENV_KERNEL_H
#define NP_ENV_KERNEL_H

#ifndef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>

typedef spinlock_t np_lock_t;
typedef rwlock_t np_rwlock_t;

static inline void np_lock_init(np_lock_t *l)
{
	spin_lock_init(l);
}

static inline void np_lock_destroy(np_lock_t *l)
{
}

static inline void np_lock(np_lock_t *l)
	__acquires(l)
{
	spin_lock_bh(l);
}

static inline void np_unlock(np_lock_t *l)
	__releases(l)
{
	spin_unlock_bh(l);
}

static inline void np_rwlock_init(np_rwlock_t *l)
{
	rwlock_init(l);
}

static inline void np_rwlock_destroy(np_rwlock_t *l)
{
}

static inline void np_read_lock(np_rwlock_t *l)
	__acquires(l)
{
	read_lock_bh(l);
}

static inline void np_read_unlock(np_rwlock_t *l)
	__releases(l)
{
	read_unlock_bh(l);
}

static inline void np_write_lock(np_rwlock_t *l)
	__acquires(l)
{
	write_lock_bh(l);
}

static inline void np_write_unlock(np_rwlock_t *l)
	__releases(l)
{
	write_unlock_bh(l);
}

static inline void *np_meta_zalloc(size_t size, gfp_t gfp)
{
	return kvzalloc(size, gfp);
}

static inline void np_meta_free(void *p)
{
	kvfree(p);
}

/**
 * struct np_mem - the pages of a chunk or huge region
 * @pages: every PAGE_SIZE page, in order; blocks of order > 0 are
 *	compound pages, so each page of a block can be mapped on its own.
 * @nr_pages: entries in @pages.
 * @vaddr: linear mapping of all of it (NP_MEM_MAP), or NULL.
 * @vmapped: @vaddr comes from vmap(), not from the direct map.
 * @size: bytes.
 */
struct np_mem {
	struct page **pages;
	unsigned long nr_pages;
	void *vaddr;
	bool vmapped;
	size_t size;
};

int np_mem_alloc(struct np_mem *mem, size_t size, unsigned int flags,
		 gfp_t gfp);
void np_mem_free(struct np_mem *mem);

static inline void *np_mem_addr(const struct np_mem *mem)
{
	return mem->vaddr;
}

#define np_err(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define np_warn(fmt, ...)	pr_warn_ratelimited(fmt, ##__VA_ARGS__)
#define np_info(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)

#define NP_WARN_ON(cond)	WARN_ON_ONCE(cond)

static inline unsigned int np_fls64(u64 x)
{
	return fls64(x);
}

static inline unsigned int np_ffz64(u64 x)
{
	return __ffs64(~x);
}

static inline bool np_is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static inline size_t np_env_page_size(void)
{
	return PAGE_SIZE;
}

static inline unsigned int np_env_nr_cpus(void)
{
	return num_online_cpus();
}

static inline unsigned int np_env_arena_hint(void)
{
	return raw_smp_processor_id();
}

#endif /* NP_ENV_KERNEL_H */
