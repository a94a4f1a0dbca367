/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tty/pty console driver.
 *   pty: opens a pseudo-terminal master; a person (or a test) connects to the
 *        slave, whose name is published as a symlink at link_path.
 *   tty: opens a serial device (e.g. /dev/ttyS0) raw at the given baud, 8N1.
 * Thread: control thread. Errors: negative errno from the system calls;
 * read -EAGAIN when nothing is waiting, 0 on hang-up.
 */
#ifndef SEGW_DRIVERS_TTY_CONSOLE_H
#define SEGW_DRIVERS_TTY_CONSOLE_H

#include "segw/hal/console.h"

struct tty_console_cfg {
	int pty;                /* 1: allocate a pty, 0: open device */
	const char *device;     /* tty: device path */
	const char *link_path;  /* pty: symlink to the slave, NULL for none */
	unsigned baud;          /* tty: 9600..115200 */
};

extern const struct hal_console_ops tty_console_ops;

#endif
