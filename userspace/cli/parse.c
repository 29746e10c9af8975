// SPDX-License-Identifier: GPL-2.0
/*
 * The module's debugfs files, parsed: stats, pools, <id>/arenas,
 * <id>/chunks and leaks. Every line is read with the format the module
 * prints it with (np_debugfs_text.h), every chunk list and counter named
 * by the module's own tables (np_tables.h, tables.c). The text is split in place; nothing here reads a
 * file or prints, so that tests/host/unit/test_cli_text.c can feed it the
 * module's formats.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "np_debugfs_text.h"
#include "np_tables.h"

/* The columns read of the pool table and of the chunk table, first first. */
enum { POOLS_ID, POOLS_NAME, POOLS_PID, POOLS_COMM, POOLS_NR_COLUMNS };

static const char *const pools_columns[POOLS_NR_COLUMNS] = {
	[POOLS_ID] = NP_POOLS_ID, [POOLS_NAME] = NP_POOLS_NAME,
	[POOLS_PID] = NP_POOLS_PID, [POOLS_COMM] = NP_POOLS_COMM,
};

enum {
	CHUNKS_ARENA, CHUNKS_LIST, CHUNKS_FREE_BYTES, CHUNKS_SIZE,
	CHUNKS_PAGES_USED, CHUNKS_PAGES, CHUNKS_NR_COLUMNS
};

static const char *const chunks_columns[CHUNKS_NR_COLUMNS] = {
	[CHUNKS_ARENA] = NP_CHUNKS_ARENA, [CHUNKS_LIST] = NP_CHUNKS_LIST,
	[CHUNKS_FREE_BYTES] = NP_CHUNKS_FREE_BYTES,
	[CHUNKS_SIZE] = NP_CHUNKS_SIZE,
	[CHUNKS_PAGES_USED] = NP_CHUNKS_PAGES_USED,
	[CHUNKS_PAGES] = NP_CHUNKS_PAGES,
};

#define MAX_TOKENS	32

/* Split at whitespace, in place; returns the number of tokens. */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t", &save); t && n < max;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* ARRAYP: the address of the array's pointer, whatever its type. */
void *array_add(void *arrayp, size_t *n, size_t size)
{
	void *array, *grown;

	memcpy(&array, arrayp, sizeof(array));
	grown = realloc(array, (*n + 1) * size);
	if (!grown)
		return NULL;
	memcpy(arrayp, &grown, sizeof(grown));
	memset((char *)grown + *n * size, 0, size);
	return (char *)grown + (*n)++ * size;
}

bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Is LINE the line TEXT prints (a literal ending in a newline)? */
static bool line_is(const char *line, const char *text)
{
	size_t n;

	line += strspn(line, " \t");
	text += strspn(text, " \t");
	n = strcspn(text, "\n");
	return !strncmp(line, text, n) && !line[n];
}

/*
 * A table's columns: NAMES, in the order the module prints them, and
 * where the header line put each one (-1 for a column it does not have).
 */
struct table {
	const char *const *names;
	int nr_columns;
	int *at;
	int n_tokens;		/* of the header line: of each row too */
};

static void table_init(struct table *t, const char *const *names,
		       int nr_columns, int *at)
{
	int c;

	t->names = names;
	t->nr_columns = nr_columns;
	t->at = at;
	t->n_tokens = 0;
	for (c = 0; c < nr_columns; c++)
		at[c] = -1;
}

/* Is this the header line (it starts with the first column's name)? */
static bool table_header(struct table *t, char **tok, int n)
{
	int c, i;

	if (!n || strcmp(tok[0], t->names[0]))
		return false;
	t->n_tokens = n;
	for (c = 0; c < t->nr_columns; c++) {
		t->at[c] = -1;
		for (i = 0; i < n && t->at[c] < 0; i++)
			if (!strcmp(tok[i], t->names[c]))
				t->at[c] = i;
	}
	return true;
}

