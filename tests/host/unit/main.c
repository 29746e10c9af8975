// SPDX-License-Identifier: GPL-2.0
/*
 * The unit-test runner: every suite, in one SRunner. With CK_FORK=no (as
 * the valgrind lane runs it) the tests run in this process.
 */
#include <stdio.h>
#include <stdlib.h>

#include "np_test.h"

struct np_core *np_test_core(u32 page_size, u32 max_order,
			     int keep_empty_chunks)
{
	struct np_config cfg = {
		.flags = NP_CONFIG_MAX_ORDER,
		.page_size = page_size,
		.max_order = max_order,
		.n_arenas = 1,
		/* the arena suites see every free; test_cache.c has caches */
		.tiny_cache = -1,
		.small_cache = -1,
		.normal_cache = -1,
		.keep_empty_chunks = keep_empty_chunks,
	};

	ck_assert_int_eq(np_config_resolve(&cfg, NULL), 0);
	return np_core_create(&cfg, NULL, NULL, 0);
}

static Suite *(*const np_suites[])(void) = {
	size_class_suite,
	buddy_suite,
	subpage_suite,
	chunk_list_suite,
	netty_suite,
	library_suite,
	stats_suite,
	cache_suite,
	concurrency_suite,
	visit_suite,
	cli_text_suite,
};

int main(void)
{
	SRunner *runner = srunner_create(NULL);
	size_t i;
	int failed;

	for (i = 0; i < sizeof(np_suites) / sizeof(np_suites[0]); i++)
		srunner_add_suite(runner, np_suites[i]());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	if (np_env_warnings) {
		fprintf(stderr, "%lu allocator warnings fired\n", np_env_warnings);
		return EXIT_FAILURE;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
