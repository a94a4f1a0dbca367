// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pipeline/report: JSON string escaping, the flow record, the
 * counters record and the line buffer. Every produced line is parsed back
 * with json_check.h (valid JSON, required keys with the expected values).
 */
#include <stdio.h>
#include <stdlib.h>

#include "json_check.h"
#include "test_util.h"

#include "dpi/dpi.h"
#include "pipeline/flow.h"
#include "pipeline/report.h"
#include "pipeline/zone.h"
#include "segw/hal/board.h"
#include "stats/counters.h"
#include "stats/snapshot.h"

static struct zone_map zones;

static int group_setup(void **state)
{
	(void)state;
	return zone_map_init(&zones, board_get());
}

static void expect_field(const char *line, const char *key, const char *raw)
{
	size_t n;
	const char *v = json_get(line, key, &n);
	if (!v)
		fail_msg("key \"%s\" missing in %s", key, line);
	if (n != strlen(raw) || memcmp(v, raw, n) != 0)
		fail_msg("key \"%s\" is %.*s, expected %s", key, (int)n, v, raw);
}

static void expect_no_field(const char *line, const char *key)
{
	size_t n;
	if (json_get(line, key, &n))
		fail_msg("key \"%s\" present in %s", key, line);
}

static void test_json_string(void **state)
{
	(void)state;
	char b[64];
	assert_int_equal(report_json_string(b, sizeof(b), "abc"), 5);
	assert_string_equal(b, "\"abc\"");
	assert_int_equal(report_json_string(b, sizeof(b), ""), 2);
	assert_string_equal(b, "\"\"");
	report_json_string(b, sizeof(b), "a\"b\\c");
	assert_string_equal(b, "\"a\\\"b\\\\c\"");
	report_json_string(b, sizeof(b), "l1\nl2\r\t\x01\x1f\x7f");
	assert_string_equal(b, "\"l1\\u000al2\\u000d\\u0009\\u0001\\u001f\\u007f\"");
	assert_true(json_valid(b, strlen(b)));

	/* Every byte value comes out as valid JSON. */
	char all[256], big[256 * 6 + 3];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = 0;
	size_t n = report_json_string(big, sizeof(big), all);
	assert_true(n > 255);
	assert_int_equal(strlen(big), n);
	assert_true(json_valid(big, n));

	/* Room: "ab" needs 2 + 2 quotes + the NUL. */
	assert_int_equal(report_json_string(b, 5, "ab"), 4);
	memset(b, 'x', sizeof(b));
	assert_int_equal(report_json_string(b, 4, "ab"), 0);
	assert_int_equal(report_json_string(b, 2, ""), 0);
	/* an escape that would straddle the end */
	assert_int_equal(report_json_string(b, 8, "\n"), 0);
	assert_int_equal(report_json_string(b, 9, "\n"), 8);
}

static void make_flow(struct flow *f, int v6)
{
	memset(f, 0, sizeof(*f));
	if (v6) {
		tu_addr6("fd00::2", f->key.a);
		tu_addr6("2001:db8::10", f->key.b);
	} else {
		tu_addr4("10.1.0.2", f->key.a);
		tu_addr4("198.51.100.10", f->key.b);
	}
	f->key.ipver = v6 ? 6 : 4;
	f->key.proto = IPPROTO_NUM_TCP;
	f->key.pa = 41000;
	f->key.pb = 443;
	f->id = 7;
	f->pkts[0] = 5;
	f->pkts[1] = 4;
	f->bytes[0] = 600;
	f->bytes[1] = 3000;
	f->tcp_state = FLOW_TCP_ESTABLISHED;
	f->client_known = 1;
	f->czone = (uint8_t)zone_index(&zones, "internal");
	f->szone = (uint8_t)zone_index(&zones, "dmz");
	f->first_ns = 1700000000ull * 1000000000ull + 1;
	f->last_ns = 1700000002ull * 1000000000ull + 500000000;
	f->dpi_slot = FLOW_NONE;
	f->in_use = 1;
}

