// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mqtt: MQTT 3.1, 3.1.1 and 5 (OASIS) over TCP.
 *
 * Evidence: the client's first packet is CONNECT: fixed header 0x10, a
 * remaining length (variable byte integer, at most 4 bytes) covering at
 * least the packet, protocol name "MQTT" (level 4 or 5) or "MQIsdp"
 * (level 3), and connect flags with the reserved bit clear. Mid-session
 * (the capture missed CONNECT): a well-formed PUBLISH (see mqtt_publish),
 * or a PINGREQ answered by a PINGRESP in the other direction. A lone
 * CONNACK asks for more. Facts: version (the protocol level, CONNECT only).
 * Scratch: [0] 1 + direction of a PINGREQ seen.
 */
#include "dpi/detectors_more.h"

/* Decodes the remaining length at b[1..]; returns its size or 0. */
static uint32_t mqtt_remlen(const uint8_t *b, uint32_t len, uint32_t *val)
{
	uint32_t i, v = 0;

	for (i = 1; i < len && i <= 4; i++) {
		v |= (uint32_t)(b[i] & 0x7f) << (7 * (i - 1));
		if (!(b[i] & 0x80)) {
			*val = v;
			return i;
		}
	}
	return 0;
}

/*
 * PUBLISH (type 3) seen mid-session: QoS 0..2, a remaining length that ends
 * the segment exactly, a non-empty topic of printable characters without
 * wildcards, and a non-zero packet id when QoS > 0.
 */
static int mqtt_publish(const uint8_t *b, uint32_t len)
{
	uint32_t n, rl, off, tl, i, qos = (b[0] >> 1) & 3u;

	if ((b[0] >> 4) != 3 || qos == 3)
		return 0;
	n = mqtt_remlen(b, len, &rl);
	if (!n || (uint64_t)1 + n + rl != len || rl < 3)
		return 0;
	off = 1 + n;
	tl = dpi_rd16(b + off);
	if (tl == 0 || (uint64_t)2 + tl + (qos ? 2 : 0) > rl)
		return 0;
	off += 2;
	for (i = 0; i < tl; i++)
		if (b[off + i] < 0x20 || b[off + i] > 0x7e || b[off + i] == '+' ||
		    b[off + i] == '#')
			return 0;
	return !qos || dpi_rd16(b + off + tl) != 0;
}

static enum dpi_verdict mqtt_connect(struct dpi_ctx *c, const uint8_t *b, uint32_t len)
{
	uint32_t n, rl, off;
	uint8_t level;

	n = mqtt_remlen(b, len, &rl);
	if (len < 12 || !n || rl < 10 || (uint64_t)1 + n + rl < len)
		return DPI_NOT_MINE;
	off = 1 + n;
	if (len - off >= 7 && b[off] == 0 && b[off + 1] == 4 && b[off + 2] == 'M' &&
	    b[off + 3] == 'Q' && b[off + 4] == 'T' && b[off + 5] == 'T') {
		off += 6;
		level = b[off];
		if (level != 4 && level != 5)
			return DPI_NOT_MINE;
	} else if (len - off >= 9 && b[off] == 0 && b[off + 1] == 6 && b[off + 2] == 'M' &&
	           b[off + 3] == 'Q' && b[off + 4] == 'I' && b[off + 5] == 's' &&
	           b[off + 6] == 'd' && b[off + 7] == 'p') {
		off += 8;
		level = b[off];
		if (level != 3)
			return DPI_NOT_MINE;
	} else {
		return DPI_NOT_MINE;
	}
	if (len - off < 2 || (b[off + 1] & 0x01))
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_MQTT;
	c->facts->version = level;
	return DPI_FOUND;
}

static enum dpi_verdict mqtt_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len, n, rl;
	uint8_t *st = c->scratch, d = p->dir & 1;

	if (len >= 2 && b[0] == 0x10 && p->dir == 0)
		return mqtt_connect(c, b, len);
	if (len >= 2 && mqtt_publish(b, len)) {
		c->facts->app = DPI_APP_MQTT;
		return DPI_FOUND;
	}
	if (len == 2 && b[1] == 0 && (b[0] == 0xc0 || b[0] == 0xd0)) {
		/* PINGREQ one way, then PINGRESP the other way. */
		if (b[0] == 0xc0)
			st[0] = (uint8_t)(1 + d);
		else if (st[0] == 2 - d) {
			c->facts->app = DPI_APP_MQTT;
			return DPI_FOUND;
		}
		return p->index < 8 ? DPI_NEED_MORE : DPI_NOT_MINE;
	}
	/* CONNACK before we saw the CONNECT: v3 0x20 0x02 flags rc, v5 longer. */
	n = len >= 4 && b[0] == 0x20 && p->dir == 1 ? mqtt_remlen(b, len, &rl) : 0;
	if (n && rl >= 2 && (uint64_t)1 + n + rl == len && b[1 + n] <= 1 && p->index < 4)
		return DPI_NEED_MORE;
	return DPI_NOT_MINE;
}

const struct dpi_detector dpi_mqtt_detector = {
    .name = "mqtt",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = mqtt_probe,
};
