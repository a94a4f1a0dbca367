// SPDX-License-Identifier: GPL-2.0-or-later
/* Flow table: see flow.h. */
#define _GNU_SOURCE
#include "pipeline/flow.h"

#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

/* Eviction preference under pressure: least valuable first. */
static const uint8_t evict_order[FLOW_TMO__COUNT] = {
	FLOW_TMO_TCP_CLOSED, FLOW_TMO_TCP_SYN, FLOW_TMO_TCP_CLOSING, FLOW_TMO_UDP,
	FLOW_TMO_ICMP,       FLOW_TMO_OTHER,   FLOW_TMO_TCP_EST,
};

static const uint32_t default_tmo_s[FLOW_TMO__COUNT] = {
	[FLOW_TMO_TCP_SYN] = 30,     [FLOW_TMO_TCP_EST] = 3600, [FLOW_TMO_TCP_CLOSING] = 120,
	[FLOW_TMO_TCP_CLOSED] = 10,  [FLOW_TMO_UDP] = 180,      [FLOW_TMO_ICMP] = 30,
	[FLOW_TMO_OTHER] = 180,
};

struct lru {
	uint32_t head, tail;
};

struct flow_table {
	struct flow *slots;
	uint32_t *buckets;
	uint32_t nslots;
	uint32_t mask;
	uint32_t free_head; /* free list through hnext (slots that ended) */
	uint32_t hwm;       /* slots [hwm, nslots) were never used */
	uint32_t active;
	uint64_t next_id;
	uint64_t tmo_ns[FLOW_TMO__COUNT];
	struct lru lru[FLOW_TMO__COUNT];
	enum flow_full_policy full_policy;
	flow_end_fn end_cb;
	void *end_ctx;
};

uint32_t flow_default_timeout_s(enum flow_tmo c) { return default_tmo_s[c]; }

struct flow_table *flow_table_create(const struct flow_table_cfg *cfg, flow_end_fn end_cb,
				     void *end_ctx)
{
	if (!cfg || cfg->slots == 0)
		return NULL;
	struct flow_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	uint32_t nb = 1;
	while (nb < cfg->slots && nb < (1u << 31))
		nb <<= 1;
	t->nslots = cfg->slots;
	t->mask = nb - 1;
	t->slots = calloc(cfg->slots, sizeof(*t->slots));
	t->buckets = malloc((size_t)nb * sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		flow_table_destroy(t);
		return NULL;
	}
	memset(t->buckets, 0xff, (size_t)nb * sizeof(*t->buckets));
	/* Slots are handed out from a high-water mark, then recycled through
	 * the free list: the table's pages are touched as flows arrive, not
	 * all at start. */
	t->free_head = FLOW_NONE;
	t->hwm = 0;
	for (int c = 0; c < FLOW_TMO__COUNT; c++) {
		uint32_t s = cfg->timeout_s[c] ? cfg->timeout_s[c] : default_tmo_s[c];
		t->tmo_ns[c] = (uint64_t)s * 1000000000ull;
		t->lru[c].head = t->lru[c].tail = FLOW_NONE;
	}
	t->full_policy = cfg->full_policy;
	t->next_id = (uint64_t)cfg->worker_id << 56;
	t->end_cb = end_cb;
	t->end_ctx = end_ctx;
	return t;
}

void flow_table_destroy(struct flow_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->buckets);
	free(t);
}

uint32_t flow_table_active(const struct flow_table *t) { return t->active; }
uint32_t flow_table_slots(const struct flow_table *t) { return t->nslots; }

static uint32_t key_hash(const struct flow_key *k)
{
	uint64_t w[6];
	memcpy(w, k, sizeof(w));
	return hash_words(w, 6);
}
_Static_assert(sizeof(struct flow_key) == 48, "flow_key is hashed as six words");

