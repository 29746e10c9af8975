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
#include <sched.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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
	static NP_THREAD_LOCAL unsigned int slot;

	if (!slot)
		slot = __atomic_add_fetch(&next_slot, 1, __ATOMIC_RELAXED);
	return slot - 1;
}

/*
 * Slots (see np_env_user.h). Every slot is on two lists: its set's (for
 * np_slots_for_each() and np_slots_fini()) and its thread's (the first
 * entry is the one np_slots_this() tries without any lock). One mutex for
 * the whole library guards the set lists and the detaching of slots; it
 * is taken only to create a slot, at thread exit, and to walk a set, never
 * on the fast path. A set's id is never reused, so a slot whose set was
 * finished (set == NULL) cannot be mistaken for a new set's.
 */
NP_THREAD_LOCAL struct np_slot *np_thread_slots;

static pthread_mutex_t np_slots_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t np_slots_key;
static pthread_once_t np_slots_once = PTHREAD_ONCE_INIT;
static unsigned long np_slots_next_id;

static void np_slots_unlink(struct np_slot *slot)
{
	struct np_slots *set = slot->set;

	if (slot->prev_in_set)
		slot->prev_in_set->next_in_set = slot->next_in_set;
	else
		set->head = slot->next_in_set;
	if (slot->next_in_set)
		slot->next_in_set->prev_in_set = slot->prev_in_set;
	slot->set = NULL;
}

/* Thread exit: flush and free every slot of the thread. */
static void np_slots_thread_exit(void *unused)
{
	struct np_slot *slot, *next;

	(void)unused;
	pthread_mutex_lock(&np_slots_mutex);
	for (slot = np_thread_slots; slot; slot = next) {
		next = slot->next_in_thread;
		if (slot->set) {
			slot->set->flush(slot->data, slot->set->arg);
			np_slots_unlink(slot);
		}
		free(slot);
	}
	np_thread_slots = NULL;
	pthread_mutex_unlock(&np_slots_mutex);
}

static void np_slots_make_key(void)
{
	if (pthread_key_create(&np_slots_key, np_slots_thread_exit))
		np_err("no thread key: thread caches are never flushed at thread exit\n");
}

int np_slots_init(struct np_slots *set, size_t size,
		  void (*init)(void *slot, void *arg),
		  void (*flush)(void *slot, void *arg), void *arg, gfp_t gfp)
{
	(void)gfp;
	pthread_once(&np_slots_once, np_slots_make_key);
	memset(set, 0, sizeof(*set));
	set->id = __atomic_add_fetch(&np_slots_next_id, 1, __ATOMIC_RELAXED);
	set->size = size;
	set->init = init;
	set->flush = flush;
	set->arg = arg;
	return 0;
}

void *np_slots_this_slow(struct np_slots *set)
{
	struct np_slot **link = &np_thread_slots;
	struct np_slot *slot;

	pthread_mutex_lock(&np_slots_mutex);
	while ((slot = *link)) {
		if (slot->id == set->id) {
			*link = slot->next_in_thread;
			break;
		}
		if (!slot->set) {	/* its set is gone: reclaim it */
			*link = slot->next_in_thread;
			free(slot);
			continue;
		}
		link = &slot->next_in_thread;
	}
	if (!slot) {
		slot = aligned_alloc(64, np_align_up(sizeof(*slot) + set->size,
						     64));
		if (!slot) {
			pthread_mutex_unlock(&np_slots_mutex);
			return NULL;
		}
		memset(slot, 0, sizeof(*slot) + set->size);
		slot->id = set->id;
		slot->set = set;
		slot->next_in_set = set->head;
		if (set->head)
			set->head->prev_in_set = slot;
		set->head = slot;
		set->init(slot->data, set->arg);
		/* any non-NULL value makes the destructor run at exit */
		pthread_setspecific(np_slots_key, slot);
	}
	slot->next_in_thread = np_thread_slots;
	np_thread_slots = slot;
	pthread_mutex_unlock(&np_slots_mutex);
	return slot->data;
}

void np_slots_for_each(struct np_slots *set,
		       void (*fn)(void *slot, void *arg), void *arg)
{
	struct np_slot *slot;

	pthread_mutex_lock(&np_slots_mutex);
	for (slot = set->head; slot; slot = slot->next_in_set)
		fn(slot->data, arg);
	pthread_mutex_unlock(&np_slots_mutex);
}

void np_slots_fini(struct np_slots *set)
{
	pthread_mutex_lock(&np_slots_mutex);
	while (set->head) {
		set->flush(set->head->data, set->arg);
		np_slots_unlink(set->head);
	}
	pthread_mutex_unlock(&np_slots_mutex);
}

/*
 * fork(): the slots mutex is held across it, so that no list is half
 * changed in the child, which then makes it anew; the child's only
 * thread is the one that forked.
 */
