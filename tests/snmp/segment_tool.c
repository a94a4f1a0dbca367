// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segment_tool: writes a segwd-shaped counters segment (stats/export.h) for
 * the SNMP tests and the benchmark, without a packet pipeline: N rules with
 * ids 10, 20, ... and counters derived from the id (flows = id, packets =
 * 2 id, octets = 3 id), the sim board's seven ports, and events on request.
 *
 *   segment_tool DIR [--rules N] [--flows ACTIVE/CAPACITY]
 *                    [--event TYPE:ARG:TEXT ...] [--event-delay MS] [--hold S]
 *                    [--seed-out FILE] [--tls]
 *
 * --hold keeps it publishing once a second (port counters grow by 1000
 * octets and 10 packets a second) until SIGTERM or S seconds; events are
 * appended after --event-delay ms. --seed-out writes a copy of the segment
 * (a fuzz seed) and exits. --tls also writes a TLS terminator's segment
 * (segw-tlsd.stats, table "tls": handshakes.ok = 41, handshakes.failed = 2,
 * sessions.active = 7, keyed 1, 2, 3).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats/export.h"

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static const char *const ports[] = { "int0", "ext0", "ptn0", "mob0", "bwv0", "dmz0", "mgmt0" };
static const char *const port_cols[] = { "in_octets", "in_packets", "out_octets", "out_packets",
					 "admin", "oper", "speed_mbps" };
static const char *const value_cols[] = { "value" };
static const char *const zp_cols[] = { "flows", "packets", "octets", "dropped" };
static const char *const rule_cols[] = { "flows", "packets", "octets", "rate_limited" };
static const char *const app_cols[] = { "flows", "packets", "octets" };

static void publish(struct sx_writer *w, uint32_t rules, uint64_t tick, uint64_t act,
		    uint64_t cap)
{
	sx_begin(w);
	for (uint32_t i = 0; i < 7; i++) {
		struct sx_row *r = sx_row(w, 0, i);
		r->key = i + 1;
		snprintf(r->name, sizeof(r->name), "%s", ports[i]);
		uint64_t *c = sx_cols(r);
		c[0] = (i + 1) * 1000000ull + tick * 1000;
		c[1] = (i + 1) * 1000ull + tick * 10;
		c[2] = 5000000000ull + i; /* past 2^32: Counter32 wraps, HC does not */
		c[3] = i;
		c[4] = 1;
		c[5] = i == 6 ? 2 : 1;
		c[6] = 1000;
	}
	sx_set_rows(w, 0, 7);
	const char *names[] = { "rx.packets", "drop.malformed", "drop.policy" };
	for (uint32_t i = 0; i < 3; i++) {
		struct sx_row *r = sx_row(w, 1, i);
		r->key = i + 1;
		snprintf(r->name, sizeof(r->name), "%s", names[i]);
		sx_cols(r)[0] = 100 * (i + 1);
	}
	sx_set_rows(w, 1, 3);
	for (uint32_t i = 0; i < 2; i++) {
		struct sx_row *r = sx_row(w, 2, i);
		r->key = i + 2;
		snprintf(r->name, sizeof(r->name), "%s", names[i + 1]);
		sx_cols(r)[0] = 100 * (i + 2);
	}
	sx_set_rows(w, 2, 2);
	struct sx_row *z = sx_row(w, 3, 0);
	z->key = (1u << 8) | 2u;
	snprintf(z->name, sizeof(z->name), "internal>external");
	uint64_t zc[4] = { 5, 50, 5000, 1 };
	memcpy(sx_cols(z), zc, sizeof(zc));
	sx_set_rows(w, 3, 1);
	struct sx_row *r0 = sx_row(w, 4, 0);
	r0->key = 0;
	snprintf(r0->name, sizeof(r0->name), "default");
	memset(sx_cols(r0), 0, 4 * sizeof(uint64_t));
	for (uint32_t i = 1; i <= rules; i++) {
		struct sx_row *r = sx_row(w, 4, i);
		uint64_t id = (uint64_t)i * 10;
		r->key = id;
		snprintf(r->name, sizeof(r->name), "rule %llu", (unsigned long long)id);
		uint64_t c[4] = { id, 2 * id, 3 * id, 0 };
		memcpy(sx_cols(r), c, sizeof(c));
	}
	sx_set_rows(w, 4, rules + 1);
	sx_set_rows(w, 5, 0);
	sx_set_scalar(w, "flows.active", act);
	sx_set_scalar(w, "flows.capacity", cap);
	sx_set_scalar(w, "policy.generation", 3);
	sx_set_scalar(w, "policy.rules", rules);
	sx_set_scalar(w, "policy.last_push_result", SX_PUSH_APPLIED);
	sx_set_note(w, "reload applied");
	sx_commit(w);
}

