// SPDX-License-Identifier: GPL-2.0-or-later
/* decode, transport layer: see decode.h. */
#include "pipeline/decode.h"

#define GRE_PROTO 47
#define VXLAN_PORT 4789
#define GTPU_PORT 2152

/* GRE version 0 (RFC 2784/2890): IPv4, IPv6 or Ethernet inside. */
static enum decode_result decode_gre(struct pkt *p, struct stats_block *st)
{
	const uint8_t *h = p->data + p->l4_off;
	uint32_t n = p->l4_len;
	if (n < 4) {
		CTR_INC(st, DEC_GRE_TRUNC);
		return DECODE_MALFORMED;
	}
	uint16_t fl = rd16(h);
	uint16_t proto = rd16(h + 2);
	if ((fl & 7) == 1 && proto == 0x880b) {
		/* PPTP's enhanced GRE (RFC 2637): key always, sequence and
		 * acknowledgement numbers optional, PPP inside. */
		uint32_t hl1 = 8 + ((fl & 0x1000) ? 4 : 0) + ((fl & 0x0080) ? 4 : 0);
		if (n < hl1) {
			CTR_INC(st, DEC_GRE_TRUNC);
			return DECODE_MALFORMED;
		}
		if (n == hl1) { /* acknowledgement only */
			CTR_INC(st, L4_OTHER);
			p->payload_off = p->l4_off + hl1;
			p->payload_len = 0;
			return DECODE_OK;
		}
		return decode_tunnel(p, DECODE_TUN_GRE, p->l4_off + hl1, DECODE_INNER_PPP, st);
	}
	if ((fl & 7) != 0) {
		CTR_INC(st, L4_OTHER);
		p->payload_off = p->l4_off;
		p->payload_len = n;
		return DECODE_OK;
	}
	uint32_t hl = 4 + ((fl & 0x8000) ? 4 : 0) + ((fl & 0x2000) ? 4 : 0) + ((fl & 0x1000) ? 4 : 0);
	if (n < hl) {
		CTR_INC(st, DEC_GRE_TRUNC);
		return DECODE_MALFORMED;
	}
	if (proto == 0x0800 || proto == 0x86dd)
		return decode_tunnel(p, DECODE_TUN_GRE, p->l4_off + hl, DECODE_INNER_IP, st);
	if (proto == 0x6558)
		return decode_tunnel(p, DECODE_TUN_GRE, p->l4_off + hl, DECODE_INNER_ETH, st);
	CTR_INC(st, L4_OTHER);
	p->payload_off = p->l4_off;
	p->payload_len = n;
	return DECODE_OK;
}

/*
 * UDP encapsulations decapsulated so that the inner flow is classified:
 * VXLAN (RFC 7348, I flag set, Ethernet inside) and GTP-U version 1 G-PDUs
 * (IP inside, after the optional fields and extension headers). Anything
 * that does not parse as such stays a plain UDP flow.
 */
static enum decode_result decode_udp_tunnel(struct pkt *p, struct stats_block *st)
{
	const uint8_t *u = p->data + p->payload_off;
	uint32_t n = p->payload_len;
	if ((p->sport == VXLAN_PORT || p->dport == VXLAN_PORT) && n >= 8 + 14 && (u[0] & 0x08) &&
	    !(p->flags & PKT_F_TUNNEL))
		return decode_tunnel(p, DECODE_TUN_VXLAN, p->payload_off + 8, DECODE_INNER_ETH, st);
	if ((p->sport == GTPU_PORT || p->dport == GTPU_PORT) && n >= 8 && (u[0] >> 5) == 1 &&
	    (u[0] & 0x10) && u[1] == 0xff && !(p->flags & PKT_F_TUNNEL)) {
		uint32_t hl = 8;
		if (u[0] & 0x07) {
			hl = 12;
			if (n < hl) {
				CTR_INC(st, DEC_GTPU_TRUNC);
				return DECODE_MALFORMED;
			}
			uint8_t next = (u[0] & 0x04) ? u[11] : 0;
			for (int i = 0; next && i < 8; i++) { /* extension headers, 4-byte units */
				if (n < hl + 1 || u[hl] == 0 || n < hl + 4u * u[hl]) {
					CTR_INC(st, DEC_GTPU_TRUNC);
					return DECODE_MALFORMED;
				}
				uint32_t el = 4u * u[hl];
				next = u[hl + el - 1];
				hl += el;
			}
		}
		if (n > hl && ((u[hl] >> 4) == 4 || (u[hl] >> 4) == 6))
			return decode_tunnel(p, DECODE_TUN_GTPU, p->payload_off + hl, DECODE_INNER_IP, st);
	}
	return DECODE_OK;
}

