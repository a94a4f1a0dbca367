// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dpi engine: see dpi.h.
 *
 * Memory (per worker, sized once by dpi_engine_create):
 *   - nothing per flow slot until a flow carries payload; f->dpi_slot then
 *     names a classification record (high bit set) from a pool of
 *     flow_slots/64 records: the working facts, the candidate and excluded
 *     masks, and a DPI_SCRATCH area per detector. Pool dry: the flow is
 *     left Unknown, counted dpi.state_pool_exhausted.
 *   - once decided, the working facts are copied into a facts record (pool
 *     of flow_slots/8) when they carry anything beyond the app, and the
 *     classification record returns to its pool. Pool dry: the app is kept,
 *     the facts dropped, counted dpi.facts_pool_exhausted.
 *   - stream buffers (pool of flow_slots/512, 16 KiB each) are lent only to
 *     flows whose detector asked (dpi_stream_borrow) and returned with the
 *     classification record.
 *   - the DNS cache, flow_slots/16 entries.
 * dpi_engine_bytes() reports the total; about 180 bytes per flow slot.
 */
#include "dpi/dpi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpi/detector.h"
#include "dpi/dns_cache.h"
#include "dpi/dpi_internal.h"
#include "dpi/registry.h"
#include "dpi/stream.h"
#include "pipeline/report.h"

#define ACTIVE_BIT 0x80000000u
#define NONE UINT32_MAX

struct active {
	struct dpi_facts facts;
	uint64_t cand;      /* detectors that may be called for this flow */
	uint64_t excluded;  /* said NOT_MINE */
	uint32_t stream;    /* index into the stream pool or NONE */
	uint32_t next_free;
	uint32_t pkts;       /* packets seen (the flow's count saturates at 255) */
	uint32_t decided_at; /* packet count at the decision, 0 undecided */
	uint16_t pay_pkts;   /* packets with payload seen */
	uint8_t locked;      /* 1 + detector that said FOUND_MORE, 0 none */
	uint8_t touched;     /* a packet since the reclaim clock last passed */
	struct flow *owner;  /* the flow holding this state, NULL when free */
};

struct rich {
	struct dpi_facts facts;
	uint32_t dpi_packets;
	uint32_t next_free;
};

struct dpi_engine {
	uint32_t slots;
	unsigned n_det;
	const struct dpi_detector *det[DPI_MAX_DETECTORS];

	struct active *act;
	uint8_t *scratch; /* act_n * n_det * DPI_SCRATCH */
	uint32_t act_n, act_free, act_bump; /* bump: never used yet (pages untouched) */
	uint32_t act_hand;                  /* the reclaim clock's hand */

	struct rich *rich;
	uint32_t rich_n, rich_free, rich_bump;

	struct dpi_stream *streams;
	uint32_t *stream_next;
	uint32_t st_n, st_free;

	struct dpi_dns_cache *dns;
	size_t bytes;
	uint64_t ctr[DPI_CTR__COUNT];
};

/* context handed to detectors (ctx->engine) */
struct eng_ctx {
	struct dpi_engine *e;
	struct active *a;
	uint8_t l4proto;
};

static uint32_t clamp_pool(uint32_t n, uint32_t lo)
{
	return n < lo ? lo : n;
}

struct dpi_engine *dpi_engine_create(uint32_t flow_slots)
{
	struct dpi_engine *e;

	if (flow_slots == 0)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->slots = flow_slots;
	e->n_det = dpi_registry_count();
	for (unsigned i = 0; i < e->n_det; i++)
		e->det[i] = dpi_registry_get(i);

