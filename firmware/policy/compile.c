// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy compiler and lookup: tuple space search.
 *
 * Every rule is expanded into exact-match entries over (client zone, server
 * zone, IP version, source prefix, destination prefix, protocol, source and
 * destination ports as value/mask pairs, application). Entries of the same
 * shape (which fields are given, prefix lengths, port masks) share one hash
 * table: a "group". A lookup probes each group once with the flow's fields
 * masked to the group's shape and takes, across groups, the first rule in
 * priority order whose remaining predicates (negated addresses, names, TLS
 * facts, client identity) hold. Its cost grows with the number of distinct
 * shapes, not with the number of rules: 100,000 host rules of one shape are
 * one probe. Groups are ordered by their best rule, so a lookup stops probing
 * once no remaining group can hold a better rule.
 *
 * While classification is not finished, a rule that would need an unknown
 * fact (application, SNI, ...) makes the result PENDING when it is the best
 * candidate, so that the caller waits instead of deciding too early.
 */
#include <errno.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

#define MAX_ENTRIES (8u << 20)

struct tkey {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t app;
	uint8_t czone, szone, proto, ipver;
	uint8_t pad[6];
};
_Static_assert(sizeof(struct tkey) == 48, "tkey is hashed as six words");

struct shape {
	uint8_t has_czone, has_szone, has_proto, has_app;
	uint8_t ipver, src_len, dst_len, pad;
	uint16_t sport_mask, dport_mask;
};

/*
 * One slot: a cache line (the table is 64-byte aligned), so a probe that hits
 * touches one line. The entry's first (best) rule is repeated here with
 * whether it has residual predicates: a plain first rule decides without
 * reading rule_idx or the rule itself.
 */
struct tentry {
	struct tkey key;
	uint32_t start, count; /* into compiled->rule_idx; count 0: empty slot */
	uint32_t first;        /* rule_idx[start] */
	uint32_t first_plain;  /* 1: the first rule has no residual predicate */
};
_Static_assert(sizeof(struct tentry) == 64, "a slot is a cache line");

/* What a decision needs of a rule, dense (the rules themselves are large). */
struct rule_hot {
	uint32_t id;
	int32_t backend;
	uint8_t action, log, plain, pad;
};

struct ttable {
	uint32_t mask;
	struct tentry *slots;
};

struct tgroup {
	struct shape sh;
	uint8_t src_mask[16], dst_mask[16];
	uint32_t min_rule;
	struct ttable exact;
	struct ttable noapp; /* has_app groups: same entries keyed without app */
};

struct pending_entry {
	struct tkey key;
	uint32_t group;
	uint32_t rule;
};

struct name_index {
	uint32_t mask;
	struct nslot {
		uint32_t hash;
		uint8_t kind;
		const char *text;
	} *slots;
	uint8_t any;
};

struct policy_compiled {
	uint32_t n_groups;
	struct tgroup *groups;
	uint32_t *rule_idx;
	uint32_t n_entries;
	struct rule_hot *hot; /* per rule, in rule order */
};

static uint32_t key_hash(const struct tkey *k)
{
	uint64_t w[6];
	memcpy(w, k, sizeof(w));
	return hash_words(w, 6);
}

static void mask_bytes(uint8_t *m, unsigned len)
{
	memset(m, 0, 16);
	for (unsigned b = 0; b < len; b++)
		m[b / 8] |= (uint8_t)(0x80u >> (b % 8));
}

/* Port range to value/mask pairs (the classic TCAM expansion). */
static uint32_t range_to_masks(uint16_t lo, uint16_t hi, uint16_t *val, uint16_t *msk)
{
	uint32_t n = 0;
	uint32_t a = lo, b = hi;
	while (a <= b) {
		uint32_t size = 1;
		while ((a & (size * 2 - 1)) == 0 && a + size * 2 - 1 <= b && size < 65536)
			size *= 2;
		val[n] = (uint16_t)a;
		msk[n] = (uint16_t)~(size - 1);
		n++;
		a += size;
		if (a > 65535)
			break;
	}
	return n;
}

static uint32_t name_hash(uint8_t kind, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ kind;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return (uint32_t)hash_mix64(h);
}

