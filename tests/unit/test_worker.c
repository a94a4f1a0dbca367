// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/worker, end to end on decoded packets: verdicts,
 * drop reasons, per-port and per-zone-pair counters, reassembly, the
 * full-table policies, expiry on packet time, and the flow records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_check.h"
#include "test_util.h"

#include "pipeline/decode.h"
#include "pipeline/report.h"
#include "pipeline/worker.h"
#include "pipeline/zone.h"
#include "segw/hal/board.h"
#include "stats/counters.h"

#define SEC 1000000000ull
#define T0 (1700000000ull * SEC)

static struct zone_map zones;
static uint8_t Z_EXT, Z_INT, Z_DMZ;

struct fixture {
	struct worker w;
	struct report_out rep;
	char *text;
	size_t tlen;
	FILE *mem;
};

static int group_setup(void **state)
{
	(void)state;
	if (zone_map_init(&zones, board_get()) != 0)
		return -1;
	Z_EXT = (uint8_t)zone_index(&zones, "external");
	Z_INT = (uint8_t)zone_index(&zones, "internal");
	Z_DMZ = (uint8_t)zone_index(&zones, "dmz");
	return 0;
}

static struct fixture *start_ex(uint32_t slots, enum flow_full_policy full,
				enum malformed_policy mal, uint32_t udp_timeout_s, int ext_clock)
{
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	x->mem = open_memstream(&x->text, &x->tlen);
	assert_non_null(x->mem);
	x->rep.f = x->mem;
	struct worker_cfg c = {
		.flow_slots = slots,
		.full_policy = full,
		.frag_contexts = 4,
		.frag_bytes = 65535,
		.malformed = mal,
		.zones = &zones,
		.report = &x->rep,
		.external_clock = (uint8_t)ext_clock,
	};
	c.timeout_s[FLOW_TMO_UDP] = udp_timeout_s;
	assert_int_equal(worker_init(&x->w, &c), 0);
	return x;
}

static struct fixture *start(uint32_t slots, enum flow_full_policy full,
			     enum malformed_policy mal, uint32_t udp_timeout_s)
{
	return start_ex(slots, full, mal, udp_timeout_s, 0);
}

/* End the run and return the report text (one line per flow). */
static char *finish(struct fixture *x)
{
	worker_finish(&x->w);
	fflush(x->mem);
	return x->text;
}

static void stop(struct fixture *x)
{
	worker_fini(&x->w);
	fclose(x->mem);
	free(x->text);
	free(x);
}

static enum verdict feed_cut(struct fixture *x, const uint8_t *f, size_t caplen, size_t wire,
			     uint8_t link, uint16_t port, uint64_t ts)
{
	struct pkt p;
	memset(&p, 0, sizeof(p));
	p.ts_ns = ts;
	p.port = port;
	enum decode_result dr =
		decode_frame(&p, f, (uint32_t)caplen, (uint32_t)wire, link, &x->w.st);
	return worker_packet(&x->w, &p, dr);
}

static enum verdict feed(struct fixture *x, const uint8_t *f, size_t n, uint16_t port,
			 uint64_t ts)
{
	return feed_cut(x, f, n, n, HAL_LINK_ETHERNET, port, ts);
}

static enum verdict tcp(struct fixture *x, const char *src, uint16_t sp, const char *dst,
			uint16_t dp, uint8_t flags, size_t plen, uint64_t ts, size_t *len)
{
	uint8_t f[TU_FRAME_MAX], data[600] = { 0 };
	size_t n = tu_frame_tcp4(f, sizeof(f), src, sp, dst, dp, 1, 1, flags, data, plen);
	if (len)
		*len += n;
	return feed(x, f, n, 0, ts);
}

static unsigned count_lines(const char *t, const char *needle)
{
	unsigned n = 0;
	for (const char *l = t; l && *l;) {
		const char *e = strchr(l, '\n');
		if (!e)
			break;
		if (!needle || (strstr(l, needle) && strstr(l, needle) < e))
			n++;
		l = e + 1;
	}
	return n;
}

/* The first report line that contains @needle, as its own string. */
static char *line_with(const char *t, const char *needle)
{
	const char *at = strstr(t, needle);
	assert_non_null(at);
	const char *b = at;
	while (b > t && b[-1] != '\n')
		b--;
	const char *e = strchr(at, '\n');
	assert_non_null(e);
	char *l = strndup(b, (size_t)(e - b));
	assert_true(json_valid(l, strlen(l)));
	return l;
}

