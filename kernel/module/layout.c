// SPDX-License-Identifier: GPL-2.0
/*
 * layout.dot: a pool's structure as a graphviz digraph, on demand.
 *
 *   /sys/kernel/debug/nettypool/<id>/layout.dot
 *   render it: dot -Tsvg -o pool.svg layout.dot, or nettypool layout --svg FILE
 *
 * What a Netty leak hunt has to reconstruct by hand from a heap dump
 * (seed 000), drawn from the live pool:
 *
 *   pool ---> arena ---> the arena's six chunk lists, in one column:
 *
 *     qInit --> q000 <--> q025 <--> q050 <--> q075 <--> q100
 *
 *     a "next" link answered by the "prev" link of the list it points at
 *     is one edge with arrows both ways; qInit's prev link points at
 *     itself (a dashed self-loop: a new chunk is never destroyed); q000
 *     has none, drawn as a dashed edge to a red "destroyed" node (a chunk
 *     emptied there is destroyed, or kept as the arena's one spare with
 *     keep_empty_chunks). The edges follow the lists' pointers as they
 *     are, not as they should be;
 *
 *   chunk list ---> its chunks, head first, in list order (edges with
 *     arrows both ways: next and prev); each labelled with its key, usage
 *     (percent, as Netty computes it), free bytes and pages used / total,
 *     filled darker the fuller it is; the spare is drawn dashed and
 *     labelled "kept empty";
 *
 *   arena ---> subpage pool heads, one per tiny or small size class whose
 *     ring is not empty ---> the subpages of the ring, in ring order: the
 *     pages carved into elements that still have a free one, each with its
 *     element size, elements used / total, and the chunk and page it is;
 *
 *   pool ---> huge regions (their own pages, outside every arena).
 *
 * Bounded: at most NP_LAYOUT_MAX chunks per list, subpages per class,
 * huge regions and arenas are drawn; the rest of each becomes one node
 * "... and K more" that says how many were left out. Arenas with no chunk
 * other than the first are folded into one "idle arenas" node, so an
 * empty pool still shows the list structure of arena 0.
 *
 * Locking: as the other per-pool files of debugfs.c, the pool's
 * region_lock (read) around the whole walk, and each arena's lock while
 * that arena is printed, so what one arena shows is consistent. The
 * pool's counters are read first, by np_core_stats(), which takes the
 * same locks itself. np_pools_lock is not taken: np_pool_release() holds
 * it while it removes the pool's directory, and the removal waits for
 * readers such as this one; the pool outlives its directory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"
#include "np_tables.h"

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

/* Chunks per list, subpages per class, huge regions, arenas drawn. */
#define NP_LAYOUT_MAX		16

#define NP_LIST_RANGE(id, name, key, min, max, range) [id] = range,
static const char *const np_layout_list_ranges[NP_NR_CHUNK_LISTS] = {
	NP_CHUNK_LISTS(NP_LIST_RANGE)
};
#undef NP_LIST_RANGE

/* A string from outside (a pool's name, a comm) inside a quoted label. */
static void np_layout_puts(struct seq_file *m, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			seq_putc(m, '\\');
		seq_putc(m, isascii(c) && isprint(c) ? c : '?');
	}
}

