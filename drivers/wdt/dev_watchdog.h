/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dev_watchdog: the Linux watchdog character device (/dev/watchdog), as a
 * hal watchdog. Backs hardware watchdogs (iTCO, sp5100, i6300esb) and the
 * kernel's software one (softdog) alike.
 *
 * Owner:      the board declares it; start() opens the device and keeps the
 *             fd until stop().
 * Thread:     control thread.
 * Allocation: start() allocates once.
 * Errors:     start(): -EBUSY started twice or device held by another
 *             process, -EINVAL timeout out of the device's range, -ENOENT
 *             no such device, other negative errno from open/ioctl.
 *             stop(): magic close ("V"); -ENOTSUP when the device cannot be
 *             stopped (nowayout), the fd is closed all the same.
 */
#ifndef SEGW_DRIVERS_DEV_WATCHDOG_H
#define SEGW_DRIVERS_DEV_WATCHDOG_H

#include <stdint.h>

#include "segw/hal/watchdog.h"

struct dev_watchdog_cfg {
	const char *device;      /* "/dev/watchdog" */
	uint32_t max_timeout_ms; /* board limit; 0: the device's own */
};

extern const struct hal_watchdog_ops dev_watchdog_ops;

#endif
