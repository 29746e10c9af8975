// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool.ko: module parameters, the registry of live pools, load and
 * unload.
 *
 * Every pool, made by kernel code (kapi.c) or by an open() of
 * /dev/nettypool (device.c), is registered here, numbered, and given a
 * debugfs directory. The parameters are the defaults of every pool's
 * configuration and are validated at load: a bad value refuses the load
 * with -EINVAL and a log line.
 *
 * A CPU going offline has every pool's caches flushed (np_cpu_dead()).
 *
 * Locking: np_pools_lock (a mutex) protects the registry and
 * np_leaked_on_close; it is taken before any pool's locks and never
 * while holding them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"

#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/stringify.h>

static unsigned int np_param_page_size = NP_PAGE_SIZE_DEFAULT;
module_param_named(page_size, np_param_page_size, uint, 0444);
MODULE_PARM_DESC(page_size, "default page size, a power of two in 4096..65536 (8192)");

static unsigned int np_param_max_order = NP_MAX_ORDER_DEFAULT;
module_param_named(max_order, np_param_max_order, uint, 0444);
MODULE_PARM_DESC(max_order, "default depth of a chunk's buddy tree, 0..14 (9: 4 MiB chunks)");

static unsigned int np_param_n_arenas;
module_param_named(n_arenas, np_param_n_arenas, uint, 0444);
MODULE_PARM_DESC(n_arenas, "default arenas per pool (0: one per online CPU)");

static int np_param_tiny_cache = NP_TINY_CACHE_DEFAULT;
module_param_named(tiny_cache, np_param_tiny_cache, int, 0444);
MODULE_PARM_DESC(tiny_cache, "default cache entries per tiny size class, -1 = off ("
		 __stringify(NP_TINY_CACHE_DEFAULT) ")");

static int np_param_small_cache = NP_SMALL_CACHE_DEFAULT;
module_param_named(small_cache, np_param_small_cache, int, 0444);
MODULE_PARM_DESC(small_cache, "default cache entries per small size class, -1 = off ("
		 __stringify(NP_SMALL_CACHE_DEFAULT) ")");

static int np_param_normal_cache = NP_NORMAL_CACHE_DEFAULT;
module_param_named(normal_cache, np_param_normal_cache, int, 0444);
MODULE_PARM_DESC(normal_cache, "default cache entries per normal size class, -1 = off ("
		 __stringify(NP_NORMAL_CACHE_DEFAULT) ")");

static int np_param_keep_empty_chunks = 1;
module_param_named(keep_empty_chunks, np_param_keep_empty_chunks, int, 0444);
MODULE_PARM_DESC(keep_empty_chunks, "keep one emptied chunk per arena: 1 yes, -1 no (1)");

static unsigned long long np_param_max_pool_bytes;
module_param_named(max_pool_bytes, np_param_max_pool_bytes, ullong, 0444);
MODULE_PARM_DESC(max_pool_bytes, "default byte limit of each pool (0: none)");

static u32 np_param_leak_detection = NP_LEAK_SIMPLE;

static int np_leak_param_set(const char *val, const struct kernel_param *kp)
{
	u32 level = np_leak_level_parse(val);

	if (!level) {
		pr_err("leak_detection '%s' is not disabled, simple, advanced or paranoid\n",
		       val);
		return -EINVAL;
	}
	*(u32 *)kp->arg = level;
	return 0;
}

static int np_leak_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", np_leak_level_name(*(u32 *)kp->arg));
}

static const struct kernel_param_ops np_leak_param_ops = {
	.set = np_leak_param_set,
	.get = np_leak_param_get,
};

module_param_cb(leak_detection, &np_leak_param_ops, &np_param_leak_detection,
		0644);
MODULE_PARM_DESC(leak_detection, "default leak detection of new pools: disabled, simple (1 in 128), advanced, paranoid (simple)");

static u64 np_param_max_total_bytes;
module_param_named(max_total_bytes, np_param_max_total_bytes, ullong, 0444);
MODULE_PARM_DESC(max_total_bytes, "bytes of pages all pools together may hold (0: no limit)");

DEFINE_MUTEX(np_pools_lock);	/* the registry and np_leaked_on_close */
LIST_HEAD(np_pools);
u64 np_leaked_on_close;

static struct np_config np_default_config;
static unsigned int np_next_pool_id;

/**
 * np_pool_new() - create and register a pool
 * @cfg: requested configuration; resolved in place against the module's
 *	defaults.
 * @name: who asks, for debugfs and log lines.
 * @ops: region hooks of the owner, or NULL.
 * @mem_flags: NP_MEM_* flags for its pages.
 * @user: opened from userspace (for the leak detector).
 *
 * Return: the pool, or an ERR_PTR: -EINVAL for a bad configuration,
 * -ENOMEM.
 */
