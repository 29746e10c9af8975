// SPDX-License-Identifier: GPL-2.0
/*
 * Chunks: page_size << max_order bytes split into runs of pages by a
 * buddy tree, exactly as Netty 4.1's PoolChunk does.
 *
 * Notation: a page is the smallest unit a chunk hands out by itself; a
 * run is 2^k contiguous pages; the chunk is 2^max_order pages.
 *
 * The tree. A complete binary tree of depth max_order is stored in the
 * byte array memory_map, node ids 1 .. 2^(max_order+1) - 1, the children
 * of node id being 2*id and 2*id + 1. A node at depth d covers
 * chunk_size >> d bytes (2^(max_order-d) pages); the leaves at depth
 * max_order are the pages. depth_map[id] is the node's depth, which never
 * changes; memory_map[id] says what is still free below the node:
 *
 *   memory_map[id] == depth_map[id]   the node is entirely free;
 *   memory_map[id] == x > depth_map[id]  the node is partly used: its
 *                                     largest free descendant is at depth x;
 *   memory_map[id] == max_order + 1   the node is allocated ("unusable").
 *
 * The root's value is therefore the depth of the largest free run.
 *
 * Allocating a run of 2^k pages (depth d = max_order - k), allocate_node():
 * if memory_map[1] > d no free node is deep enough, fail. Otherwise walk
 * down from the root: at each step go to the left child, and to its
 * sibling when the left child's value is > d, until reaching depth d; the
 * node found is free (value == d). Mark it unusable and walk back up,
 * setting every ancestor to the minimum of its two children
 * (update_parents_alloc). Freeing a node restores its value to its depth
 * and walks up: a parent whose two children are both entirely free
 * becomes entirely free (its depth), otherwise it takes the minimum of
 * the two (update_parents_free). Both walks are O(max_order).
 *
 * Requests below a page go to a subpage (subpage.c): allocate_node() at
 * depth max_order yields one page, and the chunk's subpage slot for that
 * page carves it into elements.
 *
 * Handles. An allocation inside a chunk is named by a 64-bit handle:
 *
 *   bits  0..31  memory_map index of the run, or of the subpage's page;
 *   bits 32..61  the element's index in the subpage bitmap;
 *   bit  62      set for a subpage element (so that element 0 differs
 *                from a run).
 *
 * Netty keeps the handle in the ByteBuf. We are handed back only an
 * address, so the chunk also records in run_at_page[] the node id of each
 * live run at its first page; an address resolves to a run when it is
 * the first byte of a recorded run, and to a subpage element when its
 * page is carved, the address is an element boundary and the element's
 * bit is set. Anything else is not a live buffer.
 *
 * free_bytes counts the bytes not covered by a live run or a carved page,
 * and usage() turns it into the percentage the chunk lists sort by, with
 * Netty's rounding: 100 only when nothing is free, at most 99 otherwise.
 *
 * Ownership. Besides the tree and the subpages, which say what the arena
 * has handed out, the chunk keeps one atomic "owned" bit per 16 bytes: set
 * while a user owns the buffer starting there. The arena sets it when it
 * hands a buffer out, a cache when it hands one out again; a free must
 * clear it (np_chunk_claim()) before anything else, so of two frees of one
 * buffer exactly one wins, with or without a lock. A buffer whose bit is
 * clear but that the tree still counts as allocated sits in a cache. While
 * a caller holds a buffer (its bit set, or just claimed by it) nothing can
 * change the run or subpage that holds it, which is what lets
 * np_chunk_owned_capacity() read them without the arena's lock.
 *
 * The chunk knows nothing of its arena: what it needs of it, the pool of
 * subpages a new subpage joins, is passed in.
 *
 * Locking: everything here runs under the owning arena's lock, except
 * np_chunk_create() and np_chunk_destroy(), which run on chunks no one
 * else can see, and the owned bits, which are atomic.
 */
#include "np_core_internal.h"

static inline u8 np_chunk_value(const struct np_chunk *chunk, u32 id)
{
	return chunk->memory_map[id];
}

static inline u32 np_chunk_depth(const struct np_chunk *chunk, u32 id)
{
	return chunk->depth_map[id];
}

/**
 * np_chunk_run_length() - bytes covered by a tree node
 * @chunk: the chunk.
 * @id: node id.
 *
 * Return: chunk_size >> depth(id).
 */
u32 np_chunk_run_length(const struct np_chunk *chunk, u32 id)
{
	return (u32)(chunk->region.size >> np_chunk_depth(chunk, id));
}

