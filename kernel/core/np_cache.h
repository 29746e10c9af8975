/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Caches of freed buffers, per CPU or per thread (cache.c), in front of
 * whatever allocates them: the core's arenas, or the library's ioctls to
 * the kernel. What a cache's owner provides is struct np_cache_ops.
 */
#ifndef NP_CACHE_H
#define NP_CACHE_H

#include "np_size_class.h"
#include <linux/nettypool.h>

#define NP_CACHE_NORMAL_MAX	(32 * 1024)	/* nothing larger is cached */
#define NP_CACHE_NORMAL_BINS	4	/* NP_PAGE_SIZE_MIN .. 32 KiB */
#define NP_CACHE_BINS		(NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS + \
				 NP_CACHE_NORMAL_BINS)
#define NP_CACHE_TRIM_INTERVAL	8192

/* A cached buffer: what holds it (a chunk, say) and its address. */
struct np_cache_entry {
	void *region;
	u64 addr;
};

/**
 * struct np_cache_bin - cached buffers of one size
 * @entries: a stack of bin_max entries, allocated on first use.
 * @count: entries in the stack.
 * @hits: allocations it answered since the last trim.
 */
struct np_cache_bin {
	struct np_cache_entry *entries;
	u32 count;
	u32 hits;
};

/**
 * struct np_cache - the cache of one CPU (kernel) or thread (userspace)
 * @lock: protects everything below.
 * @allocations: cacheable allocations since the last trim.
 * @frees: frees the cache took since the last trim.
 * @hits: requests answered, since the cache was made.
 * @buffers: buffers held.
 * @bytes: their normalised bytes.
 * @bins: by size class; bin 0 unused.
 */
struct np_cache {
	struct np_lock lock;
	u32 allocations;
	u32 frees;
	u64 hits;
	u64 buffers;
	u64 bytes;
	struct np_cache_bin bins[NP_CACHE_BINS];
};

struct np_cache_set;

/**
 * struct np_cache_ops - the owner of a cache set
 * @flush: take back @n buffers of @size bytes; called with a cache's lock
 *	held.
 * @flushed: called with no lock held after a cache flushed buffers, for
 *	what the owner could not do under the cache's lock; may be NULL.
 * @refill: hand out up to @n buffers of @size bytes at once, into @e;
 *	return how many. NULL when the owner cannot.
 */
struct np_cache_ops {
	void (*flush)(struct np_cache_set *set, struct np_cache_entry *e,
		      u32 n, u32 size);
	void (*flushed)(struct np_cache_set *set);
	u32 (*refill)(struct np_cache_set *set, struct np_cache_entry *e,
		      u32 n, u32 size);
};

/**
 * struct np_cache_set - the caches of one pool
 * @ops: its owner.
 * @owner: its owner's data, named in trace events; set before
 *	np_cache_set_init().
 * @enabled: some size is cached; @slots and @lock are set up.
 * @meta_gfp: added to the allocations of the caches' own memory.
 * @page_size: the pool's page size.
 * @page_shift: its log2.
 * @slots: a struct np_cache per CPU or per thread.
 * @lock: protects @exited_hits.
 * @exited_hits: hits of caches that are gone (threads that exited).
 * @bin_max: entries a bin may hold, 0 when the size is not cached.
 * @bin_size: the normalised size of each bin.
 */
struct np_cache_set {
	const struct np_cache_ops *ops;
	void *owner;
	bool enabled;
	gfp_t meta_gfp;
	u32 page_size;
	u32 page_shift;
	struct np_slots slots;
	struct np_lock lock;
	u64 exited_hits;
	u32 bin_max[NP_CACHE_BINS];
	u32 bin_size[NP_CACHE_BINS];
};

int np_cache_set_init(struct np_cache_set *set,
		      const struct np_cache_ops *ops,
		      const struct np_config *cfg, gfp_t meta_gfp);
void np_cache_set_fini(struct np_cache_set *set);
void np_cache_set_flush(struct np_cache_set *set);
bool np_cache_get(struct np_cache_set *set, u64 norm,
		  struct np_cache_entry *e);
bool np_cache_put(struct np_cache_set *set, u64 capacity,
		  const struct np_cache_entry *e);
u64 np_cache_set_stats(struct np_cache_set *set, struct np_stats *st);

#endif /* NP_CACHE_H */