	e->act_n = clamp_pool(flow_slots / 64, 64);
	e->rich_n = clamp_pool(flow_slots / 8, 128);
	e->st_n = clamp_pool(flow_slots / 512, 16);
	e->act = calloc(e->act_n, sizeof(*e->act));
	e->scratch = calloc((size_t)e->act_n * (e->n_det ? e->n_det : 1), DPI_SCRATCH);
	e->rich = calloc(e->rich_n, sizeof(*e->rich));
	e->streams = calloc(e->st_n, sizeof(*e->streams));
	e->stream_next = calloc(e->st_n, sizeof(*e->stream_next));
	e->dns = dpi_dns_cache_create(clamp_pool(flow_slots / 16, 256));
	if (!e->act || !e->scratch || !e->rich || !e->streams || !e->stream_next || !e->dns) {
		dpi_engine_destroy(e);
		return NULL;
	}
	/* records are handed out from a bump index first, so pages are touched
	 * only when used; returned records go to the free lists */
	for (uint32_t i = 0; i < e->st_n; i++)
		e->stream_next[i] = i + 1 < e->st_n ? i + 1 : NONE;
	e->act_free = e->rich_free = NONE;
	e->st_free = 0;
	e->bytes = sizeof(*e) + (size_t)e->act_n * sizeof(*e->act) +
		   (size_t)e->act_n * (e->n_det ? e->n_det : 1) * DPI_SCRATCH +
		   (size_t)e->rich_n * sizeof(*e->rich) +
		   (size_t)e->st_n * (sizeof(*e->streams) + sizeof(uint32_t)) +
		   (size_t)dpi_dns_cache_size(e->dns) * 280u;
	return e;
}

void dpi_engine_destroy(struct dpi_engine *e)
{
	if (!e)
		return;
	free(e->act);
	free(e->scratch);
	free(e->rich);
	free(e->streams);
	free(e->stream_next);
	dpi_dns_cache_destroy(e->dns);
	free(e);
}

size_t dpi_engine_bytes(const struct dpi_engine *e)
{
	return e->bytes;
}

const uint64_t *dpi_engine_counters(const struct dpi_engine *e)
{
	return e->ctr;
}

static const char *const ctr_names[] = {
#define X(id, name) name,
	DPI_COUNTERS(X)
#undef X
};

const char *dpi_counter_name(unsigned i)
{
	return i < DPI_CTR__COUNT ? ctr_names[i] : NULL;
}

/* --- pools ------------------------------------------------------------------ */

static struct active *active_of(struct dpi_engine *e, const struct flow *f)
{
	if (f->dpi_slot == FLOW_NONE || !(f->dpi_slot & ACTIVE_BIT))
		return NULL;
	uint32_t i = f->dpi_slot & ~ACTIVE_BIT;
	return i < e->act_n ? &e->act[i] : NULL;
}

static struct rich *rich_of(const struct dpi_engine *e, const struct flow *f)
{
	if (f->dpi_slot == FLOW_NONE || (f->dpi_slot & ACTIVE_BIT))
		return NULL;
	return f->dpi_slot < e->rich_n ? &e->rich[f->dpi_slot] : NULL;
}

static uint8_t *scratch_of(struct dpi_engine *e, const struct active *a, unsigned det)
{
	size_t idx = (size_t)(a - e->act);
	return e->scratch + (idx * e->n_det + det) * DPI_SCRATCH;
}

static void stream_release(struct dpi_engine *e, struct active *a)
{
	if (a->stream == NONE)
		return;
	e->stream_next[a->stream] = e->st_free;
	e->st_free = a->stream;
	a->stream = NONE;
}

static void active_release(struct dpi_engine *e, struct active *a)
{
	stream_release(e, a);
	a->owner = NULL;
	a->next_free = e->act_free;
	e->act_free = (uint32_t)(a - e->act);
}

static void rich_release(struct dpi_engine *e, struct rich *r)
{
	r->next_free = e->rich_free;
	e->rich_free = (uint32_t)(r - e->rich);
}

static uint64_t candidates(const struct dpi_engine *e, uint8_t l4proto)
{
	uint8_t bit = l4proto == IPPROTO_NUM_TCP   ? DPI_L4_TCP
		      : l4proto == IPPROTO_NUM_UDP ? DPI_L4_UDP
						   : DPI_L4_OTHER;
	uint64_t m = 0;
	for (unsigned i = 0; i < e->n_det; i++)
		if (e->det[i]->l4_mask & bit)
			m |= 1ull << i;
	return m;
}

static int wants_empty(const struct dpi_engine *e, uint64_t cand)
{
	for (unsigned i = 0; i < e->n_det; i++)
		if ((cand >> i & 1) && !e->det[i]->needs_payload)
			return 1;
	return 0;
}

static void finish(struct dpi_engine *e, struct flow *f, struct active *a, int budget);

/*
 * The state pool is full: give up on the flow whose classification has
 * waited longest without a packet (a second-chance clock over the pool: a
 * packet sets `touched`, the hand clears it and takes the first state found
 * clear). That flow is decided now as what was learnt so far (usually
 * unknown), as when its budget runs out. Floods of flows that never finish
 * (one SYN, one datagram) are taken first; a flow that keeps sending keeps its
 * state. Two turns at most: bounded work, and it always frees one state.
 */
