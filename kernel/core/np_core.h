/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core: Netty 4.1's PooledByteBufAllocator (the jemalloc
 * design) written once for the kernel module and for userspace. This
 * header is what the code around the core (kernel/module/, the library)
 * may use of it; np_core_internal.h is the core's own.
 *
 * Layers: each file calls only the files listed below it (make lint
 * holds the core to this list, scripts/check-layers.sh):
 *
 *   core.c        struct np_core, a pool: configuration, the entry points
 *                 below, huge buffers
 *   fork.c        a pool across fork(), for the library alone
 *   visit.c       what outsiders read of a pool, through np_core_visit()
 *   cache.c       caches of freed buffers in front of the arenas
 *   arena.c       struct np_arena: an independent allocator with its own
 *                 chunk lists and subpage pools
 *   region.c      the regions of a pool (chunks and huge regions): the
 *                 byte limit, how they are obtained, retired and released
 *   region_map.c  the regions by address
 *   chunk_list.c  struct np_chunk_list: chunks grouped by usage
 *   chunk.c       struct np_chunk: page_size << max_order bytes split by a
 *                 buddy tree into runs of pages
 *   subpage.c     struct np_subpage: one page split into equal elements
 *   refs.c        extra references of retained buffers
 *   size_class.c  sizes, size classes and the pool's geometry
 *   tables.c      the facts of np_tables.h: chunk lists, counters, names
 * and under all of them the environment, np_env.h.
 *
 * Buffers are named by a 64-bit address, the "key" of their first byte:
 * the virtual address in the library's in-process backend and for
 * in-kernel pools, the mmap offset for pools opened through the device.
 * Every region is registered in the pool's region map under the key of
 * its first byte, so any address resolves to its region and then to the
 * buffer that starts there, or is refused.
 *
 * A buffer has one reference when allocated; np_core_retain() adds one,
 * np_core_free() drops one and frees the buffer with the last.
 *
 * A region leaves use in steps: it is retired (taken out of its arena,
 * or its huge buffer freed), removed from the map, so that no lookup
 * finds it any more, and released: its pages and metadata given back.
 * Releasing may sleep; the owner's release hook may defer it to a
 * context that can.
 *
 * Locking. Every lock of the core, in the order they nest:
 *
 *   cache->lock                   (cache.c) one CPU's or thread's cache,
 *                                 an owner lock: a visitor that waits
 *                                 for its owner holds no other lock
 *     -> arena->lock              (arena.c) the arena's lists, chunks,
 *                                 subpages, extra references, counters
 *     -> core->retired_lock       (core.c) chunks retired by cache flushes
 *   regions->lock, read side      (region.c) the map and the pool's
 *     -> arena->lock              region counters
 *   regions->lock, write side     taken with no other core lock held,
 *                                 but by fork.c, which takes it first and
 *                                 then all the others in the order above
 *
 * All of them are spinlocks in the kernel (bottom halves disabled), never
 * held across anything that may sleep or obtain pages. A cache's lock and
 * the region lock are never held together: a free drops the read side
 * before it puts the buffer it claimed into a cache (its chunk cannot go
 * away, as it still counts the buffer), stats read the caches first, and
 * chunks a cache flush empties are retired once the cache's lock is
 * dropped. A region found under the read side cannot be released until
 * the read side is dropped, because retiring removes it from the map
 * under the write side first; so a free looks its address up and frees
 * into the arena under one read-side section. Outsiders take no core
 * lock: np_core_visit() and np_core_with_region() take what they need and
 * call back under it.
 */
#ifndef NP_CORE_H
#define NP_CORE_H

#include "np_size_class.h"
#include <linux/nettypool.h>

/* Netty's cache sizes: entries per size class of one cache. */
#define NP_TINY_CACHE_DEFAULT	512
#define NP_SMALL_CACHE_DEFAULT	256
#define NP_NORMAL_CACHE_DEFAULT	64

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

