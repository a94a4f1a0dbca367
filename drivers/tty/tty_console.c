// SPDX-License-Identifier: GPL-2.0-or-later
/* tty/pty console: see tty_console.h. */
#define _GNU_SOURCE
#include "tty_console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct tty_data {
	int fd;
	char path[256];
};

static speed_t baud_flag(unsigned baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	default: return B115200;
	}
}

static int tty_open(struct hal_console *c)
{
	const struct tty_console_cfg *cfg = c->config;
	struct tty_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (cfg->pty) {
		d->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (d->fd < 0 || grantpt(d->fd) < 0 || unlockpt(d->fd) < 0 ||
		    ptsname_r(d->fd, d->path, sizeof(d->path)) != 0) {
			int e = -errno;
			if (d->fd >= 0)
				close(d->fd);
			free(d);
			return e;
		}
		if (cfg->link_path) {
			unlink(cfg->link_path);
			if (symlink(d->path, cfg->link_path) < 0) {
				int e = -errno;
				close(d->fd);
				free(d);
				return e;
			}
		}
	} else {
		d->fd = open(cfg->device, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (d->fd < 0) {
			int e = -errno;
			free(d);
			return e;
		}
		snprintf(d->path, sizeof(d->path), "%s", cfg->device);
		struct termios t;
		if (tcgetattr(d->fd, &t) == 0) {
			cfmakeraw(&t);
			cfsetispeed(&t, baud_flag(cfg->baud));
			cfsetospeed(&t, baud_flag(cfg->baud));
			t.c_cflag |= CLOCAL | CREAD;
			t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB);
			tcsetattr(d->fd, TCSANOW, &t);
		}
	}
	fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) | O_NONBLOCK);
	c->data = d;
	return 0;
}

static ssize_t tty_read(struct hal_console *c, void *buf, size_t len)
{
	struct tty_data *d = c->data;
	ssize_t n = read(d->fd, buf, len);
	if (n < 0)
		return errno == EIO ? 0 : -errno; /* pty master: EIO when no slave */
	return n;
}

static ssize_t tty_write(struct hal_console *c, const void *buf, size_t len)
{
	struct tty_data *d = c->data;
	ssize_t n = write(d->fd, buf, len);
	return n < 0 ? -errno : n;
}

static int tty_pollfd(const struct hal_console *c)
{
	const struct tty_data *d = c->data;
	return d ? d->fd : -1;
}

static const char *tty_path(const struct hal_console *c)
{
	const struct tty_data *d = c->data;
	return d ? d->path : "";
}

static void tty_close(struct hal_console *c)
{
	const struct tty_console_cfg *cfg = c->config;
	struct tty_data *d = c->data;
	if (!d)
		return;
	if (cfg->pty && cfg->link_path)
		unlink(cfg->link_path);
	close(d->fd);
	free(d);
	c->data = NULL;
}

const struct hal_console_ops tty_console_ops = {
	.driver = "tty",
	.open = tty_open,
	.read = tty_read,
	.write = tty_write,
	.pollfd = tty_pollfd,
	.path = tty_path,
	.close = tty_close,
};
