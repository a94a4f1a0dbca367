// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/flow: bidirectional lookup, who the client is, TCP
 * state, per-class idle expiry, port reuse, and the full-table policies.
 */
#include <stdlib.h>

#include "test_util.h"

#include "pipeline/decode.h"
#include "pipeline/flow.h"
#include "segw/hal/pktbuf.h"
#include "stats/counters.h"

#define SEC 1000000000ull
#define T0 (1700000000ull * SEC)

static struct stats_block st;

struct ended {
	uint64_t id;
	enum flow_end_reason why;
	uint8_t proto;
	uint8_t tcp_state;
	uint16_t cport, sport;
};
static struct ended ends[64];
static unsigned n_ends;

static void on_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	(void)ctx;
	assert_true(n_ends < 64);
	assert_true(f->in_use);
	ends[n_ends].id = f->id;
	ends[n_ends].why = why;
	ends[n_ends].proto = f->key.proto;
	ends[n_ends].tcp_state = f->tcp_state;
	ends[n_ends].cport = flow_client_port(f);
	ends[n_ends].sport = flow_server_port(f);
	n_ends++;
}

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	n_ends = 0;
	return 0;
}

static struct flow_table *table(uint32_t slots, enum flow_full_policy pol)
{
	struct flow_table_cfg c = { .slots = slots, .full_policy = pol };
	struct flow_table *t = flow_table_create(&c, on_end, NULL);
	assert_non_null(t);
	return t;
}

static struct pkt pk; /* the last packet looked up */

static enum flow_result look(struct flow_table *t, const uint8_t *f, size_t n, uint64_t ts)
{
	struct stats_block dst;
	memset(&pk, 0, sizeof(pk));
	pk.ts_ns = ts;
	assert_int_equal(decode_frame(&pk, f, (uint32_t)n, (uint32_t)n, HAL_LINK_ETHERNET, &dst),
			 DECODE_OK);
	return flow_lookup(t, &pk, &st);
}

static int is_v6(const char *a) { return strchr(a, ':') != NULL; }

static enum flow_result tcp(struct flow_table *t, const char *src, uint16_t sp, const char *dst,
			    uint16_t dp, uint8_t flags, size_t plen, uint64_t ts)
{
	uint8_t f[TU_FRAME_MAX], data[512] = { 0 };
	assert_true(plen <= sizeof(data));
	size_t n = is_v6(src) ? tu_frame_tcp6(f, sizeof(f), src, sp, dst, dp, 1, 1, flags, data, plen)
			      : tu_frame_tcp4(f, sizeof(f), src, sp, dst, dp, 1, 1, flags, data, plen);
	return look(t, f, n, ts);
}

static enum flow_result udp(struct flow_table *t, const char *src, uint16_t sp, const char *dst,
			    uint16_t dp, size_t plen, uint64_t ts)
{
	uint8_t f[TU_FRAME_MAX], data[512] = { 0 };
	assert_true(plen <= sizeof(data));
	size_t n = is_v6(src) ? tu_frame_udp6(f, sizeof(f), src, sp, dst, dp, data, plen)
			      : tu_frame_udp4(f, sizeof(f), src, sp, dst, dp, data, plen);
	return look(t, f, n, ts);
}

static enum flow_result icmp(struct flow_table *t, const char *src, const char *dst,
			     uint8_t type, uint64_t ts)
{
	uint8_t f[TU_FRAME_MAX];
	size_t n = is_v6(src) ? tu_frame_icmp6(f, sizeof(f), src, dst, type, 9, 1)
			      : tu_frame_icmp4(f, sizeof(f), src, dst, type, 9, 1);
	return look(t, f, n, ts);
}

/* An ESP packet: the "other" timeout class, no ports. */
static enum flow_result esp(struct flow_table *t, const char *src, const char *dst, uint64_t ts)
{
	uint8_t f[TU_FRAME_MAX];
	struct tu_buf b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 50, src, dst);
	tu_put32(&b, 0x1000);
	tu_put32(&b, 1);
	tu_ipv4_end(&b, ip);
	return look(t, f, b.len, ts);
}