struct np_arena;
struct np_core;

/**
 * struct np_region - a block of pages registered in the region map
 * @key: address of its first byte (see the comment at the top).
 * @size: bytes it spans.
 * @arena: the arena that owns it; NULL for a huge region.
 * @kind: NP_REGION_CHUNK or NP_REGION_HUGE.
 * @retired: out of its arena, no longer to be used; about to be released.
 * @extra_refs: huge regions: references taken beyond the first.
 * @capacity: huge regions: normalised size of the one buffer.
 * @next_retired: link in a list of retired regions waiting to be released.
 * @mem: the pages, from the environment.
 *
 * Outside the core, the owner's hooks and the callbacks of
 * np_core_with_region() read @key, @size, @kind and @mem; the release
 * hook walks @next_retired.
 */
struct np_region {
	u64 key;
	u64 size;
	struct np_arena *arena;
	u8 kind;
	bool retired;
	u32 extra_refs;
	u64 capacity;
	struct np_region *next_retired;
	struct np_mem mem;
};

/**
 * struct np_buf - what an allocation returns
 * @addr: key of the buffer's first byte.
 * @capacity: normalised size.
 * @region_key: key of the region holding it.
 * @region_size: size of that region.
 * @cached: it came from a cache, not from an arena or its own pages.
 */
struct np_buf {
	u64 addr;
	u64 capacity;
	u64 region_key;
	u64 region_size;
	bool cached;
};

/**
 * struct np_core_ops - hooks of the code that owns a pool
 * @region_init: give a region whose pages were just obtained its key;
 *	when absent the key is the address of its first byte.
 * @region_fini: the region is about to give its pages back.
 * @release: release retired regions (linked by next_retired) with
 *	np_core_release_retired(), now or later; when absent they are
 *	released at once. np_core_destroy() releases directly.
 *
 * Each hook gets the owner data given to np_core_create().
 */
struct np_core_ops {
	int (*region_init)(void *priv, struct np_region *region);
	void (*region_fini)(void *priv, struct np_region *region);
	void (*release)(void *priv, struct np_region *retired);
};

/**
 * struct np_visit_arena - an arena, as np_core_visit() shows it
 * @index: its position in the pool.
 * @chunks: chunks it holds.
 * @active_buffers: buffers allocated from it (cached ones included).
 * @bytes_active: their normalised bytes.
 */
struct np_visit_arena {
	u32 index;
	u64 chunks;
	u64 active_buffers;
	u64 bytes_active;
};

/**
 * struct np_visit_list - a chunk list
 * @arena: its arena's index.
 * @id: its enum np_chunk_list_id.
 * @name: "qInit", "q000", ...
 * @min_usage: lower usage bound, percent.
 * @max_usage: upper usage bound, percent.
 * @next: the list its next link points at, or -1 for none.
 * @prev: the list its prev link points at, or -1 for none.
 * @nr_chunks: chunks in it.
 *
 * @next and @prev are read from the links themselves.
 */
struct np_visit_list {
	u32 arena;
	u32 id;
	const char *name;
	int min_usage;
	int max_usage;
	int next;
	int prev;
	u64 nr_chunks;
};

/**
 * struct np_visit_chunk - a chunk, in its list's order
 * @arena: its arena's index.
 * @list: its list's enum np_chunk_list_id.
 * @key: its key.
 * @size: its bytes.
 * @free_bytes: bytes not in a live run or a carved page.
 * @usage: percent, as Netty computes it.
 * @pages_used: pages in live runs or carved.
 * @n_pages: its pages.
 * @kept_empty: the arena's kept empty chunk (keep_empty_chunks).
 */
struct np_visit_chunk {
	u32 arena;
	u32 list;
	u64 key;
	u64 size;
	u64 free_bytes;
	int usage;
	u32 pages_used;
	u32 n_pages;
	bool kept_empty;
};

