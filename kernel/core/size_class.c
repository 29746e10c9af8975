// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes: the normalisation of a request, the class of a normalised size
 * (np_size_class.h has the classes), and the geometry of a pool's chunks,
 * derived once from its configuration.
 *
 * Locking: none; a geometry never changes once made.
 */
#include "np_core_internal.h"

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
 * np_size_class() - the class of a normalised size
 * @geo: the pool's geometry.
 * @norm: a normalised size.
 *
 * Return: NP_SIZE_TINY, NP_SIZE_SMALL, NP_SIZE_NORMAL or NP_SIZE_HUGE.
 */
enum np_size_class np_size_class(const struct np_geometry *geo, u64 norm)
{
	if (norm < NP_TINY_MAX)
		return NP_SIZE_TINY;
	if (norm < geo->page_size)
		return NP_SIZE_SMALL;
	if (norm <= geo->chunk_size)
		return NP_SIZE_NORMAL;
	return NP_SIZE_HUGE;
}

/**
 * np_depth_map_create() - the depth of every node of a tree
 * @max_order: depth of the leaves.
 * @gfp: how to allocate it.
 *
 * Return: a byte array of 2 << max_order entries (entry 0 unused), or
 * NULL. It is also the memory_map of an entirely free chunk.
 */
u8 *np_depth_map_create(u32 max_order, gfp_t gfp)
{
	u8 *map = np_meta_zalloc((size_t)2 << max_order, gfp);
	u32 d, p, id = 1;

	if (!map)
		return NULL;
	for (d = 0; d <= max_order; d++)
		for (p = 0; p < 1U << d; p++)
			map[id++] = (u8)d;
	return map;
}

/**
 * np_geometry_init() - derive a pool's geometry from its configuration
 * @geo: filled in.
 * @cfg: an effective configuration (np_config_resolve()).
 * @gfp: how to allocate the depth map.
 *
 * Return: 0, or -ENOMEM.
 */
int np_geometry_init(struct np_geometry *geo, const struct np_config *cfg,
		     gfp_t gfp)
{
	geo->page_size = cfg->page_size;
	geo->page_shift = np_fls64(cfg->page_size) - 1;
	geo->max_order = cfg->max_order;
	geo->n_pages = 1U << cfg->max_order;
	geo->n_small_pools = geo->page_shift - 9;
	geo->bitmap_words = cfg->page_size / NP_TINY_QUANTUM / 64;
	geo->chunk_shift = geo->page_shift + cfg->max_order;
	geo->chunk_size = 1ULL << geo->chunk_shift;
	geo->depth_map = np_depth_map_create(cfg->max_order, gfp);
	return geo->depth_map ? 0 : -ENOMEM;
}

/**
 * np_geometry_fini() - free what np_geometry_init() allocated
 * @geo: the geometry.
 */
void np_geometry_fini(struct np_geometry *geo)
{
	np_meta_free(geo->depth_map);
	geo->depth_map = NULL;
}
