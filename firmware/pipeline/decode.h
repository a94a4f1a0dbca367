/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode: L2 (Ethernet, 802.1Q/QinQ, PPPoE, MPLS, Linux cooked v1/v2, BSD
 * loopback, PPP, Cisco HDLC, PPI, raw IP), L3 (IPv4 with options and
 * fragments, IPv6 with its extension-header chain and fragments, IP-in-IP
 * one level deep) and L4 (TCP, UDP, ICMP, ICMPv6) headers into struct pkt.
 *
 * Owner:      stateless; the caller owns the pkt and the frame.
 * Thread:     any; counters go to the caller's stats block.
 * Allocation: none.
 * Input:      hostile. Every byte is bounds-checked against the captured
 *             length; every malformed case increments one named counter
 *             (stats/counters.h, "decode.*") and returns DECODE_MALFORMED.
 * Returns:    enum decode_result (never negative).
 */
#ifndef SEGW_PIPELINE_DECODE_H
#define SEGW_PIPELINE_DECODE_H

#include <stdint.h>

#include "pipeline/pkt.h"
#include "stats/counters.h"

enum decode_result {
	DECODE_OK = 0,     /* IP packet, L4 decoded as far as captured */
	DECODE_NON_IP,     /* valid frame that carries no IP (ARP, LLDP...) */
	DECODE_MALFORMED,  /* counted under decode.* */
	DECODE_SKIP_LINK,  /* link type not decoded (radiotap, unsupported) */
	DECODE_FRAGMENT,   /* IP fragment: frag_* fields set, L4 not decoded */
};

/* decode_frame - decode a captured frame of link type @link (enum hal_link). */
enum decode_result decode_frame(struct pkt *p, const uint8_t *frame, uint32_t caplen,
				uint32_t wire_len, uint8_t link, struct stats_block *st);

/*
 * decode_ip - decode from an IP header at @off of p->data (p->len bytes).
 * Used by decode_frame and again on a reassembled datagram. @depth counts
 * IP-in-IP levels already entered.
 */
enum decode_result decode_ip(struct pkt *p, uint32_t off, struct stats_block *st, int depth);

/* decode_l4 - decode the transport header at p->l4_off (p->l4proto set). */
enum decode_result decode_l4(struct pkt *p, struct stats_block *st);

/* decode_ethernet - an Ethernet header at @off (also inside VXLAN/GRE). */
enum decode_result decode_ethernet(struct pkt *p, uint32_t off, struct stats_block *st);

enum decode_tunnel_kind { DECODE_TUN_IPIP = 0, DECODE_TUN_GRE, DECODE_TUN_VXLAN, DECODE_TUN_GTPU };

/*
 * decode_tunnel - decode the inner packet of a tunnel whose outer datagram
 * ends at p->l3_off + p->l3_len: an IP, Ethernet or PPP header at @off (as
 * @inner says). One level deep: a tunnel inside a tunnel is
 * decode.tunnel.too_deep. The inner headers replace the outer ones in @p
 * (the flow is the inner one) and PKT_F_TUNNEL is set.
 */
enum decode_inner { DECODE_INNER_IP = 0, DECODE_INNER_ETH, DECODE_INNER_PPP };
enum decode_result decode_tunnel(struct pkt *p, enum decode_tunnel_kind kind, uint32_t off,
				 enum decode_inner inner, struct stats_block *st);

/* decode_ppp - a PPP frame (HDLC-like framing optional) at @off. */
enum decode_result decode_ppp(struct pkt *p, uint32_t off, struct stats_block *st);

/* decode_pair_hash - symmetric hash of (addresses, vlan): same both ways. */
uint32_t decode_pair_hash(const struct pkt *p);

static inline uint16_t rd16(const uint8_t *b) { return (uint16_t)((b[0] << 8) | b[1]); }
static inline uint32_t rd32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}
static inline uint16_t rd16le(const uint8_t *b) { return (uint16_t)(b[0] | (b[1] << 8)); }
static inline uint32_t rd32le(const uint8_t *b)
{
	return b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

#endif
