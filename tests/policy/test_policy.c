// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy language, canonical printing, compiler and lookup. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dpi/detector.h"
#include "policy/policy.h"

static char errs[65536];

static struct policy *parse_ok(const char *text)
{
	struct policy *p = NULL;
	int rc = policy_parse("t.policy", text, strlen(text), &p, errs, sizeof(errs), 20);
	if (rc)
		fprintf(stderr, "unexpected errors:\n%s", errs);
	assert_int_equal(rc, 0);
	assert_int_equal(policy_compile(p), 0);
	return p;
}

static void parse_fails(const char *text, const char *expect)
{
	struct policy *p = NULL;
	int rc = policy_parse("t.policy", text, strlen(text), &p, errs, sizeof(errs), 20);
	assert_int_equal(rc, -22);
	assert_null(p);
	if (!strstr(errs, expect)) {
		fprintf(stderr, "expected \"%s\" in:\n%s", expect, errs);
		fail();
	}
}

static char *print_str(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(policy_print(p, f), 0);
	fclose(f);
	return buf;
}

static const char *sample =
	"# a SEG/mSEG policy\n"
	"zone internal ports int0 prefixes 10.0.0.0/8,fd00::/8\n"
	"zone external ports ext0 default new-flows 5000/s\n"
	"zone partner prefixes 203.0.113.0/24\n"
	"zone mobile prefixes 172.16.0.0/12 new-flows 200/s\n"
	"zone dmz prefixes 198.51.100.0/24\n"
	"set addr resolvers 10.0.0.53, 10.0.0.54\n"
	"set name evidence \"*.evidence.example\", \"evidence.example\"\n"
	"set port web 80,443,8000-8999\n"
	"backend ev-be 10.0.0.80:443 tls verify\n"
	"backend v6-be [fd00::80]:8443\n"
	"default action deny\n"
	"default queue-overload fail-closed\n"
	"rule 999 from any to any deny log\n"
	"rule 10 from mobile to internal app tls sni @evidence client-ou \"BWV \\\"x\\\"\" allow log\n"
	"rule 20 from internal to external app QUIC,tls allow\n"
	"rule 25 from internal to external udp dport 53 dst @resolvers allow\n"
	"rule 30 from internal to partner dst 203.0.113.7 tcp dport 443 allow\n"
	"rule 40 from external to dmz tcp dport @web terminate-tls ev-be rate-limit 100/s\n"
	"rule 50 src !10.0.0.0/8 proto 47 reject\n"
	"rule 60 from internal dst fd00::/16 tcp sport 1024-65535 dport 22 allow\n"
	"rule 70 from internal app dns query \"*.bad.example\" deny log\n"
	"rule 80 tls-version-min 1.3 no-sni deny\n";

