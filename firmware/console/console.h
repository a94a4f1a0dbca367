/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console: the serial console CLI. A person logs in (console_auth.h), then
 * types commands in the style of VyOS/Junos:
 *
 *   operational (prompt "user@host> "): show interfaces|counters|flows|
 *     policy|version|history, configure (admin), confirm (admin),
 *     rollback N (admin), exit
 *   configuration (prompt "user@host# "): set STATEMENT (a line of the
 *     policy language, replacing the line with the same key: rule ID, zone
 *     NAME, backend NAME, set addr|port|name NAME, default KEY), delete KEY,
 *     load (paste a whole policy, end with a line "."), show candidate,
 *     compare, commit [comment], commit confirmed N (seconds), confirm,
 *     rollback N, show ..., exit
 *
 * Line editing, history, '?' help and TAB completion work over a plain
 * serial line (console_line.h). Errors print the line with a caret under the
 * wrong word. Every command, login and logout is reported to the audit sink
 * (who, when, tty, command, result); passwords never are.
 *
 * A session (struct console) is fed bytes and writes through a callback, so
 * it runs on any byte stream; console_run() drives one on a hal console.
 *
 * Owner:      the caller owns the store, the cfg (borrowed for the
 *             session's life) and the hal console; console_new() allocates
 *             the session, console_free() releases it.
 * Thread:     the control thread only (the store is not thread-safe).
 * Allocation: console_new; a candidate and a load buffer while configuring
 *             (load: at most CONSOLE_LOAD_MAX bytes).
 * Errors:     negative errno; a bad command line is not an error (it is
 *             answered on the console and audited with result "error").
 */
#ifndef SEGW_CONSOLE_CONSOLE_H
#define SEGW_CONSOLE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "console/console_auth.h"
#include "console/console_cmd.h"
#include "console/console_line.h"
#include "segw/hal/console.h"
#include "stats/snapshot.h"
#include "store/store.h"

#define CONSOLE_LOAD_MAX (1u << 20)
#define CONSOLE_CONFIRM_MAX 86400u /* longest commit confirmed window, s */

/* One audit record; strings valid during the call only. */
struct console_audit_rec {
	int64_t when;        /* epoch seconds */
	const char *tty;     /* the console's path */
	const char *who;     /* user name ("-" before login, "store" for a revert) */
	const char *command; /* as typed (a load: "load (N lines)") */
	const char *result;  /* "ok", "error", "denied", "failed", "locked" */
};
typedef void (*console_audit_fn)(void *ctx, const struct console_audit_rec *r);

/* console_audit_format - one line "TIME tty=T user=U result=R cmd=C" (no
 * newline) into @buf; the length it needed (as snprintf). */
int console_audit_format(const struct console_audit_rec *r, char *buf, size_t n);

/* Counter snapshot source for `show counters`: fill *out, 0 or -errno. */
typedef int (*console_counters_fn)(void *ctx, struct stats_snapshot *out);
/* Output for `show interfaces` / `show flows`: print to @out, 0 or -errno. */
typedef int (*console_show_fn)(void *ctx, FILE *out);

struct console_cfg {
	const struct console_user *users;
	unsigned n_users;
	const char *hostname;            /* prompt; NULL: "segw" */
	unsigned lockout_base_ms;        /* first lock delay; 0: 1000 */
	unsigned lockout_max_ms;         /* cap; 0: 60000 */
	console_audit_fn audit;          /* NULL: no audit (not for production) */
	void *audit_ctx;
	console_counters_fn counters;    /* NULL: the global source, see below */
	void *counters_ctx;
	console_show_fn show_interfaces; /* NULL: "not available" */
	console_show_fn show_flows;
	void *show_ctx;
	volatile int *stop;              /* console_run returns once *stop != 0 */
};

/*
 * console_set_counters_source - the snapshot source `show counters` uses
 * when cfg->counters is NULL (set once before console_run()).
 */
void console_set_counters_source(console_counters_fn fn, void *ctx);

struct console;

/*
 * console_new - a session on store @s (may be NULL: configuration commands
 * then say so) writing through @write(@wctx); @tty names it in the audit.
 * Prints nothing until console_start(). 0, -ENOMEM, -EINVAL.
 */
int console_new(struct console **out, struct store *s, const struct console_cfg *cfg,
		console_write_fn write, void *wctx, const char *tty);
void console_free(struct console *k);
/* console_start - print the banner and the login prompt. */
void console_start(struct console *k);
/*
 * console_assume - start the session logged in as @user without a password
 * (a board whose console needs no login; tests). 0, -ENOENT (no such user).
 */
int console_assume(struct console *k, const char *user);
/*
 * console_feed - process @n input bytes at monotonic time @now_ms (n may be
 * 0: let time pass, e.g. the end of a lockout). Returns 1 when the person
 * logged out (the session is back at the login prompt), else 0.
 */
int console_feed(struct console *k, const uint8_t *b, size_t n, uint64_t now_ms);
/* console_hangup - the line dropped: log out (audited), back to login. */
void console_hangup(struct console *k);
/*
 * console_tick - once a second, @now epoch seconds: reverts an expired
 * commit confirmed (store_revert_pending) and says so on the console.
 * Returns 1 when it reverted, 0 otherwise, or a storage error.
 */
int console_tick(struct console *k, int64_t now);
/* console_stats - login failures and lockouts counted so far. */
void console_stats(const struct console *k, uint64_t *failures, uint64_t *lockouts);

/*
 * console_run - run a session on hal console @c (opened here, closed on
 * return) with store @s until *cfg->stop is set: reads input, calls
 * console_tick() every second, survives the line dropping and coming back.
 * 0 when stopped, or the error of opening the console.
 */
int console_run(struct hal_console *c, struct store *s, const struct console_cfg *cfg);

/*
 * A console on a hal console driven by the caller's event loop (what
 * console_run() does in its own loop):
 *   console_port_open - open @c and start a session (banner, login prompt).
 *                       0, or the console's open error, -ENOMEM.
 *   console_port_pollfd - the fd to poll for input, -1 while no one is
 *                       connected (then *timeout_ms is lowered to 100 so the
 *                       caller looks again soon).
 *   console_port_step - read what is waiting (never blocks), let time pass
 *                       (lockouts) and tick once a second (revert).
 *   console_port_close - end the session and close the console.
 */
struct console_port;
int console_port_open(struct console_port **out, struct hal_console *c, struct store *s,
		      const struct console_cfg *cfg);
int console_port_pollfd(const struct console_port *p, int *timeout_ms);
void console_port_step(struct console_port *p);
struct console *console_port_session(struct console_port *p);
void console_port_close(struct console_port *p);

#endif
