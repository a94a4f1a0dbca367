/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_parse: TLS handshake parsing shared by the TLS (TCP) and QUIC
 * detectors: ClientHello (SNI, ALPN, offered versions, ECH, JA4),
 * ServerHello (negotiated version and cipher, JA4S) and the first
 * certificate of a Certificate message (subject, issuer, validity, whether
 * it covers the SNI), plus a walker over TLS records.
 *
 * Thread: any (no state). Allocation: none (bounded stack buffers).
 * Input:  hostile; every read is checked against the given length.
 * Errors: 0 parsed; -EAGAIN the message is incomplete (more bytes may
 *         complete it); -EINVAL malformed.
 */
#ifndef SEGW_DPI_TLS_PARSE_H
#define SEGW_DPI_TLS_PARSE_H

#include <stdint.h>

#include "dpi/detector.h"

#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11

/* JA4 transport letter: t for TCP, q for QUIC, d for DTLS. */

/*
 * tls_parse_client_hello - @b is a ClientHello body (after the 4-byte
 * handshake header), @n its length. Fills facts: server_name (SNI),
 * alpn, ja4, tls_client_version, tls_version (offered, until a
 * ServerHello says otherwise), flags NO_SNI / ECH / OLD_TLS.
 */
int tls_parse_client_hello(const uint8_t *b, uint32_t n, char transport, struct dpi_facts *f);

/*
 * tls_parse_server_hello - a ServerHello body: tls_version (negotiated),
 * tls_cipher, ja4s; OLD_TLS set/cleared from the negotiated version.
 */
int tls_parse_server_hello(const uint8_t *b, uint32_t n, char transport, struct dpi_facts *f);

/*
 * tls_parse_certificate - a (TLS 1.2) Certificate body, possibly cut short:
 * parses the first certificate when it is complete: cert_subject,
 * cert_issuer, validity; SNI_MISMATCH when facts->server_name is set and
 * neither a dNSName nor the subject CN covers it.
 */
int tls_parse_certificate(const uint8_t *b, uint32_t n, struct dpi_facts *f);

/* tls_is_grease - a GREASE value (RFC 8701), ignored in fingerprints. */
int tls_is_grease(uint16_t v);

/* tls_name_matches - @pattern (maybe "*.example.com") covers @host; case-insensitive. */
int tls_name_matches(const char *pattern, uint32_t plen, const char *host);

/*
 * Handshake walker over TLS records. tls_hs_collect() copies the payload of
 * the consecutive handshake records (content type 22) at the start of @d
 * into @out (at most @cap bytes, the last record may be partial) and
 * reports in *stop whether a non-handshake record (ChangeCipherSpec,
 * application data, alert) ended the plaintext handshake. Returns the bytes
 * copied, or -EINVAL when the records are not TLS.
 */
int tls_hs_collect(const uint8_t *d, uint32_t len, uint8_t *out, uint32_t cap, int *stop);

/*
 * tls_hs_find - find handshake message @type in the handshake bytes @hs.
 * Returns 0 and sets *body, *blen when complete, -EAGAIN when it started
 * but is cut short (*body, *blen then give the available part), -ENOENT
 * when the bytes end without it, -EINVAL when malformed.
 */
int tls_hs_find(const uint8_t *hs, uint32_t n, uint8_t type, const uint8_t **body,
		uint32_t *blen);

#endif