struct np_pool *np_pool_new(struct np_config *cfg, const char *name,
			    const struct np_core_ops *ops,
			    unsigned int mem_flags, bool user)
{
	struct np_config defaults = np_default_config;
	struct np_pool *pool;
	int ret;

	defaults.leak_detection = READ_ONCE(np_param_leak_detection);
	ret = np_config_resolve(cfg, &defaults);
	if (ret)
		return ERR_PTR(ret);
	pool = kzalloc(sizeof(*pool), mem_flags & NP_MEM_ACCOUNT ?
		       NP_DEV_GFP : GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->core = np_core_create(cfg, ops, pool, mem_flags);
	if (!pool->core) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
	np_leak_init(&pool->leak, cfg->leak_detection, user);
	strscpy(pool->name, name, sizeof(pool->name));
	pool->pid = task_tgid_nr(current);
	get_task_comm(pool->comm, current);

	mutex_lock(&np_pools_lock);
	pool->id = np_next_pool_id++;
	list_add_tail(&pool->node, &np_pools);
	np_debugfs_add_pool(pool);
	mutex_unlock(&np_pools_lock);
	return pool;
}

/**
 * np_pool_release() - unregister and destroy a pool
 * @pool: a pool no one uses any more.
 *
 * Return: the number of buffers that were still allocated; they are
 * reclaimed and added to the module's leaked_on_close. The ones the leak
 * detector tracked are reported with where they were allocated.
 */
u64 np_pool_release(struct np_pool *pool)
{
	u64 leaked;

	mutex_lock(&np_pools_lock);
	np_debugfs_remove_pool(pool);
	list_del(&pool->node);
	mutex_unlock(&np_pools_lock);

	np_leak_report(pool);
	leaked = np_core_destroy(pool->core);
	if (leaked) {
		mutex_lock(&np_pools_lock);
		np_leaked_on_close += leaked;
		mutex_unlock(&np_pools_lock);
		pr_warn_ratelimited("pool %u (%s, pid %d %s): %llu buffers still allocated at close, reclaimed\n",
				    pool->id, pool->name, pool->pid, pool->comm,
				    leaked);
	}
	kfree(pool);
	return leaked;
}

/**
 * np_pool_free_addr() - free a buffer (drop a reference), telling the leak detector
 * @pool: the pool.
 * @addr: the buffer's key.
 *
 * Return: 0, or -EINVAL when no live buffer starts at @addr.
 */
int np_pool_free_addr(struct np_pool *pool, u64 addr)
{
	u64 capacity = 0;
	int ret;

	/* what the event says of the buffer, read before it is gone */
	if (trace_buffer_free_enabled())
		capacity = np_core_usable_size(pool->core, addr);
	ret = np_core_free(pool->core, addr);
	if (ret >= 0)
		np_trace(buffer_free, pool, addr, capacity,
			 np_size_class_names[np_core_size_class(pool->core,
								capacity)],
			 ret);
	if (ret >= 0 && np_leak_enabled(pool))
		np_leak_track_free(&pool->leak, addr, ret);
	return ret < 0 ? ret : 0;
}

/**
 * np_pool_retain_addr() - retain a buffer, telling the leak detector
 * @pool: the pool.
 * @addr: the buffer's key.
 *
 * Return: 0 or the error of np_core_retain().
 */
int np_pool_retain_addr(struct np_pool *pool, u64 addr)
{
	int ret = np_core_retain(pool->core, addr);

	if (!ret && np_leak_enabled(pool))
		np_leak_track_touch(&pool->leak, addr, true);
	return ret;
}

static enum cpuhp_state np_cpuhp_state;

/*
 * A CPU went offline: nothing will use its caches until it comes back, so
 * give what they hold back to the arenas. Every pool's caches are flushed
 * whole (the dead CPU's among them): offlining is rare, and a flush of a
 * live CPU's cache only costs it a few refills.
 */
static int np_cpu_dead(unsigned int cpu)
{
	struct np_pool *pool;

	mutex_lock(&np_pools_lock);
	list_for_each_entry(pool, &np_pools, node)
		np_core_flush_caches(pool->core);
	mutex_unlock(&np_pools_lock);
	return 0;
}

static int __init np_init(void)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = np_param_page_size,
		.max_order = np_param_max_order,
		.n_arenas = np_param_n_arenas,
		.tiny_cache = np_param_tiny_cache,
		.small_cache = np_param_small_cache,
		.normal_cache = np_param_normal_cache,
		.keep_empty_chunks = np_param_keep_empty_chunks,
		.max_bytes = np_param_max_pool_bytes,
		.leak_detection = np_param_leak_detection,
	};
	int ret;

	ret = np_config_resolve(&cfg, NULL);
	if (ret) {
		pr_err("invalid module parameters, not loading\n");
		return ret;
	}
	np_default_config = cfg;
	np_mem_set_limit(np_param_max_total_bytes);
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "nettypool:dead",
					NULL, np_cpu_dead);
	if (ret < 0)
		return ret;
	np_cpuhp_state = ret;
	np_debugfs_init();
	ret = np_device_init();
	if (ret) {
		np_debugfs_exit();
		cpuhp_remove_state_nocalls(np_cpuhp_state);
		return ret;
	}
	pr_info("loaded: page_size %u, max_order %u, chunk %llu bytes\n",
		cfg.page_size, cfg.max_order,
		(unsigned long long)cfg.page_size << cfg.max_order);
	return 0;
}

static void __exit np_exit(void)
{
	np_device_exit();
	np_debugfs_exit();
	cpuhp_remove_state_nocalls(np_cpuhp_state);
	WARN_ON(!list_empty(&np_pools));
	WARN_ON(np_mem_total_bytes());
}

module_init(np_init);
module_exit(np_exit);

MODULE_DESCRIPTION("Netty's pooled buffer allocator over alloc_pages()");
MODULE_LICENSE("GPL");
MODULE_VERSION(NP_VERSION);
