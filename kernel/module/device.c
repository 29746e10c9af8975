// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nettypool: one private pool per open file, driven by ioctl and
 * mapped by mmap (uapi/linux/nettypool.h has the ABI).
 *
 * Buffers are named by mmap offsets. Every region (chunk or huge buffer)
 * of every pool gets its own range of offsets from one module-wide
 * counter that only grows, so an offset is never reused: no pool can
 * name another pool's region (each pool resolves offsets in its own
 * region map only), and a mapping that outlives its region can never
 * reach a later one. When a region is released its user mappings are
 * zapped (unmap_mapping_range) before its pages go back, so touching it
 * afterwards faults, finds no region, and gets SIGBUS.
 *
 * Pages are mapped lazily by the fault handler with vmf_insert_page(),
 * which takes a reference on the page it maps; remap_pfn_range is never
 * used, so the pages stay ordinary refcounted pages. The handler maps
 * under pool->map_sem (read) and the zap of a released region takes it
 * for write: a fault that found the region before it left the map has
 * installed its entry before the zap runs, and one that starts after
 * finds nothing and raises SIGBUS. Mappings must be
 * MAP_SHARED, do not grow (VM_DONTEXPAND), are left out of core dumps
 * (VM_DONTDUMP) and are not inherited by fork (VM_DONTCOPY). A mapping
 * holds a reference to its file, so release() runs only when no mapping
 * is left; it reclaims every buffer still allocated, counts them in
 * leaked_on_close and says so, rate-limited, in the kernel log.
 *
 * Locking: np_file.lock (a mutex) serialises NP_IOC_CONFIGURE, which
 * replaces the pool, against everything else until the pool's first
 * allocation "freezes" it; after that the pool never changes and the
 * ioctls run without it, under the pool's own locks (core.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include "np_module.h"

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define NP_BATCH_MAX	65536
#define NP_BATCH_SLICE	64

/**
 * struct np_file - an open /dev/nettypool
 * @lock: serialises configuration against use until @frozen.
 * @frozen: the pool has allocated; its configuration is final.
 * @pool: the file's pool.
 * @mapping: the address space of the device node, where mappings live.
 * @locked_user: the opener, whose RLIMIT_MEMLOCK the pools' pages count
 *	against; NULL when it had CAP_IPC_LOCK.
 */
struct np_file {
	struct mutex lock;	/* configuration against use, until frozen */
	bool frozen;
	struct np_pool *pool;
	struct address_space *mapping;
	struct user_struct *locked_user;
};

/* Offsets start at 1 MiB, so that an offset of 0 is never a buffer. */
static atomic64_t np_next_offset = ATOMIC64_INIT(SZ_1M);

/*
 * A device pool's pages cannot be swapped or reclaimed while the pool
 * holds them: they count against the opener's RLIMIT_MEMLOCK, in
 * user->locked_vm as io_uring's registered buffers and AF_XDP's umems
 * do, unless the opener has CAP_IPC_LOCK. The limit is the one of the
 * task that allocates.
 */
static int np_dev_charge_locked(struct user_struct *user, u64 size)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long nr_pages = size >> PAGE_SHIFT, cur, new;

	cur = atomic_long_read(&user->locked_vm);
	do {
		new = cur + nr_pages;
		if (new < cur || new > limit) {
			pr_warn_ratelimited("pid %d: %llu more bytes would pass RLIMIT_MEMLOCK (%lu bytes)\n",
					    task_pid_nr(current), size,
					    limit << PAGE_SHIFT);
			return -ENOMEM;
		}
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, new));
	return 0;
}

static int np_dev_region_init(void *priv, struct np_region *region)
{
	struct np_pool *pool = priv;

	if (pool->locked_user &&
	    np_dev_charge_locked(pool->locked_user, region->size))
		return -ENOMEM;
	region->key = atomic64_fetch_add(PAGE_ALIGN(region->size),
					 &np_next_offset);
	return 0;
}

static void np_dev_region_fini(void *priv, struct np_region *region)
{
	struct np_pool *pool = priv;

	down_write(&pool->map_sem);
	unmap_mapping_range(pool->mapping, region->key, region->size, 1);
	up_write(&pool->map_sem);
	if (pool->locked_user)
		atomic_long_sub(region->size >> PAGE_SHIFT,
				&pool->locked_user->locked_vm);
}

static const struct np_core_ops np_dev_core_ops = {
	.region_init = np_dev_region_init,
	.region_fini = np_dev_region_fini,
};

static struct np_pool *np_dev_new_pool(struct np_file *fp,
				       struct np_config *cfg)
{
	struct np_pool *pool;

	pool = np_pool_new(cfg, "user", &np_dev_core_ops, NP_MEM_ACCOUNT, true);
	if (!IS_ERR(pool)) {
		pool->mapping = fp->mapping;
		pool->locked_user = fp->locked_user;
		init_rwsem(&pool->map_sem);
	}
	return pool;
}

