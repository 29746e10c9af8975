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
 * Locking: kpool->lock protects the tables, the counts and the idle
 * list; ioctls run without it.
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
};

struct np_kpool {
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
};

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
	munmap(r->base, r->size);
	free(r);
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
		r = ret ? NULL : calloc(1, sizeof(*r));
		if (r) {
			r->offset = a->region_offset;
			r->size = a->region_size;
			r->base = np_map_aligned(kp, r->offset, r->size);
			if (r->base) {
				np_kregion_link(kp, r);
				kp->nr_regions++;
			} else {
				free(r);
				r = NULL;
			}
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

static int np_kernel_alloc(struct np_pool *pool, size_t size, bool zero,
			   void **ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_alloc a = { .size = size, .flags = zero ? NP_ALLOC_ZERO : 0 };
	struct np_free f;
	struct np_kregion *r;
	int ret;

	if (ioctl(kp->fd, NP_IOC_ALLOC, &a))
		return -errno;
	ret = np_kregion_get(kp, &a, &r);
	if (ret) {
		f = (struct np_free){ .offset = a.offset };
		ioctl(kp->fd, NP_IOC_FREE, &f);
		return ret;
	}
	*ptr = r->base + (a.offset - a.region_offset);
	return 0;
}

/* The offset of a pointer, or 0 when it is in no mapping of the pool. */
static uint64_t np_kernel_offset(struct np_kpool *kp, const void *ptr,
				 struct np_kregion **region)
{
	struct np_kregion *r;
	uint64_t offset = 0;

	pthread_mutex_lock(&kp->lock);
	r = np_kregion_by_ptr(kp, ptr);
	if (r && (const char *)ptr - r->base < (ptrdiff_t)r->size)
		offset = r->offset + (uint64_t)((const char *)ptr - r->base);
	pthread_mutex_unlock(&kp->lock);
	if (region)
		*region = r;
	return offset;
}

static int np_kernel_ref_op(struct np_pool *pool, void *ptr, bool retain)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_kregion *r;
	struct np_free f = { .offset = np_kernel_offset(kp, ptr, &r) };

	if (!f.offset)
		return -EINVAL;
	if (ioctl(kp->fd, retain ? NP_IOC_RETAIN : NP_IOC_FREE, &f))
		return -errno;
	pthread_mutex_lock(&kp->lock);
	if (retain)
		r->refs++;
	else
		np_kregion_put(kp, r);
	pthread_mutex_unlock(&kp->lock);
	return 0;
}

static int np_kernel_free(struct np_pool *pool, void *ptr)
{
	return np_kernel_ref_op(pool, ptr, false);
}

static int np_kernel_retain(struct np_pool *pool, void *ptr)
{
	return np_kernel_ref_op(pool, ptr, true);
}

static size_t np_kernel_usable_size(struct np_pool *pool, const void *ptr)
{
	struct np_kpool *kp = np_kpool(pool);
	struct np_query q = { .offset = np_kernel_offset(kp, ptr, NULL) };

	if (!q.offset || ioctl(kp->fd, NP_IOC_QUERY, &q))
		return 0;
	return q.capacity;
}

static int np_kernel_stats(struct np_pool *pool, struct np_stats *st)
{
	return ioctl(np_kpool(pool)->fd, NP_IOC_STATS, st) ? -errno : 0;
}

static int np_kernel_trim(struct np_pool *pool)
{
	struct np_kpool *kp = np_kpool(pool);

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

	for (i = 0; i < kp->nr_buckets; i++) {
		for (r = kp->by_offset[i]; r; r = next) {
			next = r->by_offset_next;
			munmap(r->base, r->size);
			free(r);
		}
	}
	free(kp->by_offset);
	free(kp->by_base);
	close(kp->fd);
	pthread_mutex_destroy(&kp->lock);
	free(kp);
}

static const struct np_backend_ops np_kernel_ops = {
	.alloc = np_kernel_alloc,
	.free = np_kernel_free,
	.retain = np_kernel_retain,
	.usable_size = np_kernel_usable_size,
	.stats = np_kernel_stats,
	.trim = np_kernel_trim,
	.close = np_kernel_close,
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
	pthread_mutex_init(&kp->lock, NULL);
	pool->ops = &np_kernel_ops;
	pool->backend = NP_BACKEND_KERNEL;
	pool->priv = kp;
	return 0;
}
