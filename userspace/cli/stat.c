// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool stat: a slabtop-like table of the pools: totals and
 * allocations by size class, one row per pool, and per pool its arenas'
 * chunk lists and the subpages with a free element, by size class;
 * redrawn with --watch, one JSON object (a line each with --watch) with
 * --json.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void stat_text_class(const char *name, ull allocs, ull frees)
{
	printf("%-8s %12llu %12llu %12llu\n", name, allocs, frees,
	       allocs >= frees ? allocs - frees : 0);
}

static void stat_text_header(const struct np_stats *t, size_t n_pools,
			     long only_pool)
{
	ull reserved = t->bytes_reserved;
	ull active = t->bytes_active;
	ull leaked = t->leaked_on_close;

	if (only_pool >= 0)
		printf("%snettypool pool %ld%s:", col(C_BOLD), only_pool, col(C_OFF));
	else
		printf("%snettypool%s: %zu pool%s,", col(C_BOLD), col(C_OFF),
		       n_pools, n_pools == 1 ? "" : "s");
	printf(" %llu chunks, %llu huge regions, %llu buffers\n",
	       (ull)t->chunks, (ull)t->huge_regions, (ull)t->active_buffers);
	printf("  reserved %s, active %s", HUMAN(reserved), HUMAN(active));
	if (reserved)
		printf(" (%llu%%)", active * 100 / reserved);
	printf(", cached %s, %llu cache hits", HUMAN(t->bytes_cached),
	       (ull)t->cache_hits);
	if (only_pool < 0)
		printf(", %sleaked on close %llu%s",
		       leaked ? col(C_RED) : "", leaked, leaked ? col(C_OFF) : "");
	printf("\n\n%s%-8s %12s %12s %12s%s\n", col(C_REV), "CLASS", "ALLOCS",
	       "FREES", "HELD", col(C_OFF));
	stat_text_class("tiny", t->alloc_tiny, t->free_tiny);
	stat_text_class("small", t->alloc_small, t->free_small);
	stat_text_class("normal", t->alloc_normal, t->free_normal);
	stat_text_class("huge", t->alloc_huge, t->free_huge);
}

static void stat_text_pools(const struct snapshot *s)
{
	size_t i;

	printf("\n%s%5s %-10s %7s %-15s %7s %8s %6s %6s %5s %10s %10s %4s %8s%s\n",
	       col(C_REV), "POOL", "NAME", "PID", "COMM", "PAGE", "CHUNK",
	       "ARENAS", "CHUNKS", "HUGE", "RESERVED", "ACTIVE", "USE%",
	       "BUFFERS", col(C_OFF));
	for (i = 0; i < s->n_pools; i++) {
		const struct pool_info *p = &s->pools[i];
		const struct np_stats *st = &p->stats.st;
		ull r = st->bytes_reserved;
		ull a = st->bytes_active;

		printf("%5u %-10.10s %7d %-15.15s %7s %8s %6llu %6llu %5llu %10s %10s %3llu%% %8llu\n",
		       p->row.id, p->row.name, p->row.pid, p->row.comm,
		       HUMAN(st->page_size), HUMAN(st->chunk_size),
		       (ull)st->n_arenas, (ull)st->chunks,
		       (ull)st->huge_regions, HUMAN(r), HUMAN(a),
		       r ? a * 100 / r : 0, (ull)st->active_buffers);
	}
	if (!s->n_pools)
		printf("(no pools: open /dev/nettypool, or try `nettypool demo --hold`)\n");
}

static void stat_text_pool(const struct pool_info *p)
{
	size_t i;
	int l;

	printf("\n%spool %u%s (%s, pid %d %s): chunk lists per arena\n",
	       col(C_BOLD), p->row.id, col(C_OFF), p->row.name, p->row.pid,
	       p->row.comm);
	printf("%s%5s %6s %8s %10s", col(C_REV), "ARENA", "CHUNKS", "BUFFERS",
	       "ACTIVE");
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++)
		printf(" %5s", np_chunk_list_info[l].name);
	printf(" %10s %11s%s\n", "FREE", "PAGES USED", col(C_OFF));
	for (i = 0; i < p->n_arenas; i++) {
		const struct arena_info *a = &p->arenas[i];
		ull free_b = 0, used = 0, pages = 0;
		char pg[32];

		printf("%5u %6llu %8llu %10s", a->index, a->chunks, a->buffers,
		       HUMAN(a->active));
		for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
			printf(" %5llu", a->lists[l].chunks);
			free_b += a->lists[l].free;
			used += a->lists[l].pages_used;
			pages += a->lists[l].pages;
		}
		snprintf(pg, sizeof(pg), "%llu/%llu", used, pages);
		printf(" %10s %11s\n", HUMAN(free_b), pg);
	}
	if (!p->n_classes)
		return;
	printf("\n%spool %u%s: subpages with a free element, by size class\n",
	       col(C_BOLD), p->row.id, col(C_OFF));
	printf("%s%-6s %8s %9s %14s %5s %10s%s\n", col(C_REV), "CLASS", "SIZE",
	       "SUBPAGES", "USED/ELEMENTS", "USE%", "FREE", col(C_OFF));
	for (i = 0; i < p->n_classes; i++) {
		const struct sp_class *c = &p->classes[i];
		char ue[32];

		snprintf(ue, sizeof(ue), "%llu/%llu", c->used, c->elems);
		printf("%-6s %8s %9llu %14s %4llu%% %10s\n",
		       c->small ? "small" : "tiny", HUMAN(c->elem_size),
		       c->subpages, ue, c->elems ? c->used * 100 / c->elems : 0,
		       HUMAN((c->elems - c->used) * c->elem_size));
	}
}

