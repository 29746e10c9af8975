// SPDX-License-Identifier: GPL-2.0
/*
 * Back-to-back alloc+free pairs of one size: libnettypool's in-process
 * backend against glibc malloc, in one process, median of several rounds.
 *
 *   pairs [SIZE [PAIRS [ROUNDS]]]     defaults: 256 1000000 7
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nettypool.h"

/* Keeps the compiler from pairing malloc() with free() away. */
static void *volatile np_escape;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	long pairs = argc > 2 ? strtol(argv[2], NULL, 0) : 1000000;
	int rounds = argc > 3 ? atoi(argv[3]) : 7;
	struct np_pool_opts opts = { .backend = NP_BACKEND_LOCAL };
	double np_ns[64], libc_ns[64], t;
	struct np_pool *pool;
	volatile char sink;
	long i;
	int r;

	if (rounds < 1 || rounds > 64)
		rounds = 7;
	pool = np_pool_open(&opts);
	if (!pool) {
		perror("np_pool_open");
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		t = now_ns();
		for (i = 0; i < pairs; i++) {
			char *p = np_alloc(pool, size);

			p[0] = (char)i;
			sink = p[0];
			np_free(pool, p);
		}
		np_ns[r] = (now_ns() - t) / pairs;
		t = now_ns();
		for (i = 0; i < pairs; i++) {
			char *p = malloc(size);

			p[0] = (char)i;
			sink = p[0];
			np_escape = p;
			free(np_escape);
		}
		libc_ns[r] = (now_ns() - t) / pairs;
	}
	(void)sink;
	printf("%-28s %10s %10s %8s\n", "alloc+free pairs", "nettypool", "glibc", "ratio");
	printf("%-28s %8.1fns %8.1fns %7.2fx\n", "", median(np_ns, rounds),
	       median(libc_ns, rounds),
	       median(np_ns, rounds) / median(libc_ns, rounds));
	printf("(%zu bytes, %ld pairs, median of %d rounds, local backend, no thread cache)\n",
	       size, pairs, rounds);
	return np_pool_close(pool);
}