/*
 * The pool, stable until np_file_put(): a frozen pool needs no lock, an
 * unfrozen one is held by the mutex (*locked tells which).
 */
static struct np_pool *np_file_get(struct np_file *fp, bool *locked)
{
	*locked = false;
	/* pairs with the release in np_file_put(): the pool is published */
	if (smp_load_acquire(&fp->frozen))
		return fp->pool;
	mutex_lock(&fp->lock);
	*locked = true;
	return fp->pool;
}

/* Done with the pool; @allocated freezes its configuration. */
static void np_file_put(struct np_file *fp, bool locked, bool allocated)
{
	if (!locked)
		return;
	if (allocated)
		smp_store_release(&fp->frozen, true); /* pairs with the acquire */
	mutex_unlock(&fp->lock);
}

static int np_dev_open(struct inode *inode, struct file *file)
{
	struct np_config cfg = { 0 };
	struct np_file *fp;

	fp = kzalloc(sizeof(*fp), NP_DEV_GFP);
	if (!fp)
		return -ENOMEM;
	mutex_init(&fp->lock);
	fp->mapping = file->f_mapping;
	if (!capable(CAP_IPC_LOCK))
		fp->locked_user = get_uid(current_user());
	fp->pool = np_dev_new_pool(fp, &cfg);
	if (IS_ERR(fp->pool)) {
		int ret = PTR_ERR(fp->pool);

		if (fp->locked_user)
			free_uid(fp->locked_user);
		kfree(fp);
		return ret;
	}
	file->private_data = fp;
	return 0;
}

static int np_dev_release(struct inode *inode, struct file *file)
{
	struct np_file *fp = file->private_data;

	np_pool_release(fp->pool);
	if (fp->locked_user)
		free_uid(fp->locked_user);
	mutex_destroy(&fp->lock);
	kfree(fp);
	return 0;
}

static long np_ioc_configure(struct np_file *fp, void __user *uarg)
{
	struct np_pool *pool, *old;
	struct np_config cfg;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	/*
	 * Beyond simple, the detector keeps a record (stacks, tags) of many
	 * or all buffers: unreclaimable memory no pool limit counts, so it
	 * is for an administrator to ask for.
	 */
	if (cfg.leak_detection > NP_LEAK_SIMPLE && !capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("leak_detection %u needs CAP_SYS_ADMIN (pid %d)\n",
				    cfg.leak_detection, task_pid_nr(current));
		return -EPERM;
	}
	mutex_lock(&fp->lock);
	if (fp->frozen) {
		mutex_unlock(&fp->lock);
		return -EBUSY;
	}
	pool = np_dev_new_pool(fp, &cfg);
	if (IS_ERR(pool)) {
		mutex_unlock(&fp->lock);
		return PTR_ERR(pool);
	}
	old = fp->pool;
	fp->pool = pool;
	mutex_unlock(&fp->lock);
	np_pool_release(old);
	return copy_to_user(uarg, &cfg, sizeof(cfg)) ? -EFAULT : 0;
}

/*
 * Zero *len bytes of a region from pos. np_core_with_region() holds the
 * region in place, so a racing free of the same offset by another thread
 * cannot release the pages under us.
 */
static int np_dev_zero_region(void *len, struct np_region *region, u64 pos)
{
	u64 end = pos + *(u64 *)len;

	while (pos < end) {
		u64 in_page = pos & ~PAGE_MASK;
		u64 n = min_t(u64, PAGE_SIZE - in_page, end - pos);

		memzero_page(region->mem.pages[pos >> PAGE_SHIFT], in_page, n);
		pos += n;
	}
	return 0;
}

/* Zero a buffer that may come from a recycled chunk. */
static void np_dev_zero(struct np_core *core, u64 offset, u64 len)
{
	np_core_with_region(core, offset, np_dev_zero_region, &len);
}

static int np_dev_alloc(struct np_pool *pool, u64 size, u32 flags, u64 tag,
			struct np_buf *buf)
{
	int ret = np_core_alloc(pool->core, size, GFP_KERNEL, buf);

	if (ret)
		return ret;
	np_trace_alloc(pool, size, buf);
	/* a huge buffer has pages of its own, fresh and zeroed already */
	if ((flags & NP_ALLOC_ZERO) &&
	    np_core_size_class(pool->core, buf->capacity) != NP_SIZE_HUGE)
		np_dev_zero(pool->core, buf->addr, buf->capacity);
	if (np_leak_enabled(pool))
		np_leak_track_alloc(&pool->leak, buf->addr, buf->capacity, tag,
				    NP_DEV_GFP);
	return 0;
}

