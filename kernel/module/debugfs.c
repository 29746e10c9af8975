// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: everything inside nettypool, on demand.
 *
 *   /sys/kernel/debug/nettypool/stats     the contract's counters summed
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
 * each arena is printed under its lock, so what one arena shows is
 * consistent. A pool's directory is removed before the pool is
 * destroyed, and debugfs waits for readers in progress.
 *
 * Locking: np_pools_lock while walking the registry, then each pool's
 * region_lock (read) and arena locks, in the core's order.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"
#include "np_debugfs_text.h"
#include "np_tables.h"

#include <linux/debugfs.h>
#include <linux/seq_file.h>

static struct dentry *np_debugfs_root;

#define NP_LIST_KEY(id, name, key, min, max, range) [id] = key,
static const char *const np_list_keys[NP_NR_CHUNK_LISTS] = {
	NP_CHUNK_LISTS(NP_LIST_KEY)
};
#undef NP_LIST_KEY

static void np_stats_add(struct np_stats *sum, const struct np_stats *st)
{
	const __u64 *src = (const __u64 *)st;
	__u64 *dst = (__u64 *)sum;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(__u64); i++)
		dst[i] += src[i];
}

#define NP_STAT(field) { #field, offsetof(struct np_stats, field) },
static const struct {
	const char *name;
	size_t offset;
} np_stat_fields[] = {
	NP_STATS_FIELDS(NP_STAT)
};
#undef NP_STAT

static void np_stats_show(struct seq_file *m, const struct np_stats *st)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(np_stat_fields); i++)
		seq_printf(m, NP_STATS_LINE("%s"), np_stat_fields[i].name,
			   *(const __u64 *)((const char *)st +
					    np_stat_fields[i].offset));
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		seq_printf(m, NP_STATS_LINE(NP_STATS_CHUNKLIST_PREFIX "%s"),
			   np_list_keys[i], st->chunklist_chunks[i]);
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

	seq_printf(m, NP_TEXT_HEADER(NP_POOLS_COLUMNS));
	mutex_lock(&np_pools_lock);
	list_for_each_entry(pool, &np_pools, node) {
		np_core_stats(pool->core, &st);
		seq_printf(m, NP_TEXT_ROW(NP_POOLS_COLUMNS),
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

static u32 np_chunk_pages_used(const struct np_chunk *chunk, u32 page_shift)
{
	return (u32)((chunk->region.size - chunk->free_bytes) >> page_shift);
}

static void np_arena_show_subpages(struct seq_file *m,
				   struct np_subpage *heads,
				   unsigned int nr, unsigned int first)
{
	unsigned int i;

	for (i = first; i < nr; i++) {
		struct np_subpage *head = &heads[i];
		struct np_subpage *s;

		if (head->next == head)
			continue;
		seq_printf(m, NP_ARENAS_CLASS, head->next->elem_size);
		for (s = head->next; s != head; s = s->next)
			seq_printf(m, NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX),
				   s->chunk->region.key,
				   s->run_offset >> s->chunk->region.arena->core->geo.page_shift,
				   s->max_num_elems - s->num_avail,
				   s->max_num_elems);
	}
}

static int np_pool_arenas_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_core *core = pool->core;
	unsigned int a, l;

	np_read_lock(&core->region_lock);
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];

		np_lock(&arena->lock);
		seq_printf(m, NP_ARENAS_ARENA,
			   a, arena->stats.chunks, arena->stats.active_buffers,
			   arena->stats.bytes_active);
		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			struct np_chunk_list *list = &arena->lists[l];
			struct np_chunk *chunk;

			if (list->min_usage < 0)
				seq_printf(m, "  %-5s [MIN,%d)", list->name,
					   list->max_usage);
			else if (list->max_usage > 100)
				seq_printf(m, "  %-5s [%d,MAX]", list->name,
					   list->min_usage);
			else
				seq_printf(m, "  %-5s [%d,%d)", list->name,
					   list->min_usage, list->max_usage);
			seq_printf(m, " next %s, prev %s: %llu chunks\n",
				   list->next_list ? list->next_list->name : "none",
				   list->prev_list ? list->prev_list->name : "none",
				   list->nr_chunks);
			for (chunk = list->head; chunk; chunk = chunk->next)
				seq_printf(m, "    chunk %#llx: usage %3d%%, %llu of %llu bytes free%s\n",
					   chunk->region.key,
					   np_chunk_usage(chunk),
					   chunk->free_bytes, chunk->region.size,
					   chunk == arena->spare ? " (kept empty)" : "");
		}
		seq_puts(m, NP_ARENAS_TINY);
		np_arena_show_subpages(m, arena->tiny_pools, NP_NR_TINY_POOLS, 1);
		seq_puts(m, NP_ARENAS_SMALL);
		np_arena_show_subpages(m, arena->small_pools,
				       core->geo.n_small_pools, 0);
		np_unlock(&arena->lock);
	}
	np_read_unlock(&core->region_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(np_pool_arenas);

static int np_pool_chunks_show(struct seq_file *m, void *unused)
{
	struct np_pool *pool = m->private;
	struct np_core *core = pool->core;
	u64 n = 0, free_total = 0, size_total = 0, used_pages = 0;
	unsigned int a, l;

	seq_printf(m, NP_TEXT_HEADER(NP_CHUNKS_COLUMNS));
	np_read_lock(&core->region_lock);
	for (a = 0; a < core->n_arenas; a++) {
		struct np_arena *arena = &core->arenas[a];

		np_lock(&arena->lock);
		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			struct np_chunk *chunk;

			for (chunk = arena->lists[l].head; chunk;
			     chunk = chunk->next) {
				u32 used = np_chunk_pages_used(chunk,
							       core->geo.page_shift);

				seq_printf(m, NP_TEXT_ROW(NP_CHUNKS_COLUMNS),
					   a, arena->lists[l].name,
					   chunk->region.key,
					   np_chunk_usage(chunk),
					   chunk->free_bytes,
					   chunk->region.size, used,
					   core->geo.n_pages);
				n++;
				free_total += chunk->free_bytes;
				size_total += chunk->region.size;
				used_pages += used;
			}
		}
		np_unlock(&arena->lock);
	}
	np_read_unlock(&core->region_lock);
	seq_printf(m, NP_CHUNKS_TOTAL_ROW, NP_CHUNKS_TOTAL, "", n, "",
		   free_total, size_total, used_pages, n * core->geo.n_pages);
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
