// SPDX-License-Identifier: GPL-2.0
/*
 * np_ioctl_fuzz - random ioctl, mmap, munmap, mremap, fork and close
 * sequences against /dev/nettypool, every result checked against a model
 * of what each pool owns (uapi/linux/nettypool.h).
 *
 * Usage: np_ioctl_fuzz [-s SEED] [-n OPS] [-t SECONDS] [-j THREADS]
 *                      [-p POOLS] [-v] [-d]
 *   -s SEED     seed (default: from the clock); printed first
 *   -n OPS      operations per thread at most (default: unbounded)
 *   -t SECONDS  time budget (default 25)
 *   -j THREADS  threads, 1..8 (default 2); each owns -p pools and, with 2
 *               or more, all share one more pool
 *   -p POOLS    pools per thread, 1..8 (default 3)
 *   -v          print every operation (long)
 *   -d          after every operation, check that each mapping the model
 *               holds is still there (slow; for debugging the model)
 *
 * Each thread draws its operations from its own generator, seeded from
 * SEED and its number; with -j 1 (pinned to one CPU) a run is a function
 * of SEED and -n,
 * so a failing seed reproduces exactly (the failure line gives the
 * operation number; "-n" of one more replays up to it). With more threads
 * each thread's own sequence reproduces; their interleaving does not.
 *
 * The model: for each pool it owns, a thread knows the live buffers
 * (offset, capacity, region, references, the pattern written into them
 * through mmap), the regions seen and which are mapped where, and the
 * geometry. Every ioctl's result must be exactly what the ABI says:
 * a FREE, RETAIN or QUERY of anything but a live buffer of that pool is
 * -EINVAL; unknown commands -ENOTTY; bad pointers -EFAULT; unknown flags,
 * reserved fields -EINVAL; and a refused call leaves the pool's counters
 * exactly as they were. Live buffers keep their pattern whatever garbage
 * is thrown at the device; fresh and NP_ALLOC_ZERO memory reads as zeroes;
 * nothing ever shows another pool's pattern; a released region faults
 * with SIGBUS; after TRIM no empty chunk is left; a forked child sees none
 * of its parent's mappings and none of its buffers through a pool of its
 * own. Region offsets must only grow (device.c: one module-wide counter
 * that never goes back), so no region is ever named twice.
 *
 * Output: TAP 13, one result per kind of check, then
 * "# seed S: N ops, N bad inputs refused, N faults". Exit status 0 when
 * every check passed, 1 otherwise, 4 (skip) without /dev/nettypool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/nettypool.h>

typedef unsigned long long u64;
typedef uint32_t u32;
typedef int32_t s32;

#define KSFT_SKIP	4
#define DEV_PATH	"/dev/nettypool"
#define DBG_STATS	"/sys/kernel/debug/nettypool/stats"

#define MAX_BUFS	128	/* live buffers a thread keeps per pool */
#define MAX_REGIONS	192	/* regions a thread tracks per pool */
#define MAX_POOLS	8
#define MAX_THREADS	8
#define NR_FREED	32	/* recently freed offsets kept per pool */
#define NR_DEAD		32	/* region keys known released, per thread */
#define NR_TRACE	24	/* operations shown with a failure */
#define BATCH_SLICE	64	/* device.c: ops copied per slice */
#define BATCH_MAX	65536
#define BUDGET		(48ULL << 20)	/* bytes of regions per pool */
#define SENTINEL	0x7eadbeef	/* a batch result never written */
#define MIN_OPS		2000	/* a run this long reaches every check */

#define TAG_MAGIC	0xa5edULL
#define KERNEL_PTR	0xffffffff81000000UL
#define NONCANON_PTR	0x8000000000000000UL

/* Kinds of check, one TAP result each. */
enum cat {
	C_RESULT, C_BAD, C_DATA, C_STATS, C_MMAP, C_RELEASE, C_FORK,
	C_CLOSE, C_SHARED, C_TOTALS, NR_CAT
};

static const char *const cat_name[NR_CAT] = {
	[C_RESULT] = "ioctl results match the model",
	[C_BAD] = "bad inputs refused with the ABI's errno, nothing changed",
	[C_DATA] = "live buffers keep their contents; fresh memory is zeroed",
	[C_STATS] = "NP_IOC_STATS agrees with the model",
	[C_MMAP] = "mmap, munmap, mremap and madvise follow the rules",
	[C_RELEASE] = "released regions fault with SIGBUS, never another pool's data",
	[C_FORK] = "a forked child sees nothing of its parent's pools",
	[C_CLOSE] = "close keeps mapped pools alive, then reclaims",
	[C_SHARED] = "threads sharing one pool never share a buffer",
	[C_TOTALS] = "debugfs totals: every pool gone, leaks counted",
};

struct mbuf {
	u64 off, cap, key;
	u32 refs;
	u64 tag;		/* pattern written, 0 when none yet */
};

struct mregion {
	u64 key, size;
	char *map;		/* whole-region mapping or NULL */
	u64 map_len;		/* bytes mapped from the start */
	u64 hole;		/* a page unmapped in the middle, or ~0 */
	u32 live;		/* model buffers in it */
	bool huge;
};

struct mpool {
	int fd;
	unsigned int uid;	/* in the patterns, to spot foreign data */
	bool frozen, shared;
	u64 page_size, chunk_size, max_bytes;
	u64 hidden_floor;	/* regions the model never saw are above it */
	u64 alloc_huge, free_huge;
	struct mbuf bufs[MAX_BUFS];
	int nbufs;
	struct mregion regs[MAX_REGIONS];
	int nregs;
	u64 freed[NR_FREED];
	unsigned int nfreed;
};

struct fz {
	unsigned int id;
	u64 rng;
	u64 ops;
	struct mpool pools[MAX_POOLS];
	struct mpool shared;
	char *scratch;		/* two RW pages, then a PROT_NONE page */
	char *guard;		/* the PROT_NONE page */
	char *ro;		/* a page made read-only around one call */
	u64 dead[NR_DEAD];
	unsigned int ndead;
	u64 checks[NR_CAT], fails[NR_CAT];
	u64 bad, faults, leaked;
	u32 serial;
	bool stop;
	char trace[NR_TRACE][128];
	unsigned int ntrace;
};

static u64 opt_seed, opt_ops = ~0ULL;
static unsigned int opt_secs = 25, opt_threads = 2, opt_pools = 3;
static bool opt_verbose, opt_debug;
static struct timespec deadline;
static u64 ram_bytes, sys_page;
static long nr_cpus;
static u64 max_key;		/* largest region offset seen (atomic) */
static unsigned int next_uid;	/* atomic */
static int shared_fd = -1;
static struct np_config shared_cfg;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fz *fzs[MAX_THREADS];

/* ------------------------------------------------------------ basics */

static u64 rnd64(struct fz *f)
{
	u64 x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static u64 rnd(struct fz *f, u64 n)
{
	return n ? rnd64(f) % n : 0;
}

static u64 splitmix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static u64 align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

static int xio(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static bool time_up(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec &&
		now.tv_nsec >= deadline.tv_nsec);
}

static void trace(struct fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void trace(struct fz *f, const char *fmt, ...)
{
	char *t = f->trace[f->ntrace++ % NR_TRACE];
	va_list ap;
	int n;

	n = snprintf(t, sizeof(f->trace[0]), "op %llu: ", f->ops);
	va_start(ap, fmt);
	vsnprintf(t + n, sizeof(f->trace[0]) - n, fmt, ap);
	va_end(ap);
	if (opt_verbose) {
		pthread_mutex_lock(&out_lock);
		printf("# [t%u] %s\n", f->id, t);
		pthread_mutex_unlock(&out_lock);
	}
}

/*
 * A failed check: say what and where, show the operations that led to it
 * and stop this thread (its model may no longer be the pool's truth).
 */
static void fail(struct fz *f, enum cat c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct fz *f, enum cat c, const char *fmt, ...)
{
	unsigned int i, n = f->ntrace < NR_TRACE ? f->ntrace : NR_TRACE;
	va_list ap;

	f->fails[c]++;
	pthread_mutex_lock(&out_lock);
	printf("# FAIL [seed %llu thread %u op %llu] %s: ",
	       opt_seed, f->id, f->ops, cat_name[c]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!f->stop) {
		printf("#   last operations of thread %u:\n", f->id);
		for (i = f->ntrace - n; i < f->ntrace; i++)
			printf("#     %s\n", f->trace[i % NR_TRACE]);
		printf("#   reproduce: np_ioctl_fuzz -s %llu -j %u -p %u -n %llu\n",
		       opt_seed, opt_threads, opt_pools, f->ops);
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	f->stop = true;
}

#define CHECK(f, c, cond, ...)						\
	do {								\
		if (cond)						\
			(f)->checks[c]++;				\
		else							\
			fail(f, c, __VA_ARGS__);			\
	} while (0)

/* An expected error: counted as a bad input refused. */
#define REFUSED(f, c, got, want, what)					\
	do {								\
		if ((got) == (want)) {					\
			(f)->checks[c]++;				\
			(f)->bad++;					\
		} else {						\
			fail(f, c, "%s: got %d (%s), want %d (%s)",	\
			     what, got, strerror(-(got)), want,		\
			     strerror(-(want)));			\
		}							\
	} while (0)

static void atomic_max(u64 *p, u64 v)
{
	u64 old = __atomic_load_n(p, __ATOMIC_ACQUIRE);

	while (old < v && !__atomic_compare_exchange_n(p, &old, v, false,
						       __ATOMIC_ACQ_REL,
						       __ATOMIC_ACQUIRE))
		;
}

/* ------------------------------------------------- guarded memory access */

static __thread sigjmp_buf fault_env;
static __thread volatile sig_atomic_t fault_armed, fault_sig;

static void on_fault(int sig)
{
	if (!fault_armed) {
		signal(sig, SIG_DFL);	/* a real crash: die of it */
		return;
	}
	fault_armed = 0;
	fault_sig = sig;
	siglongjmp(fault_env, 1);
}

enum acc { ACC_WRITE, ACC_CHECK, ACC_ZERO, ACC_FOREIGN };

static u64 tag_word(u64 tag, u64 i)
{
	return tag ^ (u32)(i * 0x9e3779b1U);
}

static bool foreign_word(u64 w, unsigned int uid)
{
	return (w >> 48) == TAG_MAGIC && ((w >> 32) & 0xffff) != uid;
}

/*
 * Write or check a buffer's pattern at sampled words (all of a small
 * buffer; the first and last 4 KiB and a word per 4 KiB of a large one).
 * Return: 0, or the signal the access raised; *bad is the byte offset of
 * the first mismatch, or ~0.
 */
static int access_buf(char *b, u64 len, enum acc mode, u64 tag,
		      unsigned int uid, u64 *bad)
{
	volatile u64 *w = (volatile u64 *)b;
	u64 n = len / 8;
	volatile u64 i = 0;

	*bad = ~0ULL;
	fault_sig = 0;
	if (sigsetjmp(fault_env, 1))
		return fault_sig;
	fault_armed = 1;
	while (i < n) {
		switch (mode) {
		case ACC_WRITE:
			w[i] = tag_word(tag, i);
			break;
		case ACC_CHECK:
			if (w[i] != tag_word(tag, i))
				goto mismatch;
			break;
		case ACC_ZERO:
			if (w[i])
				goto mismatch;
			break;
		case ACC_FOREIGN:
			if (foreign_word(w[i], uid))
				goto mismatch;
			break;
		}
		if (n <= 2048 || i < 511 || i >= n - 512)
			i++;
		else if (i < n - 1024)
			i = (i | 511) + 1;
		else
			i = n - 512;
	}
	fault_armed = 0;
	return 0;
mismatch:
	fault_armed = 0;
	*bad = i * 8;
	return 0;
}

static int peek(volatile u64 *p, u64 *out)
{
	fault_sig = 0;
	if (sigsetjmp(fault_env, 1))
		return fault_sig;
	fault_armed = 1;
	*out = *p;
	fault_armed = 0;
	return 0;
}

static void install_fault_handlers(void)
{
	struct sigaction sa;
	struct rlimit rl = { 0, 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	setrlimit(RLIMIT_CORE, &rl);
}

/* ----------------------------------------------------------- the model */

/* The normalisation of the size classes; 0 when it cannot fit. */
static u64 exp_cap(const struct mpool *p, u64 n)
{
	if (n > p->chunk_size)
		return n > ~0ULL - sys_page ? 0 : align_up(n, sys_page);
	if (!n)
		return 16;
	if (n < 512)
		return align_up(n, 16);
	return 1ULL << (64 - __builtin_clzll(n - 1));
}

static int find_buf(const struct mpool *p, u64 off)
{
	int i;

	for (i = 0; i < p->nbufs; i++)
		if (p->bufs[i].off == off)
			return i;
	return -1;
}

static int find_region(const struct mpool *p, u64 key)
{
	int i;

	for (i = 0; i < p->nregs; i++)
		if (p->regs[i].key == key)
			return i;
	return -1;
}

static u64 model_bytes(const struct mpool *p)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < p->nregs; i++)
		sum += p->regs[i].size;
	return sum;
}

/* Room for one more buffer of @cap bytes in the model and the budget. */
static bool room_for(const struct mpool *p, u64 cap)
{
	u64 need = cap > p->chunk_size ? cap : p->chunk_size;

	return p->nbufs < MAX_BUFS && p->nregs < MAX_REGIONS - 1 &&
	       model_bytes(p) + need <= BUDGET;
}

static bool is_fresh_key(const struct mpool *p, u64 key, u64 snapshot)
{
	return key > snapshot || (p->hidden_floor && key > p->hidden_floor);
}

static void unmap_region(struct fz *f, struct mregion *r)
{
	if (r->map) {
		trace(f, "munmap region %#llx at %p+%#llx", r->key, r->map,
		      r->map_len);
		/* the hole may hold someone else's mapping by now */
		if (r->hole == ~0ULL) {
			munmap(r->map, r->map_len);
		} else {
			munmap(r->map, r->hole * sys_page);
			munmap(r->map + (r->hole + 1) * sys_page,
			       r->map_len - (r->hole + 1) * sys_page);
		}
	}
	r->map = NULL;
	r->map_len = 0;
	r->hole = ~0ULL;
}

static void forget_region(struct fz *f, struct mpool *p, int ri, bool dead)
{
	if (dead)
		f->dead[f->ndead++ % NR_DEAD] = p->regs[ri].key;
	unmap_region(f, &p->regs[ri]);
	p->regs[ri] = p->regs[--p->nregs];
}

static bool covers(const struct mregion *r, u64 pos, u64 len)
{
	u64 first = pos / sys_page, last = (pos + len - 1) / sys_page;

	return r->map && pos + len <= r->map_len &&
	       (r->hole == ~0ULL || r->hole < first || r->hole > last);
}

/*
 * After a data failure: what the address is mapped to, and what a fresh
 * mapping of the region shows there, to tell the device's fault from a
 * mapping the model lost track of.
 */
static void explain(struct fz *f, struct mpool *p, const char *addr, u64 key,
		    u64 pos)
{
	unsigned long lo, hi, pgoff;
	char line[256], *m;
	FILE *fp = fopen("/proc/self/maps", "r");

	pthread_mutex_lock(&out_lock);
	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &pgoff) == 3 &&
		    (unsigned long)addr >= lo && (unsigned long)addr < hi)
			printf("#   %p is in %s#   want region %#llx + %#llx\n",
			       addr, line, key, pos);
	if (fp)
		fclose(fp);
	m = mmap(NULL, pos + 8, PROT_READ, MAP_SHARED, p->fd, (off_t)key);
	if (m != MAP_FAILED) {
		u64 w;

		if (!peek((volatile u64 *)(m + pos), &w))
			printf("#   a new mapping of region %#llx shows %#llx at %#llx\n",
			       key, w, pos);
		munmap(m, pos + 8);
	}
	pthread_mutex_unlock(&out_lock);
}

