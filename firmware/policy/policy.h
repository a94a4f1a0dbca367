/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy: the one policy language of the gateway, its compiled form and its
 * lookup.
 *
 * Language (one statement per line, `#` starts a comment):
 *
 *   zone NAME [ports PORT[,PORT...]] [prefixes PREFIX[,PREFIX...]] [default]
 *             [new-flows N/s]
 *   set addr NAME PREFIX[,PREFIX...]
 *   set port NAME PORT|LO-HI[,...]
 *   set name NAME PATTERN[,PATTERN...]
 *   backend NAME ADDRESS:PORT [tls [verify]]
 *   default action allow|deny|reject
 *   default malformed drop|pass
 *   default flow-table-full evict|drop|pass
 *   default queue-overload fail-open|fail-closed
 *   rule ID [from ZONE|any] [to ZONE|any] [src ADDR] [dst ADDR]
 *           [tcp|udp|icmp|icmpv6|proto N] [sport PORTS] [dport PORTS]
 *           [app APP[,APP...]] [sni NAMES] [host NAMES] [query NAMES]
 *           [tls-version-min 1.2|1.3] [no-sni] [ech]
 *           [client-subject "TEXT"] [client-ou "TEXT"]
 *           allow|deny|reject|terminate-tls BACKEND [log] [rate-limit N/s]
 *
 *   ADDR is a prefix or @set (may be preceded by ! to negate); PORTS a port,
 *   a range LO-HI or @set; NAMES a pattern or @set, comma separated; a
 *   pattern is exact ("www.example.org"), suffix ("*.example.org": any name
 *   below it) or "*" (any name present). Names compare case-insensitively.
 *   When zones are defined, exactly one is marked `default`: addresses that
 *   no prefix claims (and that did not arrive on a port of a zone) belong to
 *   it. `new-flows N/s` is the zone's admission limit: new connections
 *   arriving on its ports above N a second (burst N/10, at least 16) are
 *   dropped by the kernel before they reach the pipeline, counted per zone
 *   (a flood from one zone cannot starve the others of the queue).
 *   Rules are evaluated in ascending ID order: the first that matches
 *   decides; none matching takes `default action` (deny when unset).
 *
 * Owner:      policy_parse() returns a struct policy the caller owns
 *             (policy_free()); compiled policies are immutable and shared by
 *             reference between threads.
 * Allocation: parse and compile allocate; lookup never does.
 * Errors:     parse reports every error as FILE:LINE:COL: message into the
 *             caller's error buffer and returns -EINVAL; a policy with any
 *             error is rejected whole.
 */
#ifndef SEGW_POLICY_POLICY_H
#define SEGW_POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define POLICY_NAME_MAX 32
#define POLICY_MAX_ZONES 16

enum policy_action {
	POLICY_ALLOW = 0,
	POLICY_DENY,
	POLICY_REJECT,
	POLICY_TERMINATE_TLS,
};

enum policy_default_key {
	POLICY_DEF_ACTION = 0,
	POLICY_DEF_MALFORMED,
	POLICY_DEF_FLOW_FULL,
	POLICY_DEF_QUEUE_OVERLOAD,
	POLICY_DEF__COUNT
};

/* An address or port operand: a literal list or a set reference. */
struct policy_prefix {
	uint8_t addr[16];
	uint8_t ipver; /* 4 or 6 */
	uint8_t len;
};

struct policy_port_range {
	uint16_t lo, hi;
};

struct policy_name_pat {
	char *text;    /* lower case; for a suffix pattern without the "*." */
	uint8_t kind;  /* 0 exact, 1 suffix, 2 any */
};

enum policy_set_kind { POLICY_SET_ADDR = 0, POLICY_SET_PORT, POLICY_SET_NAME };

struct policy_set {
	char name[POLICY_NAME_MAX];
	uint8_t kind;
	uint32_t n;
	struct policy_prefix *prefixes;
	struct policy_port_range *ports;
	struct policy_name_pat *names;
	void *name_index; /* compiled hash of exact and suffix names */
};

struct policy_zone {
	char name[POLICY_NAME_MAX];
	uint32_t n_ports;
	char (*ports)[POLICY_NAME_MAX];
	uint32_t n_prefixes;
	struct policy_prefix *prefixes;
	uint8_t is_default;
	uint32_t new_flows_per_s; /* admission limit; 0: none */
};

struct policy_backend {
	char name[POLICY_NAME_MAX];
	uint8_t addr[16];
	uint8_t ipver;
	uint16_t port;
	uint8_t tls, verify;
};

