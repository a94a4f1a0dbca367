// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/defrag: IPv4 and IPv6 reassembly, its drop policy
 * (overlap, too big, too many pieces, no context, timeout) and that the
 * rebuilt datagram decodes to the right transport header and payload.
 */
#include <stdlib.h>

#include "test_util.h"

#include "pipeline/decode.h"
#include "pipeline/defrag.h"
#include "segw/hal/pktbuf.h"
#include "stats/counters.h"

#define SEC 1000000000ull
#define T0 (1700000000ull * SEC)

static struct stats_block st;

/* A transport segment (UDP unless @tcp) of @plen payload bytes whose byte i
 * is (i * 7 + seed); written to @seg, length returned. The checksum uses
 * @v6's pseudo-header. */
static size_t make_segment(uint8_t *seg, size_t cap, int v6, int tcp, size_t plen, uint8_t seed)
{
	uint8_t tmp[40] = { 0 };
	uint8_t *data = malloc(plen ? plen : 1);
	assert_non_null(data);
	for (size_t i = 0; i < plen; i++)
		data[i] = (uint8_t)(i * 7 + seed);
	/* a scratch IP header only for the pseudo-header */
	struct tu_buf h = tu_buf_init(tmp, sizeof(tmp));
	if (v6)
		tu_ipv6_begin(&h, tcp ? 6 : 17, "fd00::2", "fd00::99");
	else
		tu_ipv4_begin(&h, tcp ? 6 : 17, "10.1.0.2", "198.51.100.10");
	uint8_t *all = malloc(cap + sizeof(tmp));
	assert_non_null(all);
	struct tu_buf b = tu_buf_init(all, cap + sizeof(tmp));
	tu_put(&b, tmp, h.len);
	if (tcp)
		tu_tcp(&b, 0, 40000, 80, 1000, 2000, TU_ACK | TU_PSH, data, plen);
	else
		tu_udp(&b, 0, 40000, 53, data, plen);
	size_t n = b.len - h.len;
	assert_true(n <= cap);
	memcpy(seg, all + h.len, n);
	free(all);
	free(data);
	return n;
}

/* One IPv4 fragment frame carrying seg[off, off+len). */
static size_t frag4(uint8_t *f, size_t cap, const uint8_t *seg, uint32_t off, uint32_t len,
		    int more, uint16_t id, uint8_t proto)
{
	struct tu_buf b = tu_buf_init(f, cap);
	tu_eth(&b, 0x0800);
	uint16_t word = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
	size_t ip = tu_ipv4_begin_ex(&b, proto, "10.1.0.2", "198.51.100.10", id, word, NULL, 0);
	tu_put(&b, seg + off, len);
	tu_ipv4_end(&b, ip);
	return b.len;
}

/* One IPv6 fragment frame; @dest_opts puts a destination-options header
 * in the unfragmentable part before the fragment header. */
static size_t frag6(uint8_t *f, size_t cap, const uint8_t *seg, uint32_t off, uint32_t len,
		    int more, uint32_t id, uint8_t next, int dest_opts)
{
	struct tu_buf b = tu_buf_init(f, cap);
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, dest_opts ? 60 : 44, "fd00::2", "fd00::99");
	if (dest_opts)
		tu_ipv6_ext(&b, 44, 0);
	tu_ipv6_frag(&b, next, off, more, id);
	tu_put(&b, seg + off, len);
	tu_ipv6_end(&b, ip);
	return b.len;
}

/* Decode @f (must be a fragment) into @p at time @ts and hand it to defrag. */
static enum defrag_result add(struct defrag *d, struct pkt *p, const uint8_t *f, size_t n,
			      uint64_t ts)
{
	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	enum decode_result r = decode_frame(p, f, (uint32_t)n, (uint32_t)n, HAL_LINK_ETHERNET, &st);
	assert_int_equal(r, DECODE_FRAGMENT);
	return defrag_add(d, p, &st);
}

