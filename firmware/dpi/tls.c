// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS over TCP, on any port: the ClientHello (reassembled across segments
 * when it does not fit one), then the server's flight: ServerHello and, up
 * to TLS 1.2, the first certificate. FOUND_MORE once the ClientHello is
 * read, FOUND when the server's facts are in (or cannot come).
 */
#include <errno.h>
#include <string.h>

#include "dpi/registry.h"
#include "dpi/stream.h"
#include "dpi/tls_parse.h"

struct tls_state {
	uint8_t phase;     /* 0 ClientHello, 1 server flight */
	uint8_t sh_done;
	uint8_t s2c_pkts;  /* server packets with payload seen in phase 1 */
	uint8_t c2s_pkts;
	uint8_t mid_pkts;  /* mid-stream: packets made of whole TLS records */
};
_Static_assert(sizeof(struct tls_state) <= DPI_SCRATCH, "scratch");

#define HS_CAP (DPI_STREAM_BYTES - DPI_STREAM_DIR0)

/* Could @d (first bytes of a direction) start a TLS handshake record of @hs_type? */
static int tls_prefix(const uint8_t *d, uint32_t n, uint8_t hs_type)
{
	if (n >= 1 && d[0] != 0x16)
		return 0;
	if (n >= 2 && d[1] != 3)
		return 0;
	if (n >= 3 && d[2] > 4)
		return 0;
	if (n >= 5 && ((uint32_t)d[3] << 8 | d[4]) > 16384 + 2048)
		return 0;
	if (n >= 5 && ((uint32_t)d[3] << 8 | d[4]) < 4)
		return 0;
	if (n >= 6 && d[5] != hs_type)
		return 0;
	if (n >= 7 && d[6] != 0) /* hello bodies are shorter than 64 KiB */
		return 0;
	return 1;
}

/* The bytes of direction @dir: the stream's when it is lent, else this packet's. */
static const uint8_t *dir_bytes(struct dpi_ctx *c, const struct dpi_pkt *p, uint32_t *n)
{
	if (c->stream && p->l4proto == 6)
		return dpi_stream_data(c->stream, p->dir, n);
	*n = p->len;
	return p->payload;
}

static enum dpi_verdict client_hello(struct dpi_ctx *c, const struct dpi_pkt *p,
				     struct tls_state *st)
{
	uint8_t hs[HS_CAP];
	uint32_t n;
	const uint8_t *d = dir_bytes(c, p, &n);
	const uint8_t *body;
	uint32_t blen;
	int stop;

	if (!tls_prefix(d, n, TLS_HS_CLIENT_HELLO))
		return DPI_NOT_MINE;
	int got = n >= 5 ? tls_hs_collect(d, n, hs, sizeof(hs), &stop) : 0;
	if (got < 0)
		return DPI_NOT_MINE;
	int r = got ? tls_hs_find(hs, (uint32_t)got, TLS_HS_CLIENT_HELLO, &body, &blen) : -EAGAIN;
	if (r == 0) {
		if (tls_parse_client_hello(body, blen, 't', c->facts) < 0)
			return DPI_NOT_MINE;
		st->phase = 1;
		c->facts->app = DPI_APP_TLS;
		return DPI_FOUND_MORE;
	}
	if (r != -EAGAIN)
		return DPI_NOT_MINE;
	/* incomplete: reassemble */
	if (!c->stream) {
		if (!dpi_stream_borrow(c, p))
			goto partial;
		return DPI_NEED_MORE;
	}
	if (dpi_stream_truncated(c->stream, 0) || st->c2s_pkts >= 250)
		goto partial;
	return DPI_NEED_MORE;
partial:
	/* a valid record and handshake header, but the hello cannot be read whole */
	if (n < 9)
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_TLS;
	c->facts->flags |= DPI_F_TRUNCATED;
	return DPI_FOUND;
}

static enum dpi_verdict server_flight(struct dpi_ctx *c, const struct dpi_pkt *p,
				      struct tls_state *st)
{
	uint8_t hs[HS_CAP];
	uint32_t n;
	const uint8_t *d = dir_bytes(c, p, &n);
	const uint8_t *body;
	uint32_t blen;
	int stop;

