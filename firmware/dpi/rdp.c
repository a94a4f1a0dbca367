// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rdp: the Remote Desktop Protocol: over TCP its X.224 connection setup
 * (MS-RDPBCGR 2.2.1.1/2.2.1.2), over UDP the MS-RDPEUDP SYN handshake.
 *
 * Evidence, TCP: a TPKT header (version 3, reserved 0, length equal to the
 * segment) holding an X.224 Connection Request (0xE0) or Connection Confirm
 * (0xD0) TPDU whose length indicator is the rest of the TPKT.
 * Evidence, UDP: an RDPUDP_FBACK_HEADER with snSourceAck 0xFFFFFFFF, the
 * SYN flag, and up/downstream MTUs of 1132..1232 (MS-RDPEUDP 2.2.2.5); or,
 * mid-connection, ACK+DATA datagrams both ways where one side's snSourceAck
 * acknowledges (within 64) the snCoded the other side sent.
 * Scratch: [0] directions seen, [4..12) last snCoded per direction.
 */
#include "dpi/detectors_more.h"

#define RDPUDP_FLAG_SYN  0x0001
#define RDPUDP_FLAG_ACK  0x0004
#define RDPUDP_FLAG_DATA 0x0008

/*
 * What follows the 7-byte fixed part of the CR/CC TPDU: nothing, a cookie or
 * routing token (CR, text ending in CRLF), or an RDP negotiation structure
 * (type 1 request, 2 response, 3 failure; length 8). ISO-TSAP users of the
 * same TPDUs (S7, MMS) put COTP parameters (0xC0..0xC2) there instead.
 */
static int rdp_x224_tail(const uint8_t *t, uint32_t n, uint8_t code)
{
	if (n == 0)
		return 1;
	if (code == 0xe0 && (dpi_starts_ci(t, n, "Cookie: ") || dpi_starts_ci(t, n, "Cookie:")))
		return n >= 2 && t[n - 2] == '\r' && t[n - 1] == '\n';
	if (n == 8 && t[2] == 8 && t[3] == 0)
		return code == 0xe0 ? t[0] == 1 : (t[0] == 2 || t[0] == 3);
	return 0;
}

static int rdp_tcp(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	if (len < 11 || b[0] != 3 || b[1] != 0 || dpi_rd16(b + 2) != len || b[4] != len - 5)
		return 0;
	if ((b[5] != 0xe0 && b[5] != 0xd0) || b[10] != 0)
		return 0; /* CR or CC, class 0 */
	if (rdp_x224_tail(b + 11, len - 11, b[5]))
		return 1;
	/* A cookie followed by the negotiation request. */
	for (i = 11; b[5] == 0xe0 && i + 1 < len; i++)
		if (b[i] == '\r' && b[i + 1] == '\n')
			return dpi_starts_ci(b + 11, len - 11, "Cookie:") &&
			       rdp_x224_tail(b + i + 2, len - i - 2, 0xe0) && i + 2 < len;
	return 0;
}

static int rdp_udp(const uint8_t *b, uint32_t len)
{
	uint16_t up, down;

	if (len < 16 || dpi_rd32(b) != 0xffffffffu || !(dpi_rd16(b + 6) & RDPUDP_FLAG_SYN))
		return 0;
	up = dpi_rd16(b + 12);
	down = dpi_rd16(b + 14);
	return up >= 1132 && up <= 1232 && down >= 1132 && down <= 1232;
}

/*
 * A data datagram of an established RDP-UDP connection: FBACK header with
 * ACK and DATA and no other flag, an ack vector (size then elements, padded
 * to 4 bytes), then the source payload header (snCoded, snSourceStart).
 * Returns snCoded, or 0 when the datagram is not one (or snCoded is 0).
 */
static uint32_t rdp_udp_data(const uint8_t *b, uint32_t len)
{
	uint32_t off;

	if (len < 20 || dpi_rd16(b + 6) != (RDPUDP_FLAG_ACK | RDPUDP_FLAG_DATA))
		return 0;
	off = 8 + ((2u + dpi_rd16(b + 8) + 3u) & ~3u);
	if (dpi_rd16(b + 8) > 2048 || off + 8 > len)
		return 0;
	return dpi_rd32(b + off);
}

static enum dpi_verdict rdp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	uint8_t *s = c->scratch, d = p->dir & 1;
	uint32_t sn;

	if (p->l4proto == 6 ? rdp_tcp(p->payload, p->len) : rdp_udp(p->payload, p->len)) {
		c->facts->app = DPI_APP_RDP;
		return DPI_FOUND;
	}
	if (p->l4proto == 6 || !(sn = rdp_udp_data(p->payload, p->len)))
		return DPI_NOT_MINE;
	/* Mid-connection: this side acknowledges what the other side sent. */
	if ((s[0] & (1u << (1 - d))) && dpi_rd32(p->payload) - dpi_rd32(s + 4 + 4 * (1 - d)) < 64) {
		c->facts->app = DPI_APP_RDP;
		return DPI_FOUND;
	}
	s[0] |= (uint8_t)(1u << d);
	s[4 + 4 * d] = (uint8_t)(sn >> 24);
	s[5 + 4 * d] = (uint8_t)(sn >> 16);
	s[6 + 4 * d] = (uint8_t)(sn >> 8);
	s[7 + 4 * d] = (uint8_t)sn;
	return p->index < 8 ? DPI_NEED_MORE : DPI_NOT_MINE;
}

const struct dpi_detector dpi_rdp_detector = {
    .name = "rdp",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = rdp_probe,
};
