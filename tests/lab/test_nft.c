// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel enforcement through libnftnl, on the real nftables of a private,
 * unnamed network namespace (unshare(CLONE_NEWNET)): nothing outside it is
 * touched and it disappears with the process. Needs root; skipped otherwise.
 * The nft command is used only to look at the result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nft/nft_fw.h"
#include "policy/fw_compile.h"
#include "policy/policy.h"
#include "segw/hal/board.h"

#define SKIP_RC 77

static char *capture(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0)
		n += r;
	buf[n] = 0;
	pclose(f);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int c = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		c++;
	return c;
}

/* Zones of ports only: rules between non-default zones are exact in the
 * kernel; rules with L7 facts or the default zone are the pipeline's. */
static const char *policy_text =
	"zone internal ports int0\n"
	"zone external ports ext0 default\n"
	"zone dmz ports dmz0\n"
	"rule 10 from internal to external app tls sni \"*.example.org\" allow\n"
	"rule 20 from internal to dmz tcp dport 80,443 allow\n"
	"rule 30 from internal to external udp dport 53 allow\n"
	"rule 40 from internal to dmz tcp dport 8000-8999 reject\n"
	"rule 50 src !192.168.0.0/16 proto 47 deny\n"
	"default action deny\n";

static struct policy *load(const char *text)
{
	static char errs[4096];
	struct policy *p = NULL;
	assert_int_equal(policy_parse("t", text, strlen(text), &p, errs, sizeof(errs), 5), 0);
	return p;
}

static void test_apply_replace_refuse_remove(void **state)
{
	(void)state;
	const struct board_desc *b = board_get();
	assert_int_equal(system("nft add table inet other && nft add chain inet other c && "
				"nft add rule inet other c counter"),
			 0);

	struct policy *p = load(policy_text);
	struct fw_compiled fc;
	char err[512] = "";
	assert_int_equal(fw_compile(p, b, FW_MODE_INLINE, 3, 1, &fc, err, sizeof(err)), 0);
	assert_int_equal(fc.l7_rules, 2); /* rules 10 and 30 */

	struct nft_fw_cfg cfg = { .table = "segw", .hook_forward = 1 };
	struct hal_fw fw = { .name = "t", .ops = &nft_fw_ops, .config = &cfg };
	assert_int_equal(fw.ops->open(&fw), 0);
	struct hal_fw_caps caps;
	assert_int_equal(fw.ops->caps(&fw, &caps), 0);
	fprintf(stderr, "kernel queue: %s\n", caps.native_queue ? "native nft queue" : "xt NFQUEUE");

	assert_int_equal(fw.ops->apply(&fw, &fc.rs, err, sizeof(err)), 0);
	char *l = capture("nft list table inet segw");
	/* chains per zone pair: rule 20 (internal -> dmz, both ports) lives in
	 * its pair's chain only, without interface matches; rules of one side
	 * (10, 30: to the default zone) or none (50) are in the main chain and
	 * in each pair chain they can match, in the policy's order, then the
	 * default; the main chain dispatches with one map lookup */
	assert_non_null(strstr(l, "iifname . oifname vmap @zonepairs"));
	assert_non_null(strstr(l, "\"segw-int0\" . \"segw-dmz0\" : jump zp-segw-int0-segw-dmz0"));
	const char *zp = strstr(l, "chain zp-segw-int0-segw-dmz0 {");
	assert_non_null(zp);
	assert_int_equal(count(l, "comment \"segw rule 20\""), 2);
	assert_int_equal(count(zp, "comment \"segw rule 20\""), 2);
	assert_non_null(strstr(zp, "\t\ttcp dport 443 counter packets 0 bytes 0 ct mark set 0x5e000101 "
				   "accept comment \"segw rule 20\""));
	assert_null(strstr(l, "oifname \"segw-dmz0\"")); /* the dispatch matched it */
	assert_true(strstr(zp, "segw rule 10") < strstr(zp, "segw rule 20"));
	assert_true(strstr(zp, "segw rule 30") < strstr(zp, "segw rule 40"));
	assert_true(strstr(zp, "segw rule 40") < strstr(zp, "segw rule 50"));
	assert_true(strstr(zp, "segw rule 50") < strstr(zp, "drop comment \"segw default\""));
	assert_int_equal(count(l, "comment \"segw rule 50\""), 2); /* main + the pair */
	assert_true(strstr(l, "vmap @zonepairs") < strstr(l, "ip saddr != 192.168.0.0/16"));
	assert_non_null(strstr(l, "ct mark set 0x5e000101 accept comment \"segw rule 20\""));
	assert_non_null(strstr(l, "ct state established,related queue num 3"));
	assert_non_null(strstr(l, "policy drop;"));
	assert_non_null(strstr(l, "hook forward"));
	assert_non_null(strstr(l, "tcp dport 8000-8999"));
	assert_non_null(strstr(l, "reject with icmpx admin-prohibited"));
	assert_non_null(strstr(l, "ip saddr != 192.168.0.0/16"));
	assert_non_null(strstr(l, "queue num 3 bypass")); /* rule 10: to the pipeline */
	assert_non_null(strstr(l, "ct mark 0x5e000101 accept"));
	/* order is the policy's (in the pair's chain, above; in the main chain) */
	assert_true(strstr(l, "segw rule 10") < strstr(l, "segw rule 30"));
	free(l);

	/* apply again with another policy: replaced whole, atomically */
	struct policy *p2 = load("zone a ports int0 default\nrule 7 tcp dport 22 allow\n"
				 "default action allow\n");
	struct fw_compiled fc2;
	assert_int_equal(fw_compile(p2, b, FW_MODE_TAP, 0, 2, &fc2, err, sizeof(err)), 0);
	assert_int_equal(fw.ops->apply(&fw, &fc2.rs, err, sizeof(err)), 0);
	l = capture("nft list table inet segw");
	assert_int_equal(count(l, "comment \"segw rule "), 1);
	assert_non_null(strstr(l, "policy accept;"));
	assert_null(strstr(l, "ct mark")); /* tap mode: no fast-path marks */
	free(l);

	/* a ruleset the kernel refuses: nothing changes, the message names the rule */
	struct nft_fw_cfg bad = cfg;
	bad.inject_bad_rule = 4242;
	struct hal_fw fwb = { .name = "bad", .ops = &nft_fw_ops, .config = &bad };
	assert_int_equal(fwb.ops->open(&fwb), 0);
	int rc = fwb.ops->apply(&fwb, &fc.rs, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "rule 4242"));
	fwb.ops->close(&fwb);
	l = capture("nft list table inet segw");
	assert_int_equal(count(l, "comment \"segw rule "), 1); /* still the second policy */
	assert_non_null(strstr(l, "segw rule 7"));
	free(l);

	/* the other table was never touched; remove deletes ours only */
	assert_int_equal(fw.ops->remove(&fw), 0);
	l = capture("nft list tables");
	assert_null(strstr(l, "table inet segw"));
	assert_non_null(strstr(l, "table inet other"));
	free(l);
	l = capture("nft list table inet other");
	assert_non_null(strstr(l, "counter"));
	free(l);
	fw.ops->close(&fw);
	fw_compiled_free(&fc);
	fw_compiled_free(&fc2);
	policy_free(p);
	policy_free(p2);
}