static struct flow *cur(void)
{
	assert_non_null(pk.flow);
	return pk.flow;
}

static void expect_client(const struct flow *f, const char *ip, uint16_t port)
{
	uint8_t a[16] = { 0 };
	if (is_v6(ip))
		tu_addr6(ip, a);
	else
		tu_addr4(ip, a);
	assert_memory_equal(flow_client_ip(f), a, is_v6(ip) ? 16 : 4);
	assert_int_equal(flow_client_port(f), port);
}

static void test_sizes_and_create(void **state)
{
	(void)state;
	assert_true(sizeof(struct flow) <= 256);
	assert_true(FLOW_BYTES_PER_SLOT <= 264);
	struct flow_table_cfg c = { .slots = 0 };
	assert_null(flow_table_create(&c, NULL, NULL));
	assert_null(flow_table_create(NULL, NULL, NULL));
	struct flow_table *t = table(3, FLOW_FULL_EVICT);
	assert_int_equal(flow_table_slots(t), 3);
	assert_int_equal(flow_table_active(t), 0);
	flow_table_destroy(t);
}

static void test_bidirectional(void **state)
{
	(void)state;
	struct flow_table *t = table(64, FLOW_FULL_EVICT);
	assert_int_equal(udp(t, "10.1.0.2", 5353, "198.51.100.10", 53, 30, T0), FLOW_CREATED);
	struct flow *f = cur();
	uint64_t id = f->id;
	size_t len_q = 14 + 20 + 8 + 30;
	assert_int_equal(pk.dir, 0);
	assert_int_equal(udp(t, "198.51.100.10", 53, "10.1.0.2", 5353, 100, T0 + 10), FLOW_FOUND);
	assert_ptr_equal(cur(), f);
	assert_int_equal(pk.dir, 1);
	assert_int_equal(f->id, id);
	assert_int_equal(f->pkts[0], 1);
	assert_int_equal(f->pkts[1], 1);
	assert_int_equal(f->bytes[0], len_q);
	assert_int_equal(f->bytes[1], 14 + 20 + 8 + 100);
	assert_int_equal(f->first_ns, T0);
	assert_int_equal(f->last_ns, T0 + 10);
	expect_client(f, "10.1.0.2", 5353);
	assert_int_equal(flow_server_port(f), 53);
	assert_int_equal(f->tcp_state, FLOW_TCP_NONE);

	/* Another source port, another flow; same ports in IPv6, another flow. */
	assert_int_equal(udp(t, "10.1.0.2", 5354, "198.51.100.10", 53, 30, T0), FLOW_CREATED);
	assert_ptr_not_equal(cur(), f);
	assert_int_equal(udp(t, "fd00::2", 5353, "2001:db8::53", 53, 30, T0), FLOW_CREATED);
	struct flow *g = cur();
	assert_int_equal(g->key.ipver, 6);
	assert_int_equal(udp(t, "2001:db8::53", 53, "fd00::2", 5353, 30, T0), FLOW_FOUND);
	assert_ptr_equal(cur(), g);
	expect_client(g, "fd00::2", 5353);
	/* TCP with the same addresses and ports is another flow than UDP. */
	assert_int_equal(tcp(t, "10.1.0.2", 5353, "198.51.100.10", 53, TU_SYN, 0, T0),
			 FLOW_CREATED);
	assert_ctr(&st, FLOW_CREATED, 4);
	assert_int_equal(flow_table_active(t), 4);
	assert_int_equal(st.flows_active, 4);

	/* The same 5-tuple on another VLAN is another flow; QinQ keeps both tags. */
	uint8_t fr[TU_FRAME_MAX];
	struct tu_buf b = tu_buf_init(fr, sizeof(fr));
	tu_eth(&b, 0x88a8);
	tu_vlan(&b, 300, 0x8100);
	tu_vlan(&b, 12, 0x0800);
	size_t ip = tu_ipv4_begin(&b, 17, "10.1.0.2", "198.51.100.10");
	tu_udp(&b, ip, 5353, 53, "x", 1);
	tu_ipv4_end(&b, ip);
	assert_int_equal(look(t, fr, b.len, T0), FLOW_CREATED);
	assert_int_equal(cur()->key.vlan, 12);
	assert_int_equal(cur()->key.vlan_outer, 300);
	flow_table_destroy(t);
}

