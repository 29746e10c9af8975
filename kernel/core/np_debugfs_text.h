/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of the debugfs files that the module prints (debugfs.c,
 * leak.c) and the nettypool command parses (userspace/cli/parse.c),
 * defined once: only macros, and no include but the ABI, so that kernel
 * and userspace code use them alike.
 *
 * A line is one format string for both sides: the module gives it to
 * seq_printf(), the command to sscanf(), so the compiler checks both
 * sides' arguments against the same text. Where printing and reading
 * need different conversions, the line is a macro of them: a hexadecimal
 * number is printed with its 0x by NP_TEXT_PRINT_HEX and read by
 * NP_TEXT_SCAN_HEX, which accepts the 0x. A table (the pool table, a
 * pool's chunks) is a header line naming its columns, then rows: the
 * command finds each column by its name, one of those defined here.
 * tests/host/unit/test_cli_text.c prints every line with these formats and
 * checks that the command's parsers read the values back.
 */
#ifndef NP_DEBUGFS_TEXT_H
#define NP_DEBUGFS_TEXT_H

#include <linux/nettypool.h>

#define NP_TEXT_PRINT_HEX	"%#llx"
#define NP_TEXT_SCAN_HEX	"%llx"

/*
 * stats and <id>/stats: a "name: value" line per counter of struct
 * np_stats (np_stat_fields of np_tables.h, then "chunklist_<key>" per
 * chunk list and leaked_on_close), and in the totals a last line
 * "pools". NAME is the name's conversion: "%s" to print, a bounded
 * "%47[^:]" to read.
 */
#define NP_STATS_LINE(name)		name ": %llu\n"
#define NP_STATS_CHUNKLIST_PREFIX	"chunklist_"
#define NP_STATS_LEAKED			"leaked_on_close"
#define NP_STATS_POOLS			"pools"

/*
 * pools: a header line of column names, NP_POOLS_HEADER of NP_POOLS_ID
 * .. NP_POOLS_BUFFERS in that order, then a row NP_POOLS_ROW per pool;
 * its name and its comm may hold blanks.
 */
#define NP_POOLS_HEADER							\
	"%4s %-10s %7s %-16s %6s %7s %6s %8s %14s %14s %10s\n"
#define NP_POOLS_ROW							\
	"%4u %-10s %7d %-16s %6llu %6lluK %6llu %8llu %14llu %14llu %10llu\n"
#define NP_POOLS_ID		"id"
#define NP_POOLS_NAME		"name"
#define NP_POOLS_PID		"pid"
#define NP_POOLS_COMM		"comm"
#define NP_POOLS_PAGE		"page"
#define NP_POOLS_CHUNK		"chunk"
#define NP_POOLS_ARENAS		"arenas"
#define NP_POOLS_CHUNKS		"chunks"
#define NP_POOLS_RESERVED	"reserved"
#define NP_POOLS_ACTIVE		"active"
#define NP_POOLS_BUFFERS	"buffers"

/*
 * <id>/chunks: a header line NP_CHUNKS_HEADER of NP_CHUNKS_ARENA ..
 * NP_CHUNKS_PAGES in that order, a row NP_CHUNKS_ROW per chunk of every
 * arena, list by list, then the row NP_CHUNKS_TOTAL_ROW of the totals,
 * whose first column is NP_CHUNKS_TOTAL.
 */
#define NP_CHUNKS_HEADER						\
	"%5s %-5s %18s %5s %12s %12s %10s %10s\n"
#define NP_CHUNKS_ROW							\
	"%5u %-5s %#18llx %4d%% %12llu %12llu %10u %10u\n"
#define NP_CHUNKS_TOTAL_ROW						\
	"%5s %-5s %18llu %5s %12llu %12llu %10llu %10llu\n"
#define NP_CHUNKS_ARENA		"arena"
#define NP_CHUNKS_LIST		"list"
#define NP_CHUNKS_CHUNK		"chunk"
#define NP_CHUNKS_USAGE		"usage"
#define NP_CHUNKS_FREE_BYTES	"free_bytes"
#define NP_CHUNKS_SIZE		"size"
#define NP_CHUNKS_PAGES_USED	"pages_used"
#define NP_CHUNKS_PAGES		"pages"
#define NP_CHUNKS_TOTAL		"total"

/*
 * <id>/arenas: per arena a line NP_ARENAS_ARENA, its chunk lists, then
 * the subpage pools of the tiny and of the small size classes, each
 * after a line NP_ARENAS_SUBPAGES of the class's word (NP_TEXT_TINY,
 * NP_TEXT_SMALL): per size class with subpages a line NP_ARENAS_CLASS
 * (the element size), then a line NP_ARENAS_SUBPAGE per subpage (its
 * chunk's key, page, elements used and elements).
 */
#define NP_TEXT_TINY		"tiny"
#define NP_TEXT_SMALL		"small"
#define NP_ARENAS_ARENA							\
	"arena %u: %llu chunks, %llu buffers, %llu bytes active\n"
#define NP_ARENAS_SUBPAGES(word)	"  " word " subpages:\n"
#define NP_ARENAS_CLASS		"    %u B:\n"
#define NP_ARENAS_SUBPAGE(hex)						\
	"      chunk " hex " page %u: %u of %u elements used\n"

/*
 * leaks: per buffer the leak detector tracks (a suspect), ending with
 * a blank line: the line NP_LEAKS_HEAD, with the comm to the end of the
 * line; then, for kernel pools, NP_LEAKS_ALLOCATED and the frames of the
 * allocation stack; then per record of a later retain or release a line
 * NP_LEAKS_RECORD and its frames. Every frame is indented by
 * NP_LEAKS_FRAME. WORD is the conversion of a word: "%s" to print,
 * bounded to read; ADDR and TAG are hexadecimal numbers.
 */
#define NP_LEAKS_HEAD(word, addr, tag)					\
	"leak pool=%u kind=" word " addr=" addr " capacity=%llu age_ms=%u" \
	" tag=" tag " pid=%d comm="
#define NP_LEAKS_ALLOCATED	"  allocated at:\n"
#define NP_LEAKS_RECORD(word)	"  " word " at (#%u):\n"
#define NP_LEAKS_FRAME		"    "

#endif /* NP_DEBUGFS_TEXT_H */
