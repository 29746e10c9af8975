// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/*
 * The kernel backend: pools that live in nettypool.ko behind
 * /dev/nettypool.
 *
 * The kernel names buffers by mmap offset and hands out the region (a
 * chunk, or a huge buffer's pages) holding each one. The library maps
 * every region once, MAP_SHARED, at an address aligned to the pool's
 * chunk size, and keeps two hash tables of its mappings: by region
 * offset (to place a new buffer) and by mapping address. A pointer then
 * resolves in O(1): round it down to the chunk size, look the mapping up,
 * and the buffer's offset is region_offset + (ptr - base). A pointer
 * inside a huge region beyond its first chunk-size bytes rounds down to
 * an address that is not a mapping, and is refused like any other
 * pointer that is not a buffer start; the kernel has the last word on
 * every offset it is given.
 *
 * Each mapping counts the references the library holds on buffers in
 * it. When that count drops to zero the region may have been released
 * by the kernel (offsets are never reused, so the mapping can never show
 * anything else); the library keeps a few such idle mappings for reuse
 * and unmaps the oldest beyond NP_IDLE_MAX, and all of them on np_trim().
 *
 * A per-thread cache (kernel/core/cache.c, the core's, over this backend)
 * keeps freed buffers of up to 32 KiB: they stay allocated in the
 * kernel, and np_alloc() takes them back without a system call. An empty
 * bin is refilled with one NP_IOC_BATCH of half its capacity, and a
 * cache gives buffers back with one NP_IOC_BATCH too, so a steady
 * alloc/free loop makes about one ioctl per batch. Double frees are
 * still refused without asking the kernel: each chunk mapping has an
 * atomic "owned" bit per 16 bytes, set while the application holds the
 * buffer starting there, which a free must claim first (as the core does
 * for its own chunks), and the capacity of every page it has seen a
 * buffer in (all buffers starting in one page have the same capacity).
 * Retained buffers are not cached: while any buffer has references
 * beyond its first, frees look it up in a small table of those.
 *
 * A thread remembers the last mapping a pointer of its resolved to, with
 * the pool's count of unmaps at the time: while no mapping was unmapped
 * since, the next pointer in the same chunk-size span resolves without
 * the pool's lock (a buffer the caller holds keeps its mapping alive; a
 * pointer that is no buffer is refused further on, as before).
 *
 * Locking: kpool->lock protects the tables, the counts, the idle list
 * and the retained table; ioctls run without it, except the batches of a
 * cache, which run under that cache's lock (cache lock -> kpool->lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "np_lib.h"
#include "np_cache.h"
#include "np_core.h"
#include "np_refs.h"

#define NP_IDLE_MAX	8

struct np_kregion {
	uint64_t offset;
	uint64_t size;
	char *base;
	uint64_t refs;
	struct np_kregion *by_offset_next;
	struct np_kregion *by_base_next;
	struct np_kregion *idle_prev;
	struct np_kregion *idle_next;
	int idle;
	unsigned long *owned;	/* chunks only: a bit per 16 bytes */
	u32 *page_cap;		/* chunks only: capacity of each page's buffers */
};

struct np_kpool {
	uint64_t id;		/* unique in the process, never reused */
	uint64_t unmaps;	/* mappings unmapped so far */
	int fd;
	uint64_t chunk_size;
	pthread_mutex_t lock;
	struct np_kregion **by_offset;
	struct np_kregion **by_base;
	size_t nr_buckets;
	size_t nr_regions;
	struct np_kregion *idle_head;	/* oldest */
	struct np_kregion *idle_tail;
	unsigned int nr_idle;
	u32 page_shift;
	struct np_refs retained;	/* chunk buffers' extra references */
	struct np_cache_set caches;
	bool forked;		/* this process is a child of the opener */
};

/* The mapping a thread's pointer resolved to last (see the top). */
struct np_kernel_hint {
	uint64_t pool_id;
	uint64_t unmaps;
	const char *base;
	struct np_kregion *region;
};

static NP_THREAD_LOCAL struct np_kernel_hint np_kernel_hint;
static uint64_t np_kpool_ids;

static struct np_kpool *np_kpool(struct np_pool *pool)
{
	return pool->priv;
}

static size_t np_hash(uint64_t key, size_t nr_buckets)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (nr_buckets - 1);
}

static size_t np_base_hash(const struct np_kpool *kp, const char *base)
{
	return np_hash((uintptr_t)base / kp->chunk_size, kp->nr_buckets);
}

