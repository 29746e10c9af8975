// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: everything inside nettypool, on demand.
 *
 *   /sys/kernel/debug/nettypool/stats     struct np_stats's counters summed
 *                                         over every pool, plus "pools"
 *   /sys/kernel/debug/nettypool/pools     one row per pool
 *   /sys/kernel/debug/nettypool/leaks     the buffers the leak detector
 *                                         tracks now, with their stacks
 *   /sys/kernel/debug/nettypool/<id>/stats   one pool's counters
 *   /sys/kernel/debug/nettypool/<id>/arenas  per arena: the six chunk
 *                 lists with their chunks' usage, and the subpage pools,
 *                 in the spirit of Netty's PoolArena.toString()
 *   /sys/kernel/debug/nettypool/<id>/chunks  one row per chunk, with
 *                 totals, in the style of zsmalloc's "classes"
 *
 * Every file is read-only (0444) and may be read while the pool works:
 * a pool's structure is read through np_core_visit(), which shows each
 * arena under its lock, so what one arena shows is consistent. A pool's
 * directory is removed before the pool is destroyed, and debugfs waits
 * for readers in progress.
 *
 * Locking: np_pools_lock while walking the registry; the core takes its
 * own locks.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"
#include "np_debugfs_text.h"
#include "np_tables.h"

#include <linux/debugfs.h>
#include <linux/seq_file.h>

static struct dentry *np_debugfs_root;

static void np_stats_add(struct np_stats *sum, const struct np_stats *st)
{
	const __u64 *src = (const __u64 *)st;
	__u64 *dst = (__u64 *)sum;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(__u64); i++)
		dst[i] += src[i];
}

static void np_stats_show(struct seq_file *m, const struct np_stats *st)
{
	unsigned int i;

	for (i = 0; i < np_nr_stat_fields; i++)
		seq_printf(m, NP_STATS_LINE("%s"), np_stat_fields[i].name,
			   *(const __u64 *)((const char *)st +
					    np_stat_fields[i].offset));
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		seq_printf(m, NP_STATS_LINE(NP_STATS_CHUNKLIST_PREFIX "%s"),
			   np_chunk_list_info[i].key, st->chunklist_chunks[i]);
	seq_printf(m, NP_STATS_LINE(NP_STATS_LEAKED), st->leaked_on_close);
}

/*
 * Totals. Page and chunk sizes differ between pools; their sums mean
 * nothing, so the totals show the module's defaults' view: the largest.
 */
static int np_total_stats_show(struct seq_file *m, void *unused)
{
	struct np_stats sum = { 0 }, st;
	struct np_pool *pool;
	u64 pools = 0, page_size = 0, chunk_size = 0;

	mutex_lock(&np_pools_lock);
	list_for_each_entry(pool, &np_pools, node) {
		np_core_stats(pool->core, &st);
		page_size = max_t(u64, page_size, st.page_size);
		chunk_size = max_t(u64, chunk_size, st.chunk_size);
		np_stats_add(&sum, &st);
		pools++;
	}
	sum.leaked_on_close = np_leaked_on_close;
	mutex_unlock(&np_pools_lock);
	sum.page_size = page_size;
	sum.chunk_size = chunk_size;
	np_stats_show(m, &sum);
	seq_printf(m, NP_STATS_LINE(NP_STATS_POOLS), pools);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_total_stats);

static int np_pools_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool;
	struct np_stats st;

	seq_printf(m, NP_POOLS_HEADER, NP_POOLS_ID, NP_POOLS_NAME, NP_POOLS_PID,
		   NP_POOLS_COMM, NP_POOLS_PAGE, NP_POOLS_CHUNK, NP_POOLS_ARENAS,
		   NP_POOLS_CHUNKS, NP_POOLS_RESERVED, NP_POOLS_ACTIVE,
		   NP_POOLS_BUFFERS);
	mutex_lock(&np_pools_lock);
	list_for_each_entry(pool, &np_pools, node) {
		np_core_stats(pool->core, &st);
		seq_printf(m, NP_POOLS_ROW,
			   pool->id, pool->name, pool->pid, pool->comm,
			   st.page_size, st.chunk_size >> 10, st.n_arenas,
			   st.chunks, st.bytes_reserved, st.bytes_active,
			   st.active_buffers);
	}
	mutex_unlock(&np_pools_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_pools);

static int np_pool_stats_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_stats st;

	np_core_stats(pool->core, &st);
	np_stats_show(m, &st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_pool_stats);

static const char *np_list_name(int id)
{
	return id < 0 ? "none" : np_chunk_list_info[id].name;
}

/* The arenas file, written by np_core_visit(); the pool being shown. */
struct np_arenas_show {
	struct seq_file *m;
	u32 size_class;	/* of the last subpage printed */
	u32 index;
	bool any;	/* a subpage of this arena and class was printed */
};

static bool np_arenas_arena(void *arg, const struct np_visit_arena *a)
{
	struct np_arenas_show *show = arg;

	seq_printf(show->m, NP_ARENAS_ARENA,
		   a->index, a->chunks, a->active_buffers, a->bytes_active);
	return true;
}

static void np_arenas_list(void *arg, const struct np_visit_list *l)
{
	struct seq_file *m = ((struct np_arenas_show *)arg)->m;

	if (l->min_usage < 0)
		seq_printf(m, "  %-5s [MIN,%d)", l->name, l->max_usage);
	else if (l->max_usage > 100)
		seq_printf(m, "  %-5s [%d,MAX]", l->name, l->min_usage);
	else
		seq_printf(m, "  %-5s [%d,%d)", l->name, l->min_usage,
			   l->max_usage);
	seq_printf(m, " next %s, prev %s: %llu chunks\n", np_list_name(l->next),
		   np_list_name(l->prev), l->nr_chunks);
}

