// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool: the user's single entry point to nettypool.ko.
 *
 *   nettypool stat   [--pool ID] [--watch SECONDS [--count N]] [--json]
 *   nettypool layout [--pool ID] [--svg FILE | --png FILE] [--json]
 *   nettypool leaks  [--json]
 *   nettypool demo   [--workload mixed|busy|huge|empty] [--hold]
 *                    [--debugfs] [--backend auto|kernel|local] [--json]
 *
 * stat, layout and leaks read /sys/kernel/debug/nettypool/ (or the
 * directory named by $NETTYPOOL_DEBUGFS): the totals in "stats", the pool
 * table in "pools", and per pool "<id>/stats", "<id>/arenas",
 * "<id>/chunks" and "<id>/layout.dot"; the leak suspects in "leaks". demo
 * runs the workload of make run through libnettypool (nettypool-demo is
 * this program under its old name, see demo.c).
 *
 * What goes wrong is said plainly, with a distinct exit status (see
 * enum np_exit): debugfs not mounted, module not loaded, permission
 * denied, a file this nettypool.ko does not have, no graphviz, no such
 * pool. Colour only on a terminal, never with $NO_COLOR. --json prints
 * one JSON document (one per frame, a line each, with --watch), errors
 * included, as {"error": ...}.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nettypool.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC		0x64626720
#endif

#define NP_DEBUGFS_DEFAULT	"/sys/kernel/debug/nettypool"
#define NP_DEBUGFS_MOUNT	"/sys/kernel/debug"

/* Exit statuses, the same for every subcommand. */
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

typedef unsigned long long ull;

static const char *prog = "nettypool";
static const char *debugfs_root = NP_DEBUGFS_DEFAULT;
static bool use_color;
static bool json_mode;

static const char *const list_names[NP_NR_CHUNK_LISTS] = {
	"qInit", "q000", "q025", "q050", "q075", "q100",
};

/* ------------------------------------------------------------ output */

#define C_BOLD	"\033[1m"
#define C_REV	"\033[7m"
#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_YEL	"\033[33m"
#define C_OFF	"\033[0m"

static const char *col(const char *code)
{
	return use_color ? code : "";
}

/* Human units, one decimal: "512 B", "1.5 KiB", "4.0 MiB". */
static const char *human(char *buf, size_t len, ull bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

#define HUMAN(bytes)	human((char[24]){ 0 }, 24, (bytes))

/*
 * A small JSON writer: commas and (unless compact) indentation are
 * handled here, so callers only say what comes next.
 */
struct jw {
	FILE *f;
	int depth;
	bool compact;
	bool need_comma[32];
};

static struct jw jw_out;

static void jw_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);	/* bytes as Latin-1 */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jw_item(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (w->need_comma[w->depth])
			fputc(',', w->f);
		if (!w->compact)
			fprintf(w->f, "\n%*s", 2 * w->depth, "");
	}
	w->need_comma[w->depth] = true;
	if (key) {
		jw_escape(w->f, key);
		fputs(w->compact ? ":" : ": ", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_item(w, key);
	fputc(c, w->f);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	bool empty = !w->need_comma[w->depth];

	w->depth--;
	if (!w->compact && !empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(c, w->f);
	if (!w->depth)
		fputc('\n', w->f);
}

static void jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

static void jw_obj_end(struct jw *w)
{
	jw_close(w, '}');
}

static void jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

static void jw_arr_end(struct jw *w)
{
	jw_close(w, ']');
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_item(w, key);
	jw_escape(w->f, s);
}

static void jw_u64(struct jw *w, const char *key, ull v)
{
	jw_item(w, key);
	fprintf(w->f, "%llu", v);
}

static void jw_int(struct jw *w, const char *key, long long v)
{
	jw_item(w, key);
	fprintf(w->f, "%lld", v);
}

static void jw_null(struct jw *w, const char *key)
{
	jw_item(w, key);
	fputs("null", w->f);
}

/* 64-bit addresses as strings: JSON numbers lose them past 2^53. */
static void jw_hex(struct jw *w, const char *key, ull v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	jw_str(w, key, buf);
}

static void jw_start_to(FILE *f, bool compact)
{
	jw_out.f = f;
	jw_out.depth = 0;
	jw_out.compact = compact;
	jw_out.need_comma[0] = false;
}

static void jw_start(bool compact)
{
	jw_start_to(stdout, compact);
}

/* ------------------------------------------------------------ errors */

static const char *error_names[] = {
	[NP_EXIT_FAIL] = "failed",
	[NP_EXIT_UNAVAILABLE] = "not_available",
	[NP_EXIT_NO_MODULE] = "module_not_loaded",
	[NP_EXIT_NO_DEBUGFS] = "debugfs_not_mounted",
	[NP_EXIT_PERMISSION] = "permission_denied",
	[NP_EXIT_NO_GRAPHVIZ] = "graphviz_not_installed",
	[NP_EXIT_NO_POOL] = "no_such_pool",
};

/*
 * Say what went wrong on stderr (and, with --json, as a JSON document on
 * stdout) and return the exit status to use.
 */
__attribute__((format(printf, 2, 3)))
static int fail(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s: %s%s\n", use_color && isatty(2) ? C_RED : "",
		prog, msg, use_color && isatty(2) ? C_OFF : "");
	if (json_mode) {
		fflush(stdout);
		jw_start(false);
		jw_obj(&jw_out, NULL);
		jw_str(&jw_out, "error", code < NP_EXIT_USAGE &&
		       error_names[code] ? error_names[code] : "usage");
		jw_str(&jw_out, "message", msg);
		jw_int(&jw_out, "exit_code", code);
		jw_obj_end(&jw_out);
	}
	return code;
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *sub, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(NP_EXIT_USAGE, "%s (see: nettypool %s%s--help)", msg,
		    sub ? sub : "", sub ? " " : "");
}

static int not_loaded(void)
{
	return fail(NP_EXIT_NO_MODULE,
		    "the nettypool module is not loaded (no %s): load it with `modprobe nettypool` or `insmod nettypool.ko`",
		    debugfs_root);
}

static int permission_denied(const char *path)
{
	return fail(NP_EXIT_PERMISSION,
		    "permission denied reading %s: debugfs is readable by root only, run as root (e.g. sudo %s)",
		    path, prog);
}

/*
 * Is the module's debugfs directory there and readable? 0 when it is,
 * else the exit status, after saying why not.
 */
static int check_root(void)
{
	char stats[PATH_MAX], parent[PATH_MAX], *slash;
	struct statfs sfs;
	struct stat st;
	int fd;

	if (stat(debugfs_root, &st) == 0 && !S_ISDIR(st.st_mode))
		return fail(NP_EXIT_FAIL, "%s is not a directory", debugfs_root);
	if (stat(debugfs_root, &st) == 0) {
		snprintf(stats, sizeof(stats), "%s/stats", debugfs_root);
		fd = open(stats, O_RDONLY);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno == EACCES || errno == EPERM)
			return permission_denied(stats);
		if (errno == ENOENT)
			return fail(NP_EXIT_UNAVAILABLE,
				    "%s has no stats file: is it nettypool's debugfs directory?",
				    debugfs_root);
		return fail(NP_EXIT_FAIL, "cannot read %s: %s", stats,
			    strerror(errno));
	}
	if (errno == EACCES || errno == EPERM)
		return permission_denied(debugfs_root);
	if (errno != ENOENT && errno != ENOTDIR)
		return fail(NP_EXIT_FAIL, "cannot look at %s: %s", debugfs_root,
			    strerror(errno));

	/* Missing: is debugfs itself there? */
	snprintf(parent, sizeof(parent), "%s", debugfs_root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &sfs) == 0 && sfs.f_type == DEBUGFS_MAGIC)
		return not_loaded();
	if (!strcmp(debugfs_root, NP_DEBUGFS_DEFAULT))
		return fail(NP_EXIT_NO_DEBUGFS,
			    "debugfs is not mounted on %s: mount it with `mount -t debugfs none %s`",
			    NP_DEBUGFS_MOUNT, NP_DEBUGFS_MOUNT);
	return not_loaded();
}

