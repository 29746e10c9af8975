// SPDX-License-Identifier: GPL-2.0
/*
 * The tables of np_tables.h. Nothing here runs; there is no locking.
 */
#include "np_core.h"
#include "np_tables.h"

const struct np_chunk_list_info np_chunk_list_info[NP_NR_CHUNK_LISTS] = {
	[NP_QINIT] = { "qInit", "qinit", "[MIN,25)", NP_USAGE_MIN, 25 },
	[NP_Q000] = { "q000", "q000", "[1,50)", 1, 50 },
	[NP_Q025] = { "q025", "q025", "[25,75)", 25, 75 },
	[NP_Q050] = { "q050", "q050", "[50,100)", 50, 100 },
	[NP_Q075] = { "q075", "q075", "[75,100)", 75, 100 },
	[NP_Q100] = { "q100", "q100", "[100,MAX]", 100, NP_USAGE_MAX },
};

#define NP_STAT(field) { #field, offsetof(struct np_stats, field) }

const struct np_stat_field np_stat_fields[] = {
	NP_STAT(page_size), NP_STAT(chunk_size), NP_STAT(n_arenas),
	NP_STAT(chunks), NP_STAT(huge_regions), NP_STAT(bytes_reserved),
	NP_STAT(bytes_active), NP_STAT(bytes_cached), NP_STAT(alloc_tiny),
	NP_STAT(alloc_small), NP_STAT(alloc_normal), NP_STAT(alloc_huge),
	NP_STAT(free_tiny), NP_STAT(free_small), NP_STAT(free_normal),
	NP_STAT(free_huge), NP_STAT(cache_hits), NP_STAT(active_buffers),
};

const unsigned int np_nr_stat_fields = ARRAY_SIZE(np_stat_fields);

const char *const np_size_class_names[] = {
	[NP_SIZE_TINY] = "tiny",
	[NP_SIZE_SMALL] = "small",
	[NP_SIZE_NORMAL] = "normal",
	[NP_SIZE_HUGE] = "huge",
};

const char *const np_leak_level_names[NP_LEAK_PARANOID + 1] = {
	[NP_LEAK_DISABLED] = "disabled",
	[NP_LEAK_SIMPLE] = "simple",
	[NP_LEAK_ADVANCED] = "advanced",
	[NP_LEAK_PARANOID] = "paranoid",
};
