// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/backing.c (see Kbuild). */
#include "../../kernel/backing.c"
