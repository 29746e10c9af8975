// SPDX-License-Identifier: GPL-2.0
/*
 * np_stress - concurrency stress of nettypool.ko, run
 * in the QEMU guest by tests/guest/suites.sh.
 *
 * Several processes, each with several threads and one to three pools
 * of its own, allocate buffers of every kind (tiny, small, normal, huge),
 * hand them to each other's threads through a queue, retain them from
 * other threads and free them wherever they end up, with the module's
 * per-CPU caches and the library's per-thread caches on:
 *
 *   pool 0  the library (kernel backend), default geometry and caches;
 *   pool 1  raw ioctls on /dev/nettypool: 4 KiB pages, 256 KiB chunks,
 *           NP_IOC_BATCH allocations and frees, buffers reached through
 *           this program's own mmap of each region;
 *   pool 2  the library, 128 KiB chunks, one arena, 8-entry caches, and
 *           emptied chunks destroyed as Netty does.
 *
 * Every buffer carries a pattern derived from the thread and sequence
 * number that allocated it, written and checked through the mapped
 * memory; a model of each pool's live buffers refuses one handed out
 * twice or overlapping another. Meanwhile the parent reads every debugfs
 * file of the module over and over. At the end each process frees
 * everything and, per pool after a trim, the counters must show nothing
 * active or cached and as many frees as allocations; once all pools are
 * closed the module-wide debugfs totals must be back to zero and no
 * buffer may have been reclaimed at close.
 *
 * Usage: np_stress [-p PROCS] [-t THREADS] [-d SECONDS] [-s SEED]
 *                  [-l disabled|simple|advanced|paranoid]
 *   -p  processes (1..16, default 4); process i opens 1 + i % 3 pools
 *   -t  threads per process (1..16, default 4)
 *   -d  seconds of work (1..600, default 8)
 *   -s  seed of every random choice (default: from the clock; printed);
 *       it replays the choices, not the threads' interleaving
 *   -l  leak detection of every pool (np_config.leak_detection for raw
 *       pools, NETTYPOOL_LEAK_DETECTION for the library's); default: the
 *       module's. Shown in every test name. At "paranoid" the debugfs
 *       leaks file must list live buffers while the processes run.
 *
 * Output: TAP 13. Exit status: 0 all passed, 1 a failure, 2 bad usage,
 * 4 (kselftest skip) without /dev/nettypool.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/nettypool.h>
#include "nettypool.h"
#include "np_tables.h"
#include "np_handoff.h"
#include "np_pattern.h"
#include "np_live.h"

#define KSFT_SKIP	4

#define MAX_PROCS	16
#define MAX_THREADS	16
#define MAX_POOLS	3
#define OWN_MAX		16	/* buffers a thread holds at most */
#define QUEUE_MAX	128	/* references waiting for another thread */
#define BATCH_MAX	8	/* operations per NP_IOC_BATCH of this program */
#define SYS_PAGE	4096ULL
#define TINY_MAX	512ULL

/* After the work, how long the processes may take to clean up. */
#define GRACE_SECONDS	120

static const char *dev_path = "/dev/nettypool";
static const char *dbg_root = "/sys/kernel/debug/nettypool";

/* A leak level's name, "default" for NP_LEAK_DEFAULT (the module's). */
static const char *leak_name(unsigned int level)
{
	return level ? np_leak_level_names[level] : "default";
}

/* ------------------------------------------------------------ settings */

static unsigned int nr_procs = 4;
static unsigned int nr_threads = 4;
static unsigned int duration = 8;
static uint64_t seed;
static unsigned int leak_level;	/* NP_LEAK_*; NP_LEAK_DEFAULT: module's */
static char label[48];		/* "stress[leak_detection=...]" */

/* ------------------------------------------------- results, shared */

struct pool_result {
	char desc[96];
	char error[256];
	bool ok;
	uint64_t allocs;
	uint64_t huge;
	uint64_t cache_hits;
	uint64_t arena_allocs;
};

struct proc_result {
	bool done;
	char error[256];
	unsigned int nr_pools;
	uint64_t allocs;
	uint64_t huge;
	uint64_t retains;
	uint64_t foreign;	/* references dropped by another thread */
	uint64_t batches;
	uint64_t trims;
	struct pool_result pools[MAX_POOLS];
};

/* In a MAP_SHARED page: the children write, the parent reads. */
static struct proc_result *results;

