// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/*
 * The kernel backend: pools that live in nettypool.ko behind
 * /dev/nettypool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "np_lib.h"

static const char *np_kernel_device(const struct np_pool_opts *opts)
{
	const char *dev = opts ? opts->device : NULL;

	if (!dev)
		dev = getenv("NETTYPOOL_DEV");
	return dev && *dev ? dev : "/dev/nettypool";
}

/**
 * np_kernel_open() - open a pool in the kernel module
 * @pool: the pool being opened.
 * @opts: the caller's options, or NULL.
 * @cfg: the requested configuration.
 *
 * Return: 0, -ENODEV when the local backend was asked for or the device
 * cannot be opened, or another negative errno.
 */
int np_kernel_open(struct np_pool *pool, const struct np_pool_opts *opts,
		   struct np_config *cfg)
{
	int fd;

	(void)pool;
	(void)cfg;
	if (opts && opts->backend == NP_BACKEND_LOCAL)
		return -ENODEV;
	fd = open(np_kernel_device(opts), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -ENODEV;
	close(fd);
	return -ENODEV;
}
