// SPDX-License-Identifier: GPL-2.0
/*
 * Regions: the blocks of pages a pool holds, chunks and huge regions,
 * from the moment their pages are obtained to the moment they are given
 * back.
 *
 *   add      count the region's bytes against the pool's byte limit,
 *            obtain its pages (np_mem_alloc(), with no lock held, so it
 *            may sleep), let the owner give it its key (region_init),
 *            and register it in the map under that key;
 *   find     resolve an address to the region holding it (region_map.c);
 *   remove   take retired regions out of the map, so that no lookup
 *            finds them any more, and release them;
 *   release  give a region's pages and metadata back: the owner's
 *            release hook decides when (it may defer to a context that
 *            can sleep, or first zap user mappings), and comes back
 *            through np_core_release_retired().
 *
 * A region is retired by whoever held it: the arena for a chunk it no
 * longer keeps, a free for a huge region. A huge region holds exactly one
 * buffer, whose references are counted here (extra_refs) under the write
 * side of the lock, as they change the region's life.
 *
 * When the byte limit refuses a region, np_regions_add() says so with
 * -ENOSPC: the pool can make room (empty its caches, give back its empty
 * chunks) and try again; this layer knows nothing of either.
 *
 * Locking: regions->lock, a reader/writer lock that never sleeps,
 * protects the map and the counters: lookups under the read side, every
 * change under the write side, which is taken with no other core lock
 * held (see np_core.h for the whole order).
 */
#include "np_core_internal.h"

/**
 * np_regions_init() - set up a pool's empty set of regions
 * @regions: zeroed memory.
 * @max_bytes: the pool's byte limit, 0 for none.
 * @mem_flags: NP_MEM_* flags for every page block.
 * @ops: the owner's hooks, or NULL.
 * @priv: passed to the hooks.
 */
void np_regions_init(struct np_regions *regions, u64 max_bytes,
		     unsigned int mem_flags, const struct np_core_ops *ops,
		     void *priv)
{
	np_rwlock_init(&regions->lock);
	regions->max_bytes = max_bytes;
	regions->mem_flags = mem_flags;
	regions->ops = ops;
	regions->priv = priv;
}

/* Give one region's pages and metadata back; it is in no map. */
static void np_region_release(struct np_regions *regions,
			      struct np_region *region)
{
	if (regions->ops && regions->ops->region_fini)
		regions->ops->region_fini(regions->priv, region);
	np_mem_free(&region->mem);
	if (region->kind == NP_REGION_CHUNK) {
		np_trace(chunk_destroy, regions->priv, region->arena->index,
			 region->key, region->size);
		np_chunk_destroy(np_region_chunk(region));
	} else {
		np_meta_free(region);
	}
}

/**
 * np_regions_fini() - release every region left, with its buffers
 * @regions: the regions of a pool no one uses any more.
 */
void np_regions_fini(struct np_regions *regions)
{
	size_t i;

	for (i = 0; i < regions->map.nr; i++)
		np_region_release(regions, regions->map.slots[i]);
	np_region_map_fini(&regions->map);
	np_rwlock_destroy(&regions->lock);
}

/* Count a region's bytes against the limit; false past it. */
static bool np_regions_reserve(struct np_regions *regions, u64 size)
{
	u64 max = regions->max_bytes;
	bool ok;

	np_write_lock(&regions->lock);
	ok = !max || (regions->bytes_reserved <= max &&
		      size <= max - regions->bytes_reserved);
	if (ok)
		regions->bytes_reserved += size;
	np_write_unlock(&regions->lock);
	return ok;
}

/**
 * np_regions_add() - obtain a region's pages, give it its key, register it
 * @regions: the pool's regions; no core lock held.
 * @region: a region with its kind and size set (and, for a huge one, its
 *	capacity).
 * @gfp: how to obtain the pages.
 *
 * Everything reserved is given back on failure.
 *
 * Return: 0, -ENOSPC when the pool's byte limit refuses it, -ENOMEM, or
 * the owner's region_init error.
 */
int np_regions_add(struct np_regions *regions, struct np_region *region,
		   gfp_t gfp)
{
	int ret;

	if (!np_regions_reserve(regions, region->size))
		return -ENOSPC;
	ret = np_mem_alloc(&region->mem, region->size, regions->mem_flags,
			   gfp);
	if (ret)
		goto unreserve;
	if (regions->ops && regions->ops->region_init)
		ret = regions->ops->region_init(regions->priv, region);
	else
		region->key = (u64)(uintptr_t)np_mem_addr(&region->mem);
	if (ret)
		goto free_mem;

	for (;;) {
		np_write_lock(&regions->lock);
		if (regions->map.nr < regions->map.cap)
			break;
		np_write_unlock(&regions->lock);
		ret = np_region_map_grow(&regions->map, &regions->lock, gfp);
		if (ret)
			goto fini;
	}
	np_region_map_insert(&regions->map, region);
	if (region->kind == NP_REGION_HUGE) {
		regions->huge_regions++;
		regions->huge_alloc++;
		regions->huge_active += region->capacity;
	}
	np_write_unlock(&regions->lock);
	return 0;

fini:
	if (regions->ops && regions->ops->region_fini)
		regions->ops->region_fini(regions->priv, region);
free_mem:
	np_mem_free(&region->mem);
unreserve:
	np_write_lock(&regions->lock);
	regions->bytes_reserved -= region->size;
	np_write_unlock(&regions->lock);
	return ret;
}