static struct name_index *name_index_build(const struct policy_name_pat *v, uint32_t n)
{
	struct name_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return NULL;
	uint32_t cap = 4;
	while (cap < n * 2)
		cap <<= 1;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots) {
		free(ix);
		return NULL;
	}
	ix->mask = cap - 1;
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].kind == 2) {
			ix->any = 1;
			continue;
		}
		uint32_t h = name_hash(v[i].kind, v[i].text);
		for (uint32_t s = h & ix->mask;; s = (s + 1) & ix->mask) {
			if (!ix->slots[s].text) {
				ix->slots[s].hash = h;
				ix->slots[s].kind = v[i].kind;
				ix->slots[s].text = v[i].text;
				break;
			}
			if (ix->slots[s].hash == h && ix->slots[s].kind == v[i].kind &&
			    strcmp(ix->slots[s].text, v[i].text) == 0)
				break;
		}
	}
	return ix;
}

static int ix_has(const struct name_index *ix, uint8_t kind, const char *s)
{
	uint32_t h = name_hash(kind, s);
	for (uint32_t i = h & ix->mask; ix->slots[i].text; i = (i + 1) & ix->mask)
		if (ix->slots[i].hash == h && ix->slots[i].kind == kind && strcmp(ix->slots[i].text, s) == 0)
			return 1;
	return 0;
}

/* Lower-case copy of a name; "" when it does not fit (no name is that long). */
static void lower(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i]; i++) {
		if (i + 1 >= n) {
			out[0] = 0;
			return;
		}
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	}
	out[i] = 0;
}

void policy_name_index_free(void *ix)
{
	struct name_index *x = ix;
	if (x) {
		free(x->slots);
		free(x);
	}
}

static int names_match(const struct policy_name_pat *v, uint32_t n, const struct name_index *ix,
		       const char *name)
{
	char buf[256];
	lower(buf, sizeof(buf), name);
	if (!buf[0])
		return ix ? ix->any : 0;
	if (ix) {
		if (ix->any || ix_has(ix, 0, buf))
			return 1;
		for (const char *d = strchr(buf, '.'); d; d = strchr(d + 1, '.'))
			if (ix_has(ix, 1, d + 1))
				return 1;
		return 0;
	}
	size_t bl = strlen(buf);
	for (uint32_t i = 0; i < n; i++) {
		if (v[i].kind == 2)
			return 1;
		if (v[i].kind == 0 && strcmp(v[i].text, buf) == 0)
			return 1;
		if (v[i].kind == 1) {
			size_t tl = strlen(v[i].text);
			if (bl > tl + 1 && buf[bl - tl - 1] == '.' && strcmp(buf + bl - tl, v[i].text) == 0)
				return 1;
		}
	}
	return 0;
}

static int prefix_has(const struct policy_prefix *pf, uint8_t ipver, const uint8_t *a)
{
	if (pf->ipver != ipver)
		return 0;
	unsigned full = pf->len / 8, rem = pf->len % 8;
	if (memcmp(pf->addr, a, full))
		return 0;
	return !rem || ((a[full] ^ pf->addr[full]) & (uint8_t)(0xff00u >> rem)) == 0;
}

static int addr_in(const struct policy *p, const struct policy_addr_match *m, uint8_t ipver,
		   const uint8_t *a)
{
	const struct policy_prefix *v = m->set >= 0 ? p->sets[m->set].prefixes : m->v;
	uint32_t n = m->set >= 0 ? p->sets[m->set].n : m->n;
	for (uint32_t i = 0; i < n; i++)
		if (prefix_has(&v[i], ipver, a))
			return 1;
	return 0;
}

static int port_in(const struct policy *p, const struct policy_port_match *m, uint16_t port)
{
	const struct policy_port_range *v = m->set >= 0 ? p->sets[m->set].ports : m->v;
	uint32_t n = m->set >= 0 ? p->sets[m->set].n : m->n;
	for (uint32_t i = 0; i < n; i++)
		if (port >= v[i].lo && port <= v[i].hi)
			return 1;
	return 0;
}

enum { R_NO = 0, R_YES, R_PENDING };