static long np_ioc_alloc(struct np_file *fp, void __user *uarg)
{
	struct np_pool *pool;
	struct np_alloc req;
	struct np_buf buf;
	bool locked;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~NP_ALLOC_FLAGS_ALL) || req.pad || req.reserved)
		return -EINVAL;
	pool = np_file_get(fp, &locked);
	ret = np_dev_alloc(pool, req.size, req.flags, req.tag, &buf);
	np_file_put(fp, locked, !ret);
	if (ret)
		return ret;
	req.offset = buf.addr;
	req.capacity = buf.capacity;
	req.region_offset = buf.region_key;
	req.region_size = buf.region_size;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		np_pool_free_addr(pool, buf.addr);
		return -EFAULT;
	}
	return 0;
}

/* NP_IOC_FREE and NP_IOC_RETAIN: one buffer's reference, by its offset. */
static long np_ioc_ref(struct np_file *fp, void __user *uarg,
		       int (*op)(struct np_pool *pool, u64 addr))
{
	struct np_pool *pool;
	struct np_free req;
	bool locked;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;
	pool = np_file_get(fp, &locked);
	ret = op(pool, req.offset);
	np_file_put(fp, locked, false);
	return ret;
}

static long np_ioc_query(struct np_file *fp, void __user *uarg)
{
	struct np_query req;
	struct np_pool *pool;
	bool locked;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved)
		return -EINVAL;
	pool = np_file_get(fp, &locked);
	req.capacity = np_core_usable_size(pool->core, req.offset);
	np_file_put(fp, locked, false);
	if (!req.capacity)
		return -EINVAL;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int np_batch_one(struct np_pool *pool, struct np_batch_op *op)
{
	struct np_buf buf;
	int ret;

	if (op->pad)
		return -EINVAL;
	switch (op->op) {
	case NP_BATCH_ALLOC:
		if (op->flags & ~NP_ALLOC_FLAGS_ALL)
			return -EINVAL;
		ret = np_dev_alloc(pool, op->size, op->flags, 0, &buf);
		if (ret)
			return ret;
		op->offset = buf.addr;
		op->capacity = buf.capacity;
		op->region_offset = buf.region_key;
		op->region_size = buf.region_size;
		return 0;
	case NP_BATCH_FREE:
		if (op->flags)
			return -EINVAL;
		return np_pool_free_addr(pool, op->offset);
	default:
		return -EINVAL;
	}
}

/*
 * Carry out one slice of a batch, copying each result back before the
 * next operation, so that *done counts exactly the operations whose
 * effects stand: a free may release the very region the array lies in,
 * and then the copies fail. An allocation whose result cannot be copied
 * back is undone (the caller could never learn its offset); a free whose
 * result cannot be is done all the same, and counted. An array that
 * cannot be written at all is refused before anything is done.
 */
static int np_batch_slice(struct np_pool *pool, struct np_batch_op *ops,
			  struct np_batch_op __user *uops, u32 n, u32 *done,
			  bool *allocated)
{
	int ret = 0;
	u32 i;

	if (copy_from_user(ops, uops, n * sizeof(*ops)) ||
	    copy_to_user(uops, ops, n * sizeof(*ops)))
		return -EFAULT;
	for (i = 0; i < n && !ret; i++) {
		ret = np_batch_one(pool, &ops[i]);
		ops[i].result = ret;
		if (copy_to_user(&uops[i], &ops[i], sizeof(ops[i]))) {
			if (ret)
				return ret;
			if (ops[i].op == NP_BATCH_ALLOC)
				np_pool_free_addr(pool, ops[i].offset);
			else
				(*done)++;
			return -EFAULT;
		}
		if (!ret) {
			*allocated |= ops[i].op == NP_BATCH_ALLOC;
			(*done)++;
		}
	}
	return ret;
}

static long np_ioc_batch(struct np_file *fp, void __user *uarg)
{
	struct np_batch_op __user *uops;
	bool locked, allocated = false;
	struct np_batch_op *ops;
	struct np_pool *pool;
	struct np_batch req;
	u32 pos, n;
	int ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved || req.count > NP_BATCH_MAX)
		return -EINVAL;
	uops = u64_to_user_ptr(req.ops);
	req.done = 0;
	ops = kmalloc_array(NP_BATCH_SLICE, sizeof(*ops), GFP_KERNEL);
	if (!ops) {
		ret = -ENOMEM;
		goto out;
	}
	pool = np_file_get(fp, &locked);
	for (pos = 0; pos < req.count && !ret; pos += n) {
		n = min_t(u32, req.count - pos, NP_BATCH_SLICE);
		ret = np_batch_slice(pool, ops, uops + pos, n, &req.done,
				     &allocated);
	}
	np_file_put(fp, locked, allocated);
	kfree(ops);
out:
	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return ret;
}

