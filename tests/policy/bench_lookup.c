// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy lookup cost at 10, 1,000 and 100,000 rules (not a test: prints
 * figures). Rules are host rules (dst /32, tcp dport) mixed with zone and
 * application rules; lookups are random flows, half of them hitting a rule.
 *
 *   bench_lookup [LOOKUPS]
 *
 * The lookups run as 5 rounds and the fastest round is reported (the
 * machine is shared: the minimum is the cost, the rest is interference).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t rs = 2463534242u;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

int main(int argc, char **argv)
{
	unsigned lookups = argc > 1 ? (unsigned)atoi(argv[1]) : 2000000;
	static const unsigned sizes[] = { 10, 1000, 100000 };
	printf("%8s %10s %8s %8s %12s %12s\n", "rules", "compile_ms", "groups", "entries", "ns/lookup",
	       "linear ns");
	for (unsigned si = 0; si < 3; si++) {
		unsigned n = sizes[si];
		size_t cap = (size_t)n * 96 + 4096, len = 0;
		char *text = malloc(cap);
		len += (size_t)snprintf(text, cap,
					"zone in prefixes 10.0.0.0/8\nzone out default\n"
					"rule 1 from in to out app dns allow\n"
					"rule 2 from in to out app tls sni \"*.example.org\" allow\n");
		for (unsigned i = 0; i < n - 2; i++)
			len += (size_t)snprintf(text + len, cap - len,
						"rule %u from in to out dst 100.%u.%u.%u tcp dport %u allow\n",
						i + 10, (i >> 16) & 255, (i >> 8) & 255, i & 255,
						i % 3 ? 443 : 80);
		struct policy *p = NULL;
		static char errs[4096];
		double t0 = now();
		if (policy_parse("bench", text, len, &p, errs, sizeof(errs), 5) || policy_compile(p)) {
			fprintf(stderr, "%s", errs);
			return 1;
		}
		double t1 = now();
		uint32_t groups, entries;
		policy_compiled_stats(p, &groups, &entries);
		uint8_t src[16] = { 10, 1, 2, 3 };
		uint8_t (*dst)[16] = calloc(4096, 16);
		uint16_t *dport = calloc(4096, 2);
		for (unsigned i = 0; i < 4096; i++) {
			unsigned h = rnd() % (n * 2);
			dst[i][0] = 100;
			dst[i][1] = (uint8_t)(h >> 16);
			dst[i][2] = (uint8_t)(h >> 8);
			dst[i][3] = (uint8_t)h;
			dport[i] = h % 3 ? 443 : 80;
		}
		struct policy_flow f = { .czone = 0, .szone = 1, .ipver = 4, .proto = 6, .src = src,
					 .sport = 40000, .l7_done = 1, .app = 0 };
		volatile uint32_t sink = 0;
		struct policy_result r;
		double best = 1e9;
		for (int round = 0; round < 5; round++) {
			double ta = now();
			for (unsigned i = 0; i < lookups / 5; i++) {
				f.dst = dst[i & 4095];
				f.dport = dport[i & 4095];
				policy_lookup(p, &f, &r);
				sink += r.rule_id;
			}
			double tb = now();
			if (tb - ta < best)
				best = tb - ta;
		}
		double t3 = now();
		unsigned lin = n > 1000 ? lookups / 1000 : lookups / 10;
		for (unsigned i = 0; i < lin; i++) {
			f.dst = dst[i & 4095];
			f.dport = dport[i & 4095];
			policy_lookup_linear(p, &f, &r);
			sink += r.rule_id;
		}
		double t4 = now();
		printf("%8u %10.1f %8u %8u %12.1f %12.1f\n", n, (t1 - t0) * 1e3, groups, entries,
		       best * 1e9 / (lookups / 5), (t4 - t3) * 1e9 / lin);
		(void)sink;
		free(dst);
		free(dport);
		policy_free(p);
		free(text);
	}
	return 0;
}
