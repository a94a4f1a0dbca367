// SPDX-License-Identifier: GPL-2.0-or-later
/* console: the CLI session. See console.h. */
#include "console/console.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"
#include "stats/counters.h"
#include "version.h"

enum state { ST_USER = 0, ST_PASS, ST_LOCKED, ST_SHELL, ST_LOAD };

struct console {
	struct store *s;
	const struct console_cfg *cfg;
	console_write_fn write;
	void *wctx;
	char tty[64];
	struct console_line ed;
	enum state st;
	char user[STORE_WHO_MAX + 1];
	uint8_t role;
	unsigned mode;
	struct console_lockout lock;
	struct store_candidate cand;
	int have_cand;
	char *load;
	size_t load_len;
	unsigned load_lines;
	int load_over;
	int logged_out;
};

static console_counters_fn g_counters;
static void *g_counters_ctx;

void console_set_counters_source(console_counters_fn fn, void *ctx)
{
	g_counters = fn;
	g_counters_ctx = ctx;
}

/* ---- output ---------------------------------------------------------------- */

/* Write @s, turning each '\n' into "\r\n" (a serial line needs both). */
static void put(struct console *k, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t seg = nl ? (size_t)(nl - (s + i)) : n - i;
		if (seg)
			k->write(k->wctx, s + i, seg);
		if (!nl)
			break;
		k->write(k->wctx, "\r\n", 2);
		i += seg + 1;
	}
}

__attribute__((format(printf, 2, 3))) static void say(struct console *k, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(k, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* Run @fn printing into a memory stream, then send what it printed. */
static int say_stream(struct console *k, int (*fn)(void *a, void *b, FILE *f), void *a, void *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		say(k, "error: out of memory\n");
		return -ENOMEM;
	}
	int r = fn(a, b, f);
	fclose(f);
	put(k, text, len);
	free(text);
	return r;
}

/* The line and a caret under byte @off, then the message. */
static void caret(struct console *k, const char *line, size_t off, const char *msg)
{
	size_t n = strlen(line);
	if (off > n)
		off = n;
	say(k, "  %s\n  %*s^\nerror: %s\n", line, (int)off, "", msg);
}

static const char *host(const struct console *k)
{
	return k->cfg->hostname ? k->cfg->hostname : "segw";
}

static void prompt(struct console *k)
{
	switch (k->st) {
	case ST_USER:
		say(k, "login: ");
		break;
	case ST_PASS:
		say(k, "Password: ");
		break;
	case ST_SHELL:
		say(k, "%s@%s%s ", k->user, host(k), k->mode == CONSOLE_MODE_CONF ? "#" : ">");
		break;
	default:
		break;
	}
}

static void prompt_text(const struct console *k, char *buf, size_t n)
{
	if (k->st == ST_SHELL)
		snprintf(buf, n, "%s@%s%s ", k->user, host(k),
			 k->mode == CONSOLE_MODE_CONF ? "#" : ">");
	else if (k->st == ST_USER)
		snprintf(buf, n, "login: ");
	else if (k->st == ST_PASS)
		snprintf(buf, n, "Password: ");
	else
		buf[0] = '\0';
}

/* ---- audit ----------------------------------------------------------------- */

int console_audit_format(const struct console_audit_rec *r, char *buf, size_t n)
{
	char when[32];
	struct tm tm;
	time_t t = (time_t)r->when;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(when, sizeof(when), "%lld", (long long)r->when);
	return snprintf(buf, n, "%s tty=%s user=%s result=%s cmd=%s", when, r->tty ? r->tty : "-",
			r->who ? r->who : "-", r->result ? r->result : "-",
			r->command ? r->command : "");
}

static void audit(struct console *k, const char *who, const char *cmd, const char *result)
{
	if (!k->cfg->audit)
		return;
	struct console_audit_rec r = {
		.when = (int64_t)time(NULL),
		.tty = k->tty,
		.who = who && *who ? who : "-",
		.command = cmd,
		.result = result,
	};
	k->cfg->audit(k->cfg->audit_ctx, &r);
}

/* ---- candidate editing ----------------------------------------------------------- */

/* Words of the key of a statement: how many leading words name the thing. */
static unsigned key_words(const char *stmt, size_t n)
{
	static const struct {
		const char *w;
		unsigned k;
	} keys[] = { { "rule", 2 }, { "zone", 2 }, { "backend", 2 }, { "set", 3 }, { "default", 2 } };
	size_t l = 0;
	while (l < n && stmt[l] != ' ' && stmt[l] != '\t')
		l++;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].w) == l && memcmp(keys[i].w, stmt, l) == 0)
			return keys[i].k;
	return 0;
}