static long np_ioc_stats(struct np_file *fp, void __user *uarg)
{
	struct np_stats st;
	struct np_pool *pool;
	bool locked;

	pool = np_file_get(fp, &locked);
	np_core_stats(pool->core, &st);
	np_file_put(fp, locked, false);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long np_ioc_trim(struct np_file *fp)
{
	struct np_pool *pool;
	bool locked;

	pool = np_file_get(fp, &locked);
	np_core_trim(pool->core);
	np_file_put(fp, locked, false);
	return 0;
}

static long np_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct np_file *fp = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case NP_IOC_CONFIGURE:
		return np_ioc_configure(fp, uarg);
	case NP_IOC_ALLOC:
		return np_ioc_alloc(fp, uarg);
	case NP_IOC_FREE:
		return np_ioc_ref(fp, uarg, np_pool_free_addr);
	case NP_IOC_RETAIN:
		return np_ioc_ref(fp, uarg, np_pool_retain_addr);
	case NP_IOC_BATCH:
		return np_ioc_batch(fp, uarg);
	case NP_IOC_STATS:
		return np_ioc_stats(fp, uarg);
	case NP_IOC_TRIM:
		return np_ioc_trim(fp);
	case NP_IOC_QUERY:
		return np_ioc_query(fp, uarg);
	default:
		return -ENOTTY;
	}
}

/* The page of a region at pos, into *page. */
static int np_dev_region_page(void *page, struct np_region *region, u64 pos)
{
	*(struct page **)page = region->mem.pages[pos >> PAGE_SHIFT];
	return 0;
}

static vm_fault_t np_vm_fault(struct vm_fault *vmf)
{
	struct np_file *fp = vmf->vma->vm_private_data;
	u64 offset = (u64)vmf->pgoff << PAGE_SHIFT;
	struct page *page = NULL;
	struct np_pool *pool;
	vm_fault_t ret;

	if (!fp)	/* a child's copy of the mapping: see np_vm_open() */
		return VM_FAULT_SIGBUS;
	pool = fp->pool;
	down_read(&pool->map_sem);
	np_core_with_region(pool->core, offset, np_dev_region_page, &page);
	/* the region cannot be released before map_sem is dropped */
	ret = page ? vmf_insert_page(vmf->vma, vmf->address, page) :
		     VM_FAULT_SIGBUS;
	up_read(&pool->map_sem);
	return ret;
}

/*
 * A mapping is not inherited by fork(): it is VM_DONTCOPY. But
 * madvise(MADV_DOFORK) clears that flag, and then fork() copies the vma
 * (calling this on the copy, in the child's mm, before the page tables
 * are copied). The copy is made inert: VM_WIPEONFORK keeps fork() from
 * copying the parent's page table entries, and without its file the
 * copy's faults raise SIGBUS. A vma split in its own process (mprotect(),
 * munmap() of a part) stays as it was.
 */
static void np_vm_open(struct vm_area_struct *vma)
{
	if (vma->vm_mm == current->mm)
		return;
	vma->vm_flags |= VM_WIPEONFORK;
	vma->vm_private_data = NULL;
}

static const struct vm_operations_struct np_vm_ops = {
	.open = np_vm_open,
	.fault = np_vm_fault,
};

/* A mapping of *len bytes at pos must start a region and fit in it. */
static int np_dev_region_fits(void *len, struct np_region *region, u64 pos)
{
	return !pos && *(u64 *)len <= region->size ? 0 : -EINVAL;
}

static int np_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct np_file *fp = file->private_data;
	u64 len = vma->vm_end - vma->vm_start;
	u64 offset;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff > (U64_MAX >> PAGE_SHIFT))
		return -EINVAL;
	offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	/*
	 * A pool that has not allocated has nothing to map; and mmap_lock is
	 * held here, so fp->lock (held across user copies) must not be taken.
	 */
	if (!smp_load_acquire(&fp->frozen))
		return -EINVAL;
	if (np_core_with_region(fp->pool->core, offset, np_dev_region_fits,
				&len))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY | VM_MIXEDMAP;
	vma->vm_ops = &np_vm_ops;
	vma->vm_private_data = fp;
	return 0;
}

static const struct file_operations np_dev_fops = {
	.owner = THIS_MODULE,
	.open = np_dev_open,
	.release = np_dev_release,
	.unlocked_ioctl = np_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = np_dev_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice np_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nettypool",
	.fops = &np_dev_fops,
	.mode = 0666,
};

/**
 * np_device_init() - register /dev/nettypool
 *
 * Return: 0 or the error of misc_register().
 */
int np_device_init(void)
{
	return misc_register(&np_miscdev);
}

/**
 * np_device_exit() - unregister /dev/nettypool
 */
void np_device_exit(void)
{
	misc_deregister(&np_miscdev);
}
