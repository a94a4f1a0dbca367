// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segw-snmp: the AgentX subagent of net-snmp's snmpd.
 *
 * It serves IF-MIB ifNumber/ifTable/ifXTable for the board's ports and the
 * private SEGW-MIB (mib/SEGW-MIB.txt) from the counters segments that segwd
 * (and the TLS terminator, when present) publish (stats/export.h). It never
 * talks to segwd: it copies a segment at most once a second and answers from
 * the copy, so it cannot block the packet path. GET and GETNEXT look rows up
 * by binary search (O(log n) per varbind, whatever the table size).
 * Notifications come from the segments' event rings (and flow-table use),
 * sent to the master as AgentX notifications; snmpd forwards them to its trap
 * sinks. When snmpd goes away the subagent keeps pinging and reconnects.
 *
 *   segw-snmp [--stats-dir DIR] [--agentx SOCKET] [--tls-process NAME]
 *             [--ping SECONDS] [--debug]
 *
 * Thread:     one: net-snmp's event loop (requests, the 1 s refresh alarm).
 * Allocation: a private copy of each segment, grown when a segment grows;
 *             nothing per request.
 * Errors:     exit 2 on a usage error, 1 when the agent library cannot
 *             start; a missing or invalid segment only makes its objects
 *             absent (noSuchInstance, skipped by GETNEXT) until it is back.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/caps.h"
#include "snmp/mibdefs.h"
#include "stats/export.h"
#include "version.h"

/* ---- segments ------------------------------------------------------------- */

struct seg {
	struct sx_reader *r;
	struct sx_view v;
	int ok;
	uint64_t epoch_ns;
	uint64_t ev_seen;
	uint32_t disc_ticks; /* uptime (1/100 s) when the counters last restarted */
	int seen_once;
};

static struct seg seg_main, seg_tls;
static uint64_t start_wall_ns;
static int near_full_armed = 1;
static volatile sig_atomic_t stop_flag;
static uint64_t last_refresh_ms;

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void send_event(const struct sx_event *e);

static void seg_refresh(struct seg *s, int send_traps)
{
	struct sx_view v;
	int rc = sx_reader_refresh(s->r, &v);
	if (rc == -EAGAIN)
		return; /* keep the previous copy */
	if (rc) {
		s->ok = 0;
		return;
	}
	if (!s->seen_once || v.h->epoch_ns != s->epoch_ns) {
		/* first sight: no discontinuity since we started (0), unless the
		 * writer restarted while we ran */
		s->disc_ticks = s->seen_once ? (uint32_t)netsnmp_get_agent_uptime() : 0;
		s->epoch_ns = v.h->epoch_ns;
		s->ev_seen = 0;
		if (!s->seen_once) { /* events from before we started are old news */
			struct sx_event evs[SX_EVENTS];
			unsigned n = sx_events_since(&v, 0, evs, SX_EVENTS);
			for (unsigned i = 0; i < n; i++)
				if (evs[i].time_ns + 60ull * 1000000000ull < start_wall_ns)
					s->ev_seen = evs[i].seq;
		}
		s->seen_once = 1;
	}
	s->v = v;
	s->ok = 1;
	if (send_traps) {
		struct sx_event evs[SX_EVENTS];
		unsigned n = sx_events_since(&v, s->ev_seen, evs, SX_EVENTS);
		for (unsigned i = 0; i < n; i++) {
			send_event(&evs[i]);
			s->ev_seen = evs[i].seq;
		}
	}
}

static void refresh_all(void)
{
	seg_refresh(&seg_main, 1);
	seg_refresh(&seg_tls, 0);
	last_refresh_ms = mono_ms();
}

static void maybe_refresh(void)
{
	if (mono_ms() - last_refresh_ms >= 1000)
		refresh_all();
}

/* ---- value sources -------------------------------------------------------- */

static int scalar(const char *name, uint64_t *out)
{
	if (!seg_main.ok)
		return -ENOENT;
	return sx_scalar(&seg_main.v, name, out);
}

static uint32_t clamp32(uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v; }

/* A value ready for snmp_set_var_typed_value. */
struct val {
	u_char type;
	union {
		long l;
		u_long ul;
		struct counter64 c64;
		char s[256];
	} u;
	size_t len;
};

