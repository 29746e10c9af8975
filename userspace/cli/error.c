// SPDX-License-Identifier: GPL-2.0
/*
 * Errors: said plainly on stderr and, with --json, as a JSON document
 * {"error": NAME, "message": ..., "exit_code": N} on stdout; each kind
 * has its exit status (enum np_exit).
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const char *const error_names[] = {
	[NP_EXIT_FAIL] = "failed",
	[NP_EXIT_UNAVAILABLE] = "not_available",
	[NP_EXIT_NO_MODULE] = "module_not_loaded",
	[NP_EXIT_NO_DEBUGFS] = "debugfs_not_mounted",
	[NP_EXIT_PERMISSION] = "permission_denied",
	[NP_EXIT_NO_GRAPHVIZ] = "graphviz_not_installed",
	[NP_EXIT_NO_POOL] = "no_such_pool",
};

int fail(int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s: %s%s\n", use_color && isatty(2) ? C_RED : "",
		prog, msg, use_color && isatty(2) ? C_OFF : "");
	if (json_mode) {
		fflush(stdout);
		jw_start(false);
		jw_obj(&jw_out, NULL);
		jw_str(&jw_out, "error", code < NP_EXIT_USAGE &&
		       error_names[code] ? error_names[code] : "usage");
		jw_str(&jw_out, "message", msg);
		jw_int(&jw_out, "exit_code", code);
		jw_obj_end(&jw_out);
	}
	return code;
}

/* CMD: the command whose --help to point at, NULL for the program's. */
int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(NP_EXIT_USAGE, "%s (see: nettypool %s%s--help)", msg,
		    cmd ? cmd : "", cmd ? " " : "");
}

int not_loaded(void)
{
	return fail(NP_EXIT_NO_MODULE,
		    "the nettypool module is not loaded (no %s): load it with `modprobe nettypool` or `insmod nettypool.ko`",
		    debugfs_root);
}

int permission_denied(const char *path)
{
	return fail(NP_EXIT_PERMISSION,
		    "permission denied reading %s: debugfs is readable by root only, run as root (e.g. sudo %s)",
		    path, prog);
}
