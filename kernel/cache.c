// SPDX-License-Identifier: GPL-2.0
/*
 * Caches: freed buffers kept per CPU (kernel) or per thread (userspace)
 * in front of the arenas, as Netty's PoolThreadCache keeps them per
 * thread in its MemoryRegionCaches.
 *
 * A cache is one slot of the pool's struct np_slots (the environment
 * gives each CPU, or each thread, its own). It has a bin per cacheable
 * size class: tiny (16 .. 496 bytes, 16-byte steps), small (512 bytes ..
 * half a page) and normal up to 32 KiB, holding at most tiny_cache,
 * small_cache and normal_cache entries (512, 256 and 64 by default; -1
 * turns a kind off). An entry is a buffer that was freed but that its
 * chunk still counts as allocated; only its "owned" bit is clear (see
 * chunk.c). A bin is a stack, so the buffer freed last, the one most
 * likely still in the CPU's cache, is handed out first; its array is
 * allocated on the bin's first free.
 *
 * Allocation pops from the bin of the size; free pushes when the bin has
 * room, and the buffer goes to its arena otherwise. Every
 * NP_CACHE_TRIM_INTERVAL (8192) cacheable requests a cache trims itself
 * as Netty does: each bin gives back to the arenas as many of its oldest
 * entries as it holds beyond the allocations it served since the last
 * trim, so buffers nobody asks for again do not stay pinned. Trim of the
 * pool (np_core_trim(), NP_IOC_TRIM, np_trim()), a CPU going offline and
 * destruction of the pool flush every cache entirely; a thread's caches
 * are flushed when it exits.
 *
 * Cached buffers are counted by the arenas as active (their chunks hold
 * them) and by the caches as cached; np_core_stats() reports them as
 * cached only.
 *
 * Locking: each cache has its own lock, which its CPU or thread takes on
 * every use and anyone flushing it takes too; it is uncontended but for
 * those flushes. Order: cache->lock -> arena->lock. No region_lock is
 * ever held with a cache lock: the chunk of a cached buffer cannot go
 * away (it still counts the buffer), and chunks a flush empties are
 * buried after the cache lock is dropped.
 */
#include "np_core.h"

/* The bin of a normalised size, or -1 when it is not cached. */
static int np_cache_bin(const struct np_core *core, u64 norm)
{
	int i;

	if (norm < NP_TINY_MAX)
		i = (int)(norm / NP_TINY_QUANTUM);
	else if (norm < core->geo.page_size)
		i = NP_NR_TINY_POOLS + (int)np_fls64(norm >> 10);
	else if (norm <= NP_CACHE_NORMAL_MAX)
		i = NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS +
		    (int)(np_fls64(norm) - 1 - core->geo.page_shift);
	else
		return -1;
	return core->bin_max[i] ? i : -1;
}

/* Give the entries [first, first + n) of a bin back to their arenas. */
static void np_cache_release(struct np_core *core, struct np_cache *cache,
			     unsigned int i, u32 first, u32 n,
			     struct np_region **dead)
{
	struct np_cache_bin *bin = &cache->bins[i];
	u32 k;

	for (k = first; k < first + n; k++) {
		struct np_cache_entry *e = &bin->entries[k];

		np_arena_free_claimed(e->chunk->region.arena, e->chunk,
				      e->addr - e->chunk->region.key, dead);
	}
	bin->count -= n;
	memmove(&bin->entries[first], &bin->entries[first + n],
		(bin->count - first) * sizeof(*bin->entries));
	cache->buffers -= n;
	cache->bytes -= (u64)n * core->bin_size[i];
}

/* Netty's trim: keep what was asked for since the last trim. */
static void np_cache_trim(struct np_core *core, struct np_cache *cache,
			  struct np_region **dead)
{
	unsigned int i;

	for (i = 0; i < NP_CACHE_BINS; i++) {
		struct np_cache_bin *bin = &cache->bins[i];
		u32 hits = bin->hits;

		bin->hits = 0;
		if (bin->count > hits)
			np_cache_release(core, cache, i, 0, bin->count - hits,
					 dead);
	}
}

/* Empty a cache into the arenas; with @retire, free its arrays too. */
static void np_cache_empty(struct np_core *core, struct np_cache *cache,
			   bool retire)
{
	struct np_region *dead = NULL;
	unsigned int i;
	u64 hits;

	np_lock(&cache->lock);
	for (i = 0; i < NP_CACHE_BINS; i++) {
		struct np_cache_bin *bin = &cache->bins[i];

		if (bin->count)
			np_cache_release(core, cache, i, 0, bin->count, &dead);
		bin->hits = 0;
		if (retire) {
			np_meta_free(bin->entries);
			bin->entries = NULL;
		}
	}
	cache->allocations = 0;
	hits = cache->hits;
	if (retire)
		cache->hits = 0;
	np_unlock(&cache->lock);
	if (dead)
		np_core_bury(core, dead);
	if (retire && hits) {	/* the pool's count outlives the cache */
		np_write_lock(&core->region_lock);
		core->retired_cache_hits += hits;
		np_write_unlock(&core->region_lock);
	}
}

static void np_cache_flush_one(void *slot, void *arg)
{
	np_cache_empty(arg, slot, false);
}

static void np_cache_retire_one(void *slot, void *arg)
{
	np_cache_empty(arg, slot, true);
}

static void np_cache_init_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;

	np_lock_init(&cache->lock);
}

