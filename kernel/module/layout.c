// SPDX-License-Identifier: GPL-2.0
/*
 * layout.dot: a pool's structure as a graphviz digraph, on demand.
 *
 *   /sys/kernel/debug/nettypool/<id>/layout.dot
 *   render it: dot -Tsvg -o pool.svg layout.dot, or nettypool layout --svg FILE
 *
 * What a Netty leak hunt has to reconstruct by hand from a heap dump,
 * drawn from the live pool:
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
 * The pool is read through np_core_visit(), which shows each arena under
 * its lock, so what one arena shows is consistent; the pool's counters
 * are read first, by np_core_stats(). This file takes no core lock, and
 * not np_pools_lock either: np_pool_release() holds it while it removes
 * the pool's directory, and the removal waits for readers such as this
 * one; the pool outlives its directory.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"
#include "np_tables.h"

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

/* Chunks per list, subpages per class, huge regions, arenas drawn. */
#define NP_LAYOUT_MAX		16

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

/* What np_core_visit() has shown so far, and what is still to close. */
struct np_layout {
	struct seq_file *m;
	u64 huge_n;
	u64 huge_bytes;
	u64 drawn;
	u64 idle;
	u32 arena;
	struct np_visit_list lists[NP_NR_CHUNK_LISTS];
	int list;		/* the list whose chunks come, or -1 */
	u64 list_n;
	u64 last_chunk;		/* key of the last chunk drawn in it */
	bool pool_open;		/* a subpage pool's ring is being drawn */
	u32 pool_elem_size;
	u32 pool_class;
	u32 pool_index;
	u64 pool_n;
	char pool_last[48];	/* node of its last subpage drawn */
};

static void np_layout_chunk(void *arg, const struct np_visit_chunk *c)
{
	struct np_layout *lo = arg;
	struct seq_file *m = lo->m;

	if (lo->list_n++ >= NP_LAYOUT_MAX)
		return;
	seq_printf(m, "\tc%llx [label=\"chunk %#llx\\nusage %d%%\\nfree %llu B\\npages %u / %u%s\", fillcolor=%u%s];\n",
		   c->key, c->key, c->usage, c->free_bytes, c->pages_used,
		   c->n_pages, c->kept_empty ? "\\nkept empty (spare)" : "",
		   np_layout_shade(c->usage),
		   c->kept_empty ? ", style=\"filled,dashed\"" : "");
	if (lo->list_n > 1)
		seq_printf(m, "\tc%llx -> c%llx [dir=both];\n", lo->last_chunk,
			   c->key);
	else
		seq_printf(m, "\ta%u_l%u -> c%llx [label=\"head\"];\n",
			   c->arena, c->list, c->key);
	lo->last_chunk = c->key;
}

/* The chunks of the list just shown are all there: say how many were not. */
static void np_layout_end_list(struct np_layout *lo)
{
	char id[32], from[32];

	if (lo->list < 0 || lo->list_n <= NP_LAYOUT_MAX)
		return;
	snprintf(id, sizeof(id), "a%u_l%d_more", lo->arena, lo->list);
	snprintf(from, sizeof(from), "c%llx", lo->last_chunk);
	np_layout_more(lo->m, id, lo->list_n - NP_LAYOUT_MAX, "chunks", from);
}

static void np_layout_list(void *arg, const struct np_visit_list *l)
{
	struct np_layout *lo = arg;

	np_layout_end_list(lo);
	lo->lists[l->id] = *l;
	lo->list = l->id;
	lo->list_n = 0;
	seq_printf(lo->m, "\ta%u_l%u [label=\"%s %s\\n%llu chunks\", shape=box3d];\n",
		   l->arena, l->id, l->name, np_chunk_list_info[l->id].range,
		   l->nr_chunks);
	seq_printf(lo->m, "\ta%u -> a%u_l%u;\n", l->arena, l->arena, l->id);
}

/* Every list of the arena was shown: draw their next and prev links. */
static void np_layout_list_links(struct np_layout *lo)
{
	struct seq_file *m = lo->m;
	unsigned int a = lo->arena, l;

	for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
		int next = lo->lists[l].next, prev = lo->lists[l].prev;
		bool answered = next >= 0 && lo->lists[next].prev == (int)l;

		/* a next link answered by a prev link: one edge, both ways */
		if (next >= 0)
			seq_printf(m, "\ta%u_l%u -> a%u_l%d [label=\"%s\", color=blue%s];\n",
				   a, l, a, next,
				   answered ? "next / prev" : "next",
				   answered ? ", dir=both" : "");
		if (prev == (int)l) {
			seq_printf(m, "\ta%u_l%u -> a%u_l%u [label=\"prev\", style=dashed, color=blue];\n",
				   a, l, a, l);
		} else if (prev >= 0 && lo->lists[prev].next != (int)l) {
			seq_printf(m, "\ta%u_l%u -> a%u_l%d [label=\"prev\", style=dashed, color=blue, constraint=false];\n",
				   a, l, a, prev);
		} else if (prev < 0) {
			seq_printf(m, "\ta%u_destroyed [label=\"destroyed\\n(no prev list: an emptied chunk\\nis freed, or kept as the spare)\", shape=octagon, colorscheme=x11, color=red, fontcolor=red, fillcolor=white];\n",
				   a);
			seq_printf(m, "\ta%u_l%u -> a%u_destroyed [label=\"prev\", style=dashed, color=red];\n",
				   a, l, a);
		}
	}
}