static void check_udp_payload(const struct pkt *p, const uint8_t *seg, size_t seglen)
{
	assert_int_equal(p->l4proto, 17);
	assert_int_equal(p->sport, 40000);
	assert_int_equal(p->dport, 53);
	assert_int_equal(p->payload_len, seglen - 8);
	assert_memory_equal(p->data + p->payload_off, seg + 8, seglen - 8);
	assert_true(p->flags & PKT_F_REASSEMBLED);
	assert_false(p->flags & PKT_F_FRAGMENT);
}

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	return 0;
}

/* In order: HELD, HELD, DONE; the rebuilt header is a valid unfragmented one. */
static void test_v4_in_order(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 0, 0, 3000, 1); /* 3008 bytes */
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, 0x4242, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	assert_int_equal(defrag_in_use(d), 1);
	n = frag4(f, sizeof(f), seg, 1480, 1480, 1, 0x4242, 17);
	assert_int_equal(add(d, &p, f, n, T0 + 1), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 2960, (uint32_t)(sl - 2960), 0, 0x4242, 17);
	assert_int_equal(add(d, &p, f, n, T0 + 2), DEFRAG_DONE);

	check_udp_payload(&p, seg, sl);
	assert_int_equal(p.ipver, 4);
	assert_int_equal(p.l3_off, 0);
	assert_int_equal(p.len, 20 + sl);
	assert_int_equal(p.wire_len, 20 + sl);
	assert_int_equal(tu_get16(p.data + 2), 20 + sl); /* total length */
	assert_int_equal(tu_get16(p.data + 6), 0);       /* no fragment fields */
	assert_int_equal(tu_csum(p.data, 20), 0);         /* header checksum valid */
	assert_int_equal(p.ts_ns, T0 + 2);
	assert_ctr(&st, FRAG_V4, 3);
	assert_ctr(&st, FRAG_REASSEMBLED, 1);
	assert_ctr(&st, L4_UDP, 1);
	assert_ctr(&st, DROP_FRAGMENT, 0);

	/* The context stays lent until released. */
	assert_int_equal(defrag_in_use(d), 1);
	defrag_release(d, &p);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);
}

static void test_v4_out_of_order_tcp(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 0, 1, 2500, 9); /* TCP, 2520 bytes */
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), seg, 2000, (uint32_t)(sl - 2000), 0, 7, 6);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1000, 1000, 1, 7, 6);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 0, 1000, 1, 7, 6);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DONE);

	assert_int_equal(p.l4proto, 6);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.tcp_seq, 1000);
	assert_int_equal(p.tcp_flags, TCPF_ACK | TCPF_PSH);
	assert_int_equal(p.payload_len, 2500);
	assert_memory_equal(p.data + p.payload_off, seg + 20, 2500);
	defrag_release(d, &p);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);
}

/* Datagrams are told apart by id, addresses, protocol and VLAN. */
static void test_v4_interleaved(void **state)
{
	(void)state;
	static uint8_t a[2000], b[2000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t la = make_segment(a, sizeof(a), 0, 0, 1500, 3);
	size_t lb = make_segment(b, sizeof(b), 0, 0, 1600, 4);
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), a, 0, 1000, 1, 1, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), b, 0, 1000, 1, 2, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	/* same id as a, but on VLAN 5: a third datagram */
	struct tu_buf tb = tu_buf_init(f, sizeof(f));
	tu_eth(&tb, 0x8100);
	tu_vlan(&tb, 5, 0x0800);
	size_t ip = tu_ipv4_begin_ex(&tb, 17, "10.1.0.2", "198.51.100.10", 1, 125, NULL, 0);
	tu_put(&tb, a + 1000, (uint32_t)(la - 1000));
	tu_ipv4_end(&tb, ip);
	assert_int_equal(add(d, &p, f, tb.len, T0), DEFRAG_HELD);
	assert_int_equal(defrag_in_use(d), 3);

	n = frag4(f, sizeof(f), b, 1000, (uint32_t)(lb - 1000), 0, 2, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DONE);
	check_udp_payload(&p, b, lb);
	defrag_release(d, &p);
	n = frag4(f, sizeof(f), a, 1000, (uint32_t)(la - 1000), 0, 1, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DONE);
	check_udp_payload(&p, a, la);
	assert_int_equal(p.vlan_n, 0);
	defrag_release(d, &p);
	assert_int_equal(defrag_in_use(d), 1); /* the VLAN 5 one waits */
	defrag_destroy(d);
}

