// SPDX-License-Identifier: GPL-2.0-or-later
/* IP reassembly: see defrag.h. */
#include "pipeline/defrag.h"

#include <stdlib.h>
#include <string.h>

#define HDR_ROOM 64u /* the rebuilt IP header goes just before the payload */

enum ctx_state { CTX_FREE = 0, CTX_COLLECTING, CTX_LENT };

struct frag_ctx {
	uint8_t state;
	uint8_t ipver;
	uint8_t proto;
	uint8_t have_first;
	uint16_t vlan;
	uint16_t nfrags;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t total;      /* payload bytes, 0 until the last fragment came */
	uint32_t hlen;
	uint32_t covered;    /* 8-byte blocks received */
	uint32_t top;        /* one past the highest block received */
	uint64_t first_ns;
	uint8_t hdr[HDR_ROOM];
	uint8_t *buf;        /* HDR_ROOM + payload */
	uint8_t *bitmap;     /* one bit per 8-byte block of payload */
};

struct defrag {
	uint32_t n;
	uint32_t max_payload;
	uint32_t in_use;
	struct frag_ctx *ctx;
	uint8_t *arena;
	uint8_t *bits;
};

struct defrag *defrag_create(uint32_t contexts, uint32_t max_bytes)
{
	if (contexts == 0 || max_bytes < 1280)
		return NULL;
	struct defrag *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->n = contexts;
	d->max_payload = max_bytes;
	uint32_t bm = (max_bytes / 8 + 8) / 8;
	d->ctx = calloc(contexts, sizeof(*d->ctx));
	d->arena = malloc((size_t)contexts * (HDR_ROOM + max_bytes));
	d->bits = calloc(contexts, bm);
	if (!d->ctx || !d->arena || !d->bits) {
		defrag_destroy(d);
		return NULL;
	}
	for (uint32_t i = 0; i < contexts; i++) {
		d->ctx[i].buf = d->arena + (size_t)i * (HDR_ROOM + max_bytes);
		d->ctx[i].bitmap = d->bits + (size_t)i * bm;
	}
	return d;
}

void defrag_destroy(struct defrag *d)
{
	if (!d)
		return;
	free(d->ctx);
	free(d->arena);
	free(d->bits);
	free(d);
}

uint32_t defrag_in_use(const struct defrag *d) { return d->in_use; }

static void ctx_free(struct defrag *d, struct frag_ctx *c)
{
	if (c->state != CTX_FREE)
		d->in_use--;
	c->state = CTX_FREE;
}

void defrag_expire(struct defrag *d, uint64_t now, struct stats_block *st)
{
	if (d->in_use == 0)
		return;
	for (uint32_t i = 0; i < d->n; i++) {
		struct frag_ctx *c = &d->ctx[i];
		if (c->state == CTX_COLLECTING && now > c->first_ns &&
		    now - c->first_ns > DEFRAG_TIMEOUT_NS) {
			CTR_INC(st, FRAG_TIMEOUT);
			ctx_free(d, c);
		}
	}
}

static struct frag_ctx *lookup(struct defrag *d, const struct pkt *p, struct stats_block *st)
{
	size_t alen = p->ipver == 4 ? 4 : 16;
	struct frag_ctx *free_c = NULL;
	for (uint32_t i = 0; i < d->n; i++) {
		struct frag_ctx *c = &d->ctx[i];
		if (c->state == CTX_FREE) {
			if (!free_c)
				free_c = c;
			continue;
		}
		if (c->state == CTX_COLLECTING && c->id == p->frag_id && c->ipver == p->ipver &&
		    c->vlan == p->vlan[0] && (p->ipver == 6 || c->proto == p->l4proto) &&
		    memcmp(c->src, p->src, alen) == 0 && memcmp(c->dst, p->dst, alen) == 0)
			return c;
	}
	if (!free_c) {
		defrag_expire(d, p->ts_ns, st);
		for (uint32_t i = 0; i < d->n && !free_c; i++)
			if (d->ctx[i].state == CTX_FREE)
				free_c = &d->ctx[i];
		if (!free_c)
			return NULL;
	}
	struct frag_ctx *c = free_c;
	c->state = CTX_COLLECTING;
	d->in_use++;
	c->ipver = p->ipver;
	c->proto = p->l4proto;
	c->vlan = p->vlan[0];
	c->id = p->frag_id;
	memcpy(c->src, p->src, 16);
	memcpy(c->dst, p->dst, 16);
	c->total = 0;
	c->nfrags = 0;
	c->have_first = 0;
	c->hlen = 0;
	c->covered = 0;
	c->top = 0;
	c->first_ns = p->ts_ns;
	memset(c->bitmap, 0, (d->max_payload / 8 + 8) / 8);
	return c;
}

