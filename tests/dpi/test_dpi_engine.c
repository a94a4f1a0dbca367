// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: firmware/dpi/dpi.c (engine: pools, budget, counters, report). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dpi/detector.h"
#include "dpi/dpi.h"

static void mkflow(struct flow *f, uint8_t proto, uint8_t last, uint16_t cport, uint16_t sport)
{
	memset(f, 0, sizeof(*f));
	f->key.proto = proto;
	f->key.ipver = 4;
	f->key.a[0] = 10, f->key.a[3] = 1;
	f->key.b[0] = 10, f->key.b[3] = last;
	f->key.pa = cport;
	f->key.pb = sport;
	f->dpi_slot = FLOW_NONE;
}

static void feed(struct dpi_engine *e, struct flow *f, uint8_t dir, const void *d, uint32_t n)
{
	struct pkt p;
	memset(&p, 0, sizeof(p));
	p.data = d;
	p.len = n;
	p.payload_len = n;
	p.dir = dir;
	p.l4proto = f->key.proto;
	if (!f->dpi_done)
		dpi_flow_packet(e, f, &p, NULL);
}

static const uint8_t junk[] = "\x01\x02\x03\x04 not any protocol at all \xff\xfe";

static void test_state_pool_exhaustion(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(64); /* 64 classification records */
	static struct flow f[67];
	assert_non_null(e);
	for (int i = 0; i < 64; i++) {
		/* junk on the DNS port: the DNS detector waits for a better message */
		mkflow(&f[i], 17, (uint8_t)i, (uint16_t)(2000 + i), 53);
		feed(e, &f[i], 0, junk, 4);
	}
	const uint64_t *c = dpi_engine_counters(e);
	assert_int_equal(c[DPI_CTR_STATE_POOL_EXHAUSTED], 0);
	/* full: a new flow takes the record of the flow that waited longest
	 * without a packet (all equal here: the clock's first), which is
	 * decided as what it is so far, unknown */
	mkflow(&f[64], 17, 64, 2064, 53);
	feed(e, &f[64], 0, junk, 4);
	assert_int_equal(c[DPI_CTR_STATE_POOL_EXHAUSTED], 1);
	assert_int_equal(c[DPI_CTR_STATE_RECLAIMED], 1);
	assert_false(f[64].dpi_done);
	assert_true(f[0].dpi_done);
	assert_int_equal(f[0].app, DPI_APP_UNKNOWN);
	/* a flow that keeps sending keeps its record: f[1] sends again, so the
	 * next reclaim passes it over and takes f[2] */
	feed(e, &f[1], 0, junk, 4);
	mkflow(&f[65], 17, 65, 2065, 53);
	feed(e, &f[65], 0, junk, 4);
	assert_int_equal(c[DPI_CTR_STATE_RECLAIMED], 2);
	assert_false(f[1].dpi_done);
	assert_true(f[2].dpi_done);
	assert_false(f[65].dpi_done);
	/* ending flows returns their records: a new flow gets one, no reclaim */
	for (int i = 3; i < 64; i++)
		dpi_flow_end(e, &f[i]);
	mkflow(&f[66], 17, 66, 3000, 53);
	feed(e, &f[66], 0, junk, 4);
	assert_false(f[66].dpi_done);
	assert_int_equal(c[DPI_CTR_STATE_POOL_EXHAUSTED], 2); /* unchanged */
	assert_int_equal(c[DPI_CTR_STATE_RECLAIMED], 2);
	dpi_flow_end(e, &f[1]);
	dpi_flow_end(e, &f[64]);
	dpi_flow_end(e, &f[65]);
	dpi_flow_end(e, &f[66]);
	dpi_engine_destroy(e);
}

static void test_unknown_and_budget(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(1024);
	struct flow f;
	char js[2048];
	mkflow(&f, 6, 2, 40000, 5555);
	for (int i = 0; i < 30 && !f.dpi_done; i++)
		feed(e, &f, (uint8_t)(i & 1), junk, sizeof(junk) - 1);
	assert_true(f.dpi_done);
	assert_int_equal(f.app, DPI_APP_UNKNOWN);
	const uint64_t *c = dpi_engine_counters(e);
	assert_int_equal(c[DPI_CTR_FLOWS], 1);
	assert_int_equal(c[DPI_CTR_FLOWS_FOUND], 0);
	assert_true(c[DPI_CTR_DETECTOR_CALLS] >= 1);
	assert_true(f.dpi_packets <= DPI_BUDGET_PAYLOAD_PKTS);
	size_t n = dpi_flow_json(e, &f, js, sizeof(js));
	assert_true(n > 0);
	assert_non_null(strstr(js, "\"app\":\"Unknown\""));
	assert_null(strstr(js, "server_name"));
	dpi_flow_end(e, &f);
	/* a TCP flow without payload never takes a record and gives up by count */
	mkflow(&f, 6, 3, 40001, 5555);
	for (int i = 0; i < DPI_BUDGET_TOTAL_PKTS; i++)
		feed(e, &f, 0, NULL, 0);
	assert_true(f.dpi_done);
	assert_int_equal(f.dpi_slot, FLOW_NONE);
	dpi_engine_destroy(e);
}