static void v_int(struct val *v, u_char type, long x)
{
	v->type = type;
	v->u.l = x;
	v->len = sizeof(long);
}
static void v_uns(struct val *v, u_char type, uint64_t x)
{
	v->type = type;
	v->u.ul = (u_long)x;
	v->len = sizeof(u_long);
}
static void v_c64(struct val *v, uint64_t x)
{
	v->type = ASN_COUNTER64;
	v->u.c64.high = (u_long)(x >> 32);
	v->u.c64.low = (u_long)(x & 0xffffffffu);
	v->len = sizeof(struct counter64);
}
static void v_str(struct val *v, const char *s)
{
	v->type = ASN_OCTET_STR;
	v->len = strnlen(s, sizeof(v->u.s) - 1);
	memcpy(v->u.s, s, v->len);
	v->u.s[v->len] = 0;
}

/* ---- scalars -------------------------------------------------------------- */

enum sc_kind {
	SC_VERSION, SC_DISC, SC_FLOWS_ACTIVE, SC_FLOW_CAP, SC_FLOW_PCT, SC_POL_GEN, SC_POL_RULES,
	SC_POL_RESULT, SC_POL_TEXT, SC_POL_TIME, SC_IFNUMBER,
};

struct scalar_def {
	oid name[MAX_OID_LEN];
	size_t len;
	enum sc_kind kind;
};

static int scalar_value(enum sc_kind k, struct val *v)
{
	uint64_t x = 0, cap = 0;
	if (!seg_main.ok)
		return -ENOENT;
	switch (k) {
	case SC_VERSION: v_str(v, seg_main.v.h->version_str); return 0;
	case SC_DISC: v_uns(v, ASN_TIMETICKS, seg_main.disc_ticks); return 0;
	case SC_FLOWS_ACTIVE: scalar("flows.active", &x); v_uns(v, ASN_GAUGE, clamp32(x)); return 0;
	case SC_FLOW_CAP: scalar("flows.capacity", &x); v_uns(v, ASN_GAUGE, clamp32(x)); return 0;
	case SC_FLOW_PCT:
		scalar("flows.active", &x);
		scalar("flows.capacity", &cap);
		v_uns(v, ASN_GAUGE, cap ? (x * 100u) / cap : 0);
		return 0;
	case SC_POL_GEN: scalar("policy.generation", &x); v_uns(v, ASN_UNSIGNED, clamp32(x)); return 0;
	case SC_POL_RULES: scalar("policy.rules", &x); v_uns(v, ASN_GAUGE, clamp32(x)); return 0;
	case SC_POL_RESULT:
		if (scalar("policy.last_push_result", &x) || x < 1 || x > 5)
			x = SX_PUSH_NONE;
		v_int(v, ASN_INTEGER, (long)x);
		return 0;
	case SC_POL_TEXT: v_str(v, seg_main.v.h->note); return 0;
	case SC_POL_TIME: scalar("policy.last_push_time_s", &x); v_uns(v, ASN_UNSIGNED, clamp32(x)); return 0;
	case SC_IFNUMBER: {
		int t = sx_table(&seg_main.v, "ports");
		v_int(v, ASN_INTEGER, t < 0 ? 0 : (long)sx_rows(&seg_main.v, (unsigned)t));
		return 0;
	}
	}
	return -ENOENT;
}

/* ---- tables --------------------------------------------------------------- */

enum col_kind {
	C_KEY_INT,   /* the index itself, INTEGER (ifIndex) */
	C_NAME,      /* the row's name */
	C_EMPTY,     /* zero-length string */
	C_C64,       /* column src as Counter64 */
	C_C32,       /* column src, low 32 bits, Counter32 */
	C_G32,       /* column src as Gauge32 (clamped) */
	C_INT,       /* column src as INTEGER */
	C_CONST,     /* INTEGER constant k */
	C_HIGHSPEED, /* column src (Mb/s) as Gauge32 */
	C_SPEED,     /* column src (Mb/s) as ifSpeed Gauge32 (b/s, clamped) */
	C_DISC,      /* ifCounterDiscontinuityTime: TimeStamp */
	C_TICKS0,    /* TimeTicks 0 */
	C_ZP_FROM,   /* zone pair name: the part before '>' */
	C_ZP_TO,
};

