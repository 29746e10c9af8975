// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs text, both ways: each file's lines are printed here as the
 * module prints them (debugfs.c, leak.c: the formats of
 * np_debugfs_text.h and the tables of np_tables.h, with values of the
 * same types), and
 * the nettypool command's parsers (userspace/cli/parse.c) must read every
 * value back. A format changed on the printing side only, or a parser
 * that stops reading what the module prints, fails here or, for a
 * conversion that no longer matches its argument, does not build.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "np_test.h"
#include "parse.h"
#include "np_debugfs_text.h"
#include "np_tables.h"

static char text[16384];
static size_t text_len;

/* seq_printf(), into text[]. */
__attribute__((format(printf, 1, 2)))
static void out(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text + text_len, sizeof(text) - text_len, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_lt(text_len + (size_t)n, sizeof(text));
	text_len += (size_t)n;
}

static void text_reset(void)
{
	text_len = 0;
	text[0] = '\0';
}

/* A counter's value in the test: distinct for every counter. */
static __u64 stat_value(unsigned int i)
{
	return 1000003ULL * (i + 1) + (1ULL << 40);
}

START_TEST(stats_round_trip)
{
	struct stats_text s;
	unsigned int i, n = 0;
	const __u64 *st;

	text_reset();
	for (i = 0; i < np_nr_stat_fields; i++)
		out(NP_STATS_LINE("%s"), np_stat_fields[i].name,
		    (unsigned long long)stat_value(n++));
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		out(NP_STATS_LINE(NP_STATS_CHUNKLIST_PREFIX "%s"),
		    np_chunk_list_info[i].key,
		    (unsigned long long)stat_value(n++));
	out(NP_STATS_LINE(NP_STATS_LEAKED), (unsigned long long)stat_value(n++));
	out(NP_STATS_LINE(NP_STATS_POOLS), (unsigned long long)stat_value(n++));

	ck_assert_int_eq(stats_parse(&s, text), 0);
	ck_assert_uint_eq(s.n_lines, n);
	st = (const __u64 *)&s.st;
	for (i = 0; i < np_nr_stat_fields; i++) {
		ck_assert_str_eq(s.lines[i].name, np_stat_fields[i].name);
		ck_assert_uint_eq(st[np_stat_fields[i].offset / sizeof(*st)],
				  stat_value(i));
	}
	for (i = 0; i < NP_NR_CHUNK_LISTS; i++)
		ck_assert_uint_eq(s.st.chunklist_chunks[i],
				  stat_value(np_nr_stat_fields + i));
	ck_assert_uint_eq(s.st.leaked_on_close, stat_value(n - 2));
	ck_assert_str_eq(s.lines[n - 1].name, NP_STATS_POOLS);
	ck_assert_uint_eq(s.lines[n - 1].value, stat_value(n - 1));
	stats_free(&s);
}
END_TEST

START_TEST(pools_round_trip)
{
	struct pool_row *rows;
	size_t n_rows;

	text_reset();
	out(NP_POOLS_HEADER, NP_POOLS_ID, NP_POOLS_NAME, NP_POOLS_PID,
	    NP_POOLS_COMM, NP_POOLS_PAGE, NP_POOLS_CHUNK, NP_POOLS_ARENAS,
	    NP_POOLS_CHUNKS, NP_POOLS_RESERVED, NP_POOLS_ACTIVE,
	    NP_POOLS_BUFFERS);
	out(NP_POOLS_ROW, 3U, "user", 290, "nettypool",
	    4096ULL, 64ULL, 2ULL, 533ULL, 34930688ULL, 24012390ULL, 4000ULL);
	out(NP_POOLS_ROW, 12U, "my pool", 4194304,
	    "my server", 65536ULL, 16384ULL, 1ULL, 0ULL, 0ULL, 0ULL, 0ULL);
	out(NP_POOLS_ROW, 4095U, "np_test_kernel_pool", 1,
	    "insmod", 8192ULL, 4096ULL, 64ULL, 12345678ULL,
	    123456789012ULL, 12345678901ULL, 1234567890ULL);

	ck_assert_int_eq(pools_parse(text, &rows, &n_rows), 0);
	ck_assert_uint_eq(n_rows, 3);
	ck_assert_uint_eq(rows[0].id, 3);
	ck_assert_str_eq(rows[0].name, "user");
	ck_assert_int_eq(rows[0].pid, 290);
	ck_assert_str_eq(rows[0].comm, "nettypool");
	/* a name with a blank: the pid and the comm's first word still */
	ck_assert_uint_eq(rows[1].id, 12);
	ck_assert_str_eq(rows[1].name, "my pool");
	ck_assert_int_eq(rows[1].pid, 4194304);
	ck_assert_str_eq(rows[1].comm, "my");
	/* every column at its widest */
	ck_assert_uint_eq(rows[2].id, 4095);
	ck_assert_str_eq(rows[2].name, "np_test_kernel_pool");
	ck_assert_int_eq(rows[2].pid, 1);
	ck_assert_str_eq(rows[2].comm, "insmod");
	free(rows);
}
END_TEST

