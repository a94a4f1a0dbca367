// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the tty console driver (drivers/tty) in pty mode: the test
 * plays the operator on the slave side. Also tty mode on a real terminal
 * (the pty slave) and a missing device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "test_util.h"

#include "segw/hal/console.h"
#include "tty/tty_console.h"

static char dir[64], link_path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/segw-tty-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(link_path, sizeof(link_path), "%s/console", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(link_path);
	rmdir(dir);
	return 0;
}

/* Read exactly @n bytes from the console within a second. */
static void console_read_all(struct hal_console *c, char *buf, size_t n)
{
	size_t got = 0;
	for (int tries = 0; got < n && tries < 100; tries++) {
		struct pollfd pfd = { .fd = c->ops->pollfd(c), .events = POLLIN };
		poll(&pfd, 1, 10);
		ssize_t r = c->ops->read(c, buf + got, n - got);
		if (r == -EAGAIN)
			continue;
		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_int_equal(got, n);
}

static void fd_read_all(int fd, char *buf, size_t n)
{
	size_t got = 0;
	for (int tries = 0; got < n && tries < 100; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		ssize_t r = read(fd, buf + got, n - got);
		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_int_equal(got, n);
}

static void test_pty(void **state)
{
	(void)state;
	const struct tty_console_cfg cfg = { .pty = 1, .link_path = link_path };
	struct hal_console c = { .name = "console0", .ops = &tty_console_ops, .config = &cfg };
	assert_int_equal(c.ops->open(&c), 0);
	const char *slave = c.ops->path(&c);
	assert_true(strncmp(slave, "/dev/pts/", 9) == 0);
	assert_true(c.ops->pollfd(&c) >= 0);

	/* published where a person connects */
	char target[PATH_MAX];
	ssize_t tl = readlink(link_path, target, sizeof(target) - 1);
	assert_true(tl > 0);
	target[tl] = 0;
	assert_string_equal(target, slave);

	/* nothing typed yet */
	char buf[64];
	assert_int_equal(c.ops->read(&c, buf, sizeof(buf)), -EAGAIN);

	int s = open(link_path, O_RDWR | O_NOCTTY);
	assert_true(s >= 0);
	struct termios t;
	assert_int_equal(tcgetattr(s, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(s, TCSANOW, &t), 0);

	/* operator to firmware */
	static const char cmd[] = "show counters\r";
	assert_int_equal(write(s, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	console_read_all(&c, buf, strlen(cmd));
	assert_memory_equal(buf, cmd, strlen(cmd));

	/* firmware to operator */
	static const char out[] = "segw> ";
	assert_int_equal(c.ops->write(&c, out, strlen(out)), (ssize_t)strlen(out));
	fd_read_all(s, buf, strlen(out));
	assert_memory_equal(buf, out, strlen(out));

	/* the operator hangs up: read says 0 */
	close(s);
	ssize_t r = -EAGAIN;
	for (int i = 0; i < 100 && r == -EAGAIN; i++) {
		usleep(1000);
		r = c.ops->read(&c, buf, sizeof(buf));
	}
	assert_int_equal(r, 0);

	c.ops->close(&c);
	assert_null(c.data);
	assert_int_not_equal(access(link_path, F_OK), 0); /* link removed */
	assert_int_equal(c.ops->pollfd(&c), -1);
	assert_string_equal(c.ops->path(&c), "");
}

/* tty mode: a real terminal opened raw at the configured speed. */
static void test_tty_device(void **state)
{
	(void)state;
	const struct tty_console_cfg pcfg = { .pty = 1, .link_path = NULL };
	struct hal_console m = { .ops = &tty_console_ops, .config = &pcfg };
	assert_int_equal(m.ops->open(&m), 0);

	struct tty_console_cfg tcfg = { .pty = 0, .device = m.ops->path(&m), .baud = 9600 };
	struct hal_console c = { .ops = &tty_console_ops, .config = &tcfg };
	assert_int_equal(c.ops->open(&c), 0);
	assert_string_equal(c.ops->path(&c), tcfg.device);
	struct termios t;
	assert_int_equal(tcgetattr(c.ops->pollfd(&c), &t), 0);
	assert_int_equal(cfgetospeed(&t), B9600);
	assert_int_equal(t.c_lflag & ICANON, 0); /* raw */
	assert_int_equal(t.c_cflag & CSIZE, CS8);
	assert_int_equal(t.c_cflag & (PARENB | CSTOPB), 0);

	/* bytes cross both ways */
	char buf[8];
	assert_int_equal(c.ops->write(&c, "ok", 2), 2);
	console_read_all(&m, buf, 2);
	assert_memory_equal(buf, "ok", 2);
	c.ops->close(&c);
	m.ops->close(&m);

	tcfg.device = "/dev/segw-no-such-tty";
	assert_int_equal(c.ops->open(&c), -ENOENT);
	assert_null(c.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty_device, setup, teardown),
	};
	return cmocka_run_group_tests_name("tty_console", tests, NULL, NULL);
}
