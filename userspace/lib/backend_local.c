// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/*
 * The in-process backend: the allocator core (kernel/core/, built for
 * userspace) over anonymous mappings. A buffer's key is its address, so
 * a pointer goes to the core as it is.
 */
#include <string.h>

#include "np_core.h"
#include "np_lib.h"

static struct np_core *np_local_core(struct np_pool *pool)
{
	return pool->priv;
}

static int np_local_alloc(struct np_pool *pool, size_t size, bool zero,
			  void **ptr)
{
	struct np_core *core = np_local_core(pool);
	struct np_buf buf;
	int ret;

	ret = np_core_alloc(core, size, GFP_KERNEL, &buf);
	if (ret)
		return ret;
	*ptr = (void *)(uintptr_t)buf.addr;
	/* a huge buffer always has fresh, hence zeroed, pages */
	if (zero && np_core_size_class(core, buf.capacity) != NP_SIZE_HUGE)
		memset(*ptr, 0, buf.capacity);
	return 0;
}

static int np_local_free(struct np_pool *pool, void *ptr)
{
	int ret = np_core_free(np_local_core(pool), (u64)(uintptr_t)ptr);

	return ret < 0 ? ret : 0;
}

static int np_local_retain(struct np_pool *pool, void *ptr)
{
	return np_core_retain(np_local_core(pool), (u64)(uintptr_t)ptr);
}

static size_t np_local_usable_size(struct np_pool *pool, const void *ptr)
{
	return np_core_usable_size(np_local_core(pool), (u64)(uintptr_t)ptr);
}

static int np_local_stats(struct np_pool *pool, struct np_stats *st)
{
	np_core_stats(np_local_core(pool), st);
	return 0;
}

static int np_local_trim(struct np_pool *pool)
{
	np_core_trim(np_local_core(pool));
	return 0;
}

static void np_local_close(struct np_pool *pool)
{
	u64 leaked = np_core_destroy(np_local_core(pool));

	if (leaked)
		np_info("pool closed with %llu buffers still allocated\n",
			(unsigned long long)leaked);
}

static void np_local_fork_prepare(struct np_pool *pool)
{
	np_core_fork_prepare(np_local_core(pool));
}

static void np_local_fork_parent(struct np_pool *pool)
{
	np_core_fork_parent(np_local_core(pool));
}

static void np_local_fork_child(struct np_pool *pool)
{
	np_core_fork_child(np_local_core(pool));
}

static const struct np_backend_ops np_local_ops = {
	.alloc = np_local_alloc,
	.free = np_local_free,
	.retain = np_local_retain,
	.usable_size = np_local_usable_size,
	.stats = np_local_stats,
	.trim = np_local_trim,
	.close = np_local_close,
	.fork_prepare = np_local_fork_prepare,
	.fork_parent = np_local_fork_parent,
	.fork_child = np_local_fork_child,
};

/**
 * np_local_open() - open an in-process pool
 * @pool: the pool being opened.
 * @cfg: the requested configuration, resolved in place.
 *
 * Return: 0, -EINVAL for a bad configuration, -ENOMEM.
 */
int np_local_open(struct np_pool *pool, struct np_config *cfg)
{
	struct np_core *core;
	int ret;

	ret = np_config_resolve(cfg, NULL);
	if (ret)
		return ret;
	core = np_core_create(cfg, NULL, NULL, 0);
	if (!core)
		return -ENOMEM;
	pool->ops = &np_local_ops;
	pool->backend = NP_BACKEND_LOCAL;
	pool->priv = core;
	return 0;
}
