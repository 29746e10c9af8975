// SPDX-License-Identifier: GPL-2.0
/*
 * The leak detector, with Netty's levels (ResourceLeakDetector):
 *
 *   disabled  nothing is tracked: one predictable branch per call;
 *   simple    one allocation in 128, picked at random, is tracked: its
 *             allocation stack is recorded;
 *   advanced  the same sampling, plus up to 4 records of the retains and
 *             frees the buffer goes through;
 *   paranoid  every allocation is tracked, with records.
 *
 * Sampling is random per allocation, as in Netty 4.1 (not every 128th):
 * a leak that repeats is found soon, a single one maybe never below
 * paranoid. When a tracked buffer already holds 4 records, a new one
 * replaces the newest with probability 1 - 2^-(n - 4), n the number of
 * records offered so far (Netty's back-off), else it pushes the oldest
 * but the first out: the first and the latest touches are what a hunt
 * needs.
 *
 * Kernel pools record stack traces. Pools opened from userspace record
 * the process and the caller's tag (struct np_alloc.tag) instead, since
 * the kernel stack of an ioctl says nothing about the caller.
 *
 * A buffer still tracked when its pool is destroyed or its file closed is
 * reported once, rate-limited, as "LEAK: ...". The debugfs file "leaks"
 * lists the buffers tracked right now, the suspects.
 *
 * Locking: pool->leak.lock, a spinlock taken with bottom halves off,
 * protects a pool's records; it nests inside np_pools_lock and is never
 * held while taking any allocator lock.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"
#include "np_debugfs_text.h"
#include "np_tables.h"

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/string.h>

#define NP_LEAK_SAMPLE		128
#define NP_LEAK_RECORDS		4

/**
 * np_leak_level_name() - the name of a level
 * @level: NP_LEAK_DISABLED .. NP_LEAK_PARANOID.
 *
 * Return: "disabled", "simple", "advanced" or "paranoid".
 */
const char *np_leak_level_name(u32 level)
{
	if (level < NP_LEAK_DISABLED || level > NP_LEAK_PARANOID)
		return "?";
	return np_leak_level_names[level];
}

/**
 * np_leak_level_parse() - a level from its name
 * @name: "disabled", "simple", "advanced" or "paranoid".
 *
 * Return: the level, or 0 when @name is none of them.
 */
u32 np_leak_level_parse(const char *name)
{
	u32 level;

	for (level = NP_LEAK_DISABLED; level <= NP_LEAK_PARANOID; level++)
		if (sysfs_streq(name, np_leak_level_names[level]))
			return level;
	return 0;
}

struct np_leak_trace {
	unsigned int nr;
	unsigned long entries[NP_LEAK_DEPTH];
};

struct np_leak_touch {
	bool retain;
	struct np_leak_trace trace;
};

/**
 * struct np_leak_record - one tracked buffer
 * @node: link in the pool's table.
 * @addr: the buffer's key.
 * @capacity: its normalised size.
 * @tag: the caller's tag (userspace pools).
 * @when: jiffies at allocation.
 * @pid: the allocating process.
 * @comm: its name.
 * @alloc: the allocation stack (kernel pools).
 * @offered: retains and frees seen, recorded or not.
 * @nr_touches: entries in @touches.
 * @touches: the records kept (advanced, paranoid).
 */
struct np_leak_record {
	struct hlist_node node;
	u64 addr;
	u64 capacity;
	u64 tag;
	unsigned long when;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct np_leak_trace alloc;
	unsigned int offered;
	unsigned int nr_touches;
	struct np_leak_touch touches[NP_LEAK_RECORDS];
};

static __always_inline void np_leak_save(struct np_leak *leak,
					 struct np_leak_trace *trace)
{
	trace->nr = leak->user ? 0 : stack_trace_save(trace->entries,
						       NP_LEAK_DEPTH, 1);
}

/**
 * np_leak_init() - set up a pool's leak detector
 * @leak: the pool's detector.
 * @level: NP_LEAK_DISABLED .. NP_LEAK_PARANOID.
 * @user: the pool was opened from userspace.
 */