struct col_def {
	uint32_t sub;
	enum col_kind kind;
	int src;
	long k;
};

struct table_def {
	oid entry[MAX_OID_LEN]; /* OID of the conceptual row (table.1) */
	size_t entry_len;
	struct seg *seg;
	const char *table;
	const char *table_alt; /* looked up when `table` is absent, or NULL */
	const struct col_def *cols;
	int n_index; /* 1: key; 2: key >> 8, key & 0xff */
	unsigned n_cols;
};

static const struct col_def if_cols[] = {
	{ 1, C_KEY_INT, 0, 0 },  { 2, C_NAME, 0, 0 },     { 3, C_CONST, 0, 6 },
	{ 5, C_SPEED, 6, 0 },    { 6, C_EMPTY, 0, 0 },    { 7, C_INT, 4, 0 },
	{ 8, C_INT, 5, 0 },      { 9, C_TICKS0, 0, 0 },   { 10, C_C32, 0, 0 },
	{ 11, C_C32, 1, 0 },     { 16, C_C32, 2, 0 },     { 17, C_C32, 3, 0 },
};
static const struct col_def ifx_cols[] = {
	{ 1, C_NAME, 0, 0 },     { 6, C_C64, 0, 0 },     { 7, C_C64, 1, 0 },
	{ 10, C_C64, 2, 0 },     { 11, C_C64, 3, 0 },    { 15, C_HIGHSPEED, 6, 0 },
	{ 18, C_EMPTY, 0, 0 },   { 19, C_DISC, 0, 0 },
};
static const struct col_def ctr_cols[] = { { 2, C_NAME, 0, 0 }, { 3, C_C64, 0, 0 } };
static const struct col_def zp_cols[] = {
	{ 3, C_ZP_FROM, 0, 0 }, { 4, C_ZP_TO, 0, 0 }, { 5, C_C64, 0, 0 },
	{ 6, C_C64, 1, 0 },     { 7, C_C64, 2, 0 },   { 8, C_C64, 3, 0 },
};
static const struct col_def rule_cols[] = {
	{ 2, C_C64, 0, 0 }, { 3, C_C64, 1, 0 }, { 4, C_C64, 2, 0 }, { 5, C_C64, 3, 0 },
};
static const struct col_def app_cols[] = {
	{ 2, C_NAME, 0, 0 }, { 3, C_C64, 0, 0 }, { 4, C_C64, 1, 0 }, { 5, C_C64, 2, 0 },
};

static int col_value(const struct table_def *td, const struct col_def *cd, const struct sx_row *r,
		     unsigned n_cols, struct val *v)
{
	const uint64_t *c = sx_row_cols(r);
	uint64_t x = (cd->src >= 0 && (unsigned)cd->src < n_cols) ? c[cd->src] : 0;
	switch (cd->kind) {
	case C_KEY_INT: v_int(v, ASN_INTEGER, (long)r->key); return 0;
	case C_NAME: v_str(v, r->name); return 0;
	case C_EMPTY: v_str(v, ""); return 0;
	case C_C64: v_c64(v, x); return 0;
	case C_C32: v_uns(v, ASN_COUNTER, x & 0xffffffffu); return 0;
	case C_G32: v_uns(v, ASN_GAUGE, clamp32(x)); return 0;
	case C_INT: v_int(v, ASN_INTEGER, (long)x); return 0;
	case C_CONST: v_int(v, ASN_INTEGER, cd->k); return 0;
	case C_HIGHSPEED: v_uns(v, ASN_GAUGE, clamp32(x)); return 0;
	case C_SPEED: v_uns(v, ASN_GAUGE, x >= 4294 ? 0xffffffffu : x * 1000000u); return 0;
	case C_DISC: v_uns(v, ASN_TIMETICKS, td->seg->disc_ticks); return 0;
	case C_TICKS0: v_uns(v, ASN_TIMETICKS, 0); return 0;
	case C_ZP_FROM:
	case C_ZP_TO: {
		char buf[SX_ROW_NAME_LEN];
		snprintf(buf, sizeof(buf), "%s", r->name);
		char *gt = strchr(buf, '>');
		const char *to = "";
		if (gt) {
			*gt = 0;
			to = gt + 1;
		}
		v_str(v, cd->kind == C_ZP_FROM ? buf : to);
		return 0;
	}
	}
	return -EINVAL;
}

