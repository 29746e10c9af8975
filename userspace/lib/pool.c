// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/*
 * The public API of libnettypool (userspace/include/nettypool.h): option
 * checking, the choice of backend, and errno conventions. The work is done
 * by the backend behind pool->ops.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "np_env.h"
#include "np_lib.h"
#include "np_tables.h"

/*
 * fork(): every open pool is on one list, so that the atfork handlers can
 * hold them all across a fork. Order: np_pools_lock, then the slots mutex
 * of the environment, then each pool's own locks (its backend's
 * fork_prepare). A child of a threaded process can then use every pool
 * it inherited (those of the kernel backend as its fork_child says).
 */
static pthread_mutex_t np_pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct np_pool *np_pools;
static pthread_once_t np_atfork_once = PTHREAD_ONCE_INIT;

static void np_fork_prepare(void)
{
	struct np_pool *pool;

	pthread_mutex_lock(&np_pools_lock);
	np_slots_fork_prepare();
	for (pool = np_pools; pool; pool = pool->next)
		pool->ops->fork_prepare(pool);
}

static void np_fork_parent(void)
{
	struct np_pool *pool;

	for (pool = np_pools; pool; pool = pool->next)
		pool->ops->fork_parent(pool);
	np_slots_fork_parent();
	pthread_mutex_unlock(&np_pools_lock);
}

static void np_fork_child(void)
{
	struct np_pool *pool;

	np_slots_fork_child();
	for (pool = np_pools; pool; pool = pool->next)
		pool->ops->fork_child(pool);
	pthread_mutex_init(&np_pools_lock, NULL);
}

static void np_atfork_register(void)
{
	if (pthread_atfork(np_fork_prepare, np_fork_parent, np_fork_child))
		np_err("pthread_atfork failed: a child of fork() may hang in a pool\n");
}

static void np_pools_link(struct np_pool *pool)
{
	pthread_once(&np_atfork_once, np_atfork_register);
	pthread_mutex_lock(&np_pools_lock);
	pool->prev = NULL;
	pool->next = np_pools;
	if (np_pools)
		np_pools->prev = pool;
	np_pools = pool;
	pthread_mutex_unlock(&np_pools_lock);
}

static void np_pools_unlink(struct np_pool *pool)
{
	pthread_mutex_lock(&np_pools_lock);
	if (pool->prev)
		pool->prev->next = pool->next;
	else
		np_pools = pool->next;
	if (pool->next)
		pool->next->prev = pool->prev;
	pthread_mutex_unlock(&np_pools_lock);
}

/*
 * $NETTYPOOL_LEAK_DETECTION (disabled, simple, advanced, paranoid) sets
 * the leak detector of kernel pools, which report leaks in the kernel
 * log and /sys/kernel/debug/nettypool/leaks; unset, the module decides.
 */
static int np_leak_level_from_env(__u32 *level)
{
	const char *env = getenv("NETTYPOOL_LEAK_DETECTION");
	__u32 i;

	*level = NP_LEAK_DEFAULT;
	if (!env || !*env)
		return 0;
	for (i = NP_LEAK_DISABLED; i <= NP_LEAK_PARANOID; i++) {
		if (!strcmp(env, np_leak_level_names[i])) {
			*level = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int np_opts_to_config(const struct np_pool_opts *opts,
			     struct np_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (np_leak_level_from_env(&cfg->leak_detection))
		return -EINVAL;
	if (!opts)
		return 0;
	if (opts->backend < NP_BACKEND_AUTO || opts->backend > NP_BACKEND_LOCAL)
		return -EINVAL;
	if (opts->page_size > UINT_MAX)
		return -EINVAL;
	cfg->page_size = (unsigned int)opts->page_size;
	cfg->max_order = opts->max_order;
	cfg->n_arenas = opts->n_arenas;
	cfg->tiny_cache = opts->tiny_cache;
	cfg->small_cache = opts->small_cache;
	cfg->normal_cache = opts->normal_cache;
	cfg->keep_empty_chunks = opts->keep_empty_chunks;
	cfg->max_bytes = opts->max_bytes;
	return 0;
}

static void *np_fail_null(int err)
{
	errno = -err;
	return NULL;
}

static int np_fail(int err)
{
	if (!err)
		return 0;
	errno = -err;
	return -1;
}

struct np_pool *np_pool_open(const struct np_pool_opts *opts)
{
	struct np_pool *pool;
	struct np_config cfg;
	int ret;

	ret = np_opts_to_config(opts, &cfg);
	if (ret)
		return np_fail_null(ret);
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return np_fail_null(-ENOMEM);
	ret = np_kernel_open(pool, opts, &cfg);
	if (ret == -ENODEV && (!opts || opts->backend != NP_BACKEND_KERNEL))
		ret = np_local_open(pool, &cfg);
	if (ret) {
		free(pool);
		return np_fail_null(ret);
	}
	np_pools_link(pool);
	return pool;
}

int np_pool_close(struct np_pool *pool)
{
	if (!pool)
		return np_fail(-EINVAL);
	np_pools_unlink(pool);
	pool->ops->close(pool);
	free(pool);
	return 0;
}

static void *np_alloc_common(struct np_pool *pool, size_t size, bool zero)
{
	void *ptr;
	int ret;

	if (!pool)
		return np_fail_null(-EINVAL);
	ret = pool->ops->alloc(pool, size, zero, &ptr);
	return ret ? np_fail_null(ret) : ptr;
}

void *np_alloc(struct np_pool *pool, size_t size)
{
	return np_alloc_common(pool, size, false);
}

void *np_zalloc(struct np_pool *pool, size_t size)
{
	return np_alloc_common(pool, size, true);
}

int np_free(struct np_pool *pool, void *ptr)
{
	if (!pool)
		return np_fail(-EINVAL);
	if (!ptr)
		return 0;
	return np_fail(pool->ops->free(pool, ptr));
}

int np_retain(struct np_pool *pool, void *ptr)
{
	if (!pool || !ptr)
		return np_fail(-EINVAL);
	return np_fail(pool->ops->retain(pool, ptr));
}

size_t np_usable_size(struct np_pool *pool, const void *ptr)
{
	if (!pool || !ptr)
		return 0;
	return pool->ops->usable_size(pool, ptr);
}

int np_pool_stats(struct np_pool *pool, struct np_stats *st)
{
	if (!pool || !st)
		return np_fail(-EINVAL);
	return np_fail(pool->ops->stats(pool, st));
}

int np_trim(struct np_pool *pool)
{
	if (!pool)
		return np_fail(-EINVAL);
	return np_fail(pool->ops->trim(pool));
}

int np_pool_backend(const struct np_pool *pool)
{
	return pool ? pool->backend : -1;
}
