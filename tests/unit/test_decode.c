// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/decode (L2, L3, L4). Every frame is copied into a
 * heap block of exactly its captured length before decoding, so that an
 * out-of-bounds read is caught by AddressSanitizer, not hidden by the stack.
 */
#include <stdlib.h>

#include "test_util.h"

#include "pipeline/decode.h"
#include "segw/hal/pktbuf.h"
#include "stats/counters.h"

static uint8_t *g_copy;
static struct stats_block g_st;

static int teardown(void **state)
{
	(void)state;
	free(g_copy);
	g_copy = NULL;
	return 0;
}

/* Decode @caplen bytes of @f (wire length @wire) with fresh counters. */
static enum decode_result run(struct pkt *p, const uint8_t *f, uint32_t caplen, uint32_t wire,
			      uint8_t link)
{
	free(g_copy);
	g_copy = malloc(caplen ? caplen : 1);
	assert_non_null(g_copy);
	if (caplen)
		memcpy(g_copy, f, caplen);
	memset(&g_st, 0, sizeof(g_st));
	memset(p, 0, sizeof(*p));
	return decode_frame(p, g_copy, caplen, wire, link, &g_st);
}

static enum decode_result run_full(struct pkt *p, const uint8_t *f, size_t len, uint8_t link)
{
	return run(p, f, (uint32_t)len, (uint32_t)len, link);
}

/* Counters that report a malformed packet (decode.*, without the ones that
 * only annotate a valid packet or a skipped link type). */
static int is_error_ctr(unsigned i)
{
	const char *n = stats_ctr_name(i);
	return n && strncmp(n, "decode.", 7) == 0 && i != CTR_DEC_TCP_BAD_FLAGS &&
	       i != CTR_DEC_TCP_BAD_PORT && i != CTR_DEC_LINK_RADIOTAP &&
	       i != CTR_DEC_LINK_UNSUPPORTED;
}

static uint64_t error_ctrs(const struct stats_block *st, int *which)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < CTR__COUNT; i++) {
		if (!is_error_ctr(i) || !st->c[i])
			continue;
		n += st->c[i];
		if (which)
			*which = (int)i;
	}
	return n;
}

static const char *res_name(enum decode_result r)
{
	static const char *const n[] = { "OK", "NON_IP", "MALFORMED", "SKIP_LINK", "FRAGMENT" };
	return (unsigned)r < 5 ? n[r] : "?";
}

/* The result is MALFORMED and exactly counter @ctr (once) says why. */
static void expect_malformed(enum decode_result r, unsigned ctr)
{
	int which = -1;
	if (r != DECODE_MALFORMED)
		fail_msg("expected MALFORMED (%s), got %s", stats_ctr_name(ctr), res_name(r));
	uint64_t n = error_ctrs(&g_st, &which);
	if (n != 1 || g_st.c[ctr] != 1)
		fail_msg("expected exactly %s = 1, got %llu error counts (last %s)",
			 stats_ctr_name(ctr), (unsigned long long)n,
			 which >= 0 ? stats_ctr_name((unsigned)which) : "none");
}

static void expect_res(enum decode_result r, enum decode_result want)
{
	if (r != want)
		fail_msg("expected %s, got %s", res_name(want), res_name(r));
	assert_int_equal(error_ctrs(&g_st, NULL), 0);
}

/* Offsets of a decoded packet stay inside what was captured. */
static void expect_bounds(const struct pkt *p)
{
	assert_true(p->l3_off + p->l3_len <= p->len);
	assert_true(p->l4_off >= p->l3_off);
	assert_true(p->l4_off + p->l4_len <= p->len);
	assert_true(p->payload_off >= p->l4_off);
	assert_true(p->payload_off + p->payload_len <= p->len);
}

static const uint8_t payload[] = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n";
#define PLEN (sizeof(payload) - 1)

/* ---------------------------------------------------------------- L2 ---- */

/* A real TCP SYN with options (MSS, SACK-permitted, timestamps, WS). */
static const uint8_t syn_frame[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x9c, 0xd6, 0xc0, 0xa8,
	0x00, 0x68, 0xc0, 0xa8, 0x00, 0x01, 0xd4, 0x31, 0x01, 0xbb, 0x6a, 0x1e, 0x23, 0x10,
	0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x7c, 0x4e, 0x00, 0x00, 0x02, 0x04,
	0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x9c, 0x27, 0x24, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static void test_eth_ipv4_tcp_syn(void **state)
{
	(void)state;
	struct pkt p;
	expect_res(run_full(&p, syn_frame, sizeof(syn_frame), HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.ipver, 4);
	assert_int_equal(p.l4proto, IPPROTO_NUM_TCP);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l3_len, 60);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.payload_off, 74); /* 40-byte TCP header with options */
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.sport, 54321);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.tcp_flags, TCPF_SYN);
	assert_int_equal(p.tcp_seq, 0x6a1e2310);
	assert_int_equal(p.tcp_win, 0xfaf0);
	static const uint8_t src[4] = { 192, 168, 0, 104 }, dst[4] = { 192, 168, 0, 1 };
	assert_memory_equal(p.src, src, 4);
	assert_memory_equal(p.dst, dst, 4);
	assert_int_equal(p.vlan_n, 0);
	assert_int_equal(p.flags, 0);
	assert_ctr(&g_st, L3_IPV4, 1);
	assert_ctr(&g_st, L4_TCP, 1);
	assert_ctr(&g_st, DEC_TCP_BAD_FLAGS, 0);
	expect_bounds(&p);
}

static void test_eth_truncated_and_non_ip(void **state)
{
	(void)state;
	struct pkt p;
	expect_malformed(run_full(&p, syn_frame, 13, HAL_LINK_ETHERNET), CTR_DEC_ETH_TRUNC);
	expect_malformed(run_full(&p, syn_frame, 0, HAL_LINK_ETHERNET), CTR_DEC_ETH_TRUNC);

	/* ARP request (ethertype 0x0806): a valid frame that is not IP. */
	static const uint8_t arp[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,
		0x0a, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x01,
	};
	expect_res(run_full(&p, arp, sizeof(arp), HAL_LINK_ETHERNET), DECODE_NON_IP);
	assert_ctr(&g_st, L3_NON_IP, 1);
	assert_ctr(&g_st, L3_IPV4, 0);

	/* 802.3 length field + LLC (spanning tree): not IP. */
	uint8_t llc[60] = { 0x01, 0x80, 0xc2, 0, 0, 0, 0x02, 0, 0, 0, 0, 0x0a, 0x00, 0x26,
			    0x42, 0x42, 0x03 };
	expect_res(run_full(&p, llc, sizeof(llc), HAL_LINK_ETHERNET), DECODE_NON_IP);
	assert_ctr(&g_st, L3_NON_IP, 1);
}

static size_t build_vlan(uint8_t *buf, size_t cap, int tags)
{
	static const uint16_t tpid[] = { 0x88a8, 0x8100, 0x8100 };
	static const uint16_t vid[] = { 200, 100, 300 };
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, tags ? tpid[0] : 0x0800);
	for (int i = 0; i < tags; i++)
		tu_vlan(&b, vid[i], i + 1 < tags ? tpid[i + 1] : 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 40000, 53, "dnsq", 4);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_vlan_qinq(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_vlan(f, sizeof(f), 1);
	/* single tag: make it a plain 802.1Q tag (TPID 0x8100) */
	tu_set16(f + 12, 0x8100);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.vlan_n, 1);
	assert_int_equal(p.vlan[0], 200);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.dport, 53);

	n = build_vlan(f, sizeof(f), 2);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.vlan_n, 2);
	assert_int_equal(p.vlan[0], 200); /* outer (service) tag */
	assert_int_equal(p.vlan[1], 100); /* inner (customer) tag */
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.payload_len, 4);
	expect_bounds(&p);

	/* The PCP/DEI bits are not part of the VLAN id. */
	f[14] |= 0xe0;
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.vlan[0], 200);

	n = build_vlan(f, sizeof(f), 3);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_VLAN_TOO_DEEP);

	/* A tag cut short: the TPID says a tag follows, two bytes are there. */
	n = build_vlan(f, sizeof(f), 1);
	expect_malformed(run_full(&p, f, 16, HAL_LINK_ETHERNET), CTR_DEC_VLAN_TRUNC);
}

