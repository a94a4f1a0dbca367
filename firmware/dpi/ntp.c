// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ntp: the Network Time Protocol (RFC 5905; control mode 6 of RFC 1305 and
 * the private mode 7 of ntpd) over UDP, with port 123 on one side (as nDPI
 * requires; the port narrows, the header decides).
 *
 * Evidence: version 1..4 and, per mode: modes 1..5 a 48-byte header (plus
 * 4-aligned extension fields / MAC), stratum at most 16, a sane poll and
 * precision, and a transmit timestamp in client/server packets; mode 6 a
 * 12-byte header whose count fits; mode 7 an 8-byte header whose item count
 * and size fit. Facts: version.
 */
#include "dpi/detectors_more.h"

static int ntp_header_ok(const uint8_t *b, uint32_t len, unsigned mode)
{
	int8_t prec = (int8_t)b[3];
	uint32_t i, xmit = 0;

	if (mode >= 1 && mode <= 5) {
		if (len < 48 || (len - 48) % 4 || len > 48 + 1024)
			return 0;
		if (b[1] > 16 || (b[2] > 17 && b[2] < 0xfa) || prec > 0 || prec < -32)
			return 0;
		for (i = 40; i < 48; i++)
			xmit |= b[i];
		return (mode != 3 && mode != 4) || xmit;
	}
	if (mode == 6) /* control: r/e/m + opcode, seq, status, assoc, offset, count */
		return len >= 12 && (b[1] & 0x1f) <= 31 && 12u + dpi_rd16(b + 10) <= len;
	/* mode 7: r/m/ver/mode, auth/seq, implementation, request code, err/nitems, mbz/size */
	if (len < 8 || (b[4] >> 4) > 7)
		return 0;
	return 8u + (uint32_t)(dpi_rd16(b + 4) & 0x0fff) * (dpi_rd16(b + 6) & 0x0fff) <= len;
}

static enum dpi_verdict ntp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	unsigned ver, mode;

	if (!dpi_port_is(p, 123) || p->len < 8)
		return DPI_NOT_MINE;
	ver = (b[0] >> 3) & 7;
	mode = b[0] & 7;
	if (ver < 1 || ver > 4 || mode == 0 || !ntp_header_ok(b, p->len, mode))
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_NTP;
	c->facts->version = (uint8_t)ver;
	return DPI_FOUND;
}

const struct dpi_detector dpi_ntp_detector = {
    .name = "ntp",
    .l4_mask = DPI_L4_UDP,
    .needs_payload = 1,
    .probe = ntp_probe,
};
