// SPDX-License-Identifier: GPL-2.0-or-later
/* log LED: see log_led.h. */
#include "log_led.h"

#include <stdint.h>
#include <stdio.h>

static int log_led_set(struct hal_led *l, enum hal_led_state s)
{
	static const char *const names[] = { "off", "on", "blink", "fault" };
	if ((unsigned)s > HAL_LED_FAULT)
		return -22;
	if (l->data == (void *)(uintptr_t)(s + 1))
		return 0;
	l->data = (void *)(uintptr_t)(s + 1);
	fprintf(stderr, "led %s: %s\n", l->name, names[s]);
	return 0;
}

const struct hal_led_ops log_led_ops = {
	.driver = "log",
	.set = log_led_set,
};
