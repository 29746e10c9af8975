// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool demo: the workload of make run through libnettypool, with
 * the pool's statistics after each phase; --hold keeps the buffers live
 * until SIGINT or SIGTERM, so that stat, layout and leaks can look at
 * them from another shell. nettypool-demo (demo_main.c) is this command
 * under its old name.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nettypool.h"
#include "np_debugfs_text.h"

enum workload { WL_MIXED, WL_BUSY, WL_HUGE, WL_EMPTY };

static const char *const workload_names[] = {
	[WL_MIXED] = "mixed", [WL_BUSY] = "busy", [WL_HUGE] = "huge",
	[WL_EMPTY] = "empty",
};

struct demo {
	struct np_pool *pool;
	bool debugfs;
	bool hold;
	long pool_id;
};

static void demo_stats_text(struct np_pool *pool, const struct np_stats *st,
			    const char *when)
{
	int i;

	printf("\n-- %s (%s backend) --\n", when,
	       np_pool_backend(pool) == NP_BACKEND_KERNEL ? "kernel" : "local");
	printf("%-16s %llu\n", "page_size", (ull)st->page_size);
	printf("%-16s %llu\n", "chunk_size", (ull)st->chunk_size);
	printf("%-16s %llu\n", "chunks", (ull)st->chunks);
	printf("%-16s %llu\n", "huge_regions", (ull)st->huge_regions);
	printf("%-16s %llu\n", "bytes_reserved", (ull)st->bytes_reserved);
	printf("%-16s %llu\n", "bytes_active", (ull)st->bytes_active);
	printf("%-16s %llu\n", "active_buffers", (ull)st->active_buffers);
	printf("%-16s tiny %llu, small %llu, normal %llu, huge %llu\n", "allocations",
	       (ull)st->alloc_tiny, (ull)st->alloc_small,
	       (ull)st->alloc_normal, (ull)st->alloc_huge);
	printf("%-16s tiny %llu, small %llu, normal %llu, huge %llu\n", "frees",
	       (ull)st->free_tiny, (ull)st->free_small,
	       (ull)st->free_normal, (ull)st->free_huge);
	printf("%-16s", "chunk lists");
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		printf(" %s=%llu", np_chunk_list_info[i].name,
		       (ull)st->chunklist_chunks[i]);
	printf("\n");
}

/* One phase's statistics: text, or one element of the "phases" array. */
static int demo_phase(struct demo *d, const char *when)
{
	struct np_stats st;
	size_t i;
	int l;

	if (np_pool_stats(d->pool, &st))
		return fail(NP_EXIT_FAIL, "np_pool_stats: %s", strerror(errno));
	if (!json_mode) {
		demo_stats_text(d->pool, &st, when);
		return 0;
	}
	jw_obj(&jw_out, NULL);
	jw_str(&jw_out, "when", when);
	jw_obj(&jw_out, "stats");
	for (i = 0; i < np_nr_stat_fields; i++)
		jw_u64(&jw_out, np_stat_fields[i].name,
		       *(const __u64 *)((const char *)&st +
					np_stat_fields[i].offset));
	jw_u64(&jw_out, NP_STATS_LEAKED, st.leaked_on_close);
	jw_obj(&jw_out, "chunk_lists");
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++)
		jw_u64(&jw_out, np_chunk_list_info[l].name,
		       st.chunklist_chunks[l]);
	jw_obj_end(&jw_out);
	jw_obj_end(&jw_out);
	jw_obj_end(&jw_out);
	return 0;
}

static void cat_file(const char *path)
{
	char *text = read_all(path, NULL);

	if (!text) {
		printf("(cannot read %s: %s)\n", path, strerror(errno));
		return;
	}
	printf("\n== %s ==\n%s", path, text);
	free(text);
}

/* The totals, the pool table, and every pool's arenas and chunks. */
static void show_debugfs(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/stats", debugfs_root);
	cat_file(path);
	snprintf(path, sizeof(path), "%s/pools", debugfs_root);
	cat_file(path);
	dir = opendir(debugfs_root);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/arenas", debugfs_root, de->d_name);
		cat_file(path);
		snprintf(path, sizeof(path), "%s/%s/chunks", debugfs_root, de->d_name);
		cat_file(path);
	}
	closedir(dir);
}

/* Our pool's debugfs id: the newest pool made by this process, or -1. */
static long find_own_pool(void)
{
	char *text = read_debugfs("pools", NULL);
	struct pool_row *rows = NULL;
	size_t n_rows = 0, i;
	long id = -1;

	if (!text)
		return -1;
	pools_parse(text, &rows, &n_rows);
	free(text);
	for (i = 0; i < n_rows; i++)
		if (rows[i].pid == (int)getpid() && (long)rows[i].id > id)
			id = rows[i].id;
	free(rows);
	return id;
}

/*
 * The buffers are live: show debugfs, and hold them until SIGINT or
 * SIGTERM when asked to, so that stat and layout can look at them.
 */
