// SPDX-License-Identifier: GPL-2.0
/*
 * Arenas: independent allocators inside one pool, as Netty's PoolArena.
 *
 * An arena owns chunks, kept in six chunk lists by usage (chunk_list.c),
 * and one subpage pool per tiny (16-byte steps below 512) and small (512
 * bytes up to half a page) size class: a ring of subpages of that element
 * size with a free element.
 *
 * Allocation of a normalised size norm:
 *  - below a page, the subpage pool of its class answers when its ring
 *    is not empty;
 *  - otherwise the lists are tried in Netty's order q050, q025, q000,
 *    qInit, q075: q050 first, to fill chunks that are already well used
 *    and let nearly empty ones drain; q075 last, as its chunks have the
 *    least room; q100 never, as its chunks are full;
 *  - only then is a new chunk made; it enters through qInit.
 * A new chunk needs pages, which may sleep: the arena lock is dropped
 * while the pages are obtained (np_regions_add()), and the lists are
 * tried once more when it is retaken, because another caller may have
 * made room meanwhile; a chunk obtained for nothing is retired again.
 *
 * Empty chunks. Netty destroys a chunk that empties while in q000 or
 * falls below it; so does the arena, by retiring it. With
 * keep_empty_chunks (the default) the arena keeps one such chunk in qInit
 * instead (the "spare"), so a workload that oscillates around one chunk's
 * worth of memory does not create and retire a chunk on every swing.
 * Trim gives back the spare, every empty chunk in qInit, and every
 * subpage that only its size class's "do not destroy the last one" rule
 * kept alive.
 *
 * Retained buffers. A buffer has one reference when allocated; the extra
 * references taken by np_arena_retain() live in a small hash of the
 * arena (only retained buffers have an entry), so a free first drops
 * those, and only the last one frees the buffer.
 *
 * Ownership of a buffer is an atomic bit of its chunk (see chunk.c): a
 * free claims it first, so np_core_free() can free a buffer into a cache
 * without this lock at all, and the paths here that take the lock treat a
 * buffer whose bit is clear (cached, or being freed) as not live.
 *
 * Locking: arena->lock protects the lists, every chunk in them, the
 * subpage pools, the refs and the counters; np_refs_any() of the refs is
 * also read without it, to send the frees of possibly retained buffers
 * here. It is taken
 * with the read side of the pool's region lock held, or with no lock
 * held; chunks leave the arena through a list of retired regions that
 * the caller takes out of the map (np_regions_remove()) once the lock is
 * dropped.
 */
#include "np_core_internal.h"
#include "np_tables.h"

/**
 * np_arena_init() - set up an empty arena
 * @arena: zeroed memory for the arena.
 * @geo: the pool's geometry.
 * @regions: the pool's regions.
 * @keep_empty: keep one emptied chunk instead of retiring it.
 * @index: the arena's position in the pool.
 */
void np_arena_init(struct np_arena *arena, const struct np_geometry *geo,
		   struct np_regions *regions, bool keep_empty,
		   unsigned int index)
{
	struct np_chunk_list *q = arena->lists;
	u64 chunk_size = geo->chunk_size;
	unsigned int i;

	np_lock_init(&arena->lock);
	arena->geo = geo;
	arena->regions = regions;
	arena->keep_empty = keep_empty;
	arena->index = index;
	for (i = 0; i < NP_NR_TINY_POOLS; i++)
		np_subpage_head_init(&arena->tiny_pools[i]);
	for (i = 0; i < NP_MAX_SMALL_POOLS; i++)
		np_subpage_head_init(&arena->small_pools[i]);

	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		np_chunk_list_init(&q[i],
				   i + 1 < NP_NR_CHUNK_LISTS ? &q[i + 1] : NULL,
				   np_chunk_list_info[i].min_usage,
				   np_chunk_list_info[i].max_usage, chunk_size,
				   np_chunk_list_info[i].name);
	for (i = NP_Q025; i < NP_NR_CHUNK_LISTS; i++)
		q[i].prev_list = &q[i - 1];
	q[NP_Q000].prev_list = NULL;
	q[NP_QINIT].prev_list = &q[NP_QINIT];
}

/**
 * np_arena_subpage_head() - the subpage pool of a tiny or small size
 * @arena: the arena.
 * @norm: normalised size below the page size.
 *
 * Return: the pool head.
 */
struct np_subpage *np_arena_subpage_head(struct np_arena *arena, u32 norm)
{
	if (norm < NP_TINY_MAX)
		return &arena->tiny_pools[np_tiny_index(norm)];
	return &arena->small_pools[np_small_index(norm)];
}