static void test_scale_10k(void **state)
{
	(void)state;
	/* 10,000 host rules in one batch */
	size_t cap = 10000 * 80, n = 0;
	char *text = malloc(cap);
	n += (size_t)snprintf(text, cap, "zone in ports int0 default\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(text + n, cap - n, "rule %d dst 100.64.%d.%d tcp dport 443 allow\n",
				      i + 1, i >> 8, i & 255);
	struct policy *p = load(text);
	struct fw_compiled fc;
	char err[256];
	assert_int_equal(fw_compile(p, board_get(), FW_MODE_INLINE, 0, 1, &fc, err, sizeof(err)), 0);
	struct nft_fw_cfg cfg = { .table = "segw", .hook_forward = 1 };
	struct hal_fw fw = { .name = "t", .ops = &nft_fw_ops, .config = &cfg };
	assert_int_equal(fw.ops->open(&fw), 0);
	assert_int_equal(fw.ops->apply(&fw, &fc.rs, err, sizeof(err)), 0);
	/* 10,000 host rules of one shape: folded into one rule and a set */
	assert_int_equal(fc.rs.n_rules, 1);
	char *l = capture("nft list table inet segw | grep -c 'segw rule'");
	assert_int_equal(atoi(l), 1);
	free(l);
	l = capture("nft list set inet segw hosts0 | grep -o '100\\.64\\.[0-9]*\\.[0-9]*' | sort -u | wc -l");
	assert_int_equal(atoi(l), 10000);
	free(l);
	fw.ops->remove(&fw);
	fw.ops->close(&fw);
	fw_compiled_free(&fc);
	policy_free(p);
	free(text);
}

/* Folding keeps first-match order: accept/drop runs become a verdict map
 * (a repeated key keeps its first rule), a reject splits the run. */
