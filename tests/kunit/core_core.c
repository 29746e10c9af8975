// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/core.c (see Kbuild). */
#include "../../kernel/core.c"
