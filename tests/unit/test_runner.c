// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/runner on the sim port: receive -> decode ->
 * workers -> report, with 1, 2 and 4 workers. The same capture must give
 * the same flows (and the same counters) whatever the number of workers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "json_check.h"
#include "test_util.h"

#include "pipeline/runner.h"
#include "pipeline/zone.h"
#include "segw/hal/board.h"
#include "sim/sim_port.h"
#include "stats/counters.h"

#define SEC 1000000000ull
#define T0 (1700000000ull * SEC)

static struct zone_map zones;
static const struct sim_port_cfg scfg = { .queue_len = 1024, .frame_max = 2048,
					  .link = HAL_LINK_ETHERNET };

static int group_setup(void **state)
{
	(void)state;
	return zone_map_init(&zones, board_get());
}

struct capture {
	unsigned frames;
	unsigned flows; /* expected flow records */
};

static void inject(struct hal_port *p, struct capture *c, const uint8_t *f, size_t n,
		   uint64_t ts)
{
	assert_int_equal(sim_port_inject(p, f, n, ts), 0);
	c->frames++;
}

/* 40 TCP connections and 40 DNS exchanges from 10.1.x to the DMZ and
 * partner, a fragmented datagram, a malformed frame, and a 10 s gap in the
 * middle that idles the DNS flows out (UDP timeout 5 s). */
static void make_capture(struct hal_port *p, struct capture *c)
{
	uint8_t f[TU_FRAME_MAX], data[300];
	memset(data, 0x61, sizeof(data));
	memset(c, 0, sizeof(*c));
	uint64_t ts = T0;
	for (int i = 0; i < 40; i++) {
		char cl[32], sv[32];
		snprintf(cl, sizeof(cl), "10.1.%d.%d", i % 3, 2 + i);
		snprintf(sv, sizeof(sv), i % 2 ? "198.51.100.%d" : "203.0.113.%d", 10 + i % 5);
		uint16_t cp = (uint16_t)(40000 + i);
		size_t n;
		n = tu_frame_tcp4(f, sizeof(f), cl, cp, sv, 443, 1, 0, TU_SYN, NULL, 0);
		inject(p, c, f, n, ts += 1000);
		n = tu_frame_tcp4(f, sizeof(f), sv, 443, cl, cp, 1, 2, TU_SYN | TU_ACK, NULL, 0);
		inject(p, c, f, n, ts += 1000);
		n = tu_frame_tcp4(f, sizeof(f), cl, cp, sv, 443, 2, 2, TU_ACK | TU_PSH, data,
				  (size_t)(10 + i));
		inject(p, c, f, n, ts += 1000);
		n = tu_frame_udp4(f, sizeof(f), cl, (uint16_t)(50000 + i), "198.51.100.53", 53,
				  data, 30);
		inject(p, c, f, n, ts += 1000);
		n = tu_frame_udp4(f, sizeof(f), "198.51.100.53", 53, cl, (uint16_t)(50000 + i),
				  data, 90);
		inject(p, c, f, n, ts += 1000);
		c->flows += 2;
		if (i == 20)
			ts += 10 * SEC;
	}
	/* a fragmented UDP datagram: 2 fragments, one flow */
	struct tu_buf b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x0800);
	size_t ip = tu_ipv4_begin_ex(&b, 17, "10.1.0.77", "198.51.100.10", 5, 0x2000, NULL, 0);
	tu_put16(&b, 7000);
	tu_put16(&b, 7001);
	tu_put16(&b, 8 + 1000);
	tu_put16(&b, 0);
	tu_put(&b, data, 192);
	tu_ipv4_end(&b, ip);
	inject(p, c, f, b.len, ts += 1000);
	b = tu_buf_init(f, sizeof(f));
	tu_eth(&b, 0x0800);
	ip = tu_ipv4_begin_ex(&b, 17, "10.1.0.77", "198.51.100.10", 5, 200 / 8, NULL, 0);
	memset(tu_put(&b, NULL, 808), 0x62, 808);
	tu_ipv4_end(&b, ip);
	inject(p, c, f, b.len, ts += 1000);
	c->flows += 1;
	/* malformed: IHL 3 */
	size_t n = tu_frame_udp4(f, sizeof(f), "10.1.0.2", 1, "10.1.0.3", 2, NULL, 0);
	f[14] = 0x43;
	inject(p, c, f, n, ts += 1000);
	sim_port_end(p);
}

/* Flow lines without their "id" (ids carry the worker number), sorted. */
static char **flow_lines(char *text, unsigned *count)
{
	unsigned n = 0, cap = 256;
	char **v = calloc(cap, sizeof(*v));
	assert_non_null(v);
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		assert_true(json_valid(l, strlen(l)));
		size_t tl;
		const char *type = json_get(l, "type", &tl);
		assert_non_null(type);
		if (strncmp(type, "\"flow\"", tl) != 0)
			continue;
		size_t il;
		const char *id = json_get(l, "id", &il);
		assert_non_null(id);
		char *copy = malloc(strlen(l) + 1);
		assert_non_null(copy);
		size_t pre = (size_t)(id - l);
		memcpy(copy, l, pre);
		strcpy(copy + pre, id + il);
		assert_true(n < cap);
		v[n++] = copy;
	}
	for (unsigned i = 1; i < n; i++) /* insertion sort: small */
		for (unsigned j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*count = n;
	return v;
}

