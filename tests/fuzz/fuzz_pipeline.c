// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_pipeline: a stream of frames through decode_frame() and one worker
 * (defrag, flow table with expiry and eviction, dpi seam, report).
 *
 * Input:  byte 0  configuration:
 *                   bits 0-1  flow-table-full policy: 0 evict, 1 drop,
 *                             2 pass, 3 evict
 *                   bit  2    malformed policy: 0 drop, 1 pass
 *                   bits 3-5  flow slots: 4 << n (4 .. 512; 4 means
 *                             eviction on nearly every new flow)
 *                   bits 6-7  reassembly contexts: 1 + n
 *         byte 1  bits 0-6: idle timeout of every flow class, in seconds
 *                 (0: the flow table's defaults); bit 7: external clock,
 *                 as the runner drives workers (worker_tick() at each new
 *                 second of capture time), else the worker's own clock
 *         byte 2  bits 0-1: policy: 0 none (every flow passes), 1 policy A
 *                 (the SEG/mSEG sample: zones, L7 rules), 2 policy B (other
 *                 zones, default allow, deny/reject rules), 3 A, then B
 *                 published half-way through the frames (flows are
 *                 re-zoned and re-evaluated lazily); bits 2-7 reserved
 *         then frames, each:
 *           2 bytes  captured length, big endian
 *           1 byte   low nibble: link type (enum hal_link; 13..15 invalid),
 *                    high nibble: ingress port index
 *           1 byte   clock step before this frame (fuzz_ts_step(): ms,
 *                    squared seconds up to 4.5 h, or one second back)
 *           1 byte   wire extra (fuzz_wire_extra())
 *           length   frame bytes (fewer if the input ends first)
 * Each frame is copied into its own heap buffer of exactly its length, so
 * ASan sees a read past it, and freed after the worker is done with it, so
 * a stage that keeps a pointer into a frame is a use-after-free.
 *
 * Workers are kept between inputs, one per configuration in a small cache
 * (creating one costs milliseconds: its pools are mapped and unmapped);
 * every flow still ends inside its input, through worker_finish(), so the
 * report of each input is complete and checked, and fuzz_worker_recycle()
 * resets the rest (only the dpi DNS cache and flow ids carry over).
 *
 * Checks: per frame, the decode invariants and counting contract
 * (fuzz.h), the verdict against the decode result and policies, pool
 * gauges within their sizes; per input, every created flow ended exactly
 * once and produced exactly one well-formed report line, every frame got
 * exactly one verdict, and the counters record of the run is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pipeline/report.h"
#include "pipeline/worker.h"
#include "policy/generation.h"
#include "policy/policy.h"
#include "segw/hal/board.h"
#include "stats/snapshot.h"

#define HDR_LEN 3

/* Policy A: the sample SEG/mSEG policy (tests/policy). */
static const char policy_a[] =
	"zone internal ports int0 prefixes 10.0.0.0/8,192.168.0.0/16,fd00::/8\n"
	"zone external ports ext0 default\n"
	"zone partner  ports ptn0 prefixes 203.0.113.0/24\n"
	"zone mobile   ports mob0 prefixes 172.16.0.0/12\n"
	"zone bwv      ports bwv0 prefixes 10.99.0.0/16\n"
	"zone dmz      ports dmz0 prefixes 198.51.100.0/24\n"
	"zone mgmt     ports mgmt0 prefixes 10.255.0.0/16\n"
	"set addr resolvers 10.0.0.53, 10.0.0.54\n"
	"set name evidence \"*.evidence.example\", \"evidence.example\"\n"
	"set port web 80,443,8000-8999\n"
	"backend evidence-store 10.0.0.80:443 tls verify\n"
	"default action deny\n"
	"rule 5   from any to mgmt deny log\n"
	"rule 10  from mobile to internal app tls sni @evidence client-ou \"BWV\" allow log\n"
	"rule 11  from bwv to internal app tls sni @evidence allow log\n"
	"rule 20  from internal to external app quic,tls allow\n"
	"rule 25  from internal to external udp dport 53 dst @resolvers allow\n"
	"rule 26  from internal to external app dns query \"*.malware.example\" deny log\n"
	"rule 30  from internal to partner dst 203.0.113.7 tcp dport 443 allow\n"
	"rule 40  from external to dmz tcp dport @web terminate-tls evidence-store\n"
	"rule 50  from internal to external tls-version-min 1.2 app tls allow\n"
	"rule 999 from any to any deny log\n";

/* Policy B: other zones (flows change zone when it replaces A). */
static const char policy_b[] =
	"zone lan   ports int0 prefixes 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8\n"
	"zone wan   ports ext0 default\n"
	"zone guest prefixes 10.1.0.0/16\n"
	"set port dns 53,853,5353\n"
	"default action allow\n"
	"rule 1 from guest to any deny log\n"
	"rule 2 from lan to wan udp dport @dns allow\n"
	"rule 3 from any to any app ssh,rdp,smbv1 deny\n"
	"rule 4 from lan to wan app tls no-sni reject\n"
	"rule 5 from lan to wan tcp dport 23 reject log\n"
	"rule 6 from any to any app http host \"*.example.com\" deny\n"
	"rule 7 from wan to lan icmp deny\n"
	"rule 8 from any to any app dns query \"*.example.net\" deny log\n"
	"rule 9 from any to any proto 47 deny\n";

/* The two generations, built once (control-thread work, off the measure). */
static struct policy_gen *generation(int b)
{
	static struct policy_gen *gen[2];
	if (!gen[b]) {
		const char *text = b ? policy_b : policy_a;
		char err[1024];
		struct policy *pol = NULL;
		FUZZ_CHECK(policy_parse(b ? "policy-b" : "policy-a", text, strlen(text), &pol, err,
					sizeof(err), 4) == 0);
		FUZZ_CHECK(policy_compile(pol) == 0);
		FUZZ_CHECK(gen_build(&gen[b], pol, board_get(), 1, 1u + (unsigned)b, err,
				     sizeof(err)) == 0);
	}
	return gen[b];
}

static const struct zone_map *zones(void)
{
	static struct zone_map m;
	static int done;
	if (!done) {
		FUZZ_CHECK(zone_map_init(&m, board_get()) == 0);
		done = 1;
	}
	return &m;
}

/* Every line is one JSON object: braces balanced outside strings, strings
 * closed, no raw control characters. */
static void check_line(const char *s, size_t n)
{
	int depth = 0, in_str = 0;
	FUZZ_CHECK(n >= 2 && s[0] == '{' && s[n - 1] == '}');
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK((unsigned char)s[i] >= 0x20);
		if (in_str && s[i] == '\\') {
			i++;
			FUZZ_CHECK(i < n - 1);
			continue;
		}
		if (s[i] == '"')
			in_str = !in_str;
		else if (!in_str && s[i] == '{')
			depth++;
		else if (!in_str && s[i] == '}')
			depth--;
		FUZZ_CHECK(depth >= 0);
	}
	FUZZ_CHECK(depth == 0 && !in_str);
}

