// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU slots: the kernel half of the environment's struct np_slots
 * (np_env_kernel.h). A pool's caches are one slot per possible CPU, made
 * with the pool and freed with it; np_slots_for_each() visits every
 * possible CPU's slot, online or not, so that a flush reaches the cache
 * of a CPU that went offline too. The slots' own locks (in the core's
 * struct np_cache) serialise their users; this file takes no lock.
 */
#include "np_env.h"

/**
 * np_slots_init() - make one zeroed slot per possible CPU
 * @set: the set.
 * @size: bytes per slot.
 * @init: called on every slot before the set is used.
 * @flush: called on every slot by np_slots_fini().
 * @arg: passed to @init and @flush.
 * @gfp: GFP_KERNEL, with __GFP_ACCOUNT to charge the slots to the caller's
 *	memory cgroup.
 *
 * Return: 0, or -ENOMEM.
 */
int np_slots_init(struct np_slots *set, size_t size,
		  void (*init)(void *slot, void *arg),
		  void (*flush)(void *slot, void *arg), void *arg, gfp_t gfp)
{
	unsigned int cpu;

	set->slots = __alloc_percpu_gfp(size, SMP_CACHE_BYTES, np_meta_gfp(gfp));
	if (!set->slots)
		return -ENOMEM;
	set->flush = flush;
	set->arg = arg;
	for_each_possible_cpu(cpu)
		init(per_cpu_ptr(set->slots, cpu), arg);
	return 0;
}

/**
 * np_slots_for_each() - call a function on every CPU's slot
 * @set: the set.
 * @fn: the function; it takes the slot's own lock if it needs it.
 * @arg: passed to @fn.
 */
void np_slots_for_each(struct np_slots *set,
		       void (*fn)(void *slot, void *arg), void *arg)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		fn(per_cpu_ptr(set->slots, cpu), arg);
}

/**
 * np_slots_fini() - flush every slot and free the set
 * @set: a set no one uses any more.
 */
void np_slots_fini(struct np_slots *set)
{
	np_slots_for_each(set, set->flush, set->arg);
	free_percpu(set->slots);
	set->slots = NULL;
}
