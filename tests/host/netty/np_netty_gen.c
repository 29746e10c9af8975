// SPDX-License-Identifier: GPL-2.0
/*
 * np_netty_gen: writes the traces the netty lane replays through Netty
 * and through nettypool, each from a fixed seed, so that every run
 * replays the same operations.
 *
 *   np_netty_gen OUTDIR       writes OUTDIR/NAME.trace for every trace
 *
 * Kept out of every trace, on purpose (documented differences):
 *  - requests of 0 bytes: Netty 4.1 gives them a subpage of element size
 *    0 that takes a page and never returns it; nettypool serves 16 bytes;
 *  - anything of the caches: both replayers run without caches.
 * Huge requests are in (they leave the pool alone); their capacity is the
 * one documented difference the Java side rounds itself.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gen {
	FILE *f;
	uint64_t rng;
	unsigned int page_shift, max_order;
	uint64_t chunk;
	unsigned long next_id;
	/* live buffers: id and requested size */
	unsigned long *ids;
	uint64_t *sizes;
	size_t nr, cap;
	uint64_t live_bytes;
};

/* splitmix64: small, fast, and the same everywhere */
static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct gen *g, uint64_t n)
{
	return n ? rnd(g) % n : 0;
}

static uint64_t in_range(struct gen *g, uint64_t lo, uint64_t hi)
{
	return lo + below(g, hi - lo + 1);
}

static void start(struct gen *g, const char *dir, const char *name,
		  const char *what, uint64_t seed, unsigned int page_size,
		  unsigned int max_order)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.trace", dir, name);
	memset(g, 0, sizeof(*g));
	g->f = fopen(path, "w");
	if (!g->f) {
		perror(path);
		exit(1);
	}
	g->rng = seed;
	g->page_shift = __builtin_ctz(page_size);
	g->max_order = max_order;
	g->chunk = (uint64_t)page_size << max_order;
	fprintf(g->f, "# %s (seed %llu)\ngeometry %u %u\n", what,
		(unsigned long long)seed, page_size, max_order);
}

static unsigned long alloc(struct gen *g, uint64_t size)
{
	if (g->nr == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 256;
		g->ids = realloc(g->ids, g->cap * sizeof(*g->ids));
		g->sizes = realloc(g->sizes, g->cap * sizeof(*g->sizes));
		if (!g->ids || !g->sizes)
			exit(1);
	}
	g->ids[g->nr] = ++g->next_id;
	g->sizes[g->nr++] = size;
	g->live_bytes += size;
	fprintf(g->f, "alloc %lu %llu\n", g->next_id, (unsigned long long)size);
	return g->next_id;
}

/* Free the i-th live buffer; the last one takes its place. */
static void free_at(struct gen *g, size_t i)
{
	fprintf(g->f, "free %lu\n", g->ids[i]);
	g->live_bytes -= g->sizes[i];
	g->nr--;
	g->ids[i] = g->ids[g->nr];
	g->sizes[i] = g->sizes[g->nr];
}

static void free_id(struct gen *g, unsigned long id)
{
	size_t i;

	for (i = 0; i < g->nr; i++) {
		if (g->ids[i] == id) {
			free_at(g, i);
			return;
		}
	}
}

/* Free everything still live, in random order, and close the file. */
static void finish(struct gen *g)
{
	while (g->nr)
		free_at(g, below(g, g->nr));
	fclose(g->f);
	free(g->ids);
	free(g->sizes);
}

/* Weights of the size classes, in percent; the rest is normal. */
struct mix {
	unsigned int tiny, small, huge;
};

