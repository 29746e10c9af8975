// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool-demo: "nettypool demo" under its old name, without colour;
 * make run uses it (scripts/run.sh). Options: nettypool demo --help.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	cli_init("nettypool-demo");
	return cmd_demo(argc, argv);
}
