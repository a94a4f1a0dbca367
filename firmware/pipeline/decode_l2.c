// SPDX-License-Identifier: GPL-2.0-or-later
/* decode, link layer: see decode.h. */
#include <string.h>

#include "pipeline/decode.h"
#include "segw/hal/pktbuf.h"

#define ETH_HLEN 14
#define MAX_VLAN 2
#define MAX_MPLS 8

/* Dispatch on an ethertype at @off; @vlan_ok allows 802.1Q tags there. */
static enum decode_result decode_ethertype(struct pkt *p, uint16_t type, uint32_t off,
					   struct stats_block *st, int vlan_ok)
{
	for (;;) {
		switch (type) {
		case 0x0800:
		case 0x86dd:
			return decode_ip(p, off, st, 0);
		case 0x8100:
		case 0x88a8:
		case 0x9100:
			if (!vlan_ok)
				goto non_ip;
			if (p->vlan_n >= MAX_VLAN) {
				CTR_INC(st, DEC_VLAN_TOO_DEEP);
				return DECODE_MALFORMED;
			}
			if (p->len < off + 4) {
				CTR_INC(st, DEC_VLAN_TRUNC);
				return DECODE_MALFORMED;
			}
			p->vlan[p->vlan_n++] = rd16(p->data + off) & 0x0fff;
			type = rd16(p->data + off + 2);
			off += 4;
			continue;
		case 0x8864: { /* PPPoE session: ver/type, code, session, length, PPP proto */
			if (p->len < off + 8) {
				CTR_INC(st, DEC_PPPOE_TRUNC);
				return DECODE_MALFORMED;
			}
			uint16_t proto = rd16(p->data + off + 6);
			off += 8;
			if (proto == 0x0021)
				type = 0x0800;
			else if (proto == 0x0057)
				type = 0x86dd;
			else
				goto non_ip;
			vlan_ok = 0;
			continue;
		}
		case 0x8847:
		case 0x8848: { /* MPLS: labels until bottom of stack, then IP by nibble */
			for (int i = 0;; i++) {
				if (i >= MAX_MPLS || p->len < off + 4) {
					CTR_INC(st, DEC_MPLS_TRUNC);
					return DECODE_MALFORMED;
				}
				int bos = p->data[off + 2] & 1;
				off += 4;
				if (bos)
					break;
			}
			if (p->len <= off) {
				CTR_INC(st, DEC_MPLS_TRUNC);
				return DECODE_MALFORMED;
			}
			uint8_t v = p->data[off] >> 4;
			if (v == 4 || v == 6)
				return decode_ip(p, off, st, 0);
			goto non_ip;
		}
		default:
			goto non_ip;
		}
	}
non_ip:
	CTR_INC(st, L3_NON_IP);
	return DECODE_NON_IP;
}

enum decode_result decode_ethernet(struct pkt *p, uint32_t off, struct stats_block *st)
{
	if (p->len < off + ETH_HLEN) {
		CTR_INC(st, DEC_ETH_TRUNC);
		return DECODE_MALFORMED;
	}
	uint16_t type = rd16(p->data + off + 12);
	if (type < 0x0600) { /* 802.3 length: LLC/SNAP, not IP for us */
		CTR_INC(st, L3_NON_IP);
		return DECODE_NON_IP;
	}
	return decode_ethertype(p, type, off + ETH_HLEN, st, 1);
}

static enum decode_result decode_raw_ip(struct pkt *p, uint32_t off, struct stats_block *st)
{
	if (p->len <= off) {
		CTR_INC(st, DEC_IPV4_TRUNC);
		return DECODE_MALFORMED;
	}
	return decode_ip(p, off, st, 0);
}

enum decode_result decode_ppp(struct pkt *p, uint32_t off, struct stats_block *st)
{
	if (p->len < off + 2) {
		CTR_INC(st, DEC_PPP_TRUNC);
		return DECODE_MALFORMED;
	}
	/* Cisco HDLC framing in a capture labelled PPP (seen on serial links):
	 * address 0x0f/0x8f, control 0, then an ethertype. */
	if ((p->data[off] == 0x0f || p->data[off] == 0x8f) && p->data[off + 1] == 0x00) {
		if (p->len < off + 4) {
			CTR_INC(st, DEC_CHDLC_TRUNC);
			return DECODE_MALFORMED;
		}
		uint16_t et = rd16(p->data + off + 2);
		if (et == 0x0800 || et == 0x86dd)
			return decode_ip(p, off + 4, st, 0);
		CTR_INC(st, L3_NON_IP);
		return DECODE_NON_IP;
	}
	if (p->data[off] == 0xff && p->data[off + 1] == 0x03)
		off += 2;
	if (p->len < off + 1) {
		CTR_INC(st, DEC_PPP_TRUNC);
		return DECODE_MALFORMED;
	}
	uint16_t proto;
	if (p->data[off] & 1) { /* protocol field compression: one byte */
		proto = p->data[off];
		off += 1;
	} else {
		if (p->len < off + 2) {
			CTR_INC(st, DEC_PPP_TRUNC);
			return DECODE_MALFORMED;
		}
		proto = rd16(p->data + off);
		off += 2;
	}
	if (proto == 0x0021 || proto == 0x0057)
		return decode_raw_ip(p, off, st);
	CTR_INC(st, L3_NON_IP);
	return DECODE_NON_IP;
}