static size_t build_pppoe(uint8_t *buf, size_t cap, uint16_t ppp_proto, int v6)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x8864);
	tu_put8(&b, 0x11); /* version 1, type 1 */
	tu_put8(&b, 0x00); /* session data */
	tu_put16(&b, 0x2a01);
	uint8_t *plen = tu_put(&b, NULL, 2);
	size_t start = b.len;
	tu_put16(&b, ppp_proto);
	size_t ip = v6 ? tu_ipv6_begin(&b, 17, "fd00::2", "2001:db8::1")
		       : tu_ipv4_begin(&b, 17, "10.1.0.2", "203.0.113.5");
	tu_udp(&b, ip, 1234, 5678, "x", 1);
	if (v6)
		tu_ipv6_end(&b, ip);
	else
		tu_ipv4_end(&b, ip);
	tu_set16(plen, (uint16_t)(b.len - start));
	return b.len;
}

static void test_pppoe(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_pppoe(f, sizeof(f), 0x0021, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.ipver, 4);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.sport, 1234);

	n = build_pppoe(f, sizeof(f), 0x0057, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.l3_off, 22);

	/* LCP inside PPPoE: not IP. */
	n = build_pppoe(f, sizeof(f), 0xc021, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_NON_IP);
	assert_ctr(&g_st, L3_NON_IP, 1);

	expect_malformed(run_full(&p, f, 21, HAL_LINK_ETHERNET), CTR_DEC_PPPOE_TRUNC);
}

static size_t build_mpls(uint8_t *buf, size_t cap, int labels, int bos_last, uint8_t first)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x8847);
	for (int i = 0; i < labels; i++) {
		uint32_t label = 16 + (uint32_t)i;
		int bos = bos_last && i == labels - 1;
		tu_put32(&b, (label << 12) | (bos ? 0x100u : 0) | 64);
	}
	if (first == 4) {
		size_t ip = tu_ipv4_begin(&b, 6, "10.1.0.2", "198.51.100.10");
		tu_tcp(&b, ip, 1111, 80, 1, 0, TU_SYN, NULL, 0);
		tu_ipv4_end(&b, ip);
	} else {
		tu_put32(&b, 0); /* pseudowire control word */
		tu_eth(&b, 0x0806);
	}
	return b.len;
}

static void test_mpls(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_mpls(f, sizeof(f), 2, 1, 4);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.l3_off, 14 + 8);
	assert_int_equal(p.dport, 80);

	/* The first nibble after the stack is neither 4 nor 6: not IP for us. */
	n = build_mpls(f, sizeof(f), 1, 1, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_NON_IP);

	/* Nine labels without bottom of stack: more than we follow. */
	n = build_mpls(f, sizeof(f), 9, 0, 4);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_MPLS_TRUNC);
	/* The stack ends with the frame. */
	n = build_mpls(f, sizeof(f), 2, 1, 4);
	expect_malformed(run_full(&p, f, 22, HAL_LINK_ETHERNET), CTR_DEC_MPLS_TRUNC);
	expect_malformed(run_full(&p, f, 20, HAL_LINK_ETHERNET), CTR_DEC_MPLS_TRUNC);
}

static size_t build_cooked(uint8_t *buf, size_t cap, int v2, uint16_t proto)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	if (v2)
		tu_sll2(&b, proto);
	else
		tu_sll(&b, proto);
	if (proto == 0x8100)
		tu_vlan(&b, 7, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 5353, 53, "abc", 3);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_sll_sll2(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_cooked(f, sizeof(f), 0, 0x0800);
	expect_res(run_full(&p, f, n, HAL_LINK_SLL), DECODE_OK);
	assert_int_equal(p.l3_off, 16);
	assert_int_equal(p.payload_len, 3);
	expect_malformed(run_full(&p, f, 15, HAL_LINK_SLL), CTR_DEC_SLL_TRUNC);

	n = build_cooked(f, sizeof(f), 0, 0x8100); /* a tag the kernel did not strip */
	expect_res(run_full(&p, f, n, HAL_LINK_SLL), DECODE_OK);
	assert_int_equal(p.vlan_n, 1);
	assert_int_equal(p.vlan[0], 7);
	assert_int_equal(p.l3_off, 20);

	n = build_cooked(f, sizeof(f), 1, 0x0800);
	expect_res(run_full(&p, f, n, HAL_LINK_SLL2), DECODE_OK);
	assert_int_equal(p.l3_off, 20);
	assert_int_equal(p.dport, 53);
	expect_malformed(run_full(&p, f, 19, HAL_LINK_SLL2), CTR_DEC_SLL_TRUNC);

	n = build_cooked(f, sizeof(f), 1, 0x0806);
	expect_res(run_full(&p, f, n, HAL_LINK_SLL2), DECODE_NON_IP);
}

static size_t build_null(uint8_t *buf, size_t cap, const uint8_t fam[4], int v6)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_put(&b, fam, 4);
	size_t ip = v6 ? tu_ipv6_begin(&b, 6, "fd00::2", "fd00::3")
		       : tu_ipv4_begin(&b, 6, "10.1.0.2", "10.1.0.3");
	tu_tcp(&b, ip, 2222, 22, 5, 0, TU_SYN, NULL, 0);
	if (v6)
		tu_ipv6_end(&b, ip);
	else
		tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_null_loop(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	static const uint8_t inet_le[4] = { 2, 0, 0, 0 }, inet_be[4] = { 0, 0, 0, 2 };
	static const uint8_t inet6_darwin[4] = { 30, 0, 0, 0 }, inet6_bsd[4] = { 0, 0, 0, 24 };
	static const uint8_t other[4] = { 7, 0, 0, 0 };

	size_t n = build_null(f, sizeof(f), inet_le, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_NULL), DECODE_OK);
	assert_int_equal(p.l3_off, 4);
	assert_int_equal(p.dport, 22);
	n = build_null(f, sizeof(f), inet_be, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_LOOP), DECODE_OK);
	n = build_null(f, sizeof(f), inet_be, 0); /* a writer of the other byte order */
	expect_res(run_full(&p, f, n, HAL_LINK_NULL), DECODE_OK);
	n = build_null(f, sizeof(f), inet6_darwin, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_NULL), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	n = build_null(f, sizeof(f), inet6_bsd, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_LOOP), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	n = build_null(f, sizeof(f), other, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_NULL), DECODE_NON_IP);
	expect_malformed(run_full(&p, f, 3, HAL_LINK_NULL), CTR_DEC_NULL_TRUNC);
}

