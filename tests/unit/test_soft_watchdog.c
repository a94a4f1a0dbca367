// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the soft watchdog (drivers/watchdog) with test_no_abort:
 * an expiry is counted (and the boot-reason marker written) only when the
 * watchdog is not fed. Bounded: about two seconds in all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#include "segw/hal/watchdog.h"
#include "watchdog/soft_watchdog.h"

static char dir[64], marker[128];
static struct soft_watchdog_cfg cfg;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/segw-wdt-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(marker, sizeof(marker), "%s/boot_reason", dir);
	cfg = (struct soft_watchdog_cfg){ .max_timeout_ms = 5000, .reason_path = marker,
					  .test_no_abort = 1 };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(marker);
	rmdir(dir);
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void test_arguments(void **state)
{
	(void)state;
	struct hal_watchdog w = { .name = "wdt0", .ops = &soft_watchdog_ops, .config = &cfg };
	assert_int_equal(w.ops->feed(&w), -EINVAL); /* not started */
	assert_int_equal(w.ops->start(&w, 0), -EINVAL);
	assert_int_equal(w.ops->start(&w, 5001), -EINVAL);
	assert_null(w.data);
	assert_int_equal(w.ops->start(&w, 5000), 0);
	assert_int_equal(w.ops->start(&w, 1000), -EBUSY);
	assert_int_equal(w.ops->stop(&w), 0);
	assert_null(w.data);
	assert_int_equal(w.ops->stop(&w), 0); /* stopping a stopped one is fine */
	assert_int_equal(soft_watchdog_expired(&w), 0);
	/* started again after a stop */
	assert_int_equal(w.ops->start(&w, 1000), 0);
	assert_int_equal(w.ops->stop(&w), 0);
}

static void test_fed_never_expires(void **state)
{
	(void)state;
	struct hal_watchdog w = { .name = "wdt0", .ops = &soft_watchdog_ops, .config = &cfg };
	assert_int_equal(w.ops->boot_reason(&w), HAL_BOOT_POWER_ON);
	assert_int_equal(w.ops->start(&w, 500), 0);
	for (int i = 0; i < 80; i++) { /* 800 ms, past the timeout, fed every 10 ms */
		assert_int_equal(w.ops->feed(&w), 0);
		sleep_ms(10);
	}
	assert_int_equal(soft_watchdog_expired(&w), 0);
	assert_int_not_equal(access(marker, F_OK), 0);
	assert_int_equal(w.ops->stop(&w), 0);
	assert_int_equal(w.ops->boot_reason(&w), HAL_BOOT_POWER_ON);
}

static void test_unfed_expires(void **state)
{
	(void)state;
	struct hal_watchdog w = { .name = "wdt0", .ops = &soft_watchdog_ops, .config = &cfg };
	assert_int_equal(w.ops->start(&w, 100), 0);
	unsigned waited = 0;
	while (soft_watchdog_expired(&w) == 0 && waited < 2000) {
		sleep_ms(20);
		waited += 20;
	}
	assert_true(soft_watchdog_expired(&w) >= 1);
	assert_true(waited >= 80); /* not before the timeout */
	assert_int_equal(w.ops->stop(&w), 0);

	FILE *f = fopen(marker, "r");
	assert_non_null(f);
	char text[32] = "";
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "watchdog\n");
	/* the next boot learns why */
	assert_int_equal(w.ops->boot_reason(&w), HAL_BOOT_WATCHDOG);

	/* without a marker path the reason is unknown */
	struct soft_watchdog_cfg none = cfg;
	none.reason_path = NULL;
	struct hal_watchdog u = { .ops = &soft_watchdog_ops, .config = &none };
	assert_int_equal(u.ops->boot_reason(&u), HAL_BOOT_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fed_never_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unfed_expires, setup, teardown),
	};
	return cmocka_run_group_tests_name("soft_watchdog", tests, NULL, NULL);
}
