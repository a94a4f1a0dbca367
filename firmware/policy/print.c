// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Canonical printing of a policy: definitions, then defaults that were set,
 * then rules by id, each in one fixed order of clauses. parse(print(p)) is p
 * (tested), so the console can show, store and diff policies as text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dpi/detector.h"
#include "policy/policy.h"

static void print_prefix(FILE *o, const struct policy_prefix *p)
{
	char b[INET6_ADDRSTRLEN];
	inet_ntop(p->ipver == 6 ? AF_INET6 : AF_INET, p->addr, b, sizeof(b));
	fprintf(o, "%s/%u", b, p->len);
}

static void print_prefixes(FILE *o, const struct policy_prefix *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputc(',', o);
		print_prefix(o, &v[i]);
	}
}

static void print_ports(FILE *o, const struct policy_port_range *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputc(',', o);
		if (v[i].lo == v[i].hi)
			fprintf(o, "%u", v[i].lo);
		else
			fprintf(o, "%u-%u", v[i].lo, v[i].hi);
	}
}

static void print_names(FILE *o, const struct policy_name_pat *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputc(',', o);
		if (v[i].kind == 2)
			fputs("\"*\"", o);
		else
			fprintf(o, "\"%s%s\"", v[i].kind == 1 ? "*." : "", v[i].text);
	}
}

static void print_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', o);
		fputc(*s, o);
	}
	fputc('"', o);
}

static void print_addr(FILE *o, const struct policy *p, const char *kw,
		       const struct policy_addr_match *m)
{
	if (!m->present)
		return;
	fprintf(o, " %s %s", kw, m->negate ? "!" : "");
	if (m->set >= 0)
		fprintf(o, "@%s", p->sets[m->set].name);
	else
		print_prefixes(o, m->v, m->n);
}

static void print_port(FILE *o, const struct policy *p, const char *kw,
		       const struct policy_port_match *m)
{
	if (!m->present)
		return;
	fprintf(o, " %s ", kw);
	if (m->set >= 0)
		fprintf(o, "@%s", p->sets[m->set].name);
	else
		print_ports(o, m->v, m->n);
}

static void print_name(FILE *o, const struct policy *p, const char *kw,
		       const struct policy_name_match *m)
{
	if (!m->present)
		return;
	fprintf(o, " %s ", kw);
	if (m->set >= 0)
		fprintf(o, "@%s", p->sets[m->set].name);
	else
		print_names(o, m->v, m->n);
}

int policy_print(const struct policy *p, FILE *o)
{
	static const char *const defk[] = { "action", "malformed", "flow-table-full",
					     "queue-overload" };
	static const char *const defv[][3] = { { "allow", "deny", "reject" },
					       { "drop", "pass", "" },
					       { "evict", "drop", "pass" },
					       { "fail-open", "fail-closed", "" } };
	for (uint32_t i = 0; i < p->n_zones; i++) {
		const struct policy_zone *z = &p->zones[i];
		fprintf(o, "zone %s", z->name);
		if (z->n_ports) {
			fputs(" ports ", o);
			for (uint32_t k = 0; k < z->n_ports; k++)
				fprintf(o, "%s%s", k ? "," : "", z->ports[k]);
		}
		if (z->n_prefixes) {
			fputs(" prefixes ", o);
			print_prefixes(o, z->prefixes, z->n_prefixes);
		}
		if (z->is_default)
			fputs(" default", o);
		if (z->new_flows_per_s)
			fprintf(o, " new-flows %u/s", z->new_flows_per_s);
		fputc('\n', o);
	}
	for (uint32_t i = 0; i < p->n_sets; i++) {
		const struct policy_set *s = &p->sets[i];
		static const char *const kn[] = { "addr", "port", "name" };
		fprintf(o, "set %s %s ", kn[s->kind], s->name);
		if (s->kind == POLICY_SET_ADDR)
			print_prefixes(o, s->prefixes, s->n);
		else if (s->kind == POLICY_SET_PORT)
			print_ports(o, s->ports, s->n);
		else
			print_names(o, s->names, s->n);
		fputc('\n', o);
	}
	for (uint32_t i = 0; i < p->n_backends; i++) {
		const struct policy_backend *b = &p->backends[i];
		char a[INET6_ADDRSTRLEN];
		inet_ntop(b->ipver == 6 ? AF_INET6 : AF_INET, b->addr, a, sizeof(a));
		fprintf(o, b->ipver == 6 ? "backend %s [%s]:%u" : "backend %s %s:%u", b->name, a,
			b->port);
		if (b->tls)
			fputs(b->verify ? " tls verify" : " tls", o);
		fputc('\n', o);
	}
	for (int k = 0; k < POLICY_DEF__COUNT; k++)
		if (p->defaults_set[k])
			fprintf(o, "default %s %s\n", defk[k], defv[k][p->defaults[k]]);
	for (uint32_t i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		fprintf(o, "rule %u from %s to %s", r->id, r->from < 0 ? "any" : p->zones[r->from].name,
			r->to < 0 ? "any" : p->zones[r->to].name);
		print_addr(o, p, "src", &r->src);
		print_addr(o, p, "dst", &r->dst);
		switch (r->proto) {
		case -1: break;
		case 6: fputs(" tcp", o); break;
		case 17: fputs(" udp", o); break;
		case 1: fputs(" icmp", o); break;
		case 58: fputs(" icmpv6", o); break;
		default: fprintf(o, " proto %d", r->proto); break;
		}
		print_port(o, p, "sport", &r->sport);
		print_port(o, p, "dport", &r->dport);
		if (r->n_apps) {
			fputs(" app ", o);
			for (uint32_t k = 0; k < r->n_apps; k++)
				fprintf(o, "%s%s", k ? "," : "", dpi_app_name(r->apps[k]));
		}
		print_name(o, p, "sni", &r->sni);
		print_name(o, p, "host", &r->host);
		print_name(o, p, "query", &r->query);
		if (r->tls_version_min)
			fprintf(o, " tls-version-min %s", r->tls_version_min == 0x0304 ? "1.3" : "1.2");
		if (r->no_sni)
			fputs(" no-sni", o);
		if (r->ech)
			fputs(" ech", o);
		if (r->client_subject) {
			fputs(" client-subject ", o);
			print_string(o, r->client_subject);
		}
		if (r->client_ou) {
			fputs(" client-ou ", o);
			print_string(o, r->client_ou);
		}
		if (r->action == POLICY_TERMINATE_TLS)
			fprintf(o, " terminate-tls %s", p->backends[r->backend].name);
		else
			fprintf(o, " %s", policy_action_name(r->action));
		if (r->log)
			fputs(" log", o);
		if (r->rate_per_s)
			fprintf(o, " rate-limit %u/s", r->rate_per_s);
		fputc('\n', o);
	}
	return ferror(o) ? -EIO : 0;
}

