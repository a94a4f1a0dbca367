// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QUIC (RFC 9000, 9001, 9369): a client Initial of a known version is
 * decrypted with the keys from its Destination Connection ID, its CRYPTO
 * frames (split or out of order, within and across packets) reassembled and
 * the ClientHello read as for TLS (JA4 with 'q'); the server's Initial gives
 * the ServerHello. Google QUIC (Q0xx/T05x) is recognised by its header and
 * named by the SNI tag of its CHLO: in clear up to Q046, inside the Initial
 * protection (version-specific salt) for Q050; T050/T051 carry TLS in
 * CRYPTO frames like v1. A long
 * header of unknown version answered by a Version Negotiation is QUIC too.
 */
#include <errno.h>
#include <string.h>

#include "dpi/dpi_internal.h"
#include "dpi/quic_crypto.h"
#include "dpi/registry.h"
#include "dpi/stream.h"
#include "dpi/tls_parse.h"

#define PLAIN_CAP 4096

struct quic_state {
	uint8_t phase;      /* 0 client Initial, 1 waiting for the server */
	uint8_t dcid_len;
	uint8_t unknown_version;
	uint8_t forced_vn;  /* a reserved version: QUIC, waiting for the negotiation */
	uint32_t version;
	uint8_t dcid[20];
};
_Static_assert(sizeof(struct quic_state) <= DPI_SCRATCH, "scratch");

static int varint(const uint8_t *d, uint32_t n, uint32_t *o, uint64_t *v)
{
	if (*o >= n)
		return -1;
	unsigned len = 1u << (d[*o] >> 6);
	if (n - *o < len)
		return -1;
	uint64_t x = d[*o] & 0x3f;
	for (unsigned i = 1; i < len; i++)
		x = x << 8 | d[*o + i];
	*o += len;
	*v = x;
	return 0;
}

struct lh {
	uint32_t version;
	uint8_t type;
	const uint8_t *dcid;
	uint8_t dcid_len;
	uint32_t pn_off;  /* Initial: packet number offset */
	uint32_t end;     /* Initial: end of this packet in the datagram */
};

/* Parse a long header; 0 ok, -1 not a long header. */
static int long_header(const uint8_t *d, uint32_t n, struct lh *h)
{
	uint32_t o = 5;
	uint64_t tl, len;
	if (n < 7 || !(d[0] & 0x80))
		return -1;
	h->version = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
	h->type = d[0] >> 4 & 3;
	h->dcid_len = d[o++];
	if (h->dcid_len > 20 || o + h->dcid_len + 1 > n)
		return -1;
	h->dcid = d + o;
	o += h->dcid_len;
	uint8_t scid_len = d[o++];
	if (scid_len > 20 || o + scid_len > n)
		return -1;
	o += scid_len;
	h->pn_off = h->end = 0;
	if (h->version == 0 || !quic_version_known(h->version) ||
	    h->type != quic_initial_type(h->version))
		return 0;
	if (varint(d, n, &o, &tl) < 0 || tl > n - o)
		return -1;
	o += (uint32_t)tl;
	if (varint(d, n, &o, &len) < 0 || len > n - o || len < 20)
		return -1;
	h->pn_off = o;
	h->end = o + (uint32_t)len;
	return 0;
}

/*
 * Walk the frames of @pl, writing CRYPTO data into @s direction @dir.
 * Google's T050/T051 number the CRYPTO frame 0x08 (offset, length, data as
 * in RFC 9000's 0x06; seen in their Initials as "08 00 42 00 01 00 01 fc"
 * = offset 0, length 512, then the ClientHello); @gquic_tls selects that.
 */
static int crypto_frames(const uint8_t *pl, uint32_t n, struct dpi_stream *s, unsigned dir,
			 int gquic_tls)
{
	uint32_t o = 0;
	while (o < n) {
		uint64_t type, off, len, x;
		if (varint(pl, n, &o, &type) < 0)
			return -EINVAL;
		if (gquic_tls && type == 0x08)
			type = 0x06;
		else if (gquic_tls && type == 0x06)
			return -EINVAL;
		switch (type) {
		case 0x00: /* PADDING */
		case 0x01: /* PING */
			break;
		case 0x02:
		case 0x03: { /* ACK */
			uint64_t cnt;
			if (varint(pl, n, &o, &x) || varint(pl, n, &o, &x) || varint(pl, n, &o, &cnt) ||
			    varint(pl, n, &o, &x))
				return -EINVAL;
			for (uint64_t i = 0; i < cnt; i++)
				if (varint(pl, n, &o, &x) || varint(pl, n, &o, &x))
					return -EINVAL;
			if (type == 0x03)
				for (int i = 0; i < 3; i++)
					if (varint(pl, n, &o, &x))
						return -EINVAL;
			break;
		}
		case 0x06: /* CRYPTO */
			if (varint(pl, n, &o, &off) || varint(pl, n, &o, &len) || len > n - o)
				return -EINVAL;
			if (off < DPI_STREAM_BYTES)
				dpi_stream_write(s, dir, (uint32_t)off, pl + o, (uint32_t)len);
			o += (uint32_t)len;
			break;
		case 0x1c:
		case 0x1d: /* CONNECTION_CLOSE: nothing after matters */
			return 0;
		default:
			return -EINVAL; /* not allowed in Initial packets */
		}
	}
	return 0;
}

