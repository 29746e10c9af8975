// SPDX-License-Identifier: GPL-2.0
/*
 * The region map: every chunk and huge region of a pool, sorted by key,
 * so that an address handed back by a user resolves to its region in
 * O(log regions) by binary search, or is refused.
 *
 * A sorted array is enough: lookups (every free) vastly outnumber
 * insertions and removals (a chunk's creation and destruction, a huge
 * buffer's allocation and free), which cost a memmove of the pointers.
 *
 * Locking: the owner's reader/writer lock (struct np_regions' lock, region.c): lookups
 * under the read side, insert and remove under the write side. Growing
 * the array allocates, so np_region_map_grow() does that with the lock
 * dropped and swaps the arrays under the write side.
 */
#include "np_core_internal.h"

/* Index of the first slot whose key is greater than key. */
static size_t np_region_map_upper(const struct np_region_map *map, u64 key)
{
	size_t lo = 0, hi = map->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->slots[mid]->key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * np_region_map_find() - the region that contains an address
 * @map: the map, its lock held for read.
 * @key: the address.
 *
 * Return: the region whose [key, key + size) holds @key, or NULL.
 */
struct np_region *np_region_map_find(const struct np_region_map *map,
				     u64 key)
{
	size_t i = np_region_map_upper(map, key);
	struct np_region *region;

	if (!i)
		return NULL;
	region = map->slots[i - 1];
	return key - region->key < region->size ? region : NULL;
}

/**
 * np_region_map_grow() - make room for at least one more region
 * @map: the map.
 * @lock: its lock, not held; taken for write to swap the arrays.
 * @gfp: how to allocate the new array.
 *
 * Return: 0 when the map had or now has a free slot, -ENOMEM otherwise.
 * The slot can be taken by someone else before the caller relocks, so
 * callers loop.
 */
int np_region_map_grow(struct np_region_map *map, struct np_rwlock *lock,
		       gfp_t gfp)
{
	struct np_region **slots, **old;
	size_t cap;

	np_read_lock(lock);
	cap = map->cap;
	np_read_unlock(lock);

	cap = cap ? cap * 2 : 16;
	slots = np_meta_zalloc(cap * sizeof(*slots), gfp);
	if (!slots)
		return -ENOMEM;

	np_write_lock(lock);
	if (map->cap >= cap) {
		old = slots;
	} else {
		old = map->slots;
		if (map->nr)
			memcpy(slots, map->slots, map->nr * sizeof(*slots));
		map->slots = slots;
		map->cap = cap;
	}
	np_write_unlock(lock);
	np_meta_free(old);
	return 0;
}

/**
 * np_region_map_insert() - add a region
 * @map: the map, its lock held for write, with a free slot.
 * @region: a region that overlaps no other.
 */
void np_region_map_insert(struct np_region_map *map, struct np_region *region)
{
	size_t i = np_region_map_upper(map, region->key);

	memmove(&map->slots[i + 1], &map->slots[i],
		(map->nr - i) * sizeof(*map->slots));
	map->slots[i] = region;
	map->nr++;
}

/**
 * np_region_map_remove() - remove a region
 * @map: the map, its lock held for write.
 * @region: a region in the map.
 */
void np_region_map_remove(struct np_region_map *map, struct np_region *region)
{
	size_t i = np_region_map_upper(map, region->key);

	if (NP_WARN_ON(!i || map->slots[i - 1] != region))
		return;
	memmove(&map->slots[i - 1], &map->slots[i],
		(map->nr - i) * sizeof(*map->slots));
	map->nr--;
}

/**
 * np_region_map_fini() - free the map's array
 * @map: an empty map no one uses.
 */
void np_region_map_fini(struct np_region_map *map)
{
	np_meta_free(map->slots);
	map->slots = NULL;
	map->nr = 0;
	map->cap = 0;
}
