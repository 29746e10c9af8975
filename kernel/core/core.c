// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: its configuration, its arenas with the caches in front of
 * them, huge buffers, and the entry points the module and the library
 * call (np_core.h, which also has the layers and the lock order).
 *
 * Tiny, small and normal requests go to the caller's cache, then to the
 * arena picked by np_env_arena_hint() (the CPU in the kernel, a
 * per-thread choice in userspace); a buffer is always freed to the arena
 * that owns its chunk, or to the freeing CPU's or thread's cache. Huge
 * buffers belong to no arena: each is a region of its own (region.c).
 *
 * When the pool's byte limit refuses a new region, the pool makes room
 * once and tries again: it empties its caches and retires the empty
 * chunks the arenas hold (the kept spares, and chunks that emptied in
 * qInit). They count against the limit, and a request too big for qInit
 * could never use them.
 *
 * Chunks that a cache flush empties are retired under the cache's lock;
 * they wait on core->retired until it is dropped, as taking them out of
 * the map takes the region lock, which a cache lock never nests with.
 */
#include "np_core_internal.h"

static const struct np_config np_builtin_defaults = {
	.page_size = NP_PAGE_SIZE_DEFAULT,
	.max_order = NP_MAX_ORDER_DEFAULT,
	.tiny_cache = NP_TINY_CACHE_DEFAULT,
	.small_cache = NP_SMALL_CACHE_DEFAULT,
	.normal_cache = NP_NORMAL_CACHE_DEFAULT,
	.keep_empty_chunks = 1,
	.leak_detection = NP_LEAK_SIMPLE,
};

static int np_config_cache(s32 *entries, s32 fallback, const char *name)
{
	if (*entries < -1 || *entries > NP_CACHE_ENTRIES_MAX) {
		np_warn("%s %d out of range -1..%d\n", name, *entries,
			NP_CACHE_ENTRIES_MAX);
		return -EINVAL;
	}
	if (!*entries)
		*entries = fallback;
	return 0;
}

/**
 * np_config_resolve() - validate a configuration and fill in its defaults
 * @cfg: the requested configuration; on success, the effective one.
 * @defaults: where a field is 0 its value comes from here (which must be
 *	effective itself); NULL for the built-in defaults (8 KiB pages,
 *	max_order 9, one arena per CPU, Netty's cache sizes, keep one
 *	empty chunk, no byte limit, simple leak detection as in Netty).
 *
 * Return: 0, or -EINVAL (with a log line saying why) when a field is out of
 * range, a flag is unknown, a reserved field is set, or the chunk would
 * exceed 1 GiB. @cfg is unchanged on error.
 */
int np_config_resolve(struct np_config *cfg, const struct np_config *defaults)
{
	struct np_config c = *cfg;
	unsigned int i;
	u64 chunk_size;

	if (!defaults)
		defaults = &np_builtin_defaults;
	if (c.flags & ~NP_CONFIG_FLAGS_ALL) {
		np_warn("unknown config flags %#x\n", c.flags);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(c.reserved); i++) {
		if (c.reserved[i]) {
			np_warn("config reserved field %u is not zero\n", i);
			return -EINVAL;
		}
	}
	if (!c.page_size)
		c.page_size = defaults->page_size;
	if (!np_is_pow2(c.page_size) || c.page_size < NP_PAGE_SIZE_MIN ||
	    c.page_size > NP_PAGE_SIZE_MAX || c.page_size < np_env_page_size()) {
		np_warn("page_size %u is not a power of two in %u..%u\n",
			c.page_size, NP_PAGE_SIZE_MIN, NP_PAGE_SIZE_MAX);
		return -EINVAL;
	}
	if (!(c.flags & NP_CONFIG_MAX_ORDER) && !c.max_order)
		c.max_order = defaults->max_order;
	if (c.max_order > NP_MAX_ORDER_MAX) {
		np_warn("max_order %u is above %u\n", c.max_order,
			NP_MAX_ORDER_MAX);
		return -EINVAL;
	}
	chunk_size = (u64)c.page_size << c.max_order;
	if (chunk_size > NP_CHUNK_SIZE_MAX) {
		np_warn("chunk size %llu (page_size %u << max_order %u) is above 1 GiB\n",
			(unsigned long long)chunk_size, c.page_size,
			c.max_order);
		return -EINVAL;
	}
	if (!c.n_arenas)
		c.n_arenas = defaults->n_arenas ? defaults->n_arenas :
						  np_env_nr_cpus();
	if (c.n_arenas > NP_ARENAS_MAX) {
		np_warn("n_arenas %u is above %u\n", c.n_arenas, NP_ARENAS_MAX);
		return -EINVAL;
	}
	if (np_config_cache(&c.tiny_cache, defaults->tiny_cache, "tiny_cache") ||
	    np_config_cache(&c.small_cache, defaults->small_cache,
			    "small_cache") ||
	    np_config_cache(&c.normal_cache, defaults->normal_cache,
			    "normal_cache"))
		return -EINVAL;
	if (c.keep_empty_chunks < -1 || c.keep_empty_chunks > 1) {
		np_warn("keep_empty_chunks %d is not -1, 0 or 1\n",
			c.keep_empty_chunks);
		return -EINVAL;
	}
	if (!c.keep_empty_chunks)
		c.keep_empty_chunks = defaults->keep_empty_chunks;
	if (!c.max_bytes)
		c.max_bytes = defaults->max_bytes;
	if (c.leak_detection > NP_LEAK_PARANOID) {
		np_warn("leak_detection %u is not 0..%u\n", c.leak_detection,
			NP_LEAK_PARANOID);
		return -EINVAL;
	}
	if (c.pad) {
		np_warn("config pad %u is not zero\n", c.pad);
		return -EINVAL;
	}
	if (!c.leak_detection)
		c.leak_detection = defaults->leak_detection;
	c.flags |= NP_CONFIG_MAX_ORDER;
	*cfg = c;
	return 0;
}

