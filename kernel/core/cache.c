// SPDX-License-Identifier: GPL-2.0
/*
 * Caches: freed buffers kept per CPU (kernel) or per thread (userspace)
 * in front of whatever allocates them, as Netty's PoolThreadCache keeps
 * them per thread in its MemoryRegionCaches.
 *
 * A cache set belongs to one pool. The pool's core puts one in front of
 * its arenas (core.c); the library's kernel backend puts one in front of
 * its ioctls (userspace/lib/backend_kernel.c). A set's caches are the
 * slots of a struct np_slots: the environment gives each CPU, or each
 * thread, its own. A cache has a bin per cacheable size class: tiny (16
 * .. 496 bytes, 16-byte steps), small (512 bytes .. half a page) and
 * normal up to 32 KiB, holding at most tiny_cache, small_cache and
 * normal_cache entries (512, 256 and 64 by default; -1 turns a kind off).
 * An entry is a buffer that was freed but that its allocator still
 * counts as allocated. A bin is a stack, so the buffer freed last, the
 * one most likely still in the CPU's cache, is handed out first; its
 * array is allocated on the bin's first use.
 *
 * Allocation pops from the bin of the size; when the bin is empty but
 * served allocations since the last trim, and the set's owner can hand
 * out several buffers at once (ops->refill), the bin is refilled with
 * half its capacity in one go. Free pushes; a full bin first gives its
 * older half back to the owner in one go. Every
 * NP_CACHE_TRIM_INTERVAL (8192) cacheable allocations a cache trims
 * itself as Netty does: each bin gives back as many of its oldest entries
 * as it holds beyond the allocations it served since the last trim, so
 * buffers nobody asks for again do not stay pinned. Unlike Netty, where a
 * free goes back to the cache of the thread that allocated, a free here
 * goes to the freeing CPU's or thread's cache; a consumer that only
 * frees would never trim, so as many frees trim too. A flush of the set (the
 * pool's trim, a CPU going offline, the byte limit) and its destruction
 * empty every cache; a thread's caches are emptied when it exits.
 *
 * Locking: each cache has its own lock, which its CPU or thread takes on
 * every use and anyone flushing it takes too; it is uncontended but for
 * those flushes. The owner's flush and refill run under it, its flushed
 * after it is dropped; see core.c for the order with the core's locks.
 */
#include "np_cache.h"

/* The bin of a normalised size, or -1 when it is not cached. */
static int np_cache_bin(const struct np_cache_set *set, u64 norm)
{
	int i;

	if (norm < NP_TINY_MAX)
		i = (int)np_tiny_index(norm);
	else if (norm < set->page_size)
		i = NP_NR_TINY_POOLS + (int)np_small_index(norm);
	else if (norm <= NP_CACHE_NORMAL_MAX)
		i = NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS +
		    (int)(np_fls64(norm) - 1 - set->page_shift);
	else
		return -1;
	return set->bin_max[i] ? i : -1;
}

/* Give the n oldest entries of a bin back to the owner. */
static void np_cache_flush_bin(struct np_cache_set *set,
			       struct np_cache *cache, unsigned int i, u32 n)
{
	struct np_cache_bin *bin = &cache->bins[i];

	set->ops->flush(set, bin->entries, n, set->bin_size[i]);
	np_trace(cache_flush, set->owner, set->bin_size[i], n, bin->count - n);
	bin->count -= n;
	memmove(&bin->entries[0], &bin->entries[n],
		bin->count * sizeof(*bin->entries));
	cache->buffers -= n;
	cache->bytes -= (u64)n * set->bin_size[i];
}

/* After flushes, with no cache lock held: the owner's deferred work. */
static void np_cache_flushed(struct np_cache_set *set)
{
	if (set->ops->flushed)
		set->ops->flushed(set);
}

/* Netty's trim: keep what was asked for since the last trim. */
static void np_cache_trim(struct np_cache_set *set, struct np_cache *cache)
{
	unsigned int i;

	np_trace(cache_trim, set->owner, cache->allocations, cache->frees);
	cache->allocations = 0;
	cache->frees = 0;
	for (i = 0; i < NP_CACHE_BINS; i++) {
		struct np_cache_bin *bin = &cache->bins[i];
		u32 hits = bin->hits;

		bin->hits = 0;
		if (bin->count > hits)
			np_cache_flush_bin(set, cache, i, bin->count - hits);
	}
}