static void test_roundtrip(void **state)
{
	(void)state;
	struct policy *p = parse_ok(sample);
	assert_int_equal(p->n_rules, 10);
	assert_int_equal(p->rules[0].id, 10); /* sorted by id */
	char *t1 = print_str(p);
	struct policy *q = parse_ok(t1);
	assert_true(policy_equal(p, q));
	char *t2 = print_str(q);
	assert_string_equal(t1, t2); /* canonical form is a fixed point */
	assert_non_null(strstr(t1, "rule 20 from internal to external app QUIC,TLS allow\n"));
	assert_non_null(strstr(t1, "client-ou \"BWV \\\"x\\\"\""));
	assert_non_null(strstr(t1, "backend v6-be [fd00::80]:8443\n"));
	assert_non_null(strstr(t1, "zone external ports ext0 default new-flows 5000/s\n"));
	assert_int_equal(p->zones[3].new_flows_per_s, 200);
	q->zones[3].new_flows_per_s = 201; /* the admission limit is part of the policy */
	assert_false(policy_equal(p, q));
	q->zones[3].new_flows_per_s = 200;
	/* a change is seen by equality */
	q->rules[3].log ^= 1;
	assert_false(policy_equal(p, q));
	free(t1);
	free(t2);
	policy_free(p);
	policy_free(q);
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("zone a prefixes 10.0.0.1/8\n", "t.policy:1:17: prefix has host bits set");
	parse_fails("rule 1 from nowhere allow\n", "t.policy:1:13: no zone named 'nowhere'");
	parse_fails("rule 1 tcp dport 70000 allow\n", "t.policy:1:18: expected a port");
	parse_fails("rule 1 allow\nrule 1 deny\n", "t.policy:2:6: rule 1 is already defined on line 1");
	parse_fails("rule 1 app tlz allow\n", "t.policy:1:12: unknown application 'tlz'");
	parse_fails("rule 1 sni \"a.*.b\" allow\n", "name pattern");
	parse_fails("rule 1 from any\n", "t.policy:1:16: expected an action");
	parse_fails("rule 1 frm any allow\n", "t.policy:1:8: expected a match");
	parse_fails("default action maybe\n", "t.policy:1:16: expected allow, deny or reject");
	parse_fails("set addr x 1.2.3.4\nrule 2 dport @x allow\n",
		    "t.policy:2:15: set 'x' holds addresses, expected a set of ports");
	parse_fails("rule 1 terminate-tls nobe\n", "no backend named 'nobe'");
	parse_fails("rule 1 icmp dport 5 allow\n", "ports given for a protocol without ports");
	parse_fails("rule 1 client-ou \"unterminated allow\n", "t.policy:1:18: unterminated string");
	parse_fails("zone a\nzone a\n", "t.policy:2:6: 'a' is already defined");
	parse_fails("rule 0 allow\n", "expected a rule id");
	parse_fails("zone a ports x new-flows 0/s\n", "t.policy:1:26: expected a rate like 100/s");
	parse_fails("zone a ports x new-flows many\n", "t.policy:1:26: expected a rate like 100/s");
	parse_fails("zone a default new-flows 10/s\n",
		    "t.policy:1:16: new-flows needs the zone's ports or prefixes");
	parse_fails("zone a ports x new-flows 1/s new-flows 2/s\n", "t.policy:1:30: expected 'ports'");
	parse_fails("rule 1 allow log log\n", "'log' given twice");
	parse_fails("frobnicate\n", "expected a statement");
	parse_fails("rule 1 allow\x01\n", "unexpected character");
	/* every error of a file is reported, each with its line */
	parse_fails("rule 1 from x allow\nrule 2 from y allow\n", "t.policy:2:13: no zone named 'y'");
	/* one bad line rejects the whole policy even if the rest is fine */
	struct policy *p = NULL;
	const char *mixed = "rule 1 allow\nrule 2 bogus\nrule 3 deny\n";
	assert_int_equal(policy_parse("m", mixed, strlen(mixed), &p, errs, sizeof(errs), 5), -22);
	assert_null(p);
	/* the error budget is honoured and says how many were cut */
	char many[4096] = "";
	for (int i = 1; i <= 30; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "rule %d bogus\n", i);
	assert_int_equal(policy_parse("m", many, strlen(many), &p, errs, sizeof(errs), 5), -22);
	assert_non_null(strstr(errs, "25 more errors not shown"));
}

static struct policy_flow flow4(uint8_t cz, uint8_t sz, const char *src, const char *dst,
				uint8_t proto, uint16_t sport, uint16_t dport, uint8_t *sbuf,
				uint8_t *dbuf)
{
	struct policy_flow f;
	memset(&f, 0, sizeof(f));
	memset(sbuf, 0, 16);
	memset(dbuf, 0, 16);
	unsigned a, b, c, d;
	sscanf(src, "%u.%u.%u.%u", &a, &b, &c, &d);
	sbuf[0] = (uint8_t)a, sbuf[1] = (uint8_t)b, sbuf[2] = (uint8_t)c, sbuf[3] = (uint8_t)d;
	sscanf(dst, "%u.%u.%u.%u", &a, &b, &c, &d);
	dbuf[0] = (uint8_t)a, dbuf[1] = (uint8_t)b, dbuf[2] = (uint8_t)c, dbuf[3] = (uint8_t)d;
	f.czone = cz;
	f.szone = sz;
	f.ipver = 4;
	f.proto = proto;
	f.src = sbuf;
	f.dst = dbuf;
	f.sport = sport;
	f.dport = dport;
	return f;
}

