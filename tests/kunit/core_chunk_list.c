// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/chunk_list.c (see Kbuild). */
#include "../../kernel/chunk_list.c"