/* --------------------------------------------------------- randomness */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint64_t below(uint64_t *rnd, uint64_t n)
{
	return splitmix64(rnd) % n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* -------------------------------------------------- pools of a process */

enum pool_kind {
	POOL_LIB_DEFAULT,
	POOL_RAW,
	POOL_LIB_SMALL,
};

/* A region of a raw pool, mapped while this process holds buffers in it. */
struct rmap {
	struct rmap *next;
	uint64_t offset;
	uint64_t size;
	unsigned char *base;
	uint64_t refs;		/* references held on buffers in it */
};


struct spool {
	enum pool_kind kind;
	struct pool_result *res;
	struct np_pool *lib;
	int fd;
	uint64_t page_size;
	uint64_t chunk_size;
	bool retains;		/* see pool_open() */

	struct np_live live;	/* its live buffers, by key */

	pthread_mutex_t map_lock;
	struct rmap *maps;

	uint64_t allocs;	/* atomics */
	uint64_t huge;
};

/*
 * One buffer. @key is its address (library) or mmap offset (raw);
 * @holders counts the references the threads hold, one per own-list or
 * queue entry; whoever drops the last takes it out of the model.
 */
struct item {
	struct spool *pool;
	unsigned char *ptr;
	uint64_t key;
	uint64_t cap;
	uint64_t tag;
	struct rmap *map;	/* raw pools */
	int holders;
};

struct sproc {
	unsigned int index;
	struct proc_result *res;
	struct spool pools[MAX_POOLS];
	unsigned int nr_pools;
	uint64_t deadline;

	struct np_handoff queue;
	void *queue_slots[QUEUE_MAX];

	pthread_mutex_t error_lock;
	int stop;
};

struct sthread {
	struct sproc *p;
	unsigned int id;
	uint64_t rnd;
	struct item *own[OWN_MAX];
	uint32_t nr_own;
	uint64_t seq;
	uint64_t retains;
	uint64_t foreign;
	uint64_t batches;
	uint64_t trims;
};

static void proc_fail(struct sproc *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The first failure of a process is kept; every thread stops. */
static void proc_fail(struct sproc *p, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&p->error_lock);
	if (!p->res->error[0]) {
		va_start(ap, fmt);
		vsnprintf(p->res->error, sizeof(p->res->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&p->error_lock);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
}

static bool proc_stopped(struct sproc *p)
{
	return __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------ models */

static bool model_insert(struct sproc *p, const struct item *it)
{
	char why[160];

	if (!np_live_insert(&it->pool->live, it->key, it->cap, why, sizeof(why)))
		return true;
	proc_fail(p, "%s: %s", it->pool->res->desc, why);
	return false;
}

static bool model_remove(struct sproc *p, const struct item *it)
{
	if (!np_live_remove(&it->pool->live, it->key, it->cap))
		return true;
	proc_fail(p, "%s: %#llx is not in the model of live buffers",
		  it->pool->res->desc, (unsigned long long)it->key);
	return false;
}

/* ------------------------------------------------- raw pool mappings */

/* The mapping of a region, made on first use; one more reference. */
static unsigned char *map_get(struct sproc *p, struct spool *sp,
			      uint64_t offset, uint64_t size,
			      struct rmap **out)
{
	struct rmap *m;

	pthread_mutex_lock(&sp->map_lock);
	for (m = sp->maps; m; m = m->next)
		if (m->offset == offset)
			break;
	if (!m) {
		m = calloc(1, sizeof(*m));
		if (m) {
			m->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, sp->fd, (off_t)offset);
			if (m->base == MAP_FAILED) {
				proc_fail(p, "%s: mmap of region %#llx (%llu bytes): %s",
					  sp->res->desc,
					  (unsigned long long)offset,
					  (unsigned long long)size,
					  strerror(errno));
				free(m);
				m = NULL;
			} else {
				m->offset = offset;
				m->size = size;
				m->next = sp->maps;
				sp->maps = m;
			}
		} else {
			proc_fail(p, "out of memory for a mapping");
		}
	} else if (m->size != size) {
		proc_fail(p, "%s: region %#llx is %llu bytes, was %llu",
			  sp->res->desc, (unsigned long long)offset,
			  (unsigned long long)size,
			  (unsigned long long)m->size);
		m = NULL;
	}
	if (m)
		m->refs++;
	pthread_mutex_unlock(&sp->map_lock);
	*out = m;
	return m ? m->base : NULL;
}

/* Drop a reference; the last one unmaps (the region may be gone). */
static void map_put(struct spool *sp, struct rmap *m)
{
	struct rmap **pp;

	pthread_mutex_lock(&sp->map_lock);
	if (--m->refs == 0) {
		for (pp = &sp->maps; *pp != m; pp = &(*pp)->next)
			;
		*pp = m->next;
		munmap(m->base, m->size);
		free(m);
	}
	pthread_mutex_unlock(&sp->map_lock);
}

/* ---------------------------------------------------------- requests */

static uint64_t expected_capacity(const struct spool *sp, uint64_t size)
{
	uint64_t cap;

	if (size > sp->chunk_size)
		return (size + SYS_PAGE - 1) & ~(SYS_PAGE - 1);
	if (size < TINY_MAX)
		return (size + 15) & ~15ULL;
	for (cap = TINY_MAX; cap < size; cap <<= 1)
		;
	return cap;
}

/*
 * Half the requests are of a few common sizes, so that caches hit; the
 * others are mostly tiny and small, a quarter normal, 1% huge.
 */
static uint64_t random_size(struct sthread *t, const struct spool *sp)
{
	static const uint64_t common[] = { 24, 64, 200, 1000, 3000, 20000 };
	uint64_t r = below(&t->rnd, 100), lo, hi, steps;

	if (below(&t->rnd, 2))
		return common[below(&t->rnd, sizeof(common) / sizeof(common[0]))];
	if (r < 45) {
		lo = 1;
		hi = TINY_MAX - 1;
	} else if (r < 74) {
		lo = TINY_MAX;
		hi = sp->page_size - 1;
	} else if (r < 99) {
		steps = (uint64_t)__builtin_ctzll(sp->chunk_size / sp->page_size);
		lo = sp->page_size << below(&t->rnd, steps + 1);
		hi = lo * 2 > sp->chunk_size ? sp->chunk_size : lo * 2;
	} else {
		lo = sp->chunk_size + 1;
		hi = 2 * sp->chunk_size;
	}
	return lo + below(&t->rnd, hi - lo + 1);
}

static struct item *item_new(struct sthread *t, struct spool *sp)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it) {
		proc_fail(t->p, "out of memory for an item");
		return NULL;
	}
	it->pool = sp;
	it->holders = 1;
	it->tag = ((uint64_t)t->p->index << 56) | ((uint64_t)t->id << 48) |
		  t->seq++;
	return it;
}

/*
 * A buffer just handed out: check its size (and zeroes), pattern it, and
 * enter it in the model. The pattern goes in first, so that a buffer
 * handed to two owners at once is also seen as corruption by the other.
 */
static bool item_accept(struct sthread *t, struct item *it, uint64_t size,
			bool zero)
{
	struct spool *sp = it->pool;
	uint64_t want = expected_capacity(sp, size);
	long long bad;

	if (it->cap != want) {
		proc_fail(t->p, "%s: a %llu-byte request got %llu bytes, not %llu",
			  sp->res->desc, (unsigned long long)size,
			  (unsigned long long)it->cap,
			  (unsigned long long)want);
		return false;
	}
	bad = zero ? np_pattern_zero_check(it->ptr, it->cap) : -1;
	np_pattern_fill(it->ptr, it->cap, it->tag);
	if (!model_insert(t->p, it))
		return false;
	if (bad >= 0) {
		proc_fail(t->p, "%s: zeroed buffer %#llx (%llu bytes): word at %lld not zero",
			  sp->res->desc, (unsigned long long)it->key,
			  (unsigned long long)it->cap, bad);
		return false;
	}
	__atomic_add_fetch(&sp->allocs, 1, __ATOMIC_RELAXED);
	if (it->cap > sp->chunk_size)
		__atomic_add_fetch(&sp->huge, 1, __ATOMIC_RELAXED);
	return true;
}

static bool raw_place(struct sthread *t, struct item *it, uint64_t offset,
		      uint64_t cap, uint64_t region_offset,
		      uint64_t region_size)
{
	unsigned char *base;

	if (offset < region_offset ||
	    offset + cap > region_offset + region_size) {
		proc_fail(t->p, "%s: buffer %#llx+%llu outside its region %#llx+%llu",
			  it->pool->res->desc, (unsigned long long)offset,
			  (unsigned long long)cap,
			  (unsigned long long)region_offset,
			  (unsigned long long)region_size);
		return false;
	}
	base = map_get(t->p, it->pool, region_offset, region_size, &it->map);
	if (!base)
		return false;
	it->key = offset;
	it->cap = cap;
	it->ptr = base + (offset - region_offset);
	return true;
}

/* Allocate n (1..BATCH_MAX) buffers into the caller's list. */
static bool thread_alloc(struct sthread *t, struct spool *sp, unsigned int n)
{
	struct np_batch_op ops[BATCH_MAX];
	uint64_t sizes[BATCH_MAX];
	bool zero[BATCH_MAX];
	struct item *it;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sizes[i] = random_size(t, sp);
		zero[i] = below(&t->rnd, 8) == 0;
	}
	if (sp->kind != POOL_RAW) {
		for (i = 0; i < n; i++) {
			it = item_new(t, sp);
			if (!it)
				return false;
			it->ptr = zero[i] ? np_zalloc(sp->lib, sizes[i]) :
				  np_alloc(sp->lib, sizes[i]);
			if (!it->ptr) {
				proc_fail(t->p, "%s: np_alloc(%llu): %s",
					  sp->res->desc,
					  (unsigned long long)sizes[i],
					  strerror(errno));
				free(it);
				return false;
			}
			it->key = (uintptr_t)it->ptr;
			it->cap = np_usable_size(sp->lib, it->ptr);
			t->own[t->nr_own++] = it;
			if (!item_accept(t, it, sizes[i], zero[i]))
				return false;
		}
		return true;
	}
	if (n == 1) {
		struct np_alloc a = {
			.size = sizes[0],
			.flags = zero[0] ? NP_ALLOC_ZERO : 0,
		};

		it = item_new(t, sp);
		if (!it)
			return false;
		a.tag = it->tag;
		if (ioctl(sp->fd, NP_IOC_ALLOC, &a)) {
			proc_fail(t->p, "%s: NP_IOC_ALLOC(%llu): %s",
				  sp->res->desc, (unsigned long long)a.size,
				  strerror(errno));
			free(it);
			return false;
		}
		if (!raw_place(t, it, a.offset, a.capacity, a.region_offset,
			       a.region_size)) {
			free(it);
			return false;
		}
		t->own[t->nr_own++] = it;
		return item_accept(t, it, sizes[0], zero[0]);
	}

	/* several at once: one NP_IOC_BATCH */
	{
		struct np_batch b = { .ops = (uintptr_t)ops, .count = n };

		memset(ops, 0, sizeof(ops));
		for (i = 0; i < n; i++) {
			ops[i].op = NP_BATCH_ALLOC;
			ops[i].flags = zero[i] ? NP_ALLOC_ZERO : 0;
			ops[i].size = sizes[i];
		}
		if (ioctl(sp->fd, NP_IOC_BATCH, &b) || b.done != n) {
			proc_fail(t->p, "%s: NP_IOC_BATCH of %u allocations: %s, %u done",
				  sp->res->desc, n, strerror(errno), b.done);
			return false;
		}
		t->batches++;
		for (i = 0; i < n; i++) {
			if (ops[i].result) {
				proc_fail(t->p, "%s: batch allocation %u: %d",
					  sp->res->desc, i, ops[i].result);
				return false;
			}
			it = item_new(t, sp);
			if (!it)
				return false;
			if (!raw_place(t, it, ops[i].offset, ops[i].capacity,
				       ops[i].region_offset,
				       ops[i].region_size)) {
				free(it);
				return false;
			}
			t->own[t->nr_own++] = it;
			if (!item_accept(t, it, sizes[i], zero[i]))
				return false;
		}
	}
	return true;
}

