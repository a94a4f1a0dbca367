// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: policy text through the parser, the compiler, the
 * canonical printer (whose output must parse to an equal policy), and a few
 * lookups compared with the linear reference.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/fw_compile.h"
#include "policy/policy.h"
#include "segw/hal/board.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char errs[8192];
	struct policy *p = NULL;
	if (size > 1 << 20)
		return 0;
	if (policy_parse("fuzz", (const char *)data, size, &p, errs, sizeof(errs), 10) != 0)
		return 0;
	if (policy_compile(p) != 0) {
		policy_free(p);
		return 0;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f || policy_print(p, f) != 0)
		__builtin_trap();
	fclose(f);
	struct policy *q = NULL;
	if (policy_parse("print", text, len, &q, errs, sizeof(errs), 10) != 0) {
		fprintf(stderr, "canonical print does not parse:\n%s\n%s", text, errs);
		__builtin_trap();
	}
	if (!policy_equal(p, q))
		__builtin_trap();
	/* the kernel compiler: every rule of the ruleset is well formed */
	for (int mode = 0; mode < 2; mode++) {
		struct fw_compiled fc;
		char ferr[256];
		if (fw_compile(p, board_get(), (enum fw_mode)mode, 0, 1, &fc, ferr, sizeof(ferr)) == 0) {
			for (uint32_t i = 0; i < fc.rs.n_rules; i++) {
				const struct hal_fw_rule *r = &fc.rs.rules[i];
				if (r->verdict > HAL_FW_QUEUE || (r->dst && r->n_dst_hosts) ||
				    (r->sport && r->sport->lo > r->sport->hi) ||
				    (r->dport && r->dport->lo > r->dport->hi) ||
				    (r->src && r->dst && r->src->ipver != r->dst->ipver))
					__builtin_trap();
				if (mode == FW_MODE_TAP && r->verdict == HAL_FW_QUEUE)
					__builtin_trap();
			}
			fw_compiled_free(&fc);
		}
	}
	/* lookups: compiled and linear agree */
	uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 203, 0, 113, 7 };
	for (unsigned i = 0; i < 16; i++) {
		struct policy_flow fl = { 0 };
		fl.czone = (uint8_t)(i % (p->n_zones ? p->n_zones : 1));
		fl.szone = (uint8_t)((i / 2) % (p->n_zones ? p->n_zones : 1));
		fl.ipver = 4;
		fl.proto = (uint8_t)(i & 1 ? 6 : 17);
		fl.src = a;
		fl.dst = b;
		fl.sport = (uint16_t)(1000 + i);
		fl.dport = (uint16_t)(i & 2 ? 443 : 53);
		fl.app = (uint16_t)(i % 5);
		fl.l7_done = (uint8_t)(i >> 3);
		fl.sni = i & 4 ? "www.example.org" : NULL;
		struct policy_result r1, r2;
		policy_lookup(p, &fl, &r1);
		policy_lookup_linear(p, &fl, &r2);
		if (r1.rule_id != r2.rule_id || r1.kind != r2.kind)
			__builtin_trap();
	}
	free(text);
	policy_free(q);
	policy_free(p);
	return 0;
}
