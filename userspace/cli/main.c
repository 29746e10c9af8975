// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool: the user's single entry point to nettypool.ko.
 *
 *   nettypool stat   [--pool ID] [--watch SECONDS [--count N]] [--json]
 *   nettypool layout [--pool ID] [--svg FILE | --png FILE] [--json]
 *   nettypool leaks  [--json]
 *   nettypool demo   [--workload mixed|busy|huge|empty] [--hold]
 *                    [--debugfs] [--backend auto|kernel|local] [--json]
 *
 * stat, layout and leaks read /sys/kernel/debug/nettypool/ (or the
 * directory named by $NETTYPOOL_DEBUGFS): the totals in "stats", the pool
 * table in "pools", and per pool "<id>/stats", "<id>/arenas",
 * "<id>/chunks" and "<id>/layout.dot"; the leak suspects in "leaks". demo
 * runs the workload of make run through libnettypool.
 *
 * What goes wrong is said plainly, with a distinct exit status (see
 * enum np_exit): debugfs not mounted, module not loaded, permission
 * denied, a file this nettypool.ko does not have, no graphviz, no such
 * pool. Colour only on a terminal, never with $NO_COLOR. --json prints
 * one JSON document (one per frame, a line each, with --watch), errors
 * included, as {"error": ...}.
 *
 * This file reads the global options and runs the command; each command
 * is a file of this folder (cli.h says what they share).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char main_usage[] =
	"usage: nettypool [--color=auto|always|never] COMMAND [OPTIONS]\n"
	"\n"
	"Look inside nettypool.ko, Netty's pooled buffer allocator in the kernel.\n"
	"\n"
	"  stat    pools, arenas, chunk lists and size classes (slabtop-like)\n"
	"  layout  a pool's structure as a graphviz graph (dot text, SVG, PNG)\n"
	"  leaks   the leak detector's suspects, grouped by allocation stack\n"
	"  demo    allocate a workload through libnettypool and show the stats\n"
	"\n"
	"Every command takes --json and --help. Reads /sys/kernel/debug/nettypool\n"
	"(root only), or $NETTYPOOL_DEBUGFS. Colour on a terminal unless $NO_COLOR.\n"
	"\n"
	"Exit status: 0 ok, 1 failed, 2 not available in this nettypool.ko,\n"
	"3 module not loaded, 4 debugfs not mounted, 5 permission denied,\n"
	"6 graphviz not installed, 7 no such pool, 64 usage error.\n";

int main(int argc, char **argv)
{
	const char *color = "auto";
	int i;

	cli_init("nettypool");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strncmp(argv[i], "--color=", 8)) {
			color = argv[i] + 8;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(main_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json_mode = true;
		} else {
			return usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (!strcmp(color, "always"))
		use_color = true;
	else if (!strcmp(color, "auto"))
		use_color = isatty(1) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	else if (strcmp(color, "never"))
		return usage_error(NULL, "--color is auto, always or never, not '%s'",
				   color);
	if (i >= argc) {
		fputs(main_usage, stderr);
		return fail(NP_EXIT_USAGE, "which command? (stat, layout, leaks, demo)");
	}
	argc -= i;
	argv += i;
	optind = 1;
	if (!strcmp(argv[0], "stat"))
		return cmd_stat(argc, argv);
	if (!strcmp(argv[0], "layout"))
		return cmd_layout(argc, argv);
	if (!strcmp(argv[0], "leaks"))
		return cmd_leaks(argc, argv);
	if (!strcmp(argv[0], "demo"))
		return cmd_demo(argc, argv);
	if (!strcmp(argv[0], "help")) {
		fputs(main_usage, stdout);
		return 0;
	}
	return usage_error(NULL, "unknown command '%s' (stat, layout, leaks, demo)",
			   argv[0]);
}