static int active_reclaim(struct dpi_engine *e)
{
	for (uint32_t n = 0; n < 2 * e->act_n; n++) {
		struct active *a = &e->act[e->act_hand];
		e->act_hand = e->act_hand + 1 < e->act_n ? e->act_hand + 1 : 0;
		if (!a->owner)
			continue;
		if (a->touched) {
			a->touched = 0;
			continue;
		}
		e->ctr[DPI_CTR_STATE_RECLAIMED]++;
		finish(e, a->owner, a, 0); /* back to the free list */
		return 0;
	}
	return -ENOSPC;
}

static struct active *active_get(struct dpi_engine *e, struct flow *f)
{
	uint32_t i;
	struct active *a;
	if (!e->act) /* an engine made without a state pool */
		return NULL;
	if (e->act_free != NONE) {
		i = e->act_free;
		a = &e->act[i];
		e->act_free = a->next_free;
	} else if (e->act_bump < e->act_n) {
		i = e->act_bump++;
		a = &e->act[i];
	} else {
		e->ctr[DPI_CTR_STATE_POOL_EXHAUSTED]++;
		if (active_reclaim(e) || e->act_free == NONE)
			return NULL;
		i = e->act_free;
		a = &e->act[i];
		e->act_free = a->next_free;
	}
	a->owner = f;
	a->touched = 1;
	memset(&a->facts, 0, sizeof(a->facts));
	a->cand = candidates(e, f->key.proto);
	a->excluded = 0;
	a->stream = NONE;
	a->pay_pkts = 0;
	a->locked = 0;
	a->decided_at = 0;
	a->pkts = f->dpi_packets;
	memset(scratch_of(e, a, 0), 0, (size_t)e->n_det * DPI_SCRATCH);
	f->dpi_slot = i | ACTIVE_BIT;
	return a;
}

/* --- helpers for detectors (dpi_internal.h, stream.h) -------------------------- */

void dpi_set_name(struct dpi_facts *f, const uint8_t *s, uint32_t n)
{
	if (n > DPI_NAME_MAX - 1)
		n = DPI_NAME_MAX - 1;
	memcpy(f->server_name, s, n);
	f->server_name[n] = 0;
	f->name_source = n ? DPI_NAME_DPI : DPI_NAME_NONE;
}

void dpi_learn_address(struct dpi_ctx *c, uint8_t ipver, const uint8_t *addr, const char *name)
{
	struct eng_ctx *x = c->engine;
	if (!x || !name[0])
		return;
	x->e->ctr[DPI_CTR_DNS_CACHE_INSERTS]++;
	if (dpi_dns_cache_put(x->e->dns, ipver, addr, name))
		x->e->ctr[DPI_CTR_DNS_CACHE_EVICTIONS]++;
}

static void count_stream(struct dpi_engine *e, int rc)
{
	if (rc == -EBUSY)
		e->ctr[DPI_CTR_STREAM_OOO_DROPPED]++;
	else if (rc < 0)
		e->ctr[DPI_CTR_STREAM_TRUNCATED]++;
}

struct dpi_stream *dpi_stream_borrow(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	struct eng_ctx *x = c->engine;
	if (c->stream)
		return c->stream;
	if (!x)
		return NULL;
	struct dpi_engine *e = x->e;
	if (e->st_free == NONE) {
		e->ctr[DPI_CTR_STREAM_POOL_EXHAUSTED]++;
		return NULL;
	}
	uint32_t i = e->st_free;
	e->st_free = e->stream_next[i];
	x->a->stream = i;
	c->stream = &e->streams[i];
	dpi_stream_reset(c->stream);
	if (x->l4proto == IPPROTO_NUM_TCP && p && p->len)
		count_stream(e, dpi_stream_tcp(c->stream, p->dir, p->tcp_seq, p->payload, p->len));
	return c->stream;
}

/* --- classification ------------------------------------------------------- */

static int facts_interesting(const struct dpi_facts *x)
{
	return x->server_name[0] || x->alpn[0] || x->ja4[0] || x->flags || x->tls_version ||
	       x->user_agent[0] || x->method[0] || x->dns_qtype || x->cert_subject[0] ||
	       x->version || x->quic_version || x->tls_cipher;
}