	if (st->s2c_pkts < 255)
		st->s2c_pkts++;
	if (c->stream && n == 0)
		return DPI_NEED_MORE; /* a gap before the flight: wait for it */
	if (!c->stream && st->s2c_pkts > 1)
		return DPI_FOUND; /* the flight's start is gone: no server facts */
	if (!tls_prefix(d, n, TLS_HS_SERVER_HELLO))
		return DPI_FOUND; /* HelloRetry, alert, not TLS: keep what we have */
	int got = tls_hs_collect(d, n, hs, sizeof(hs), &stop);
	if (got <= 0)
		goto incomplete;
	if (!st->sh_done) {
		int r = tls_hs_find(hs, (uint32_t)got, TLS_HS_SERVER_HELLO, &body, &blen);
		if (r == -EAGAIN)
			goto incomplete;
		if (r < 0 || tls_parse_server_hello(body, blen, 't', c->facts) < 0)
			return DPI_FOUND;
		st->sh_done = 1;
	}
	if (c->facts->tls_version >= 0x0304)
		return DPI_FOUND; /* the certificate is encrypted */
	int r = tls_hs_find(hs, (uint32_t)got, TLS_HS_CERTIFICATE, &body, &blen);
	if (r == -ENOENT) {
		if (stop)
			return DPI_FOUND; /* resumption: no certificate */
		goto incomplete;  /* more of the flight to come */
	}
	if (r == -EINVAL)
		return DPI_FOUND;
	r = tls_parse_certificate(body, blen, c->facts);
	if (r != -EAGAIN)
		return DPI_FOUND;
incomplete:
	if (!c->stream)
		return dpi_stream_borrow(c, p) ? DPI_NEED_MORE : DPI_FOUND;
	if (dpi_stream_truncated(c->stream, 1))
		return DPI_FOUND;
	return DPI_NEED_MORE;
}

/*
 * Mid-stream (the capture missed the handshake): a payload that is a run of
 * TLS record headers (types 20-23, version 3.0-3.4) tiling the packet, the
 * last one allowed to continue in the next segment.
 */
static int records_tile(const uint8_t *d, uint32_t n)
{
	uint32_t o = 0;
	if (n < 5)
		return 0;
	while (o + 5 <= n) {
		uint32_t l = (uint32_t)d[o + 3] << 8 | d[o + 4];
		if (d[o] < 20 || d[o] > 23 || d[o + 1] != 3 || d[o + 2] > 4 || l == 0 ||
		    l > 16384 + 2048)
			return 0;
		o += 5 + l;
	}
	return o >= n;
}

static enum dpi_verdict midstream(struct dpi_ctx *c, const struct dpi_pkt *p,
				  struct tls_state *st)
{
	if (c->stream || !records_tile(p->payload, p->len))
		return DPI_NOT_MINE;
	if (++st->mid_pkts < 2)
		return DPI_NEED_MORE;
	c->facts->app = DPI_APP_TLS;
	return DPI_FOUND;
}

static enum dpi_verdict tls_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	struct tls_state *st = (struct tls_state *)c->scratch;

	if (!p->len)
		return DPI_NEED_MORE;
	if (st->phase == 0) {
		if (st->mid_pkts)
			return midstream(c, p, st);
		if (p->dir != 0 || (!c->stream && p->len >= 6 &&
				    !tls_prefix(p->payload, p->len, TLS_HS_CLIENT_HELLO)))
			return c->stream ? DPI_NEED_MORE : midstream(c, p, st);
		if (st->c2s_pkts < 255)
			st->c2s_pkts++;
		return client_hello(c, p, st);
	}
	if (p->dir == 0)
		return DPI_FOUND_MORE;
	return server_flight(c, p, st);
}

const struct dpi_detector dpi_tls_detector = {
	.name = "tls",
	.l4_mask = DPI_L4_TCP,
	.needs_payload = 1,
	.probe = tls_probe,
	.app = DPI_APP_TLS,
	.hint_port = 443,
};
