// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: configuration, geometry, arenas, the region map, huge
 * buffers, and the entry points the module and the library call.
 *
 * Size classes (contract section 3), for a request of n bytes:
 *   tiny    n < 512:                 up to a multiple of 16 (0 -> 16);
 *   small   512 <= n < page_size:    up to a power of two;
 *   normal  page_size <= n <= chunk: up to a power of two;
 *   huge    n > chunk_size:          up to a multiple of the system page
 *           size, with pages of its own, given back on free.
 * The class of a buffer is the class of its normalised size, so 510
 * bytes become a 512-byte small buffer, as in Netty.
 *
 * Every chunk and huge region is registered in the region map under its
 * key, which is how np_core_free(), np_core_retain() and
 * np_core_usable_size() find what an address belongs to. Tiny, small and
 * normal requests go to the arena picked by np_env_arena_hint() (the CPU
 * in the kernel, a per-thread choice in userspace); a buffer is always
 * freed to the arena that owns its chunk. Huge buffers belong to no arena.
 *
 * Lock order:
 *   cache->lock  ->  arena->lock,  cache->lock  ->  core->dead_lock
 *   core->region_lock (read)  ->  arena->lock
 * A cache lock and region_lock are never held together: np_core_put()
 * drops the read side before it caches the buffer it claimed (whose
 * chunk cannot go away, as it still counts the buffer), stats read the
 * caches first, and chunks a cache empties are buried once its lock is
 * dropped (np_core_cache_settle()).
 * The write side of region_lock is taken only with no arena lock held:
 * to insert a new region (after its pages were obtained, with no lock
 * held at all), and to remove regions and to allocate, free or retain a
 * huge buffer. A region found under the read side cannot be destroyed
 * until the read side is dropped, because destruction removes it from
 * the map under the write side first ("bury"); so a free looks its
 * address up and frees into the arena under one read-side section, and
 * whatever chunk the free empties is destroyed after it. Page blocks are
 * obtained and released with no lock held, so they may sleep (with a
 * gfp that allows it).
 */
#include "np_core.h"

