// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipsec: IPsec key exchange and traffic, all named IPsec (as nDPI does):
 *  - ESP (IP protocol 50) and AH (51): the IP protocol number decoded by the
 *    pipeline is the evidence (these carry no ports); ESP must show an SPI
 *    outside the reserved 0..255, AH a sane header length;
 *  - IKEv1 (RFC 2408) / IKEv2 (RFC 7296) over UDP, on port 4500 after the
 *    4-byte non-ESP marker (RFC 3948): a 28-byte header with a non-zero
 *    initiator SPI, version 1.0 or 2.0, a defined exchange type, and a
 *    length field equal to the datagram;
 *  - ESP in UDP on port 4500: one SPI over several packets of a direction
 *    with sequence numbers that grow by small steps. NAT keep-alives
 *    (a single 0xFF) ask for the next packet.
 * Scratch: see esp_in_udp().
 */
#include <string.h>

#include "dpi/detectors_more.h"

static int ike_header(const uint8_t *b, uint32_t len)
{
	uint8_t ver, xchg;

	if (len < 28 || dpi_rd32(b + 24) != len || (dpi_rd32(b) | dpi_rd32(b + 4)) == 0)
		return 0;
	ver = b[17];
	xchg = b[18];
	if (ver == 0x10)
		return (xchg >= 1 && xchg <= 5) || xchg == 32 || xchg == 33 || xchg == 34;
	if (ver == 0x20)
		return xchg >= 34 && xchg <= 37;
	return 0;
}

static enum dpi_verdict ipsec_found(struct dpi_ctx *c)
{
	c->facts->app = DPI_APP_IPSEC;
	return DPI_FOUND;
}

/*
 * ESP in UDP: per direction d, s[d] counts packets with one SPI (kept at
 * s + 4 + 8d) and sequence numbers growing by 1..16 (last at s + 8 + 8d).
 * Three in a row in one direction, or two in each, is ESP. A new SPI
 * (rekeying) restarts that direction's count.
 */
static enum dpi_verdict esp_in_udp(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	uint8_t *s = c->scratch, d = p->dir & 1;
	uint8_t *spi = s + 4 + 8 * d, *last = s + 8 + 8 * d;
	uint32_t seq;

	if (p->len < 16 || dpi_rd32(p->payload) < 256)
		return DPI_NOT_MINE;
	seq = dpi_rd32(p->payload + 4);
	if (s[d] && !memcmp(spi, p->payload, 4) && seq > dpi_rd32(last) &&
	    seq - dpi_rd32(last) <= 16)
		s[d]++;
	else
		s[d] = 1;
	memcpy(spi, p->payload, 4);
	memcpy(last, p->payload + 4, 4);
	if (s[d] >= 3 || (s[0] >= 2 && s[1] >= 2))
		return ipsec_found(c);
	return p->index < 16 ? DPI_NEED_MORE : DPI_NOT_MINE;
}

static enum dpi_verdict ipsec_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;

	if (p->l4proto == 50)
		return p->len >= 8 && dpi_rd32(b) >= 256 ? ipsec_found(c) : DPI_NOT_MINE;
	if (p->l4proto == 51)
		return p->len >= 12 && (b[1] + 2u) * 4 <= p->len ? ipsec_found(c) : DPI_NOT_MINE;
	if (p->l4proto != 17)
		return DPI_NOT_MINE;
	if (ike_header(b, p->len))
		return ipsec_found(c);
	if (!dpi_port_is(p, 4500))
		return DPI_NOT_MINE;
	if (p->len == 1 && b[0] == 0xff)
		return DPI_NEED_MORE;
	if (p->len >= 4 && dpi_rd32(b) == 0) /* non-ESP marker: IKE must follow */
		return ike_header(b + 4, p->len - 4) ? ipsec_found(c) : DPI_NOT_MINE;
	return esp_in_udp(c, p);
}

const struct dpi_detector dpi_ipsec_detector = {
    .name = "ipsec",
    .l4_mask = DPI_L4_UDP | DPI_L4_OTHER,
    .needs_payload = 1,
    .probe = ipsec_probe,
};
