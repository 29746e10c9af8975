/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's debugfs files as the nettypool command reads them
 * (parse.c): what each parser fills in. No I/O and no global, so that
 * the unit tests can feed them the module's formats.
 */
#ifndef NP_CLI_PARSE_H
#define NP_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/nettypool.h>

#include "np_tables.h"

typedef unsigned long long ull;

/* A stats file: its "name: value" lines in file order, and the known ones. */
struct stat_line {
	char name[48];
	ull value;
};

struct stats_text {
	struct stat_line *lines;
	size_t n_lines;
	struct np_stats st;
};

/* A row of the pool table. */
struct pool_row {
	unsigned int id;
	char name[64];
	int pid;
	char comm[64];
};

/* One chunk list of an arena, summed over its chunks. */
struct list_agg {
	ull chunks;
	ull size;
	ull free;
	ull pages_used;
	ull pages;
};

struct arena_info {
	unsigned int index;
	ull chunks;
	ull buffers;
	ull active;
	struct list_agg lists[NP_NR_CHUNK_LISTS];
};

/* The subpages of one size class that have a free element. */
struct sp_class {
	unsigned int elem_size;
	bool small;
	ull subpages;
	ull used;
	ull elems;
};

struct pool_info {
	struct pool_row row;
	struct stats_text stats;
	struct arena_info *arenas;
	size_t n_arenas;
	struct sp_class *classes;
	size_t n_classes;
};

/* A buffer the leak detector tracks. */
struct leak {
	unsigned int pool;
	char kind[8];
	ull addr;
	ull capacity;
	ull age_ms;
	ull tag;
	int pid;
	char comm[64];
	char *stack;		/* "allocated at" frames, '\n'-separated */
	char *records;		/* of later retains and releases, as printed */
	size_t group;
};

/*
 * Append a zeroed element to ARRAY, of N elements: the new element, or
 * NULL (ARRAY unchanged) when memory is short.
 */
#define ARRAY_ADD(array, n)	array_add(&(array), &(n), sizeof(*(array)))
void *array_add(void *arrayp, size_t *n, size_t size);

bool all_digits(const char *s);
int stats_parse(struct stats_text *s, char *text);
void stats_free(struct stats_text *s);
int pools_parse(char *text, struct pool_row **rows, size_t *n_rows);
int arenas_parse(struct pool_info *p, char *text);
int chunks_parse(struct pool_info *p, char *text);
int leaks_parse(char *text, struct leak **leaks, size_t *n_leaks);
void leaks_free(struct leak *leaks, size_t n_leaks);

#endif /* NP_CLI_PARSE_H */
