// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/cache.c (see Kbuild). */
#include "../../kernel/cache.c"