/* "TYPE:ARG:TEXT" each */
static void add_events(struct sx_writer *w, const char *const *events, unsigned n)
{
	for (unsigned e = 0; e < n; e++) {
		unsigned type = 0, arg = 0;
		int off = 0;
		if (sscanf(events[e], "%u:%u:%n", &type, &arg, &off) >= 2 && off > 0)
			sx_event(w, (enum sx_event_type)type, arg, events[e] + off);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: segment_tool DIR [options]\n");
		return 2;
	}
	const char *dir = argv[1], *seed_out = NULL;
	uint32_t rules = 3, hold = 0, delay_ms = 0;
	uint64_t act = 10, cap = 65536;
	const char *events[16];
	unsigned n_events = 0;
	int tls = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			rules = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--event-delay") && i + 1 < argc)
			delay_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--event") && i + 1 < argc && n_events < 16)
			events[n_events++] = argv[++i];
		else if (!strcmp(argv[i], "--tls"))
			tls = 1;
		else if (!strcmp(argv[i], "--seed-out") && i + 1 < argc)
			seed_out = argv[++i];
		else if (!strcmp(argv[i], "--flows") && i + 1 < argc) {
			if (sscanf(argv[++i], "%lu/%lu", (unsigned long *)&act, (unsigned long *)&cap) != 2)
				return 2;
		} else {
			fprintf(stderr, "segment_tool: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	const struct sx_table_spec spec[] = {
		{ "ports", port_cols, 7, 16 },     { "counters", value_cols, 1, 128 },
		{ "drops", value_cols, 1, 16 },    { "zone_pairs", zp_cols, 4, 256 },
		{ "rules", rule_cols, 4, rules + 1 }, { "apps", app_cols, 3, 16 },
	};
	struct sx_writer *w;
	int rc = sx_create(&w, dir, "segwd", "test", spec, 6);
	if (rc) {
		fprintf(stderr, "segment_tool: %s: %s\n", dir, strerror(-rc));
		return 1;
	}
	publish(w, rules, 0, act, cap);
	if (seed_out) {
		add_events(w, events, n_events);
		FILE *f = fopen(sx_path(w), "rb"), *o = fopen(seed_out, "wb");
		char buf[65536];
		size_t n;
		while (f && o && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, o);
		if (f)
			fclose(f);
		if (o)
			fclose(o);
		sx_close(w, 1);
		return 0;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	printf("%s\n", sx_path(w));
	fflush(stdout);
	uint64_t t = 0;
	int events_done = n_events == 0;
	struct sx_writer *tw = NULL;
	if (tls) {
		const struct sx_table_spec ts = { .name = "tls", .cols = value_cols, .n_cols = 1,
						  .max_rows = 8 };
		if (sx_create(&tw, dir, "segw-tlsd", "test", &ts, 1) == 0) {
			static const char *const tn[] = { "handshakes.ok", "handshakes.failed",
							   "sessions.active" };
			static const uint64_t tv[] = { 41, 2, 7 };
			sx_begin(tw);
			sx_set_rows(tw, 0, 3);
			for (uint32_t i = 0; i < 3; i++) {
				struct sx_row *r = sx_row(tw, 0, i);
				r->key = i + 1;
				snprintf(r->name, sizeof(r->name), "%s", tn[i]);
				sx_cols(r)[0] = tv[i];
			}
			sx_commit(tw);
		}
	}
	for (uint64_t ms = 0; !stop && ms < (uint64_t)hold * 1000; ms += 100) {
		if (!events_done && ms >= delay_ms) {
			add_events(w, events, n_events);
			events_done = 1;
		}
		if (ms % 1000 == 0)
			publish(w, rules, ++t, act, cap);
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	sx_close(w, 0);
	sx_close(tw, 1);
	return 0;
}
