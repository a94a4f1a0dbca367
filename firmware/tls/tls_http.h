/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_http: the first HTTP/1.1 request head of a decrypted stream, as far as
 * policy needs it: method, target and the Host header (without port).
 *
 * The input is untrusted (it comes from the client, after decryption). Only
 * the head is examined; content is never copied anywhere but @out.
 *
 * Owner:      the caller owns @buf and @out.
 * Thread:     any; no state.
 * Allocation: none.
 * Errors:     see tls_http_parse.
 */
#ifndef SEGW_TLS_HTTP_H
#define SEGW_TLS_HTTP_H

#include <stddef.h>

#define TLS_HTTP_METHOD_MAX 16
#define TLS_HTTP_TARGET_MAX 256
#define TLS_HTTP_HOST_MAX   256

struct tls_http_req {
	char method[TLS_HTTP_METHOD_MAX];
	char target[TLS_HTTP_TARGET_MAX]; /* truncated when longer */
	char host[TLS_HTTP_HOST_MAX];     /* lower case, port removed; "" if absent */
	unsigned minor;                   /* HTTP/1.x */
	size_t head_len;                  /* bytes up to and including the blank line */
};

/*
 * tls_http_parse - look for a complete request head in @buf (@len bytes).
 * Returns 1 when the head is complete (@out filled), 0 when more bytes are
 * needed (a caller whose buffer is full then gives up), -EBADMSG when the bytes are not an HTTP/1.x
 * request head (the stream is then treated as opaque), and -EINVAL on a head that is HTTP but
 * malformed (two Host headers, bad Host, control bytes).
 */
int tls_http_parse(const char *buf, size_t len, struct tls_http_req *out);

#endif