/* Do the first @k words of line [p, p+n) equal those of @key? */
static int same_key(const char *p, size_t n, const char *key, size_t kn, unsigned kw)
{
	size_t i = 0, j = 0;
	for (unsigned w = 0; w < kw; w++) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		while (j < kn && key[j] == ' ')
			j++;
		size_t a = i, b = j;
		while (i < n && p[i] != ' ' && p[i] != '\t')
			i++;
		while (j < kn && key[j] != ' ')
			j++;
		if (i - a != j - b || i == a || memcmp(p + a, key + b, i - a) != 0)
			return 0;
	}
	return 1;
}

/*
 * A copy of @text where the line keyed like @key (kw words) is replaced by
 * @repl (NULL: deleted) or, when absent, @repl appended. *line gets the
 * 1-based line number of the replaced/appended line; *found whether it
 * existed.
 */
static char *edit_text(const char *text, size_t len, const char *key, size_t kn, unsigned kw,
		       const char *repl, size_t rn, unsigned *line, int *found, size_t *out_len)
{
	char *out = malloc(len + rn + 2);
	if (!out)
		return NULL;
	size_t o = 0, i = 0;
	unsigned ln = 0;
	*found = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		ln++;
		if (!*found && same_key(text + i, e - i, key, kn, kw)) {
			*found = 1;
			*line = ln;
			if (repl) {
				memcpy(out + o, repl, rn);
				o += rn;
				out[o++] = '\n';
			}
		} else {
			memcpy(out + o, text + i, e - i);
			o += e - i;
			out[o++] = '\n';
		}
		i = e + 1;
	}
	if (!*found && repl) {
		*line = ln + 1;
		memcpy(out + o, repl, rn);
		o += rn;
		out[o++] = '\n';
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Validate @text; 0 or -EINVAL with the parser's messages in @err. */
static int validate(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct policy *p = NULL;
	err[0] = '\0';
	int r = policy_parse(name, text, len, &p, err, errlen, 8);
	policy_free(p);
	return r;
}

/* Parse "NAME:LINE:COL: msg" -> line, col, message start. */
static int err_pos(const char *e, const char *name, unsigned *line, unsigned *col,
		   const char **msg)
{
	size_t nl = strlen(name);
	if (strncmp(e, name, nl) != 0 || e[nl] != ':')
		return -1;
	char *end;
	unsigned long l = strtoul(e + nl + 1, &end, 10);
	if (*end != ':')
		return -1;
	unsigned long c = strtoul(end + 1, &end, 10);
	if (*end != ':')
		return -1;
	*line = (unsigned)l;
	*col = (unsigned)c;
	*msg = end + (end[1] == ' ' ? 2 : 1);
	return 0;
}

/* ---- command handlers -------------------------------------------------------- */

#define SESSION(v) struct console *k = (v)

static int need_store(struct console *k)
{
	if (k->s)
		return 0;
	say(k, "error: no configuration store on this board\n");
	return -ENODEV;
}

static int print_policy(void *a, void *b, FILE *f)
{
	const char *text = a;
	(void)b;
	struct policy *p = NULL;
	char err[512];
	if (policy_parse("running", text, strlen(text), &p, err, sizeof(err), 1) != 0) {
		fputs(text, f); /* cannot happen for a committed text: show it raw */
		return 0;
	}
	int r = policy_print(p, f);
	policy_free(p);
	return r;
}

static int cmd_show_policy(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (need_store(k))
		return -ENODEV;
	size_t len;
	const char *text = store_running(k->s, &len);
	if (!len) {
		say(k, "(no policy committed)\n");
		return 0;
	}
	say(k, "# running: commit %u\n", store_running_number(k->s));
	return say_stream(k, print_policy, (void *)text, NULL);
}

static int cmd_show_candidate(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (!k->have_cand)
		return -ENOENT;
	put(k, k->cand.text, k->cand.len);
	if (k->cand.len && k->cand.text[k->cand.len - 1] != '\n')
		say(k, "\n");
	return 0;
}

static int cmd_show_version(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	say(k, "segw %s (board %s)\n", SEGW_VERSION, SEGW_BOARD);
	return 0;
}

static int call_show(void *a, void *b, FILE *f)
{
	const console_show_fn *fn = a;
	return (*fn)(b, f);
}

static int cmd_show_cb(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)a;
	console_show_fn fn = c->data ? k->cfg->show_flows : k->cfg->show_interfaces;
	if (!fn) {
		say(k, "%s: not available\n", c->words[1]);
		return -ENOTSUP;
	}
	return say_stream(k, call_show, &fn, k->cfg->show_ctx);
}

