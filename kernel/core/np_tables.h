/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts that the core, the module and the nettypool command each use,
 * print or parse, defined once: the chunk lists of an arena, the counters
 * of struct np_stats in the order debugfs prints them, and the leak
 * detection levels. Only macros, and no include but the ABI, so that
 * kernel and userspace code expand them alike; a table a reader needs is
 * expanded where it is read (X-macros), and a change here reaches every
 * printer and every parser at the next build.
 */
#ifndef NP_TABLES_H
#define NP_TABLES_H

#include <linux/nettypool.h>

/* Bounds of the first and the last list: below and above any usage. */
#define NP_USAGE_MIN	(-2147483647 - 1)
#define NP_USAGE_MAX	2147483647

/*
 * The six chunk lists in enum np_chunk_list_id order, as
 * X(id, name, key, min_usage, max_usage, range):
 *   name       as Netty spells it, in every text nettypool prints;
 *   key        the word of the debugfs counter chunklist_<key>;
 *   min_usage  a chunk whose usage falls below it moves to the previous
 *              list (percent);
 *   max_usage  a chunk whose usage reaches it moves to the next list;
 *   range      the two bounds as printed, MIN and MAX for none.
 * Each list's next list is the one after it (q100 has none); its previous
 * list the one before it, but qInit is its own previous list and q000 has
 * none (see chunk_list.c).
 */
#define NP_CHUNK_LISTS(X)						\
	X(NP_QINIT, "qInit", "qinit", NP_USAGE_MIN, 25, "[MIN,25)")	\
	X(NP_Q000, "q000", "q000", 1, 50, "[1,50)")			\
	X(NP_Q025, "q025", "q025", 25, 75, "[25,75)")			\
	X(NP_Q050, "q050", "q050", 50, 100, "[50,100)")			\
	X(NP_Q075, "q075", "q075", 75, 100, "[75,100)")			\
	X(NP_Q100, "q100", "q100", 100, NP_USAGE_MAX, "[100,MAX]")

/*
 * The counters of struct np_stats that debugfs prints as "name: value"
 * lines, in that order, before the chunklist_<key> lines (one per chunk
 * list, from chunklist_chunks[]) and leaked_on_close.
 */
#define NP_STATS_FIELDS(X)						\
	X(page_size) X(chunk_size) X(n_arenas) X(chunks) X(huge_regions)	\
	X(bytes_reserved) X(bytes_active) X(bytes_cached) X(alloc_tiny)	\
	X(alloc_small) X(alloc_normal) X(alloc_huge) X(free_tiny)	\
	X(free_small) X(free_normal) X(free_huge) X(cache_hits)		\
	X(active_buffers)

/* Leak detection levels as X(level, name), NP_LEAK_DISABLED first. */
#define NP_LEAK_LEVELS(X)						\
	X(NP_LEAK_DISABLED, "disabled")					\
	X(NP_LEAK_SIMPLE, "simple")					\
	X(NP_LEAK_ADVANCED, "advanced")					\
	X(NP_LEAK_PARANOID, "paranoid")

#endif /* NP_TABLES_H */
