// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool layout: a pool's structure as a graphviz digraph, the
 * module's <id>/layout.dot as it is, or rendered by dot (--svg, --png).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

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
		ull r = s.pools[i].stats.st.bytes_reserved;

		if (r > best_bytes || !i) {
			best_bytes = r;
			best = i;
		}
	}
	*pool = s.pools[best].row.id;
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

int cmd_layout(int argc, char **argv)
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
		default:
			ret = common_option(c, "layout", layout_usage);
			if (ret >= 0)
				return ret;
		}
	}
	ret = no_operands("layout", argc, argv);
	if (ret)
		return ret;
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

