/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters: every packet outcome and every drop has a named counter.
 *
 * Owner:      each worker owns one struct stats_block and is its only writer.
 * Thread:     the owning worker writes (relaxed atomic stores, plain adds on
 *             x86/arm64); any thread may read a block (relaxed loads) to
 *             build a snapshot (stats/snapshot.h). No locks.
 * Allocation: none; blocks are embedded in the worker.
 * Names:      hierarchical, stable: outside checks and the MIB use them.
 */
#ifndef SEGW_STATS_COUNTERS_H
#define SEGW_STATS_COUNTERS_H

#include <stdint.h>

#define STATS_MAX_PORTS 16
#define STATS_MAX_ZONES 16

/* X(id, "name") -- the order is the ABI of the snapshot, append only. */
#define SEGW_COUNTERS(X)                                                        \
	X(RX_PACKETS, "rx.packets")                                             \
	X(RX_BYTES, "rx.bytes")                                                 \
	X(L3_IPV4, "proto.ipv4")                                                \
	X(L3_IPV6, "proto.ipv6")                                                \
	X(L3_NON_IP, "proto.non_ip")                                            \
	X(L4_TCP, "proto.tcp")                                                  \
	X(L4_UDP, "proto.udp")                                                  \
	X(L4_ICMP, "proto.icmp")                                                \
	X(L4_ICMPV6, "proto.icmpv6")                                            \
	X(L4_OTHER, "proto.other")                                              \
	X(TUNNEL_IPIP, "proto.tunnel.ip_in_ip")                                 \
	X(DEC_LINK_RADIOTAP, "decode.link.radiotap_skipped")                    \
	X(DEC_LINK_UNSUPPORTED, "decode.link.unsupported")                      \
	X(DEC_ETH_TRUNC, "decode.eth.truncated")                                \
	X(DEC_VLAN_TRUNC, "decode.vlan.truncated")                              \
	X(DEC_VLAN_TOO_DEEP, "decode.vlan.too_deep")                            \
	X(DEC_SLL_TRUNC, "decode.sll.truncated")                                \
	X(DEC_NULL_TRUNC, "decode.null.truncated")                              \
	X(DEC_PPP_TRUNC, "decode.ppp.truncated")                                \
	X(DEC_CHDLC_TRUNC, "decode.chdlc.truncated")                            \
	X(DEC_PPI_TRUNC, "decode.ppi.truncated")                                \
	X(DEC_PPPOE_TRUNC, "decode.pppoe.truncated")                            \
	X(DEC_MPLS_TRUNC, "decode.mpls.truncated")                              \
	X(DEC_IPV4_TRUNC, "decode.ipv4.truncated")                              \
	X(DEC_IPV4_BAD_HLEN, "decode.ipv4.bad_header_len")                      \
	X(DEC_IPV4_BAD_LEN, "decode.ipv4.bad_total_len")                        \
	X(DEC_IPV4_BAD_OPT, "decode.ipv4.bad_option")                           \
	X(DEC_IPV4_BAD_ADDR, "decode.ipv4.bad_address")                         \
	X(DEC_IP_BAD_VERSION, "decode.ip.bad_version")                          \
	X(DEC_IPV6_TRUNC, "decode.ipv6.truncated")                              \
	X(DEC_IPV6_BAD_LEN, "decode.ipv6.bad_payload_len")                      \
	X(DEC_IPV6_EXT_TRUNC, "decode.ipv6.ext_truncated")                      \
	X(DEC_IPV6_EXT_TOO_MANY, "decode.ipv6.ext_chain_too_long")              \
	X(DEC_IPV6_EXT_BAD, "decode.ipv6.ext_bad_order")                        \
	X(DEC_TCP_TRUNC, "decode.tcp.truncated")                                \
	X(DEC_TCP_BAD_HLEN, "decode.tcp.bad_header_len")                        \
	X(DEC_TCP_BAD_FLAGS, "decode.tcp.invalid_flags")                        \
	X(DEC_TCP_BAD_PORT, "decode.tcp.port_zero")                             \
	X(DEC_UDP_TRUNC, "decode.udp.truncated")                                \
	X(DEC_UDP_BAD_LEN, "decode.udp.bad_len")                                \
	X(DEC_ICMP_TRUNC, "decode.icmp.truncated")                              \
	X(DEC_ICMPV6_TRUNC, "decode.icmpv6.truncated")                          \
	X(DEC_TUNNEL_TOO_DEEP, "decode.tunnel.too_deep")                        \
	X(FRAG_V4, "frag.ipv4.fragments")                                       \
	X(FRAG_V6, "frag.ipv6.fragments")                                       \
	X(FRAG_REASSEMBLED, "frag.reassembled")                                 \
	X(FRAG_NO_CONTEXT, "frag.no_context")                                   \
	X(FRAG_TOO_BIG, "frag.too_big")                                         \
	X(FRAG_OVERLAP, "frag.overlap")                                         \
	X(FRAG_TOO_MANY, "frag.too_many_fragments")                             \
	X(FRAG_BAD, "frag.bad_fragment")                                        \
	X(FRAG_TIMEOUT, "frag.timeout")                                         \
	X(FLOW_CREATED, "flow.created")                                         \
	X(FLOW_END_IDLE, "flow.ended.idle_timeout")                             \
	X(FLOW_END_CLOSED, "flow.ended.tcp_closed")                             \
	X(FLOW_END_EOF, "flow.ended.end_of_capture")                            \
	X(FLOW_EVICTED, "flow.evicted")                                         \
	X(FLOW_FULL_DROP, "flow.table_full.drop")                               \
	X(FLOW_FULL_PASS, "flow.table_full.pass")                               \
	X(FLOW_TCP_MIDSTREAM, "flow.tcp.midstream")                             \
	X(FLOW_TCP_REUSED, "flow.tcp.port_reuse")                               \
	X(VERDICT_PASS, "verdict.pass")                                         \
	X(VERDICT_DROP, "verdict.drop")                                         \
	X(DROP_MALFORMED, "drop.malformed")                                     \
	X(DROP_FLOW_TABLE_FULL, "drop.flow_table_full")                         \
	X(DROP_FRAGMENT, "drop.fragment")                                       \
	X(DROP_UNSUPPORTED_LINK, "drop.unsupported_link")                       \
	X(DROP_NO_BUFFER, "drop.no_buffer")                                     \
	X(TUNNEL_GRE, "proto.tunnel.gre")                                       \
	X(TUNNEL_VXLAN, "proto.tunnel.vxlan")                                   \
	X(TUNNEL_GTPU, "proto.tunnel.gtp_u")                                    \
	X(DEC_GRE_TRUNC, "decode.gre.truncated")                                \
	X(DEC_GTPU_TRUNC, "decode.gtp_u.truncated")                             \
	X(POLICY_EVAL, "policy.evaluations")                                    \
	X(POLICY_REEVAL, "policy.reevaluations")                                \
	X(POLICY_PENDING, "policy.pending_packets")                             \
	X(VERDICT_REJECT, "verdict.reject")                                     \
	X(DROP_POLICY, "drop.policy")                                           \
	X(DPI_STATE_POOL_EXHAUSTED, "dpi.state_pool_exhausted")                 \
	X(DPI_FACTS_POOL_EXHAUSTED, "dpi.facts_pool_exhausted")                 \
	X(DPI_STREAM_POOL_EXHAUSTED, "dpi.stream_pool_exhausted")               \
	X(DPI_STREAM_OOO_DROPPED, "dpi.stream_ooo_dropped")                     \
	X(DPI_STREAM_TRUNCATED, "dpi.stream_truncated")                         \
	X(DPI_DETECTOR_CALLS, "dpi.detector_calls")                             \
	X(DPI_FLOWS, "dpi.flows")                                               \
	X(DPI_FLOWS_FOUND, "dpi.flows_found")                                   \
	X(DPI_FLOWS_UNKNOWN, "dpi.flows_unknown")                               \
	X(DPI_BUDGET_EXHAUSTED, "dpi.budget_exhausted")                         \
	X(DPI_DNS_CACHE_INSERTS, "dpi.dns_cache_inserts")                       \
	X(DPI_DNS_CACHE_EVICTIONS, "dpi.dns_cache_evictions")                   \
	X(DPI_DNS_CACHE_NAMED, "dpi.dns_cache_named")                           \
	X(DPI_STATE_RECLAIMED, "dpi.state_reclaimed")                           \
	X(POLICY_RATE_LIMITED, "policy.rate_limited")

