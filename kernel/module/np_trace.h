/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoints of nettypool.ko, system "nettypool"
 * (Documentation/tracing.rst shows them with perf and bpftrace).
 *
 * Every event names its pool by the pool's id, the name of its debugfs
 * directory. Events are raised through np_trace() (np_env_kernel.h) by
 * the core and the module alike, with the pool's owner data, a struct
 * np_pool, as first argument; np_trace_pool_id() reads its id, only
 * while the event is enabled. A disabled event costs one patched-out
 * jump (a static key) and evaluates none of its arguments.
 *
 * Chunk lists and size classes are recorded by name, as nettypool prints
 * them everywhere else ("qInit" .. "q100"; "tiny" .. "huge"); a chunk
 * that leaves the lists, or has not entered them yet, is in "none".
 *
 * Every file of the module includes this header through np_env.h; only
 * trace.c, with CREATE_TRACE_POINTS, instantiates the tracepoints.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nettypool

#if !defined(NP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NP_TRACE_H

#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

/* Bytes of a list or class name in an event: the longest is "normal". */
#define NP_TRACE_NAME_LEN	8
#define NP_TRACE_NO_LIST	"none"

u32 np_trace_pool_id(const void *owner);

TRACE_EVENT(buffer_alloc,
	    TP_PROTO(const void *owner, u64 addr, u64 size, u64 capacity,
		     const char *size_class, bool cached),
	    TP_ARGS(owner, addr, size, capacity, size_class, cached),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u64, addr)
			     __field(u64, size)
			     __field(u64, capacity)
			     __array(char, size_class, NP_TRACE_NAME_LEN)
			     __field(bool, cached)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->addr = addr;
			   __entry->size = size;
			   __entry->capacity = capacity;
			   strscpy(__entry->size_class, size_class,
				   NP_TRACE_NAME_LEN);
			   __entry->cached = cached;),
	    TP_printk("pool=%u addr=%#llx size=%llu capacity=%llu class=%s cached=%d",
		      __entry->pool, __entry->addr, __entry->size,
		      __entry->capacity, __entry->size_class, __entry->cached)
);

TRACE_EVENT(buffer_free,
	    TP_PROTO(const void *owner, u64 addr, u64 capacity,
		     const char *size_class, bool freed),
	    TP_ARGS(owner, addr, capacity, size_class, freed),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u64, addr)
			     __field(u64, capacity)
			     __array(char, size_class, NP_TRACE_NAME_LEN)
			     __field(bool, freed)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->addr = addr;
			   __entry->capacity = capacity;
			   strscpy(__entry->size_class, size_class,
				   NP_TRACE_NAME_LEN);
			   __entry->freed = freed;),
	    TP_printk("pool=%u addr=%#llx capacity=%llu class=%s freed=%d",
		      __entry->pool, __entry->addr, __entry->capacity,
		      __entry->size_class, __entry->freed)
);

DECLARE_EVENT_CLASS(np_chunk_class,
		    TP_PROTO(const void *owner, u32 arena, u64 chunk,
			     u64 size),
		    TP_ARGS(owner, arena, chunk, size),
		    TP_STRUCT__entry(__field(u32, pool)
				     __field(u32, arena)
				     __field(u64, chunk)
				     __field(u64, size)),
		    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
				   __entry->arena = arena;
				   __entry->chunk = chunk;
				   __entry->size = size;),
		    TP_printk("pool=%u arena=%u chunk=%#llx size=%llu",
			      __entry->pool, __entry->arena, __entry->chunk,
			      __entry->size)
);

DEFINE_EVENT(np_chunk_class, chunk_create,
	     TP_PROTO(const void *owner, u32 arena, u64 chunk, u64 size),
	     TP_ARGS(owner, arena, chunk, size)
);

DEFINE_EVENT(np_chunk_class, chunk_destroy,
	     TP_PROTO(const void *owner, u32 arena, u64 chunk, u64 size),
	     TP_ARGS(owner, arena, chunk, size)
);

TRACE_EVENT(chunk_move,
	    TP_PROTO(const void *owner, u32 arena, u64 chunk,
		     const char *from, const char *to, int usage),
	    TP_ARGS(owner, arena, chunk, from, to, usage),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u32, arena)
			     __field(u64, chunk)
			     __array(char, from, NP_TRACE_NAME_LEN)
			     __array(char, to, NP_TRACE_NAME_LEN)
			     __field(int, usage)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->arena = arena;
			   __entry->chunk = chunk;
			   strscpy(__entry->from, from ? from : NP_TRACE_NO_LIST,
				   NP_TRACE_NAME_LEN);
			   strscpy(__entry->to, to ? to : NP_TRACE_NO_LIST,
				   NP_TRACE_NAME_LEN);
			   __entry->usage = usage;),
	    TP_printk("pool=%u arena=%u chunk=%#llx from=%s to=%s usage=%d",
		      __entry->pool, __entry->arena, __entry->chunk,
		      __entry->from, __entry->to, __entry->usage)
);

TRACE_EVENT(cache_flush,
	    TP_PROTO(const void *owner, u32 size, u32 count, u32 left),
	    TP_ARGS(owner, size, count, left),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u32, size)
			     __field(u32, count)
			     __field(u32, left)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->size = size;
			   __entry->count = count;
			   __entry->left = left;),
	    TP_printk("pool=%u size=%u count=%u left=%u",
		      __entry->pool, __entry->size, __entry->count,
		      __entry->left)
);

TRACE_EVENT(cache_trim,
	    TP_PROTO(const void *owner, u32 allocations, u32 frees),
	    TP_ARGS(owner, allocations, frees),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u32, allocations)
			     __field(u32, frees)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->allocations = allocations;
			   __entry->frees = frees;),
	    TP_printk("pool=%u allocations=%u frees=%u",
		      __entry->pool, __entry->allocations, __entry->frees)
);

TRACE_EVENT(leak_report,
	    TP_PROTO(const void *owner, u64 addr, u64 capacity, int pid,
		     const char *comm, u64 tag, unsigned long caller),
	    TP_ARGS(owner, addr, capacity, pid, comm, tag, caller),
	    TP_STRUCT__entry(__field(u32, pool)
			     __field(u64, addr)
			     __field(u64, capacity)
			     __field(int, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(u64, tag)
			     __field(unsigned long, caller)),
	    TP_fast_assign(__entry->pool = np_trace_pool_id(owner);
			   __entry->addr = addr;
			   __entry->capacity = capacity;
			   __entry->pid = pid;
			   strscpy(__entry->comm, comm, TASK_COMM_LEN);
			   __entry->tag = tag;
			   __entry->caller = caller;),
	    TP_printk("pool=%u addr=%#llx capacity=%llu pid=%d comm=%s tag=%#llx caller=%pS",
		      __entry->pool, __entry->addr, __entry->capacity,
		      __entry->pid, __entry->comm, __entry->tag,
		      (void *)__entry->caller)
);

#endif /* NP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE np_trace
#include <trace/define_trace.h>
