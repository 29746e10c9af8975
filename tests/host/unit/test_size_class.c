// SPDX-License-Identifier: GPL-2.0
/*
 * Normalisation and size classes (np_size_class.h), including Netty's
 * own normalizeCapacity cases.
 */
#include "np_test.h"

static struct np_core *core;

static void setup(void)
{
	core = np_test_core(8192, 9, 1);
	ck_assert_ptr_nonnull(core);
}

static void teardown(void)
{
	np_core_destroy(core);
}

/* Netty's PoolArenaTest.testNormalizeCapacity, with our 0 -> 16. */
START_TEST(netty_normalize_capacity)
{
	static const u64 req[] = { 0, 15, 510, 1024, 1023, 1025 };
	static const u64 want[] = { 16, 16, 512, 1024, 1024, 2048 };
	unsigned int i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		ck_assert_uint_eq(np_core_normalize(core, req[i]), want[i]);
}
END_TEST

START_TEST(tiny_rounds_to_16)
{
	u64 n;

	for (n = 1; n < 512; n++) {
		u64 norm = np_core_normalize(core, n);

		ck_assert_uint_eq(norm % 16, 0);
		ck_assert_uint_ge(norm, n);
		ck_assert_uint_lt(norm - n, 16);
	}
}
END_TEST

START_TEST(small_and_normal_round_to_pow2)
{
	u64 n;

	for (n = 512; n <= core->geo.chunk_size; n += n / 7 + 1) {
		u64 norm = np_core_normalize(core, n);

		ck_assert(np_is_pow2(norm));
		ck_assert_uint_ge(norm, n);
		ck_assert_uint_lt(norm / 2, n);
	}
}
END_TEST

START_TEST(huge_rounds_to_system_pages)
{
	u64 chunk = core->geo.chunk_size;
	u64 page = np_env_page_size();

	ck_assert_uint_eq(np_core_normalize(core, chunk), chunk);
	ck_assert_uint_eq(np_core_normalize(core, chunk + 1), chunk + page);
	ck_assert_uint_eq(np_core_normalize(core, chunk + page), chunk + page);
	ck_assert_uint_eq(np_core_normalize(core, ~0ULL), 0);
}
END_TEST

START_TEST(class_boundaries)
{
	ck_assert_int_eq(np_core_size_class(core, 16), NP_SIZE_TINY);
	ck_assert_int_eq(np_core_size_class(core, 496), NP_SIZE_TINY);
	ck_assert_int_eq(np_core_size_class(core, 512), NP_SIZE_SMALL);
	ck_assert_int_eq(np_core_size_class(core, 4096), NP_SIZE_SMALL);
	ck_assert_int_eq(np_core_size_class(core, 8192), NP_SIZE_NORMAL);
	ck_assert_int_eq(np_core_size_class(core, core->geo.chunk_size),
			 NP_SIZE_NORMAL);
	ck_assert_int_eq(np_core_size_class(core, core->geo.chunk_size + 4096),
			 NP_SIZE_HUGE);
}
END_TEST

Suite *size_class_suite(void)
{
	Suite *s = suite_create("size_class");
	TCase *tc = tcase_create("normalize");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, netty_normalize_capacity);
	tcase_add_test(tc, tiny_rounds_to_16);
	tcase_add_test(tc, small_and_normal_round_to_pow2);
	tcase_add_test(tc, huge_rounds_to_system_pages);
	tcase_add_test(tc, class_boundaries);
	suite_add_tcase(s, tc);
	return s;
}