static size_t np_offset_hash(const struct np_kpool *kp, uint64_t offset)
{
	return np_hash(offset >> 12, kp->nr_buckets);
}

static void np_kregion_link(struct np_kpool *kp, struct np_kregion *r)
{
	size_t ho = np_offset_hash(kp, r->offset);
	size_t hb = np_base_hash(kp, r->base);

	r->by_offset_next = kp->by_offset[ho];
	kp->by_offset[ho] = r;
	r->by_base_next = kp->by_base[hb];
	kp->by_base[hb] = r;
}

/* Double the tables when they get as many entries as buckets. */
static int np_kpool_grow(struct np_kpool *kp)
{
	size_t nr = kp->nr_buckets ? kp->nr_buckets * 2 : 64, i;
	struct np_kregion **by_offset, **by_base, *r, *next;
	struct np_kregion **old = kp->by_offset;
	size_t old_nr = kp->nr_buckets;

	by_offset = calloc(nr, sizeof(*by_offset));
	by_base = calloc(nr, sizeof(*by_base));
	if (!by_offset || !by_base) {
		free(by_offset);
		free(by_base);
		return -ENOMEM;
	}
	free(kp->by_base);
	kp->by_offset = by_offset;
	kp->by_base = by_base;
	kp->nr_buckets = nr;
	for (i = 0; i < old_nr; i++) {
		for (r = old[i]; r; r = next) {
			next = r->by_offset_next;
			np_kregion_link(kp, r);
		}
	}
	free(old);
	return 0;
}

static struct np_kregion *np_kregion_by_offset(struct np_kpool *kp,
					       uint64_t offset)
{
	struct np_kregion *r;

	if (!kp->nr_buckets)
		return NULL;
	for (r = kp->by_offset[np_offset_hash(kp, offset)]; r;
	     r = r->by_offset_next)
		if (r->offset == offset)
			return r;
	return NULL;
}

static struct np_kregion *np_kregion_by_ptr(struct np_kpool *kp,
					    const void *ptr)
{
	char *base = (char *)((uintptr_t)ptr & ~(uintptr_t)(kp->chunk_size - 1));
	struct np_kregion *r;

	if (!kp->nr_buckets)
		return NULL;
	for (r = kp->by_base[np_base_hash(kp, base)]; r; r = r->by_base_next)
		if (r->base == base)
			return r;
	return NULL;
}

static void np_idle_remove(struct np_kpool *kp, struct np_kregion *r)
{
	if (r->idle_prev)
		r->idle_prev->idle_next = r->idle_next;
	else
		kp->idle_head = r->idle_next;
	if (r->idle_next)
		r->idle_next->idle_prev = r->idle_prev;
	else
		kp->idle_tail = r->idle_prev;
	r->idle_prev = NULL;
	r->idle_next = NULL;
	r->idle = 0;
	kp->nr_idle--;
}

static void np_kregion_free(struct np_kpool *kp, struct np_kregion *r)
{
	/* a child has no mapping there: the range may hold one of its own */
	if (!kp->forked)
		munmap(r->base, r->size);
	free(r->owned);
	free(r->page_cap);
	free(r);
}

static void np_kregion_unmap(struct np_kpool *kp, struct np_kregion *r)
{
	struct np_kregion **p;

	if (r->idle)
		np_idle_remove(kp, r);
	for (p = &kp->by_offset[np_offset_hash(kp, r->offset)]; *p != r;
	     p = &(*p)->by_offset_next)
		;
	*p = r->by_offset_next;
	for (p = &kp->by_base[np_base_hash(kp, r->base)]; *p != r;
	     p = &(*p)->by_base_next)
		;
	*p = r->by_base_next;
	kp->nr_regions--;
	__atomic_store_n(&kp->unmaps, kp->unmaps + 1, __ATOMIC_RELEASE);
	np_kregion_free(kp, r);
}

static void np_kregion_put(struct np_kpool *kp, struct np_kregion *r)
{
	if (--r->refs)
		return;
	r->idle = 1;
	r->idle_prev = kp->idle_tail;
	r->idle_next = NULL;
	if (kp->idle_tail)
		kp->idle_tail->idle_next = r;
	else
		kp->idle_head = r;
	kp->idle_tail = r;
	if (++kp->nr_idle > NP_IDLE_MAX)
		np_kregion_unmap(kp, kp->idle_head);
}