static void test_tcp_lifecycle(void **state)
{
	(void)state;
	struct flow_table *t = table(16, FLOW_FULL_EVICT);
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	assert_int_equal(tcp(t, c, 41000, s, 443, TU_SYN, 0, T0), FLOW_CREATED);
	struct flow *f = cur();
	expect_client(f, c, 41000);
	assert_int_equal(f->client_known, 1);
	assert_int_equal(f->tcp_state, FLOW_TCP_SYN_SENT);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_SYN);
	tcp(t, s, 443, c, 41000, TU_SYN | TU_ACK, 0, T0 + 1);
	assert_int_equal(pk.dir, 1);
	assert_int_equal(f->tcp_state, FLOW_TCP_SYN_RECV);
	tcp(t, c, 41000, s, 443, TU_ACK, 0, T0 + 2);
	assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_EST);
	assert_string_equal(flow_tcp_state_name(f->tcp_state), "established");
	tcp(t, c, 41000, s, 443, TU_ACK | TU_PSH, 200, T0 + 3);
	tcp(t, s, 443, c, 41000, TU_ACK | TU_PSH, 400, T0 + 4);
	assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);

	tcp(t, c, 41000, s, 443, TU_FIN | TU_ACK, 0, T0 + 5);
	assert_int_equal(f->tcp_state, FLOW_TCP_FIN_WAIT);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_CLOSING);
	tcp(t, s, 443, c, 41000, TU_FIN | TU_ACK, 0, T0 + 6);
	assert_int_equal(f->tcp_state, FLOW_TCP_CLOSING);
	tcp(t, c, 41000, s, 443, TU_ACK, 0, T0 + 7);
	assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_CLOSED);
	assert_string_equal(flow_tcp_state_name(f->tcp_state), "closed");
	assert_int_equal(f->pkts[0], 5);
	assert_int_equal(f->pkts[1], 3);
	assert_int_equal(f->bytes[0], 4 * 54 + 254);
	assert_int_equal(f->bytes[1], 2 * 54 + 454);
	assert_int_equal(n_ends, 0);

	/* Reset: from established straight to reset. */
	tcp(t, c, 41001, s, 443, TU_SYN, 0, T0);
	f = cur();
	tcp(t, s, 443, c, 41001, TU_SYN | TU_ACK, 0, T0);
	tcp(t, c, 41001, s, 443, TU_ACK, 0, T0);
	tcp(t, s, 443, c, 41001, TU_RST, 0, T0 + 1);
	assert_int_equal(f->tcp_state, FLOW_TCP_RESET);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_CLOSED);
	assert_string_equal(flow_tcp_state_name(f->tcp_state), "reset");
	assert_string_equal(flow_tcp_state_name(200), "none");
	flow_table_destroy(t);
}

