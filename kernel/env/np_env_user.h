/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator core's environment in userspace (see np_env.h): pthread
 * locks, calloc for metadata, anonymous mmap for page blocks, stderr for
 * logging (quiet unless NETTYPOOL_DEBUG is set), and a per-thread arena
 * hint handed out round robin.
 */
#ifndef NP_ENV_USER_H
#define NP_ENV_USER_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef unsigned int gfp_t;

#define U32_MAX		UINT32_MAX

#define GFP_KERNEL	0U
#define GFP_ATOMIC	1U
#define GFP_NOWAIT	2U
/* no memory cgroups here: nothing to charge */
#define __GFP_ACCOUNT	0U

/*
 * A thread's own variable, in the static TLS block: one load from %fs,
 * not a call to __tls_get_addr() on every use from the shared library.
 */
#define NP_THREAD_LOCAL	__thread __attribute__((tls_model("initial-exec")))

/*
 * A lock that never sleeps while it holds: arena and cache sections are
 * short, so a waiter spins, yielding its CPU between tries. Release is a
 * plain store, which makes an uncontended lock/unlock pair one atomic
 * instruction instead of pthread_mutex's two.
 */
struct np_lock {
	int locked;
};

/*
 * A reader/writer lock that never sleeps while it holds, built for many
 * readers on several CPUs: a reader counts itself in one of NP_RW_SLOTS
 * counters, each on a cache line of its own, picked by its thread, so
 * that readers on different CPUs do not bounce one line between them (a
 * one-word lock cost a third of a two-thread free). A writer raises
 * @writer, then waits for every counter to drop to zero; readers that
 * see @writer back off until it is down, so writers cannot starve.
 */
#define NP_RW_SLOTS	16

struct np_rw_slot {
	int readers;
	char pad[60];		/* one counter per cache line */
};

