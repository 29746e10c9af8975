/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel-side files of nettypool.ko share: the module's
 * parameters, the registry of live pools, and the entry points of the
 * device and debugfs files.
 */
#ifndef NP_MODULE_H
#define NP_MODULE_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>

#include "np_core.h"
#include "np_kapi.h"
#include "np_tables.h"

/*
 * What a device pool's own memory is allocated with: charged to the
 * opener's memory cgroup like its pages, and when the group is full the
 * call fails with -ENOMEM instead of waking the group's OOM killer.
 */
#define NP_DEV_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

#define NP_LEAK_DEPTH	16	/* frames kept of a stack */
#define NP_LEAK_BITS	8	/* log2 of the buckets of a pool's records */

/**
 * struct np_leak - a pool's leak detector (leak.c)
 * @lock: protects @records and @nr.
 * @records: the buffers tracked, by address.
 * @nr: how many.
 * @level: NP_LEAK_DISABLED .. NP_LEAK_PARANOID.
 * @user: a pool opened from userspace: record processes and tags, not
 *	kernel stacks.
 */
struct np_leak {
	spinlock_t lock;	/* protects records and nr */
	DECLARE_HASHTABLE(records, NP_LEAK_BITS);
	u64 nr;
	u32 level;
	bool user;
};

/**
 * struct np_pool - a pool as the module knows it
 * @core: the allocator.
 * @node: link in np_pools.
 * @id: unique number, the name of its debugfs directory.
 * @name: who made it: the creator's name, or "user" for device pools.
 * @pid: the process that made it.
 * @comm: that process's name.
 * @debugfs: its debugfs directory.
 * @mapping: device pools: the address space user mappings live in.
 * @map_sem: device pools: held for read by a fault while it maps a page,
 *	for write while a released region's mappings are zapped, so that no
 *	fault can map a page of a region after its zap.
 * @retired_lock: protects @retired.
 * @retired: kernel pools: retired regions to release from @release_work.
 * @release_work: releases regions retired where sleeping is not allowed.
 * @locked_user: device pools: the user whose RLIMIT_MEMLOCK the pages are
 *	charged to (user->locked_vm), NULL when the opener had
 *	CAP_IPC_LOCK; its reference is held by the open file.
 * @leak: the leak detector.
 */
struct np_pool {
	struct np_core *core;
	struct list_head node;
	unsigned int id;
	char name[32];
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct dentry *debugfs;
	struct address_space *mapping;
	struct rw_semaphore map_sem;
	spinlock_t retired_lock;	/* protects retired */
	struct np_region *retired;
	struct work_struct release_work;
	struct user_struct *locked_user;
	struct np_leak leak;
};

/* The one branch the leak detector costs when it is disabled. */
static inline bool np_leak_enabled(const struct np_pool *pool)
{
	return unlikely(pool->leak.level > NP_LEAK_DISABLED);
}

/* Trace nettypool:buffer_alloc of a buffer np_core_alloc() just made. */
static inline void np_trace_alloc(struct np_pool *pool, u64 size,
				  const struct np_buf *buf)
{
	np_trace(buffer_alloc, pool, buf->addr, size, buf->capacity,
		 np_size_class_names[np_core_size_class(pool->core,
							buf->capacity)],
		 buf->cached);
}

/* module.c */
extern struct mutex np_pools_lock;
extern struct list_head np_pools;
extern u64 np_leaked_on_close;

struct np_pool *np_pool_new(struct np_config *cfg, const char *name,
			    const struct np_core_ops *ops,
			    unsigned int mem_flags, bool user);
u64 np_pool_release(struct np_pool *pool);
int np_pool_free_addr(struct np_pool *pool, u64 addr);
int np_pool_retain_addr(struct np_pool *pool, u64 addr);

/* leak.c */
const char *np_leak_level_name(u32 level);
u32 np_leak_level_parse(const char *name);
void np_leak_init(struct np_leak *leak, u32 level, bool user);
void np_leak_track_alloc(struct np_leak *leak, u64 addr, u64 capacity,
			 u64 tag, gfp_t gfp);
void np_leak_track_free(struct np_leak *leak, u64 addr, bool freed);
void np_leak_track_touch(struct np_leak *leak, u64 addr, bool retain);
void np_leak_show(struct seq_file *m, struct np_pool *pool);
u64 np_leak_report(struct np_pool *pool);

/* device.c */
int np_device_init(void);
void np_device_exit(void);

/* debugfs.c */
void np_debugfs_init(void);
void np_debugfs_exit(void);
void np_debugfs_add_pool(struct np_pool *pool);
void np_debugfs_remove_pool(struct np_pool *pool);

/* layout.c */
void np_layout_add_debugfs(struct np_pool *pool);

#endif /* NP_MODULE_H */
