// SPDX-License-Identifier: GPL-2.0
/*
 * leaky: a server-shaped program with a leak, for Documentation/leak-hunt.rst.
 *
 * Two code paths allocate buffers from one pool through the raw device,
 * each with its own tag: the request parser (tag 0x1) frees everything,
 * the response writer (tag 0x2) forgets one buffer in ten on an error
 * path. It runs 2000 "requests", then waits (SIGTERM ends it), so the pool
 * can be inspected while it is live.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nettypool.h>

static int fd;

static unsigned long long get(unsigned long long size, unsigned long long tag)
{
	struct np_alloc a = { .size = size, .tag = tag };

	return ioctl(fd, NP_IOC_ALLOC, &a) ? 0 : a.offset;
}

static void put(unsigned long long offset)
{
	struct np_free f = { .offset = offset };

	ioctl(fd, NP_IOC_FREE, &f);
}

static void parse_request(int i)
{
	put(get(600 + i % 400, 0x1));
}

static void write_response(int i)
{
	unsigned long long buf = get(2000 + (i % 7) * 1000, 0x2);

	if (i % 10 == 3)	/* the error path returns without freeing */
		return;
	put(buf);
}

int main(void)
{
	int i;

	fd = open("/dev/nettypool", O_RDWR);
	if (fd < 0) {
		perror("/dev/nettypool");
		return 1;
	}
	for (i = 0; i < 2000; i++) {
		parse_request(i);
		write_response(i);
	}
	printf("leaky: 2000 requests served, waiting\n");
	fflush(stdout);
	pause();
	return 0;
}
