/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal rng: cryptographically secure random bytes. Any thread.
 * Errors: -EIO when the entropy source fails (never returns weak bytes).
 */
#ifndef SEGW_HAL_RNG_H
#define SEGW_HAL_RNG_H

#include <stddef.h>

struct hal_rng_ops {
	const char *driver;
	int (*fill)(void *buf, size_t len);
};

#endif