static int cmd_show_counters(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	console_counters_fn fn = k->cfg->counters ? k->cfg->counters : g_counters;
	void *ctx = k->cfg->counters ? k->cfg->counters_ctx : g_counters_ctx;
	if (!fn) {
		say(k, "counters: not available\n");
		return -ENOTSUP;
	}
	struct stats_snapshot *snap = calloc(1, sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	int r = fn(ctx, snap);
	if (r == 0) {
		for (unsigned i = 0; i < CTR__COUNT; i++)
			say(k, "%-40s %llu\n", stats_ctr_name(i), (unsigned long long)snap->sum.c[i]);
		say(k, "%-40s %llu\n", "flows.active", (unsigned long long)snap->sum.flows_active);
	} else {
		say(k, "counters: error %d\n", r);
	}
	free(snap);
	return r;
}

static int cmd_show_history(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (need_store(k))
		return -ENODEV;
	int64_t deadline;
	uint32_t prev;
	int pend = store_pending(k->s, &deadline, &prev);
	unsigned n = store_history_count(k->s);
	if (!n)
		say(k, "(no commits)\n");
	for (unsigned i = 0; i < n; i++) {
		const struct store_entry *e = store_history(k->s, i);
		char when[32];
		struct tm tm;
		time_t t = (time_t)e->when;
		if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm))
			snprintf(when, sizeof(when), "%lld", (long long)e->when);
		say(k, "%4u  %s  %-8s %-12s %s%s\n", e->number, when, store_how_name(e->how),
		    e->who ? e->who : "", e->comment ? e->comment : "",
		    i == 0 ? (pend ? "  (running, unconfirmed)" : "  (running)") : "");
	}
	if (pend)
		say(k, "commit confirmed pending: reverts to %u in %lld s unless confirmed\n", prev,
		    (long long)(deadline - (int64_t)time(NULL)));
	return 0;
}

static void cand_drop(struct console *k)
{
	if (k->have_cand)
		store_candidate_free(&k->cand);
	k->have_cand = 0;
}

static int cand_begin(struct console *k)
{
	cand_drop(k);
	int r = store_candidate_begin(k->s, &k->cand);
	if (r) {
		say(k, "error: cannot start a candidate (%s)\n", strerror(-r));
		return r;
	}
	k->have_cand = 1;
	return 0;
}

static int cmd_configure(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (need_store(k))
		return -ENODEV;
	int r = cand_begin(k);
	if (r)
		return r;
	k->mode = CONSOLE_MODE_CONF;
	int64_t deadline;
	uint32_t prev;
	if (store_pending(k->s, &deadline, &prev))
		say(k, "warning: commit confirmed pending, reverts in %lld s: 'confirm' to keep it\n",
		    (long long)(deadline - (int64_t)time(NULL)));
	say(k, "Entering configuration mode (candidate from commit %u)\n[edit]\n", k->cand.base);
	return 0;
}

static int cand_changed(const struct console *k)
{
	size_t len;
	const char *run = store_running(k->s, &len);
	return k->have_cand && (len != k->cand.len || memcmp(run, k->cand.text, len) != 0);
}

static int cmd_exit(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (k->mode == CONSOLE_MODE_CONF) {
		if (k->s && cand_changed(k))
			say(k, "warning: uncommitted changes discarded\n");
		cand_drop(k);
		k->mode = CONSOLE_MODE_OPER;
		say(k, "Exiting configuration mode\n");
		return 0;
	}
	k->logged_out = 1;
	return 0;
}

/* Apply @new_text to the candidate if it is valid; else show why, caret
 * under the word when the error is on line @line, typed at @base in @cmdline. */
static int cand_apply(struct console *k, char *new_text, size_t new_len, unsigned line,
		      const char *cmdline, size_t base)
{
	char err[2048];
	if (validate("candidate", new_text, new_len, err, sizeof(err)) != 0) {
		unsigned l, col;
		const char *msg;
		const char *nl = strchr(err, '\n');
		if (err_pos(err, "candidate", &l, &col, &msg) == 0 && l == line) {
			char m[300];
			snprintf(m, sizeof(m), "%.*s", nl ? (int)(nl - msg) : (int)strlen(msg), msg);
			caret(k, cmdline, base + (col ? col - 1 : 0), m);
		} else {
			say(k, "error: the candidate would not be valid:\n%s", err);
		}
		free(new_text);
		return -EINVAL;
	}
	int r = store_candidate_set(&k->cand, new_text, new_len);
	free(new_text);
	return r;
}

static int cmd_set(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	/* data: the token where the statement starts (0 keeps "set addr ...") */
	size_t base = a->tok[c->data].off;
	const char *stmt = a->line + base;
	size_t sn = strlen(stmt);
	while (sn && stmt[sn - 1] == ' ')
		sn--;
	unsigned kw = key_words(stmt, sn);
	if (!kw || (unsigned)(a->ntok - (unsigned)c->data) < kw) {
		caret(k, a->line, a->tok[a->ntok - 1].off + a->tok[a->ntok - 1].len,
		      "incomplete statement");
		return -EINVAL;
	}
	unsigned line = 0;
	int found;
	size_t new_len;
	char *t = edit_text(k->cand.text, k->cand.len, stmt, sn, kw, stmt, sn, &line, &found,
			    &new_len);
	if (!t)
		return -ENOMEM;
	return cand_apply(k, t, new_len, line, a->line, base);
}