enum decode_result decode_l4(struct pkt *p, struct stats_block *st)
{
	const uint8_t *h = p->data + p->l4_off;
	uint32_t n = p->l4_len;
	int cut = (p->flags & PKT_F_L4_TRUNC) != 0;

	switch (p->l4proto) {
	case IPPROTO_NUM_TCP: {
		if (n < 20) {
			CTR_INC(st, DEC_TCP_TRUNC);
			return DECODE_MALFORMED;
		}
		uint32_t hlen = (uint32_t)(h[12] >> 4) * 4;
		if (hlen < 20) {
			CTR_INC(st, DEC_TCP_BAD_HLEN);
			return DECODE_MALFORMED;
		}
		if (hlen > n) {
			CTR_INC(st, DEC_TCP_TRUNC);
			return DECODE_MALFORMED;
		}
		CTR_INC(st, L4_TCP);
		p->sport = rd16(h);
		p->dport = rd16(h + 2);
		p->tcp_seq = rd32(h + 4);
		p->tcp_ack = rd32(h + 8);
		p->tcp_flags = h[13] & 0x3f;
		p->tcp_win = rd16(h + 14);
		p->payload_off = p->l4_off + hlen;
		p->payload_len = n - hlen;
		uint8_t f = p->tcp_flags;
		/* Impossible combinations are scans: counted, left to policy. */
		if ((f & (TCPF_SYN | TCPF_FIN)) == (TCPF_SYN | TCPF_FIN) ||
		    (f & (TCPF_SYN | TCPF_RST)) == (TCPF_SYN | TCPF_RST) || f == 0 ||
		    (f & (TCPF_FIN | TCPF_PSH | TCPF_URG | TCPF_ACK)) ==
			    (TCPF_FIN | TCPF_PSH | TCPF_URG))
			CTR_INC(st, DEC_TCP_BAD_FLAGS);
		if (p->sport == 0 || p->dport == 0)
			CTR_INC(st, DEC_TCP_BAD_PORT);
		return DECODE_OK;
	}
	case IPPROTO_NUM_UDP: {
		if (n < 8) {
			CTR_INC(st, DEC_UDP_TRUNC);
			return DECODE_MALFORMED;
		}
		uint32_t ulen = rd16(h + 4);
		if (ulen == 0 && p->ipver == 6 && !cut) {
			ulen = n; /* jumbo rule; treat as "to the end" */
		}
		if (ulen < 8 || (ulen > n && !cut)) {
			CTR_INC(st, DEC_UDP_BAD_LEN);
			return DECODE_MALFORMED;
		}
		CTR_INC(st, L4_UDP);
		p->sport = rd16(h);
		p->dport = rd16(h + 2);
		p->payload_off = p->l4_off + 8;
		p->payload_len = (ulen > n ? n : ulen) - 8;
		if (p->sport == VXLAN_PORT || p->dport == VXLAN_PORT || p->sport == GTPU_PORT ||
		    p->dport == GTPU_PORT)
			return decode_udp_tunnel(p, st);
		return DECODE_OK;
	}
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		if (n < 4) {
			if (p->l4proto == IPPROTO_NUM_ICMP)
				CTR_INC(st, DEC_ICMP_TRUNC);
			else
				CTR_INC(st, DEC_ICMPV6_TRUNC);
			return DECODE_MALFORMED;
		}
		if (p->l4proto == IPPROTO_NUM_ICMP)
			CTR_INC(st, L4_ICMP);
		else
			CTR_INC(st, L4_ICMPV6);
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		p->payload_off = p->l4_off + 4;
		p->payload_len = n - 4;
		return DECODE_OK;
	case GRE_PROTO:
		return decode_gre(p, st);
	default:
		CTR_INC(st, L4_OTHER);
		p->payload_off = p->l4_off;
		p->payload_len = n;
		return DECODE_OK;
	}
}