static size_t build_ppp(uint8_t *buf, size_t cap, const uint8_t *hdr, size_t hlen, int v6)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_put(&b, hdr, hlen);
	size_t ip = v6 ? tu_ipv6_begin(&b, 17, "fd00::2", "fd00::3")
		       : tu_ipv4_begin(&b, 17, "10.1.0.2", "10.1.0.3");
	tu_udp(&b, ip, 500, 500, "ike", 3);
	if (v6)
		tu_ipv6_end(&b, ip);
	else
		tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_ppp_chdlc(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	static const uint8_t full[] = { 0xff, 0x03, 0x00, 0x21 };
	static const uint8_t compressed[] = { 0x21 };
	static const uint8_t v6[] = { 0x00, 0x57 };
	static const uint8_t lcp[] = { 0xff, 0x03, 0xc0, 0x21 };
	static const uint8_t chdlc[] = { 0x0f, 0x00, 0x08, 0x00 };
	static const uint8_t slarp[] = { 0x8f, 0x00, 0x80, 0x35 };

	size_t n = build_ppp(f, sizeof(f), full, sizeof(full), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_PPP), DECODE_OK);
	assert_int_equal(p.l3_off, 4);
	n = build_ppp(f, sizeof(f), compressed, sizeof(compressed), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_PPP), DECODE_OK);
	assert_int_equal(p.l3_off, 1);
	n = build_ppp(f, sizeof(f), v6, sizeof(v6), 1);
	expect_res(run_full(&p, f, n, HAL_LINK_PPP), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.l3_off, 2);
	n = build_ppp(f, sizeof(f), lcp, sizeof(lcp), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_PPP), DECODE_NON_IP);
	expect_malformed(run_full(&p, full, 1, HAL_LINK_PPP), CTR_DEC_PPP_TRUNC);
	expect_malformed(run_full(&p, full, 2, HAL_LINK_PPP), CTR_DEC_PPP_TRUNC);
	expect_malformed(run_full(&p, full, 3, HAL_LINK_PPP), CTR_DEC_PPP_TRUNC);
	/* The PPP header is fine but no IP header follows. */
	expect_malformed(run_full(&p, full, 4, HAL_LINK_PPP), CTR_DEC_IPV4_TRUNC);

	/* Cisco HDLC framing in a capture labelled PPP */
	n = build_ppp(f, sizeof(f), chdlc, sizeof(chdlc), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_PPP), DECODE_OK);
	assert_int_equal(p.l3_off, 4);
	expect_malformed(run_full(&p, chdlc, 3, HAL_LINK_PPP), CTR_DEC_CHDLC_TRUNC);

	n = build_ppp(f, sizeof(f), chdlc, sizeof(chdlc), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_CHDLC), DECODE_OK);
	assert_int_equal(p.l3_off, 4);
	n = build_ppp(f, sizeof(f), slarp, sizeof(slarp), 0);
	expect_res(run_full(&p, f, n, HAL_LINK_CHDLC), DECODE_NON_IP);
	expect_malformed(run_full(&p, chdlc, 3, HAL_LINK_CHDLC), CTR_DEC_CHDLC_TRUNC);
}

static size_t build_ppi(uint8_t *buf, size_t cap, uint32_t dlt, uint16_t hlen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	uint8_t h[8] = { 0, 0, (uint8_t)hlen, (uint8_t)(hlen >> 8), (uint8_t)dlt,
			 (uint8_t)(dlt >> 8), (uint8_t)(dlt >> 16), (uint8_t)(dlt >> 24) };
	tu_put(&b, h, 8);
	if (hlen > 8)
		tu_put(&b, NULL, hlen - 8u); /* PPI fields, opaque to us */
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 1000, 2000, "ppi", 3);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_ppi_radiotap(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_ppi(f, sizeof(f), 1, 8);
	expect_res(run_full(&p, f, n, HAL_LINK_PPI), DECODE_OK);
	assert_int_equal(p.l3_off, 8 + 14);
	n = build_ppi(f, sizeof(f), 1, 32);
	expect_res(run_full(&p, f, n, HAL_LINK_PPI), DECODE_OK);
	assert_int_equal(p.l3_off, 32 + 14);
	assert_int_equal(p.dport, 2000);

	n = build_ppi(f, sizeof(f), 105, 8); /* 802.11 */
	expect_res(run_full(&p, f, n, HAL_LINK_PPI), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_RADIOTAP, 1);
	n = build_ppi(f, sizeof(f), 127, 8); /* radiotap */
	expect_res(run_full(&p, f, n, HAL_LINK_PPI), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_RADIOTAP, 1);
	n = build_ppi(f, sizeof(f), 999, 8);
	expect_res(run_full(&p, f, n, HAL_LINK_PPI), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_UNSUPPORTED, 1);

	n = build_ppi(f, sizeof(f), 1, 8);
	f[2] = 4; /* header length below its own size */
	expect_malformed(run_full(&p, f, n, HAL_LINK_PPI), CTR_DEC_PPI_TRUNC);
	f[2] = 0xff; /* header length beyond the frame */
	f[3] = 0x7f;
	expect_malformed(run_full(&p, f, n, HAL_LINK_PPI), CTR_DEC_PPI_TRUNC);
	expect_malformed(run_full(&p, f, 7, HAL_LINK_PPI), CTR_DEC_PPI_TRUNC);

	/* Radiotap and unknown link types are skipped and counted, not decoded. */
	expect_res(run_full(&p, f, n, HAL_LINK_RADIOTAP), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_RADIOTAP, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_UNSUPPORTED), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_UNSUPPORTED, 1);
	expect_res(run_full(&p, f, n, 200), DECODE_SKIP_LINK);
	assert_ctr(&g_st, DEC_LINK_UNSUPPORTED, 1);
}

static void test_raw_ip(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 53000, "198.51.100.10", 53, "q", 1);
	const uint8_t *ip4 = f + 14;
	size_t n4 = n - 14;
	expect_res(run_full(&p, ip4, n4, HAL_LINK_RAW), DECODE_OK);
	assert_int_equal(p.l3_off, 0);
	assert_int_equal(p.ipver, 4);
	expect_res(run_full(&p, ip4, n4, HAL_LINK_IPV4), DECODE_OK);
	assert_int_equal(p.dport, 53);

	uint8_t g[TU_FRAME_MAX];
	n = tu_frame_tcp6(g, sizeof(g), "fd00::2", 40000, "2001:db8::10", 443, 1, 0, TU_SYN, NULL,
			  0);
	expect_res(run_full(&p, g + 14, n - 14, HAL_LINK_RAW), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.l4_off, 40);
	expect_res(run_full(&p, g + 14, n - 14, HAL_LINK_IPV6), DECODE_OK);

	expect_malformed(run_full(&p, ip4, 0, HAL_LINK_RAW), CTR_DEC_IPV4_TRUNC);
	uint8_t bad[28];
	memcpy(bad, ip4, sizeof(bad));
	bad[0] = 0x55; /* version 5 */
	expect_malformed(run_full(&p, bad, sizeof(bad), HAL_LINK_RAW), CTR_DEC_IP_BAD_VERSION);
}

/* ---------------------------------------------------------------- IPv4 --- */

static size_t build_v4_opts(uint8_t *buf, size_t cap, const uint8_t *opts, size_t olen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin_ex(&b, 6, "10.1.0.2", "198.51.100.10", 7, 0, opts, olen);
	tu_tcp(&b, ip, 3333, 80, 1, 0, TU_ACK | TU_PSH, payload, PLEN);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_ipv4_options(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	/* NOP, NOP, record route (len 7, pointer 4, one slot), EOL, padding */
	static const uint8_t good[12] = { 1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0 };
	size_t n = build_v4_opts(f, sizeof(f), good, sizeof(good));
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_true(p.flags & PKT_F_IPV4_OPTIONS);
	assert_int_equal(p.l4_off, 14 + 32);
	assert_int_equal(p.payload_len, PLEN);
	assert_memory_equal(p.data + p.payload_off, payload, PLEN);

	/* An option that fills the header to its last byte. */
	static const uint8_t exact[8] = { 0x44, 8, 5, 0, 0, 0, 0, 0 }; /* timestamp */
	n = build_v4_opts(f, sizeof(f), exact, sizeof(exact));
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);

	static const uint8_t len_one[4] = { 7, 1, 0, 0 };
	n = build_v4_opts(f, sizeof(f), len_one, sizeof(len_one));
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_OPT);
	static const uint8_t len_zero[4] = { 7, 0, 0, 0 };
	n = build_v4_opts(f, sizeof(f), len_zero, sizeof(len_zero));
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_OPT);
	static const uint8_t too_long[4] = { 7, 40, 4, 0 };
	n = build_v4_opts(f, sizeof(f), too_long, sizeof(too_long));
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_OPT);
	static const uint8_t no_len[4] = { 1, 1, 1, 7 }; /* type in the last byte */
	n = build_v4_opts(f, sizeof(f), no_len, sizeof(no_len));
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_OPT);
}

