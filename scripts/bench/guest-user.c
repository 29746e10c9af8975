// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace side of the guest benchmark: back-to-back alloc+free pairs of
 * one size (64 B .. 64 KiB) against /dev/nettypool, side by side in one
 * process with glibc malloc. Every round measures each of:
 *
 *   ioctl        one NP_IOC_ALLOC and one NP_IOC_FREE per pair
 *   batch        NP_IOC_BATCH: 64 allocations in one call, then their 64
 *                frees in another
 *   lib-cache    libnettypool, kernel backend, defaults: the per-thread
 *                cache refilled and drained with NP_IOC_BATCH
 *   lib-nocache  libnettypool, kernel backend, caches disabled (-1): one
 *                ioctl per call plus the library's pointer lookup
 *   glibc        malloc/free
 *
 * The library paths write the buffer's first byte, as does glibc; the raw
 * ioctl paths never map the buffer. Each measurement runs for at least
 * MS milliseconds and prints "R u1 <kind> pairs <size> ns <ns per pair>";
 * scripts/bench/report.sh takes the median of the rounds.
 *
 *   bench-guest-user [ROUNDS [MS]]     defaults: 5 50
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "nettypool.h"

#define BATCH	64

static void *volatile np_escape;

enum kind { K_IOCTL, K_BATCH, K_LIB_CACHE, K_LIB_NOCACHE, K_GLIBC, NR_KINDS };

static const char *const kind_name[NR_KINDS] = {
	"ioctl", "batch", "lib-cache", "lib-nocache", "glibc",
};

struct ctx {
	size_t size;
	int fd;				/* raw device pool, ioctl and batch */
	struct np_pool *lib[2];		/* cache, no cache */
	struct np_batch_op ops[BATCH];
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void fail(const char *what)
{
	fprintf(stderr, "bench-guest-user: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void ioctl_pairs(struct ctx *c, long n)
{
	struct np_alloc a;
	struct np_free f;

	while (n-- > 0) {
		memset(&a, 0, sizeof(a));
		a.size = c->size;
		if (ioctl(c->fd, NP_IOC_ALLOC, &a))
			fail("NP_IOC_ALLOC");
		memset(&f, 0, sizeof(f));
		f.offset = a.offset;
		if (ioctl(c->fd, NP_IOC_FREE, &f))
			fail("NP_IOC_FREE");
	}
}

/* n rounded up to whole batches; returns the pairs done */
static long batch_pairs(struct ctx *c, long n)
{
	struct np_batch b;
	long done = 0;
	int i;

	for (; done < n; done += BATCH) {
		memset(c->ops, 0, sizeof(c->ops));
		for (i = 0; i < BATCH; i++) {
			c->ops[i].op = NP_BATCH_ALLOC;
			c->ops[i].size = c->size;
		}
		memset(&b, 0, sizeof(b));
		b.ops = (uintptr_t)c->ops;
		b.count = BATCH;
		if (ioctl(c->fd, NP_IOC_BATCH, &b) || b.done != BATCH)
			fail("NP_IOC_BATCH (alloc)");
		for (i = 0; i < BATCH; i++) {
			c->ops[i].op = NP_BATCH_FREE;
			c->ops[i].size = 0;
			c->ops[i].capacity = 0;
			c->ops[i].region_offset = 0;
			c->ops[i].region_size = 0;
		}
		b.done = 0;
		if (ioctl(c->fd, NP_IOC_BATCH, &b) || b.done != BATCH)
			fail("NP_IOC_BATCH (free)");
	}
	return done;
}

static void lib_pairs(struct np_pool *pool, size_t size, long n)
{
	while (n-- > 0) {
		char *p = np_alloc(pool, size);

		if (!p)
			fail("np_alloc");
		p[0] = 1;
		np_escape = p;
		if (np_free(pool, p))
			fail("np_free");
	}
}

static void glibc_pairs(size_t size, long n)
{
	while (n-- > 0) {
		char *p = malloc(size);

		if (!p)
			fail("malloc");
		p[0] = 1;
		np_escape = p;
		free(np_escape);
	}
}

static long run_block(struct ctx *c, enum kind k, long n)
{
	switch (k) {
	case K_IOCTL:
		ioctl_pairs(c, n);
		return n;
	case K_BATCH:
		return batch_pairs(c, n);
	case K_LIB_CACHE:
	case K_LIB_NOCACHE:
		lib_pairs(c->lib[k - K_LIB_CACHE], c->size, n);
		return n;
	case K_GLIBC:
	case NR_KINDS:
		break;
	}
	glibc_pairs(c->size, n);
	return n;
}

/* ns per pair over at least ms milliseconds (after a warm-up block) */
static double measure(struct ctx *c, enum kind k, double ms)
{
	double start, now;
	long pairs = 0;

	run_block(c, k, 256);
	start = now_ns();
	do {
		pairs += run_block(c, k, 256);
		now = now_ns();
	} while (now - start < ms * 1e6);
	return (now - start) / pairs;
}

static struct np_pool *open_lib(int cache)
{
	struct np_pool_opts o = {
		.backend = NP_BACKEND_KERNEL,
		.tiny_cache = cache, .small_cache = cache, .normal_cache = cache,
	};
	struct np_pool *pool = np_pool_open(&o);

	if (!pool)
		fail("np_pool_open (kernel backend)");
	return pool;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 256, 1024, 4096, 16384, 65536 };
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	double ms = argc > 2 ? atof(argv[2]) : 50;
	const char *dev = getenv("NETTYPOOL_DEV");
	struct ctx c;
	unsigned int i;
	int r, k;

	if (rounds < 1 || ms <= 0) {
		fprintf(stderr, "usage: bench-guest-user [ROUNDS [MS]]\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.fd = open(dev ? dev : "/dev/nettypool", O_RDWR | O_CLOEXEC);
	if (c.fd < 0)
		fail("open /dev/nettypool");
	c.lib[0] = open_lib(0);
	c.lib[1] = open_lib(-1);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		c.size = sizes[i];
		for (r = 0; r < rounds; r++)
			for (k = 0; k < NR_KINDS; k++)
				printf("R u1 %s pairs %zu ns %.1f\n", kind_name[k],
				       c.size, measure(&c, k, ms));
		fflush(stdout);
	}
	if (np_pool_close(c.lib[0]) || np_pool_close(c.lib[1]))
		fail("np_pool_close");
	close(c.fd);
	return 0;
}