/**
 * np_cache_setup() - give a new pool its caches
 * @core: the pool, its configuration and geometry set.
 *
 * Return: 0 (also when the configuration turns every cache off), or
 * -ENOMEM.
 */
int np_cache_setup(struct np_core *core)
{
	const struct np_config *cfg = &core->cfg;
	unsigned int i;
	int ret;

	for (i = 1; i < NP_CACHE_BINS; i++) {
		s32 max;

		if (i < NP_NR_TINY_POOLS) {
			core->bin_size[i] = i * NP_TINY_QUANTUM;
			max = cfg->tiny_cache;
		} else if (i < NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS) {
			core->bin_size[i] = 512U << (i - NP_NR_TINY_POOLS);
			max = core->bin_size[i] < core->geo.page_size ?
			      cfg->small_cache : 0;
		} else {
			core->bin_size[i] = core->geo.page_size <<
				(i - NP_NR_TINY_POOLS - NP_MAX_SMALL_POOLS);
			max = core->bin_size[i] <= NP_CACHE_NORMAL_MAX &&
			      core->bin_size[i] <= core->geo.chunk_size ?
			      cfg->normal_cache : 0;
		}
		core->bin_max[i] = max > 0 ? (u32)max : 0;
		if (core->bin_max[i])
			core->cached = true;
	}
	if (!core->cached)
		return 0;
	ret = np_slots_init(&core->caches, sizeof(struct np_cache),
			    np_cache_init_one, np_cache_retire_one, core);
	if (ret)
		core->cached = false;
	return ret;
}

/**
 * np_cache_teardown() - flush and free every cache of a pool
 * @core: a pool no one uses any more.
 */
void np_cache_teardown(struct np_core *core)
{
	if (core->cached)
		np_slots_fini(&core->caches);
	core->cached = false;
}

/**
 * np_cache_flush_all() - give every cached buffer of a pool back
 * @core: the pool.
 *
 * Every CPU's (every thread's) cache, in turn, under its own lock.
 */
void np_cache_flush_all(struct np_core *core)
{
	if (core->cached)
		np_slots_for_each(&core->caches, np_cache_flush_one, core);
}

/**
 * np_cache_alloc() - take a buffer from the caller's cache
 * @core: the pool.
 * @norm: normalised size.
 * @buf: filled in on a hit.
 *
 * Return: true on a hit; false when the size is not cached or its bin is
 * empty (the caller goes to an arena).
 */
bool np_cache_alloc(struct np_core *core, u64 norm, struct np_buf *buf)
{
	struct np_region *dead = NULL;
	struct np_cache_entry e = { NULL, 0 };
	struct np_cache *cache;
	struct np_cache_bin *bin;
	int i;

	if (!core->cached)
		return false;
	i = np_cache_bin(core, norm);
	if (i < 0)
		return false;
	cache = np_slots_this(&core->caches);
	if (!cache)
		return false;
	np_lock(&cache->lock);
	bin = &cache->bins[i];
	if (bin->count) {
		e = bin->entries[--bin->count];
		bin->hits++;
		cache->hits++;
		cache->buffers--;
		cache->bytes -= norm;
	}
	if (++cache->allocations >= NP_CACHE_TRIM_INTERVAL) {
		cache->allocations = 0;
		np_cache_trim(core, cache, &dead);
	}
	np_unlock(&cache->lock);
	if (dead)
		np_core_bury(core, dead);
	if (!e.chunk)
		return false;
	np_chunk_mark_owned(e.chunk, e.addr - e.chunk->region.key);
	buf->addr = e.addr;
	buf->capacity = norm;
	buf->region_key = e.chunk->region.key;
	buf->region_size = e.chunk->region.size;
	buf->chunk = e.chunk;
	return true;
}

/**
 * np_cache_free() - keep a freed buffer in the caller's cache
 * @core: the pool.
 * @chunk: the buffer's chunk.
 * @addr: the buffer, claimed by the caller (np_chunk_claim()).
 * @capacity: its normalised size.
 *
 * Return: true when the cache took it; false when the size is not cached
 * or its bin is full (the caller frees it to its arena).
 */
bool np_cache_free(struct np_core *core, struct np_chunk *chunk, u64 addr,
		   u32 capacity)
{
	struct np_cache *cache;
	struct np_cache_bin *bin;
	int i;

	if (!core->cached)
		return false;
	i = np_cache_bin(core, capacity);
	if (i < 0)
		return false;
	cache = np_slots_this(&core->caches);
	if (!cache)
		return false;
	np_lock(&cache->lock);
	bin = &cache->bins[i];
	if (!bin->entries)
		bin->entries = np_meta_zalloc(core->bin_max[i] *
					      sizeof(*bin->entries),
					      GFP_ATOMIC);
	if (!bin->entries || bin->count == core->bin_max[i]) {
		np_unlock(&cache->lock);
		return false;
	}
	bin->entries[bin->count].chunk = chunk;
	bin->entries[bin->count].addr = addr;
	bin->count++;
	cache->buffers++;
	cache->bytes += capacity;
	np_unlock(&cache->lock);
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
 * np_cache_add_stats() - add the caches' counters to a pool's
 * @core: the pool.
 * @st: the totals: bytes_cached and cache_hits grow.
 *
 * Return: the number of buffers the caches hold.
 */
u64 np_cache_add_stats(struct np_core *core, struct np_stats *st)
{
	struct np_cache_totals t = { st, 0 };

	if (core->cached)
		np_slots_for_each(&core->caches, np_cache_stats_one, &t);
	return t.buffers;
}
