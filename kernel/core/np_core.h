/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core: Netty 4.1's PooledByteBufAllocator (the jemalloc
 * design) written once for the kernel module and for userspace.
 *
 * Objects, from the outside in:
 *
 *   struct np_core     a pool: geometry, arenas, the region map and the
 *                      huge buffers (core.c)
 *   struct np_arena    an independent allocator with its own lock, chunk
 *                      lists and subpage pools (arena.c)
 *   struct np_chunk_list  chunks grouped by usage, qInit .. q100
 *                      (chunk_list.c)
 *   struct np_chunk    page_size << max_order bytes split by a buddy tree
 *                      into runs of pages (chunk.c)
 *   struct np_subpage  one page split into equal elements by a bitmap
 *                      (subpage.c)
 *   struct np_region   what the region map finds by address: a chunk, or
 *                      a huge buffer with pages of its own (region_map.c)
 *
 * Buffers are named by a 64-bit address, the "key" of their first byte:
 * the virtual address in the library's in-process backend and for
 * in-kernel pools, the mmap offset for pools opened through the device.
 * Every region is registered in the pool's region map under the key of
 * its first byte, so any address can be resolved to its region and then
 * to the buffer that starts there, or refused.
 *
 * Locking (see core.c for the rules in full): core->region_lock, a
 * reader/writer lock, protects the region map and the pool-wide counters;
 * arena->lock protects everything inside one arena: its lists, its
 * chunks' trees and subpages, its counters. Order: region_lock (read) ->
 * arena->lock. Nothing that may sleep or allocate page blocks runs under
 * either lock.
 */
#ifndef NP_CORE_H
#define NP_CORE_H

#include "np_env.h"
#include <linux/nettypool.h>

#define NP_TINY_MAX		512	/* tiny: normalised size below this */
#define NP_TINY_QUANTUM		16
#define NP_NR_TINY_POOLS	(NP_TINY_MAX / NP_TINY_QUANTUM)	/* 32 */
#define NP_MAX_SMALL_POOLS	8	/* 512 B .. 32 KiB below a 64 KiB page */

/* Handle of an allocation inside a chunk; see chunk.c. */
#define NP_HANDLE_SUBPAGE	0x4000000000000000ULL
#define NP_HANDLE_BITMAP_MASK	0x3fffffffU

enum np_size_class {
	NP_SIZE_TINY,
	NP_SIZE_SMALL,
	NP_SIZE_NORMAL,
	NP_SIZE_HUGE,
};

enum np_region_kind {
	NP_REGION_CHUNK,
	NP_REGION_HUGE,
};

/* Derived from the effective configuration once, at pool creation. */
struct np_geometry {
	u32 page_size;
	u32 page_shift;
	u32 max_order;
	u32 n_pages;		/* pages in a chunk: 1 << max_order */
	u32 n_small_pools;	/* page_shift - 9 */
	u32 bitmap_words;	/* u64 words in a subpage bitmap */
	u32 chunk_shift;
	u64 chunk_size;
};

/**
 * struct np_region - a block of pages registered in the region map
 * @key: address of its first byte (see the comment at the top).
 * @size: bytes it spans.
 * @arena: the arena that owns it; NULL for a huge region.
 * @kind: NP_REGION_CHUNK or NP_REGION_HUGE.
 * @dead: unlinked from its arena, about to be destroyed.
 * @extra_refs: huge regions: references taken beyond the first.
 * @capacity: huge regions: normalised size of the one buffer.
 * @next_dead: link in a list of regions waiting to be destroyed.
 * @mem: the pages, from the environment.
 */
struct np_region {
	u64 key;
	u64 size;
	struct np_arena *arena;
	u8 kind;
	bool dead;
	u32 extra_refs;
	u64 capacity;
	struct np_region *next_dead;
	struct np_mem mem;
};

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
 * @next_avail: an element known to be free, or -1.
 * @do_not_destroy: the subpage owns its page (it is in use or kept).
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

/**
 * struct np_chunk - page_size << max_order bytes managed by a buddy tree
 * @region: the region map entry; region.key is the chunk's address.
 * @list: the chunk list holding the chunk (Netty's parent).
 * @prev: neighbour in @list.
 * @next: likewise.
 * @memory_map: the buddy tree, node id 1 .. 2 * n_pages - 1 (Netty's
 *	memoryMap); see chunk.c.
 * @depth_map: depth of every node (Netty's depthMap); shared by all the
 *	chunks of a pool, as it never changes.
 * @subpages: one per page, used while the page is carved by a subpage.
 * @owned: a bit per 16 bytes, set while a user owns the buffer starting
 *	there (see "Ownership" in chunk.c); atomic.
 * @run_at_page: per page, the node id of the live run starting there, or 0.
 * @free_bytes: bytes not covered by a live run or a subpage's page.
 * @unusable: the memory_map value of an allocated node, max_order + 1.
 */
