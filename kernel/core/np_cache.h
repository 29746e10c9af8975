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
/* Sizes up to NP_CACHE_NORMAL_MAX find their bin in one table, by 16 B */
#define NP_CACHE_LOOKUP		(NP_CACHE_NORMAL_MAX / NP_TINY_QUANTUM + 1)

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
 * @lock: protects everything below; its CPU or thread owns it.
 * @allocations: cacheable allocations since the last trim.
 * @frees: frees the cache took since the last trim.
 * @hits: requests answered, since the cache was made.
 * @bins: by size class; bin 0 unused.
 */
struct np_cache {
	struct np_owner_lock lock;
	u32 allocations;
	u32 frees;
	u64 hits;
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
 * @bin_of: the bin of each size up to NP_CACHE_NORMAL_MAX, by 16 bytes
 *	rounded up; 0 when it is not cached.
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
	u8 bin_of[NP_CACHE_LOOKUP];
};

int np_cache_set_init(struct np_cache_set *set,
		      const struct np_cache_ops *ops,
		      const struct np_config *cfg, gfp_t meta_gfp);
void np_cache_set_fini(struct np_cache_set *set);
void np_cache_set_flush(struct np_cache_set *set);

/* What the slow halves of np_cache_get() and np_cache_put() did. */
enum {
	NP_CACHE_DONE = 1,	/* a hit, or the buffer was taken */
	NP_CACHE_FLUSHED = 2,	/* np_cache_set_flushed() is due */
};

unsigned int np_cache_get_slow(struct np_cache_set *set,
			       struct np_cache *cache, unsigned int i,
			       struct np_cache_entry *e);
unsigned int np_cache_put_slow(struct np_cache_set *set,
			       struct np_cache *cache, unsigned int i,
			       const struct np_cache_entry *e);
void np_cache_set_flushed(struct np_cache_set *set);
u64 np_cache_set_stats(struct np_cache_set *set, struct np_stats *st);
#ifndef __KERNEL__
/* fork.c */
void np_cache_set_fork_prepare(struct np_cache_set *set);
void np_cache_set_fork_parent(struct np_cache_set *set);
void np_cache_set_fork_child(struct np_cache_set *set);
#endif

/**
 * np_cache_bin_of() - the bin that caches a size
 * @set: the pool's caches.
 * @size: a request in bytes (0 is served as 16), or a normalised size.
 *
 * Return: the bin, or 0 when the size is not cached (also when no size
 * is, or the set is disabled).
 */
static inline unsigned int np_cache_bin_of(const struct np_cache_set *set,
					   u64 size)
{
	if (size > NP_CACHE_NORMAL_MAX)
		return 0;
	return set->bin_of[(size + NP_TINY_QUANTUM - 1) / NP_TINY_QUANTUM];
}

/**
 * np_cache_get() - take a buffer from the caller's cache
 * @set: the pool's caches.
 * @i: a bin np_cache_bin_of() gave, not 0.
 * @e: filled in on a hit.
 *
 * The hit is inline; refills, trims and first uses go out of line.
 *
 * Return: true on a hit; false when the bin is empty and could not be
 * refilled, or the cache cannot be had (the caller allocates by itself).
 */
static inline bool np_cache_get(struct np_cache_set *set, unsigned int i,
				struct np_cache_entry *e)
{
	struct np_cache *cache = np_slots_this(&set->slots);
	struct np_cache_bin *bin;
	unsigned int done = NP_CACHE_DONE;

	if (np_unlikely(!cache))
		return false;
	np_owner_lock(&cache->lock);
	bin = &cache->bins[i];
	if (np_likely(bin->count &&
		      cache->allocations + 1 < NP_CACHE_TRIM_INTERVAL)) {
		*e = bin->entries[--bin->count];
		bin->hits++;
		cache->hits++;
		cache->allocations++;
	} else {
		done = np_cache_get_slow(set, cache, i, e);
	}
	np_owner_unlock(&cache->lock);
	if (np_unlikely(done & NP_CACHE_FLUSHED))
		np_cache_set_flushed(set);
	return done & NP_CACHE_DONE;
}

/**
 * np_cache_put() - keep a freed buffer in the caller's cache
 * @set: the pool's caches.
 * @i: the bin of the buffer's capacity, from np_cache_bin_of(), not 0.
 * @e: the buffer, which no user owns any more.
 *
 * Return: true when the cache took it; false when the cache cannot be
 * had (the caller gives the buffer back itself).
 */
static inline bool np_cache_put(struct np_cache_set *set, unsigned int i,
				const struct np_cache_entry *e)
{
	struct np_cache *cache = np_slots_this(&set->slots);
	struct np_cache_bin *bin;
	unsigned int done = NP_CACHE_DONE;

	if (np_unlikely(!cache))
		return false;
	np_owner_lock(&cache->lock);
	bin = &cache->bins[i];
	if (np_likely(bin->entries && bin->count < set->bin_max[i] &&
		      cache->frees + 1 < NP_CACHE_TRIM_INTERVAL)) {
		bin->entries[bin->count++] = *e;
		cache->frees++;
	} else {
		done = np_cache_put_slow(set, cache, i, e);
	}
	np_owner_unlock(&cache->lock);
	if (np_unlikely(done & NP_CACHE_FLUSHED))
		np_cache_set_flushed(set);
	return done & NP_CACHE_DONE;
}

#endif /* NP_CACHE_H */