static struct np_core *np_cache_set_core(struct np_cache_set *set)
{
	return (struct np_core *)((char *)set - offsetof(struct np_core,
							 caches));
}

/* Cached buffers go back to their arenas, under the cache's lock. */
static void np_core_cache_flush(struct np_cache_set *set,
				struct np_cache_entry *e, u32 n, u32 size)
{
	struct np_core *core = np_cache_set_core(set);
	struct np_region *retired = NULL, *last;
	u32 k;

	for (k = 0; k < n; k++) {
		struct np_chunk *chunk = e[k].region;

		np_arena_free_claimed(chunk->region.arena, chunk,
				      e[k].addr - chunk->region.key, &retired);
	}
	if (!retired)
		return;
	for (last = retired; last->next_retired; last = last->next_retired)
		;
	np_lock(&core->retired_lock);
	last->next_retired = core->retired;
	core->retired = retired;
	np_unlock(&core->retired_lock);
}

/* No cache lock held any more: remove what the flushes retired. */
static void np_core_cache_flushed(struct np_cache_set *set)
{
	struct np_core *core = np_cache_set_core(set);
	struct np_region *retired;

	np_lock(&core->retired_lock);
	retired = core->retired;
	core->retired = NULL;
	np_unlock(&core->retired_lock);
	if (retired)
		np_regions_remove(&core->regions, retired);
}

static const struct np_cache_ops np_core_cache_ops = {
	.flush = np_core_cache_flush,
	.flushed = np_core_cache_flushed,
};

/**
 * np_core_create() - make an empty pool
 * @cfg: an effective configuration (np_config_resolve()).
 * @ops: hooks of the owner, or NULL.
 * @priv: owner data, passed to the hooks and kept for np_core_priv().
 * @mem_flags: NP_MEM_* flags for the pool's page blocks.
 *
 * Return: the pool, or NULL when out of memory.
 */
struct np_core *np_core_create(const struct np_config *cfg,
			       const struct np_core_ops *ops, void *priv,
			       unsigned int mem_flags)
{
	gfp_t meta_gfp = mem_flags & NP_MEM_ACCOUNT ? __GFP_ACCOUNT : 0;
	struct np_core *core;
	unsigned int i;

	core = np_meta_zalloc(sizeof(*core), GFP_KERNEL | meta_gfp);
	if (!core)
		return NULL;
	core->cfg = *cfg;
	core->priv = priv;
	core->meta_gfp = meta_gfp;
	core->arenas = np_meta_zalloc(cfg->n_arenas * sizeof(*core->arenas),
				      GFP_KERNEL | meta_gfp);
	if (!core->arenas ||
	    np_geometry_init(&core->geo, cfg, GFP_KERNEL | meta_gfp)) {
		np_meta_free(core->arenas);
		np_meta_free(core);
		return NULL;
	}
	np_regions_init(&core->regions, cfg->max_bytes, mem_flags, ops, priv);
	np_lock_init(&core->retired_lock);
	core->n_arenas = cfg->n_arenas;
	core->caches.owner = priv;
	for (i = 0; i < core->n_arenas; i++)
		np_arena_init(&core->arenas[i], &core->geo, &core->regions,
			      cfg->keep_empty_chunks > 0, i);
	if (np_cache_set_init(&core->caches, &np_core_cache_ops, cfg,
			      meta_gfp)) {
		np_core_destroy(core);
		return NULL;
	}
	return core;
}

