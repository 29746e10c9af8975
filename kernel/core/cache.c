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
 * Locking: each cache has an owner lock (np_env.h). Its CPU or thread
 * takes the owner's side on every use, which in userspace costs no
 * atomic operation; whoever flushes a cache or reads its counters takes
 * the visitor's side, which waits until the owner is out. The owner's
 * flush and refill run under it, its flushed after it is dropped; see
 * core.c for the order with the core's locks.
 */
#include "np_cache.h"

/* The bin of a normalised size up to NP_CACHE_NORMAL_MAX, cached or not. */
static unsigned int np_cache_bin(const struct np_cache_set *set, u64 norm)
{
	if (norm < NP_TINY_MAX)
		return np_tiny_index(norm);
	if (norm < set->page_size)
		return NP_NR_TINY_POOLS + np_small_index(norm);
	return NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS +
	       np_fls64(norm) - 1 - set->page_shift;
}

/* Fill the size-to-bin table: every size of one 16 B step shares a bin. */
static void np_cache_set_lookup(struct np_cache_set *set, u64 chunk_size)
{
	unsigned int k;

	for (k = 0; k < NP_CACHE_LOOKUP; k++) {
		u64 norm = np_normalize(chunk_size, (u64)k * NP_TINY_QUANTUM);
		unsigned int i;

		if (norm > chunk_size)
			continue;
		i = np_cache_bin(set, norm);
		if (set->bin_max[i])
			set->bin_of[k] = (u8)i;
	}
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
}

/**
 * np_cache_set_flushed() - after flushes, the owner's deferred work
 * @set: the set; no cache lock held.
 */
void np_cache_set_flushed(struct np_cache_set *set)
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

	np_visit_lock(&cache->lock);
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
	np_visit_unlock(&cache->lock);
	np_cache_set_flushed(set);
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

	np_owner_lock_init(&cache->lock);
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
	np_cache_set_lookup(set, chunk_size);
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

	bin->count = set->ops->refill(set, bin->entries, want,
				      set->bin_size[i]);
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

/**
 * np_cache_get_slow() - np_cache_get() past its fast case
 * @set: the pool's caches.
 * @cache: the caller's cache, its owner lock held.
 * @i: the bin.
 * @e: filled in on a hit.
 *
 * For an empty bin (refilled when it has been asked for since the last
 * trim), a bin's first use, and a trim that is due.
 *
 * Return: NP_CACHE_DONE on a hit, with NP_CACHE_FLUSHED after a trim.
 */
unsigned int np_cache_get_slow(struct np_cache_set *set,
			       struct np_cache *cache, unsigned int i,
			       struct np_cache_entry *e)
{
	struct np_cache_bin *bin = &cache->bins[i];
	unsigned int done = 0;

	if (!np_cache_bin_ready(set, cache, i))
		return 0;
	if (!bin->count && bin->hits && set->ops->refill)
		np_cache_refill(set, cache, i);
	if (bin->count) {
		*e = bin->entries[--bin->count];
		bin->hits++;
		cache->hits++;
		done = NP_CACHE_DONE;
	}
	if (++cache->allocations >= NP_CACHE_TRIM_INTERVAL) {
		np_cache_trim(set, cache);
		done |= NP_CACHE_FLUSHED;
	}
	return done;
}

/**
 * np_cache_put_slow() - np_cache_put() past its fast case
 * @set: the pool's caches.
 * @cache: the caller's cache, its owner lock held.
 * @i: the bin.
 * @e: the buffer.
 *
 * For a bin's first use, a full bin (half of it goes back to the owner)
 * and a trim that is due.
 *
 * Return: NP_CACHE_DONE when the cache took the buffer, with
 * NP_CACHE_FLUSHED when buffers went back to the owner.
 */
unsigned int np_cache_put_slow(struct np_cache_set *set,
			       struct np_cache *cache, unsigned int i,
			       const struct np_cache_entry *e)
{
	struct np_cache_bin *bin = &cache->bins[i];
	unsigned int done = NP_CACHE_DONE;

	if (!np_cache_bin_ready(set, cache, i))
		return 0;
	if (bin->count == set->bin_max[i]) {
		np_cache_flush_bin(set, cache, i, (bin->count + 1) / 2);
		done |= NP_CACHE_FLUSHED;
	}
	bin->entries[bin->count++] = *e;
	if (++cache->frees >= NP_CACHE_TRIM_INTERVAL) {
		np_cache_trim(set, cache);
		done |= NP_CACHE_FLUSHED;
	}
	return done;
}

struct np_cache_totals {
	const struct np_cache_set *set;
	struct np_stats *st;
	u64 buffers;
};

static void np_cache_stats_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;
	struct np_cache_totals *t = arg;

	unsigned int i;

	np_visit_lock(&cache->lock);
	for (i = 0; i < NP_CACHE_BINS; i++) {
		u32 n = cache->bins[i].count;

		t->st->bytes_cached += (u64)n * t->set->bin_size[i];
		t->buffers += n;
	}
	t->st->cache_hits += cache->hits;
	np_visit_unlock(&cache->lock);
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
	struct np_cache_totals t = { set, st, 0 };

	if (!set->enabled)
		return 0;
	np_slots_for_each(&set->slots, np_cache_stats_one, &t);
	np_lock(&set->lock);
	st->cache_hits += set->exited_hits;
	np_unlock(&set->lock);
	return t.buffers;
}
