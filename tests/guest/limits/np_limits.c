// SPDX-License-Identifier: GPL-2.0
/*
 * np_limits - a user who opens /dev/nettypool many times, or asks for
 * memory without end, is held: by the module-wide max_total_bytes and by
 * the memory cgroup (device pools charge their pages and their metadata
 * with __GFP_ACCOUNT).
 * A pool's own max_bytes and the two-pool module limit are covered by
 * tests/guest/selftests/nettypool; this adds many opens and the memcg.
 *
 * Usage: np_limits opens    the module is loaded with max_total_bytes:
 *                           256 pools together never hold more, each is
 *                           refused with ENOMEM, and a free anywhere
 *                           makes room anywhere
 *        np_limits memcg    a child in a cgroup v2 group with memory.max
 *                           opens 64 pools and allocates until ENOMEM:
 *                           the pages are charged, the limit holds, no OOM
 *                           kill happens (not even of a sibling in the
 *                           group), and the pools work again after frees;
 *                           then 64 pools without buffers (one arena per
 *                           CPU, then the most arenas): their metadata is
 *                           charged to the group too, and uncharged at
 *                           close. Mounts cgroup2 on /sys/fs/cgroup if needed.
 *
 * Output: TAP 13. Exit status 0, 1 on a failure, 4 (skip) without the
 * device, the module parameter or the memory controller.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
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

#define KSFT_SKIP	4
#define DEV_PATH	"/dev/nettypool"
#define PARAM_LIMIT	"/sys/module/nettypool/parameters/max_total_bytes"
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_DIR		CG_ROOT "/np-limits"
#define MiB		(1024ULL * 1024)

#define NR_OPENS	256	/* pools of the "opens" test */
#define NR_CG_POOLS	64	/* pools of the memcg child */
#define CG_MAX		(96 * MiB)
#define MAX_BUFS	4096

static int tests, failures;

static void result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

