/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console_auth: console logins. Users have a name, a role and a salted, slow
 * password hash in crypt(5) form (yescrypt "$y$..." preferred, SHA-512
 * "$6$..." accepted), checked with libcrypt's crypt_r(). An unknown user
 * costs the same hashing as a known one. After CONSOLE_LOCKOUT_AFTER
 * consecutive failures each further failure locks the console for a delay
 * that doubles (base, 2*base, ... up to max); failures and lockouts are
 * counted.
 *
 * Owner:      the caller owns the user table (strings borrowed) and struct
 *             console_lockout.
 * Thread:     any; no shared state.
 * Allocation: check and hash allocate a crypt work area (~32 KiB) and free it.
 * Errors:     negative errno as listed per function.
 */
#ifndef SEGW_CONSOLE_AUTH_H
#define SEGW_CONSOLE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_LOCKOUT_AFTER 3
#define CONSOLE_HASH_MAX 128

struct console_user {
	const char *name;
	const char *hash; /* crypt(5) hash: "$y$...", "$6$..." */
	uint8_t role;     /* enum console_role (console_cmd.h) */
};

/*
 * console_auth_check - the user @name if @password matches its hash.
 * Returns the user, NULL when the name is unknown, the password wrong or the
 * hash unusable (never says which).
 */
const struct console_user *console_auth_check(const struct console_user *users, unsigned n,
					      const char *name, const char *password);

/*
 * console_auth_hash - a new salted hash of @password with method @prefix
 * ("$y$" yescrypt, "$6$" SHA-512; NULL: libcrypt's preferred) into @out.
 * 0, -EINVAL (unknown method), -ENOSPC (@outlen too small), -ENOMEM, -EIO
 * (no entropy for the salt).
 */
int console_auth_hash(const char *password, const char *prefix, char *out, size_t outlen);

struct console_lockout {
	unsigned base_ms, max_ms;   /* delay of the first lockout, cap */
	unsigned fails;             /* consecutive failures */
	uint64_t until_ms;          /* locked until this monotonic time */
	uint64_t total_failures;    /* counters */
	uint64_t lockouts;
};

/* console_lockout_fail - count a failure at @now_ms; the lock delay now due (ms, 0: none). */
unsigned console_lockout_fail(struct console_lockout *l, uint64_t now_ms);
/* console_lockout_ok - a successful login: consecutive failures back to 0. */
void console_lockout_ok(struct console_lockout *l);
/* console_lockout_left - ms until the lock ends, 0 when not locked. */
uint64_t console_lockout_left(const struct console_lockout *l, uint64_t now_ms);

#endif