/* A duplicate or an overlap drops the whole datagram (the evasion case). */
static void test_v4_overlap(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 0, 0, 3000, 5);
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, 9, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP); /* exact duplicate */
	assert_ctr(&st, FRAG_OVERLAP, 1);
	assert_ctr(&st, DROP_FRAGMENT, 1);
	assert_int_equal(defrag_in_use(d), 0);

	/* The rest of that datagram can no longer complete it. */
	n = frag4(f, sizeof(f), seg, 1480, 1480, 1, 9, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 2960, (uint32_t)(sl - 2960), 0, 9, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	assert_ctr(&st, FRAG_REASSEMBLED, 0);

	/* Partial overlap: 8 bytes of the second piece rewrite the first. */
	n = frag4(f, sizeof(f), seg, 0, 1480, 1, 10, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1472, 1480, 1, 10, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_OVERLAP, 2);
	assert_ctr(&st, DROP_FRAGMENT, 2);
	defrag_destroy(d);
}

/* Inconsistent pieces: not a multiple of 8 before the end, two different
 * ends, data past the end, a capture that cut the fragment. */
static void test_v4_bad_fragments(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 0, 0, 3000, 6);
	(void)sl;
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), seg, 0, 1001, 1, 20, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 1);

	n = frag4(f, sizeof(f), seg, 1000, 500, 0, 21, 17); /* ends at 1500 */
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1000, 600, 0, 21, 17); /* ends at 1600 */
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 2);

	n = frag4(f, sizeof(f), seg, 1000, 504, 0, 22, 17); /* ends at 1504 */
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1600, 80, 1, 22, 17); /* beyond that end */
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 3);

	/* a last piece that ends before data already held */
	n = frag4(f, sizeof(f), seg, 800, 400, 1, 23, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 400, 200, 0, 23, 17); /* ends at 600 */
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 4);

	/* snap length cut the fragment: it cannot be rebuilt */
	n = frag4(f, sizeof(f), seg, 0, 1480, 1, 24, 17);
	memset(&p, 0, sizeof(p));
	assert_int_equal(decode_frame(&p, f, 200, (uint32_t)n, HAL_LINK_ETHERNET, &st),
			 DECODE_FRAGMENT);
	assert_true(p.flags & PKT_F_L4_TRUNC);
	assert_int_equal(defrag_add(d, &p, &st), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 5);
	assert_ctr(&st, DROP_FRAGMENT, 5);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);
}

/* The last piece never comes: the datagram expires after DEFRAG_TIMEOUT_NS. */
static void test_v4_timeout(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	make_segment(seg, sizeof(seg), 0, 0, 3000, 7);
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, 30, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1480, 1480, 1, 30, 17);
	assert_int_equal(add(d, &p, f, n, T0 + 5 * SEC), DEFRAG_HELD);

	defrag_expire(d, T0 + DEFRAG_TIMEOUT_NS, &st); /* not yet: measured from the first */
	assert_int_equal(defrag_in_use(d), 1);
	assert_ctr(&st, FRAG_TIMEOUT, 0);
	defrag_expire(d, T0 + DEFRAG_TIMEOUT_NS + 1, &st);
	assert_int_equal(defrag_in_use(d), 0);
	assert_ctr(&st, FRAG_TIMEOUT, 1);
	defrag_expire(d, T0 + 2 * DEFRAG_TIMEOUT_NS, &st);
	assert_ctr(&st, FRAG_TIMEOUT, 1);
	defrag_destroy(d);
}

