// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_wdt: drivers/wdt (the Linux watchdog device as a hal watchdog) on
 * what any host has: a missing device, a device that is not a watchdog
 * (/dev/null: the timeout ioctl fails and nothing stays open), a timeout
 * out of the board's range, and feed/stop/boot reason before a start. The
 * real device (softdog) is driven by the image's supervisor in image.boot.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "wdt/dev_watchdog.h"

static void test_missing_device(void **st)
{
	(void)st;
	struct dev_watchdog_cfg cfg = { .device = "/nonexistent/watchdog", .max_timeout_ms = 60000 };
	struct hal_watchdog w = { .name = "wdt", .ops = &dev_watchdog_ops, .config = &cfg };
	assert_int_equal(w.ops->start(&w, 10000), -ENOENT);
	assert_null(w.data);
	assert_int_equal(w.ops->feed(&w), -EINVAL);
	assert_int_equal(w.ops->stop(&w), 0);
	assert_int_equal(w.ops->boot_reason(&w), HAL_BOOT_UNKNOWN);
}

static void test_not_a_watchdog(void **st)
{
	(void)st;
	struct dev_watchdog_cfg cfg = { .device = "/dev/null", .max_timeout_ms = 60000 };
	struct hal_watchdog w = { .name = "wdt", .ops = &dev_watchdog_ops, .config = &cfg };
	int rc = w.ops->start(&w, 10000);
	assert_true(rc == -ENOTTY || rc == -EINVAL);
	assert_null(w.data);
}

static void test_timeout_range(void **st)
{
	(void)st;
	struct dev_watchdog_cfg cfg = { .device = "/dev/null", .max_timeout_ms = 30000 };
	struct hal_watchdog w = { .name = "wdt", .ops = &dev_watchdog_ops, .config = &cfg };
	assert_int_equal(w.ops->start(&w, 60000), -EINVAL);
	assert_int_equal(w.ops->start(&w, 500), -EINVAL);
	assert_null(w.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_not_a_watchdog),
		cmocka_unit_test(test_timeout_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