/* Empty a cache; with @exiting, free its arrays too. */
static void np_cache_empty(struct np_cache_set *set, struct np_cache *cache,
			   bool exiting)
{
	unsigned int i;
	u64 hits;

	np_lock(&cache->lock);
	for (i = 0; i < NP_CACHE_BINS; i++) {
		struct np_cache_bin *bin = &cache->bins[i];

		if (bin->count)
			np_cache_flush_bin(set, cache, i, bin->count);
		bin->hits = 0;
		if (exiting) {
			np_meta_free(bin->entries);
			bin->entries = NULL;
		}
	}
	cache->allocations = 0;
	cache->frees = 0;
	hits = cache->hits;
	if (exiting)
		cache->hits = 0;
	np_unlock(&cache->lock);
	np_cache_flushed(set);
	if (exiting && hits) {	/* the set's count outlives the cache */
		np_lock(&set->lock);
		set->exited_hits += hits;
		np_unlock(&set->lock);
	}
}

static void np_cache_flush_one(void *slot, void *arg)
{
	np_cache_empty(arg, slot, false);
}

static void np_cache_exit_one(void *slot, void *arg)
{
	np_cache_empty(arg, slot, true);
}

static void np_cache_init_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;

	np_lock_init(&cache->lock);
}

/**
 * np_cache_set_init() - make the caches of a pool
 * @set: zeroed memory for the set.
 * @ops: how its owner takes buffers back and hands several out.
 * @cfg: the pool's effective configuration.
 * @meta_gfp: added to the allocations of the caches' memory (__GFP_ACCOUNT
 *	to charge it to the caller's memory cgroup, or 0).
 *
 * Return: 0 (also when the configuration turns every cache off, which
 * leaves the set disabled), or -ENOMEM.
 */
int np_cache_set_init(struct np_cache_set *set,
		      const struct np_cache_ops *ops,
		      const struct np_config *cfg, gfp_t meta_gfp)
{
	u64 chunk_size = (u64)cfg->page_size << cfg->max_order;
	unsigned int i;
	int ret;

	set->ops = ops;
	set->meta_gfp = meta_gfp;
	set->page_size = cfg->page_size;
	set->page_shift = np_fls64(cfg->page_size) - 1;
	for (i = 1; i < NP_CACHE_BINS; i++) {
		u32 size;
		s32 max;

		if (i < NP_NR_TINY_POOLS) {
			size = i * NP_TINY_QUANTUM;
			max = cfg->tiny_cache;
		} else if (i < NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS) {
			size = 512U << (i - NP_NR_TINY_POOLS);
			max = size < cfg->page_size ? cfg->small_cache : 0;
		} else {
			size = cfg->page_size <<
			       (i - NP_NR_TINY_POOLS - NP_MAX_SMALL_POOLS);
			max = size <= NP_CACHE_NORMAL_MAX && size <= chunk_size ?
			      cfg->normal_cache : 0;
		}
		set->bin_size[i] = size;
		set->bin_max[i] = max > 0 ? (u32)max : 0;
		if (set->bin_max[i])
			set->enabled = true;
	}
	if (!set->enabled)
		return 0;
	np_lock_init(&set->lock);
	ret = np_slots_init(&set->slots, sizeof(struct np_cache),
			    np_cache_init_one, np_cache_exit_one, set,
			    GFP_KERNEL | meta_gfp);
	if (ret)
		set->enabled = false;
	return ret;
}

/**
 * np_cache_set_fini() - empty and free every cache of a set
 * @set: a set no one uses any more.
 */
void np_cache_set_fini(struct np_cache_set *set)
{
	if (set->enabled) {
		np_slots_fini(&set->slots);
		np_lock_destroy(&set->lock);
	}
	set->enabled = false;
}

/**
 * np_cache_set_flush() - give every cached buffer of a set back
 * @set: the set.
 *
 * Every CPU's (every thread's) cache, in turn, under its own lock.
 */
void np_cache_set_flush(struct np_cache_set *set)
{
	if (set->enabled)
		np_slots_for_each(&set->slots, np_cache_flush_one, set);
}

/* Refill an empty bin from the owner: half its capacity, one call. */
static void np_cache_refill(struct np_cache_set *set, struct np_cache *cache,
			    unsigned int i)
{
	struct np_cache_bin *bin = &cache->bins[i];
	u32 want = set->bin_max[i] / 2 ? set->bin_max[i] / 2 : 1;
	u32 got;

	got = set->ops->refill(set, bin->entries, want, set->bin_size[i]);
	bin->count = got;
	cache->buffers += got;
	cache->bytes += (u64)got * set->bin_size[i];
}

/*
 * Under the cache's lock: bin i has its array, allocated now if need be.
 * Without sleeping, but without the reserves of GFP_ATOMIC either: a
 * memory cgroup forces such a charge past its limit, and a cache is
 * never worth it (the size goes uncached until memory is found).
 */