/* Build the canonical key; returns 1 when the packet source is side a. */
static int make_key(const struct pkt *p, struct flow_key *k)
{
	size_t alen = p->ipver == 6 ? 16 : 4;
	uint16_t sp = 0, dp = 0;
	if (p->l4proto == IPPROTO_NUM_TCP || p->l4proto == IPPROTO_NUM_UDP) {
		sp = p->sport;
		dp = p->dport;
	}
	memset(k, 0, sizeof(*k));
	int c = memcmp(p->src, p->dst, alen);
	int src_is_a = c < 0 || (c == 0 && sp <= dp);
	if (src_is_a) {
		memcpy(k->a, p->src, alen);
		memcpy(k->b, p->dst, alen);
		k->pa = sp;
		k->pb = dp;
	} else {
		memcpy(k->a, p->dst, alen);
		memcpy(k->b, p->src, alen);
		k->pa = dp;
		k->pb = sp;
	}
	if (p->vlan_n == 2) {
		k->vlan = p->vlan[1];
		k->vlan_outer = p->vlan[0];
	} else {
		k->vlan = p->vlan[0];
	}
	k->proto = p->l4proto;
	k->ipver = p->ipver;
	return src_is_a;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	struct lru *l = &t->lru[f->tmo];
	uint32_t idx = (uint32_t)(f - t->slots);
	if (f->prev != FLOW_NONE)
		t->slots[f->prev].next = f->next;
	else if (l->head == idx)
		l->head = f->next;
	if (f->next != FLOW_NONE)
		t->slots[f->next].prev = f->prev;
	else if (l->tail == idx)
		l->tail = f->prev;
	f->prev = f->next = FLOW_NONE;
}

static void lru_append(struct flow_table *t, struct flow *f)
{
	struct lru *l = &t->lru[f->tmo];
	uint32_t idx = (uint32_t)(f - t->slots);
	f->next = FLOW_NONE;
	f->prev = l->tail;
	if (l->tail != FLOW_NONE)
		t->slots[l->tail].next = idx;
	else
		l->head = idx;
	l->tail = idx;
}

/* End @f: callback, unlink from hash and LRU, back to the free list. */
static void flow_end(struct flow_table *t, struct flow *f, enum flow_end_reason why,
		     struct stats_block *st)
{
	switch (why) {
	case FLOW_END_IDLE: CTR_INC(st, FLOW_END_IDLE); break;
	case FLOW_END_CLOSED: CTR_INC(st, FLOW_END_CLOSED); break;
	case FLOW_END_EVICTED: CTR_INC(st, FLOW_EVICTED); break;
	case FLOW_END_EOF: CTR_INC(st, FLOW_END_EOF); break;
	}
	if (t->end_cb)
		t->end_cb(t->end_ctx, f, why);
	uint32_t idx = (uint32_t)(f - t->slots);
	uint32_t *pp = &t->buckets[f->hash & t->mask];
	while (*pp != FLOW_NONE && *pp != idx)
		pp = &t->slots[*pp].hnext;
	if (*pp == idx)
		*pp = f->hnext;
	lru_unlink(t, f);
	f->in_use = 0;
	f->hnext = t->free_head;
	t->free_head = idx;
	t->active--;
	STATS_SET(st->flows_active, t->active);
}

static uint8_t tmo_class(const struct flow *f)
{
	switch (f->key.proto) {
	case IPPROTO_NUM_TCP:
		switch (f->tcp_state) {
		case FLOW_TCP_NONE:
		case FLOW_TCP_SYN_SENT:
		case FLOW_TCP_SYN_RECV: return FLOW_TMO_TCP_SYN;
		case FLOW_TCP_FIN_WAIT:
		case FLOW_TCP_CLOSING: return FLOW_TMO_TCP_CLOSING;
		case FLOW_TCP_CLOSED:
		case FLOW_TCP_RESET: return FLOW_TMO_TCP_CLOSED;
		default: return FLOW_TMO_TCP_EST;
		}
	case IPPROTO_NUM_UDP: return FLOW_TMO_UDP;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6: return FLOW_TMO_ICMP;
	default: return FLOW_TMO_OTHER;
	}
}

