// SPDX-License-Identifier: GPL-2.0
/* nettypool_kunit.ko's copy of kernel/percpu.c (see Kbuild). */
#include "../../kernel/percpu.c"