/* ------------------------------------------------------------ files */

/*
 * Read a whole file (debugfs files say size 0: read to EOF). Returns a
 * NUL-terminated buffer to free, or NULL with errno set.
 */
static char *read_all(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf) {
		int err = fd < 0 ? errno : ENOMEM;

		if (fd >= 0)
			close(fd);
		free(buf);
		errno = err;
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			close(fd);
			errno = err;
			return NULL;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static char *read_debugfs(const char *name, size_t *lenp)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", debugfs_root, name);
	return read_all(path, lenp);
}

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

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "name: value" lines, in file order. */
struct kv {
	char name[48];
	ull value;
};

struct kvset {
	struct kv *v;
	size_t n;
};

static int kv_parse(struct kvset *set, char *text)
{
	char *save = NULL, *line;

	set->v = NULL;
	set->n = 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[48];
		ull value;
		struct kv *nv;

		if (sscanf(line, " %47[^:]: %llu", name, &value) != 2)
			continue;
		nv = realloc(set->v, (set->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		set->v = nv;
		snprintf(set->v[set->n].name, sizeof(set->v[set->n].name), "%s",
			 name);
		set->v[set->n++].value = value;
	}
	return 0;
}

static ull kv_get(const struct kvset *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return set->v[i].value;
	return 0;
}

static void kv_json(struct jw *w, const char *key, const struct kvset *set)
{
	size_t i;

	jw_obj(w, key);
	for (i = 0; i < set->n; i++)
		jw_u64(w, set->v[i].name, set->v[i].value);
	jw_obj_end(w);
}

static int list_index(const char *name)
{
	int i;

	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		if (!strcasecmp(name, list_names[i]))
			return i;
	return -1;
}

/* ------------------------------------------------------------ snapshot */

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

struct sp_class {
	unsigned int elem_size;
	bool small;
	ull subpages;
	ull used;
	ull elems;
};

struct pool_info {
	unsigned int id;
	char name[64];
	int pid;
	char comm[64];
	struct kvset stats;
	struct arena_info *arenas;
	size_t n_arenas;
	struct sp_class *classes;
	size_t n_classes;
};

struct snapshot {
	struct kvset totals;
	struct pool_info *pools;
	size_t n_pools;
};

static void snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_pools; i++) {
		free(s->pools[i].stats.v);
		free(s->pools[i].arenas);
		free(s->pools[i].classes);
	}
	free(s->pools);
	free(s->totals.v);
	memset(s, 0, sizeof(*s));
}

static int cmp_pool(const void *a, const void *b)
{
	const struct pool_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The pool table: name, pid and comm of each pool (the rest is in stats). */
static void parse_pools(struct snapshot *s, char *text)
{
	int c_id = -1, c_name = -1, c_pid = -1, c_comm = -1, ncols = 0;
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[32];
		int n = tokenize(line, tok, 32), i, pid_at;
		struct pool_info *p = NULL;
		size_t k;

		if (n && !strcmp(tok[0], "id")) {
			ncols = n;
			for (i = 0; i < n; i++) {
				if (!strcmp(tok[i], "id"))
					c_id = i;
				else if (!strcmp(tok[i], "name"))
					c_name = i;
				else if (!strcmp(tok[i], "pid"))
					c_pid = i;
				else if (!strcmp(tok[i], "comm"))
					c_comm = i;
			}
			continue;
		}
		if (n < 2 || !all_digits(tok[0]))
			continue;
		for (k = 0; k < s->n_pools; k++)
			if (s->pools[k].id == (unsigned int)strtoul(tok[0], NULL, 10))
				p = &s->pools[k];
		if (!p)
			continue;
		if (n == ncols && c_id == 0 && c_name > 0 && c_pid > 0 &&
		    c_comm > 0) {
			snprintf(p->name, sizeof(p->name), "%s", tok[c_name]);
			p->pid = atoi(tok[c_pid]);
			snprintf(p->comm, sizeof(p->comm), "%s", tok[c_comm]);
			continue;
		}
		/* a name or comm with spaces: id name... pid comm... numbers */
		for (pid_at = 2; pid_at < n && !all_digits(tok[pid_at]); pid_at++)
			;
		if (pid_at + 1 >= n)
			continue;
		p->name[0] = '\0';
		for (i = 1; i < pid_at; i++) {
			size_t l = strlen(p->name);

			snprintf(p->name + l, sizeof(p->name) - l, "%s%s",
				 i > 1 ? " " : "", tok[i]);
		}
		p->pid = atoi(tok[pid_at]);
		snprintf(p->comm, sizeof(p->comm), "%s", tok[pid_at + 1]);
	}
}

