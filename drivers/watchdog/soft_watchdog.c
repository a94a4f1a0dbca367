// SPDX-License-Identifier: GPL-2.0-or-later
/* Soft watchdog: see soft_watchdog.h. */
#define _GNU_SOURCE
#include "soft_watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct soft_wdt_data {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint32_t timeout_ms;
	uint64_t last_feed_ns;
	int running;
	atomic_uint expired;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *monitor(void *arg)
{
	struct hal_watchdog *w = arg;
	const struct soft_watchdog_cfg *c = w->config;
	struct soft_wdt_data *d = w->data;

	pthread_mutex_lock(&d->mu);
	while (d->running) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cv, &d->mu, &ts);
		if (!d->running)
			break;
		if (now_ns() - d->last_feed_ns > (uint64_t)d->timeout_ms * 1000000ull) {
			atomic_fetch_add(&d->expired, 1);
			d->last_feed_ns = now_ns();
			if (c->reason_path) {
				int fd = open(c->reason_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
				if (fd >= 0) {
					(void)!write(fd, "watchdog\n", 9);
					fsync(fd);
					close(fd);
				}
			}
			if (!c->test_no_abort) {
				static const char msg[] = "segw: soft watchdog expired, resetting\n";
				(void)!write(2, msg, sizeof(msg) - 1);
				abort();
			}
		}
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static int sw_start(struct hal_watchdog *w, uint32_t timeout_ms)
{
	const struct soft_watchdog_cfg *c = w->config;
	if (w->data)
		return -EBUSY;
	if (timeout_ms == 0 || (c->max_timeout_ms && timeout_ms > c->max_timeout_ms))
		return -EINVAL;
	struct soft_wdt_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->timeout_ms = timeout_ms;
	d->last_feed_ns = now_ns();
	d->running = 1;
	w->data = d;
	if (pthread_create(&d->th, NULL, monitor, w) != 0) {
		w->data = NULL;
		free(d);
		return -EAGAIN;
	}
	return 0;
}

static int sw_feed(struct hal_watchdog *w)
{
	struct soft_wdt_data *d = w->data;
	if (!d)
		return -EINVAL;
	pthread_mutex_lock(&d->mu);
	d->last_feed_ns = now_ns();
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static int sw_stop(struct hal_watchdog *w)
{
	struct soft_wdt_data *d = w->data;
	if (!d)
		return 0;
	pthread_mutex_lock(&d->mu);
	d->running = 0;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
	w->data = NULL;
	return 0;
}

static enum hal_boot_reason sw_boot_reason(const struct hal_watchdog *w)
{
	const struct soft_watchdog_cfg *c = w->config;
	if (!c->reason_path)
		return HAL_BOOT_UNKNOWN;
	if (access(c->reason_path, F_OK) == 0)
		return HAL_BOOT_WATCHDOG;
	return HAL_BOOT_POWER_ON;
}

unsigned soft_watchdog_expired(const struct hal_watchdog *w)
{
	const struct soft_wdt_data *d = w->data;
	return d ? atomic_load(&d->expired) : 0;
}

const struct hal_watchdog_ops soft_watchdog_ops = {
	.driver = "soft",
	.start = sw_start,
	.feed = sw_feed,
	.stop = sw_stop,
	.boot_reason = sw_boot_reason,
};