static void test_client_determination(void **state)
{
	(void)state;
	struct flow_table *t = table(16, FLOW_FULL_EVICT);
	const char *c = "10.1.0.2", *s = "198.51.100.10";

	/* SYN+ACK seen first: its receiver is the client. */
	assert_int_equal(tcp(t, s, 80, c, 42000, TU_SYN | TU_ACK, 0, T0), FLOW_CREATED);
	struct flow *f = cur();
	expect_client(f, c, 42000);
	assert_int_equal(pk.dir, 1);
	assert_int_equal(f->client_known, 1);
	assert_int_equal(f->tcp_state, FLOW_TCP_SYN_RECV);
	assert_int_equal(f->pkts[1], 1);
	tcp(t, c, 42000, s, 80, TU_ACK, 0, T0 + 1);
	assert_int_equal(pk.dir, 0);
	assert_int_equal(f->tcp_state, FLOW_TCP_ESTABLISHED);

	/* Mid-stream: the first sender, marked unknown. */
	assert_int_equal(tcp(t, s, 8080, c, 43000, TU_ACK | TU_PSH, 100, T0), FLOW_CREATED);
	f = cur();
	expect_client(f, s, 8080);
	assert_int_equal(f->client_known, 0);
	assert_int_equal(f->tcp_state, FLOW_TCP_MIDSTREAM);
	assert_int_equal(f->tmo, FLOW_TMO_TCP_EST);
	assert_ctr(&st, FLOW_TCP_MIDSTREAM, 1);
	assert_string_equal(flow_tcp_state_name(f->tcp_state), "midstream");

	/* ICMP echo reply first: the requester (its destination) is the client. */
	assert_int_equal(icmp(t, s, c, 0, T0), FLOW_CREATED);
	f = cur();
	expect_client(f, c, 0);
	assert_int_equal(pk.dir, 1);
	assert_int_equal(icmp(t, c, s, 8, T0 + 1), FLOW_FOUND);
	assert_int_equal(pk.dir, 0);
	assert_int_equal(f->tmo, FLOW_TMO_ICMP);
	/* ... and in ICMPv6 */
	assert_int_equal(icmp(t, "2001:db8::1", "fd00::2", 129, T0), FLOW_CREATED);
	expect_client(cur(), "fd00::2", 0);
	assert_int_equal(icmp(t, "fd00::2", "2001:db8::1", 128, T0), FLOW_FOUND);
	assert_int_equal(pk.dir, 0);
	/* A request first: its sender. */
	assert_int_equal(icmp(t, "10.1.0.9", s, 8, T0), FLOW_CREATED);
	expect_client(cur(), "10.1.0.9", 0);

	/* UDP: the first sender, even from the higher address. */
	assert_int_equal(udp(t, s, 9999, c, 53, 10, T0), FLOW_CREATED);
	expect_client(cur(), s, 9999);
	flow_table_destroy(t);
}

static void handshake_and_close(struct flow_table *t, const char *c, uint16_t cp,
				const char *s, uint16_t sp, uint64_t ts)
{
	tcp(t, c, cp, s, sp, TU_SYN, 0, ts);
	tcp(t, s, sp, c, cp, TU_SYN | TU_ACK, 0, ts);
	tcp(t, c, cp, s, sp, TU_ACK, 0, ts);
	tcp(t, c, cp, s, sp, TU_FIN | TU_ACK, 0, ts);
	tcp(t, s, sp, c, cp, TU_FIN | TU_ACK, 0, ts);
	tcp(t, c, cp, s, sp, TU_ACK, 0, ts);
}

/* A new SYN on a closed or reset connection ends it and starts a new flow. */
static void test_port_reuse(void **state)
{
	(void)state;
	struct flow_table *t = table(16, FLOW_FULL_EVICT);
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	handshake_and_close(t, c, 50000, s, 22, T0);
	struct flow *f = cur();
	uint64_t old = f->id;
	assert_int_equal(f->tcp_state, FLOW_TCP_CLOSED);
	/* a late ACK still belongs to the closed flow */
	assert_int_equal(tcp(t, s, 22, c, 50000, TU_ACK, 0, T0 + 1), FLOW_FOUND);
	assert_int_equal(cur()->id, old);

	assert_int_equal(tcp(t, c, 50000, s, 22, TU_SYN, 0, T0 + 2), FLOW_CREATED);
	assert_int_not_equal(cur()->id, old);
	assert_int_equal(cur()->tcp_state, FLOW_TCP_SYN_SENT);
	assert_int_equal(cur()->pkts[0], 1);
	assert_int_equal(n_ends, 1);
	assert_int_equal(ends[0].id, old);
	assert_int_equal(ends[0].why, FLOW_END_CLOSED);
	assert_ctr(&st, FLOW_TCP_REUSED, 1);
	assert_ctr(&st, FLOW_END_CLOSED, 1);
	assert_int_equal(flow_table_active(t), 1);

	/* after a reset too */
	tcp(t, s, 22, c, 50000, TU_RST | TU_ACK, 0, T0 + 3);
	uint64_t second = cur()->id;
	assert_int_equal(tcp(t, c, 50000, s, 22, TU_SYN, 0, T0 + 4), FLOW_CREATED);
	assert_int_equal(n_ends, 2);
	assert_int_equal(ends[1].id, second);
	assert_int_equal(ends[1].why, FLOW_END_CLOSED);
	assert_int_equal(ends[1].tcp_state, FLOW_TCP_RESET);
	assert_ctr(&st, FLOW_TCP_REUSED, 2);
	/* ... while a SYN retransmission on a live flow is the same flow */
	assert_int_equal(tcp(t, c, 50000, s, 22, TU_SYN, 0, T0 + 5), FLOW_FOUND);
	flow_table_destroy(t);
}

