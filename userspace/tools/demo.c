// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool-demo: a short mixed workload through libnettypool, with the
 * pool's statistics after each phase. make run uses it.
 *
 * With --debugfs, and when the pool lives in the kernel, it also prints
 * what /sys/kernel/debug/nettypool/ shows while the buffers are live: the
 * totals, the pool table, and the pool's arenas and chunks.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nettypool.h"

#define NR_BUFS 2048

static void print_stats(struct np_pool *pool, const char *when)
{
	static const char *const lists[NP_NR_CHUNK_LISTS] = {
		"qInit", "q000", "q025", "q050", "q075", "q100",
	};
	struct np_stats st;
	int i;

	if (np_pool_stats(pool, &st)) {
		perror("np_pool_stats");
		exit(1);
	}
	printf("\n-- %s (%s backend) --\n", when,
	       np_pool_backend(pool) == NP_BACKEND_KERNEL ? "kernel" : "local");
	printf("%-16s %llu\n", "page_size", (unsigned long long)st.page_size);
	printf("%-16s %llu\n", "chunk_size", (unsigned long long)st.chunk_size);
	printf("%-16s %llu\n", "chunks", (unsigned long long)st.chunks);
	printf("%-16s %llu\n", "huge_regions", (unsigned long long)st.huge_regions);
	printf("%-16s %llu\n", "bytes_reserved", (unsigned long long)st.bytes_reserved);
	printf("%-16s %llu\n", "bytes_active", (unsigned long long)st.bytes_active);
	printf("%-16s %llu\n", "active_buffers", (unsigned long long)st.active_buffers);
	printf("%-16s tiny %llu, small %llu, normal %llu, huge %llu\n", "allocations",
	       (unsigned long long)st.alloc_tiny, (unsigned long long)st.alloc_small,
	       (unsigned long long)st.alloc_normal, (unsigned long long)st.alloc_huge);
	printf("%-16s tiny %llu, small %llu, normal %llu, huge %llu\n", "frees",
	       (unsigned long long)st.free_tiny, (unsigned long long)st.free_small,
	       (unsigned long long)st.free_normal, (unsigned long long)st.free_huge);
	printf("%-16s", "chunk lists");
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		printf(" %s=%llu", lists[i], (unsigned long long)st.chunklist_chunks[i]);
	printf("\n");
}

static void cat_file(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("(cannot read %s: %s)\n", path, strerror(errno));
		return;
	}
	printf("\n== %s ==\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
}

/* The totals, the pool table, and every pool's arenas and chunks. */
static void show_debugfs(void)
{
	static const char root[] = "/sys/kernel/debug/nettypool";
	char path[512];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/stats", root);
	cat_file(path);
	snprintf(path, sizeof(path), "%s/pools", root);
	cat_file(path);
	dir = opendir(root);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/arenas", root, de->d_name);
		cat_file(path);
		snprintf(path, sizeof(path), "%s/%s/chunks", root, de->d_name);
		cat_file(path);
	}
	closedir(dir);
}

int main(int argc, char **argv)
{
	int debugfs = argc > 1 && !strcmp(argv[1], "--debugfs");
	static const size_t sizes[] = { 24, 100, 496, 800, 3000, 16384, 65536,
					1 << 20, 5 << 20 };
	struct np_pool *pool;
	void *bufs[NR_BUFS];
	unsigned int seed = 42;
	int i;

	pool = np_pool_open(NULL);
	if (!pool) {
		fprintf(stderr, "np_pool_open: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < NR_BUFS; i++) {
		size_t size = sizes[rand_r(&seed) % (sizeof(sizes) / sizeof(sizes[0]) - 1)];

		if (i == NR_BUFS - 1)
			size = sizes[sizeof(sizes) / sizeof(sizes[0]) - 1];
		bufs[i] = np_alloc(pool, size);
		if (!bufs[i]) {
			fprintf(stderr, "np_alloc(%zu): %s\n", size, strerror(errno));
			return 1;
		}
		memset(bufs[i], i & 0xff, size);
	}
	print_stats(pool, "after 2048 allocations");
	if (debugfs && np_pool_backend(pool) == NP_BACKEND_KERNEL)
		show_debugfs();
	for (i = 0; i < NR_BUFS; i += 2)
		np_free(pool, bufs[i]);
	print_stats(pool, "after freeing every other buffer");
	for (i = 1; i < NR_BUFS; i += 2)
		np_free(pool, bufs[i]);
	np_trim(pool);
	print_stats(pool, "after freeing the rest and trimming");
	return np_pool_close(pool) ? 1 : 0;
}
