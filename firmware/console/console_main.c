// SPDX-License-Identifier: GPL-2.0-or-later
/* console_run: a console session on a hal console. See console.h. */
#include "console/console.h"

#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Write all of @s; wait (bounded) while the line is full, then drop. */
static void hal_write(void *ctx, const char *s, size_t n)
{
	struct hal_console *c = ctx;
	unsigned waits = 0;
	while (n) {
		ssize_t w = c->ops->write(c, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if ((w != -EAGAIN && w != -EINTR) || ++waits > 20)
			return; /* nobody reads: the rest is lost, as on a real UART */
		struct pollfd p = { .fd = c->ops->pollfd(c), .events = POLLOUT };
		poll(&p, 1, 100);
	}
}

/*
 * Raw line settings: the CLI does its own echo and editing. A pty master
 * shares the terminal settings of its slave, so this also stops the slave's
 * line discipline from echoing our own output back to us as input.
 */
static void line_raw(int fd)
{
	struct termios t;
	if (fd < 0 || !isatty(fd) || tcgetattr(fd, &t) != 0)
		return;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIOFLUSH);
}

int console_run(struct hal_console *c, struct store *s, const struct console_cfg *cfg)
{
	int r = c->ops->open(c);
	if (r)
		return r;
	line_raw(c->ops->pollfd(c));
	struct console *k;
	r = console_new(&k, s, cfg, hal_write, c, c->ops->path(c));
	if (r) {
		c->ops->close(c);
		return r;
	}
	console_start(k);
	int64_t last_tick = (int64_t)time(NULL);
	int hung = 0;
	while (!(cfg->stop && *cfg->stop)) {
		struct pollfd p = { .fd = c->ops->pollfd(c), .events = POLLIN };
		int pr = poll(&p, 1, hung ? 0 : 100);
		if (hung) {
			/* No peer: the pty master reports hang-up until one opens it. */
			struct timespec ts = { 0, 100 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (pr > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
			uint8_t buf[256];
			ssize_t n = c->ops->read(c, buf, sizeof(buf));
			if (n > 0) {
				if (hung) {
					hung = 0;
					console_start(k);
				}
				console_feed(k, buf, (size_t)n, mono_ms());
			} else if (n == 0 && !hung) {
				hung = 1;
				console_hangup(k);
			}
		}
		console_feed(k, NULL, 0, mono_ms());
		int64_t now = (int64_t)time(NULL);
		if (now != last_tick) {
			last_tick = now;
			console_tick(k, now);
		}
	}
	console_free(k);
	c->ops->close(c);
	return 0;
}