static int gquic_tls(uint32_t v)
{
	return v == QUIC_T050 || v == QUIC_T051;
}

/* Google QUIC with the handshake in clear: the SNI tag of a CHLO. */
static void gquic_sni(struct dpi_facts *f, const uint8_t *d, uint32_t n)
{
	for (uint32_t i = 0; i + 8 <= n; i++) {
		if (memcmp(d + i, "CHLO", 4))
			continue;
		uint32_t ntags = d[i + 4] | (uint32_t)d[i + 5] << 8;
		uint32_t tab = i + 8, vals = tab + ntags * 8, prev = 0;
		if (ntags > 64 || vals > n)
			return;
		for (uint32_t t = 0; t < ntags; t++) {
			const uint8_t *e = d + tab + t * 8;
			uint32_t end = e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 |
				       (uint32_t)e[7] << 24;
			if (end < prev || end > n - vals)
				return;
			if (!memcmp(e, "SNI\0", 4) && end > prev)
				dpi_set_name(f, d + vals + prev, end - prev);
			prev = end;
		}
		return;
	}
}

static int gquic_version(const uint8_t *v)
{
	return (v[0] == 'Q' || v[0] == 'T') && v[1] >= '0' && v[1] <= '9' && v[2] >= '0' &&
	       v[2] <= '9' && v[3] >= '0' && v[3] <= '9';
}

static enum dpi_verdict client_initial(struct dpi_ctx *c, const struct dpi_pkt *p,
				       struct quic_state *st)
{
	const uint8_t *d = p->payload;
	uint32_t n = p->len;
	struct lh h;
	uint8_t plain[PLAIN_CAP];
	size_t pl;

	/* gQUIC before Q046: public flags (version, 8-byte CID), then the version */
	if (n >= 13 && !(d[0] & 0x80) && (d[0] & 0x09) == 0x09 && gquic_version(d + 9)) {
		c->facts->app = DPI_APP_QUIC;
		c->facts->quic_version = (uint32_t)d[9] << 24 | (uint32_t)d[10] << 16 |
					 (uint32_t)d[11] << 8 | d[12];
		gquic_sni(c->facts, d, n);
		return DPI_FOUND;
	}
	/* gQUIC Q046-Q049: long header with the IETF invariants' first byte and
	 * version but its own connection-ID length nibbles; the CHLO in clear */
	if (n >= 7 && (d[0] & 0xc0) == 0xc0 && gquic_version(d + 1)) {
		uint32_t v = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
		if (!quic_version_known(v)) {
			c->facts->app = DPI_APP_QUIC;
			c->facts->quic_version = v;
			gquic_sni(c->facts, d, n);
			return DPI_FOUND;
		}
	}
	if (long_header(d, n, &h) < 0 || !(d[0] & 0x40))
		return DPI_NOT_MINE;
	if (gquic_version(d + 1) && !quic_version_known(h.version)) {
		c->facts->app = DPI_APP_QUIC;
		c->facts->quic_version = h.version;
		gquic_sni(c->facts, d, n);
		return DPI_FOUND;
	}
	if (!quic_version_known(h.version)) {
		/* unknown version: QUIC only if a Version Negotiation answers, or when it
		 * is one reserved to force negotiation (0x?a?a?a?a, RFC 9000 15) */
		if (n < 1200 || h.version == 0)
			return DPI_NOT_MINE;
		if ((h.version & 0x0f0f0f0fu) == 0x0a0a0a0au) {
			st->forced_vn = 1;
			c->facts->app = DPI_APP_QUIC;
			c->facts->quic_version = h.version;
			return DPI_FOUND_MORE;
		}
		st->unknown_version = 1;
		return DPI_NEED_MORE;
	}
	if (h.type != quic_initial_type(h.version) || h.end == 0 || n < 1200)
		return DPI_NOT_MINE;
	if (st->dcid_len == 0) {
		st->dcid_len = h.dcid_len;
		memcpy(st->dcid, h.dcid, h.dcid_len);
		st->version = h.version;
	}
	c->facts->app = DPI_APP_QUIC;
	c->facts->quic_version = h.version;
	if (quic_decrypt_initial(h.version, st->dcid, st->dcid_len, 0, d, h.end, h.pn_off, plain,
				 sizeof(plain), &pl) < 0)
		return DPI_FOUND; /* QUIC by its header; the hello stays unread */
	if (h.version == QUIC_Q050) {
		/* the gQUIC handshake (CHLO) inside the protected Initial */
		gquic_sni(c->facts, plain, (uint32_t)pl);
		return DPI_FOUND;
	}

