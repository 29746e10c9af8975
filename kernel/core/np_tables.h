/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts that the core, the module and the nettypool command each use,
 * print or parse, defined once (tables.c): the chunk lists of an arena,
 * the counters of struct np_stats in the order debugfs prints them, the
 * names of the size classes and the leak detection levels. The command
 * links the same tables, so a change here reaches every printer and
 * every parser at the next build.
 */
#ifndef NP_TABLES_H
#define NP_TABLES_H

#include "np_env.h"
#include <linux/nettypool.h>

/* Bounds of the first and the last list: below and above any usage. */
#define NP_USAGE_MIN	INT_MIN
#define NP_USAGE_MAX	INT_MAX

/**
 * struct np_chunk_list_info - what defines one chunk list
 * @name: as Netty spells it, in every text nettypool prints.
 * @key: the word of the debugfs counter chunklist_<key>.
 * @range: the two bounds as printed, MIN and MAX for none.
 * @min_usage: a chunk whose usage falls below it moves to the previous
 *	list (percent).
 * @max_usage: a chunk whose usage reaches it moves to the next list.
 *
 * Each list's next list is the one after it (q100 has none); its previous
 * list the one before it, but qInit is its own previous list and q000 has
 * none (see chunk_list.c).
 */
struct np_chunk_list_info {
	const char *name;
	const char *key;
	const char *range;
	int min_usage;
	int max_usage;
};

/* By enum np_chunk_list_id. */
extern const struct np_chunk_list_info np_chunk_list_info[NP_NR_CHUNK_LISTS];

/**
 * struct np_stat_field - a counter of struct np_stats
 * @name: its name, in the struct and in "name: value" lines.
 * @offset: where it is in struct np_stats.
 */
struct np_stat_field {
	const char *name;
	size_t offset;
};

/*
 * The counters debugfs prints as "name: value" lines, in that order,
 * before the chunklist_<key> lines (one per chunk list, from
 * chunklist_chunks[]) and leaked_on_close.
 */
extern const struct np_stat_field np_stat_fields[];
extern const unsigned int np_nr_stat_fields;

/* Names of the size classes, by enum np_size_class (np_core.h). */
extern const char *const np_size_class_names[];

/* Names of the leak detection levels, NP_LEAK_DISABLED .. NP_LEAK_PARANOID. */
extern const char *const np_leak_level_names[NP_LEAK_PARANOID + 1];

#endif /* NP_TABLES_H */