static uint64_t random_size(struct gen *g, const struct mix *m)
{
	uint64_t page = 1ULL << g->page_shift, c = below(g, 100);
	unsigned int k;

	if (c < m->tiny)
		return in_range(g, 1, 511);
	c -= m->tiny;
	if (c < m->small && page > 512)
		return in_range(g, 512, page - 1);
	c -= m->small;
	if (c < m->huge)
		return in_range(g, g->chunk + 1, 2 * g->chunk);
	/* normal: a run of 2^k pages, small runs far more often */
	k = 0;
	while (k < g->max_order && below(g, 2) == 0)
		k++;
	if (below(g, 400) == 0)
		return g->chunk;	/* a whole chunk */
	return in_range(g, k ? (page << (k - 1)) + 1 : page, page << k);
}

/*
 * A random mix of allocations and frees whose live bytes swing between
 * nothing and @high, so that chunks climb through the lists and fall back
 * to destruction again and again.
 */
static void random_mix(struct gen *g, unsigned long ops, uint64_t high,
		       const struct mix *m)
{
	uint64_t target = high;
	unsigned long i;

	for (i = 0; i < ops; i++) {
		bool grow;

		if (g->live_bytes >= target && target == high)
			target = below(g, 4) ? high / 8 : 0;
		else if (g->live_bytes <= target && target != high)
			target = high;
		grow = target == high ? below(g, 100) < 70 : below(g, 100) < 30;
		if (grow || !g->nr) {
			alloc(g, random_size(g, m));
			continue;
		}
		switch (below(g, 4)) {
		case 0:		/* the newest: LIFO frees */
			free_at(g, g->nr - 1);
			break;
		case 1:		/* the oldest still live */
			free_at(g, 0);
			break;
		default:
			free_at(g, below(g, g->nr));
		}
	}
}

/*
 * Netty's testFreePoolChunk and around it: whole-chunk requests go
 * straight to q100 and a chunk freed from there is destroyed; with
 * buffers on the side, requests of just under and over a chunk.
 */
static void whole_chunks(struct gen *g)
{
	unsigned long a, b, c;
	int i;

	a = alloc(g, g->chunk);
	free_id(g, a);
	for (i = 0; i < 40; i++) {
		a = alloc(g, g->chunk);
		b = alloc(g, in_range(g, 1, 511));
		c = alloc(g, g->chunk - below(g, 1ULL << g->page_shift));
		if (i % 3 == 0)
			alloc(g, g->chunk + 1);
		free_id(g, a);
		if (i % 2)
			free_id(g, b);
		alloc(g, g->chunk / 2);
		free_id(g, c);
		if (g->nr > 6)
			free_at(g, below(g, g->nr));
	}
}

/*
 * Every tiny size and every small class: rings of several subpages of a
 * size, emptied one by one, so that a page goes back to its chunk except
 * when its subpage is the last of its ring.
 */
static void tiny_sizes(struct gen *g)
{
	uint64_t page = 1ULL << g->page_shift, size;
	unsigned long first;
	size_t n, i;

	for (size = 1; size < 512; size += 1 + below(g, 5))
		alloc(g, size);
	for (size = 512; size < page; size *= 2)
		alloc(g, size - below(g, size / 2));
	while (g->nr)
		free_at(g, below(g, g->nr));
	for (size = 16; size < page; size = size < 512 ? size + 48 : size * 2) {
		/* two and a half pages of elements of this size */
		n = page / size * 5 / 2;
		first = g->next_id + 1;
		for (i = 0; i < n; i++)
			alloc(g, size - below(g, size < 512 ? 16 : size / 2));
		/* empty the first page, then everything, in order */
		for (i = 0; i < page / size; i++)
			free_id(g, first + i);
		alloc(g, size);
		while (g->nr)
			free_at(g, 0);
	}
}

/*
 * Chunks climbing through every list to q100 and falling back: fill
 * several chunks page by page, empty them in steps so that they pass
 * q075, q050, q025, q000 on the way down, allocate again (which chunk a
 * request goes to now depends on the order the lists are tried in), then
 * free everything so that each is destroyed.
 */
