// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dhcp: DHCP / BOOTP (RFC 2131, 951) over UDP.
 *
 * Evidence: op 1 (request) or 2 (reply), hlen at most 16, hops small, the
 * fixed 236-byte header then the magic cookie 99.130.83.99. Off ports 67/68
 * the options must also parse up to a DHCP message type (option 53).
 */
#include "dpi/detectors_more.h"

#define DHCP_FIXED 236

/* 1 if the options after the cookie hold a well-formed option 53. */
static int dhcp_has_type(const uint8_t *b, uint32_t len)
{
	uint32_t off = DHCP_FIXED + 4;

	while (off < len) {
		uint8_t code = b[off];

		if (code == 0) {
			off++;
			continue;
		}
		if (code == 255 || len - off < 2)
			return 0;
		if (code == 53)
			return b[off + 1] == 1 && len - off >= 3 && b[off + 2] >= 1 &&
			       b[off + 2] <= 18;
		off += 2u + b[off + 1];
	}
	return 0;
}

static enum dpi_verdict dhcp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;

	if (p->len < DHCP_FIXED + 4 || (b[0] != 1 && b[0] != 2) || b[2] > 16 || b[3] > 16)
		return DPI_NOT_MINE;
	if (dpi_rd32(b + DHCP_FIXED) != 0x63825363)
		return DPI_NOT_MINE;
	if (!(dpi_port_is(p, 67) || dpi_port_is(p, 68)) && !dhcp_has_type(b, p->len))
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_DHCP;
	return DPI_FOUND;
}

const struct dpi_detector dpi_dhcp_detector = {
    .name = "dhcp",
    .l4_mask = DPI_L4_UDP,
    .needs_payload = 1,
    .probe = dhcp_probe,
};