/* The capacity the pool reports for a buffer we hold. */
static uint64_t pool_capacity(struct spool *sp, const struct item *it)
{
	struct np_query q = { .offset = it->key };

	if (sp->kind != POOL_RAW)
		return np_usable_size(sp->lib, it->ptr);
	return ioctl(sp->fd, NP_IOC_QUERY, &q) ? 0 : q.capacity;
}

/* Check a held item: pattern intact, capacity as the pool says. */
static bool item_check(struct sthread *t, const struct item *it, bool query)
{
	struct spool *sp = it->pool;
	long long bad = np_pattern_check(it->ptr, it->cap, it->tag);
	uint64_t cap;

	if (bad >= 0) {
		proc_fail(t->p, "%s: buffer %#llx (%llu bytes; process %llu thread %llu seq %llu) corrupt at byte %lld",
			  sp->res->desc, (unsigned long long)it->key,
			  (unsigned long long)it->cap,
			  (unsigned long long)(it->tag >> 56),
			  (unsigned long long)((it->tag >> 48) & 0xff),
			  (unsigned long long)(it->tag & 0xffffffffffffULL),
			  bad);
		return false;
	}
	if (!query)
		return true;
	cap = pool_capacity(sp, it);
	if (cap != it->cap) {
		proc_fail(t->p, "%s: live buffer %#llx: capacity %llu, not %llu",
			  sp->res->desc, (unsigned long long)it->key,
			  (unsigned long long)cap,
			  (unsigned long long)it->cap);
		return false;
	}
	return true;
}

