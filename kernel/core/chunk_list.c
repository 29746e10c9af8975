// SPDX-License-Identifier: GPL-2.0
/*
 * Chunk lists: an arena's chunks grouped by usage, as Netty's
 * PoolChunkList groups them.
 *
 * Each arena has six lists, linked in a chain by usage:
 *
 *          qInit --> q000 --> q025 --> q050 --> q075 --> q100
 *   usage  [MIN,25)  [1,50)   [25,75)  [50,100) [75,100) [100,MAX]
 *
 * A chunk moves to the next list when an allocation brings its usage to
 * or above its list's max_usage, and to the previous list (repeatedly, as
 * far as needed) when a free brings it below its list's min_usage. The
 * ranges overlap so that a chunk near a boundary does not bounce between
 * two lists. qInit is its own previous list: a new chunk is never
 * retired however empty it gets. q000 has no previous list: a chunk
 * that falls below 1% while in q000 (or on its way down through it) is
 * empty and is retired - unless the arena keeps it (keep_empty_chunks,
 * see arena.c), which is the list's caller's decision: np_chunk_list_free()
 * only says so by returning false.
 *
 * Every change of a chunk's list, into the lists and out of them
 * included, is a trace event (chunk_move, np_chunk_trace_move()).
 *
 * max_capacity is the largest request a chunk in the list can possibly
 * satisfy, chunk_size * (100 - max(min_usage, 1)) / 100; a larger request
 * skips the whole list without looking at any chunk.
 *
 * Locking: all of it runs under the owning arena's lock.
 */
#include "np_core_internal.h"

static u64 np_chunk_list_max_capacity(int min_usage, u64 chunk_size)
{
	if (min_usage < 1)
		min_usage = 1;
	if (min_usage >= 100)
		return 0;
	return chunk_size * (u64)(100 - min_usage) / 100;
}

/**
 * np_chunk_list_init() - set up an empty list
 * @list: the list.
 * @next_list: where chunks go as they fill, NULL for q100.
 * @min_usage: lower usage bound, percent (INT_MIN-like for qInit).
 * @max_usage: upper usage bound, percent.
 * @chunk_size: bytes per chunk.
 * @name: a name for statistics.
 *
 * prev_list is set by the arena once every list exists.
 */
void np_chunk_list_init(struct np_chunk_list *list,
			struct np_chunk_list *next_list, int min_usage,
			int max_usage, u64 chunk_size, const char *name)
{
	list->next_list = next_list;
	list->prev_list = NULL;
	list->head = NULL;
	list->min_usage = min_usage;
	list->max_usage = max_usage;
	list->max_capacity = np_chunk_list_max_capacity(min_usage, chunk_size);
	list->nr_chunks = 0;
	list->name = name;
}

static void np_chunk_list_add0(struct np_chunk_list *list,
			       struct np_chunk *chunk)
{
	chunk->list = list;
	chunk->prev = NULL;
	chunk->next = list->head;
	if (list->head)
		list->head->prev = chunk;
	list->head = chunk;
	list->nr_chunks++;
}

/**
 * np_chunk_list_remove() - unlink a chunk from its list
 * @list: the list holding @chunk.
 * @chunk: the chunk.
 */
void np_chunk_list_remove(struct np_chunk_list *list, struct np_chunk *chunk)
{
	if (chunk == list->head)
		list->head = chunk->next;
	else
		chunk->prev->next = chunk->next;
	if (chunk->next)
		chunk->next->prev = chunk->prev;
	chunk->prev = NULL;
	chunk->next = NULL;
	chunk->list = NULL;
	list->nr_chunks--;
}

/**
 * np_chunk_list_add() - add a chunk, passing it on up if it is too full
 * @list: the list.
 * @chunk: a chunk in no list.
 */
void np_chunk_list_add(struct np_chunk_list *list, struct np_chunk *chunk)
{
	while (list->next_list && np_chunk_usage(chunk) >= list->max_usage)
		list = list->next_list;
	np_chunk_list_add0(list, chunk);
}

/*
 * Move a chunk whose usage fell into the list that fits it, walking down
 * prev_list. False when it fell off the bottom (q000's missing
 * predecessor): the chunk is empty and belongs to no list.
 */
static bool np_chunk_list_move(struct np_chunk_list *list,
			       struct np_chunk *chunk)
{
	while (np_chunk_usage(chunk) < list->min_usage) {
		if (!list->prev_list)
			return false;
		list = list->prev_list;
	}
	np_chunk_list_add0(list, chunk);
	return true;
}

/**
 * np_chunk_list_allocate() - serve a request from the first chunk with room
 * @list: the list.
 * @norm: normalised size.
 * @head: below a page, the arena's pool of subpages of that size; else
 *	NULL.
 * @chunk: set to the chunk that served it.
 * @handle: set to the allocation's handle.
 *
 * The chunk moves on to the next list if the allocation filled it to
 * max_usage.
 *
 * Return: true on success.
 */
bool np_chunk_list_allocate(struct np_chunk_list *list, u64 norm,
			    struct np_subpage *head, struct np_chunk **chunk,
			    u64 *handle)
{
	struct np_chunk *cur;

	if (norm > list->max_capacity)
		return false;
	for (cur = list->head; cur; cur = cur->next) {
		if (!np_chunk_allocate(cur, norm, head, handle))
			continue;
		if (np_chunk_usage(cur) >= list->max_usage) {
			np_chunk_list_remove(list, cur);
			np_chunk_list_add(list->next_list, cur);
			np_chunk_trace_move(cur, list);
		}
		*chunk = cur;
		return true;
	}
	return false;
}

/**
 * np_chunk_list_free() - free an allocation and re-file its chunk
 * @list: the list holding @chunk.
 * @chunk: the chunk.
 * @handle: a live allocation in it.
 * @head: for a subpage element, the arena's pool of subpages of its size.
 *
 * Return: false when the chunk fell below q000 and is now in no list: it
 * is empty, and the caller decides whether it is retired.
 */
bool np_chunk_list_free(struct np_chunk_list *list, struct np_chunk *chunk,
			u64 handle, struct np_subpage *head)
{
	bool filed;

	np_chunk_free(chunk, handle, head);
	if (np_chunk_usage(chunk) >= list->min_usage)
		return true;
	np_chunk_list_remove(list, chunk);
	filed = list->prev_list && np_chunk_list_move(list->prev_list, chunk);
	np_chunk_trace_move(chunk, list);
	return filed;
}
