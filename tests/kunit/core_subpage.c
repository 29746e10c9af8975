// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/subpage.c (see Kbuild). */
#include "../../kernel/subpage.c"