/*
 * Drop one reference to each of n items (checked first, while the
 * reference keeps them live); the last holder of an item takes it out of
 * the model before the pool may hand it out again. Raw pools free them
 * in one NP_IOC_BATCH.
 */
static bool thread_drop(struct sthread *t, struct item **items, unsigned int n)
{
	struct np_batch_op ops[BATCH_MAX];
	struct rmap *maps[BATCH_MAX];
	unsigned char *ptrs[BATCH_MAX];
	struct spool *sp = items[0]->pool;
	unsigned int i;

	memset(ops, 0, sizeof(ops));
	for (i = 0; i < n; i++) {
		struct item *it = items[i];

		/* one query per call: the batch is meant to be cheap */
		if (!item_check(t, it, i == 0))
			return false;
		ptrs[i] = it->ptr;
		maps[i] = it->map;
		ops[i].op = NP_BATCH_FREE;
		ops[i].offset = it->key;
		if (__atomic_sub_fetch(&it->holders, 1, __ATOMIC_ACQ_REL) == 0) {
			if (!model_remove(t->p, it))
				return false;
			free(it);
		}
	}
	if (sp->kind != POOL_RAW) {
		for (i = 0; i < n; i++) {
			if (np_free(sp->lib, ptrs[i])) {
				proc_fail(t->p, "%s: np_free(%p): %s",
					  sp->res->desc, (void *)ptrs[i],
					  strerror(errno));
				return false;
			}
		}
		return true;
	}
	if (n == 1) {
		struct np_free f = { .offset = ops[0].offset };

		if (ioctl(sp->fd, NP_IOC_FREE, &f)) {
			proc_fail(t->p, "%s: NP_IOC_FREE(%#llx): %s",
				  sp->res->desc,
				  (unsigned long long)f.offset,
				  strerror(errno));
			return false;
		}
	} else {
		struct np_batch b = { .ops = (uintptr_t)ops, .count = n };

		if (ioctl(sp->fd, NP_IOC_BATCH, &b) || b.done != n) {
			proc_fail(t->p, "%s: NP_IOC_BATCH of %u frees: %s, %u done",
				  sp->res->desc, n, strerror(errno), b.done);
			return false;
		}
		t->batches++;
	}
	for (i = 0; i < n; i++)
		map_put(sp, maps[i]);
	return true;
}

static bool thread_drop_one(struct sthread *t, struct item *it)
{
	return thread_drop(t, &it, 1);
}

/* One more reference to a held item. */
static bool thread_retain(struct sthread *t, struct item *it)
{
	struct spool *sp = it->pool;
	int ret;

	if (sp->kind != POOL_RAW) {
		ret = np_retain(sp->lib, it->ptr);
	} else {
		struct np_free f = { .offset = it->key };

		ret = ioctl(sp->fd, NP_IOC_RETAIN, &f);
		if (!ret) {
			pthread_mutex_lock(&sp->map_lock);
			it->map->refs++;
			pthread_mutex_unlock(&sp->map_lock);
		}
	}
	if (ret) {
		proc_fail(t->p, "%s: retain of %#llx: %s", sp->res->desc,
			  (unsigned long long)it->key, strerror(errno));
		return false;
	}
	__atomic_add_fetch(&it->holders, 1, __ATOMIC_RELAXED);
	t->retains++;
	return true;
}

static bool queue_push(struct sproc *p, struct item *it)
{
	return np_handoff_push(&p->queue, it);
}

static struct item *queue_pop(struct sproc *p, uint64_t *rnd)
{
	return np_handoff_pop(&p->queue, splitmix64(rnd));
}

static struct item *own_take(struct sthread *t)
{
	return np_take_at(t->own, &t->nr_own, splitmix64(&t->rnd));
}

/* Hand an item to the other threads, with extra references sometimes. */
static bool thread_hand_over(struct sthread *t, struct item *it)
{
	uint64_t extra = 0;

	if (it->pool->retains && !below(&t->rnd, 4))
		extra = 1 + below(&t->rnd, 2);
	for (; extra; extra--) {
		if (!thread_retain(t, it))
			return false;
		if (!queue_push(t->p, it) && !thread_drop_one(t, it))
			return false;
	}
	return queue_push(t->p, it) || thread_drop_one(t, it);
}

/* Drop up to BATCH_MAX of our buffers of one pool at once. */
static bool thread_drop_several(struct sthread *t)
{
	struct item *items[BATCH_MAX], *first = own_take(t);
	unsigned int n = 1, want = 1 + (unsigned int)below(&t->rnd, BATCH_MAX);
	uint32_t i = 0;

	items[0] = first;
	while (n < want && i < t->nr_own) {
		if (t->own[i]->pool == first->pool) {
			items[n++] = t->own[i];
			t->own[i] = t->own[--t->nr_own];
		} else {
			i++;
		}
	}
	return thread_drop(t, items, n);
}

/* Counters read while everything runs: each arena's are read together. */
static bool pool_stats_sane(struct sthread *t, struct spool *sp)
{
	struct np_stats st;
	uint64_t sum = 0;
	int i, ret;

	if (sp->kind == POOL_RAW)
		ret = ioctl(sp->fd, NP_IOC_STATS, &st);
	else
		ret = np_pool_stats(sp->lib, &st);
	if (ret) {
		proc_fail(t->p, "%s: stats: %s", sp->res->desc,
			  strerror(errno));
		return false;
	}
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		sum += st.chunklist_chunks[i];
	if (sum != st.chunks) {
		proc_fail(t->p, "%s: %llu chunks, but the lists hold %llu",
			  sp->res->desc, (unsigned long long)st.chunks,
			  (unsigned long long)sum);
		return false;
	}
	return true;
}

