/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the nettypool command share: the exit statuses, the
 * global options, the output helpers, the errors, the reading of the
 * module's debugfs directory and the parsed form of its files, and the
 * commands.
 */
#ifndef NP_CLI_H
#define NP_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/nettypool.h>

#include "json_writer.h"

typedef unsigned long long ull;

/* Exit statuses, the same for every command. */
enum np_exit {
	NP_EXIT_OK = 0,
	NP_EXIT_FAIL = 1,		/* an operation failed (I/O, dot, ...) */
	NP_EXIT_UNAVAILABLE = 2,	/* this nettypool.ko lacks the file */
	NP_EXIT_NO_MODULE = 3,		/* nettypool.ko is not loaded */
	NP_EXIT_NO_DEBUGFS = 4,		/* debugfs is not mounted */
	NP_EXIT_PERMISSION = 5,		/* not allowed to read debugfs */
	NP_EXIT_NO_GRAPHVIZ = 6,	/* dot is not installed */
	NP_EXIT_NO_POOL = 7,		/* no such pool, or no pool at all */
	NP_EXIT_USAGE = 64,		/* bad command line (EX_USAGE) */
};

/* common.c: the program's name and options, signals, option values */
extern const char *prog;
extern const char *debugfs_root;
extern bool use_color;
extern bool json_mode;
extern volatile sig_atomic_t stop_requested;

void cli_init(const char *name);
void catch_stop_signals(void);
bool parse_ulong(const char *s, unsigned long *v);
int parse_pool_opt(const char *cmd, const char *arg, long *pool);

/* output.c: colour and sizes for people */
#define C_BOLD	"\033[1m"
#define C_REV	"\033[7m"
#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_OFF	"\033[0m"

const char *col(const char *code);
const char *human(char *buf, size_t len, ull bytes);
#define HUMAN(bytes)	human((char[24]){ 0 }, 24, (bytes))

/* error.c: say what went wrong, and return the exit status for it */
__attribute__((format(printf, 2, 3)))
int fail(int code, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
int usage_error(const char *cmd, const char *fmt, ...);
int not_loaded(void);
int permission_denied(const char *path);

/* parse.c: the debugfs files, parsed; no I/O, no global */
extern const char *const chunk_list_names[NP_NR_CHUNK_LISTS];

struct stats_field {
	const char *name;
	size_t offset;		/* of its __u64 in struct np_stats */
};

/* The counters of struct np_stats, as named in debugfs and in JSON. */
extern const struct stats_field stats_fields[];
extern const size_t nr_stats_fields;

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
	char *touches;		/* the later records, as printed */
	size_t group;
};

bool all_digits(const char *s);
int stats_parse(struct stats_text *s, char *text);
void stats_free(struct stats_text *s);
int pools_parse(char *text, struct pool_row **rows, size_t *n_rows);
int arenas_parse(struct pool_info *p, char *text);
int chunks_parse(struct pool_info *p, char *text);
int leaks_parse(char *text, struct leak **leaks, size_t *n_leaks);
void leaks_free(struct leak *leaks, size_t n_leaks);

/* debugfs.c: the module's debugfs directory */
struct snapshot {
	struct stats_text totals;
	struct pool_info *pools;
	size_t n_pools;
};

int check_root(void);
char *read_all(const char *path, size_t *lenp);
char *read_debugfs(const char *name, size_t *lenp);
int pool_exists(long id);
int snapshot_read(struct snapshot *s, long only_pool);
void snapshot_free(struct snapshot *s);

/* the commands: stat.c, layout.c, leaks.c, demo.c */
int cmd_stat(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif /* NP_CLI_H */