/* A field operand: literals, or a set (index into sets), optionally negated. */
struct policy_addr_match {
	uint8_t present, negate;
	int32_t set; /* -1: literals */
	uint32_t n;
	struct policy_prefix *v;
};

struct policy_port_match {
	uint8_t present;
	int32_t set;
	uint32_t n;
	struct policy_port_range *v;
};

struct policy_name_match {
	uint8_t present;
	int32_t set;
	uint32_t n;
	struct policy_name_pat *v;
};

struct policy_rule {
	uint32_t id;
	uint32_t line;          /* source line, for messages */
	uint32_t col;
	int16_t from, to;       /* zone index, -1 any */
	struct policy_addr_match src, dst;
	int16_t proto;          /* -1 any */
	struct policy_port_match sport, dport;
	uint32_t n_apps;
	uint16_t *apps;         /* dpi app ids (dpi/detector.h) */
	struct policy_name_match sni, host, query;
	uint16_t tls_version_min; /* 0 none, 0x0303 (1.2), 0x0304 (1.3) */
	uint8_t no_sni, ech;
	char *client_subject, *client_ou;
	uint8_t action;         /* enum policy_action */
	int32_t backend;        /* terminate-tls: backend index */
	uint8_t log;
	uint32_t rate_per_s;    /* 0: none */
};

struct policy_compiled;

struct policy {
	uint32_t n_zones, n_sets, n_backends, n_rules;
	struct policy_zone *zones;
	struct policy_set *sets;
	struct policy_backend *backends;
	struct policy_rule *rules; /* sorted by id */
	uint8_t defaults[POLICY_DEF__COUNT];
	uint8_t defaults_set[POLICY_DEF__COUNT];
	struct policy_compiled *compiled;
};

/* Values of the defaults. */
enum { POLICY_MALFORMED_DROP = 0, POLICY_MALFORMED_PASS };
enum { POLICY_FULL_EVICT = 0, POLICY_FULL_DROP, POLICY_FULL_PASS };
enum { POLICY_QUEUE_FAIL_OPEN = 0, POLICY_QUEUE_FAIL_CLOSED };

/*
 * policy_parse - parse @text (@len bytes) named @file in messages.
 * On success *out is the policy (not yet compiled). On error returns
 * -EINVAL and writes up to @max_errors lines "FILE:LINE:COL: message\n" into
 * @err (NUL-terminated, truncated to @errlen); -ENOMEM on no memory.
 */
int policy_parse(const char *file, const char *text, size_t len, struct policy **out, char *err,
		 size_t errlen, unsigned max_errors);

/* policy_compile - build the lookup structures. 0, -ENOMEM, -E2BIG. */
int policy_compile(struct policy *p);

void policy_free(struct policy *p);

/* policy_print - the canonical text: parse(print(p)) is p. */
int policy_print(const struct policy *p, FILE *out);

/* policy_equal - structural equality (what round-trip tests compare). */
int policy_equal(const struct policy *a, const struct policy *b);

/* What lookup needs to know of a flow. Unknown L7 facts are "not yet". */
struct policy_flow {
	uint8_t czone, szone;    /* zone indexes of the policy */
	uint8_t ipver, proto;
	const uint8_t *src, *dst; /* client and server addresses */
	uint16_t sport, dport;   /* client and server ports */
	uint8_t l7_done;         /* classification finished: unknown = absent */
	uint16_t app;
	const char *sni, *host, *query; /* NULL when absent */
	uint16_t tls_version;
	uint8_t no_sni, ech;
	const char *client_subject, *client_ou;
};

enum policy_result_kind {
	POLICY_MATCH = 0, /* rule decided (or the default action when rule_id 0) */
	POLICY_PENDING,   /* a rule that could match needs facts not known yet */
};

struct policy_result {
	uint8_t kind;
	uint8_t action;
	uint8_t log;
	uint32_t rule_id;   /* 0: no rule matched, the default decided */
	uint32_t rule_index;
	int32_t backend;
};

/* policy_lookup - evaluate @f against compiled @p. Never allocates. */
void policy_lookup(const struct policy *p, const struct policy_flow *f, struct policy_result *r);

/* policy_lookup_linear - the reference: rules in order, for tests. */
void policy_lookup_linear(const struct policy *p, const struct policy_flow *f,
			  struct policy_result *r);

int policy_zone_index(const struct policy *p, const char *name);
const char *policy_action_name(uint8_t a);
/* policy_stats - compiled shape: tuple groups and entries (for docs and benches). */
void policy_compiled_stats(const struct policy *p, uint32_t *groups, uint32_t *entries);

#endif