struct np_chunk {
	struct np_region region;
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

/**
 * struct np_chunk_list - chunks whose usage lies in [min_usage, max_usage)
 * @arena: the owner.
 * @next_list: where a chunk goes when its usage reaches @max_usage.
 * @prev_list: where it goes when its usage falls below @min_usage; NULL
 *	for q000 (the chunk is destroyed), itself for qInit.
 * @head: first chunk, NULL when empty.
 * @min_usage: lower bound, percent.
 * @max_usage: upper bound, percent.
 * @max_capacity: the largest request a chunk here can still satisfy.
 * @nr_chunks: chunks in the list.
 * @name: "qInit", "q000", ...
 */
struct np_chunk_list {
	struct np_arena *arena;
	struct np_chunk_list *next_list;
	struct np_chunk_list *prev_list;
	struct np_chunk *head;
	int min_usage;
	int max_usage;
	u64 max_capacity;
	u64 nr_chunks;
	const char *name;
};

/* Counters of one arena; all under arena->lock. */
struct np_arena_counters {
	u64 alloc[NP_SIZE_HUGE];
	u64 free[NP_SIZE_HUGE];
	u64 bytes_active;
	u64 active_buffers;
	u64 chunks;
};

/* Buffers retained more than once: an entry per buffer, hashed by address. */
#define NP_REF_BUCKETS		64

struct np_ref {
	struct np_ref *next;
	u64 addr;
	u32 extra;
};

/**
 * struct np_arena - one independent allocator
 * @lock: protects everything below and every chunk the arena owns.
 * @core: the pool.
 * @index: position in core->arenas.
 * @tiny_pools: subpage pool heads, one per 16-byte size class (index 0
 *	unused, as in Netty).
 * @small_pools: subpage pool heads, 512 B .. page_size / 2.
 * @lists: the six chunk lists, in enum np_chunk_list_id order.
 * @spare: the emptied chunk kept by keep_empty_chunks, or NULL.
 * @refs: extra references of buffers retained more than once, hashed.
 * @nr_refs: entries in @refs.
 * @stats: counters.
 */
struct np_arena {
	struct np_lock lock;
	struct np_core *core;
	unsigned int index;
	struct np_subpage tiny_pools[NP_NR_TINY_POOLS];
	struct np_subpage small_pools[NP_MAX_SMALL_POOLS];
	struct np_chunk_list lists[NP_NR_CHUNK_LISTS];
	struct np_chunk *spare;
	struct np_ref *refs[NP_REF_BUCKETS];
	u64 nr_refs;
	struct np_arena_counters stats;
};

/* Caches (cache.c): bins for tiny, small, and normal sizes to 32 KiB. */
#define NP_CACHE_NORMAL_MAX	(32 * 1024)
#define NP_CACHE_NORMAL_BINS	4	/* NP_PAGE_SIZE_MIN .. 32 KiB */
#define NP_CACHE_BINS		(NP_NR_TINY_POOLS + NP_MAX_SMALL_POOLS + \
				 NP_CACHE_NORMAL_BINS)
#define NP_CACHE_TRIM_INTERVAL	8192

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
 * @lock: protects everything below.
 * @allocations: cacheable allocations since the last trim.
 * @frees: frees the cache took since the last trim.
 * @hits: requests answered, since the cache was made.
 * @buffers: buffers held.
 * @bytes: their normalised bytes.
 * @bins: by size class; bin 0 unused.
 */
struct np_cache {
	struct np_lock lock;
	u32 allocations;
	u32 frees;
	u64 hits;
	u64 buffers;
	u64 bytes;
	struct np_cache_bin bins[NP_CACHE_BINS];
};

struct np_cache_set;

/**
 * struct np_cache_ops - the owner of a cache set
 * @release: take back @n buffers of @size bytes; called with a cache
 *	lock held.
 * @refill: hand out up to @n buffers of @size bytes at once, into @e;
 *	return how many. NULL when the owner cannot.
 * @settle: called with no lock held after a cache released buffers, for
 *	what the owner could not do under the cache's lock; may be NULL.
 */
struct np_cache_ops {
	void (*release)(struct np_cache_set *set, struct np_cache_entry *e,
			u32 n, u32 size);
	void (*settle)(struct np_cache_set *set);
	u32 (*refill)(struct np_cache_set *set, struct np_cache_entry *e,
		      u32 n, u32 size);
};

