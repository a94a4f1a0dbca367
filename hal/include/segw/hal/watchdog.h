/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal watchdog: resets the box unless fed.
 *
 * Owner:      the board declares it; the control loop feeds it, and only
 *             while every worker's heartbeat advances.
 * Thread:     control thread.
 * Errors:     -EBUSY started twice, -EINVAL timeout out of range,
 *             -ENOTSUP operation not offered by the hardware.
 */
#ifndef SEGW_HAL_WATCHDOG_H
#define SEGW_HAL_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

enum hal_boot_reason { HAL_BOOT_POWER_ON = 0, HAL_BOOT_WATCHDOG, HAL_BOOT_UNKNOWN };

struct hal_watchdog;

struct hal_watchdog_ops {
	const char *driver;
	int (*start)(struct hal_watchdog *w, uint32_t timeout_ms);
	int (*feed)(struct hal_watchdog *w);
	int (*stop)(struct hal_watchdog *w); /* magic close where supported */
	enum hal_boot_reason (*boot_reason)(const struct hal_watchdog *w);
};

struct hal_watchdog {
	const char *name;
	const struct hal_watchdog_ops *ops;
	const void *config;
	void *data;
};

#endif