/**
 * np_core_destroy() - free a pool and everything in it
 * @core: a pool no one else uses any more.
 *
 * Buffers still allocated are reclaimed with their regions.
 *
 * Return: the number of buffers that were still allocated.
 */
u64 np_core_destroy(struct np_core *core)
{
	u64 leaked = core->regions.huge_regions;
	unsigned int i;

	np_cache_set_fini(&core->caches);
	for (i = 0; i < core->n_arenas; i++)
		leaked += np_arena_fini(&core->arenas[i]);
	np_regions_fini(&core->regions);
	np_lock_destroy(&core->retired_lock);
	np_geometry_fini(&core->geo);
	np_meta_free(core->arenas);
	np_meta_free(core);
	return leaked;
}

/**
 * np_core_config() - the effective configuration of a pool
 * @core: the pool.
 *
 * Return: the configuration it was made with.
 */
const struct np_config *np_core_config(const struct np_core *core)
{
	return &core->cfg;
}

/**
 * np_core_priv() - the owner's data of a pool
 * @core: the pool.
 *
 * Return: what its owner gave np_core_create().
 */
void *np_core_priv(const struct np_core *core)
{
	return core->priv;
}

/**
 * np_core_normalize() - the capacity a request of @size bytes gets
 * @core: the pool.
 * @size: bytes requested.
 *
 * Return: the normalised size, or 0 when it does not fit in 64 bits.
 */
u64 np_core_normalize(const struct np_core *core, u64 size)
{
	return np_normalize(core->geo.chunk_size, size);
}

/**
 * np_core_size_class() - the class of a normalised size
 * @core: the pool.
 * @norm: a normalised size.
 *
 * Return: NP_SIZE_TINY, NP_SIZE_SMALL, NP_SIZE_NORMAL or NP_SIZE_HUGE.
 */
enum np_size_class np_core_size_class(const struct np_core *core, u64 norm)
{
	return np_size_class(&core->geo, norm);
}

/* The byte limit refused a region: empty the caches, retire empty chunks. */
static void np_core_make_room(struct np_core *core)
{
	unsigned int i;

	np_cache_set_flush(&core->caches);
	for (i = 0; i < core->n_arenas; i++) {
		struct np_region *retired = NULL;

		np_arena_retire_empty(&core->arenas[i], &retired);
		if (retired)
			np_regions_remove(&core->regions, retired);
	}
}

static int np_core_alloc_huge(struct np_core *core, u64 norm, gfp_t gfp,
			      struct np_buf *buf)
{
	struct np_region *region = np_meta_zalloc(sizeof(*region), gfp);
	int ret;

	if (!region)
		return -ENOMEM;
	region->kind = NP_REGION_HUGE;
	region->size = norm;
	region->capacity = norm;
	ret = np_regions_add(&core->regions, region, gfp);
	if (ret == -ENOSPC) {
		np_core_make_room(core);
		ret = np_regions_add(&core->regions, region, gfp);
	}
	if (ret) {
		np_meta_free(region);
		return ret == -ENOSPC ? -ENOMEM : ret;
	}
	buf->addr = region->key;
	buf->capacity = norm;
	buf->region_key = region->key;
	buf->region_size = norm;
	buf->cached = false;
	return 0;
}

/**
 * np_core_alloc() - allocate a buffer
 * @core: the pool.
 * @size: bytes wanted; 0 is served as 16.
 * @gfp: how new pages may be obtained.
 * @buf: filled in on success.
 *
 * Return: 0, or -ENOMEM (no memory, the byte limit, or a size that
 * cannot be normalised).
 */
int np_core_alloc(struct np_core *core, u64 size, gfp_t gfp,
		  struct np_buf *buf)
{
	unsigned int bin = np_cache_bin_of(&core->caches, size);
	struct np_cache_entry e;
	struct np_arena *arena;
	u64 norm;
	int ret;

