// SPDX-License-Identifier: GPL-2.0-or-later
/* Replay report: see report.h. */
#include "pipeline/report.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "dpi/detector.h"
#include "dpi/dpi.h"
#include "policy/generation.h"
#include "policy/policy.h"

size_t report_json_string(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	if (len < 3)
		return 0;
	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t el;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			el = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			el = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
		} else {
			esc[0] = (char)c;
			el = 1;
		}
		if (o + el + 2 > len)
			return 0;
		memcpy(buf + o, esc, el);
		o += el;
	}
	buf[o++] = '"';
	buf[o] = 0;
	return o;
}

static const char *l4_name(uint8_t proto, char *tmp, size_t n)
{
	switch (proto) {
	case IPPROTO_NUM_TCP: return "\"tcp\"";
	case IPPROTO_NUM_UDP: return "\"udp\"";
	case IPPROTO_NUM_ICMP: return "\"icmp\"";
	case IPPROTO_NUM_ICMPV6: return "\"icmpv6\"";
	default: snprintf(tmp, n, "%u", proto); return tmp;
	}
}

static void ip_text(uint8_t ver, const uint8_t *a, char *out, size_t n)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a, out, (socklen_t)n))
		snprintf(out, n, "?");
}

/*
 * The flow record is the hottest output of a replay (one per flow): it is
 * built with plain appends, no printf, no inet_ntop for IPv4.
 */
struct wb {
	char *p;
	size_t len, used;
	int overflow;
};

static inline void w_raw(struct wb *b, const char *s, size_t n)
{
	if (b->overflow || n > b->len - b->used) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->used, s, n);
	b->used += n;
}

#define W_LIT(b, lit) w_raw((b), (lit), sizeof(lit) - 1)

static inline void w_str(struct wb *b, const char *s) { w_raw(b, s, strlen(s)); }

