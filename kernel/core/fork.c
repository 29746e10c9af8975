// SPDX-License-Identifier: GPL-2.0
/*
 * A pool across fork(), for the library's atfork handlers. Only a
 * process forks: none of this is built into the module.
 *
 * A child of a process with threads has one thread, the one that forked,
 * and a copy of memory that the other threads may have been changing at
 * that instant. So before the fork the forking thread takes every lock of
 * the pool: the region lock's write side first (it is never taken with
 * another core lock held), then every cache as a visitor, which also
 * waits for each cache's owner to step out of it, the caches' own lock,
 * the arenas and the list of retired chunks: the order of np_core.h. The
 * environment's slots mutex is already held (np_slots_fork_prepare()),
 * which keeps every cache where it is. After the fork the parent
 * releases them all and the child makes them anew; the child then gives
 * the buffers cached by threads it did not inherit back to their arenas,
 * so that its counters stay exact.
 */
#ifndef __KERNEL__
#include "np_core_internal.h"

static void np_cache_visit_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;

	np_visit_lock(&cache->lock);
}

static void np_cache_leave_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;

	np_visit_unlock(&cache->lock);
}

/*
 * In the child, locks are made anew rather than released: a thread that
 * was backing off at the fork (an owner that had said it was inside, a
 * reader that had counted itself) left a mark no one will take back.
 */
static void np_cache_reset_one(void *slot, void *arg)
{
	struct np_cache *cache = slot;

	np_owner_lock_init(&cache->lock);
}

/**
 * np_cache_set_fork_prepare() - hold every cache of a set, for fork()
 * @set: the set; the caller holds the slots mutex.
 */
void np_cache_set_fork_prepare(struct np_cache_set *set)
{
	if (!set->enabled)
		return;
	np_slots_for_each_held(&set->slots, np_cache_visit_one, NULL);
	np_lock(&set->lock);
}

/**
 * np_cache_set_fork_parent() - after fork(), in the parent
 * @set: the set np_cache_set_fork_prepare() held.
 */
void np_cache_set_fork_parent(struct np_cache_set *set)
{
	if (!set->enabled)
		return;
	np_unlock(&set->lock);
	np_slots_for_each_held(&set->slots, np_cache_leave_one, NULL);
}

/**
 * np_cache_set_fork_child() - after fork(), in the child
 * @set: the set np_cache_set_fork_prepare() held; the slots mutex is
 *	free again, and whatever the owner's flush takes is usable.
 *
 * Makes the set's locks anew, then the caches of the threads that did not
 * survive the fork give their buffers back to the owner and are freed.
 */
void np_cache_set_fork_child(struct np_cache_set *set)
{
	if (!set->enabled)
		return;
	np_lock_init(&set->lock);
	np_slots_for_each_held(&set->slots, np_cache_reset_one, NULL);
	np_slots_drop_others(&set->slots);
}

/**
 * np_core_fork_prepare() - hold every lock of a pool, for fork()
 * @core: the pool; the caller holds the slots mutex.
 */
void np_core_fork_prepare(struct np_core *core)
{
	unsigned int i;

	np_write_lock(&core->regions.lock);
	np_cache_set_fork_prepare(&core->caches);
	for (i = 0; i < core->n_arenas; i++)
		np_lock(&core->arenas[i].lock);
	np_lock(&core->retired_lock);
}

/**
 * np_core_fork_parent() - after fork(), in the parent
 * @core: the pool np_core_fork_prepare() held.
 */
void np_core_fork_parent(struct np_core *core)
{
	unsigned int i;

	np_unlock(&core->retired_lock);
	for (i = core->n_arenas; i--;)
		np_unlock(&core->arenas[i].lock);
	np_cache_set_fork_parent(&core->caches);
	np_write_unlock(&core->regions.lock);
}

/**
 * np_core_fork_child() - after fork(), in the child
 * @core: the pool np_core_fork_prepare() held; the slots mutex is free.
 *
 * Makes the pool's locks anew and empties the caches of the threads the
 * child did not inherit: the pool is the child's to use.
 */
void np_core_fork_child(struct np_core *core)
{
	unsigned int i;

	np_lock_init(&core->retired_lock);
	for (i = 0; i < core->n_arenas; i++)
		np_lock_init(&core->arenas[i].lock);
	np_rwlock_init(&core->regions.lock);
	np_cache_set_fork_child(&core->caches);
}
#endif /* __KERNEL__ */