static void np_arena_retire_chunk(struct np_arena *arena,
				  struct np_chunk *chunk,
				  struct np_region **retired)
{
	if (arena->spare == chunk)
		arena->spare = NULL;
	arena->stats.chunks--;
	chunk->region.retired = true;
	chunk->region.next_retired = *retired;
	*retired = &chunk->region;
}

/*
 * A chunk fell out of q000 empty: keep it as the spare, or retire it. A
 * new spare replaces one that has been used since.
 */
static void np_arena_chunk_emptied(struct np_arena *arena,
				   struct np_chunk *chunk,
				   struct np_region **retired)
{
	struct np_chunk *spare = arena->spare;

	if (arena->keep_empty &&
	    (!spare || spare == chunk || !np_chunk_is_empty(spare))) {
		arena->spare = chunk;
		np_chunk_list_add(&arena->lists[NP_QINIT], chunk);
		np_chunk_trace_move(chunk, NULL);
		return;
	}
	np_arena_retire_chunk(arena, chunk, retired);
}

/* Netty's allocateNormal order; q100 is never tried. */
static const enum np_chunk_list_id np_arena_alloc_order[] = {
	NP_Q050, NP_Q025, NP_Q000, NP_QINIT, NP_Q075,
};

static bool np_arena_try_alloc(struct np_arena *arena, u64 norm,
			       struct np_chunk **chunk, u64 *handle)
{
	struct np_subpage *head = NULL;
	unsigned int i;

	if (norm < arena->geo->page_size) {
		struct np_subpage *subpage;

		head = np_arena_subpage_head(arena, (u32)norm);
		subpage = head->next;
		if (subpage != head) {
			*handle = np_subpage_allocate(subpage);
			*chunk = subpage->chunk;
			return *handle != 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(np_arena_alloc_order); i++) {
		struct np_chunk_list *list = &arena->lists[np_arena_alloc_order[i]];

		if (np_chunk_list_allocate(list, norm, head, chunk, handle))
			return true;
	}
	return false;
}

/* A chunk for the arena, its pages obtained and registered; no lock held. */
static int np_arena_new_chunk(struct np_arena *arena, gfp_t gfp,
			      struct np_chunk **fresh)
{
	struct np_chunk *chunk = np_chunk_create(arena->geo, gfp);
	int ret;

	if (!chunk)
		return -ENOMEM;
	chunk->region.arena = arena;
	ret = np_regions_add(arena->regions, &chunk->region, gfp);
	if (ret) {
		np_chunk_destroy(chunk);
		return ret;
	}
	np_trace(chunk_create, arena->regions->priv, arena->index,
		 chunk->region.key, chunk->region.size);
	*fresh = chunk;
	return 0;
}

/* Retire a chunk that never entered a list; no lock held. */
static void np_arena_discard_chunk(struct np_arena *arena,
				   struct np_chunk *chunk)
{
	chunk->region.retired = true;
	chunk->region.next_retired = NULL;
	np_regions_remove(arena->regions, &chunk->region);
}

/**
 * np_arena_alloc() - allocate a tiny, small or normal buffer
 * @arena: the arena.
 * @norm: normalised size, at most the chunk size.
 * @gfp: how a new chunk's pages may be obtained.
 * @buf: filled in on success.
 *
 * Return: 0; -ENOSPC when no chunk has room and the pool's byte limit
 * refuses a new one, -ENOMEM when no new chunk could be made.
 */
int np_arena_alloc(struct np_arena *arena, u64 norm, gfp_t gfp,
		   struct np_buf *buf)
{
	struct np_chunk *fresh = NULL;
	struct np_chunk *chunk;
	u64 handle;
	int ret;

	np_lock(&arena->lock);
	while (!np_arena_try_alloc(arena, norm, &chunk, &handle)) {
		if (fresh) {
			struct np_subpage *head = norm < arena->geo->page_size ?
				np_arena_subpage_head(arena, (u32)norm) : NULL;

			if (NP_WARN_ON(!np_chunk_allocate(fresh, norm, head,
							  &handle))) {
				np_unlock(&arena->lock);
				np_arena_discard_chunk(arena, fresh);
				return -ENOMEM;
			}
			np_chunk_list_add(&arena->lists[NP_QINIT], fresh);
			np_chunk_trace_move(fresh, NULL);
			arena->stats.chunks++;
			chunk = fresh;
			fresh = NULL;
			break;
		}
		np_unlock(&arena->lock);
		ret = np_arena_new_chunk(arena, gfp, &fresh);
		if (ret)
			return ret;
		np_lock(&arena->lock);
	}
	arena->stats.alloc[np_size_class(arena->geo, norm)]++;
	arena->stats.bytes_active += norm;
	arena->stats.active_buffers++;
	buf->addr = chunk->region.key + np_chunk_handle_offset(chunk, handle);
	np_chunk_mark_owned(chunk, buf->addr - chunk->region.key);
	buf->capacity = norm;
	buf->region_key = chunk->region.key;
	buf->region_size = chunk->region.size;
	buf->cached = false;
	np_unlock(&arena->lock);