static void w_u64(struct wb *b, uint64_t v)
{
	char t[20];
	int n = 0;
	do {
		t[19 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	w_raw(b, t + 20 - n, (size_t)n);
}

/* seconds.nanoseconds, 9 digits */
static void w_time(struct wb *b, uint64_t ns)
{
	w_u64(b, ns / 1000000000ull);
	char t[10];
	uint64_t f = ns % 1000000000ull;
	t[0] = '.';
	for (int i = 9; i >= 1; i--) {
		t[i] = (char)('0' + f % 10);
		f /= 10;
	}
	w_raw(b, t, 10);
}

static void w_ip(struct wb *b, uint8_t ver, const uint8_t *a)
{
	if (ver == 6) {
		char t[INET6_ADDRSTRLEN];
		ip_text(6, a, t, sizeof(t));
		w_str(b, t);
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (i)
			W_LIT(b, ".");
		w_u64(b, a[i]);
	}
}

size_t report_format_flow(char *buf, size_t len, const struct flow *f, enum flow_end_reason why,
			  const struct zone_map *zones, const struct dpi_engine *dpi)
{
	struct wb b = { buf, len, 0, 0 };
	int ports = f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP;
	char tmp[8];

	W_LIT(&b, "{\"type\":\"flow\",\"id\":");
	w_u64(&b, f->id);
	W_LIT(&b, ",\"l4\":");
	w_str(&b, l4_name(f->key.proto, tmp, sizeof(tmp)));
	W_LIT(&b, ",\"ip_version\":");
	w_u64(&b, f->key.ipver);
	if (f->key.vlan) {
		W_LIT(&b, ",\"vlan\":");
		w_u64(&b, f->key.vlan);
	}
	if (f->key.vlan_outer) {
		W_LIT(&b, ",\"vlan_outer\":");
		w_u64(&b, f->key.vlan_outer);
	}
	W_LIT(&b, ",\"client_ip\":\"");
	w_ip(&b, f->key.ipver, flow_client_ip(f));
	W_LIT(&b, "\",\"client_port\":");
	if (ports)
		w_u64(&b, flow_client_port(f));
	else
		W_LIT(&b, "null");
	W_LIT(&b, ",\"server_ip\":\"");
	w_ip(&b, f->key.ipver, flow_server_ip(f));
	W_LIT(&b, "\",\"server_port\":");
	if (ports)
		w_u64(&b, flow_server_port(f));
	else
		W_LIT(&b, "null");
	W_LIT(&b, ",\"client_zone\":\"");
	w_str(&b, zone_name(zones, f->czone));
	W_LIT(&b, "\",\"server_zone\":\"");
	w_str(&b, zone_name(zones, f->szone));
	W_LIT(&b, "\",\"c2s_packets\":");
	w_u64(&b, f->pkts[0]);
	W_LIT(&b, ",\"c2s_bytes\":");
	w_u64(&b, f->bytes[0]);
	W_LIT(&b, ",\"s2c_packets\":");
	w_u64(&b, f->pkts[1]);
	W_LIT(&b, ",\"s2c_bytes\":");
	w_u64(&b, f->bytes[1]);
	if (f->key.proto == IPPROTO_NUM_TCP) {
		W_LIT(&b, ",\"tcp_state\":\"");
		w_str(&b, flow_tcp_state_name(f->tcp_state));
		W_LIT(&b, "\"");
	} else {
		W_LIT(&b, ",\"tcp_state\":null");
	}
	if (f->client_known)
		W_LIT(&b, ",\"client_known\":true");
	else
		W_LIT(&b, ",\"client_known\":false");
	W_LIT(&b, ",\"first_seen\":");
	w_time(&b, f->first_ns);
	W_LIT(&b, ",\"last_seen\":");
	w_time(&b, f->last_ns);
	W_LIT(&b, ",\"end_reason\":\"");
	w_str(&b, flow_end_reason_name(why));
	W_LIT(&b, "\"");
	if (f->policy_gen) {
		W_LIT(&b, ",\"policy_generation\":");
		w_u64(&b, f->policy_gen);
		if (!f->decided) {
			W_LIT(&b, ",\"rule\":null,\"action\":\"pending\"");
		} else {
			W_LIT(&b, ",\"rule\":");
			if (f->rule_id)
				w_u64(&b, f->rule_id);
			else
				W_LIT(&b, "null");
			W_LIT(&b, ",\"action\":\"");
			w_str(&b, policy_action_name(f->verdict));
			W_LIT(&b, "\"");
			if (f->log)
				W_LIT(&b, ",\"log\":true");
		}
	}
	if (dpi && !b.overflow && b.len - b.used > 2)
		b.used += dpi_flow_json(dpi, f, b.p + b.used, b.len - b.used - 2);
	W_LIT(&b, "}");
	if (b.overflow || b.used >= b.len) /* the NUL must fit too */
		return 0;
	b.p[b.used] = 0;
	return b.used;
}

void report_flush(struct report_out *r)
{
	if (!r->used)
		return;
	if (r->mu)
		pthread_mutex_lock(r->mu);
	fwrite(r->buf, 1, r->used, r->f);
	if (r->mu)
		pthread_mutex_unlock(r->mu);
	r->used = 0;
}

void report_flow(struct report_out *r, const struct flow *f, enum flow_end_reason why)
{
	if (REPORT_BUF - r->used < 4096)
		report_flush(r);
	size_t n = report_format_flow(r->buf + r->used, REPORT_BUF - r->used - 1, f, why, r->zones,
				      r->dpi);
	if (n == 0)
		return;
	r->used += n;
	r->buf[r->used++] = '\n';
}

void report_counters(FILE *out, const struct stats_snapshot *s, const struct zone_map *zones,
		     const struct report_port *ports, unsigned n_ports, const char *status,
		     const char *error)
{
	report_counters_gen(out, s, zones, ports, n_ports, status, error, NULL);
}

void report_counters_gen(FILE *out, const struct stats_snapshot *s, const struct zone_map *zones,
			 const struct report_port *ports, unsigned n_ports, const char *status,
			 const char *error, const struct policy_gen *gen)
{
	const struct stats_block *b = &s->sum;
	char esc[1024];

	fprintf(out, "{\"type\":\"counters\",\"status\":\"%s\"", status);
	if (error && report_json_string(esc, sizeof(esc), error))
		fprintf(out, ",\"error\":%s", esc);
	fprintf(out, ",\"flows_active\":%llu", (unsigned long long)b->flows_active);
	fprintf(out, ",\"counters\":{");
	for (unsigned i = 0; i < CTR__COUNT; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", stats_ctr_name(i),
			(unsigned long long)b->c[i]);
	fprintf(out, "},\"ports\":{");
	for (unsigned i = 0; i < n_ports; i++) {
		const struct report_port *p = &ports[i];
		fprintf(out,
			"%s\"%s\":{\"zone\":%s%s%s,\"rx_packets\":%llu,\"rx_bytes\":%llu,"
			"\"rx_nobuf\":%llu,\"rx_truncated\":%llu,\"rx_kernel_drop\":%llu,"
			"\"rx_errors\":%llu,\"tx_packets\":%llu,\"tx_bytes\":%llu,"
			"\"processed_packets\":%llu,\"processed_bytes\":%llu}",
			i ? "," : "", p->name, p->zone ? "\"" : "", p->zone ? p->zone : "null",
			p->zone ? "\"" : "", (unsigned long long)p->st.rx_packets,
			(unsigned long long)p->st.rx_bytes, (unsigned long long)p->st.rx_nobuf,
			(unsigned long long)p->st.rx_truncated,
			(unsigned long long)p->st.rx_kernel_drop,
			(unsigned long long)p->st.rx_errors, (unsigned long long)p->st.tx_packets,
			(unsigned long long)p->st.tx_bytes,
			(unsigned long long)(p->index < STATS_MAX_PORTS ? b->port[p->index].packets : 0),
			(unsigned long long)(p->index < STATS_MAX_PORTS ? b->port[p->index].bytes : 0));
	}
	fprintf(out, "},\"zone_pairs\":{");
	int first = 1;
	for (unsigned a = 0; a < zones->n_zones; a++)
		for (unsigned z = 0; z < zones->n_zones; z++) {
			const struct stats_zone_pair *zp = &b->zp[a][z];
			if (!zp->flows && !zp->packets)
				continue;
			fprintf(out,
				"%s\"%s->%s\":{\"flows\":%llu,\"packets\":%llu,\"bytes\":%llu,"
				"\"dropped\":%llu}",
				first ? "" : ",", zones->names[a], zones->names[z],
				(unsigned long long)zp->flows, (unsigned long long)zp->packets,
				(unsigned long long)zp->bytes, (unsigned long long)zp->dropped);
			first = 0;
		}
	fprintf(out, "},\"apps\":{");
	first = 1;
	for (unsigned a = 0; a < STATS_MAX_APPS; a++) {
		const struct stats_app *ap = &b->app[a];
		const char *name = dpi_app_name(a);
		if ((!ap->flows && !ap->packets) || !name)
			continue;
		fprintf(out, "%s\"%s\":{\"flows\":%llu,\"packets\":%llu,\"bytes\":%llu}",
			first ? "" : ",", name, (unsigned long long)ap->flows,
			(unsigned long long)ap->packets, (unsigned long long)ap->bytes);
		first = 0;
	}
	fprintf(out, "}");
	if (gen && gen->policy) {
		const struct policy *p = gen->policy;
		fprintf(out, ",\"policy_generation\":%u,\"rules\":{", gen->number);
		for (uint32_t i = 0; i <= p->n_rules; i++) {
			struct rule_ctr sum;
			memset(&sum, 0, sizeof(sum));
			for (unsigned w = 0; w < gen->n_workers; w++) {
				sum.flows += __atomic_load_n(&gen->ctr[w][i].flows, __ATOMIC_RELAXED);
				sum.packets += __atomic_load_n(&gen->ctr[w][i].packets, __ATOMIC_RELAXED);
				sum.bytes += __atomic_load_n(&gen->ctr[w][i].bytes, __ATOMIC_RELAXED);
			}
			if (i < p->n_rules)
				fprintf(out, "%s\"%u\":", i ? "," : "", p->rules[i].id);
			else
				fprintf(out, "%s\"default\":", i ? "," : "");
			uint64_t limited = 0;
			for (unsigned w = 0; w < gen->n_workers; w++)
				limited += __atomic_load_n(&gen->ctr[w][i].rate_limited, __ATOMIC_RELAXED);
			fprintf(out, "{\"flows\":%llu,\"packets\":%llu,\"bytes\":%llu",
				(unsigned long long)sum.flows, (unsigned long long)sum.packets,
				(unsigned long long)sum.bytes);
			if (limited)
				fprintf(out, ",\"rate_limited\":%llu", (unsigned long long)limited);
			fprintf(out, "}");
		}
		fprintf(out, "}");
	}
	fprintf(out, "}\n");
}
