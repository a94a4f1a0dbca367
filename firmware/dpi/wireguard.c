// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wireguard: WireGuard (whitepaper section 5.4) over UDP.
 *
 * Every message starts with a type byte and three zero bytes. Evidence:
 *  - a handshake response (type 2, 92 bytes; some providers append data,
 *    so at least 92) or cookie reply (type 3, 64 bytes) whose receiver
 *    index is the sender index of an initiation (type 1, at least 148
 *    bytes) seen in the other direction;
 *  - or transport data (type 4, 32 + 16n bytes) in both directions, each
 *    direction keeping one receiver index, with counters that grow.
 * One message alone is never enough. Scratch: [0] seen bits, [4..12)
 * initiation sender index per direction, [12..20) data receiver index per
 * direction, [20..36) last data counter (low 64 bits) per direction.
 */
#include <string.h>

#include "dpi/detectors_more.h"

#define WG_INIT0 0x01
#define WG_DATA0 0x04

static uint32_t wg_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t wg_le64(const uint8_t *b)
{
	return (uint64_t)wg_le32(b) | (uint64_t)wg_le32(b + 4) << 32;
}

static enum dpi_verdict wg_found(struct dpi_ctx *c)
{
	c->facts->app = DPI_APP_WIREGUARD;
	return DPI_FOUND;
}

static enum dpi_verdict wg_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint8_t *s = c->scratch, d = p->dir & 1, o = (uint8_t)!d;
	uint64_t ctr;

	if (p->len < 32 || b[1] || b[2] || b[3])
		return DPI_NOT_MINE;
	switch (b[0]) {
	case 1:
		if (p->len < 148)
			return DPI_NOT_MINE;
		s[0] |= (uint8_t)(WG_INIT0 << d);
		memcpy(s + 4 + 4 * d, b + 4, 4);
		break;
	case 2:
	case 3:
		if (b[0] == 2 ? p->len < 92 : p->len != 64)
			return DPI_NOT_MINE;
		if ((s[0] & (WG_INIT0 << o)) && !memcmp(b + (b[0] == 2 ? 8 : 4), s + 4 + 4 * o, 4))
			return wg_found(c);
		break;
	case 4:
		if ((p->len - 32) % 16)
			return DPI_NOT_MINE;
		ctr = wg_le64(b + 8);
		if (s[0] & (WG_DATA0 << d)) {
			if (memcmp(b + 4, s + 12 + 4 * d, 4) || ctr <= wg_le64(s + 20 + 8 * d) ||
			    ctr - wg_le64(s + 20 + 8 * d) > 4096)
				return DPI_NOT_MINE;
		}
		s[0] |= (uint8_t)(WG_DATA0 << d);
		memcpy(s + 12 + 4 * d, b + 4, 4);
		memcpy(s + 20 + 8 * d, b + 8, 8);
		if (s[0] & (WG_DATA0 << o))
			return wg_found(c);
		break;
	default:
		return DPI_NOT_MINE;
	}
	return p->index < 16 ? DPI_NEED_MORE : DPI_NOT_MINE;
}

const struct dpi_detector dpi_wireguard_detector = {
    .name = "wireguard",
    .l4_mask = DPI_L4_UDP,
    .needs_payload = 1,
    .probe = wg_probe,
};