struct np_rwlock {
	int writer;
	char pad[60];
	struct np_rw_slot slots[NP_RW_SLOTS];
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

void np_lock_wait(struct np_lock *l);

static inline void np_lock_init(struct np_lock *l)
{
	l->locked = 0;
}

static inline void np_lock_destroy(struct np_lock *l)
{
	(void)l;
}

static inline void np_lock(struct np_lock *l)
{
	if (__builtin_expect(__atomic_exchange_n(&l->locked, 1,
						 __ATOMIC_ACQUIRE), 0))
		np_lock_wait(l);
}

static inline void np_unlock(struct np_lock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/*
 * An owner lock guards data that one thread uses all the time and other
 * threads visit now and then: a thread's cache, which its owner touches
 * on every allocation and free, and a flush or the statistics visit. The
 * owner takes it with plain stores: it says it is inside (busy), then
 * checks that no visitor is around. A visitor says it is around
 * (visitors), then waits until the owner is not inside. For the two
 * sides never to miss each other, each needs a full barrier between its
 * store and its load; the visitor's, membarrier(), makes every running
 * thread of the process execute one, so that the owner's can be a mere
 * compiler barrier. Where membarrier() is missing (valgrind, old
 * kernels), the owner executes a real fence instead (np_asym_fenced),
 * and under ThreadSanitizer, which models neither, both sides use
 * sequentially consistent atomics. An owner that finds a visitor steps
 * out and takes the visitors' lock, as a visitor would.
 */
struct np_owner_lock {
	int busy;		/* the owner is inside; written by it alone */
	int visitors;		/* a visitor is around */
	int owner_locked;	/* the owner holds @lock; read by it alone */
	struct np_lock lock;	/* serialises visitors, and a stepped-out owner */
};

#ifdef __SANITIZE_THREAD__
#define NP_OWNER_ORDER	__ATOMIC_SEQ_CST
#define NP_OWNER_LOAD	__ATOMIC_SEQ_CST
#else
#define NP_OWNER_ORDER	__ATOMIC_RELAXED
#define NP_OWNER_LOAD	__ATOMIC_ACQUIRE
#endif

extern bool np_asym_fenced;

void np_owner_lock_init(struct np_owner_lock *l);
void np_owner_lock_slow(struct np_owner_lock *l);
void np_visit_lock(struct np_owner_lock *l);
void np_visit_unlock(struct np_owner_lock *l);

static inline void np_owner_lock(struct np_owner_lock *l)
{
	__atomic_store_n(&l->busy, 1, NP_OWNER_ORDER);
	if (__builtin_expect(np_asym_fenced, 0))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (__builtin_expect(__atomic_load_n(&l->visitors, NP_OWNER_LOAD), 0))
		np_owner_lock_slow(l);
}

static inline void np_owner_unlock(struct np_owner_lock *l)
{
	if (__builtin_expect(l->owner_locked, 0)) {
		l->owner_locked = 0;
		np_unlock(&l->lock);
		return;
	}
	__atomic_store_n(&l->busy, 0, __ATOMIC_RELEASE);
}

void np_read_lock_wait(struct np_rwlock *l, struct np_rw_slot *slot);
void np_write_lock(struct np_rwlock *l);
unsigned int np_rw_slot_assign(void);

/* This thread's reader slot (1-based; 0 until its first read lock). */
extern NP_THREAD_LOCAL unsigned int np_rw_slot_of_thread;

static inline struct np_rw_slot *np_rw_slot(struct np_rwlock *l)
{
	if (__builtin_expect(!np_rw_slot_of_thread, 0))
		np_rw_slot_of_thread = np_rw_slot_assign();
	return &l->slots[np_rw_slot_of_thread - 1];
}

static inline void np_rwlock_init(struct np_rwlock *l)
{
	memset(l, 0, sizeof(*l));
}

static inline void np_rwlock_destroy(struct np_rwlock *l)
{
	(void)l;
}

static inline void np_read_lock(struct np_rwlock *l)
{
	struct np_rw_slot *slot = np_rw_slot(l);

	__atomic_add_fetch(&slot->readers, 1, __ATOMIC_SEQ_CST);
	if (__builtin_expect(__atomic_load_n(&l->writer, __ATOMIC_SEQ_CST), 0))
		np_read_lock_wait(l, slot);
}

static inline void np_read_unlock(struct np_rwlock *l)
{
	__atomic_sub_fetch(&np_rw_slot(l)->readers, 1, __ATOMIC_RELEASE);
}

static inline void np_write_unlock(struct np_rwlock *l)
{
	__atomic_store_n(&l->writer, 0, __ATOMIC_RELEASE);
}

static inline void *np_meta_zalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, size);
}

static inline void np_meta_free(void *p)
{
	free(p);
}

/* Backing of a chunk or huge region: one anonymous private mapping. */
struct np_mem {
	void *addr;
	size_t size;
};

int np_mem_alloc(struct np_mem *mem, size_t size, unsigned int flags,
		 gfp_t gfp);
void np_mem_free(struct np_mem *mem);

static inline void *np_mem_addr(const struct np_mem *mem)
{
	return mem->addr;
}

void np_env_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define NP_LOG_ERR	3
#define NP_LOG_WARN	4
#define NP_LOG_INFO	6
#define np_err(...)	np_env_log(NP_LOG_ERR, __VA_ARGS__)
#define np_warn(...)	np_env_log(NP_LOG_WARN, __VA_ARGS__)
#define np_info(...)	np_env_log(NP_LOG_INFO, __VA_ARGS__)

/* Number of NP_WARN_ON() conditions that fired; the tests require 0. */
extern unsigned long np_env_warnings;

void np_env_warn(const char *cond, const char *file, int line);

#define NP_WARN_ON(cond) ({						\
	bool __np_c = !!(cond);						\
	if (__builtin_expect(__np_c, 0))				\
		np_env_warn(#cond, __FILE__, __LINE__);			\
	__np_c;								\
})

#define np_likely(x)	__builtin_expect(!!(x), 1)
#define np_unlikely(x)	__builtin_expect(!!(x), 0)

/* Index of the most significant set bit plus one; 0 for 0. */
static inline unsigned int np_fls64(u64 x)
{
	return x ? 64 - (unsigned int)__builtin_clzll(x) : 0;
}