/* A byte count in human units, one decimal: "512 B", "1.5 KiB", ... */
static void np_layout_size(struct seq_file *m, u64 bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	u64 whole = bytes, tenths = 0;

	while (whole >= 1024 && u < ARRAY_SIZE(units) - 1) {
		tenths = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (u)
		seq_printf(m, "%llu.%llu %s", whole, tenths, units[u]);
	else
		seq_printf(m, "%llu B", whole);
}

static void np_layout_more(struct seq_file *m, const char *id, u64 more,
			   const char *what, const char *from)
{
	seq_printf(m, "\t%s [label=\"... and %llu more %s\", shape=note, style=dashed];\n",
		   id, more, what);
	seq_printf(m, "\t%s -> %s [style=dashed];\n", from, id);
}

/* Fill colour by usage: steps 1..7 of the yellow-orange-red scheme. */
static unsigned int np_layout_shade(int usage)
{
	if (usage < 0)
		usage = 0;
	return 1 + (unsigned int)min(usage, 100) * 6 / 100;
}

static void np_layout_chunk(struct seq_file *m, struct np_arena *arena,
			    struct np_chunk *chunk)
{
	const struct np_geometry *geo = &arena->core->geo;
	u32 used = (u32)((chunk->region.size - chunk->free_bytes) >>
			 geo->page_shift);
	int usage = np_chunk_usage(chunk);
	bool spare = chunk == arena->spare;

	seq_printf(m, "\tc%llx [label=\"chunk %#llx\\nusage %d%%\\nfree %llu B\\npages %u / %u%s\", fillcolor=%u%s];\n",
		   chunk->region.key, chunk->region.key, usage,
		   chunk->free_bytes, used, geo->n_pages,
		   spare ? "\\nkept empty (spare)" : "",
		   np_layout_shade(usage),
		   spare ? ", style=\"filled,dashed\"" : "");
}

static void np_layout_list(struct seq_file *m, struct np_arena *arena,
			   unsigned int l)
{
	struct np_chunk_list *list = &arena->lists[l];
	unsigned int a = arena->index;
	struct np_chunk *chunk, *prev = NULL;
	u64 n = 0;

	for (chunk = list->head; chunk; chunk = chunk->next) {
		if (n++ >= NP_LAYOUT_MAX)
			continue;
		np_layout_chunk(m, arena, chunk);
		if (prev)
			seq_printf(m, "\tc%llx -> c%llx [dir=both];\n",
				   prev->region.key, chunk->region.key);
		else
			seq_printf(m, "\ta%u_l%u -> c%llx [label=\"head\"];\n",
				   a, l, chunk->region.key);
		prev = chunk;
	}
	if (n > NP_LAYOUT_MAX) {
		char id[32], from[32];

		snprintf(id, sizeof(id), "a%u_l%u_more", a, l);
		snprintf(from, sizeof(from), "c%llx", prev->region.key);
		np_layout_more(m, id, n - NP_LAYOUT_MAX, "chunks", from);
	}
}

static void np_layout_lists(struct seq_file *m, struct np_arena *arena)
{
	unsigned int a = arena->index, l;

	seq_printf(m, "\t{ rank=same; a%u_l0; a%u_l1; a%u_l2; a%u_l3; a%u_l4; a%u_l5; }\n",
		   a, a, a, a, a, a);
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
		struct np_chunk_list *list = &arena->lists[l];

		seq_printf(m, "\ta%u_l%u [label=\"%s %s\\n%llu chunks\", shape=box3d];\n",
			   a, l, list->name, np_layout_list_ranges[l],
			   list->nr_chunks);
		seq_printf(m, "\ta%u -> a%u_l%u;\n", a, a, l);
	}
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
		struct np_chunk_list *list = &arena->lists[l];
		struct np_chunk_list *next = list->next_list;
		struct np_chunk_list *prev = list->prev_list;

		/* a next link answered by a prev link: one edge, both ways */
		if (next)
			seq_printf(m, "\ta%u_l%u -> a%u_l%u [label=\"%s\", color=blue%s];\n",
				   a, l, a, (unsigned int)(next - arena->lists),
				   next->prev_list == list ? "next / prev" : "next",
				   next->prev_list == list ? ", dir=both" : "");
		if (prev == list) {
			seq_printf(m, "\ta%u_l%u -> a%u_l%u [label=\"prev\", style=dashed, color=blue];\n",
				   a, l, a, l);
		} else if (prev && prev->next_list != list) {
			seq_printf(m, "\ta%u_l%u -> a%u_l%u [label=\"prev\", style=dashed, color=blue, constraint=false];\n",
				   a, l, a, (unsigned int)(prev - arena->lists));
		} else if (!prev) {
			seq_printf(m, "\ta%u_destroyed [label=\"destroyed\\n(no prev list: an emptied chunk\\nis freed, or kept as the spare)\", shape=octagon, colorscheme=x11, color=red, fontcolor=red, fillcolor=white];\n",
				   a);
			seq_printf(m, "\ta%u_l%u -> a%u_destroyed [label=\"prev\", style=dashed, color=red];\n",
				   a, l, a);
		}
	}
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++)
		np_layout_list(m, arena, l);
}

