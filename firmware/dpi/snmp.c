// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snmp: SNMP v1, v2c (RFC 1157, 3416) and v3 (RFC 3412) over UDP.
 *
 * Evidence: the datagram is exactly one BER SEQUENCE holding INTEGER version
 * (0, 1 or 3); for v1/v2c an OCTET STRING community then a PDU ([0]..[8])
 * whose length ends the message exactly; for v3 a msgGlobalData SEQUENCE
 * starting with INTEGER msgID. Facts: version (1, 2 for v2c, 3) and
 * DPI_F_COMMUNITY when a community string is present.
 */
#include "dpi/detectors_more.h"

static enum dpi_verdict snmp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len, off, vlen, h;
	uint8_t tag, ver;

	h = dpi_ber_hdr(b, len, 0, &tag, &vlen);
	if (!h || tag != 0x30 || (uint64_t)h + vlen != len)
		return DPI_NOT_MINE;
	off = h;
	if (len - off < 3 || b[off] != 0x02 || b[off + 1] != 0x01)
		return DPI_NOT_MINE;
	ver = b[off + 2];
	off += 3;
	if (ver == 3) {
		h = dpi_ber_hdr(b, len, off, &tag, &vlen);
		if (!h || tag != 0x30 || vlen > len - off - h || len - off - h < 3 ||
		    b[off + h] != 0x02)
			return DPI_NOT_MINE;
		c->facts->version = 3;
	} else if (ver == 0 || ver == 1) {
		h = dpi_ber_hdr(b, len, off, &tag, &vlen);
		if (!h || tag != 0x04 || vlen > len - off - h)
			return DPI_NOT_MINE;
		off += h + vlen;
		h = dpi_ber_hdr(b, len, off, &tag, &vlen);
		if (!h || tag < 0xa0 || tag > 0xa8 || (uint64_t)off + h + vlen != len)
			return DPI_NOT_MINE;
		c->facts->version = (uint8_t)(ver + 1);
		c->facts->flags |= DPI_F_COMMUNITY;
	} else {
		return DPI_NOT_MINE;
	}
	c->facts->app = DPI_APP_SNMP;
	return DPI_FOUND;
}

const struct dpi_detector dpi_snmp_detector = {
    .name = "snmp",
    .l4_mask = DPI_L4_UDP,
    .needs_payload = 1,
    .probe = snmp_probe,
};