/* The buffer's address in a mapping of its whole region, made if needed. */
static char *buf_addr(struct fz *f, struct mpool *p, const struct mbuf *b)
{
	int ri = find_region(p, b->key);
	struct mregion *r;
	void *m;

	if (ri < 0) {
		fail(f, C_RESULT, "buffer %#llx has no region in the model",
		     b->off);
		return NULL;
	}
	r = &p->regs[ri];
	if (covers(r, b->off - r->key, b->cap))
		return r->map + (b->off - r->key);
	unmap_region(f, r);
	m = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd,
		 (off_t)r->key);
	if (m == MAP_FAILED) {
		fail(f, C_MMAP, "mmap of live region %#llx (%llu bytes): %s",
		     r->key, r->size, strerror(errno));
		return NULL;
	}
	f->checks[C_MMAP]++;
	r->map = m;
	r->map_len = r->size;
	trace(f, "pool %u mmap region %#llx at %p+%#llx", p->uid, r->key, m,
	      r->size);
	return r->map + (b->off - r->key);
}

/* Check a live buffer's pattern through whatever mapping covers it. */
static void verify_buf(struct fz *f, struct mpool *p, const struct mbuf *b,
		       enum cat c, bool map_it)
{
	int ri = find_region(p, b->key);
	char *a;
	u64 bad;
	int sig;

	if (!b->tag || ri < 0)
		return;
	if (!covers(&p->regs[ri], b->off - b->key, b->cap) && !map_it)
		return;
	a = buf_addr(f, p, b);
	if (!a)
		return;
	sig = access_buf(a, b->cap, ACC_CHECK, b->tag, p->uid, &bad);
	if (sig || bad != ~0ULL)
		explain(f, p, a + (bad == ~0ULL ? 0 : bad), b->key,
			b->off - b->key + (bad == ~0ULL ? 0 : bad));
	CHECK(f, c, !sig && bad == ~0ULL,
	      "buffer %#llx (%llu bytes, pool %u): %s at byte %llu",
	      b->off, b->cap, p->uid, sig ? strsignal(sig) : "pattern changed",
	      bad);
}

static void verify_pool(struct fz *f, struct mpool *p, bool map_all)
{
	int i;

	for (i = 0; i < p->nbufs && !f->stop; i++)
		verify_buf(f, p, &p->bufs[i], p->shared ? C_SHARED : C_DATA,
			   map_all);
}

/* A region the pool must have released: SIGBUS, and mmap refused. */
static void check_released(struct fz *f, struct mpool *p, int ri)
{
	struct mregion *r = &p->regs[ri];
	u64 w;
	void *m;
	int sig;

	if (r->map && r->map_len) {
		sig = peek((volatile u64 *)r->map, &w);
		if (sig)
			f->faults++;
		CHECK(f, C_RELEASE, sig == SIGBUS,
		      "touching released region %#llx: %s", r->key,
		      sig ? strsignal(sig) : "no fault");
	}
	m = mmap(NULL, sys_page, PROT_READ, MAP_SHARED, p->fd, (off_t)r->key);
	if (m != MAP_FAILED)
		munmap(m, sys_page);
	CHECK(f, C_RELEASE, m == MAP_FAILED && errno == EINVAL,
	      "mmap of released region %#llx: %s", r->key,
	      m == MAP_FAILED ? strerror(errno) : "mapped");
	forget_region(f, p, ri, true);
}

/* Another pool of this thread whose model holds region @key, or NULL. */
static struct mpool *owner_of(struct fz *f, struct mpool *p, u64 key)
{
	unsigned int i;

	for (i = 0; i <= opt_pools; i++) {
		struct mpool *q = i < opt_pools ? &f->pools[i] : &f->shared;

		if (q != p && q->fd > 0 && find_region(q, key) >= 0)
			return q;
	}
	return NULL;
}

/*
 * Record an allocation the device reported; check it against the
 * ABI and write the buffer's pattern. Return: its index, or -1.
 */
static int note_alloc(struct fz *f, struct mpool *p, u64 size, u32 flags,
		      u64 off, u64 cap, u64 key, u64 rsize, u64 snapshot)
{
	u64 want = exp_cap(p, size), pos, bad;
	bool huge = want > p->chunk_size, fresh = false;
	struct mbuf *b;
	struct mregion *r;
	int i, ri, sig;
	char *a;

	if (cap != want || rsize != (huge ? cap : p->chunk_size) ||
	    off < key || off - key > rsize || cap > rsize - (off - key)) {
		fail(f, C_RESULT, "alloc %llu: offset %#llx capacity %llu region %#llx+%llu, want capacity %llu in a %s region",
		     size, off, cap, key, rsize, want,
		     huge ? "huge" : "chunk");
		return -1;
	}
	pos = off - key;
	if (huge ? pos != 0 :
	    cap >= p->page_size ? pos % cap : (pos % p->page_size) % cap) {
		fail(f, C_RESULT, "alloc %llu: offset %#llx misaligned in region %#llx",
		     size, off, key);
		return -1;
	}
	for (i = 0; i < p->nbufs; i++) {
		b = &p->bufs[i];
		if (off < b->off + b->cap && b->off < off + cap) {
			fail(f, p->shared ? C_SHARED : C_RESULT,
			     "alloc %llu: %#llx+%llu overlaps live buffer %#llx+%llu",
			     size, off, cap, b->off, b->cap);
			return -1;
		}
	}
	ri = find_region(p, key);
	if (ri >= 0) {
		r = &p->regs[ri];
		if (r->size != rsize || r->huge || huge) {
			fail(f, C_RESULT, "alloc %llu: region %#llx was %s %llu bytes, now %s %llu",
			     size, key, r->huge ? "huge" : "chunk", r->size,
			     huge ? "huge" : "chunk", rsize);
			return -1;
		}
	} else {
		struct mpool *q = owner_of(f, p, key);

		if (q) {
			fail(f, C_RESULT, "alloc %llu in pool %u: region %#llx is pool %u's too",
			     size, p->uid, key, q->uid);
			return -1;
		}
		if (!p->shared && !is_fresh_key(p, key, snapshot)) {
			fail(f, C_RESULT, "alloc %llu: new region %#llx is not above %#llx: a region offset named twice",
			     size, key, snapshot);
			return -1;
		}
		fresh = !p->shared;
		ri = p->nregs++;
		r = &p->regs[ri];
		memset(r, 0, sizeof(*r));
		r->key = key;
		r->size = rsize;
		r->huge = huge;
		r->hole = ~0ULL;
		atomic_max(&max_key, key);
	}
	r->live++;
	b = &p->bufs[p->nbufs++];
	b->off = off;
	b->cap = cap;
	b->key = key;
	b->refs = 1;
	b->tag = 0;
	f->checks[C_RESULT]++;
	p->frozen = true;
	if (huge)
		p->alloc_huge++;

	a = buf_addr(f, p, b);
	if (!a)
		return -1;
	if (fresh || (flags & NP_ALLOC_ZERO)) {
		sig = access_buf(a, cap, ACC_ZERO, 0, p->uid, &bad);
		CHECK(f, C_DATA, !sig && bad == ~0ULL,
		      "%s buffer %#llx (%llu bytes): %s at byte %llu",
		      fresh ? "fresh" : "NP_ALLOC_ZERO", off, cap,
		      sig ? strsignal(sig) : "not zero", bad);
	} else {
		sig = access_buf(a, cap, ACC_FOREIGN, 0, p->uid, &bad);
		if (sig || bad != ~0ULL)
			explain(f, p, a + (bad == ~0ULL ? 0 : bad), key,
				pos + (bad == ~0ULL ? 0 : bad));
		CHECK(f, C_RELEASE, !sig && bad == ~0ULL,
		      "recycled buffer %#llx: %s at byte %llu",
		      off, sig ? strsignal(sig) : "another pool's data", bad);
	}
	b->tag = (TAG_MAGIC << 48) | ((u64)p->uid << 32) | ++f->serial;
	sig = access_buf(a, cap, ACC_WRITE, b->tag, p->uid, &bad);
	CHECK(f, C_DATA, !sig, "writing buffer %#llx: %s", off,
	      strsignal(sig));
	return p->nbufs - 1;
}

