// SPDX-License-Identifier: GPL-2.0
/* Output for people: colour when asked for, sizes in human units. */
#include <stdio.h>

#include "cli.h"

const char *col(const char *code)
{
	return use_color ? code : "";
}

/* Human units, one decimal: "512 B", "1.5 KiB", "4.0 MiB". */
const char *human(char *buf, size_t len, ull bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u < sizeof(units) / sizeof(units[0]) - 1) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
