// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNS over UDP and TCP (RFC 1035): a message whose header and first
 * question parse exactly is DNS. The query name becomes the server name; the
 * response's code and A/AAAA answers are recorded and the answers taught to
 * the engine's DNS cache. Names are read with compression pointers bounded
 * (at most DNS_MAX_JUMPS jumps, each strictly backwards, 255 bytes of name).
 * mDNS (5353), LLMNR (5355) and NetBIOS (137) share the format but are
 * other protocols: not ours.
 */
#include <errno.h>
#include <string.h>

#include "dpi/dpi_internal.h"
#include "dpi/registry.h"
#include "dpi/stream.h"

#define DNS_MAX_JUMPS 16
#define DNS_MAX_ANSWERS 32

struct dns_state {
	uint8_t query_seen;
	uint8_t bad;
};
_Static_assert(sizeof(struct dns_state) <= DPI_SCRATCH, "scratch");

/*
 * dns_name - read the name at @*off of message @m (length @n) into @out
 * (dotted, NUL terminated, at most cap-1 chars); advance @*off past it in
 * the message (not following pointers). Returns 0 or -EINVAL.
 */
static int dns_name(const uint8_t *m, uint32_t n, uint32_t *off, char *out, size_t cap)
{
	uint32_t o = *off, end = 0, total = 0;
	unsigned jumps = 0;
	size_t w = 0;
	int jumped = 0;
	uint32_t limit = o; /* a pointer must go strictly before this */

	for (;;) {
		if (o >= n)
			return -EINVAL;
		uint8_t l = m[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= n)
				return -EINVAL;
			uint32_t ptr = (uint32_t)(l & 0x3f) << 8 | m[o + 1];
			if (!jumped)
				end = o + 2;
			if (ptr >= limit || ++jumps > DNS_MAX_JUMPS)
				return -EINVAL;
			jumped = 1;
			limit = ptr;
			o = ptr;
			continue;
		}
		if (l & 0xc0)
			return -EINVAL; /* extended label types */
		if (l == 0) {
			if (!jumped)
				end = o + 1;
			break;
		}
		if (o + 1u + l > n)
			return -EINVAL;
		total += l + 1u;
		if (total > 255)
			return -EINVAL;
		if (out) {
			if (w && w + 1 < cap)
				out[w++] = '.';
			for (unsigned i = 0; i < l && w + 1 < cap; i++) {
				uint8_t ch = m[o + 1 + i];
				/* names are text: NUL and controls would cut or garble it */
				out[w++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
			}
		}
		o += 1u + l;
	}
	if (out)
		out[w < cap ? w : cap - 1] = 0;
	*off = end;
	return 0;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * dns_message - parse message @m; returns 1 query, 2 response, 0 not DNS,
 * -EAGAIN when cut short (TCP: more to come).
 */
static int dns_message(struct dpi_ctx *c, const uint8_t *m, uint32_t n, int partial_ok,
		       int port53)
{
	struct dpi_facts *f = c->facts;
	char name[DPI_NAME_MAX];
	uint32_t o = 12;

	if (n < 12)
		return partial_ok ? -EAGAIN : 0;
	uint16_t flags = be16(m + 2), qd = be16(m + 4), an = be16(m + 6), ns = be16(m + 8),
		 ar = be16(m + 10);
	int resp = flags >> 15;
	unsigned opcode = flags >> 11 & 0xf;
	/* RFC 1035 allows several questions (nobody sends them, but the first
	 * one still names the message); opcodes: 0 QUERY, 1 IQUERY (obsolete,
	 * RFC 3425), 2 STATUS, 4 NOTIFY, 5 UPDATE, 6 DSO (RFC 8490); 3 and 7-15
	 * are unassigned. */
	if (qd == 0 || qd > 16 || opcode == 3 || opcode > 6)
		return 0;
	if (flags & 0x0040) /* Z bit, must be zero */
		return 0;
	/* Off port 53 the record counts must look like DNS too. On the DNS
	 * port a count that is implausible (a bit error on the way) does not
	 * make a message whose question parses anything but DNS: the records
	 * are then read only as far as the datagram goes. */
	if (!port53 && !resp && (an > 0 && opcode == 0))
		return 0;
	if (!port53 && (an > 256 || ns > 256 || ar > 256))
		return 0;
	if (dns_name(m, n, &o, name, sizeof(name)) < 0)
		return partial_ok && n < 512 + 12 ? -EAGAIN : 0;
	if (o + 4 > n)
		return partial_ok ? -EAGAIN : 0;
	uint16_t qtype = be16(m + o), qclass = be16(m + o + 2);
	o += 4;
	/* type and class 0 are reserved (RFC 6895); other values, even
	 * unassigned ones, are the sender's business, not a parse error */
	if (qtype == 0 || (qclass & 0x7fff) == 0)
		return 0;
	if (!resp && an == 0 && ns == 0 && ar == 0 && o != n)
		return 0; /* trailing bytes after a plain query */
	/* the latest question seen names the flow: a 5-tuple reused for
	 * another query (same source port) is named by the newest one, and the
	 * response's question, which ends the inspection, has the last word */
	if (name[0])
		dpi_set_name(f, (const uint8_t *)name, (uint32_t)strlen(name));
	f->dns_qtype = qtype;
	if (!resp)
		return 1;
	f->dns_rcode = flags & 0xf;
	for (unsigned i = 0; i < an && i < DNS_MAX_ANSWERS; i++) {
		if (dns_name(m, n, &o, NULL, 0) < 0 || o + 10 > n)
			break;
		uint16_t t = be16(m + o), cl = be16(m + o + 2), rdl = be16(m + o + 8);
		o += 10;
		if (o + rdl > n)
			break;
		if ((cl & 0x7fff) == 1 && ((t == 1 && rdl == 4) || (t == 28 && rdl == 16))) {
			if (f->dns_answers < 255)
				f->dns_answers++;
			if (name[0])
				dpi_learn_address(c, t == 1 ? 4 : 6, m + o, name);
		}
		o += rdl;
	}
	return 2;
}

static enum dpi_verdict dns_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	struct dns_state *st = (struct dns_state *)c->scratch;
	const uint8_t *m = p->payload;
	uint32_t n = p->len;
	int tcp = p->l4proto == 6;
	int port53 = p->server_port == 53 || p->client_port == 53;

	if (!n)
		return DPI_NEED_MORE;
	if (p->server_port == 5353 || p->server_port == 5355 || p->server_port == 137 ||
	    p->client_port == 5353 || p->client_port == 5355 || p->client_port == 137)
		return DPI_NOT_MINE;
	if (tcp) {
		if (c->stream) {
			m = dpi_stream_data(c->stream, p->dir, &n);
			if (n == 0)
				return DPI_NEED_MORE;
		}
		if (n < 2)
			goto more;
		uint32_t l = be16(m);
		if (l < 12)
			return st->query_seen ? DPI_FOUND : DPI_NOT_MINE;
		if (n - 2 < l) {
			/* reassemble; the header and question usually fit the first segment */
			int r = dns_message(c, m + 2, n - 2, 1, port53);
			if (r == 0)
				return st->query_seen ? DPI_FOUND : DPI_NOT_MINE;
			goto more;
		}
		m += 2;
		n = l;
	}
	int r = dns_message(c, m, n, 0, port53);
	if (r <= 0) {
		if (st->query_seen)
			return DPI_FOUND;
		/* on the DNS port a malformed message is not the end: a later one may
		 * parse (the port buys patience, never the verdict) */
		if (port53 && st->bad < 4) {
			st->bad++;
			return DPI_NEED_MORE;
		}
		return DPI_NOT_MINE;
	}
	if (r == 1 && p->dir == 0) {
		st->query_seen = 1;
		c->facts->app = DPI_APP_DNS;
		return DPI_FOUND_MORE; /* wait for the response */
	}
	c->facts->app = DPI_APP_DNS;
	return DPI_FOUND;
more:
	if (!c->stream && !dpi_stream_borrow(c, p))
		return DPI_NOT_MINE;
	if (dpi_stream_truncated(c->stream, p->dir))
		return st->query_seen ? DPI_FOUND : DPI_NOT_MINE;
	return DPI_NEED_MORE;
}

const struct dpi_detector dpi_dns_detector = {
	.name = "dns",
	.l4_mask = DPI_L4_TCP | DPI_L4_UDP,
	.needs_payload = 1,
	.probe = dns_probe,
	.app = DPI_APP_DNS,
	.hint_port = 53,
};