/* One reference of bufs[i] dropped by the device. */
static void model_put(struct fz *f, struct mpool *p, int i)
{
	struct mbuf *b = &p->bufs[i];
	int ri;

	if (--b->refs)
		return;
	p->freed[p->nfreed++ % NR_FREED] = b->off;
	ri = find_region(p, b->key);
	*b = p->bufs[--p->nbufs];
	if (ri < 0)
		return;
	p->regs[ri].live--;
	if (p->regs[ri].huge) {
		p->free_huge++;
		check_released(f, p, ri);
	}
}

static void get_stats(struct fz *f, struct mpool *p, struct np_stats *st)
{
	int ret = xio(p->fd, NP_IOC_STATS, st);

	if (ret) {
		memset(st, 0, sizeof(*st));
		fail(f, C_STATS, "NP_IOC_STATS: %s", strerror(-ret));
	}
}

static const char *const stat_names[] = {
	"page_size", "chunk_size", "n_arenas", "chunks", "huge_regions",
	"bytes_reserved", "bytes_active", "bytes_cached", "alloc_tiny",
	"alloc_small", "alloc_normal", "alloc_huge", "free_tiny", "free_small",
	"free_normal", "free_huge", "cache_hits", "active_buffers",
	"chunklist_qinit", "chunklist_q000", "chunklist_q025",
	"chunklist_q050", "chunklist_q075", "chunklist_q100",
	"leaked_on_close",
};

/*
 * Counters a refusal for want of memory may move: before it says no, a
 * pool flushes its caches into the arenas and releases its empty chunks.
 */
static bool nomem_may_change(const char *name, u64 before, u64 after)
{
	if (!strncmp(name, "free_", 5) && strcmp(name, "free_huge"))
		return after > before;
	return (!strcmp(name, "chunks") || !strcmp(name, "bytes_reserved") ||
		!strcmp(name, "bytes_cached") ||
		!strncmp(name, "chunklist_", 10));
}

/* A refused call must leave the pool's counters exactly as they were. */
static void same_stats_f(struct fz *f, struct mpool *p,
			 const struct np_stats *before, const char *what,
			 bool nomem)
{
	const u64 *b = (const u64 *)before, *a;
	struct np_stats after;
	unsigned int i;

	if (p->shared)
		return;
	get_stats(f, p, &after);
	a = (const u64 *)&after;
	for (i = 0; i < sizeof(after) / sizeof(u64); i++) {
		const char *name = i < sizeof(stat_names) / sizeof(stat_names[0]) ?
				   stat_names[i] : "reserved";

		if (a[i] == b[i])
			continue;
		if (nomem && nomem_may_change(name, b[i], a[i]))
			continue;
		fail(f, C_BAD, "%s changed %s of the pool: %llu -> %llu", what,
		     name, b[i], a[i]);
		return;
	}
	f->checks[C_BAD]++;
}

static void same_stats(struct fz *f, struct mpool *p,
		       const struct np_stats *before, const char *what)
{
	same_stats_f(f, p, before, what, false);
}

static void check_stats(struct fz *f, struct mpool *p, bool trimmed)
{
	u64 active = 0, huge = 0, huge_bytes = 0, lists = 0, chunks = 0;
	struct np_stats st;
	int i;

	get_stats(f, p, &st);
	if (f->stop)
		return;
	CHECK(f, C_STATS, st.page_size == p->page_size &&
	      st.chunk_size == p->chunk_size,
	      "geometry %llu/%llu, want %llu/%llu",
	      (unsigned long long)st.page_size,
	      (unsigned long long)st.chunk_size, p->page_size, p->chunk_size);
	if (p->shared)
		return;
	for (i = 0; i < p->nbufs; i++)
		active += p->bufs[i].cap;
	for (i = 0; i < p->nregs; i++) {
		if (p->regs[i].huge) {
			huge++;
			huge_bytes += p->regs[i].size;
		} else if (p->regs[i].live) {
			chunks++;
		}
	}
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		lists += st.chunklist_chunks[i];
	CHECK(f, C_STATS, st.active_buffers == (u64)p->nbufs &&
	      st.bytes_active == active,
	      "active %llu buffers %llu bytes, model %d buffers %llu bytes",
	      (unsigned long long)st.active_buffers,
	      (unsigned long long)st.bytes_active, p->nbufs, active);
	CHECK(f, C_STATS, st.huge_regions == huge &&
	      st.alloc_huge == p->alloc_huge && st.free_huge == p->free_huge,
	      "huge: %llu regions, %llu allocs, %llu frees; model %llu, %llu, %llu",
	      (unsigned long long)st.huge_regions,
	      (unsigned long long)st.alloc_huge,
	      (unsigned long long)st.free_huge, huge, p->alloc_huge,
	      p->free_huge);
	CHECK(f, C_STATS, st.bytes_reserved ==
	      st.chunks * st.chunk_size + huge_bytes && lists == st.chunks,
	      "bytes_reserved %llu, chunks %llu (in lists %llu) of %llu, huge %llu bytes",
	      (unsigned long long)st.bytes_reserved,
	      (unsigned long long)st.chunks, lists,
	      (unsigned long long)st.chunk_size, huge_bytes);
	CHECK(f, C_STATS, !p->max_bytes || st.bytes_reserved <= p->max_bytes,
	      "bytes_reserved %llu above max_bytes %llu",
	      (unsigned long long)st.bytes_reserved, p->max_bytes);
	for (i = 0; i < 8; i++)
		CHECK(f, C_STATS, !st.reserved[i], "reserved[%d] = %llu", i,
		      (unsigned long long)st.reserved[i]);
	if (trimmed)
		CHECK(f, C_STATS, !st.bytes_cached && st.chunks == chunks,
		      "after TRIM: %llu bytes cached, %llu chunks, %llu hold live buffers",
		      (unsigned long long)st.bytes_cached,
		      (unsigned long long)st.chunks, chunks);
}

/* ------------------------------------------------------------ choices */

static u64 pick_size(struct fz *f, const struct mpool *p)
{
	u64 ps = p->page_size, cs = p->chunk_size;

	switch (rnd(f, 16)) {
	case 0:
		return rnd(f, 2);			/* 0, 1 */
	case 1:
		return 15 + rnd(f, 3);
	case 2:
		return 511 + rnd(f, 3);
	case 3:
		return ps - 1 + rnd(f, 3);
	case 4:
		return cs - 1 + rnd(f, 3);		/* chunk edge */
	case 5:
		return sys_page - 1 + rnd(f, 3);
	case 6:
	case 7:
	case 8:
		return 1 + rnd(f, 512);
	case 9:
	case 10:
		return 1 + rnd(f, ps * 2);
	case 11:
		return 1 + rnd(f, cs);
	case 12:
		return cs + 1 + rnd(f, cs < (4 << 20) ? cs : (4 << 20));
	case 13:
		return (1ULL << rnd(f, 22)) + rnd(f, 3) - 1;
	default:
		return 16 * (1 + rnd(f, 31));
	}
}

static u64 pick_absurd(struct fz *f)
{
	static const u64 sizes[] = {
		~0ULL, ~0ULL - 4095, ~0ULL - 4096, 1ULL << 63, 1ULL << 62,
		1ULL << 48, 1ULL << 42, (1ULL << 40) + 1,
	};

	return sizes[rnd(f, sizeof(sizes) / sizeof(sizes[0]))];
}

/* An offset that is not the start of a live buffer of @p. */
static u64 pick_bad_offset(struct fz *f, struct mpool *p, const char **kind)
{
	struct mpool *q;
	u64 off;
	int i, j;

	for (i = 0; i < 8; i++) {
		switch (rnd(f, 8)) {
		case 0:
			*kind = "freed";
			off = p->nfreed ? p->freed[rnd(f, p->nfreed < NR_FREED ?
						       p->nfreed : NR_FREED)] : 0;
			break;
		case 1:
			*kind = "interior";
			if (!p->nbufs)
				continue;
			j = rnd(f, p->nbufs);
			off = p->bufs[j].off + 1 + rnd(f, p->bufs[j].cap);
			break;
		case 2:
			*kind = "unaligned";
			if (!p->nbufs)
				continue;
			off = p->bufs[rnd(f, p->nbufs)].off + 1 + rnd(f, 15);
			break;
		case 3:
			*kind = "foreign";
			q = &f->pools[rnd(f, opt_pools)];
			if (q == p || !q->nbufs)
				continue;
			off = q->bufs[rnd(f, q->nbufs)].off;
			break;
		case 4:
			*kind = "region start, no buffer";
			if (!p->nregs)
				continue;
			off = p->regs[rnd(f, p->nregs)].key;
			break;
		case 5:
			*kind = "dead region";
			if (!f->ndead)
				continue;
			off = f->dead[rnd(f, f->ndead < NR_DEAD ?
					  f->ndead : NR_DEAD)];
			break;
		case 6:
			*kind = "edge";
			off = rnd(f, 2) ? 0 : ~0ULL - rnd(f, 4096);
			break;
		default:
			*kind = "random";
			off = rnd64(f) >> rnd(f, 64);
			break;
		}
		if (find_buf(p, off) < 0)
			return off;
	}
	*kind = "odd";
	return 1;
}

/*
 * In a pool other threads use too, or in a batch that may allocate first,
 * only offsets no buffer can start at are bad for sure.
 */
static u64 pick_shared_bad_offset(struct fz *f, struct mpool *p)
{
	if (p->nbufs && rnd(f, 2))
		return p->bufs[rnd(f, p->nbufs)].off + 1 + rnd(f, 15);
	return rnd(f, 2) ? 0 : ~0ULL;
}

/* A configuration the ABI accepts; *want is what it resolves to. */
static struct np_config pick_config(struct fz *f, struct np_config *want)
{
	static const u32 pages[] = { 0, 4096, 8192, 16384, 65536 };
	static const s32 caches[] = { -1, 0, 0, 1, 7, 64, 512 };
	struct np_config c;
	u32 page, order;

	memset(&c, 0, sizeof(c));
	c.page_size = pages[rnd(f, 5)];
	page = c.page_size ? c.page_size : NP_PAGE_SIZE_DEFAULT;
	/* chunks of at most 16 MiB: the guest runs several pools at once */
	order = rnd(f, 25 - __builtin_ctz(page));
	if (order || rnd(f, 2)) {
		c.max_order = order;
		if (!order)
			c.flags = NP_CONFIG_MAX_ORDER;
	}
	c.n_arenas = rnd(f, 4) ? rnd(f, 4) : 1 + rnd(f, 16);
	c.tiny_cache = caches[rnd(f, 7)];
	c.small_cache = caches[rnd(f, 7)];
	c.normal_cache = caches[rnd(f, 7)];
	c.keep_empty_chunks = (s32)rnd(f, 3) - 1;
	switch (rnd(f, 4)) {
	case 0:
		c.max_bytes = ((u64)page << order) * (1 + rnd(f, 4));
		break;
	case 1:
		c.max_bytes = 1 + rnd(f, 32ULL << 20);
		break;
	default:
		break;
	}
	c.leak_detection = rnd(f, 5);

	*want = c;
	want->page_size = page;
	want->max_order = c.max_order || (c.flags & NP_CONFIG_MAX_ORDER) ?
			  c.max_order : NP_MAX_ORDER_DEFAULT;
	want->flags |= NP_CONFIG_MAX_ORDER;
	want->n_arenas = c.n_arenas ? c.n_arenas : (u32)nr_cpus;
	want->tiny_cache = c.tiny_cache ? c.tiny_cache : 512;
	want->small_cache = c.small_cache ? c.small_cache : 256;
	want->normal_cache = c.normal_cache ? c.normal_cache : 64;
	want->keep_empty_chunks = c.keep_empty_chunks ? c.keep_empty_chunks : 1;
	return c;
}

