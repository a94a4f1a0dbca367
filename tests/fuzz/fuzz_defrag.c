// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_defrag: sequences of IPv4/IPv6 fragments into one reassembly pool.
 *
 * The input describes fragments; the harness builds each as a real packet,
 * decodes it (decode_frame() must say DECODE_FRAGMENT) and hands it to
 * defrag_add(), as the worker does. Payload bytes are not taken from the
 * input: the byte at datagram offset k is a known function of the
 * datagram's identity and k (the first 20 bytes are a header valid as TCP,
 * UDP, ICMP and inner IPv4 at once, so reassembled datagrams also decode),
 * so every reassembled datagram can be checked byte for byte.
 *
 * Input:  byte 0  pool: bits 0-2 contexts - 1 (1..8); bits 3-4 bytes per
 *                 context: 1280, 1500, 8192, 65535
 *         then 7-byte fragment records:
 *           byte 0  bit 0 IPv6; bit 1 more fragments; bits 2-3 source,
 *                   bits 4-5 destination (one of four addresses); bit 6 in
 *                   an 802.1Q-tagged Ethernet frame (else raw IP); bit 7
 *                   IPv4 options / an IPv6 destination-options header
 *                   before the fragment header
 *           byte 1  bits 0-3 identification; bits 4-5 protocol: TCP, UDP,
 *                   ICMP(v6), IP-in-IP; bit 6 capture cut short (snap
 *                   length); bit 7 run defrag_expire() at this time first
 *           2 bytes fragment offset in 8-byte units (13 bits), big endian
 *           2 bytes fragment payload length (12 bits), big endian
 *           1 byte  clock step (fuzz_ts_step())
 *
 * Checks: decode classifies each fragment; defrag_in_use() never above the
 * pool size; each outcome counts what defrag.h says; where the outcome is
 * certain (one datagram at a time from an empty pool, see struct model) it
 * is the one defrag.h's policy gives; a DONE datagram has a
 * consistent rebuilt header (lengths, cleared fragment fields, checksum,
 * addresses) and exactly the payload that was sent; release gives the
 * context back; at the end, expiry far in the future frees every context
 * and counts each as a timeout (no leaked context).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pipeline/defrag.h"
#include "segw/hal/pktbuf.h"

#define REC_LEN 7

static const uint8_t v4_addr[4][4] = {
	{ 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 192, 0, 2, 7 }, { 198, 51, 100, 9 }
};
static const uint8_t v6_addr[4][16] = {
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 },
	{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 },
};

/* The first 20 bytes of every datagram: TCP (20-byte header, PSH|ACK), UDP
 * (length 8), ICMP, and an inner IPv4 header (20 bytes, protocol 253). */
static const uint8_t l4_template[20] = {
	0x45, 0x00, 0x00, 0x14, 0x00, 0x08, 0x00, 0x00, 0x40, 0xfd,
	0x00, 0x00, 0x50, 0x18, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
};

struct frag_desc {
	uint8_t v6, mf, src, dst, vlan, ext, id, proto, cut, expire;
	uint32_t off, flen;
};

static uint32_t datagram_key(const struct frag_desc *d)
{
	return d->v6 | d->src << 1 | d->dst << 3 | d->vlan << 5 | (uint32_t)d->id << 6;
}

static uint8_t payload_byte(uint32_t key, uint32_t k)
{
	if (k < sizeof(l4_template))
		return l4_template[k];
	return (uint8_t)((k * 131u) ^ (k >> 7) ^ (key * 29u + 7u));
}