	if (bin && np_cache_get(&core->caches, bin, &e)) {
		struct np_chunk *chunk = e.region;

		np_chunk_mark_owned(chunk, e.addr - chunk->region.key);
		buf->addr = e.addr;
		buf->capacity = core->caches.bin_size[bin];
		buf->region_key = chunk->region.key;
		buf->region_size = chunk->region.size;
		buf->cached = true;
		return 0;
	}
	norm = np_core_normalize(core, size);
	if (!norm)
		return -ENOMEM;
	if (norm > core->geo.chunk_size)
		return np_core_alloc_huge(core, norm, gfp | core->meta_gfp,
					  buf);
	arena = &core->arenas[np_env_arena_hint() % core->n_arenas];
	ret = np_arena_alloc(arena, norm, gfp | core->meta_gfp, buf);
	if (ret == -ENOSPC) {
		np_core_make_room(core);
		ret = np_arena_alloc(arena, norm, gfp | core->meta_gfp, buf);
	}
	return ret == -ENOSPC ? -ENOMEM : ret;
}

/**
 * np_core_free() - drop one reference of a buffer, freeing it at zero
 * @core: the pool.
 * @addr: the buffer's first byte.
 *
 * A freed buffer goes to the caller's cache when its size is cached and
 * the cache has room, else to its arena. Unless its arena holds retained
 * buffers, no arena lock is taken to validate the free: the buffer is
 * claimed (chunk.c) under the read side of the region lock, which keeps
 * the chunk from going away meanwhile; from then on the chunk stays
 * anyway, since it still counts the buffer.
 *
 * Return: 1 when the buffer was freed, 0 when only a reference was
 * dropped, -EINVAL when no live buffer of this pool starts at @addr
 * (nothing changes then).
 */
int np_core_free(struct np_core *core, u64 addr)
{
	struct np_cache_entry e = { NULL, 0 };
	struct np_region *retired = NULL;
	struct np_region *region;
	struct np_arena *arena;
	struct np_chunk *chunk;
	u64 offset;
	int ret;

	np_read_lock(&core->regions.lock);
	region = np_regions_find(&core->regions, addr);
	if (!region) {
		np_read_unlock(&core->regions.lock);
		return -EINVAL;
	}
	if (region->kind == NP_REGION_HUGE) {
		np_read_unlock(&core->regions.lock);
		return np_regions_free_huge(&core->regions, addr);
	}
	arena = region->arena;
	chunk = np_region_chunk(region);
	offset = addr - region->key;
	if (np_refs_any(&arena->refs)) {
		ret = np_arena_free(arena, chunk, offset, &retired);
	} else {
		ret = np_chunk_claim(chunk, offset) ? 1 : -EINVAL;
		e.region = chunk;
		e.addr = addr;
	}
	np_read_unlock(&core->regions.lock);
	if (ret == 1 && e.region) {
		unsigned int bin = np_cache_bin_of(&core->caches,
				np_chunk_owned_capacity(chunk, offset));

		if (!bin || !np_cache_put(&core->caches, bin, &e))
			np_arena_free_claimed(arena, chunk, offset, &retired);
	}
	if (retired)
		np_regions_remove(&core->regions, retired);
	return ret;
}

/**
 * np_core_retain() - add a reference to a buffer
 * @core: the pool.
 * @addr: the buffer's first byte.
 *
 * Each reference is dropped by one np_core_free(); the buffer is freed
 * with the last.
 *
 * Return: 0, -EINVAL when no live buffer starts at @addr, -ENOMEM,
 * -EOVERFLOW past 2^32 - 1 references.
 */
int np_core_retain(struct np_core *core, u64 addr)
{
	struct np_ref *spare;
	struct np_region *region;
	int ret;

	spare = np_meta_zalloc(sizeof(*spare), GFP_KERNEL | core->meta_gfp);
	if (!spare)
		return -ENOMEM;
	np_read_lock(&core->regions.lock);
	region = np_regions_find(&core->regions, addr);
	if (region && region->kind == NP_REGION_CHUNK)
		ret = np_arena_retain(region->arena, np_region_chunk(region),
				      addr - region->key, &spare);
	else
		ret = region ? -EAGAIN : -EINVAL;
	np_read_unlock(&core->regions.lock);
	np_meta_free(spare);
	/* a huge buffer's references are counted under the write side */
	if (ret == -EAGAIN)
		ret = np_regions_retain_huge(&core->regions, addr);
	return ret;
}