START_TEST(arenas_round_trip)
{
	struct pool_info p = { 0 };

	text_reset();
	out(NP_ARENAS_ARENA, 1U, 0ULL, 0ULL, 0ULL);
	out(NP_ARENAS_SUBPAGES("%s"), NP_TEXT_TINY);
	out(NP_ARENAS_SUBPAGES("%s"), NP_TEXT_SMALL);
	out(NP_ARENAS_ARENA, 0U, 533ULL, 4000ULL, 24012390ULL);
	out(NP_ARENAS_SUBPAGES("%s"), NP_TEXT_TINY);
	out(NP_ARENAS_CLASS, 496U);
	out(NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX), 0x2270000ULL, 1U, 5U, 8U);
	out(NP_ARENAS_CLASS, 16U);
	out(NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX), 0ULL, 3U, 100U, 256U);
	out(NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX), 0xffff888004a10000ULL, 511U,
	    12U, 256U);
	out(NP_ARENAS_SUBPAGES("%s"), NP_TEXT_SMALL);
	out(NP_ARENAS_CLASS, 2048U);
	out(NP_ARENAS_SUBPAGE(NP_TEXT_PRINT_HEX), 0x2270000ULL, 9U, 1U, 2U);

	ck_assert_int_eq(arenas_parse(&p, text), 0);
	ck_assert_uint_eq(p.n_arenas, 2);
	ck_assert_uint_eq(p.arenas[0].index, 0);
	ck_assert_uint_eq(p.arenas[0].chunks, 533);
	ck_assert_uint_eq(p.arenas[0].buffers, 4000);
	ck_assert_uint_eq(p.arenas[0].active, 24012390);
	ck_assert_uint_eq(p.arenas[1].index, 1);
	ck_assert_uint_eq(p.arenas[1].chunks, 0);

	/* by element size */
	ck_assert_uint_eq(p.n_classes, 3);
	ck_assert_uint_eq(p.classes[0].elem_size, 16);
	ck_assert(!p.classes[0].small);
	ck_assert_uint_eq(p.classes[0].subpages, 2);
	ck_assert_uint_eq(p.classes[0].used, 112);
	ck_assert_uint_eq(p.classes[0].elems, 512);
	ck_assert_uint_eq(p.classes[1].elem_size, 496);
	ck_assert_uint_eq(p.classes[1].subpages, 1);
	ck_assert_uint_eq(p.classes[1].used, 5);
	ck_assert_uint_eq(p.classes[1].elems, 8);
	ck_assert_uint_eq(p.classes[2].elem_size, 2048);
	ck_assert(p.classes[2].small);
	ck_assert_uint_eq(p.classes[2].used, 1);
	ck_assert_uint_eq(p.classes[2].elems, 2);
	free(p.arenas);
	free(p.classes);
}
END_TEST

START_TEST(chunks_round_trip)
{
	struct pool_info p = { 0 };
	const struct list_agg *l;

	text_reset();
	out(NP_CHUNKS_HEADER, NP_CHUNKS_ARENA, NP_CHUNKS_LIST, NP_CHUNKS_CHUNK,
	    NP_CHUNKS_USAGE, NP_CHUNKS_FREE_BYTES, NP_CHUNKS_SIZE,
	    NP_CHUNKS_PAGES_USED, NP_CHUNKS_PAGES);
	out(NP_CHUNKS_ROW, 0U,
	    np_chunk_list_info[NP_QINIT].name,
	    0ULL, 0, 4194304ULL, 4194304ULL, 0U, 512U);
	out(NP_CHUNKS_ROW, 0U,
	    np_chunk_list_info[NP_Q050].name,
	    0xffff888004a10000ULL, 57, 1802240ULL, 4194304ULL, 292U, 512U);
	out(NP_CHUNKS_ROW, 0U,
	    np_chunk_list_info[NP_Q050].name,
	    0x2270000ULL, 50, 2097152ULL, 4194304ULL, 256U, 512U);
	out(NP_CHUNKS_ROW, 2U,
	    np_chunk_list_info[NP_Q100].name,
	    0x10000ULL, 100, 0ULL, 1073741824ULL, 16384U, 16384U);
	out(NP_CHUNKS_TOTAL_ROW, NP_CHUNKS_TOTAL, "", 4ULL, "", 8093696ULL,
	    1086324736ULL, 16932ULL, 17920ULL);

	ck_assert_int_eq(chunks_parse(&p, text), 0);
	ck_assert_uint_eq(p.n_arenas, 2);
	ck_assert_uint_eq(p.arenas[0].index, 0);
	l = &p.arenas[0].lists[NP_QINIT];
	ck_assert_uint_eq(l->chunks, 1);
	ck_assert_uint_eq(l->free, 4194304);
	ck_assert_uint_eq(l->size, 4194304);
	ck_assert_uint_eq(l->pages_used, 0);
	ck_assert_uint_eq(l->pages, 512);
	l = &p.arenas[0].lists[NP_Q050];
	ck_assert_uint_eq(l->chunks, 2);
	ck_assert_uint_eq(l->free, 1802240 + 2097152);
	ck_assert_uint_eq(l->size, 2 * 4194304);
	ck_assert_uint_eq(l->pages_used, 292 + 256);
	ck_assert_uint_eq(l->pages, 1024);
	ck_assert_uint_eq(p.arenas[0].lists[NP_Q000].chunks, 0);
	ck_assert_uint_eq(p.arenas[1].index, 2);
	l = &p.arenas[1].lists[NP_Q100];
	ck_assert_uint_eq(l->chunks, 1);
	ck_assert_uint_eq(l->free, 0);
	ck_assert_uint_eq(l->size, 1073741824);
	ck_assert_uint_eq(l->pages_used, 16384);
	ck_assert_uint_eq(l->pages, 16384);
	free(p.arenas);
}
END_TEST