static void expect_field(const char *line, const char *key, const char *raw)
{
	size_t n;
	const char *v = json_get(line, key, &n);
	if (!v || n != strlen(raw) || memcmp(v, raw, n) != 0)
		fail_msg("key \"%s\": %.*s, expected %s in %s", key, v ? (int)n : 4,
			 v ? v : "none", raw, line);
}

static void test_tcp_zone_pair(void **state)
{
	(void)state;
	struct fixture *x = start(64, FLOW_FULL_EVICT, MALFORMED_DROP, 0);
	const char *c = "10.1.0.2", *s = "198.51.100.10";
	size_t c2s = 0, s2c = 0;
	assert_int_equal(tcp(x, c, 41000, s, 443, TU_SYN, 0, T0, &c2s), VERDICT_PASS);
	assert_int_equal(tcp(x, s, 443, c, 41000, TU_SYN | TU_ACK, 0, T0 + 1, &s2c), VERDICT_PASS);
	tcp(x, c, 41000, s, 443, TU_ACK, 0, T0 + 2, &c2s);
	tcp(x, c, 41000, s, 443, TU_ACK | TU_PSH, 300, T0 + 3, &c2s);
	tcp(x, s, 443, c, 41000, TU_ACK | TU_PSH, 500, T0 + 4, &s2c);
	tcp(x, c, 41000, s, 443, TU_FIN | TU_ACK, 0, T0 + 5, &c2s);
	tcp(x, s, 443, c, 41000, TU_FIN | TU_ACK, 0, T0 + 6, &s2c);
	assert_int_equal(tcp(x, c, 41000, s, 443, TU_ACK, 0, T0 + 7, &c2s), VERDICT_PASS);

	struct stats_block *st = &x->w.st;
	assert_ctr(st, VERDICT_PASS, 8);
	assert_ctr(st, VERDICT_DROP, 0);
	assert_ctr(st, FLOW_CREATED, 1);
	assert_int_equal(st->zp[Z_INT][Z_DMZ].flows, 1);
	assert_int_equal(st->zp[Z_INT][Z_DMZ].packets, 8);
	assert_int_equal(st->zp[Z_INT][Z_DMZ].bytes, c2s + s2c);
	assert_int_equal(st->zp[Z_DMZ][Z_INT].packets, 0);
	assert_int_equal(st->port[0].packets, 8);
	assert_int_equal(st->port[0].bytes, c2s + s2c);
	assert_int_equal(st->flows_active, 1);

	/* An address no prefix covers takes the zone of the port it came in on
	 * when it is the source (port 1 is the board's external port) ... */
	uint8_t f[TU_FRAME_MAX];
	size_t n = tu_frame_udp4(f, sizeof(f), "8.8.8.8", 53, "10.1.0.9", 5000, "r", 1);
	assert_int_equal(feed(x, f, n, 1, T0 + 8), VERDICT_PASS);
	assert_int_equal(st->zp[Z_EXT][Z_INT].flows, 1);
	assert_int_equal(st->port[1].packets, 1);
	/* ... and the default zone when it is the destination. */
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.9", 5001, "8.8.4.4", 53, "q", 1);
	feed(x, f, n, 0, T0 + 9);
	assert_int_equal(st->zp[Z_INT][Z_EXT].flows, 1);

	char *t = finish(x);
	assert_int_equal(count_lines(t, NULL), 3);
	char *l = line_with(t, "\"client_port\":41000");
	expect_field(l, "client_ip", "\"10.1.0.2\"");
	expect_field(l, "client_zone", "\"internal\"");
	expect_field(l, "server_zone", "\"dmz\"");
	expect_field(l, "tcp_state", "\"closed\"");
	expect_field(l, "c2s_packets", "5");
	expect_field(l, "s2c_packets", "3");
	char want[32];
	snprintf(want, sizeof(want), "%zu", c2s);
	expect_field(l, "c2s_bytes", want);
	snprintf(want, sizeof(want), "%zu", s2c);
	expect_field(l, "s2c_bytes", want);
	expect_field(l, "end_reason", "\"end_of_capture\"");
	free(l);
	assert_ctr(st, FLOW_END_EOF, 3);
	assert_int_equal(st->flows_active, 0);
	stop(x);
}

