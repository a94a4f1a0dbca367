/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_util: helpers shared by the cmocka unit tests.
 *
 * Frame builders write into a buffer the caller owns (struct tu_buf over a
 * stack array); a write past its capacity fails the running test instead of
 * overflowing. Layers are appended in wire order: tu_eth(), tu_vlan(),
 * tu_ipv4_begin() ... payload ... tu_ipv4_end(). Checksums are computed
 * (IPv4 header, TCP/UDP/ICMPv6 pseudo-header) so frames are valid on the
 * wire, even though the firmware does not verify them.
 *
 * Owner:      the test; nothing here allocates.
 * Thread:     the test's.
 * Errors:     a builder misuse calls fail_msg() (the test fails).
 */
#ifndef SEGW_TESTS_TEST_UTIL_H
#define SEGW_TESTS_TEST_UTIL_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define TU_FRAME_MAX 2048

struct tu_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
};

static inline struct tu_buf tu_buf_init(uint8_t *p, size_t cap)
{
	struct tu_buf b = { p, cap, 0 };
	return b;
}

/* tu_put - append @n bytes of @src (NULL: zeros); returns where they went. */
static inline uint8_t *tu_put(struct tu_buf *b, const void *src, size_t n)
{
	if (n > b->cap - b->len)
		fail_msg("test frame overflows its buffer (%zu + %zu > %zu)", b->len, n, b->cap);
	uint8_t *d = b->p + b->len;
	if (src)
		memcpy(d, src, n);
	else
		memset(d, 0, n);
	b->len += n;
	return d;
}

static inline void tu_put8(struct tu_buf *b, uint8_t v) { tu_put(b, &v, 1); }
static inline void tu_put16(struct tu_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	tu_put(b, x, 2);
}
static inline void tu_put32(struct tu_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	tu_put(b, x, 4);
}
static inline void tu_set16(uint8_t *at, uint16_t v)
{
	at[0] = (uint8_t)(v >> 8);
	at[1] = (uint8_t)v;
}
static inline uint16_t tu_get16(const uint8_t *at) { return (uint16_t)((at[0] << 8) | at[1]); }

/* Addresses from text; the test fails on a typo. */
static inline void tu_addr4(const char *s, uint8_t out[4])
{
	if (inet_pton(AF_INET, s, out) != 1)
		fail_msg("bad IPv4 literal in test: %s", s);
}
static inline void tu_addr6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		fail_msg("bad IPv6 literal in test: %s", s);
}

/* --- checksums (RFC 1071) ------------------------------------------------ */

static inline uint32_t tu_sum(uint32_t s, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)((d[i] << 8) | d[i + 1]);
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}
static inline uint16_t tu_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
static inline uint16_t tu_csum(const uint8_t *d, size_t n) { return tu_fold(tu_sum(0, d, n)); }

/* Checksum of a transport segment @l4 (@n bytes) under the IP header @ip. */
static inline uint16_t tu_l4_csum(const uint8_t *ip, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint32_t s = 0;
	if ((ip[0] >> 4) == 4) {
		s = tu_sum(s, ip + 12, 8);
	} else {
		s = tu_sum(s, ip + 8, 32);
		s += (uint32_t)(n >> 16);
	}
	s += proto;
	s += (uint32_t)(n & 0xffff);
	s = tu_sum(s, l4, n);
	uint16_t c = tu_fold(s);
	return (proto == 17 && c == 0) ? 0xffff : c;
}

/* --- link layers ----------------------------------------------------------- */

static const uint8_t tu_mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t tu_mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static inline void tu_eth(struct tu_buf *b, uint16_t type)
{
	tu_put(b, tu_mac_b, 6);
	tu_put(b, tu_mac_a, 6);
	tu_put16(b, type);
}

/* An 802.1Q/802.1ad tag body (after the TPID): VLAN id, then the next type. */
static inline void tu_vlan(struct tu_buf *b, uint16_t vid, uint16_t next_type)
{
	tu_put16(b, vid & 0x0fff);
	tu_put16(b, next_type);
}

/* Linux cooked v1 (16 bytes) and v2 (20 bytes) headers. */
static inline void tu_sll(struct tu_buf *b, uint16_t proto)
{
	tu_put16(b, 0);     /* packet type: to us */
	tu_put16(b, 1);     /* ARPHRD_ETHER */
	tu_put16(b, 6);     /* address length */
	tu_put(b, tu_mac_a, 6);
	tu_put16(b, 0);     /* address padding */
	tu_put16(b, proto);
}
static inline void tu_sll2(struct tu_buf *b, uint16_t proto)
{
	tu_put16(b, proto);
	tu_put16(b, 0);     /* reserved */
	tu_put32(b, 2);     /* interface index */
	tu_put16(b, 1);     /* ARPHRD_ETHER */
	tu_put8(b, 0);      /* packet type */
	tu_put8(b, 6);      /* address length */
	tu_put(b, tu_mac_a, 6);
	tu_put16(b, 0);
}