/* Map a region at an address aligned to the chunk size. */
static char *np_map_aligned(struct np_kpool *kp, uint64_t offset,
			    uint64_t size)
{
	size_t span = size + kp->chunk_size;
	char *res, *base;

	res = mmap(NULL, span, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return NULL;
	base = (char *)(((uintptr_t)res + kp->chunk_size - 1) &
			~(uintptr_t)(kp->chunk_size - 1));
	if (mmap(base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 kp->fd, (off_t)offset) == MAP_FAILED) {
		munmap(res, span);
		return NULL;
	}
	if (base > res)
		munmap(res, base - res);
	if (res + span > base + size)
		munmap(base + size, res + span - (base + size));
	return base;
}

/* A new mapping of a region, with its ownership maps if it is a chunk. */
static struct np_kregion *np_kregion_new(struct np_kpool *kp,
					 const struct np_alloc *a)
{
	struct np_kregion *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->offset = a->region_offset;
	r->size = a->region_size;
	if (r->size == kp->chunk_size) {
		r->owned = calloc(np_align_up(r->size / NP_TINY_QUANTUM,
					      NP_WORD_BITS) / 8, 1);
		r->page_cap = calloc(r->size >> kp->page_shift,
				     sizeof(*r->page_cap));
	}
	r->base = np_map_aligned(kp, r->offset, r->size);
	if (!r->base || (r->size == kp->chunk_size &&
			 (!r->owned || !r->page_cap))) {
		if (r->base)
			munmap(r->base, r->size);
		free(r->owned);
		free(r->page_cap);
		free(r);
		return NULL;
	}
	return r;
}

/* The mapping of a buffer's region, mapped now if new; one more ref. */
static int np_kregion_get(struct np_kpool *kp, const struct np_alloc *a,
			  struct np_kregion **out)
{
	struct np_kregion *r;
	int ret = 0;

	pthread_mutex_lock(&kp->lock);
	r = np_kregion_by_offset(kp, a->region_offset);
	if (!r) {
		if (kp->nr_regions >= kp->nr_buckets)
			ret = np_kpool_grow(kp);
		r = ret ? NULL : np_kregion_new(kp, a);
		if (r) {
			np_kregion_link(kp, r);
			kp->nr_regions++;
		}
		if (!r)
			ret = -ENOMEM;
	}
	if (r) {
		if (r->idle)
			np_idle_remove(kp, r);
		r->refs++;
	}
	pthread_mutex_unlock(&kp->lock);
	*out = r;
	return ret;
}

/* Note a buffer the kernel handed out: its page's capacity, its bit. */
static void np_kernel_note(struct np_kpool *kp, struct np_kregion *r,
			   uint64_t offset, uint64_t capacity, bool owned)
{
	uint64_t in = offset - r->offset;

	if (!r->owned)
		return;
	np_write_once(r->page_cap[in >> kp->page_shift], (u32)capacity);
	if (owned)
		np_test_and_set_bit(r->owned, in / NP_TINY_QUANTUM);
}

static struct np_kpool *np_cache_set_kpool(struct np_cache_set *set)
{
	return (struct np_kpool *)((char *)set - offsetof(struct np_kpool,
							  caches));
}

#define NP_BATCH_MAX	64	/* operations per NP_IOC_BATCH */

/* Give buffers no one owns back to the kernel, NP_BATCH_MAX at a time. */
static void np_kernel_flush(struct np_cache_set *set,
			      struct np_cache_entry *e, u32 n, u32 size)
{
	struct np_kpool *kp = np_cache_set_kpool(set);
	struct np_batch_op ops[NP_BATCH_MAX];
	u32 done, k, m;

	if (kp->forked)		/* the buffers are the opener's */
		return;
	for (done = 0; done < n; done += m) {
		struct np_batch b = { .ops = (uintptr_t)ops };

		m = n - done < NP_BATCH_MAX ? n - done : NP_BATCH_MAX;
		memset(ops, 0, m * sizeof(*ops));
		for (k = 0; k < m; k++) {
			ops[k].op = NP_BATCH_FREE;
			ops[k].offset = e[done + k].addr;
		}
		b.count = m;
		if (ioctl(kp->fd, NP_IOC_BATCH, &b))
			np_warn("batch free: %u of %u done: %s\n", b.done, m,
				strerror(errno));
		pthread_mutex_lock(&kp->lock);
		for (k = 0; k < m; k++)
			np_kregion_put(kp, e[done + k].region);
		pthread_mutex_unlock(&kp->lock);
	}
}

/* Free a buffer in the kernel (one reference), and drop the mapping's. */
static int np_kernel_free_ioctl(struct np_kpool *kp, struct np_kregion *r,
			 uint64_t offset)
{
	struct np_free f = { .offset = offset };

	if (ioctl(kp->fd, NP_IOC_FREE, &f))
		return -errno;
	pthread_mutex_lock(&kp->lock);
	np_kregion_put(kp, r);
	pthread_mutex_unlock(&kp->lock);
	return 0;
}

/* Fill an empty bin: n buffers of one size in one NP_IOC_BATCH. */
static u32 np_kernel_refill(struct np_cache_set *set, struct np_cache_entry *e,
			    u32 n, u32 size)
{
	struct np_kpool *kp = np_cache_set_kpool(set);
	struct np_batch_op ops[NP_BATCH_MAX];
	struct np_batch b = { .ops = (uintptr_t)ops };
	struct np_alloc a;
	struct np_kregion *r;
	u32 k, got = 0;

	if (n > NP_BATCH_MAX)
		n = NP_BATCH_MAX;
	memset(ops, 0, n * sizeof(*ops));
	for (k = 0; k < n; k++) {
		ops[k].op = NP_BATCH_ALLOC;
		ops[k].size = size;
	}
	b.count = n;
	ioctl(kp->fd, NP_IOC_BATCH, &b);	/* b.done says how far */
	for (k = 0; k < b.done && k < n; k++) {
		a = (struct np_alloc){
			.offset = ops[k].offset,
			.capacity = ops[k].capacity,
			.region_offset = ops[k].region_offset,
			.region_size = ops[k].region_size,
		};
		if (np_kregion_get(kp, &a, &r) || !r->owned) {
			struct np_free f = { .offset = a.offset };

			if (r)
				np_kernel_free_ioctl(kp, r, a.offset);
			else
				ioctl(kp->fd, NP_IOC_FREE, &f);
			continue;
		}
		np_kernel_note(kp, r, a.offset, a.capacity, false);
		e[got].region = r;
		e[got].addr = a.offset;
		got++;
	}
	return got;
}

static const struct np_cache_ops np_kernel_cache_ops = {
	.flush = np_kernel_flush,
	.refill = np_kernel_refill,
};

static int np_kernel_alloc(struct np_pool *pool, size_t size, bool zero,
			   void **ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_alloc a = { .size = size, .flags = zero ? NP_ALLOC_ZERO : 0 };
	unsigned int bin = np_cache_bin_of(&kp->caches, size);
	struct np_cache_entry e;
	struct np_free f;
	struct np_kregion *r;
	int ret;

	if (kp->forked)
		return -EPERM;
	if (bin && np_cache_get(&kp->caches, bin, &e)) {
		r = e.region;
		np_test_and_set_bit(r->owned,
				    (e.addr - r->offset) / NP_TINY_QUANTUM);
		*ptr = r->base + (e.addr - r->offset);
		if (zero)
			memset(*ptr, 0, kp->caches.bin_size[bin]);
		return 0;
	}
	if (ioctl(kp->fd, NP_IOC_ALLOC, &a))
		return -errno;
	ret = np_kregion_get(kp, &a, &r);
	if (ret) {
		f = (struct np_free){ .offset = a.offset };
		ioctl(kp->fd, NP_IOC_FREE, &f);
		return ret;
	}
	np_kernel_note(kp, r, a.offset, a.capacity, true);
	*ptr = r->base + (a.offset - a.region_offset);
	return 0;
}

/* The offset of a pointer, or 0 when it is in no mapping of the pool. */
static uint64_t np_kernel_offset(struct np_kpool *kp, const void *ptr,
				 struct np_kregion **region)
{
	const char *base = (const char *)((uintptr_t)ptr &
					  ~(uintptr_t)(kp->chunk_size - 1));
	struct np_kernel_hint *hint = &np_kernel_hint;
	struct np_kregion *r;
	uint64_t offset = 0;

	if (hint->pool_id == kp->id && hint->base == base &&
	    hint->unmaps == __atomic_load_n(&kp->unmaps, __ATOMIC_ACQUIRE)) {
		r = hint->region;
	} else {
		pthread_mutex_lock(&kp->lock);
		r = np_kregion_by_ptr(kp, ptr);
		if (r)
			*hint = (struct np_kernel_hint){ kp->id, kp->unmaps,
							 base, r };
		pthread_mutex_unlock(&kp->lock);
	}
	if (r && (const char *)ptr - r->base < (ptrdiff_t)r->size)
		offset = r->offset + (uint64_t)((const char *)ptr - r->base);
	if (region)
		*region = r;
	return offset;
}

/*
 * A free of a buffer with extra references drops one; true when it did
 * (the kernel is told). Only looked at while some buffer is retained.
 */
static bool np_kernel_drop_extra(struct np_kpool *kp, uint64_t offset)
{
	bool extra;

	if (!np_refs_any(&kp->retained))
		return false;
	pthread_mutex_lock(&kp->lock);
	extra = np_refs_drop(&kp->retained, offset);
	pthread_mutex_unlock(&kp->lock);
	return extra;
}

/*
 * A retain: the kernel counts the reference; for a chunk buffer the
 * retained table does too, so that frees of it skip the caches.
 */
static int np_kernel_retain(struct np_pool *pool, void *ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_ref *fresh = NULL;
	struct np_kregion *r;
	struct np_free f;
	uint64_t in;

	if (kp->forked)
		return -EPERM;
	f = (struct np_free){ .offset = np_kernel_offset(kp, ptr, &r) };
	if (!f.offset)
		return -EINVAL;
	in = f.offset - r->offset;
	if (r->owned && (in % NP_TINY_QUANTUM ||
			 !np_test_bit(r->owned, in / NP_TINY_QUANTUM)))
		return -EINVAL;
	if (r->owned) {
		fresh = np_meta_zalloc(sizeof(*fresh), 0);
		if (!fresh)
			return -ENOMEM;
	}
	if (ioctl(kp->fd, NP_IOC_RETAIN, &f)) {
		np_meta_free(fresh);
		return -errno;
	}
	pthread_mutex_lock(&kp->lock);
	r->refs++;
	/* the kernel counted the reference: it cannot overflow here */
	if (r->owned)
		np_refs_add(&kp->retained, f.offset, &fresh);
	pthread_mutex_unlock(&kp->lock);
	np_meta_free(fresh);
	return 0;
}


/*
 * A free: an extra reference is dropped in the kernel; a chunk buffer is
 * claimed, then cached, or given back when its bin is full; a huge one
 * goes straight back (the kernel tells whether it is live).
 *
 * Once an extra reference is taken off the retained table, the buffer's
 * owned bit is not looked at again: another holder may already have
 * freed the last reference the library knows of, claiming the bit, while
 * the kernel still counts the one dropped here.
 */
static int np_kernel_free(struct np_pool *pool, void *ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_kregion *r;
	uint64_t offset;
	struct np_cache_entry e;
	unsigned int bin;
	uint64_t in;

	if (kp->forked)
		return -EPERM;
	offset = np_kernel_offset(kp, ptr, &r);
	e = (struct np_cache_entry){ r, offset };
	if (!offset || (r->owned && (offset - r->offset) % NP_TINY_QUANTUM))
		return -EINVAL;
	if (!r->owned || np_kernel_drop_extra(kp, offset))
		return np_kernel_free_ioctl(kp, r, offset);
	in = offset - r->offset;
	if (!np_test_and_clear_bit(r->owned, in / NP_TINY_QUANTUM))
		return -EINVAL;
	bin = np_cache_bin_of(&kp->caches,
			      np_read_once(r->page_cap[in >> kp->page_shift]));
	if (!bin || !np_cache_put(&kp->caches, bin, &e))
		np_kernel_flush(&kp->caches, &e, 1, 0);
	return 0;
}

static size_t np_kernel_usable_size(struct np_pool *pool, const void *ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_kregion *r;
	struct np_query q;
	uint64_t in;

	if (kp->forked)
		return 0;
	q = (struct np_query){ .offset = np_kernel_offset(kp, ptr, &r) };
	in = q.offset - (r ? r->offset : 0);
	if (!q.offset)
		return 0;
	if (r->owned)
		return !(in % NP_TINY_QUANTUM) &&
		       np_test_bit(r->owned, in / NP_TINY_QUANTUM) ?
		       np_read_once(r->page_cap[in >> kp->page_shift]) : 0;
	if (ioctl(kp->fd, NP_IOC_QUERY, &q))
		return 0;
	return q.capacity;
}

/* The kernel counts the buffers our caches hold as active. */
static int np_kernel_stats(struct np_pool *pool, struct np_stats *st)
{
	struct np_kpool *kp = np_kpool(pool);
	uint64_t bytes, buffers;

	if (kp->forked)
		return -EPERM;
	if (ioctl(kp->fd, NP_IOC_STATS, st))
		return -errno;
	bytes = st->bytes_cached;
	buffers = np_cache_set_stats(&kp->caches, st);
	bytes = st->bytes_cached - bytes;
	st->bytes_active -= bytes < st->bytes_active ? bytes : st->bytes_active;
	st->active_buffers -= buffers < st->active_buffers ?
			      buffers : st->active_buffers;
	return 0;
}

static int np_kernel_trim(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);

	if (kp->forked)
		return -EPERM;
	np_cache_set_flush(&kp->caches);
	if (ioctl(kp->fd, NP_IOC_TRIM))
		return -errno;
	pthread_mutex_lock(&kp->lock);
	while (kp->idle_head)
		np_kregion_unmap(kp, kp->idle_head);
	pthread_mutex_unlock(&kp->lock);
	return 0;
}