static void test_ipv4_bad_header(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, payload, PLEN);

	f[14] = 0x44; /* IHL 4: 16 bytes, below the minimum */
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_HLEN);
	f[14] = 0x40;
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_HLEN);
	f[14] = 0x4f; /* 60-byte header in a 42-byte datagram */
	expect_malformed(run_full(&p, f, 14 + 42, HAL_LINK_ETHERNET), CTR_DEC_IPV4_TRUNC);
	f[14] = 0x45;
	expect_malformed(run_full(&p, f, 14 + 19, HAL_LINK_ETHERNET), CTR_DEC_IPV4_TRUNC);

	/* total length shorter than the header */
	tu_set16(f + 16, 19);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_LEN);
	tu_set16(f + 16, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_LEN);
	/* total length longer than the frame on the wire */
	tu_set16(f + 16, (uint16_t)(n - 14 + 1));
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_LEN);
	tu_set16(f + 16, (uint16_t)(n - 14));

	/* a source address that cannot be one */
	n = tu_frame_udp4(f, sizeof(f), "224.0.0.5", 1, "10.1.0.3", 2, NULL, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_ADDR);
	n = tu_frame_udp4(f, sizeof(f), "255.255.255.255", 68, "10.1.0.3", 67, NULL, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_ADDR);
	/* ... while broadcast and multicast destinations are fine */
	n = tu_frame_udp4(f, sizeof(f), "0.0.0.0", 68, "255.255.255.255", 67, NULL, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
}

static void test_ipv4_snap_vs_wire_truncation(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	uint8_t data[200];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 7000, "198.51.100.10", 7001, data,
				 sizeof(data));
	uint32_t cut = 14 + 20 + 8 + 10;

	/* Snap length cut it: the wire had it all, decode what is there. */
	expect_res(run(&p, f, cut, (uint32_t)n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_true(p.flags & PKT_F_L4_TRUNC);
	assert_int_equal(p.wire_len, n);
	assert_int_equal(p.l3_len, cut - 14);
	assert_int_equal(p.payload_len, 10);
	assert_int_equal(p.dport, 7001);
	expect_bounds(&p);

	/* The frame itself was that short: the datagram is malformed. */
	expect_malformed(run(&p, f, cut, cut, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_LEN);

	/* Ethernet padding after the datagram is not part of it. */
	uint8_t padded[80];
	n = tu_frame_udp4(padded, sizeof(padded), "10.1.0.2", 7000, "10.1.0.3", 7001, "ab", 2);
	assert_true(n < 60);
	memset(padded + n, 0xee, sizeof(padded) - n);
	expect_res(run_full(&p, padded, 60, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.l3_len, n - 14);
	assert_int_equal(p.payload_len, 2);
	assert_false(p.flags & PKT_F_L4_TRUNC);
}

static size_t build_v4_frag(uint8_t *buf, size_t cap, uint16_t frag_word)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin_ex(&b, 17, "10.1.0.2", "198.51.100.10", 0xbeef, frag_word,
				     NULL, 0);
	/* a UDP header for the whole 32-byte datagram, then data */
	tu_put16(&b, 1000);
	tu_put16(&b, 2000);
	tu_put16(&b, 32);
	tu_put16(&b, 0);
	tu_put(&b, payload, 24);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_ipv4_fragments(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_v4_frag(f, sizeof(f), 0x2000); /* first: MF, offset 0 */
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_FRAGMENT);
	assert_true(p.flags & PKT_F_FRAGMENT);
	assert_int_equal(p.frag_id, 0xbeef);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.frag_more, 1);
	assert_int_equal(p.frag_hdr_end, 34);
	assert_int_equal(p.frag_nexthdr, 17);
	assert_int_equal(p.l3_len, 52);
	assert_ctr(&g_st, FRAG_V4, 1);
	assert_ctr(&g_st, L3_IPV4, 0);
	assert_ctr(&g_st, L4_UDP, 0); /* not decoded yet */

	n = build_v4_frag(f, sizeof(f), 185); /* last: offset 1480 */
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_FRAGMENT);
	assert_int_equal(p.frag_off, 1480);
	assert_int_equal(p.frag_more, 0);

	n = build_v4_frag(f, sizeof(f), 0x4000); /* DF alone is not a fragment */
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.dport, 2000);
	assert_false(p.flags & PKT_F_FRAGMENT);
	assert_ctr(&g_st, FRAG_V4, 0);
}

/* ---------------------------------------------------------------- IPv6 --- */

/* An IPv6 UDP datagram behind the extension headers @chain (next-header
 * values, in order; 44 is a fragment header with @frag_word). */
static size_t build_v6_chain(uint8_t *buf, size_t cap, const uint8_t *chain, int n,
			     uint32_t frag_off, int more)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, n ? chain[0] : 17, "fd00::2", "2001:db8::53");
	for (int i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? chain[i + 1] : 17;
		if (chain[i] == 44) {
			tu_ipv6_frag(&b, next, frag_off, more, 0xc0ffee);
		} else if (chain[i] == 51) { /* AH: 12 bytes + 12 of ICV */
			uint8_t *ah = tu_put(&b, NULL, 24);
			ah[0] = next;
			ah[1] = 4;
		} else {
			tu_ipv6_ext(&b, next, chain[i] == 43 ? 0 : 1);
		}
	}
	size_t l4 = b.len;
	tu_udp(&b, ip, 5300, 53, payload, PLEN);
	(void)l4;
	tu_ipv6_end(&b, ip);
	return b.len;
}

static void test_ipv6_ext_chain(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	static const uint8_t chain[] = { 0, 43, 60, 51 };
	size_t n = build_v6_chain(f, sizeof(f), chain, 4, 0, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_true(p.flags & PKT_F_IPV6_EXT);
	assert_int_equal(p.l4proto, 17);
	/* 40 fixed + HBH 16 + routing 8 + dest 16 + AH 24 */
	assert_int_equal(p.l4_off, 14 + 40 + 16 + 8 + 16 + 24);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, PLEN);
	assert_ctr(&g_st, L3_IPV6, 1);
	expect_bounds(&p);

	/* ... and a fragment header at its end: a fragment. */
	static const uint8_t frag[] = { 0, 43, 60, 44 };
	n = build_v6_chain(f, sizeof(f), frag, 4, 0, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_FRAGMENT);
	assert_int_equal(p.frag_id, 0xc0ffee);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.frag_more, 1);
	assert_int_equal(p.frag_nexthdr, 17);
	assert_int_equal(p.frag_hdr_end, 14 + 40 + 16 + 8 + 16 + 8);
	assert_ctr(&g_st, FRAG_V6, 1);
	n = build_v6_chain(f, sizeof(f), frag, 4, 1448, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_FRAGMENT);
	assert_int_equal(p.frag_off, 1448);
	assert_int_equal(p.frag_more, 0);

	/* An atomic fragment (offset 0, no more) is a whole datagram. */
	static const uint8_t atomic[] = { 44 };
	n = build_v6_chain(f, sizeof(f), atomic, 1, 0, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_false(p.flags & PKT_F_FRAGMENT);
	assert_int_equal(p.l4_off, 14 + 40 + 8);
	assert_int_equal(p.dport, 53);
	assert_ctr(&g_st, FRAG_V6, 0);
}

