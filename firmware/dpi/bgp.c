// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgp: BGP-4 (RFC 4271) over TCP.
 *
 * Evidence: a message header: the 16-byte all-ones marker, a length of
 * 19..4096 (65535 with RFC 8654 extended messages; never shorter than the
 * minimum of its type) and a type 1..5 (OPEN, UPDATE, NOTIFICATION,
 * KEEPALIVE, ROUTE-REFRESH); an OPEN must carry version 4. Facts: version.
 */
#include "dpi/detectors_more.h"

static const uint16_t bgp_min_len[6] = {0, 29, 23, 21, 19, 23};

static enum dpi_verdict bgp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t i;
	uint16_t mlen;

	if (p->len < 19)
		return DPI_NOT_MINE;
	for (i = 0; i < 16; i++)
		if (b[i] != 0xff)
			return DPI_NOT_MINE;
	mlen = dpi_rd16(b + 16);
	if (b[18] < 1 || b[18] > 5 || mlen < bgp_min_len[b[18]])
		return DPI_NOT_MINE;
	if (b[18] == 4 && mlen != 19)
		return DPI_NOT_MINE;
	if (b[18] == 1) {
		if (p->len < 20 || b[19] != 4)
			return DPI_NOT_MINE;
		c->facts->version = 4;
	}
	c->facts->app = DPI_APP_BGP;
	return DPI_FOUND;
}

const struct dpi_detector dpi_bgp_detector = {
    .name = "bgp",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = bgp_probe,
};
