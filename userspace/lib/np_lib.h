/* SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0 */
/*
 * Inside libnettypool: a pool is a backend behind a table of operations.
 * Each operation returns 0 or a negative errno; pool.c turns that into
 * the public convention (-1 or NULL with errno set).
 */
#ifndef NP_LIB_H
#define NP_LIB_H

#include <stdbool.h>
#include <stddef.h>

#include "nettypool.h"

struct np_pool;

struct np_backend_ops {
	int (*alloc)(struct np_pool *pool, size_t size, bool zero, void **ptr);
	int (*free)(struct np_pool *pool, void *ptr);
	int (*retain)(struct np_pool *pool, void *ptr);
	size_t (*usable_size)(struct np_pool *pool, const void *ptr);
	int (*stats)(struct np_pool *pool, struct np_stats *st);
	int (*trim)(struct np_pool *pool);
	void (*close)(struct np_pool *pool);
	void (*fork_prepare)(struct np_pool *pool);
	void (*fork_parent)(struct np_pool *pool);
	void (*fork_child)(struct np_pool *pool);
};

struct np_pool {
	const struct np_backend_ops *ops;
	int backend;
	void *priv;
	struct np_pool *next;
	struct np_pool *prev;
};

int np_local_open(struct np_pool *pool, struct np_config *cfg);
int np_kernel_open(struct np_pool *pool, const struct np_pool_opts *opts,
		   struct np_config *cfg);

#endif /* NP_LIB_H */
