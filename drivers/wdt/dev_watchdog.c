// SPDX-License-Identifier: GPL-2.0-or-later
/* /dev/watchdog as a hal watchdog: see dev_watchdog.h. */
#include "dev_watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct dev_wdt_data {
	int fd;
	int boot_status;
};

static int dw_start(struct hal_watchdog *w, uint32_t timeout_ms)
{
	const struct dev_watchdog_cfg *c = w->config;
	if (w->data)
		return -EBUSY;
	if (timeout_ms < 1000 || (c->max_timeout_ms && timeout_ms > c->max_timeout_ms))
		return -EINVAL;
	struct dev_wdt_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = open(c->device, O_WRONLY | O_CLOEXEC);
	if (d->fd < 0) {
		int e = errno;
		free(d);
		return -e;
	}
	int secs = (int)((timeout_ms + 999) / 1000);
	if (ioctl(d->fd, WDIOC_SETTIMEOUT, &secs) < 0) {
		int e = errno;
		/* magic close so a refused start leaves no running timer */
		(void)!write(d->fd, "V", 1);
		close(d->fd);
		free(d);
		return e == EINVAL ? -EINVAL : -e;
	}
	if (ioctl(d->fd, WDIOC_GETBOOTSTATUS, &d->boot_status) < 0)
		d->boot_status = -1;
	w->data = d;
	return 0;
}

static int dw_feed(struct hal_watchdog *w)
{
	struct dev_wdt_data *d = w->data;
	if (!d)
		return -EINVAL;
	if (ioctl(d->fd, WDIOC_KEEPALIVE, 0) < 0)
		return -errno;
	return 0;
}

static int dw_stop(struct hal_watchdog *w)
{
	struct dev_wdt_data *d = w->data;
	if (!d)
		return 0;
	int rc = 0;
	int flags = WDIOS_DISABLECARD;
	if (ioctl(d->fd, WDIOC_SETOPTIONS, &flags) < 0)
		rc = -ENOTSUP;
	if (write(d->fd, "V", 1) != 1)
		rc = -ENOTSUP;
	close(d->fd);
	free(d);
	w->data = NULL;
	return rc;
}

static enum hal_boot_reason dw_boot_reason(const struct hal_watchdog *w)
{
	const struct dev_wdt_data *d = w->data;
	if (!d || d->boot_status < 0)
		return HAL_BOOT_UNKNOWN;
	return (d->boot_status & WDIOF_CARDRESET) ? HAL_BOOT_WATCHDOG : HAL_BOOT_POWER_ON;
}

const struct hal_watchdog_ops dev_watchdog_ops = {
	.driver = "dev-watchdog",
	.start = dw_start,
	.feed = dw_feed,
	.stop = dw_stop,
	.boot_reason = dw_boot_reason,
};
