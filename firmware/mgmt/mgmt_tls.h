/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt_tls: the management-plane listener. Mutual TLS 1.3 only (mbedtls):
 * the client must present a certificate that chains to the pinned CA
 * (DIR/ca.crt) and, when DIR/client.crt exists, is exactly that certificate.
 * Everything is non-blocking and driven by the caller's poll loop.
 *
 * Requests (one per connection, then the server closes it):
 *   "PUSH LENGTH\n" + LENGTH bytes (a bundle, LENGTH <= BUNDLE_MAX)
 *   "CONFIRM VERSION\n"
 *   "STATUS\n"
 * The reply is one line ending in "\n" made by the request handler. A
 * request that is not complete when the peer goes away or the connection's
 * time (MGMT_TLS_CONN_MS from accept) runs out is dropped without calling
 * the handler: a cut connection changes nothing.
 *
 * Files in DIR: server.crt, server.key (the appliance's TLS identity),
 * ca.crt (the management plane's CA), optionally client.crt (pin).
 *
 * Owner:      mgmt_tls_open() allocates the listener; mgmt_tls_close() frees
 *             it and every connection.
 * Thread:     one thread (the control thread) for all calls.
 * Allocation: per connection: the TLS context and a request buffer that grows
 *             to the announced length (bounded by BUNDLE_MAX).
 * Errors:     negative errno; the reason in words in @err.
 */
#ifndef SEGW_MGMT_TLS_H
#define SEGW_MGMT_TLS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define MGMT_TLS_MAX_CONNS 8
#define MGMT_TLS_CONN_MS 15000u
#define MGMT_TLS_LINE_MAX 128

struct mgmt_tls_counters {
	uint64_t accepted, refused_busy, handshake_failed, peer_rejected, timeouts, cut,
		bad_request, too_large, served;
};

/* A complete request: @line without "\n", @body (PUSH) or NULL. Fill @reply
 * (one line, "\n" added if missing). @peer: the client certificate's subject. */
typedef void (*mgmt_tls_handler)(void *ctx, const char *peer, const char *line,
				 const uint8_t *body, size_t body_len, char *reply,
				 size_t replylen);

struct mgmt_tls;

/*
 * mgmt_tls_open - load the files of @dir and listen on @listen
 * ("ADDR:PORT", "[V6ADDR]:PORT"). 0, -ENOENT (a file missing or invalid),
 * -EADDRINUSE/-EINVAL (cannot listen), -ENOMEM.
 */
int mgmt_tls_open(struct mgmt_tls **out, const char *dir, const char *listen, char *err,
		  size_t errlen);
/* mgmt_tls_pollfds - fill up to @max pollfds (listener + connections). */
unsigned mgmt_tls_pollfds(struct mgmt_tls *t, struct pollfd *p, unsigned max);
/* mgmt_tls_step - accept, advance every connection, expire old ones. */
void mgmt_tls_step(struct mgmt_tls *t, uint64_t now_ms, mgmt_tls_handler fn, void *ctx);
void mgmt_tls_counters(const struct mgmt_tls *t, struct mgmt_tls_counters *out);
/* mgmt_tls_port - the bound TCP port (useful with port 0). */
int mgmt_tls_port(const struct mgmt_tls *t);
void mgmt_tls_close(struct mgmt_tls *t);

#endif
