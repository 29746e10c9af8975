/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contents the concurrency workloads write into every buffer they
 * hold (tests/host/unit/test_concurrency.c, tests/guest/stress): a word
 * derived from the buffer's tag and the offset, at every 8 bytes of the
 * first 4 KiB and then every 512 bytes, and the last word; a buffer
 * that another user wrote into, or that two users were handed, fails the
 * check. Header only.
 */
#ifndef NP_PATTERN_H
#define NP_PATTERN_H

#include <stdint.h>

#define NP_PATTERN_FULL		4096U	/* every word up to here */
#define NP_PATTERN_STRIDE	512U	/* then one word in so many bytes */

static inline uint64_t np_pattern_word(uint64_t tag, uint64_t off)
{
	uint64_t x = tag ^ (off * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

/* The next patterned offset after off (8-byte words). */
static inline uint64_t np_pattern_next(uint64_t off)
{
	return off < NP_PATTERN_FULL ? off + 8 : off + NP_PATTERN_STRIDE;
}

/* Write the pattern of tag into a buffer of cap bytes, cap >= 8. */
static inline void np_pattern_fill(unsigned char *p, uint64_t cap,
				   uint64_t tag)
{
	uint64_t off;

	for (off = 0; off < cap; off = np_pattern_next(off))
		*(uint64_t *)(p + off) = np_pattern_word(tag, off);
	*(uint64_t *)(p + cap - 8) = np_pattern_word(tag, cap - 8);
}

/* Offset of the first word that differs from the pattern, or -1. */
static inline long long np_pattern_check(const unsigned char *p,
					 uint64_t cap, uint64_t tag)
{
	uint64_t off;

	for (off = 0; off < cap; off = np_pattern_next(off))
		if (*(const uint64_t *)(p + off) != np_pattern_word(tag, off))
			return (long long)off;
	if (*(const uint64_t *)(p + cap - 8) != np_pattern_word(tag, cap - 8))
		return (long long)(cap - 8);
	return -1;
}

/* Offset of the first patterned word that is not zero, or -1. */
static inline long long np_pattern_zero_check(const unsigned char *p,
					      uint64_t cap)
{
	uint64_t off;

	for (off = 0; off < cap; off = np_pattern_next(off))
		if (*(const uint64_t *)(p + off))
			return (long long)off;
	return *(const uint64_t *)(p + cap - 8) ? (long long)(cap - 8) : -1;
}

#endif /* NP_PATTERN_H */