static void np_kernel_close(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_kregion *r, *next;
	size_t i;

	np_cache_set_fini(&kp->caches);
	for (i = 0; i < kp->nr_buckets; i++) {
		for (r = kp->by_offset[i]; r; r = next) {
			next = r->by_offset_next;
			np_kregion_free(kp, r);
		}
	}
	np_refs_fini(&kp->retained);
	free(kp->by_offset);
	free(kp->by_base);
	close(kp->fd);
	pthread_mutex_destroy(&kp->lock);
	free(kp);
}

/*
 * A child of fork() inherits the pool's file but not its mappings, and
 * the buffers are the opener's: every call but np_pool_close() fails
 * with EPERM there, and closing frees the library's memory only.
 */
static void np_kernel_fork_prepare(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);

	pthread_mutex_lock(&kp->lock);
	np_cache_set_fork_prepare(&kp->caches);
}

static void np_kernel_fork_parent(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);

	np_cache_set_fork_parent(&kp->caches);
	pthread_mutex_unlock(&kp->lock);
}

static void np_kernel_fork_child(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);

	kp->forked = true;	/* first: the flush of dead caches is a no-op */
	pthread_mutex_init(&kp->lock, NULL);
	np_cache_set_fork_child(&kp->caches);
}

static const struct np_backend_ops np_kernel_ops = {
	.alloc = np_kernel_alloc,
	.free = np_kernel_free,
	.retain = np_kernel_retain,
	.usable_size = np_kernel_usable_size,
	.stats = np_kernel_stats,
	.trim = np_kernel_trim,
	.close = np_kernel_close,
	.fork_prepare = np_kernel_fork_prepare,
	.fork_parent = np_kernel_fork_parent,
	.fork_child = np_kernel_fork_child,
};