static void test_lookup_semantics(void **state)
{
	(void)state;
	struct policy *p = parse_ok(sample);
	int in = policy_zone_index(p, "internal"), ex = policy_zone_index(p, "external");
	int pa = policy_zone_index(p, "partner"), mo = policy_zone_index(p, "mobile");
	int dmz = policy_zone_index(p, "dmz");
	uint8_t s[16], d[16];
	struct policy_result r, rl;

	/* DNS to a resolver: rule 25 */
	struct policy_flow f = flow4((uint8_t)in, (uint8_t)ex, "10.1.0.2", "10.0.0.53", 17, 5000, 53, s, d);
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.kind, POLICY_MATCH);
	assert_int_equal(r.rule_id, 25);
	assert_int_equal(r.action, POLICY_ALLOW);
	/* DNS elsewhere falls to 999 */
	f = flow4((uint8_t)in, (uint8_t)ex, "10.1.0.2", "8.8.8.8", 17, 5000, 53, s, d);
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	assert_int_equal(r.action, POLICY_DENY);
	assert_int_equal(r.log, 1);
	/* partner: only 203.0.113.7:443/tcp */
	f = flow4((uint8_t)in, (uint8_t)pa, "10.1.0.2", "203.0.113.7", 6, 40000, 443, s, d);
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 30);
	/* classification pending: internal->external TCP could be TLS (rule 20) */
	f = flow4((uint8_t)in, (uint8_t)ex, "10.1.0.2", "93.184.216.34", 6, 40000, 443, s, d);
	policy_lookup(p, &f, &r);
	assert_int_equal(r.kind, POLICY_PENDING);
	assert_int_equal(r.rule_id, 20);
	f.app = DPI_APP_TLS;
	f.sni = "www.example.org";
	policy_lookup(p, &f, &r);
	assert_int_equal(r.kind, POLICY_MATCH);
	assert_int_equal(r.rule_id, 20);
	f.app = DPI_APP_SSH;
	f.l7_done = 1;
	f.sni = NULL;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	/* mobile -> internal: SNI set and client OU */
	f = flow4((uint8_t)mo, (uint8_t)in, "172.16.5.5", "10.0.0.9", 6, 40000, 443, s, d);
	f.app = DPI_APP_TLS;
	f.sni = "Upload.Evidence.Example";
	policy_lookup(p, &f, &r);
	assert_int_equal(r.kind, POLICY_PENDING); /* client-ou not known yet */
	f.client_ou = "BWV \"x\"";
	policy_lookup(p, &f, &r);
	assert_int_equal(r.kind, POLICY_MATCH);
	assert_int_equal(r.rule_id, 10);
	f.sni = "evidence.example.attacker.net";
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	f.sni = "xevidence.example"; /* a suffix must start at a label */
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	/* port range via a set and terminate-tls */
	f = flow4((uint8_t)ex, (uint8_t)dmz, "1.2.3.4", "198.51.100.10", 6, 40000, 8443, s, d);
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 40);
	assert_int_equal(r.action, POLICY_TERMINATE_TLS);
	assert_int_equal(r.backend, 0);
	f.dport = 9000;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	/* negated source */
	f = flow4((uint8_t)ex, (uint8_t)in, "1.2.3.4", "10.0.0.1", 47, 0, 0, s, d);
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 50);
	assert_int_equal(r.action, POLICY_REJECT);
	f.src = d; /* 10.0.0.1 is inside 10/8: not rule 50 */
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 999);
	policy_lookup_linear(p, &f, &rl);
	assert_int_equal(rl.rule_id, r.rule_id);
	policy_free(p);

	/* no rule: the default action decides, rule id 0 */
	p = parse_ok("default action allow\nrule 5 tcp dport 22 deny\n");
	f = flow4(0, 0, "1.1.1.1", "2.2.2.2", 17, 1, 2, s, d);
	f.l7_done = 1;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 0);
	assert_int_equal(r.action, POLICY_ALLOW);
	policy_free(p);
}

