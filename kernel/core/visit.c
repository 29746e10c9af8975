// SPDX-License-Identifier: GPL-2.0
/*
 * What the code around the core may read of a pool: np_core_visit() walks
 * its huge regions and arenas, and in each arena its chunk lists, their
 * chunks and its subpage pools, and hands each to a callback as a small
 * struct of plain values, so that no outsider sees a core structure or
 * takes a core lock (as lib/genalloc.c's gen_pool_for_each_chunk() does
 * for its chunks).
 *
 * Locking: the read side of the region lock around the whole walk, which
 * keeps every region in place, and each arena's lock while that arena is
 * walked, so what one arena shows is consistent.
 */
#include "np_core_internal.h"

static int np_visit_list_id(const struct np_arena *arena,
			    const struct np_chunk_list *list)
{
	return list ? (int)(list - arena->lists) : -1;
}

static void np_visit_lists(struct np_arena *arena, const struct np_visitor *v,
			   void *arg)
{
	unsigned int l;

	for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
		const struct np_chunk_list *list = &arena->lists[l];
		struct np_visit_list vl = {
			.arena = arena->index,
			.id = l,
			.name = list->name,
			.min_usage = list->min_usage,
			.max_usage = list->max_usage,
			.next = np_visit_list_id(arena, list->next_list),
			.prev = np_visit_list_id(arena, list->prev_list),
			.nr_chunks = list->nr_chunks,
		};
		const struct np_chunk *chunk;

		if (v->list)
			v->list(arg, &vl);
		if (!v->chunk)
			continue;
		for (chunk = list->head; chunk; chunk = chunk->next) {
			struct np_visit_chunk vc = {
				.arena = arena->index,
				.list = l,
				.key = chunk->region.key,
				.size = chunk->region.size,
				.free_bytes = chunk->free_bytes,
				.usage = np_chunk_usage(chunk),
				.pages_used = (u32)((chunk->region.size -
						     chunk->free_bytes) >>
						    arena->geo->page_shift),
				.n_pages = arena->geo->n_pages,
				.kept_empty = chunk == arena->spare,
			};

			v->chunk(arg, &vc);
		}
	}
}

static void np_visit_pool(struct np_arena *arena, struct np_subpage *head,
			  u32 size_class, u32 index,
			  const struct np_visitor *v, void *arg)
{
	const struct np_subpage *s;

	for (s = head->next; s != head; s = s->next) {
		struct np_visit_subpage vs = {
			.arena = arena->index,
			.size_class = size_class,
			.index = index,
			.elem_size = s->elem_size,
			.chunk_key = s->chunk->region.key,
			.page = s->run_offset >> arena->geo->page_shift,
			.elems_used = s->max_num_elems - s->num_avail,
			.nr_elems = s->max_num_elems,
		};

		v->subpage(arg, &vs);
	}
}

static void np_visit_subpages(struct np_arena *arena,
			      const struct np_visitor *v, void *arg)
{
	unsigned int i;

	if (v->subpages)
		v->subpages(arg, arena->index, NP_SIZE_TINY);
	for (i = 1; v->subpage && i < NP_NR_TINY_POOLS; i++)
		np_visit_pool(arena, &arena->tiny_pools[i], NP_SIZE_TINY, i, v,
			      arg);
	if (v->subpages)
		v->subpages(arg, arena->index, NP_SIZE_SMALL);
	for (i = 0; v->subpage && i < arena->geo->n_small_pools; i++)
		np_visit_pool(arena, &arena->small_pools[i], NP_SIZE_SMALL, i,
			      v, arg);
}

static void np_visit_huge(struct np_regions *regions,
			  const struct np_visitor *v, void *arg)
{
	size_t i;

	for (i = 0; i < regions->map.nr; i++) {
		const struct np_region *r = regions->map.slots[i];
		struct np_visit_huge vh;

		if (r->kind != NP_REGION_HUGE)
			continue;
		vh.key = r->key;
		vh.size = r->size;
		vh.capacity = r->capacity;
		vh.refs = r->extra_refs + 1;
		v->huge(arg, &vh);
	}
}

/**
 * np_core_visit() - show a pool's structure to a visitor
 * @core: the pool.
 * @v: the callbacks; see struct np_visitor for what is called when.
 * @arg: passed to every callback.
 *
 * Context: takes the pool's region lock (read side) and each arena's
 * lock in turn; the callbacks run under them, must not sleep and must
 * not call into the pool.
 */
void np_core_visit(struct np_core *core, const struct np_visitor *v,
		   void *arg)
{
	unsigned int a;

	np_read_lock(&core->regions.lock);
	if (v->huge)
		np_visit_huge(&core->regions, v, arg);
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];
		struct np_visit_arena va;

		np_lock(&arena->lock);
		va.index = arena->index;
		va.chunks = arena->stats.chunks;
		va.active_buffers = arena->stats.active_buffers;
		va.bytes_active = arena->stats.bytes_active;
		if (!v->arena || v->arena(arg, &va)) {
			np_visit_lists(arena, v, arg);
			np_visit_subpages(arena, v, arg);
		}
		np_unlock(&arena->lock);
	}
	np_read_unlock(&core->regions.lock);
}
