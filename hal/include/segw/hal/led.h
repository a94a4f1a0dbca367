/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal led: status indication. Control thread; never fails the caller's work
 * (errors are negative errno and may be ignored).
 */
#ifndef SEGW_HAL_LED_H
#define SEGW_HAL_LED_H

enum hal_led_state { HAL_LED_OFF = 0, HAL_LED_ON, HAL_LED_BLINK, HAL_LED_FAULT };

struct hal_led;

struct hal_led_ops {
	const char *driver;
	int (*set)(struct hal_led *l, enum hal_led_state s);
};

struct hal_led {
	const char *name;
	const struct hal_led_ops *ops;
	const void *config;
	void *data;
};

#endif