static void finish(struct dpi_engine *e, struct flow *f, struct active *a, int budget)
{
	struct dpi_facts *x = &a->facts;

	uint32_t pk = a->decided_at ? a->decided_at : a->pkts;

	f->app = x->app;
	f->dpi_done = 1;
	f->dpi_packets = pk > 255 ? 255 : (uint8_t)pk;
	if (!x->server_name[0] && e->dns) {
		const char *n = dpi_dns_cache_get(e->dns, f->key.ipver, flow_server_ip(f));
		if (n) {
			dpi_set_name(x, (const uint8_t *)n, (uint32_t)strlen(n));
			x->name_source = DPI_NAME_DNS_CACHE;
			e->ctr[DPI_CTR_DNS_CACHE_NAMED]++;
		}
	}
	e->ctr[DPI_CTR_FLOWS]++;
	if (x->app != DPI_APP_UNKNOWN)
		e->ctr[DPI_CTR_FLOWS_FOUND]++;
	else if (budget)
		e->ctr[DPI_CTR_BUDGET_EXHAUSTED]++;
	else
		e->ctr[DPI_CTR_FLOWS_UNKNOWN]++;
	f->dpi_slot = FLOW_NONE;
	if (facts_interesting(x)) {
		uint32_t i = e->rich_free;
		if (i != NONE)
			e->rich_free = e->rich[i].next_free;
		else if (e->rich_bump < e->rich_n)
			i = e->rich_bump++;
		if (i == NONE) {
			e->ctr[DPI_CTR_FACTS_POOL_EXHAUSTED]++;
		} else {
			struct rich *r = &e->rich[i];
			memcpy(&r->facts, x, sizeof(*x));
			r->dpi_packets = pk;
			f->dpi_slot = i;
		}
	}
	active_release(e, a);
}

/* Give up on a flow that never got a classification record. */
static void finish_bare(struct dpi_engine *e, struct flow *f, int budget)
{
	f->app = DPI_APP_UNKNOWN;
	f->dpi_done = 1;
	e->ctr[DPI_CTR_FLOWS]++;
	e->ctr[budget ? DPI_CTR_BUDGET_EXHAUSTED : DPI_CTR_FLOWS_UNKNOWN]++;
}

static enum dpi_verdict call(struct dpi_engine *e, struct active *a, unsigned i,
			     struct dpi_ctx *c, const struct dpi_pkt *dp)
{
	const struct dpi_detector *d = e->det[i];
	e->ctr[DPI_CTR_DETECTOR_CALLS]++;
	c->scratch = scratch_of(e, a, i);
	enum dpi_verdict v = d->probe(c, dp);
	if ((v == DPI_FOUND || v == DPI_FOUND_MORE) && a->facts.app == DPI_APP_UNKNOWN)
		a->facts.app = d->app;
	if ((v == DPI_FOUND || v == DPI_FOUND_MORE) && a->facts.app == DPI_APP_UNKNOWN)
		v = DPI_NOT_MINE; /* a detector that names nothing found nothing */
	return v;
}

/*
 * A bare ACK carrying one or two zero bytes and no PSH (some stacks and
 * middleboxes send it right after the handshake; the real first segment
 * then follows at the same sequence number) is not application data: it
 * would hide the ClientHello / request behind "00 00" in the reassembly.
 */
static int zero_probe(const struct pkt *p, uint32_t plen)
{
	if (plen == 0 || plen > 2 || (p->tcp_flags & 0x08))
		return 0;
	const uint8_t *d = p->data + p->payload_off;
	return d[0] == 0 && (plen == 1 || d[1] == 0);
}

void dpi_flow_packet(struct dpi_engine *e, struct flow *f, const struct pkt *p,
		     struct stats_block *st)
{
	(void)st;
	if (f->dpi_done)
		return;
	if (f->dpi_packets < 255)
		f->dpi_packets++;

	uint32_t plen = p->payload_len;
	if (p->payload_off > p->len || plen > p->len - p->payload_off)
		plen = p->payload_off <= p->len ? p->len - p->payload_off : 0;
	if (f->key.proto == IPPROTO_NUM_TCP && zero_probe(p, plen))
		plen = 0;

