// SPDX-License-Identifier: GPL-2.0-or-later
/* decode, IP layer (IPv4, IPv6 and its extension headers, IP-in-IP): see decode.h. */
#include <string.h>

#include "pipeline/decode.h"

#define MAX_IPV6_EXT 8

/* Bytes of an IP datagram of @total bytes at @off that were captured, or 0 if
 * the frame on the wire was itself too short (malformed). */
static uint32_t ip_avail(const struct pkt *p, uint32_t off, uint32_t total, int *trunc)
{
	*trunc = 0;
	if (p->len - off >= total)
		return total; /* trailing bytes are link padding */
	if (p->wire_len - off >= total) {
		*trunc = 1; /* snap length cut it: decode what is there */
		return p->len - off;
	}
	return 0;
}

enum decode_result decode_tunnel(struct pkt *p, enum decode_tunnel_kind kind, uint32_t off,
				 enum decode_inner inner, struct stats_block *st)
{
	if (p->flags & PKT_F_TUNNEL) {
		CTR_INC(st, DEC_TUNNEL_TOO_DEEP);
		return DECODE_MALFORMED;
	}
	switch (kind) {
	case DECODE_TUN_IPIP: CTR_INC(st, TUNNEL_IPIP); break;
	case DECODE_TUN_GRE: CTR_INC(st, TUNNEL_GRE); break;
	case DECODE_TUN_VXLAN: CTR_INC(st, TUNNEL_VXLAN); break;
	case DECODE_TUN_GTPU: CTR_INC(st, TUNNEL_GTPU); break;
	}
	p->flags |= PKT_F_TUNNEL;
	/* The inner packet ends where the outer datagram does. */
	uint32_t saved_len = p->len, saved_wire = p->wire_len;
	p->len = p->l3_off + p->l3_len;
	if (p->wire_len > p->len && !(p->flags & PKT_F_L4_TRUNC))
		p->wire_len = p->len;
	p->flags &= (uint8_t)~PKT_F_L4_TRUNC;
	p->sport = p->dport = 0;
	p->payload_off = p->payload_len = 0;
	enum decode_result r;
	if (inner == DECODE_INNER_ETH)
		r = decode_ethernet(p, off, st);
	else if (inner == DECODE_INNER_PPP)
		r = decode_ppp(p, off, st);
	else
		r = decode_ip(p, off, st, 1);
	p->len = saved_len;
	p->wire_len = saved_wire;
	return r;
}

static enum decode_result decode_ipv4(struct pkt *p, uint32_t off, struct stats_block *st,
				      int depth)
{
	const uint8_t *h = p->data + off;
	if (p->len - off < 20) {
		CTR_INC(st, DEC_IPV4_TRUNC);
		return DECODE_MALFORMED;
	}
	uint32_t hlen = (uint32_t)(h[0] & 0x0f) * 4;
	if (hlen < 20) {
		CTR_INC(st, DEC_IPV4_BAD_HLEN);
		return DECODE_MALFORMED;
	}
	if (p->len - off < hlen) {
		CTR_INC(st, DEC_IPV4_TRUNC);
		return DECODE_MALFORMED;
	}
	uint32_t total = rd16(h + 2);
	if (total < hlen) {
		CTR_INC(st, DEC_IPV4_BAD_LEN);
		return DECODE_MALFORMED;
	}
	int trunc;
	uint32_t avail = ip_avail(p, off, total, &trunc);
	if (avail == 0) {
		CTR_INC(st, DEC_IPV4_BAD_LEN);
		return DECODE_MALFORMED;
	}
	/* Options: type-length-value, lengths inside the header. */
	for (uint32_t o = 20; o < hlen;) {
		uint8_t t = h[o];
		if (t == 0)
			break;
		if (t == 1) {
			o++;
			continue;
		}
		if (o + 1 >= hlen || h[o + 1] < 2 || o + h[o + 1] > hlen) {
			CTR_INC(st, DEC_IPV4_BAD_OPT);
			return DECODE_MALFORMED;
		}
		o += h[o + 1];
	}
	if (hlen > 20)
		p->flags |= PKT_F_IPV4_OPTIONS;
	/* A source address cannot be multicast or limited broadcast. */
	if ((h[12] & 0xf0) == 0xe0 || rd32(h + 12) == 0xffffffffu) {
		CTR_INC(st, DEC_IPV4_BAD_ADDR);
		return DECODE_MALFORMED;
	}
	p->ipver = 4;
	p->l3_off = off;
	p->l3_len = avail;
	if (trunc)
		p->flags |= PKT_F_L4_TRUNC;
	memset(p->src, 0, sizeof(p->src));
	memset(p->dst, 0, sizeof(p->dst));
	memcpy(p->src, h + 12, 4);
	memcpy(p->dst, h + 16, 4);
	p->l4proto = h[9];
	uint16_t fo = rd16(h + 6);
	uint32_t frag_off = (uint32_t)(fo & 0x1fff) * 8;
	if ((fo & 0x2000) || frag_off) {
		CTR_INC(st, FRAG_V4);
		p->flags |= PKT_F_FRAGMENT;
		p->frag_id = rd16(h + 4);
		p->frag_off = frag_off;
		p->frag_more = (fo & 0x2000) != 0;
		p->frag_hdr_end = off + hlen;
		p->frag_nexthdr = h[9];
		return DECODE_FRAGMENT;
	}
	CTR_INC(st, L3_IPV4);
	p->l4_off = off + hlen;
	p->l4_len = avail - hlen;
	(void)depth;
	if (p->l4proto == 4 || p->l4proto == 41)
		return decode_tunnel(p, DECODE_TUN_IPIP, p->l4_off, DECODE_INNER_IP, st);
	return decode_l4(p, st);
}

