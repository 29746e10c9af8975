/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing the one-value files of sysfs, cgroupfs, procfs and
 * debugfs, for the test programs that run in the guest. Header only: each
 * program is one static binary built from one .c file.
 */
#ifndef NP_SYSFS_H
#define NP_SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A number from such a file: its first field, or with @key the field after
 * the line "key " (as in memory.stat or /proc/meminfo); -1 when there is
 * none.
 */
static inline long long np_read_num(const char *path, const char *key)
{
	char line[256];
	size_t n = key ? strlen(key) : 0;
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = atoll(line);
			break;
		}
		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = atoll(line + n + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Write a string to such a file: 0, or -errno. */
static inline int np_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

#endif /* NP_SYSFS_H */