enum stats_ctr {
#define X(id, name) CTR_##id,
	SEGW_COUNTERS(X)
#undef X
	CTR__COUNT
};

struct stats_port {
	uint64_t packets;
	uint64_t bytes;
};

struct stats_zone_pair {
	uint64_t flows;
	uint64_t packets;
	uint64_t bytes;
	uint64_t dropped;
};

/* Per application (enum dpi_app; 0 Unknown): flows counted when their
 * classification ends (a flow that ends undecided: Unknown), packets and
 * bytes as they pass (a flow's packets before its decision count as
 * Unknown). */
#define STATS_MAX_APPS 64
struct stats_app {
	uint64_t flows;
	uint64_t packets;
	uint64_t bytes;
};

struct stats_block {
	uint64_t c[CTR__COUNT];
	struct stats_app app[STATS_MAX_APPS];
	struct stats_port port[STATS_MAX_PORTS];
	struct stats_zone_pair zp[STATS_MAX_ZONES][STATS_MAX_ZONES];
	uint64_t flows_active; /* gauge */
	uint64_t heartbeat;    /* bumped once per burst: the watchdog reads it */
};

/* Single writer: a relaxed store is enough for readers on other threads. */
#define STATS_ADD(var, n) __atomic_store_n(&(var), (var) + (uint64_t)(n), __ATOMIC_RELAXED)
#define STATS_SET(var, v) __atomic_store_n(&(var), (uint64_t)(v), __ATOMIC_RELAXED)
#define CTR_INC(blk, id) STATS_ADD((blk)->c[CTR_##id], 1)
#define CTR_ADD(blk, id, n) STATS_ADD((blk)->c[CTR_##id], (n))

/* stats_ctr_name - the stable name of counter @id, or NULL out of range. */
const char *stats_ctr_name(unsigned id);

#endif
