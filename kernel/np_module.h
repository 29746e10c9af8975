/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel-side files of nettypool.ko share: the module's
 * parameters, the registry of live pools, and the entry points of the
 * device and debugfs files.
 */
#ifndef NP_MODULE_H
#define NP_MODULE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "np_core.h"
#include "np_kapi.h"

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
 * @grave_lock: protects @grave.
 * @grave: kernel pools: regions to release from @grave_work.
 * @grave_work: releases regions freed where sleeping is not allowed.
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
	spinlock_t grave_lock;	/* protects grave */
	struct np_region *grave;
	struct work_struct grave_work;
};

/* module.c */
extern u64 np_param_max_total_bytes;
extern struct mutex np_pools_lock;
extern struct list_head np_pools;
extern u64 np_leaked_on_close;

struct np_pool *np_pool_new(struct np_config *cfg, const char *name,
			    const struct np_core_ops *ops,
			    unsigned int mem_flags);
u64 np_pool_release(struct np_pool *pool);

/* backing.c */
u64 np_backing_total_bytes(void);

/* device.c */
int np_device_init(void);
void np_device_exit(void);

/* debugfs.c */
void np_debugfs_init(void);
void np_debugfs_exit(void);
void np_debugfs_add_pool(struct np_pool *pool);
void np_debugfs_remove_pool(struct np_pool *pool);

#endif /* NP_MODULE_H */