static struct table_def tables[16];
static unsigned n_tables;
static struct scalar_def scalars[32];
static unsigned n_scalars;

/* The smallest key whose instance OID (index part) is > @suffix, or
 * UINT64_MAX + "none" (returns 0 when no key can follow). */
static int min_key_after(const struct table_def *td, const oid *suf, size_t n, uint64_t *key)
{
	if (n == 0) {
		*key = 0;
		return 1;
	}
	if (td->n_index == 1) {
		if (suf[0] >= 0xffffffffu)
			return 0;
		*key = (uint64_t)suf[0] + 1; /* [x] and [x, ...] are both passed by x + 1 */
		return 1;
	}
	if (suf[0] > 255)
		return 0;
	uint64_t a = suf[0];
	if (n == 1) {
		*key = a << 8;
		return 1;
	}
	if (suf[1] >= 255) {
		*key = (a + 1) << 8;
		return a + 1 <= 255;
	}
	*key = (a << 8) | (suf[1] + 1);
	return 1;
}

static size_t instance_oid(const struct table_def *td, uint32_t sub, uint64_t key, oid *out)
{
	size_t n = td->entry_len;
	memcpy(out, td->entry, n * sizeof(oid));
	out[n++] = sub;
	if (td->n_index == 1) {
		out[n++] = (oid)key;
	} else {
		out[n++] = (oid)(key >> 8);
		out[n++] = (oid)(key & 0xff);
	}
	return n;
}

static int table_view(const struct table_def *td, int *t)
{
	if (!td->seg->ok)
		return 0;
	*t = sx_table(&td->seg->v, td->table);
	if (*t < 0 && td->table_alt)
		*t = sx_table(&td->seg->v, td->table_alt);
	return *t >= 0;
}

/* Exact GET in table @td: 0 and @v, or -ENOENT. */
static int table_get(const struct table_def *td, const oid *name, size_t len, struct val *v)
{
	int t;
	size_t e = td->entry_len;
	if (len != e + 1 + (size_t)td->n_index || !table_view(td, &t))
		return -ENOENT;
	const struct col_def *cd = NULL;
	for (unsigned i = 0; i < td->n_cols; i++)
		if (td->cols[i].sub == name[e])
			cd = &td->cols[i];
	if (!cd)
		return -ENOENT;
	uint64_t key;
	if (td->n_index == 1) {
		if (name[e + 1] > 0xffffffffu)
			return -ENOENT;
		key = name[e + 1];
	} else {
		if (name[e + 1] > 255 || name[e + 2] > 255)
			return -ENOENT;
		key = ((uint64_t)name[e + 1] << 8) | name[e + 2];
	}
	const struct sx_view *sv = &td->seg->v;
	uint32_t i = sx_find_ge(sv, (unsigned)t, key);
	if (i >= sx_rows(sv, (unsigned)t) || sx_row_at(sv, (unsigned)t, i)->key != key)
		return -ENOENT;
	return col_value(td, cd, sx_row_at(sv, (unsigned)t, i), sv->h->table[t].n_cols, v);
}

/* GETNEXT in table @td: the first instance after @name; 0 with @out/@v. */
static int table_next(const struct table_def *td, const oid *name, size_t len, oid *out,
		      size_t *out_len, struct val *v)
{
	int t;
	if (!table_view(td, &t))
		return -ENOENT;
	const struct sx_view *sv = &td->seg->v;
	uint32_t rows = sx_rows(sv, (unsigned)t);
	if (!rows)
		return -ENOENT;
	size_t e = td->entry_len;
	int cmp = snmp_oid_compare(name, len < e ? len : e, td->entry, e);
	uint32_t first_sub = 0;
	uint64_t key = 0;
	int have_key = 0;
	if (cmp < 0 || len <= e) {
		if (cmp > 0)
			return -ENOENT;
	} else if (cmp > 0) {
		return -ENOENT;
	} else {
		first_sub = (uint32_t)(name[e] > 0xffffffffu ? 0xffffffffu : name[e]);
		have_key = 1;
	}
	for (unsigned c = 0; c < td->n_cols; c++) {
		const struct col_def *cd = &td->cols[c];
		uint32_t i;
		if (have_key && cd->sub < first_sub)
			continue;
		if (have_key && cd->sub == first_sub && name[e] == cd->sub) {
			uint64_t k;
			if (!min_key_after(td, name + e + 1, len - e - 1, &k))
				continue;
			key = k;
			i = sx_find_ge(sv, (unsigned)t, key);
			if (i >= rows)
				continue;
		} else {
			i = 0;
		}
		const struct sx_row *r = sx_row_at(sv, (unsigned)t, i);
		if (r->key > (td->n_index == 1 ? 0xffffffffu : 0xffffu))
			continue; /* not an index this table can carry (keys sorted: none left) */
		*out_len = instance_oid(td, cd->sub, r->key, out);
		return col_value(td, cd, r, sv->h->table[t].n_cols, v);
	}
	return -ENOENT;
}

