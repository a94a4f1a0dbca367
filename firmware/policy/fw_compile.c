// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy to kernel ruleset: see fw_compile.h. */
#define _GNU_SOURCE
#include "policy/fw_compile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
	struct hal_fw_rule r;
	struct hal_fw_prefix src, dst;
	struct hal_fw_port_range sport, dport;
	uint8_t has_src, has_dst, has_sport, has_dport;
};

struct out_vec {
	struct item *v;
	uint32_t n, cap;
};

static int push(struct out_vec *o, const struct item *it)
{
	if (o->n >= FW_MAX_RULES)
		return -E2BIG;
	if (o->n == o->cap) {
		uint32_t c = o->cap ? o->cap * 2 : 256;
		void *n = realloc(o->v, (size_t)c * sizeof(*o->v));
		if (!n)
			return -ENOMEM;
		o->v = n;
		o->cap = c;
	}
	o->v[o->n++] = *it;
	return 0;
}

static int l7_rule(const struct policy_rule *r)
{
	return r->n_apps || r->sni.present || r->host.present || r->query.present ||
	       r->tls_version_min || r->no_sni || r->ech || r->client_subject || r->client_ou;
}

static int zone_has_prefixes(const struct policy *p, int zone)
{
	return zone >= 0 && !p->zones[zone].is_default && p->zones[zone].n_prefixes > 0;
}

/*
 * Can the kernel say "in zone Z" exactly? The pipeline's rule is: the
 * longest matching prefix of any zone wins, then the ingress port's zone,
 * then the default zone. One kernel rule says that exactly only when no zone
 * has prefixes and Z is a zone of ports other than the default. Anything
 * else the pipeline decides (the kernel rule is then the envelope: Z's ports
 * or Z's prefixes, which holds every packet truly in Z).
 */
static int zone_exact(const struct policy *p, int zone)
{
	if (zone < 0)
		return 1;
	if (p->zones[zone].is_default || p->zones[zone].n_ports == 0)
		return 0;
	for (uint32_t i = 0; i < p->n_zones; i++)
		if (p->zones[i].n_prefixes)
			return 0;
	return 1;
}

/* An endpoint alternative: interface or prefix or nothing. */
struct alt {
	const char *ifname;
	const struct policy_prefix *pfx;
};

static int zone_alts(const struct policy *p, int zone, const struct board_desc *b, struct alt *alts,
		     unsigned max, unsigned *n, char *err, size_t errlen)
{
	*n = 0;
	if (zone < 0) {
		alts[(*n)++] = (struct alt){ NULL, NULL };
		return 0;
	}
	const struct policy_zone *z = &p->zones[zone];
	for (uint32_t i = 0; i < z->n_ports && *n < max; i++) {
		const char *ifn = NULL;
		for (unsigned k = 0; k < b->n_ports; k++)
			if (strcmp(b->ports[k].name, z->ports[i]) == 0)
				ifn = b->ports[k].ifname ? b->ports[k].ifname : b->ports[k].name;
		if (!ifn) {
			snprintf(err, errlen, "zone %s: board %s has no port '%s'", z->name, b->id,
				 z->ports[i]);
			return -EINVAL;
		}
		alts[(*n)++] = (struct alt){ ifn, NULL };
	}
	for (uint32_t i = 0; i < z->n_prefixes && *n < max; i++)
		alts[(*n)++] = (struct alt){ NULL, &z->prefixes[i] };
	/* The default zone is also everything no other zone claims: the kernel
	 * cannot say "none of the others" in one rule, so leave it open. */
	if (z->is_default || *n == 0) {
		*n = 0;
		alts[(*n)++] = (struct alt){ NULL, NULL };
	}
	return 0;
}

/*
 * Zone admission limits (zone ... new-flows N/s): one kernel limit per zone,
 * shared by the zone's ports (or, for a zone of prefixes, its prefixes: each
 * its own limit of the same rate). Burst: a tenth of a second, at least 16.
 */