static int name_field(const struct policy *p, const struct policy_name_match *m, const char *val,
		      uint8_t done)
{
	if (!m->present)
		return R_YES;
	if (!val)
		return done ? R_NO : R_PENDING;
	if (m->set >= 0)
		return names_match(NULL, 0, p->sets[m->set].name_index, val) ? R_YES : R_NO;
	return names_match(m->v, m->n, NULL, val) ? R_YES : R_NO;
}

/* The predicates not in the hash key (and, for the linear reference, all). */
static int residual(const struct policy *p, const struct policy_rule *r, const struct policy_flow *f)
{
	int res = R_YES, v;
	if (r->src.present && r->src.negate && addr_in(p, &r->src, f->ipver, f->src))
		return R_NO;
	if (r->dst.present && r->dst.negate && addr_in(p, &r->dst, f->ipver, f->dst))
		return R_NO;
#define FOLD(x)                        \
	do {                           \
		v = (x);               \
		if (v == R_NO)         \
			return R_NO;   \
		if (v == R_PENDING)    \
			res = R_PENDING; \
	} while (0)
	FOLD(name_field(p, &r->sni, f->sni, f->l7_done));
	FOLD(name_field(p, &r->host, f->host, f->l7_done));
	FOLD(name_field(p, &r->query, f->query, f->l7_done));
	if (r->tls_version_min)
		FOLD(f->tls_version ? (f->tls_version >= r->tls_version_min ? R_YES : R_NO)
				    : (f->l7_done ? R_NO : R_PENDING));
	if (r->no_sni)
		FOLD(f->l7_done ? (f->no_sni ? R_YES : R_NO) : R_PENDING);
	if (r->ech)
		FOLD(f->ech ? R_YES : (f->l7_done ? R_NO : R_PENDING));
	if (r->client_subject)
		FOLD(f->client_subject ? (strcmp(f->client_subject, r->client_subject) == 0 ? R_YES : R_NO)
				       : (f->l7_done ? R_NO : R_PENDING));
	if (r->client_ou)
		FOLD(f->client_ou ? (strcmp(f->client_ou, r->client_ou) == 0 ? R_YES : R_NO)
				  : (f->l7_done ? R_NO : R_PENDING));
#undef FOLD
	return res;
}

/* No predicate outside the hash key: residual() would say R_YES. */
static uint8_t rule_plain(const struct policy_rule *r)
{
	return !(r->src.present && r->src.negate) && !(r->dst.present && r->dst.negate) &&
	       !r->sni.present && !r->host.present && !r->query.present && !r->tls_version_min &&
	       !r->no_sni && !r->ech && !r->client_subject && !r->client_ou;
}

/* The whole rule, field by field: the reference semantics. */
static int rule_matches(const struct policy *p, const struct policy_rule *r,
			const struct policy_flow *f)
{
	if (r->from >= 0 && r->from != f->czone)
		return R_NO;
	if (r->to >= 0 && r->to != f->szone)
		return R_NO;
	if (r->src.present && !r->src.negate && !addr_in(p, &r->src, f->ipver, f->src))
		return R_NO;
	if (r->dst.present && !r->dst.negate && !addr_in(p, &r->dst, f->ipver, f->dst))
		return R_NO;
	if (r->proto >= 0 && r->proto != f->proto)
		return R_NO;
	if (r->sport.present && !port_in(p, &r->sport, f->sport))
		return R_NO;
	if (r->dport.present && !port_in(p, &r->dport, f->dport))
		return R_NO;
	int app_state = R_YES;
	if (r->n_apps) {
		if (f->app) {
			app_state = R_NO;
			for (uint32_t i = 0; i < r->n_apps; i++)
				if (r->apps[i] == f->app)
					app_state = R_YES;
		} else {
			app_state = f->l7_done ? R_NO : R_PENDING;
		}
		if (app_state == R_NO)
			return R_NO;
	}
	int rs = residual(p, r, f);
	if (rs == R_NO)
		return R_NO;
	return (rs == R_PENDING || app_state == R_PENDING) ? R_PENDING : R_YES;
}

