/* SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0 */
/*
 * libnettypool: Netty's pooled buffer allocator for userspace programs.
 *
 * A pool hands out buffers of any size; small requests are rounded up to
 * size classes and carved from large chunks, large ones get pages of
 * their own (see README.md for the classes). Two backends behave the same:
 *
 *   NP_BACKEND_KERNEL  the pool lives in the nettypool kernel module,
 *                      reached through /dev/nettypool, and is visible in
 *                      /sys/kernel/debug/nettypool/;
 *   NP_BACKEND_LOCAL   the same allocator core runs in this process over
 *                      anonymous memory;
 *   NP_BACKEND_AUTO    the kernel backend when the device opens, else the
 *                      local one.
 *
 * Every function is thread-safe: one pool may be used from many threads.
 * Functions that fail return NULL or -1 and set errno.
 *
 * fork(): a child can use the local pools it inherits, whatever the other
 * threads were doing (what they had cached goes back to the pool; what
 * they held stays allocated). A kernel pool stays the opener's: in a child
 * every call on it fails with EPERM but np_pool_close(), which frees the
 * library's memory only.
 */
#ifndef NETTYPOOL_H
#define NETTYPOOL_H

#include <stddef.h>
#include <linux/nettypool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	NP_BACKEND_AUTO = 0,
	NP_BACKEND_KERNEL = 1,
	NP_BACKEND_LOCAL = 2,
};

struct np_pool;

/**
 * struct np_pool_opts - how to open a pool; zero means "default" everywhere
 * @backend: NP_BACKEND_AUTO, NP_BACKEND_KERNEL or NP_BACKEND_LOCAL.
 * @device: the device to open; default $NETTYPOOL_DEV, else /dev/nettypool.
 * @page_size: a power of two in 4096..65536; default 8192.
 * @max_order: 1..14, chunk = page_size << max_order; default 9 (4 MiB).
 * @n_arenas: default one per online CPU.
 * @tiny_cache: cache entries per tiny class; -1 = disabled, default 512.
 * @small_cache: per small class; -1 = disabled, default 256.
 * @normal_cache: per normal class; -1 = disabled, default 64.
 * @keep_empty_chunks: -1 = no (Netty's behaviour), default yes.
 * @max_bytes: most bytes of memory the pool may hold; default no limit.
 */
struct np_pool_opts {
	int backend;
	const char *device;
	size_t page_size;
	unsigned int max_order;
	unsigned int n_arenas;
	int tiny_cache, small_cache, normal_cache;
	int keep_empty_chunks;
	size_t max_bytes;
};

/* Open a pool; NULL opts = all defaults. NULL + errno (EINVAL, ENOMEM, ENODEV). */
struct np_pool *np_pool_open(const struct np_pool_opts *opts);
/* Close a pool, reclaiming every buffer still allocated. 0, or -1 + EINVAL. */
int np_pool_close(struct np_pool *pool);
/* A buffer of at least size bytes; NULL + errno (ENOMEM, EINVAL). */
void *np_alloc(struct np_pool *pool, size_t size);
/* Same, reading as zeroes. */
void *np_zalloc(struct np_pool *pool, size_t size);
/* Drop a reference, freeing at zero; NULL is a no-op. -1 + EINVAL if ptr
 * is not the start of a live buffer of this pool. */
int np_free(struct np_pool *pool, void *ptr);
/* Add a reference: one more np_free() is needed. 0, or -1 + errno. */
int np_retain(struct np_pool *pool, void *ptr);
/* The buffer's normalised capacity, all of it usable; 0 if not live. */
size_t np_usable_size(struct np_pool *pool, const void *ptr);
/* The pool's counters. 0, or -1 + errno. */
int np_pool_stats(struct np_pool *pool, struct np_stats *st);
/* Give back memory the pool holds but does not use. 0, or -1 + errno. */
int np_trim(struct np_pool *pool);

/* Which backend an open pool uses: NP_BACKEND_KERNEL or NP_BACKEND_LOCAL. */
int np_pool_backend(const struct np_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* NETTYPOOL_H */