static int admit_compile(const struct policy *p, const struct board_desc *b,
			 struct fw_compiled *out, char *err, size_t errlen)
{
	uint32_t n = 0, ns = 0;
	for (uint32_t i = 0; i < p->n_zones; i++)
		if (p->zones[i].new_flows_per_s) {
			n += p->zones[i].n_ports ? p->zones[i].n_ports : p->zones[i].n_prefixes;
			ns += p->zones[i].n_ports ? 0 : p->zones[i].n_prefixes;
		}
	if (!n)
		return 0;
	out->admit = calloc(n, sizeof(*out->admit));
	out->admit_src = ns ? calloc(ns, sizeof(*out->admit_src)) : NULL;
	if (!out->admit || (ns && !out->admit_src)) {
		fw_compiled_free(out);
		return -ENOMEM;
	}
	uint32_t k = 0, ks = 0;
	for (uint32_t i = 0; i < p->n_zones; i++) {
		const struct policy_zone *z = &p->zones[i];
		if (!z->new_flows_per_s)
			continue;
		uint32_t burst = z->new_flows_per_s / 10 > 16 ? z->new_flows_per_s / 10 : 16;
		struct alt alts[64];
		unsigned na = 0;
		int rc = 0;
		if (z->n_ports) {
			/* the zone's ports only: not its default-zone catch-all */
			struct policy_zone only = *z;
			only.n_prefixes = 0;
			only.is_default = 0;
			struct policy one = *p;
			one.zones = &only;
			rc = zone_alts(&one, 0, b, alts, 64, &na, err, errlen);
			for (unsigned a = 0; !rc && a < na; a++)
				out->admit[k++] = (struct hal_fw_admit){ z->name, alts[a].ifname, NULL,
									 z->new_flows_per_s, burst };
		} else {
			for (uint32_t j = 0; j < z->n_prefixes; j++) {
				struct hal_fw_prefix *s = &out->admit_src[ks++];
				memcpy(s->addr, z->prefixes[j].addr, sizeof(s->addr));
				s->ipver = z->prefixes[j].ipver;
				s->len = z->prefixes[j].len;
				out->admit[k++] = (struct hal_fw_admit){ z->name, NULL, s,
									 z->new_flows_per_s, burst };
			}
		}
		if (rc) {
			fw_compiled_free(out);
			return rc;
		}
	}
	out->rs.admit = out->admit;
	out->rs.n_admit = k;
	return 0;
}

static int map_verdict(uint8_t v) { return v == HAL_FW_ACCEPT || v == HAL_FW_DROP; }

/*
 * Can @b join the run started by @a? All but the destination host, the
 * destination port (one port each) and the verdict must be equal; verdicts
 * may differ only between accept and drop (a verdict map holds those).
 */
static int fold_ok(const struct item *a, const struct item *b)
{
	const struct hal_fw_rule *x = &a->r, *y = &b->r;
	if (!b->has_dst || y->dst_neg || b->dst.ipver != a->dst.ipver ||
	    b->dst.len != a->dst.len || x->proto != y->proto ||
	    (x->verdict != y->verdict && !(map_verdict(x->verdict) && map_verdict(y->verdict))) ||
	    x->src_neg != y->src_neg || a->has_src != b->has_src || a->has_sport != b->has_sport ||
	    a->has_dport != b->has_dport)
		return 0;
	if (a->has_dport && (a->dport.lo != a->dport.hi || b->dport.lo != b->dport.hi))
		return 0;
	if ((x->iif == NULL) != (y->iif == NULL) || (x->iif && strcmp(x->iif, y->iif)) ||
	    (x->oif == NULL) != (y->oif == NULL) || (x->oif && strcmp(x->oif, y->oif)))
		return 0;
	if (a->has_src && memcmp(&a->src, &b->src, sizeof(a->src)))
		return 0;
	if (a->has_sport && memcmp(&a->sport, &b->sport, sizeof(a->sport)))
		return 0;
	return 1;
}

