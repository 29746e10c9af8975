/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hand-off of the concurrency workloads (the unit suite's threads of
 * tests/host/unit/test_concurrency.c and the guest's tests/guest/stress):
 * threads pass references to buffers to each other through a bounded
 * queue, popped at a random place, and keep the buffers they hold in an
 * array they take from at a random place. Header only; the caller owns
 * the arrays and draws the random numbers.
 */
#ifndef NP_HANDOFF_H
#define NP_HANDOFF_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct np_handoff {
	pthread_mutex_t lock;	/* protects slots and nr */
	void **slots;
	uint32_t nr;
	uint32_t max;
};

static inline void np_handoff_init(struct np_handoff *q, void **slots,
				   uint32_t max)
{
	pthread_mutex_init(&q->lock, NULL);
	q->slots = slots;
	q->nr = 0;
	q->max = max;
}

static inline void np_handoff_fini(struct np_handoff *q)
{
	pthread_mutex_destroy(&q->lock);
}

/*
 * Take the entry at pick % *n out of the array items[0 .. *n), *n > 0,
 * moving the last one in its place; an array of any pointer type.
 */
#define np_take_at(items, n, pick) ({					\
	uint32_t __i = (uint32_t)((pick) % *(n));			\
	__typeof__((items)[0]) __item = (items)[__i];			\
									\
	(items)[__i] = (items)[--*(n)];					\
	__item;								\
})

/* Queue an item for another thread; false when the queue is full. */
static inline bool np_handoff_push(struct np_handoff *q, void *item)
{
	bool ok;

	pthread_mutex_lock(&q->lock);
	ok = q->nr < q->max;
	if (ok)
		q->slots[q->nr++] = item;
	pthread_mutex_unlock(&q->lock);
	return ok;
}

/* An item another thread queued, the one at pick % nr; NULL when none. */
static inline void *np_handoff_pop(struct np_handoff *q, uint64_t pick)
{
	void *item = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->nr)
		item = np_take_at(q->slots, &q->nr, pick);
	pthread_mutex_unlock(&q->lock);
	return item;
}

#endif /* NP_HANDOFF_H */
