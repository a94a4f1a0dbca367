// SPDX-License-Identifier: GPL-2.0-or-later
/* decode, transport layer: see decode.h. */
#include "pipeline/decode.h"

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
	default:
		CTR_INC(st, L4_OTHER);
		p->payload_off = p->l4_off;
		p->payload_len = n;
		return DECODE_OK;
	}
}
