// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dhcpv6: DHCPv6 (RFC 8415) over UDP, between ports 546 and 547.
 *
 * Evidence: a message type 1..13 (relay messages 12/13 carry a 34-byte
 * header) followed by options (code, length) that tile the rest of the
 * datagram exactly, at least one of them. The ports only narrow: without
 * 546 or 547 on either side the flow is not examined.
 */
#include "dpi/detectors_more.h"

static enum dpi_verdict dhcpv6_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t off, n = 0;

	if (!(dpi_port_is(p, 546) || dpi_port_is(p, 547)) || p->len < 4)
		return DPI_NOT_MINE;
	if (b[0] < 1 || b[0] > 13)
		return DPI_NOT_MINE;
	off = b[0] >= 12 ? 34 : 4;
	if (b[0] >= 12 && b[1] > 32) /* hop-count limit, RFC 8415 7.6 */
		return DPI_NOT_MINE;
	while (off < p->len) {
		if (p->len - off < 4 || dpi_rd16(b + off + 2) > p->len - off - 4)
			return DPI_NOT_MINE;
		off += 4u + dpi_rd16(b + off + 2);
		n++;
	}
	if (off != p->len || n == 0)
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_DHCPV6;
	return DPI_FOUND;
}

const struct dpi_detector dpi_dhcpv6_detector = {
    .name = "dhcpv6",
    .l4_mask = DPI_L4_UDP,
    .needs_payload = 1,
    .probe = dhcpv6_probe,
};