/* A configuration with exactly one thing wrong. */
static struct np_config pick_bad_config(struct fz *f, const char **what)
{
	static const u32 bad_pages[] = {
		1, 2048, 4095, 4097, 12288, 131072, 1U << 31, ~0U,
	};
	struct np_config w, c = pick_config(f, &w);

	switch (rnd(f, 10)) {
	case 0:
		c.flags |= 2U << rnd(f, 31);
		*what = "unknown flag";
		break;
	case 1:
		c.reserved[rnd(f, 3)] = 1 + rnd(f, ~0ULL - 1);
		*what = "reserved field";
		break;
	case 2:
		c.pad = 1 + rnd(f, 0xfffffffe);
		*what = "pad";
		break;
	case 3:
		c.page_size = bad_pages[rnd(f, 8)];
		*what = "page_size";
		break;
	case 4:
		c.max_order = NP_MAX_ORDER_MAX + 1 + rnd(f, 100);
		*what = "max_order";
		break;
	case 5:
		c.n_arenas = NP_ARENAS_MAX + 1 + rnd(f, 1000000);
		*what = "n_arenas";
		break;
	case 6:
		c.small_cache = rnd(f, 2) ? NP_CACHE_ENTRIES_MAX + 1 :
			       -2 - (s32)rnd(f, 1000);
		*what = "cache size";
		break;
	case 7:
		c.keep_empty_chunks = rnd(f, 2) ? 2 : -2;
		*what = "keep_empty_chunks";
		break;
	case 8:
		c.leak_detection = NP_LEAK_PARANOID + 1 + rnd(f, 100);
		*what = "leak_detection";
		break;
	default:
		c.page_size = 65536;
		c.max_order = NP_MAX_ORDER_MAX;
		c.flags |= 4;
		*what = "flag 4 with a 1 GiB chunk";
		break;
	}
	return c;
}

/* A command that is none of the device's and none the VFS answers. */
static unsigned long pick_unknown_cmd(struct fz *f)
{
	static const unsigned long sizes[] = { 0, 8, 16, 24, 88, 96, 200 };
	unsigned int nr, type, dir;
	unsigned long cmd;

	for (;;) {
		switch (rnd(f, 3)) {
		case 0:	/* our magic, a number past ours */
			type = NP_IOC_MAGIC;
			nr = 8 + rnd(f, 248);
			break;
		case 1:	/* our magic and number, another size or direction */
			type = NP_IOC_MAGIC;
			nr = rnd(f, 8);
			break;
		default:
			type = rnd(f, 256);
			nr = rnd(f, 256);
			break;
		}
		dir = rnd(f, 4);
		cmd = _IOC(dir, type, nr, sizes[rnd(f, 7)]);
		if (rnd(f, 8) == 0)
			cmd = (u32)rnd64(f);
		/* the VFS's: FIBMAP (0), FIOCLEX ('T'), FS_IOC_* ('f', 'X', 0x94) */
		type = _IOC_TYPE(cmd);
		if (!type || type == 'T' || type == 'f' || type == 'X' ||
		    type == 0x94 || type == 0x12)
			continue;
		if (cmd == NP_IOC_CONFIGURE || cmd == NP_IOC_ALLOC ||
		    cmd == NP_IOC_FREE || cmd == NP_IOC_RETAIN ||
		    cmd == NP_IOC_BATCH || cmd == NP_IOC_STATS ||
		    cmd == NP_IOC_TRIM || cmd == NP_IOC_QUERY)
			continue;
		return cmd;
	}
}

/* A user pointer that copy_{from,to}_user must refuse. */
static void *pick_bad_ptr(struct fz *f, size_t len, const char **kind)
{
	switch (rnd(f, 6)) {
	case 0:
		*kind = "NULL";
		return NULL;
	case 1:
		*kind = "PROT_NONE page";
		return f->guard + rnd(f, sys_page - len);
	case 2:
		*kind = "kernel address";
		return (void *)KERNEL_PTR;
	case 3:
		*kind = "non-canonical address";
		return (void *)NONCANON_PTR;
	case 4:
		*kind = "top of the address space";
		return (void *)(~0UL - 7);
	default:
		*kind = "straddling a PROT_NONE page";
		return f->guard - 8 * (1 + rnd(f, len / 8 - 1));
	}
}

/* ---------------------------------------------------------- operations */

static struct mpool *other_pool(struct fz *f, struct mpool *p)
{
	struct mpool *q = &f->pools[rnd(f, opt_pools)];

	return q == p ? NULL : q;
}

static void op_alloc(struct fz *f, struct mpool *p)
{
	struct np_stats before;
	struct np_alloc a;
	u64 size = pick_size(f, p), snapshot;
	u32 flags = rnd(f, 4) ? 0 : NP_ALLOC_ZERO;
	bool ok_nomem;
	int ret;

	if (!room_for(p, exp_cap(p, size)))
		return;
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.flags = flags;
	a.tag = rnd64(f);
	if (!p->shared)
		get_stats(f, p, &before);
	snapshot = __atomic_load_n(&max_key, __ATOMIC_ACQUIRE);
	ret = xio(p->fd, NP_IOC_ALLOC, &a);
	trace(f, "pool %u ALLOC %llu flags %u -> %d offset %#llx cap %llu region %#llx",
	      p->uid, size, flags, ret, (unsigned long long)a.offset,
	      (unsigned long long)a.capacity,
	      (unsigned long long)a.region_offset);
	if (ret == -ENOMEM && !p->shared) {
		u64 cap = exp_cap(p, size);
		u64 need = cap > p->chunk_size ? cap : p->chunk_size;

		ok_nomem = p->max_bytes &&
			   before.bytes_reserved + need > p->max_bytes;
		CHECK(f, C_RESULT, ok_nomem,
		      "ALLOC %llu: ENOMEM with %llu of max_bytes %llu reserved",
		      size, (unsigned long long)before.bytes_reserved,
		      p->max_bytes);
		same_stats_f(f, p, &before, "a refused ALLOC", true);
		return;
	}
	if (ret) {
		fail(f, C_RESULT, "ALLOC %llu flags %u: %s", size, flags,
		     strerror(-ret));
		return;
	}
	note_alloc(f, p, size, flags, a.offset, a.capacity, a.region_offset,
		   a.region_size, snapshot);
}

static void op_alloc_bad(struct fz *f, struct mpool *p)
{
	struct np_stats before;
	struct np_alloc a;
	const char *what;
	int ret, want = -EINVAL;

	memset(&a, 0, sizeof(a));
	a.size = pick_size(f, p);
	switch (rnd(f, 4)) {
	case 0:
		a.flags = NP_ALLOC_FLAGS_ALL + 1 + rnd(f, ~0U - 1);
		what = "ALLOC with unknown flags";
		break;
	case 1:
		a.pad = 1 + rnd(f, ~0U - 1);
		what = "ALLOC with pad set";
		break;
	case 2:
		a.reserved = 1 + rnd(f, ~0ULL - 1);
		what = "ALLOC with reserved set";
		break;
	default:
		a.size = pick_absurd(f);
		a.flags = rnd(f, 2) ? NP_ALLOC_ZERO : 0;
		what = "ALLOC of an absurd size";
		want = -ENOMEM;
		break;
	}
	if (rnd(f, 4) == 0) {	/* outputs preset: must not matter */
		a.offset = rnd64(f);
		a.capacity = rnd64(f);
	}
	get_stats(f, p, &before);
	ret = xio(p->fd, NP_IOC_ALLOC, &a);
	trace(f, "pool %u %s (size %llu) -> %d", p->uid, what,
	      (unsigned long long)a.size, ret);
	REFUSED(f, C_BAD, ret, want, what);
	same_stats_f(f, p, &before, what, want == -ENOMEM);
}

static void op_free(struct fz *f, struct mpool *p, bool retain)
{
	struct np_free fr = { 0 };
	int i, ret;

	if (!p->nbufs)
		return;
	i = rnd(f, p->nbufs);
	fr.offset = p->bufs[i].off;
	if (retain && p->bufs[i].refs >= 4)
		retain = false;
	if (!retain && p->bufs[i].refs == 1)
		verify_buf(f, p, &p->bufs[i], p->shared ? C_SHARED : C_DATA,
			   false);
	ret = xio(p->fd, retain ? NP_IOC_RETAIN : NP_IOC_FREE, &fr);
	trace(f, "pool %u %s %#llx (refs %u) -> %d", p->uid,
	      retain ? "RETAIN" : "FREE", fr.offset, p->bufs[i].refs, ret);
	CHECK(f, p->shared ? C_SHARED : C_RESULT, !ret,
	      "%s of live buffer %#llx: %s", retain ? "RETAIN" : "FREE",
	      fr.offset, strerror(-ret));
	if (ret)
		return;
	if (retain)
		p->bufs[i].refs++;
	else
		model_put(f, p, i);
}

static void op_free_bad(struct fz *f, struct mpool *p)
{
	static const unsigned long cmds[] = {
		NP_IOC_FREE, NP_IOC_RETAIN, NP_IOC_QUERY,
	};
	static const char *const names[] = { "FREE", "RETAIN", "QUERY" };
	unsigned int c = rnd(f, 3);
	struct np_stats before;
	/* struct np_free is { offset, reserved }, np_query adds capacity */
	u64 arg[3] = { 0, 0, 0 };
	const char *kind = "reserved field";
	char what[96];
	int ret;

	if (p->shared) {
		arg[0] = pick_shared_bad_offset(f, p);
		kind = "no buffer";
	} else if (p->nbufs && rnd(f, 5) == 0) {
		arg[0] = p->bufs[rnd(f, p->nbufs)].off;
		arg[c == 2 ? 2 : 1] = 1 + rnd(f, ~0ULL - 1);
	} else {
		arg[0] = pick_bad_offset(f, p, &kind);
	}
	snprintf(what, sizeof(what), "%s of a %s offset %#llx", names[c], kind,
		 (unsigned long long)arg[0]);
	if (!p->shared)
		get_stats(f, p, &before);
	ret = xio(p->fd, cmds[c], arg);
	trace(f, "pool %u %s -> %d", p->uid, what, ret);
	REFUSED(f, C_BAD, ret, -EINVAL, what);
	same_stats(f, p, &before, what);
}

static void op_query(struct fz *f, struct mpool *p)
{
	struct np_query q = { 0 };
	int i, ret;

	if (!p->nbufs)
		return;
	i = rnd(f, p->nbufs);
	q.offset = p->bufs[i].off;
	q.capacity = rnd64(f);
	ret = xio(p->fd, NP_IOC_QUERY, &q);
	trace(f, "pool %u QUERY %#llx -> %d cap %llu", p->uid,
	      p->bufs[i].off, ret, (unsigned long long)q.capacity);
	CHECK(f, p->shared ? C_SHARED : C_RESULT,
	      !ret && q.capacity == p->bufs[i].cap && q.offset == p->bufs[i].off,
	      "QUERY of live buffer %#llx (%llu bytes): %d, capacity %llu",
	      p->bufs[i].off, p->bufs[i].cap, ret,
	      (unsigned long long)q.capacity);
}

/* Most operations a batch may have: each may add a buffer and a region. */
static u32 batch_room(const struct mpool *p)
{
	int room = MAX_BUFS - 1 - p->nbufs;

	if (MAX_REGIONS - 1 - p->nregs < room)
		room = MAX_REGIONS - 1 - p->nregs;
	return room > 0 ? room : 0;
}

/*
 * Fill a batch with @n operations of the model's choosing; return the
 * index of the first that must fail (n when none must) and its errno.
 */