static bool pool_trim(struct spool *sp)
{
	if (sp->kind == POOL_RAW)
		return ioctl(sp->fd, NP_IOC_TRIM) == 0;
	return np_trim(sp->lib) == 0;
}

static bool thread_step(struct sthread *t)
{
	struct sproc *p = t->p;
	uint64_t r = below(&t->rnd, 1000);
	struct spool *sp = &p->pools[below(&t->rnd, p->nr_pools)];
	struct item *it;

	if (t->nr_own < 4 || (r < 400 && t->nr_own < OWN_MAX)) {
		unsigned int n = 1;

		/* raw pools allocate in batches now and then */
		if (sp->kind == POOL_RAW && !below(&t->rnd, 4))
			n = 2 + (unsigned int)below(&t->rnd, BATCH_MAX - 1);
		if (n > OWN_MAX - t->nr_own)
			n = OWN_MAX - t->nr_own;
		return thread_alloc(t, sp, n);
	}
	if (r < 600)
		return thread_drop_several(t);
	if (r < 750)
		return thread_hand_over(t, own_take(t));
	if (r < 920) {
		/* another thread's buffer, maybe passed on with a reference */
		it = queue_pop(p, &t->rnd);
		if (!it)
			return true;
		if (it->pool->retains && !below(&t->rnd, 8)) {
			if (!thread_retain(t, it))
				return false;
			if (!queue_push(p, it) && !thread_drop_one(t, it))
				return false;
		}
		t->foreign++;
		return thread_drop_one(t, it);
	}
	it = t->own[below(&t->rnd, t->nr_own)];
	if (r < 960 && it->pool->retains) {
		/* a short-lived extra reference */
		return thread_retain(t, it) && thread_drop_one(t, it);
	}
	if (r < 995)
		return item_check(t, it, true);
	if (r < 999)
		return pool_stats_sane(t, sp);
	/* a trim flushes every CPU's and every thread's cache under us */
	if (!pool_trim(sp)) {
		proc_fail(p, "%s: trim: %s", sp->res->desc, strerror(errno));
		return false;
	}
	t->trims++;
	return true;
}

static void *thread_main(void *arg)
{
	struct sthread *t = arg;
	uint64_t n;

	for (n = 0; !proc_stopped(t->p); n++) {
		if (!(n % 32) && now_ns() >= t->p->deadline)
			break;
		if (!thread_step(t))
			break;
	}
	return NULL;
}

/* ------------------------------------------------------- one process */

static int pool_open(struct sproc *p, struct spool *sp, enum pool_kind kind)
{
	struct np_pool_opts opts = { .backend = NP_BACKEND_KERNEL };
	struct np_config cfg = { 0 };

	sp->kind = kind;
	sp->fd = -1;
	np_live_init(&sp->live);
	pthread_mutex_init(&sp->map_lock, NULL);
	/*
	 * A retained buffer in an arena sends every free of that arena
	 * past the caches, so retains go where caches matter least: the
	 * small pool, and the raw pool of every other process.
	 */
	switch (kind) {
	case POOL_LIB_DEFAULT:
		sp->page_size = NP_PAGE_SIZE_DEFAULT;
		sp->chunk_size = NP_PAGE_SIZE_DEFAULT << NP_MAX_ORDER_DEFAULT;
		snprintf(sp->res->desc, sizeof(sp->res->desc),
			 "library pool, 8 KiB pages, 4 MiB chunks, default caches");
		sp->lib = np_pool_open(&opts);
		break;
	case POOL_LIB_SMALL:
		sp->page_size = 8192;
		sp->chunk_size = 8192 << 4;
		sp->retains = true;
		opts.page_size = 8192;
		opts.max_order = 4;
		opts.n_arenas = 1;
		opts.tiny_cache = 8;
		opts.small_cache = 8;
		opts.normal_cache = 8;
		opts.keep_empty_chunks = -1;
		snprintf(sp->res->desc, sizeof(sp->res->desc),
			 "library pool, 128 KiB chunks, 1 arena, 8-entry caches, retains");
		sp->lib = np_pool_open(&opts);
		break;
	case POOL_RAW:
		sp->page_size = 4096;
		sp->chunk_size = 4096 << 6;
		sp->retains = p->index % 2 == 0;
		snprintf(sp->res->desc, sizeof(sp->res->desc),
			 "raw ioctl pool, 4 KiB pages, 256 KiB chunks, per-CPU caches%s",
			 sp->retains ? ", retains" : "");
		sp->fd = open(dev_path, O_RDWR | O_CLOEXEC);
		if (sp->fd < 0)
			return -errno;
		cfg.page_size = 4096;
		cfg.max_order = 6;
		cfg.leak_detection = leak_level;
		if (ioctl(sp->fd, NP_IOC_CONFIGURE, &cfg))
			return -errno;
		/* the level the module resolved, visible in the report */
		if (leak_level && cfg.leak_detection != leak_level) {
			snprintf(sp->res->error, sizeof(sp->res->error),
				 "NP_IOC_CONFIGURE gave leak_detection %u, not %u",
				 cfg.leak_detection, leak_level);
			return -EINVAL;
		}
		if (cfg.leak_detection <= NP_LEAK_PARANOID)
			snprintf(sp->res->desc + strlen(sp->res->desc),
				 sizeof(sp->res->desc) - strlen(sp->res->desc),
				 ", %s", leak_name(cfg.leak_detection));
		return 0;
	}
	return sp->lib ? 0 : -errno;
}