static void test_flow_record(void **state)
{
	(void)state;
	struct flow f;
	char line[1024];
	make_flow(&f, 0);
	size_t n = report_format_flow(line, sizeof(line), &f, FLOW_END_EOF, &zones, NULL);
	assert_true(n > 0);
	assert_int_equal(strlen(line), n);
	assert_true(json_valid(line, n));
	expect_field(line, "type", "\"flow\"");
	expect_field(line, "id", "7");
	expect_field(line, "l4", "\"tcp\"");
	expect_field(line, "ip_version", "4");
	expect_field(line, "client_ip", "\"10.1.0.2\"");
	expect_field(line, "client_port", "41000");
	expect_field(line, "server_ip", "\"198.51.100.10\"");
	expect_field(line, "server_port", "443");
	expect_field(line, "client_zone", "\"internal\"");
	expect_field(line, "server_zone", "\"dmz\"");
	expect_field(line, "c2s_packets", "5");
	expect_field(line, "c2s_bytes", "600");
	expect_field(line, "s2c_packets", "4");
	expect_field(line, "s2c_bytes", "3000");
	expect_field(line, "tcp_state", "\"established\"");
	expect_field(line, "client_known", "true");
	expect_field(line, "first_seen", "1700000000.000000001");
	expect_field(line, "last_seen", "1700000002.500000000");
	expect_field(line, "end_reason", "\"end_of_capture\"");
	expect_no_field(line, "vlan");

	/* The client is side b of the key: the record follows the client. */
	f.client_is_b = 1;
	f.client_known = 0;
	f.tcp_state = FLOW_TCP_MIDSTREAM;
	n = report_format_flow(line, sizeof(line), &f, FLOW_END_IDLE, &zones, NULL);
	assert_true(json_valid(line, n));
	expect_field(line, "client_ip", "\"198.51.100.10\"");
	expect_field(line, "client_port", "443");
	expect_field(line, "server_port", "41000");
	expect_field(line, "client_known", "false");
	expect_field(line, "tcp_state", "\"midstream\"");
	expect_field(line, "end_reason", "\"idle_timeout\"");

	/* IPv6, QinQ tags, ICMPv6: no ports, no TCP state. */
	make_flow(&f, 1);
	f.key.proto = IPPROTO_NUM_ICMPV6;
	f.key.pa = f.key.pb = 0;
	f.key.vlan = 12;
	f.key.vlan_outer = 300;
	n = report_format_flow(line, sizeof(line), &f, FLOW_END_EVICTED, &zones, NULL);
	assert_true(json_valid(line, n));
	expect_field(line, "l4", "\"icmpv6\"");
	expect_field(line, "ip_version", "6");
	expect_field(line, "client_ip", "\"fd00::2\"");
	expect_field(line, "server_ip", "\"2001:db8::10\"");
	expect_field(line, "client_port", "null");
	expect_field(line, "server_port", "null");
	expect_field(line, "tcp_state", "null");
	expect_field(line, "vlan", "12");
	expect_field(line, "vlan_outer", "300");
	expect_field(line, "end_reason", "\"evicted\"");

	/* A transport we do not name: its number. Unknown zone index. */
	f.key.proto = 50;
	f.szone = 200;
	n = report_format_flow(line, sizeof(line), &f, FLOW_END_CLOSED, &zones, NULL);
	assert_true(json_valid(line, n));
	expect_field(line, "l4", "50");
	expect_field(line, "server_zone", "\"unknown\"");

	/* Too small a buffer: nothing (0), never a cut record. */
	make_flow(&f, 0);
	n = report_format_flow(line, sizeof(line), &f, FLOW_END_EOF, &zones, NULL);
	for (size_t len = 0; len <= n; len++)
		assert_int_equal(report_format_flow(line, len, &f, FLOW_END_EOF, &zones, NULL), 0);
	assert_int_equal(report_format_flow(line, n + 1, &f, FLOW_END_EOF, &zones, NULL), n);
}

/* With the DPI engine, the application fields keep the record valid JSON. */
static void test_flow_record_with_dpi(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(16);
	assert_non_null(e);
	struct flow f;
	char line[2048];
	make_flow(&f, 0);
	size_t n = report_format_flow(line, sizeof(line), &f, FLOW_END_EOF, &zones, e);
	assert_true(n > 0);
	assert_true(json_valid(line, n));
	expect_field(line, "client_port", "41000");
	dpi_engine_destroy(e);
}

/*
 * Regression: when the fields before the DPI ones left exactly one byte free
 * (used == len - 1), the room handed to dpi_flow_json() was
 * `b.len - b.used - 2`, which wrapped to SIZE_MAX, and the DPI fields were
 * written past the caller's buffer. Nothing may be written beyond @len; the
 * result is 0 or a whole valid record.
 */
static void test_flow_record_dpi_room(void **state)
{
	(void)state;
	struct dpi_engine *e = dpi_engine_create(16);
	assert_non_null(e);
	struct flow f;
	char ref[2048];
	make_flow(&f, 0);
	/* Length without the DPI fields: prefix + "}". */
	size_t base = report_format_flow(ref, sizeof(ref), &f, FLOW_END_EOF, &zones, NULL);
	assert_true(base > 1);
	for (size_t len = base - 1; len <= base + 1; len++) {
		const size_t guard = 512;
		char *buf = malloc(len + guard);
		assert_non_null(buf);
		memset(buf + len, 0x5c, guard);
		size_t n = report_format_flow(buf, len, &f, FLOW_END_EOF, &zones, e);
		for (size_t i = 0; i < guard; i++)
			if ((unsigned char)buf[len + i] != 0x5c)
				fail_msg("len %zu: byte %zu past the buffer was written", len, i);
		/* either nothing, or a whole record that fits */
		if (n) {
			assert_true(n < len);
			assert_true(json_valid(buf, n));
		}
		free(buf);
	}
	dpi_engine_destroy(e);
}

