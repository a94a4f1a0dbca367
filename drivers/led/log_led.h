/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log LED: the sim board's status LED, a line on stderr per change. */
#ifndef SEGW_DRIVERS_LOG_LED_H
#define SEGW_DRIVERS_LOG_LED_H

#include "segw/hal/led.h"

extern const struct hal_led_ops log_led_ops;

#endif
