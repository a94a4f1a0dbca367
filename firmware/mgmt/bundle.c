// SPDX-License-Identifier: GPL-2.0-or-later
/* bundle: signed policy bundles. See bundle.h and docs/mgmt.md. */
#include "mgmt/bundle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>

#define MAGIC "segw-bundle 1\n"
#define SIG_KW "signature "

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t n, const char *fmt, ...)
{
	if (err && n) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* A P-256 ECDSA-capable key (public or private). */
static int key_ok(mbedtls_pk_context *k)
{
	if (!k || !mbedtls_pk_can_do(k, MBEDTLS_PK_ECDSA))
		return 0;
	if (mbedtls_pk_get_type(k) != MBEDTLS_PK_ECKEY && mbedtls_pk_get_type(k) != MBEDTLS_PK_ECDSA)
		return 0;
	return mbedtls_pk_get_bitlen(k) == 256 &&
	       mbedtls_pk_ec(*k) && mbedtls_ecp_keypair_get_group_id(mbedtls_pk_ec(*k)) ==
						MBEDTLS_ECP_DP_SECP256R1;
}

/* One header line at *pos: "KEY VALUE\n" with KEY exactly @key. The value
 * (printable ASCII, no NUL) in [*v, *v + *vn). */
static int field(const uint8_t *b, size_t end, size_t *pos, const char *key, const char **v,
		 size_t *vn)
{
	size_t kl = strlen(key), p = *pos;
	if (end - p < kl + 2 || memcmp(b + p, key, kl) != 0 || b[p + kl] != ' ')
		return -1;
	p += kl + 1;
	size_t s = p;
	while (p < end && b[p] != '\n') {
		if (b[p] < 0x20 || b[p] > 0x7e)
			return -1;
		p++;
	}
	if (p == end)
		return -1;
	*v = (const char *)b + s;
	*vn = p - s;
	*pos = p + 1;
	return 0;
}

static int num(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 20 || (n > 1 && v[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		unsigned d = (unsigned)(v[i] - '0');
		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static int copy_str(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

int bundle_parse(const uint8_t *b, size_t n, mbedtls_pk_context *key, struct bundle *out,
		 char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	memset(out, 0, sizeof(*out));
	if (n > BUNDLE_MAX) {
		fail(err, errlen, "bundle larger than %u bytes", BUNDLE_MAX);
		return -E2BIG;
	}
	if (n < sizeof(MAGIC) - 1 || memcmp(b, MAGIC, sizeof(MAGIC) - 1) != 0)
		return fail(err, errlen, "not a segw bundle (first line must be 'segw-bundle 1')");
	/* The signature is the last line: find its start. */
	if (b[n - 1] != '\n')
		return fail(err, errlen, "bundle does not end with a newline (truncated?)");
	size_t ls = n - 1;
	while (ls > 0 && b[ls - 1] != '\n')
		ls--;
	size_t kl = sizeof(SIG_KW) - 1;
	if (n - ls < kl + 1 || memcmp(b + ls, SIG_KW, kl) != 0)
		return fail(err, errlen, "no signature line at the end (truncated?)");
	const unsigned char *s64 = b + ls + kl;
	size_t s64n = n - 1 - (ls + kl);
	unsigned char sig[BUNDLE_SIG_MAX];
	size_t sigl = 0;
	if (s64n == 0 || s64n > 4 * ((sizeof(sig) + 2) / 3) ||
	    mbedtls_base64_decode(sig, sizeof(sig), &sigl, s64, s64n) != 0 || sigl == 0)
		return fail(err, errlen, "signature is not base64 of at most %d bytes",
			    BUNDLE_SIG_MAX);
	if (!key_ok(key)) {
		fail(err, errlen, "the management key is not an ECDSA P-256 key");
		return -EKEYREJECTED;
	}
	unsigned char h[32];
	if (mbedtls_sha256(b, ls, h, 0) != 0 ||
	    mbedtls_pk_verify(key, MBEDTLS_MD_SHA256, h, sizeof(h), sig, sigl) != 0) {
		fail(err, errlen, "bad signature: not signed by the management key");
		return -EKEYREJECTED;
	}

	/* Signed: now the fields, strictly in order. */
	size_t pos = sizeof(MAGIC) - 1, end = ls;
	const char *v;
	size_t vn;
	uint64_t x;
	if (field(b, end, &pos, "target", &v, &vn) || vn == 0 ||
	    copy_str(out->target, sizeof(out->target), v, vn))
		return fail(err, errlen, "line 2: expected 'target ID[,ID...]' or 'target *'");
	if (field(b, end, &pos, "board", &v, &vn) || vn == 0 ||
	    copy_str(out->board, sizeof(out->board), v, vn))
		return fail(err, errlen, "line 3: expected 'board BOARD-ID'");
	if (field(b, end, &pos, "version", &v, &vn) || num(v, vn, INT64_MAX, &x) || x == 0)
		return fail(err, errlen, "line 4: expected 'version N' (1 or more)");
	out->version = x;
	if (field(b, end, &pos, "window", &v, &vn) || num(v, vn, BUNDLE_WINDOW_MAX, &x))
		return fail(err, errlen, "line 5: expected 'window SECONDS' (0..%u)",
			    BUNDLE_WINDOW_MAX);
	out->window_s = (uint32_t)x;
	if (field(b, end, &pos, "comment", &v, &vn) == 0) {
		if (copy_str(out->comment, sizeof(out->comment), v, vn))
			return fail(err, errlen, "comment longer than %d bytes",
				    BUNDLE_COMMENT_MAX);
	}
	if (field(b, end, &pos, "policy", &v, &vn) || num(v, vn, BUNDLE_MAX, &x))
		return fail(err, errlen, "expected 'policy LENGTH' before the policy text");
	/* the policy, then one "\n" that ends it (so that the signature line
	 * is a line even when the policy does not end with a newline) */
	if (end - pos < 1 || x != end - pos - 1)
		return fail(err, errlen,
			    "policy length %llu does not match the %zu bytes before the signature",
			    (unsigned long long)x, end - pos ? end - pos - 1 : 0);
	if (memchr(b + pos, 0, (size_t)x))
		return fail(err, errlen, "policy text contains a NUL byte");
	out->policy = (const char *)b + pos;
	out->policy_len = (size_t)x;
	return 0;
}

int bundle_targets(const char *target, const char *id)
{
	if (strcmp(target, "*") == 0)
		return 1;
	size_t il = strlen(id);
	const char *p = target;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == il && memcmp(p, id, il) == 0)
			return 1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

static int printable(const char *s, int allow_empty)
{
	if (!*s && !allow_empty)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int bundle_build(const struct bundle *in, mbedtls_pk_context *sk,
		 int (*rng)(void *, unsigned char *, size_t), void *rng_ctx, uint8_t **out,
		 size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (!printable(in->target, 0) || !printable(in->board, 0) ||
	    !printable(in->comment, 1) || in->version == 0 || in->version > INT64_MAX ||
	    in->window_s > BUNDLE_WINDOW_MAX || !key_ok(sk) ||
	    (in->policy_len && (!in->policy || memchr(in->policy, 0, in->policy_len))))
		return -EINVAL;
	char head[1024];
	int hn = snprintf(head, sizeof(head),
			  MAGIC "target %s\nboard %s\nversion %llu\nwindow %u\n%s%s%spolicy %zu\n",
			  in->target, in->board, (unsigned long long)in->version, in->window_s,
			  in->comment[0] ? "comment " : "", in->comment, in->comment[0] ? "\n" : "",
			  in->policy_len);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return -EINVAL;
	size_t body = (size_t)hn + in->policy_len + 1;
	size_t total = body + sizeof(SIG_KW) - 1 + 4 * ((BUNDLE_SIG_MAX + 2) / 3) + 2;
	if (total > BUNDLE_MAX)
		return -E2BIG;
	uint8_t *b = malloc(total);
	if (!b)
		return -ENOMEM;
	memcpy(b, head, (size_t)hn);
	if (in->policy_len)
		memcpy(b + hn, in->policy, in->policy_len);
	b[body - 1] = '\n';
	unsigned char h[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t sigl = 0;
	if (mbedtls_sha256(b, body, h, 0) != 0 ||
	    mbedtls_pk_sign(sk, MBEDTLS_MD_SHA256, h, sizeof(h), sig, sizeof(sig), &sigl, rng,
			    rng_ctx) != 0 ||
	    sigl > BUNDLE_SIG_MAX) {
		free(b);
		return -EIO;
	}
	size_t pos = body, o = 0;
	memcpy(b + pos, SIG_KW, sizeof(SIG_KW) - 1);
	pos += sizeof(SIG_KW) - 1;
	if (mbedtls_base64_encode(b + pos, total - pos - 1, &o, sig, sigl) != 0) {
		free(b);
		return -EIO;
	}
	pos += o;
	b[pos++] = '\n';
	*out = b;
	*outlen = pos;
	return 0;
}
