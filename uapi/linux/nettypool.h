/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nettypool: Netty's pooled buffer allocator as a kernel module.
 *
 * The userspace ABI of /dev/nettypool. Every open() of the device creates
 * one private pool; the ioctls below configure it, allocate and free
 * buffers in it and read its counters. Buffers are named by their mmap
 * offset: NP_IOC_ALLOC returns the offset of the buffer's first byte and
 * the offset and size of the region (a chunk, or a huge buffer's own
 * pages) that holds it; mmap(MAP_SHARED) of the whole region at
 * region_offset makes the buffer visible at
 * (region address + offset - region_offset).
 *
 * Who pays. Any user may open the device. A pool's pages, and its own
 * memory (metadata, caches, leak records), are charged to the opener's
 * memory cgroup; its pages also count against the opener's
 * RLIMIT_MEMLOCK (user->locked_vm, the limit of the allocating task)
 * unless the opener has CAP_IPC_LOCK, against the pool's max_bytes and
 * against the module's max_total_bytes. Every refusal is -ENOMEM, with a
 * rate-limited line in the kernel log for the memlock limit. Leak
 * detection above NP_LEAK_SIMPLE needs CAP_SYS_ADMIN. A mapping is never
 * inherited: a copy that madvise(MADV_DOFORK) lets fork() make raises
 * SIGBUS in the child.
 *
 * Conventions: every structure has a fixed size and explicit padding;
 * pointers travel as __u64; reserved fields and unknown flag bits must be
 * zero (-EINVAL otherwise); an unknown command fails with -ENOTTY and a
 * bad user pointer with -EFAULT.
 */
#ifndef _UAPI_LINUX_NETTYPOOL_H
#define _UAPI_LINUX_NETTYPOOL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Pool geometry limits, shared by the module and the library. */
#define NP_PAGE_SIZE_MIN	4096
#define NP_PAGE_SIZE_MAX	65536
#define NP_PAGE_SIZE_DEFAULT	8192
#define NP_MAX_ORDER_MAX	14
#define NP_MAX_ORDER_DEFAULT	9
#define NP_CHUNK_SIZE_MAX	0x40000000ULL	/* 1 GiB */
#define NP_ARENAS_MAX		1024
#define NP_CACHE_ENTRIES_MAX	65536

/* struct np_config.flags */
#define NP_CONFIG_MAX_ORDER	0x1U	/* max_order is set, even if 0 */
#define NP_CONFIG_FLAGS_ALL	NP_CONFIG_MAX_ORDER

/**
 * struct np_config - geometry and policy of one pool
 * @flags: NP_CONFIG_* bits.
 * @page_size: bytes per page, a power of two in 4096..65536; 0 = default.
 * @max_order: depth of a chunk's buddy tree (chunk = page_size << max_order),
 *	0..14; taken when NP_CONFIG_MAX_ORDER is set or it is non-zero,
 *	else the default.
 * @n_arenas: number of arenas, >= 1; 0 = one per online CPU.
 * @tiny_cache: cache entries per tiny size class; -1 = disabled, 0 = default.
 * @small_cache: likewise for small size classes.
 * @normal_cache: likewise for normal size classes.
 * @keep_empty_chunks: -1 = destroy emptied chunks as Netty does, 0 = default
 *	(keep), 1 = keep one emptied chunk per arena.
 * @max_bytes: most bytes of pages the pool may hold; 0 = no limit of its own.
 * @leak_detection: NP_LEAK_*: which buffers the leak detector tracks;
 *	0 = the module's default. Above NP_LEAK_SIMPLE only with
 *	CAP_SYS_ADMIN (else -EPERM): its records are memory no limit counts.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * NP_IOC_CONFIGURE writes back the effective values: every default
 * resolved, disabled caches as -1, keep_empty_chunks as -1 or 1.
 */