static void test_fold_order(void **state)
{
	(void)state;
	const char *t = "zone in ports int0 default\n"
			"rule 1 dst 10.9.0.1 tcp dport 22 allow\n"
			"rule 2 dst 10.9.0.2 tcp dport 22 allow\n"
			"rule 3 dst 10.9.0.3 tcp dport 22 allow\n"
			"rule 4 dst 10.9.0.4 tcp dport 22 allow\n"
			"rule 5 dst 10.9.0.5 tcp dport 22 deny\n"
			"rule 6 dst 10.9.0.1 tcp dport 22 deny\n" /* shadowed by rule 1 */
			"rule 7 dst 10.9.0.7 tcp dport 23 allow\n"
			"rule 8 dst 10.9.0.8 tcp dport 22 reject\n"
			"rule 9 dst 10.9.0.9 tcp dport 22 allow\n";
	struct policy *p = load(t);
	struct fw_compiled fc;
	char err[256];
	assert_int_equal(fw_compile(p, board_get(), FW_MODE_INLINE, 0, 1, &fc, err, sizeof(err)), 0);
	assert_int_equal(fc.rs.n_rules, 3); /* map{1-7} 8 9 */
	const struct hal_fw_rule *m = &fc.rs.rules[0];
	assert_int_equal(m->n_dst_hosts, 6); /* 7 rules, one key repeated */
	assert_non_null(m->verdicts);
	assert_non_null(m->dst_ports);
	for (uint32_t i = 0; i < m->n_dst_hosts; i++)
		if (m->dst_hosts[i].addr[3] == 1) /* 10.9.0.1: rule 1's allow, not rule 6's deny */
			assert_int_equal(m->verdicts[i], HAL_FW_ACCEPT);
	assert_int_equal(fc.rs.rules[1].verdict, HAL_FW_REJECT);
	struct nft_fw_cfg cfg = { .table = "segw", .hook_forward = 1 };
	struct hal_fw fw = { .name = "t", .ops = &nft_fw_ops, .config = &cfg };
	assert_int_equal(fw.ops->open(&fw), 0);
	assert_int_equal(fw.ops->apply(&fw, &fc.rs, err, sizeof(err)), 0);
	char *l = capture("nft list table inet segw");
	assert_non_null(strstr(l, "ip daddr . th dport vmap @hosts0"));
	assert_non_null(strstr(l, "10.9.0.1 . 22 : jump segw-allow"));
	assert_non_null(strstr(l, "10.9.0.5 . 22 : drop"));
	assert_non_null(strstr(l, "chain segw-allow"));
	assert_true(strstr(l, "vmap @hosts0") < strstr(l, "ip daddr 10.9.0.8"));
	free(l);
	fw.ops->remove(&fw);
	fw.ops->close(&fw);
	fw_compiled_free(&fc);
	policy_free(p);
}

/* Zone admission limits: one limit rule per port (or prefix), before any
 * policy rule, after the rules of known connections; counted drops. */
static void test_admission(void **state)
{
	(void)state;
	const char *t = "zone internal ports int0\n"
			"zone external ports ext0 default new-flows 2000/s\n"
			"zone partner prefixes 203.0.113.0/24 new-flows 50/s\n"
			"rule 10 from external to internal tcp dport 80 allow\n"
			"default action deny\n";
	struct policy *p = load(t);
	struct fw_compiled fc;
	char err[256];
	assert_int_equal(fw_compile(p, board_get(), FW_MODE_INLINE, 0, 1, &fc, err, sizeof(err)), 0);
	assert_int_equal(fc.rs.n_admit, 2);
	assert_string_equal(fc.rs.admit[0].zone, "external");
	assert_non_null(fc.rs.admit[0].iif);
	assert_null(fc.rs.admit[0].src);
	assert_int_equal(fc.rs.admit[0].rate_per_s, 2000);
	assert_int_equal(fc.rs.admit[0].burst, 200);
	assert_non_null(fc.rs.admit[1].src); /* a zone of prefixes: by source */
	assert_int_equal(fc.rs.admit[1].burst, 16);
	struct nft_fw_cfg cfg = { .table = "segw", .hook_forward = 1 };
	struct hal_fw fw = { .name = "t", .ops = &nft_fw_ops, .config = &cfg };
	assert_int_equal(fw.ops->open(&fw), 0);
	assert_int_equal(fw.ops->apply(&fw, &fc.rs, err, sizeof(err)), 0);
	char *l = capture("nft list table inet segw");
	const char *a1 = strstr(l, "limit rate over 2000/second burst 200 packets counter");
	const char *a2 = strstr(l, "ip saddr 203.0.113.0/24 limit rate over 50/second burst 16 packets");
	const char *r10 = strstr(l, "segw rule 10");
	assert_non_null(a1);
	assert_non_null(a2);
	assert_non_null(strstr(l, "comment \"segw admit external\""));
	assert_non_null(r10);
	assert_true(a1 < r10 && a2 < r10); /* before the policy's rules */
	assert_true(strstr(l, "ct state established,related") < a1); /* after known ones */
	free(l);
	fw.ops->remove(&fw);
	fw.ops->close(&fw);
	fw_compiled_free(&fc);
	policy_free(p);
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "skipped: needs root for a private network namespace\n");
		return SKIP_RC;
	}
	if (system("nft list tables >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipped: no nft command to inspect the result\n");
		return SKIP_RC;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_replace_refuse_remove),
		cmocka_unit_test(test_scale_10k),
		cmocka_unit_test(test_fold_order),
		cmocka_unit_test(test_admission),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
