// SPDX-License-Identifier: GPL-2.0-or-later
/* console_run: a console session on a hal console. See console.h. */
#include "console/console.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
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

struct console_port {
	struct hal_console *c;
	struct console *k;
	int64_t last_tick;
	int hung;
};

int console_port_open(struct console_port **out, struct hal_console *c, struct store *s,
		      const struct console_cfg *cfg)
{
	struct console_port *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	int r = c->ops->open(c);
	if (r) {
		free(p);
		return r;
	}
	line_raw(c->ops->pollfd(c));
	r = console_new(&p->k, s, cfg, hal_write, c, c->ops->path(c));
	if (r) {
		c->ops->close(c);
		free(p);
		return r;
	}
	p->c = c;
	console_start(p->k);
	p->last_tick = (int64_t)time(NULL);
	*out = p;
	return 0;
}

int console_port_pollfd(const struct console_port *p, int *timeout_ms)
{
	/* No peer: the pty master reports hang-up until one opens it; look
	 * again every 100 ms instead of spinning on it. */
	if (timeout_ms && p->hung && *timeout_ms > 100)
		*timeout_ms = 100;
	return p->hung ? -1 : p->c->ops->pollfd(p->c);
}

void console_port_step(struct console_port *p)
{
	struct console_port *q = p;
	struct pollfd pf = { .fd = q->c->ops->pollfd(q->c), .events = POLLIN };
	if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR))) {
		uint8_t buf[256];
		ssize_t n = q->c->ops->read(q->c, buf, sizeof(buf));
		if (n > 0) {
			if (q->hung) {
				q->hung = 0;
				console_start(q->k);
			}
			console_feed(q->k, buf, (size_t)n, mono_ms());
		} else if (n == 0 && !q->hung) {
			q->hung = 1;
			console_hangup(q->k);
		}
	}
	console_feed(q->k, NULL, 0, mono_ms());
	int64_t now = (int64_t)time(NULL);
	if (now != q->last_tick) {
		q->last_tick = now;
		console_tick(q->k, now);
	}
}

struct console *console_port_session(struct console_port *p)
{
	return p->k;
}

void console_port_close(struct console_port *p)
{
	if (!p)
		return;
	console_free(p->k);
	p->c->ops->close(p->c);
	free(p);
}

int console_run(struct hal_console *c, struct store *s, const struct console_cfg *cfg)
{
	struct console_port *p;
	int r = console_port_open(&p, c, s, cfg);
	if (r)
		return r;
	while (!(cfg->stop && *cfg->stop)) {
		int tmo = 100;
		int fd = console_port_pollfd(p, &tmo);
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (fd >= 0)
			poll(&pf, 1, tmo);
		else
			poll(NULL, 0, tmo);
		console_port_step(p);
	}
	console_port_close(p);
	return 0;
}