static int cmd_delete(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	size_t base = a->tok[1].off;
	const char *key = a->line + base;
	size_t kn = strlen(key);
	while (kn && key[kn - 1] == ' ')
		kn--;
	unsigned kw = a->ntok - 1;
	unsigned line = 0;
	int found;
	size_t new_len;
	char *t = edit_text(k->cand.text, k->cand.len, key, kn, kw, NULL, 0, &line, &found, &new_len);
	if (!t)
		return -ENOMEM;
	if (!found) {
		char m[200];
		snprintf(m, sizeof(m), "no '%.*s' in the candidate", (int)kn, key);
		caret(k, a->line, a->tok[a->ntok - 1].off, m);
		free(t);
		return -ENOENT;
	}
	return cand_apply(k, t, new_len, 0, a->line, base);
}

static int cmd_load(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	free(k->load);
	k->load = NULL;
	k->load_len = 0;
	k->load_lines = 0;
	k->load_over = 0;
	k->st = ST_LOAD;
	k->ed.help = 0;
	k->ed.history = 0;
	say(k, "Type or paste the policy; a line with only '.' ends it, ^C aborts.\n");
	return 0;
}

static int compare_cb(void *a, void *b, FILE *f)
{
	return store_candidate_compare(a, b, f);
}

static int cmd_compare(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	int r = say_stream(k, compare_cb, k->s, &k->cand);
	if (r == 0)
		say(k, "(no changes)\n");
	return r < 0 ? r : 0;
}

static void print_store_error(struct console *k, int r)
{
	const char *m = store_message(k->s);
	if (r == -ESTALE)
		say(k, "error: running changed since this candidate began (now commit %u);\n"
		       "'compare' to see it, then 'exit' and 'configure' again\n",
		    store_running_number(k->s));
	else if (m && *m)
		say(k, "error: %s%s", m, m[strlen(m) - 1] == '\n' ? "" : "\n");
	else
		say(k, "error: %s\n", strerror(-r));
}

static int do_commit(struct console *k, const char *comment, uint32_t confirm_s)
{
	struct store_commit_info ci = {
		.who = k->user,
		.comment = comment,
		.how = STORE_HOW_CONSOLE,
		.when = (int64_t)time(NULL),
		.confirm_s = confirm_s,
	};
	uint32_t num = 0;
	int r = store_candidate_commit(k->s, &k->cand, &ci, &num);
	if (r) {
		print_store_error(k, r);
		return r;
	}
	if (confirm_s)
		say(k, "commit %u complete; reverts in %u s unless confirmed ('confirm')\n", num,
		    confirm_s);
	else
		say(k, "commit %u complete\n", num);
	return 0;
}

static int cmd_commit(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	char comment[STORE_COMMENT_MAX + 1];
	comment[0] = '\0';
	if (a->first_arg < a->ntok) {
		size_t off = a->tok[a->first_arg].off;
		size_t n = strlen(a->line + off);
		while (n && a->line[off + n - 1] == ' ')
			n--;
		if (n > STORE_COMMENT_MAX) {
			caret(k, a->line, off + STORE_COMMENT_MAX, "comment too long");
			return -EINVAL;
		}
		memcpy(comment, a->line + off, n);
		comment[n] = '\0';
	}
	return do_commit(k, comment[0] ? comment : NULL, 0);
}

static int cmd_commit_confirmed(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	if (a->num < 1 || a->num > CONSOLE_CONFIRM_MAX) {
		char m[80];
		snprintf(m, sizeof(m), "seconds must be 1..%u", CONSOLE_CONFIRM_MAX);
		caret(k, a->line, a->tok[a->first_arg].off, m);
		return -EINVAL;
	}
	char comment[64];
	snprintf(comment, sizeof(comment), "commit confirmed %u", a->num);
	return do_commit(k, comment, a->num);
}

static int cmd_confirm(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	if (need_store(k))
		return -ENODEV;
	int r = store_confirm(k->s);
	if (r == -ENOENT) {
		say(k, "nothing to confirm\n");
		return r;
	}
	if (r) {
		print_store_error(k, r);
		return r;
	}
	say(k, "commit %u confirmed\n", store_running_number(k->s));
	return 0;
}