static int prefixes_eq(const struct policy_prefix *a, const struct policy_prefix *b, uint32_t n)
{
	return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

static int names_eq(const struct policy_name_pat *a, const struct policy_name_pat *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].kind != b[i].kind || strcmp(a[i].text, b[i].text))
			return 0;
	return 1;
}

static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int addr_eq(const struct policy_addr_match *a, const struct policy_addr_match *b)
{
	return a->present == b->present && a->negate == b->negate && a->set == b->set &&
	       a->n == b->n && prefixes_eq(a->v, b->v, a->n);
}

static int port_eq(const struct policy_port_match *a, const struct policy_port_match *b)
{
	return a->present == b->present && a->set == b->set && a->n == b->n &&
	       (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof(*a->v)) == 0);
}

static int name_eq(const struct policy_name_match *a, const struct policy_name_match *b)
{
	return a->present == b->present && a->set == b->set && a->n == b->n &&
	       names_eq(a->v, b->v, a->n);
}

int policy_equal(const struct policy *a, const struct policy *b)
{
	if (a->n_zones != b->n_zones || a->n_sets != b->n_sets || a->n_backends != b->n_backends ||
	    a->n_rules != b->n_rules || memcmp(a->defaults, b->defaults, sizeof(a->defaults)) ||
	    memcmp(a->defaults_set, b->defaults_set, sizeof(a->defaults_set)))
		return 0;
	for (uint32_t i = 0; i < a->n_zones; i++) {
		const struct policy_zone *x = &a->zones[i], *y = &b->zones[i];
		if (strcmp(x->name, y->name) || x->n_ports != y->n_ports || x->is_default != y->is_default ||
		    x->n_prefixes != y->n_prefixes || x->new_flows_per_s != y->new_flows_per_s ||
		    (x->n_ports && memcmp(x->ports, y->ports, x->n_ports * sizeof(*x->ports))) ||
		    !prefixes_eq(x->prefixes, y->prefixes, x->n_prefixes))
			return 0;
	}
	for (uint32_t i = 0; i < a->n_sets; i++) {
		const struct policy_set *x = &a->sets[i], *y = &b->sets[i];
		if (strcmp(x->name, y->name) || x->kind != y->kind || x->n != y->n)
			return 0;
		if (x->kind == POLICY_SET_ADDR && !prefixes_eq(x->prefixes, y->prefixes, x->n))
			return 0;
		if (x->kind == POLICY_SET_PORT && x->n &&
		    memcmp(x->ports, y->ports, x->n * sizeof(*x->ports)))
			return 0;
		if (x->kind == POLICY_SET_NAME && !names_eq(x->names, y->names, x->n))
			return 0;
	}
	for (uint32_t i = 0; i < a->n_backends; i++) {
		/* Member by member: padding and bytes after the name's NUL are not the policy. */
		const struct policy_backend *x = &a->backends[i], *y = &b->backends[i];
		if (strcmp(x->name, y->name) != 0 || x->ipver != y->ipver ||
		    memcmp(x->addr, y->addr, sizeof(x->addr)) != 0 || x->port != y->port ||
		    x->tls != y->tls || x->verify != y->verify)
			return 0;
	}
	for (uint32_t i = 0; i < a->n_rules; i++) {
		const struct policy_rule *x = &a->rules[i], *y = &b->rules[i];
		if (x->id != y->id || x->from != y->from || x->to != y->to || x->proto != y->proto ||
		    !addr_eq(&x->src, &y->src) || !addr_eq(&x->dst, &y->dst) ||
		    !port_eq(&x->sport, &y->sport) || !port_eq(&x->dport, &y->dport) ||
		    x->n_apps != y->n_apps ||
		    (x->n_apps && memcmp(x->apps, y->apps, x->n_apps * sizeof(*x->apps))) ||
		    !name_eq(&x->sni, &y->sni) || !name_eq(&x->host, &y->host) ||
		    !name_eq(&x->query, &y->query) || x->tls_version_min != y->tls_version_min ||
		    x->no_sni != y->no_sni || x->ech != y->ech ||
		    !str_eq(x->client_subject, y->client_subject) ||
		    !str_eq(x->client_ou, y->client_ou) || x->action != y->action ||
		    x->backend != y->backend || x->log != y->log || x->rate_per_s != y->rate_per_s)
			return 0;
	}
	return 1;
}