/* Order of fold elements by key, then by rule position (first match first). */
static int cmp_elem(const void *pa, const void *pb, void *arg)
{
	const struct item *base = arg;
	const struct item *x = &base[*(const uint32_t *)pa], *y = &base[*(const uint32_t *)pb];
	int c = memcmp(x->dst.addr, y->dst.addr, 16);
	if (c)
		return c;
	if (x->has_dport && x->dport.lo != y->dport.lo)
		return x->dport.lo < y->dport.lo ? -1 : 1;
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

/* Intersection of two prefixes: the longer one when nested, else none. */
static int meet(const struct policy_prefix *a, const struct policy_prefix *b,
		const struct policy_prefix **out)
{
	if (!a || !b) {
		*out = a ? a : b;
		return 1;
	}
	if (a->ipver != b->ipver)
		return 0;
	const struct policy_prefix *s = a->len <= b->len ? a : b, *l = a->len <= b->len ? b : a;
	unsigned full = s->len / 8, rem = s->len % 8;
	if (memcmp(s->addr, l->addr, full))
		return 0;
	if (rem && ((s->addr[full] ^ l->addr[full]) & (uint8_t)(0xff00u >> rem)))
		return 0;
	*out = l;
	return 1;
}

static void set_prefix(struct hal_fw_prefix *d, const struct policy_prefix *s)
{
	memcpy(d->addr, s->addr, 16);
	d->ipver = s->ipver;
	d->len = s->len;
}

int fw_compile(const struct policy *p, const struct board_desc *board, enum fw_mode mode,
	       uint16_t queue_num, uint32_t generation, struct fw_compiled *out, char *err,
	       size_t errlen)
{
	struct out_vec o = { 0 };
	int rc = 0;
	memset(out, 0, sizeof(*out));
	for (uint32_t ri = 0; ri < p->n_rules && !rc; ri++) {
		const struct policy_rule *r = &p->rules[ri];
		uint8_t v;
		/* one kernel rule holds one source and one destination match: a
		 * negated list, or a negation on top of a zone's prefixes, is not */
		int to_pipeline = l7_rule(r) || !zone_exact(p, r->from) || !zone_exact(p, r->to) ||
				  (r->src.negate && (r->src.set >= 0 || r->src.n > 1)) ||
				  (r->dst.negate && (r->dst.set >= 0 || r->dst.n > 1)) ||
				  (r->src.negate && zone_has_prefixes(p, r->from)) ||
				  (r->dst.negate && zone_has_prefixes(p, r->to));
		if (to_pipeline)
			out->l7_rules++;
		if (to_pipeline)
			v = mode == FW_MODE_INLINE ? HAL_FW_QUEUE : HAL_FW_ACCEPT;
		else if (r->action == POLICY_DENY)
			v = HAL_FW_DROP;
		else if (r->action == POLICY_REJECT)
			v = HAL_FW_REJECT;
		else
			v = HAL_FW_ACCEPT; /* allow; terminate-tls is the TLS module's */
		struct alt fa[64], ta[64];
		unsigned nf, nt;
		rc = zone_alts(p, r->from, board, fa, 64, &nf, err, errlen);
		if (!rc)
			rc = zone_alts(p, r->to, board, ta, 64, &nt, err, errlen);
		if (rc)
			break;
		const struct policy_prefix *sv = NULL, *dv = NULL;
		uint32_t ns = 1, nd = 1;
		if (r->src.present && !r->src.negate) {
			sv = r->src.set >= 0 ? p->sets[r->src.set].prefixes : r->src.v;
			ns = r->src.set >= 0 ? p->sets[r->src.set].n : r->src.n;
		}
		if (r->dst.present && !r->dst.negate) {
			dv = r->dst.set >= 0 ? p->sets[r->dst.set].prefixes : r->dst.v;
			nd = r->dst.set >= 0 ? p->sets[r->dst.set].n : r->dst.n;
		}
		const struct policy_port_range *spv = NULL, *dpv = NULL;
		uint32_t nsp = 1, ndp = 1;
		if (r->sport.present) {
			spv = r->sport.set >= 0 ? p->sets[r->sport.set].ports : r->sport.v;
			nsp = r->sport.set >= 0 ? p->sets[r->sport.set].n : r->sport.n;
		}
		if (r->dport.present) {
			dpv = r->dport.set >= 0 ? p->sets[r->dport.set].ports : r->dport.v;
			ndp = r->dport.set >= 0 ? p->sets[r->dport.set].n : r->dport.n;
		}
		for (unsigned a = 0; a < nf && !rc; a++)
			for (unsigned b = 0; b < nt && !rc; b++)
				for (uint32_t x = 0; x < ns && !rc; x++)
					for (uint32_t y = 0; y < nd && !rc; y++) {
						const struct policy_prefix *s, *d;
						if (!meet(fa[a].pfx, sv ? &sv[x] : NULL, &s) ||
						    !meet(ta[b].pfx, dv ? &dv[y] : NULL, &d))
							continue;
						if (s && d && s->ipver != d->ipver)
							continue;
						for (uint32_t sp = 0; sp < nsp && !rc; sp++)
							for (uint32_t dp = 0; dp < ndp && !rc; dp++) {
								struct item it;
								memset(&it, 0, sizeof(it));
								it.r.id = r->id;
								it.r.iif = fa[a].ifname;
								it.r.oif = ta[b].ifname;
								it.r.proto = r->proto;
								it.r.verdict = v;
								it.r.counter = 1;
								if (s) {
									set_prefix(&it.src, s);
									it.has_src = 1;
								} else if (r->src.negate && !to_pipeline) {
									set_prefix(&it.src, &r->src.v[0]);
									it.has_src = 1;
									it.r.src_neg = 1;
								}
								if (d) {
									set_prefix(&it.dst, d);
									it.has_dst = 1;
								} else if (r->dst.negate && !to_pipeline) {
									set_prefix(&it.dst, &r->dst.v[0]);
									it.has_dst = 1;
									it.r.dst_neg = 1;
								}
								if (spv) {
									it.sport.lo = spv[sp].lo;
									it.sport.hi = spv[sp].hi;
									it.has_sport = 1;
								}
								if (dpv) {
									it.dport.lo = dpv[dp].lo;
									it.dport.hi = dpv[dp].hi;
									it.has_dport = 1;
								}
								rc = push(&o, &it);
							}
					}
	}
	if (rc) {
		if (rc == -E2BIG)
			snprintf(err, errlen, "the policy expands to more than %u kernel rules",
				 FW_MAX_RULES);
		free(o.v);
		return rc;
	}
	struct hal_fw_rule *rules = calloc(o.n ? o.n : 1, sizeof(*rules));
	struct hal_fw_prefix *hosts = calloc(o.n ? o.n : 1, sizeof(*hosts));
	uint16_t *ports = calloc(o.n ? o.n : 1, sizeof(*ports));
	uint8_t *verdicts = calloc(o.n ? o.n : 1, 1);
	uint32_t *idx = calloc(o.n ? o.n : 1, sizeof(*idx));
	if (!rules || !hosts || !ports || !verdicts || !idx) {
		free(rules);
		free(hosts);
		free(ports);
		free(verdicts);
		free(idx);
		free(o.v);
		return -ENOMEM;
	}
	uint32_t nr = 0;
	for (uint32_t i = 0; i < o.n;) {
		struct item *it = &o.v[i];
		uint32_t j = i;
		/* Fold a run of rules that differ only in their destination host
		 * into one rule with a set lookup: same verdict, same everything
		 * else, so first-match order is unchanged (kernel: O(1) lookup,
		 * one rule to insert instead of thousands). */
		if (it->has_dst && !it->r.dst_neg && it->dst.len == (it->dst.ipver == 6 ? 128 : 32)) {
			while (j + 1 < o.n && fold_ok(it, &o.v[j + 1]))
				j++;
		}
		rules[nr] = it->r;
		rules[nr].src = it->has_src ? &it->src : NULL;
		rules[nr].dst = it->has_dst ? &it->dst : NULL;
		rules[nr].sport = it->has_sport ? &it->sport : NULL;
		rules[nr].dport = it->has_dport ? &it->dport : NULL;
		if (j - i + 1 >= FW_FOLD_MIN) {
			/* one element per key; a key repeated keeps its first rule
			 * (first match), so sort by key then position and skip repeats */
			uint32_t n = j - i + 1, m = 0;
			for (uint32_t k = 0; k < n; k++)
				idx[k] = i + k;
			qsort_r(idx, n, sizeof(*idx), cmp_elem, o.v);
			int mixed = 0;
			for (uint32_t k = 0; k < n; k++) {
				const struct item *e = &o.v[idx[k]];
				if (m && memcmp(hosts[i + m - 1].addr, e->dst.addr, 16) == 0 &&
				    (!e->has_dport || ports[i + m - 1] == e->dport.lo))
					continue;
				hosts[i + m] = e->dst;
				ports[i + m] = e->has_dport ? e->dport.lo : 0;
				verdicts[i + m] = e->r.verdict;
				if (e->r.verdict != it->r.verdict)
					mixed = 1;
				m++;
			}
			rules[nr].dst = NULL;
			rules[nr].dport = NULL;
			rules[nr].dst_hosts = &hosts[i];
			rules[nr].dst_ports = it->has_dport ? &ports[i] : NULL;
			rules[nr].verdicts = mixed ? &verdicts[i] : NULL;
			rules[nr].n_dst_hosts = m;
			i = j + 1;
		} else {
			i++;
		}
		nr++;
	}
	free(idx);
	out->items = o.v;
	out->hosts = hosts;
	out->ports = ports;
	out->verdicts = verdicts;
	out->rs.rules = rules;
	out->rs.n_rules = nr;
	uint8_t dv2 = p->defaults[POLICY_DEF_ACTION];
	out->rs.default_verdict = dv2 == POLICY_ALLOW ? HAL_FW_ACCEPT
				  : dv2 == POLICY_REJECT ? HAL_FW_REJECT
							  : HAL_FW_DROP;
	out->rs.queue_num = queue_num;
	out->rs.queue_fail_open = p->defaults[POLICY_DEF_QUEUE_OVERLOAD] == POLICY_QUEUE_FAIL_OPEN;
	if (mode == FW_MODE_INLINE) {
		out->rs.mark_allow = fw_mark_allow(generation);
		out->rs.mark_deny = fw_mark_deny(generation);
	} else {
		out->rs.deny_sets = 1; /* the pipeline's denials, first in the chain */
	}
	return admit_compile(p, board, out, err, errlen);
}

void fw_compiled_free(struct fw_compiled *c)
{
	free(c->hosts);
	free(c->ports);
	free(c->verdicts);
	free((void *)c->rs.rules);
	free(c->items);
	free(c->admit);
	free(c->admit_src);
	memset(c, 0, sizeof(*c));
}