static u32 fill_batch(struct fz *f, struct mpool *p, struct np_batch_op *ops,
		      u32 n, bool allow_bad, bool small, int *err)
{
	u32 refs[MAX_BUFS], i, first = n;
	u64 budget = model_bytes(p);
	int j;

	for (j = 0; j < p->nbufs; j++)
		refs[j] = p->bufs[j].refs;
	*err = 0;
	for (i = 0; i < n; i++) {
		struct np_batch_op *o = &ops[i];
		u64 cap;
		int bad = allow_bad && rnd(f, 12) == 0;

		memset(o, 0, sizeof(*o));
		o->result = SENTINEL;
		j = p->nbufs ? (int)rnd(f, p->nbufs) : -1;
		if (j >= 0 && refs[j] && rnd(f, 2)) {
			o->op = NP_BATCH_FREE;
			o->offset = p->bufs[j].off;
			if (i < first)
				refs[j]--;
		} else {
			o->op = NP_BATCH_ALLOC;
			o->size = small ? 1 + rnd(f, 4096) : pick_size(f, p);
			o->flags = rnd(f, 4) ? 0 : NP_ALLOC_ZERO;
			cap = exp_cap(p, o->size);
			cap = cap > p->chunk_size ? cap : p->chunk_size;
			if (budget + cap > BUDGET) {
				o->size = 16;	/* shares a chunk or fails */
				o->flags = 0;
			} else {
				budget += cap;
			}
		}
		if (!bad)
			continue;
		switch (rnd(f, 5)) {
		case 0:
			o->pad = 1;
			break;
		case 1:
			o->op = rnd(f, 2) ? 0 : 3 + rnd(f, 100);
			break;
		case 2:
			o->op = NP_BATCH_ALLOC;
			o->size = 64;
			o->flags = 2;
			break;
		case 3:
			o->op = NP_BATCH_FREE;
			o->flags = NP_ALLOC_ZERO;
			break;
		default:
			/* not a freed one: the batch may reallocate it first */
			o->op = NP_BATCH_FREE;
			o->flags = 0;
			o->offset = pick_shared_bad_offset(f, p);
			break;
		}
		if (i < first) {
			first = i;
			*err = -EINVAL;
		}
	}
	return first;
}

/*
 * Apply the first @done operations of a finished batch to the model;
 * @allocs_kept is false when the device undid the allocations.
 */
static void apply_batch(struct fz *f, struct mpool *p, struct np_batch_op *ops,
			u32 done, u64 snapshot, bool allocs_kept)
{
	u32 i;
	int j;

	for (i = 0; i < done && !f->stop; i++) {
		struct np_batch_op *o = &ops[i];

		if (o->op == NP_BATCH_FREE) {
			j = find_buf(p, o->offset);
			if (j < 0)
				fail(f, C_RESULT, "batch op %u freed %#llx, not live in the model",
				     i, (unsigned long long)o->offset);
			else
				model_put(f, p, j);
		} else if (allocs_kept) {
			note_alloc(f, p, o->size, o->flags, o->offset,
				   o->capacity, o->region_offset,
				   o->region_size, snapshot);
		} else {
			if (exp_cap(p, o->size) > p->chunk_size) {
				p->alloc_huge++;
				p->free_huge++;
			}
			if (!p->hidden_floor)
				p->hidden_floor = snapshot;
		}
	}
}

static void op_batch(struct fz *f, struct mpool *p)
{
	static struct np_batch_op ops_buf[MAX_THREADS][160];
	struct np_batch_op *ops = ops_buf[f->id];
	struct np_batch b = { 0 };
	u32 n, first, i, want_done;
	u64 snapshot;
	int err, ret;

	n = rnd(f, 8) ? 1 + rnd(f, 12) : rnd(f, 2) ? 0 : 60 + rnd(f, 100);
	if (n > batch_room(p))
		n = batch_room(p);
	first = fill_batch(f, p, ops, n, !p->shared, n > 12, &err);
	b.ops = (uintptr_t)ops;
	b.count = n;
	b.done = (u32)rnd64(f);
	snapshot = __atomic_load_n(&max_key, __ATOMIC_ACQUIRE);
	ret = xio(p->fd, NP_IOC_BATCH, &b);
	trace(f, "pool %u BATCH %u ops (first bad %u) -> %d done %u", p->uid,
	      n, first, ret, b.done);
	want_done = first;
	if (ret == -ENOMEM && b.done < first && ops[b.done].op == NP_BATCH_ALLOC &&
	    p->max_bytes) {
		want_done = b.done;	/* the pool's limit: may happen */
		err = -ENOMEM;
	}
	if (ret != err || b.done != want_done) {
		fail(f, C_RESULT, "BATCH of %u: returned %d done %u, want %d done %u",
		     n, ret, b.done, err, want_done);
		return;
	}
	for (i = 0; i < n; i++) {
		s32 want = i < want_done ? 0 : i == want_done ? err : SENTINEL;

		/* ops after the failure in its slice and later are untouched */
		if (i > want_done)
			want = SENTINEL;
		if (ops[i].result != want) {
			fail(f, C_RESULT, "BATCH op %u result %d, want %d", i,
			     ops[i].result, want);
			return;
		}
	}
	if (err)
		f->bad++;
	f->checks[C_RESULT]++;
	apply_batch(f, p, ops, b.done, snapshot, true);
}

static void op_batch_bad(struct fz *f, struct mpool *p)
{
	struct np_batch_op *ops;
	struct np_stats before;
	struct np_batch b = { 0 };
	const char *what;
	u64 snapshot;
	u32 n, first;
	int err, ret, want;

	get_stats(f, p, &before);
	b.ops = (uintptr_t)f->scratch;
	b.count = 1;
	want = -EINVAL;
	switch (rnd(f, 6)) {
	case 0:
		b.flags = 1 + rnd(f, ~0U - 1);
		what = "BATCH with flags";
		break;
	case 1:
		b.reserved = 1 + rnd(f, ~0U - 1);
		what = "BATCH with reserved set";
		break;
	case 2:
		b.count = BATCH_MAX + 1 + rnd(f, ~0U - BATCH_MAX - 1);
		what = "BATCH of too many ops";
		break;
	case 3:
		b.ops = (uintptr_t)pick_bad_ptr(f, sizeof(*ops), &what);
		b.count = 1 + rnd(f, 200);
		what = "BATCH with a bad ops pointer";
		want = -EFAULT;
		break;
	case 4:
		b.count = 0;
		b.ops = rnd(f, 2) ? 0 : KERNEL_PTR;
		what = "BATCH of no ops";
		want = 0;
		break;
	default:
		/* a first slice in good memory, the second not */
		n = BATCH_SLICE + 1 + rnd(f, 8);
		ops = (struct np_batch_op *)(f->guard - BATCH_SLICE * sizeof(*ops));
		if (batch_room(p) < BATCH_SLICE)
			return;
		first = fill_batch(f, p, ops, BATCH_SLICE, false, true, &err);
		if (first != BATCH_SLICE)
			return;
		b.ops = (uintptr_t)ops;
		b.count = n;
		snapshot = __atomic_load_n(&max_key, __ATOMIC_ACQUIRE);
		ret = xio(p->fd, NP_IOC_BATCH, &b);
		trace(f, "pool %u BATCH of %u straddling a PROT_NONE page -> %d done %u",
		      p->uid, n, ret, b.done);
		if (ret == -ENOMEM && p->max_bytes) {
			apply_batch(f, p, ops, b.done, snapshot, true);
			return;
		}
		CHECK(f, C_BAD, ret == -EFAULT && b.done == BATCH_SLICE,
		      "BATCH of %u whose op %u is in a PROT_NONE page: %d, done %u, want EFAULT after %u",
		      n, BATCH_SLICE, ret, b.done, BATCH_SLICE);
		if (!f->stop) {
			f->bad++;
			apply_batch(f, p, ops, b.done, snapshot, true);
		}
		return;
	}
	b.done = 12345;
	ret = xio(p->fd, NP_IOC_BATCH, &b);
	trace(f, "pool %u %s -> %d done %u", p->uid, what, ret, b.done);
	REFUSED(f, C_BAD, ret, want, what);
	if (want != -EINVAL)
		CHECK(f, C_BAD, b.done == 0, "%s: done %u, want 0", what, b.done);
	same_stats(f, p, &before, what);
}

static void op_stats(struct fz *f, struct mpool *p)
{
	trace(f, "pool %u STATS", p->uid);
	check_stats(f, p, false);
}

static void op_trim(struct fz *f, struct mpool *p)
{
	int ret = xio(p->fd, NP_IOC_TRIM, rnd(f, 2) ? NULL : (void *)KERNEL_PTR);
	int i;

	trace(f, "pool %u TRIM -> %d", p->uid, ret);
	CHECK(f, C_RESULT, !ret, "TRIM: %s", strerror(-ret));
	if (p->shared)
		return;
	check_stats(f, p, true);
	p->hidden_floor = 0;
	/* every region without a live buffer is gone now */
	for (i = p->nregs - 1; i >= 0 && !f->stop; i--)
		if (!p->regs[i].live)
			check_released(f, p, i);
}

static void reset_pool(struct fz *f, struct mpool *p)
{
	int i;

	for (i = 0; i < p->nregs; i++)
		unmap_region(f, &p->regs[i]);
	p->nregs = 0;
	p->nbufs = 0;
	p->nfreed = 0;
	p->frozen = false;
	p->hidden_floor = 0;
	p->alloc_huge = 0;
	p->free_huge = 0;
}

static void set_geometry(struct mpool *p, const struct np_config *eff)
{
	p->page_size = eff->page_size;
	p->chunk_size = (u64)eff->page_size << eff->max_order;
	p->max_bytes = eff->max_bytes;
}

static void op_configure(struct fz *f, struct mpool *p)
{
	struct np_config c, want;
	struct np_stats before;
	const char *what = "valid";
	bool bad = rnd(f, 3) == 0;
	u32 req_leak = 0;
	int ret;

	if (bad) {
		c = pick_bad_config(f, &what);
	} else {
		c = pick_config(f, &want);
		req_leak = c.leak_detection;
	}
	get_stats(f, p, &before);
	ret = xio(p->fd, NP_IOC_CONFIGURE, &c);
	trace(f, "pool %u CONFIGURE %s page %u order %u max_bytes %llu -> %d",
	      p->uid, what, c.page_size, c.max_order,
	      (unsigned long long)c.max_bytes, ret);
	if (p->frozen || bad) {
		REFUSED(f, C_BAD, ret, p->frozen ? -EBUSY : -EINVAL,
			p->frozen ? "CONFIGURE after an allocation" :
			"CONFIGURE with a bad field");
		same_stats(f, p, &before, "a refused CONFIGURE");
		return;
	}
	if (ret) {
		fail(f, C_RESULT, "CONFIGURE (page %u order %u): %s",
		     c.page_size, c.max_order, strerror(-ret));
		return;
	}
	if (!req_leak)	/* the module's default */
		want.leak_detection = c.leak_detection;
	CHECK(f, C_RESULT, c.leak_detection >= NP_LEAK_DISABLED &&
	      c.leak_detection <= NP_LEAK_PARANOID &&
	      !memcmp(&c, &want, sizeof(c)),
	      "CONFIGURE wrote back page %u order %u arenas %u caches %d/%d/%d keep %d max %llu leak %u flags %#x; want page %u order %u arenas %u caches %d/%d/%d keep %d",
	      c.page_size, c.max_order, c.n_arenas, c.tiny_cache,
	      c.small_cache, c.normal_cache, c.keep_empty_chunks,
	      (unsigned long long)c.max_bytes, c.leak_detection, c.flags,
	      want.page_size, want.max_order, want.n_arenas, want.tiny_cache,
	      want.small_cache, want.normal_cache, want.keep_empty_chunks);
	reset_pool(f, p);
	set_geometry(p, &c);
	check_stats(f, p, false);
}

static void op_unknown(struct fz *f, struct mpool *p)
{
	unsigned long cmd = pick_unknown_cmd(f);
	struct np_stats before;
	char what[64];
	void *arg;
	int ret;

	arg = rnd(f, 2) ? (void *)f->scratch : (void *)(uintptr_t)rnd64(f);
	memset(f->scratch, (int)rnd(f, 256), sys_page);
	get_stats(f, p, &before);
	ret = xio(p->fd, cmd, arg);
	snprintf(what, sizeof(what), "unknown command %#lx", cmd);
	trace(f, "pool %u %s -> %d", p->uid, what, ret);
	REFUSED(f, C_BAD, ret, -ENOTTY, what);
	same_stats(f, p, &before, what);
}