static int xio(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int alloc(int fd, unsigned long long size, struct np_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->size = size;
	return xio(fd, NP_IOC_ALLOC, a);
}

static int free_off(int fd, unsigned long long off)
{
	struct np_free fr = { .offset = off };

	return xio(fd, NP_IOC_FREE, &fr);
}

static unsigned long long reserved(int fd)
{
	struct np_stats st;

	return xio(fd, NP_IOC_STATS, &st) ? ~0ULL : st.bytes_reserved;
}

static void raise_nofile(unsigned int want)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < want + 16) {
		rl.rlim_cur = want + 16;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* ------------------------------------------------------- many opens */

static int test_opens(void)
{
	static unsigned long long off[NR_OPENS];
	unsigned long long limit, held = 0, sum = 0;
	int fd[NR_OPENS], i, ret, refused = 0, other = 0, n = 0;
	struct np_alloc a;

	limit = np_read_num(PARAM_LIMIT, NULL);
	if ((long long)limit <= 0) {
		printf("1..0 # SKIP module loaded without max_total_bytes\n");
		return KSFT_SKIP;
	}
	printf("1..5\n# max_total_bytes %llu, %d pools\n", limit, NR_OPENS);
	raise_nofile(NR_OPENS);
	for (i = 0; i < NR_OPENS; i++) {
		fd[i] = open(DEV_PATH, O_RDWR);
		if (fd[i] < 0)
			break;
	}
	result(i == NR_OPENS, "%d opens of %s, none refused (%s)", NR_OPENS,
	       DEV_PATH, i == NR_OPENS ? "ok" : strerror(errno));
	if (i < NR_OPENS)
		return 1;
	/* every pool asks for a page-sized buffer: a chunk each */
	for (i = 0; i < NR_OPENS; i++) {
		ret = alloc(fd[i], 4096, &a);
		off[i] = ret ? 0 : a.offset;
		if (!ret) {
			n++;
			held += a.region_size;
		} else if (ret == -ENOMEM) {
			refused++;
		} else {
			other++;
		}
	}
	for (i = 0; i < NR_OPENS; i++)
		sum += reserved(fd[i]);
	result(n > 0 && refused > 0 && !other,
	       "%d pools got a chunk, %d were refused with ENOMEM, %d otherwise",
	       n, refused, other);
	result(sum <= limit && held <= limit,
	       "the pools hold %llu bytes together, limit %llu", sum, limit);
	/* the refused pools stay refused, even for huge buffers */
	ret = 0;
	for (i = 0; i < NR_OPENS && !ret; i++)
		if (!off[i] && alloc(fd[i], 5 * MiB, &a) != -ENOMEM)
			ret = 1;
	result(!ret, "at the limit, every pool is refused (pool %d)", i - 1);
	/* room made in one pool is room for any other */
	for (i = 0; i < NR_OPENS && !off[i]; i++)
		;
	ret = i < NR_OPENS ? free_off(fd[i], off[i]) : -1;
	if (!ret)
		xio(fd[i], NP_IOC_TRIM, NULL);
	if (!ret)
		ret = alloc(fd[NR_OPENS - 1], 4096, &a);
	result(!ret, "a free and a trim in pool %d make room in pool %d: %s",
	       i, NR_OPENS - 1, strerror(-ret));
	for (i = 0; i < NR_OPENS; i++)
		close(fd[i]);
	return failures ? 1 : 0;
}

/* ---------------------------------------------------------- memcg */

/* What the child tells the parent, in a shared page. */
struct report {
	int opened;
	int first_err;			/* errno of the allocation that failed */
	unsigned long long bytes;	/* bytes_reserved over its pools, peak */
	long long cur_before, cur_peak;	/* memory.current */
	int again;			/* allocations after the frees */
	int mapped_ok;			/* buffers written and read back */
	int done;
};

/*
 * The child, already in the group: fill it through many pools until the
 * device says ENOMEM, free half, use the pools again. Nothing here may
 * need new memory of its own while the group is full (a page fault would
 * then wake the memcg OOM killer), so all is set up before the fill.
 */
static void memcg_child(struct report *r)
{
	static unsigned long long off[MAX_BUFS];
	static int owner[MAX_BUFS];
	int fd[NR_CG_POOLS], nbufs = 0, i, ret = 0;
	struct np_alloc a;

	for (i = 0; i < NR_CG_POOLS; i++) {
		fd[i] = open(DEV_PATH, O_RDWR);
		if (fd[i] < 0)
			_exit(2);
		r->opened++;
	}
	r->cur_before = np_read_num(CG_DIR "/memory.current", NULL);
	/* a normal buffer (a new chunk per pool at first), then huge ones */
	for (i = 0; nbufs < MAX_BUFS; i++) {
		int p = i % NR_CG_POOLS;

		ret = alloc(fd[p], i < NR_CG_POOLS ? MiB : 5 * MiB + 1, &a);
		if (ret)
			break;
		off[nbufs] = a.offset;
		owner[nbufs++] = p;
	}
	r->first_err = -ret;
	for (i = 0; i < NR_CG_POOLS; i++)
		r->bytes += reserved(fd[i]);
	r->cur_peak = np_read_num(CG_DIR "/memory.current", NULL);
	/* free every other buffer: the pools must serve again */
	for (i = 0; i < nbufs; i += 2)
		free_off(fd[owner[i]], off[i]);
	for (i = 0; i < NR_CG_POOLS; i++)
		xio(fd[i], NP_IOC_TRIM, NULL);
	/* new buffers, usable through mmap */
	for (i = 0; i < 8; i++) {
		char *m;

		if (alloc(fd[i], 5 * MiB + 1, &a))
			continue;
		r->again++;
		m = mmap(NULL, a.region_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd[i], (off_t)a.region_offset);
		if (m == MAP_FAILED)
			continue;
		memset(m, 0x5a, a.capacity);
		r->mapped_ok += m[0] == 0x5a && m[a.capacity - 1] == 0x5a;
		munmap(m, a.region_size);
	}
	r->done = 1;
	_exit(0);
}

static int cg_setup(void)
{
	struct stat st;
	char buf[64];

	if (stat(CG_ROOT "/cgroup.controllers", &st)) {
		mkdir(CG_ROOT, 0755);
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL)) {
			printf("# mount cgroup2 on %s: %s\n", CG_ROOT,
			       strerror(errno));
			return -1;
		}
	}
	if (np_write_str(CG_ROOT "/cgroup.subtree_control", "+memory")) {
		printf("# no memory controller in cgroup v2\n");
		return -1;
	}
	rmdir(CG_DIR);
	if (mkdir(CG_DIR, 0755) && errno != EEXIST)
		return -1;
	snprintf(buf, sizeof(buf), "%llu", CG_MAX);
	if (np_write_str(CG_DIR "/memory.max", buf))
		return -1;
	np_write_str(CG_DIR "/memory.swap.max", "0");
	return 0;
}