static void test_counters_record(void **state)
{
	(void)state;
	static struct stats_snapshot s;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; i < CTR__COUNT; i++)
		s.sum.c[i] = 1000 + i;
	s.sum.flows_active = 3;
	uint8_t in = (uint8_t)zone_index(&zones, "internal"), dmz = (uint8_t)zone_index(&zones, "dmz");
	s.sum.zp[in][dmz].flows = 2;
	s.sum.zp[in][dmz].packets = 10;
	s.sum.zp[in][dmz].bytes = 1234;
	s.sum.port[0].packets = 10;
	s.sum.port[0].bytes = 1234;
	struct report_port rp = { .name = "replay0", .zone = NULL };
	rp.st.rx_packets = 11;
	rp.st.rx_nobuf = 1;

	char *text = NULL;
	size_t tlen = 0;
	FILE *m = open_memstream(&text, &tlen);
	assert_non_null(m);
	report_counters(m, &s, &zones, &rp, 1, "error", "bad \"file\"\n\tline 2");
	fclose(m);
	assert_true(tlen > 2);
	assert_int_equal(text[tlen - 1], '\n');
	assert_int_equal(memchr(text, '\n', tlen), text + tlen - 1); /* one line */
	assert_true(json_valid(text, tlen - 1));
	text[tlen - 1] = 0;
	expect_field(text, "type", "\"counters\"");
	expect_field(text, "status", "\"error\"");
	expect_field(text, "error", "\"bad \\\"file\\\"\\u000a\\u0009line 2\"");
	expect_field(text, "flows_active", "3");

	size_t n;
	const char *c = json_get(text, "counters", &n);
	assert_non_null(c);
	char *obj = strndup(c, n);
	for (unsigned i = 0; i < CTR__COUNT; i++) {
		char want[32];
		snprintf(want, sizeof(want), "%u", 1000 + i);
		expect_field(obj, stats_ctr_name(i), want);
	}
	free(obj);

	const char *zp = json_get(text, "zone_pairs", &n);
	assert_non_null(zp);
	obj = strndup(zp, n);
	expect_field(obj, "internal->dmz", "{\"flows\":2,\"packets\":10,\"bytes\":1234,\"dropped\":0}");
	expect_no_field(obj, "dmz->internal");
	free(obj);

	const char *ports = json_get(text, "ports", &n);
	assert_non_null(ports);
	obj = strndup(ports, n);
	const char *r0 = json_get(obj, "replay0", &n);
	assert_non_null(r0);
	char *port = strndup(r0, n);
	expect_field(port, "zone", "null");
	expect_field(port, "rx_packets", "11");
	expect_field(port, "rx_nobuf", "1");
	expect_field(port, "processed_packets", "10");
	expect_field(port, "processed_bytes", "1234");
	free(port);
	free(obj);
	free(text);

	/* ok, no error text */
	m = open_memstream(&text, &tlen);
	report_counters(m, &s, &zones, &rp, 1, "ok", NULL);
	fclose(m);
	assert_true(json_valid(text, tlen - 1));
	text[tlen - 1] = 0;
	expect_field(text, "status", "\"ok\"");
	expect_no_field(text, "error");
	free(text);
}

/* Records accumulate in the line buffer, which is flushed before it fills. */
static void test_line_buffer(void **state)
{
	(void)state;
	struct report_out *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	char *text = NULL;
	size_t tlen = 0;
	FILE *m = open_memstream(&text, &tlen);
	assert_non_null(m);
	r->f = m;
	r->zones = &zones;
	struct flow f;
	make_flow(&f, 0);
	const unsigned N = 400; /* ~400 bytes each: several buffer-fulls */
	for (unsigned i = 1; i <= N; i++) {
		f.id = i;
		report_flow(r, &f, FLOW_END_EOF);
		assert_true(r->used < REPORT_BUF);
	}
	fflush(m);
	assert_true(tlen > 0); /* flushed on its own before the end */
	report_flush(r);
	assert_int_equal(r->used, 0);
	fclose(m);

	unsigned lines = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines++;
		assert_true(json_valid(l, strlen(l)));
		char want[16];
		snprintf(want, sizeof(want), "%u", lines);
		expect_field(l, "id", want);
	}
	assert_int_equal(lines, N);
	free(text);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_flow_record),
		cmocka_unit_test(test_flow_record_with_dpi),
		cmocka_unit_test(test_flow_record_dpi_room),
		cmocka_unit_test(test_counters_record),
		cmocka_unit_test(test_line_buffer),
	};
	return cmocka_run_group_tests_name("report", tests, group_setup, NULL);
}