/* The chunk list of that name (key: of that debugfs key), or -1. */
static int list_index(const char *name, bool key)
{
	int i;

	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		if (!strcasecmp(name, key ? np_chunk_list_info[i].key :
				np_chunk_list_info[i].name))
			return i;
	return -1;
}

/* ------------------------------------------------------------ stats */

static void stats_set(struct np_stats *st, const char *name, ull value)
{
	size_t i, prefix = strlen(NP_STATS_CHUNKLIST_PREFIX);
	int l;

	for (i = 0; i < np_nr_stat_fields; i++)
		if (!strcmp(name, np_stat_fields[i].name)) {
			*(__u64 *)((char *)st + np_stat_fields[i].offset) = value;
			return;
		}
	if (!strcmp(name, NP_STATS_LEAKED))
		st->leaked_on_close = value;
	if (strncmp(name, NP_STATS_CHUNKLIST_PREFIX, prefix))
		return;
	l = list_index(name + prefix, true);
	if (l >= 0)
		st->chunklist_chunks[l] = value;
}

/* "name: value" lines: every one kept, the counters of np_stats set. */
int stats_parse(struct stats_text *s, char *text)
{
	char *save = NULL, *line;

	memset(s, 0, sizeof(*s));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[sizeof(s->lines->name)];
		struct stat_line *nl;
		ull value;

		if (sscanf(line, " " NP_STATS_LINE("%47[^:]"), name, &value) != 2)
			continue;
		nl = ARRAY_ADD(s->lines, s->n_lines);
		if (!nl)
			return -1;
		snprintf(nl->name, sizeof(nl->name), "%s", name);
		nl->value = value;
		stats_set(&s->st, name, value);
	}
	return 0;
}

void stats_free(struct stats_text *s)
{
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ pools */

/*
 * A row whose name or comm holds a blank has more tokens than the
 * header: id, the name's words, the pid (the first number after them),
 * then the comm's first word.
 */
static bool pool_row_loose(char **tok, int n, struct pool_row *r)
{
	int i, pid_at;

	for (pid_at = 2; pid_at < n && !all_digits(tok[pid_at]); pid_at++)
		;
	if (pid_at + 1 >= n)
		return false;
	r->name[0] = '\0';
	for (i = 1; i < pid_at; i++) {
		size_t l = strlen(r->name);

		snprintf(r->name + l, sizeof(r->name) - l, "%s%s",
			 i > 1 ? " " : "", tok[i]);
	}
	r->pid = atoi(tok[pid_at]);
	snprintf(r->comm, sizeof(r->comm), "%s", tok[pid_at + 1]);
	return true;
}

/* The pool table: id, name, pid and comm of each pool (the rest is in stats). */
int pools_parse(char *text, struct pool_row **rows, size_t *n_rows)
{
	int at[POOLS_NR_COLUMNS];
	char *save = NULL, *line;
	struct table t;

	*rows = NULL;
	*n_rows = 0;
	table_init(&t, pools_columns, POOLS_NR_COLUMNS, at);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[MAX_TOKENS];
		int n = tokenize(line, tok, MAX_TOKENS);
		struct pool_row r = { 0 }, *nr;

		if (table_header(&t, tok, n) || n < 2 || !all_digits(tok[0]))
			continue;
		r.id = (unsigned int)strtoul(tok[0], NULL, 10);
		if (n == t.n_tokens && at[POOLS_ID] == 0 && at[POOLS_NAME] > 0 &&
		    at[POOLS_PID] > 0 && at[POOLS_COMM] > 0) {
			snprintf(r.name, sizeof(r.name), "%s",
				 tok[at[POOLS_NAME]]);
			r.pid = atoi(tok[at[POOLS_PID]]);
			snprintf(r.comm, sizeof(r.comm), "%s",
				 tok[at[POOLS_COMM]]);
		} else if (!pool_row_loose(tok, n, &r)) {
			continue;
		}
		nr = ARRAY_ADD(*rows, *n_rows);
		if (!nr)
			return -1;
		*nr = r;
	}
	return 0;
}

