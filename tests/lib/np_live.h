/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of the buffers a pool has live, for the concurrency workloads
 * (tests/host/unit/test_concurrency.c, tests/guest/stress): their ranges
 * sorted by start, under a lock of their own, so that a buffer handed out
 * while live, or overlapping a live one, is caught the moment the pool
 * hands it out. Header only; the array grows as needed.
 */
#ifndef NP_LIVE_H
#define NP_LIVE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct np_live_range {
	uint64_t start;
	uint64_t len;
};

struct np_live {
	pthread_mutex_t lock;	/* protects everything below */
	struct np_live_range *ranges;
	uint32_t nr;
	uint32_t max;
};

static inline void np_live_init(struct np_live *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
}

static inline void np_live_fini(struct np_live *l)
{
	pthread_mutex_destroy(&l->lock);
	free(l->ranges);
	l->ranges = NULL;
}

/* Index of the first range starting at or after start. */
static inline uint32_t np_live_pos(const struct np_live *l, uint64_t start)
{
	uint32_t lo = 0, hi = l->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->ranges[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A buffer the pool just handed out: 0 when it overlaps no live one (it
 * is live from now on), else -1 with what is wrong in why.
 */
static inline int np_live_insert(struct np_live *l, uint64_t start,
				 uint64_t len, char *why, size_t why_len)
{
	const struct np_live_range *prev, *next;
	int ret = -1;
	uint32_t i;

	pthread_mutex_lock(&l->lock);
	i = np_live_pos(l, start);
	prev = i ? &l->ranges[i - 1] : NULL;
	next = i < l->nr ? &l->ranges[i] : NULL;
	if (next && next->start == start) {
		snprintf(why, why_len, "%#llx (%llu bytes) handed out while live",
			 (unsigned long long)start, (unsigned long long)len);
	} else if (prev && prev->start + prev->len > start) {
		snprintf(why, why_len, "%#llx+%llu overlaps live %#llx+%llu",
			 (unsigned long long)start, (unsigned long long)len,
			 (unsigned long long)prev->start,
			 (unsigned long long)prev->len);
	} else if (next && start + len > next->start) {
		snprintf(why, why_len, "%#llx+%llu overlaps live %#llx+%llu",
			 (unsigned long long)start, (unsigned long long)len,
			 (unsigned long long)next->start,
			 (unsigned long long)next->len);
	} else if (l->nr == l->max) {
		uint32_t max = l->max ? 2 * l->max : 256;
		struct np_live_range *r = realloc(l->ranges, max * sizeof(*r));

		if (r) {
			l->ranges = r;
			l->max = max;
			ret = 0;
		} else {
			snprintf(why, why_len, "out of memory for the model");
		}
	} else {
		ret = 0;
	}
	if (!ret) {
		memmove(&l->ranges[i + 1], &l->ranges[i],
			(l->nr - i) * sizeof(l->ranges[0]));
		l->ranges[i].start = start;
		l->ranges[i].len = len;
		l->nr++;
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

/* A buffer about to be freed for good: 0, or -1 when it was not live. */
static inline int np_live_remove(struct np_live *l, uint64_t start,
				 uint64_t len)
{
	int ret = -1;
	uint32_t i;

	pthread_mutex_lock(&l->lock);
	i = np_live_pos(l, start);
	if (i < l->nr && l->ranges[i].start == start &&
	    l->ranges[i].len == len) {
		memmove(&l->ranges[i], &l->ranges[i + 1],
			(l->nr - i - 1) * sizeof(l->ranges[0]));
		l->nr--;
		ret = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

#endif /* NP_LIVE_H */
