// SPDX-License-Identifier: GPL-2.0-or-later
/* console_cmd: see console_cmd.h. */
#include "console/console_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TAB_MAX 128

__attribute__((format(printf, 3, 4))) static void set_err(struct console_cmd_err *err,
								   size_t off, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	err->off = (unsigned)off;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

int console_tokenize(const char *line, struct console_args *a, struct console_cmd_err *err)
{
	size_t len = strlen(line);
	memset(a, 0, sizeof(*a));
	a->line = line;
	if (len > 65535) {
		set_err(err, 0, "line too long");
		return -E2BIG;
	}
	size_t i = 0;
	while (i < len) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		if (a->ntok == CONSOLE_TOKENS_MAX) {
			set_err(err, i, "too many words");
			return -E2BIG;
		}
		size_t start = i;
		if (line[i] == '"') {
			const char *q = memchr(line + i + 1, '"', len - i - 1);
			if (!q) {
				set_err(err, start, "unterminated quote");
				return -EINVAL;
			}
			i = (size_t)(q - line) + 1;
		}
		while (i < len && line[i] != ' ')
			i++;
		a->tok[a->ntok].off = (uint16_t)start;
		a->tok[a->ntok].len = (uint16_t)(i - start);
		a->ntok++;
	}
	return 0;
}

static unsigned nwords(const struct console_cmd *c)
{
	unsigned k = 0;
	while (k < CONSOLE_WORDS_MAX && c->words[k])
		k++;
	return k;
}

static int tok_eq(const struct console_args *a, unsigned i, const char *w)
{
	return strlen(w) == a->tok[i].len && memcmp(w, a->line + a->tok[i].off, a->tok[i].len) == 0;
}

static int tok_prefix(const struct console_args *a, unsigned i, const char *w)
{
	return strlen(w) >= a->tok[i].len && memcmp(w, a->line + a->tok[i].off, a->tok[i].len) == 0;
}

/* The token as a printable C string (bounded) for messages. */
static const char *tok_str(const struct console_args *a, unsigned i, char *buf, size_t n)
{
	size_t l = a->tok[i].len < n - 1 ? a->tok[i].len : n - 1;
	memcpy(buf, a->line + a->tok[i].off, l);
	buf[l] = '\0';
	return buf;
}

struct walk {
	uint8_t in[TAB_MAX];
	unsigned d;
	const struct console_cmd *complete;
	int in_args;
};

static const struct console_cmd *complete_at(const struct console_cmd *tab, unsigned n,
					     const struct walk *w, unsigned d)
{
	for (unsigned i = 0; i < n; i++)
		if (w->in[i] && tab[i].fn && nwords(&tab[i]) == d)
			return &tab[i];
	return NULL;
}

/* Consume keywords for tokens [0, upto): 0 (w says where it stopped) or -EINVAL. */
static int walk(const struct console_cmd *tab, unsigned n, unsigned mode, unsigned role,
		const struct console_args *a, unsigned upto, struct walk *w,
		struct console_cmd_err *err)
{
	char tb[64];
	if (n > TAB_MAX)
		n = TAB_MAX;
	memset(w, 0, sizeof(*w));
	for (unsigned i = 0; i < n; i++)
		w->in[i] = (tab[i].modes & mode) && tab[i].role <= role;
	for (unsigned d = 0;; d++) {
		w->d = d;
		w->complete = complete_at(tab, n, w, d);
		if (d == upto)
			return 0;
		int any_exact = 0, any_prefix = 0;
		for (unsigned i = 0; i < n; i++) {
			if (!w->in[i] || nwords(&tab[i]) <= d)
				continue;
			any_exact |= tok_eq(a, d, tab[i].words[d]);
			any_prefix |= tok_prefix(a, d, tab[i].words[d]);
		}
		if (w->complete && w->complete->arg != CONSOLE_ARG_NONE && !any_exact) {
			w->in_args = 1;
			return 0;
		}
		if (!any_prefix) {
			const char *what = w->complete ? "unexpected word '%s'%s"
				      : d == 0     ? "unknown command '%s'%s"
						   : "unknown word '%s'%s";
			set_err(err, a->tok[d].off, what, tok_str(a, d, tb, sizeof(tb)), " (try ?)");
			return -EINVAL;
		}
		const char *word = NULL, *other = NULL;
		for (unsigned i = 0; i < n; i++) {
			if (!w->in[i])
				continue;
			if (nwords(&tab[i]) <= d || !(any_exact ? tok_eq(a, d, tab[i].words[d])
								: tok_prefix(a, d, tab[i].words[d]))) {
				w->in[i] = 0;
				continue;
			}
			if (!word)
				word = tab[i].words[d];
			else if (strcmp(word, tab[i].words[d]) != 0 && !other)
				other = tab[i].words[d];
		}
		if (other) {
			set_err(err, a->tok[d].off, "ambiguous '%s': %.40s, %.40s...",
				tok_str(a, d, tb, sizeof(tb)), word, other);
			return -EINVAL;
		}
	}
}

static size_t end_off(const struct console_args *a)
{
	if (!a->ntok)
		return 0;
	return (size_t)a->tok[a->ntok - 1].off + a->tok[a->ntok - 1].len + 1;
}