/* ------------------------------------------------------------ arenas */

static struct arena_info *arena_get(struct pool_info *p, unsigned int index)
{
	struct arena_info *na;
	size_t i;

	for (i = 0; i < p->n_arenas; i++)
		if (p->arenas[i].index == index)
			return &p->arenas[i];
	na = ARRAY_ADD(p->arenas, p->n_arenas);
	if (na)
		na->index = index;
	return na;
}

static int cmp_arena(const void *a, const void *b)
{
	const struct arena_info *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static struct sp_class *class_get(struct pool_info *p, unsigned int elem,
				  bool small)
{
	struct sp_class *nc;
	size_t i;

	for (i = 0; i < p->n_classes; i++)
		if (p->classes[i].elem_size == elem)
			return &p->classes[i];
	nc = ARRAY_ADD(p->classes, p->n_classes);
	if (nc) {
		nc->elem_size = elem;
		nc->small = small;
	}
	return nc;
}

static int cmp_class(const void *a, const void *b)
{
	const struct sp_class *x = a, *y = b;

	return x->elem_size < y->elem_size ? -1 : x->elem_size > y->elem_size;
}

/* <id>/arenas: each arena's line, and the subpages of each size class. */
int arenas_parse(struct pool_info *p, char *text)
{
	struct sp_class *cls = NULL;
	char *save = NULL, *line;
	bool small = false;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int idx, elem, page, used, total;
		ull chunks, buffers, active, key;
		char word[8];
		int end = -1;

		if (sscanf(line, NP_ARENAS_ARENA, &idx, &chunks, &buffers,
			   &active) == 4) {
			struct arena_info *a = arena_get(p, idx);

			if (!a)
				return -1;
			a->chunks = chunks;
			a->buffers = buffers;
			a->active = active;
			cls = NULL;
		} else if (sscanf(line, NP_ARENAS_SUBPAGES("%7[a-z]") "%n", word,
				  &end) == 1 && end >= 0) {
			small = !strcmp(word, NP_TEXT_SMALL);
		} else if (sscanf(line, NP_ARENAS_CLASS "%n", &elem, &end) == 1 &&
			   end >= 0) {
			cls = class_get(p, elem, small);
			if (!cls)
				return -1;
		} else if (cls &&
			   sscanf(line, NP_ARENAS_SUBPAGE(NP_TEXT_SCAN_HEX), &key,
				  &page, &used, &total) == 4) {
			cls->subpages++;
			cls->used += used;
			cls->elems += total;
		}
	}
	if (p->n_classes > 1)
		qsort(p->classes, p->n_classes, sizeof(*p->classes), cmp_class);
	if (p->n_arenas > 1)
		qsort(p->arenas, p->n_arenas, sizeof(*p->arenas), cmp_arena);
	return 0;
}

/* ------------------------------------------------------------ chunks */

static ull column_value(char **tok, const int *at, int column)
{
	return at[column] >= 0 ? strtoull(tok[at[column]], NULL, 10) : 0;
}