/**
 * np_chunk_run_offset() - byte offset of a tree node in the chunk
 * @chunk: the chunk.
 * @id: node id.
 *
 * Return: the offset of the node's first page.
 */
u32 np_chunk_run_offset(const struct np_chunk *chunk, u32 id)
{
	u32 shift = np_chunk_depth(chunk, id);

	return (id ^ (1U << shift)) * np_chunk_run_length(chunk, id);
}

/* Bytes of the owned bitmap: a bit per 16 bytes, whole words. */
static size_t np_chunk_owned_size(const struct np_geometry *geo)
{
	u64 bits = geo->chunk_size / NP_TINY_QUANTUM;

	return np_align_up(bits, NP_WORD_BITS) / 8;
}

/*
 * Metadata of a chunk, in one allocation: the struct, the memory map,
 * the subpage slots, their bitmaps, the owned bitmap and run_at_page.
 */
static size_t np_chunk_meta_size(const struct np_geometry *geo)
{
	return sizeof(struct np_chunk) +
	       (size_t)geo->n_pages * sizeof(struct np_subpage) +
	       (size_t)geo->n_pages * geo->bitmap_words * sizeof(u64) +
	       np_chunk_owned_size(geo) +
	       (size_t)geo->n_pages * sizeof(u32) +
	       ((size_t)2 << geo->max_order);
}

/**
 * np_chunk_create() - allocate the metadata of a chunk, all pages free
 * @geo: the pool's geometry.
 * @gfp: how to allocate.
 *
 * The pages themselves, the region key and the owning arena are the
 * caller's business.
 *
 * Return: the chunk, or NULL when out of memory.
 */
struct np_chunk *np_chunk_create(const struct np_geometry *geo, gfp_t gfp)
{
	struct np_chunk *chunk;
	u64 *bitmaps;
	char *p;
	u32 i;

	chunk = np_meta_zalloc(np_chunk_meta_size(geo), gfp);
	if (!chunk)
		return NULL;
	p = (char *)(chunk + 1);
	chunk->subpages = (struct np_subpage *)p;
	p += (size_t)geo->n_pages * sizeof(struct np_subpage);
	bitmaps = (u64 *)p;
	p += (size_t)geo->n_pages * geo->bitmap_words * sizeof(u64);
	chunk->owned = (unsigned long *)p;
	p += np_chunk_owned_size(geo);
	chunk->run_at_page = (u32 *)p;
	p += (size_t)geo->n_pages * sizeof(u32);
	chunk->memory_map = (u8 *)p;

	chunk->geo = geo;
	chunk->depth_map = geo->depth_map;
	memcpy(chunk->memory_map, chunk->depth_map, (size_t)2 << geo->max_order);
	chunk->region.kind = NP_REGION_CHUNK;
	chunk->region.size = geo->chunk_size;
	chunk->free_bytes = geo->chunk_size;
	chunk->unusable = (u8)(geo->max_order + 1);
	for (i = 0; i < geo->n_pages; i++) {
		chunk->subpages[i].chunk = chunk;
		chunk->subpages[i].bitmap = bitmaps + (size_t)i * geo->bitmap_words;
	}
	return chunk;
}

/**
 * np_chunk_destroy() - free the metadata of a chunk
 * @chunk: a chunk whose pages are already gone.
 */
void np_chunk_destroy(struct np_chunk *chunk)
{
	np_meta_free(chunk);
}

/**
 * np_chunk_usage() - how full the chunk is, in percent, as Netty computes it
 * @chunk: the chunk.
 *
 * Return: 100 when nothing is free; otherwise 100 minus the free
 * percentage rounded down, and at most 99.
 */
int np_chunk_usage(const struct np_chunk *chunk)
{
	u64 free_percentage;

	if (!chunk->free_bytes)
		return 100;
	free_percentage = chunk->free_bytes * 100 / chunk->region.size;
	if (!free_percentage)
		return 99;
	return 100 - (int)free_percentage;
}

static void np_chunk_update_parents_alloc(struct np_chunk *chunk, u32 id)
{
	while (id > 1) {
		u32 parent = id >> 1;
		u8 val1 = np_chunk_value(chunk, id);
		u8 val2 = np_chunk_value(chunk, id ^ 1);

		chunk->memory_map[parent] = val1 < val2 ? val1 : val2;
		id = parent;
	}
}