static void set_result(const struct policy *p, uint32_t idx, int state, struct policy_result *out)
{
	if (idx == UINT32_MAX) {
		out->kind = POLICY_MATCH;
		out->action = p->defaults[POLICY_DEF_ACTION];
		out->log = 0;
		out->rule_id = 0;
		out->rule_index = UINT32_MAX;
		out->backend = -1;
		return;
	}
	out->kind = state == R_PENDING ? POLICY_PENDING : POLICY_MATCH;
	out->rule_index = idx;
	if (p->compiled && p->compiled->hot) {
		const struct rule_hot *h = &p->compiled->hot[idx];
		out->action = h->action;
		out->log = h->log;
		out->rule_id = h->id;
		out->backend = h->backend;
		return;
	}
	const struct policy_rule *r = &p->rules[idx];
	out->action = r->action;
	out->log = r->log;
	out->rule_id = r->id;
	out->backend = r->backend;
}

void policy_lookup_linear(const struct policy *p, const struct policy_flow *f,
			  struct policy_result *out)
{
	for (uint32_t i = 0; i < p->n_rules; i++) {
		int m = rule_matches(p, &p->rules[i], f);
		if (m != R_NO) {
			set_result(p, i, m, out);
			return;
		}
	}
	set_result(p, UINT32_MAX, R_YES, out);
}

/* --- compile ---------------------------------------------------------------- */

struct builder {
	struct shape *shapes;
	uint32_t n_shapes, cap_shapes;
	struct pending_entry *pe;
	uint32_t n_pe, cap_pe;
};

static int shape_id(struct builder *b, const struct shape *s)
{
	for (uint32_t i = 0; i < b->n_shapes; i++)
		if (memcmp(&b->shapes[i], s, sizeof(*s)) == 0)
			return (int)i;
	if (b->n_shapes == b->cap_shapes) {
		uint32_t c = b->cap_shapes ? b->cap_shapes * 2 : 16;
		void *n = realloc(b->shapes, c * sizeof(*s));
		if (!n)
			return -ENOMEM;
		b->shapes = n;
		b->cap_shapes = c;
	}
	b->shapes[b->n_shapes] = *s;
	return (int)b->n_shapes++;
}

static int add_entry(struct builder *b, const struct shape *s, const struct tkey *k, uint32_t rule)
{
	int g = shape_id(b, s);
	if (g < 0)
		return g;
	if (b->n_pe >= MAX_ENTRIES)
		return -E2BIG;
	if (b->n_pe == b->cap_pe) {
		uint32_t c = b->cap_pe ? b->cap_pe * 2 : 1024;
		void *n = realloc(b->pe, (size_t)c * sizeof(*b->pe));
		if (!n)
			return -ENOMEM;
		b->pe = n;
		b->cap_pe = c;
	}
	struct pending_entry *e = &b->pe[b->n_pe++];
	e->key = *k;
	e->group = (uint32_t)g;
	e->rule = rule;
	return 0;
}

struct plist {
	const struct policy_prefix *v;
	uint32_t n;
	int wildcard;
};

static struct plist addr_list(const struct policy *p, const struct policy_addr_match *m)
{
	struct plist l = { NULL, 0, 1 };
	if (!m->present || m->negate)
		return l;
	l.wildcard = 0;
	l.v = m->set >= 0 ? p->sets[m->set].prefixes : m->v;
	l.n = m->set >= 0 ? p->sets[m->set].n : m->n;
	return l;
}

static int port_masks(const struct policy *p, const struct policy_port_match *m, uint16_t **val,
		      uint16_t **msk, uint32_t *n)
{
	*n = 0;
	*val = *msk = NULL;
	if (!m->present)
		return 0;
	const struct policy_port_range *v = m->set >= 0 ? p->sets[m->set].ports : m->v;
	uint32_t cnt = m->set >= 0 ? p->sets[m->set].n : m->n;
	*val = malloc((size_t)cnt * 32 * sizeof(uint16_t) + 2);
	*msk = malloc((size_t)cnt * 32 * sizeof(uint16_t) + 2);
	if (!*val || !*msk)
		return -ENOMEM;
	for (uint32_t i = 0; i < cnt; i++)
		*n += range_to_masks(v[i].lo, v[i].hi, *val + *n, *msk + *n);
	return 0;
}