static void climb(struct gen *g, int chunks)
{
	uint64_t page = 1ULL << g->page_shift;
	unsigned long pages = (unsigned long)(g->chunk / page);
	unsigned long i, n = pages * chunks;
	unsigned long first = g->next_id + 1;
	int round;

	for (i = 0; i < n; i++)
		alloc(g, page);
	for (round = 0; round < 3; round++) {
		/* chunk k keeps (k + 1) / (chunks + 1) of its pages */
		for (i = 0; i < n; i++) {
			unsigned long k = i / pages, p = i % pages;

			if (p * (chunks + 1) >= pages * (k + 1) &&
			    p % 2 == (unsigned long)round % 2)
				free_id(g, first + i);
		}
		for (i = 0; i < pages; i++)
			alloc(g, page << below(g, 2));
		first = g->next_id + 1 - pages;
	}
	while (g->nr)
		free_at(g, g->nr - 1);
}

static const struct mix all = { 30, 25, 1 }, pooled = { 30, 25, 0 };
static const struct mix big = { 10, 10, 5 };

enum trace_kind { RANDOM_MIX, WHOLE_CHUNKS, TINY_SIZES, CLIMB };

/* Every trace: its name, what it covers, seed = its position + 1. */
static const struct trace_spec {
	const char *name;
	const char *what;
	unsigned int page_size, max_order;
	enum trace_kind kind;
	unsigned long ops;	/* RANDOM_MIX: operations */
	uint64_t high;		/* RANDOM_MIX: live bytes it keeps under */
	const struct mix *mix;
} traces[] = {
	{ "mix-8k-o11", "16 MiB chunks", 8192, 11, RANDOM_MIX, 20000, 4 << 24, &all },
	{ "mix-8k-o9", "the default geometry", 8192, 9, RANDOM_MIX, 30000, 6 << 22, &all },
	{ "mix-4k-o11", "4 KiB pages", 4096, 11, RANDOM_MIX, 20000, 5 << 23, &all },
	{ "mix-64k-o9", "64 KiB pages", 65536, 9, RANDOM_MIX, 15000, 3 << 25, &all },
	{ "order0", "a chunk of one page", 8192, 0, RANDOM_MIX, 3000, 40 << 13, &big },
	{ "order1", "chunks of two pages", 4096, 1, RANDOM_MIX, 4000, 30 << 13, &big },
	{ "order2", "chunks of four pages", 16384, 2, RANDOM_MIX, 5000, 20 << 16, &big },
	{ "order14", "the deepest tree", 4096, 14, RANDOM_MIX, 8000, 2 << 26, &pooled },
	{ "whole-chunk", "whole-chunk requests", 8192, 11, WHOLE_CHUNKS, 0, 0, NULL },
	{ "tiny-sizes", "subpage pools", 8192, 9, TINY_SIZES, 0, 0, NULL },
	{ "tiny-sizes-64k", "subpage pools, big pages", 65536, 4, TINY_SIZES, 0, 0, NULL },
	{ "climb", "every list and back", 8192, 6, CLIMB, 0, 0, NULL },
	{ "long-mix", "a long random mix", 8192, 11, RANDOM_MIX, 40000, 8 << 24, &all },
	{ "huge", "huge and near-chunk requests", 4096, 8, RANDOM_MIX, 6000, 16 << 20, &big },
};

int main(int argc, char **argv)
{
	struct gen g;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: np_netty_gen OUTDIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		const struct trace_spec *t = &traces[i];

		start(&g, argv[1], t->name, t->what, i + 1, t->page_size,
		      t->max_order);
		switch (t->kind) {
		case RANDOM_MIX:
			random_mix(&g, t->ops, t->high, t->mix);
			break;
		case WHOLE_CHUNKS:
			whole_chunks(&g);
			break;
		case TINY_SIZES:
			tiny_sizes(&g);
			break;
		case CLIMB:
			climb(&g, 4);
			break;
		}
		finish(&g);
	}
	return 0;
}