static void run(unsigned workers, struct capture *c, char **text, struct runner_result *res)
{
	struct hal_port port = { .name = "sim0", .ops = &sim_port_ops, .config = &scfg };
	assert_int_equal(hal_port_open(&port), 0);
	make_capture(&port, c);
	size_t tlen = 0;
	FILE *m = open_memstream(text, &tlen);
	assert_non_null(m);
	struct runner_cfg rc = {
		.board = board_get(),
		.port = &port,
		.workers = workers,
		.report = m,
		.pktbufs = 2048, /* the whole capture fits: the sim port never drops */
		.pktbuf_size = 2048,
		.wcfg = { .flow_slots = 1024, .frag_contexts = 8, .frag_bytes = 65535,
			  .zones = &zones },
	};
	rc.wcfg.timeout_s[FLOW_TMO_UDP] = 5;
	assert_int_equal(runner_run(&rc, res), 0);
	fclose(m);
	hal_port_close(&port);
}

static void test_workers_agree(void **state)
{
	(void)state;
	static struct runner_result r1, rn;
	struct capture c;
	char *t1 = NULL;
	run(1, &c, &t1, &r1);
	const struct stats_block *s = &r1.snap.sum;
	assert_ctr(s, RX_PACKETS, c.frames);
	assert_int_equal(r1.port_stats.rx_packets, c.frames);
	assert_ctr(s, FLOW_CREATED, c.flows);
	assert_ctr(s, FRAG_REASSEMBLED, 1);
	assert_ctr(s, DROP_MALFORMED, 1);
	assert_ctr(s, DEC_IPV4_BAD_HLEN, 1);
	/* the DNS flows before the gap ended idle, the rest at the end */
	assert_ctr(s, FLOW_END_IDLE, 21);
	assert_ctr(s, FLOW_END_EOF, c.flows - 21);
	assert_int_equal(s->flows_active, 0);
	uint8_t in = (uint8_t)zone_index(&zones, "internal");
	uint8_t dmz = (uint8_t)zone_index(&zones, "dmz");
	uint8_t ptn = (uint8_t)zone_index(&zones, "partner");
	assert_int_equal(s->zp[in][dmz].flows, 20 + 40 + 1);
	assert_int_equal(s->zp[in][ptn].flows, 20);
	unsigned n1;
	char **l1 = flow_lines(t1, &n1);
	assert_int_equal(n1, c.flows);

	static const unsigned ws[] = { 2, 4 };
	for (size_t k = 0; k < 2; k++) {
		char *tn = NULL;
		run(ws[k], &c, &tn, &rn);
		unsigned nn;
		char **ln = flow_lines(tn, &nn);
		assert_int_equal(nn, n1);
		for (unsigned i = 0; i < n1; i++)
			if (strcmp(l1[i], ln[i]) != 0)
				fail_msg("%u workers differ:\n  %s\n  %s", ws[k], l1[i], ln[i]);
		for (unsigned i = 0; i < CTR__COUNT; i++)
			if (rn.snap.sum.c[i] != s->c[i])
				fail_msg("%u workers: %s = %llu, one worker %llu", ws[k],
					 stats_ctr_name(i), (unsigned long long)rn.snap.sum.c[i],
					 (unsigned long long)s->c[i]);
		for (unsigned i = 0; i < nn; i++)
			free(ln[i]);
		free(ln);
		free(tn);
	}
	for (unsigned i = 0; i < n1; i++)
		free(l1[i]);
	free(l1);
	free(t1);
}

static void test_bad_config(void **state)
{
	(void)state;
	static struct runner_result res;
	struct hal_port port = { .name = "sim0", .ops = &sim_port_ops, .config = &scfg };
	assert_int_equal(hal_port_open(&port), 0);
	sim_port_end(&port);
	struct runner_cfg rc = {
		.board = board_get(),
		.port = &port,
		.workers = board_get()->pools.max_workers + 1,
		.wcfg = { .flow_slots = 16, .zones = &zones },
	};
	assert_int_equal(runner_run(&rc, &res), -EINVAL);
	rc.workers = 1;
	rc.wcfg.flow_slots = 0;
	assert_int_equal(runner_run(&rc, &res), -EINVAL);
	/* an empty source: a clean run with nothing in it */
	rc.wcfg.flow_slots = 16;
	assert_int_equal(runner_run(&rc, &res), 0);
	assert_ctr(&res.snap.sum, RX_PACKETS, 0);
	assert_null(port.pool); /* the runner's pool is gone with it */
	hal_port_close(&port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_agree),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests_name("runner", tests, group_setup, NULL);
}