static int expand_rule(struct builder *b, const struct policy *p, uint32_t ri)
{
	const struct policy_rule *r = &p->rules[ri];
	struct plist sl = addr_list(p, &r->src), dl = addr_list(p, &r->dst);
	uint16_t *spv = NULL, *spm = NULL, *dpv = NULL, *dpm = NULL;
	uint32_t nsp = 0, ndp = 0;
	int rc = port_masks(p, &r->sport, &spv, &spm, &nsp);
	if (!rc)
		rc = port_masks(p, &r->dport, &dpv, &dpm, &ndp);
	uint32_t ns = sl.wildcard ? 1 : sl.n, nd = dl.wildcard ? 1 : dl.n;
	uint32_t nsp1 = r->sport.present ? nsp : 1, ndp1 = r->dport.present ? ndp : 1;
	uint32_t na = r->n_apps ? r->n_apps : 1;
	for (uint32_t a = 0; !rc && a < ns; a++)
		for (uint32_t d = 0; !rc && d < nd; d++) {
			const struct policy_prefix *sp = sl.wildcard ? NULL : &sl.v[a];
			const struct policy_prefix *dp = dl.wildcard ? NULL : &dl.v[d];
			if (sp && dp && sp->ipver != dp->ipver)
				continue;
			for (uint32_t x = 0; !rc && x < nsp1; x++)
				for (uint32_t y = 0; !rc && y < ndp1; y++)
					for (uint32_t z = 0; !rc && z < na; z++) {
						struct shape s;
						struct tkey k;
						memset(&s, 0, sizeof(s));
						memset(&k, 0, sizeof(k));
						if (r->from >= 0) {
							s.has_czone = 1;
							k.czone = (uint8_t)r->from;
						}
						if (r->to >= 0) {
							s.has_szone = 1;
							k.szone = (uint8_t)r->to;
						}
						if (sp || dp) {
							s.ipver = k.ipver = sp ? sp->ipver : dp->ipver;
						}
						if (sp) {
							s.src_len = sp->len;
							memcpy(k.src, sp->addr, 16);
						}
						if (dp) {
							s.dst_len = dp->len;
							memcpy(k.dst, dp->addr, 16);
						}
						if (r->proto >= 0) {
							s.has_proto = 1;
							k.proto = (uint8_t)r->proto;
						}
						if (r->sport.present) {
							s.sport_mask = spm[x];
							k.sport = spv[x];
						}
						if (r->dport.present) {
							s.dport_mask = dpm[y];
							k.dport = dpv[y];
						}
						if (r->n_apps) {
							s.has_app = 1;
							k.app = r->apps[z];
						}
						rc = add_entry(b, &s, &k, ri);
					}
		}
	free(spv);
	free(spm);
	free(dpv);
	free(dpm);
	return rc;
}

