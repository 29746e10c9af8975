/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core's own structures and functions, layer by layer from
 * the bottom (see np_core.h for the layers and the locking). Only the
 * core's files, and the tests that look inside it, include this.
 */
#ifndef NP_CORE_INTERNAL_H
#define NP_CORE_INTERNAL_H

#include "np_core.h"
#include "np_cache.h"
#include "np_refs.h"

/* size_class.c: derived from the effective configuration at pool creation */

/**
 * struct np_geometry - the shape of a pool's chunks
 * @page_size: bytes per page.
 * @page_shift: its log2.
 * @max_order: depth of a chunk's tree.
 * @n_pages: pages in a chunk, 1 << max_order.
 * @n_small_pools: small size classes, page_shift - 9.
 * @bitmap_words: u64 words in a subpage bitmap.
 * @chunk_shift: log2 of @chunk_size.
 * @chunk_size: bytes per chunk.
 * @depth_map: the depth of every tree node, shared by all chunks (see
 *	chunk.c).
 */
struct np_geometry {
	u32 page_size;
	u32 page_shift;
	u32 max_order;
	u32 n_pages;
	u32 n_small_pools;
	u32 bitmap_words;
	u32 chunk_shift;
	u64 chunk_size;
	u8 *depth_map;
};

int np_geometry_init(struct np_geometry *geo, const struct np_config *cfg,
		     gfp_t gfp);
void np_geometry_fini(struct np_geometry *geo);
u8 *np_depth_map_create(u32 max_order, gfp_t gfp);
enum np_size_class np_size_class(const struct np_geometry *geo, u64 norm);

/* subpage.c */

/**
 * struct np_subpage - a page carved into equal elements
 * @chunk: the chunk whose page this is.
 * @prev: neighbour in the arena's pool for this element size.
 * @next: likewise.
 * @bitmap: one bit per element, set = in use.
 * @memory_map_idx: the leaf of the chunk's tree that holds the page.
 * @run_offset: byte offset of the page in the chunk.
 * @elem_size: bytes per element.
 * @max_num_elems: elements in the page.
 * @num_avail: elements free.
 * @bitmap_length: u64 words of @bitmap in use.
 * @do_not_destroy: the subpage owns its page (it is in use or kept).
 * @next_avail: an element known to be free, or -1.
 *
 * A pool head (one per size class in the arena) is a struct np_subpage
 * too, with only @prev and @next used, as in Netty.
 */
struct np_subpage {
	struct np_chunk *chunk;
	struct np_subpage *prev;
	struct np_subpage *next;
	u64 *bitmap;
	u32 memory_map_idx;
	u32 run_offset;
	u32 elem_size;
	u16 max_num_elems;
	u16 num_avail;
	u16 bitmap_length;
	bool do_not_destroy;
	s32 next_avail;
};

void np_subpage_head_init(struct np_subpage *head);
void np_subpage_init(struct np_subpage *subpage, struct np_subpage *head,
		     u32 memory_map_idx, u32 run_offset, u32 page_size,
		     u32 elem_size);
u64 np_subpage_allocate(struct np_subpage *subpage);
bool np_subpage_free(struct np_subpage *subpage, struct np_subpage *head,
		     u32 bitmap_idx);
bool np_subpage_in_use(const struct np_subpage *subpage, u32 bitmap_idx);
void np_subpage_remove_from_pool(struct np_subpage *subpage);

/* chunk.c */

/* Handle of an allocation inside a chunk; see chunk.c. */
#define NP_HANDLE_SUBPAGE	0x4000000000000000ULL
#define NP_HANDLE_BITMAP_MASK	0x3fffffffU

/**
 * struct np_chunk - page_size << max_order bytes managed by a buddy tree
 * @region: the region map entry; region.key is the chunk's address.
 * @geo: the pool's geometry.
 * @list: the chunk list holding the chunk (Netty's parent).
 * @prev: neighbour in @list.
 * @next: likewise.
 * @memory_map: the buddy tree, node id 1 .. 2 * n_pages - 1 (Netty's
 *	memoryMap); see chunk.c.
 * @depth_map: depth of every node (Netty's depthMap), the geometry's.
 * @subpages: one per page, used while the page is carved by a subpage.
 * @owned: a bit per 16 bytes, set while a user owns the buffer starting
 *	there (see "Ownership" in chunk.c); atomic.
 * @run_at_page: per page, the node id of the live run starting there, or 0.
 * @free_bytes: bytes not covered by a live run or a subpage's page.
 * @unusable: the memory_map value of an allocated node, max_order + 1.
 */
struct np_chunk {
	struct np_region region;
	const struct np_geometry *geo;
	struct np_chunk_list *list;
	struct np_chunk *prev;
	struct np_chunk *next;
	u8 *memory_map;
	const u8 *depth_map;
	struct np_subpage *subpages;
	unsigned long *owned;
	u32 *run_at_page;
	u64 free_bytes;
	u8 unusable;
};

