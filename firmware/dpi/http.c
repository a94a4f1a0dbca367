// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HTTP/1.x (RFC 9112): a request line "METHOD SP target SP HTTP/1.x CRLF"
 * from the client, or (capture started late) a status line "HTTP/1.x NNN"
 * from the server. From the request: method, Host (without its port) as the
 * server name, the target's length, User-Agent. CONNECT is HTTP_Connect
 * (named by its Host, else its authority). Headers spread over segments are
 * reassembled in the engine's stream up to its window.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dpi/dpi_internal.h"
#include "dpi/registry.h"
#include "dpi/stream.h"

static const char *const methods[] = {
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
};

/* 1: @d starts with "METHOD ", 0: cannot, -1: too short to tell. Sets *mi. */
static int match_method(const uint8_t *d, uint32_t n, unsigned *mi)
{
	int maybe = 0;
	for (unsigned i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t l = strlen(methods[i]);
		size_t k = n < l + 1 ? n : l + 1;
		if (memcmp(d, methods[i], k < l ? k : l) != 0)
			continue;
		if (k == l + 1 && d[l] == ' ') {
			*mi = i;
			return 1;
		}
		if (n < l + 1)
			maybe = 1;
	}
	return maybe ? -1 : 0;
}

static const uint8_t *find_crlf(const uint8_t *d, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i++)
		if (d[i] == '\r' && d[i + 1] == '\n')
			return d + i;
	return NULL;
}

/* Copy header value (trimmed) into @out. */
static void copy_value(const uint8_t *v, uint32_t n, char *out, size_t cap)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n > cap - 1)
		n = (uint32_t)cap - 1;
	memcpy(out, v, n);
	out[n] = 0;
}

/* Host without port: "[v6]:p" -> "[v6]", "name:p" -> "name". */
static void set_host(struct dpi_facts *f, const char *h)
{
	size_t n = strlen(h);
	if (h[0] == '[') {
		const char *e = strchr(h, ']');
		n = e ? (size_t)(e - h) + 1 : n;
	} else {
		const char *col = strchr(h, ':');
		if (col && col == strrchr(h, ':')) /* exactly one colon: a port */
			n = (size_t)(col - h);
	}
	dpi_set_name(f, (const uint8_t *)h, (uint32_t)n);
}

static enum dpi_verdict request(struct dpi_ctx *c, const struct dpi_pkt *p, const uint8_t *d,
				uint32_t n)
{
	struct dpi_facts *f = c->facts;
	unsigned mi = 0;
	int m = match_method(d, n, &mi);
	if (m == 0)
		return DPI_NOT_MINE;
	if (m < 0)
		goto more;
	const uint8_t *eol = find_crlf(d, n);
	if (!eol) {
		if (n > 8192)
			return DPI_NOT_MINE;
		goto more;
	}
	uint32_t ll = (uint32_t)(eol - d);
	size_t ml = strlen(methods[mi]);
	/* "METHOD SP target SP HTTP/1.x" */
	if (ll < ml + 1 + 1 + 9 || memcmp(eol - 9, " HTTP/1.", 8) != 0 ||
	    (eol[-1] != '0' && eol[-1] != '1'))
		return DPI_NOT_MINE;
	const uint8_t *target = d + ml + 1;
	uint32_t tlen = (uint32_t)(eol - 9 - target);
	snprintf(f->method, sizeof(f->method), "%s", methods[mi]);
	f->path_len = tlen > 65535 ? 65535 : (uint16_t)tlen;
	f->app = strcmp(methods[mi], "CONNECT") ? DPI_APP_HTTP : DPI_APP_HTTP_CONNECT;

	/* headers */
	const uint8_t *h = eol + 2;
	const uint8_t *end = d + n;
	int complete = 0;
	char tmp[DPI_NAME_MAX];
	while (h < end) {
		const uint8_t *e = find_crlf(h, (uint32_t)(end - h));
		if (!e)
			break;
		if (e == h) {
			complete = 1;
			break;
		}
		uint32_t hl = (uint32_t)(e - h);
		if (hl > 5 && !strncasecmp((const char *)h, "Host:", 5)) {
			copy_value(h + 5, hl - 5, tmp, sizeof(tmp));
			set_host(f, tmp);
		} else if (hl > 11 && !strncasecmp((const char *)h, "User-Agent:", 11)) {
			copy_value(h + 11, hl - 11, f->user_agent, sizeof(f->user_agent));
		}
		h = e + 2;
	}
	if (!f->server_name[0] && f->app == DPI_APP_HTTP_CONNECT && tlen && tlen < sizeof(tmp)) {
		memcpy(tmp, target, tlen);
		tmp[tlen] = 0;
		set_host(f, tmp);
	}
	if (complete || (c->stream && dpi_stream_truncated(c->stream, 0)))
		return DPI_FOUND;
	if (!c->stream && !dpi_stream_borrow(c, p))
		return DPI_FOUND; /* what the first segment had */
	return DPI_NEED_MORE;
more:
	if (!c->stream && !dpi_stream_borrow(c, p))
		return DPI_NOT_MINE;
	if (dpi_stream_truncated(c->stream, 0))
		return DPI_NOT_MINE;
	return DPI_NEED_MORE;
}

static int status_line(const uint8_t *d, uint32_t n)
{
	return n >= 12 && !memcmp(d, "HTTP/1.", 7) && (d[7] == '0' || d[7] == '1') && d[8] == ' ' &&
	       d[9] >= '1' && d[9] <= '5' && d[10] >= '0' && d[10] <= '9' && d[11] >= '0' &&
	       d[11] <= '9';
}

static enum dpi_verdict http_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *d = p->payload;
	uint32_t n = p->len;

	if (!n)
		return DPI_NEED_MORE;
	if (c->stream) {
		d = dpi_stream_data(c->stream, 0, &n);
		if (p->dir != 0)
			return n ? DPI_NEED_MORE : DPI_NOT_MINE;
		return request(c, p, d, n);
	}
	if (p->dir != 0) {
		if (c->facts->method[0])
			return DPI_FOUND;
		if (status_line(d, n)) {
			c->facts->app = DPI_APP_HTTP;
			return DPI_FOUND;
		}
		return DPI_NOT_MINE;
	}
	return request(c, p, d, n);
}

const struct dpi_detector dpi_http_detector = {
	.name = "http",
	.l4_mask = DPI_L4_TCP,
	.needs_payload = 1,
	.probe = http_probe,
	.app = DPI_APP_HTTP,
	.hint_port = 80,
};
