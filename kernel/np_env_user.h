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

struct np_lock {
	pthread_mutex_t lock;
};

struct np_rwlock {
	pthread_rwlock_t lock;
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline void np_lock_init(struct np_lock *l)
{
	pthread_mutex_init(&l->lock, NULL);
}

static inline void np_lock_destroy(struct np_lock *l)
{
	pthread_mutex_destroy(&l->lock);
}

static inline void np_lock(struct np_lock *l)
{
	pthread_mutex_lock(&l->lock);
}

static inline void np_unlock(struct np_lock *l)
{
	pthread_mutex_unlock(&l->lock);
}

static inline void np_rwlock_init(struct np_rwlock *l)
{
	pthread_rwlock_init(&l->lock, NULL);
}

static inline void np_rwlock_destroy(struct np_rwlock *l)
{
	pthread_rwlock_destroy(&l->lock);
}

static inline void np_read_lock(struct np_rwlock *l)
{
	pthread_rwlock_rdlock(&l->lock);
}

static inline void np_read_unlock(struct np_rwlock *l)
{
	pthread_rwlock_unlock(&l->lock);
}

static inline void np_write_lock(struct np_rwlock *l)
{
	pthread_rwlock_wrlock(&l->lock);
}

static inline void np_write_unlock(struct np_rwlock *l)
{
	pthread_rwlock_unlock(&l->lock);
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

#endif /* NP_ENV_USER_H */