static void test_v4_too_big(void **state)
{
	(void)state;
	static uint8_t seg[70000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;

	/* A context of 1280 bytes: a piece ending past it is too big. */
	struct defrag *d = defrag_create(2, 1280);
	assert_non_null(d);
	make_segment(seg, sizeof(seg), 0, 0, 2000, 8);
	size_t n = frag4(f, sizeof(f), seg, 1280, 8, 1, 40, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_TOO_BIG, 1);
	assert_ctr(&st, DROP_FRAGMENT, 1);
	defrag_destroy(d);

	/* Pieces that each fit, but the rebuilt IPv4 datagram would exceed
	 * 65535 bytes (20 header + 65520 + 16 payload). */
	d = defrag_create(1, 65535);
	assert_non_null(d);
	memset(seg, 0x5a, 65536);
	uint32_t off = 0;
	enum defrag_result r = DEFRAG_HELD;
	while (off < 65520) {
		n = frag4(f, sizeof(f), seg, off, 1480 > 65520 - off ? 65520 - off : 1480, 1, 41,
			  17);
		r = add(d, &p, f, n, T0);
		assert_int_equal(r, DEFRAG_HELD);
		off += 1480 > 65520 - off ? 65520 - off : 1480;
	}
	n = frag4(f, sizeof(f), seg, 65520, 15, 0, 41, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_TOO_BIG, 2);
	assert_ctr(&st, FRAG_REASSEMBLED, 0);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);

	assert_null(defrag_create(0, 65535));
	assert_null(defrag_create(4, 1279));
}

static void test_v4_too_many(void **state)
{
	(void)state;
	static uint8_t seg[2000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	make_segment(seg, sizeof(seg), 0, 0, 1000, 2);
	struct defrag *d = defrag_create(2, 65535);
	assert_non_null(d);
	for (uint32_t i = 0; i < DEFRAG_MAX_FRAGS; i++) {
		size_t n = frag4(f, sizeof(f), seg, i * 8, 8, 1, 50, 17);
		assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	}
	size_t n = frag4(f, sizeof(f), seg, DEFRAG_MAX_FRAGS * 8, 8, 1, 50, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_TOO_MANY, 1);
	assert_ctr(&st, DROP_FRAGMENT, 1);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);
}

/* All contexts busy: the new datagram's fragment is dropped and counted;
 * once the old ones are stale, a new fragment takes their place. */
static void test_no_context(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	make_segment(seg, sizeof(seg), 0, 0, 3000, 11);
	struct defrag *d = defrag_create(2, 65535);
	assert_non_null(d);

	for (uint16_t id = 60; id < 62; id++) {
		size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, id, 17);
		assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	}
	size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, 62, 17);
	assert_int_equal(add(d, &p, f, n, T0 + SEC), DEFRAG_DROP);
	assert_ctr(&st, FRAG_NO_CONTEXT, 1);
	assert_ctr(&st, DROP_FRAGMENT, 1);
	assert_int_equal(defrag_in_use(d), 2);
	/* ... pieces of datagrams already held still get in */
	n = frag4(f, sizeof(f), seg, 1480, 1480, 1, 61, 17);
	assert_int_equal(add(d, &p, f, n, T0 + SEC), DEFRAG_HELD);

	n = frag4(f, sizeof(f), seg, 0, 1480, 1, 63, 17);
	assert_int_equal(add(d, &p, f, n, T0 + DEFRAG_TIMEOUT_NS + SEC), DEFRAG_HELD);
	assert_ctr(&st, FRAG_TIMEOUT, 2);
	assert_ctr(&st, FRAG_NO_CONTEXT, 1);
	assert_int_equal(defrag_in_use(d), 1);
	defrag_destroy(d);
}