static const struct ended *find_end(uint64_t id)
{
	for (unsigned i = 0; i < n_ends; i++)
		if (ends[i].id == id)
			return &ends[i];
	return NULL;
}

/* Each class expires after its own idle time, with the matching reason. */
static void test_idle_expiry(void **state)
{
	(void)state;
	struct flow_table_cfg cfg = { .slots = 32, .full_policy = FLOW_FULL_EVICT };
	cfg.timeout_s[FLOW_TMO_TCP_CLOSED] = 2;
	cfg.timeout_s[FLOW_TMO_TCP_SYN] = 3;
	cfg.timeout_s[FLOW_TMO_OTHER] = 4;
	cfg.timeout_s[FLOW_TMO_ICMP] = 5;
	cfg.timeout_s[FLOW_TMO_TCP_CLOSING] = 7;
	cfg.timeout_s[FLOW_TMO_UDP] = 10;
	/* FLOW_TMO_TCP_EST left 0: the default */
	struct flow_table *t = flow_table_create(&cfg, on_end, NULL);
	assert_non_null(t);
	const char *c = "10.1.0.2", *s = "198.51.100.10";

	handshake_and_close(t, c, 1001, s, 80, T0);
	uint64_t closed = cur()->id;
	tcp(t, c, 1002, s, 80, TU_SYN, 0, T0);
	uint64_t syn = cur()->id;
	esp(t, c, s, T0);
	uint64_t other = cur()->id;
	icmp(t, c, s, 8, T0);
	uint64_t ping = cur()->id;
	tcp(t, c, 1003, s, 80, TU_SYN, 0, T0);
	tcp(t, s, 80, c, 1003, TU_SYN | TU_ACK, 0, T0);
	tcp(t, c, 1003, s, 80, TU_ACK, 0, T0);
	tcp(t, c, 1003, s, 80, TU_FIN | TU_ACK, 0, T0);
	uint64_t closing = cur()->id;
	udp(t, c, 1004, s, 53, 10, T0);
	uint64_t dns = cur()->id;
	udp(t, c, 1005, s, 53, 10, T0);
	uint64_t dns2 = cur()->id;
	tcp(t, c, 1006, s, 80, TU_SYN, 0, T0);
	tcp(t, s, 80, c, 1006, TU_SYN | TU_ACK, 0, T0);
	tcp(t, c, 1006, s, 80, TU_ACK, 0, T0);
	uint64_t est = cur()->id;
	assert_int_equal(flow_table_active(t), 8);

	flow_expire(t, T0 + 2 * SEC - 1, &st);
	assert_int_equal(n_ends, 0);
	flow_expire(t, T0 + 2 * SEC, &st);
	assert_int_equal(n_ends, 1);
	assert_int_equal(ends[0].id, closed);
	assert_int_equal(ends[0].why, FLOW_END_CLOSED);
	flow_expire(t, T0 + 3 * SEC, &st);
	assert_int_equal(n_ends, 2);
	assert_int_equal(ends[1].id, syn);
	assert_int_equal(ends[1].why, FLOW_END_IDLE);
	flow_expire(t, T0 + 4 * SEC, &st);
	assert_int_equal(ends[2].id, other);
	/* activity restarts the idle time of that flow only */
	udp(t, s, 53, c, 1005, 10, T0 + 4 * SEC);
	flow_expire(t, T0 + 5 * SEC, &st);
	assert_int_equal(n_ends, 4);
	assert_int_equal(ends[3].id, ping);
	flow_expire(t, T0 + 7 * SEC, &st);
	assert_int_equal(n_ends, 5);
	assert_int_equal(ends[4].id, closing);
	assert_int_equal(ends[4].why, FLOW_END_IDLE);
	flow_expire(t, T0 + 10 * SEC, &st);
	assert_int_equal(n_ends, 6);
	assert_int_equal(ends[5].id, dns);
	assert_null(find_end(dns2));
	flow_expire(t, T0 + 14 * SEC, &st);
	assert_int_equal(n_ends, 7);
	assert_int_equal(ends[6].id, dns2);
	/* established: the default (one hour) */
	flow_expire(t, T0 + (uint64_t)flow_default_timeout_s(FLOW_TMO_TCP_EST) * SEC - 1, &st);
	assert_int_equal(n_ends, 7);
	flow_expire(t, T0 + (uint64_t)flow_default_timeout_s(FLOW_TMO_TCP_EST) * SEC, &st);
	assert_int_equal(n_ends, 8);
	assert_int_equal(ends[7].id, est);
	assert_int_equal(ends[7].why, FLOW_END_IDLE);

	assert_ctr(&st, FLOW_END_CLOSED, 1);
	assert_ctr(&st, FLOW_END_IDLE, 7);
	assert_int_equal(flow_table_active(t), 0);
	assert_int_equal(st.flows_active, 0);
	assert_string_equal(flow_end_reason_name(FLOW_END_IDLE), "idle_timeout");
	assert_string_equal(flow_end_reason_name(FLOW_END_CLOSED), "tcp_closed");
	flow_table_destroy(t);
}