static void stat_text(const struct snapshot *s, long only_pool)
{
	size_t i;

	stat_text_header(only_pool >= 0 && s->n_pools ? &s->pools[0].stats.st :
			 &s->totals.st, s->n_pools, only_pool);
	stat_text_pools(s);
	for (i = 0; i < s->n_pools; i++)
		stat_text_pool(&s->pools[i]);
}

/* Every line of a stats file, the ones added later too. */
static void stats_json(struct jw *w, const char *key,
		       const struct stats_text *stats)
{
	size_t i;

	jw_obj(w, key);
	for (i = 0; i < stats->n_lines; i++)
		jw_u64(w, stats->lines[i].name, stats->lines[i].value);
	jw_obj_end(w);
}

static void stat_json(const struct snapshot *s, bool compact)
{
	struct jw *w = &jw_out;
	size_t i, j;
	int l;

	jw_start(compact);
	jw_obj(w, NULL);
	jw_int(w, "time", (long long)time(NULL));
	stats_json(w, "totals", &s->totals);
	jw_arr(w, "pools");
	for (i = 0; i < s->n_pools; i++) {
		const struct pool_info *p = &s->pools[i];

		jw_obj(w, NULL);
		jw_u64(w, "id", p->row.id);
		jw_str(w, "name", p->row.name);
		jw_int(w, "pid", p->row.pid);
		jw_str(w, "comm", p->row.comm);
		stats_json(w, "stats", &p->stats);
		jw_arr(w, "arenas");
		for (j = 0; j < p->n_arenas; j++) {
			const struct arena_info *a = &p->arenas[j];

			jw_obj(w, NULL);
			jw_u64(w, "index", a->index);
			jw_u64(w, "chunks", a->chunks);
			jw_u64(w, "buffers", a->buffers);
			jw_u64(w, "bytes_active", a->active);
			jw_obj(w, "chunk_lists");
			for (l = 0; l < NP_NR_CHUNK_LISTS; l++) {
				jw_obj(w, np_chunk_list_info[l].name);
				jw_u64(w, "chunks", a->lists[l].chunks);
				jw_u64(w, "bytes", a->lists[l].size);
				jw_u64(w, "free_bytes", a->lists[l].free);
				jw_u64(w, "pages_used", a->lists[l].pages_used);
				jw_u64(w, "pages", a->lists[l].pages);
				jw_obj_end(w);
			}
			jw_obj_end(w);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_arr(w, "subpage_classes");
		for (j = 0; j < p->n_classes; j++) {
			const struct sp_class *c = &p->classes[j];

			jw_obj(w, NULL);
			jw_str(w, "class", c->small ? "small" : "tiny");
			jw_u64(w, "elem_size", c->elem_size);
			jw_u64(w, "subpages", c->subpages);
			jw_u64(w, "used", c->used);
			jw_u64(w, "elements", c->elems);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static const char stat_usage[] =
	"usage: nettypool stat [--pool ID] [--watch SECONDS [--count N]] [--json]\n"
	"\n"
	"A slabtop-like table of nettypool's pools: totals and allocations by\n"
	"size class, one row per pool, and per pool its arenas' chunk lists\n"
	"and the subpages with free elements, by size class.\n"
	"\n"
	"  -p, --pool ID        only this pool\n"
	"  -w, --watch SECONDS  redraw every SECONDS (fractions allowed) until\n"
	"                       interrupted (Ctrl-C)\n"
	"  -n, --count N        with --watch: stop after N tables\n"
	"  -j, --json           one JSON object (with --watch, one per line)\n"
	"  -h, --help           this text\n";

int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0, frame;
	double watch = 0;
	long pool = -1;
	bool tty = isatty(1);
	int c, ret;

	while ((c = getopt_long(argc, argv, "p:w:n:jh", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'p':
			ret = parse_pool_opt("stat", optarg, &pool);
			if (ret)
				return ret;
			break;
		case 'w':
			watch = strtod(optarg, &end);
			if (*end || !(watch > 0) || watch > 86400)
				return usage_error("stat", "--watch takes a number of seconds, not '%s'",
						   optarg);
			break;
		case 'n':
			if (!parse_ulong(optarg, &count) || !count)
				return usage_error("stat", "--count takes a positive number, not '%s'",
						   optarg);
			break;
		default:
			ret = common_option(c, "stat", stat_usage);
			if (ret >= 0)
				return ret;
		}
	}
	ret = no_operands("stat", argc, argv);
	if (ret)
		return ret;
	if (count && !watch)
		return usage_error("stat", "--count goes with --watch");

	catch_stop_signals();
	for (frame = 0; !stop_requested; frame++) {
		struct snapshot s;
		struct timespec ts;

		ret = snapshot_read(&s, pool);
		if (!ret && pool >= 0 && !s.n_pools)
			ret = pool_exists(pool);
		if (ret) {
			snapshot_free(&s);
			return ret;
		}
		if (json_mode) {
			stat_json(&s, watch > 0);
		} else {
			if (watch && tty)
				fputs("\033[H\033[2J", stdout);
			else if (watch && frame)
				putchar('\n');
			if (watch) {
				time_t now = time(NULL);
				char when[64];

				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
					 localtime(&now));
				printf("%s-- %s, every %gs%s%s\n", col(C_BOLD), when,
				       watch, tty ? " (Ctrl-C to stop)" : "",
				       col(C_OFF));
			}
			stat_text(&s, pool);
		}
		snapshot_free(&s);
		fflush(stdout);
		if (!watch || (count && frame + 1 >= count))
			break;
		ts.tv_sec = (time_t)watch;
		ts.tv_nsec = (long)((watch - (double)ts.tv_sec) * 1e9);
		while (!stop_requested && nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return ferror(stdout) ? NP_EXIT_FAIL : 0;
}