static void op_bad_ptr(struct fz *f, struct mpool *p)
{
	static const struct {
		unsigned long cmd;
		size_t len;
		const char *name;
	} cmds[] = {
		{ NP_IOC_CONFIGURE, sizeof(struct np_config), "CONFIGURE" },
		{ NP_IOC_ALLOC, sizeof(struct np_alloc), "ALLOC" },
		{ NP_IOC_FREE, sizeof(struct np_free), "FREE" },
		{ NP_IOC_RETAIN, sizeof(struct np_free), "RETAIN" },
		{ NP_IOC_BATCH, sizeof(struct np_batch), "BATCH" },
		{ NP_IOC_STATS, sizeof(struct np_stats), "STATS" },
		{ NP_IOC_QUERY, sizeof(struct np_query), "QUERY" },
	};
	unsigned int c = rnd(f, 7);
	struct np_stats before;
	const char *kind;
	char what[96];
	u64 *arg;
	int ret;

	arg = pick_bad_ptr(f, cmds[c].len, &kind);
	/* what is readable names a live buffer or asks for something real */
	if ((char *)arg >= f->scratch && (char *)arg < f->guard) {
		arg[0] = p->nbufs ? p->bufs[rnd(f, p->nbufs)].off : 64;
		if (cmds[c].cmd == NP_IOC_BATCH)
			arg[0] = (uintptr_t)f->scratch;
	}
	get_stats(f, p, &before);
	ret = xio(p->fd, cmds[c].cmd, arg);
	snprintf(what, sizeof(what), "%s with a pointer to %s", cmds[c].name,
		 kind);
	trace(f, "pool %u %s (%p) -> %d", p->uid, what, (void *)arg, ret);
	REFUSED(f, C_BAD, ret, -EFAULT, what);
	same_stats(f, p, &before, what);
}

/* Arguments in a page made read-only around the call. */
static int ro_call(struct fz *f, struct mpool *p, unsigned long cmd,
		   const void *arg, size_t len)
{
	int ret;

	memcpy(f->ro, arg, len);
	mprotect(f->ro, sys_page, PROT_READ);
	ret = xio(p->fd, cmd, f->ro);
	mprotect(f->ro, sys_page, PROT_READ | PROT_WRITE);
	return ret;
}

static void op_read_only(struct fz *f, struct mpool *p)
{
	struct np_stats before, after;
	u64 snapshot, cap;
	int ret, i;

	get_stats(f, p, &before);
	snapshot = __atomic_load_n(&max_key, __ATOMIC_ACQUIRE);
	switch (rnd(f, 7)) {
	case 0:
		ret = ro_call(f, p, NP_IOC_STATS, &before, sizeof(before));
		trace(f, "pool %u STATS into a read-only page -> %d", p->uid, ret);
		REFUSED(f, C_BAD, ret, -EFAULT, "STATS into a read-only page");
		same_stats(f, p, &before, "STATS into a read-only page");
		break;
	case 1: {
		struct np_query q = { 0 };

		if (!p->nbufs)
			return;
		q.offset = p->bufs[rnd(f, p->nbufs)].off;
		ret = ro_call(f, p, NP_IOC_QUERY, &q, sizeof(q));
		trace(f, "pool %u QUERY %#llx from a read-only page -> %d",
		      p->uid, (unsigned long long)q.offset, ret);
		REFUSED(f, C_BAD, ret, -EFAULT, "QUERY into a read-only page");
		same_stats(f, p, &before, "QUERY into a read-only page");
		break;
	}
	case 2: {	/* inputs only: a read-only page is fine */
		struct np_free fr = { 0 };
		bool retain = rnd(f, 2);

		if (!p->nbufs)
			return;
		i = rnd(f, p->nbufs);
		if (p->bufs[i].refs >= 4)
			retain = false;
		fr.offset = p->bufs[i].off;
		ret = ro_call(f, p, retain ? NP_IOC_RETAIN : NP_IOC_FREE, &fr,
			      sizeof(fr));
		trace(f, "pool %u %s %#llx from a read-only page -> %d", p->uid,
		      retain ? "RETAIN" : "FREE", (unsigned long long)fr.offset,
		      ret);
		CHECK(f, C_RESULT, !ret, "%s from a read-only page: %s",
		      retain ? "RETAIN" : "FREE", strerror(-ret));
		if (!ret && retain)
			p->bufs[i].refs++;
		else if (!ret)
			model_put(f, p, i);
		break;
	}
	case 3: {	/* the allocation is undone: nothing stays live */
		struct np_alloc a = { 0 };

		a.size = pick_size(f, p);
		cap = exp_cap(p, a.size);
		if (!room_for(p, cap))
			return;
		ret = ro_call(f, p, NP_IOC_ALLOC, &a, sizeof(a));
		trace(f, "pool %u ALLOC %llu into a read-only page -> %d", p->uid,
		      (unsigned long long)a.size, ret);
		if (ret == -ENOMEM && p->max_bytes)
			return;
		REFUSED(f, C_BAD, ret, -EFAULT, "ALLOC into a read-only page");
		p->frozen = true;
		if (cap > p->chunk_size) {
			p->alloc_huge++;
			p->free_huge++;
		}
		if (!p->hidden_floor)
			p->hidden_floor = snapshot;
		get_stats(f, p, &after);
		CHECK(f, C_BAD, after.active_buffers == before.active_buffers &&
		      after.bytes_active == before.bytes_active &&
		      after.huge_regions == before.huge_regions,
		      "ALLOC into a read-only page left a buffer: active %llu -> %llu",
		      (unsigned long long)before.active_buffers,
		      (unsigned long long)after.active_buffers);
		break;
	}
	case 4: {	/* the new configuration is in force, EFAULT or not */
		struct np_config c, want;

		c = pick_config(f, &want);
		ret = ro_call(f, p, NP_IOC_CONFIGURE, &c, sizeof(c));
		trace(f, "pool %u CONFIGURE from a read-only page -> %d", p->uid,
		      ret);
		if (p->frozen) {
			REFUSED(f, C_BAD, ret, -EBUSY,
				"CONFIGURE after an allocation (read-only page)");
			return;
		}
		REFUSED(f, C_BAD, ret, -EFAULT, "CONFIGURE into a read-only page");
		reset_pool(f, p);
		want.max_bytes = c.max_bytes;
		set_geometry(p, &want);
		check_stats(f, p, false);
		break;
	}
	case 5: {	/* header read-only: the ops are done, their results say */
		static struct np_batch_op ops_buf[MAX_THREADS][16];
		struct np_batch_op *ops = ops_buf[f->id];
		struct np_batch b = { 0 };
		u32 n = 1 + rnd(f, 12), first, done = 0;
		int err;

		if (n > batch_room(p))
			return;
		first = fill_batch(f, p, ops, n, true, false, &err);
		b.ops = (uintptr_t)ops;
		b.count = n;
		ret = ro_call(f, p, NP_IOC_BATCH, &b, sizeof(b));
		while (done < n && ops[done].result == 0)
			done++;
		trace(f, "pool %u BATCH of %u, header read-only -> %d (%u done)",
		      p->uid, n, ret, done);
		if (done < first && ops[done].result == -ENOMEM && p->max_bytes) {
			apply_batch(f, p, ops, done, snapshot, true);
			return;
		}
		CHECK(f, C_BAD, ret == -EFAULT && done == first &&
		      (first == n || ops[first].result == err),
		      "BATCH with a read-only header: %d, %u done, want EFAULT, %u done",
		      ret, done, first);
		if (!f->stop) {
			f->bad++;
			apply_batch(f, p, ops, done, snapshot, true);
		}
		break;
	}
	default: {	/* ops read-only: the first slice runs, allocs undone */
		struct np_batch_op *ops = (struct np_batch_op *)f->ro;
		struct np_batch b = { 0 };
		u32 n = 1 + rnd(f, 12), first;
		int err;

		if (p->max_bytes || n > batch_room(p))
			return;
		first = fill_batch(f, p, ops, n, true, false, &err);
		b.ops = (uintptr_t)ops;
		b.count = n;
		b.done = 99;
		mprotect(f->ro, sys_page, PROT_READ);
		ret = xio(p->fd, NP_IOC_BATCH, &b);
		mprotect(f->ro, sys_page, PROT_READ | PROT_WRITE);
		trace(f, "pool %u BATCH of %u with read-only ops (first bad %u) -> %d done %u",
		      p->uid, n, first, ret, b.done);
		CHECK(f, C_BAD, ret == -EFAULT && b.done == 0,
		      "BATCH with read-only ops: %d done %u, want EFAULT done 0",
		      ret, b.done);
		if (f->stop)
			return;
		f->bad++;
		/* an array that cannot be written is refused before any op */
		get_stats(f, p, &after);
		CHECK(f, C_BAD, after.active_buffers == (u64)p->nbufs,
		      "BATCH with read-only ops: %llu buffers active, model %d",
		      (unsigned long long)after.active_buffers, p->nbufs);
		break;
	}
	}
}

static void op_mmap_bad(struct fz *f, struct mpool *p)
{
	u64 off = 0, len = sys_page;
	int flags = MAP_SHARED, want = EINVAL, ri;
	const char *what;
	struct mpool *q;
	void *m;

	ri = p->nregs ? (int)rnd(f, p->nregs) : -1;
	switch (rnd(f, 8)) {
	case 0:
		if (ri < 0 || !p->regs[ri].live)
			return;
		off = p->regs[ri].key;
		flags = MAP_PRIVATE;
		what = "MAP_PRIVATE";
		break;
	case 1:
		if (ri < 0 || !p->regs[ri].live)
			return;
		off = p->regs[ri].key + sys_page *
		      (1 + rnd(f, p->regs[ri].size / sys_page - 1));
		if (p->regs[ri].size == sys_page)
			return;
		what = "an offset inside a region";
		break;
	case 2:
		if (ri < 0 || !p->regs[ri].live)
			return;
		off = p->regs[ri].key;
		len = p->regs[ri].size + sys_page * (1 + rnd(f, 4));
		what = "a length past the region";
		break;
	case 3:
		q = other_pool(f, p);
		if (!q || !q->nregs)
			return;
		off = q->regs[rnd(f, q->nregs)].key;
		what = "another pool's region";
		break;
	case 4:
		if (!f->ndead)
			return;
		off = f->dead[rnd(f, f->ndead < NR_DEAD ? f->ndead : NR_DEAD)];
		what = "a released region";
		break;
	case 5:
		off = rnd(f, 2) ? 0 : sys_page * rnd(f, 256);
		what = "a low offset";
		break;
	case 6:
		if (ri < 0)
			return;
		off = p->regs[ri].key + 1 + rnd(f, sys_page - 1);
		what = "an unaligned offset";
		break;
	default:
		off = 1ULL << (44 + rnd(f, 2));
		what = "a far offset";
		break;
	}
	/* a dead region key may have been taken by nobody else: never ours */
	if (find_region(p, off) >= 0 && strcmp(what, "MAP_PRIVATE") &&
	    strcmp(what, "a length past the region"))
		return;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, p->fd, (off_t)off);
	trace(f, "pool %u mmap %s (%#llx+%llu) -> %s", p->uid,
	      what, off, len, m == MAP_FAILED ? strerror(errno) : "mapped");
	if (m != MAP_FAILED) {
		munmap(m, len);
		fail(f, C_MMAP, "mmap of %s (%#llx+%llu) succeeded",
		     what, off, len);
		return;
	}
	CHECK(f, C_MMAP, errno == want, "mmap of %s: %s, want %s", what,
	      strerror(errno), strerror(want));
	f->bad++;
}