struct np_config {
	__u32 flags;
	__u32 page_size;
	__u32 max_order;
	__u32 n_arenas;
	__s32 tiny_cache;
	__s32 small_cache;
	__s32 normal_cache;
	__s32 keep_empty_chunks;
	__u64 max_bytes;
	__u32 leak_detection;
	__u32 pad;
	__u64 reserved[3];
};

/*
 * struct np_config.leak_detection, Netty's levels: simple and advanced
 * track one allocation in 128 picked at random, paranoid tracks every one;
 * advanced and paranoid also record up to 4 retains and frees of each.
 */
#define NP_LEAK_DEFAULT		0
#define NP_LEAK_DISABLED	1
#define NP_LEAK_SIMPLE		2
#define NP_LEAK_ADVANCED	3
#define NP_LEAK_PARANOID	4

/* struct np_alloc.flags */
#define NP_ALLOC_ZERO		0x1U	/* the buffer reads as zeroes */
#define NP_ALLOC_FLAGS_ALL	NP_ALLOC_ZERO

/**
 * struct np_alloc - one allocation
 * @size: in: bytes wanted.
 * @flags: in: NP_ALLOC_* bits.
 * @pad: must be zero.
 * @tag: in: any value; shown with the buffer in leak reports.
 * @reserved: must be zero.
 * @offset: out: mmap offset of the buffer's first byte.
 * @capacity: out: the normalised size actually reserved.
 * @region_offset: out: mmap offset of the region that holds the buffer.
 * @region_size: out: size of that region, mappable as a whole.
 */
struct np_alloc {
	__u64 size;
	__u32 flags;
	__u32 pad;
	__u64 tag;
	__u64 reserved;
	__u64 offset;
	__u64 capacity;
	__u64 region_offset;
	__u64 region_size;
};

/**
 * struct np_free - names a live buffer, for NP_IOC_FREE and NP_IOC_RETAIN
 * @offset: mmap offset of the buffer's first byte.
 * @reserved: must be zero.
 */
struct np_free {
	__u64 offset;
	__u64 reserved;
};

/**
 * struct np_query - what a live buffer is, for NP_IOC_QUERY
 * @offset: in: mmap offset of the buffer's first byte.
 * @capacity: out: its normalised size.
 * @reserved: must be zero.
 */
struct np_query {
	__u64 offset;
	__u64 capacity;
	__u64 reserved;
};

/* struct np_batch_op.op */
#define NP_BATCH_ALLOC		1
#define NP_BATCH_FREE		2

/**
 * struct np_batch_op - one operation of NP_IOC_BATCH
 * @op: NP_BATCH_ALLOC or NP_BATCH_FREE.
 * @flags: NP_ALLOC_* bits for an allocation, zero for a free.
 * @size: in, allocation: bytes wanted.
 * @offset: out for an allocation, in for a free: the buffer.
 * @capacity: out, allocation: normalised size.
 * @region_offset: out, allocation: the region holding the buffer.
 * @region_size: out, allocation: its size.
 * @result: out: 0, or the negative errno of this operation.
 * @pad: must be zero.
 */
struct np_batch_op {
	__u32 op;
	__u32 flags;
	__u64 size;
	__u64 offset;
	__u64 capacity;
	__u64 region_offset;
	__u64 region_size;
	__s32 result;
	__u32 pad;
};

/**
 * struct np_batch - many operations in one call
 * @ops: user pointer to an array of struct np_batch_op.
 * @count: number of operations in the array.
 * @flags: must be zero.
 * @done: out: operations carried out; the batch stops at the first failure,
 *	whose errno is in its @result and is also the ioctl's return value.
 *	Results are written back as the batch goes: a part of the array
 *	that cannot be written (-EFAULT) stops the batch before its
 *	operations are carried out (up to 64 operations are checked ahead),
 *	so a read-only array changes nothing and gives done 0; and when the
 *	array becomes unwritable during the batch (a free of this very batch
 *	may unmap it), an allocation whose result cannot be written is undone
 *	and not counted, a free stays done and is counted, and the batch
 *	stops. The struct np_batch itself must not lie in memory the batch
 *	frees.
 *	When the call fails before any operation (-ENOMEM: no memory for the
 *	call itself), @done is 0 and no @result is written. A bad @flags,
 *	@reserved or @count (-EINVAL) or an unreadable argument (-EFAULT)
 *	leaves the argument as it was.
 * @reserved: must be zero.
 */