static void test_ipv6_ext_errors(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	static const uint8_t hbh_second[] = { 60, 0 };
	size_t n = build_v6_chain(f, sizeof(f), hbh_second, 2, 0, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV6_EXT_BAD);

	static const uint8_t eight[] = { 60, 60, 60, 60, 60, 60, 60, 60 };
	n = build_v6_chain(f, sizeof(f), eight, 8, 0, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	static const uint8_t nine[] = { 60, 60, 60, 60, 60, 60, 60, 60, 60 };
	n = build_v6_chain(f, sizeof(f), nine, 9, 0, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV6_EXT_TOO_MANY);

	/* An extension header longer than the datagram. */
	static const uint8_t one[] = { 60 };
	n = build_v6_chain(f, sizeof(f), one, 1, 0, 0);
	f[14 + 40 + 1] = 200;
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV6_EXT_TRUNC);
	/* A datagram that ends inside the first 8 bytes of one. */
	uint8_t g[TU_FRAME_MAX];
	struct tu_buf b = tu_buf_init(g, sizeof(g));
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, 60, "fd00::2", "fd00::3");
	tu_put(&b, "\x11\x00\x01\x02", 4);
	tu_ipv6_end(&b, ip);
	expect_malformed(run_full(&p, g, b.len, HAL_LINK_ETHERNET), CTR_DEC_IPV6_EXT_TRUNC);

	n = build_v6_chain(f, sizeof(f), NULL, 0, 0, 0);
	expect_malformed(run_full(&p, f, 14 + 39, HAL_LINK_ETHERNET), CTR_DEC_IPV6_TRUNC);
	tu_set16(f + 18, (uint16_t)(n - 54 + 1)); /* payload length beyond the frame */
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV6_BAD_LEN);
	/* jumbogram marker: payload length 0 with a hop-by-hop header */
	static const uint8_t hbh[] = { 0 };
	n = build_v6_chain(f, sizeof(f), hbh, 1, 0, 0);
	tu_set16(f + 18, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_IPV6_BAD_LEN);
}

/* ------------------------------------------------------------------ L4 --- */

/* An IPv4 datagram carrying @l4len bytes of @l4 as protocol @proto. */
static size_t build_v4_raw_l4(uint8_t *buf, size_t cap, uint8_t proto, const uint8_t *l4,
			      size_t l4len)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, proto, "10.1.0.2", "198.51.100.10");
	tu_put(&b, l4, l4len);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static void test_tcp(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	uint8_t seg[40] = { 0x10, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, TU_ACK };
	size_t n = build_v4_raw_l4(f, sizeof(f), 6, seg, 12);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_TCP_TRUNC);
	n = build_v4_raw_l4(f, sizeof(f), 6, seg, 20);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.sport, 4096);
	assert_int_equal(p.dport, 80);

	seg[12] = 0x40; /* data offset 4 */
	n = build_v4_raw_l4(f, sizeof(f), 6, seg, 20);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_TCP_BAD_HLEN);
	seg[12] = 0xf0; /* 60-byte header in a 40-byte segment */
	n = build_v4_raw_l4(f, sizeof(f), 6, seg, 40);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_TCP_TRUNC);
	seg[12] = 0x50;

	/* Snap length inside the TCP header: ports are not there. */
	n = tu_frame_tcp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, 0, 0, TU_ACK, payload,
			  PLEN);
	expect_malformed(run(&p, f, 14 + 20 + 10, (uint32_t)n, HAL_LINK_ETHERNET),
			 CTR_DEC_TCP_TRUNC);

	/* Impossible flag combinations and port 0 are counted, not dropped. */
	static const uint8_t bad_flags[] = { TCPF_SYN | TCPF_FIN, TCPF_SYN | TCPF_RST, 0,
					     TCPF_FIN | TCPF_PSH | 0x20 };
	for (size_t i = 0; i < sizeof(bad_flags); i++) {
		seg[13] = bad_flags[i];
		n = build_v4_raw_l4(f, sizeof(f), 6, seg, 20);
		expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
		assert_ctr(&g_st, DEC_TCP_BAD_FLAGS, 1);
	}
	seg[13] = TU_ACK;
	seg[0] = seg[1] = 0;
	n = build_v4_raw_l4(f, sizeof(f), 6, seg, 20);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_ctr(&g_st, DEC_TCP_BAD_PORT, 1);
	assert_ctr(&g_st, DEC_TCP_BAD_FLAGS, 0);
}

static void test_udp(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	uint8_t dg[40] = { 0x13, 0x88, 0x00, 0x35, 0x00, 0x28 };
	for (int i = 8; i < 40; i++)
		dg[i] = (uint8_t)i;

	size_t n = build_v4_raw_l4(f, sizeof(f), 17, dg, 6);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_UDP_TRUNC);
	n = build_v4_raw_l4(f, sizeof(f), 17, dg, 40);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.payload_len, 32);
	assert_ctr(&g_st, L4_UDP, 1);

	tu_set16(dg + 4, 4); /* below the header */
	n = build_v4_raw_l4(f, sizeof(f), 17, dg, 40);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_UDP_BAD_LEN);
	tu_set16(dg + 4, 41); /* beyond the IP datagram */
	n = build_v4_raw_l4(f, sizeof(f), 17, dg, 40);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_UDP_BAD_LEN);
	tu_set16(dg + 4, 20); /* shorter than the datagram: the rest is not payload */
	n = build_v4_raw_l4(f, sizeof(f), 17, dg, 40);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.payload_len, 12);

	/* Snap-cut: UDP says 40, 20 bytes captured, the wire had all of it. */
	tu_set16(dg + 4, 40);
	n = build_v4_raw_l4(f, sizeof(f), 17, dg, 40);
	expect_res(run(&p, f, 14 + 20 + 20, (uint32_t)n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.payload_len, 12);
	assert_true(p.flags & PKT_F_L4_TRUNC);
	expect_bounds(&p);

	/* IPv6: length 0 means "to the end" (jumbo rule). */
	n = tu_frame_udp6(f, sizeof(f), "fd00::2", 5000, "fd00::3", 53, dg + 8, 32);
	tu_set16(f + 14 + 40 + 4, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.payload_len, 32);
}

static void test_icmp(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = tu_frame_icmp4(f, sizeof(f), "10.1.0.2", "198.51.100.10", 8, 77, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_code, 0);
	assert_int_equal(p.payload_len, 4 + 8); /* id, seq and the data */
	assert_ctr(&g_st, L4_ICMP, 1);

	n = tu_frame_icmp6(f, sizeof(f), "fd00::2", "fd00::3", 129, 77, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.icmp_type, 129);
	assert_ctr(&g_st, L4_ICMPV6, 1);

	static const uint8_t three[3] = { 8, 0, 0 };
	n = build_v4_raw_l4(f, sizeof(f), 1, three, 3);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_ICMP_TRUNC);
	struct tu_buf b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, 58, "fd00::2", "fd00::3");
	tu_put(&b, three, 3);
	tu_ipv6_end(&b, ip);
	expect_malformed(run_full(&p, f, b.len, HAL_LINK_ETHERNET), CTR_DEC_ICMPV6_TRUNC);

	/* Other transports (ESP here): no ports, payload is the whole segment. */
	static const uint8_t esp[8] = { 0, 0, 0x10, 0x01, 0, 0, 0, 1 };
	n = build_v4_raw_l4(f, sizeof(f), 50, esp, sizeof(esp));
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.l4proto, 50);
	assert_int_equal(p.payload_off, p.l4_off);
	assert_int_equal(p.payload_len, 8);
	assert_int_equal(p.sport, 0);
	assert_ctr(&g_st, L4_OTHER, 1);
}

/* ------------------------------------------------------------- tunnels --- */

