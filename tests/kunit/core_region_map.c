// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/region_map.c (see Kbuild). */
#include "../../kernel/region_map.c"