/* <id>/chunks: one row per chunk, summed per arena and chunk list. */
int chunks_parse(struct pool_info *p, char *text)
{
	int at[CHUNKS_NR_COLUMNS];
	char *save = NULL, *line;
	struct table t;

	table_init(&t, chunks_columns, CHUNKS_NR_COLUMNS, at);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[MAX_TOKENS];
		int n = tokenize(line, tok, MAX_TOKENS), l;
		struct arena_info *a;
		struct list_agg *agg;

		if (table_header(&t, tok, n))
			continue;
		/* the totals row too has no arena number */
		if (n != t.n_tokens || at[CHUNKS_ARENA] < 0 ||
		    at[CHUNKS_LIST] < 0 || !all_digits(tok[at[CHUNKS_ARENA]]))
			continue;
		l = list_index(tok[at[CHUNKS_LIST]], false);
		if (l < 0)
			continue;
		a = arena_get(p, (unsigned int)strtoul(tok[at[CHUNKS_ARENA]],
						       NULL, 10));
		if (!a)
			return -1;
		agg = &a->lists[l];
		agg->chunks++;
		agg->free += column_value(tok, at, CHUNKS_FREE_BYTES);
		agg->size += column_value(tok, at, CHUNKS_SIZE);
		agg->pages_used += column_value(tok, at, CHUNKS_PAGES_USED);
		agg->pages += column_value(tok, at, CHUNKS_PAGES);
	}
	if (p->n_arenas > 1)
		qsort(p->arenas, p->n_arenas, sizeof(*p->arenas), cmp_arena);
	return 0;
}

/* ------------------------------------------------------------ leaks */

static int str_append(char **dst, const char *s)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *n = realloc(*dst, old + strlen(s) + 2);

	if (!n)
		return -1;
	strcpy(n + old, s);
	strcat(n + old, "\n");
	*dst = n;
	return 0;
}

/* A suspect's first line; the comm runs to the end of the line. */
static bool leak_head_parse(const char *line, struct leak *lk)
{
	unsigned int age_ms;
	int comm_at = -1;

	memset(lk, 0, sizeof(*lk));
	if (sscanf(line, NP_LEAKS_HEAD("%7[a-z]", NP_TEXT_SCAN_HEX,
				       NP_TEXT_SCAN_HEX) "%n",
		   &lk->pool, lk->kind, &lk->addr, &lk->capacity, &age_ms,
		   &lk->tag, &lk->pid, &comm_at) != 7 || comm_at < 0)
		return false;
	lk->age_ms = age_ms;
	snprintf(lk->comm, sizeof(lk->comm), "%s", line + comm_at);
	return true;
}

/* "retained at (#1):" and the like: the first line of a record. */
static bool leak_record_line(const char *line)
{
	unsigned int nr;
	char what[16];
	int end = -1;

	return sscanf(line, NP_LEAKS_RECORD("%15[a-z]") "%n", what, &nr,
		      &end) == 2 && end >= 0 && !line[end];
}

/*
 * leaks: the suspects, blank lines between them. A suspect's allocation
 * stack goes to ->stack, its records of later retains and releases
 * ("retained at (#1):", their frames indented under them) to ->records.
 */
int leaks_parse(char *text, struct leak **leaks, size_t *n_leaks)
{
	struct leak *cur = NULL;
	char *save = NULL, *line;
	bool in_alloc = false;

	*leaks = NULL;
	*n_leaks = 0;
	/* strtok_r skips blank lines: a suspect starts at each head line */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *t = line + strspn(line, " \t");
		struct leak lk;
		char frame[600];
		int ret;

		if (leak_head_parse(line, &lk)) {
			cur = ARRAY_ADD(*leaks, *n_leaks);
			if (!cur)
				return -1;
			*cur = lk;
			in_alloc = false;
			continue;
		}
		if (!cur || !*t)
			continue;
		if (line_is(line, NP_LEAKS_ALLOCATED)) {
			in_alloc = true;
			continue;
		}
		if (leak_record_line(line)) {
			in_alloc = false;
			ret = str_append(&cur->records, t);
		} else if (in_alloc) {
			ret = str_append(&cur->stack, t);
		} else {
			snprintf(frame, sizeof(frame), "  %s", t);
			ret = str_append(&cur->records, frame);
		}
		if (ret)
			return -1;
	}
	return 0;
}

void leaks_free(struct leak *leaks, size_t n_leaks)
{
	size_t i;

	for (i = 0; i < n_leaks; i++) {
		free(leaks[i].stack);
		free(leaks[i].records);
	}
	free(leaks);
}