/* @levels IP-in-IP headers (4: IPv4 outer, 6: 6in4) around an inner UDP. */
static size_t build_tunnel(uint8_t *buf, size_t cap, const int *kinds, int levels)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	size_t ips[4];
	int ver[4];
	tu_eth(&b, 0x0800);
	for (int i = 0; i < levels; i++) {
		int next = i + 1 < levels ? kinds[i + 1] : 0;
		uint8_t proto = next == 6 ? 41 : next == 4 ? 4 : 17;
		int v = kinds[i];
		ver[i] = v;
		if (v == 4) {
			static const char *const s[] = { "192.0.2.1", "192.0.2.3", "192.0.2.5" };
			static const char *const d[] = { "192.0.2.2", "192.0.2.4", "192.0.2.6" };
			ips[i] = tu_ipv4_begin(&b, proto, s[i], d[i]);
		} else {
			ips[i] = tu_ipv6_begin(&b, proto, "fd00::2", "2001:db8::7");
		}
	}
	tu_udp(&b, ips[levels - 1], 4500, 4501, "inner", 5);
	for (int i = levels - 1; i >= 0; i--) {
		if (ver[i] == 4)
			tu_ipv4_end(&b, ips[i]);
		else
			tu_ipv6_end(&b, ips[i]);
	}
	return b.len;
}

static void test_tunnels(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	static const int ipip[] = { 4, 4 };
	size_t n = build_tunnel(f, sizeof(f), ipip, 2);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_true(p.flags & PKT_F_TUNNEL);
	static const uint8_t inner_src[4] = { 192, 0, 2, 3 };
	assert_memory_equal(p.src, inner_src, 4);
	assert_int_equal(p.l3_off, 14 + 20);
	assert_int_equal(p.sport, 4500);
	assert_int_equal(p.payload_len, 5);
	assert_ctr(&g_st, TUNNEL_IPIP, 1);
	assert_ctr(&g_st, L3_IPV4, 2);
	expect_bounds(&p);

	static const int six_in_four[] = { 4, 6 };
	n = build_tunnel(f, sizeof(f), six_in_four, 2);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.dport, 4501);
	assert_int_equal(p.l4_off, 14 + 20 + 40);

	static const int two[] = { 4, 4, 4 };
	n = build_tunnel(f, sizeof(f), two, 3);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_TUNNEL_TOO_DEEP);
	static const int two6[] = { 4, 6, 4 };
	n = build_tunnel(f, sizeof(f), two6, 3);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_TUNNEL_TOO_DEEP);

	/* The inner datagram may not claim bytes beyond the outer one, even when
	 * the frame has them (trailing padding). */
	uint8_t g[TU_FRAME_MAX];
	n = build_tunnel(g, sizeof(g), ipip, 2);
	memset(g + n, 0, 16);
	tu_set16(g + 14 + 20 + 2, (uint16_t)(n - 34 + 8));
	expect_malformed(run_full(&p, g, n + 16, HAL_LINK_ETHERNET), CTR_DEC_IPV4_BAD_LEN);
}

/* GRE (@gre_flags, @gre_proto) with @extra optional words, inner IPv4 UDP
 * (@inner 4), Ethernet (@inner 1) or PPP (@inner 3) frame. */
static size_t build_gre(uint8_t *buf, size_t cap, uint16_t gre_flags, uint16_t gre_proto,
			int extra, int inner)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t outer = tu_ipv4_begin(&b, 47, "192.0.2.1", "192.0.2.2");
	tu_put16(&b, gre_flags);
	tu_put16(&b, gre_proto);
	for (int i = 0; i < extra; i++)
		tu_put32(&b, 0x01020304u + (uint32_t)i);
	if (inner == 1)
		tu_eth(&b, 0x0800);
	if (inner == 3)
		tu_put(&b, "\xff\x03\x00\x21", 4);
	if (inner) {
		size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
		tu_udp(&b, ip, 6000, 6001, "gre", 3);
		tu_ipv4_end(&b, ip);
	}
	tu_ipv4_end(&b, outer);
	return b.len;
}

static void expect_inner_udp(const struct pkt *p)
{
	static const uint8_t src[4] = { 10, 1, 0, 2 };
	assert_true(p->flags & PKT_F_TUNNEL);
	assert_memory_equal(p->src, src, 4);
	assert_int_equal(p->sport, 6000);
	assert_int_equal(p->dport, 6001);
	assert_int_equal(p->payload_len, 3);
	expect_bounds(p);
}

static void test_gre(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_gre(f, sizeof(f), 0, 0x0800, 0, 4);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	assert_int_equal(p.l3_off, 14 + 20 + 4);
	assert_ctr(&g_st, TUNNEL_GRE, 1);

	/* checksum, key and sequence present: 12 more header bytes */
	n = build_gre(f, sizeof(f), 0xb000, 0x0800, 3, 4);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	assert_int_equal(p.l3_off, 14 + 20 + 16);

	/* transparent Ethernet bridging */
	n = build_gre(f, sizeof(f), 0x2000, 0x6558, 1, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);

	/* PPTP enhanced GRE (version 1, key present, sequence present), PPP inside */
	n = build_gre(f, sizeof(f), 0x3001, 0x880b, 2, 3);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	/* ... and an acknowledgement-only one, no payload */
	n = build_gre(f, sizeof(f), 0x2001, 0x880b, 1, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_false(p.flags & PKT_F_TUNNEL);
	assert_ctr(&g_st, L4_OTHER, 1);

	/* a protocol we do not decapsulate stays a GRE flow */
	n = build_gre(f, sizeof(f), 0, 0x88be, 0, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(p.l4proto, 47);
	assert_ctr(&g_st, L4_OTHER, 1);
	assert_ctr(&g_st, TUNNEL_GRE, 0);

	static const uint8_t three[3] = { 0, 0, 8 };
	n = build_v4_raw_l4(f, sizeof(f), 47, three, 3);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_GRE_TRUNC);
	/* key flag set but the key is not there */
	n = build_gre(f, sizeof(f), 0x2000, 0x0800, 0, 0);
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_GRE_TRUNC);

	/* GRE inside IP-in-IP: a tunnel in a tunnel */
	struct tu_buf b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x0800);
	size_t o = tu_ipv4_begin(&b, 4, "192.0.2.9", "192.0.2.10");
	size_t i = tu_ipv4_begin(&b, 47, "192.0.2.1", "192.0.2.2");
	tu_put32(&b, 0x00000800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 6000, 6001, "gre", 3);
	tu_ipv4_end(&b, ip);
	tu_ipv4_end(&b, i);
	tu_ipv4_end(&b, o);
	expect_malformed(run_full(&p, f, b.len, HAL_LINK_ETHERNET), CTR_DEC_TUNNEL_TOO_DEEP);
}

static size_t build_vxlan(uint8_t *buf, size_t cap, uint8_t vx_flags)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t outer = tu_ipv4_begin(&b, 17, "192.0.2.1", "192.0.2.2");
	size_t u = b.len;
	tu_put(&b, NULL, 8); /* UDP header, filled below */
	tu_put8(&b, vx_flags);
	tu_put(&b, NULL, 3);
	tu_put32(&b, 0x00123400); /* VNI 0x1234 */
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 6000, 6001, "gre", 3);
	tu_ipv4_end(&b, ip);
	tu_set16(b.p + u, 49152);
	tu_set16(b.p + u + 2, 4789);
	tu_set16(b.p + u + 4, (uint16_t)(b.len - u));
	tu_ipv4_end(&b, outer);
	return b.len;
}