	struct active *a = active_of(e, f);
	if (!a) {
		if (plen == 0 && !wants_empty(e, candidates(e, f->key.proto))) {
			if (f->dpi_packets >= DPI_BUDGET_TOTAL_PKTS)
				finish_bare(e, f, 1);
			return;
		}
		a = active_get(e, f);
		if (!a) {
			finish_bare(e, f, 0);
			return;
		}
	} else {
		a->touched = 1;
		if (a->pkts < UINT32_MAX)
			a->pkts++;
	}
	if (plen && a->pay_pkts < UINT16_MAX)
		a->pay_pkts++;

	struct dpi_pkt dp = {
		.payload = plen ? p->data + p->payload_off : NULL,
		.len = plen,
		.dir = p->dir,
		.l4proto = f->key.proto,
		.client_port = flow_client_port(f),
		.server_port = flow_server_port(f),
		.index = a->pkts - 1,
		.tcp_seq = p->tcp_seq,
		.tcp_flags = p->tcp_flags,
	};
	struct eng_ctx x = { e, a, f->key.proto };
	struct dpi_ctx c = {
		.facts = &a->facts,
		.stream = a->stream != NONE ? &e->streams[a->stream] : NULL,
		.engine = &x,
		.l4proto = f->key.proto,
		.ipver = f->key.ipver,
		.client_ip = flow_client_ip(f),
		.server_ip = flow_server_ip(f),
	};
	if (c.stream && f->key.proto == IPPROTO_NUM_TCP && plen)
		count_stream(e, dpi_stream_tcp(c.stream, p->dir, p->tcp_seq, dp.payload, plen));

	if (a->locked) {
		enum dpi_verdict v = call(e, a, a->locked - 1u, &c, &dp);
		if (v == DPI_FOUND || v == DPI_NOT_MINE)
			goto done;
		goto budget;
	}

	/* two passes: detectors whose port hint matches, then the rest */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < e->n_det; i++) {
			const struct dpi_detector *d = e->det[i];
			uint64_t bit = 1ull << i;
			if (!(a->cand & bit) || (a->excluded & bit))
				continue;
			int hinted = d->hint_port &&
				     (d->hint_port == dp.server_port || d->hint_port == dp.client_port);
			if (hinted != (pass == 0))
				continue;
			if (d->needs_payload && !plen)
				continue;
			enum dpi_verdict v = call(e, a, i, &c, &dp);
			if (v == DPI_NOT_MINE) {
				a->excluded |= bit;
				continue;
			}
			if (v == DPI_FOUND || v == DPI_FOUND_MORE) {
				a->decided_at = a->pkts;
				f->app = a->facts.app;
				if (v == DPI_FOUND)
					goto done;
				a->locked = (uint8_t)(i + 1);
				goto budget;
			}
		}
	}
	if ((a->excluded & a->cand) == a->cand)
		goto done;
budget:
	if (a->stream != NONE) {
		/* reassembling: the window, not the packet count, bounds the work */
		if (a->pkts < DPI_BUDGET_STREAM_PKTS)
			return;
	} else if (a->pay_pkts < DPI_BUDGET_PAYLOAD_PKTS && a->pkts < DPI_BUDGET_TOTAL_PKTS) {
		return;
	}
	{
		finish(e, f, a, 1);
		return;
	}
	return;
done:
	finish(e, f, a, 0);
}

void dpi_flow_end(struct dpi_engine *e, struct flow *f)
{
	struct active *a = active_of(e, f);
	struct rich *r = rich_of(e, f);
	if (a)
		active_release(e, a);
	else if (r)
		rich_release(e, r);
	f->dpi_slot = FLOW_NONE;
}

const struct dpi_facts *dpi_flow_facts(const struct dpi_engine *e, const struct flow *f)
{
	const struct rich *r = rich_of(e, f);
	if (r)
		return &r->facts;
	const struct active *a = active_of((struct dpi_engine *)e, f);
	return a ? &a->facts : NULL;
}

/* --- report ------------------------------------------------------------------ */

struct jb {
	char *p;
	size_t len, used;
	int overflow;
};

static void jb_raw(struct jb *b, const char *s)
{
	size_t n = strlen(s);
	if (b->overflow || n >= b->len - b->used) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->used, s, n + 1);
	b->used += n;
}