void np_slots_fork_prepare(void)
{
	pthread_mutex_lock(&np_slots_mutex);
}

void np_slots_fork_parent(void)
{
	pthread_mutex_unlock(&np_slots_mutex);
}

void np_slots_fork_child(void)
{
	pthread_mutex_init(&np_slots_mutex, NULL);
}

void np_slots_for_each_held(struct np_slots *set,
			    void (*fn)(void *slot, void *arg), void *arg)
{
	struct np_slot *slot;

	for (slot = set->head; slot; slot = slot->next_in_set)
		fn(slot->data, arg);
}

static bool np_slot_is_mine(const struct np_slot *slot)
{
	const struct np_slot *mine;

	for (mine = np_thread_slots; mine; mine = mine->next_in_thread)
		if (mine == slot)
			return true;
	return false;
}

void np_slots_drop_others(struct np_slots *set)
{
	struct np_slot *slot, *next;

	pthread_mutex_lock(&np_slots_mutex);
	for (slot = set->head; slot; slot = next) {
		next = slot->next_in_set;
		if (np_slot_is_mine(slot))
			continue;
		set->flush(slot->data, set->arg);
		np_slots_unlink(slot);
		free(slot);
	}
	pthread_mutex_unlock(&np_slots_mutex);
}

/* One round of waiting for a lock word: a pause, or a yield now and then. */
static void np_lock_relax(unsigned int *spins)
{
	if (++*spins % 64 == 0)
		sched_yield();
#if defined(__x86_64__) || defined(__i386__)
	else
		__builtin_ia32_pause();
#endif
}

/* np_lock() found the lock taken: spin on reads until it looks free. */
void np_lock_wait(struct np_lock *l)
{
	unsigned int spins = 0;

	do {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			np_lock_relax(&spins);
	} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
}

bool np_asym_fenced;
static pthread_once_t np_asym_once = PTHREAD_ONCE_INIT;

/* Without membarrier(), owners fence for themselves. */
static void np_asym_setup(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		    0, 0))
		np_asym_fenced = true;
}

/* The visitor's side of the owner lock's barrier pair. */
static void np_asym_barrier(void)
{
	if (np_asym_fenced ||
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void np_owner_lock_init(struct np_owner_lock *l)
{
	pthread_once(&np_asym_once, np_asym_setup);
	l->busy = 0;
	l->visitors = 0;
	l->owner_locked = 0;
	np_lock_init(&l->lock);
}

/* The owner met a visitor: step out, and come in as a visitor would. */
void np_owner_lock_slow(struct np_owner_lock *l)
{
	__atomic_store_n(&l->busy, 0, __ATOMIC_RELEASE);
	np_lock(&l->lock);
	l->owner_locked = 1;
}

void np_visit_lock(struct np_owner_lock *l)
{
	unsigned int spins = 0;

	np_lock(&l->lock);
	__atomic_store_n(&l->visitors, 1, NP_OWNER_ORDER);
	np_asym_barrier();
	while (__atomic_load_n(&l->busy, __ATOMIC_ACQUIRE))
		np_lock_relax(&spins);
}

void np_visit_unlock(struct np_owner_lock *l)
{
	__atomic_store_n(&l->visitors, 0, __ATOMIC_RELEASE);
	np_unlock(&l->lock);
}

NP_THREAD_LOCAL unsigned int np_rw_slot_of_thread;
static unsigned int np_rw_next_slot;

/* Threads take the reader slots in turn: 1, 2, ... NP_RW_SLOTS, 1, ... */
unsigned int np_rw_slot_assign(void)
{
	return __atomic_fetch_add(&np_rw_next_slot, 1, __ATOMIC_RELAXED) %
	       NP_RW_SLOTS + 1;
}

/* A reader that met a writer: step out, wait for it, count in again. */
void np_read_lock_wait(struct np_rwlock *l, struct np_rw_slot *slot)
{
	unsigned int spins = 0;

	do {
		__atomic_sub_fetch(&slot->readers, 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&l->writer, __ATOMIC_RELAXED))
			np_lock_relax(&spins);
		__atomic_add_fetch(&slot->readers, 1, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&l->writer, __ATOMIC_SEQ_CST));
}

/* Raise the writer flag, then wait for every reader inside to leave. */
void np_write_lock(struct np_rwlock *l)
{
	unsigned int spins = 0, i;

	while (__atomic_exchange_n(&l->writer, 1, __ATOMIC_SEQ_CST))
		np_lock_relax(&spins);
	for (i = 0; i < NP_RW_SLOTS; i++)
		while (__atomic_load_n(&l->slots[i].readers, __ATOMIC_SEQ_CST))
			np_lock_relax(&spins);
}