/* Returns the number of flow records; checks the counters record is last. */
static uint64_t check_report(const char *buf, size_t len)
{
	static const char flow[] = "{\"type\":\"flow\",\"id\":";
	static const char ctrs[] = "{\"type\":\"counters\",";
	uint64_t flows = 0;
	int saw_counters = 0;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		FUZZ_CHECK(nl != NULL); /* every record is a whole line */
		size_t n = (size_t)(nl - (buf + i));
		check_line(buf + i, n);
		FUZZ_CHECK(!saw_counters);
		if (n >= sizeof(flow) - 1 && memcmp(buf + i, flow, sizeof(flow) - 1) == 0)
			flows++;
		else if (n >= sizeof(ctrs) - 1 && memcmp(buf + i, ctrs, sizeof(ctrs) - 1) == 0)
			saw_counters = 1;
		else
			fuzz_fail("unknown report record", __FILE__, __LINE__);
		i += n + 1;
	}
	FUZZ_CHECK(saw_counters);
	return flows;
}

/* Workers cached by configuration (see fuzz_worker_recycle()). */
#define WORKER_CACHE 8

struct cached_worker {
	struct worker w;
	struct report_out rep;
	struct policy_gen_slot gens;
	uint32_t key;
	uint8_t live;
};

static void config_of(uint8_t b0, uint8_t b1, struct worker_cfg *wc)
{
	static const enum flow_full_policy full_of[4] = { FLOW_FULL_EVICT, FLOW_FULL_DROP,
							  FLOW_FULL_PASS, FLOW_FULL_EVICT };
	memset(wc, 0, sizeof(*wc));
	wc->flow_slots = 4u << ((b0 >> 3) & 7);
	wc->full_policy = full_of[b0 & 3];
	wc->frag_contexts = 1u + (b0 >> 6);
	wc->frag_bytes = board_get()->pools.frag_bytes;
	wc->malformed = (b0 & 4) ? MALFORMED_PASS : MALFORMED_DROP;
	wc->zones = zones();
	for (int c = 0; c < FLOW_TMO__COUNT; c++)
		wc->timeout_s[c] = b1 & 0x7f;
	wc->external_clock = b1 >> 7;
}

