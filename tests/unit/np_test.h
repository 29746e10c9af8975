/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the unit tests. Each test_*.c file provides one
 * Suite constructor, listed in main.c.
 */
#ifndef NP_TEST_H
#define NP_TEST_H

#include <check.h>

#include "np_core.h"
#include "nettypool.h"

Suite *size_class_suite(void);

/* A pool core with the given geometry and everything else default. */
struct np_core *np_test_core(u32 page_size, u32 max_order,
			     int keep_empty_chunks);

#endif /* NP_TEST_H */