	if (fresh)
		np_arena_discard_chunk(arena, fresh);
	return 0;
}

/* Give a claimed buffer back to its chunk; under the arena lock. */
static void np_arena_give_back(struct np_arena *arena, struct np_chunk *chunk,
			       u64 handle, u32 capacity,
			       struct np_region **retired)
{
	struct np_subpage *head = capacity < arena->geo->page_size ?
				  np_arena_subpage_head(arena, capacity) : NULL;

	arena->stats.free[np_size_class(arena->geo, capacity)]++;
	arena->stats.bytes_active -= capacity;
	arena->stats.active_buffers--;
	if (!np_chunk_list_free(chunk->list, chunk, handle, head))
		np_arena_chunk_emptied(arena, chunk, retired);
}

/**
 * np_arena_free() - drop a reference of the buffer at an offset of a chunk
 * @arena: the chunk's arena.
 * @chunk: a chunk of @arena.
 * @offset: the buffer's offset in @chunk.
 * @retired: a chunk emptied and not kept is retired and pushed here, for
 *	the caller to remove once the locks are dropped.
 *
 * The path of buffers that may have extra references: those are dropped
 * first, under the lock that np_arena_retain() takes too.
 *
 * Return: 1 when the buffer was freed, 0 when only a reference was
 * dropped, -EINVAL when no buffer a user owns starts at @offset.
 */
int np_arena_free(struct np_arena *arena, struct np_chunk *chunk, u64 offset,
		  struct np_region **retired)
{
	u32 capacity;
	u64 handle;

	np_lock(&arena->lock);
	if (!np_chunk_lookup(chunk, offset, &handle, &capacity) ||
	    !np_chunk_is_owned(chunk, offset)) {
		np_unlock(&arena->lock);
		return -EINVAL;
	}
	if (np_refs_drop(&arena->refs, chunk->region.key + offset)) {
		np_unlock(&arena->lock);
		return 0;
	}
	if (!np_chunk_claim(chunk, offset)) {	/* a concurrent free won */
		np_unlock(&arena->lock);
		return -EINVAL;
	}
	np_arena_give_back(arena, chunk, handle, capacity, retired);
	np_unlock(&arena->lock);
	return 1;
}

/**
 * np_arena_free_claimed() - free a buffer no user owns any more
 * @arena: the chunk's arena.
 * @chunk: a chunk of @arena.
 * @offset: the buffer's offset: claimed by the caller (np_chunk_claim()),
 *	or taken out of a cache.
 * @retired: as for np_arena_free().
 */
void np_arena_free_claimed(struct np_arena *arena, struct np_chunk *chunk,
			   u64 offset, struct np_region **retired)
{
	u32 capacity;
	u64 handle;

	np_lock(&arena->lock);
	if (!NP_WARN_ON(!np_chunk_lookup(chunk, offset, &handle, &capacity)))
		np_arena_give_back(arena, chunk, handle, capacity, retired);
	np_unlock(&arena->lock);
}

/**
 * np_arena_retain() - add a reference to the buffer at an offset of a chunk
 * @arena: the chunk's arena.
 * @chunk: a chunk of @arena.
 * @offset: the buffer's offset in @chunk.
 * @spare: a zeroed struct np_ref the caller allocated; taken (and *@spare
 *	set to NULL) when the buffer had no extra reference yet.
 *
 * Return: 0, -EINVAL when no live buffer starts at @offset, -EOVERFLOW
 * when the buffer already has 2^32 - 1 references.
 */
int np_arena_retain(struct np_arena *arena, struct np_chunk *chunk,
		    u64 offset, struct np_ref **spare)
{
	u32 capacity;
	u64 handle;
	int ret = -EINVAL;

	np_lock(&arena->lock);
	if (np_chunk_lookup(chunk, offset, &handle, &capacity) &&
	    np_chunk_is_owned(chunk, offset))
		ret = np_refs_add(&arena->refs, chunk->region.key + offset,
				  spare);
	np_unlock(&arena->lock);
	return ret;
}

/**
 * np_arena_usable_size() - capacity of the buffer at an offset of a chunk
 * @arena: the chunk's arena.
 * @chunk: a chunk of @arena.
 * @offset: the buffer's offset in @chunk.
 *
 * Return: its normalised size, or 0 when no live buffer starts there.
 */
u64 np_arena_usable_size(struct np_arena *arena, struct np_chunk *chunk,
			 u64 offset)
{
	u32 capacity = 0;
	u64 handle;

	np_lock(&arena->lock);
	if (!np_chunk_lookup(chunk, offset, &handle, &capacity) ||
	    !np_chunk_is_owned(chunk, offset))
		capacity = 0;
	np_unlock(&arena->lock);
	return capacity;
}

/* Give every completely free subpage's page back to its chunk. */
static void np_arena_trim_pool(struct np_arena *arena,
			       struct np_subpage *head,
			       struct np_region **retired)
{
	struct np_subpage *subpage = head->next;

