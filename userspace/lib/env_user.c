// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator core's environment in userspace: the out-of-line half of
 * kernel/np_env_user.h. Page blocks are anonymous private mappings, fresh
 * from the kernel and therefore zeroed; logging goes to stderr only when
 * NETTYPOOL_DEBUG is set in the environment, since a library must not
 * write on its users' terminals by itself.
 */
#include "np_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

unsigned long np_env_warnings;

int np_mem_alloc(struct np_mem *mem, size_t size, unsigned int flags,
		 gfp_t gfp)
{
	void *addr;

	(void)flags;
	(void)gfp;
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED)
		return -ENOMEM;
	mem->addr = addr;
	mem->size = size;
	return 0;
}

void np_mem_free(struct np_mem *mem)
{
	if (mem->addr)
		munmap(mem->addr, mem->size);
	mem->addr = NULL;
	mem->size = 0;
}

static int np_env_log_level(void)
{
	static int level = -1;
	const char *env;

	if (level < 0) {
		env = getenv("NETTYPOOL_DEBUG");
		level = env && *env ? NP_LOG_INFO : 0;
	}
	return level;
}

void np_env_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > np_env_log_level())
		return;
	va_start(ap, fmt);
	fputs("nettypool: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void np_env_warn(const char *cond, const char *file, int line)
{
	__atomic_add_fetch(&np_env_warnings, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "nettypool: WARNING: %s at %s:%d\n", cond, file, line);
}

size_t np_env_page_size(void)
{
	static size_t page_size;

	if (!page_size)
		page_size = (size_t)sysconf(_SC_PAGESIZE);
	return page_size;
}

unsigned int np_env_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

/*
 * Threads take arenas round robin on first use, as Netty's thread caches
 * take the least used arena: with one arena per CPU, concurrent threads
 * mostly work on different arena locks.
 */
unsigned int np_env_arena_hint(void)
{
	static unsigned int next_slot;
	static __thread unsigned int slot;

	if (!slot)
		slot = __atomic_add_fetch(&next_slot, 1, __ATOMIC_RELAXED);
	return slot - 1;
}