static void test_drop_reasons(void **state)
{
	(void)state;
	struct fixture *x = start(64, FLOW_FULL_EVICT, MALFORMED_DROP, 0);
	struct stats_block *st = &x->w.st;
	uint8_t f[TU_FRAME_MAX];
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, "abc", 3);
	f[14] = 0x44; /* bad IHL */
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_DROP);
	assert_ctr(st, DEC_IPV4_BAD_HLEN, 1);
	assert_ctr(st, DROP_MALFORMED, 1);
	assert_ctr(st, VERDICT_DROP, 1);
	assert_ctr(st, FLOW_CREATED, 0);

	/* truncated TCP header */
	n = tu_frame_tcp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, 0, 0, TU_SYN, NULL, 0);
	assert_int_equal(feed_cut(x, f, 14 + 20 + 8, n, HAL_LINK_ETHERNET, 0, T0), VERDICT_DROP);
	assert_ctr(st, DEC_TCP_TRUNC, 1);
	assert_ctr(st, DROP_MALFORMED, 2);

	/* ARP: not IP, passed, no flow */
	uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };
	assert_int_equal(feed(x, arp, sizeof(arp), 0, T0), VERDICT_PASS);
	assert_ctr(st, L3_NON_IP, 1);
	assert_ctr(st, VERDICT_PASS, 1);

	/* a link type not decoded: dropped and counted */
	assert_int_equal(feed_cut(x, arp, sizeof(arp), sizeof(arp), HAL_LINK_RADIOTAP, 0, T0),
			 VERDICT_DROP);
	assert_ctr(st, DROP_UNSUPPORTED_LINK, 1);
	assert_ctr(st, VERDICT_DROP, 3);
	assert_int_equal(st->port[0].packets, 4); /* every packet is seen by the port */
	assert_int_equal(count_lines(finish(x), NULL), 0);
	stop(x);

	/* The "pass" policy for malformed packets. */
	x = start(64, FLOW_FULL_EVICT, MALFORMED_PASS, 0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, "abc", 3);
	tu_set16(f + 14 + 20 + 4, 200); /* UDP length beyond the datagram */
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_PASS);
	assert_ctr(&x->w.st, DEC_UDP_BAD_LEN, 1);
	assert_ctr(&x->w.st, DROP_MALFORMED, 0);
	assert_ctr(&x->w.st, VERDICT_PASS, 1);
	stop(x);
}

static size_t frag(uint8_t *f, const uint8_t *seg, uint32_t off, uint32_t len, int more,
		   uint16_t id)
{
	struct tu_buf b = tu_buf_init(f, TU_FRAME_MAX);
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin_ex(&b, 17, "10.1.0.2", "198.51.100.10", id,
				     (uint16_t)((off / 8) | (more ? 0x2000 : 0)), NULL, 0);
	tu_put(&b, seg + off, len);
	tu_ipv4_end(&b, ip);
	return b.len;
}

/* Fragments are held, the datagram is accounted once, whole, to its flow. */
static void test_fragments(void **state)
{
	(void)state;
	struct fixture *x = start(64, FLOW_FULL_EVICT, MALFORMED_DROP, 0);
	struct stats_block *st = &x->w.st;
	static uint8_t seg[3008]; /* the UDP segment: header + 3000 bytes */
	memset(seg, 0x42, sizeof(seg));
	tu_set16(seg, 5000);
	tu_set16(seg + 2, 53);
	tu_set16(seg + 4, sizeof(seg));
	tu_set16(seg + 6, 0);

	uint8_t f[TU_FRAME_MAX];
	size_t n = frag(f, seg, 1480, 1480, 1, 0x77);
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_HELD);
	n = frag(f, seg, 0, 1480, 1, 0x77);
	assert_int_equal(feed(x, f, n, 0, T0 + 1), VERDICT_HELD);
	n = frag(f, seg, 2960, 48, 0, 0x77);
	assert_int_equal(feed(x, f, n, 0, T0 + 2), VERDICT_PASS);
	assert_ctr(st, FRAG_REASSEMBLED, 1);
	assert_ctr(st, FLOW_CREATED, 1);
	assert_ctr(st, VERDICT_PASS, 1);
	assert_int_equal(defrag_in_use(x->w.df), 0); /* released after the packet */
	assert_int_equal(st->zp[Z_INT][Z_DMZ].packets, 1);
	assert_int_equal(st->zp[Z_INT][Z_DMZ].bytes, 20 + sizeof(seg));
	assert_int_equal(st->port[0].packets, 3);

	/* an overlapping fragment: dropped with its datagram */
	n = frag(f, seg, 0, 1480, 1, 0x78);
	assert_int_equal(feed(x, f, n, 0, T0 + 3), VERDICT_HELD);
	assert_int_equal(feed(x, f, n, 0, T0 + 3), VERDICT_DROP);
	assert_ctr(st, FRAG_OVERLAP, 1);
	assert_ctr(st, DROP_FRAGMENT, 1);
	assert_ctr(st, VERDICT_DROP, 1);

	char *t = finish(x);
	assert_int_equal(count_lines(t, NULL), 1);
	char *l = line_with(t, "\"server_port\":53");
	expect_field(l, "c2s_packets", "1");
	expect_field(l, "c2s_bytes", "3028");
	free(l);
	stop(x);
}

