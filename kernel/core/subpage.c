// SPDX-License-Identifier: GPL-2.0
/*
 * Subpages: one page of a chunk carved into equal elements.
 *
 * Tiny (16..496 bytes) and small (512 bytes .. page_size / 2) requests
 * never take a page of their own. The chunk hands one page (a leaf of its
 * buddy tree) to a struct np_subpage, which splits it into
 * page_size / elem_size elements and tracks them with a bitmap, one bit
 * per element, set while the element is in use. The arena links every
 * subpage that still has a free element into a ring headed by the pool
 * head of its size class, so the next request of that size is served
 * without touching any chunk.
 *
 * As in Netty's PoolSubpage:
 *  - next_avail remembers the element freed last, which is handed out
 *    next; otherwise the bitmap is scanned from the lowest word;
 *  - a subpage leaves its ring when its last element is taken and
 *    rejoins it when one is freed;
 *  - a subpage that becomes completely free gives its page back to the
 *    chunk, unless it is the only subpage left in its ring: then it stays,
 *    so that a size class in steady use does not make the chunk allocate
 *    and free the same page on every request.
 *
 * Locking: all of it runs under the owning arena's lock.
 */
#include "np_core_internal.h"

/**
 * np_subpage_head_init() - make an empty ring of subpages
 * @head: the pool head of one size class.
 */
void np_subpage_head_init(struct np_subpage *head)
{
	memset(head, 0, sizeof(*head));
	head->prev = head;
	head->next = head;
}

static void np_subpage_add_to_pool(struct np_subpage *subpage,
				   struct np_subpage *head)
{
	subpage->prev = head;
	subpage->next = head->next;
	subpage->next->prev = subpage;
	head->next = subpage;
}

/**
 * np_subpage_remove_from_pool() - unlink a subpage from its ring
 * @subpage: a subpage currently in a ring.
 */
void np_subpage_remove_from_pool(struct np_subpage *subpage)
{
	subpage->prev->next = subpage->next;
	subpage->next->prev = subpage->prev;
	subpage->next = NULL;
	subpage->prev = NULL;
}

/**
 * np_subpage_init() - carve a freshly allocated page into elements
 * @subpage: the chunk's subpage slot for the page; chunk and bitmap set.
 * @head: the pool head of the size class.
 * @memory_map_idx: the page's leaf in the buddy tree.
 * @run_offset: byte offset of the page in the chunk.
 * @page_size: bytes in the page.
 * @elem_size: normalised element size, a multiple of 16 below @page_size.
 */
void np_subpage_init(struct np_subpage *subpage, struct np_subpage *head,
		     u32 memory_map_idx, u32 run_offset, u32 page_size,
		     u32 elem_size)
{
	subpage->memory_map_idx = memory_map_idx;
	subpage->run_offset = run_offset;
	subpage->do_not_destroy = true;
	subpage->elem_size = elem_size;
	subpage->max_num_elems = page_size / elem_size;
	subpage->num_avail = subpage->max_num_elems;
	subpage->next_avail = 0;
	subpage->bitmap_length = (subpage->max_num_elems + 63) / 64;
	memset(subpage->bitmap, 0,
	       subpage->bitmap_length * sizeof(*subpage->bitmap));
	np_subpage_add_to_pool(subpage, head);
}

static s32 np_subpage_find_next_avail(const struct np_subpage *subpage)
{
	u32 i, idx;

	for (i = 0; i < subpage->bitmap_length; i++) {
		u64 bits = subpage->bitmap[i];

		if (~bits == 0)
			continue;
		idx = i * 64 + np_ffz64(bits);
		return idx < subpage->max_num_elems ? (s32)idx : -1;
	}
	return -1;
}

static s32 np_subpage_next_avail(struct np_subpage *subpage)
{
	s32 next = subpage->next_avail;

	if (next >= 0) {
		subpage->next_avail = -1;
		return next;
	}
	return np_subpage_find_next_avail(subpage);
}

/**
 * np_subpage_allocate() - take one element
 * @subpage: a subpage with a free element.
 *
 * Return: the handle of the element (see chunk.c), or 0 if the subpage
 * has no free element, which the callers' ring discipline rules out.
 */
u64 np_subpage_allocate(struct np_subpage *subpage)
{
	s32 idx;

	if (NP_WARN_ON(!subpage->num_avail || !subpage->do_not_destroy))
		return 0;
	idx = np_subpage_next_avail(subpage);
	if (NP_WARN_ON(idx < 0))
		return 0;
	subpage->bitmap[idx / 64] |= 1ULL << (idx % 64);
	if (--subpage->num_avail == 0)
		np_subpage_remove_from_pool(subpage);
	return np_handle(subpage->memory_map_idx, (u32)idx);
}

/**
 * np_subpage_in_use() - is an element allocated?
 * @subpage: a subpage that owns its page.
 * @bitmap_idx: the element.
 *
 * Return: true when the element is live.
 */
bool np_subpage_in_use(const struct np_subpage *subpage, u32 bitmap_idx)
{
	return bitmap_idx < subpage->max_num_elems &&
	       (subpage->bitmap[bitmap_idx / 64] >> (bitmap_idx % 64) & 1);
}

/**
 * np_subpage_free() - give an element back
 * @subpage: the subpage holding it.
 * @head: the pool head of its size class.
 * @bitmap_idx: the element, known to be live.
 *
 * Return: true while the subpage keeps its page, false when the page must
 * go back to the chunk (the subpage became free and is not alone in its
 * ring).
 */
bool np_subpage_free(struct np_subpage *subpage, struct np_subpage *head,
		     u32 bitmap_idx)
{
	subpage->bitmap[bitmap_idx / 64] ^= 1ULL << (bitmap_idx % 64);
	subpage->next_avail = (s32)bitmap_idx;
	if (subpage->num_avail++ == 0) {
		np_subpage_add_to_pool(subpage, head);
		return true;
	}
	if (subpage->num_avail != subpage->max_num_elems)
		return true;
	if (subpage->prev == subpage->next)
		return true;
	subpage->do_not_destroy = false;
	np_subpage_remove_from_pool(subpage);
	return false;
}