void np_leak_init(struct np_leak *leak, u32 level, bool user)
{
	spin_lock_init(&leak->lock);
	hash_init(leak->records);
	leak->level = level;
	leak->user = user;
	leak->nr = 0;
}

static struct np_leak_record *np_leak_find(struct np_leak *leak, u64 addr)
{
	struct np_leak_record *rec;

	hash_for_each_possible(leak->records, rec, node, addr)
		if (rec->addr == addr)
			return rec;
	return NULL;
}

/**
 * np_leak_track_alloc() - maybe track a new buffer
 * @leak: the pool's detector, enabled.
 * @addr: the buffer.
 * @capacity: its normalised size.
 * @tag: the caller's tag.
 * @gfp: how the record may be allocated; no record, no tracking.
 */
void np_leak_track_alloc(struct np_leak *leak, u64 addr, u64 capacity,
			 u64 tag, gfp_t gfp)
{
	struct np_leak_record *rec;

	if (leak->level < NP_LEAK_PARANOID &&
	    get_random_u32() % NP_LEAK_SAMPLE)
		return;
	rec = kzalloc(sizeof(*rec), (gfp & ~__GFP_ZERO) | __GFP_NOWARN);
	if (!rec)
		return;
	rec->addr = addr;
	rec->capacity = capacity;
	rec->tag = tag;
	rec->when = jiffies;
	/*
	 * In softirq, current is whoever was interrupted, and its task_lock
	 * (taken by get_task_comm()) may be held by it: record the context.
	 */
	if (in_task()) {
		rec->pid = task_tgid_nr(current);
		get_task_comm(rec->comm, current);
	} else {
		strscpy(rec->comm, in_serving_softirq() ? "<softirq>" : "<irq>",
			sizeof(rec->comm));
	}
	np_leak_save(leak, &rec->alloc);

	spin_lock_bh(&leak->lock);
	hash_add(leak->records, &rec->node, addr);
	leak->nr++;
	spin_unlock_bh(&leak->lock);
}

/**
 * np_leak_track_free() - a free dropped a reference of a buffer
 * @leak: the pool's detector, enabled.
 * @addr: the buffer.
 * @freed: the buffer is gone: stop tracking it.
 */
void np_leak_track_free(struct np_leak *leak, u64 addr, bool freed)
{
	struct np_leak_record *rec;

	if (!freed) {
		np_leak_track_touch(leak, addr, false);
		return;
	}
	spin_lock_bh(&leak->lock);
	rec = np_leak_find(leak, addr);
	if (rec) {
		hash_del(&rec->node);
		leak->nr--;
	}
	spin_unlock_bh(&leak->lock);
	kfree(rec);
}

/**
 * np_leak_track_touch() - record a retain or a free of a tracked buffer
 * @leak: the pool's detector, enabled.
 * @addr: the buffer.
 * @retain: a retain, else a free that left references.
 *
 * Only advanced and paranoid keep records.
 */
void np_leak_track_touch(struct np_leak *leak, u64 addr, bool retain)
{
	struct np_leak_touch touch = { .retain = retain };
	struct np_leak_record *rec;
	unsigned int slot, backoff;

	if (leak->level < NP_LEAK_ADVANCED)
		return;
	np_leak_save(leak, &touch.trace);
	spin_lock_bh(&leak->lock);
	rec = np_leak_find(leak, addr);
	if (rec) {
		rec->offered++;
		if (rec->nr_touches < NP_LEAK_RECORDS) {
			slot = rec->nr_touches++;
		} else {
			backoff = min(rec->offered - NP_LEAK_RECORDS, 30U);
			slot = NP_LEAK_RECORDS - 1;
			if (!(get_random_u32() & ((1U << backoff) - 1)))
				memmove(&rec->touches[1], &rec->touches[2],
					(NP_LEAK_RECORDS - 2) *
					sizeof(rec->touches[0]));
		}
		rec->touches[slot] = touch;
	}
	spin_unlock_bh(&leak->lock);
}