static struct arena_info *arena_get(struct pool_info *p, unsigned int index)
{
	struct arena_info *na;
	size_t i;

	for (i = 0; i < p->n_arenas; i++)
		if (p->arenas[i].index == index)
			return &p->arenas[i];
	na = realloc(p->arenas, (p->n_arenas + 1) * sizeof(*na));
	if (!na)
		return NULL;
	p->arenas = na;
	memset(&na[p->n_arenas], 0, sizeof(*na));
	na[p->n_arenas].index = index;
	return &na[p->n_arenas++];
}

/* <id>/chunks: one row per chunk, columns named by the header. */
static void parse_chunks(struct pool_info *p, char *text)
{
	int c_arena = -1, c_list = -1, c_usage = -1, c_free = -1, c_size = -1;
	int c_used = -1, c_pages = -1, ncols = 0;
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[32];
		int n = tokenize(line, tok, 32), i, l;
		struct arena_info *a;
		struct list_agg *agg;

		if (n && !strcmp(tok[0], "arena")) {
			ncols = n;
			for (i = 0; i < n; i++) {
				if (!strcmp(tok[i], "arena"))
					c_arena = i;
				else if (!strcmp(tok[i], "list"))
					c_list = i;
				else if (!strcmp(tok[i], "usage"))
					c_usage = i;
				else if (!strcmp(tok[i], "free_bytes"))
					c_free = i;
				else if (!strcmp(tok[i], "size"))
					c_size = i;
				else if (!strcmp(tok[i], "pages_used"))
					c_used = i;
				else if (!strcmp(tok[i], "pages"))
					c_pages = i;
			}
			continue;
		}
		if (n != ncols || c_arena < 0 || c_list < 0 ||
		    !all_digits(tok[c_arena]))
			continue;
		l = list_index(tok[c_list]);
		a = arena_get(p, (unsigned int)strtoul(tok[c_arena], NULL, 10));
		if (l < 0 || !a)
			continue;
		agg = &a->lists[l];
		agg->chunks++;
		if (c_free >= 0)
			agg->free += strtoull(tok[c_free], NULL, 10);
		if (c_size >= 0)
			agg->size += strtoull(tok[c_size], NULL, 10);
		if (c_used >= 0)
			agg->pages_used += strtoull(tok[c_used], NULL, 10);
		if (c_pages >= 0)
			agg->pages += strtoull(tok[c_pages], NULL, 10);
		(void)c_usage;
	}
}

static struct sp_class *class_get(struct pool_info *p, unsigned int elem,
				  bool small)
{
	struct sp_class *nc;
	size_t i;

	for (i = 0; i < p->n_classes; i++)
		if (p->classes[i].elem_size == elem)
			return &p->classes[i];
	nc = realloc(p->classes, (p->n_classes + 1) * sizeof(*nc));
	if (!nc)
		return NULL;
	p->classes = nc;
	memset(&nc[p->n_classes], 0, sizeof(*nc));
	nc[p->n_classes].elem_size = elem;
	nc[p->n_classes].small = small;
	return &nc[p->n_classes++];
}

static int cmp_class(const void *a, const void *b)
{
	const struct sp_class *x = a, *y = b;

	return x->elem_size < y->elem_size ? -1 : x->elem_size > y->elem_size;
}

/* <id>/arenas: arena headers, and the subpages of each size class. */
static void parse_arenas(struct pool_info *p, char *text)
{
	struct sp_class *cls = NULL;
	char *save = NULL, *line;
	bool small = false;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int idx, elem, page, used, total;
		ull chunks, buffers, active, key;
		char *t = line;

		while (*t == ' ')
			t++;
		if (sscanf(t, "arena %u: %llu chunks, %llu buffers, %llu bytes active",
			   &idx, &chunks, &buffers, &active) == 4) {
			struct arena_info *a = arena_get(p, idx);

			if (a) {
				a->chunks = chunks;
				a->buffers = buffers;
				a->active = active;
			}
			cls = NULL;
		} else if (!strncmp(t, "tiny subpages", 13)) {
			small = false;
		} else if (!strncmp(t, "small subpages", 14)) {
			small = true;
		} else if (sscanf(t, "%u B:", &elem) == 1 && strstr(t, "B:")) {
			cls = class_get(p, elem, small);
		} else if (cls && sscanf(t, "chunk %llx page %u: %u of %u elements used",
					 &key, &page, &used, &total) == 4) {
			cls->subpages++;
			cls->used += used;
			cls->elems += total;
		}
	}
	if (p->n_classes > 1)
		qsort(p->classes, p->n_classes, sizeof(*p->classes), cmp_class);
}