static void test_v6(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 1, 0, 3000, 12);
	struct defrag *d = defrag_create(4, 65535);
	assert_non_null(d);

	for (int dest = 0; dest < 2; dest++) {
		uint32_t id = 0x10000u + (uint32_t)dest;
		size_t n = frag6(f, sizeof(f), seg, 1448, 1448, 1, id, 17, dest);
		assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
		assert_int_equal(p.ipver, 6);
		n = frag6(f, sizeof(f), seg, 2896, (uint32_t)(sl - 2896), 0, id, 17, dest);
		assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
		n = frag6(f, sizeof(f), seg, 0, 1448, 1, id, 17, dest);
		assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DONE);

		check_udp_payload(&p, seg, sl);
		assert_int_equal(p.ipver, 6);
		assert_int_equal(p.l4_off, 40); /* unfragmentable headers are not rebuilt */
		assert_int_equal(tu_get16(p.data + 4), sl); /* payload length */
		assert_int_equal(p.data[6], 17);            /* next header */
		static const uint8_t dst[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
						 0,    0, 0, 0, 0, 0, 0, 0x99 };
		assert_memory_equal(p.dst, dst, 16);
		defrag_release(d, &p);
	}
	assert_ctr(&st, FRAG_V6, 6);
	assert_ctr(&st, FRAG_REASSEMBLED, 2);
	assert_int_equal(defrag_in_use(d), 0);

	/* overlap in IPv6 too */
	size_t n = frag6(f, sizeof(f), seg, 0, 1448, 1, 77, 17, 0);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag6(f, sizeof(f), seg, 1440, 1448, 1, 77, 17, 0);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_OVERLAP, 1);
	defrag_destroy(d);
}

/* The rebuilt datagram's own transport header is malformed, or the rebuilt
 * datagram is again a fragment: dropped and counted, context freed. */
static void test_reassembled_malformed(void **state)
{
	(void)state;
	static uint8_t seg[4000];
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t sl = make_segment(seg, sizeof(seg), 0, 0, 2000, 13);
	tu_set16(seg + 4, 4); /* UDP length 4 */
	struct defrag *d = defrag_create(2, 65535);
	assert_non_null(d);
	size_t n = frag4(f, sizeof(f), seg, 0, 1480, 1, 90, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag4(f, sizeof(f), seg, 1480, (uint32_t)(sl - 1480), 0, 90, 17);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_MALFORMED);
	assert_ctr(&st, DEC_UDP_BAD_LEN, 1);
	assert_int_equal(defrag_in_use(d), 0);

	/* IPv6: the fragmentable part starts with another fragment header. */
	uint8_t inner[1000];
	memset(inner, 0x33, sizeof(inner));
	inner[0] = 17;
	inner[1] = 0;
	tu_set16(inner + 2, 8 | 1); /* offset 8, more */
	n = frag6(f, sizeof(f), inner, 0, 496, 1, 91, 44, 0);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_HELD);
	n = frag6(f, sizeof(f), inner, 496, 500, 0, 91, 44, 0);
	assert_int_equal(add(d, &p, f, n, T0), DEFRAG_DROP);
	assert_ctr(&st, FRAG_BAD, 1);
	assert_int_equal(defrag_in_use(d), 0);
	defrag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_v4_in_order, setup),
		cmocka_unit_test_setup(test_v4_out_of_order_tcp, setup),
		cmocka_unit_test_setup(test_v4_interleaved, setup),
		cmocka_unit_test_setup(test_v4_overlap, setup),
		cmocka_unit_test_setup(test_v4_bad_fragments, setup),
		cmocka_unit_test_setup(test_v4_timeout, setup),
		cmocka_unit_test_setup(test_v4_too_big, setup),
		cmocka_unit_test_setup(test_v4_too_many, setup),
		cmocka_unit_test_setup(test_no_context, setup),
		cmocka_unit_test_setup(test_v6, setup),
		cmocka_unit_test_setup(test_reassembled_malformed, setup),
	};
	return cmocka_run_group_tests_name("defrag", tests, NULL, NULL);
}