/* munmap, partial munmap, mremap (shrink, move, grow), madvise. */
static void op_map_ops(struct fz *f, struct mpool *p)
{
	struct mregion *r;
	u64 pages, k;
	int ri, i;
	void *m;

	if (!p->nregs)
		return;
	ri = rnd(f, p->nregs);
	r = &p->regs[ri];
	if (!r->map || !r->live)
		return;
	pages = r->map_len / sys_page;
	switch (rnd(f, 6)) {
	case 0:
		trace(f, "pool %u munmap region %#llx", p->uid, r->key);
		unmap_region(f, r);
		return;
	case 1:
		/* a tail past the hole would take whatever now fills it */
		if (pages < 2 || r->hole != ~0ULL)
			return;
		k = 1 + rnd(f, pages - 1);
		trace(f, "pool %u munmap tail of %#llx from page %llu",
		      p->uid, r->key, k);
		CHECK(f, C_MMAP, !munmap(r->map + k * sys_page,
					 r->map_len - k * sys_page),
		      "munmap of a tail: %s", strerror(errno));
		r->map_len = k * sys_page;
		break;
	case 2:
		if (pages < 3 || r->hole != ~0ULL)
			return;
		k = 1 + rnd(f, pages - 2);
		trace(f, "pool %u munmap page %llu of %#llx", p->uid,
		      k, r->key);
		CHECK(f, C_MMAP, !munmap(r->map + k * sys_page, sys_page),
		      "munmap of a middle page: %s", strerror(errno));
		r->hole = k;
		break;
	case 3:
		if (r->hole != ~0ULL)
			return;
		m = mremap(r->map, r->map_len, r->map_len + sys_page,
			   MREMAP_MAYMOVE);
		trace(f, "pool %u mremap grow %#llx -> %s", p->uid,
		      r->key, m == MAP_FAILED ? strerror(errno) : "grown");
		if (m != MAP_FAILED) {
			r->map = m;
			r->map_len += sys_page;
			fail(f, C_MMAP, "mremap grew a mapping of region %#llx",
			     r->key);
			return;
		}
		f->checks[C_MMAP]++;
		f->bad++;
		break;
	case 4:
		if (r->hole != ~0ULL)
			return;
		if (rnd(f, 2) && pages > 1) {
			k = 1 + rnd(f, pages - 1);
			m = mremap(r->map, r->map_len, k * sys_page, 0);
			trace(f, "pool %u mremap shrink %#llx to %llu pages -> %p",
			      p->uid, r->key, k, m);
			CHECK(f, C_MMAP, m == r->map, "mremap shrink: %s",
			      strerror(errno));
			if (m == r->map)
				r->map_len = k * sys_page;
			break;
		}
		/* move to a place reserved for it */
		m = mmap(NULL, r->map_len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return;
		m = mremap(r->map, r->map_len, r->map_len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, m);
		trace(f, "pool %u mremap move %#llx -> %p", p->uid,
		      r->key, m);
		CHECK(f, C_MMAP, m != MAP_FAILED, "mremap move: %s",
		      strerror(errno));
		if (m != MAP_FAILED)
			r->map = m;
		break;
	default:
		/* the pages come back on the next touch, the same pages */
		if (r->hole != ~0ULL)
			return;
		trace(f, "pool %u madvise DONTNEED %#llx", p->uid, r->key);
		CHECK(f, C_MMAP, !madvise(r->map, r->map_len, MADV_DONTNEED),
		      "madvise DONTNEED: %s", strerror(errno));
		break;
	}
	/* whatever was done, what is still mapped shows the same data */
	for (i = 0; i < p->nbufs && !f->stop; i++)
		if (p->bufs[i].key == r->key)
			verify_buf(f, p, &p->bufs[i], C_MMAP, false);
}

/* A region with no live buffer left: SIGBUS or our own data, no other. */
static void op_probe_stale(struct fz *f, struct mpool *p)
{
	struct mregion *r;
	u64 w, pos;
	int ri, sig;

	if (!p->nregs)
		return;
	ri = rnd(f, p->nregs);
	r = &p->regs[ri];
	if (r->live || !r->map)
		return;
	pos = (rnd(f, r->map_len / 8) * 8);
	if (r->hole != ~0ULL && pos / sys_page == r->hole)
		return;
	sig = peek((volatile u64 *)(r->map + pos), &w);
	trace(f, "pool %u probe stale region %#llx+%llu -> sig %d",
	      p->uid, r->key, pos, sig);
	if (sig)
		f->faults++;
	if (sig == SIGSEGV || (!sig && foreign_word(w, p->uid)))
		explain(f, p, r->map + pos, r->key, pos);
	CHECK(f, C_RELEASE, sig == SIGBUS || (!sig && !foreign_word(w, p->uid)),
	      "stale region %#llx at %llu: %s (word %#llx)",
	      r->key, pos, sig ? strsignal(sig) : "another pool's data", w);
}

/* In the child: 0 when it saw nothing it must not, else a failure code. */
static int fork_child(struct fz *f, struct mpool *p, int bi, bool do_free)
{
	struct mbuf *b = bi >= 0 ? &p->bufs[bi] : NULL;
	struct np_alloc a = { 0 };
	struct np_query q = { 0 };
	struct np_free fr = { 0 };
	unsigned int i;
	int j, fd, sig;
	u64 w, bad;
	void *m;

	/* none of the parent's mappings came along */
	for (i = 0; i < opt_pools; i++) {
		struct mpool *pp = &f->pools[i];

		for (j = 0; j < pp->nregs && j < 16; j++) {
			if (!pp->regs[j].map)
				continue;
			sig = peek((volatile u64 *)pp->regs[j].map, &w);
			if (sig != SIGSEGV)
				return 10;
		}
	}
	if (!b)
		return 0;
	/* the inherited file is the parent's pool itself */
	q.offset = b->off;
	if (xio(p->fd, NP_IOC_QUERY, &q) || q.capacity != b->cap)
		return 11;
	m = mmap(NULL, b->off - b->key + b->cap, PROT_READ, MAP_SHARED, p->fd,
		 (off_t)b->key);
	if (m == MAP_FAILED)
		return 12;
	if (b->tag && (access_buf((char *)m + (b->off - b->key), b->cap,
				  ACC_CHECK, b->tag, p->uid, &bad) ||
		       bad != ~0ULL))
		return 13;
	munmap(m, b->off - b->key + b->cap);
	/* a pool of its own can name nothing of the parent's */
	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0)
		return 14;
	a.size = 100;
	if (xio(fd, NP_IOC_ALLOC, &a))
		return 15;
	fr.offset = b->off;
	if (xio(fd, NP_IOC_FREE, &fr) != -EINVAL ||
	    xio(fd, NP_IOC_RETAIN, &fr) != -EINVAL ||
	    xio(fd, NP_IOC_QUERY, &q) != -EINVAL)
		return 16;
	m = mmap(NULL, sys_page, PROT_READ, MAP_SHARED, fd, (off_t)b->key);
	if (m != MAP_FAILED)
		return 17;
	/* the buffer it leaves in its own pool is reclaimed at exit */
	if (do_free && xio(p->fd, NP_IOC_FREE, &fr))
		return 18;
	return 0;
}

static long long dbg_total(const char *key);

static void op_fork(struct fz *f, struct mpool *p)
{
	long long leaked0 = opt_threads == 1 ? dbg_total("leaked_on_close") : -1;
	int bi = p->nbufs ? (int)rnd(f, p->nbufs) : -1;
	bool do_free = bi >= 0 && rnd(f, 2);
	struct np_stats before;
	int status, code;
	pid_t pid;

	get_stats(f, p, &before);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(f, C_FORK, "fork: %s", strerror(errno));
		return;
	}
	if (!pid)
		_exit(fork_child(f, p, bi, do_free));
	if (waitpid(pid, &status, 0) != pid) {
		fail(f, C_FORK, "waitpid: %s", strerror(errno));
		return;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* with a buffer to look for, the child left one in a pool of its own */
	if (leaked0 >= 0 && !code)
		CHECK(f, C_FORK, dbg_total("leaked_on_close") - leaked0 == (bi >= 0),
		      "the child's pool reclaimed %lld buffers, want %d",
		      dbg_total("leaked_on_close") - leaked0, bi >= 0);
	trace(f, "pool %u fork (buffer %d, child frees it: %d) -> child status %d",
	      p->uid, bi, do_free, code);
	CHECK(f, C_FORK, code == 0,
	      "child status %d (10 saw a parent's mapping, 11-13 inherited fd, 14-17 own pool, 18 free)",
	      code);
	if (code)
		return;
	f->leaked += bi >= 0;	/* the child's own buffer */
	if (do_free)
		model_put(f, p, bi);
	else
		same_stats(f, p, &before, "a forked child");
	verify_pool(f, p, false);
}

static void open_pool(struct fz *f, struct mpool *p)
{
	struct np_stats st;

	memset(p, 0, sizeof(*p));
	/* 1..0xfffe: 0xffff is the shared pool's */
	p->uid = __atomic_add_fetch(&next_uid, 1, __ATOMIC_RELAXED) % 0xfffe + 1;
	p->fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		fail(f, C_CLOSE, "open %s: %s", DEV_PATH, strerror(errno));
		return;
	}
	get_stats(f, p, &st);
	p->page_size = st.page_size;
	p->chunk_size = st.chunk_size;
	if (rnd(f, 2))
		op_configure(f, p);
}

static void op_close(struct fz *f, struct mpool *p)
{
	long long leaked0 = opt_threads == 1 ? dbg_total("leaked_on_close") : -1;
	bool mapped = false;
	int i, ret, n = p->nbufs;

	for (i = 0; i < p->nregs; i++)
		mapped |= p->regs[i].map && p->regs[i].live;
	ret = close(p->fd);
	trace(f, "pool %u close with %d buffers, mapped %d -> %d", p->uid,
	      p->nbufs, mapped, ret);
	CHECK(f, C_CLOSE, !ret, "close: %s", strerror(errno));
	f->leaked += p->nbufs;
	/* the mappings hold the pool: its buffers are all still there */
	for (i = 0; i < p->nbufs && !f->stop; i++)
		verify_buf(f, p, &p->bufs[i], C_CLOSE, false);
	reset_pool(f, p);
	/* alone, the module's count of reclaimed buffers is ours */
	if (leaked0 >= 0)
		CHECK(f, C_CLOSE, dbg_total("leaked_on_close") - leaked0 == n,
		      "close of a pool with %d live buffers: leaked_on_close +%lld",
		      n, dbg_total("leaked_on_close") - leaked0);
	open_pool(f, p);
}

static void op_verify(struct fz *f, struct mpool *p)
{
	trace(f, "pool %u verify %d buffers", p->uid, p->nbufs);
	verify_pool(f, p, rnd(f, 4) == 0);
}

/* Keep the shared pool's model small: forget regions with nothing of ours. */
static void shared_tidy(struct fz *f, struct mpool *p)
{
	int i;

	for (i = p->nregs - 1; i >= 0 && p->nregs > MAX_REGIONS / 2; i--)
		if (!p->regs[i].live)
			forget_region(f, p, i, false);
}

enum op {
	OP_ALLOC, OP_ALLOC_BAD, OP_FREE, OP_FREE_BAD, OP_RETAIN, OP_QUERY,
	OP_BATCH, OP_BATCH_BAD, OP_STATS, OP_TRIM, OP_CONFIGURE, OP_UNKNOWN,
	OP_BAD_PTR, OP_READ_ONLY, OP_MMAP_BAD, OP_MAP_OPS, OP_VERIFY,
	OP_PROBE, OP_FORK, OP_CLOSE, NR_OPS
};

static const unsigned int weight[NR_OPS] = {
	[OP_ALLOC] = 24, [OP_ALLOC_BAD] = 4, [OP_FREE] = 18,
	[OP_FREE_BAD] = 8, [OP_RETAIN] = 4, [OP_QUERY] = 5, [OP_BATCH] = 6,
	[OP_BATCH_BAD] = 3, [OP_STATS] = 4, [OP_TRIM] = 2,
	[OP_CONFIGURE] = 2, [OP_UNKNOWN] = 3, [OP_BAD_PTR] = 4,
	[OP_READ_ONLY] = 4, [OP_MMAP_BAD] = 4, [OP_MAP_OPS] = 5,
	[OP_VERIFY] = 2, [OP_PROBE] = 2, [OP_FORK] = 1, [OP_CLOSE] = 1,
};