/*
 * After everything is freed: nothing active, huge buffers all gone;
 * after a trim, nothing cached, every allocation freed, no chunk left.
 */
static void pool_finish(struct sproc *p, struct spool *sp)
{
	struct pool_result *res = sp->res;
	struct np_stats st, st2;
	int ret;

	res->allocs = sp->allocs;
	res->huge = sp->huge;
	if (sp->live.nr) {
		snprintf(res->error, sizeof(res->error),
			 "%u buffers still live in the model", sp->live.nr);
		return;
	}
	ret = sp->kind == POOL_RAW ? ioctl(sp->fd, NP_IOC_STATS, &st) :
				     np_pool_stats(sp->lib, &st);
	if (!ret && !pool_trim(sp))
		ret = -1;
	if (!ret)
		ret = sp->kind == POOL_RAW ? ioctl(sp->fd, NP_IOC_STATS, &st2) :
					     np_pool_stats(sp->lib, &st2);
	if (ret) {
		snprintf(res->error, sizeof(res->error), "stats or trim: %s",
			 strerror(errno));
		return;
	}
	res->cache_hits = st2.cache_hits;
	res->arena_allocs = st2.alloc_tiny + st2.alloc_small +
			    st2.alloc_normal + st2.alloc_huge;
	if (st.active_buffers || st.bytes_active || st.huge_regions)
		snprintf(res->error, sizeof(res->error),
			 "all freed, yet %llu buffers / %llu bytes active, %llu huge",
			 (unsigned long long)st.active_buffers,
			 (unsigned long long)st.bytes_active,
			 (unsigned long long)st.huge_regions);
	else if (st.alloc_huge != sp->huge || st.free_huge != sp->huge)
		snprintf(res->error, sizeof(res->error),
			 "%llu huge allocations, counters say %llu allocated, %llu freed",
			 (unsigned long long)sp->huge,
			 (unsigned long long)st.alloc_huge,
			 (unsigned long long)st.free_huge);
	else if (st2.bytes_cached || st2.active_buffers || st2.bytes_active)
		snprintf(res->error, sizeof(res->error),
			 "after trim: %llu bytes cached, %llu buffers active",
			 (unsigned long long)st2.bytes_cached,
			 (unsigned long long)st2.active_buffers);
	else if (st2.alloc_tiny != st2.free_tiny ||
		 st2.alloc_small != st2.free_small ||
		 st2.alloc_normal != st2.free_normal)
		snprintf(res->error, sizeof(res->error),
			 "after trim: allocated/freed tiny %llu/%llu small %llu/%llu normal %llu/%llu",
			 (unsigned long long)st2.alloc_tiny,
			 (unsigned long long)st2.free_tiny,
			 (unsigned long long)st2.alloc_small,
			 (unsigned long long)st2.free_small,
			 (unsigned long long)st2.alloc_normal,
			 (unsigned long long)st2.free_normal);
	else if (st2.chunks || st2.bytes_reserved)
		snprintf(res->error, sizeof(res->error),
			 "after trim: %llu chunks, %llu bytes reserved",
			 (unsigned long long)st2.chunks,
			 (unsigned long long)st2.bytes_reserved);
	else if (st2.cache_hits + res->arena_allocs < sp->allocs)
		snprintf(res->error, sizeof(res->error),
			 "%llu allocations, but only %llu cache hits + %llu from arenas",
			 (unsigned long long)sp->allocs,
			 (unsigned long long)st2.cache_hits,
			 (unsigned long long)res->arena_allocs);
	else
		res->ok = true;
}

static void pool_close(struct spool *sp)
{
	struct rmap *m, *next;

	if (sp->lib)
		np_pool_close(sp->lib);
	for (m = sp->maps; m; m = next) {
		next = m->next;
		munmap(m->base, m->size);
		free(m);
	}
	if (sp->fd >= 0)
		close(sp->fd);
	np_live_fini(&sp->live);
}

static void run_process(unsigned int index)
{
	static struct sthread threads[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	struct sproc *p = calloc(1, sizeof(*p));
	struct proc_result *res = &results[index];
	unsigned int i, k, started = 0;
	struct item *it;
	int ret;

	if (!p) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return;
	}
	p->index = index;
	p->res = res;
	np_handoff_init(&p->queue, p->queue_slots, QUEUE_MAX);
	pthread_mutex_init(&p->error_lock, NULL);
	p->nr_pools = 1 + index % MAX_POOLS;
	res->nr_pools = p->nr_pools;
	for (k = 0; k < p->nr_pools; k++) {
		p->pools[k].res = &res->pools[k];
		ret = pool_open(p, &p->pools[k], (enum pool_kind)k);
		if (ret) {
			snprintf(res->error, sizeof(res->error),
				 "opening pool %u (%s): %s", k,
				 res->pools[k].desc, strerror(-ret));
			goto close;
		}
	}
	p->deadline = now_ns() + (uint64_t)duration * 1000000000ULL;
	for (i = 0; i < nr_threads; i++) {
		struct sthread *t = &threads[i];

		t->p = p;
		t->id = i;
		t->rnd = seed ^ ((uint64_t)index << 40) ^ ((uint64_t)i << 32);
		if (pthread_create(&tids[i], NULL, thread_main, t)) {
			proc_fail(p, "pthread_create: %s", strerror(errno));
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);

	/* what is left, dropped from this thread */
	if (!proc_stopped(p)) {
		for (i = 0; i < started; i++) {
			struct sthread *t = &threads[i];

			while (t->nr_own && !proc_stopped(p))
				thread_drop_one(t, t->own[--t->nr_own]);
		}
		while (!proc_stopped(p) && (it = queue_pop(p, &threads[0].rnd)))
			thread_drop_one(&threads[0], it);
	}
	for (i = 0; i < started; i++) {
		res->retains += threads[i].retains;
		res->foreign += threads[i].foreign;
		res->batches += threads[i].batches;
		res->trims += threads[i].trims;
	}
	if (!proc_stopped(p))
		for (k = 0; k < p->nr_pools; k++)
			pool_finish(p, &p->pools[k]);
	for (k = 0; k < p->nr_pools; k++) {
		res->allocs += p->pools[k].allocs;
		res->huge += p->pools[k].huge;
	}
close:
	for (k = 0; k < p->nr_pools; k++)
		pool_close(&p->pools[k]);
	res->done = true;
}

/* ------------------------------------------------------------ parent */

static unsigned int tap_n;
static unsigned int tap_failed;

static void tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - %s: ", ok ? "" : "not ", ++tap_n, label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tap_failed += !ok;
}