struct np_batch {
	__u64 ops;
	__u32 count;
	__u32 flags;
	__u32 done;
	__u32 reserved;
};

/* Index of struct np_stats.chunklist_chunks[], in Netty's order. */
enum np_chunk_list_id {
	NP_QINIT,
	NP_Q000,
	NP_Q025,
	NP_Q050,
	NP_Q075,
	NP_Q100,
	NP_NR_CHUNK_LISTS,
};

/**
 * struct np_stats - counters of one pool
 * @page_size: bytes per page.
 * @chunk_size: bytes per chunk, page_size << max_order.
 * @n_arenas: arenas in the pool.
 * @chunks: live pooled chunks.
 * @huge_regions: live huge buffers, each with pages of its own.
 * @bytes_reserved: bytes of pages held from the page allocator, huge
 *	included.
 * @bytes_active: normalised bytes of live buffers.
 * @bytes_cached: normalised bytes of freed buffers held by caches.
 * @alloc_tiny: tiny allocations that reached an arena.
 * @alloc_small: small allocations that reached an arena.
 * @alloc_normal: normal allocations that reached an arena.
 * @alloc_huge: huge allocations.
 * @free_tiny: tiny frees that reached an arena.
 * @free_small: small frees that reached an arena.
 * @free_normal: normal frees that reached an arena.
 * @free_huge: huge frees.
 * @cache_hits: allocations a cache answered.
 * @active_buffers: live buffers.
 * @chunklist_chunks: chunks in each chunk list, by enum np_chunk_list_id.
 * @leaked_on_close: buffers reclaimed when their pool was closed (in
 *	debugfs: over every pool closed since the module was loaded).
 * @reserved: zero, for counters to come.
 *
 * Allocation and free counters count what reached an arena (or, for huge
 * buffers, the page allocator), not cache hits. The same names appear as
 * "name: value" lines in /sys/kernel/debug/nettypool/stats.
 */
struct np_stats {
	__u64 page_size;
	__u64 chunk_size;
	__u64 n_arenas;
	__u64 chunks;
	__u64 huge_regions;
	__u64 bytes_reserved;
	__u64 bytes_active;
	__u64 bytes_cached;
	__u64 alloc_tiny;
	__u64 alloc_small;
	__u64 alloc_normal;
	__u64 alloc_huge;
	__u64 free_tiny;
	__u64 free_small;
	__u64 free_normal;
	__u64 free_huge;
	__u64 cache_hits;
	__u64 active_buffers;
	__u64 chunklist_chunks[NP_NR_CHUNK_LISTS];
	__u64 leaked_on_close;
	__u64 reserved[8];
};

#define NP_IOC_MAGIC	'J'

#define NP_IOC_CONFIGURE	_IOWR(NP_IOC_MAGIC, 0x00, struct np_config)
#define NP_IOC_ALLOC		_IOWR(NP_IOC_MAGIC, 0x01, struct np_alloc)
#define NP_IOC_FREE		_IOW(NP_IOC_MAGIC, 0x02, struct np_free)
#define NP_IOC_RETAIN		_IOW(NP_IOC_MAGIC, 0x03, struct np_free)
#define NP_IOC_BATCH		_IOWR(NP_IOC_MAGIC, 0x04, struct np_batch)
#define NP_IOC_STATS		_IOR(NP_IOC_MAGIC, 0x05, struct np_stats)
#define NP_IOC_TRIM		_IO(NP_IOC_MAGIC, 0x06)
#define NP_IOC_QUERY		_IOWR(NP_IOC_MAGIC, 0x07, struct np_query)

#endif /* _UAPI_LINUX_NETTYPOOL_H */
