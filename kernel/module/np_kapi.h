/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nettypool's in-kernel API: a Netty-style pooled buffer allocator for
 * kernel code. See Documentation/kernel-api.rst.
 *
 *	struct np_config cfg = { 0 };		(all defaults)
 *	struct np_pool *pool = np_pool_create(&cfg, "mydrv");
 *	void *buf = np_pool_alloc(pool, 1500, GFP_KERNEL);
 *	...
 *	np_pool_free(pool, buf);
 *	np_pool_destroy(pool);
 */
#ifndef NP_KAPI_H
#define NP_KAPI_H

#include <linux/gfp.h>
#include <linux/types.h>

#include <linux/nettypool.h>

struct np_pool;

struct np_pool *np_pool_create(struct np_config *cfg, const char *name);
void np_pool_destroy(struct np_pool *pool);
void *np_pool_alloc(struct np_pool *pool, size_t size, gfp_t gfp);
int np_pool_free(struct np_pool *pool, const void *ptr);
int np_pool_retain(struct np_pool *pool, const void *ptr);
size_t np_pool_usable_size(struct np_pool *pool, const void *ptr);
void np_pool_trim(struct np_pool *pool);
u64 np_pool_leak_suspects(struct np_pool *pool);
void np_pool_stats(struct np_pool *pool, struct np_stats *st);

#endif /* NP_KAPI_H */
