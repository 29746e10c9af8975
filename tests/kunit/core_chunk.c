// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/chunk.c (see Kbuild). */
#include "../../kernel/chunk.c"
