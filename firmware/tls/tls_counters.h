/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_counters: every outcome of segw-tlsd has a named counter.
 *
 * Owner:      the process owns one struct tls_counters (tls_counters_global).
 * Thread:     segw-tlsd is single threaded: the event loop is the only writer
 *             and the only reader.
 * Allocation: none.
 * Names:      hierarchical and stable ("tls.handshake.ok.tls13"); the SNMP
 *             subagent and the tests read them by name. Append only.
 * Errors:     none.
 */
#ifndef SEGW_TLS_COUNTERS_H
#define SEGW_TLS_COUNTERS_H

#include <stdint.h>
#include <stdio.h>

/* X(id, "name") */
#define TLS_COUNTERS(X)                                                                            \
	X(CONN_ACCEPTED, "tls.conn.accepted")                                                      \
	X(CONN_ACTIVE, "tls.conn.active")                                                          \
	X(CONN_CLOSED, "tls.conn.closed")                                                          \
	X(CONN_TABLE_FULL, "tls.conn.refused.table_full")                                          \
	X(CONN_RATE_LIMITED, "tls.conn.refused.rate_limited")                                      \
	X(CONN_HS_TIMEOUT, "tls.conn.timeout.handshake")                                           \
	X(CONN_IDLE_TIMEOUT, "tls.conn.timeout.idle")                                              \
	X(HS_OK_TLS13, "tls.handshake.ok.tls13")                                                   \
	X(HS_OK_TLS12, "tls.handshake.ok.tls12")                                                   \
	X(HS_FAILED, "tls.handshake.failed")                                                       \
	X(HS_RESUMED, "tls.handshake.resumed")                                                     \
	X(SUITE_TLS13_AES128_GCM, "tls.suite.TLS_AES_128_GCM_SHA256")                              \
	X(SUITE_TLS13_AES256_GCM, "tls.suite.TLS_AES_256_GCM_SHA384")                              \
	X(SUITE_TLS13_CHACHA, "tls.suite.TLS_CHACHA20_POLY1305_SHA256")                            \
	X(SUITE_ECDSA_AES128_GCM, "tls.suite.ECDHE_ECDSA_AES_128_GCM_SHA256")                      \
	X(SUITE_ECDSA_AES256_GCM, "tls.suite.ECDHE_ECDSA_AES_256_GCM_SHA384")                      \
	X(SUITE_ECDSA_CHACHA, "tls.suite.ECDHE_ECDSA_CHACHA20_POLY1305")                           \
	X(SUITE_RSA_AES128_GCM, "tls.suite.ECDHE_RSA_AES_128_GCM_SHA256")                          \
	X(SUITE_RSA_AES256_GCM, "tls.suite.ECDHE_RSA_AES_256_GCM_SHA384")                          \
	X(SUITE_RSA_CHACHA, "tls.suite.ECDHE_RSA_CHACHA20_POLY1305")                               \
	X(ALERT_PROTOCOL_VERSION, "tls.alert.protocol_version")                                    \
	X(ALERT_HANDSHAKE_FAILURE, "tls.alert.handshake_failure")                                  \
	X(ALERT_CERT_EXPIRED, "tls.alert.client_cert.expired")                                     \
	X(ALERT_CERT_REVOKED, "tls.alert.client_cert.revoked")                                     \
	X(ALERT_CERT_UNKNOWN_CA, "tls.alert.client_cert.unknown_ca")                               \
	X(ALERT_CERT_MISSING, "tls.alert.client_cert.missing")                                     \
	X(ALERT_CERT_BAD, "tls.alert.client_cert.bad")                                             \
	X(ALERT_DECODE, "tls.alert.decode_error")                                                  \
	X(ALERT_UNRECOGNIZED_NAME, "tls.alert.unrecognized_name")                                  \
	X(ALERT_OTHER, "tls.alert.other")                                                          \
	X(ALERT_FROM_PEER, "tls.alert.received")                                                   \
	X(POLICY_ALLOW, "tls.policy.allow")                                                        \
	X(POLICY_DENY, "tls.policy.deny")                                                          \
	X(POLICY_NO_BACKEND, "tls.policy.no_backend")                                              \
	X(HTTP_PARSED, "tls.http.request_parsed")                                                  \
	X(HTTP_NOT_HTTP, "tls.http.not_http")                                                      \
	X(BACKEND_CONNECT_FAIL, "tls.backend.connect_failed")                                      \
	X(BACKEND_TLS_OK, "tls.backend.tls_ok")                                                    \
	X(BACKEND_TLS_VERIFY_FAIL, "tls.backend.tls_verify_failed")                                \
	X(BYTES_CLIENT_IN, "tls.bytes.client_in")                                                  \
	X(BYTES_CLIENT_OUT, "tls.bytes.client_out")                                                \
	X(BYTES_BACKEND_IN, "tls.bytes.backend_in")                                                \
	X(BYTES_BACKEND_OUT, "tls.bytes.backend_out")                                              \
	X(TICKET_KEY_ROTATIONS, "tls.ticket.key_rotations")                                        \
	X(TICKET_ISSUED, "tls.ticket.issued")                                                      \
	X(TICKET_BAD, "tls.ticket.rejected")                                                       \
	X(RELOAD_OK, "tls.reload.ok")                                                              \
	X(RELOAD_FAILED, "tls.reload.failed")                                                      \
	X(GENERATION, "tls.reload.generation")                                                     \
	X(PRIV_DROPPED, "tls.privileges.dropped")                                                  \
	X(MEM_HEAP, "tls.mem.heap_bytes")                                                          \
	X(HTTP_MALFORMED, "tls.http.malformed")

enum tls_counter_id {
#define X(id, name) TLS_C_##id,
	TLS_COUNTERS(X)
#undef X
	    TLS_C__COUNT
};

struct tls_counters {
	uint64_t v[TLS_C__COUNT];
};

extern struct tls_counters tls_counters_global;

#define TLS_COUNT(id)        (tls_counters_global.v[TLS_C_##id]++)
#define TLS_COUNT_ADD(id, n) (tls_counters_global.v[TLS_C_##id] += (uint64_t)(n))

/* tls_counter_name - the stable name of counter @id, NULL when out of range. */
const char *tls_counter_name(unsigned id);

/*
 * tls_counters_foreach - call @fn(name, value, arg) for every counter in id
 * order. Returns the first non-zero value @fn returns, else 0.
 */
int tls_counters_foreach(const struct tls_counters *c,
                         int (*fn)(const char *name, uint64_t value, void *arg), void *arg);

/*
 * tls_counters_write_file - "name value\n" lines, written to PATH.tmp and
 * renamed over @path (readers never see half a file). 0 or -errno.
 */
int tls_counters_write_file(const struct tls_counters *c, const char *path);

/*
 * Shared counters segment (stats/export.h): one table "tls" with one row per
 * counter (key = id + 1, name = the counter's name) and one column "value".
 * tls_counters_export_open creates @dir/segw-tlsd.stats (@dir NULL: the
 * default /run/segw); call it before dropping privileges. publish is cheap
 * (one seqlocked copy of the values). 0 or -errno.
 */
struct sx_writer;
int tls_counters_export_open(struct sx_writer **w, const char *dir);
int tls_counters_publish(struct sx_writer *w, const struct tls_counters *c);

#endif
