/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text of the debugfs files that the module prints (debugfs.c,
 * leak.c) and the nettypool command parses (userspace/cli/parse.c),
 * defined once. Like np_tables.h: macros, and no include but the ABI.
 *
 * A line is one format string for both sides: the module gives it to
 * seq_printf(), the command to sscanf(), so the compiler checks both
 * sides' arguments against the same text. Where printing and reading
 * need different conversions, the line is a macro of them: a hexadecimal
 * number is printed with its 0x by NP_TEXT_PRINT_HEX and read by
 * NP_TEXT_SCAN_HEX, which accepts the 0x. A table (the pool table, a
 * pool's chunks) is a header line naming its columns, then rows: the
 * command finds each column by its name, so both come from one list of
 * columns. tests/unit/test_cli_text.c prints every line with these
 * formats and checks that the command's parsers read the values back.
 */
#ifndef NP_DEBUGFS_TEXT_H
#define NP_DEBUGFS_TEXT_H

#include <linux/nettypool.h>

#define NP_TEXT_PRINT_HEX	"%#llx"
#define NP_TEXT_SCAN_HEX	"%llx"

/*
 * stats and <id>/stats: a "name: value" line per counter of struct
 * np_stats (NP_STATS_FIELDS, then "chunklist_<key>" per chunk list and
 * leaked_on_close), and in the totals a last line "pools". NAME is the
 * name's conversion: "%s" to print, a bounded "%47[^:]" to read.
 */
#define NP_STATS_LINE(name)		name ": %llu\n"
#define NP_STATS_CHUNKLIST_PREFIX	"chunklist_"
#define NP_STATS_LEAKED			"leaked_on_close"
#define NP_STATS_POOLS			"pools"

/*
 * The columns of a table as X(column, name, header, row): the
 * enumerator, the name in the header line, and the conversions of the
 * header and of a row, each with the blank in front of it (none for the
 * first column). NP_TEXT_HEADER(COLUMNS) is the format and the arguments
 * of the header line (the newline is its last argument, after the
 * names), NP_TEXT_ROW(COLUMNS) the format of a row.
 */
#define NP_TEXT_COLUMN(column, name, header, row)	column,
#define NP_TEXT_HEADER_FORMAT(column, name, header, row)	header
#define NP_TEXT_HEADER_ARG(column, name, header, row)	name,
#define NP_TEXT_ROW_FORMAT(column, name, header, row)	row
#define NP_TEXT_HEADER(columns)						\
	columns(NP_TEXT_HEADER_FORMAT) "%s", columns(NP_TEXT_HEADER_ARG) "\n"
#define NP_TEXT_ROW(columns)	columns(NP_TEXT_ROW_FORMAT) "\n"

/* pools: one row per pool; its name and its comm may hold blanks. */
#define NP_POOLS_COLUMNS(X)						\
	X(NP_POOLS_ID, "id", "%4s", "%4u")				\
	X(NP_POOLS_NAME, "name", " %-10s", " %-10s")			\
	X(NP_POOLS_PID, "pid", " %7s", " %7d")				\
	X(NP_POOLS_COMM, "comm", " %-16s", " %-16s")			\
	X(NP_POOLS_PAGE, "page", " %6s", " %6llu")			\
	X(NP_POOLS_CHUNK, "chunk", " %7s", " %6lluK")			\
	X(NP_POOLS_ARENAS, "arenas", " %6s", " %6llu")			\
	X(NP_POOLS_CHUNKS, "chunks", " %8s", " %8llu")			\
	X(NP_POOLS_RESERVED, "reserved", " %14s", " %14llu")		\
	X(NP_POOLS_ACTIVE, "active", " %14s", " %14llu")		\
	X(NP_POOLS_BUFFERS, "buffers", " %10s", " %10llu")

enum np_pools_column { NP_POOLS_COLUMNS(NP_TEXT_COLUMN) NP_POOLS_NR_COLUMNS };

/*
 * <id>/chunks: one row per chunk of every arena, list by list, then a
 * row of totals whose first column is NP_CHUNKS_TOTAL.
 */
#define NP_CHUNKS_COLUMNS(X)						\
	X(NP_CHUNKS_ARENA, "arena", "%5s", "%5u")			\
	X(NP_CHUNKS_LIST, "list", " %-5s", " %-5s")			\
	X(NP_CHUNKS_CHUNK, "chunk", " %18s", " %#18llx")		\
	X(NP_CHUNKS_USAGE, "usage", " %5s", " %4d%%")			\
	X(NP_CHUNKS_FREE_BYTES, "free_bytes", " %12s", " %12llu")	\
	X(NP_CHUNKS_SIZE, "size", " %12s", " %12llu")			\
	X(NP_CHUNKS_PAGES_USED, "pages_used", " %10s", " %10u")		\
	X(NP_CHUNKS_PAGES, "pages", " %10s", " %10u")

enum np_chunks_column { NP_CHUNKS_COLUMNS(NP_TEXT_COLUMN) NP_CHUNKS_NR_COLUMNS };

#define NP_CHUNKS_TOTAL		"total"
#define NP_CHUNKS_TOTAL_ROW						\
	"%5s %-5s %18llu %5s %12llu %12llu %10llu %10llu\n"

/*
 * <id>/arenas: per arena a line NP_ARENAS_ARENA, its chunk lists, then
 * the subpage pools of the tiny and of the small size classes: per class
 * with subpages a line NP_ARENAS_CLASS (the element size), then a line
 * NP_ARENAS_SUBPAGE per subpage (its chunk's key, page, elements used
 * and elements).
 */
#define NP_ARENAS_ARENA							\
	"arena %u: %llu chunks, %llu buffers, %llu bytes active\n"
#define NP_ARENAS_TINY		"  tiny subpages:\n"
#define NP_ARENAS_SMALL		"  small subpages:\n"
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
 * bounded to read.
 */
#define NP_LEAKS_HEAD(hex, word)					\
	"leak pool=%u kind=" word " addr=" hex " capacity=%llu age_ms=%u" \
	" tag=" hex " pid=%d comm="
#define NP_LEAKS_ALLOCATED	"  allocated at:\n"
#define NP_LEAKS_RECORD(word)	"  " word " at (#%u):\n"
#define NP_LEAKS_FRAME		"    "

#endif /* NP_DEBUGFS_TEXT_H */