static void np_chunk_update_parents_free(struct np_chunk *chunk, u32 id)
{
	u32 log_child = np_chunk_depth(chunk, id) + 1;

	while (id > 1) {
		u32 parent = id >> 1;
		u8 val1 = np_chunk_value(chunk, id);
		u8 val2 = np_chunk_value(chunk, id ^ 1);

		/* log_child is the depth of id, the children of parent */
		log_child--;
		if (val1 == log_child && val2 == log_child)
			chunk->memory_map[parent] = (u8)(log_child - 1);
		else
			chunk->memory_map[parent] = val1 < val2 ? val1 : val2;
		id = parent;
	}
}

/*
 * Find a free node at depth d, mark it allocated and return its id, or 0
 * when the chunk has none. "initial" has the low d bits clear and all
 * others set, so (id & initial) is non-zero exactly for ids at depth >= d.
 */
static u32 np_chunk_allocate_node(struct np_chunk *chunk, u32 d)
{
	u32 id = 1;
	u32 initial = ~((1U << d) - 1);
	u8 val = np_chunk_value(chunk, id);

	if (val > d)
		return 0;
	while (val < d || !(id & initial)) {
		id <<= 1;
		val = np_chunk_value(chunk, id);
		if (val > d) {
			id ^= 1;
			val = np_chunk_value(chunk, id);
		}
	}
	if (NP_WARN_ON(val != d || np_chunk_depth(chunk, id) != d))
		return 0;
	chunk->memory_map[id] = chunk->unusable;
	np_chunk_update_parents_alloc(chunk, id);
	return id;
}

static bool np_chunk_allocate_run(struct np_chunk *chunk, u64 norm,
				  u64 *handle)
{
	const struct np_geometry *geo = chunk->geo;
	u32 d = geo->max_order - (np_fls64(norm) - 1 - geo->page_shift);
	u32 id = np_chunk_allocate_node(chunk, d);

	if (!id)
		return false;
	chunk->free_bytes -= np_chunk_run_length(chunk, id);
	chunk->run_at_page[np_chunk_run_offset(chunk, id) >> geo->page_shift] = id;
	*handle = id;
	return true;
}

static bool np_chunk_allocate_subpage(struct np_chunk *chunk, u32 norm,
				      struct np_subpage *head, u64 *handle)
{
	const struct np_geometry *geo = chunk->geo;
	struct np_subpage *subpage;
	u32 id = np_chunk_allocate_node(chunk, geo->max_order);

	if (!id)
		return false;
	chunk->free_bytes -= geo->page_size;
	subpage = &chunk->subpages[id ^ geo->n_pages];
	np_subpage_init(subpage, head, id,
			np_chunk_run_offset(chunk, id), geo->page_size, norm);
	*handle = np_subpage_allocate(subpage);
	return *handle != 0;
}

/**
 * np_chunk_allocate() - take a run, or an element of a new subpage
 * @chunk: the chunk.
 * @norm: normalised size, at most the chunk size.
 * @head: below a page, the pool of subpages of that size in the arena,
 *	which a new subpage joins; else NULL.
 * @handle: set to the allocation's handle on success.
 *
 * Return: true on success, false when the chunk has no room.
 */
bool np_chunk_allocate(struct np_chunk *chunk, u64 norm,
		       struct np_subpage *head, u64 *handle)
{
	if (norm >= chunk->geo->page_size)
		return np_chunk_allocate_run(chunk, norm, handle);
	return np_chunk_allocate_subpage(chunk, (u32)norm, head, handle);
}

/**
 * np_chunk_free() - give back what a handle names
 * @chunk: the chunk.
 * @handle: a live allocation of this chunk.
 * @head: for a subpage element, the arena's pool of subpages of its
 *	size; else unused.
 *
 * A subpage element goes back to its subpage; only when the subpage lets
 * go of its page, or for a run, does the tree change.
 */
void np_chunk_free(struct np_chunk *chunk, u64 handle,
		   struct np_subpage *head)
{
	const struct np_geometry *geo = chunk->geo;
	u32 id = np_handle_memory_map_idx(handle);

	if (np_handle_is_subpage(handle)) {
		struct np_subpage *subpage = &chunk->subpages[id ^ geo->n_pages];

		if (np_subpage_free(subpage, head, np_handle_bitmap_idx(handle)))
			return;
	} else {
		chunk->run_at_page[np_chunk_run_offset(chunk, id) >>
				   geo->page_shift] = 0;
	}
	chunk->free_bytes += np_chunk_run_length(chunk, id);
	chunk->memory_map[id] = (u8)np_chunk_depth(chunk, id);
	np_chunk_update_parents_free(chunk, id);
}