static int ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51 || nh == 135 ||
	       nh == 139 || nh == 140;
}

static enum decode_result decode_ipv6(struct pkt *p, uint32_t off, struct stats_block *st,
				      int depth)
{
	const uint8_t *h = p->data + off;
	if (p->len - off < 40) {
		CTR_INC(st, DEC_IPV6_TRUNC);
		return DECODE_MALFORMED;
	}
	uint32_t plen = rd16(h + 4);
	if (plen == 0 && h[6] == 0) { /* jumbogram: not on our links */
		CTR_INC(st, DEC_IPV6_BAD_LEN);
		return DECODE_MALFORMED;
	}
	int trunc;
	uint32_t avail = ip_avail(p, off, 40 + plen, &trunc);
	if (avail == 0) {
		CTR_INC(st, DEC_IPV6_BAD_LEN);
		return DECODE_MALFORMED;
	}
	p->ipver = 6;
	p->l3_off = off;
	p->l3_len = avail;
	if (trunc)
		p->flags |= PKT_F_L4_TRUNC;
	memcpy(p->src, h + 8, 16);
	memcpy(p->dst, h + 24, 16);

	uint8_t nh = h[6];
	uint32_t o = off + 40;
	uint32_t end = off + avail;
	for (int n = 0; ext_header(nh); n++) {
		if (n >= MAX_IPV6_EXT) {
			CTR_INC(st, DEC_IPV6_EXT_TOO_MANY);
			return DECODE_MALFORMED;
		}
		if (nh == 0 && n != 0) { /* hop-by-hop only first (RFC 8200 4.1) */
			CTR_INC(st, DEC_IPV6_EXT_BAD);
			return DECODE_MALFORMED;
		}
		if (end - o < 8) {
			CTR_INC(st, DEC_IPV6_EXT_TRUNC);
			return DECODE_MALFORMED;
		}
		p->flags |= PKT_F_IPV6_EXT;
		const uint8_t *e = p->data + o;
		uint32_t elen;
		if (nh == 44) {
			uint16_t fo = rd16(e + 2);
			uint32_t frag_off = fo & 0xfff8;
			int more = fo & 1;
			if (frag_off || more) {
				CTR_INC(st, FRAG_V6);
				p->flags |= PKT_F_FRAGMENT;
				p->frag_id = rd32(e + 4);
				p->frag_off = frag_off;
				p->frag_more = (uint8_t)more;
				p->frag_hdr_end = o + 8;
				p->frag_nexthdr = e[0];
				p->l4proto = e[0];
				return DECODE_FRAGMENT;
			}
			elen = 8; /* atomic fragment (RFC 6946): carry on */
		} else if (nh == 51) {
			elen = ((uint32_t)e[1] + 2) * 4;
		} else {
			elen = ((uint32_t)e[1] + 1) * 8;
		}
		if (end - o < elen) {
			CTR_INC(st, DEC_IPV6_EXT_TRUNC);
			return DECODE_MALFORMED;
		}
		nh = e[0];
		o += elen;
	}
	CTR_INC(st, L3_IPV6);
	p->l4proto = nh;
	p->l4_off = o;
	p->l4_len = end - o;
	(void)depth;
	if (nh == 4 || nh == 41)
		return decode_tunnel(p, DECODE_TUN_IPIP, o, DECODE_INNER_IP, st);
	return decode_l4(p, st);
}

enum decode_result decode_ip(struct pkt *p, uint32_t off, struct stats_block *st, int depth)
{
	if (off >= p->len) {
		CTR_INC(st, DEC_IPV4_TRUNC);
		return DECODE_MALFORMED;
	}
	switch (p->data[off] >> 4) {
	case 4:
		return decode_ipv4(p, off, st, depth);
	case 6:
		return decode_ipv6(p, off, st, depth);
	default:
		CTR_INC(st, DEC_IP_BAD_VERSION);
		return DECODE_MALFORMED;
	}
}

static inline uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t decode_pair_hash(const struct pkt *p)
{
	uint32_t s = 0, x = 0;
	int words = p->ipver == 6 ? 4 : 1;
	for (int i = 0; i < words; i++) {
		uint32_t a, b;
		memcpy(&a, p->src + 4 * i, 4);
		memcpy(&b, p->dst + 4 * i, 4);
		s += fmix32(a) + fmix32(b);
		x ^= fmix32(a ^ b) + (uint32_t)i;
	}
	return fmix32(s ^ (x * 0x9e3779b1u) ^ ((uint32_t)p->vlan[0] << 8) ^ p->ipver);
}
