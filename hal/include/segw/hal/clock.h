/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal clock: monotonic time for timers, wall time for logs.
 * Any thread. Never fails on supported boards.
 */
#ifndef SEGW_HAL_CLOCK_H
#define SEGW_HAL_CLOCK_H

#include <stdint.h>

struct hal_clock_ops {
	const char *driver;
	uint64_t (*mono_ns)(void);
	uint64_t (*wall_ns)(void);
};

#endif