static size_t dns_msg(uint8_t *m, int resp, const char *name, const uint8_t addr[4])
{
	size_t o = 12;
	memset(m, 0, 12);
	m[0] = 0x12, m[1] = 0x34;
	m[2] = resp ? 0x81 : 0x01;
	m[3] = resp ? 0x80 : 0x00;
	m[5] = 1;
	m[7] = resp ? 1 : 0;
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		m[o++] = (uint8_t)l;
		memcpy(m + o, s, l);
		o += l;
		s += l + (dot ? 1 : 0);
	}
	m[o++] = 0;
	m[o++] = 0, m[o++] = 1, m[o++] = 0, m[o++] = 1;
	if (resp) {
		const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };
		memcpy(m + o, rr, sizeof(rr));
		o += sizeof(rr);
		memcpy(m + o, addr, 4);
		o += 4;
	}
	return o;
}

static void test_dns_names_later_flow(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(1024);
	struct flow d, t;
	uint8_t m[512];
	char js[2048];
	const uint8_t addr[4] = { 10, 0, 0, 77 };

	mkflow(&d, 17, 53, 33333, 53);
	feed(e, &d, 0, m, (uint32_t)dns_msg(m, 0, "cache.example.com", addr));
	assert_int_equal(d.app, DPI_APP_DNS);
	assert_false(d.dpi_done); /* waiting for the response */
	feed(e, &d, 1, m, (uint32_t)dns_msg(m, 1, "cache.example.com", addr));
	assert_true(d.dpi_done);
	const struct dpi_facts *x = dpi_flow_facts(e, &d);
	assert_non_null(x);
	assert_string_equal(x->server_name, "cache.example.com");
	assert_int_equal(x->dns_answers, 1);
	assert_int_equal(dpi_engine_counters(e)[DPI_CTR_DNS_CACHE_INSERTS], 1);

	mkflow(&t, 6, 77, 40000, 7777);
	for (int i = 0; i < 12 && !t.dpi_done; i++)
		feed(e, &t, 0, junk, sizeof(junk) - 1);
	assert_true(t.dpi_done);
	assert_true(dpi_flow_json(e, &t, js, sizeof(js)) > 0);
	assert_non_null(strstr(js, "\"server_name\":\"cache.example.com\""));
	assert_non_null(strstr(js, "\"server_name_source\":\"dns\""));
	assert_int_equal(dpi_engine_counters(e)[DPI_CTR_DNS_CACHE_NAMED], 1);
	dpi_flow_end(e, &d);
	dpi_flow_end(e, &t);
	dpi_engine_destroy(e);
}

static void test_http_json_escaping(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(1024);
	struct flow f;
	char js[4096];
	const char req[] = "GET /a HTTP/1.1\r\nHost: evil\"host\\x\r\nUser-Agent: \x01ua\r\n\r\n";
	mkflow(&f, 6, 9, 40000, 80);
	feed(e, &f, 0, req, sizeof(req) - 1);
	assert_true(f.dpi_done);
	assert_int_equal(f.app, DPI_APP_HTTP);
	assert_true(dpi_flow_json(e, &f, js, sizeof(js)) > 0);
	assert_non_null(strstr(js, "\"server_name\":\"evil\\\"host\\\\x\""));
	assert_non_null(strstr(js, "\"user_agent\":\"\\u0001ua\""));
	assert_non_null(strstr(js, "\"http_path_len\":2"));
	/* too small a buffer: nothing, never a cut record */
	assert_int_equal(dpi_flow_json(e, &f, js, 20), 0);
	dpi_flow_end(e, &f);
	dpi_engine_destroy(e);
}

static void test_memory_budget(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(65536);
	assert_non_null(e);
	size_t per_slot = dpi_engine_bytes(e) / 65536;
	printf("dpi engine: %zu bytes for 65536 slots (%zu per slot)\n", dpi_engine_bytes(e),
	       per_slot);
	assert_true(per_slot <= 200);
	dpi_engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_pool_exhaustion),
		cmocka_unit_test(test_unknown_and_budget),
		cmocka_unit_test(test_dns_names_later_flow),
		cmocka_unit_test(test_http_json_escaping),
		cmocka_unit_test(test_memory_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
