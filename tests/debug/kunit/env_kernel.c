// SPDX-License-Identifier: GPL-2.0
/* the kernel environment, built into the KUnit module; see Kbuild */
#include "../../../kernel/env/env_kernel.c"