static const struct np_config np_builtin_defaults = {
	.page_size = NP_PAGE_SIZE_DEFAULT,
	.max_order = NP_MAX_ORDER_DEFAULT,
	.tiny_cache = 512,
	.small_cache = 256,
	.normal_cache = 64,
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

/*
 * Cached buffers go back to their arenas, under the cache's lock. Chunks
 * that empties wait on core->dead: releasing pages may sleep (a device
 * pool zaps their mappings), which a cache's lock does not allow.
 */
static void np_core_cache_release(struct np_cache_set *set,
				  struct np_cache_entry *e, u32 n, u32 size)
{
	struct np_core *core = np_cache_set_core(set);
	struct np_region *dead = NULL, *last;
	u32 k;

	for (k = 0; k < n; k++) {
		struct np_chunk *chunk = e[k].region;

		np_arena_free_claimed(chunk->region.arena, chunk,
				      e[k].addr - chunk->region.key, &dead);
	}
	if (!dead)
		return;
	for (last = dead; last->next_dead; last = last->next_dead)
		;
	np_lock(&core->dead_lock);
	last->next_dead = core->dead;
	core->dead = dead;
	np_unlock(&core->dead_lock);
}

/* No cache lock held any more: bury what the releases emptied. */
static void np_core_cache_settle(struct np_cache_set *set)
{
	struct np_core *core = np_cache_set_core(set);
	struct np_region *dead;

	np_lock(&core->dead_lock);
	dead = core->dead;
	core->dead = NULL;
	np_unlock(&core->dead_lock);
	if (dead)
		np_core_bury(core, dead);
}

static const struct np_cache_ops np_core_cache_ops = {
	.release = np_core_cache_release,
	.settle = np_core_cache_settle,
};

/**
 * np_core_create() - make an empty pool
 * @cfg: an effective configuration (np_config_resolve()).
 * @ops: hooks of the owner, or NULL.
 * @priv: owner data, kept in core->priv.
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
	struct np_geometry *geo;
	unsigned int i;

	core = np_meta_zalloc(sizeof(*core), GFP_KERNEL | meta_gfp);
	if (!core)
		return NULL;
	core->cfg = *cfg;
	core->ops = ops;
	core->priv = priv;
	core->mem_flags = mem_flags;
	core->meta_gfp = meta_gfp;

	geo = &core->geo;
	geo->page_size = cfg->page_size;
	geo->page_shift = np_fls64(cfg->page_size) - 1;
	geo->max_order = cfg->max_order;
	geo->n_pages = 1U << cfg->max_order;
	geo->n_small_pools = geo->page_shift - 9;
	geo->bitmap_words = cfg->page_size / NP_TINY_QUANTUM / 64;
	geo->chunk_shift = geo->page_shift + cfg->max_order;
	geo->chunk_size = 1ULL << geo->chunk_shift;

	core->depth_map = np_depth_map_create(cfg->max_order,
					      GFP_KERNEL | meta_gfp);
	core->arenas = np_meta_zalloc(cfg->n_arenas * sizeof(*core->arenas),
				      GFP_KERNEL | meta_gfp);
	if (!core->depth_map || !core->arenas) {
		np_meta_free(core->arenas);
		np_meta_free(core->depth_map);
		np_meta_free(core);
		return NULL;
	}
	np_rwlock_init(&core->region_lock);
	np_lock_init(&core->dead_lock);
	core->n_arenas = cfg->n_arenas;
	for (i = 0; i < core->n_arenas; i++)
		np_arena_init(&core->arenas[i], core, i);
	if (np_cache_set_init(&core->caches, &np_core_cache_ops, cfg,
			      meta_gfp)) {
		np_core_destroy(core);
		return NULL;
	}
	return core;
}

/**
 * np_core_release_region() - give a region's pages and metadata back
 * @core: the pool.
 * @region: a region no longer in the map.
 */
void np_core_release_region(struct np_core *core, struct np_region *region)
{
	if (core->ops && core->ops->region_fini)
		core->ops->region_fini(core, region);
	np_mem_free(&region->mem);
	if (region->kind == NP_REGION_CHUNK)
		np_chunk_destroy(np_region_chunk(region));
	else
		np_meta_free(region);
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
	u64 leaked = core->huge_regions;
	size_t i;

	np_cache_set_fini(&core->caches);
	for (i = 0; i < core->n_arenas; i++)
		leaked += np_arena_fini(&core->arenas[i]);
	for (i = 0; i < core->map.nr; i++)
		np_core_release_region(core, core->map.slots[i]);
	np_region_map_fini(&core->map);
	np_rwlock_destroy(&core->region_lock);
	np_meta_free(core->arenas);
	np_meta_free(core->depth_map);
	np_meta_free(core);
	return leaked;
}

/**
 * np_normalize() - the capacity a request of @size bytes gets
 * @chunk_size: the pool's chunk size.
 * @size: bytes requested.
 *
 * Return: the normalised size, or 0 when it does not fit in 64 bits.
 */
u64 np_normalize(u64 chunk_size, u64 size)
{
	u64 page = np_env_page_size();

	if (size > chunk_size)
		return size > ~0ULL - page ? 0 : np_align_up(size, page);
	if (!size)
		return NP_TINY_QUANTUM;
	if (size >= NP_TINY_MAX)
		return 1ULL << np_fls64(size - 1);
	return np_align_up(size, NP_TINY_QUANTUM);
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
	if (norm < NP_TINY_MAX)
		return NP_SIZE_TINY;
	if (norm < core->geo.page_size)
		return NP_SIZE_SMALL;
	if (norm <= core->geo.chunk_size)
		return NP_SIZE_NORMAL;
	return NP_SIZE_HUGE;
}

/* Count a region's bytes against the pool's limit; false past it. */
static bool np_core_reserve(struct np_core *core, u64 size)
{
	u64 max = core->cfg.max_bytes;
	bool ok;

	np_write_lock(&core->region_lock);
	ok = !max || (core->bytes_reserved <= max &&
		      size <= max - core->bytes_reserved);
	if (ok)
		core->bytes_reserved += size;
	np_write_unlock(&core->region_lock);
	return ok;
}

/*
 * Obtain pages for a region, give it its key and register it. When the
 * pool's byte limit refuses it, the caches are emptied and the empty
 * chunks the arenas hold (the kept spares, and chunks that emptied in
 * qInit) are given back first: they count against the limit, and a
 * request too big for qInit could never use them. Everything reserved is
 * given back on failure. No lock held.
 */
static int np_core_add_region(struct np_core *core, struct np_region *region,
			      gfp_t gfp)
{
	unsigned int i;
	int ret;

	if (!np_core_reserve(core, region->size)) {
		np_cache_set_flush(&core->caches);
		for (i = 0; i < core->n_arenas; i++) {
			struct np_region *dead = NULL;

			np_arena_drop_empty(&core->arenas[i], &dead);
			if (dead)
				np_core_bury(core, dead);
		}
		if (!np_core_reserve(core, region->size))
			return -ENOMEM;
	}

	ret = np_mem_alloc(&region->mem, region->size, core->mem_flags, gfp);
	if (ret)
		goto unreserve;
	if (core->ops && core->ops->region_init)
		ret = core->ops->region_init(core, region);
	else
		region->key = (u64)(uintptr_t)np_mem_addr(&region->mem);
	if (ret)
		goto free_mem;

	for (;;) {
		np_write_lock(&core->region_lock);
		if (core->map.nr < core->map.cap)
			break;
		np_write_unlock(&core->region_lock);
		ret = np_region_map_grow(&core->map, &core->region_lock, gfp);
		if (ret)
			goto fini;
	}
	np_region_map_insert(&core->map, region);
	if (region->kind == NP_REGION_HUGE) {
		core->huge_regions++;
		core->huge_alloc++;
		core->huge_active += region->capacity;
	}
	np_write_unlock(&core->region_lock);
	return 0;

fini:
	if (core->ops && core->ops->region_fini)
		core->ops->region_fini(core, region);
free_mem:
	np_mem_free(&region->mem);
unreserve:
	np_write_lock(&core->region_lock);
	core->bytes_reserved -= region->size;
	np_write_unlock(&core->region_lock);
	return ret;
}

/**
 * np_core_new_chunk() - make a chunk for an arena and register it
 * @arena: the arena, its lock not held.
 * @gfp: how to obtain its pages.
 *
 * The chunk is in the region map but in no chunk list yet.
 *
 * Return: the chunk, or NULL (out of memory, or the pool's byte limit).
 */
struct np_chunk *np_core_new_chunk(struct np_arena *arena, gfp_t gfp)
{
	struct np_chunk *chunk = np_chunk_create(arena, gfp);

	if (!chunk)
		return NULL;
	if (np_core_add_region(arena->core, &chunk->region, gfp)) {
		np_chunk_destroy(chunk);
		return NULL;
	}
	return chunk;
}

/**
 * np_core_release_list() - release regions that left the map, now
 * @core: the pool.
 * @dead: regions linked by next_dead.
 */
void np_core_release_list(struct np_core *core, struct np_region *dead)
{
	struct np_region *next;

	for (; dead; dead = next) {
		next = dead->next_dead;
		np_core_release_region(core, dead);
	}
}

/*
 * Release regions already out of the map: by the owner's release hook if
 * it has one (it may defer the work to a context that can sleep), else
 * here and now.
 */
static void np_core_release_dead(struct np_core *core, struct np_region *dead)
{
	if (core->ops && core->ops->release)
		core->ops->release(core, dead);
	else
		np_core_release_list(core, dead);
}

/**
 * np_core_bury() - unregister and release dead regions
 * @core: the pool; no lock held.
 * @dead: regions linked by next_dead, all in the map.
 */
void np_core_bury(struct np_core *core, struct np_region *dead)
{
	struct np_region *region;

	np_write_lock(&core->region_lock);
	for (region = dead; region; region = region->next_dead) {
		np_region_map_remove(&core->map, region);
		core->bytes_reserved -= region->size;
	}
	np_write_unlock(&core->region_lock);
	np_core_release_dead(core, dead);
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
	ret = np_core_add_region(core, region, gfp);
	if (ret) {
		np_meta_free(region);
		return ret;
	}
	buf->addr = region->key;
	buf->capacity = norm;
	buf->region_key = region->key;
	buf->region_size = norm;
	buf->chunk = NULL;
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
	u64 norm = np_core_normalize(core, size);
	struct np_cache_entry e;

	if (!norm)
		return -ENOMEM;
	if (norm > core->geo.chunk_size)
		return np_core_alloc_huge(core, norm, gfp | core->meta_gfp,
					  buf);
	if (np_cache_get(&core->caches, norm, &e)) {
		struct np_chunk *chunk = e.region;

		np_chunk_mark_owned(chunk, e.addr - chunk->region.key);
		buf->addr = e.addr;
		buf->capacity = norm;
		buf->region_key = chunk->region.key;
		buf->region_size = chunk->region.size;
		buf->chunk = chunk;
		return 0;
	}
	return np_arena_alloc(&core->arenas[np_env_arena_hint() %
					    core->n_arenas], norm,
			      gfp | core->meta_gfp, buf);
}

static int np_core_free_huge(struct np_core *core, u64 addr)
{
	struct np_region *region;

	np_write_lock(&core->region_lock);
	region = np_region_map_find(&core->map, addr);
	if (!region || region->kind != NP_REGION_HUGE || region->key != addr) {
		np_write_unlock(&core->region_lock);
		return -EINVAL;
	}
	if (region->extra_refs) {
		region->extra_refs--;
		np_write_unlock(&core->region_lock);
		return 0;
	}
	np_region_map_remove(&core->map, region);
	core->bytes_reserved -= region->size;
	core->huge_regions--;
	core->huge_free++;
	core->huge_active -= region->capacity;
	np_write_unlock(&core->region_lock);
	region->next_dead = NULL;
	np_core_release_dead(core, region);
	return 1;
}

/**
 * np_core_put() - drop one reference of a buffer, freeing it at zero
 * @core: the pool.
 * @addr: the buffer's first byte.
 *
 * A freed buffer goes to the caller's cache when its size is cached and
 * the cache has room, else to its arena. Unless its arena holds retained
 * buffers, no arena lock is taken to validate the free: the buffer is
 * claimed (chunk.c) under the read side of region_lock, which keeps the
 * chunk from going away meanwhile; from then on the chunk stays anyway,
 * since it still counts the buffer.
 *
 * Return: 1 when the buffer was freed, 0 when only a reference was
 * dropped, -EINVAL when no live buffer of this pool starts at @addr
 * (nothing changes then).
 */
int np_core_put(struct np_core *core, u64 addr)
{
	struct np_cache_entry e = { NULL, 0 };
	struct np_region *dead = NULL;
	struct np_region *region;
	struct np_arena *arena;
	struct np_chunk *chunk;
	u64 offset;
	int ret;

	np_read_lock(&core->region_lock);
	region = np_region_map_find(&core->map, addr);
	if (!region) {
		np_read_unlock(&core->region_lock);
		return -EINVAL;
	}
	if (region->kind == NP_REGION_HUGE) {
		np_read_unlock(&core->region_lock);
		return np_core_free_huge(core, addr);
	}
	arena = region->arena;
	chunk = np_region_chunk(region);
	offset = addr - region->key;
	if (np_read_once(arena->nr_refs)) {
		ret = np_arena_free(arena, chunk, offset, &dead);
	} else {
		ret = np_chunk_claim(chunk, offset) ? 1 : -EINVAL;
		e.region = chunk;
		e.addr = addr;
	}
	np_read_unlock(&core->region_lock);
	if (ret == 1 && e.region &&
	    !np_cache_put(&core->caches,
			  np_chunk_owned_capacity(chunk, offset), &e))
		np_arena_free_claimed(arena, chunk, offset, &dead);
	if (dead)
		np_core_bury(core, dead);
	return ret;
}

/**
 * np_core_free() - drop one reference of a buffer, freeing it at zero
 * @core: the pool.
 * @addr: the buffer's first byte.
 *
 * Return: 0, or -EINVAL when no live buffer of this pool starts at @addr
 * (nothing changes then).
 */
int np_core_free(struct np_core *core, u64 addr)
{
	int ret = np_core_put(core, addr);

	return ret < 0 ? ret : 0;
}

static int np_core_retain_huge(struct np_core *core, u64 addr)
{
	struct np_region *region;
	int ret = 0;

	np_write_lock(&core->region_lock);
	region = np_region_map_find(&core->map, addr);
	if (!region || region->kind != NP_REGION_HUGE || region->key != addr)
		ret = -EINVAL;
	else if (region->extra_refs == U32_MAX - 1)
		ret = -EOVERFLOW;
	else
		region->extra_refs++;
	np_write_unlock(&core->region_lock);
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
	np_read_lock(&core->region_lock);
	region = np_region_map_find(&core->map, addr);
	if (region && region->kind == NP_REGION_CHUNK)
		ret = np_arena_retain(region->arena, np_region_chunk(region),
				      addr - region->key, &spare);
	else
		ret = region ? -EAGAIN : -EINVAL;
	np_read_unlock(&core->region_lock);
	np_meta_free(spare);
	/* a huge buffer's references are counted under the write side */
	if (ret == -EAGAIN)
		ret = np_core_retain_huge(core, addr);
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

	np_read_lock(&core->region_lock);
	region = np_region_map_find(&core->map, addr);
	if (region && region->kind == NP_REGION_HUGE && region->key == addr)
		capacity = region->capacity;
	else if (region && region->kind == NP_REGION_CHUNK)
		capacity = np_arena_usable_size(region->arena,
						np_region_chunk(region),
						addr - region->key);
	np_read_unlock(&core->region_lock);
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
		struct np_region *dead = NULL;

		np_arena_trim(&core->arenas[i], &dead);
		if (dead)
			np_core_bury(core, dead);
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
	u64 cached_buffers;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->page_size = core->geo.page_size;
	st->chunk_size = core->geo.chunk_size;
	st->n_arenas = core->n_arenas;
	cached_buffers = np_cache_set_stats(&core->caches, st);
	np_read_lock(&core->region_lock);
	for (i = 0; i < core->n_arenas; i++)
		np_arena_add_stats(&core->arenas[i], st);
	st->huge_regions = core->huge_regions;
	st->bytes_reserved = core->bytes_reserved;
	st->bytes_active += core->huge_active;
	st->active_buffers += core->huge_regions;
	st->alloc_huge = core->huge_alloc;
	st->free_huge = core->huge_free;
	np_read_unlock(&core->region_lock);
	/*
	 * The arenas count cached buffers as active. Caches were read first,
	 * so a flush in between can leave them above the arenas' count.
	 */
	st->bytes_active -= st->bytes_cached < st->bytes_active ?
			    st->bytes_cached : st->bytes_active;
	st->active_buffers -= cached_buffers < st->active_buffers ?
			      cached_buffers : st->active_buffers;
}
