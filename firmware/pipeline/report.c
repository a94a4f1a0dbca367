// SPDX-License-Identifier: GPL-2.0-or-later
/* Replay report: see report.h. */
#include "pipeline/report.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "dpi/dpi.h"
#include "policy/generation.h"
#include "policy/policy.h"

struct sb {
	char *p;
	size_t len, used;
	int overflow;
};

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	if (b->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->overflow = 1;
	else
		b->used += (size_t)n;
}

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

size_t report_format_flow(char *buf, size_t len, const struct flow *f, enum flow_end_reason why,
			  const struct zone_map *zones, const struct dpi_engine *dpi)
{
	struct sb b = { buf, len, 0, 0 };
	char cip[INET6_ADDRSTRLEN], sip[INET6_ADDRSTRLEN], tmp[8];
	int ports = f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP;

	ip_text(f->key.ipver, flow_client_ip(f), cip, sizeof(cip));
	ip_text(f->key.ipver, flow_server_ip(f), sip, sizeof(sip));
	sb_printf(&b, "{\"type\":\"flow\",\"id\":%llu,\"l4\":%s,\"ip_version\":%u",
		  (unsigned long long)f->id, l4_name(f->key.proto, tmp, sizeof(tmp)),
		  f->key.ipver);
	if (f->key.vlan)
		sb_printf(&b, ",\"vlan\":%u", f->key.vlan);
	if (f->key.vlan_outer)
		sb_printf(&b, ",\"vlan_outer\":%u", f->key.vlan_outer);
	sb_printf(&b, ",\"client_ip\":\"%s\"", cip);
	if (ports)
		sb_printf(&b, ",\"client_port\":%u", flow_client_port(f));
	else
		sb_printf(&b, ",\"client_port\":null");
	sb_printf(&b, ",\"server_ip\":\"%s\"", sip);
	if (ports)
		sb_printf(&b, ",\"server_port\":%u", flow_server_port(f));
	else
		sb_printf(&b, ",\"server_port\":null");
	sb_printf(&b, ",\"client_zone\":\"%s\",\"server_zone\":\"%s\"", zone_name(zones, f->czone),
		  zone_name(zones, f->szone));
	sb_printf(&b,
		  ",\"c2s_packets\":%llu,\"c2s_bytes\":%llu,\"s2c_packets\":%llu,\"s2c_bytes\":%llu",
		  (unsigned long long)f->pkts[0], (unsigned long long)f->bytes[0],
		  (unsigned long long)f->pkts[1], (unsigned long long)f->bytes[1]);
	if (f->key.proto == IPPROTO_NUM_TCP)
		sb_printf(&b, ",\"tcp_state\":\"%s\"", flow_tcp_state_name(f->tcp_state));
	else
		sb_printf(&b, ",\"tcp_state\":null");
	sb_printf(&b, ",\"client_known\":%s", f->client_known ? "true" : "false");
	sb_printf(&b, ",\"first_seen\":%llu.%09llu,\"last_seen\":%llu.%09llu",
		  (unsigned long long)(f->first_ns / 1000000000ull),
		  (unsigned long long)(f->first_ns % 1000000000ull),
		  (unsigned long long)(f->last_ns / 1000000000ull),
		  (unsigned long long)(f->last_ns % 1000000000ull));
	sb_printf(&b, ",\"end_reason\":\"%s\"", flow_end_reason_name(why));
	if (f->policy_gen) {
		sb_printf(&b, ",\"policy_generation\":%u", f->policy_gen);
		if (!f->decided)
			sb_printf(&b, ",\"rule\":null,\"action\":\"pending\"");
		else if (f->rule_id)
			sb_printf(&b, ",\"rule\":%u,\"action\":\"%s\"", f->rule_id,
				  policy_action_name(f->verdict));
		else
			sb_printf(&b, ",\"rule\":null,\"action\":\"%s\"",
				  policy_action_name(f->verdict));
	}
	if (dpi && !b.overflow)
		b.used += dpi_flow_json(dpi, f, b.p + b.used, b.len - b.used - 2);
	sb_printf(&b, "}");
	return b.overflow ? 0 : b.used;
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
			(unsigned long long)(i < STATS_MAX_PORTS ? b->port[i].packets : 0),
			(unsigned long long)(i < STATS_MAX_PORTS ? b->port[i].bytes : 0));
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
	fprintf(out, "}");
	if (gen && gen->policy) {
		const struct policy *p = gen->policy;
		fprintf(out, ",\"policy_generation\":%u,\"rules\":{", gen->number);
		for (uint32_t i = 0; i <= p->n_rules; i++) {
			struct rule_ctr sum = { 0, 0, 0 };
			for (unsigned w = 0; w < gen->n_workers; w++) {
				sum.flows += __atomic_load_n(&gen->ctr[w][i].flows, __ATOMIC_RELAXED);
				sum.packets += __atomic_load_n(&gen->ctr[w][i].packets, __ATOMIC_RELAXED);
				sum.bytes += __atomic_load_n(&gen->ctr[w][i].bytes, __ATOMIC_RELAXED);
			}
			if (i < p->n_rules)
				fprintf(out, "%s\"%u\":", i ? "," : "", p->rules[i].id);
			else
				fprintf(out, "%s\"default\":", i ? "," : "");
			fprintf(out, "{\"flows\":%llu,\"packets\":%llu,\"bytes\":%llu}",
				(unsigned long long)sum.flows, (unsigned long long)sum.packets,
				(unsigned long long)sum.bytes);
		}
		fprintf(out, "}");
	}
	fprintf(out, "}\n");
}
