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

#include "json_writer.h"
#include "parse.h"

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
int common_option(int c, const char *cmd, const char *usage);
int no_operands(const char *cmd, int argc, char **argv);

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