static const char *np_kernel_device(const struct np_pool_opts *opts)
{
	const char *dev = opts ? opts->device : NULL;

	if (!dev)
		dev = getenv("NETTYPOOL_DEV");
	return dev && *dev ? dev : "/dev/nettypool";
}

/**
 * np_kernel_open() - open a pool in the kernel module
 * @pool: the pool being opened.
 * @opts: the caller's options, or NULL.
 * @cfg: the requested configuration; the effective one on success.
 *
 * Return: 0; -ENODEV when the local backend was asked for or the device
 * cannot be opened; -EINVAL for a configuration the module refuses;
 * -ENOMEM.
 */
int np_kernel_open(struct np_pool *pool, const struct np_pool_opts *opts,
		   struct np_config *cfg)
{
	struct np_kpool *kp;
	int ret;

	if (opts && opts->backend == NP_BACKEND_LOCAL)
		return -ENODEV;
	kp = calloc(1, sizeof(*kp));
	if (!kp)
		return -ENOMEM;
	kp->id = __atomic_add_fetch(&np_kpool_ids, 1, __ATOMIC_RELAXED);
	kp->fd = open(np_kernel_device(opts), O_RDWR | O_CLOEXEC);
	if (kp->fd < 0) {
		free(kp);
		return -ENODEV;
	}
	if (ioctl(kp->fd, NP_IOC_CONFIGURE, cfg)) {
		ret = -errno;
		close(kp->fd);
		free(kp);
		return ret;
	}
	kp->chunk_size = (uint64_t)cfg->page_size << cfg->max_order;
	kp->page_shift = np_fls64(cfg->page_size) - 1;
	pthread_mutex_init(&kp->lock, NULL);
	ret = np_cache_set_init(&kp->caches, &np_kernel_cache_ops, cfg, 0);
	if (ret) {
		pthread_mutex_destroy(&kp->lock);
		close(kp->fd);
		free(kp);
		return ret;
	}
	pool->ops = &np_kernel_ops;
	pool->backend = NP_BACKEND_KERNEL;
	pool->priv = kp;
	return 0;
}