/* ---- the handler ------------------------------------------------------------ */

static int answer_get(const oid *name, size_t len, struct val *v)
{
	for (unsigned i = 0; i < n_scalars; i++)
		if (snmp_oid_compare(name, len, scalars[i].name, scalars[i].len) == 0)
			return scalar_value(scalars[i].kind, v);
	for (unsigned i = 0; i < n_tables; i++)
		if (len > tables[i].entry_len &&
		    snmp_oid_compare(name, tables[i].entry_len, tables[i].entry,
				     tables[i].entry_len) == 0)
			return table_get(&tables[i], name, len, v);
	return -ENOENT;
}

/* The next instance after @name within [lo, hi) of a registration. */
static int answer_next(const oid *name, size_t len, const oid *lo, size_t lo_len, oid *out,
		       size_t *out_len, struct val *v)
{
	/* candidates: the best (smallest) next from every scalar and table that
	 * lies under this registration */
	int found = 0;
	oid best[MAX_OID_LEN];
	size_t best_len = 0;
	struct val bv;
	for (unsigned i = 0; i < n_scalars; i++) {
		const struct scalar_def *s = &scalars[i];
		if (netsnmp_oid_is_subtree(lo, lo_len, s->name, s->len) != 0)
			continue;
		if (snmp_oid_compare(s->name, s->len, name, len) <= 0)
			continue;
		if (found && snmp_oid_compare(s->name, s->len, best, best_len) >= 0)
			continue;
		struct val tv;
		if (scalar_value(s->kind, &tv))
			continue;
		memcpy(best, s->name, s->len * sizeof(oid));
		best_len = s->len;
		bv = tv;
		found = 1;
	}
	for (unsigned i = 0; i < n_tables; i++) {
		const struct table_def *td = &tables[i];
		if (netsnmp_oid_is_subtree(lo, lo_len, td->entry, td->entry_len) != 0)
			continue;
		oid o[MAX_OID_LEN];
		size_t ol;
		struct val tv;
		if (table_next(td, name, len, o, &ol, &tv))
			continue;
		if (found && snmp_oid_compare(o, ol, best, best_len) >= 0)
			continue;
		memcpy(best, o, ol * sizeof(oid));
		best_len = ol;
		bv = tv;
		found = 1;
	}
	if (!found)
		return -ENOENT;
	memcpy(out, best, best_len * sizeof(oid));
	*out_len = best_len;
	*v = bv;
	return 0;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)h;
	maybe_refresh();
	for (netsnmp_request_info *rq = requests; rq; rq = rq->next) {
		netsnmp_variable_list *vb = rq->requestvb;
		struct val v;
		switch (reqinfo->mode) {
		case MODE_GET:
			if (answer_get(vb->name, vb->name_length, &v) == 0)
				snmp_set_var_typed_value(vb, v.type, &v.u, v.len);
			else
				netsnmp_set_request_error(reqinfo, rq, SNMP_NOSUCHINSTANCE);
			break;
		case MODE_GETNEXT: {
			oid o[MAX_OID_LEN];
			size_t ol;
			if (answer_next(vb->name, vb->name_length, reg->rootoid, reg->rootoid_len, o,
					&ol, &v) == 0) {
				snmp_set_var_objid(vb, o, ol);
				snmp_set_var_typed_value(vb, v.type, &v.u, v.len);
			}
			break; /* nothing here: the master moves on */
		}
		default:
			netsnmp_set_request_error(reqinfo, rq, SNMP_ERR_NOTWRITABLE);
			break;
		}
	}
	return SNMP_ERR_NOERROR;
}

