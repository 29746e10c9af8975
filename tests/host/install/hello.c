// SPDX-License-Identifier: GPL-2.0
/*
 * A program written as a new user would write it: only <nettypool.h>,
 * built with pkg-config against an installed libnettypool. It checks
 * Netty's behaviour on the local backend: 24, 800 and 16384 bytes are one
 * tiny, one small and one normal allocation, with Netty's capacities,
 * and their frees wait in the thread's cache until np_trim().
 */
#include <stdio.h>
#include <string.h>

#include <nettypool.h>

int main(void)
{
	struct np_pool_opts opts = { .backend = NP_BACKEND_LOCAL };
	struct np_pool *pool = np_pool_open(&opts);
	static const size_t sizes[] = { 24, 800, 16384 };
	static const size_t capacities[] = { 32, 1024, 16384 };
	struct np_stats st;
	void *buf[3];
	int i;

	if (!pool)
		return 1;
	for (i = 0; i < 3; i++) {
		buf[i] = np_alloc(pool, sizes[i]);
		if (!buf[i] || np_usable_size(pool, buf[i]) != capacities[i])
			return 2;
		memset(buf[i], 0x5a, sizes[i]);
	}
	if (np_pool_stats(pool, &st) || st.alloc_tiny != 1 ||
	    st.alloc_small != 1 || st.alloc_normal != 1 || st.active_buffers != 3)
		return 3;
	for (i = 0; i < 3; i++)
		if (np_free(pool, buf[i]))
			return 4;
	if (np_free(pool, buf[0]) != -1)
		return 5;
	/* freed buffers wait in this thread's cache, until a trim */
	if (np_pool_stats(pool, &st) || st.active_buffers ||
	    st.bytes_cached != 32 + 1024 + 16384 || st.free_tiny)
		return 6;
	if (np_trim(pool) || np_pool_stats(pool, &st) || st.bytes_cached ||
	    st.free_tiny != 1 || st.free_small != 1 || st.free_normal != 1)
		return 7;
	printf("hello from libnettypool: %llu chunk(s) of %llu bytes\n",
	       (unsigned long long)st.chunks, (unsigned long long)st.chunk_size);
	return np_pool_close(pool);
}
