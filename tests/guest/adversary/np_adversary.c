// SPDX-License-Identifier: GPL-2.0
/*
 * np_adversary: /dev/nettypool used the way a hostile or careless user
 * would, in the guest (TAP, kselftest conventions: exit 4 when nothing
 * could run).
 *
 *   dofork          madvise(MADV_DOFORK) on a pool mapping, then fork():
 *                   the child must get SIGBUS, never the parent's data
 *   batch_own_array an NP_IOC_BATCH whose op array lies in a huge buffer
 *                   the batch itself frees: the results cannot be copied
 *                   back after that free, and done must still count it,
 *                   and only it
 *   zero_huge       NP_ALLOC_ZERO of a huge buffer reads as zeroes
 *   bins_in_memcg   a pool with the largest caches, used on every CPU from
 *                   a memory cgroup: the caches' own arrays are charged to
 *                   it and never pushed past memory.max
 *   leak_privilege  leak detection beyond simple is refused (EPERM) to a
 *                   user without CAP_SYS_ADMIN, granted to root
 *   memlock         a user without CAP_IPC_LOCK holds at most its
 *                   RLIMIT_MEMLOCK of pool pages (ENOMEM past it, and all
 *                   of it again once the pool is closed); root holds more
 *
 * Usage: np_adversary [CASE...] (all cases when none is named)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/nettypool.h>

#include "np_sysfs.h"

#define DEV		"/dev/nettypool"
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/np-adversary"
#define CG_MAX		(48ULL << 20)
#define HUGE_SIZE	(6ULL << 20)	/* above the default 4 MiB chunk */