/* --- IP -------------------------------------------------------------------- */

/*
 * tu_ipv4_begin - an IPv4 header with @opt_len bytes of @opts (a multiple of
 * 4); returns its offset for tu_ipv4_end(). Fragment fields: @frag is the
 * raw flags+offset word (0x2000 = more fragments, low 13 bits in 8-byte units).
 */
static inline size_t tu_ipv4_begin_ex(struct tu_buf *b, uint8_t proto, const char *src,
				      const char *dst, uint16_t id, uint16_t frag,
				      const uint8_t *opts, size_t opt_len)
{
	if (opt_len % 4 || opt_len > 40)
		fail_msg("IPv4 options must be a multiple of 4 bytes, at most 40");
	size_t off = b->len;
	uint8_t *h = tu_put(b, NULL, 20);
	h[0] = (uint8_t)(0x40 | ((20 + opt_len) / 4));
	tu_set16(h + 4, id);
	tu_set16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	tu_addr4(src, h + 12);
	tu_addr4(dst, h + 16);
	if (opt_len)
		tu_put(b, opts, opt_len);
	return off;
}
static inline size_t tu_ipv4_begin(struct tu_buf *b, uint8_t proto, const char *src,
				   const char *dst)
{
	return tu_ipv4_begin_ex(b, proto, src, dst, 0x1234, 0, NULL, 0);
}
/* tu_ipv4_end - set total length (to the end of the buffer) and checksum. */
static inline void tu_ipv4_end(struct tu_buf *b, size_t off)
{
	uint8_t *h = b->p + off;
	size_t hl = (size_t)(h[0] & 0x0f) * 4;
	tu_set16(h + 2, (uint16_t)(b->len - off));
	tu_set16(h + 10, 0);
	tu_set16(h + 10, tu_csum(h, hl));
}

static inline size_t tu_ipv6_begin(struct tu_buf *b, uint8_t next, const char *src,
				   const char *dst)
{
	size_t off = b->len;
	uint8_t *h = tu_put(b, NULL, 40);
	h[0] = 0x60;
	h[6] = next;
	h[7] = 64;
	tu_addr6(src, h + 8);
	tu_addr6(dst, h + 24);
	return off;
}
/* tu_ipv6_end - set the payload length to the end of the buffer. */
static inline void tu_ipv6_end(struct tu_buf *b, size_t off)
{
	tu_set16(b->p + off + 4, (uint16_t)(b->len - off - 40));
}

/* An IPv6 extension header of (@units + 1) * 8 bytes (HBH, routing, dest). */
static inline void tu_ipv6_ext(struct tu_buf *b, uint8_t next, uint8_t units)
{
	uint8_t *e = tu_put(b, NULL, ((size_t)units + 1) * 8);
	e[0] = next;
	e[1] = units;
	if (units == 0) { /* a PadN option filling the header */
		e[2] = 1;
		e[3] = 4;
	}
}
/* An IPv6 fragment header: @off_bytes (multiple of 8), @more, @id. */
static inline void tu_ipv6_frag(struct tu_buf *b, uint8_t next, uint32_t off_bytes, int more,
				uint32_t id)
{
	tu_put8(b, next);
	tu_put8(b, 0);
	tu_put16(b, (uint16_t)((off_bytes & 0xfff8) | (more ? 1 : 0)));
	tu_put32(b, id);
}

/* --- transport ------------------------------------------------------------- */

#define TU_FIN 0x01
#define TU_SYN 0x02
#define TU_RST 0x04
#define TU_PSH 0x08
#define TU_ACK 0x10

/* tu_tcp - a 20-byte TCP header and @plen bytes of payload, under the IP
 * header at @ip_off (checksum over the pseudo-header). */
static inline void tu_tcp(struct tu_buf *b, size_t ip_off, uint16_t sport, uint16_t dport,
			  uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
			  size_t plen)
{
	size_t off = b->len;
	uint8_t *h = tu_put(b, NULL, 20);
	tu_set16(h, sport);
	tu_set16(h + 2, dport);
	h[4] = (uint8_t)(seq >> 24);
	h[5] = (uint8_t)(seq >> 16);
	h[6] = (uint8_t)(seq >> 8);
	h[7] = (uint8_t)seq;
	h[8] = (uint8_t)(ack >> 24);
	h[9] = (uint8_t)(ack >> 16);
	h[10] = (uint8_t)(ack >> 8);
	h[11] = (uint8_t)ack;
	h[12] = 5 << 4;
	h[13] = flags;
	tu_set16(h + 14, 65535);
	if (plen)
		tu_put(b, payload, plen);
	uint8_t *t = b->p + off;
	tu_set16(t + 16, tu_l4_csum(b->p + ip_off, 6, t, b->len - off));
}