static void np_layout_subpages(struct seq_file *m, struct np_arena *arena,
			       struct np_subpage *head, const char *class,
			       u32 elem_size)
{
	u32 page_shift = arena->core->geo.page_shift;
	unsigned int a = arena->index;
	struct np_subpage *s;
	char prev[48];
	u64 n = 0;

	seq_printf(m, "\ta%u_h%u [label=\"%s %u B\\nsubpage pool\", shape=invhouse];\n",
		   a, elem_size, class, elem_size);
	seq_printf(m, "\ta%u -> a%u_h%u;\n", a, a, elem_size);
	snprintf(prev, sizeof(prev), "a%u_h%u", a, elem_size);
	for (s = head->next; s != head; s = s->next) {
		char id[48];

		if (n++ >= NP_LAYOUT_MAX)
			continue;
		snprintf(id, sizeof(id), "s%llx_%x", s->chunk->region.key,
			 s->run_offset);
		seq_printf(m, "\t%s [label=\"%u B x %u\\nused %u / %u\\nchunk %#llx page %u\", shape=component];\n",
			   id, s->elem_size, s->max_num_elems,
			   s->max_num_elems - s->num_avail, s->max_num_elems,
			   s->chunk->region.key, s->run_offset >> page_shift);
		seq_printf(m, "\t%s -> %s [dir=both];\n", prev, id);
		strscpy(prev, id, sizeof(prev));
	}
	if (n > NP_LAYOUT_MAX) {
		char id[32];

		snprintf(id, sizeof(id), "a%u_h%u_more", a, elem_size);
		np_layout_more(m, id, n - NP_LAYOUT_MAX, "subpages", prev);
	}
}

static void np_layout_arena(struct seq_file *m, struct np_arena *arena)
{
	unsigned int a = arena->index, i;
	struct np_core *core = arena->core;

	seq_printf(m, "\ta%u [label=\"arena %u\\n%llu chunks, %llu buffers\\n",
		   a, a, arena->stats.chunks, arena->stats.active_buffers);
	np_layout_size(m, arena->stats.bytes_active);
	seq_puts(m, " active\", shape=folder];\n");
	seq_printf(m, "\tpool -> a%u;\n", a);
	np_layout_lists(m, arena);
	for (i = 1; i < NP_NR_TINY_POOLS; i++)
		if (arena->tiny_pools[i].next != &arena->tiny_pools[i])
			np_layout_subpages(m, arena, &arena->tiny_pools[i],
					   "tiny", i * NP_TINY_QUANTUM);
	for (i = 0; i < core->geo.n_small_pools; i++)
		if (arena->small_pools[i].next != &arena->small_pools[i])
			np_layout_subpages(m, arena, &arena->small_pools[i],
					   "small", NP_TINY_MAX << i);
}