/* Index of the first zero bit; undefined when x is all ones. */
static inline unsigned int np_ffz64(u64 x)
{
	return (unsigned int)__builtin_ctzll(~x);
}

static inline bool np_is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

size_t np_env_page_size(void);
unsigned int np_env_nr_cpus(void);
unsigned int np_env_arena_hint(void);

/* Atomic bits in words of unsigned long (the chunks' "owned" bitmaps). */
#define NP_WORD_BITS	(8 * sizeof(unsigned long))

static inline bool np_test_and_clear_bit(unsigned long *words, u64 bit)
{
	unsigned long mask = 1UL << (bit % NP_WORD_BITS);

	return __atomic_fetch_and(&words[bit / NP_WORD_BITS], ~mask,
				  __ATOMIC_ACQ_REL) & mask;
}

static inline bool np_test_and_set_bit(unsigned long *words, u64 bit)
{
	unsigned long mask = 1UL << (bit % NP_WORD_BITS);

	return __atomic_fetch_or(&words[bit / NP_WORD_BITS], mask,
				 __ATOMIC_ACQ_REL) & mask;
}

static inline bool np_test_bit(const unsigned long *words, u64 bit)
{
	return __atomic_load_n(&words[bit / NP_WORD_BITS], __ATOMIC_ACQUIRE) >>
	       (bit % NP_WORD_BITS) & 1;
}

/* A word read without the lock that protects its writers. */
#define np_read_once(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define np_write_once(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/*
 * Slots: one instance of a structure per thread (per CPU in the kernel),
 * created on a thread's first use. A slot belongs to its thread; the set
 * of slots of one struct np_slots is also reachable by np_slots_for_each()
 * from any thread. A thread's slots are flushed and freed when it exits;
 * np_slots_fini() flushes every slot and detaches it from the set.
 */
struct np_slot;

struct np_slots {
	unsigned long id;
	size_t size;
	void (*init)(void *slot, void *arg);
	void (*flush)(void *slot, void *arg);
	void *arg;
	struct np_slot *head;
};

struct np_slot {
	struct np_slot *next_in_set;
	struct np_slot *prev_in_set;
	struct np_slot *next_in_thread;
	struct np_slots *set;
	unsigned long id;
	/* the slot's data follows, aligned */
	unsigned long data[] __attribute__((aligned(64)));
};

extern NP_THREAD_LOCAL struct np_slot *np_thread_slots;

int np_slots_init(struct np_slots *set, size_t size,
		  void (*init)(void *slot, void *arg),
		  void (*flush)(void *slot, void *arg), void *arg, gfp_t gfp);
void *np_slots_this_slow(struct np_slots *set);
void np_slots_for_each(struct np_slots *set,
		       void (*fn)(void *slot, void *arg), void *arg);
void np_slots_fini(struct np_slots *set);

/*
 * fork() in a process with threads (the library's atfork handlers):
 * np_slots_fork_prepare() holds the mutex behind every set until
 * np_slots_fork_parent() in the parent, np_slots_fork_child() in the
 * child; meanwhile np_slots_for_each_held() walks a set. In the child,
 * np_slots_drop_others() flushes and frees the slots of the threads that
 * did not survive the fork (all but the caller).
 */
void np_slots_fork_prepare(void);
void np_slots_fork_parent(void);
void np_slots_fork_child(void);
void np_slots_for_each_held(struct np_slots *set,
			    void (*fn)(void *slot, void *arg), void *arg);
void np_slots_drop_others(struct np_slots *set);

/* The calling thread's slot, or NULL when it could not be created. */
static inline void *np_slots_this(struct np_slots *set)
{
	struct np_slot *slot = np_thread_slots;

	if (np_likely(slot && slot->id == set->id))
		return slot->data;
	return np_slots_this_slow(set);
}

/* No trace events in userspace: the arguments are not evaluated. */
#define np_trace(event, ...)	do { } while (0)

#endif /* NP_ENV_USER_H */