/**
 * struct np_cache_set - the caches of one pool (cache.c)
 * @ops: its owner.
 * @enabled: some size is cached; @slots and @lock are set up.
 * @meta_gfp: added to the allocations of the caches' own memory.
 * @page_size: the pool's page size.
 * @page_shift: its log2.
 * @slots: a struct np_cache per CPU or per thread.
 * @lock: protects @retired_hits.
 * @retired_hits: hits of caches that are gone (threads that exited).
 * @bin_max: entries a bin may hold, 0 when the size is not cached.
 * @bin_size: the normalised size of each bin.
 */
struct np_cache_set {
	const struct np_cache_ops *ops;
	bool enabled;
	gfp_t meta_gfp;
	u32 page_size;
	u32 page_shift;
	struct np_slots slots;
	struct np_lock lock;
	u64 retired_hits;
	u32 bin_max[NP_CACHE_BINS];
	u32 bin_size[NP_CACHE_BINS];
};

/* Sorted array of regions by key; see region_map.c. */
struct np_region_map {
	struct np_region **slots;
	size_t nr;
	size_t cap;
};

struct np_core;

/**
 * struct np_core_ops - hooks of the code that owns a pool
 * @region_init: give a freshly allocated region its key; when absent the
 *	key is the address of its first byte.
 * @region_fini: the region is about to give its pages back.
 * @release: release regions that left the map (linked by next_dead) with
 *	np_core_release_region(), now or later; when absent they are
 *	released at once. np_core_destroy() releases directly.
 */
struct np_core_ops {
	int (*region_init)(struct np_core *core, struct np_region *region);
	void (*region_fini)(struct np_core *core, struct np_region *region);
	void (*release)(struct np_core *core, struct np_region *dead);
};

/**
 * struct np_core - a pool
 * @cfg: the effective configuration.
 * @geo: geometry derived from it.
 * @ops: owner hooks, may be NULL.
 * @priv: owner data.
 * @mem_flags: NP_MEM_* flags for every page block.
 * @meta_gfp: added to every allocation of the pool's pages and metadata:
 *	__GFP_ACCOUNT when NP_MEM_ACCOUNT charges them to a memory cgroup.
 * @depth_map: the depth of every tree node, shared by all chunks.
 * @region_lock: protects @map and the counters below it.
 * @map: every live region, by key.
 * @bytes_reserved: bytes of pages held, chunks and huge regions.
 * @huge_regions: live huge regions.
 * @huge_alloc: huge allocations.
 * @huge_free: huge frees.
 * @huge_active: bytes of live huge buffers.
 * @n_arenas: entries in @arenas.
 * @arenas: the arenas.
 * @caches: the caches in front of the arenas.
 * @dead_lock: protects @dead.
 * @dead: regions emptied by caches' releases, buried once no cache lock
 *	is held (their pages may need a context that can sleep).
 */
struct np_core {
	struct np_config cfg;
	struct np_geometry geo;
	const struct np_core_ops *ops;
	void *priv;
	unsigned int mem_flags;
	gfp_t meta_gfp;
	u8 *depth_map;
	struct np_rwlock region_lock;
	struct np_region_map map;
	u64 bytes_reserved;
	u64 huge_regions;
	u64 huge_alloc;
	u64 huge_free;
	u64 huge_active;
	unsigned int n_arenas;
	struct np_arena *arenas;
	struct np_cache_set caches;
	struct np_lock dead_lock;
	struct np_region *dead;
};

/**
 * struct np_buf - what an allocation returns
 * @addr: key of the buffer's first byte.
 * @capacity: normalised size.
 * @region_key: key of the region holding it.
 * @region_size: size of that region.
 * @chunk: the chunk holding it; NULL for a huge buffer.
 */
struct np_buf {
	u64 addr;
	u64 capacity;
	u64 region_key;
	u64 region_size;
	struct np_chunk *chunk;
};

/* core.c: the pool, the only interface the module and the library use */
int np_config_resolve(struct np_config *cfg, const struct np_config *defaults);
struct np_core *np_core_create(const struct np_config *cfg,
			       const struct np_core_ops *ops, void *priv,
			       unsigned int mem_flags);
u64 np_core_destroy(struct np_core *core);
u64 np_normalize(u64 chunk_size, u64 size);
u64 np_core_normalize(const struct np_core *core, u64 size);
enum np_size_class np_core_size_class(const struct np_core *core, u64 norm);
int np_core_alloc(struct np_core *core, u64 size, gfp_t gfp,
		  struct np_buf *buf);
