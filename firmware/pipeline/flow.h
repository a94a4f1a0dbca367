/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow: the bidirectional flow table of one worker.
 *
 * Owner:      one table per worker; only that worker's thread touches it.
 * Allocation: flow_table_create() allocates every slot and bucket once
 *             (sizeof(struct flow) bytes per slot, see FLOW_BYTES_PER_SLOT);
 *             lookups, creation, expiry and eviction never allocate.
 * Key:        (addresses, ports, protocol, IP version, VLAN tags) in a
 *             canonical order, so both directions find the same flow.
 * Client:     the side that opened the flow: the SYN sender (or the SYN+ACK
 *             receiver), the first sender for UDP/other, the echo requester
 *             for ICMP. A TCP flow first seen mid-stream keeps the first
 *             sender as client with client_known = 0.
 * Timeouts:   idle timeouts per class (TCP half-open, established, closing,
 *             closed/reset, UDP, ICMP, other), each class an LRU list, so
 *             expiry and eviction are O(1) per flow.
 * Full table: the exception policy decides: evict the least valuable flow
 *             (closed, then half-open, then the oldest idle datagram flows,
 *             then established), drop the new flow's packet, or pass it
 *             untracked. Every case is counted (flow.evicted,
 *             flow.table_full.drop, flow.table_full.pass).
 * Ends:       every flow that ends (idle, closed, evicted, end of capture)
 *             is handed once to the end callback before its slot is reused.
 */
#ifndef SEGW_PIPELINE_FLOW_H
#define SEGW_PIPELINE_FLOW_H

#include <stdint.h>

#include "pipeline/pkt.h"
#include "stats/counters.h"

enum flow_tcp_state {
	FLOW_TCP_NONE = 0,
	FLOW_TCP_SYN_SENT,
	FLOW_TCP_SYN_RECV,
	FLOW_TCP_ESTABLISHED,
	FLOW_TCP_FIN_WAIT,
	FLOW_TCP_CLOSING,
	FLOW_TCP_CLOSED,
	FLOW_TCP_RESET,
	FLOW_TCP_MIDSTREAM,
};

enum flow_tmo {
	FLOW_TMO_TCP_SYN = 0,
	FLOW_TMO_TCP_EST,
	FLOW_TMO_TCP_CLOSING,
	FLOW_TMO_TCP_CLOSED,
	FLOW_TMO_UDP,
	FLOW_TMO_ICMP,
	FLOW_TMO_OTHER,
	FLOW_TMO__COUNT
};

enum flow_end_reason { FLOW_END_IDLE = 0, FLOW_END_CLOSED, FLOW_END_EVICTED, FLOW_END_EOF };

enum flow_full_policy { FLOW_FULL_EVICT = 0, FLOW_FULL_DROP, FLOW_FULL_PASS };

struct flow_key {
	uint8_t a[16], b[16]; /* canonical: (a, pa) <= (b, pb) */
	uint16_t pa, pb;
	uint16_t vlan;       /* innermost 802.1Q tag, 0 when untagged */
	uint8_t proto;
	uint8_t ipver;
	uint16_t vlan_outer; /* QinQ: the outer (service) tag, else 0 */
	uint8_t reserved[6];
};

#define FLOW_NONE UINT32_MAX

struct flow {
	struct flow_key key;
	uint32_t hnext;        /* hash chain */
	uint32_t prev, next;   /* LRU list of its timeout class */
	uint32_t hash;
	uint64_t id;
	uint64_t first_ns, last_ns;
	uint64_t pkts[2], bytes[2]; /* [0] client to server, [1] server to client */
	uint8_t in_use;
	uint8_t client_is_b;   /* 0: key side a is the client */
	uint8_t client_known;
	uint8_t tcp_state;     /* enum flow_tcp_state */
	uint8_t tmo;           /* enum flow_tmo */
	uint8_t fin;           /* bit 0 client FIN, bit 1 server FIN */
	uint8_t czone, szone;  /* zone indexes */
	/* classification seam (firmware/dpi) */
	uint16_t app;
	uint8_t dpi_done;
	uint8_t dpi_packets;
	uint32_t dpi_slot;
	/* policy: decided under generation policy_gen (0: not evaluated) */
	uint32_t policy_gen;
	uint32_t rule_id;    /* 0: the default action decided */
	uint32_t rule_index; /* into the generation's counters */
	uint8_t verdict;     /* enum policy_action once decided */
	uint8_t decided;     /* 0: pending classification */
	uint8_t blocked;     /* tap mode: written into the kernel's deny sets */
	uint8_t log;         /* the deciding rule says log */
};

#define FLOW_BYTES_PER_SLOT (sizeof(struct flow) + 4u * 2u) /* slot + bucket share */
_Static_assert(sizeof(struct flow) <= 256, "a flow slot must stay within 256 bytes");

struct flow_table_cfg {
	uint32_t slots;
	enum flow_full_policy full_policy;
	uint32_t timeout_s[FLOW_TMO__COUNT]; /* 0: the default */
	uint8_t worker_id;
};

typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum flow_end_reason why);

struct flow_table;

/* flow_table_create - NULL on out of memory or slots == 0. */
struct flow_table *flow_table_create(const struct flow_table_cfg *cfg, flow_end_fn end_cb,
				     void *end_ctx);
void flow_table_destroy(struct flow_table *t);

enum flow_result {
	FLOW_FOUND = 0,
	FLOW_CREATED,
	FLOW_FULL_DROPPED, /* no flow: the packet is dropped (policy) */
	FLOW_FULL_PASSED,  /* no flow: the packet passes untracked (policy) */
};

/*
 * flow_lookup - find or create the flow of the decoded packet @p and account
 * the packet to it (counters, TCP state, timeout class). Sets p->flow and
 * p->dir. @p must be DECODE_OK.
 */
enum flow_result flow_lookup(struct flow_table *t, struct pkt *p, struct stats_block *st);

/* flow_expire - end every flow idle past its timeout at time @now_ns. */
void flow_expire(struct flow_table *t, uint64_t now_ns, struct stats_block *st);

/* flow_flush - end every remaining flow, oldest first (end of capture). */
void flow_flush(struct flow_table *t, struct stats_block *st);

uint32_t flow_table_active(const struct flow_table *t);
uint32_t flow_table_slots(const struct flow_table *t);

const char *flow_tcp_state_name(uint8_t s);
const char *flow_end_reason_name(enum flow_end_reason r);
/* flow_default_timeout_s - the default idle timeout of class @c. */
uint32_t flow_default_timeout_s(enum flow_tmo c);

/* Addresses and ports of the client and the server side of @f. */
static inline const uint8_t *flow_client_ip(const struct flow *f)
{
	return f->client_is_b ? f->key.b : f->key.a;
}
static inline const uint8_t *flow_server_ip(const struct flow *f)
{
	return f->client_is_b ? f->key.a : f->key.b;
}
static inline uint16_t flow_client_port(const struct flow *f)
{
	return f->client_is_b ? f->key.pb : f->key.pa;
}
static inline uint16_t flow_server_port(const struct flow *f)
{
	return f->client_is_b ? f->key.pa : f->key.pb;
}

#endif
