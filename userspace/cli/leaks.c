// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool leaks: the leak detector's suspects, the buffers it tracks
 * that are still live, grouped by allocation stack (pools made in the
 * kernel) or by process and tag (pools opened from userspace), the group
 * holding the most bytes first.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"

struct leak_group {
	struct leak *first;
	ull count;
	ull bytes;
	ull oldest_ms;
};

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

/* The records ("retained at (#1):" and its frames) as objects. */
static void json_records(struct jw *w, const char *key, const char *text)
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

/* Group the suspects, biggest first; the number of groups, or -1. */
static ssize_t leaks_group(struct leak *leaks, size_t n_leaks,
			   struct leak_group **groupsp)
{
	struct leak_group *groups = NULL;
	size_t n_groups = 0, i, g;

	for (i = 0; i < n_leaks; i++) {
		for (g = 0; g < n_groups; g++)
			if (same_group(groups[g].first, &leaks[i]))
				break;
		if (g == n_groups) {
			struct leak_group *ng = ARRAY_ADD(groups, n_groups);

			if (!ng) {
				free(groups);
				return -1;
			}
			ng->first = &leaks[i];
		}
		leaks[i].group = g;
		groups[g].count++;
		groups[g].bytes += leaks[i].capacity;
		if (leaks[i].age_ms > groups[g].oldest_ms)
			groups[g].oldest_ms = leaks[i].age_ms;
	}
	if (n_groups > 1)
		qsort(groups, n_groups, sizeof(*groups), cmp_group);
	*groupsp = groups;
	return (ssize_t)n_groups;
}

static void leaks_json(const struct leak *leaks, size_t n_leaks,
		       const struct leak_group *groups, size_t n_groups,
		       ull total)
{
	struct jw *w = &jw_out;
	size_t i, g;

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
			if (leaks[i].records)
				json_records(w, "records", leaks[i].records);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* The pools a group spans, each once: "4,5", and ",..." past 8. */
static unsigned int group_pools(const struct leak *leaks, size_t n_leaks,
				size_t group, char *pools, size_t len)
{
	unsigned int n_pools = 0;
	size_t i, k;

	pools[0] = '\0';
	for (i = 0; i < n_leaks; i++) {
		size_t l = strlen(pools);
		bool dup = false;

		if (leaks[i].group != group)
			continue;
		for (k = 0; k < i; k++)
			if (leaks[k].group == group &&
			    leaks[k].pool == leaks[i].pool)
				dup = true;
		if (dup)
			continue;
		if (n_pools++ < 8)
			snprintf(pools + l, len - l, "%s%u", l ? "," : "",
				 leaks[i].pool);
		else if (n_pools == 9)
			snprintf(pools + l, len - l, ",...");
	}
	return n_pools;
}

static void leaks_text(const struct leak *leaks, size_t n_leaks,
		       const struct leak_group *groups, size_t n_groups,
		       ull total)
{
	size_t g;

	if (!n_leaks) {
		printf("%sno leak suspects%s (the detector tracks nothing live; is it disabled?)\n",
		       col(C_GREEN), col(C_OFF));
		return;
	}
	printf("%s%zu leak suspect%s, %s, in %zu group%s%s (biggest first)\n",
	       col(C_BOLD), n_leaks, n_leaks == 1 ? "" : "s", HUMAN(total),
	       n_groups, n_groups == 1 ? "" : "s", col(C_OFF));
	for (g = 0; g < n_groups; g++) {
		const struct leak *f = groups[g].first;
		char pools[128];
		unsigned int n_pools = group_pools(leaks, n_leaks, f->group,
						   pools, sizeof(pools));

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
		if (f->records) {
			if (groups[g].count > 1)
				printf("    (and, for its first buffer:)\n");
			print_frames(f->records, "    ");
		}
	}
}

int cmd_leaks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct leak_group *groups = NULL;
	struct leak *leaks = NULL;
	size_t n_leaks = 0, i;
	char *text, path[PATH_MAX];
	ssize_t n_groups;
	ull total = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		default:
			ret = common_option(c, "leaks", leaks_usage);
			if (ret >= 0)
				return ret;
		}
	}
	ret = no_operands("leaks", argc, argv);
	if (ret)
		return ret;
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
	ret = leaks_parse(text, &leaks, &n_leaks);
	free(text);
	n_groups = ret ? -1 : leaks_group(leaks, n_leaks, &groups);
	if (n_groups < 0) {
		leaks_free(leaks, n_leaks);
		return fail(NP_EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < n_leaks; i++)
		total += leaks[i].capacity;
	if (json_mode)
		leaks_json(leaks, n_leaks, groups, (size_t)n_groups, total);
	else
		leaks_text(leaks, n_leaks, groups, (size_t)n_groups, total);
	leaks_free(leaks, n_leaks);
	free(groups);
	return ferror(stdout) ? NP_EXIT_FAIL : 0;
}