/* Full table, evict: closed first, then half-open, closing, UDP, ICMP,
 * other, established last; least recently used first inside a class. */
static void test_evict_order(void **state)
{
	(void)state;
	struct flow_table *t = table(5, FLOW_FULL_EVICT);
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	tcp(t, c, 2000, s, 443, TU_SYN, 0, T0);
	tcp(t, s, 443, c, 2000, TU_SYN | TU_ACK, 0, T0);
	tcp(t, c, 2000, s, 443, TU_ACK, 0, T0);
	uint64_t est = cur()->id;
	udp(t, c, 2001, s, 53, 1, T0);
	uint64_t u = cur()->id;
	icmp(t, c, s, 8, T0);
	uint64_t ping = cur()->id;
	tcp(t, c, 2002, s, 443, TU_SYN, 0, T0 + 1);
	uint64_t syn = cur()->id;
	handshake_and_close(t, c, 2003, s, 443, T0 + 2);
	uint64_t closed = cur()->id;
	assert_int_equal(flow_table_active(t), 5);

	static const char *const peers[] = { "203.0.113.1", "203.0.113.2", "203.0.113.3",
					     "203.0.113.4", "203.0.113.5" };
	uint64_t first_esp = 0;
	const uint64_t want[] = { closed, syn, u, ping, 0 /* the first new ESP flow */ };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(esp(t, c, peers[i], T0 + 3), FLOW_CREATED);
		if (i == 0)
			first_esp = cur()->id;
		assert_int_equal(n_ends, (unsigned)i + 1);
		assert_int_equal(ends[i].id, want[i] ? want[i] : first_esp);
		assert_int_equal(ends[i].why, FLOW_END_EVICTED);
		assert_int_equal(flow_table_active(t), 5);
	}
	assert_ctr(&st, FLOW_EVICTED, 5);
	assert_null(find_end(est));
	/* the established flow is still there */
	assert_int_equal(tcp(t, c, 2000, s, 443, TU_ACK, 0, T0 + 4), FLOW_FOUND);
	assert_int_equal(cur()->id, est);

	/* Least recently used first within a class. */
	flow_table_destroy(t);
	setup(NULL);
	t = table(2, FLOW_FULL_EVICT);
	udp(t, c, 3000, s, 53, 1, T0);
	uint64_t a = cur()->id;
	udp(t, c, 3001, s, 53, 1, T0 + 1);
	uint64_t b = cur()->id;
	udp(t, s, 53, c, 3000, 1, T0 + 2); /* a is now the most recent */
	udp(t, c, 3002, s, 53, 1, T0 + 3);
	assert_int_equal(n_ends, 1);
	assert_int_equal(ends[0].id, b);
	assert_int_equal(udp(t, c, 3000, s, 53, 1, T0 + 4), FLOW_FOUND);
	assert_int_equal(cur()->id, a);
	flow_table_destroy(t);
}