static void demo_live(struct demo *d)
{
	sigset_t block, old;

	if (d->debugfs && !json_mode &&
	    np_pool_backend(d->pool) == NP_BACKEND_KERNEL)
		show_debugfs();
	if (!d->hold)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	catch_stop_signals();
	fflush(stdout);
	if (d->pool_id >= 0)
		fprintf(stderr, "%s: holding pool %ld (pid %d); Ctrl-C or kill -TERM %d to go on\n",
			prog, d->pool_id, (int)getpid(), (int)getpid());
	else
		fprintf(stderr, "%s: holding the pool (pid %d, %s backend); Ctrl-C or kill -TERM %d to go on\n",
			prog, (int)getpid(),
			np_pool_backend(d->pool) == NP_BACKEND_KERNEL ? "kernel" : "local",
			(int)getpid());
	while (!stop_requested)
		sigsuspend(&old);
	stop_requested = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

#define NR_BUFS 2048

/* make run's workload: 2048 buffers of mixed sizes, then free them. */
static int demo_mixed(struct demo *d)
{
	static const size_t sizes[] = { 24, 100, 496, 800, 3000, 16384, 65536,
					1 << 20, 5 << 20 };
	const size_t n_sizes = sizeof(sizes) / sizeof(sizes[0]);
	static void *bufs[NR_BUFS];
	unsigned int seed = 42;
	int i, ret;

	for (i = 0; i < NR_BUFS; i++) {
		size_t size = sizes[rand_r(&seed) % (n_sizes - 1)];

		if (i == NR_BUFS - 1)
			size = sizes[n_sizes - 1];
		bufs[i] = np_alloc(d->pool, size);
		if (!bufs[i])
			return fail(NP_EXIT_FAIL, "np_alloc(%zu): %s", size,
				    strerror(errno));
		memset(bufs[i], i & 0xff, size);
	}
	ret = demo_phase(d, "after 2048 allocations");
	if (ret)
		return ret;
	demo_live(d);
	for (i = 0; i < NR_BUFS; i += 2)
		np_free(d->pool, bufs[i]);
	ret = demo_phase(d, "after freeing every other buffer");
	if (ret)
		return ret;
	for (i = 1; i < NR_BUFS; i += 2)
		np_free(d->pool, bufs[i]);
	np_trim(d->pool);
	return demo_phase(d, "after freeing the rest and trimming");
}

/*
 * Many small chunks (64 KiB: 4 KiB pages, max_order 4, one arena, no
 * caches), 6000 buffers of tiny to normal sizes, one in three freed:
 * chunks in every list and many subpages with free elements, past the
 * bounds of layout.dot. huge: 18 huge buffers and a few others.
 */
static int demo_geometry_workload(struct demo *d, enum workload wl)
{
	static const size_t busy_sizes[] = { 16, 48, 112, 496, 512, 1024, 2048,
					     4096, 8192, 16384, 32768 };
	static const size_t huge_sizes[] = { 100, 3000, 40000, 70000, 200000,
					     1 << 20 };
	const size_t *sizes = wl == WL_BUSY ? busy_sizes : huge_sizes;
	size_t n_sizes = wl == WL_BUSY ?
		sizeof(busy_sizes) / sizeof(busy_sizes[0]) :
		sizeof(huge_sizes) / sizeof(huge_sizes[0]);
	unsigned int seed = 7, n = wl == WL_BUSY ? 6000 : 24, i;
	void **bufs = calloc(n, sizeof(*bufs));
	char when[64];
	int ret;

	if (!bufs)
		return fail(NP_EXIT_FAIL, "out of memory");
	for (i = 0; i < n; i++) {
		size_t size = wl == WL_BUSY ? sizes[rand_r(&seed) % n_sizes] :
			sizes[i < 18 ? 3 + i % 3 : i % 3];

		bufs[i] = np_alloc(d->pool, size);
		if (!bufs[i]) {
			free(bufs);
			return fail(NP_EXIT_FAIL, "np_alloc(%zu): %s", size,
				    strerror(errno));
		}
		memset(bufs[i], (int)i & 0xff, size);
	}
	if (wl == WL_BUSY)
		for (i = 0; i < n; i += 3) {
			np_free(d->pool, bufs[i]);
			bufs[i] = NULL;
		}
	snprintf(when, sizeof(when), "after %u allocations%s", n,
		 wl == WL_BUSY ? ", one in three freed" : "");
	ret = demo_phase(d, when);
	if (!ret)
		demo_live(d);
	for (i = 0; i < n; i++)
		np_free(d->pool, bufs[i]);
	free(bufs);
	np_trim(d->pool);
	return ret ? ret : demo_phase(d, "after freeing the rest and trimming");
}

static const char demo_usage[] =
	"usage: nettypool demo [--workload mixed|busy|huge|empty] [--hold]\n"
	"                      [--debugfs] [--backend auto|kernel|local] [--json]\n"
	"\n"
	"Allocate a workload through libnettypool and show the pool's statistics\n"
	"after each phase. \"mixed\" (the default) is make run's: 2048 buffers\n"
	"from 24 bytes to 5 MiB, half freed, then the rest, then trimmed. \"busy\"\n"
	"makes hundreds of small (64 KiB) chunks with 6000 buffers, \"huge\" 18\n"
	"huge buffers and a few others, \"empty\" allocates nothing.\n"
	"\n"
	"  -w, --workload NAME  mixed, busy, huge or empty\n"
	"  -H, --hold           keep the buffers live after allocating, until\n"
	"                       SIGINT or SIGTERM: look with nettypool stat/layout\n"
	"  -d, --debugfs        show /sys/kernel/debug/nettypool while they are live\n"
	"  -b, --backend NAME   auto (default: the module if /dev/nettypool opens),\n"
	"                       kernel, or local (in-process)\n"
	"  -j, --json           {\"backend\", \"pool\", \"workload\", \"phases\": [...]}\n"
	"  -h, --help           this text\n";

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "hold", no_argument, NULL, 'H' },
		{ "debugfs", no_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct np_pool_opts po;
	struct demo d = { .pool_id = -1 };
	char *doc_text = NULL;
	size_t doc_len = 0;
	FILE *doc = NULL;
	enum workload wl = WL_MIXED;
	int c, ret, close_ret;
	unsigned int i;

	memset(&po, 0, sizeof(po));
	while ((c = getopt_long(argc, argv, "w:Hdb:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			for (i = 0; i < 4 && strcmp(optarg, workload_names[i]); i++)
				;
			if (i == 4)
				return usage_error("demo", "no workload '%s' (mixed, busy, huge, empty)",
						   optarg);
			wl = (enum workload)i;
			break;
		case 'H':
			d.hold = true;
			break;
		case 'd':
			d.debugfs = true;
			break;
		case 'b':
			if (!strcmp(optarg, "auto"))
				po.backend = NP_BACKEND_AUTO;
			else if (!strcmp(optarg, "kernel"))
				po.backend = NP_BACKEND_KERNEL;
			else if (!strcmp(optarg, "local"))
				po.backend = NP_BACKEND_LOCAL;
			else
				return usage_error("demo", "no backend '%s' (auto, kernel, local)",
						   optarg);
			break;
		default:
			ret = common_option(c, "demo", demo_usage);
			if (ret >= 0)
				return ret;
		}
	}
	ret = no_operands("demo", argc, argv);
	if (ret)
		return ret;
	if (wl == WL_BUSY || wl == WL_HUGE) {
		po.page_size = 4096;
		po.max_order = 4;
		po.tiny_cache = -1;
		po.small_cache = -1;
		po.normal_cache = -1;
		po.n_arenas = wl == WL_BUSY ? 1 : 0;
	}
	d.pool = np_pool_open(&po);
	if (!d.pool) {
		if (po.backend == NP_BACKEND_KERNEL && errno == ENOENT)
			return not_loaded();
		if (errno == EACCES || errno == EPERM)
			return fail(NP_EXIT_PERMISSION,
				    "permission denied opening %s: run as root, or give your user access to the device",
				    getenv("NETTYPOOL_DEV") ? getenv("NETTYPOOL_DEV") :
				    "/dev/nettypool");
		return fail(NP_EXIT_FAIL, "np_pool_open: %s", strerror(errno));
	}
	if (np_pool_backend(d.pool) == NP_BACKEND_KERNEL)
		d.pool_id = find_own_pool();
	if (json_mode) {
		/* printed at the end, so that a failure leaves only its error */
		doc = open_memstream(&doc_text, &doc_len);
		if (!doc) {
			np_pool_close(d.pool);
			return fail(NP_EXIT_FAIL, "open_memstream: %s", strerror(errno));
		}
		jw_start_to(doc, false);
		jw_obj(&jw_out, NULL);
		jw_str(&jw_out, "backend",
		       np_pool_backend(d.pool) == NP_BACKEND_KERNEL ? "kernel" : "local");
		if (d.pool_id >= 0)
			jw_int(&jw_out, "pool", d.pool_id);
		else
			jw_null(&jw_out, "pool");
		jw_str(&jw_out, "workload", workload_names[wl]);
		jw_arr(&jw_out, "phases");
	} else if (d.pool_id >= 0) {
		printf("pool %ld: %s workload\n", d.pool_id, workload_names[wl]);
	}
	if (wl == WL_MIXED) {
		ret = demo_mixed(&d);
	} else if (wl == WL_EMPTY) {
		ret = demo_phase(&d, "after opening");
		if (!ret)
			demo_live(&d);
	} else {
		ret = demo_geometry_workload(&d, wl);
	}
	if (doc) {
		if (!ret) {
			jw_arr_end(&jw_out);
			jw_obj_end(&jw_out);
		}
		fclose(doc);
		if (!ret)
			fwrite(doc_text, 1, doc_len, stdout);
		free(doc_text);
	}
	close_ret = np_pool_close(d.pool);
	if (!ret && close_ret)
		ret = fail(NP_EXIT_FAIL, "np_pool_close: %s", strerror(errno));
	return ret ? ret : ferror(stdout) ? NP_EXIT_FAIL : 0;
}