/**
 * np_regions_release() - release retired regions that left the map, now
 * @regions: the pool's regions.
 * @retired: regions linked by next_retired.
 */
void np_regions_release(struct np_regions *regions, struct np_region *retired)
{
	struct np_region *next;

	for (; retired; retired = next) {
		next = retired->next_retired;
		np_region_release(regions, retired);
	}
}

/*
 * Release regions already out of the map: by the owner's release hook if
 * it has one, else here and now.
 */
static void np_regions_hand_over(struct np_regions *regions,
				 struct np_region *retired)
{
	if (regions->ops && regions->ops->release)
		regions->ops->release(regions->priv, retired);
	else
		np_regions_release(regions, retired);
}

/**
 * np_regions_remove() - take retired regions out of the map, release them
 * @regions: the pool's regions; no core lock held.
 * @retired: regions linked by next_retired, all in the map.
 */
void np_regions_remove(struct np_regions *regions, struct np_region *retired)
{
	struct np_region *region;

	np_write_lock(&regions->lock);
	for (region = retired; region; region = region->next_retired) {
		np_region_map_remove(&regions->map, region);
		regions->bytes_reserved -= region->size;
	}
	np_write_unlock(&regions->lock);
	np_regions_hand_over(regions, retired);
}

/**
 * np_regions_find() - the region holding an address
 * @regions: the pool's regions, their lock held (either side).
 * @addr: the address.
 *
 * Return: the region, or NULL.
 */
struct np_region *np_regions_find(struct np_regions *regions, u64 addr)
{
	return np_region_map_find(&regions->map, addr);
}

/* The huge region whose buffer starts at addr; the lock held. */
static struct np_region *np_regions_find_huge(struct np_regions *regions,
					      u64 addr)
{
	struct np_region *region = np_region_map_find(&regions->map, addr);

	if (!region || region->kind != NP_REGION_HUGE || region->key != addr)
		return NULL;
	return region;
}

/**
 * np_regions_free_huge() - drop a reference of a huge buffer
 * @regions: the pool's regions; no core lock held.
 * @addr: the buffer's first byte.
 *
 * With the last reference the region is retired and released.
 *
 * Return: 1 when the buffer was freed, 0 when only a reference was
 * dropped, -EINVAL when no huge buffer starts at @addr.
 */
int np_regions_free_huge(struct np_regions *regions, u64 addr)
{
	struct np_region *region;

	np_write_lock(&regions->lock);
	region = np_regions_find_huge(regions, addr);
	if (!region) {
		np_write_unlock(&regions->lock);
		return -EINVAL;
	}
	if (region->extra_refs) {
		region->extra_refs--;
		np_write_unlock(&regions->lock);
		return 0;
	}
	np_region_map_remove(&regions->map, region);
	regions->bytes_reserved -= region->size;
	regions->huge_regions--;
	regions->huge_free++;
	regions->huge_active -= region->capacity;
	np_write_unlock(&regions->lock);
	region->retired = true;
	region->next_retired = NULL;
	np_regions_hand_over(regions, region);
	return 1;
}

/**
 * np_regions_retain_huge() - add a reference to a huge buffer
 * @regions: the pool's regions; no core lock held.
 * @addr: the buffer's first byte.
 *
 * Return: 0, -EINVAL when no huge buffer starts at @addr, -EOVERFLOW
 * past 2^32 - 1 references.
 */
int np_regions_retain_huge(struct np_regions *regions, u64 addr)
{
	struct np_region *region;
	int ret = 0;

	np_write_lock(&regions->lock);
	region = np_regions_find_huge(regions, addr);
	if (!region)
		ret = -EINVAL;
	else if (region->extra_refs == U32_MAX - 1)
		ret = -EOVERFLOW;
	else
		region->extra_refs++;
	np_write_unlock(&regions->lock);
	return ret;
}

/**
 * np_regions_huge_capacity() - the capacity of a huge buffer
 * @regions: the pool's regions, their lock held (either side).
 * @addr: the buffer's first byte.
 *
 * Return: its normalised size, or 0 when no huge buffer starts at @addr.
 */
u64 np_regions_huge_capacity(struct np_regions *regions, u64 addr)
{
	struct np_region *region = np_regions_find_huge(regions, addr);

	return region ? region->capacity : 0;
}