static int cmd_rollback(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	if (need_store(k))
		return -ENODEV;
	if (!store_history_find(k->s, a->num)) {
		caret(k, a->line, a->tok[a->first_arg].off, "no such commit in the history");
		return -ENOENT;
	}
	struct store_commit_info ci = {
		.who = k->user,
		.comment = NULL,
		.how = STORE_HOW_ROLLBACK,
		.when = (int64_t)time(NULL),
	};
	char comment[64];
	snprintf(comment, sizeof(comment), "rollback %u", a->num);
	ci.comment = comment;
	uint32_t num = 0;
	int r = store_rollback(k->s, a->num, &ci, &num);
	if (r) {
		print_store_error(k, r);
		return r;
	}
	say(k, "rolled back to commit %u: now running as commit %u\n", a->num, num);
	if (k->mode == CONSOLE_MODE_CONF)
		cand_begin(k);
	return 0;
}

static int cmd_help(void *v, const struct console_cmd *c, const struct console_args *a);

#define OP CONSOLE_MODE_OPER
#define CF CONSOLE_MODE_CONF
#define ANY (CONSOLE_MODE_OPER | CONSOLE_MODE_CONF)
#define OPR CONSOLE_ROLE_OPERATOR
#define ADM CONSOLE_ROLE_ADMIN
#define STMT CONSOLE_ARG_TEXT, "statement"

static const struct console_cmd commands[] = {
	{ { "show" }, ANY, OPR, 0, NULL, "Show information", NULL, 0 },
	{ { "show", "interfaces" }, ANY, OPR, 0, NULL, "Show the interfaces", cmd_show_cb, 0 },
	{ { "show", "counters" }, ANY, OPR, 0, NULL, "Show the named counters", cmd_show_counters, 0 },
	{ { "show", "flows" }, ANY, OPR, 0, NULL, "Show the flows", cmd_show_cb, 1 },
	{ { "show", "policy" }, ANY, OPR, 0, NULL, "Show the running policy", cmd_show_policy, 0 },
	{ { "show", "version" }, ANY, OPR, 0, NULL, "Show the firmware version", cmd_show_version, 0 },
	{ { "show", "history" }, ANY, OPR, 0, NULL, "Show the commit history", cmd_show_history, 0 },
	{ { "show", "candidate" }, CF, ADM, 0, NULL, "Show the candidate policy", cmd_show_candidate, 0 },
	{ { "configure" }, OP, ADM, 0, NULL, "Edit the policy (configuration mode)", cmd_configure, 0 },
	{ { "confirm" }, ANY, ADM, 0, NULL, "Keep a commit confirmed", cmd_confirm, 0 },
	{ { "rollback" }, ANY, ADM, CONSOLE_ARG_NUM, "commit number from show history",
	  "Make an earlier commit running again", cmd_rollback, 0 },
	{ { "set" }, CF, ADM, 0, NULL, "Add or replace a statement of the candidate", NULL, 0 },
	{ { "set", "rule" }, CF, ADM, STMT, "Add or replace a rule: rule ID ...", cmd_set, 1 },
	{ { "set", "zone" }, CF, ADM, STMT, "Add or replace a zone", cmd_set, 1 },
	{ { "set", "backend" }, CF, ADM, STMT, "Add or replace a TLS backend", cmd_set, 1 },
	{ { "set", "default" }, CF, ADM, STMT, "Set a default", cmd_set, 1 },
	{ { "set", "addr" }, CF, ADM, STMT, "Add or replace an address set", cmd_set, 0 },
	{ { "set", "port" }, CF, ADM, STMT, "Add or replace a port set", cmd_set, 0 },
	{ { "set", "name" }, CF, ADM, STMT, "Add or replace a name set", cmd_set, 0 },
	{ { "delete" }, CF, ADM, 0, NULL, "Remove a statement from the candidate", NULL, 0 },
	{ { "delete", "rule" }, CF, ADM, CONSOLE_ARG_WORD, "rule ID", "Remove a rule", cmd_delete, 0 },
	{ { "delete", "zone" }, CF, ADM, CONSOLE_ARG_WORD, "zone name", "Remove a zone", cmd_delete, 0 },
	{ { "delete", "backend" }, CF, ADM, CONSOLE_ARG_WORD, "backend name", "Remove a backend", cmd_delete, 0 },
	{ { "delete", "default" }, CF, ADM, CONSOLE_ARG_WORD, "default key", "Remove a default", cmd_delete, 0 },
	{ { "delete", "set" }, CF, ADM, 0, NULL, "Remove a set", NULL, 0 },
	{ { "delete", "set", "addr" }, CF, ADM, CONSOLE_ARG_WORD, "set name", "Remove an address set", cmd_delete, 0 },
	{ { "delete", "set", "port" }, CF, ADM, CONSOLE_ARG_WORD, "set name", "Remove a port set", cmd_delete, 0 },
	{ { "delete", "set", "name" }, CF, ADM, CONSOLE_ARG_WORD, "set name", "Remove a name set", cmd_delete, 0 },
	{ { "load" }, CF, ADM, 0, NULL, "Replace the candidate by a pasted policy", cmd_load, 0 },
	{ { "compare" }, CF, ADM, 0, NULL, "Show the changes from running to the candidate", cmd_compare, 0 },
	{ { "commit" }, CF, ADM, CONSOLE_ARG_TEXT_OPT, "comment", "Make the candidate running", cmd_commit, 0 },
	{ { "commit", "confirmed" }, CF, ADM, CONSOLE_ARG_NUM, "seconds",
	  "Commit, reverted unless confirmed within N seconds", cmd_commit_confirmed, 0 },
	{ { "help" }, ANY, OPR, 0, NULL, "List the commands", cmd_help, 0 },
	{ { "exit" }, ANY, OPR, 0, NULL, "Leave configuration mode, or log out", cmd_exit, 0 },
};
#define N_COMMANDS ((unsigned)(sizeof(commands) / sizeof(commands[0])))