static int check_args(const struct console_cmd *c, struct console_args *a, unsigned first,
		      struct console_cmd_err *err)
{
	char tb[64];
	unsigned nargs = a->ntok - first;
	const char *name = c->arg_name ? c->arg_name : "argument";
	a->first_arg = first;
	switch (c->arg) {
	case CONSOLE_ARG_NONE:
		if (nargs) {
			set_err(err, a->tok[first].off, "unexpected word '%s'%s",
				tok_str(a, first, tb, sizeof(tb)), "");
			return -EINVAL;
		}
		return 0;
	case CONSOLE_ARG_NUM:
	case CONSOLE_ARG_WORD:
		if (!nargs) {
			set_err(err, end_off(a), "missing <%s>%s", name, "");
			return -EINVAL;
		}
		if (nargs > 1) {
			set_err(err, a->tok[first + 1].off, "unexpected word '%s'%s",
				tok_str(a, first + 1, tb, sizeof(tb)), "");
			return -EINVAL;
		}
		if (c->arg == CONSOLE_ARG_NUM) {
			const struct console_tok *t = &a->tok[first];
			uint32_t v = 0;
			int ok = t->len > 0 && t->len <= 9;
			for (unsigned i = 0; ok && i < t->len; i++) {
				char ch = a->line[t->off + i];
				ok = ch >= '0' && ch <= '9';
				v = v * 10 + (uint32_t)(ch - '0');
			}
			if (!ok) {
				set_err(err, t->off, "expected a number <%s>, not '%s'", name,
					tok_str(a, first, tb, sizeof(tb)));
				return -EINVAL;
			}
			a->num = v;
		}
		return 0;
	case CONSOLE_ARG_TEXT:
		if (!nargs) {
			set_err(err, end_off(a), "missing <%s>%s", name, "");
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

const struct console_cmd *console_cmd_match(const struct console_cmd *tab, unsigned n,
					    unsigned mode, unsigned role, const char *line,
					    struct console_args *a, struct console_cmd_err *err)
{
	struct walk w;
	struct console_cmd_err e2;
	if (console_tokenize(line, a, err) != 0)
		return NULL;
	if (!a->ntok) {
		set_err(err, 0, "%s", "");
		return NULL;
	}
	if (walk(tab, n, mode, role, a, a->ntok, &w, err) != 0) {
		if (role < CONSOLE_ROLE_ADMIN &&
		    walk(tab, n, mode, CONSOLE_ROLE_ADMIN, a, a->ntok, &w, &e2) == 0 && w.complete)
			set_err(err, a->tok[0].off, "permission denied: '%s' needs the %s role",
				w.complete->words[0], "admin");
		return NULL;
	}
	if (!w.complete) {
		set_err(err, end_off(a), "incomplete command (try ?)");
		return NULL;
	}
	if (check_args(w.complete, a, w.in_args ? w.d : a->ntok, err) != 0)
		return NULL;
	return w.complete;
}

static void add_choice(struct console_choices *out, const char *word, const char *help, int kw)
{
	for (unsigned i = 0; i < out->n; i++)
		if (strcmp(out->v[i].word, word) == 0)
			return;
	if (out->n == CONSOLE_CHOICES_MAX)
		return;
	out->v[out->n].word = word;
	out->v[out->n].help = help ? help : "";
	out->v[out->n].keyword = kw;
	out->n++;
}

static const char *placeholder(const struct console_cmd *c)
{
	switch (c->arg) {
	case CONSOLE_ARG_NUM:
		return "<N>";
	case CONSOLE_ARG_WORD:
		return "<word>";
	default:
		return "<text>";
	}
}

int console_cmd_choices(const struct console_cmd *tab, unsigned n, unsigned mode, unsigned role,
			const char *line, size_t cur, struct console_choices *out,
			struct console_cmd_err *err)
{
	char tmp[1024];
	struct console_args a;
	struct walk w;
	memset(out, 0, sizeof(*out));
	if (n > TAB_MAX)
		n = TAB_MAX;
	if (cur >= sizeof(tmp) || cur > strlen(line)) {
		set_err(err, 0, "line too long");
		return -EINVAL;
	}
	memcpy(tmp, line, cur);
	tmp[cur] = '\0';
	if (console_tokenize(tmp, &a, err) != 0)
		return -EINVAL;
	unsigned upto = a.ntok;
	const char *partial = "";
	if (cur && tmp[cur - 1] != ' ' && a.ntok) {
		upto = a.ntok - 1;
		partial = tmp + a.tok[upto].off;
		out->partial_len = a.tok[upto].len;
	}
	if (walk(tab, n, mode, role, &a, upto, &w, err) != 0)
		return -EINVAL;
	const struct console_cmd *c = w.complete;
	if (w.in_args) {
		add_choice(out, placeholder(c), c->arg_name ? c->arg_name : c->help, 0);
		if (c->arg == CONSOLE_ARG_TEXT_OPT || c->arg == CONSOLE_ARG_TEXT)
			add_choice(out, "<[Enter]>", "Execute this command", 0);
		out->partial_len = 0;
		return 0;
	}
	size_t pl = out->partial_len;
	for (unsigned i = 0; i < n; i++) {
		if (!w.in[i] || nwords(&tab[i]) <= w.d)
			continue;
		const char *word = tab[i].words[w.d];
		if (strncmp(word, partial, pl) != 0)
			continue;
		/* The help of the entry that ends with this word, if any. */
		const char *help = tab[i].help;
		for (unsigned j = 0; j < n; j++)
			if (w.in[j] && nwords(&tab[j]) == w.d + 1 &&
			    strcmp(tab[j].words[w.d], word) == 0) {
				help = tab[j].help;
				break;
			}
		add_choice(out, word, help, 1);
	}
	if (c && !pl) {
		if (c->arg != CONSOLE_ARG_NONE)
			add_choice(out, placeholder(c), c->arg_name ? c->arg_name : c->help, 0);
		if (c->arg == CONSOLE_ARG_NONE || c->arg == CONSOLE_ARG_TEXT_OPT)
			add_choice(out, "<[Enter]>", "Execute this command", 0);
	}
	return 0;
}
