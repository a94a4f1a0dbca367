/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_proxy: the segw-tlsd runtime: listeners, the epoll loop, connections
 * (TLS handshake, policy decision on SNI + client identity + first HTTP/1.1
 * request head, backend connect, plain or re-encrypted relay), ticket key
 * rotation, reload on SIGHUP, counters.
 *
 * Per connection the memory is fixed when it is accepted: struct tls_conn
 * (two relay buffers of TLS_RELAY_BUF bytes) plus mbedtls's record buffers
 * (MBEDTLS_SSL_IN/OUT_CONTENT_LEN + overhead per TLS context: one towards
 * the client, one more towards a TLS backend). docs/tls.md states the bytes.
 *
 * Owner:      tls_proxy_run owns everything it creates and frees it on exit.
 * Thread:     one thread; signals arrive through a signalfd.
 * Allocation: configuration and one struct tls_conn per accepted
 *             connection, up to max-conns; never per record.
 * Errors:     startup errors return -errno with a message on stderr; a
 *             connection's errors close that connection, counted.
 */
#ifndef SEGW_TLS_PROXY_H
#define SEGW_TLS_PROXY_H

#include <stddef.h>

#define TLS_RELAY_BUF 16384

struct tls_proxy_opts {
	const char *conf_path;
	int check_only;       /* load, report, exit */
	int self_check_privs; /* after dropping, try a raw socket and nftables; log */
};

/* tls_proxy_run - serve until SIGTERM/SIGINT. 0 on a clean stop. */
int tls_proxy_run(const struct tls_proxy_opts *o);

/* tls_proxy_conn_size - bytes of one struct tls_conn (for docs and tests). */
size_t tls_proxy_conn_size(void);

#endif