static bool np_cache_bin_ready(struct np_cache_set *set, struct np_cache *cache,
			       unsigned int i)
{
	struct np_cache_bin *bin = &cache->bins[i];

	if (!bin->entries)
		bin->entries = np_meta_zalloc(set->bin_max[i] *
					      sizeof(*bin->entries),
					      GFP_NOWAIT | set->meta_gfp);
	return bin->entries;
}

/*
 * The caller's cache and the bin of a size, *bin; NULL when the size is
 * not cached or the cache cannot be had. The caller locks it.
 */
static struct np_cache *np_cache_of(struct np_cache_set *set, u64 norm,
				    int *bin)
{
	if (!set->enabled)
		return NULL;
	*bin = np_cache_bin(set, norm);
	if (*bin < 0)
		return NULL;
	return np_slots_this(&set->slots);
}

/**
 * np_cache_get() - take a buffer from the caller's cache
 * @set: the pool's caches.
 * @norm: normalised size.
 * @e: filled in on a hit.
 *
 * Return: true on a hit; false when the size is not cached, or its bin
 * is empty and could not be refilled (the caller allocates by itself).
 */
bool np_cache_get(struct np_cache_set *set, u64 norm, struct np_cache_entry *e)
{
	struct np_cache_bin *bin;
	struct np_cache *cache;
	bool trimmed = false;
	bool hit = false;
	int i;

	cache = np_cache_of(set, norm, &i);
	if (!cache)
		return false;
	np_lock(&cache->lock);
	if (!np_cache_bin_ready(set, cache, i)) {
		np_unlock(&cache->lock);
		return false;
	}
	bin = &cache->bins[i];
	if (!bin->count && bin->hits && set->ops->refill)
		np_cache_refill(set, cache, i);
	if (bin->count) {
		*e = bin->entries[--bin->count];
		bin->hits++;
		cache->hits++;
		cache->buffers--;
		cache->bytes -= norm;
		hit = true;
	}
	if (++cache->allocations >= NP_CACHE_TRIM_INTERVAL) {
		np_cache_trim(set, cache);
		trimmed = true;
	}
	np_unlock(&cache->lock);
	if (trimmed)
		np_cache_flushed(set);
	return hit;
}

/**
 * np_cache_put() - keep a freed buffer in the caller's cache
 * @set: the pool's caches.
 * @capacity: the buffer's normalised size.
 * @e: the buffer, which no user owns any more.
 *
 * Return: true when the cache took it; false when the size is not cached
 * or the cache cannot be had (the caller gives the buffer back itself).
 */
bool np_cache_put(struct np_cache_set *set, u64 capacity,
		  const struct np_cache_entry *e)
{
	struct np_cache_bin *bin;
	struct np_cache *cache;
	bool flushed;
	int i;

	cache = np_cache_of(set, capacity, &i);
	if (!cache)
		return false;
	np_lock(&cache->lock);
	if (!np_cache_bin_ready(set, cache, i)) {
		np_unlock(&cache->lock);
		return false;
	}
	bin = &cache->bins[i];
	flushed = bin->count == set->bin_max[i];
	if (flushed)
		np_cache_flush_bin(set, cache, i, (bin->count + 1) / 2);
	bin->entries[bin->count++] = *e;
	cache->buffers++;
	cache->bytes += capacity;
	if (++cache->frees >= NP_CACHE_TRIM_INTERVAL) {
		np_cache_trim(set, cache);
		flushed = true;
	}
	np_unlock(&cache->lock);
	if (flushed)
		np_cache_flushed(set);
	return true;
}

struct np_cache_totals {
	struct np_stats *st;
	u64 buffers;
};

static void np_cache_stats_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;
	struct np_cache_totals *t = arg;

	np_lock(&cache->lock);
	t->st->bytes_cached += cache->bytes;
	t->st->cache_hits += cache->hits;
	t->buffers += cache->buffers;
	np_unlock(&cache->lock);
}

/**
 * np_cache_set_stats() - add a set's counters to a pool's
 * @set: the set.
 * @st: the totals: bytes_cached and cache_hits grow.
 *
 * Return: the number of buffers the caches hold.
 */
u64 np_cache_set_stats(struct np_cache_set *set, struct np_stats *st)
{
	struct np_cache_totals t = { st, 0 };

	if (!set->enabled)
		return 0;
	np_slots_for_each(&set->slots, np_cache_stats_one, &t);
	np_lock(&set->lock);
	st->cache_hits += set->exited_hits;
	np_unlock(&set->lock);
	return t.buffers;
}
