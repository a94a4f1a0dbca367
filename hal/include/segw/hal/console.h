/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal console: the operator's byte stream (pty on sim, ttyS0 on hardware).
 *
 * Owner:      the board declares it; the console CLI owns it once opened.
 * Thread:     the control thread only.
 * Allocation: open() may allocate once.
 * Errors:     negative errno; read returns -EAGAIN when nothing is waiting,
 *             0 when the peer hung up.
 */
#ifndef SEGW_HAL_CONSOLE_H
#define SEGW_HAL_CONSOLE_H

#include <stddef.h>
#include <sys/types.h>

struct hal_console;

struct hal_console_ops {
	const char *driver;
	int (*open)(struct hal_console *c);
	ssize_t (*read)(struct hal_console *c, void *buf, size_t len);
	ssize_t (*write)(struct hal_console *c, const void *buf, size_t len);
	int (*pollfd)(const struct hal_console *c);
	/* path: where a person connects (pty slave name, device path). */
	const char *(*path)(const struct hal_console *c);
	void (*close)(struct hal_console *c);
};

struct hal_console {
	const char *name;
	const struct hal_console_ops *ops;
	const void *config;
	void *data;
};

#endif
