// SPDX-License-Identifier: GPL-2.0-or-later
/* console_auth: see console_auth.h. */
#include "console/console_auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

const struct console_user *console_auth_check(const struct console_user *users, unsigned n,
					      const char *name, const char *password)
{
	const struct console_user *u = NULL;
	for (unsigned i = 0; i < n; i++)
		if (users[i].name && strcmp(users[i].name, name) == 0) {
			u = &users[i];
			break;
		}
	/* Hash even for an unknown user, so timing does not tell names apart. */
	const char *setting = u ? u->hash : (n ? users[0].hash : NULL);
	if (!setting || !*setting)
		return NULL;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return NULL;
	const char *h = crypt_r(password, setting, cd);
	int ok = u && h && h[0] != '*' && equal_ct(h, u->hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok ? u : NULL;
}

int console_auth_hash(const char *password, const char *prefix, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof(salt)))
		return errno == EINVAL ? -EINVAL : -EIO;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	const char *h = crypt_r(password, salt, cd);
	int r = 0;
	if (!h || h[0] == '*')
		r = -EINVAL;
	else if (strlen(h) >= outlen)
		r = -ENOSPC;
	else
		memcpy(out, h, strlen(h) + 1);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

unsigned console_lockout_fail(struct console_lockout *l, uint64_t now_ms)
{
	l->total_failures++;
	l->fails++;
	if (l->fails < CONSOLE_LOCKOUT_AFTER)
		return 0;
	unsigned shift = l->fails - CONSOLE_LOCKOUT_AFTER;
	uint64_t d = l->base_ms ? l->base_ms : 1000;
	uint64_t cap = l->max_ms ? l->max_ms : 60000;
	d = shift >= 20 ? cap : d << shift;
	if (d > cap)
		d = cap;
	l->lockouts++;
	l->until_ms = now_ms + d;
	return (unsigned)d;
}

void console_lockout_ok(struct console_lockout *l)
{
	l->fails = 0;
	l->until_ms = 0;
}

uint64_t console_lockout_left(const struct console_lockout *l, uint64_t now_ms)
{
	return l->until_ms > now_ms ? l->until_ms - now_ms : 0;
}