static inline void tu_udp(struct tu_buf *b, size_t ip_off, uint16_t sport, uint16_t dport,
			  const void *payload, size_t plen)
{
	size_t off = b->len;
	uint8_t *h = tu_put(b, NULL, 8);
	tu_set16(h, sport);
	tu_set16(h + 2, dport);
	tu_set16(h + 4, (uint16_t)(8 + plen));
	if (plen)
		tu_put(b, payload, plen);
	uint8_t *u = b->p + off;
	tu_set16(u + 6, tu_l4_csum(b->p + ip_off, 17, u, b->len - off));
}

/* An ICMP (@v6 0) or ICMPv6 echo: @type, @id, @seq, @dlen bytes of @data; the
 * ICMPv6 checksum uses the IPv6 header at @ip_off. */
static inline void tu_icmp_echo(struct tu_buf *b, size_t ip_off, int v6, uint8_t type,
				uint16_t id, uint16_t seq, const void *data, size_t dlen)
{
	size_t off = b->len;
	uint8_t *h = tu_put(b, NULL, 8);
	h[0] = type;
	tu_set16(h + 4, id);
	tu_set16(h + 6, seq);
	if (dlen)
		tu_put(b, data, dlen);
	uint8_t *m = b->p + off;
	uint16_t c = v6 ? tu_l4_csum(b->p + ip_off, 58, m, b->len - off)
			: tu_csum(m, b->len - off);
	tu_set16(m + 2, c);
}

/* --- whole Ethernet frames --------------------------------------------------- */

/* Ethernet + IPv4 + TCP; returns the frame length. */
static inline size_t tu_frame_tcp4(uint8_t *buf, size_t cap, const char *src, uint16_t sport,
				   const char *dst, uint16_t dport, uint32_t seq, uint32_t ack,
				   uint8_t flags, const void *payload, size_t plen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 6, src, dst);
	tu_tcp(&b, ip, sport, dport, seq, ack, flags, payload, plen);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static inline size_t tu_frame_udp4(uint8_t *buf, size_t cap, const char *src, uint16_t sport,
				   const char *dst, uint16_t dport, const void *payload,
				   size_t plen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, src, dst);
	tu_udp(&b, ip, sport, dport, payload, plen);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static inline size_t tu_frame_tcp6(uint8_t *buf, size_t cap, const char *src, uint16_t sport,
				   const char *dst, uint16_t dport, uint32_t seq, uint32_t ack,
				   uint8_t flags, const void *payload, size_t plen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, 6, src, dst);
	tu_tcp(&b, ip, sport, dport, seq, ack, flags, payload, plen);
	tu_ipv6_end(&b, ip);
	return b.len;
}

static inline size_t tu_frame_udp6(uint8_t *buf, size_t cap, const char *src, uint16_t sport,
				   const char *dst, uint16_t dport, const void *payload,
				   size_t plen)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, 17, src, dst);
	tu_udp(&b, ip, sport, dport, payload, plen);
	tu_ipv6_end(&b, ip);
	return b.len;
}

/* ICMP echo request (8) / reply (0) over IPv4, or ICMPv6 128 / 129 over IPv6. */
static inline size_t tu_frame_icmp4(uint8_t *buf, size_t cap, const char *src, const char *dst,
				    uint8_t type, uint16_t id, uint16_t seq)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 1, src, dst);
	tu_icmp_echo(&b, ip, 0, type, id, seq, "pingpong", 8);
	tu_ipv4_end(&b, ip);
	return b.len;
}

static inline size_t tu_frame_icmp6(uint8_t *buf, size_t cap, const char *src, const char *dst,
				    uint8_t type, uint16_t id, uint16_t seq)
{
	struct tu_buf b = tu_buf_init(buf, cap);
	tu_eth(&b, 0x86dd);
	size_t ip = tu_ipv6_begin(&b, 58, src, dst);
	tu_icmp_echo(&b, ip, 1, type, id, seq, "pingpong", 8);
	tu_ipv6_end(&b, ip);
	return b.len;
}

/* --- counters ---------------------------------------------------------------- */

/*
 * assert_ctr - counter CTR_<id> of stats block @blk equals @want; a failure
 * names the counter by its stable name. Needs stats/counters.h and segw_fw.
 */
#define assert_ctr(blk, id, want)                                                          \
	do {                                                                               \
		unsigned long long got_ = (unsigned long long)(blk)->c[CTR_##id];          \
		unsigned long long want_ = (unsigned long long)(want);                     \
		if (got_ != want_)                                                         \
			fail_msg("counter %s = %llu, expected %llu", stats_ctr_name(CTR_##id), \
				 got_, want_);                                             \
	} while (0)

#endif
