// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/arena.c (see Kbuild). */
#include "../../kernel/arena.c"