/* Frame i of a trace, or NULL past its end (printed as 0x0 by %pS). */
static void *np_leak_frame(const struct np_leak_trace *trace, unsigned int i)
{
	return i < trace->nr ? (void *)trace->entries[i] : NULL;
}

static void np_leak_print_trace(struct seq_file *m,
				const struct np_leak_trace *trace)
{
	unsigned int i;

	for (i = 0; i < trace->nr; i++)
		seq_printf(m, NP_LEAKS_FRAME "%pS\n",
			   (void *)trace->entries[i]);
}

static void np_leak_print(struct seq_file *m, unsigned int pool_id,
			  struct np_leak *leak,
			  const struct np_leak_record *rec)
{
	unsigned int i;

	seq_printf(m,
		   NP_LEAKS_HEAD("%s", NP_TEXT_PRINT_HEX, NP_TEXT_PRINT_HEX) "%s\n",
		   pool_id, leak->user ? "user" : "kernel", rec->addr,
		   rec->capacity, jiffies_to_msecs(jiffies - rec->when),
		   rec->tag, rec->pid, rec->comm);
	if (rec->alloc.nr) {
		seq_puts(m, NP_LEAKS_ALLOCATED);
		np_leak_print_trace(m, &rec->alloc);
	}
	for (i = 0; i < rec->nr_touches; i++) {
		seq_printf(m, NP_LEAKS_RECORD("%s"),
			   rec->touches[i].retain ? "retained" : "released",
			   i + 1);
		np_leak_print_trace(m, &rec->touches[i].trace);
	}
	seq_putc(m, '\n');
}

/**
 * np_leak_show() - list the buffers a pool tracks, for debugfs
 * @m: the file.
 * @pool: the pool; np_pools_lock held.
 */
void np_leak_show(struct seq_file *m, struct np_pool *pool)
{
	struct np_leak *leak = &pool->leak;
	struct np_leak_record *rec;
	unsigned int bkt;

	spin_lock_bh(&leak->lock);
	hash_for_each(leak->records, bkt, rec, node)
		np_leak_print(m, pool->id, leak, rec);
	spin_unlock_bh(&leak->lock);
}

/**
 * np_leak_report() - report and forget every buffer still tracked
 * @pool: a pool being destroyed; no one else uses it.
 *
 * Each one is reported once, rate-limited, with where it was allocated.
 *
 * Return: how many there were.
 */
u64 np_leak_report(struct np_pool *pool)
{
	struct np_leak *leak = &pool->leak;
	struct np_leak_record *rec;
	struct hlist_node *tmp;
	unsigned int bkt, i;
	u64 n = 0;

	hash_for_each_safe(leak->records, bkt, tmp, rec, node) {
		np_trace(leak_report, pool, rec->addr, rec->capacity, rec->pid,
			 rec->comm, rec->tag,
			 (unsigned long)np_leak_frame(&rec->alloc, 0));
		if (leak->user)
			pr_warn_ratelimited("LEAK: buffer %#llx (%llu bytes) of pool %u was not freed: allocated by pid %d (%s), tag %#llx\n",
					    rec->addr, rec->capacity, pool->id,
					    rec->pid, rec->comm, rec->tag);
		else
			pr_warn_ratelimited("LEAK: buffer %#llx (%llu bytes) of pool %u (%s) was not freed; allocated at: %pS <- %pS <- %pS\n",
					    rec->addr, rec->capacity, pool->id,
					    pool->name,
					    np_leak_frame(&rec->alloc, 0),
					    np_leak_frame(&rec->alloc, 1),
					    np_leak_frame(&rec->alloc, 2));
		for (i = 0; i < rec->nr_touches; i++)
			pr_warn_ratelimited("LEAK:   %s at %pS\n",
					    rec->touches[i].retain ? "retained" : "released",
					    np_leak_frame(&rec->touches[i].trace, 0));
		hash_del(&rec->node);
		kfree(rec);
		n++;
	}
	leak->nr = 0;
	return n;
}