static int register_subtree(const char *label, const oid *root, size_t len)
{
	netsnmp_handler_registration *reg =
		netsnmp_create_handler_registration(label, handler, root, len, HANDLER_CAN_RONLY);
	if (!reg)
		return -ENOMEM;
	/* ahead of snmpd's own modules (default priority 127): the board's
	 * ports win even if snmpd was started without -I -ifTable,... */
	reg->priority = 100;
	return netsnmp_register_handler(reg) == MIB_REGISTERED_OK ? 0 : -EEXIST;
}

/* ---- notifications ------------------------------------------------------------ */

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

static void trap_add_event_objects(netsnmp_variable_list **vars, uint32_t arg, const char *text)
{
	oid o[MAX_OID_LEN];
	memcpy(o, segw_notify_objects_oid, sizeof(segw_notify_objects_oid));
	size_t n = OID_LENGTH(segw_notify_objects_oid);
	o[n] = SEGW_EVENT_ARG;
	o[n + 1] = 0;
	u_long a = arg;
	snmp_varlist_add_variable(vars, o, n + 2, ASN_UNSIGNED, &a, sizeof(a));
	o[n] = SEGW_EVENT_TEXT;
	snmp_varlist_add_variable(vars, o, n + 2, ASN_OCTET_STR, text, strlen(text));
}

static void send_trap(const oid *trap, size_t trap_len, netsnmp_variable_list *extra)
{
	netsnmp_variable_list *vars = NULL;
	snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID,
				  trap, trap_len * sizeof(oid));
	if (extra) {
		netsnmp_variable_list *t = vars;
		t->next_variable = extra;
	}
	send_v2trap(vars);
	snmp_free_varbind(vars);
}

static void send_link_trap(int up, uint32_t port_index)
{
	static const oid link_down[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 3 };
	static const oid link_up[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 4 };
	netsnmp_variable_list *vars = NULL;
	long ifindex = (long)port_index + 1, admin = 1, oper = up ? 1 : 2;
	oid o[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 1, (oid)ifindex };
	snmp_varlist_add_variable(&vars, o, OID_LENGTH(o), ASN_INTEGER, &ifindex, sizeof(long));
	o[9] = 7;
	snmp_varlist_add_variable(&vars, o, OID_LENGTH(o), ASN_INTEGER, &admin, sizeof(long));
	o[9] = 8;
	snmp_varlist_add_variable(&vars, o, OID_LENGTH(o), ASN_INTEGER, &oper, sizeof(long));
	send_trap(up ? link_up : link_down, up ? OID_LENGTH(link_up) : OID_LENGTH(link_down), vars);
}

static void send_segw_trap(uint32_t which, uint32_t arg, const char *text)
{
	oid t[MAX_OID_LEN];
	memcpy(t, segw_notifications_oid, sizeof(segw_notifications_oid));
	size_t n = OID_LENGTH(segw_notifications_oid);
	t[n] = which;
	netsnmp_variable_list *vars = NULL;
	trap_add_event_objects(&vars, arg, text);
	send_trap(t, n + 1, vars);
}

static void send_event(const struct sx_event *e)
{
	switch (e->type) {
	case SX_EV_POLICY_REJECTED: send_segw_trap(SEGW_TRAP_PUSH_REJECTED, e->arg, e->text); break;
	case SX_EV_POLICY_REVERTED: send_segw_trap(SEGW_TRAP_REVERTED, e->arg, e->text); break;
	case SX_EV_CONFIRM_EXPIRED: send_segw_trap(SEGW_TRAP_CONFIRM_EXPIRED, e->arg, e->text); break;
	case SX_EV_FLOW_TABLE_NEAR_FULL: send_segw_trap(SEGW_TRAP_FLOW_NEAR_FULL, e->arg, e->text); break;
	case SX_EV_WATCHDOG_REBOOT: send_segw_trap(SEGW_TRAP_WATCHDOG_REBOOT, e->arg, e->text); break;
	case SX_EV_LINK_DOWN: send_link_trap(0, e->arg); break;
	case SX_EV_LINK_UP: send_link_trap(1, e->arg); break;
	default: break; /* applied: no notification */
	}
}

