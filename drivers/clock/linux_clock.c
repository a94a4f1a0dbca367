// SPDX-License-Identifier: GPL-2.0-or-later
/* Linux clock and rng: see linux_clock.h. */
#include "linux_clock.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

static uint64_t ts_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void) { return ts_ns(CLOCK_MONOTONIC); }
static uint64_t wall_ns(void) { return ts_ns(CLOCK_REALTIME); }

const struct hal_clock_ops linux_clock_ops = {
	.driver = "linux",
	.mono_ns = mono_ns,
	.wall_ns = wall_ns,
};

static int rng_fill(void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

const struct hal_rng_ops linux_rng_ops = {
	.driver = "getrandom",
	.fill = rng_fill,
};