/* Read a whole file; its size, or -errno. */
static long read_file(const char *path, char **buf, size_t *size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 4096 + 1 > *size) {
			char *b = realloc(*buf, *size * 2 + 8192);

			if (!b) {
				close(fd);
				return -ENOMEM;
			}
			*buf = b;
			*size = *size * 2 + 8192;
		}
		n = read(fd, *buf + len, *size - len - 1);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	(*buf)[len] = '\0';
	close(fd);
	return (long)len;
}

/* Value of a "key: value" line, or -1. */
static long long stat_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *s = text;

	while (s && *s) {
		if (!strncmp(s, key, klen) && s[klen] == ':')
			return strtoll(s + klen + 1, NULL, 10);
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return -1;
}

struct dbg_watch {
	char *buf;
	size_t size;
	unsigned long reads;
	unsigned long max_tracked;	/* "leak pool=" lines in leaks */
	char error[384];
};

/*
 * Whether a pool's debugfs directory is gone, or goes within a second: a
 * file of it read while the pool was being destroyed fails with EIO (what
 * debugfs returns for a file removed while open), which is no error then.
 */
static bool dbg_pool_gone(const char *name)
{
	char path[300];
	struct stat st;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dbg_root, name);
	for (i = 0; i < 10; i++) {
		if (stat(path, &st) && errno == ENOENT)
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * Read every debugfs file of the module once. A pool may go away between
 * listing its directory and opening its files (ENOENT), or while one is
 * open (EIO, see above): neither is an error.
 */
static void dbg_read_all(struct dbg_watch *w)
{
	static const char *const top[] = { "stats", "pools", "leaks" };
	char path[300];
	struct dirent *de;
	unsigned long n;
	const char *s;
	unsigned int i;
	long ret;
	DIR *dir;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dbg_root, top[i]);
		ret = read_file(path, &w->buf, &w->size);
		if (ret < 0) {
			snprintf(w->error, sizeof(w->error), "reading %s: %s",
				 path, strerror((int)-ret));
			return;
		}
		w->reads++;
		if (i != 2)
			continue;
		for (n = 0, s = w->buf; (s = strstr(s, "leak pool=")); s++)
			n++;
		if (n > w->max_tracked)
			w->max_tracked = n;
	}
	dir = opendir(dbg_root);
	if (!dir) {
		snprintf(w->error, sizeof(w->error), "opendir %s: %s",
			 dbg_root, strerror(errno));
		return;
	}
	while ((de = readdir(dir))) {
		static const char *const files[] = {
			"stats", "arenas", "chunks", "layout.dot",
		};

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dbg_root,
				 de->d_name, files[i]);
			ret = read_file(path, &w->buf, &w->size);
			if (ret == -ENOENT ||
			    (ret == -EIO && dbg_pool_gone(de->d_name)))
				break;
			if (ret < 0) {
				snprintf(w->error, sizeof(w->error),
					 "reading %s: %s", path,
					 strerror((int)-ret));
				break;
			}
			w->reads++;
		}
	}
	closedir(dir);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: np_stress [-p PROCS] [-t THREADS] [-d SECONDS] [-s SEED]\n"
		   "                 [-l disabled|simple|advanced|paranoid]\n");
}

static bool parse_uint(const char *arg, unsigned long long max,
		       unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 0);
	return !errno && *arg && !*end && *out <= max && arg[0] != '-';
}

static int parse_args(int argc, char **argv)
{
	unsigned long long v;
	bool have_seed = false;
	int opt, i;

	while ((opt = getopt(argc, argv, "p:t:d:s:l:h")) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_uint(optarg, MAX_PROCS, &v) || !v) {
				fprintf(stderr, "np_stress: -p wants 1..%u processes, not '%s'\n",
					MAX_PROCS, optarg);
				return -1;
			}
			nr_procs = (unsigned int)v;
			break;
		case 't':
			if (!parse_uint(optarg, MAX_THREADS, &v) || !v) {
				fprintf(stderr, "np_stress: -t wants 1..%u threads, not '%s'\n",
					MAX_THREADS, optarg);
				return -1;
			}
			nr_threads = (unsigned int)v;
			break;
		case 'd':
			if (!parse_uint(optarg, 600, &v) || !v) {
				fprintf(stderr, "np_stress: -d wants 1..600 seconds, not '%s'\n",
					optarg);
				return -1;
			}
			duration = (unsigned int)v;
			break;
		case 's':
			if (!parse_uint(optarg, UINT64_MAX, &v)) {
				fprintf(stderr, "np_stress: -s wants an unsigned number, not '%s'\n",
					optarg);
				return -1;
			}
			seed = v;
			have_seed = true;
			break;
		case 'l':
			for (i = NP_LEAK_DISABLED; i <= NP_LEAK_PARANOID; i++)
				if (!strcmp(optarg, leak_name(i)))
					break;
			if (i > NP_LEAK_PARANOID) {
				fprintf(stderr, "np_stress: -l wants disabled, simple, advanced or paranoid, not '%s'\n",
					optarg);
				return -1;
			}
			leak_level = (unsigned int)i;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "np_stress: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return -1;
	}
	if (!have_seed)
		seed = now_ns() ^ ((uint64_t)getpid() << 32);
	return 0;
}