/* Random policies: the compiled lookup agrees with the linear reference. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_random_equivalence(void **state)
{
	(void)state;
	static const char *const apps[] = { "tls", "quic", "dns", "http", "ssh" };
	static const char *const names[] = { "\"*.a.example\"", "\"b.example\"", "\"*\"" };
	for (int round = 0; round < 40; round++) {
		char *text = NULL;
		size_t tl = 0;
		FILE *o = open_memstream(&text, &tl);
		fprintf(o, "zone z0 prefixes 10.0.0.0/8\nzone z1 default\nzone z2\n");
		fprintf(o, "set addr s1 10.1.0.0/16,10.2.3.4\nset port p1 20-30,443\n");
		fprintf(o, "set name n1 \"*.a.example\",\"c.example\"\n");
		int nr = 1 + (int)(rnd() % 40);
		for (int i = 1; i <= nr; i++) {
			fprintf(o, "rule %d", (int)(rnd() % 1000) * 100 + i);
			if (rnd() % 2)
				fprintf(o, " from z%u", rnd() % 3);
			if (rnd() % 2)
				fprintf(o, " to z%u", rnd() % 3);
			switch (rnd() % 5) {
			case 0: fprintf(o, " src 10.%u.0.0/16", rnd() % 4); break;
			case 1: fprintf(o, " src @s1"); break;
			case 2: fprintf(o, " src !10.%u.0.0/%u", rnd() % 4, 16 + rnd() % 9); break;
			default: break;
			}
			if (rnd() % 3 == 0)
				fprintf(o, " dst 10.%u.%u.0/24", rnd() % 4, rnd() % 4);
			int proto = (int)(rnd() % 4);
			if (proto == 1)
				fprintf(o, " tcp");
			else if (proto == 2)
				fprintf(o, " udp");
			if (proto && rnd() % 2)
				fprintf(o, " dport %u-%u", rnd() % 40, 40 + rnd() % 500);
			else if (proto && rnd() % 3 == 0)
				fprintf(o, " sport @p1");
			if (rnd() % 3 == 0)
				fprintf(o, " app %s,%s", apps[rnd() % 5], apps[rnd() % 5]);
			if (rnd() % 4 == 0)
				fprintf(o, " sni %s", rnd() % 2 ? names[rnd() % 3] : "@n1");
			if (rnd() % 8 == 0)
				fprintf(o, " tls-version-min 1.3");
			fprintf(o, " %s\n", rnd() % 2 ? "allow" : "deny");
		}
		fclose(o);
		struct policy *p = NULL;
		int rc = policy_parse("r", text, tl, &p, errs, sizeof(errs), 5);
		if (rc == -22 && strstr(errs, "already defined")) { /* duplicate random id */
			free(text);
			continue;
		}
		if (rc)
			fprintf(stderr, "%s\n%s", text, errs);
		assert_int_equal(rc, 0);
		assert_int_equal(policy_compile(p), 0);
		static const char *const snis[] = { NULL, "x.a.example", "a.example", "c.example",
						    "b.example" };
		static const uint16_t app_ids[] = { 0, DPI_APP_TLS, DPI_APP_DNS, DPI_APP_SSH };
		for (int q = 0; q < 3000; q++) {
			uint8_t s[16] = { 10, (uint8_t)(rnd() % 5), (uint8_t)(rnd() % 5), (uint8_t)(rnd() % 6) };
			uint8_t d[16] = { 10, (uint8_t)(rnd() % 5), (uint8_t)(rnd() % 5), (uint8_t)(rnd() % 6) };
			if (rnd() % 5 == 0)
				s[0] = 11;
			struct policy_flow f = { 0 };
			f.czone = (uint8_t)(rnd() % 3);
			f.szone = (uint8_t)(rnd() % 3);
			f.ipver = 4;
			f.proto = (uint8_t)(rnd() % 3 == 0 ? 6 : rnd() % 2 ? 17 : 47);
			f.src = s;
			f.dst = d;
			f.sport = (uint16_t)(rnd() % 600);
			f.dport = (uint16_t)(rnd() % 600);
			f.app = app_ids[rnd() % 4];
			f.l7_done = (uint8_t)(rnd() % 2);
			f.sni = snis[rnd() % 5];
			f.tls_version = rnd() % 2 ? 0x0304 : 0;
			struct policy_result a, b;
			policy_lookup(p, &f, &a);
			policy_lookup_linear(p, &f, &b);
			if (a.rule_id != b.rule_id || a.kind != b.kind) {
				fprintf(stderr, "mismatch round %d: compiled %u/%u linear %u/%u\n%s", round,
					a.rule_id, a.kind, b.rule_id, b.kind, text);
				fail();
			}
		}
		policy_free(p);
		free(text);
	}
}

static void test_scale(void **state)
{
	(void)state;
	/* 100,000 host rules of one shape compile to one group */
	size_t cap = 100000 * 64;
	char *text = malloc(cap);
	size_t n = 0;
	n += (size_t)snprintf(text + n, cap - n, "zone in prefixes 10.0.0.0/8\nzone out default\n");
	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "rule %d from in to out dst 100.%d.%d.%d tcp dport 443 allow\n",
				      i + 1, (i >> 16) & 255, (i >> 8) & 255, i & 255);
	struct policy *p = NULL;
	assert_int_equal(policy_parse("big", text, n, &p, errs, sizeof(errs), 5), 0);
	assert_int_equal(policy_compile(p), 0);
	uint32_t groups, entries;
	policy_compiled_stats(p, &groups, &entries);
	assert_int_equal(groups, 1);
	assert_int_equal(entries, 100000);
	uint8_t s[16] = { 10, 0, 0, 1 }, d[16] = { 100, 1, 134, 159 };
	struct policy_flow f = { .czone = 0, .szone = 1, .ipver = 4, .proto = 6, .src = s, .dst = d,
				 .sport = 5555, .dport = 443, .l7_done = 1 };
	struct policy_result r;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, (1 << 16) + (134 << 8) + 159 + 1);
	f.dport = 80;
	policy_lookup(p, &f, &r);
	assert_int_equal(r.rule_id, 0);
	policy_free(p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lookup_semantics),
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