static int cmp_pe(const void *a, const void *b)
{
	const struct pending_entry *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	int c = memcmp(&x->key, &y->key, sizeof(x->key));
	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Big tables are spread over many pages: random probes then cost a TLB miss
 * each. Ask for huge pages (2 MiB alignment + MADV_HUGEPAGE) when the table
 * is large enough to gain; zeroed either way.
 */
static void *table_alloc(size_t bytes)
{
	const size_t huge = 2u << 20;
	if (bytes < huge) {
		void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
		if (p)
			memset(p, 0, bytes);
		return p;
	}
	size_t sz = (bytes + huge - 1) & ~(huge - 1);
	void *p = aligned_alloc(huge, sz);
	if (!p)
		return NULL;
	madvise(p, sz, MADV_HUGEPAGE);
	memset(p, 0, sz);
	return p;
}

static int table_build(struct ttable *t, const struct pending_entry *pe, uint32_t n,
		       uint32_t **rule_idx, uint32_t *n_idx, uint32_t *cap_idx, int strip_app,
		       const struct rule_hot *hot)
{
	uint32_t cap = 8;
	while (cap < n * 2)
		cap <<= 1;
	t->slots = table_alloc((size_t)cap * sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->mask = cap - 1;
	uint32_t i = 0;
	while (i < n) {
		struct tkey k = pe[i].key;
		if (strip_app)
			k.app = 0;
		uint32_t j = i;
		uint32_t start = *n_idx;
		/* all entries with this key (and, stripping app, any app) */
		while (j < n) {
			struct tkey kj = pe[j].key;
			if (strip_app)
				kj.app = 0;
			if (memcmp(&kj, &k, sizeof(k)))
				break;
			if (*n_idx == *cap_idx) {
				uint32_t c = *cap_idx ? *cap_idx * 2 : 1024;
				void *nv = realloc(*rule_idx, (size_t)c * sizeof(uint32_t));
				if (!nv)
					return -ENOMEM;
				*rule_idx = nv;
				*cap_idx = c;
			}
			(*rule_idx)[(*n_idx)++] = pe[j].rule;
			j++;
		}
		uint32_t cnt = *n_idx - start;
		if (strip_app && cnt > 1) { /* sort and dedupe the merged rule list */
			uint32_t *v = *rule_idx + start;
			for (uint32_t a = 1; a < cnt; a++)
				for (uint32_t b2 = a; b2 > 0 && v[b2 - 1] > v[b2]; b2--) {
					uint32_t tmp = v[b2];
					v[b2] = v[b2 - 1];
					v[b2 - 1] = tmp;
				}
			uint32_t w = 1;
			for (uint32_t a = 1; a < cnt; a++)
				if (v[a] != v[w - 1])
					v[w++] = v[a];
			*n_idx = start + w;
			cnt = w;
		}
		uint32_t h = key_hash(&k);
		for (uint32_t s = h & t->mask;; s = (s + 1) & t->mask)
			if (!t->slots[s].count) {
				t->slots[s].key = k;
				t->slots[s].start = start;
				t->slots[s].count = cnt;
				t->slots[s].first = (*rule_idx)[start];
				t->slots[s].first_plain = hot[(*rule_idx)[start]].plain;
				break;
			}
		i = j;
	}
	return 0;
}

static int cmp_pe_noapp(const void *a, const void *b)
{
	const struct pending_entry *x = a, *y = b;
	struct tkey kx = x->key, ky = y->key;
	kx.app = ky.app = 0;
	int c = memcmp(&kx, &ky, sizeof(kx));
	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int cmp_group(const void *a, const void *b)
{
	const struct tgroup *x = a, *y = b;
	return x->min_rule < y->min_rule ? -1 : x->min_rule > y->min_rule;
}

void policy_compiled_free(struct policy_compiled *c)
{
	if (!c)
		return;
	for (uint32_t i = 0; i < c->n_groups; i++) {
		free(c->groups[i].exact.slots);
		free(c->groups[i].noapp.slots);
	}
	free(c->groups);
	free(c->rule_idx);
	free(c->hot);
	free(c);
}

int policy_compile(struct policy *p)
{
	struct builder b = { 0 };
	int rc = 0;
	for (uint32_t i = 0; i < p->n_sets; i++)
		if (p->sets[i].kind == POLICY_SET_NAME && !p->sets[i].name_index) {
			p->sets[i].name_index = name_index_build(p->sets[i].names, p->sets[i].n);
			if (!p->sets[i].name_index)
				return -ENOMEM;
		}
	for (uint32_t i = 0; i < p->n_rules && !rc; i++)
		rc = expand_rule(&b, p, i);
	struct policy_compiled *c = calloc(1, sizeof(*c));
	if (!rc && !c)
		rc = -ENOMEM;
	if (!rc) {
		c->hot = calloc(p->n_rules ? p->n_rules : 1, sizeof(*c->hot));
		if (!c->hot)
			rc = -ENOMEM;
		for (uint32_t i = 0; !rc && i < p->n_rules; i++) {
			const struct policy_rule *r = &p->rules[i];
			c->hot[i] = (struct rule_hot){ .id = r->id, .backend = r->backend,
						       .action = r->action, .log = r->log,
						       .plain = rule_plain(r) };
		}
	}
	if (!rc && b.n_shapes) {
		c->groups = calloc(b.n_shapes, sizeof(*c->groups));
		if (!c->groups)
			rc = -ENOMEM;
	}
	uint32_t cap_idx = 0;
	if (!rc) {
		if (b.n_pe > 1)
			qsort(b.pe, b.n_pe, sizeof(*b.pe), cmp_pe);
		c->n_groups = b.n_shapes;
		uint32_t i = 0;
		while (!rc && i < b.n_pe) {
			uint32_t g = b.pe[i].group, j = i, minr = UINT32_MAX;
			while (j < b.n_pe && b.pe[j].group == g) {
				if (b.pe[j].rule < minr)
					minr = b.pe[j].rule;
				j++;
			}
			struct tgroup *tg = &c->groups[g];
			tg->sh = b.shapes[g];
			tg->min_rule = minr;
			mask_bytes(tg->src_mask, tg->sh.src_len);
			mask_bytes(tg->dst_mask, tg->sh.dst_len);
			rc = table_build(&tg->exact, b.pe + i, j - i, &c->rule_idx, &c->n_entries,
					 &cap_idx, 0, c->hot);
			if (!rc && tg->sh.has_app) {
				qsort(b.pe + i, j - i, sizeof(*b.pe), cmp_pe_noapp);
				rc = table_build(&tg->noapp, b.pe + i, j - i, &c->rule_idx,
						 &c->n_entries, &cap_idx, 1, c->hot);
			}
			i = j;
		}
		if (!rc && c->n_groups > 1)
			qsort(c->groups, c->n_groups, sizeof(*c->groups), cmp_group);
	}
	free(b.shapes);
	free(b.pe);
	if (rc) {
		policy_compiled_free(c);
		return rc;
	}
	policy_compiled_free(p->compiled);
	p->compiled = c;
	return 0;
}

static const struct tentry *probe(const struct ttable *t, const struct tkey *k)
{
	uint32_t h = key_hash(k);
	for (uint32_t s = h & t->mask; t->slots[s].count; s = (s + 1) & t->mask)
		if (memcmp(&t->slots[s].key, k, sizeof(*k)) == 0)
			return &t->slots[s];
	return NULL;
}

void policy_lookup(const struct policy *p, const struct policy_flow *f, struct policy_result *out)
{
	const struct policy_compiled *c = p->compiled;
	if (!c) {
		policy_lookup_linear(p, f, out);
		return;
	}
	uint32_t best = UINT32_MAX;
	int best_state = R_YES;
	for (uint32_t g = 0; g < c->n_groups; g++) {
		const struct tgroup *tg = &c->groups[g];
		if (tg->min_rule >= best)
			break; /* groups are ordered by their best rule */
		const struct shape *s = &tg->sh;
		if (s->ipver && s->ipver != f->ipver)
			continue;
		struct tkey k;
		memset(&k, 0, sizeof(k));
		if (s->has_czone)
			k.czone = f->czone;
		if (s->has_szone)
			k.szone = f->szone;
		if (s->ipver) {
			k.ipver = f->ipver;
			unsigned alen = f->ipver == 6 ? 16 : 4;
			for (unsigned i = 0; i < alen; i++) {
				k.src[i] = f->src[i] & tg->src_mask[i];
				k.dst[i] = f->dst[i] & tg->dst_mask[i];
			}
		}
		if (s->has_proto)
			k.proto = f->proto;
		k.sport = f->sport & s->sport_mask;
		k.dport = f->dport & s->dport_mask;
		const struct tentry *e;
		int app_pending = 0;
		if (s->has_app) {
			if (f->app) {
				k.app = f->app;
				e = probe(&tg->exact, &k);
			} else if (!f->l7_done) {
				e = probe(&tg->noapp, &k);
				app_pending = 1;
			} else {
				continue;
			}
		} else {
			e = probe(&tg->exact, &k);
		}
		if (!e)
			continue;
		if (e->first_plain) { /* the entry's best rule matches as keyed */
			if (e->first < best) {
				best = e->first;
				best_state = app_pending ? R_PENDING : R_YES;
			}
			continue;
		}
		for (uint32_t i = 0; i < e->count; i++) {
			uint32_t ri = c->rule_idx[e->start + i];
			if (ri >= best)
				break;
			int st = residual(p, &p->rules[ri], f);
			if (st == R_NO)
				continue;
			best = ri;
			best_state = (st == R_PENDING || app_pending) ? R_PENDING : R_YES;
			break;
		}
	}
	set_result(p, best, best_state, out);
}

void policy_compiled_stats(const struct policy *p, uint32_t *groups, uint32_t *entries)
{
	*groups = p->compiled ? p->compiled->n_groups : 0;
	*entries = p->compiled ? p->compiled->n_entries : 0;
}
