// SPDX-License-Identifier: GPL-2.0
/*
 * The module's debugfs directory (/sys/kernel/debug/nettypool, or
 * $NETTYPOOL_DEBUGFS): whether it is there and readable, and if not why
 * not; its files; and the snapshot of every pool that stat draws.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cli.h"

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC		0x64626720
#endif

#define NP_DEBUGFS_DEFAULT	"/sys/kernel/debug/nettypool"
#define NP_DEBUGFS_MOUNT	"/sys/kernel/debug"

/*
 * Is the module's debugfs directory there and readable? 0 when it is,
 * else the exit status, after saying why not.
 */
int check_root(void)
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

/*
 * Read a whole file (debugfs files say size 0: read to EOF). Returns a
 * NUL-terminated buffer to free, or NULL with errno set.
 */
char *read_all(const char *path, size_t *lenp)
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

/* NAME: a path below the debugfs directory. */
char *read_debugfs(const char *name, size_t *lenp)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", debugfs_root, name);
	return read_all(path, lenp);
}

int pool_exists(long id)
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

void snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_pools; i++) {
		stats_free(&s->pools[i].stats);
		free(s->pools[i].arenas);
		free(s->pools[i].classes);
	}
	free(s->pools);
	stats_free(&s->totals);
	memset(s, 0, sizeof(*s));
}

static int cmp_pool(const void *a, const void *b)
{
	const struct pool_info *x = a, *y = b;

	return x->row.id < y->row.id ? -1 : x->row.id > y->row.id;
}

/* Each pool's name, pid and comm from the pool table. */
static void snapshot_read_pools(struct snapshot *s)
{
	struct pool_row *rows;
	size_t n_rows, i, k;
	char *text = read_debugfs("pools", NULL);

	if (!text)
		return;
	pools_parse(text, &rows, &n_rows);
	free(text);
	for (i = 0; i < n_rows; i++)
		for (k = 0; k < s->n_pools; k++)
			if (s->pools[k].row.id == rows[i].id)
				s->pools[k].row = rows[i];
	free(rows);
}

/*
 * A pool's files; 1 when it went away meanwhile (its stats file is gone),
 * so that it is left out.
 */
static int snapshot_read_pool(struct pool_info *p)
{
	char name[64], *text;

	snprintf(name, sizeof(name), "%u/stats", p->row.id);
	text = read_debugfs(name, NULL);
	if (!text)
		return 1;
	stats_parse(&p->stats, text);
	free(text);
	snprintf(name, sizeof(name), "%u/arenas", p->row.id);
	text = read_debugfs(name, NULL);
	if (text) {
		arenas_parse(p, text);
		free(text);
	}
	snprintf(name, sizeof(name), "%u/chunks", p->row.id);
	text = read_debugfs(name, NULL);
	if (text) {
		chunks_parse(p, text);
		free(text);
	}
	return 0;
}

/*
 * Everything stat shows, read now. only_pool < 0: every pool. Returns 0,
 * or the exit status after saying what is wrong.
 */
int snapshot_read(struct snapshot *s, long only_pool)
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
	stats_parse(&s->totals, text);
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
		np = ARRAY_ADD(s->pools, s->n_pools);
		if (!np)
			break;
		np->row.id = (unsigned int)strtoul(de->d_name, NULL, 10);
		np->row.pid = -1;
		snprintf(np->row.name, sizeof(np->row.name), "?");
		snprintf(np->row.comm, sizeof(np->row.comm), "?");
	}
	closedir(dir);
	if (s->n_pools > 1)
		qsort(s->pools, s->n_pools, sizeof(*s->pools), cmp_pool);

	snapshot_read_pools(s);
	for (i = 0; i < s->n_pools; i++) {
		if (!snapshot_read_pool(&s->pools[i]))
			continue;
		memmove(&s->pools[i], &s->pools[i + 1],
			(s->n_pools - i - 1) * sizeof(s->pools[i]));
		s->n_pools--;
		i--;
	}
	return 0;
}