static void np_layout_huge(struct seq_file *m, struct np_core *core)
{
	u64 n = 0;
	size_t i;

	if (!core->huge_regions)
		return;
	seq_printf(m, "\thuge [label=\"huge regions\\n%llu, ", core->huge_regions);
	np_layout_size(m, core->huge_active);
	seq_puts(m, "\", shape=tab];\n\tpool -> huge;\n");
	for (i = 0; i < core->map.nr; i++) {
		struct np_region *r = core->map.slots[i];

		if (r->kind != NP_REGION_HUGE)
			continue;
		if (n++ >= NP_LAYOUT_MAX)
			continue;
		seq_printf(m, "\th%llx [label=\"huge %#llx\\ncapacity %llu B\\npages ",
			   r->key, r->key, r->capacity);
		np_layout_size(m, r->size);
		seq_printf(m, "\\nrefs %u\", fillcolor=5];\n",
			   r->extra_refs + 1);
		seq_printf(m, "\thuge -> h%llx;\n", r->key);
	}
	if (n > NP_LAYOUT_MAX)
		np_layout_more(m, "huge_more", n - NP_LAYOUT_MAX,
			       "huge regions", "huge");
}

static int np_layout_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_core *core = pool->core;
	u64 drawn = 0, idle = 0;
	struct np_stats st;
	unsigned int a;

	np_core_stats(core, &st);

	seq_printf(m, "/*\n * nettypool pool %u: arenas, their chunk lists (next and prev links),\n",
		   pool->id);
	seq_puts(m, " * chunks (usage, free bytes, pages used / total), subpage pools and\n");
	seq_printf(m, " * subpages, huge regions. At most %u chunks per list, subpages per\n",
		   NP_LAYOUT_MAX);
	seq_puts(m, " * class, huge regions and busy arenas are drawn, then \"... and K more\".\n");
	seq_puts(m, " * Render: dot -Tsvg -o pool.svg layout.dot\n */\n");
	seq_printf(m, "digraph nettypool_pool_%u {\n", pool->id);
	seq_puts(m, "\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=10, nodesep=0.15, ranksep=0.4];\n");
	seq_puts(m, "\tnode [shape=box, fontname=\"Helvetica\", fontsize=9, colorscheme=ylorrd9, style=filled, fillcolor=1];\n");
	seq_puts(m, "\tedge [fontname=\"Helvetica\", fontsize=8];\n");

	seq_printf(m, "\tpool [label=\"pool %u: ", pool->id);
	np_layout_puts(m, pool->name);
	seq_printf(m, "\\npid %d (", pool->pid);
	np_layout_puts(m, pool->comm);
	seq_printf(m, ")\\npage %llu B, chunk ", st.page_size);
	np_layout_size(m, st.chunk_size);
	seq_printf(m, "\\n%llu arenas, %llu chunks, %llu huge\\nreserved ",
		   st.n_arenas, st.chunks, st.huge_regions);
	np_layout_size(m, st.bytes_reserved);
	seq_puts(m, ", active ");
	np_layout_size(m, st.bytes_active);
	seq_printf(m, "\\n%llu buffers\", shape=doubleoctagon, fillcolor=2];\n",
		   st.active_buffers);

	np_read_lock(&core->region_lock);
	np_layout_huge(m, core);
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];

		np_lock(&arena->lock);
		if (a && !arena->stats.chunks)
			idle++;
		else if (drawn++ < NP_LAYOUT_MAX)
			np_layout_arena(m, arena);
		np_unlock(&arena->lock);
	}
	np_read_unlock(&core->region_lock);

	if (idle) {
		seq_printf(m, "\tidle_arenas [label=\"%llu idle arena%s\\n(no chunk: lists as in arena 0)\", shape=folder, style=dashed];\n",
			   idle, idle == 1 ? "" : "s");
		seq_puts(m, "\tpool -> idle_arenas [style=dashed];\n");
	}
	if (drawn > NP_LAYOUT_MAX)
		np_layout_more(m, "arenas_more", drawn - NP_LAYOUT_MAX,
			       "busy arenas", "pool");
	seq_puts(m, "}\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_layout);

/**
 * np_layout_add_debugfs() - create a pool's layout.dot
 * @pool: a pool whose debugfs directory was just made.
 */
void np_layout_add_debugfs(struct np_pool *pool)
{
	debugfs_create_file("layout.dot", 0444, pool->debugfs, pool,
			    &np_layout_fops);
}