/* The ring of the subpage pool being drawn is complete. */
static void np_layout_end_pool(struct np_layout *lo)
{
	char id[32];

	if (!lo->pool_open)
		return;
	lo->pool_open = false;
	if (lo->pool_n <= NP_LAYOUT_MAX)
		return;
	snprintf(id, sizeof(id), "a%u_h%u_more", lo->arena, lo->pool_elem_size);
	np_layout_more(lo->m, id, lo->pool_n - NP_LAYOUT_MAX, "subpages",
		       lo->pool_last);
}

static void np_layout_subpages(void *arg, u32 arena, u32 size_class)
{
	struct np_layout *lo = arg;

	if (lo->list >= 0) {
		np_layout_end_list(lo);
		lo->list = -1;
		np_layout_list_links(lo);
	}
	np_layout_end_pool(lo);
}

static void np_layout_subpage(void *arg, const struct np_visit_subpage *s)
{
	struct np_layout *lo = arg;
	struct seq_file *m = lo->m;
	char id[48];

	if (!lo->pool_open || lo->pool_class != s->size_class ||
	    lo->pool_index != s->index) {
		np_layout_end_pool(lo);
		lo->pool_open = true;
		lo->pool_class = s->size_class;
		lo->pool_index = s->index;
		lo->pool_elem_size = s->elem_size;
		lo->pool_n = 0;
		seq_printf(m, "\ta%u_h%u [label=\"%s %u B\\nsubpage pool\", shape=invhouse];\n",
			   s->arena, s->elem_size,
			   s->size_class == NP_SIZE_TINY ? "tiny" : "small",
			   s->elem_size);
		seq_printf(m, "\ta%u -> a%u_h%u;\n", s->arena, s->arena,
			   s->elem_size);
		snprintf(lo->pool_last, sizeof(lo->pool_last), "a%u_h%u",
			 s->arena, s->elem_size);
	}
	if (lo->pool_n++ >= NP_LAYOUT_MAX)
		return;
	snprintf(id, sizeof(id), "s%llx_p%u", s->chunk_key, s->page);
	seq_printf(m, "\t%s [label=\"%u B x %u\\nused %u / %u\\nchunk %#llx page %u\", shape=component];\n",
		   id, s->elem_size, s->nr_elems, s->elems_used, s->nr_elems,
		   s->chunk_key, s->page);
	seq_printf(m, "\t%s -> %s [dir=both];\n", lo->pool_last, id);
	strscpy(lo->pool_last, id, sizeof(lo->pool_last));
}

static bool np_layout_arena(void *arg, const struct np_visit_arena *va)
{
	struct np_layout *lo = arg;
	struct seq_file *m = lo->m;
	unsigned int a = va->index;

	np_layout_end_pool(lo);
	if (a && !va->chunks) {
		lo->idle++;
		return false;
	}
	if (lo->drawn++ >= NP_LAYOUT_MAX)
		return false;
	lo->arena = a;
	lo->list = -1;
	seq_printf(m, "\ta%u [label=\"arena %u\\n%llu chunks, %llu buffers\\n",
		   a, a, va->chunks, va->active_buffers);
	np_layout_size(m, va->bytes_active);
	seq_puts(m, " active\", shape=folder];\n");
	seq_printf(m, "\tpool -> a%u;\n", a);
	seq_printf(m, "\t{ rank=same; a%u_l0; a%u_l1; a%u_l2; a%u_l3; a%u_l4; a%u_l5; }\n",
		   a, a, a, a, a, a);
	return true;
}

static void np_layout_huge(void *arg, const struct np_visit_huge *h)
{
	struct np_layout *lo = arg;
	struct seq_file *m = lo->m;

	lo->huge_bytes += h->capacity;
	if (lo->huge_n++ >= NP_LAYOUT_MAX)
		return;
	seq_printf(m, "\th%llx [label=\"huge %#llx\\ncapacity %llu B\\npages ",
		   h->key, h->key, h->capacity);
	np_layout_size(m, h->size);
	seq_printf(m, "\\nrefs %u\", fillcolor=5];\n", h->refs);
	seq_printf(m, "\thuge -> h%llx;\n", h->key);
}

static const struct np_visitor np_layout_visitor = {
	.huge = np_layout_huge,
	.arena = np_layout_arena,
	.list = np_layout_list,
	.chunk = np_layout_chunk,
	.subpages = np_layout_subpages,
	.subpage = np_layout_subpage,
};

/* The node the huge regions hang from, once they are all drawn. */
static void np_layout_huge_node(struct np_layout *lo)
{
	struct seq_file *m = lo->m;

	if (!lo->huge_n)
		return;
	seq_printf(m, "\thuge [label=\"huge regions\\n%llu, ", lo->huge_n);
	np_layout_size(m, lo->huge_bytes);
	seq_puts(m, "\", shape=tab];\n\tpool -> huge;\n");
	if (lo->huge_n > NP_LAYOUT_MAX)
		np_layout_more(m, "huge_more", lo->huge_n - NP_LAYOUT_MAX,
			       "huge regions", "huge");
}

static int np_layout_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_layout lo = { .m = m, .list = -1 };
	struct np_stats st;

	np_core_stats(pool->core, &st);

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

	np_core_visit(pool->core, &np_layout_visitor, &lo);
	np_layout_end_pool(&lo);
	np_layout_huge_node(&lo);

	if (lo.idle) {
		seq_printf(m, "\tidle_arenas [label=\"%llu idle arena%s\\n(no chunk: lists as in arena 0)\", shape=folder, style=dashed];\n",
			   lo.idle, lo.idle == 1 ? "" : "s");
		seq_puts(m, "\tpool -> idle_arenas [style=dashed];\n");
	}
	if (lo.drawn > NP_LAYOUT_MAX)
		np_layout_more(m, "arenas_more", lo.drawn - NP_LAYOUT_MAX,
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