struct np_chunk *np_chunk_create(const struct np_geometry *geo, gfp_t gfp);
void np_chunk_destroy(struct np_chunk *chunk);
bool np_chunk_allocate(struct np_chunk *chunk, u64 norm,
		       struct np_subpage *head, u64 *handle);
void np_chunk_free(struct np_chunk *chunk, u64 handle,
		   struct np_subpage *head);
int np_chunk_usage(const struct np_chunk *chunk);
bool np_chunk_lookup(const struct np_chunk *chunk, u64 offset, u64 *handle,
		     u32 *capacity);
u64 np_chunk_handle_offset(const struct np_chunk *chunk, u64 handle);
u32 np_chunk_run_length(const struct np_chunk *chunk, u32 id);
u32 np_chunk_run_offset(const struct np_chunk *chunk, u32 id);
void np_chunk_mark_owned(struct np_chunk *chunk, u64 offset);
bool np_chunk_claim(struct np_chunk *chunk, u64 offset);
bool np_chunk_is_owned(const struct np_chunk *chunk, u64 offset);
u32 np_chunk_owned_capacity(const struct np_chunk *chunk, u64 offset);

static inline struct np_chunk *np_region_chunk(struct np_region *region)
{
	return (struct np_chunk *)((char *)region -
				   offsetof(struct np_chunk, region));
}

static inline bool np_chunk_is_empty(const struct np_chunk *chunk)
{
	return chunk->free_bytes == chunk->region.size;
}

static inline u64 np_handle(u32 memory_map_idx, u32 bitmap_idx)
{
	return NP_HANDLE_SUBPAGE | (u64)bitmap_idx << 32 | memory_map_idx;
}

static inline u32 np_handle_memory_map_idx(u64 handle)
{
	return (u32)handle;
}

static inline u32 np_handle_bitmap_idx(u64 handle)
{
	return (u32)(handle >> 32) & NP_HANDLE_BITMAP_MASK;
}

static inline bool np_handle_is_subpage(u64 handle)
{
	return handle & NP_HANDLE_SUBPAGE;
}

/* chunk_list.c */

/**
 * struct np_chunk_list - chunks whose usage lies in [min_usage, max_usage)
 * @next_list: where a chunk goes when its usage reaches @max_usage.
 * @prev_list: where it goes when its usage falls below @min_usage; NULL
 *	for q000 (the chunk leaves the lists), itself for qInit.
 * @head: first chunk, NULL when empty.
 * @min_usage: lower bound, percent.
 * @max_usage: upper bound, percent.
 * @max_capacity: the largest request a chunk here can still satisfy.
 * @nr_chunks: chunks in the list.
 * @name: "qInit", "q000", ...
 */
struct np_chunk_list {
	struct np_chunk_list *next_list;
	struct np_chunk_list *prev_list;
	struct np_chunk *head;
	int min_usage;
	int max_usage;
	u64 max_capacity;
	u64 nr_chunks;
	const char *name;
};

void np_chunk_list_init(struct np_chunk_list *list,
			struct np_chunk_list *next_list, int min_usage,
			int max_usage, u64 chunk_size, const char *name);
bool np_chunk_list_allocate(struct np_chunk_list *list, u64 norm,
			    struct np_subpage *head, struct np_chunk **chunk,
			    u64 *handle);
bool np_chunk_list_free(struct np_chunk_list *list, struct np_chunk *chunk,
			u64 handle, struct np_subpage *head);
void np_chunk_list_add(struct np_chunk_list *list, struct np_chunk *chunk);
void np_chunk_list_remove(struct np_chunk_list *list, struct np_chunk *chunk);

/* region_map.c: sorted array of regions by key */

struct np_region_map {
	struct np_region **slots;
	size_t nr;
	size_t cap;
};

int np_region_map_grow(struct np_region_map *map, struct np_rwlock *lock,
		       gfp_t gfp);
void np_region_map_insert(struct np_region_map *map,
			  struct np_region *region);
void np_region_map_remove(struct np_region_map *map,
			  struct np_region *region);
struct np_region *np_region_map_find(const struct np_region_map *map,
				     u64 key);
void np_region_map_fini(struct np_region_map *map);

/* region.c */

/**
 * struct np_regions - the regions of a pool
 * @lock: protects @map and the counters below it.
 * @map: every live region, by key.
 * @bytes_reserved: bytes of pages held, chunks and huge regions.
 * @huge_regions: live huge regions.
 * @huge_alloc: huge allocations.
 * @huge_free: huge frees.
 * @huge_active: bytes of live huge buffers.
 * @max_bytes: the pool's byte limit, 0 for none.
 * @mem_flags: NP_MEM_* flags for every page block.
 * @ops: the owner's hooks, may be NULL.
 * @priv: the owner's data, passed to the hooks.
 */
struct np_regions {
	struct np_rwlock lock;
	struct np_region_map map;
	u64 bytes_reserved;
	u64 huge_regions;
	u64 huge_alloc;
	u64 huge_free;
	u64 huge_active;
	u64 max_bytes;
	unsigned int mem_flags;
	const struct np_core_ops *ops;
	void *priv;
};

