// SPDX-License-Identifier: GPL-2.0
/*
 * The state every command shares: the program's name, where debugfs is,
 * colour and JSON; stopping on SIGINT and SIGTERM; option values.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *prog = "nettypool";
const char *debugfs_root = "/sys/kernel/debug/nettypool";
bool use_color;
bool json_mode;
volatile sig_atomic_t stop_requested;

/* NAME is the program's name in messages; $NETTYPOOL_DEBUGFS moves debugfs. */
void cli_init(const char *name)
{
	const char *env = getenv("NETTYPOOL_DEBUGFS");

	prog = name;
	if (env && *env)
		debugfs_root = env;
}

static void on_stop_signal(int sig)
{
	stop_requested = sig;
}

void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end;
}

int parse_pool_opt(const char *cmd, const char *arg, long *pool)
{
	unsigned long v;

	if (!parse_ulong(arg, &v) || v > INT_MAX)
		return usage_error(cmd, "--pool takes a pool id (a number), not '%s'",
				   arg);
	*pool = (long)v;
	return 0;
}

/*
 * What getopt_long() returned for an option every command has, -j
 * (--json) or -h (--help), or for one it does not know: -1 when the
 * command goes on, else the status it exits with.
 */
int common_option(int c, const char *cmd, const char *usage)
{
	switch (c) {
	case 'j':
		json_mode = true;
		return -1;
	case 'h':
		fputs(usage, stdout);
		return 0;
	default:
		return usage_error(cmd, "unknown option");
	}
}

/* No command takes operands: 0, or the usage error for the first. */
int no_operands(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}
