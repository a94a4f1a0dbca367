/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct pkt: what decode learnt about one packet. It lives in the pktbuf's
 * meta area (no allocation) and points into the frame (or, for a reassembled
 * datagram, into the worker's reassembly buffer). Offsets are from `data`.
 */
#ifndef SEGW_PIPELINE_PKT_H
#define SEGW_PIPELINE_PKT_H

#include <stdint.h>

enum pkt_flag {
	PKT_F_FRAGMENT = 1u << 0,    /* an IP fragment: L4 not decoded yet */
	PKT_F_REASSEMBLED = 1u << 1, /* data is a reassembled datagram */
	PKT_F_L4_TRUNC = 1u << 2,    /* capture shorter than the L4 length */
	PKT_F_TUNNEL = 1u << 3,      /* inner header of an IP-in-IP tunnel */
	PKT_F_IPV4_OPTIONS = 1u << 4,
	PKT_F_IPV6_EXT = 1u << 5,
};

/* TCP flag bits as on the wire. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ICMPV6 58

struct pkt {
	const uint8_t *data; /* frame (or reassembled datagram) start */
	uint32_t len;        /* bytes available at data */
	uint32_t wire_len;   /* frame length on the wire */
	uint64_t ts_ns;
	uint16_t port;       /* ingress port index */
	uint8_t ipver;       /* 4, 6, or 0 for non-IP */
	uint8_t l4proto;     /* IP protocol number of the transport */
	uint32_t l3_off;
	uint32_t l3_len;     /* IP datagram bytes present (header + payload) */
	uint32_t l4_off;
	uint32_t l4_len;     /* transport bytes present */
	uint32_t payload_off;
	uint32_t payload_len;
	uint16_t vlan[2];    /* outer, inner; 0 when absent */
	uint8_t vlan_n;
	uint8_t flags;       /* enum pkt_flag */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint8_t frag_more;   /* fragment: more fragments follow */
	uint16_t sport, dport;
	uint16_t tcp_win;
	uint32_t tcp_seq, tcp_ack;
	uint32_t frag_id;    /* fragment: identification */
	uint32_t frag_off;   /* fragment: payload offset in bytes */
	uint32_t frag_hdr_end; /* fragment: offset of the fragmentable payload */
	uint8_t frag_nexthdr;  /* IPv6 fragment: next header after it */
	uint8_t frag_prev_nh_off_valid;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint32_t hash;            /* symmetric hash of the address pair + vlan */
	void *flow;               /* set by the flow stage */
	uint8_t dir;              /* 0: client to server, 1: server to client */
	uint8_t decode_res;       /* enum decode_result, for the worker */
};

_Static_assert(sizeof(struct pkt) <= 256, "struct pkt must fit the pktbuf meta area");

#endif