static void tcp_track(struct flow *f, const struct pkt *p)
{
	uint8_t fl = p->tcp_flags;
	int from_client = p->dir == 0;
	if (fl & TCPF_RST) {
		f->tcp_state = FLOW_TCP_RESET;
		return;
	}
	switch (f->tcp_state) {
	case FLOW_TCP_SYN_SENT:
		if (!from_client && (fl & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK))
			f->tcp_state = FLOW_TCP_SYN_RECV;
		else if (!from_client && !(fl & TCPF_SYN) && (fl & TCPF_ACK))
			f->tcp_state = FLOW_TCP_ESTABLISHED; /* lost SYN+ACK */
		break;
	case FLOW_TCP_SYN_RECV:
		if (from_client && (fl & TCPF_ACK) && !(fl & TCPF_SYN))
			f->tcp_state = FLOW_TCP_ESTABLISHED;
		break;
	default:
		break;
	}
	if (fl & TCPF_FIN) {
		f->fin |= from_client ? 1 : 2;
		if (f->tcp_state != FLOW_TCP_CLOSED)
			f->tcp_state = f->fin == 3 ? FLOW_TCP_CLOSING : FLOW_TCP_FIN_WAIT;
	} else if (f->tcp_state == FLOW_TCP_CLOSING && (fl & TCPF_ACK) && p->payload_len == 0) {
		f->tcp_state = FLOW_TCP_CLOSED; /* last ACK after both FINs */
	}
}

static struct flow *take_slot(struct flow_table *t, struct stats_block *st, enum flow_result *res)
{
	if (t->free_head == FLOW_NONE && t->hwm < t->nslots) {
		struct flow *f = &t->slots[t->hwm++];
		return f;
	}
	if (t->free_head == FLOW_NONE) {
		if (t->full_policy == FLOW_FULL_DROP) {
			CTR_INC(st, FLOW_FULL_DROP);
			*res = FLOW_FULL_DROPPED;
			return NULL;
		}
		if (t->full_policy == FLOW_FULL_PASS) {
			CTR_INC(st, FLOW_FULL_PASS);
			*res = FLOW_FULL_PASSED;
			return NULL;
		}
		for (int i = 0; i < FLOW_TMO__COUNT; i++) {
			uint32_t v = t->lru[evict_order[i]].head;
			if (v != FLOW_NONE) {
				flow_end(t, &t->slots[v], FLOW_END_EVICTED, st);
				break;
			}
		}
		if (t->free_head == FLOW_NONE) { /* cannot happen with slots > 0 */
			CTR_INC(st, FLOW_FULL_DROP);
			*res = FLOW_FULL_DROPPED;
			return NULL;
		}
	}
	uint32_t idx = t->free_head;
	struct flow *f = &t->slots[idx];
	t->free_head = f->hnext;
	return f;
}

enum flow_result flow_lookup(struct flow_table *t, struct pkt *p, struct stats_block *st)
{
	struct flow_key k;
	int src_is_a = make_key(p, &k);
	uint32_t h = key_hash(&k);
	uint32_t idx = t->buckets[h & t->mask];
	struct flow *f = NULL;
	enum flow_result res = FLOW_FOUND;