static size_t build_gtpu(uint8_t *buf, size_t cap, uint8_t gtp_flags, int ext_units)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t outer = tu_ipv4_begin(&b, 17, "192.0.2.1", "192.0.2.2");
	size_t u = b.len;
	tu_put(&b, NULL, 8);
	size_t g = b.len;
	tu_put8(&b, gtp_flags);
	tu_put8(&b, 0xff); /* G-PDU */
	uint8_t *glen = tu_put(&b, NULL, 2);
	tu_put32(&b, 0x0000abcd); /* TEID */
	if (gtp_flags & 7) {
		tu_put(&b, NULL, 3); /* sequence, N-PDU */
		tu_put8(&b, ext_units ? 0x85 : 0);
		if (ext_units) {
			uint8_t *e = tu_put(&b, NULL, 4u * (unsigned)ext_units);
			e[0] = (uint8_t)ext_units;
			e[4 * ext_units - 1] = 0; /* no further extension */
		}
	}
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 6000, 6001, "gre", 3);
	tu_ipv4_end(&b, ip);
	tu_set16(glen, (uint16_t)(b.len - g - 8));
	tu_set16(b.p + u, 2152);
	tu_set16(b.p + u + 2, 2152);
	tu_set16(b.p + u + 4, (uint16_t)(b.len - u));
	tu_ipv4_end(&b, outer);
	return b.len;
}

static void test_vxlan_gtpu(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct pkt p;
	size_t n = build_vxlan(f, sizeof(f), 0x08);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 8 + 14);
	assert_ctr(&g_st, TUNNEL_VXLAN, 1);
	/* Without the I flag it is plain UDP to port 4789. */
	n = build_vxlan(f, sizeof(f), 0x00);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	assert_false(p.flags & PKT_F_TUNNEL);
	assert_int_equal(p.dport, 4789);
	assert_ctr(&g_st, TUNNEL_VXLAN, 0);

	n = build_gtpu(f, sizeof(f), 0x30, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 8);
	assert_ctr(&g_st, TUNNEL_GTPU, 1);
	/* sequence flag and one extension header (PDU session container) */
	n = build_gtpu(f, sizeof(f), 0x34, 1);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	expect_inner_udp(&p);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 12 + 4);
	/* an extension header of length 0 cannot be walked */
	n = build_gtpu(f, sizeof(f), 0x34, 1);
	f[14 + 20 + 8 + 12] = 0;
	expect_malformed(run_full(&p, f, n, HAL_LINK_ETHERNET), CTR_DEC_GTPU_TRUNC);
	/* optional fields announced, datagram too short for them */
	struct tu_buf b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x0800);
	size_t o = tu_ipv4_begin(&b, 17, "192.0.2.1", "192.0.2.2");
	tu_udp(&b, o, 2152, 2152, "\x32\xff\x00\x00\x00\x00\xab\xcd\x00", 9);
	tu_ipv4_end(&b, o);
	expect_malformed(run_full(&p, f, b.len, HAL_LINK_ETHERNET), CTR_DEC_GTPU_TRUNC);
}

static void test_pair_hash_symmetric(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX], g[TU_FRAME_MAX];
	struct pkt p, q;
	size_t n = tu_frame_tcp6(f, sizeof(f), "fd00::2", 1, "2001:db8::1", 2, 0, 0, TU_SYN, NULL,
				 0);
	size_t m = tu_frame_tcp6(g, sizeof(g), "2001:db8::1", 2, "fd00::2", 1, 0, 0,
				 TU_SYN | TU_ACK, NULL, 0);
	expect_res(run_full(&p, f, n, HAL_LINK_ETHERNET), DECODE_OK);
	uint32_t h1 = decode_pair_hash(&p);
	expect_res(run_full(&q, g, m, HAL_LINK_ETHERNET), DECODE_OK);
	assert_int_equal(decode_pair_hash(&q), h1);
	q.dst[15] ^= 1;
	assert_int_not_equal(decode_pair_hash(&q), h1);
}

/* ------------------------------------------------ every prefix, mutations --- */

struct sample {
	const char *name;
	uint8_t link;
	uint8_t encap; /* a tunnel that degrades to its outer flow when cut */
	uint8_t f[TU_FRAME_MAX];
	size_t len;
};

static size_t sample_tcp_v4(uint8_t *f)
{
	return tu_frame_tcp4(f, TU_FRAME_MAX, "10.1.0.2", 40000, "198.51.100.10", 80, 1, 1,
			     TU_ACK | TU_PSH, payload, PLEN);
}