/**
 * np_core_usable_size() - the capacity of a live buffer
 * @core: the pool.
 * @addr: the buffer's first byte.
 *
 * Return: its normalised size, or 0 when no live buffer starts at @addr.
 */
u64 np_core_usable_size(struct np_core *core, u64 addr)
{
	struct np_region *region;
	u64 capacity = 0;

	np_read_lock(&core->regions.lock);
	region = np_regions_find(&core->regions, addr);
	if (region && region->kind == NP_REGION_HUGE)
		capacity = np_regions_huge_capacity(&core->regions, addr);
	else if (region)
		capacity = np_arena_usable_size(region->arena,
						np_region_chunk(region),
						addr - region->key);
	np_read_unlock(&core->regions.lock);
	return capacity;
}

/**
 * np_core_trim() - give back every page the pool holds but does not use
 * @core: the pool.
 *
 * Empties every cache (every CPU's or thread's) into the arenas, then
 * releases, in every arena, the subpages kept only because they were the
 * last of their size class, the kept empty chunk, and every empty chunk
 * in qInit.
 */
void np_core_trim(struct np_core *core)
{
	unsigned int i;

	np_core_flush_caches(core);
	for (i = 0; i < core->n_arenas; i++) {
		struct np_region *retired = NULL;

		np_arena_trim(&core->arenas[i], &retired);
		if (retired)
			np_regions_remove(&core->regions, retired);
	}
}

/**
 * np_core_flush_caches() - empty every cache of the pool into its arenas
 * @core: the pool.
 */
void np_core_flush_caches(struct np_core *core)
{
	np_cache_set_flush(&core->caches);
}

/**
 * np_core_stats() - the pool's counters
 * @core: the pool.
 * @st: filled in; leaked_on_close is the owner's to set.
 */
void np_core_stats(struct np_core *core, struct np_stats *st)
{
	struct np_regions *regions = &core->regions;
	u64 cached_buffers;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->page_size = core->geo.page_size;
	st->chunk_size = core->geo.chunk_size;
	st->n_arenas = core->n_arenas;
	cached_buffers = np_cache_set_stats(&core->caches, st);
	np_read_lock(&regions->lock);
	for (i = 0; i < core->n_arenas; i++)
		np_arena_add_stats(&core->arenas[i], st);
	st->huge_regions = regions->huge_regions;
	st->bytes_reserved = regions->bytes_reserved;
	st->bytes_active += regions->huge_active;
	st->active_buffers += regions->huge_regions;
	st->alloc_huge = regions->huge_alloc;
	st->free_huge = regions->huge_free;
	np_read_unlock(&regions->lock);
	/*
	 * The arenas count cached buffers as active. Caches were read first,
	 * so a flush in between can leave them above the arenas' count.
	 */
	st->bytes_active -= st->bytes_cached < st->bytes_active ?
			    st->bytes_cached : st->bytes_active;
	st->active_buffers -= cached_buffers < st->active_buffers ?
			      cached_buffers : st->active_buffers;
}

/**
 * np_core_release_retired() - release retired regions, now
 * @core: the pool.
 * @retired: what the owner's release hook was given, linked by
 *	next_retired.
 *
 * Context: may sleep, as releasing pages may.
 */
void np_core_release_retired(struct np_core *core, struct np_region *retired)
{
	np_regions_release(&core->regions, retired);
}

/**
 * np_core_with_region() - call a function on the live region holding an address
 * @core: the pool.
 * @addr: an address (key) inside the region.
 * @fn: called with @arg, the region and @addr's offset in it; what it
 *	returns is returned.
 * @arg: passed to @fn.
 *
 * Context: @fn runs under the read side of the pool's region lock: the
 * region cannot be released until it returns, and it must not sleep.
 * Return: what @fn returned, or -ENOENT when no region that is not
 * retired holds @addr.
 */
int np_core_with_region(struct np_core *core, u64 addr,
			int (*fn)(void *arg, struct np_region *region,
				  u64 offset),
			void *arg)
{
	struct np_region *region;
	int ret = -ENOENT;

	np_read_lock(&core->regions.lock);
	region = np_regions_find(&core->regions, addr);
	if (region && !region->retired)
		ret = fn(arg, region, addr - region->key);
	np_read_unlock(&core->regions.lock);
	return ret;
}
