/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console_line: a line editor over a plain byte stream (a serial line or a
 * pty), for the console CLI. It needs nothing of the terminal but echo,
 * backspace ('\b') moving the cursor left and CR/LF: no terminfo, no ANSI
 * output. Input understood:
 *   printable ASCII  inserted at the cursor (bounded: CONSOLE_LINE_MAX bytes,
 *                    a BEL is sent when full)
 *   BS (^H), DEL     delete the character left of the cursor
 *   ^A, ^E           start, end of line
 *   ^U               erase the whole line
 *   ^C               cancel the line (event CONSOLE_LINE_CANCEL)
 *   ^D               on an empty line: event CONSOLE_LINE_EOF
 *   TAB, '?'         events CONSOLE_LINE_COMPLETE, CONSOLE_LINE_HELP (only
 *                    with echo and help on; '?' inside "quotes" is inserted)
 *   ESC [ C / D      cursor right / left; ESC [ A / B history up / down;
 *                    ESC [ H / F home / end; other ESC sequences are dropped
 *   CR, LF, CR LF    end of line (event CONSOLE_LINE_DONE); a LF right after a
 *                    CR is ignored, so either line ending works
 * Other control bytes and bytes >= 0x80 are ignored.
 *
 * Owner:      the caller owns struct console_line (embedded, ~17 KiB).
 * Thread:     one thread (the console's).
 * Allocation: none.
 * Errors:     none: bad input is ignored, never an error.
 */
#ifndef SEGW_CONSOLE_LINE_H
#define SEGW_CONSOLE_LINE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LINE_MAX 480 /* bytes of one line, without the NUL */
#define CONSOLE_HIST_MAX 32  /* lines of history kept */

enum console_line_ev {
	CONSOLE_LINE_NONE = 0, /* keep feeding */
	CONSOLE_LINE_DONE,     /* a line is ready in ->buf (NUL-terminated) */
	CONSOLE_LINE_CANCEL,   /* ^C: the line was dropped */
	CONSOLE_LINE_EOF,      /* ^D on an empty line */
	CONSOLE_LINE_HELP,     /* '?': ->buf holds the line so far, unchanged */
	CONSOLE_LINE_COMPLETE, /* TAB: ->buf holds the line so far, unchanged */
};

/* Where the editor's echo goes. */
typedef void (*console_write_fn)(void *ctx, const char *s, size_t n);

struct console_line {
	char buf[CONSOLE_LINE_MAX + 1];
	size_t len, cur;        /* bytes in buf, cursor position */
	int echo;               /* 0: type blind (passwords) */
	int help;               /* 1: '?' and TAB are events */
	int history;            /* 1: finished lines go into the history */
	/* private */
	uint8_t esc, last_cr, done;
	unsigned hist_n, hist_next;
	int hist_pos;           /* -1: editing a new line */
	char hist[CONSOLE_HIST_MAX][CONSOLE_LINE_MAX + 1];
	char saved[CONSOLE_LINE_MAX + 1];
	console_write_fn write;
	void *ctx;
};

/* console_line_init - an empty editor echoing through @write (@ctx), echo, help and history on. */
void console_line_init(struct console_line *l, console_write_fn write, void *ctx);
/* console_line_clear - empty the line (history kept). */
void console_line_clear(struct console_line *l);
/* console_line_feed - process one input byte; returns what happened. */
enum console_line_ev console_line_feed(struct console_line *l, uint8_t byte);
/* console_line_insert - insert @s at the cursor (as if typed), echoing it; bounded. */
void console_line_insert(struct console_line *l, const char *s, size_t n);
/* console_line_redraw - print @prompt and the line, cursor where it was. */
void console_line_redraw(struct console_line *l, const char *prompt);

#endif
