/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Size classes, as Netty 4.1 defines them, for a request of n bytes:
 *   tiny    n < 512:                 up to a multiple of 16 (0 -> 16);
 *   small   512 <= n < page_size:    up to a power of two;
 *   normal  page_size <= n <= chunk: up to a power of two;
 *   huge    n > chunk_size:          up to a multiple of the system page
 *           size, with pages of its own, given back on free.
 * The class of a buffer is the class of its normalised size, so 510
 * bytes become a 512-byte small buffer, as in Netty. Tiny and small sizes
 * each have an index (Netty's tinyIdx and smallIdx): the arena keeps a
 * subpage pool per index, a cache a bin per index.
 */
#ifndef NP_SIZE_CLASS_H
#define NP_SIZE_CLASS_H

#include "np_env.h"

#define NP_TINY_MAX		512	/* tiny: normalised size below this */
#define NP_TINY_QUANTUM		16
#define NP_NR_TINY_POOLS	(NP_TINY_MAX / NP_TINY_QUANTUM)	/* 32 */
#define NP_MAX_SMALL_POOLS	8	/* 512 B .. 32 KiB below a 64 KiB page */

/* Index of a tiny normalised size: 1 for 16 bytes .. 31 for 496. */
static inline u32 np_tiny_index(u64 norm)
{
	return (u32)(norm / NP_TINY_QUANTUM);
}

/* Index of a small normalised size: 0 for 512 bytes, 1 for 1 KiB, ... */
static inline u32 np_small_index(u64 norm)
{
	return np_fls64(norm >> 10);
}

/* size_class.c */
u64 np_normalize(u64 chunk_size, u64 size);

#endif /* NP_SIZE_CLASS_H */
