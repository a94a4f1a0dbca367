/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console_cmd: the declarative command table of the console CLI and its
 * matcher. A command is a fixed path of keywords ("show", "interfaces"),
 * the modes and least role that may run it, what arguments follow (none, a
 * number, one word, free text), a help text and a handler. Entries without
 * a handler only give help for a keyword that others continue ("show").
 *
 * Keywords may be abbreviated to any unique prefix ("sh int"); an exact
 * keyword wins. After a command that takes arguments, only an exact keyword
 * continues a longer command ("commit confirmed 2" vs "commit my comment").
 * Errors name the offending token by its byte offset in the line, so the
 * caller can print a caret under it.
 *
 * Owner:      tables are static const, owned by the caller; a
 *             struct console_args points into the caller's line.
 * Thread:     any (pure functions).
 * Allocation: none.
 * Errors:     a line that does not match is not an error of the program: the
 *             matcher returns NULL and fills struct console_cmd_err.
 */
#ifndef SEGW_CONSOLE_CMD_H
#define SEGW_CONSOLE_CMD_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_WORDS_MAX 4
#define CONSOLE_TOKENS_MAX 64
#define CONSOLE_CHOICES_MAX 48

enum console_role {
	CONSOLE_ROLE_NONE = 0,
	CONSOLE_ROLE_OPERATOR, /* show */
	CONSOLE_ROLE_ADMIN,    /* show and configure */
};

#define CONSOLE_MODE_OPER 1u /* operational mode: prompt '>' */
#define CONSOLE_MODE_CONF 2u /* configuration mode: prompt '#' */

enum console_arg {
	CONSOLE_ARG_NONE = 0,
	CONSOLE_ARG_NUM,      /* one decimal number, 0..999999999 */
	CONSOLE_ARG_WORD,     /* exactly one token */
	CONSOLE_ARG_TEXT,     /* one or more tokens: the rest of the line */
	CONSOLE_ARG_TEXT_OPT, /* zero or more tokens */
};

/* A token: bytes [off, off+len) of the line (quotes included). */
struct console_tok {
	uint16_t off, len;
};

struct console_args {
	const char *line;
	unsigned ntok;
	struct console_tok tok[CONSOLE_TOKENS_MAX];
	unsigned first_arg; /* index of the first token after the keywords */
	uint32_t num;       /* CONSOLE_ARG_NUM: its value */
};

struct console_cmd;
typedef int (*console_cmd_fn)(void *session, const struct console_cmd *cmd,
			      const struct console_args *a);

struct console_cmd {
	const char *words[CONSOLE_WORDS_MAX + 1]; /* NULL-terminated keywords */
	unsigned modes;                           /* CONSOLE_MODE_* bits */
	uint8_t role;                             /* least enum console_role */
	uint8_t arg;                              /* enum console_arg */
	const char *arg_name;                     /* shown by help: "N", "statement" */
	const char *help;
	console_cmd_fn fn;                        /* NULL: help-only entry */
	int data;                                 /* for the handler */
};

struct console_cmd_err {
	unsigned off;  /* byte offset in the line the caret points at */
	char msg[160];
};

struct console_choice {
	const char *word; /* keyword, or "<N>", "<[Enter]>"... */
	const char *help;
	int keyword;      /* 1: completable keyword */
};

struct console_choices {
	unsigned n;
	struct console_choice v[CONSOLE_CHOICES_MAX];
	size_t partial_len; /* bytes of the word being typed (before the cursor) */
};

/*
 * console_tokenize - split @line at spaces; "double quotes" group a token.
 * 0, -E2BIG (more than CONSOLE_TOKENS_MAX tokens or a line over 65535
 * bytes), -EINVAL (unterminated quote); err (if not NULL) says where.
 */
int console_tokenize(const char *line, struct console_args *a, struct console_cmd_err *err);

/*
 * console_cmd_match - the command of table @tab (@n entries) that @line
 * runs in @mode for @role, its arguments in *a; NULL and *err when none
 * (unknown, ambiguous or unexpected word, incomplete command, bad or
 * missing argument, or a command @role may not run: "permission denied").
 * An empty line gives NULL with err->msg "".
 */
const struct console_cmd *console_cmd_match(const struct console_cmd *tab, unsigned n,
					    unsigned mode, unsigned role, const char *line,
					    struct console_args *a, struct console_cmd_err *err);

/*
 * console_cmd_choices - what may follow the first @cur bytes of @line (the
 * cursor) in @mode for @role: keywords starting with the word under the
 * cursor, then argument placeholders. 0, or -EINVAL with *err when the words
 * before the cursor do not match.
 */
int console_cmd_choices(const struct console_cmd *tab, unsigned n, unsigned mode, unsigned role,
			const char *line, size_t cur, struct console_choices *out,
			struct console_cmd_err *err);

#endif