/* Wait for every child; poll debugfs meanwhile. */
static void watch_children(pid_t *pids, int *status, struct dbg_watch *w)
{
	uint64_t limit = now_ns() +
			 (uint64_t)(duration + GRACE_SECONDS) * 1000000000ULL;
	unsigned int left = nr_procs, i;
	bool killed = false;

	while (left) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			for (i = 0; i < nr_procs; i++) {
				if (pids[i] == pid) {
					status[i] = st;
					pids[i] = 0;
					left--;
				}
			}
			continue;
		}
		if (!killed && now_ns() > limit) {
			printf("# still running %us after the work should have ended: killing\n",
			       duration + GRACE_SECONDS);
			for (i = 0; i < nr_procs; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			killed = true;
		}
		if (!w->error[0])
			dbg_read_all(w);
		usleep(100000);
	}
}

int main(int argc, char **argv)
{
	static int status[MAX_PROCS];
	struct dbg_watch w = { 0 };
	pid_t pids[MAX_PROCS];
	long long leaked_before, leaked_after;
	unsigned int i, k, plan;
	struct stat sb;
	long ret;

	if (parse_args(argc, argv))
		return 2;
	snprintf(label, sizeof(label), "stress[leak_detection=%s]",
		 leak_name(leak_level));
	printf("TAP version 13\n");
	if (stat(dev_path, &sb) || !S_ISCHR(sb.st_mode)) {
		printf("1..0 # SKIP %s is missing (nettypool.ko not loaded)\n",
		       dev_path);
		return KSFT_SKIP;
	}
	if (leak_level)
		setenv("NETTYPOOL_LEAK_DETECTION", leak_name(leak_level), 1);
	plan = 3 + (leak_level == NP_LEAK_PARANOID);
	for (i = 0; i < nr_procs; i++)
		plan += 2 + i % MAX_POOLS;
	printf("1..%u\n", plan);
	printf("# seed %llu: np_stress -p %u -t %u -d %u -s %llu%s%s\n",
	       (unsigned long long)seed, nr_procs, nr_threads, duration,
	       (unsigned long long)seed, leak_level ? " -l " : "",
	       leak_level ? leak_name(leak_level) : "");
	printf("# %ld CPUs online\n", sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);

	ret = read_file("/sys/kernel/debug/nettypool/stats", &w.buf, &w.size);
	leaked_before = ret < 0 ? -1 : stat_value(w.buf, "leaked_on_close");
	results = mmap(NULL, MAX_PROCS * sizeof(*results),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (results == MAP_FAILED) {
		perror("np_stress: mmap");
		return 1;
	}
	for (i = 0; i < nr_procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("np_stress: fork");
			return 1;
		}
		if (!pids[i]) {
			run_process(i);
			_exit(0);
		}
	}
	watch_children(pids, status, &w);

	for (i = 0; i < nr_procs; i++) {
		struct proc_result *res = &results[i];
		bool ok = WIFEXITED(status[i]) && !WEXITSTATUS(status[i]) &&
			  res->done && !res->error[0];

		if (WIFSIGNALED(status[i]))
			tap(false, "process %u: killed by signal %d", i,
			    WTERMSIG(status[i]));
		else
			tap(ok, "process %u, %u threads, %u pools: %llu buffers (%llu huge), %llu dropped by another thread, %llu retains, %llu batches, %llu trims: patterns intact, no overlap, none handed out twice%s%s",
			    i, nr_threads, res->nr_pools,
			    (unsigned long long)res->allocs,
			    (unsigned long long)res->huge,
			    (unsigned long long)res->foreign,
			    (unsigned long long)res->retains,
			    (unsigned long long)res->batches,
			    (unsigned long long)res->trims,
			    res->error[0] ? ": " : "", res->error);
		for (k = 0; k < 1 + i % MAX_POOLS; k++) {
			struct pool_result *pr = &res->pools[k];

			tap(pr->ok, "process %u pool %u (%s): %llu buffers, %llu cache hits; after trim 0 active, 0 cached, allocations == frees, no chunk%s%s",
			    i, k, pr->desc[0] ? pr->desc : "not opened",
			    (unsigned long long)pr->allocs,
			    (unsigned long long)pr->cache_hits,
			    pr->error[0] ? ": " : "", pr->error);
		}
	}
	tap(!w.error[0] && w.reads > 0,
	    "debugfs files read %lu times while the processes ran%s%s",
	    w.reads, w.error[0] ? ": " : "", w.error);
	if (leak_level == NP_LEAK_PARANOID)
		tap(w.max_tracked > 0,
		    "the leaks file tracked up to %lu live buffers while running",
		    w.max_tracked);

	ret = read_file("/sys/kernel/debug/nettypool/stats", &w.buf, &w.size);
	if (ret < 0) {
		tap(false, "debugfs totals back to zero: %s",
		    strerror((int)-ret));
		tap(false, "no buffer reclaimed at close: no debugfs stats");
	} else {
		static const char *const keys[] = {
			"pools", "chunks", "huge_regions", "bytes_reserved",
			"bytes_active", "active_buffers",
		};
		char left[256] = "";
		size_t len = 0;

		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			long long v = stat_value(w.buf, keys[k]);

			if (v && len < sizeof(left))
				len += (size_t)snprintf(left + len,
							sizeof(left) - len,
							" %s=%lld", keys[k], v);
		}
		tap(!left[0], "debugfs totals back to zero after every pool closed%s%s",
		    left[0] ? ":" : "", left);
		leaked_after = stat_value(w.buf, "leaked_on_close");
		tap(leaked_before >= 0 && leaked_after == leaked_before,
		    "no buffer reclaimed at close (leaked_on_close %lld -> %lld)",
		    leaked_before, leaked_after);
	}
	printf("# %u of %u failed (seed %llu)\n", tap_failed, tap_n,
	       (unsigned long long)seed);
	return tap_failed ? 1 : 0;
}