static int cg_enter(pid_t pid);

static long long meminfo_kib(const char *key)
{
	return np_read_num("/proc/meminfo", key);
}

/* What the metadata child measured, in a shared page. */
struct meta_report {
	int opened;
	int refused;		/* NP_IOC_CONFIGURE failed with ENOMEM */
	int other_err;		/* an open or configure failed otherwise */
	long long free_kib;	/* MemFree lost while the pools are open */
	long long charged_kib;	/* memory.current gained meanwhile */
};

/*
 * Many opens of pools that hold no buffer: what the kernel spends on them
 * (pool, arenas, per-CPU caches, the file) is charged to the opener's
 * group, the way their pages are, and uncharged when they close. The
 * child enters the group before it opens anything; MemFree, read around
 * the opens, says what the kernel spent. With the most arenas, 64 pools
 * may need more than memory.max: the configure that does not fit fails
 * with ENOMEM, and nobody is OOM-killed. The child stops there: in a
 * full group the kernel's own allocations of a further open (the file,
 * the debugfs inodes) would wake the OOM killer, as any open would.
 */
static void test_metadata(unsigned int arenas)
{
	struct meta_report *r;
	long long cur0, cur1, oom0, oom1;
	struct np_config c;
	int fd[NR_CG_POOLS], i, status, pipefd[2];
	pid_t pid;
	char go;

	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED || pipe(pipefd)) {
		result(0, "%u-arena pools: setting up (%s)", arenas,
		       strerror(errno));
		return;
	}
	memset(r, 0, sizeof(*r));
	cur0 = np_read_num(CG_DIR "/memory.current", NULL);
	oom0 = np_read_num(CG_DIR "/memory.events", "oom");
	pid = fork();
	if (!pid) {
		long long free0, base;

		close(pipefd[1]);
		if (read(pipefd[0], &go, 1) != 1)
			_exit(3);
		free0 = meminfo_kib("MemFree:");
		base = np_read_num(CG_DIR "/memory.current", NULL);
		for (i = 0; i < NR_CG_POOLS; i++) {
			int ret = -errno;

			memset(&c, 0, sizeof(c));
			c.n_arenas = arenas;
			fd[i] = open(DEV_PATH, O_RDWR);
			if (fd[i] >= 0)
				ret = xio(fd[i], NP_IOC_CONFIGURE, &c);
			if (!ret) {
				r->opened++;
			} else {
				r->refused += ret == -ENOMEM;
				r->other_err += ret != -ENOMEM;
				break;
			}
		}
		r->free_kib = free0 - meminfo_kib("MemFree:");
		r->charged_kib = (np_read_num(CG_DIR "/memory.current", NULL) -
				  base) / 1024;
		_exit(0);
	}
	close(pipefd[0]);
	if (cg_enter(pid) || write(pipefd[1], "g", 1) != 1) {
		result(0, "%u-arena pools: moving the child into %s", arenas,
		       CG_DIR);
		kill(pid, SIGKILL);
	}
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	/* inodes and dentries are freed after an RCU grace period */
	for (i = 0; i < 50; i++) {
		cur1 = np_read_num(CG_DIR "/memory.current", NULL);
		if (cur1 - cur0 < (long long)(r->charged_kib * 1024 / 4))
			break;
		usleep(100000);
	}
	oom1 = np_read_num(CG_DIR "/memory.events", "oom");
	printf("# %d pools of %u arenas (0: one per CPU), no buffer: MemFree -%lld KiB, memory.current +%lld KiB; %d refused (ENOMEM); after they closed: memory.current %+lld KiB\n",
	       r->opened, arenas, r->free_kib, r->charged_kib, r->refused,
	       (cur1 - cur0) / 1024);
	result(WIFEXITED(status) && !WEXITSTATUS(status) && !r->other_err &&
	       (r->opened == NR_CG_POOLS || r->refused) && r->opened &&
	       oom1 == oom0,
	       "up to %d pools of %u arenas: %d configured, then %s, no OOM (status %#x, oom %lld -> %lld)",
	       NR_CG_POOLS, arenas, r->opened,
	       r->refused ? "ENOMEM" : "no refusal", status, oom0, oom1);
	result(r->charged_kib >= r->free_kib / 2 && r->charged_kib >= 64,
	       "%d pools of %u arenas: their metadata is charged to the group (+%lld KiB of %lld KiB the kernel spent)",
	       r->opened, arenas, r->charged_kib, r->free_kib);
	result(cur1 - cur0 < (long long)(r->charged_kib * 1024 / 4),
	       "and uncharged when they close (%+lld KiB left)",
	       (cur1 - cur0) / 1024);
	munmap(r, 4096);
}

