// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of np_trace.h, instantiated here and nowhere else, and
 * what their events read of a pool.
 */
#include "np_module.h"

#define CREATE_TRACE_POINTS
#include "np_trace.h"

/**
 * np_trace_pool_id() - the id of the pool whose owner data is @owner
 * @owner: the owner data of a pool's core: its struct np_pool.
 *
 * Context: called by an enabled trace event only.
 * Return: the pool's id.
 */
u32 np_trace_pool_id(const void *owner)
{
	return ((const struct np_pool *)owner)->id;
}
