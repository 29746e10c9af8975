/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of the allocator core.
 *
 * The core (kernel/core/) is compiled twice: into nettypool.ko, and into
 * the userspace library and its unit tests. It never calls a kernel or
 * libc function by itself; everything it needs from the world around it
 * is named here and implemented twice, in np_env_kernel.h with
 * env_kernel.c, and in np_env_user.h with env_user.c:
 *
 *  - fixed-width types u8..u64, s32, bool, size_t, gfp_t and errno values;
 *  - struct np_lock, a lock that never sleeps, for arena state;
 *  - struct np_rwlock, a reader/writer lock that never sleeps, for the region map;
 *  - struct np_owner_lock, for data one CPU or thread uses all the time
 *    and others visit (the caches): np_owner_lock() for the owner, as
 *    cheap as the environment allows, np_visit_lock() for the others;
 *  - np_meta_zalloc() / np_meta_free(), zeroed memory for metadata;
 *  - struct np_mem with np_mem_alloc() / np_mem_free() / np_mem_addr(),
 *    the page blocks that back a chunk or a huge buffer;
 *  - np_err() / np_warn() / np_info(), logging;
 *  - NP_WARN_ON(), a checked assertion that reports once and evaluates to
 *    its condition;
 *  - bit helpers np_fls64(), np_ffz64(), np_is_pow2(); branch hints
 *    np_likely() and np_unlikely();
 *  - struct np_slots, one slot per CPU (kernel) or per thread (userspace),
 *    for the caches;
 *  - np_env_page_size(), the page size of the system, and
 *    np_env_nr_cpus(), np_env_arena_hint(), to spread users over arenas;
 *  - np_trace(event, args...), a trace event of the pool whose owner
 *    data comes first in args: the tracepoint nettypool:event in the
 *    module (np_trace.h), nothing elsewhere. Its arguments are evaluated
 *    only while the event is enabled, so they may cost what they like.
 *
 * The kernel half also gives the module np_mem_set_limit() and
 * np_mem_total_bytes(): a cap on the pages of all pools together.
 */
#ifndef NP_ENV_H
#define NP_ENV_H

#ifdef __KERNEL__
#include "np_env_kernel.h"
#else
#include "np_env_user.h"
#endif

/* struct np_mem flags, passed to np_mem_alloc() */
#define NP_MEM_MAP	0x1U	/* the core's user needs a linear mapping */
#define NP_MEM_ACCOUNT	0x2U	/* charge the pages to the caller's memcg */

/* Round x up to a multiple of a, a power of two. */
static inline u64 np_align_up(u64 x, u64 a)
{
	return (x + a - 1) & ~(a - 1);
}

#endif /* NP_ENV_H */