static int cmp_arena(const void *a, const void *b)
{
	const struct arena_info *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Everything stat shows, read now. only_pool < 0: every pool. Returns 0,
 * or the exit status after saying what is wrong.
 */
static int snapshot_read(struct snapshot *s, long only_pool)
{
	struct dirent *de;
	char *text;
	DIR *dir;
	size_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = check_root();
	if (ret)
		return ret;
	text = read_debugfs("stats", NULL);
	if (!text)
		return fail(NP_EXIT_FAIL, "cannot read %s/stats: %s",
			    debugfs_root, strerror(errno));
	kv_parse(&s->totals, text);
	free(text);

	dir = opendir(debugfs_root);
	if (!dir)
		return fail(NP_EXIT_FAIL, "cannot list %s: %s", debugfs_root,
			    strerror(errno));
	while ((de = readdir(dir))) {
		struct pool_info *np;

		if (!all_digits(de->d_name))
			continue;
		if (only_pool >= 0 && strtol(de->d_name, NULL, 10) != only_pool)
			continue;
		np = realloc(s->pools, (s->n_pools + 1) * sizeof(*np));
		if (!np)
			break;
		s->pools = np;
		memset(&np[s->n_pools], 0, sizeof(*np));
		np[s->n_pools].id = (unsigned int)strtoul(de->d_name, NULL, 10);
		np[s->n_pools].pid = -1;
		snprintf(np[s->n_pools].name, sizeof(np->name), "?");
		snprintf(np[s->n_pools].comm, sizeof(np->comm), "?");
		s->n_pools++;
	}
	closedir(dir);
	if (s->n_pools > 1)
		qsort(s->pools, s->n_pools, sizeof(*s->pools), cmp_pool);

	text = read_debugfs("pools", NULL);
	if (text) {
		parse_pools(s, text);
		free(text);
	}
	for (i = 0; i < s->n_pools; i++) {
		struct pool_info *p = &s->pools[i];
		char name[64];

		/* a pool that went away meanwhile is left out */
		snprintf(name, sizeof(name), "%u/stats", p->id);
		text = read_debugfs(name, NULL);
		if (!text) {
			memmove(p, p + 1, (s->n_pools - i - 1) * sizeof(*p));
			s->n_pools--;
			i--;
			continue;
		}
		kv_parse(&p->stats, text);
		free(text);
		snprintf(name, sizeof(name), "%u/arenas", p->id);
		text = read_debugfs(name, NULL);
		if (text) {
			parse_arenas(p, text);
			free(text);
		}
		snprintf(name, sizeof(name), "%u/chunks", p->id);
		text = read_debugfs(name, NULL);
		if (text) {
			parse_chunks(p, text);
			free(text);
		}
		if (p->n_arenas > 1)
			qsort(p->arenas, p->n_arenas, sizeof(*p->arenas), cmp_arena);
	}
	return 0;
}

/* ------------------------------------------------------------ stat */

static const char *const class_names[] = { "tiny", "small", "normal", "huge" };

static void stat_text_header(const struct kvset *t, size_t n_pools,
			     long only_pool)
{
	ull reserved = kv_get(t, "bytes_reserved");
	ull active = kv_get(t, "bytes_active");
	ull leaked = kv_get(t, "leaked_on_close");
	unsigned int i;

	if (only_pool >= 0)
		printf("%snettypool pool %ld%s:", col(C_BOLD), only_pool, col(C_OFF));
	else
		printf("%snettypool%s: %zu pool%s,", col(C_BOLD), col(C_OFF),
		       n_pools, n_pools == 1 ? "" : "s");
	printf(" %llu chunks, %llu huge regions, %llu buffers\n",
	       kv_get(t, "chunks"), kv_get(t, "huge_regions"),
	       kv_get(t, "active_buffers"));
	printf("  reserved %s, active %s", HUMAN(reserved), HUMAN(active));
	if (reserved)
		printf(" (%llu%%)", active * 100 / reserved);
	printf(", cached %s, %llu cache hits", HUMAN(kv_get(t, "bytes_cached")),
	       kv_get(t, "cache_hits"));
	if (only_pool < 0)
		printf(", %sleaked on close %llu%s",
		       leaked ? col(C_RED) : "", leaked, leaked ? col(C_OFF) : "");
	printf("\n\n%s%-8s %12s %12s %12s%s\n", col(C_REV), "CLASS", "ALLOCS",
	       "FREES", "HELD", col(C_OFF));
	for (i = 0; i < 4; i++) {
		char a[32], f[32];
		ull na, nf;

		snprintf(a, sizeof(a), "alloc_%s", class_names[i]);
		snprintf(f, sizeof(f), "free_%s", class_names[i]);
		na = kv_get(t, a);
		nf = kv_get(t, f);
		printf("%-8s %12llu %12llu %12llu\n", class_names[i], na, nf,
		       na >= nf ? na - nf : 0);
	}
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
		ull r = kv_get(&p->stats, "bytes_reserved");
		ull a = kv_get(&p->stats, "bytes_active");

		printf("%5u %-10.10s %7d %-15.15s %7s %8s %6llu %6llu %5llu %10s %10s %3llu%% %8llu\n",
		       p->id, p->name, p->pid, p->comm,
		       HUMAN(kv_get(&p->stats, "page_size")),
		       HUMAN(kv_get(&p->stats, "chunk_size")),
		       kv_get(&p->stats, "n_arenas"), kv_get(&p->stats, "chunks"),
		       kv_get(&p->stats, "huge_regions"), HUMAN(r), HUMAN(a),
		       r ? a * 100 / r : 0, kv_get(&p->stats, "active_buffers"));
	}
	if (!s->n_pools)
		printf("(no pools: open /dev/nettypool, or try `nettypool demo --hold`)\n");
}

static void stat_text_pool(const struct pool_info *p)
{
	size_t i;
	int l;

	printf("\n%spool %u%s (%s, pid %d %s): chunk lists per arena\n",
	       col(C_BOLD), p->id, col(C_OFF), p->name, p->pid, p->comm);
	printf("%s%5s %6s %8s %10s", col(C_REV), "ARENA", "CHUNKS", "BUFFERS",
	       "ACTIVE");
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++)
		printf(" %5s", list_names[l]);
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
	       col(C_BOLD), p->id, col(C_OFF));
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

	stat_text_header(only_pool >= 0 && s->n_pools ? &s->pools[0].stats :
			 &s->totals, s->n_pools, only_pool);
	stat_text_pools(s);
	for (i = 0; i < s->n_pools; i++)
		stat_text_pool(&s->pools[i]);
}