static void test_table_full(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct fixture *x = start(1, FLOW_FULL_DROP, MALFORMED_DROP, 0);
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "198.51.100.10", 53, "q", 1);
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_PASS);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 2, "198.51.100.10", 53, "q", 1);
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_DROP);
	assert_ctr(&x->w.st, FLOW_FULL_DROP, 1);
	assert_ctr(&x->w.st, DROP_FLOW_TABLE_FULL, 1);
	assert_ctr(&x->w.st, VERDICT_DROP, 1);
	assert_int_equal(x->w.st.zp[Z_INT][Z_DMZ].packets, 1); /* untracked: not in a pair */
	stop(x);

	x = start(1, FLOW_FULL_PASS, MALFORMED_DROP, 0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 2, "198.51.100.10", 53, "q", 1);
	assert_int_equal(feed(x, f, n, 0, T0), VERDICT_PASS);
	assert_ctr(&x->w.st, FLOW_FULL_PASS, 1);
	assert_ctr(&x->w.st, VERDICT_PASS, 2);
	assert_ctr(&x->w.st, DROP_FLOW_TABLE_FULL, 0);
	assert_int_equal(count_lines(finish(x), NULL), 1);
	stop(x);

	x = start(1, FLOW_FULL_EVICT, MALFORMED_DROP, 0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 2, "198.51.100.10", 53, "q", 1);
	assert_int_equal(feed(x, f, n, 0, T0 + 1), VERDICT_PASS);
	assert_ctr(&x->w.st, FLOW_EVICTED, 1);
	char *t = finish(x);
	assert_int_equal(count_lines(t, "\"end_reason\":\"evicted\""), 1);
	assert_int_equal(count_lines(t, "\"end_reason\":\"end_of_capture\""), 1);
	stop(x);
}

/* Expiry runs on packet time; with an external clock, only on ticks. */
static void test_expiry_clock(void **state)
{
	(void)state;
	uint8_t f[TU_FRAME_MAX];
	struct fixture *x = start(64, FLOW_FULL_EVICT, MALFORMED_DROP, 5);
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 2, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0 + 4 * SEC);
	assert_ctr(&x->w.st, FLOW_END_IDLE, 0);
	feed(x, f, n, 0, T0 + 6 * SEC); /* the first is 6 s idle, the second 2 s */
	assert_ctr(&x->w.st, FLOW_END_IDLE, 1);
	assert_int_equal(x->w.st.flows_active, 1);
	char *t = finish(x);
	char *l = line_with(t, "\"client_port\":1,");
	expect_field(l, "end_reason", "\"idle_timeout\"");
	expect_field(l, "last_seen", "1700000000.000000000");
	free(l);
	stop(x);

	x = start_ex(64, FLOW_FULL_EVICT, MALFORMED_DROP, 5, 1);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0);
	n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 2, "198.51.100.10", 53, "q", 1);
	feed(x, f, n, 0, T0 + 60 * SEC);
	assert_ctr(&x->w.st, FLOW_END_IDLE, 0);
	worker_tick(&x->w, T0 + 64 * SEC);
	assert_ctr(&x->w.st, FLOW_END_IDLE, 1);
	worker_tick(&x->w, T0 + 65 * SEC);
	assert_ctr(&x->w.st, FLOW_END_IDLE, 2);
	assert_int_equal(x->w.st.flows_active, 0);
	stop(x);
}

static void test_init_errors(void **state)
{
	(void)state;
	struct worker *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	struct worker_cfg c = { .flow_slots = 16, .zones = NULL };
	assert_int_equal(worker_init(w, &c), -EINVAL);
	c.zones = &zones;
	c.flow_slots = 0;
	assert_int_equal(worker_init(w, &c), -EINVAL);
	c.flow_slots = 16; /* frag sizes 0: defaults */
	assert_int_equal(worker_init(w, &c), 0);
	assert_non_null(w->df);
	worker_fini(w);
	worker_fini(w); /* twice is harmless */
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_zone_pair),
		cmocka_unit_test(test_drop_reasons),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_expiry_clock),
		cmocka_unit_test(test_init_errors),
	};
	return cmocka_run_group_tests_name("worker", tests, group_setup, NULL);
}