static struct cached_worker *worker_for(const uint8_t *hdr, struct worker_cfg *wc)
{
	static struct cached_worker cache[WORKER_CACHE];
	int with_policy = (hdr[2] & 3) != 0;
	uint32_t key = (uint32_t)hdr[0] << 9 | (uint32_t)hdr[1] << 1 | (uint32_t)with_policy;
	struct cached_worker *c = &cache[((key * 40503u) >> 7) % WORKER_CACHE];

	config_of(hdr[0], hdr[1], wc);
	if (c->live && c->key == key)
		return c;
	if (c->live)
		worker_fini(&c->w);
	wc->report = &c->rep;
	wc->gens = with_policy ? &c->gens : NULL;
	FUZZ_CHECK(worker_init(&c->w, wc) == 0);
	c->key = key;
	c->live = 1;
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stats_block rx;
	static struct stats_snapshot snap;
	uint64_t before[CTR__COUNT];
	struct worker_cfg wc;

	if (size < HDR_LEN)
		return 0;
	struct cached_worker *cw = worker_for(data, &wc);
	struct worker *w = &cw->w;
	struct report_out *rep = &cw->rep;
	int policy_mode = data[2] & 3;
	if (policy_mode)
		gen_publish(&cw->gens, generation(policy_mode == 2));
	/* Mode 3 publishes B when half of the input has been read. */
	size_t switch_at = policy_mode == 3 ? HDR_LEN + (size - HDR_LEN) / 2 : SIZE_MAX;

	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	FUZZ_CHECK(f != NULL);
	rep->f = f;
	rep->mu = NULL;
	FUZZ_CHECK(rep->used == 0);
	memset(&rx, 0, sizeof(rx));