	while (subpage != head) {
		struct np_subpage *next = subpage->next;
		struct np_chunk *chunk = subpage->chunk;

		if (subpage->num_avail == subpage->max_num_elems) {
			np_subpage_remove_from_pool(subpage);
			subpage->do_not_destroy = false;
			if (!np_chunk_list_free(chunk->list, chunk,
						subpage->memory_map_idx, NULL))
				np_arena_chunk_emptied(arena, chunk, retired);
		}
		subpage = next;
	}
}

/* Retire every empty chunk of qInit (the spare among them). */
static void np_arena_retire_qinit_empty(struct np_arena *arena,
					struct np_region **retired)
{
	struct np_chunk_list *qinit = &arena->lists[NP_QINIT];
	struct np_chunk *chunk, *next;

	for (chunk = qinit->head; chunk; chunk = next) {
		next = chunk->next;
		if (np_chunk_is_empty(chunk)) {
			np_chunk_list_remove(qinit, chunk);
			np_chunk_trace_move(chunk, qinit);
			np_arena_retire_chunk(arena, chunk, retired);
		}
	}
}

/**
 * np_arena_trim() - give back whatever the arena holds without using it
 * @arena: the arena.
 * @retired: the chunks it retires are pushed here.
 */
void np_arena_trim(struct np_arena *arena, struct np_region **retired)
{
	unsigned int i;

	np_lock(&arena->lock);
	for (i = 1; i < NP_NR_TINY_POOLS; i++)
		np_arena_trim_pool(arena, &arena->tiny_pools[i], retired);
	for (i = 0; i < arena->geo->n_small_pools; i++)
		np_arena_trim_pool(arena, &arena->small_pools[i], retired);
	np_arena_retire_qinit_empty(arena, retired);
	np_unlock(&arena->lock);
}

/**
 * np_arena_retire_empty() - retire every empty chunk the arena holds
 * @arena: the arena.
 * @retired: the chunks are pushed here.
 *
 * The kept spare and the chunks that emptied without leaving qInit: all
 * of them count against the pool's byte limit, and a whole-chunk or huge
 * request can use none of them.
 */
void np_arena_retire_empty(struct np_arena *arena,
			   struct np_region **retired)
{
	np_lock(&arena->lock);
	np_arena_retire_qinit_empty(arena, retired);
	np_unlock(&arena->lock);
}

/**
 * np_arena_add_stats() - add the arena's counters to a pool's
 * @arena: the arena.
 * @st: the totals.
 */
void np_arena_add_stats(struct np_arena *arena, struct np_stats *st)
{
	const struct np_arena_counters *c = &arena->stats;
	unsigned int i;

	np_lock(&arena->lock);
	st->chunks += c->chunks;
	st->bytes_active += c->bytes_active;
	st->active_buffers += c->active_buffers;
	st->alloc_tiny += c->alloc[NP_SIZE_TINY];
	st->alloc_small += c->alloc[NP_SIZE_SMALL];
	st->alloc_normal += c->alloc[NP_SIZE_NORMAL];
	st->free_tiny += c->free[NP_SIZE_TINY];
	st->free_small += c->free[NP_SIZE_SMALL];
	st->free_normal += c->free[NP_SIZE_NORMAL];
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		st->chunklist_chunks[i] += arena->lists[i].nr_chunks;
	np_unlock(&arena->lock);
}

/**
 * np_arena_fini() - tear down an arena no one uses
 * @arena: the arena. Its chunks are left to the caller, which finds them
 *	all among the pool's regions.
 *
 * Return: the number of buffers that were still allocated.
 */
u64 np_arena_fini(struct np_arena *arena)
{
	np_refs_fini(&arena->refs);
	np_lock_destroy(&arena->lock);
	return arena->stats.active_buffers;
}