/* What a thread may do in the pool all threads share. */
static bool shared_op(enum op o)
{
	return o == OP_ALLOC || o == OP_FREE || o == OP_FREE_BAD ||
	       o == OP_RETAIN || o == OP_QUERY || o == OP_BATCH ||
	       o == OP_TRIM || o == OP_VERIFY || o == OP_MAP_OPS ||
	       o == OP_STATS;
}

/* -d: every mapping the model holds is still there (msync says so). */
static void check_maps(struct fz *f)
{
	unsigned int i;
	int j;

	for (i = 0; i <= opt_pools; i++) {
		struct mpool *p = i < opt_pools ? &f->pools[i] : &f->shared;

		for (j = 0; j < p->nregs && !f->stop; j++) {
			struct mpool *q = owner_of(f, p, p->regs[j].key);

			CHECK(f, C_RESULT, !q, "region %#llx is in pools %u and %u",
			      p->regs[j].key, p->uid, q ? q->uid : 0);
			if (p->regs[j].map)
				CHECK(f, C_MMAP, !msync(p->regs[j].map, sys_page,
							MS_ASYNC),
				      "the mapping of region %#llx at %p is gone: %s",
				      p->regs[j].key, p->regs[j].map,
				      strerror(errno));
		}
	}
}

static void one_op(struct fz *f)
{
	unsigned int total = 0, w, i;
	struct mpool *p;
	enum op o;

	for (i = 0; i < NR_OPS; i++)
		total += weight[i];
	w = rnd(f, total);
	for (o = 0; w >= weight[o]; o++)
		w -= weight[o];
	p = &f->pools[rnd(f, opt_pools)];
	if (shared_fd >= 0 && shared_op(o) && rnd(f, 4) == 0) {
		p = &f->shared;
		shared_tidy(f, p);
	}
	if (o == OP_FORK && rnd(f, 4))
		o = OP_STATS;	/* fork is slow under TCG: a quarter of it */
	switch (o) {
	case OP_ALLOC:
		op_alloc(f, p);
		break;
	case OP_ALLOC_BAD:
		op_alloc_bad(f, p);
		break;
	case OP_FREE:
		op_free(f, p, false);
		break;
	case OP_FREE_BAD:
		op_free_bad(f, p);
		break;
	case OP_RETAIN:
		op_free(f, p, true);
		break;
	case OP_QUERY:
		op_query(f, p);
		break;
	case OP_BATCH:
		op_batch(f, p);
		break;
	case OP_BATCH_BAD:
		op_batch_bad(f, p);
		break;
	case OP_STATS:
		op_stats(f, p);
		break;
	case OP_TRIM:
		op_trim(f, p);
		break;
	case OP_CONFIGURE:
		op_configure(f, p);
		break;
	case OP_UNKNOWN:
		op_unknown(f, p);
		break;
	case OP_BAD_PTR:
		op_bad_ptr(f, p);
		break;
	case OP_READ_ONLY:
		op_read_only(f, p);
		break;
	case OP_MMAP_BAD:
		op_mmap_bad(f, p);
		break;
	case OP_MAP_OPS:
		op_map_ops(f, p);
		break;
	case OP_VERIFY:
		op_verify(f, p);
		break;
	case OP_PROBE:
		op_probe_stale(f, p);
		break;
	case OP_FORK:
		op_fork(f, p);
		break;
	default:
		op_close(f, p);
		break;
	}
}

/* ------------------------------------------------------------- threads */

static void *thread_main(void *arg)
{
	struct fz *f = arg;
	unsigned int i;

	f->scratch = mmap(NULL, 4 * sys_page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->scratch == MAP_FAILED) {
		fail(f, C_RESULT, "mmap scratch: %s", strerror(errno));
		return NULL;
	}
	/*
	 * Alone, stay on one CPU: which per-CPU cache and arena serve a
	 * request then depends on the seed only.
	 */
	if (opt_threads == 1) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	f->guard = f->scratch + 2 * sys_page;
	f->ro = f->scratch + 3 * sys_page;
	mprotect(f->guard, sys_page, PROT_NONE);
	for (i = 0; i < opt_pools; i++)
		open_pool(f, &f->pools[i]);
	if (shared_fd >= 0) {
		f->shared.fd = shared_fd;
		f->shared.shared = true;
		f->shared.uid = 0xffff;
		f->shared.page_size = shared_cfg.page_size;
		f->shared.chunk_size = (u64)shared_cfg.page_size <<
				       shared_cfg.max_order;
	}
	while (!f->stop && f->ops < opt_ops && !time_up()) {
		f->ops++;
		/* every thread forks and closes now and then, whatever the dice */
		if (f->ops % 293 == 0)
			op_fork(f, &f->pools[rnd(f, opt_pools)]);
		else if (f->ops % 401 == 0)
			op_close(f, &f->pools[rnd(f, opt_pools)]);
		else
			one_op(f);
		if (opt_debug)
			check_maps(f);
	}
	/* wind down: everything checked once more, freed, closed */
	for (i = 0; i < opt_pools && !f->stop; i++) {
		struct mpool *p = &f->pools[i];

		verify_pool(f, p, true);
		check_stats(f, p, false);
		while (p->nbufs && !f->stop) {
			struct np_free fr = { .offset = p->bufs[0].off };
			int ret = xio(p->fd, NP_IOC_FREE, &fr);

			CHECK(f, C_RESULT, !ret, "final FREE of %#llx: %s",
			      (unsigned long long)fr.offset, strerror(-ret));
			if (!ret)
				model_put(f, p, 0);
		}
		if (!f->stop)
			op_trim(f, p);
	}
	for (i = 0; i < opt_pools; i++) {
		f->leaked += f->pools[i].nbufs;
		reset_pool(f, &f->pools[i]);
		if (f->pools[i].fd >= 0)
			close(f->pools[i].fd);
	}
	if (shared_fd >= 0) {
		struct mpool *p = &f->shared;

		verify_pool(f, p, true);
		while (p->nbufs && !f->stop) {
			struct np_free fr = { .offset = p->bufs[0].off };
			int ret = xio(p->fd, NP_IOC_FREE, &fr);

			CHECK(f, C_SHARED, !ret, "final FREE of %#llx: %s",
			      (unsigned long long)fr.offset, strerror(-ret));
			if (!ret)
				model_put(f, p, 0);
		}
		f->leaked += p->nbufs;
		reset_pool(f, p);
	}
	munmap(f->scratch, 4 * sys_page);
	return NULL;
}

/* A "name: value" line of the debugfs totals, or -1. */
static long long dbg_total(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long long v = -1;
	FILE *fp = fopen(DBG_STATS, "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atoll(line + n + 1);
	fclose(fp);
	return v;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-t SECONDS] [-j THREADS] [-p POOLS] [-v] [-d]\n",
		prog);
	exit(2);
}

static u64 parse_num(const char *prog, const char *s, u64 min, u64 max)
{
	char *end;
	u64 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "%s: '%s' is not a number in %llu..%llu\n",
			prog, s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long long pools0, leaked0, pools1, leaked1;
	struct fz total = { 0 };
	pthread_t tids[MAX_THREADS];
	struct timespec now;
	struct sysinfo si;
	bool seeded = false;
	unsigned int i, c, nfail = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "s:n:t:j:p:vdh")) != -1) {
		switch (opt) {
		case 's':
			opt_seed = parse_num(argv[0], optarg, 0, ~0ULL);
			seeded = true;
			break;
		case 'n':
			opt_ops = parse_num(argv[0], optarg, 1, ~0ULL);
			break;
		case 't':
			opt_secs = parse_num(argv[0], optarg, 1, 86400 * 7);
			break;
		case 'j':
			opt_threads = parse_num(argv[0], optarg, 1, MAX_THREADS);
			break;
		case 'p':
			opt_pools = parse_num(argv[0], optarg, 1, MAX_POOLS);
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'd':
			opt_debug = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind != argc)
		usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	if (!seeded)
		opt_seed = splitmix(now.tv_sec ^ ((u64)now.tv_nsec << 20) ^
				    getpid());
	printf("TAP version 13\n");
	printf("# np_ioctl_fuzz: seed %llu, %u threads x %u pools, %u s, at most %llu ops a thread\n",
	       opt_seed, opt_threads, opt_pools, opt_secs, opt_ops);
	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0) {
		printf("1..0 # SKIP %s: %s\n", DEV_PATH, strerror(errno));
		return KSFT_SKIP;
	}
	close(fd);
	sys_page = sysconf(_SC_PAGESIZE);
	nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	sysinfo(&si);
	ram_bytes = (u64)si.totalram * si.mem_unit;
	install_fault_handlers();
	pools0 = dbg_total("pools");
	leaked0 = dbg_total("leaked_on_close");

	if (opt_threads > 1) {
		struct np_config w;
		struct fz seedf = { .rng = splitmix(opt_seed ^ 0x5eed) | 1 };

		shared_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		shared_cfg = pick_config(&seedf, &w);
		shared_cfg.max_bytes = 0;
		if (shared_fd < 0 || xio(shared_fd, NP_IOC_CONFIGURE, &shared_cfg)) {
			printf("Bail out! shared pool: %s\n", strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += opt_secs;
	for (i = 0; i < opt_threads; i++) {
		fzs[i] = calloc(1, sizeof(struct fz));
		if (!fzs[i]) {
			printf("Bail out! out of memory\n");
			return 1;
		}
		fzs[i]->id = i;
		fzs[i]->rng = splitmix(opt_seed + i * 0x9e3779b97f4a7c15ULL) | 1;
		if (pthread_create(&tids[i], NULL, thread_main, fzs[i])) {
			printf("Bail out! pthread_create\n");
			return 1;
		}
	}
	for (i = 0; i < opt_threads; i++) {
		pthread_join(tids[i], NULL);
		for (c = 0; c < NR_CAT; c++) {
			total.checks[c] += fzs[i]->checks[c];
			total.fails[c] += fzs[i]->fails[c];
		}
		total.ops += fzs[i]->ops;
		total.bad += fzs[i]->bad;
		total.faults += fzs[i]->faults;
		total.leaked += fzs[i]->leaked;
	}
	if (shared_fd >= 0)
		close(shared_fd);

	/* every pool is gone, and every buffer left in one was counted */
	pools1 = dbg_total("pools");
	leaked1 = dbg_total("leaked_on_close");
	if (pools0 >= 0 && pools1 >= 0) {
		total.checks[C_TOTALS]++;
		if (pools1 != pools0 ||
		    leaked1 - leaked0 != (long long)total.leaked) {
			total.fails[C_TOTALS]++;
			printf("# FAIL [seed %llu] debugfs: pools %lld -> %lld, leaked_on_close +%lld, want +%llu\n",
			       opt_seed, pools0, pools1, leaked1 - leaked0,
			       total.leaked);
		}
	} else {
		printf("# %s not readable: totals not checked\n", DBG_STATS);
	}

	printf("1..%d\n", NR_CAT);
	for (c = 0; c < NR_CAT; c++) {
		bool skip = !total.checks[c] && !total.fails[c] &&
			    (c == C_TOTALS || c == C_SHARED ||
			     total.ops < MIN_OPS);
		bool ok = !total.fails[c] && total.checks[c];

		nfail += !ok && !skip;
		if (skip)
			printf("ok %u - %s # SKIP not reached\n", c + 1,
			       cat_name[c]);
		else
			printf("%sok %u - %s (%llu checks, %llu failed)\n",
			       ok ? "" : "not ", c + 1, cat_name[c],
			       total.checks[c], total.fails[c]);
	}
	printf("# seed %llu: %llu ops, %llu bad inputs refused, %llu faults\n",
	       opt_seed, total.ops, total.bad, total.faults);
	return nfail ? 1 : 0;
}