void np_regions_init(struct np_regions *regions, u64 max_bytes,
		     unsigned int mem_flags, const struct np_core_ops *ops,
		     void *priv);
void np_regions_fini(struct np_regions *regions);
int np_regions_add(struct np_regions *regions, struct np_region *region,
		   gfp_t gfp);
void np_regions_remove(struct np_regions *regions,
		       struct np_region *retired);
void np_regions_release(struct np_regions *regions,
			struct np_region *retired);
struct np_region *np_regions_find(struct np_regions *regions, u64 addr);
int np_regions_free_huge(struct np_regions *regions, u64 addr);
int np_regions_retain_huge(struct np_regions *regions, u64 addr);
u64 np_regions_huge_capacity(struct np_regions *regions, u64 addr);

/* arena.c */

/* Counters of one arena; all under arena->lock. */
struct np_arena_counters {
	u64 alloc[NP_SIZE_HUGE];
	u64 free[NP_SIZE_HUGE];
	u64 bytes_active;
	u64 active_buffers;
	u64 chunks;
};

/**
 * struct np_arena - one independent allocator
 * @lock: protects everything below and every chunk the arena owns.
 * @geo: the pool's geometry.
 * @regions: the pool's regions, where the arena's chunks come from.
 * @keep_empty: keep one emptied chunk (keep_empty_chunks).
 * @index: position in the pool.
 * @tiny_pools: subpage pool heads, one per 16-byte size class (index 0
 *	unused, as in Netty).
 * @small_pools: subpage pool heads, 512 B .. page_size / 2.
 * @lists: the six chunk lists, in enum np_chunk_list_id order.
 * @spare: the emptied chunk kept by keep_empty_chunks, or NULL.
 * @refs: extra references of buffers retained more than once.
 * @stats: counters.
 */
struct np_arena {
	struct np_lock lock;
	const struct np_geometry *geo;
	struct np_regions *regions;
	bool keep_empty;
	unsigned int index;
	struct np_subpage tiny_pools[NP_NR_TINY_POOLS];
	struct np_subpage small_pools[NP_MAX_SMALL_POOLS];
	struct np_chunk_list lists[NP_NR_CHUNK_LISTS];
	struct np_chunk *spare;
	struct np_refs refs;
	struct np_arena_counters stats;
};

void np_arena_init(struct np_arena *arena, const struct np_geometry *geo,
		   struct np_regions *regions, bool keep_empty,
		   unsigned int index);
u64 np_arena_fini(struct np_arena *arena);
struct np_subpage *np_arena_subpage_head(struct np_arena *arena, u32 norm);
int np_arena_alloc(struct np_arena *arena, u64 norm, gfp_t gfp,
		   struct np_buf *buf);
int np_arena_free(struct np_arena *arena, struct np_chunk *chunk, u64 offset,
		  struct np_region **retired);
void np_arena_free_claimed(struct np_arena *arena, struct np_chunk *chunk,
			   u64 offset, struct np_region **retired);
int np_arena_retain(struct np_arena *arena, struct np_chunk *chunk,
		    u64 offset, struct np_ref **spare);
u64 np_arena_usable_size(struct np_arena *arena, struct np_chunk *chunk,
			 u64 offset);
void np_arena_trim(struct np_arena *arena, struct np_region **retired);
void np_arena_retire_empty(struct np_arena *arena,
			   struct np_region **retired);
void np_arena_add_stats(struct np_arena *arena, struct np_stats *st);

/*
 * Trace a chunk of an arena that left the list @from (NULL: none) for the
 * one it is in now (none, when chunk->list is NULL).
 */
static inline void np_chunk_trace_move(const struct np_chunk *chunk,
				       const struct np_chunk_list *from)
{
	np_trace(chunk_move, chunk->region.arena->regions->priv,
		 chunk->region.arena->index, chunk->region.key,
		 from ? from->name : NULL,
		 chunk->list ? chunk->list->name : NULL,
		 np_chunk_usage(chunk));
}

/* core.c */

/**
 * struct np_core - a pool
 * @cfg: the effective configuration.
 * @geo: geometry derived from it.
 * @priv: the owner's data.
 * @meta_gfp: added to every allocation of the pool's pages and metadata:
 *	__GFP_ACCOUNT when NP_MEM_ACCOUNT charges them to a memory cgroup.
 * @regions: the pool's chunks and huge regions.
 * @n_arenas: entries in @arenas.
 * @arenas: the arenas.
 * @caches: the caches in front of the arenas.
 * @retired_lock: protects @retired.
 * @retired: chunks retired by cache flushes, to be taken out of the map
 *	once no cache lock is held (their release may need a context that
 *	can sleep).
 */
struct np_core {
	struct np_config cfg;
	struct np_geometry geo;
	void *priv;
	gfp_t meta_gfp;
	struct np_regions regions;
	unsigned int n_arenas;
	struct np_arena *arenas;
	struct np_cache_set caches;
	struct np_lock retired_lock;
	struct np_region *retired;
};

#endif /* NP_CORE_INTERNAL_H */