/* A suspect's first line, as leak.c prints it. */
#define LEAK_HEAD							\
	NP_LEAKS_HEAD("%s", NP_TEXT_PRINT_HEX, NP_TEXT_PRINT_HEX) "%s\n"

START_TEST(leaks_round_trip)
{
	struct leak *leaks;
	size_t n;

	text_reset();
	out(LEAK_HEAD, 4U, "kernel", 0xffff888004a20000ULL, 65536ULL, 900U,
	    0ULL, 81, "insmod");
	out(NP_LEAKS_ALLOCATED);
	out(NP_LEAKS_FRAME "%s\n", "np_test_leak_big+0x11/0x30 [test_nettypool]");
	out(NP_LEAKS_FRAME "%s\n", "np_test_init+0xa9/0x200 [test_nettypool]");
	out(NP_LEAKS_RECORD("%s"), "retained", 1U);
	out(NP_LEAKS_FRAME "%s\n", "np_test_keep+0x5/0x10 [test_nettypool]");
	out(NP_LEAKS_RECORD("%s"), "released", 2U);
	out(NP_LEAKS_FRAME "%s\n", "np_test_drop+0x9/0x10 [test_nettypool]");
	out("\n");
	out(LEAK_HEAD, 4294967295U, "user", 0x10040ULL, 112ULL, 4294967295U,
	    0xffffffffffffffffULL, 2147483647, "my server");
	out("\n");

	ck_assert_int_eq(leaks_parse(text, &leaks, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(leaks[0].pool, 4);
	ck_assert_str_eq(leaks[0].kind, "kernel");
	ck_assert_uint_eq(leaks[0].addr, 0xffff888004a20000ULL);
	ck_assert_uint_eq(leaks[0].capacity, 65536);
	ck_assert_uint_eq(leaks[0].age_ms, 900);
	ck_assert_uint_eq(leaks[0].tag, 0);
	ck_assert_int_eq(leaks[0].pid, 81);
	ck_assert_str_eq(leaks[0].comm, "insmod");
	ck_assert_str_eq(leaks[0].stack,
			 "np_test_leak_big+0x11/0x30 [test_nettypool]\n"
			 "np_test_init+0xa9/0x200 [test_nettypool]\n");
	ck_assert_str_eq(leaks[0].records,
			 "retained at (#1):\n"
			 "  np_test_keep+0x5/0x10 [test_nettypool]\n"
			 "released at (#2):\n"
			 "  np_test_drop+0x9/0x10 [test_nettypool]\n");

	ck_assert_uint_eq(leaks[1].pool, 4294967295U);
	ck_assert_str_eq(leaks[1].kind, "user");
	ck_assert_uint_eq(leaks[1].addr, 0x10040);
	ck_assert_uint_eq(leaks[1].capacity, 112);
	ck_assert_uint_eq(leaks[1].age_ms, 4294967295U);
	ck_assert_uint_eq(leaks[1].tag, 0xffffffffffffffffULL);
	ck_assert_int_eq(leaks[1].pid, 2147483647);
	ck_assert_str_eq(leaks[1].comm, "my server");
	ck_assert_ptr_null(leaks[1].stack);
	ck_assert_ptr_null(leaks[1].records);
	leaks_free(leaks, n);
}
END_TEST

Suite *cli_text_suite(void)
{
	Suite *s = suite_create("cli_text");
	TCase *tc = tcase_create("round_trip");

	tcase_add_test(tc, stats_round_trip);
	tcase_add_test(tc, pools_round_trip);
	tcase_add_test(tc, arenas_round_trip);
	tcase_add_test(tc, chunks_round_trip);
	tcase_add_test(tc, leaks_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
