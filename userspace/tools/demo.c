// SPDX-License-Identifier: GPL-2.0
/*
 * nettypool-demo: "nettypool demo" under its old name, a short mixed
 * workload through libnettypool with the pool's statistics after each
 * phase; with --debugfs, and when the pool lives in the kernel, also what
 * /sys/kernel/debug/nettypool/ shows while the buffers are live. make run
 * uses it (scripts/run.sh builds this one file, statically).
 *
 * The workload lives in nettypool.c, once: this file is that program with
 * its demo command as the whole of main(). Options: nettypool demo --help.
 */
#define NETTYPOOL_DEMO_ONLY
#include "nettypool.c"