/**
 * np_chunk_lookup() - resolve an offset to the live buffer starting there
 * @chunk: the chunk.
 * @offset: byte offset in the chunk.
 * @handle: set to the buffer's handle.
 * @capacity: set to the buffer's normalised size.
 *
 * Return: true when a live buffer starts exactly at @offset.
 */
bool np_chunk_lookup(const struct np_chunk *chunk, u64 offset, u64 *handle,
		     u32 *capacity)
{
	const struct np_geometry *geo = chunk->geo;
	const struct np_subpage *subpage;
	u32 page, id, in_page, idx;

	if (offset >= chunk->region.size)
		return false;
	page = (u32)(offset >> geo->page_shift);
	in_page = (u32)offset & (geo->page_size - 1);
	id = chunk->run_at_page[page];
	if (id) {
		if (in_page)
			return false;
		*handle = id;
		*capacity = np_chunk_run_length(chunk, id);
		return true;
	}
	subpage = &chunk->subpages[page];
	if (!subpage->do_not_destroy || in_page % subpage->elem_size)
		return false;
	idx = in_page / subpage->elem_size;
	if (!np_subpage_in_use(subpage, idx))
		return false;
	*handle = np_handle(subpage->memory_map_idx, idx);
	*capacity = subpage->elem_size;
	return true;
}

/**
 * np_chunk_handle_offset() - byte offset of an allocation in its chunk
 * @chunk: the chunk.
 * @handle: the allocation.
 *
 * Return: the offset of its first byte.
 */
u64 np_chunk_handle_offset(const struct np_chunk *chunk, u64 handle)
{
	u32 id = np_handle_memory_map_idx(handle);
	u64 offset = np_chunk_run_offset(chunk, id);

	if (np_handle_is_subpage(handle)) {
		const struct np_geometry *geo = chunk->geo;
		const struct np_subpage *subpage =
			&chunk->subpages[id ^ geo->n_pages];

		offset += (u64)np_handle_bitmap_idx(handle) * subpage->elem_size;
	}
	return offset;
}

/**
 * np_chunk_mark_owned() - a buffer starting at an offset goes to a user
 * @chunk: the chunk.
 * @offset: the buffer's offset, allocated in the tree.
 */
void np_chunk_mark_owned(struct np_chunk *chunk, u64 offset)
{
	NP_WARN_ON(np_test_and_set_bit(chunk->owned, offset / NP_TINY_QUANTUM));
}

/**
 * np_chunk_claim() - take a buffer from its user, for a free
 * @chunk: the chunk.
 * @offset: where the buffer is said to start.
 *
 * Atomic: of concurrent claims of one buffer, one succeeds.
 *
 * Return: true when a user owned a buffer starting at @offset; it is now
 * the caller's to free or to cache. False otherwise: nothing changed.
 */
bool np_chunk_claim(struct np_chunk *chunk, u64 offset)
{
	if (offset >= chunk->region.size || offset % NP_TINY_QUANTUM)
		return false;
	return np_test_and_clear_bit(chunk->owned, offset / NP_TINY_QUANTUM);
}

/**
 * np_chunk_is_owned() - does a user own the buffer starting at an offset?
 * @chunk: the chunk.
 * @offset: the offset.
 *
 * Return: true when a live buffer starts at @offset and is not in a cache.
 */
bool np_chunk_is_owned(const struct np_chunk *chunk, u64 offset)
{
	return offset < chunk->region.size && !(offset % NP_TINY_QUANTUM) &&
	       np_test_bit(chunk->owned, offset / NP_TINY_QUANTUM);
}

/**
 * np_chunk_owned_capacity() - capacity of a buffer the caller holds
 * @chunk: the chunk.
 * @offset: the buffer's offset; the caller owns or has just claimed it.
 *
 * Needs no lock: the run or subpage holding a held buffer cannot change
 * (see "Ownership" at the top).
 *
 * Return: the buffer's normalised size.
 */
u32 np_chunk_owned_capacity(const struct np_chunk *chunk, u64 offset)
{
	const struct np_geometry *geo = chunk->geo;
	u32 page = (u32)(offset >> geo->page_shift);
	u32 id = np_read_once(chunk->run_at_page[page]);

	if (id && !(offset & (geo->page_size - 1)))
		return np_chunk_run_length(chunk, id);
	return np_read_once(chunk->subpages[page].elem_size);
}