int np_core_free(struct np_core *core, u64 addr);
int np_core_put(struct np_core *core, u64 addr);
int np_core_retain(struct np_core *core, u64 addr);
u64 np_core_usable_size(struct np_core *core, u64 addr);
void np_core_trim(struct np_core *core);
void np_core_flush_caches(struct np_core *core);
void np_core_stats(struct np_core *core, struct np_stats *st);
struct np_chunk *np_core_new_chunk(struct np_arena *arena, gfp_t gfp);
void np_core_bury(struct np_core *core, struct np_region *dead);
void np_core_release_region(struct np_core *core, struct np_region *region);
void np_core_release_list(struct np_core *core, struct np_region *dead);

/* cache.c */
int np_cache_set_init(struct np_cache_set *set,
		      const struct np_cache_ops *ops,
		      const struct np_config *cfg, gfp_t meta_gfp);
void np_cache_set_fini(struct np_cache_set *set);
void np_cache_set_flush(struct np_cache_set *set);
bool np_cache_get(struct np_cache_set *set, u64 norm,
		  struct np_cache_entry *e);
bool np_cache_put(struct np_cache_set *set, u64 capacity,
		  const struct np_cache_entry *e);
u64 np_cache_set_stats(struct np_cache_set *set, struct np_stats *st);

/* arena.c */
void np_arena_init(struct np_arena *arena, struct np_core *core,
		   unsigned int index);
u64 np_arena_fini(struct np_arena *arena);
struct np_subpage *np_arena_subpage_head(struct np_arena *arena, u32 norm);
int np_arena_alloc(struct np_arena *arena, u64 norm, gfp_t gfp,
		   struct np_buf *buf);
int np_arena_free(struct np_arena *arena, struct np_chunk *chunk, u64 offset,
		  struct np_region **dead);
void np_arena_free_claimed(struct np_arena *arena, struct np_chunk *chunk,
			   u64 offset, struct np_region **dead);
int np_arena_retain(struct np_arena *arena, struct np_chunk *chunk,
		    u64 offset, struct np_ref **spare);
u64 np_arena_usable_size(struct np_arena *arena, struct np_chunk *chunk,
			 u64 offset);
void np_arena_trim(struct np_arena *arena, struct np_region **dead);
void np_arena_drop_empty(struct np_arena *arena, struct np_region **dead);
void np_arena_add_stats(struct np_arena *arena, struct np_stats *st);

/* chunk_list.c */
void np_chunk_list_init(struct np_chunk_list *list, struct np_arena *arena,
			struct np_chunk_list *next_list, int min_usage,
			int max_usage, u64 chunk_size, const char *name);
bool np_chunk_list_allocate(struct np_chunk_list *list, u64 norm,
			    struct np_chunk **chunk, u64 *handle);
bool np_chunk_list_free(struct np_chunk_list *list, struct np_chunk *chunk,
			u64 handle);
void np_chunk_list_add(struct np_chunk_list *list, struct np_chunk *chunk);
void np_chunk_list_remove(struct np_chunk_list *list, struct np_chunk *chunk);

/* chunk.c */
u8 *np_depth_map_create(u32 max_order, gfp_t gfp);
struct np_chunk *np_chunk_create(struct np_arena *arena, gfp_t gfp);
void np_chunk_destroy(struct np_chunk *chunk);
bool np_chunk_allocate(struct np_chunk *chunk, u64 norm, u64 *handle);
void np_chunk_free(struct np_chunk *chunk, u64 handle);
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

/* subpage.c */
void np_subpage_head_init(struct np_subpage *head);
void np_subpage_init(struct np_subpage *subpage, struct np_subpage *head,
		     u32 memory_map_idx, u32 run_offset, u32 page_size,
		     u32 elem_size);
u64 np_subpage_allocate(struct np_subpage *subpage);
bool np_subpage_free(struct np_subpage *subpage, struct np_subpage *head,
		     u32 bitmap_idx);
bool np_subpage_in_use(const struct np_subpage *subpage, u32 bitmap_idx);
void np_subpage_remove_from_pool(struct np_subpage *subpage);

/* region_map.c */
int np_region_map_grow(struct np_region_map *map, struct np_rwlock *lock,
		       gfp_t gfp);
void np_region_map_insert(struct np_region_map *map,
			  struct np_region *region);
void np_region_map_remove(struct np_region_map *map,
			  struct np_region *region);
struct np_region *np_region_map_find(const struct np_region_map *map,
				     u64 key);
void np_region_map_fini(struct np_region_map *map);

#endif /* NP_CORE_H */