	struct dpi_stream *s = c->stream ? c->stream : dpi_stream_borrow(c, p);
	if (!s)
		return DPI_FOUND;
	if (crypto_frames(plain, (uint32_t)pl, s, 0, gquic_tls(h.version)) < 0)
		return DPI_FOUND;
	uint32_t hn;
	const uint8_t *hs = dpi_stream_data(s, 0, &hn), *body;
	uint32_t blen;
	int r = tls_hs_find(hs, hn, TLS_HS_CLIENT_HELLO, &body, &blen);
	if (r == 0) {
		tls_parse_client_hello(body, blen, 'q', c->facts);
		st->phase = 1;
		return DPI_FOUND_MORE;
	}
	if ((r == -EAGAIN || hn == 0) && !dpi_stream_truncated(s, 0))
		return DPI_FOUND_MORE; /* the rest of the hello in the next Initial */
	return DPI_FOUND;
}

static enum dpi_verdict server_initial(struct dpi_ctx *c, const struct dpi_pkt *p,
				       struct quic_state *st)
{
	const uint8_t *d = p->payload;
	uint32_t n = p->len;
	struct lh h;
	uint8_t plain[PLAIN_CAP];
	size_t pl;

	if (long_header(d, n, &h) < 0)
		return st->dcid_len ? DPI_FOUND : DPI_NOT_MINE;
	if (h.version == 0) { /* Version Negotiation */
		c->facts->app = DPI_APP_QUIC;
		return DPI_FOUND;
	}
	if (st->unknown_version || st->forced_vn || !st->dcid_len)
		return DPI_NOT_MINE;
	if (h.type != quic_initial_type(h.version) || h.end == 0)
		return DPI_FOUND; /* Retry, Handshake: no clear ServerHello */
	if (quic_decrypt_initial(h.version, st->dcid, st->dcid_len, 1, d, h.end, h.pn_off, plain,
				 sizeof(plain), &pl) < 0)
		return DPI_FOUND;
	struct dpi_stream *s = c->stream ? c->stream : dpi_stream_borrow(c, p);
	if (!s || crypto_frames(plain, (uint32_t)pl, s, 1, gquic_tls(h.version)) < 0)
		return DPI_FOUND;
	uint32_t hn;
	const uint8_t *hs = dpi_stream_data(s, 1, &hn), *body;
	uint32_t blen;
	int r = tls_hs_find(hs, hn, TLS_HS_SERVER_HELLO, &body, &blen);
	if (r == 0) {
		tls_parse_server_hello(body, blen, 'q', c->facts);
		return DPI_FOUND;
	}
	return r == -EAGAIN ? DPI_FOUND_MORE : DPI_FOUND;
}

static enum dpi_verdict quic_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	struct quic_state *st = (struct quic_state *)c->scratch;

	if (!p->len)
		return DPI_NEED_MORE;
	if (p->dir == 0) {
		if (st->phase == 1 || st->forced_vn)
			return DPI_FOUND_MORE;
		if (st->dcid_len) {
			/* more of the client's hello */
			return client_initial(c, p, st);
		}
		if (st->unknown_version)
			return DPI_NEED_MORE;
		return client_initial(c, p, st);
	}
	if (!st->dcid_len && !st->unknown_version)
		return DPI_NOT_MINE;
	return server_initial(c, p, st);
}

const struct dpi_detector dpi_quic_detector = {
	.name = "quic",
	.l4_mask = DPI_L4_UDP,
	.needs_payload = 1,
	.probe = quic_probe,
	.app = DPI_APP_QUIC,
	.hint_port = 443,
};
