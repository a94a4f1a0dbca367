// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_conf: parse the segw-tlsd configuration file. */
#include "tls/tls_conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const suite_names[TLS_S__COUNT] = {
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
};

const char *tls_suite_name(unsigned s)
{
	return s < TLS_S__COUNT ? suite_names[s] : NULL;
}

#define MAXW 32

struct ctx {
	const char *file;
	unsigned line;
	char *err;
	size_t errlen;
	int failed;
};

static void fail(struct ctx *x, const char *fmt, ...)
{
	if (x->failed)
		return;
	x->failed = 1;
	int n = snprintf(x->err, x->errlen, "%s:%u: ", x->file, x->line);
	if (n < 0 || (size_t)n >= x->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int copy(struct ctx *x, char *dst, size_t dsz, const char *src, const char *what)
{
	size_t n = strlen(src);
	if (n == 0 || n >= dsz) {
		fail(x, "%s: empty or longer than %zu bytes", what, dsz - 1);
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

static int parse_u32(struct ctx *x, const char *s, uint32_t lo, uint32_t hi, uint32_t *out,
                     const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		fail(x, "%s: '%s' is not a number in %u..%u", what, s, lo, hi);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_addr(struct ctx *x, const char *s, struct tls_conf_listener *l)
{
	char host[64];
	const char *colon;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = 0;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	uint32_t port;
	if (parse_u32(x, colon + 1, 1, 65535, &port, "listen port"))
		return -1;
	memset(&l->sa, 0, sizeof(l->sa));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&l->sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&l->sa;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		l->salen = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		l->salen = sizeof(*a6);
	} else {
		goto bad;
	}
	return 0;
bad:
	fail(x, "listen: '%s' is not ADDR:PORT (IPv6 in brackets)", s);
	return -1;
}

static int parse_ciphers(struct ctx *x, const char *s, uint32_t *mask)
{
	char buf[512];
	if (strlen(s) >= sizeof(buf)) {
		fail(x, "ciphers: list too long");
		return -1;
	}
	memcpy(buf, s, strlen(s) + 1);
	*mask = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned k;
		for (k = 0; k < TLS_S__COUNT; k++)
			if (strcasecmp(t, suite_names[k]) == 0)
				break;
		if (k == TLS_S__COUNT) {
			fail(x,
			     "ciphers: '%s' is not in the profile (TLS 1.3/1.2 ECDHE with AES-GCM "
			     "or "
			     "ChaCha20-Poly1305, IANA names)",
			     t);
			return -1;
		}
		*mask |= 1u << k;
	}
	if (!*mask) {
		fail(x, "ciphers: empty list");
		return -1;
	}
	return 0;
}

static void do_listen(struct ctx *x, struct tls_conf *c, char **w, int n)
{
	if (c->n_listeners == TLS_MAX_LISTENERS) {
		fail(x, "listen: more than %d listeners", TLS_MAX_LISTENERS);
		return;
	}
	struct tls_conf_listener *l = &c->listener[c->n_listeners];
	memset(l, 0, sizeof(*l));
	l->min_version = 0x0303;
	l->suites_mask = (1u << TLS_S__COUNT) - 1;
	if (n < 2) {
		fail(x, "listen: needs ADDR:PORT");
		return;
	}
	if (parse_addr(x, w[1], l))
		return;
	for (int i = 2; i < n; i++) {
		const char *k = w[i];
		const char *v = i + 1 < n ? w[i + 1] : NULL;
		if (!v) {
			fail(x, "listen: '%s' needs a value", k);
			return;
		}
		i++;
		if (!strcmp(k, "zone")) {
			if (copy(x, l->zone, sizeof(l->zone), v, "zone"))
				return;
		} else if (!strcmp(k, "to")) {
			if (copy(x, l->to_zone, sizeof(l->to_zone), v, "to"))
				return;
		} else if (!strcmp(k, "min-version")) {
			if (!strcmp(v, "1.2"))
				l->min_version = 0x0303;
			else if (!strcmp(v, "1.3"))
				l->min_version = 0x0304;
			else {
				fail(x,
				     "min-version: '%s': only 1.2 or 1.3 (never weaker than 1.2)",
				     v);
				return;
			}
		} else if (!strcmp(k, "ciphers")) {
			if (parse_ciphers(x, v, &l->suites_mask))
				return;
		} else if (!strcmp(k, "client-auth")) {
			if (!strcmp(v, "none"))
				l->client_auth = TLS_AUTH_NONE;
			else if (!strcmp(v, "optional"))
				l->client_auth = TLS_AUTH_OPTIONAL;
			else if (!strcmp(v, "required"))
				l->client_auth = TLS_AUTH_REQUIRED;
			else {
				fail(x, "client-auth: '%s' is not none, optional or required", v);
				return;
			}
		} else if (!strcmp(k, "ca")) {
			if (copy(x, l->ca, sizeof(l->ca), v, "ca"))
				return;
		} else if (!strcmp(k, "crl")) {
			if (copy(x, l->crl, sizeof(l->crl), v, "crl"))
				return;
		} else {
			fail(x, "listen: unknown option '%s'", k);
			return;
		}
	}
	if (l->client_auth != TLS_AUTH_NONE && !l->ca[0]) {
		fail(x, "listen: client-auth needs ca FILE");
		return;
	}
	uint32_t s13 =
	    (1u << TLS_S13_AES128_GCM) | (1u << TLS_S13_AES256_GCM) | (1u << TLS_S13_CHACHA);
	if (l->min_version == 0x0304 && !(l->suites_mask & s13)) {
		fail(x, "listen: min-version 1.3 leaves no TLS 1.3 cipher");
		return;
	}
	/* A mask without TLS 1.3 suites is a legal narrowing to TLS 1.2 only. */
	c->n_listeners++;
}

static void do_site(struct ctx *x, struct tls_conf *c, char **w, int n)
{
	if (c->n_sites == TLS_MAX_SITES) {
		fail(x, "site: more than %d sites", TLS_MAX_SITES);
		return;
	}
	struct tls_conf_site *s = &c->site[c->n_sites];
	memset(s, 0, sizeof(*s));
	if (n < 2) {
		fail(x, "site: needs NAME");
		return;
	}
	if (copy(x, s->name, sizeof(s->name), w[1], "site name"))
		return;
	for (char *p = s->name; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		           *p == '.' || (*p == '*' && p == s->name && p[1] == '.'))) {
			fail(x, "site: '%s' is not a server name or *.suffix", w[1]);
			return;
		}
	}
	for (int i = 2; i < n; i++) {
		const char *k = w[i];
		if (!strcmp(k, "default")) {
			s->is_default = 1;
			continue;
		}
		const char *v = i + 1 < n ? w[i + 1] : NULL;
		if (!v) {
			fail(x, "site: '%s' needs a value", k);
			return;
		}
		i++;
		int r;
		if (!strcmp(k, "cert"))
			r = copy(x, s->cert, sizeof(s->cert), v, "cert");
		else if (!strcmp(k, "key"))
			r = copy(x, s->key, sizeof(s->key), v, "key");
		else if (!strcmp(k, "backend"))
			r = copy(x, s->backend, sizeof(s->backend), v, "backend");
		else {
			fail(x, "site: unknown option '%s'", k);
			return;
		}
		if (r)
			return;
	}
	if (!s->cert[0] || !s->key[0]) {
		fail(x, "site %s: needs cert FILE and key FILE", s->name);
		return;
	}
	for (unsigned k = 0; k < c->n_sites; k++) {
		if (!strcmp(c->site[k].name, s->name)) {
			fail(x, "site %s: defined twice", s->name);
			return;
		}
		if (s->is_default && c->site[k].is_default) {
			fail(x, "site %s: a second default site (first: %s)", s->name,
			     c->site[k].name);
			return;
		}
	}
	c->n_sites++;
}

static void statement(struct ctx *x, struct tls_conf *c, char **w, int n)
{
	const char *k = w[0];
	if (!strcmp(k, "listen")) {
		do_listen(x, c, w, n);
		return;
	}
	if (!strcmp(k, "site")) {
		do_site(x, c, w, n);
		return;
	}
	if (!strcmp(k, "rate-limit")) {
		char buf[32];
		if (n != 2 && n != 4) {
			fail(x, "rate-limit: N[/s] [burst M]");
			return;
		}
		if (copy(x, buf, sizeof(buf), w[1], "rate-limit"))
			return;
		char *sl = strstr(buf, "/s");
		if (sl && sl[2] == 0)
			*sl = 0;
		if (parse_u32(x, buf, 0, 1000000, &c->rate_per_s, "rate-limit"))
			return;
		if (n == 4) {
			if (strcmp(w[2], "burst")) {
				fail(x, "rate-limit: expected 'burst', got '%s'", w[2]);
				return;
			}
			parse_u32(x, w[3], 1, 1000000, &c->rate_burst, "burst");
		}
		return;
	}
	if (!strcmp(k, "backend-name")) {
		if (n != 3) {
			fail(x, "backend-name: BACKEND HOSTNAME");
			return;
		}
		if (c->n_bnames == TLS_MAX_BNAMES) {
			fail(x, "backend-name: more than %d", TLS_MAX_BNAMES);
			return;
		}
		struct tls_conf_bname *b = &c->bname[c->n_bnames];
		if (copy(x, b->backend, sizeof(b->backend), w[1], "backend") ||
		    copy(x, b->host, sizeof(b->host), w[2], "hostname"))
			return;
		c->n_bnames++;
		return;
	}
	if (n != 2) {
		fail(x, "%s: expected one value", k);
		return;
	}
	const char *v = w[1];
	if (!strcmp(k, "policy"))
		copy(x, c->policy, sizeof(c->policy), v, k);
	else if (!strcmp(k, "backend-ca"))
		copy(x, c->backend_ca, sizeof(c->backend_ca), v, k);
	else if (!strcmp(k, "user"))
		copy(x, c->user, sizeof(c->user), v, k);
	else if (!strcmp(k, "stats-file"))
		copy(x, c->stats_file, sizeof(c->stats_file), v, k);
	else if (!strcmp(k, "stats-dir"))
		copy(x, c->stats_dir, sizeof(c->stats_dir), v, k);
	else if (!strcmp(k, "ticket-rotate"))
		parse_u32(x, v, 0, 7 * 86400, &c->ticket_rotate_s, k);
	else if (!strcmp(k, "max-conns"))
		parse_u32(x, v, 1, 1000000, &c->max_conns, k);
	else if (!strcmp(k, "handshake-timeout"))
		parse_u32(x, v, 1, 3600, &c->handshake_timeout_s, k);
	else if (!strcmp(k, "idle-timeout"))
		parse_u32(x, v, 1, 86400, &c->idle_timeout_s, k);
	else
		fail(x, "unknown statement '%s'", k);
}

int tls_conf_parse(const char *file, const char *text, size_t len, struct tls_conf *c, char *err,
                   size_t errlen)
{
	struct ctx x = {.file = file, .err = err, .errlen = errlen};
	memset(c, 0, sizeof(*c));
	snprintf(c->user, sizeof(c->user), "%s", "nobody");
	c->ticket_rotate_s = 3600;
	c->max_conns = 1024;
	c->handshake_timeout_s = 10;
	c->idle_timeout_s = 300;
	if (errlen)
		err[0] = 0;
	size_t i = 0;
	while (i < len && !x.failed) {
		x.line++;
		char line[2048];
		size_t ll = 0;
		while (i < len && text[i] != '\n') {
			if (ll + 1 < sizeof(line))
				line[ll] = text[i];
			ll++;
			i++;
		}
		i++;
		if (ll + 1 > sizeof(line)) {
			fail(&x, "line longer than %zu bytes", sizeof(line) - 1);
			break;
		}
		line[ll] = 0;
		if (memchr(line, 0, ll)) {
			fail(&x, "NUL byte in line");
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *w[MAXW];
		int n = 0;
		for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t;
		     t = strtok_r(NULL, " \t\r", &save)) {
			if (n == MAXW) {
				fail(&x, "more than %d words", MAXW);
				break;
			}
			w[n++] = t;
		}
		if (n && !x.failed)
			statement(&x, c, w, n);
	}
	if (!x.failed && c->n_listeners == 0) {
		x.line = 0;
		fail(&x, "no listen statement");
	}
	if (!x.failed && c->n_sites == 0) {
		x.line = 0;
		fail(&x, "no site statement");
	}
	return x.failed ? -EINVAL : 0;
}

int tls_conf_load(const char *path, struct tls_conf *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char *buf = malloc(1 << 20);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	int bad = ferror(f) || !feof(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s: unreadable or larger than 1 MiB", path);
		return -EINVAL;
	}
	int r = tls_conf_parse(path, buf, n, c, err, errlen);
	free(buf);
	return r;
}

int tls_site_matches(const char *name, const char *sni)
{
	if (name[0] == '*' && name[1] == '.') {
		size_t nl = strlen(name + 1), sl = strlen(sni); /* ".suffix" */
		return sl > nl && strcasecmp(sni + sl - nl, name + 1) == 0;
	}
	return strcasecmp(name, sni) == 0;
}