	while (idx != FLOW_NONE) {
		struct flow *c = &t->slots[idx];
		if (c->hash == h && memcmp(&c->key, &k, sizeof(k)) == 0) {
			f = c;
			break;
		}
		idx = c->hnext;
	}
	/* A new SYN on a closed or reset connection starts a new flow. */
	if (f && f->key.proto == IPPROTO_NUM_TCP &&
	    (f->tcp_state == FLOW_TCP_CLOSED || f->tcp_state == FLOW_TCP_RESET) &&
	    (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN) {
		CTR_INC(st, FLOW_TCP_REUSED);
		flow_end(t, f, FLOW_END_CLOSED, st);
		f = NULL;
	}
	if (!f) {
		f = take_slot(t, st, &res);
		if (!f) {
			p->flow = NULL;
			return res;
		}
		res = FLOW_CREATED;
		memset(f, 0, sizeof(*f));
		f->key = k;
		f->hash = h;
		f->id = ++t->next_id;
		f->first_ns = p->ts_ns;
		f->dpi_slot = FLOW_NONE;
		f->in_use = 1;
		f->client_known = 1;
		int src_is_client = 1;
		if (k.proto == IPPROTO_NUM_TCP) {
			uint8_t fl = p->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST);
			if (fl == TCPF_SYN) {
				f->tcp_state = FLOW_TCP_SYN_SENT;
			} else if (fl == (TCPF_SYN | TCPF_ACK)) {
				src_is_client = 0;
				f->tcp_state = FLOW_TCP_SYN_RECV;
			} else {
				f->client_known = 0;
				f->tcp_state = FLOW_TCP_MIDSTREAM;
				CTR_INC(st, FLOW_TCP_MIDSTREAM);
			}
		} else if ((k.proto == IPPROTO_NUM_ICMP && p->icmp_type == 0) ||
			   (k.proto == IPPROTO_NUM_ICMPV6 && p->icmp_type == 129)) {
			src_is_client = 0; /* an echo reply answers the other side */
		}
		f->client_is_b = (uint8_t)(src_is_client ? !src_is_a : src_is_a);
		f->tmo = tmo_class(f);
		uint32_t *b = &t->buckets[h & t->mask];
		f->hnext = *b;
		*b = (uint32_t)(f - t->slots);
		f->prev = f->next = FLOW_NONE;
		lru_append(t, f);
		t->active++;
		STATS_SET(st->flows_active, t->active);
		CTR_INC(st, FLOW_CREATED);
	}
	/* Direction: 0 when the packet comes from the client. */
	p->dir = (uint8_t)((src_is_a ? 0 : 1) ^ f->client_is_b);
	p->flow = f;
	f->pkts[p->dir]++;
	f->bytes[p->dir] += p->wire_len;
	if (p->ts_ns > f->last_ns)
		f->last_ns = p->ts_ns;
	if (k.proto == IPPROTO_NUM_TCP && (res != FLOW_CREATED || (p->tcp_flags & TCPF_FIN)))
		tcp_track(f, p);
	uint8_t c = tmo_class(f);
	if (c != f->tmo || t->lru[f->tmo].tail != (uint32_t)(f - t->slots)) {
		lru_unlink(t, f);
		f->tmo = c;
		lru_append(t, f);
	}
	return res;
}

void flow_expire(struct flow_table *t, uint64_t now, struct stats_block *st)
{
	for (int c = 0; c < FLOW_TMO__COUNT; c++) {
		while (t->lru[c].head != FLOW_NONE) {
			struct flow *f = &t->slots[t->lru[c].head];
			if (f->last_ns + t->tmo_ns[c] > now)
				break;
			flow_end(t, f,
				 (c == FLOW_TMO_TCP_CLOSED && f->tcp_state != FLOW_TCP_NONE)
					 ? FLOW_END_CLOSED
					 : FLOW_END_IDLE,
				 st);
		}
	}
}

static int cmp_first(const void *a, const void *b, void *arg)
{
	const struct flow *s = arg;
	const struct flow *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return x->id < y->id ? -1 : (x->id > y->id);
}

void flow_flush(struct flow_table *t, struct stats_block *st)
{
	/* End of run, off the packet path: one index array to order the report. */
	uint32_t n = 0;
	uint32_t *idx = malloc((size_t)(t->active ? t->active : 1) * sizeof(*idx));
	if (idx) {
		for (uint32_t i = 0; i < t->hwm && n < t->active; i++)
			if (t->slots[i].in_use)
				idx[n++] = i;
		qsort_r(idx, n, sizeof(*idx), cmp_first, t->slots);
		for (uint32_t i = 0; i < n; i++)
			flow_end(t, &t->slots[idx[i]], FLOW_END_EOF, st);
		free(idx);
	}
	for (uint32_t i = 0; i < t->hwm && t->active; i++)
		if (t->slots[i].in_use)
			flow_end(t, &t->slots[i], FLOW_END_EOF, st);
}

const char *flow_tcp_state_name(uint8_t s)
{
	static const char *const n[] = { "none",    "syn_sent", "syn_recv", "established",
					 "fin_wait", "closing", "closed",   "reset",
					 "midstream" };
	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "none";
}

const char *flow_end_reason_name(enum flow_end_reason r)
{
	static const char *const n[] = { "idle_timeout", "tcp_closed", "evicted",
					 "end_of_capture" };
	return (unsigned)r < 4 ? n[r] : "unknown";
}