/**
 * struct np_visit_subpage - a subpage in its pool's ring, or a pool's head
 * @arena: its arena's index.
 * @size_class: NP_SIZE_TINY or NP_SIZE_SMALL.
 * @index: the pool's index in its class (tiny: elem_size / 16; small:
 *	0 for 512 bytes, 1 for 1 KiB, ...).
 * @elem_size: bytes per element.
 * @chunk_key: key of the chunk whose page it is.
 * @page: the page's index in the chunk.
 * @elems_used: elements in use.
 * @nr_elems: elements in the page.
 */
struct np_visit_subpage {
	u32 arena;
	u32 size_class;
	u32 index;
	u32 elem_size;
	u64 chunk_key;
	u32 page;
	u32 elems_used;
	u32 nr_elems;
};

/**
 * struct np_visit_huge - a huge region
 * @key: its key, also its buffer's.
 * @size: bytes of pages.
 * @capacity: the buffer's normalised size.
 * @refs: references to the buffer.
 */
struct np_visit_huge {
	u64 key;
	u64 size;
	u64 capacity;
	u32 refs;
};

/**
 * struct np_visitor - what np_core_visit() calls; any member may be NULL
 * @huge: every huge region, in key order, before any arena.
 * @arena: every arena, in order; return false to skip its contents.
 * @list: each of its six chunk lists, in enum np_chunk_list_id order,
 *	followed by @chunk for each of the list's chunks.
 * @chunk: a chunk.
 * @subpages: after the lists, the start of the arena's tiny
 *	(NP_SIZE_TINY) and then small (NP_SIZE_SMALL) subpage pools, each
 *	followed by @subpage for every subpage of the class's non-empty
 *	pools, pool by pool, in ring order.
 * @subpage: a subpage.
 *
 * Context: @huge runs under the read side of the pool's region lock,
 * everything else under it and the arena's lock: callbacks must not
 * sleep and must not call into the pool.
 */
struct np_visitor {
	void (*huge)(void *arg, const struct np_visit_huge *h);
	bool (*arena)(void *arg, const struct np_visit_arena *a);
	void (*list)(void *arg, const struct np_visit_list *l);
	void (*chunk)(void *arg, const struct np_visit_chunk *c);
	void (*subpages)(void *arg, u32 arena, u32 size_class);
	void (*subpage)(void *arg, const struct np_visit_subpage *s);
};

/* core.c: the pool */
int np_config_resolve(struct np_config *cfg, const struct np_config *defaults);
struct np_core *np_core_create(const struct np_config *cfg,
			       const struct np_core_ops *ops, void *priv,
			       unsigned int mem_flags);
u64 np_core_destroy(struct np_core *core);
const struct np_config *np_core_config(const struct np_core *core);
void *np_core_priv(const struct np_core *core);
u64 np_core_normalize(const struct np_core *core, u64 size);
enum np_size_class np_core_size_class(const struct np_core *core, u64 norm);
int np_core_alloc(struct np_core *core, u64 size, gfp_t gfp,
		  struct np_buf *buf);
int np_core_free(struct np_core *core, u64 addr);
int np_core_retain(struct np_core *core, u64 addr);
u64 np_core_usable_size(struct np_core *core, u64 addr);
void np_core_trim(struct np_core *core);
void np_core_flush_caches(struct np_core *core);
void np_core_stats(struct np_core *core, struct np_stats *st);
void np_core_release_retired(struct np_core *core, struct np_region *retired);
int np_core_with_region(struct np_core *core, u64 addr,
			int (*fn)(void *arg, struct np_region *region,
				  u64 offset),
			void *arg);

/* visit.c */
void np_core_visit(struct np_core *core, const struct np_visitor *v,
		   void *arg);

#ifndef __KERNEL__
/* fork.c */
void np_core_fork_prepare(struct np_core *core);
void np_core_fork_parent(struct np_core *core);
void np_core_fork_child(struct np_core *core);
#endif

#endif /* NP_CORE_H */
