// SPDX-License-Identifier: GPL-2.0
/*
 * Replay a libFuzzer target over files and directories of inputs, without
 * libFuzzer: what CI runs when clang is not there.
 *
 *   fuzz-core-replay PATH...
 *
 * Every regular file named (directories: every file in them, sorted) is
 * one input, run in a child process so that an abort() of the target
 * fails that input and the others still run. NP_FUZZ_NOFORK=1 runs them
 * in-process (for a debugger). Prints one line per failure and a summary
 * "fuzz-replay: N inputs, P passed, F failed"; exits 1 when any failed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int n_run, n_failed;
static int no_fork;

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, got;

	if (!f) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return 1;
			}
		}
		got = fread(buf + len, 1, cap - len, f);
		if (!got)
			break;
		len += got;
	}
	fclose(f);
	/* a copy of exactly len bytes, so ASan sees reads past the end */
	{
		uint8_t *data = malloc(len ? len : 1);

		memcpy(data, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	return 0;
}

static void replay(const char *path)
{
	pid_t pid;
	int status;

	n_run++;
	if (no_fork) {
		if (run_one(path))
			n_failed++;
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		n_failed++;
		return;
	}
	if (!pid)
		_exit(run_one(path));
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		n_failed++;
		if (WIFSIGNALED(status))
			fprintf(stderr, "fuzz-replay: FAILED %s (signal %d)\n",
				path, WTERMSIG(status));
		else
			fprintf(stderr, "fuzz-replay: FAILED %s (exit %d)\n",
				path, WEXITSTATUS(status));
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	const char *env = getenv("NP_FUZZ_NOFORK");
	int i;

	no_fork = env && *env && *env != '0';
	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **names;
		int n, k;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			n_run++;
			n_failed++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			replay(argv[i]);
			continue;
		}
		n = scandir(argv[i], &names, NULL, by_name);
		for (k = 0; k < n; k++) {
			char path[4096];
			struct stat fst;

			snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
			if (!stat(path, &fst) && S_ISREG(fst.st_mode))
				replay(path);
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
	printf("fuzz-replay: %u inputs, %u passed, %u failed\n", n_run,
	       n_run - n_failed, n_failed);
	return n_failed || !n_run;
}