static enum decode_result decode_link(struct pkt *p, uint8_t link, uint32_t off,
				      struct stats_block *st, int depth)
{
	switch (link) {
	case HAL_LINK_ETHERNET:
		return decode_ethernet(p, off, st);
	case HAL_LINK_SLL:
		if (p->len < off + 16) {
			CTR_INC(st, DEC_SLL_TRUNC);
			return DECODE_MALFORMED;
		}
		return decode_ethertype(p, rd16(p->data + off + 14), off + 16, st, 1);
	case HAL_LINK_SLL2:
		if (p->len < off + 20) {
			CTR_INC(st, DEC_SLL_TRUNC);
			return DECODE_MALFORMED;
		}
		return decode_ethertype(p, rd16(p->data + off), off + 20, st, 1);
	case HAL_LINK_RAW:
	case HAL_LINK_IPV4:
	case HAL_LINK_IPV6:
		return decode_raw_ip(p, off, st);
	case HAL_LINK_NULL:
	case HAL_LINK_LOOP: {
		if (p->len < off + 4) {
			CTR_INC(st, DEC_NULL_TRUNC);
			return DECODE_MALFORMED;
		}
		/* family in the writer's byte order (NULL) or network order (LOOP):
		 * accept either; 2 is AF_INET, 24/28/30 are the BSDs' AF_INET6. */
		uint32_t fam = rd32le(p->data + off);
		if (fam > 0xffff)
			fam = rd32(p->data + off);
		if (fam == 2 || fam == 24 || fam == 28 || fam == 30 || fam == 10)
			return decode_raw_ip(p, off + 4, st);
		CTR_INC(st, L3_NON_IP);
		return DECODE_NON_IP;
	}
	case HAL_LINK_PPP:
		return decode_ppp(p, off, st);
	case HAL_LINK_CHDLC:
		if (p->len < off + 4) {
			CTR_INC(st, DEC_CHDLC_TRUNC);
			return DECODE_MALFORMED;
		}
		return decode_ethertype(p, rd16(p->data + off + 2), off + 4, st, 0);
	case HAL_LINK_PPI: {
		if (depth > 0 || p->len < off + 8) {
			CTR_INC(st, DEC_PPI_TRUNC);
			return DECODE_MALFORMED;
		}
		uint16_t hlen = rd16le(p->data + off + 2);
		uint32_t dlt = rd32le(p->data + off + 4);
		if (hlen < 8 || p->len < off + hlen) {
			CTR_INC(st, DEC_PPI_TRUNC);
			return DECODE_MALFORMED;
		}
		if (dlt == 1)
			return decode_link(p, HAL_LINK_ETHERNET, off + hlen, st, depth + 1);
		if (dlt == 105 || dlt == 127) {
			CTR_INC(st, DEC_LINK_RADIOTAP);
			return DECODE_SKIP_LINK;
		}
		CTR_INC(st, DEC_LINK_UNSUPPORTED);
		return DECODE_SKIP_LINK;
	}
	case HAL_LINK_RADIOTAP:
		CTR_INC(st, DEC_LINK_RADIOTAP);
		return DECODE_SKIP_LINK;
	default:
		CTR_INC(st, DEC_LINK_UNSUPPORTED);
		return DECODE_SKIP_LINK;
	}
}

enum decode_result decode_frame(struct pkt *p, const uint8_t *frame, uint32_t caplen,
				uint32_t wire_len, uint8_t link, struct stats_block *st)
{
	/* Clear everything but the caller's timestamp and port. */
	uint64_t ts = p->ts_ns;
	uint16_t port = p->port;
	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	p->port = port;
	p->data = frame;
	p->len = caplen;
	p->wire_len = wire_len < caplen ? caplen : wire_len;
	return decode_link(p, link, 0, st, 0);
}
