// SPDX-License-Identifier: GPL-2.0-or-later
/* console_line: see console_line.h. */
#include "console/console_line.h"

#include <string.h>

static void out(struct console_line *l, const char *s, size_t n)
{
	if (l->echo && n)
		l->write(l->ctx, s, n);
}

static void backs(struct console_line *l, size_t n)
{
	static const char bs[16] = "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b";
	while (n) {
		size_t k = n < sizeof(bs) ? n : sizeof(bs);
		out(l, bs, k);
		n -= k;
	}
}

static void spaces(struct console_line *l, size_t n)
{
	static const char sp[16] = "                ";
	while (n) {
		size_t k = n < sizeof(sp) ? n : sizeof(sp);
		out(l, sp, k);
		n -= k;
	}
}

void console_line_clear(struct console_line *l)
{
	l->len = l->cur = 0;
	l->buf[0] = '\0';
	l->esc = 0;
	l->done = 0;
	l->hist_pos = -1;
}

void console_line_init(struct console_line *l, console_write_fn write, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->write = write;
	l->ctx = ctx;
	l->echo = l->help = l->history = 1;
	console_line_clear(l);
}

/* Erase what is shown and show @s instead, cursor at its end. */
static void replace(struct console_line *l, const char *s)
{
	size_t n = strlen(s);
	if (n > CONSOLE_LINE_MAX)
		n = CONSOLE_LINE_MAX;
	out(l, l->buf + l->cur, l->len - l->cur); /* cursor to the end */
	backs(l, l->len);
	spaces(l, l->len);
	backs(l, l->len);
	memmove(l->buf, s, n);
	l->buf[n] = '\0';
	l->len = l->cur = n;
	out(l, l->buf, n);
}

void console_line_insert(struct console_line *l, const char *s, size_t n)
{
	if (n > CONSOLE_LINE_MAX - l->len) {
		n = CONSOLE_LINE_MAX - l->len;
		if (l->echo)
			l->write(l->ctx, "\a", 1);
	}
	if (!n)
		return;
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur);
	memcpy(l->buf + l->cur, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	out(l, l->buf + l->cur, l->len - l->cur);
	l->cur += n;
	backs(l, l->len - l->cur);
}

static void delete_left(struct console_line *l)
{
	if (!l->cur)
		return;
	memmove(l->buf + l->cur - 1, l->buf + l->cur, l->len - l->cur);
	l->cur--;
	l->len--;
	l->buf[l->len] = '\0';
	out(l, "\b", 1);
	out(l, l->buf + l->cur, l->len - l->cur);
	out(l, " ", 1);
	backs(l, l->len - l->cur + 1);
}

static void history_push(struct console_line *l)
{
	if (!l->history || !l->len)
		return;
	if (l->hist_n) {
		unsigned last = (l->hist_next + CONSOLE_HIST_MAX - 1) % CONSOLE_HIST_MAX;
		if (strcmp(l->hist[last], l->buf) == 0)
			return;
	}
	memcpy(l->hist[l->hist_next], l->buf, l->len + 1);
	l->hist_next = (l->hist_next + 1) % CONSOLE_HIST_MAX;
	if (l->hist_n < CONSOLE_HIST_MAX)
		l->hist_n++;
}

/* @dir -1: older, +1: newer. hist_pos counts back from the newest (0). */
static void history_move(struct console_line *l, int dir)
{
	if (!l->history)
		return;
	int pos = l->hist_pos + (dir < 0 ? 1 : -1);
	if (pos >= (int)l->hist_n || pos < -1)
		return;
	if (l->hist_pos == -1)
		memcpy(l->saved, l->buf, l->len + 1);
	l->hist_pos = pos;
	if (pos == -1) {
		replace(l, l->saved);
	} else {
		unsigned i = (l->hist_next + CONSOLE_HIST_MAX - 1 - (unsigned)pos) % CONSOLE_HIST_MAX;
		replace(l, l->hist[i]);
	}
}

static int in_quotes(const struct console_line *l)
{
	int q = 0;
	for (size_t i = 0; i < l->cur; i++)
		q ^= l->buf[i] == '"';
	return q;
}

static enum console_line_ev escape(struct console_line *l, uint8_t b)
{
	if (l->esc == 1) {
		l->esc = (b == '[' || b == 'O') ? 2 : 0;
		return CONSOLE_LINE_NONE;
	}
	if ((b >= '0' && b <= '9') || b == ';')
		return CONSOLE_LINE_NONE; /* parameters: ignored */
	l->esc = 0;
	switch (b) {
	case 'A':
		history_move(l, -1);
		break;
	case 'B':
		history_move(l, 1);
		break;
	case 'C':
		if (l->cur < l->len) {
			out(l, l->buf + l->cur, 1);
			l->cur++;
		}
		break;
	case 'D':
		if (l->cur) {
			out(l, "\b", 1);
			l->cur--;
		}
		break;
	case 'H':
		backs(l, l->cur);
		l->cur = 0;
		break;
	case 'F':
		out(l, l->buf + l->cur, l->len - l->cur);
		l->cur = l->len;
		break;
	default:
		break;
	}
	return CONSOLE_LINE_NONE;
}

enum console_line_ev console_line_feed(struct console_line *l, uint8_t b)
{
	if (l->done)
		console_line_clear(l);
	int was_cr = l->last_cr;
	l->last_cr = 0;
	if (l->esc)
		return escape(l, b);
	switch (b) {
	case '\r':
		l->last_cr = 1;
		/* fall through */
	case '\n':
		if (b == '\n' && was_cr)
			return CONSOLE_LINE_NONE;
		l->write(l->ctx, "\r\n", 2);
		history_push(l);
		l->done = 1;
		return CONSOLE_LINE_DONE;
	case 0x08:
	case 0x7f:
		delete_left(l);
		return CONSOLE_LINE_NONE;
	case 0x01:
		backs(l, l->cur);
		l->cur = 0;
		return CONSOLE_LINE_NONE;
	case 0x05:
		out(l, l->buf + l->cur, l->len - l->cur);
		l->cur = l->len;
		return CONSOLE_LINE_NONE;
	case 0x15:
		replace(l, "");
		return CONSOLE_LINE_NONE;
	case 0x03:
		l->write(l->ctx, "^C\r\n", 4);
		l->done = 1;
		l->len = l->cur = 0;
		l->buf[0] = '\0';
		return CONSOLE_LINE_CANCEL;
	case 0x04:
		if (l->len)
			return CONSOLE_LINE_NONE;
		l->done = 1;
		return CONSOLE_LINE_EOF;
	case 0x1b:
		l->esc = 1;
		return CONSOLE_LINE_NONE;
	case '\t':
		return (l->echo && l->help) ? CONSOLE_LINE_COMPLETE : CONSOLE_LINE_NONE;
	case '?':
		if (l->echo && l->help && !in_quotes(l))
			return CONSOLE_LINE_HELP;
		break;
	default:
		if (b < 0x20 || b > 0x7e)
			return CONSOLE_LINE_NONE;
		break;
	}
	char c = (char)b;
	console_line_insert(l, &c, 1);
	return CONSOLE_LINE_NONE;
}

void console_line_redraw(struct console_line *l, const char *prompt)
{
	if (l->done)
		console_line_clear(l); /* the last line was handed over: a new one */
	l->write(l->ctx, prompt, strlen(prompt));
	out(l, l->buf, l->len);
	backs(l, l->len - l->cur);
}
