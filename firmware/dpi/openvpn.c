// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * openvpn: OpenVPN's control channel handshake over UDP or TCP (TCP adds a
 * 2-byte packet length).
 *
 * A packet is opcode (5 bits) and key id (3 bits), then the sender's 8-byte
 * session id. Evidence: a client hard reset (opcode 1, 7 or 10, key id 0)
 * then, in the other direction, a server hard reset (2 or 8) that either
 * acknowledges the client's session id (plain or tls-auth: the ack array
 * after the optional HMAC and replay id holds the client's id as remote
 * session id), or (tls-auth / tls-crypt, where that part may be encrypted)
 * carries the same replay layout: its packet id 1 and a net time within a
 * day of the client's. Random bytes cannot pass both packets.
 * Scratch: [0] state, [1] layouts the client packet allows, [2..10) client
 * session id, [12..32) client net time per layout.
 */
#include <string.h>

#include "dpi/detectors_more.h"

#define OVPN_CLIENT_SEEN 1
#define OVPN_PLAIN       0x80        /* in the HMAC candidates byte */
#define OVPN_TIME_MIN    0x40000000u /* 2004: a net time before this is not one */

/* HMAC sizes (none: tls-crypt; 16, 20, 32, 64: tls-auth digests). */
static const uint8_t ovpn_hmacs[] = {0, 16, 20, 32, 64};

/* Replay-protected layout with HMAC size @h: non-zero packet id, sane time. */
static int ovpn_replay_at(const uint8_t *b, uint32_t len, uint32_t h)
{
	return len >= 17 + h && dpi_rd32(b + 9 + h) != 0 && dpi_rd32(b + 13 + h) >= OVPN_TIME_MIN;
}

/*
 * The client's hard reset: remember its session id and, for each layout it
 * could have, the net time it carries (s[1] bit i: ovpn_hmacs[i] possible,
 * time at s + 12 + 4i; OVPN_PLAIN: no tls-auth).
 */
static enum dpi_verdict ovpn_client(uint8_t *s, const uint8_t *b, uint32_t len)
{
	uint32_t i;

	s[1] = 0;
	if (len >= 14 && b[9] == 0 && dpi_rd32(b + 10) == 0)
		s[1] |= OVPN_PLAIN; /* empty ack array, message id 0 */
	for (i = 0; i < sizeof(ovpn_hmacs); i++) {
		if (ovpn_replay_at(b, len, ovpn_hmacs[i])) {
			s[1] |= (uint8_t)(1u << i);
			memcpy(s + 12 + 4 * i, b + 13 + ovpn_hmacs[i], 4);
		}
	}
	if (!s[1])
		return DPI_NOT_MINE;
	s[0] = OVPN_CLIENT_SEEN;
	memcpy(s + 2, b + 1, 8);
	return DPI_NEED_MORE;
}

/* The server's hard reset answers the client's (see the file comment). */
static int ovpn_server(const uint8_t *s, const uint8_t *b, uint32_t len)
{
	uint32_t i, h, off, t, ct;

	if ((s[1] & OVPN_PLAIN) && len >= 22 && b[9] == 1 && dpi_rd32(b + 10) == 0 &&
	    !memcmp(b + 14, s + 2, 8))
		return 1; /* ack len 1, acked id 0, remote session id */
	for (i = 0; i < sizeof(ovpn_hmacs); i++) {
		h = ovpn_hmacs[i];
		if (!(s[1] & (1u << i)) || !ovpn_replay_at(b, len, h) || dpi_rd32(b + 9 + h) != 1)
			continue;
		off = 17 + h; /* ack array length, in the clear with tls-auth */
		if (h && len > off && b[off] >= 1 && b[off] <= 8 &&
		    len >= off + 1 + 4u * b[off] + 8 &&
		    !memcmp(b + off + 1 + 4u * b[off], s + 2, 8))
			return 1;
		t = dpi_rd32(b + 13 + h);
		ct = dpi_rd32(s + 12 + 4 * i);
		if ((t >= ct ? t - ct : ct - t) <= 86400)
			return 1;
	}
	return 0;
}

static enum dpi_verdict ovpn_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len;
	uint8_t *s = c->scratch, op;

	if (p->l4proto == 6) {
		if (len < 2 || dpi_rd16(b) < len - 2)
			return DPI_NOT_MINE;
		b += 2;
		len -= 2;
	}
	if (len < 14)
		return DPI_NOT_MINE;
	op = b[0] >> 3;
	if (!(s[0] & OVPN_CLIENT_SEEN)) {
		if ((op == 1 || op == 7 || op == 10) && (b[0] & 7) == 0 && p->dir == 0)
			return ovpn_client(s, b, len);
		return DPI_NOT_MINE;
	}
	if (p->dir == 0) /* client retransmits its reset, or acks */
		return p->index < 8 ? DPI_NEED_MORE : DPI_NOT_MINE;
	if ((op == 2 || op == 8) && (b[0] & 7) == 0 && ovpn_server(s, b, len)) {
		c->facts->app = DPI_APP_OPENVPN;
		return DPI_FOUND;
	}
	return DPI_NOT_MINE;
}

const struct dpi_detector dpi_openvpn_detector = {
    .name = "openvpn",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = ovpn_probe,
};