static void put16(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *b, uint32_t len)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += rd16(b + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Build the frame of @d into a new exact-size buffer; returns its length. */
static uint8_t *build(const struct frag_desc *d, uint32_t *len, uint8_t *link)
{
	uint32_t l2 = d->vlan ? 18 : 0;
	uint32_t l3 = d->v6 ? 40 + (d->ext ? 8 : 0) + 8 : 20 + (d->ext ? 8 : 0);
	uint32_t n = l2 + l3 + d->flen;
	uint8_t *b = calloc(1, n);
	FUZZ_CHECK(b != NULL);
	uint8_t *ip = b + l2;

	if (d->vlan) {
		memset(b, 0x02, 12);
		put16(b + 12, 0x8100);
		put16(b + 14, 1);
		put16(b + 16, d->v6 ? 0x86dd : 0x0800);
	}
	if (!d->v6) {
		ip[0] = (uint8_t)(0x40 | l3 / 4);
		put16(ip + 2, l3 + d->flen);
		put16(ip + 4, 0x4a00u | d->id);
		put16(ip + 6, (d->mf ? 0x2000u : 0) | d->off / 8);
		ip[8] = 64;
		ip[9] = d->proto;
		memcpy(ip + 12, v4_addr[d->src], 4);
		memcpy(ip + 16, v4_addr[d->dst], 4);
		if (d->ext) /* router alert, then four no-ops */
			memcpy(ip + 20, "\x94\x04\x00\x00\x01\x01\x01\x01", 8);
		put16(ip + 10, csum(ip, l3));
	} else {
		uint8_t *fh = ip + 40 + (d->ext ? 8 : 0);
		ip[0] = 0x60;
		put16(ip + 4, l3 - 40 + d->flen);
		ip[6] = d->ext ? 60 : 44;
		ip[7] = 64;
		memcpy(ip + 8, v6_addr[d->src], 16);
		memcpy(ip + 24, v6_addr[d->dst], 16);
		if (d->ext) /* destination options: one PadN */
			memcpy(ip + 40, "\x2c\x00\x01\x04\x00\x00\x00\x00", 8);
		fh[0] = d->proto == IPPROTO_NUM_ICMP ? IPPROTO_NUM_ICMPV6 : d->proto;
		put16(fh + 2, d->off | (d->mf ? 1u : 0));
		fh[4] = 0x5a;
		fh[7] = d->id;
	}
	uint32_t key = datagram_key(d);
	for (uint32_t j = 0; j < d->flen; j++)
		ip[l3 + j] = payload_byte(key, d->off + j);
	*len = n;
	*link = d->vlan ? HAL_LINK_ETHERNET : HAL_LINK_RAW;
	return b;
}

/* A reassembled datagram: rebuilt header and every payload byte. */
static void check_datagram(const struct pkt *p, const struct frag_desc *d, uint32_t max_bytes)
{
	const uint8_t *h = p->data;
	uint32_t hlen;

	FUZZ_CHECK(p->flags & PKT_F_REASSEMBLED);
	FUZZ_CHECK((h[0] >> 4) == (d->v6 ? 6 : 4));
	if (!d->v6) {
		hlen = (uint32_t)(h[0] & 15) * 4;
		FUZZ_CHECK(hlen >= 20 && hlen <= p->len);
		FUZZ_CHECK(rd16(h + 2) == p->len);
		FUZZ_CHECK(rd16(h + 6) == 0); /* no MF, no offset */
		FUZZ_CHECK(csum(h, hlen) == 0);
		FUZZ_CHECK(memcmp(h + 12, v4_addr[d->src], 4) == 0);
		FUZZ_CHECK(memcmp(h + 16, v4_addr[d->dst], 4) == 0);
	} else {
		hlen = 40;
		FUZZ_CHECK(p->len >= 40 && rd16(h + 4) + 40u == p->len);
		FUZZ_CHECK(memcmp(h + 8, v6_addr[d->src], 16) == 0);
		FUZZ_CHECK(memcmp(h + 24, v6_addr[d->dst], 16) == 0);
	}
	FUZZ_CHECK(p->len - hlen <= max_bytes);
	uint32_t key = datagram_key(d);
	for (uint32_t k = 0; k < p->len - hlen; k++)
		FUZZ_CHECK(h[hlen + k] == payload_byte(key, k));
	/* and it was decoded in place */
	FUZZ_CHECK((uint64_t)p->l3_off + p->l3_len <= p->len);
	FUZZ_CHECK((uint64_t)p->l4_off + p->l4_len <= p->len);
	FUZZ_CHECK((uint64_t)p->payload_off + p->payload_len <= p->len);
}

/*
 * An oracle for the simple case: a run of consecutive fragments of one
 * datagram identity that started on an empty pool, with no expiry during
 * the run. There is then no pool pressure and nothing can time out, so
 * defrag.h's policy alone says what each fragment must give; the model
 * below applies it, written from the header's words, not from defrag.c.
 * Anything else (several datagrams interleaved, a full pool, expiry) is
 * only held to the general checks.
 */
#define BLOCKS (65536 / 8 + 1)

struct model {
	uint8_t active, certain, have_first;
	uint32_t run_key;
	uint32_t nfrags, total, hlen_first;
	uint8_t covered[(BLOCKS + 7) / 8]; /* 8-byte blocks of payload received */
};

static int covered_any(const struct model *m, uint32_t from, uint32_t to)
{
	for (uint32_t b = from; b < to && b < BLOCKS; b++)
		if (m->covered[b / 8] & (1u << (b % 8)))
			return 1;
	return 0;
}

static void model_new_datagram(struct model *m)
{
	m->nfrags = m->total = m->hlen_first = 0;
	m->have_first = 0;
	memset(m->covered, 0, sizeof(m->covered));
}

enum expect { EXPECT_HELD, EXPECT_DROP, EXPECT_REASSEMBLED, EXPECT_DROP_WHOLE };

/* What defrag.h says fragment @d must give, and the model's next state. */
static enum expect model_add(struct model *m, const struct frag_desc *d, uint32_t max_bytes)
{
	uint32_t end = d->off + d->flen, end_block = (end + 7) / 8;

	if (d->cut) /* cannot be rebuilt: this fragment only is dropped */
		return EXPECT_DROP;
	if ((d->mf && (d->flen == 0 || d->flen % 8)) || end > max_bytes ||
	    ++m->nfrags > DEFRAG_MAX_FRAGS || (!d->mf && m->total && m->total != end) ||
	    (!d->mf && covered_any(m, end_block, BLOCKS)) || (m->total && end > m->total) ||
	    covered_any(m, d->off / 8, end_block)) {
		model_new_datagram(m); /* overlapping or inconsistent: all of it goes */
		return EXPECT_DROP_WHOLE;
	}
	for (uint32_t b = d->off / 8; b < end_block; b++)
		m->covered[b / 8] |= (uint8_t)(1u << (b % 8));
	if (d->off == 0) {
		m->have_first = 1;
		m->hlen_first = d->v6 ? 40 : (d->ext ? 28 : 20);
	}
	if (!d->mf)
		m->total = end;
	if (!m->total || !m->have_first)
		return EXPECT_HELD;
	for (uint32_t b = 0; b < (m->total + 7) / 8; b++)
		if (!(m->covered[b / 8] & (1u << (b % 8))))
			return EXPECT_HELD;
	int too_big = m->hlen_first + m->total > 65535 + (d->v6 ? 40u : 0u);
	model_new_datagram(m);
	return too_big ? EXPECT_DROP_WHOLE : EXPECT_REASSEMBLED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static const uint32_t bytes_of[4] = { 1280, 1500, 8192, 65535 };
	static const uint8_t proto_of[4] = { IPPROTO_NUM_TCP, IPPROTO_NUM_UDP, IPPROTO_NUM_ICMP,
					     4 };
	static struct stats_block st;

	/* One pool per configuration, kept: creating one maps and unmaps up to
	 * half a megabyte, which would cost more than the run. A pool with no
	 * context in use (checked at the end of every input) is as new. */
	static struct defrag *pools[32];

	if (size < 1)
		return 0;
	uint32_t contexts = 1u + (data[0] & 7);
	uint32_t max_bytes = bytes_of[(data[0] >> 3) & 3];
	struct defrag **slot = &pools[data[0] & 31];
	if (!*slot)
		*slot = defrag_create(contexts, max_bytes);
	struct defrag *df = *slot;
	FUZZ_CHECK(df != NULL);
	FUZZ_CHECK(defrag_in_use(df) == 0);
	memset(&st, 0, sizeof(st));
	m.active = 0;

	uint64_t ts = FUZZ_TS_BASE, max_ts = ts;
	for (size_t i = 1; i + REC_LEN <= size; i += REC_LEN) {
		const uint8_t *r = data + i;
		struct frag_desc d = {
			.v6 = r[0] & 1,
			.mf = (r[0] >> 1) & 1,
			.src = (r[0] >> 2) & 3,
			.dst = (r[0] >> 4) & 3,
			.vlan = (r[0] >> 6) & 1,
			.ext = r[0] >> 7,
			.id = r[1] & 15,
			.proto = proto_of[(r[1] >> 4) & 3],
			.cut = (r[1] >> 6) & 1,
			.expire = r[1] >> 7,
			.off = (uint32_t)(rd16(r + 2) & 0x1fff) * 8,
			.flen = rd16(r + 4) & 0x0fff,
		};
		ts = fuzz_ts_step(ts, r[6]);
		if (ts > max_ts)
			max_ts = ts;
		if (d.expire) {
			defrag_expire(df, ts, &st);
			FUZZ_CHECK(defrag_in_use(df) <= contexts);
			m.active = 0; /* a run never spans an expiry */
		}

		uint32_t len;
		uint8_t link;
		uint8_t *frame = build(&d, &len, &link);
		uint32_t caplen = len;
		d.cut = d.cut && d.flen; /* nothing to cut from an empty fragment */
		if (d.cut)
			caplen = len - 1 - d.flen / 2;
		struct pkt p;
		memset(&p, 0, sizeof(p));
		p.ts_ns = ts;
		enum decode_result dr = decode_frame(&p, frame, caplen, len, link, &st);
		if (!d.off && !d.mf) { /* not a fragment at all */
			FUZZ_CHECK(dr != DECODE_FRAGMENT);
			free(frame);
			continue;
		}
		FUZZ_CHECK(dr == DECODE_FRAGMENT);
		fuzz_check_decoded(&p, dr, frame, caplen, len);
		FUZZ_CHECK(p.frag_off == d.off && p.frag_more == d.mf);
		FUZZ_CHECK(p.frag_hdr_end + d.flen == (uint64_t)p.l3_off + p.l3_len || d.cut);

		uint32_t run_key = datagram_key(&d) | (d.v6 ? 0 : (uint32_t)d.proto << 16);
		if (!m.active || m.run_key != run_key) {
			m.active = 1;
			m.run_key = run_key;
			m.certain = defrag_in_use(df) == 0;
			model_new_datagram(&m);
		}
		enum expect want = model_add(&m, &d, max_bytes);

		uint64_t drops = st.c[CTR_DROP_FRAGMENT], done = st.c[CTR_FRAG_REASSEMBLED];
		uint32_t in_use_before = defrag_in_use(df);
		enum defrag_result res = defrag_add(df, &p, &st);
		uint32_t in_use = defrag_in_use(df);
		FUZZ_CHECK(in_use <= contexts);
		switch (res) {
		case DEFRAG_HELD:
			FUZZ_CHECK(!d.cut);
			FUZZ_CHECK(st.c[CTR_DROP_FRAGMENT] == drops &&
				   st.c[CTR_FRAG_REASSEMBLED] == done);
			FUZZ_CHECK(in_use >= 1);
			defrag_release(df, &p); /* not reassembled: nothing to give back */
			FUZZ_CHECK(defrag_in_use(df) == in_use);
			break;
		case DEFRAG_DONE:
			FUZZ_CHECK(!d.cut);
			FUZZ_CHECK(st.c[CTR_DROP_FRAGMENT] == drops &&
				   st.c[CTR_FRAG_REASSEMBLED] == done + 1);
			check_datagram(&p, &d, max_bytes);
			defrag_release(df, &p);
			FUZZ_CHECK(defrag_in_use(df) + 1 == in_use);
			break;
		case DEFRAG_MALFORMED:
			FUZZ_CHECK(!d.cut);
			FUZZ_CHECK(st.c[CTR_DROP_FRAGMENT] == drops &&
				   st.c[CTR_FRAG_REASSEMBLED] == done + 1);
			FUZZ_CHECK(p.flags & PKT_F_REASSEMBLED);
			defrag_release(df, &p); /* already given back: must be a no-op */
			FUZZ_CHECK(defrag_in_use(df) == in_use);
			break;
		case DEFRAG_DROP:
			FUZZ_CHECK(st.c[CTR_DROP_FRAGMENT] == drops + 1);
			break;
		default:
			fuzz_fail("unknown defrag result", __FILE__, __LINE__);
		}
		if (m.certain) {
			switch (want) {
			case EXPECT_HELD:
				FUZZ_CHECK(res == DEFRAG_HELD && defrag_in_use(df) == 1);
				break;
			case EXPECT_DROP: /* the datagram itself lives on */
				FUZZ_CHECK(res == DEFRAG_DROP && defrag_in_use(df) == in_use_before);
				break;
			case EXPECT_DROP_WHOLE:
				FUZZ_CHECK(res == DEFRAG_DROP && defrag_in_use(df) == 0);
				break;
			case EXPECT_REASSEMBLED:
				FUZZ_CHECK((res == DEFRAG_DONE || res == DEFRAG_MALFORMED) &&
					   defrag_in_use(df) == 0);
				break;
			}
		}
		free(frame);
	}

	/* Far in the future every unfinished datagram has timed out. */
	uint32_t left = defrag_in_use(df);
	uint64_t timeouts = st.c[CTR_FRAG_TIMEOUT];
	defrag_expire(df, max_ts + DEFRAG_TIMEOUT_NS + 1, &st);
	FUZZ_CHECK(defrag_in_use(df) == 0);
	FUZZ_CHECK(st.c[CTR_FRAG_TIMEOUT] == timeouts + left);
	return 0;
}
