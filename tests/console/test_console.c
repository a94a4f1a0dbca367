// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the console line editor, command matcher and lockout (no pty). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "console/console.h"

static char echo[8192];
static size_t echo_len;

static void capture(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (n > sizeof(echo) - 1 - echo_len)
		n = sizeof(echo) - 1 - echo_len;
	memcpy(echo + echo_len, s, n);
	echo_len += n;
	echo[echo_len] = '\0';
}

static enum console_line_ev type(struct console_line *l, const char *s)
{
	enum console_line_ev ev = CONSOLE_LINE_NONE;
	for (; *s; s++)
		ev = console_line_feed(l, (uint8_t)*s);
	return ev;
}

static void test_line_editing(void **state)
{
	static struct console_line l;
	(void)state;
	console_line_init(&l, capture, NULL);
	/* insert, backspace, DEL, left arrow + insert in the middle */
	assert_int_equal(type(&l, "shwo\x7f\x7fow\x1b[D\x1b[D\x1b[Dx\x08"), CONSOLE_LINE_NONE);
	assert_string_equal(l.buf, "show");
	assert_int_equal(type(&l, "\x1b[Dq\x1b[C!\r"), CONSOLE_LINE_DONE);
	assert_string_equal(l.buf, "qs!how");
	/* CR LF is one line end; LF alone is one too */
	assert_int_equal(console_line_feed(&l, '\n'), CONSOLE_LINE_NONE);
	assert_int_equal(type(&l, "abc\n"), CONSOLE_LINE_DONE);
	assert_string_equal(l.buf, "abc");
	/* history: up twice, down once */
	type(&l, "zz");
	assert_int_equal(type(&l, "\x1b[A\x1b[A"), CONSOLE_LINE_NONE);
	assert_string_equal(l.buf, "qs!how");
	type(&l, "\x1b[B");
	assert_string_equal(l.buf, "abc");
	type(&l, "\x1b[B");
	assert_string_equal(l.buf, "zz");
	/* ^U erases, ^C cancels */
	type(&l, "\x15");
	assert_int_equal(l.len, 0);
	assert_int_equal(type(&l, "junk\x03"), CONSOLE_LINE_CANCEL);
	assert_int_equal(console_line_feed(&l, 0x04), CONSOLE_LINE_EOF);
	/* ? and TAB are events; ? inside quotes is text */
	assert_int_equal(type(&l, "show ?"), CONSOLE_LINE_HELP);
	assert_string_equal(l.buf, "show ");
	assert_int_equal(type(&l, "\"a?"), CONSOLE_LINE_NONE);
	assert_string_equal(l.buf, "show \"a?");
	assert_int_equal(type(&l, "\t"), CONSOLE_LINE_COMPLETE);
	/* bounded */
	console_line_clear(&l);
	for (int i = 0; i < CONSOLE_LINE_MAX + 50; i++)
		console_line_feed(&l, 'a');
	assert_int_equal(l.len, CONSOLE_LINE_MAX);
	/* no echo for passwords */
	console_line_clear(&l);
	l.echo = 0;
	echo_len = 0;
	assert_int_equal(type(&l, "secret\r"), CONSOLE_LINE_DONE);
	assert_string_equal(echo, "\r\n");
}

static int nop(void *s, const struct console_cmd *c, const struct console_args *a)
{
	(void)s;
	(void)c;
	(void)a;
	return 0;
}

static const struct console_cmd tab[] = {
	{ { "show" }, 1, 1, 0, NULL, "Show", NULL, 0 },
	{ { "show", "interfaces" }, 1, 1, 0, NULL, "ifs", nop, 0 },
	{ { "show", "int-stats" }, 1, 1, 0, NULL, "is", nop, 0 },
	{ { "show", "policy" }, 1, 1, 0, NULL, "pol", nop, 0 },
	{ { "configure" }, 1, 2, 0, NULL, "conf", nop, 0 },
	{ { "commit" }, 1, 2, CONSOLE_ARG_TEXT_OPT, "comment", "commit", nop, 0 },
	{ { "commit", "confirmed" }, 1, 2, CONSOLE_ARG_NUM, "seconds", "cc", nop, 0 },
};

static void test_matcher(void **state)
{
	struct console_args a;
	struct console_cmd_err e;
	(void)state;
	assert_ptr_equal(console_cmd_match(tab, 7, 1, 1, "sh po", &a, &e), &tab[3]);
	assert_null(console_cmd_match(tab, 7, 1, 1, "show int", &a, &e));
	assert_int_equal(e.off, 5);
	assert_non_null(strstr(e.msg, "ambiguous"));
	assert_null(console_cmd_match(tab, 7, 1, 1, "show polcy", &a, &e));
	assert_int_equal(e.off, 5);
	assert_null(console_cmd_match(tab, 7, 1, 1, "show", &a, &e));
	assert_non_null(strstr(e.msg, "incomplete"));
	assert_null(console_cmd_match(tab, 7, 1, 1, "configure", &a, &e));
	assert_non_null(strstr(e.msg, "permission denied"));
	assert_ptr_equal(console_cmd_match(tab, 7, 1, 2, "commit confirmed 30", &a, &e), &tab[6]);
	assert_int_equal(a.num, 30);
	assert_null(console_cmd_match(tab, 7, 1, 2, "commit confirmed 3x", &a, &e));
	assert_int_equal(e.off, 17);
	assert_ptr_equal(console_cmd_match(tab, 7, 1, 2, "commit conf fix", &a, &e), &tab[5]);
	assert_int_equal(a.first_arg, 1);
	struct console_choices ch;
	assert_int_equal(console_cmd_choices(tab, 7, 1, 1, "show i", 6, &ch, &e), 0);
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.partial_len, 1);
	assert_int_equal(console_cmd_choices(tab, 7, 1, 1, "", 0, &ch, &e), 0);
	assert_int_equal(ch.n, 1); /* operator: only show */
}

static void test_lockout(void **state)
{
	struct console_lockout l = { .base_ms = 1000, .max_ms = 5000 };
	(void)state;
	assert_int_equal(console_lockout_fail(&l, 0), 0);
	assert_int_equal(console_lockout_fail(&l, 0), 0);
	assert_int_equal(console_lockout_fail(&l, 0), 1000);
	assert_int_equal(console_lockout_left(&l, 400), 600);
	assert_int_equal(console_lockout_fail(&l, 2000), 2000);
	assert_int_equal(console_lockout_fail(&l, 5000), 4000);
	assert_int_equal(console_lockout_fail(&l, 9000), 5000);
	assert_int_equal(l.total_failures, 6);
	assert_int_equal(l.lockouts, 4);
	console_lockout_ok(&l);
	assert_int_equal(console_lockout_fail(&l, 0), 0);
}

static void test_hash(void **state)
{
	char h[CONSOLE_HASH_MAX];
	(void)state;
	assert_int_equal(console_auth_hash("pw", "$6$", h, sizeof(h)), 0);
	assert_memory_equal(h, "$6$", 3);
	struct console_user u[] = { { "a", h, CONSOLE_ROLE_ADMIN } };
	assert_non_null(console_auth_check(u, 1, "a", "pw"));
	assert_null(console_auth_check(u, 1, "a", "px"));
	assert_null(console_auth_check(u, 1, "b", "pw"));
	char h2[CONSOLE_HASH_MAX];
	assert_int_equal(console_auth_hash("pw", "$6$", h2, sizeof(h2)), 0);
	assert_string_not_equal(h, h2); /* salted */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_editing),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