static int cg_enter(pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return np_write_str(CG_DIR "/cgroup.procs", buf);
}

static int test_memcg(void)
{
	long long oom0, kill0, oom1, kill1, maxev;
	int status, sib_alive, pipefd[2];
	pid_t pid, sibling;
	struct report *r;
	char go;

	if (access(DEV_PATH, R_OK | W_OK)) {
		printf("1..0 # SKIP %s: %s\n", DEV_PATH, strerror(errno));
		return KSFT_SKIP;
	}
	if (cg_setup()) {
		printf("1..0 # SKIP no cgroup v2 memory controller\n");
		return KSFT_SKIP;
	}
	printf("1..13\n# group %s, memory.max %llu\n", CG_DIR, CG_MAX);
	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED || pipe(pipefd))
		return 1;
	memset(r, 0, sizeof(*r));
	raise_nofile(NR_CG_POOLS);
	fflush(stdout);

	/* a sibling in the group that must live through it all */
	sibling = fork();
	if (!sibling) {
		for (;;)
			pause();
	}
	pid = fork();
	if (!pid) {
		close(pipefd[1]);
		if (read(pipefd[0], &go, 1) != 1)
			_exit(3);
		memcg_child(r);
	}
	close(pipefd[0]);
	if (cg_enter(sibling) || cg_enter(pid)) {
		result(0, "moving the test processes into %s", CG_DIR);
		kill(sibling, SIGKILL);
		kill(pid, SIGKILL);
		return 1;
	}
	oom0 = np_read_num(CG_DIR "/memory.events", "oom");
	kill0 = np_read_num(CG_DIR "/memory.events", "oom_kill");
	if (write(pipefd[1], "g", 1) != 1)
		return 1;
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	sib_alive = !kill(sibling, 0) && waitpid(sibling, NULL, WNOHANG) == 0;
	oom1 = np_read_num(CG_DIR "/memory.events", "oom");
	kill1 = np_read_num(CG_DIR "/memory.events", "oom_kill");
	maxev = np_read_num(CG_DIR "/memory.events", "max");

	printf("# child: %d pools, stopped by %s at %llu bytes reserved; memory.current %lld -> %lld; events: max %lld, oom %lld, oom_kill %lld\n",
	       r->opened, strerror(r->first_err), r->bytes, r->cur_before,
	       r->cur_peak, maxev, oom1, kill1);
	result(WIFEXITED(status) && !WEXITSTATUS(status) && r->done,
	       "the child ran to the end (status %#x, %d pools opened)",
	       status, r->opened);
	result(r->first_err == ENOMEM,
	       "allocating without end stops with ENOMEM (%s)",
	       strerror(r->first_err));
	result(r->bytes > CG_MAX / 2 && r->bytes <= CG_MAX,
	       "the pools hold %llu bytes at the end, under memory.max %llu",
	       r->bytes, CG_MAX);
	result(r->cur_peak - r->cur_before >= (long long)(r->bytes * 9 / 10),
	       "their pages are charged to the group (memory.current +%lld for %llu bytes)",
	       r->cur_peak - r->cur_before, r->bytes);
	result(oom1 == oom0 && kill1 == kill0 && sib_alive,
	       "no OOM in the group (oom %lld -> %lld, oom_kill %lld -> %lld), the sibling lives",
	       oom0, oom1, kill0, kill1);
	result(r->again == 8, "after frees the pools allocate again (%d of 8)",
	       r->again);
	result(r->mapped_ok == 8, "and their buffers are usable through mmap (%d of 8)",
	       r->mapped_ok);
	kill(sibling, SIGKILL);
	waitpid(sibling, NULL, 0);
	test_metadata(0);
	test_metadata(NP_ARENAS_MAX);
	rmdir(CG_DIR);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	if (argc == 2 && !strcmp(argv[1], "opens"))
		return test_opens();
	if (argc == 2 && !strcmp(argv[1], "memcg"))
		return test_memcg();
	fprintf(stderr, "usage: %s opens|memcg\n", argv[0]);
	return 2;
}