/* Any of blocks [from, to) set? Whole bytes at a time. */
static int bits_any(const uint8_t *bm, uint32_t from, uint32_t to)
{
	while (from < to && (from & 7)) {
		if (bm[from >> 3] & (1u << (from & 7)))
			return 1;
		from++;
	}
	while (from + 8 <= to) {
		if (bm[from >> 3])
			return 1;
		from += 8;
	}
	for (; from < to; from++)
		if (bm[from >> 3] & (1u << (from & 7)))
			return 1;
	return 0;
}

static void bits_set(uint8_t *bm, uint32_t from, uint32_t to)
{
	while (from < to && (from & 7)) {
		bm[from >> 3] |= (uint8_t)(1u << (from & 7));
		from++;
	}
	if (to - from >= 8) {
		memset(bm + (from >> 3), 0xff, (to - from) >> 3);
		from += (to - from) & ~7u;
	}
	for (; from < to; from++)
		bm[from >> 3] |= (uint8_t)(1u << (from & 7));
}

static void save_header(struct frag_ctx *c, const struct pkt *p)
{
	const uint8_t *ip = p->data + p->l3_off;
	if (p->ipver == 4) {
		c->hlen = (uint32_t)(ip[0] & 0x0f) * 4;
		memcpy(c->hdr, ip, c->hlen);
	} else {
		c->hlen = 40;
		memcpy(c->hdr, ip, 40);
		c->hdr[6] = p->frag_nexthdr;
	}
}

static uint16_t ip_csum(const uint8_t *h, uint32_t len)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += rd16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

enum defrag_result defrag_add(struct defrag *d, struct pkt *p, struct stats_block *st)
{
	if (p->flags & PKT_F_L4_TRUNC) { /* capture cut the fragment: cannot rebuild */
		CTR_INC(st, FRAG_BAD);
		CTR_INC(st, DROP_FRAGMENT);
		return DEFRAG_DROP;
	}
	uint32_t end_l3 = p->l3_off + p->l3_len;
	if (p->frag_hdr_end > end_l3) {
		CTR_INC(st, FRAG_BAD);
		CTR_INC(st, DROP_FRAGMENT);
		return DEFRAG_DROP;
	}
	uint32_t flen = end_l3 - p->frag_hdr_end;
	uint32_t off = p->frag_off;
	struct frag_ctx *c = lookup(d, p, st);
	if (!c) {
		CTR_INC(st, FRAG_NO_CONTEXT);
		CTR_INC(st, DROP_FRAGMENT);
		return DEFRAG_DROP;
	}
	int bad = 0;
	if ((p->frag_more && (flen == 0 || (flen & 7))) || off + flen > d->max_payload) {
		if (off + flen > d->max_payload)
			CTR_INC(st, FRAG_TOO_BIG);
		else
			CTR_INC(st, FRAG_BAD);
		bad = 1;
	} else if (++c->nfrags > DEFRAG_MAX_FRAGS) {
		CTR_INC(st, FRAG_TOO_MANY);
		bad = 1;
	} else if ((!p->frag_more && ((c->total && c->total != off + flen) ||
				      c->top > (off + flen + 7) / 8)) ||
		   (c->total && off + flen > c->total)) {
		/* A second or early last fragment, or data beyond the last. */
		CTR_INC(st, FRAG_BAD);
		bad = 1;
	} else if (bits_any(c->bitmap, off / 8, (off + flen + 7) / 8)) {
		CTR_INC(st, FRAG_OVERLAP);
		bad = 1;
	}
	if (bad) {
		CTR_INC(st, DROP_FRAGMENT);
		ctx_free(d, c);
		return DEFRAG_DROP;
	}
	memcpy(c->buf + HDR_ROOM + off, p->data + p->frag_hdr_end, flen);
	bits_set(c->bitmap, off / 8, (off + flen + 7) / 8);
	c->covered += (off + flen + 7) / 8 - off / 8;
	if ((off + flen + 7) / 8 > c->top)
		c->top = (off + flen + 7) / 8;
	if (off == 0) {
		save_header(c, p);
		c->have_first = 1;
	} else if (!c->hlen) {
		save_header(c, p);
	}
	if (!p->frag_more)
		c->total = off + flen;
	/* no overlaps were let in, so the count of blocks says it is whole */
	if (!c->total || !c->have_first || c->covered != (c->total + 7) / 8)
		return DEFRAG_HELD;