static int nr_failed;
static int nr_run;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	nr_run++;
	if (!ok)
		nr_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", nr_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int open_pool(const struct np_config *cfg)
{
	int fd = open(DEV, O_RDWR);

	if (fd < 0) {
		printf("# open %s: %s\n", DEV, strerror(errno));
		return -1;
	}
	if (cfg) {
		struct np_config c = *cfg;

		if (ioctl(fd, NP_IOC_CONFIGURE, &c)) {
			printf("# NP_IOC_CONFIGURE: %s\n", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int pool_alloc(int fd, uint64_t size, uint32_t flags,
		      struct np_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->size = size;
	a->flags = flags;
	return ioctl(fd, NP_IOC_ALLOC, a);
}

static int pool_free(int fd, uint64_t offset)
{
	struct np_free f = { .offset = offset };

	return ioctl(fd, NP_IOC_FREE, &f);
}

static int is_live(int fd, uint64_t offset)
{
	struct np_query q = { .offset = offset };

	return !ioctl(fd, NP_IOC_QUERY, &q);
}

static char *map_region(int fd, const struct np_alloc *a)
{
	char *p = mmap(NULL, a->region_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, (off_t)a->region_offset);

	return p == MAP_FAILED ? NULL : p;
}

/* ---------------------------------------------------------------- dofork */

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* In the child: 0 on SIGBUS, 1 when it read the parent's data, 2 else. */
static int child_reads(volatile const char *p, char pattern)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	char c;

	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(bus_jmp, 1))
		return 0;
	c = *p;
	return c == pattern ? 1 : 2;
}

static void test_dofork(void)
{
	struct np_alloc a;
	char *region, *buf;
	int fd, status;
	pid_t pid;

	fd = open_pool(NULL);
	if (fd < 0 || pool_alloc(fd, 4096, 0, &a)) {
		result(0, "dofork: a pool and a buffer");
		goto out;
	}
	region = map_region(fd, &a);
	if (!region) {
		result(0, "dofork: mmap the region: %s", strerror(errno));
		goto out;
	}
	buf = region + (a.offset - a.region_offset);
	memset(buf, 0x5a, 4096);
	result(!madvise(region, a.region_size, MADV_DOFORK),
	       "dofork: madvise(MADV_DOFORK) is accepted: %s",
	       strerror(errno));
	pid = fork();
	if (!pid)
		_exit(child_reads(buf, 0x5a));
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		result(0, "dofork: fork and wait");
		goto out;
	}
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "dofork: the child gets SIGBUS, not the parent's data (status %#x)",
	       status);
	result(buf[0] == 0x5a && buf[4095] == 0x5a,
	       "dofork: the parent's mapping is intact");
	munmap(region, a.region_size);
	pool_free(fd, a.offset);
out:
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------ batch_own_array */

static void test_batch_own_array(void)
{
	struct np_batch_op *ops;
	struct np_alloc huge, other;
	struct np_batch b;
	char *region;
	int fd, ret;

	fd = open_pool(NULL);
	if (fd < 0 || pool_alloc(fd, HUGE_SIZE, 0, &huge) ||
	    pool_alloc(fd, 256, 0, &other)) {
		result(0, "batch_own_array: a pool, a huge and a small buffer");
		goto out;
	}
	region = map_region(fd, &huge);
	if (!region) {
		result(0, "batch_own_array: mmap the huge region: %s",
		       strerror(errno));
		goto out;
	}
	/* the op array is inside the huge buffer that op 0 frees */
	ops = (struct np_batch_op *)(region + (huge.offset - huge.region_offset));
	memset(ops, 0, 2 * sizeof(*ops));
	ops[0].op = NP_BATCH_FREE;
	ops[0].offset = huge.offset;
	ops[1].op = NP_BATCH_FREE;
	ops[1].offset = other.offset;
	memset(&b, 0, sizeof(b));
	b.ops = (uint64_t)(uintptr_t)ops;
	b.count = 2;
	ret = ioctl(fd, NP_IOC_BATCH, &b);
	result(ret == -1 && errno == EFAULT,
	       "batch_own_array: the results cannot be copied back: EFAULT (%d, %s)",
	       ret, strerror(errno));
	result(b.done == 1, "batch_own_array: done counts the free that stands (%u)",
	       b.done);
	result(!is_live(fd, huge.offset), "batch_own_array: the huge buffer is freed");
	result(is_live(fd, other.offset),
	       "batch_own_array: the operation after it was not carried out");
	munmap(region, huge.region_size);
	pool_free(fd, other.offset);
out:
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------ zero_huge */

static void test_zero_huge(void)
{
	struct np_alloc a;
	uint64_t i, bad = 0;
	char *region, *buf;
	int fd;

	fd = open_pool(NULL);
	if (fd < 0 || pool_alloc(fd, 64ULL << 20, NP_ALLOC_ZERO, &a)) {
		result(0, "zero_huge: a zeroed 64 MiB buffer");
		goto out;
	}
	region = map_region(fd, &a);
	if (!region) {
		result(0, "zero_huge: mmap: %s", strerror(errno));
		goto out;
	}
	buf = region + (a.offset - a.region_offset);
	for (i = 0; i < a.capacity; i += 4093)
		bad += buf[i] != 0;
	bad += buf[a.capacity - 1] != 0;
	result(!bad, "zero_huge: every byte sampled reads as zero (%llu not)",
	       (unsigned long long)bad);
	munmap(region, a.region_size);
	pool_free(fd, a.offset);
out:
	if (fd >= 0)
		close(fd);
}

/* -------------------------------------------------------- bins_in_memcg */

/*
 * In the child, in the group: two pools with the largest caches, one
 * arena each; on every CPU, one buffer of every cached size allocated and
 * freed, so that every bin of every CPU's cache gets its array. Exits 0
 * when the group never went past memory.max.
 */
static int bins_child(void)
{
	static const uint64_t sizes[] = {
		16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208,
		224, 240, 256, 272, 288, 304, 320, 336, 352, 368, 384, 400,
		416, 432, 448, 464, 480, 496, 512, 1024, 2048, 4096, 8192,
		16384, 32768,
	};
	struct np_config cfg = {
		.n_arenas = 1, .tiny_cache = NP_CACHE_ENTRIES_MAX,
		.small_cache = NP_CACHE_ENTRIES_MAX,
		.normal_cache = NP_CACHE_ENTRIES_MAX,
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long long current, peak;
	int fds[2], p, cpu;
	size_t i;

	for (p = 0; p < 2; p++) {
		fds[p] = open_pool(&cfg);
		if (fds[p] < 0)
			return 3;
	}
	for (cpu = 0; cpu < cpus; cpu++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			continue;
		for (p = 0; p < 2; p++) {
			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				struct np_alloc a;

				if (!pool_alloc(fds[p], sizes[i], 0, &a))
					pool_free(fds[p], a.offset);
			}
		}
	}
	current = np_read_num(CG_DIR "/memory.current", NULL);
	peak = np_read_num(CG_DIR "/memory.peak", NULL);
	printf("# memory.current %lld, memory.peak %lld, memory.max %llu\n",
	       current, peak, CG_MAX);
	fflush(stdout);
	if (current < 0 || (unsigned long long)current > CG_MAX)
		return 1;
	if (peak >= 0 && (unsigned long long)peak > CG_MAX)
		return 2;
	return 0;
}

static void test_bins_in_memcg(void)
{
	struct stat st;
	char buf[32];
	int status;
	pid_t pid;

	if (stat(CG_ROOT "/cgroup.controllers", &st) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL)) {
		printf("# bins_in_memcg: no cgroup2 (%s): skipped\n",
		       strerror(errno));
		return;
	}
	if (np_write_str(CG_ROOT "/cgroup.subtree_control", "+memory") ||
	    ((mkdir(CG_DIR, 0755) && errno != EEXIST))) {
		printf("# bins_in_memcg: no memory controller: skipped\n");
		return;
	}
	snprintf(buf, sizeof(buf), "%llu", CG_MAX);
	if (np_write_str(CG_DIR "/memory.max", buf)) {
		result(0, "bins_in_memcg: set memory.max");
		return;
	}
	pid = fork();
	if (!pid) {
		snprintf(buf, sizeof(buf), "%d", getpid());
		if (np_write_str(CG_DIR "/cgroup.procs", buf))
			_exit(4);
		_exit(bins_child());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		result(0, "bins_in_memcg: fork and wait");
		return;
	}
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "bins_in_memcg: the caches' arrays stay within memory.max (status %#x)",
	       status);
	rmdir(CG_DIR);
}