	uint64_t ts = FUZZ_TS_BASE, frames = 0, held = 0, clock_sec = 0;
	size_t i = HDR_LEN;
	while (i + 5 <= size) {
		if (i >= switch_at) {
			gen_publish(&cw->gens, generation(1));
			switch_at = SIZE_MAX;
		}
		uint32_t caplen = (uint32_t)data[i] << 8 | data[i + 1];
		uint8_t link = data[i + 2] & 15;
		uint16_t port = data[i + 2] >> 4;
		ts = fuzz_ts_step(ts, data[i + 3]);
		uint8_t wx = data[i + 4];
		i += 5;
		if (caplen > size - i)
			caplen = (uint32_t)(size - i);
		uint32_t wire = caplen + fuzz_wire_extra(wx);
		uint8_t *frame = malloc(caplen ? caplen : 1);
		FUZZ_CHECK(frame != NULL);
		memcpy(frame, data + i, caplen);
		i += caplen;

		struct pkt p;
		memset(&p, 0, sizeof(p));
		p.ts_ns = ts;
		p.port = port;
		memcpy(before, rx.c, sizeof(before));
		enum decode_result dr = decode_frame(&p, frame, caplen, wire, link, &rx);
		fuzz_check_decoded(&p, dr, frame, caplen, wire);
		fuzz_check_decode_counters(before, rx.c, dr);

		if (wc.external_clock && ts / 1000000000ull > clock_sec) {
			clock_sec = ts / 1000000000ull;
			worker_tick(w, clock_sec * 1000000000ull);
		}
		enum verdict v = worker_packet(w, &p, dr);
		frames++;
		FUZZ_CHECK(v == VERDICT_PASS || v == VERDICT_DROP || v == VERDICT_HELD);
		switch (dr) {
		case DECODE_NON_IP:
			FUZZ_CHECK(v == VERDICT_PASS);
			break;
		case DECODE_SKIP_LINK:
			FUZZ_CHECK(v == VERDICT_DROP);
			break;
		case DECODE_MALFORMED:
			FUZZ_CHECK(v == (wc.malformed == MALFORMED_PASS ? VERDICT_PASS : VERDICT_DROP));
			break;
		case DECODE_OK:
			FUZZ_CHECK(v != VERDICT_HELD);
			if (wc.full_policy == FLOW_FULL_EVICT)
				FUZZ_CHECK(p.flow != NULL); /* evict: always a slot */
			break;
		case DECODE_FRAGMENT:
			break;
		}
		if (v == VERDICT_HELD)
			held++;
		if ((dr == DECODE_OK || (p.flags & PKT_F_REASSEMBLED)) && p.flow) {
			const struct flow *fl = p.flow;
			FUZZ_CHECK(fl->in_use && fl->key.ipver == p.ipver &&
				   fl->key.proto == p.l4proto && p.dir <= 1 && fl->pkts[p.dir] >= 1);
			/* A decided flow's packets get its verdict; no policy: pass. */
			int denied = fl->verdict == POLICY_DENY || fl->verdict == POLICY_REJECT;
			if (!policy_mode)
				FUZZ_CHECK(v == VERDICT_PASS);
			else if (fl->decided)
				FUZZ_CHECK(v == (denied ? VERDICT_DROP : VERDICT_PASS));
		}
		FUZZ_CHECK(defrag_in_use(w->df) <= wc.frag_contexts);
		FUZZ_CHECK(flow_table_active(w->ft) <= wc.flow_slots);
		FUZZ_CHECK(w->st.flows_active == flow_table_active(w->ft));
		free(frame);
	}

	worker_finish(w);
	const uint64_t *c = w->st.c;
	FUZZ_CHECK(flow_table_active(w->ft) == 0 && w->st.flows_active == 0);
	FUZZ_CHECK(c[CTR_FLOW_CREATED] == c[CTR_FLOW_END_IDLE] + c[CTR_FLOW_END_CLOSED] +
						  c[CTR_FLOW_EVICTED] + c[CTR_FLOW_END_EOF]);
	FUZZ_CHECK(c[CTR_VERDICT_PASS] + c[CTR_VERDICT_DROP] + held == frames);
	uint64_t port_pkts = 0;
	for (unsigned k = 0; k < STATS_MAX_PORTS; k++)
		port_pkts += w->st.port[k].packets;
	FUZZ_CHECK(port_pkts == frames);

	struct stats_block *blocks[2] = { &w->st, &rx };
	stats_snapshot_take(&snap, blocks, 2);
	FUZZ_CHECK(snap.sum.c[CTR_FLOW_CREATED] == c[CTR_FLOW_CREATED]);
	struct report_port rp = { .name = "fuzz0", .zone = "internal" };
	report_counters(f, &snap, zones(), &rp, 1, "ok", "fuzz \"run\"\n");
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(check_report(out, out_len) == c[CTR_FLOW_CREATED]);
	rep->f = NULL;
	free(out);
	fuzz_worker_recycle(w);
	return 0;
}
