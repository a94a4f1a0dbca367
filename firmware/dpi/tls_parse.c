// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS handshake parsing: see tls_parse.h. Wire formats from RFC 8446 /
 * RFC 5246 (handshake), RFC 6066 (SNI), RFC 7301 (ALPN), RFC 5280 (X.509);
 * JA4/JA4S as specified by FoxIO's JA4 technical details.
 */
#include "dpi/tls_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/sha256.h>

#include "dpi/dpi_internal.h"

#define MAX_LIST 128 /* ciphers / extensions / sig algs kept for JA4 */

/* A bounds-checked reader. */
struct rd {
	const uint8_t *p;
	uint32_t n, o;
	int bad;
};

static int rd_left(const struct rd *r)
{
	return !r->bad && r->o < r->n;
}

static uint32_t rd_avail(const struct rd *r)
{
	return r->bad ? 0 : r->n - r->o;
}

static uint32_t rd_u(struct rd *r, unsigned bytes)
{
	uint32_t v = 0;
	if (r->bad || rd_avail(r) < bytes) {
		r->bad = 1;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | r->p[r->o + i];
	r->o += bytes;
	return v;
}

/* rd_sub - a sub-reader over the next @len bytes. */
static struct rd rd_sub(struct rd *r, uint32_t len)
{
	struct rd s = { NULL, 0, 0, 1 };
	if (r->bad || rd_avail(r) < len) {
		r->bad = 1;
		return s;
	}
	s.p = r->p + r->o;
	s.n = len;
	s.bad = 0;
	r->o += len;
	return s;
}

int tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void sort_u16(uint16_t *v, unsigned n)
{
	/* insertion sort: n <= MAX_LIST */
	for (unsigned i = 1; i < n; i++) {
		uint16_t x = v[i];
		unsigned j = i;
		while (j > 0 && cmp_u16(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static const char hexd[] = "0123456789abcdef";

/* Hex list "0a0b,0c0d" of @n values into @out (no printf: once per hello). */
static size_t hex_list(char *out, size_t cap, const uint16_t *v, unsigned n)
{
	size_t o = 0;
	for (unsigned i = 0; i < n && o + 6 < cap; i++) {
		if (i)
			out[o++] = ',';
		out[o++] = hexd[v[i] >> 12 & 15];
		out[o++] = hexd[v[i] >> 8 & 15];
		out[o++] = hexd[v[i] >> 4 & 15];
		out[o++] = hexd[v[i] & 15];
	}
	out[o] = 0;
	return o;
}

/* First 12 hex characters of sha256(@s), or "000000000000" when @s is empty. */
static void hash12(const char *s, size_t n, char out[13])
{
	uint8_t h[32];
	if (n == 0) {
		memcpy(out, "000000000000", 13);
		return;
	}
	mbedtls_sha256((const unsigned char *)s, n, h, 0);
	for (int i = 0; i < 6; i++) {
		out[2 * i] = hexd[h[i] >> 4];
		out[2 * i + 1] = hexd[h[i] & 15];
	}
	out[12] = 0;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static int alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* JA4's two ALPN characters from the first ALPN value @a (length @n). */
static void ja4_alpn(const uint8_t *a, uint32_t n, char out[3])
{
	static const char hx[] = "0123456789abcdef";
	if (n == 0) {
		out[0] = out[1] = '0';
	} else if (alnum(a[0]) && alnum(a[n - 1])) {
		out[0] = (char)a[0];
		out[1] = (char)a[n - 1];
	} else {
		out[0] = hx[a[0] >> 4];
		out[1] = hx[a[n - 1] & 0xf];
	}
	out[2] = 0;
}

int tls_parse_client_hello(const uint8_t *b, uint32_t n, char transport, struct dpi_facts *f)
{
	struct rd r = { b, n, 0, 0 };
	uint16_t ciphers[MAX_LIST], exts[MAX_LIST], sigs[MAX_LIST];
	unsigned nc = 0, ne = 0, ns = 0, nc_all = 0, ne_all = 0;
	uint16_t maxver = 0;
	const uint8_t *alpn1 = NULL;
	uint32_t alpn1_len = 0;
	int have_sni = 0;

	uint16_t legacy = (uint16_t)rd_u(&r, 2);
	rd_sub(&r, 32);                    /* random */
	rd_sub(&r, rd_u(&r, 1));           /* session id */
	if (transport == 'd')
		rd_sub(&r, rd_u(&r, 1));   /* DTLS cookie */
	struct rd cs = rd_sub(&r, rd_u(&r, 2));
	if (r.bad || (cs.n & 1))
		return -EINVAL;
	while (rd_left(&cs)) {
		uint16_t c = (uint16_t)rd_u(&cs, 2);
		if (tls_is_grease(c))
			continue;
		nc_all++;
		if (nc < MAX_LIST)
			ciphers[nc++] = c;
	}
	rd_sub(&r, rd_u(&r, 1));           /* compression methods */
	if (r.bad)
		return -EINVAL;
	f->alpn[0] = 0;
	if (rd_left(&r)) {
		struct rd ex = rd_sub(&r, rd_u(&r, 2));
		if (r.bad)
			return -EINVAL;
		while (rd_left(&ex)) {
			uint16_t t = (uint16_t)rd_u(&ex, 2);
			struct rd e = rd_sub(&ex, rd_u(&ex, 2));
			if (ex.bad)
				return -EINVAL;
			if (tls_is_grease(t))
				continue;
			ne_all++;
			if (t != 0x0000 && t != 0x0010 && ne < MAX_LIST)
				exts[ne++] = t;
			switch (t) {
			case 0x0000: { /* server_name */
				struct rd l = rd_sub(&e, rd_u(&e, 2));
				while (rd_left(&l)) {
					uint8_t kind = (uint8_t)rd_u(&l, 1);
					struct rd h = rd_sub(&l, rd_u(&l, 2));
					if (l.bad)
						break;
					if (kind == 0 && h.n && !have_sni) {
						dpi_set_name(f, h.p, h.n);
						have_sni = 1;
					}
				}
				break;
			}
			case 0x0010: { /* ALPN */
				struct rd l = rd_sub(&e, rd_u(&e, 2));
				size_t o = 0;
				while (rd_left(&l)) {
					struct rd a = rd_sub(&l, rd_u(&l, 1));
					if (l.bad)
						break;
					if (!alpn1) {
						alpn1 = a.p;
						alpn1_len = a.n;
					}
					if (o + a.n + 2 < sizeof(f->alpn)) {
						if (o)
							f->alpn[o++] = ',';
						for (uint32_t i = 0; i < a.n; i++)
							f->alpn[o++] = isprint(a.p[i]) && a.p[i] != ','
									       ? (char)a.p[i]
									       : '?';
						f->alpn[o] = 0;
					}
				}
				break;
			}
			case 0x000d: { /* signature_algorithms */
				struct rd l = rd_sub(&e, rd_u(&e, 2));
				while (rd_left(&l) && rd_avail(&l) >= 2) {
					uint16_t s = (uint16_t)rd_u(&l, 2);
					if (ns < MAX_LIST && !tls_is_grease(s))
						sigs[ns++] = s;
				}
				break;
			}
			case 0x002b: { /* supported_versions */
				struct rd l = rd_sub(&e, rd_u(&e, 1));
				while (rd_left(&l) && rd_avail(&l) >= 2) {
					uint16_t v = (uint16_t)rd_u(&l, 2);
					if (!tls_is_grease(v) && v > maxver && v < 0x7f00)
						maxver = v;
					/* DTLS versions count down */
					if (transport == 'd' && !tls_is_grease(v) &&
					    (maxver == 0 || v < maxver))
						maxver = v;
				}
				break;
			}
			case 0xfe0d: /* encrypted_client_hello (real or GREASE) */
				f->flags |= DPI_F_ECH;
				break;
			default:
				break;
			}
		}
	}
	if (!have_sni)
		f->flags |= DPI_F_NO_SNI;
	if (!maxver)
		maxver = legacy;
	f->tls_client_version = maxver;
	if (!f->tls_version)
		f->tls_version = maxver;
	if (transport != 'd' && maxver && maxver < 0x0303)
		f->flags |= DPI_F_OLD_TLS;

	/* JA4 */
	char list[MAX_LIST * 5 * 2 + 8], hb[13], hc[13], al[3];
	size_t o;
	ja4_alpn(alpn1, alpn1_len, al);
	sort_u16(ciphers, nc);
	o = hex_list(list, sizeof(list), ciphers, nc);
	hash12(list, o, hb);
	sort_u16(exts, ne);
	o = hex_list(list, sizeof(list), exts, ne);
	if (ns && o) {
		list[o++] = '_';
		o += hex_list(list + o, sizeof(list) - o, sigs, ns);
	}
	hash12(list, ne ? o : 0, hc);
	snprintf(f->ja4, sizeof(f->ja4), "%c%s%c%02u%02u%s_%s_%s", transport, ja4_version(maxver),
		 have_sni ? 'd' : 'i', nc_all > 99 ? 99 : nc_all, ne_all > 99 ? 99 : ne_all, al, hb,
		 hc);
	return 0;
}

int tls_parse_server_hello(const uint8_t *b, uint32_t n, char transport, struct dpi_facts *f)
{
	struct rd r = { b, n, 0, 0 };
	uint16_t exts[MAX_LIST];
	unsigned ne = 0, ne_all = 0;
	const uint8_t *alpn = NULL;
	uint32_t alpn_len = 0;

	uint16_t ver = (uint16_t)rd_u(&r, 2);
	rd_sub(&r, 32);
	rd_sub(&r, rd_u(&r, 1));
	uint16_t cipher = (uint16_t)rd_u(&r, 2);
	rd_u(&r, 1); /* compression */
	if (r.bad)
		return -EINVAL;
	if (rd_left(&r)) {
		struct rd ex = rd_sub(&r, rd_u(&r, 2));
		while (rd_left(&ex)) {
			uint16_t t = (uint16_t)rd_u(&ex, 2);
			struct rd e = rd_sub(&ex, rd_u(&ex, 2));
			if (ex.bad)
				return -EINVAL;
			ne_all++;
			if (ne < MAX_LIST)
				exts[ne++] = t;
			if (t == 0x002b && e.n == 2)
				ver = (uint16_t)rd_u(&e, 2);
			if (t == 0x0010) {
				struct rd l = rd_sub(&e, rd_u(&e, 2));
				struct rd a = rd_sub(&l, rd_u(&l, 1));
				if (!l.bad) {
					alpn = a.p;
					alpn_len = a.n;
				}
			}
		}
	}
	f->tls_version = ver;
	f->tls_cipher = cipher;
	if (transport != 'd' && ver < 0x0303)
		f->flags |= DPI_F_OLD_TLS;
	else
		f->flags &= ~(uint32_t)DPI_F_OLD_TLS;

	char list[MAX_LIST * 5 + 8], hc[13], al[3];
	size_t o = hex_list(list, sizeof(list), exts, ne);
	hash12(list, o, hc);
	ja4_alpn(alpn, alpn_len, al);
	snprintf(f->ja4s, sizeof(f->ja4s), "%c%s%02u%s_%04x_%s", transport, ja4_version(ver),
		 ne_all > 99 ? 99 : ne_all, al, cipher, hc);
	return 0;
}

/* --- handshake and record walking ------------------------------------------ */

int tls_hs_collect(const uint8_t *d, uint32_t len, uint8_t *out, uint32_t cap, int *stop)
{
	uint32_t o = 0, used = 0;
	*stop = 0;
	while (o + 5 <= len) {
		uint8_t type = d[o];
		uint16_t rlen = (uint16_t)(d[o + 3] << 8 | d[o + 4]);
		if (d[o + 1] != 3 || d[o + 2] > 4 || rlen > 16384 + 2048)
			return used ? (int)used : -EINVAL;
		if (type != 22) {
			if (type >= 20 && type <= 24) {
				*stop = 1;
				break;
			}
			return used ? (int)used : -EINVAL;
		}
		uint32_t avail = len - o - 5;
		uint32_t take = avail < rlen ? avail : rlen;
		if (take > cap - used)
			take = cap - used;
		memcpy(out + used, d + o + 5, take);
		used += take;
		if (avail < rlen || used == cap)
			break;
		o += 5u + rlen;
	}
	return (int)used;
}

int tls_hs_find(const uint8_t *hs, uint32_t n, uint8_t type, const uint8_t **body,
		uint32_t *blen)
{
	uint32_t o = 0;
	while (o < n) {
		if (n - o < 4)
			return -EAGAIN;
		uint8_t t = hs[o];
		uint32_t l = (uint32_t)hs[o + 1] << 16 | (uint32_t)hs[o + 2] << 8 | hs[o + 3];
		if (t == 0 || t > 24 || l > (1u << 17))
			return -EINVAL;
		if (t == type) {
			*body = hs + o + 4;
			if (n - o - 4 < l) {
				*blen = n - o - 4;
				return -EAGAIN;
			}
			*blen = l;
			return 0;
		}
		if (n - o - 4 < l)
			return -EAGAIN;
		o += 4 + l;
	}
	return -ENOENT;
}

/* --- X.509, just enough ----------------------------------------------------- */

/* Read one DER TLV: tag, content reader. */
static int der_next(struct rd *r, uint8_t *tag, struct rd *content)
{
	*tag = (uint8_t)rd_u(r, 1);
	uint32_t l = rd_u(r, 1);
	if (l & 0x80) {
		unsigned nb = l & 0x7f;
		if (nb == 0 || nb > 3)
			return -EINVAL;
		l = rd_u(r, nb);
	}
	if (r->bad)
		return -EINVAL;
	*content = rd_sub(r, l);
	return r->bad ? -EINVAL : 0;
}

static const struct {
	uint8_t oid_last;
	const char *name;
} rdn_names[] = {
	{ 3, "CN" }, { 6, "C" }, { 7, "L" }, { 8, "ST" }, { 10, "O" }, { 11, "OU" },
};

/* Render a Name as "C=US, O=Org, CN=host" into @out; the CN into @cn. */
static void der_name(struct rd name, char *out, size_t cap, char *cn, size_t cncap)
{
	size_t o = 0;
	out[0] = 0;
	if (cn)
		cn[0] = 0;
	while (rd_left(&name)) {
		uint8_t tag;
		struct rd set, atv, oid, val;
		if (der_next(&name, &tag, &set) < 0 || tag != 0x31)
			return;
		while (rd_left(&set)) {
			if (der_next(&set, &tag, &atv) < 0 || tag != 0x30)
				return;
			if (der_next(&atv, &tag, &oid) < 0 || tag != 0x06)
				return;
			if (der_next(&atv, &tag, &val) < 0)
				return;
			const char *label = NULL;
			if (oid.n == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x04)
				for (unsigned i = 0; i < sizeof(rdn_names) / sizeof(rdn_names[0]); i++)
					if (rdn_names[i].oid_last == oid.p[2])
						label = rdn_names[i].name;
			if (!label)
				continue;
			int w = snprintf(out + o, cap - o, "%s%s=", o ? ", " : "", label);
			if (w < 0 || (size_t)w >= cap - o)
				return;
			o += (size_t)w;
			for (uint32_t i = 0; i < val.n && o + 1 < cap; i++)
				out[o++] = val.p[i] >= 0x20 && val.p[i] < 0x7f ? (char)val.p[i] : '?';
			out[o] = 0;
			if (cn && oid.p[2] == 3) {
				uint32_t k = val.n < cncap - 1 ? val.n : (uint32_t)cncap - 1;
				memcpy(cn, val.p, k);
				cn[k] = 0;
			}
		}
	}
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

static int digits(const uint8_t *p, unsigned n)
{
	int v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static uint64_t der_time(uint8_t tag, struct rd t)
{
	const uint8_t *p = t.p;
	int y;
	if (tag == 0x17 && t.n >= 12) { /* UTCTime YYMMDDHHMMSS */
		y = digits(p, 2);
		if (y < 0)
			return 0;
		y += y < 50 ? 2000 : 1900;
		p += 2;
	} else if (tag == 0x18 && t.n >= 14) {
		y = digits(p, 4);
		if (y < 0)
			return 0;
		p += 4;
	} else {
		return 0;
	}
	int mo = digits(p, 2), d = digits(p + 2, 2), h = digits(p + 4, 2);
	int mi = digits(p + 6, 2), s = digits(p + 8, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 60)
		return 0;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t v = days * 86400 + h * 3600 + mi * 60 + s;
	return v > 0 ? (uint64_t)v : 0;
}

int tls_name_matches(const char *pattern, uint32_t plen, const char *host)
{
	size_t hl = strlen(host);
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* one left-most label */
		const char *dot = strchr(host, '.');
		if (!dot || dot == host)
			return 0;
		size_t rest = hl - (size_t)(dot - host);
		return rest == plen - 1 && !strncasecmp(dot, pattern + 1, rest);
	}
	return hl == plen && !strncasecmp(pattern, host, hl);
}

int tls_parse_certificate(const uint8_t *b, uint32_t n, struct dpi_facts *f)
{
	struct rd r = { b, n, 0, 0 };
	uint8_t tag;
	struct rd cert, tbs, x;
	char cn[DPI_NAME_MAX];
	int covered = 0, any_dns = 0;

	rd_u(&r, 3); /* total length */
	uint32_t l = rd_u(&r, 3);
	if (r.bad)
		return -EAGAIN;
	if (l == 0)
		return -EINVAL;
	if (rd_avail(&r) < l)
		return -EAGAIN;
	struct rd der = rd_sub(&r, l);
	if (der_next(&der, &tag, &cert) < 0 || tag != 0x30)
		return -EINVAL;
	if (der_next(&cert, &tag, &tbs) < 0 || tag != 0x30)
		return -EINVAL;
	if (der_next(&tbs, &tag, &x) < 0) /* version [0] or serial */
		return -EINVAL;
	if (tag == 0xa0 && der_next(&tbs, &tag, &x) < 0) /* serial */
		return -EINVAL;
	if (der_next(&tbs, &tag, &x) < 0 || tag != 0x30) /* signature alg */
		return -EINVAL;
	if (der_next(&tbs, &tag, &x) < 0 || tag != 0x30) /* issuer */
		return -EINVAL;
	der_name(x, f->cert_issuer, sizeof(f->cert_issuer), NULL, 0);
	if (der_next(&tbs, &tag, &x) < 0 || tag != 0x30) /* validity */
		return -EINVAL;
	{
		struct rd t;
		if (der_next(&x, &tag, &t) == 0)
			f->cert_not_before = der_time(tag, t);
		if (der_next(&x, &tag, &t) == 0)
			f->cert_not_after = der_time(tag, t);
	}
	if (der_next(&tbs, &tag, &x) < 0 || tag != 0x30) /* subject */
		return -EINVAL;
	der_name(x, f->cert_subject, sizeof(f->cert_subject), cn, sizeof(cn));
	/* spki, then optional [1] [2] unique ids, [3] extensions */
	while (rd_left(&tbs)) {
		if (der_next(&tbs, &tag, &x) < 0)
			break;
		if (tag != 0xa3)
			continue;
		struct rd exts, ext, oid, val;
		if (der_next(&x, &tag, &exts) < 0 || tag != 0x30)
			break;
		while (rd_left(&exts)) {
			if (der_next(&exts, &tag, &ext) < 0 || tag != 0x30)
				break;
			if (der_next(&ext, &tag, &oid) < 0 || tag != 0x06)
				break;
			if (!(oid.n == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x1d && oid.p[2] == 17))
				continue;
			if (der_next(&ext, &tag, &val) < 0)
				break;
			if (tag == 0x01 && der_next(&ext, &tag, &val) < 0) /* critical */
				break;
			struct rd names, gn;
			if (tag != 0x04 || der_next(&val, &tag, &names) < 0 || tag != 0x30)
				break;
			while (rd_left(&names)) {
				if (der_next(&names, &tag, &gn) < 0)
					break;
				if (tag != 0x82) /* dNSName */
					continue;
				any_dns = 1;
				if (f->server_name[0] &&
				    tls_name_matches((const char *)gn.p, gn.n, f->server_name))
					covered = 1;
			}
		}
	}
	if (f->server_name[0] && f->name_source == DPI_NAME_DPI && !covered) {
		if (any_dns || !tls_name_matches(cn, (uint32_t)strlen(cn), f->server_name))
			f->flags |= DPI_F_SNI_MISMATCH;
	}
	return 0;
}
