/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core's environment in the kernel (see np_env.h).
 *
 * Locks are spinlocks taken with bottom halves disabled, so that a pool
 * can be used from process and softirq context alike; metadata comes
 * from kvzalloc(); page blocks from alloc_pages() (env_kernel.c); the arena
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
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>

/* A lock that never sleeps, taken with bottom halves disabled. */
struct np_lock {
	spinlock_t lock;	/* the lock itself */
};

/* A reader/writer lock that never sleeps, bottom halves disabled. */
struct np_rwlock {
	rwlock_t lock;		/* the lock itself */
};

static inline void np_lock_init(struct np_lock *l)
{
	spin_lock_init(&l->lock);
}

static inline void np_lock_destroy(struct np_lock *l)
{
}

static inline void np_lock(struct np_lock *l)
	__acquires(&l->lock)
{
	spin_lock_bh(&l->lock);
}

static inline void np_unlock(struct np_lock *l)
	__releases(&l->lock)
{
	spin_unlock_bh(&l->lock);
}

/*
 * Data one CPU uses all the time and others visit now and then: here
 * simply a lock, which the owner and visitors take alike.
 */
struct np_owner_lock {
	struct np_lock lock;	/* the lock itself */
};

static inline void np_owner_lock_init(struct np_owner_lock *l)
{
	np_lock_init(&l->lock);
}

static inline void np_owner_lock(struct np_owner_lock *l)
	__acquires(&l->lock.lock)
{
	spin_lock_bh(&l->lock.lock);
}

static inline void np_owner_unlock(struct np_owner_lock *l)
	__releases(&l->lock.lock)
{
	spin_unlock_bh(&l->lock.lock);
}

static inline void np_visit_lock(struct np_owner_lock *l)
	__acquires(&l->lock.lock)
{
	spin_lock_bh(&l->lock.lock);
}

static inline void np_visit_unlock(struct np_owner_lock *l)
	__releases(&l->lock.lock)
{
	spin_unlock_bh(&l->lock.lock);
}

static inline void np_rwlock_init(struct np_rwlock *l)
{
	rwlock_init(&l->lock);
}

static inline void np_rwlock_destroy(struct np_rwlock *l)
{
}

static inline void np_read_lock(struct np_rwlock *l)
	__acquires(&l->lock)
{
	read_lock_bh(&l->lock);
}

static inline void np_read_unlock(struct np_rwlock *l)
	__releases(&l->lock)
{
	read_unlock_bh(&l->lock);
}

static inline void np_write_lock(struct np_rwlock *l)
	__acquires(&l->lock)
{
	write_lock_bh(&l->lock);
}

static inline void np_write_unlock(struct np_rwlock *l)
	__releases(&l->lock)
{
	write_unlock_bh(&l->lock);
}

/*
 * Metadata (and per-CPU slots) fail quietly, like page blocks: a pool that
 * cannot grow says -ENOMEM. __GFP_RETRY_MAYFAIL also keeps a charge to a
 * full memory cgroup (__GFP_ACCOUNT) from waking its OOM killer.
 */
static inline gfp_t np_meta_gfp(gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		gfp |= __GFP_RETRY_MAYFAIL;
	return gfp | __GFP_NOWARN;
}

static inline void *np_meta_zalloc(size_t size, gfp_t gfp)
{
	return kvzalloc(size, np_meta_gfp(gfp));
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
void np_mem_set_limit(u64 bytes);
u64 np_mem_total_bytes(void);

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

/* Atomic bits in words of unsigned long (the chunks' "owned" bitmaps). */
#define NP_WORD_BITS	BITS_PER_LONG

static inline bool np_test_and_clear_bit(unsigned long *words, u64 bit)
{
	return test_and_clear_bit(bit, words);
}

static inline bool np_test_and_set_bit(unsigned long *words, u64 bit)
{
	return test_and_set_bit(bit, words);
}

static inline bool np_test_bit(const unsigned long *words, u64 bit)
{
	return test_bit(bit, words);
}

/* A word read without the lock that protects its writers. */
#define np_likely(x)		likely(x)
#define np_unlikely(x)		unlikely(x)
#define np_read_once(x)		READ_ONCE(x)
#define np_write_once(x, v)	WRITE_ONCE(x, v)

/*
 * Slots: one instance of a structure per possible CPU (see percpu.c).
 * Each slot carries a lock of its own in its first bytes, so that a task
 * that migrates after picking its CPU's slot, or another CPU flushing it,
 * only contends; nothing depends on staying on the CPU.
 */
struct np_slots {
	void __percpu *slots;
	void (*flush)(void *slot, void *arg);
	void *arg;
};

int np_slots_init(struct np_slots *set, size_t size,
		  void (*init)(void *slot, void *arg),
		  void (*flush)(void *slot, void *arg), void *arg, gfp_t gfp);
void np_slots_for_each(struct np_slots *set,
		       void (*fn)(void *slot, void *arg), void *arg);
void np_slots_fini(struct np_slots *set);

/* The slot of the CPU the caller runs on (or ran on a moment ago). */
static inline void *np_slots_this(struct np_slots *set)
{
	return raw_cpu_ptr(set->slots);
}

/*
 * Trace events: nettypool.ko is built with NP_TRACEPOINTS and defines the
 * tracepoints of np_trace.h; a disabled one is a patched-out jump (a
 * static key) over the evaluation of its arguments. Other modules that
 * compile the core (its KUnit suites) have none.
 */
#ifdef NP_TRACEPOINTS
#include "np_trace.h"
#define np_trace(event, ...)						\
	do {								\
		if (trace_##event##_enabled())				\
			trace_##event(__VA_ARGS__);			\
	} while (0)
#else
#define np_trace(event, ...)	do { } while (0)
#endif

#endif /* NP_ENV_KERNEL_H */