static void show_choices(struct console *k, const struct console_choices *ch)
{
	say(k, "Possible completions:\n");
	for (unsigned i = 0; i < ch->n; i++)
		say(k, "  %-20s %s\n", ch->v[i].word, ch->v[i].help);
}

static int cmd_help(void *v, const struct console_cmd *c, const struct console_args *a)
{
	SESSION(v);
	(void)c;
	(void)a;
	struct console_choices ch;
	struct console_cmd_err err;
	if (console_cmd_choices(commands, N_COMMANDS, k->mode, k->role, "", 0, &ch, &err) == 0)
		show_choices(k, &ch);
	say(k, "Type ? anywhere for what may follow, TAB to complete a word.\n");
	return 0;
}

/* ---- session --------------------------------------------------------------------- */

int console_new(struct console **out, struct store *s, const struct console_cfg *cfg,
		console_write_fn write, void *wctx, const char *tty)
{
	if (!out || !cfg || !write)
		return -EINVAL;
	struct console *k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->s = s;
	k->cfg = cfg;
	k->write = write;
	k->wctx = wctx;
	snprintf(k->tty, sizeof(k->tty), "%s", tty ? tty : "console");
	console_line_init(&k->ed, write, wctx);
	k->lock.base_ms = cfg->lockout_base_ms;
	k->lock.max_ms = cfg->lockout_max_ms;
	k->st = ST_USER;
	k->ed.help = 0;
	k->ed.history = 0;
	k->mode = CONSOLE_MODE_OPER;
	*out = k;
	return 0;
}

void console_free(struct console *k)
{
	if (!k)
		return;
	cand_drop(k);
	free(k->load);
	explicit_bzero(&k->ed, sizeof(k->ed));
	free(k);
}

static void to_login(struct console *k)
{
	cand_drop(k);
	free(k->load);
	k->load = NULL;
	k->st = ST_USER;
	k->mode = CONSOLE_MODE_OPER;
	k->role = CONSOLE_ROLE_NONE;
	k->user[0] = '\0';
	k->ed.echo = 1;
	k->ed.help = 0;
	k->ed.history = 0;
	console_line_clear(&k->ed);
}

static void to_shell(struct console *k)
{
	k->st = ST_SHELL;
	k->mode = CONSOLE_MODE_OPER;
	k->ed.echo = 1;
	k->ed.help = 1;
	k->ed.history = 1;
}

void console_start(struct console *k)
{
	say(k, "\nsegw %s secure gateway console (%s)\n\n", SEGW_VERSION, k->tty);
	prompt(k);
}

int console_assume(struct console *k, const char *user)
{
	for (unsigned i = 0; i < k->cfg->n_users; i++)
		if (strcmp(k->cfg->users[i].name, user) == 0) {
			snprintf(k->user, sizeof(k->user), "%s", user);
			k->role = k->cfg->users[i].role;
			to_shell(k);
			audit(k, k->user, "login (assumed)", "ok");
			return 0;
		}
	return -ENOENT;
}

void console_stats(const struct console *k, uint64_t *failures, uint64_t *lockouts)
{
	*failures = k->lock.total_failures;
	*lockouts = k->lock.lockouts;
}

static void password_done(struct console *k, uint64_t now_ms)
{
	const struct console_user *u =
		console_auth_check(k->cfg->users, k->cfg->n_users, k->user, k->ed.buf);
	explicit_bzero(k->ed.buf, sizeof(k->ed.buf));
	console_line_clear(&k->ed);
	k->ed.echo = 1;
	if (u) {
		console_lockout_ok(&k->lock);
		k->role = u->role;
		to_shell(k);
		audit(k, k->user, "login", "ok");
		say(k, "Welcome %s (%s)\n", k->user,
		    k->role == CONSOLE_ROLE_ADMIN ? "admin" : "operator");
		return;
	}
	unsigned d = console_lockout_fail(&k->lock, now_ms);
	audit(k, k->user, "login", d ? "locked" : "failed");
	say(k, "Login incorrect\n");
	k->user[0] = '\0';
	if (d) {
		say(k, "Too many failures (%llu): console locked for %u s\n",
		    (unsigned long long)k->lock.fails, (d + 999) / 1000);
		k->st = ST_LOCKED;
		return;
	}
	k->st = ST_USER;
}