static void stat_json(const struct snapshot *s, bool compact)
{
	struct jw *w = &jw_out;
	size_t i, j;
	int l;

	jw_start(compact);
	jw_obj(w, NULL);
	jw_int(w, "time", (long long)time(NULL));
	kv_json(w, "totals", &s->totals);
	jw_arr(w, "pools");
	for (i = 0; i < s->n_pools; i++) {
		const struct pool_info *p = &s->pools[i];

		jw_obj(w, NULL);
		jw_u64(w, "id", p->id);
		jw_str(w, "name", p->name);
		jw_int(w, "pid", p->pid);
		jw_str(w, "comm", p->comm);
		kv_json(w, "stats", &p->stats);
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
				jw_obj(w, list_names[l]);
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

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static bool parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end;
}

static int parse_pool_opt(const char *sub, const char *arg, long *pool)
{
	unsigned long v;

	if (!parse_ulong(arg, &v) || v > INT_MAX)
		return usage_error(sub, "--pool takes a pool id (a number), not '%s'",
				   arg);
	*pool = (long)v;
	return 0;
}

static int pool_exists(long id)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%ld", debugfs_root, id);
	if (stat(path, &st) == 0)
		return 0;
	return fail(NP_EXIT_NO_POOL,
		    "there is no pool %ld (the pools are listed by `nettypool stat`)",
		    id);
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

static int cmd_stat(int argc, char **argv)
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
		case 'j':
			json_mode = true;
			break;
		case 'h':
			fputs(stat_usage, stdout);
			return 0;
		default:
			return usage_error("stat", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("stat", "unexpected argument '%s'", argv[optind]);
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

/* ------------------------------------------------------------ layout */

/* The pool to draw when none is named: the one holding the most memory. */
static int pick_pool(long *pool)
{
	struct snapshot s;
	ull best_bytes = 0;
	size_t i, best = 0;
	int ret;

	ret = snapshot_read(&s, -1);
	if (ret) {
		snapshot_free(&s);
		return ret;
	}
	if (!s.n_pools) {
		snapshot_free(&s);
		return fail(NP_EXIT_NO_POOL,
			    "there is no pool to draw: open /dev/nettypool (or run `nettypool demo --hold`) first");
	}
	for (i = 0; i < s.n_pools; i++) {
		ull r = kv_get(&s.pools[i].stats, "bytes_reserved");

		if (r > best_bytes || !i) {
			best_bytes = r;
			best = i;
		}
	}
	*pool = s.pools[best].id;
	if (s.n_pools > 1)
		fprintf(stderr, "%s: %zu pools; drawing pool %ld, the largest (choose one with --pool ID)\n",
			prog, s.n_pools, *pool);
	snapshot_free(&s);
	return 0;
}

/* Find dot: $NETTYPOOL_DOT, else "dot" in $PATH. */
static bool find_dot(char *path, size_t len)
{
	const char *env = getenv("NETTYPOOL_DOT"), *p;

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return access(path, X_OK) == 0;
	}
	p = getenv("PATH");
	if (!p)
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");

		snprintf(path, len, "%.*s/dot", (int)n, n ? p : ".");
		if (access(path, X_OK) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

/* Feed the graph to dot -T<format> -o <file>. */
static int render(const char *text, size_t len, const char *format,
		  const char *file)
{
	char dot[PATH_MAX], fmt[16];
	int pipefd[2], status;
	size_t off = 0;
	pid_t pid;

	if (!find_dot(dot, sizeof(dot)))
		return fail(NP_EXIT_NO_GRAPHVIZ,
			    "graphviz is not installed (no `dot` in PATH): install it (apt-get install graphviz), or take the text with `nettypool layout > pool.dot` and render it elsewhere");
	if (pipe(pipefd))
		return fail(NP_EXIT_FAIL, "pipe: %s", strerror(errno));
	snprintf(fmt, sizeof(fmt), "-T%s", format);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(NP_EXIT_FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		dup2(pipefd[0], 0);
		close(pipefd[0]);
		close(pipefd[1]);
		if (json_mode)
			dup2(2, 1);	/* keep stdout for the JSON */
		execl(dot, dot, fmt, "-o", file, (char *)NULL);
		_exit(127);
	}
	close(pipefd[0]);
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		ssize_t n = write(pipefd[1], text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(NP_EXIT_FAIL, "%s %s -o %s failed (status %d)", dot, fmt,
			    file, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static const char layout_usage[] =
	"usage: nettypool layout [--pool ID] [--svg FILE | --png FILE] [--json]\n"
	"\n"
	"The pool's structure as a graphviz graph (its debugfs file layout.dot):\n"
	"arenas, the six chunk lists and their links, chunks with their usage,\n"
	"subpage pools and subpages, huge regions. Without --svg/--png, the dot\n"
	"text; with them, rendered by graphviz's dot into FILE.\n"
	"\n"
	"  -p, --pool ID   this pool (default: the one holding the most memory)\n"
	"  -s, --svg FILE  render as SVG into FILE\n"
	"  -P, --png FILE  render as PNG into FILE\n"
	"  -j, --json      {\"pool\": ID, \"dot\": TEXT} (or what was rendered where)\n"
	"  -h, --help      this text\n";

static int cmd_layout(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' },
		{ "svg", required_argument, NULL, 's' },
		{ "png", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = NULL, *file = NULL;
	char name[64], *text;
	long pool = -1;
	size_t len;
	int c, ret;

	while ((c = getopt_long(argc, argv, "p:s:P:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ret = parse_pool_opt("layout", optarg, &pool);
			if (ret)
				return ret;
			break;
		case 's':
		case 'P':
			if (file)
				return usage_error("layout", "one of --svg and --png, once");
			format = c == 's' ? "svg" : "png";
			file = optarg;
			break;
		case 'j':
			json_mode = true;
			break;
		case 'h':
			fputs(layout_usage, stdout);
			return 0;
		default:
			return usage_error("layout", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("layout", "unexpected argument '%s'", argv[optind]);
	ret = check_root();
	if (ret)
		return ret;
	if (pool < 0) {
		ret = pick_pool(&pool);
		if (ret)
			return ret;
	} else {
		ret = pool_exists(pool);
		if (ret)
			return ret;
	}
	snprintf(name, sizeof(name), "%ld/layout.dot", pool);
	text = read_debugfs(name, &len);
	if (!text) {
		if (errno == ENOENT)
			return fail(NP_EXIT_UNAVAILABLE,
				    "layout graphs are not available in this nettypool.ko (no %s/%s)",
				    debugfs_root, name);
		if (errno == EACCES || errno == EPERM)
			return permission_denied(name);
		return fail(NP_EXIT_FAIL, "cannot read %s/%s: %s", debugfs_root,
			    name, strerror(errno));
	}
	if (file) {
		struct stat st;

		ret = render(text, len, format, file);
		if (!ret && json_mode) {
			jw_start(false);
			jw_obj(&jw_out, NULL);
			jw_u64(&jw_out, "pool", (ull)pool);
			jw_str(&jw_out, "format", format);
			jw_str(&jw_out, "file", file);
			jw_u64(&jw_out, "bytes", stat(file, &st) ? 0 : (ull)st.st_size);
			jw_obj_end(&jw_out);
		} else if (!ret) {
			printf("pool %ld: %s written to %s\n", pool, format, file);
		}
	} else if (json_mode) {
		jw_start(false);
		jw_obj(&jw_out, NULL);
		jw_u64(&jw_out, "pool", (ull)pool);
		jw_str(&jw_out, "dot", text);
		jw_obj_end(&jw_out);
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	if (!ret && ferror(stdout))
		ret = NP_EXIT_FAIL;
	return ret;
}

/* ------------------------------------------------------------ leaks */

/*
 * /sys/kernel/debug/nettypool/leaks: records separated by blank lines,
 *
 *   leak pool=<id> kind=<kernel|user> addr=<hex> capacity=<n> age_ms=<n>
 *        tag=<hex> pid=<n> comm=<name, to the end of the line>
 *     allocated at:
 *       <frame>
 *     retained at (#1):        (advanced and paranoid: later touches)
 *       <frame>
 */
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
	char *touches;		/* the other sections, as printed */
	size_t group;
};

struct leak_group {
	struct leak *first;
	ull count;
	ull bytes;
	ull oldest_ms;
};

static void str_append(char **dst, const char *s)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *n = realloc(*dst, old + strlen(s) + 2);

	if (!n)
		return;
	strcpy(n + old, s);
	strcat(n + old, "\n");
	*dst = n;
}

static const char *field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? p + strlen(key) : NULL;
}

static bool parse_leak_head(const char *line, struct leak *lk)
{
	const char *v;

	memset(lk, 0, sizeof(*lk));
	if (strncmp(line, "leak ", 5))
		return false;
	v = field(line, " pool=");
	lk->pool = v ? (unsigned int)strtoul(v, NULL, 10) : 0;
	v = field(line, " kind=");
	if (v)
		sscanf(v, "%7[a-z]", lk->kind);
	v = field(line, " addr=");
	lk->addr = v ? strtoull(v, NULL, 16) : 0;
	v = field(line, " capacity=");
	lk->capacity = v ? strtoull(v, NULL, 10) : 0;
	v = field(line, " age_ms=");
	lk->age_ms = v ? strtoull(v, NULL, 10) : 0;
	v = field(line, " tag=");
	lk->tag = v ? strtoull(v, NULL, 16) : 0;
	v = field(line, " pid=");
	lk->pid = v ? atoi(v) : -1;
	v = field(line, " comm=");
	snprintf(lk->comm, sizeof(lk->comm), "%s", v ? v : "?");
	if (!lk->kind[0])
		snprintf(lk->kind, sizeof(lk->kind), "?");
	return true;
}

static bool same_group(const struct leak *a, const struct leak *b)
{
	if (strcmp(a->kind, b->kind))
		return false;
	if (a->stack || b->stack)
		return a->stack && b->stack && !strcmp(a->stack, b->stack);
	return a->tag == b->tag && !strcmp(a->comm, b->comm);
}

static int cmp_group(const void *a, const void *b)
{
	const struct leak_group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

static void print_frames(const char *frames, const char *indent)
{
	const char *p = frames;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		printf("%s%.*s\n", indent, (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

static void json_frames(struct jw *w, const char *key, const char *frames)
{
	const char *p = frames;

	jw_arr(w, key);
	while (p && *p) {
		char frame[512];
		size_t n = strcspn(p, "\n");

		snprintf(frame, sizeof(frame), "%.*s", (int)n, p);
		jw_str(w, NULL, frame);
		p += n;
		if (*p)
			p++;
	}
	jw_arr_end(w);
}

/* Later records ("retained at (#1):" and its frames) as objects. */
static void json_touches(struct jw *w, const char *key, const char *text)
{
	const char *p = text;
	bool open = false;

	jw_arr(w, key);
	while (p && *p) {
		char line[512];
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n;
		if (*p)
			p++;
		if (line[0] == ' ') {
			if (open)
				jw_str(w, NULL, line + strspn(line, " "));
			continue;
		}
		if (open) {
			jw_arr_end(w);
			jw_obj_end(w);
		}
		if (n && line[n - 1] == ':')
			line[n - 1] = '\0';
		jw_obj(w, NULL);
		jw_str(w, "what", line);
		jw_arr(w, "stack");
		open = true;
	}
	if (open) {
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static const char leaks_usage[] =
	"usage: nettypool leaks [--json]\n"
	"\n"
	"The leak detector's suspects: buffers it tracks that are still live,\n"
	"grouped by allocation stack (kernel pools) or by process and tag\n"
	"(pools opened from userspace), the group holding the most bytes first.\n"
	"The detector samples (simple, advanced) or tracks everything\n"
	"(paranoid), as set by the module parameter or the pool's config.\n"
	"\n"
	"  -j, --json  groups, with every buffer, as one JSON object\n"
	"  -h, --help  this text\n";

static int cmd_leaks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct leak *leaks = NULL, *cur = NULL;
	struct leak_group *groups = NULL;
	size_t n_leaks = 0, n_groups = 0, i, g;
	char *text, *save = NULL, *line, path[PATH_MAX];
	bool in_alloc = false;
	ull total = 0;
	int c, ret;
	struct jw *w = &jw_out;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_mode = true;
			break;
		case 'h':
			fputs(leaks_usage, stdout);
			return 0;
		default:
			return usage_error("leaks", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("leaks", "unexpected argument '%s'", argv[optind]);
	ret = check_root();
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/leaks", debugfs_root);
	text = read_all(path, NULL);
	if (!text) {
		if (errno == ENOENT)
			return fail(NP_EXIT_UNAVAILABLE,
				    "the leak detector is not available in this nettypool.ko (no leaks file)");
		if (errno == EACCES || errno == EPERM)
			return permission_denied(path);
		return fail(NP_EXIT_FAIL, "cannot read %s: %s", path,
			    strerror(errno));
	}

	/* strtok_r skips blank lines: a record starts at each "leak " line */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *t = line;

		if (!strncmp(line, "leak ", 5)) {
			struct leak *nl = realloc(leaks, (n_leaks + 1) * sizeof(*nl));

			if (!nl)
				break;
			leaks = nl;
			cur = &leaks[n_leaks];
			if (parse_leak_head(line, cur))
				n_leaks++;
			else
				cur = NULL;
			in_alloc = false;
			continue;
		}
		if (!cur)
			continue;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!*t)
			continue;
		if (!strcmp(t, "allocated at:")) {
			in_alloc = true;
		} else if (t[strlen(t) - 1] == ':' && line[0] == ' ' &&
			   line[1] == ' ' && line[2] != ' ') {
			in_alloc = false;
			str_append(&cur->touches, t);
		} else if (in_alloc) {
			str_append(&cur->stack, t);
		} else {
			char frame[600];

			snprintf(frame, sizeof(frame), "  %s", t);
			str_append(&cur->touches, frame);
		}
	}
	free(text);

	/* group, biggest first */
	for (i = 0; i < n_leaks; i++) {
		for (g = 0; g < n_groups; g++)
			if (same_group(groups[g].first, &leaks[i]))
				break;
		if (g == n_groups) {
			struct leak_group *ng = realloc(groups, (n_groups + 1) * sizeof(*ng));

			if (!ng)
				break;
			groups = ng;
			memset(&groups[g], 0, sizeof(*groups));
			groups[g].first = &leaks[i];
			n_groups++;
		}
		leaks[i].group = g;
		groups[g].count++;
		groups[g].bytes += leaks[i].capacity;
		if (leaks[i].age_ms > groups[g].oldest_ms)
			groups[g].oldest_ms = leaks[i].age_ms;
		total += leaks[i].capacity;
	}
	if (n_groups > 1)
		qsort(groups, n_groups, sizeof(*groups), cmp_group);

	if (json_mode) {
		jw_start(false);
		jw_obj(w, NULL);
		jw_u64(w, "suspects", n_leaks);
		jw_u64(w, "bytes", total);
		jw_arr(w, "groups");
		for (g = 0; g < n_groups; g++) {
			const struct leak *f = groups[g].first;

			jw_obj(w, NULL);
			jw_str(w, "kind", f->kind);
			jw_u64(w, "count", groups[g].count);
			jw_u64(w, "bytes", groups[g].bytes);
			jw_u64(w, "oldest_age_ms", groups[g].oldest_ms);
			if (f->stack)
				json_frames(w, "stack", f->stack);
			else
				jw_null(w, "stack");
			jw_str(w, "comm", f->comm);
			jw_hex(w, "tag", f->tag);
			jw_arr(w, "buffers");
			for (i = 0; i < n_leaks; i++) {
				if (leaks[i].group != f->group)
					continue;
				jw_obj(w, NULL);
				jw_u64(w, "pool", leaks[i].pool);
				jw_hex(w, "addr", leaks[i].addr);
				jw_u64(w, "capacity", leaks[i].capacity);
				jw_u64(w, "age_ms", leaks[i].age_ms);
				jw_int(w, "pid", leaks[i].pid);
				jw_str(w, "comm", leaks[i].comm);
				jw_hex(w, "tag", leaks[i].tag);
				if (leaks[i].touches)
					json_touches(w, "records", leaks[i].touches);
				jw_obj_end(w);
			}
			jw_arr_end(w);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	} else if (!n_leaks) {
		printf("%sno leak suspects%s (the detector tracks nothing live; is it disabled?)\n",
		       col(C_GREEN), col(C_OFF));
	} else {
		printf("%s%zu leak suspect%s, %s, in %zu group%s%s (biggest first)\n",
		       col(C_BOLD), n_leaks, n_leaks == 1 ? "" : "s", HUMAN(total),
		       n_groups, n_groups == 1 ? "" : "s", col(C_OFF));
		for (g = 0; g < n_groups; g++) {
			const struct leak *f = groups[g].first;
			char pools[128] = "";
			unsigned int n_pools = 0;

			/* the pools it spans, each once */
			for (i = 0; i < n_leaks; i++) {
				size_t k, l = strlen(pools);
				bool dup = false;

				if (leaks[i].group != f->group)
					continue;
				for (k = 0; k < i; k++)
					if (leaks[k].group == f->group &&
					    leaks[k].pool == leaks[i].pool)
						dup = true;
				if (dup)
					continue;
				if (n_pools++ < 8)
					snprintf(pools + l, sizeof(pools) - l, "%s%u",
						 l ? "," : "", leaks[i].pool);
				else if (n_pools == 9)
					snprintf(pools + l, sizeof(pools) - l, ",...");
			}
			printf("\n%s#%zu  %llu buffer%s, %s%s  %s  pool%s %s",
			       col(C_RED), g + 1, groups[g].count,
			       groups[g].count == 1 ? "" : "s",
			       HUMAN(groups[g].bytes), col(C_OFF), f->kind,
			       n_pools == 1 ? "" : "s", pools);
			printf("  comm %s  pid %d", f->comm, f->pid);
			if (!f->stack || f->tag)
				printf("  tag 0x%llx", f->tag);
			printf("  oldest %llu ms\n", groups[g].oldest_ms);
			if (f->stack) {
				printf("    allocated at:\n");
				print_frames(f->stack, "      ");
			}
			if (f->touches) {
				if (groups[g].count > 1)
					printf("    (and, for its first buffer:)\n");
				print_frames(f->touches, "    ");
			}
		}
	}
	for (i = 0; i < n_leaks; i++) {
		free(leaks[i].stack);
		free(leaks[i].touches);
	}
	free(leaks);
	free(groups);
	return ferror(stdout) ? NP_EXIT_FAIL : 0;
}

/* ------------------------------------------------------------ demo */

#define NP_STAT(field) { #field, offsetof(struct np_stats, field) }

static const struct {
	const char *name;
	size_t offset;
} stat_fields[] = {
	NP_STAT(page_size), NP_STAT(chunk_size), NP_STAT(n_arenas),
	NP_STAT(chunks), NP_STAT(huge_regions), NP_STAT(bytes_reserved),
	NP_STAT(bytes_active), NP_STAT(bytes_cached), NP_STAT(alloc_tiny),
	NP_STAT(alloc_small), NP_STAT(alloc_normal), NP_STAT(alloc_huge),
	NP_STAT(free_tiny), NP_STAT(free_small), NP_STAT(free_normal),
	NP_STAT(free_huge), NP_STAT(cache_hits), NP_STAT(active_buffers),
	NP_STAT(leaked_on_close),
};

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
		printf(" %s=%llu", list_names[i], (ull)st->chunklist_chunks[i]);
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
	for (i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
		jw_u64(&jw_out, stat_fields[i].name,
		       *(const __u64 *)((const char *)&st + stat_fields[i].offset));
	jw_obj(&jw_out, "chunk_lists");
	for (l = 0; l < NP_NR_CHUNK_LISTS; l++)
		jw_u64(&jw_out, list_names[l], st.chunklist_chunks[l]);
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
	char *text = read_debugfs("pools", NULL), *save = NULL, *line;
	long id = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok[32];
		int n = tokenize(line, tok, 32), i;

		/* id name... pid: the first number after the name */
		if (n < 3 || !all_digits(tok[0]))
			continue;
		for (i = 2; i < n && !all_digits(tok[i]); i++)
			;
		if (i < n && atoi(tok[i]) == (int)getpid() &&
		    strtol(tok[0], NULL, 10) > id)
			id = strtol(tok[0], NULL, 10);
	}
	free(text);
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

static int cmd_demo(int argc, char **argv)
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
		case 'j':
			json_mode = true;
			break;
		case 'h':
			fputs(demo_usage, stdout);
			return 0;
		default:
			return usage_error("demo", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("demo", "unexpected argument '%s'", argv[optind]);
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

/* ------------------------------------------------------------ main */

static const char main_usage[] =
	"usage: nettypool [--color=auto|always|never] COMMAND [OPTIONS]\n"
	"\n"
	"Look inside nettypool.ko, Netty's pooled buffer allocator in the kernel.\n"
	"\n"
	"  stat    pools, arenas, chunk lists and size classes (slabtop-like)\n"
	"  layout  a pool's structure as a graphviz graph (dot text, SVG, PNG)\n"
	"  leaks   the leak detector's suspects, grouped by allocation stack\n"
	"  demo    allocate a workload through libnettypool and show the stats\n"
	"\n"
	"Every command takes --json and --help. Reads /sys/kernel/debug/nettypool\n"
	"(root only), or $NETTYPOOL_DEBUGFS. Colour on a terminal unless $NO_COLOR.\n"
	"\n"
	"Exit status: 0 ok, 1 failed, 2 not available in this nettypool.ko,\n"
	"3 module not loaded, 4 debugfs not mounted, 5 permission denied,\n"
	"6 graphviz not installed, 7 no such pool, 64 usage error.\n";

int main(int argc, char **argv)
{
	const char *color = "auto", *env;
	int i;

	env = getenv("NETTYPOOL_DEBUGFS");
	if (env && *env)
		debugfs_root = env;
#ifdef NETTYPOOL_DEMO_ONLY
	prog = "nettypool-demo";
	use_color = false;
	return cmd_demo(argc, argv);
#endif
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strncmp(argv[i], "--color=", 8)) {
			color = argv[i] + 8;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(main_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json_mode = true;
		} else {
			return usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (!strcmp(color, "always"))
		use_color = true;
	else if (!strcmp(color, "auto"))
		use_color = isatty(1) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	else if (strcmp(color, "never"))
		return usage_error(NULL, "--color is auto, always or never, not '%s'",
				   color);
	if (i >= argc) {
		fputs(main_usage, stderr);
		return fail(NP_EXIT_USAGE, "which command? (stat, layout, leaks, demo)");
	}
	argc -= i;
	argv += i;
	optind = 1;
	if (!strcmp(argv[0], "stat"))
		return cmd_stat(argc, argv);
	if (!strcmp(argv[0], "layout"))
		return cmd_layout(argc, argv);
	if (!strcmp(argv[0], "leaks"))
		return cmd_leaks(argc, argv);
	if (!strcmp(argv[0], "demo"))
		return cmd_demo(argc, argv);
	if (!strcmp(argv[0], "help")) {
		fputs(main_usage, stdout);
		return 0;
	}
	return usage_error(NULL, "unknown command '%s' (stat, layout, leaks, demo)",
			   argv[0]);
}