static void make_samples(struct sample *s, unsigned *n)
{
	static const uint8_t ppp_hdr[] = { 0xff, 0x03, 0x00, 0x21 };
	static const uint8_t chdlc[] = { 0x0f, 0x00, 0x08, 0x00 };
	static const uint8_t null_fam[4] = { 2, 0, 0, 0 };
	static const uint8_t good_opts[12] = { 1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t chain[] = { 0, 43, 60, 44 };
	static const int ipip[] = { 4, 4 }, six4[] = { 4, 6 };
	unsigned i = 0;
#define ADD(nm, lk, expr)                                                  \
	do {                                                               \
		s[i].name = nm;                                            \
		s[i].link = lk;                                            \
		s[i].len = (expr);                                         \
		s[i].encap = strstr(nm, "gre") || strstr(nm, "vxlan") ||   \
			     strstr(nm, "gtpu");                           \
		i++;                                                       \
	} while (0)
	ADD("eth/ipv4/tcp", HAL_LINK_ETHERNET, sample_tcp_v4(s[i].f));
	ADD("eth/ipv4/tcp-syn-options", HAL_LINK_ETHERNET,
	    (memcpy(s[i].f, syn_frame, sizeof(syn_frame)), sizeof(syn_frame)));
	ADD("eth/ipv4-options/tcp", HAL_LINK_ETHERNET,
	    build_v4_opts(s[i].f, TU_FRAME_MAX, good_opts, sizeof(good_opts)));
	ADD("eth/qinq/ipv4/udp", HAL_LINK_ETHERNET, build_vlan(s[i].f, TU_FRAME_MAX, 2));
	ADD("eth/pppoe/ipv6/udp", HAL_LINK_ETHERNET, build_pppoe(s[i].f, TU_FRAME_MAX, 0x57, 1));
	ADD("eth/mpls/ipv4/tcp", HAL_LINK_ETHERNET, build_mpls(s[i].f, TU_FRAME_MAX, 2, 1, 4));
	ADD("eth/ipv6-ext/udp", HAL_LINK_ETHERNET,
	    build_v6_chain(s[i].f, TU_FRAME_MAX, chain, 3, 0, 0));
	ADD("eth/ipv6-ext/fragment", HAL_LINK_ETHERNET,
	    build_v6_chain(s[i].f, TU_FRAME_MAX, chain, 4, 0, 1));
	ADD("eth/ipv6/icmpv6", HAL_LINK_ETHERNET,
	    tu_frame_icmp6(s[i].f, TU_FRAME_MAX, "fd00::2", "fd00::3", 128, 1, 1));
	ADD("eth/ipv4/icmp", HAL_LINK_ETHERNET,
	    tu_frame_icmp4(s[i].f, TU_FRAME_MAX, "10.1.0.2", "10.1.0.3", 8, 1, 1));
	ADD("eth/ipv4/ipv4/udp", HAL_LINK_ETHERNET, build_tunnel(s[i].f, TU_FRAME_MAX, ipip, 2));
	ADD("eth/ipv4/ipv6/udp", HAL_LINK_ETHERNET, build_tunnel(s[i].f, TU_FRAME_MAX, six4, 2));
	ADD("sll/ipv4/udp", HAL_LINK_SLL, build_cooked(s[i].f, TU_FRAME_MAX, 0, 0x0800));
	ADD("sll2/ipv4/udp", HAL_LINK_SLL2, build_cooked(s[i].f, TU_FRAME_MAX, 1, 0x0800));
	ADD("null/ipv4/tcp", HAL_LINK_NULL, build_null(s[i].f, TU_FRAME_MAX, null_fam, 0));
	ADD("ppp/ipv4/udp", HAL_LINK_PPP, build_ppp(s[i].f, TU_FRAME_MAX, ppp_hdr, 4, 0));
	ADD("chdlc/ipv4/udp", HAL_LINK_CHDLC, build_ppp(s[i].f, TU_FRAME_MAX, chdlc, 4, 0));
	ADD("ppi/eth/ipv4/udp", HAL_LINK_PPI, build_ppi(s[i].f, TU_FRAME_MAX, 1, 16));
	ADD("eth/ipv4/gre/ipv4/udp", HAL_LINK_ETHERNET,
	    build_gre(s[i].f, TU_FRAME_MAX, 0xb000, 0x0800, 3, 4));
	ADD("eth/ipv4/gre/eth/ipv4/udp", HAL_LINK_ETHERNET,
	    build_gre(s[i].f, TU_FRAME_MAX, 0, 0x6558, 0, 1));
	ADD("eth/ipv4/pptp-gre/ppp/ipv4/udp", HAL_LINK_ETHERNET,
	    build_gre(s[i].f, TU_FRAME_MAX, 0x3001, 0x880b, 2, 3));
	ADD("eth/ipv4/udp/vxlan/eth/ipv4/udp", HAL_LINK_ETHERNET,
	    build_vxlan(s[i].f, TU_FRAME_MAX, 0x08));
	ADD("eth/ipv4/udp/gtpu/ipv4/udp", HAL_LINK_ETHERNET,
	    build_gtpu(s[i].f, TU_FRAME_MAX, 0x34, 1));
#undef ADD
	*n = i;
}

#define MAX_SAMPLES 24

/*
 * Every prefix of every valid frame. Cut on the wire (caplen = wire length =
 * L < full): always MALFORMED, with exactly one named counter. Cut by the
 * snap length (wire length = full): MALFORMED while the transport header is
 * incomplete, then OK from exactly the byte where the full decode's payload
 * starts, with the truncation flag set and the payload length what is left.
 */
static void test_every_prefix(void **state)
{
	(void)state;
	static struct sample s[MAX_SAMPLES];
	unsigned ns;
	make_samples(s, &ns);
	for (unsigned k = 0; k < ns; k++) {
		struct pkt full, p;
		enum decode_result want = run_full(&full, s[k].f, s[k].len, s[k].link);
		if (want != DECODE_OK && want != DECODE_FRAGMENT)
			fail_msg("%s: the sample itself does not decode (%s)", s[k].name,
				 res_name(want));
		uint32_t need = want == DECODE_OK ? full.payload_off : full.frag_hdr_end;
		for (uint32_t L = 0; L < s[k].len; L++) {
			enum decode_result r = run(&p, s[k].f, L, L, s[k].link);
			if (r != DECODE_MALFORMED || error_ctrs(&g_st, NULL) != 1)
				fail_msg("%s cut on the wire at %u/%zu: %s, %llu error counts",
					 s[k].name, L, s[k].len, res_name(r),
					 (unsigned long long)error_ctrs(&g_st, NULL));
			r = run(&p, s[k].f, L, (uint32_t)s[k].len, s[k].link);
			/* A UDP or GRE encapsulation whose inner header was not
			 * captured is the outer flow (snap length, not malformed). */
			if (L < need && s[k].encap && r == DECODE_OK &&
			    !(p.flags & PKT_F_TUNNEL) && error_ctrs(&g_st, NULL) == 0) {
				expect_bounds(&p);
				continue;
			}
			if (L < need) {
				if (r != DECODE_MALFORMED || error_ctrs(&g_st, NULL) != 1)
					fail_msg("%s snap-cut at %u (headers end at %u): %s",
						 s[k].name, L, need, res_name(r));
				continue;
			}
			if (r != want || error_ctrs(&g_st, NULL) != 0)
				fail_msg("%s snap-cut at %u (headers end at %u): %s, want %s",
					 s[k].name, L, need, res_name(r), res_name(want));
			if (want == DECODE_OK) {
				assert_true(p.flags & PKT_F_L4_TRUNC);
				assert_int_equal(p.payload_off, full.payload_off);
				assert_int_equal(p.payload_len, L - full.payload_off);
				assert_int_equal(p.sport, full.sport);
				assert_int_equal(p.dport, full.dport);
				expect_bounds(&p);
			}
		}
	}
}

/*
 * Hostile bytes: every byte of every sample set to 0x00, 0xff, flipped high
 * bit, +1. Whatever comes out, the contract holds: MALFORMED with exactly one
 * named counter, anything else with none, and in-bounds offsets when OK.
 */
static void test_mutations(void **state)
{
	(void)state;
	static struct sample s[MAX_SAMPLES];
	unsigned ns;
	make_samples(s, &ns);
	unsigned counts[5] = { 0 };
	for (unsigned k = 0; k < ns; k++) {
		for (size_t i = 0; i < s[k].len; i++) {
			uint8_t orig = s[k].f[i];
			const uint8_t vals[4] = { 0x00, 0xff, (uint8_t)(orig ^ 0x80),
						  (uint8_t)(orig + 1) };
			for (int v = 0; v < 4; v++) {
				s[k].f[i] = vals[v];
				struct pkt p;
				enum decode_result r = run_full(&p, s[k].f, s[k].len, s[k].link);
				assert_true((unsigned)r < 5);
				counts[r]++;
				uint64_t e = error_ctrs(&g_st, NULL);
				if ((r == DECODE_MALFORMED) != (e == 1) || e > 1)
					fail_msg("%s byte %zu = 0x%02x: %s with %llu error counts",
						 s[k].name, i, vals[v], res_name(r),
						 (unsigned long long)e);
				if (r == DECODE_OK)
					expect_bounds(&p);
			}
			s[k].f[i] = orig;
		}
	}
	/* The mutations reach both outcomes (the loop is not vacuous). */
	assert_true(counts[DECODE_OK] > 100);
	assert_true(counts[DECODE_MALFORMED] > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_eth_ipv4_tcp_syn, teardown),
		cmocka_unit_test_teardown(test_eth_truncated_and_non_ip, teardown),
		cmocka_unit_test_teardown(test_vlan_qinq, teardown),
		cmocka_unit_test_teardown(test_pppoe, teardown),
		cmocka_unit_test_teardown(test_mpls, teardown),
		cmocka_unit_test_teardown(test_sll_sll2, teardown),
		cmocka_unit_test_teardown(test_null_loop, teardown),
		cmocka_unit_test_teardown(test_ppp_chdlc, teardown),
		cmocka_unit_test_teardown(test_ppi_radiotap, teardown),
		cmocka_unit_test_teardown(test_raw_ip, teardown),
		cmocka_unit_test_teardown(test_ipv4_options, teardown),
		cmocka_unit_test_teardown(test_ipv4_bad_header, teardown),
		cmocka_unit_test_teardown(test_ipv4_snap_vs_wire_truncation, teardown),
		cmocka_unit_test_teardown(test_ipv4_fragments, teardown),
		cmocka_unit_test_teardown(test_ipv6_ext_chain, teardown),
		cmocka_unit_test_teardown(test_ipv6_ext_errors, teardown),
		cmocka_unit_test_teardown(test_tcp, teardown),
		cmocka_unit_test_teardown(test_udp, teardown),
		cmocka_unit_test_teardown(test_icmp, teardown),
		cmocka_unit_test_teardown(test_tunnels, teardown),
		cmocka_unit_test_teardown(test_gre, teardown),
		cmocka_unit_test_teardown(test_vxlan_gtpu, teardown),
		cmocka_unit_test_teardown(test_pair_hash_symmetric, teardown),
		cmocka_unit_test_teardown(test_every_prefix, teardown),
		cmocka_unit_test_teardown(test_mutations, teardown),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