/* A finished line in the shell. */
static void run_line(struct console *k)
{
	char line[CONSOLE_LINE_MAX + 1];
	memcpy(line, k->ed.buf, sizeof(line));
	struct console_args a;
	struct console_cmd_err err;
	const struct console_cmd *c =
		console_cmd_match(commands, N_COMMANDS, k->mode, k->role, line, &a, &err);
	if (!c) {
		if (err.msg[0]) {
			caret(k, line, err.off, err.msg);
			audit(k, k->user, line, strncmp(err.msg, "permission", 10) ? "error" : "denied");
		}
		return;
	}
	if (k->mode == CONSOLE_MODE_CONF && (c->fn == cmd_set || c->fn == cmd_delete ||
					     c->fn == cmd_compare || c->fn == cmd_commit ||
					     c->fn == cmd_commit_confirmed) && !k->have_cand) {
		say(k, "error: no candidate\n");
		return;
	}
	int r = c->fn(k, c, &a);
	audit(k, k->user, line, r == 0 ? "ok" : "error");
}

static void load_line(struct console *k)
{
	const char *l = k->ed.buf;
	if (strcmp(l, ".") != 0) {
		size_t n = strlen(l);
		if (k->load_over || k->load_len + n + 1 > CONSOLE_LOAD_MAX) {
			k->load_over = 1;
			return;
		}
		char *nb = realloc(k->load, k->load_len + n + 2);
		if (!nb) {
			k->load_over = 1;
			return;
		}
		k->load = nb;
		memcpy(k->load + k->load_len, l, n);
		k->load_len += n;
		k->load[k->load_len++] = '\n';
		k->load[k->load_len] = '\0';
		k->load_lines++;
		return;
	}
	/* End of the block. */
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "load (%u lines)", k->load_lines);
	to_shell(k);
	k->mode = CONSOLE_MODE_CONF;
	const char *res = "error";
	char err[2048];
	if (k->load_over) {
		say(k, "error: the block is larger than %u bytes: nothing loaded\n", CONSOLE_LOAD_MAX);
	} else if (validate("load", k->load ? k->load : "", k->load_len, err, sizeof(err)) != 0) {
		/* Each error: the line and a caret under the column. */
		for (const char *e = err; *e;) {
			const char *nl = strchr(e, '\n');
			size_t el = nl ? (size_t)(nl - e) : strlen(e);
			unsigned ln, col;
			const char *msg;
			char one[512];
			snprintf(one, sizeof(one), "%.*s", (int)el, e);
			/* the block's line @ln (each line ends in '\n') */
			const char *p = NULL, *q = NULL;
			if (err_pos(one, "load", &ln, &col, &msg) == 0 && ln >= 1 && ln <= k->load_lines) {
				p = k->load;
				for (unsigned i = 1; p && i < ln; i++) {
					p = strchr(p, '\n');
					if (p)
						p++;
				}
				q = p ? strchr(p, '\n') : NULL;
			}
			if (p && q) {
				char text[CONSOLE_LINE_MAX + 1];
				size_t tl = (size_t)(q - p);
				snprintf(text, sizeof(text), "%.*s", (int)tl, p);
				say(k, "line %u:\n", ln);
				caret(k, text, col ? col - 1 : 0, msg);
			} else {
				say(k, "error: %s\n", one);
			}
			e = nl ? nl + 1 : e + el;
		}
		say(k, "nothing loaded: the candidate is unchanged\n");
	} else if (store_candidate_set(&k->cand, k->load ? k->load : "", k->load_len) == 0) {
		say(k, "load complete (%u lines): 'compare' to review, 'commit' to apply\n",
		    k->load_lines);
		res = "ok";
	}
	free(k->load);
	k->load = NULL;
	k->load_len = 0;
	audit(k, k->user, cmd, res);
}

