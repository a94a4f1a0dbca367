/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux clock and rng drivers: clock_gettime and getrandom(2). */
#ifndef SEGW_DRIVERS_LINUX_CLOCK_H
#define SEGW_DRIVERS_LINUX_CLOCK_H

#include "segw/hal/clock.h"
#include "segw/hal/rng.h"

extern const struct hal_clock_ops linux_clock_ops;
extern const struct hal_rng_ops linux_rng_ops;

#endif