static void np_arenas_chunk(void *arg, const struct np_visit_chunk *c)
{
	struct seq_file *m = ((struct np_arenas_show *)arg)->m;

	seq_printf(m, "    chunk %#llx: usage %3d%%, %llu of %llu bytes free%s\n",
		   c->key, c->usage, c->free_bytes, c->size,
		   c->kept_empty ? " (kept empty)" : "");
}

static void np_arenas_subpages(void *arg, u32 arena, u32 size_class)
{
	struct np_arenas_show *show = arg;

	seq_printf(show->m, NP_ARENAS_SUBPAGES("%s"),
		   size_class == NP_SIZE_TINY ? NP_TEXT_TINY : NP_TEXT_SMALL);
	show->any = false;
}

static void np_arenas_subpage(void *arg, const struct np_visit_subpage *s)
{
	struct np_arenas_show *show = arg;

	if (!show->any || show->size_class != s->size_class ||
	    show->index != s->index)
		seq_printf(show->m, NP_ARENAS_CLASS, s->elem_size);
	show->any = true;
	show->size_class = s->size_class;
	show->index = s->index;
	seq_printf(show->m, NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX),
		   s->chunk_key, s->page, s->elems_used, s->nr_elems);
}

static const struct np_visitor np_arenas_visitor = {
	.arena = np_arenas_arena,
	.list = np_arenas_list,
	.chunk = np_arenas_chunk,
	.subpages = np_arenas_subpages,
	.subpage = np_arenas_subpage,
};

static int np_pool_arenas_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_arenas_show show = { .m = m };

	np_core_visit(pool->core, &np_arenas_visitor, &show);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_pool_arenas);

/* The chunks file: a row per chunk, then the totals. */
struct np_chunks_show {
	struct seq_file *m;
	u64 n;
	u64 free_total;
	u64 size_total;
	u64 used_pages;
	u64 n_pages;
};

static void np_chunks_chunk(void *arg, const struct np_visit_chunk *c)
{
	struct np_chunks_show *show = arg;

	seq_printf(show->m, NP_CHUNKS_ROW,
		   c->arena, np_chunk_list_info[c->list].name, c->key, c->usage,
		   c->free_bytes, c->size, c->pages_used, c->n_pages);
	show->n++;
	show->free_total += c->free_bytes;
	show->size_total += c->size;
	show->used_pages += c->pages_used;
	show->n_pages += c->n_pages;
}

static const struct np_visitor np_chunks_visitor = {
	.chunk = np_chunks_chunk,
};

static int np_pool_chunks_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_chunks_show show = { .m = m };

	seq_printf(m, NP_CHUNKS_HEADER, NP_CHUNKS_ARENA, NP_CHUNKS_LIST,
		   NP_CHUNKS_CHUNK, NP_CHUNKS_USAGE, NP_CHUNKS_FREE_BYTES,
		   NP_CHUNKS_SIZE, NP_CHUNKS_PAGES_USED, NP_CHUNKS_PAGES);
	np_core_visit(pool->core, &np_chunks_visitor, &show);
	seq_printf(m, NP_CHUNKS_TOTAL_ROW, NP_CHUNKS_TOTAL, "", show.n, "",
		   show.free_total, show.size_total, show.used_pages,
		   show.n_pages);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_pool_chunks);

/* Every pool's tracked buffers: the leak suspects (leak.c). */
static int np_leaks_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool;

	mutex_lock(&np_pools_lock);
	list_for_each_entry(pool, &np_pools, node)
		np_leak_show(m, pool);
	mutex_unlock(&np_pools_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_leaks);

/**
 * np_debugfs_add_pool() - give a pool its directory
 * @pool: a pool being registered; np_pools_lock held.
 */
void np_debugfs_add_pool(struct np_pool *pool)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", pool->id);
	pool->debugfs = debugfs_create_dir(name, np_debugfs_root);
	debugfs_create_file("stats", 0444, pool->debugfs, pool,
			    &np_pool_stats_fops);
	debugfs_create_file("arenas", 0444, pool->debugfs, pool,
			    &np_pool_arenas_fops);
	debugfs_create_file("chunks", 0444, pool->debugfs, pool,
			    &np_pool_chunks_fops);
	np_layout_add_debugfs(pool);
}

/**
 * np_debugfs_remove_pool() - remove a pool's directory
 * @pool: a pool being unregistered; np_pools_lock held.
 */
void np_debugfs_remove_pool(struct np_pool *pool)
{
	debugfs_remove(pool->debugfs);
	pool->debugfs = NULL;
}

/**
 * np_debugfs_init() - create /sys/kernel/debug/nettypool/
 */
void np_debugfs_init(void)
{
	np_debugfs_root = debugfs_create_dir("nettypool", NULL);
	debugfs_create_file("stats", 0444, np_debugfs_root, NULL,
			    &np_total_stats_fops);
	debugfs_create_file("pools", 0444, np_debugfs_root, NULL,
			    &np_pools_fops);
	debugfs_create_file("leaks", 0444, np_debugfs_root, NULL,
			    &np_leaks_fops);
}

/**
 * np_debugfs_exit() - remove /sys/kernel/debug/nettypool/
 */
void np_debugfs_exit(void)
{
	debugfs_remove(np_debugfs_root);
}