	/* Complete: rebuild the header in front of the payload and decode. */
	uint8_t *h = c->buf + HDR_ROOM - c->hlen;
	memcpy(h, c->hdr, c->hlen);
	uint32_t dlen = c->hlen + c->total;
	if (c->ipver == 4) {
		if (dlen > 0xffff) {
			CTR_INC(st, FRAG_TOO_BIG);
			CTR_INC(st, DROP_FRAGMENT);
			ctx_free(d, c);
			return DEFRAG_DROP;
		}
		h[2] = (uint8_t)(dlen >> 8);
		h[3] = (uint8_t)dlen;
		h[6] = 0;
		h[7] = 0;
		h[10] = 0;
		h[11] = 0;
		uint16_t cs = ip_csum(h, c->hlen);
		h[10] = (uint8_t)(cs >> 8);
		h[11] = (uint8_t)cs;
	} else {
		if (c->total > 0xffff) {
			CTR_INC(st, FRAG_TOO_BIG);
			CTR_INC(st, DROP_FRAGMENT);
			ctx_free(d, c);
			return DEFRAG_DROP;
		}
		h[4] = (uint8_t)(c->total >> 8);
		h[5] = (uint8_t)c->total;
	}
	c->state = CTX_LENT;
	CTR_INC(st, FRAG_REASSEMBLED);
	uint16_t vlan0 = p->vlan[0], vlan1 = p->vlan[1];
	uint8_t vlan_n = p->vlan_n;
	uint64_t ts = p->ts_ns;
	uint16_t port = p->port;
	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	p->port = port;
	p->vlan[0] = vlan0;
	p->vlan[1] = vlan1;
	p->vlan_n = vlan_n;
	p->data = h;
	p->len = dlen;
	p->wire_len = dlen;
	p->flags = PKT_F_REASSEMBLED;
	enum decode_result r = decode_ip(p, 0, st, 0);
	p->flags |= PKT_F_REASSEMBLED;
	if (r == DECODE_OK)
		return DEFRAG_DONE;
	ctx_free(d, c);
	if (r == DECODE_FRAGMENT) { /* a fragment inside a fragment */
		CTR_INC(st, FRAG_BAD);
		CTR_INC(st, DROP_FRAGMENT);
		return DEFRAG_DROP;
	}
	return DEFRAG_MALFORMED;
}

void defrag_release(struct defrag *d, struct pkt *p)
{
	if (!(p->flags & PKT_F_REASSEMBLED))
		return;
	for (uint32_t i = 0; i < d->n; i++) {
		struct frag_ctx *c = &d->ctx[i];
		if (c->state == CTX_LENT && p->data >= c->buf && p->data < c->buf + HDR_ROOM) {
			ctx_free(d, c);
			return;
		}
	}
}