static void jb_str(struct jb *b, const char *key, const char *val)
{
	char tmp[6 * DPI_NAME_MAX + 8];
	if (b->overflow)
		return;
	if (!report_json_string(tmp, sizeof(tmp), val)) {
		b->overflow = 1;
		return;
	}
	jb_raw(b, ",\"");
	jb_raw(b, key);
	jb_raw(b, "\":");
	jb_raw(b, tmp);
}

static void jb_uint(struct jb *b, const char *key, unsigned long long v)
{
	char num[24];
	int n = (int)sizeof(num) - 1;
	num[n] = 0;
	do { /* no printf: this runs for every flow record */
		num[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jb_raw(b, ",\"");
	jb_raw(b, key);
	jb_raw(b, "\":");
	jb_raw(b, num + n);
}

static const char *tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLSv1.1";
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	case 0xfeff: return "DTLSv1.0";
	case 0xfefd: return "DTLSv1.2";
	case 0xfefc: return "DTLSv1.3";
	default: return NULL;
	}
}

static const char *const flag_names[] = {
	"no_sni", "ech", "sni_mismatch", "old_tls", "starttls", "community", "truncated",
};

size_t dpi_flow_json(const struct dpi_engine *e, const struct flow *f, char *buf, size_t len)
{
	struct jb b = { buf, len, 0, 0 };
	const struct dpi_facts *x = dpi_flow_facts(e, f);
	const struct active *a = active_of((struct dpi_engine *)e, f);
	const struct rich *r = rich_of(e, f);
	unsigned long long pk = a ? (a->decided_at ? a->decided_at : a->pkts)
			    : r ? r->dpi_packets
				: f->dpi_packets;
	const char *name = x && x->server_name[0] ? x->server_name : NULL;
	const char *src = x && x->name_source == DPI_NAME_DNS_CACHE ? "dns" : "dpi";

	if (len == 0)
		return 0;
	buf[0] = 0;
	jb_str(&b, "app", dpi_app_name(f->app));
	if (!name) {
		name = dpi_dns_cache_get(e->dns, f->key.ipver, flow_server_ip(f));
		src = "dns";
	}
	if (name) {
		jb_str(&b, "server_name", name);
		jb_str(&b, "server_name_source", src);
	}
	if (x) {
		const char *tv = tls_version_name(x->tls_version);
		if (tv)
			jb_str(&b, "tls_version", tv);
		if (x->alpn[0])
			jb_str(&b, "alpn", x->alpn);
		if (x->ja4[0])
			jb_str(&b, "ja4", x->ja4);
		if (x->ja4s[0])
			jb_str(&b, "ja4s", x->ja4s);
		if (x->tls_cipher) {
			char h[8];
			snprintf(h, sizeof(h), "%04x", x->tls_cipher);
			jb_str(&b, "tls_cipher", h);
		}
		if (x->quic_version) {
			char h[12];
			snprintf(h, sizeof(h), "%08x", (unsigned)x->quic_version);
			jb_str(&b, "quic_version", h);
		}
		if (x->flags) {
			int first = 1;
			jb_raw(&b, ",\"flags\":[");
			for (unsigned i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
				if (!(x->flags >> i & 1))
					continue;
				jb_raw(&b, first ? "\"" : ",\"");
				jb_raw(&b, flag_names[i]);
				jb_raw(&b, "\"");
				first = 0;
			}
			jb_raw(&b, "]");
		}
		if (x->method[0])
			jb_str(&b, "http_method", x->method);
		if (x->method[0])
			jb_uint(&b, "http_path_len", x->path_len);
		if (x->user_agent[0])
			jb_str(&b, "user_agent", x->user_agent);
		if (x->dns_qtype) {
			jb_uint(&b, "dns_qtype", x->dns_qtype);
			jb_uint(&b, "dns_rcode", x->dns_rcode);
			jb_uint(&b, "dns_answers", x->dns_answers);
		}
		if (x->cert_subject[0])
			jb_str(&b, "cert_subject", x->cert_subject);
		if (x->cert_issuer[0])
			jb_str(&b, "cert_issuer", x->cert_issuer);
		if (x->cert_not_before)
			jb_uint(&b, "cert_not_before", x->cert_not_before);
		if (x->cert_not_after)
			jb_uint(&b, "cert_not_after", x->cert_not_after);
		if (x->version)
			jb_uint(&b, "version", x->version);
	}
	jb_uint(&b, "dpi_packets", pk);
	return b.overflow ? 0 : b.used;
}