static void test_full_drop_and_pass(void **state)
{
	(void)state;
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	struct flow_table *t = table(2, FLOW_FULL_DROP);
	udp(t, c, 1, s, 53, 1, T0);
	udp(t, c, 2, s, 53, 1, T0);
	assert_int_equal(udp(t, c, 3, s, 53, 1, T0), FLOW_FULL_DROPPED);
	assert_null(pk.flow);
	assert_ctr(&st, FLOW_FULL_DROP, 1);
	assert_ctr(&st, FLOW_EVICTED, 0);
	assert_int_equal(n_ends, 0);
	assert_int_equal(udp(t, s, 53, c, 2, 1, T0), FLOW_FOUND); /* existing flows go on */
	assert_int_equal(flow_table_active(t), 2);
	flow_table_destroy(t);

	setup(NULL);
	t = table(1, FLOW_FULL_PASS);
	tcp(t, c, 1, s, 80, TU_SYN, 0, T0);
	assert_int_equal(tcp(t, c, 2, s, 80, TU_SYN, 0, T0), FLOW_FULL_PASSED);
	assert_null(pk.flow);
	assert_int_equal(tcp(t, c, 3, s, 80, TU_SYN, 0, T0), FLOW_FULL_PASSED);
	assert_ctr(&st, FLOW_FULL_PASS, 2);
	assert_ctr(&st, FLOW_FULL_DROP, 0);
	assert_ctr(&st, FLOW_CREATED, 1);
	assert_int_equal(n_ends, 0);
	flow_table_destroy(t);
}

/* End of capture: every flow ends once, oldest first. */
static void test_flush(void **state)
{
	(void)state;
	struct flow_table *t = table(8, FLOW_FULL_EVICT);
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	udp(t, c, 3, s, 53, 1, T0 + 3 * SEC);
	uint64_t third = cur()->id;
	udp(t, c, 1, s, 53, 1, T0 + 1 * SEC);
	uint64_t first = cur()->id;
	udp(t, c, 2, s, 53, 1, T0 + 2 * SEC);
	uint64_t second = cur()->id;
	flow_flush(t, &st);
	assert_int_equal(n_ends, 3);
	assert_int_equal(ends[0].id, first);
	assert_int_equal(ends[1].id, second);
	assert_int_equal(ends[2].id, third);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ends[i].why, FLOW_END_EOF);
	assert_ctr(&st, FLOW_END_EOF, 3);
	assert_int_equal(flow_table_active(t), 0);
	flow_flush(t, &st);
	assert_int_equal(n_ends, 3);
	/* slots are reusable afterwards */
	assert_int_equal(udp(t, c, 1, s, 53, 1, T0), FLOW_CREATED);
	assert_string_equal(flow_end_reason_name(FLOW_END_EOF), "end_of_capture");
	assert_string_equal(flow_end_reason_name(FLOW_END_EVICTED), "evicted");
	flow_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sizes_and_create, setup),
		cmocka_unit_test_setup(test_bidirectional, setup),
		cmocka_unit_test_setup(test_tcp_lifecycle, setup),
		cmocka_unit_test_setup(test_client_determination, setup),
		cmocka_unit_test_setup(test_port_reuse, setup),
		cmocka_unit_test_setup(test_idle_expiry, setup),
		cmocka_unit_test_setup(test_evict_order, setup),
		cmocka_unit_test_setup(test_full_drop_and_pass, setup),
		cmocka_unit_test_setup(test_flush, setup),
	};
	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