/* ------------------------------------------------------- leak_privilege */

/* Configure a fresh pool with a leak level: 0, or the errno. */
static int configure_leak(__u32 level)
{
	struct np_config c = { .leak_detection = level };
	int fd = open(DEV, O_RDWR), err = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, NP_IOC_CONFIGURE, &c))
		err = errno;
	close(fd);
	return err;
}

/*
 * As uid 65534, without capabilities; the bits of what went wrong: 1 simple
 * refused, 2 advanced granted, 4 paranoid granted.
 */
static int leak_child(void)
{
	int bad = 0;

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 8;
	bad |= configure_leak(NP_LEAK_SIMPLE) != 0;
	bad |= (configure_leak(NP_LEAK_ADVANCED) != EPERM) << 1;
	bad |= (configure_leak(NP_LEAK_PARANOID) != EPERM) << 2;
	return bad;
}

static void test_leak_privilege(void)
{
	int status;
	pid_t pid;

	result(!configure_leak(NP_LEAK_PARANOID),
	       "leak_privilege: root may ask for paranoid");
	pid = fork();
	if (!pid)
		_exit(leak_child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		result(0, "leak_privilege: fork and wait");
		return;
	}
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "leak_privilege: uid 65534 gets simple, and EPERM for advanced and paranoid (status %#x)",
	       status);
}

/* --------------------------------------------------------------- memlock */

#define MEMLOCK		(8ULL << 20)

/*
 * 1 MiB buffers from a fresh pool until one is refused; the number
 * allocated, or -errno of the refusal when it was not ENOMEM.
 */
static int fill_pool(uint64_t *reserved)
{
	/* one arena: the chunks fill one after the other, on any CPU */
	struct np_config cfg = { .n_arenas = 1 };
	struct np_stats st;
	struct np_alloc a;
	int fd = open_pool(&cfg), n = 0;

	if (fd < 0)
		return -ENODEV;
	while (n < 64 && !pool_alloc(fd, 1 << 20, 0, &a))
		n++;
	if (n < 64 && errno != ENOMEM)
		n = -errno;
	*reserved = ioctl(fd, NP_IOC_STATS, &st) ? ~0ULL : st.bytes_reserved;
	close(fd);
	return n;
}

/* As uid 65534, with RLIMIT_MEMLOCK at 8 MiB: 0 when the limit held. */
static int memlock_child(void)
{
	uint64_t reserved;
	int first, again;

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 8;
	first = fill_pool(&reserved);
	printf("# uid 65534: %d buffers of 1 MiB, %llu bytes reserved\n", first,
	       (unsigned long long)reserved);
	if (first <= 0 || first >= 64 || reserved > MEMLOCK)
		return 1;
	again = fill_pool(&reserved);
	printf("# again after close: %d buffers\n", again);
	return again == first ? 0 : 2;
}

static void test_memlock(void)
{
	struct rlimit rl = { MEMLOCK, MEMLOCK };
	uint64_t reserved;
	int status, n;
	pid_t pid;

	pid = fork();
	if (!pid) {
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(9);
		_exit(memlock_child());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		result(0, "memlock: fork and wait");
		return;
	}
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "memlock: uid 65534 holds at most its RLIMIT_MEMLOCK, again after a close (status %#x)",
	       status);
	n = fill_pool(&reserved);
	result(n == 64, "memlock: root (CAP_IPC_LOCK) is not held to it (%d MiB)",
	       n);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "dofork", test_dofork },
	{ "batch_own_array", test_batch_own_array },
	{ "zero_huge", test_zero_huge },
	{ "bins_in_memcg", test_bins_in_memcg },
	{ "leak_privilege", test_leak_privilege },
	{ "memlock", test_memlock },
};

int main(int argc, char **argv)
{
	size_t i;
	int a;

	if (access(DEV, R_OK | W_OK)) {
		printf("1..0 # SKIP %s: %s\n", DEV, strerror(errno));
		return 4;
	}
	printf("TAP version 13\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc > 1) {
			for (a = 1; a < argc; a++)
				if (!strcmp(argv[a], cases[i].name))
					break;
			if (a == argc)
				continue;
		}
		printf("# %s\n", cases[i].name);
		cases[i].fn();
	}
	printf("1..%d\n", nr_run);
	return nr_failed ? 1 : 0;
}
