// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy parser: text to struct policy (see policy.h for the language).
 * Two passes over the lines: definitions (zone, set, backend) first, then
 * defaults and rules, so that a name may be used before its definition.
 * Every error is collected with its position; any error rejects the policy.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dpi/detector.h"
#include "core/prefix.h"
#include "policy/policy.h"
#include "policy/policy_internal.h"

#define MAX_TOKENS 256
#define MAX_LINE 65536
#define MAX_LIST 100000

enum tok_kind { T_WORD = 0, T_STRING, T_COMMA };

struct tok {
	uint8_t kind;
	uint32_t col;
	uint32_t len;
	const char *s; /* into the line (WORD) or into the unescaped buffer (STRING) */
};

struct perr {
	char *buf;
	size_t len, used;
	unsigned count, max;
	const char *file;
};

struct parser {
	struct policy *p;
	struct perr *e;
	uint32_t line;
	struct tok t[MAX_TOKENS];
	unsigned n, i;
	char strbuf[MAX_LINE];
	size_t strused;
	int line_failed;
	int quiet; /* second pass over a line the first pass already reported */
	uint32_t rules_cap;
};

static void perr_add(struct perr *e, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void perr_add(struct perr *e, uint32_t line, uint32_t col, const char *fmt, ...)
{
	e->count++;
	if (e->count > e->max || e->used + 1 >= e->len)
		return;
	int n = snprintf(e->buf + e->used, e->len - e->used, "%s:%u:%u: ", e->file, line, col);
	if (n < 0 || (size_t)n >= e->len - e->used) {
		e->used = e->len - 1;
		return;
	}
	e->used += (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->used, e->len - e->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= e->len - e->used) {
		e->used = e->len - 1;
		return;
	}
	e->used += (size_t)n;
	if (e->used + 1 < e->len) {
		e->buf[e->used++] = '\n';
		e->buf[e->used] = 0;
	}
}

#define ERR(ps, col, ...)                                                  \
	do {                                                               \
		if (!(ps)->quiet)                                          \
			perr_add((ps)->e, (ps)->line, (col), __VA_ARGS__); \
		(ps)->line_failed = 1;                                     \
	} while (0)

static int word_char(int c)
{
	return isalnum(c) || strchr("_.:/@!*-+[]%=<>", c) != NULL;
}

/* Tokenize one line; returns 0 or -1 (error reported). */
static int tokenize(struct parser *ps, const char *line, size_t len)
{
	ps->n = 0;
	ps->i = 0;
	ps->strused = 0;
	size_t i = 0;
	while (i < len) {
		char c = line[i];
		if (c == '#')
			break;
		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (ps->n >= MAX_TOKENS) {
			ERR(ps, (uint32_t)i + 1, "too many words on one line (at most %d)", MAX_TOKENS);
			return -1;
		}
		struct tok *t = &ps->t[ps->n];
		t->col = (uint32_t)i + 1;
		if (c == ',') {
			t->kind = T_COMMA;
			t->s = line + i;
			t->len = 1;
			ps->n++;
			i++;
			continue;
		}
		if (c == '"') {
			size_t start = ps->strused;
			i++;
			for (;;) {
				if (i >= len) {
					ERR(ps, t->col, "unterminated string");
					return -1;
				}
				char d = line[i];
				if (d == '"')
					break;
				if (d == '\\' && i + 1 < len && (line[i + 1] == '"' || line[i + 1] == '\\')) {
					d = line[i + 1];
					i++;
				} else if ((unsigned char)d < 0x20 || d == 0x7f) {
					ERR(ps, (uint32_t)i + 1, "control character in string");
					return -1;
				}
				if (ps->strused + 2 >= sizeof(ps->strbuf)) {
					ERR(ps, t->col, "string too long");
					return -1;
				}
				ps->strbuf[ps->strused++] = d;
				i++;
			}
			i++; /* closing quote */
			ps->strbuf[ps->strused++] = 0;
			t->kind = T_STRING;
			t->s = ps->strbuf + start;
			t->len = (uint32_t)(ps->strused - start - 1);
			ps->n++;
			continue;
		}
		if (!word_char((unsigned char)c)) {
			ERR(ps, (uint32_t)i + 1, "unexpected character '%c'",
			    isprint((unsigned char)c) ? c : '?');
			return -1;
		}
		size_t s = i;
		while (i < len && word_char((unsigned char)line[i]))
			i++;
		t->kind = T_WORD;
		t->s = line + s;
		t->len = (uint32_t)(i - s);
		ps->n++;
	}
	return 0;
}

static int is_word(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && strlen(w) == t->len && strncmp(t->s, w, t->len) == 0;
}

static struct tok *peek(struct parser *ps) { return ps->i < ps->n ? &ps->t[ps->i] : NULL; }
static struct tok *next(struct parser *ps) { return ps->i < ps->n ? &ps->t[ps->i++] : NULL; }
static uint32_t end_col(struct parser *ps)
{
	if (ps->n == 0)
		return 1;
	struct tok *t = &ps->t[ps->n - 1];
	return t->col + t->len + (t->kind == T_STRING ? 2 : 0);
}

static void tok_copy(const struct tok *t, char *out, size_t n)
{
	size_t l = t->len < n - 1 ? t->len : n - 1;
	memcpy(out, t->s, l);
	out[l] = 0;
}

/* Expect a word naming something: letters, digits, '_' and '-'. */
static int take_name(struct parser *ps, const char *what, char *out)
{
	struct tok *t = next(ps);
	if (!t || t->kind != T_WORD) {
		ERR(ps, t ? t->col : end_col(ps), "expected %s name", what);
		return -1;
	}
	if (t->len >= POLICY_NAME_MAX) {
		ERR(ps, t->col, "%s name longer than %d characters", what, POLICY_NAME_MAX - 1);
		return -1;
	}
	for (uint32_t k = 0; k < t->len; k++)
		if (!isalnum((unsigned char)t->s[k]) && t->s[k] != '_' && t->s[k] != '-') {
			ERR(ps, t->col + k, "invalid character in %s name", what);
			return -1;
		}
	if (!isalpha((unsigned char)t->s[0])) {
		ERR(ps, t->col, "%s name must start with a letter", what);
		return -1;
	}
	tok_copy(t, out, POLICY_NAME_MAX);
	return 0;
}

static int parse_u32(const struct tok *t, uint64_t max, uint32_t *out)
{
	if (t->kind != T_WORD || t->len == 0 || t->len > 10)
		return -1;
	uint64_t v = 0;
	for (uint32_t k = 0; k < t->len; k++) {
		if (!isdigit((unsigned char)t->s[k]))
			return -1;
		v = v * 10 + (uint64_t)(t->s[k] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* 0, -1 malformed, -2 host bits set (the policy refuses them). */
static int parse_prefix_text(const char *s, size_t len, struct policy_prefix *out)
{
	int host_bits;
	memset(out, 0, sizeof(*out));
	if (prefix_parse(s, len, out->addr, &out->ipver, &out->len, &host_bits))
		return -1;
	return host_bits ? -2 : 0;
}

/* A comma-separated list: calls @item for each element token. */
typedef int (*item_fn)(struct parser *ps, struct tok *t, void *ctx);

static int parse_list(struct parser *ps, const char *what, item_fn item, void *ctx)
{
	for (;;) {
		struct tok *t = next(ps);
		if (!t || t->kind == T_COMMA) {
			ERR(ps, t ? t->col : end_col(ps), "expected %s", what);
			return -1;
		}
		if (item(ps, t, ctx))
			return -1;
		struct tok *c = peek(ps);
		if (!c || c->kind != T_COMMA)
			return 0;
		ps->i++;
	}
}

struct vec {
	void *v;
	uint32_t n, cap;
	size_t sz;
};

static void *vec_push(struct vec *v)
{
	if (v->n >= MAX_LIST)
		return NULL;
	if (v->n == v->cap) {
		uint32_t c = v->cap ? v->cap * 2 : 4;
		void *nv = realloc(v->v, (size_t)c * v->sz);
		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = c;
	}
	void *slot = (char *)v->v + (size_t)v->n * v->sz;
	memset(slot, 0, v->sz);
	v->n++;
	return slot;
}

/* A list of name patterns and their texts (NULL allowed). */
static void name_pats_free(void *list, uint32_t n)
{
	struct policy_name_pat *v = list;
	for (uint32_t i = 0; v && i < n; i++)
		free(v[i].text);
	free(v);
}

static int prefix_item(struct parser *ps, struct tok *t, void *ctx)
{
	struct vec *v = ctx;
	struct policy_prefix pf;
	if (t->kind != T_WORD) {
		ERR(ps, t->col, "expected an address or prefix");
		return -1;
	}
	int rc = parse_prefix_text(t->s, t->len, &pf);
	if (rc == -2) {
		ERR(ps, t->col, "prefix has host bits set");
		return -1;
	}
	if (rc) {
		ERR(ps, t->col, "expected an address or prefix, got '%.*s'", (int)t->len, t->s);
		return -1;
	}
	struct policy_prefix *slot = vec_push(v);
	if (!slot) {
		ERR(ps, t->col, "list too long or out of memory");
		return -1;
	}
	*slot = pf;
	return 0;
}

static int port_item(struct parser *ps, struct tok *t, void *ctx)
{
	struct vec *v = ctx;
	uint32_t lo, hi;
	if (t->kind != T_WORD) {
		ERR(ps, t->col, "expected a port or range");
		return -1;
	}
	const char *dash = memchr(t->s, '-', t->len);
	struct tok a = *t, b = *t;
	if (dash) {
		a.len = (uint32_t)(dash - t->s);
		b.s = dash + 1;
		b.len = t->len - a.len - 1;
	}
	if (parse_u32(&a, 65535, &lo) || (dash && parse_u32(&b, 65535, &hi))) {
		ERR(ps, t->col, "expected a port (0-65535) or range LO-HI, got '%.*s'", (int)t->len,
		    t->s);
		return -1;
	}
	if (!dash)
		hi = lo;
	if (hi < lo) {
		ERR(ps, t->col, "port range %u-%u is empty", lo, hi);
		return -1;
	}
	struct policy_port_range *slot = vec_push(v);
	if (!slot) {
		ERR(ps, t->col, "list too long or out of memory");
		return -1;
	}
	slot->lo = (uint16_t)lo;
	slot->hi = (uint16_t)hi;
	return 0;
}

static int name_item(struct parser *ps, struct tok *t, void *ctx)
{
	struct vec *v = ctx;
	char buf[300];
	if (t->len == 0 || t->len >= 254) {
		ERR(ps, t->col, "name pattern must be 1 to 253 characters");
		return -1;
	}
	tok_copy(t, buf, sizeof(buf));
	for (char *c = buf; *c; c++) {
		*c = (char)tolower((unsigned char)*c);
		if (!isalnum((unsigned char)*c) && !strchr("-_.*", *c)) {
			ERR(ps, t->col + (uint32_t)(c - buf) + (t->kind == T_STRING),
			    "invalid character in name pattern");
			return -1;
		}
	}
	uint8_t kind = 0;
	const char *text = buf;
	if (strcmp(buf, "*") == 0) {
		kind = 2;
		text = "";
	} else if (strncmp(buf, "*.", 2) == 0) {
		kind = 1;
		text = buf + 2;
	}
	if (strchr(text, '*') || (kind != 2 && (!*text || text[0] == '.'))) {
		ERR(ps, t->col, "name pattern: '*' only as \"*\" or a leading \"*.\"");
		return -1;
	}
	struct policy_name_pat *slot = vec_push(v);
	if (!slot || !(slot->text = strdup(text))) {
		ERR(ps, t->col, "list too long or out of memory");
		return -1;
	}
	slot->kind = kind;
	return 0;
}

static int find_zone(const struct policy *p, const char *n)
{
	for (uint32_t i = 0; i < p->n_zones; i++)
		if (strcmp(p->zones[i].name, n) == 0)
			return (int)i;
	return -1;
}

static int find_set(const struct policy *p, const char *n)
{
	for (uint32_t i = 0; i < p->n_sets; i++)
		if (strcmp(p->sets[i].name, n) == 0)
			return (int)i;
	return -1;
}

static int find_backend(const struct policy *p, const char *n)
{
	for (uint32_t i = 0; i < p->n_backends; i++)
		if (strcmp(p->backends[i].name, n) == 0)
			return (int)i;
	return -1;
}

static int name_taken(struct parser *ps, const char *name, uint32_t col)
{
	if (find_zone(ps->p, name) >= 0 || find_set(ps->p, name) >= 0 ||
	    find_backend(ps->p, name) >= 0) {
		ERR(ps, col, "'%s' is already defined", name);
		return 1;
	}
	return 0;
}

static int grow(void **arr, uint32_t n, size_t sz)
{
	void *na = realloc(*arr, (size_t)(n + 1) * sz);
	if (!na)
		return -1;
	*arr = na;
	memset((char *)na + (size_t)n * sz, 0, sz);
	return 0;
}

/* A rate like 100/s: its number into *n (1 to 10,000,000), else an error at @v. */
static int take_rate(struct parser *ps, struct tok *v, uint32_t *n)
{
	if (v && v->len > 2 && v->len < 16 && v->s[v->len - 2] == '/' && v->s[v->len - 1] == 's') {
		struct tok num = *v;
		num.len -= 2;
		if (!parse_u32(&num, 10000000, n) && *n > 0)
			return 0;
	}
	ERR(ps, v ? v->col : end_col(ps), "expected a rate like 100/s");
	return -EINVAL;
}

static void st_zone(struct parser *ps)
{
	struct policy *p = ps->p;
	char name[POLICY_NAME_MAX];
	struct tok *nt = peek(ps);
	if (take_name(ps, "zone", name) || name_taken(ps, name, nt->col))
		return;
	if (strcmp(name, "any") == 0) {
		ERR(ps, nt->col, "'any' is reserved");
		return;
	}
	if (p->n_zones >= POLICY_MAX_ZONES) {
		ERR(ps, nt->col, "too many zones (at most %d)", POLICY_MAX_ZONES);
		return;
	}
	struct vec ports = { .sz = POLICY_NAME_MAX }, pfx = { .sz = sizeof(struct policy_prefix) };
	int seen_ports = 0, seen_pfx = 0, is_default = 0;
	uint32_t new_flows = 0, new_flows_col = 0;
	while (!ps->line_failed && peek(ps)) {
		struct tok *k = next(ps);
		if (is_word(k, "default") && !is_default) {
			for (uint32_t i = 0; i < p->n_zones; i++)
				if (p->zones[i].is_default)
					ERR(ps, k->col, "zone %s is already the default zone",
					    p->zones[i].name);
			is_default = 1;
		} else if (is_word(k, "ports") && !seen_ports) {
			seen_ports = 1;
			for (;;) {
				char *slot;
				struct tok *pt = next(ps);
				if (!pt || pt->kind == T_COMMA) {
					ERR(ps, pt ? pt->col : end_col(ps), "expected a port name");
					break;
				}
				if (pt->len >= POLICY_NAME_MAX || !(slot = vec_push(&ports))) {
					ERR(ps, pt->col, "port name too long");
					break;
				}
				tok_copy(pt, slot, POLICY_NAME_MAX);
				struct tok *c = peek(ps);
				if (!c || c->kind != T_COMMA)
					break;
				ps->i++;
			}
		} else if (is_word(k, "prefixes") && !seen_pfx) {
			seen_pfx = 1;
			parse_list(ps, "a prefix", prefix_item, &pfx);
		} else if (is_word(k, "new-flows") && !new_flows) {
			new_flows_col = k->col;
			take_rate(ps, next(ps), &new_flows);
		} else {
			ERR(ps, k->col,
			    "expected 'ports', 'prefixes', 'default' or 'new-flows', got '%.*s'",
			    (int)k->len, k->s);
		}
	}
	if (new_flows && !ports.n && !pfx.n)
		ERR(ps, new_flows_col, "new-flows needs the zone's ports or prefixes to match on");
	if (ps->line_failed || grow((void **)&p->zones, p->n_zones, sizeof(*p->zones))) {
		free(ports.v);
		free(pfx.v);
		return;
	}
	struct policy_zone *z = &p->zones[p->n_zones++];
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->ports = ports.v;
	z->n_ports = ports.n;
	z->prefixes = pfx.v;
	z->n_prefixes = pfx.n;
	z->is_default = (uint8_t)is_default;
	z->new_flows_per_s = new_flows;
}

static void st_set(struct parser *ps)
{
	struct policy *p = ps->p;
	struct tok *k = next(ps);
	uint8_t kind;
	if (k && is_word(k, "addr"))
		kind = POLICY_SET_ADDR;
	else if (k && is_word(k, "port"))
		kind = POLICY_SET_PORT;
	else if (k && is_word(k, "name"))
		kind = POLICY_SET_NAME;
	else {
		ERR(ps, k ? k->col : end_col(ps), "expected set kind: addr, port or name");
		return;
	}
	char name[POLICY_NAME_MAX];
	struct tok *nt = peek(ps);
	if (take_name(ps, "set", name) || name_taken(ps, name, nt->col))
		return;
	struct vec v = { .sz = kind == POLICY_SET_ADDR   ? sizeof(struct policy_prefix)
			       : kind == POLICY_SET_PORT ? sizeof(struct policy_port_range)
							 : sizeof(struct policy_name_pat) };
	parse_list(ps, "a set element", kind == POLICY_SET_ADDR ? prefix_item
					: kind == POLICY_SET_PORT ? port_item
								  : name_item,
		   &v);
	struct tok *extra = peek(ps);
	if (!ps->line_failed && extra)
		ERR(ps, extra->col, "unexpected '%.*s' after the set elements", (int)extra->len,
		    extra->s);
	if (ps->line_failed || grow((void **)&p->sets, p->n_sets, sizeof(*p->sets))) {
		if (kind == POLICY_SET_NAME)
			name_pats_free(v.v, v.n);
		else
			free(v.v);
		return;
	}
	struct policy_set *s = &p->sets[p->n_sets++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kind = kind;
	s->n = v.n;
	if (kind == POLICY_SET_ADDR)
		s->prefixes = v.v;
	else if (kind == POLICY_SET_PORT)
		s->ports = v.v;
	else
		s->names = v.v;
}

static void st_backend(struct parser *ps)
{
	struct policy *p = ps->p;
	char name[POLICY_NAME_MAX];
	struct tok *nt = peek(ps);
	if (take_name(ps, "backend", name) || name_taken(ps, name, nt->col))
		return;
	struct tok *a = next(ps);
	struct policy_backend b = { 0 };
	if (!a || a->kind != T_WORD) {
		ERR(ps, a ? a->col : end_col(ps), "expected ADDRESS:PORT");
		return;
	}
	/* [v6]:port or v4:port */
	char buf[80];
	tok_copy(a, buf, sizeof(buf));
	char *host = buf, *port = NULL;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');
		if (rb && rb[1] == ':') {
			*rb = 0;
			host = buf + 1;
			port = rb + 2;
		}
	} else {
		port = strrchr(buf, ':');
		if (port && strchr(buf, ':') == port)
			*port++ = 0;
		else
			port = NULL;
	}
	struct policy_prefix pf;
	struct tok pt = { .kind = T_WORD, .s = port, .len = port ? (uint32_t)strlen(port) : 0 };
	uint32_t pv;
	if (!port || parse_prefix_text(host, strlen(host), &pf) || pf.len != (pf.ipver == 4 ? 32 : 128) ||
	    parse_u32(&pt, 65535, &pv) || pv == 0) {
		ERR(ps, a->col, "expected ADDRESS:PORT (e.g. 10.0.0.80:443 or [fd00::80]:443)");
		return;
	}
	memcpy(b.addr, pf.addr, 16);
	b.ipver = pf.ipver;
	b.port = (uint16_t)pv;
	while (peek(ps) && !ps->line_failed) {
		struct tok *k = next(ps);
		if (is_word(k, "tls") && !b.tls)
			b.tls = 1;
		else if (is_word(k, "verify") && b.tls && !b.verify)
			b.verify = 1;
		else
			ERR(ps, k->col, "expected 'tls' or 'verify', got '%.*s'", (int)k->len, k->s);
	}
	if (ps->line_failed || grow((void **)&p->backends, p->n_backends, sizeof(*p->backends)))
		return;
	snprintf(b.name, sizeof(b.name), "%s", name);
	p->backends[p->n_backends++] = b;
}

static const char *const def_names[POLICY_DEF__COUNT] = { "action", "malformed", "flow-table-full",
							   "queue-overload" };
static const char *const def_values[POLICY_DEF__COUNT][4] = {
	{ "allow", "deny", "reject", NULL },
	{ "drop", "pass", NULL, NULL },
	{ "evict", "drop", "pass", NULL },
	{ "fail-open", "fail-closed", NULL, NULL },
};

static void st_default(struct parser *ps)
{
	struct tok *k = next(ps);
	int key = -1;
	for (int i = 0; k && i < POLICY_DEF__COUNT; i++)
		if (is_word(k, def_names[i]))
			key = i;
	if (key < 0) {
		ERR(ps, k ? k->col : end_col(ps),
		    "expected action, malformed, flow-table-full or queue-overload");
		return;
	}
	struct tok *v = next(ps);
	int val = -1;
	for (int i = 0; v && i < 4 && def_values[key][i]; i++)
		if (is_word(v, def_values[key][i]))
			val = i;
	if (val < 0) {
		char opts[80] = "";
		size_t used = 0;
		for (int i = 0; i < 3 && def_values[key][i] && used < sizeof(opts); i++) {
			int w = snprintf(opts + used, sizeof(opts) - used, "%s%s",
					 i ? (def_values[key][i + 1] ? ", " : " or ") : "",
					 def_values[key][i]);
			if (w < 0)
				break;
			used += (size_t)w;
		}
		ERR(ps, v ? v->col : end_col(ps), "expected %s", opts);
		return;
	}
	if (peek(ps)) {
		ERR(ps, peek(ps)->col, "unexpected '%.*s'", (int)peek(ps)->len, peek(ps)->s);
		return;
	}
	if (ps->p->defaults_set[key]) {
		ERR(ps, k->col, "default %s is set twice", def_names[key]);
		return;
	}
	ps->p->defaults[key] = (uint8_t)val;
	ps->p->defaults_set[key] = 1;
}

/* Operand that may be @set (of @kind) or a literal list. Returns set index or -1. */
static int set_ref(struct parser *ps, struct tok *t, uint8_t kind, int *set)
{
	*set = -1;
	if (t->kind != T_WORD || t->len < 2 || t->s[0] != '@')
		return 0;
	char n[POLICY_NAME_MAX];
	struct tok nt = *t;
	nt.s++;
	nt.len--;
	if (nt.len >= POLICY_NAME_MAX) {
		ERR(ps, t->col, "set name too long");
		return -1;
	}
	tok_copy(&nt, n, sizeof(n));
	int i = find_set(ps->p, n);
	if (i < 0) {
		ERR(ps, t->col + 1, "no set named '%s'", n);
		return -1;
	}
	if (ps->p->sets[i].kind != kind) {
		static const char *const kn[] = { "addresses", "ports", "names" };
		ERR(ps, t->col + 1, "set '%s' holds %s, expected a set of %s", n,
		    kn[ps->p->sets[i].kind], kn[kind]);
		return -1;
	}
	*set = i;
	return 1;
}

/*
 * An operand that is @set (of @kind) or a comma-separated list of @item:
 * 0 with *set >= 0 (a set) or *set = -1 and the list in *v and *n; -1 on an
 * error (reported; nothing left allocated).
 */
static int set_or_list(struct parser *ps, struct tok *t, uint8_t kind, const char *what,
		       item_fn item, size_t esize, void (*free_list)(void *v, uint32_t n),
		       int32_t *set, void **v, uint32_t *n)
{
	int s;
	int r = set_ref(ps, t, kind, &s);
	if (r < 0)
		return -1;
	if (r > 0) {
		ps->i++;
		*set = s;
		return 0;
	}
	struct vec l = { .sz = esize };
	if (parse_list(ps, what, item, &l)) {
		if (free_list)
			free_list(l.v, l.n);
		else
			free(l.v);
		return -1;
	}
	*set = -1;
	*v = l.v;
	*n = l.n;
	return 0;
}

static void addr_operand(struct parser *ps, struct policy_addr_match *m, const char *what)
{
	struct tok *t = peek(ps);
	if (!t) {
		ERR(ps, end_col(ps), "expected an address, prefix or @set after '%s'", what);
		return;
	}
	m->present = 1;
	if (t->kind == T_WORD && t->len > 1 && t->s[0] == '!') {
		m->negate = 1;
		t->s++;
		t->len--;
		t->col++;
	}
	void *v = NULL;
	set_or_list(ps, t, POLICY_SET_ADDR, "an address or prefix", prefix_item,
		    sizeof(struct policy_prefix), NULL, &m->set, &v, &m->n);
	m->v = v;
}

static void port_operand(struct parser *ps, struct policy_port_match *m, const char *what)
{
	struct tok *t = peek(ps);
	if (!t) {
		ERR(ps, end_col(ps), "expected a port, range or @set after '%s'", what);
		return;
	}
	m->present = 1;
	void *v = NULL;
	set_or_list(ps, t, POLICY_SET_PORT, "a port or range", port_item,
		    sizeof(struct policy_port_range), NULL, &m->set, &v, &m->n);
	m->v = v;
}

static void name_operand(struct parser *ps, struct policy_name_match *m, const char *what)
{
	struct tok *t = peek(ps);
	if (!t) {
		ERR(ps, end_col(ps), "expected a name pattern or @set after '%s'", what);
		return;
	}
	m->present = 1;
	void *v = NULL;
	set_or_list(ps, t, POLICY_SET_NAME, "a name pattern", name_item,
		    sizeof(struct policy_name_pat), name_pats_free, &m->set, &v, &m->n);
	m->v = v;
}

static int app_by_name(const char *s, size_t len)
{
	for (unsigned a = 1; a < DPI_APP__COUNT; a++) {
		const char *n = dpi_app_name(a);
		if (n && strlen(n) == len && strncasecmp(n, s, len) == 0)
			return (int)a;
	}
	return -1;
}

static int app_item(struct parser *ps, struct tok *t, void *ctx)
{
	struct vec *v = ctx;
	int a = t->kind == T_WORD ? app_by_name(t->s, t->len) : -1;
	if (a < 0) {
		ERR(ps, t->col, "unknown application '%.*s'", (int)t->len, t->s);
		return -1;
	}
	uint16_t *slot = vec_push(v);
	if (!slot) {
		ERR(ps, t->col, "out of memory");
		return -1;
	}
	*slot = (uint16_t)a;
	return 0;
}

static void rule_free_fields(struct policy_rule *r);

static int zone_operand(struct parser *ps, int16_t *out, const char *what)
{
	struct tok *t = next(ps);
	if (!t || t->kind != T_WORD) {
		ERR(ps, t ? t->col : end_col(ps), "expected a zone or 'any' after '%s'", what);
		return -1;
	}
	if (is_word(t, "any")) {
		*out = -1;
		return 0;
	}
	char n[POLICY_NAME_MAX];
	if (t->len >= POLICY_NAME_MAX) {
		ERR(ps, t->col, "zone name too long");
		return -1;
	}
	tok_copy(t, n, sizeof(n));
	int z = find_zone(ps->p, n);
	if (z < 0) {
		ERR(ps, t->col, "no zone named '%s'", n);
		return -1;
	}
	*out = (int16_t)z;
	return 0;
}

static char *string_operand(struct parser *ps, const char *what)
{
	struct tok *t = next(ps);
	if (!t || (t->kind != T_STRING && t->kind != T_WORD)) {
		ERR(ps, t ? t->col : end_col(ps), "expected a quoted string after '%s'", what);
		return NULL;
	}
	if (t->len == 0 || t->len > 255) {
		ERR(ps, t->col, "'%s' text must be 1 to 255 characters", what);
		return NULL;
	}
	/* exactly len bytes: a word is not NUL-terminated (it points into the
	 * policy text, which may end right after it) */
	char *out = malloc((size_t)t->len + 1);
	if (out) {
		memcpy(out, t->s, t->len);
		out[t->len] = 0;
	}
	return out;
}

static void st_rule(struct parser *ps)
{
	struct policy *p = ps->p;
	struct tok *it = next(ps);
	struct policy_rule r;
	memset(&r, 0, sizeof(r));
	r.from = r.to = -1;
	r.proto = -1;
	r.backend = -1;
	r.line = ps->line;
	if (!it || parse_u32(it, 0xffffffffu, &r.id) || r.id == 0) {
		ERR(ps, it ? it->col : end_col(ps), "expected a rule id (1 to 4294967295)");
		return;
	}
	r.col = it->col; /* duplicate ids are found once all rules are read */
	int have_action = 0;
	uint32_t seen = 0;
#define ONCE(bit, tk)                                                                   \
	do {                                                                            \
		if (seen & (1u << (bit))) {                                             \
			ERR(ps, (tk)->col, "'%.*s' given twice", (int)(tk)->len, (tk)->s); \
			goto fail;                                                      \
		}                                                                       \
		seen |= 1u << (bit);                                                    \
	} while (0)
	while (peek(ps) && !ps->line_failed) {
		struct tok *k = next(ps);
		if (have_action) {
			if (is_word(k, "log")) {
				ONCE(20, k);
				r.log = 1;
			} else if (is_word(k, "rate-limit")) {
				ONCE(21, k);
				uint32_t n;
				if (take_rate(ps, next(ps), &n) == 0)
					r.rate_per_s = n;
			} else {
				ERR(ps, k->col, "expected 'log' or 'rate-limit' after the action, got '%.*s'",
				    (int)k->len, k->s);
			}
			continue;
		}
		if (is_word(k, "from")) {
			ONCE(0, k);
			zone_operand(ps, &r.from, "from");
		} else if (is_word(k, "to")) {
			ONCE(1, k);
			zone_operand(ps, &r.to, "to");
		} else if (is_word(k, "src")) {
			ONCE(2, k);
			addr_operand(ps, &r.src, "src");
		} else if (is_word(k, "dst")) {
			ONCE(3, k);
			addr_operand(ps, &r.dst, "dst");
		} else if (is_word(k, "tcp") || is_word(k, "udp") || is_word(k, "icmp") ||
			   is_word(k, "icmpv6") || is_word(k, "proto")) {
			ONCE(4, k);
			if (is_word(k, "tcp"))
				r.proto = 6;
			else if (is_word(k, "udp"))
				r.proto = 17;
			else if (is_word(k, "icmp"))
				r.proto = 1;
			else if (is_word(k, "icmpv6"))
				r.proto = 58;
			else {
				struct tok *v = next(ps);
				uint32_t n;
				if (!v || parse_u32(v, 255, &n))
					ERR(ps, v ? v->col : end_col(ps), "expected a protocol number 0-255");
				else
					r.proto = (int16_t)n;
			}
		} else if (is_word(k, "sport")) {
			ONCE(5, k);
			port_operand(ps, &r.sport, "sport");
		} else if (is_word(k, "dport")) {
			ONCE(6, k);
			port_operand(ps, &r.dport, "dport");
		} else if (is_word(k, "app")) {
			ONCE(7, k);
			struct vec v = { .sz = sizeof(uint16_t) };
			if (parse_list(ps, "an application", app_item, &v)) {
				free(v.v);
			} else {
				r.apps = v.v;
				r.n_apps = v.n;
			}
		} else if (is_word(k, "sni")) {
			ONCE(8, k);
			name_operand(ps, &r.sni, "sni");
		} else if (is_word(k, "host")) {
			ONCE(9, k);
			name_operand(ps, &r.host, "host");
		} else if (is_word(k, "query")) {
			ONCE(10, k);
			name_operand(ps, &r.query, "query");
		} else if (is_word(k, "tls-version-min")) {
			ONCE(11, k);
			struct tok *v = next(ps);
			if (v && is_word(v, "1.2"))
				r.tls_version_min = 0x0303;
			else if (v && is_word(v, "1.3"))
				r.tls_version_min = 0x0304;
			else
				ERR(ps, v ? v->col : end_col(ps), "expected 1.2 or 1.3");
		} else if (is_word(k, "no-sni")) {
			ONCE(12, k);
			r.no_sni = 1;
		} else if (is_word(k, "ech")) {
			ONCE(13, k);
			r.ech = 1;
		} else if (is_word(k, "client-subject")) {
			ONCE(14, k);
			r.client_subject = string_operand(ps, "client-subject");
		} else if (is_word(k, "client-ou")) {
			ONCE(15, k);
			r.client_ou = string_operand(ps, "client-ou");
		} else if (is_word(k, "allow") || is_word(k, "deny") || is_word(k, "reject")) {
			r.action = is_word(k, "allow") ? POLICY_ALLOW
				   : is_word(k, "deny") ? POLICY_DENY
							 : POLICY_REJECT;
			have_action = 1;
		} else if (is_word(k, "terminate-tls")) {
			struct tok *b = next(ps);
			char n[POLICY_NAME_MAX];
			if (!b || b->kind != T_WORD || b->len >= POLICY_NAME_MAX) {
				ERR(ps, b ? b->col : end_col(ps), "expected a backend name");
			} else {
				tok_copy(b, n, sizeof(n));
				r.backend = find_backend(p, n);
				if (r.backend < 0)
					ERR(ps, b->col, "no backend named '%s'", n);
			}
			r.action = POLICY_TERMINATE_TLS;
			have_action = 1;
		} else {
			ERR(ps, k->col,
			    "expected a match (from, to, src, dst, tcp, udp, icmp, icmpv6, proto, "
			    "sport, dport, app, sni, host, query, tls-version-min, no-sni, ech, "
			    "client-subject, client-ou) or an action (allow, deny, reject, "
			    "terminate-tls), got '%.*s'",
			    (int)k->len, k->s);
		}
	}
#undef ONCE
	if (!ps->line_failed && !have_action)
		ERR(ps, end_col(ps), "expected an action: allow, deny, reject or terminate-tls");
	if (!ps->line_failed && (r.sport.present || r.dport.present) && r.proto >= 0 && r.proto != 6 &&
	    r.proto != 17 && r.proto != 132)
		ERR(ps, it->col, "ports given for a protocol without ports");
	if (!ps->line_failed && r.no_sni && r.sni.present)
		ERR(ps, it->col, "'no-sni' and 'sni' cannot both be given");
	if (ps->line_failed)
		goto fail;
	if (p->n_rules == ps->rules_cap) {
		uint32_t c = ps->rules_cap ? ps->rules_cap * 2 : 64;
		void *nr = realloc(p->rules, (size_t)c * sizeof(*p->rules));
		if (!nr) {
			ERR(ps, it->col, "out of memory");
			goto fail;
		}
		p->rules = nr;
		ps->rules_cap = c;
	}
	p->rules[p->n_rules++] = r;
	return;
fail:
	rule_free_fields(&r);
}


static void rule_free_fields(struct policy_rule *r)
{
	free(r->src.v);
	free(r->dst.v);
	free(r->sport.v);
	free(r->dport.v);
	free(r->apps);
	name_pats_free(r->sni.v, r->sni.n);
	name_pats_free(r->host.v, r->host.n);
	name_pats_free(r->query.v, r->query.n);
	free(r->client_subject);
	free(r->client_ou);
}


void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->n_zones; i++) {
		free(p->zones[i].ports);
		free(p->zones[i].prefixes);
	}
	for (uint32_t i = 0; i < p->n_sets; i++) {
		free(p->sets[i].prefixes);
		free(p->sets[i].ports);
		name_pats_free(p->sets[i].names, p->sets[i].n);
		policy_name_index_free(p->sets[i].name_index);
	}
	for (uint32_t i = 0; i < p->n_rules; i++)
		rule_free_fields(&p->rules[i]);
	policy_compiled_free(p->compiled);
	free(p->zones);
	free(p->sets);
	free(p->backends);
	free(p->rules);
	free(p);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct policy_rule *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

int policy_parse(const char *file, const char *text, size_t len, struct policy **out, char *err,
		 size_t errlen, unsigned max_errors)
{
	struct perr e = { .buf = err, .len = errlen, .max = max_errors ? max_errors : 1,
			  .file = file ? file : "<policy>" };
	if (errlen)
		err[0] = 0;
	*out = NULL;
	struct policy *p = calloc(1, sizeof(*p));
	struct parser *ps = calloc(1, sizeof(*ps));
	if (!p || !ps) {
		free(p);
		free(ps);
		return -ENOMEM;
	}
	p->defaults[POLICY_DEF_ACTION] = 1; /* deny */
	ps->p = p;
	ps->e = &e;
	for (int pass = 0; pass < 2; pass++) {
		size_t off = 0;
		ps->line = 0;
		while (off < len) {
			const char *nl = memchr(text + off, '\n', len - off);
			size_t l = nl ? (size_t)(nl - (text + off)) : len - off;
			const char *line = text + off;
			off += l + (nl ? 1 : 0);
			ps->line++;
			ps->line_failed = 0;
			if (memchr(line, 0, l)) {
				if (pass == 0)
					ERR(ps, 1, "NUL byte in policy text");
				continue;
			}
			if (l >= MAX_LINE) {
				if (pass == 0)
					ERR(ps, 1, "line longer than %d bytes", MAX_LINE);
				continue;
			}
			ps->quiet = pass == 1; /* tokenizer errors are reported once */
			int trc = tokenize(ps, line, l);
			ps->quiet = 0;
			if (trc)
				continue;
			if (ps->n == 0)
				continue;
			struct tok *k = next(ps);
			int def = is_word(k, "zone") || is_word(k, "set") || is_word(k, "backend");
			if (pass == 0 && def) {
				if (is_word(k, "zone"))
					st_zone(ps);
				else if (is_word(k, "set"))
					st_set(ps);
				else
					st_backend(ps);
			} else if (pass == 1 && !def) {
				if (is_word(k, "rule"))
					st_rule(ps);
				else if (is_word(k, "default"))
					st_default(ps);
				else
					ERR(ps, k->col,
					    "expected a statement: zone, set, backend, default or rule, "
					    "got '%.*s'",
					    (int)k->len, k->s);
			}
		}
	}
	/* rule ids are unique: sort by id (stable on line), report repeats */
	if (p->n_rules > 1)
		qsort(p->rules, p->n_rules, sizeof(*p->rules), cmp_rule);
	for (uint32_t i = 1; i < p->n_rules; i++)
		if (p->rules[i].id == p->rules[i - 1].id) {
			ps->line = p->rules[i].line;
			ERR(ps, p->rules[i].col, "rule %u is already defined on line %u", p->rules[i].id,
			    p->rules[i - 1].line);
		}
	if (p->n_zones) {
		int defaults = 0;
		for (uint32_t i = 0; i < p->n_zones; i++)
			defaults += p->zones[i].is_default;
		if (!defaults) {
			ps->line = 1;
			ERR(ps, 1, "no zone is marked 'default' (where addresses no prefix claims "
				   "belong)");
		}
	}
	free(ps);
	if (e.count) {
		if (e.count > e.max && e.used + 40 < e.len)
			e.used += (size_t)snprintf(e.buf + e.used, e.len - e.used,
						   "%s: %u more errors not shown\n", e.file,
						   e.count - e.max);
		policy_free(p);
		return -EINVAL;
	}
	*out = p;
	return 0;
}

int policy_zone_index(const struct policy *p, const char *name) { return find_zone(p, name); }

const char *policy_action_name(uint8_t a)
{
	static const char *const n[] = { "allow", "deny", "reject", "terminate-tls" };
	return a < 4 ? n[a] : "?";
}