static void complete(struct console *k, int list)
{
	struct console_choices ch;
	struct console_cmd_err err;
	char pr[128];
	prompt_text(k, pr, sizeof(pr));
	if (console_cmd_choices(commands, N_COMMANDS, k->mode, k->role, k->ed.buf, k->ed.cur, &ch,
				&err) != 0) {
		say(k, "\n");
		caret(k, k->ed.buf, err.off, err.msg);
		console_line_redraw(&k->ed, pr);
		return;
	}
	if (!list) {
		/* TAB: the keywords' common prefix beyond what is typed. */
		const char *first = NULL;
		size_t common = 0;
		unsigned nkw = 0;
		for (unsigned i = 0; i < ch.n; i++) {
			if (!ch.v[i].keyword)
				continue;
			if (!first) {
				first = ch.v[i].word;
				common = strlen(first);
			} else {
				size_t j = 0;
				while (j < common && first[j] == ch.v[i].word[j])
					j++;
				common = j;
			}
			nkw++;
		}
		if (first && common > ch.partial_len) {
			console_line_insert(&k->ed, first + ch.partial_len, common - ch.partial_len);
			if (nkw == 1)
				console_line_insert(&k->ed, " ", 1);
			return;
		}
		if (nkw == 1 && common == ch.partial_len) {
			console_line_insert(&k->ed, " ", 1);
			return;
		}
	}
	say(k, "\n");
	if (ch.n)
		show_choices(k, &ch);
	else
		say(k, "(nothing may follow)\n");
	console_line_redraw(&k->ed, pr);
}

static void after_line(struct console *k)
{
	if (k->st != ST_LOCKED)
		prompt(k);
}

int console_feed(struct console *k, const uint8_t *b, size_t n, uint64_t now_ms)
{
	k->logged_out = 0;
	if (k->st == ST_LOCKED) {
		if (console_lockout_left(&k->lock, now_ms))
			return 0; /* input during the lock is discarded */
		k->st = ST_USER;
		console_line_clear(&k->ed);
		prompt(k);
		return 0; /* the bytes typed while locked are dropped too */
	}
	for (size_t i = 0; i < n; i++) {
		if (k->st == ST_LOCKED)
			break;
		enum console_line_ev ev = console_line_feed(&k->ed, b[i]);
		switch (ev) {
		case CONSOLE_LINE_NONE:
			continue;
		case CONSOLE_LINE_HELP:
			complete(k, 1);
			continue;
		case CONSOLE_LINE_COMPLETE:
			complete(k, 0);
			continue;
		case CONSOLE_LINE_CANCEL:
			if (k->st == ST_LOAD) {
				say(k, "load aborted: the candidate is unchanged\n");
				audit(k, k->user, "load", "aborted");
				to_shell(k);
				k->mode = CONSOLE_MODE_CONF;
			} else if (k->st == ST_PASS) {
				to_login(k);
			}
			prompt(k);
			continue;
		case CONSOLE_LINE_EOF:
			if (k->st == ST_SHELL) {
				say(k, "\n");
				k->logged_out = 1;
			}
			break;
		case CONSOLE_LINE_DONE:
			switch (k->st) {
			case ST_USER:
				if (k->ed.buf[0]) {
					/* a name longer than any user is cut (and then unknown) */
					size_t ul = strnlen(k->ed.buf, sizeof(k->user) - 1);
					memcpy(k->user, k->ed.buf, ul);
					k->user[ul] = 0;
					k->st = ST_PASS;
					k->ed.echo = 0;
				}
				break;
			case ST_PASS:
				password_done(k, now_ms);
				break;
			case ST_SHELL:
				run_line(k);
				break;
			case ST_LOAD:
				load_line(k);
				break;
			default:
				break;
			}
			break;
		}
		if (k->logged_out) {
			audit(k, k->user, "logout", "ok");
			say(k, "Logged out.\n");
			to_login(k);
			prompt(k);
			return 1;
		}
		if (ev == CONSOLE_LINE_DONE)
			after_line(k);
	}
	return 0;
}

void console_hangup(struct console *k)
{
	if (k->st == ST_SHELL || k->st == ST_LOAD)
		audit(k, k->user, "logout (line dropped)", "ok");
	if (k->st != ST_LOCKED)
		to_login(k);
}

int console_tick(struct console *k, int64_t now)
{
	if (!k->s || !store_pending(k->s, NULL, NULL))
		return 0;
	uint32_t num = 0;
	int r = store_revert_pending(k->s, now, &num);
	if (r == -EAGAIN || r == -ENOENT)
		return 0;
	char pr[128];
	prompt_text(k, pr, sizeof(pr));
	if (r) {
		say(k, "\n*** commit confirmed expired but the revert failed: %s\n",
		    store_message(k->s));
		audit(k, "store", "revert (commit confirmed expired)", "error");
	} else {
		say(k, "\n*** commit confirmed was not confirmed in time: reverted, running is now commit %u\n",
		    num);
		audit(k, "store", "revert (commit confirmed expired)", "ok");
	}
	if (k->st == ST_SHELL || k->st == ST_USER || k->st == ST_PASS)
		console_line_redraw(&k->ed, pr);
	return r ? r : 1;
}