/* Flow table near full: once when use reaches 90 %, again after it fell below 80 %. */
static void check_flow_table(void)
{
	uint64_t act = 0, cap = 0;
	if (scalar("flows.active", &act) || scalar("flows.capacity", &cap) || !cap)
		return;
	uint64_t pct = act * 100u / cap;
	if (near_full_armed && pct >= 90) {
		char text[64];
		snprintf(text, sizeof(text), "flow table %llu%% in use",
			 (unsigned long long)pct);
		send_segw_trap(SEGW_TRAP_FLOW_NEAR_FULL, (uint32_t)pct, text);
		near_full_armed = 0;
	} else if (!near_full_armed && pct < 80) {
		near_full_armed = 1;
	}
}

static void on_alarm(unsigned int reg, void *arg)
{
	(void)reg;
	(void)arg;
	refresh_all();
	check_flow_table();
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* ---- registration tables ---------------------------------------------------- */

static void add_table(const oid *entry, size_t entry_len, struct seg *s, const char *table,
		      int n_index, const struct col_def *cols, unsigned n_cols)
{
	struct table_def *td = &tables[n_tables++];
	memcpy(td->entry, entry, entry_len * sizeof(oid));
	td->entry_len = entry_len;
	td->seg = s;
	td->table = table;
	td->n_index = n_index;
	td->cols = cols;
	td->n_cols = n_cols;
}

static void add_scalar(const oid *base, size_t base_len, oid sub, enum sc_kind k)
{
	struct scalar_def *sd = &scalars[n_scalars++];
	memcpy(sd->name, base, base_len * sizeof(oid));
	sd->name[base_len] = sub;
	sd->name[base_len + 1] = 0;
	sd->len = base_len + 2;
	sd->kind = k;
}

static void build_tables(void)
{
	static const oid if_number[] = { 1, 3, 6, 1, 2, 1, 2 };
	static const oid if_entry[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1 };
	static const oid ifx_entry[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1 };
	add_scalar(if_number, OID_LENGTH(if_number), 1, SC_IFNUMBER);
	add_table(if_entry, OID_LENGTH(if_entry), &seg_main, "ports", 1, if_cols,
		  sizeof(if_cols) / sizeof(if_cols[0]));
	add_table(ifx_entry, OID_LENGTH(ifx_entry), &seg_main, "ports", 1, ifx_cols,
		  sizeof(ifx_cols) / sizeof(ifx_cols[0]));

	oid o[MAX_OID_LEN];
	size_t n = OID_LENGTH(segw_objects_oid);
	memcpy(o, segw_objects_oid, sizeof(segw_objects_oid));
	o[n] = SEGW_SYSTEM;
	add_scalar(o, n + 1, 1, SC_VERSION);
	add_scalar(o, n + 1, 2, SC_DISC);
	add_scalar(o, n + 1, 3, SC_FLOWS_ACTIVE);
	add_scalar(o, n + 1, 4, SC_FLOW_CAP);
	add_scalar(o, n + 1, 5, SC_FLOW_PCT);
	o[n] = SEGW_POLICY;
	add_scalar(o, n + 1, 1, SC_POL_GEN);
	add_scalar(o, n + 1, 2, SC_POL_RULES);
	add_scalar(o, n + 1, 3, SC_POL_RESULT);
	add_scalar(o, n + 1, 4, SC_POL_TEXT);
	add_scalar(o, n + 1, 5, SC_POL_TIME);
	o[n + 1] = 1; /* tableEntry */
	o[n] = SEGW_COUNTER_TABLE;
	add_table(o, n + 2, &seg_main, "counters", 1, ctr_cols, 2);
	o[n] = SEGW_DROP_TABLE;
	add_table(o, n + 2, &seg_main, "drops", 1, ctr_cols, 2);
	o[n] = SEGW_ZONE_PAIR_TABLE;
	add_table(o, n + 2, &seg_main, "zone_pairs", 2, zp_cols, 6);
	o[n] = SEGW_RULE_TABLE;
	add_table(o, n + 2, &seg_main, "rules", 1, rule_cols, 4);
	o[n] = SEGW_APP_TABLE;
	add_table(o, n + 2, &seg_main, "apps", 1, app_cols, 4);
	o[n] = SEGW_TLS_TABLE;
	add_table(o, n + 2, &seg_tls, "tls", 1, ctr_cols, 2);
	tables[n_tables - 1].table_alt = "counters";
}

static void usage(FILE *o)
{
	fprintf(o, "usage: segw-snmp [--stats-dir DIR] [--agentx SOCKET] [--tls-process NAME]\n"
		   "                 [--ping SECONDS] [--debug]\n"
		   "  --stats-dir DIR      where segwd publishes its counters (default %s)\n"
		   "  --agentx SOCKET      snmpd's AgentX socket (default: net-snmp's)\n"
		   "  --tls-process NAME   the TLS terminator's segment (default segw-tlsd)\n"
		   "  --ping SECONDS       AgentX ping/reconnect interval (default 5)\n",
		SX_DEFAULT_DIR);
}

int main(int argc, char **argv)
{
	const char *dir = SX_DEFAULT_DIR, *agentx = NULL, *tls = "segw-tlsd";
	int ping = 5, debug = 0;
	static const struct option opts[] = {
		{ "stats-dir", required_argument, NULL, 'd' },
		{ "agentx", required_argument, NULL, 'x' },
		{ "tls-process", required_argument, NULL, 't' },
		{ "ping", required_argument, NULL, 'p' },
		{ "debug", no_argument, NULL, 'D' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'x': agentx = optarg; break;
		case 't': tls = optarg; break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 3600) {
				fprintf(stderr, "segw-snmp: --ping: 1 to 3600 seconds\n");
				return 2;
			}
			ping = (int)v;
			break;
		}
		case 'D': debug = 1; break;
		case 'V': printf("segw-snmp %s\n", SEGW_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* Least privilege: segw-snmp needs no capability (the AgentX socket and
	 * the counters segments are root's files, reachable as uid 0 without
	 * overriding permissions). */
	int crc = caps_keep_only(0);
	if (crc) {
		fprintf(stderr, "segw-snmp: cannot drop capabilities: %s\n", strerror(-crc));
		return 1;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/segwd.stats", dir);
	if (sx_reader_open(&seg_main.r, path))
		return 1;
	snprintf(path, sizeof(path), "%s/%s.stats", dir, tls);
	if (sx_reader_open(&seg_tls.r, path))
		return 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	start_wall_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;

	setenv("MIBS", "", 1); /* every OID here is numeric: load no MIB files */
	snmp_enable_stderrlog();
	if (debug)
		debug_register_tokens("agentx");
	snmp_set_do_debugging(debug);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	if (agentx)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, agentx);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, ping);
	/* no config files, no persistent state of our own */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	if (init_agent("segw-snmp")) {
		fprintf(stderr, "segw-snmp: cannot initialise the agent library\n");
		return 1;
	}
	build_tables();
	refresh_all();
	/* as specific as snmpd's own registrations, so that our priority wins */
	static const oid ifmib_number[] = { 1, 3, 6, 1, 2, 1, 2, 1 };
	static const oid ifmib_if[] = { 1, 3, 6, 1, 2, 1, 2, 2 };
	static const oid ifmib_ifx[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1 };
	int rc = register_subtree("segwIfNumber", ifmib_number, OID_LENGTH(ifmib_number));
	if (!rc)
		rc = register_subtree("segwIfTable", ifmib_if, OID_LENGTH(ifmib_if));
	if (!rc)
		rc = register_subtree("segwIfXTable", ifmib_ifx, OID_LENGTH(ifmib_ifx));
	if (!rc)
		rc = register_subtree("segwMIB", segw_objects_oid, OID_LENGTH(segw_objects_oid));
	if (rc) {
		fprintf(stderr, "segw-snmp: cannot register our subtrees\n");
		return 1;
	}
	init_snmp("segw-snmp");
	snmp_alarm_register(1, SA_REPEAT, on_alarm, NULL);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "segw-snmp: serving %s/segwd.stats\n", dir);
	while (!stop_flag)
		agent_check_and_process(1);
	snmp_shutdown("segw-snmp");
	sx_reader_close(seg_main.r);
	sx_reader_close(seg_tls.r);
	return 0;
}
