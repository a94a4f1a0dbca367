/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Soft watchdog: a monitor thread that, unless fed within the timeout,
 * writes a boot-reason marker file and aborts the process so that the
 * supervisor restarts it (the software equivalent of a reset).
 *
 * Thread: start/feed/stop from the control thread; the monitor is internal.
 * Errors: -EBUSY started twice, -EINVAL timeout 0 or above max_timeout_ms.
 */
#ifndef SEGW_DRIVERS_SOFT_WATCHDOG_H
#define SEGW_DRIVERS_SOFT_WATCHDOG_H

#include <stdint.h>

#include "segw/hal/watchdog.h"

struct soft_watchdog_cfg {
	uint32_t max_timeout_ms;
	const char *reason_path; /* marker written on expiry, read at boot */
	int test_no_abort;       /* unit tests: record expiry instead of abort */
};

extern const struct hal_watchdog_ops soft_watchdog_ops;

/* soft_watchdog_expired - tests: how many times the timeout passed unfed. */
unsigned soft_watchdog_expired(const struct hal_watchdog *w);

#endif
