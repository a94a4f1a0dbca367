// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_proxy: the epoll loop and the connection state machine of segw-tlsd. */
#define _GNU_SOURCE /* accept4 */
#include "tls/tls_proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl_ticket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <psa/crypto.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "dpi/detector.h"
#include "policy/policy.h"
#include "stats/export.h"
#include "tls/tls_conf.h"
#include "tls/tls_counters.h"
#include "tls/tls_gen.h"
#include "tls/tls_http.h"
#include "tls/tls_privdrop.h"
#include "tls/tls_ratelimit.h"

#define TICK_MS    250
#define MAX_EVENTS 64

enum ep_kind { EP_LISTEN = 1, EP_SIGNAL, EP_TIMER, EP_CLIENT, EP_BACKEND };

struct tls_conn;

struct ep {
	uint8_t kind;
	uint8_t idx; /* listener index */
	struct tls_conn *c;
};

enum conn_state { CS_HS = 0, CS_REQ, CS_CONNECT, CS_BHS, CS_RELAY, CS_LINGER, CS_DEAD };

#define LINGER_MS 2000

struct tls_conn {
	struct ep ep_c, ep_b;
	int cfd, bfd;
	uint32_t cev, bev;
	uint8_t state;
	uint8_t resumed, sni_unknown, ceof, beof, bshut, counted_active;
	uint8_t ipver;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint16_t version;
	unsigned lidx;
	struct tls_gen *gen;
	struct tls_site_rt *site;
	const struct policy_backend *backend;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_context *bssl;
	uint64_t deadline_ms;
	struct tls_conn *prev, *next;
	char sni[TLS_NAME_MAX];
	char subject[128], ou[64], serial[64];
	size_t c2b_len, c2b_off, b2c_len, b2c_off;
	uint8_t c2b[TLS_RELAY_BUF], b2c[TLS_RELAY_BUF];
};

struct rt {
	const struct tls_proxy_opts *o;
	int epfd, sfd, tfd;
	unsigned n_lfd;
	int lfd[TLS_MAX_LISTENERS];
	struct ep ep_l[TLS_MAX_LISTENERS], ep_sig, ep_tim;
	struct tls_gen *gen;
	struct tls_conf conf_boot; /* listeners as bound */
	uint64_t gen_id;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_ticket_context ticket;
	int tickets;
	uint64_t next_rotate_ms, next_stats_ms;
	struct tls_ratelimit rl;
	struct sx_writer *sx;
	struct tls_conn *conns; /* live list */
	struct tls_conn *dead;  /* freed after the current batch */
	uint64_t active;
	int stop;
};

static struct tls_conn *g_cur; /* the connection mbedtls is working on */

size_t tls_proxy_conn_size(void)
{
	return sizeof(struct tls_conn);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("segw-tlsd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void peer_str(const struct tls_conn *c, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(c->ipver == 4 ? AF_INET : AF_INET6, c->src, a, sizeof(a));
	snprintf(buf, n, "%s:%u", a, c->sport);
}

/* --- BIOs --------------------------------------------------------------- */

static int bio_send_fd(int fd, const unsigned char *b, size_t n, uint64_t *ctr)
{
	ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
	if (w < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return MBEDTLS_ERR_SSL_WANT_WRITE;
		if (errno == EINTR)
			return MBEDTLS_ERR_SSL_WANT_WRITE;
		return MBEDTLS_ERR_NET_SEND_FAILED;
	}
	*ctr += (uint64_t)w;
	return (int)w;
}

static int bio_recv_fd(int fd, unsigned char *b, size_t n, uint64_t *ctr)
{
	ssize_t r = recv(fd, b, n, 0);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return MBEDTLS_ERR_SSL_WANT_READ;
		return MBEDTLS_ERR_NET_RECV_FAILED;
	}
	*ctr += (uint64_t)r;
	return (int)r;
}

static int cli_send(void *ctx, const unsigned char *b, size_t n)
{
	struct tls_conn *c = ctx;
	return bio_send_fd(c->cfd, b, n, &tls_counters_global.v[TLS_C_BYTES_CLIENT_OUT]);
}

static int cli_recv(void *ctx, unsigned char *b, size_t n)
{
	struct tls_conn *c = ctx;
	return bio_recv_fd(c->cfd, b, n, &tls_counters_global.v[TLS_C_BYTES_CLIENT_IN]);
}

static int be_send(void *ctx, const unsigned char *b, size_t n)
{
	struct tls_conn *c = ctx;
	return bio_send_fd(c->bfd, b, n, &tls_counters_global.v[TLS_C_BYTES_BACKEND_OUT]);
}

static int be_recv(void *ctx, unsigned char *b, size_t n)
{
	struct tls_conn *c = ctx;
	return bio_recv_fd(c->bfd, b, n, &tls_counters_global.v[TLS_C_BYTES_BACKEND_IN]);
}

/* --- mbedtls hooks ------------------------------------------------------ */

static int sni_cb(void *lst_rt, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
	struct tls_lst_rt *l = lst_rt;
	struct tls_conn *c = mbedtls_ssl_get_user_data_p(ssl);
	if (!c || len == 0 || len >= sizeof(c->sni))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = name[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return -1;
		c->sni[i] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
	}
	c->sni[len] = 0;
	struct tls_site_rt *s = tls_gen_site(l->gen, c->sni);
	if (!s) {
		c->sni_unknown = 1;
		return -1;
	}
	c->site = s;
	return mbedtls_ssl_set_hs_own_cert(ssl, &s->chain, &s->key);
}

static int ticket_write(void *p, const mbedtls_ssl_session *s, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
	int r = mbedtls_ssl_ticket_write(p, s, start, end, tlen, lifetime);
	if (r == 0)
		TLS_COUNT(TICKET_ISSUED);
	return r;
}

static int ticket_parse(void *p, mbedtls_ssl_session *s, unsigned char *buf, size_t len)
{
	int r = mbedtls_ssl_ticket_parse(p, s, buf, len);
	if (r == 0) {
		if (g_cur)
			g_cur->resumed = 1;
	} else {
		TLS_COUNT(TICKET_BAD);
	}
	return r;
}

static int rotate_ticket_key(struct rt *rt)
{
	unsigned char name[4], key[32];
	int r = mbedtls_ctr_drbg_random(&rt->drbg, name, sizeof(name));
	if (!r)
		r = mbedtls_ctr_drbg_random(&rt->drbg, key, sizeof(key));
	if (!r)
		r = mbedtls_ssl_ticket_rotate(&rt->ticket, name, sizeof(name), key, sizeof(key),
		                              rt->gen->conf.ticket_rotate_s * 2);
	memset(key, 0, sizeof(key));
	if (!r)
		TLS_COUNT(TICKET_KEY_ROTATIONS);
	else
		logf_("ticket key rotation failed: -0x%04x", (unsigned)-r);
	return r;
}

/* --- epoll interest ----------------------------------------------------- */

static void set_interest(struct rt *rt, int fd, struct ep *ep, uint32_t *cur, uint32_t want)
{
	if (fd < 0 || *cur == want)
		return;
	struct epoll_event ev = {.events = want, .data.ptr = ep};
	if (epoll_ctl(rt->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		*cur = want;
}

/* --- connection lifecycle ----------------------------------------------- */

static void conn_close(struct rt *rt, struct tls_conn *c, int notify)
{
	if (c->state == CS_DEAD)
		return;
	if (notify && (c->state == CS_REQ || c->state == CS_CONNECT || c->state == CS_BHS ||
	               c->state == CS_RELAY))
		(void)mbedtls_ssl_close_notify(&c->ssl);
	if (c->bssl && c->state == CS_RELAY)
		(void)mbedtls_ssl_close_notify(c->bssl);
	c->state = CS_DEAD;
	if (c->cfd >= 0)
		close(c->cfd);
	if (c->bfd >= 0)
		close(c->bfd);
	c->cfd = c->bfd = -1;
	/* unlink from the live list, onto the dead one */
	if (c->prev)
		c->prev->next = c->next;
	else
		rt->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = rt->dead;
	rt->dead = c;
	rt->active--;
	tls_counters_global.v[TLS_C_CONN_ACTIVE] = rt->active;
	TLS_COUNT(CONN_CLOSED);
}

/*
 * A refused connection: our alert or close_notify is on its way; close our
 * side for writing and discard what the client still sends for a moment,
 * so the kernel does not answer its in-flight bytes with a reset that can
 * overtake the alert.
 */
static void conn_linger(struct rt *rt, struct tls_conn *c)
{
	if (c->state == CS_DEAD || c->state == CS_LINGER)
		return;
	c->state = CS_LINGER;
	if (c->bfd >= 0) {
		close(c->bfd);
		c->bfd = -1;
	}
	shutdown(c->cfd, SHUT_WR);
	c->deadline_ms = now_ms() + LINGER_MS;
	set_interest(rt, c->cfd, &c->ep_c, &c->cev, EPOLLIN);
}

static void linger_read(struct rt *rt, struct tls_conn *c)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->cfd, c->c2b, sizeof(c->c2b), 0);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(rt, c, 0);
		return;
	}
}

static void conn_free(struct tls_conn *c)
{
	mbedtls_ssl_free(&c->ssl);
	if (c->bssl) {
		mbedtls_ssl_free(c->bssl);
		free(c->bssl);
	}
	tls_gen_put(c->gen);
	free(c);
}

static void reap(struct rt *rt)
{
	while (rt->dead) {
		struct tls_conn *c = rt->dead;
		rt->dead = c->next;
		conn_free(c);
	}
}

static void count_suite(int id)
{
	static const unsigned map[TLS_S__COUNT] = {
	    TLS_C_SUITE_TLS13_AES128_GCM, TLS_C_SUITE_TLS13_AES256_GCM, TLS_C_SUITE_TLS13_CHACHA,
	    TLS_C_SUITE_ECDSA_AES128_GCM, TLS_C_SUITE_ECDSA_AES256_GCM, TLS_C_SUITE_ECDSA_CHACHA,
	    TLS_C_SUITE_RSA_AES128_GCM,   TLS_C_SUITE_RSA_AES256_GCM,   TLS_C_SUITE_RSA_CHACHA,
	};
	int s = tls_suite_of_id(id);
	if (s >= 0)
		tls_counters_global.v[map[s]]++;
}

/* Reason of a refused client certificate, from the verification flags. */
static const char *count_cert_flags(uint32_t flags)
{
	if (flags & MBEDTLS_X509_BADCERT_REVOKED) {
		TLS_COUNT(ALERT_CERT_REVOKED);
		return "client certificate revoked";
	}
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
		TLS_COUNT(ALERT_CERT_UNKNOWN_CA);
		return "client certificate from an unknown CA";
	}
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
		TLS_COUNT(ALERT_CERT_EXPIRED);
		return "client certificate expired";
	}
	if (flags & MBEDTLS_X509_BADCERT_MISSING) {
		TLS_COUNT(ALERT_CERT_MISSING);
		return "client certificate missing";
	}
	TLS_COUNT(ALERT_CERT_BAD);
	return "client certificate refused";
}

static void hs_failed(struct rt *rt, struct tls_conn *c, int r)
{
	const char *why;
	TLS_COUNT(HS_FAILED);
	if (c->sni_unknown) {
		TLS_COUNT(ALERT_UNRECOGNIZED_NAME);
		why = "unknown server name";
	} else if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		why = count_cert_flags(mbedtls_ssl_get_verify_result(&c->ssl));
	} else if (r == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE) {
		TLS_COUNT(ALERT_CERT_MISSING);
		why = "client certificate missing";
	} else if (r == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION) {
		TLS_COUNT(ALERT_PROTOCOL_VERSION);
		why = "protocol version refused";
	} else if (r == MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE || r == MBEDTLS_ERR_SSL_BAD_CONFIG) {
		TLS_COUNT(ALERT_HANDSHAKE_FAILURE);
		why = "no common cipher, group or signature";
	} else if (r == MBEDTLS_ERR_SSL_DECODE_ERROR || r == MBEDTLS_ERR_SSL_INVALID_RECORD ||
	           r == MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION ||
	           r == MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER ||
	           r == MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE) {
		TLS_COUNT(ALERT_DECODE);
		why = "malformed handshake";
	} else if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
		TLS_COUNT(ALERT_FROM_PEER);
		why = "client sent an alert";
	} else if (r == MBEDTLS_ERR_SSL_CONN_EOF || r == MBEDTLS_ERR_NET_RECV_FAILED ||
	           r == MBEDTLS_ERR_NET_SEND_FAILED) {
		why = "client went away";
	} else {
		TLS_COUNT(ALERT_OTHER);
		why = "other";
	}
	char p[80];
	peer_str(c, p, sizeof(p));
	logf_("handshake from %s failed: %s (-0x%04x)", p, why, (unsigned)-r);
	conn_linger(rt, c);
}

static void dn_value(const mbedtls_x509_name *n, const char *oid, size_t oidlen, char *out,
                     size_t outsz)
{
	out[0] = 0;
	for (; n; n = n->next) {
		if (n->oid.len != oidlen || memcmp(n->oid.p, oid, oidlen) != 0)
			continue;
		size_t k = 0;
		for (size_t i = 0; i < n->val.len && k + 1 < outsz; i++) {
			unsigned char ch = n->val.p[i];
			out[k++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
		}
		out[k] = 0;
		return;
	}
}

/* Handshake finished: count, take the verified identity. 0, or -1 closed. */
static int hs_done(struct rt *rt, struct tls_conn *c)
{
	int v = mbedtls_ssl_get_version_number(&c->ssl);
	c->version = v == MBEDTLS_SSL_VERSION_TLS1_3 ? 0x0304 : 0x0303;
	if (!c->site)
		c->site = c->gen->default_site;
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	uint8_t need = c->gen->lst[c->lidx].c->client_auth;
	if (need != TLS_AUTH_NONE && (peer ? flags != 0 : need == TLS_AUTH_REQUIRED)) {
		const char *why = count_cert_flags(peer ? flags : MBEDTLS_X509_BADCERT_MISSING);
		char p[80];
		peer_str(c, p, sizeof(p));
		logf_("connection from %s refused: %s", p, why);
		unsigned char a =
		    !peer                                    ? MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED
		    : (flags & MBEDTLS_X509_BADCERT_REVOKED) ? MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED
		    : (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) ? MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA
		    : (flags & MBEDTLS_X509_BADCERT_EXPIRED) ? MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED
		                                             : MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
		if (!peer && c->version == 0x0303)
			a = MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE; /* TLS 1.2 has no
			                                                certificate_required */
		(void)mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, a);
		TLS_COUNT(HS_FAILED);
		conn_linger(rt, c);
		return -1;
	}
	if (v == MBEDTLS_SSL_VERSION_TLS1_3)
		TLS_COUNT(HS_OK_TLS13);
	else
		TLS_COUNT(HS_OK_TLS12);
	count_suite(mbedtls_ssl_get_ciphersuite_id_from_ssl(&c->ssl));
	if (c->resumed)
		TLS_COUNT(HS_RESUMED);
	if (peer && need != TLS_AUTH_NONE) {
		dn_value(&peer->subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN),
		         c->subject, sizeof(c->subject));
		dn_value(&peer->subject, MBEDTLS_OID_AT_ORG_UNIT,
		         MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT), c->ou, sizeof(c->ou));
		size_t k = 0;
		for (size_t i = 0; i < peer->serial.len && k + 3 < sizeof(c->serial); i++)
			k += (size_t)snprintf(c->serial + k, sizeof(c->serial) - k, "%02x",
			                      peer->serial.p[i]);
	}
	c->deadline_ms = now_ms() + (uint64_t)c->gen->conf.idle_timeout_s * 1000u;
	return 0;
}

static void send_403(struct tls_conn *c)
{
	static const char resp[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
	                           "Connection: close\r\n\r\n";
	(void)mbedtls_ssl_write(&c->ssl, (const unsigned char *)resp, sizeof(resp) - 1);
}

/* When the client spoke HTTP, tell it why before closing. */
static void send_502(struct tls_conn *c)
{
	struct tls_http_req req;
	static const char resp[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
	                           "Connection: close\r\n\r\n";
	if (c->c2b_len && tls_http_parse((const char *)c->c2b, c->c2b_len, &req) == 1)
		(void)mbedtls_ssl_write(&c->ssl, (const unsigned char *)resp, sizeof(resp) - 1);
}

static int start_backend(struct rt *rt, struct tls_conn *c)
{
	const struct policy_backend *b = c->backend;
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (b->ipver == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, b->addr, 4);
		a->sin_port = htons(b->port);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_addr, b->addr, 16);
		a->sin6_port = htons(b->port);
		sl = sizeof(*a);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	c->bfd = fd;
	c->ep_b.kind = EP_BACKEND;
	c->ep_b.c = c;
	c->bev = EPOLLOUT;
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &c->ep_b};
	if (epoll_ctl(rt->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;
	c->state = CS_CONNECT;
	return 0;
}

/* The first request head (or opaque bytes) is in c2b: ask the policy. */
static void decide(struct rt *rt, struct tls_conn *c, const struct tls_http_req *req)
{
	struct tls_gen *g = c->gen;
	struct tls_lst_rt *l = &g->lst[c->lidx];
	struct policy_flow f;
	memset(&f, 0, sizeof(f));
	f.czone = l->czone;
	f.szone = l->szone;
	f.ipver = c->ipver;
	f.proto = 6;
	f.src = c->src;
	f.dst = c->dst;
	f.sport = c->sport;
	f.dport = c->dport;
	f.l7_done = 1;
	f.app = DPI_APP_TLS;
	f.sni = c->sni[0] ? c->sni : NULL;
	f.no_sni = !c->sni[0];
	f.host = req && req->host[0] ? req->host : NULL;
	f.tls_version = c->version;
	f.client_subject = c->subject[0] ? c->subject : NULL;
	f.client_ou = c->ou[0] ? c->ou : NULL;
	struct policy_result res;
	policy_lookup(g->policy, &f, &res);
	int32_t be = -1;
	if (res.kind == POLICY_MATCH && res.action == POLICY_TERMINATE_TLS)
		be = res.backend;
	else if (res.kind == POLICY_MATCH && res.action == POLICY_ALLOW)
		be = c->site ? c->site->backend : -1;
	else {
		TLS_COUNT(POLICY_DENY);
		char p[80];
		peer_str(c, p, sizeof(p));
		logf_("policy denies %s sni=%s host=%s ou=%s (rule %u)", p,
		      c->sni[0] ? c->sni : "-", f.host ? f.host : "-", c->ou[0] ? c->ou : "-",
		      res.rule_id);
		if (req)
			send_403(c);
		(void)mbedtls_ssl_close_notify(&c->ssl);
		conn_linger(rt, c);
		return;
	}
	if (be < 0 || (uint32_t)be >= g->policy->n_backends) {
		TLS_COUNT(POLICY_NO_BACKEND);
		if (req)
			send_403(c);
		(void)mbedtls_ssl_close_notify(&c->ssl);
		conn_linger(rt, c);
		return;
	}
	TLS_COUNT(POLICY_ALLOW);
	c->backend = &g->policy->backends[be];
	int r = start_backend(rt, c);
	if (r) {
		TLS_COUNT(BACKEND_CONNECT_FAIL);
		conn_close(rt, c, 1);
	}
}

static int backend_tls_setup(struct tls_conn *c)
{
	c->bssl = calloc(1, sizeof(*c->bssl));
	if (!c->bssl)
		return -ENOMEM;
	mbedtls_ssl_init(c->bssl);
	mbedtls_ssl_config *conf =
	    c->backend->verify ? &c->gen->bconf_verify : &c->gen->bconf_noverify;
	if (mbedtls_ssl_setup(c->bssl, conf) != 0)
		return -EINVAL;
	const char *host = c->sni[0] ? c->sni : c->backend->name;
	for (unsigned i = 0; i < c->gen->conf.n_bnames; i++)
		if (!strcmp(c->gen->conf.bname[i].backend, c->backend->name))
			host = c->gen->conf.bname[i].host;
	if (mbedtls_ssl_set_hostname(c->bssl, host) != 0)
		return -EINVAL;
	mbedtls_ssl_set_bio(c->bssl, c, be_send, be_recv, NULL);
	c->state = CS_BHS;
	return 0;
}

/* Write to / read from the backend, plain or TLS. >0 bytes, 0 EOF, or a want/error code. */
enum { IO_WANT_RD = -1, IO_WANT_WR = -2, IO_ERR = -3 };

static int ssl_io_code(int r)
{
	if (r == MBEDTLS_ERR_SSL_WANT_READ)
		return IO_WANT_RD;
	if (r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return IO_WANT_WR;
	if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF || r == 0)
		return 0;
	return IO_ERR;
}

static int be_write(struct tls_conn *c, const uint8_t *b, size_t n)
{
	if (c->bssl) {
		int r = mbedtls_ssl_write(c->bssl, b, n);
		return r > 0 ? r : (ssl_io_code(r) == 0 ? IO_ERR : ssl_io_code(r));
	}
	int r = be_send(c, b, n);
	return r >= 0 ? r : (r == MBEDTLS_ERR_SSL_WANT_WRITE ? IO_WANT_WR : IO_ERR);
}

static int be_read(struct tls_conn *c, uint8_t *b, size_t n)
{
	if (c->bssl) {
		int r = mbedtls_ssl_read(c->bssl, b, n);
		return r > 0 ? r : ssl_io_code(r);
	}
	int r = be_recv(c, b, n);
	return r >= 0 ? r : (r == MBEDTLS_ERR_SSL_WANT_READ ? IO_WANT_RD : IO_ERR);
}

struct wants {
	uint8_t c_rd, c_wr, b_rd, b_wr;
};

static void want(struct wants *w, int code, int backend)
{
	if (code == IO_WANT_RD)
		*(backend ? &w->b_rd : &w->c_rd) = 1;
	else if (code == IO_WANT_WR)
		*(backend ? &w->b_wr : &w->c_wr) = 1;
}

/* One relay step. Returns 1 progress, 0 none, -1 closed. */
static int relay(struct rt *rt, struct tls_conn *c, struct wants *w)
{
	int progress = 0;
	/* client -> backend */
	if (c->c2b_off < c->c2b_len) {
		int r = be_write(c, c->c2b + c->c2b_off, c->c2b_len - c->c2b_off);
		if (r > 0) {
			c->c2b_off += (size_t)r;
			progress = 1;
		} else if (r == IO_ERR) {
			conn_close(rt, c, 1);
			return -1;
		} else {
			want(w, r, 1);
		}
	} else if (!c->ceof) {
		c->c2b_off = c->c2b_len = 0;
		int r = mbedtls_ssl_read(&c->ssl, c->c2b, sizeof(c->c2b));
		if (r > 0) {
			c->c2b_len = (size_t)r;
			progress = 1;
		} else {
			int code = ssl_io_code(r);
			if (code == 0) {
				c->ceof = 1;
				progress = 1;
			} else if (code == IO_ERR) {
				conn_close(rt, c, 0);
				return -1;
			} else {
				want(w, code, 0);
			}
		}
	}
	if (c->ceof && c->c2b_off >= c->c2b_len && !c->bshut) {
		c->bshut = 1;
		if (c->bssl)
			(void)mbedtls_ssl_close_notify(c->bssl);
		shutdown(c->bfd, SHUT_WR);
	}
	/* backend -> client */
	if (c->b2c_off < c->b2c_len) {
		int r = mbedtls_ssl_write(&c->ssl, c->b2c + c->b2c_off, c->b2c_len - c->b2c_off);
		if (r > 0) {
			c->b2c_off += (size_t)r;
			progress = 1;
		} else {
			int code = ssl_io_code(r);
			if (code == IO_ERR || code == 0) {
				conn_close(rt, c, 0);
				return -1;
			}
			want(w, code, 0);
		}
	} else if (!c->beof) {
		c->b2c_off = c->b2c_len = 0;
		int r = be_read(c, c->b2c, sizeof(c->b2c));
		if (r > 0) {
			c->b2c_len = (size_t)r;
			progress = 1;
		} else if (r == 0 || r == IO_ERR) {
			c->beof = 1;
			progress = 1;
		} else {
			want(w, r, 1);
		}
	}
	if (c->beof && c->b2c_off >= c->b2c_len) {
		conn_close(rt, c, 1);
		return -1;
	}
	if (progress)
		c->deadline_ms = now_ms() + (uint64_t)c->gen->conf.idle_timeout_s * 1000u;
	return progress;
}

static void drive(struct rt *rt, struct tls_conn *c)
{
	struct wants w;
	int progress = 0;
	for (int iter = 0; iter < 64 && c->state != CS_DEAD; iter++) {
		memset(&w, 0, sizeof(w));
		progress = 0;
		switch (c->state) {
		case CS_HS: {
			g_cur = c;
			int r = mbedtls_ssl_handshake(&c->ssl);
			g_cur = NULL;
			if (r == 0) {
				if (hs_done(rt, c))
					return;
				c->state = CS_REQ;
				progress = 1;
			} else if (r == MBEDTLS_ERR_SSL_WANT_READ) {
				w.c_rd = 1;
			} else if (r == MBEDTLS_ERR_SSL_WANT_WRITE) {
				w.c_wr = 1;
			} else {
				hs_failed(rt, c, r);
				return;
			}
			break;
		}
		case CS_REQ: {
			struct tls_http_req req;
			int pr =
			    c->c2b_len ? tls_http_parse((const char *)c->c2b, c->c2b_len, &req) : 0;
			if (pr == 1) {
				TLS_COUNT(HTTP_PARSED);
				decide(rt, c, &req);
				progress = 1;
				break;
			}
			if (pr == -EINVAL) {
				/* HTTP, but ambiguous (two Hosts, bad Host): never judged without
				 * it */
				static const char resp[] =
				    "HTTP/1.1 400 Bad Request\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n";
				TLS_COUNT(HTTP_MALFORMED);
				(void)mbedtls_ssl_write(&c->ssl, (const unsigned char *)resp,
				                        sizeof(resp) - 1);
				(void)mbedtls_ssl_close_notify(&c->ssl);
				conn_linger(rt, c);
				return;
			}
			if (pr < 0 || c->c2b_len == sizeof(c->c2b)) {
				TLS_COUNT(HTTP_NOT_HTTP);
				decide(rt, c, NULL);
				progress = 1;
				break;
			}
			int r = mbedtls_ssl_read(&c->ssl, c->c2b + c->c2b_len,
			                         sizeof(c->c2b) - c->c2b_len);
			if (r > 0) {
				c->c2b_len += (size_t)r;
				progress = 1;
			} else {
				int code = ssl_io_code(r);
				if (code == 0 || code == IO_ERR) {
					conn_close(rt, c, 0);
					return;
				}
				want(&w, code, 0);
			}
			break;
		}
		case CS_CONNECT:
			w.b_wr = 1;
			break;
		case CS_BHS: {
			int r = mbedtls_ssl_handshake(c->bssl);
			if (r == 0) {
				TLS_COUNT(BACKEND_TLS_OK);
				c->state = CS_RELAY;
				progress = 1;
			} else if (r == MBEDTLS_ERR_SSL_WANT_READ) {
				w.b_rd = 1;
			} else if (r == MBEDTLS_ERR_SSL_WANT_WRITE) {
				w.b_wr = 1;
			} else {
				if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
					TLS_COUNT(BACKEND_TLS_VERIFY_FAIL);
				else
					TLS_COUNT(BACKEND_CONNECT_FAIL);
				logf_("backend %s TLS failed: -0x%04x", c->backend->name,
				      (unsigned)-r);
				send_502(c);
				(void)mbedtls_ssl_close_notify(&c->ssl);
				conn_linger(rt, c);
				return;
			}
			break;
		}
		case CS_RELAY: {
			int r = relay(rt, c, &w);
			if (r < 0)
				return;
			progress = r;
			break;
		}
		default:
			return;
		}
		if (c->state == CS_DEAD)
			return;
		/* mbedtls may hold decrypted bytes the socket no longer signals */
		if (!progress && w.c_rd && mbedtls_ssl_check_pending(&c->ssl) &&
		    (c->state != CS_RELAY || c->c2b_off >= c->c2b_len))
			progress = 1;
		if (!progress && w.b_rd && c->bssl && mbedtls_ssl_check_pending(c->bssl) &&
		    c->b2c_off >= c->b2c_len)
			progress = 1;
		if (!progress)
			break;
	}
	if (c->state == CS_DEAD)
		return;
	uint32_t ce = (w.c_rd ? EPOLLIN : 0) | (w.c_wr ? EPOLLOUT : 0);
	uint32_t be = (w.b_rd ? EPOLLIN : 0) | (w.b_wr ? EPOLLOUT : 0);
	if (progress) {
		/*
		 * Out of turns while both sides still move (a fast bulk transfer):
		 * yield to the other connections, and be called again at once
		 * (level-triggered: a writable socket reports straight away).
		 */
		ce = EPOLLIN | EPOLLOUT;
		be = c->bfd >= 0 ? EPOLLIN | EPOLLOUT : 0;
	}
	set_interest(rt, c->cfd, &c->ep_c, &c->cev, ce);
	set_interest(rt, c->bfd, &c->ep_b, &c->bev, be);
}

static void on_backend_connected(struct rt *rt, struct tls_conn *c)
{
	int err = 0;
	socklen_t el = sizeof(err);
	if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
		TLS_COUNT(BACKEND_CONNECT_FAIL);
		logf_("backend %s: connect: %s", c->backend->name, strerror(err ? err : errno));
		send_502(c);
		(void)mbedtls_ssl_close_notify(&c->ssl);
		conn_linger(rt, c);
		return;
	}
	if (c->backend->tls) {
		if (backend_tls_setup(c)) {
			TLS_COUNT(BACKEND_CONNECT_FAIL);
			conn_close(rt, c, 1);
			return;
		}
	} else {
		c->state = CS_RELAY;
	}
}

static void accept_one(struct rt *rt, unsigned li, int fd, const struct sockaddr_storage *ss)
{
	TLS_COUNT(CONN_ACCEPTED);
	uint8_t key[16] = {0};
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &a->sin_addr, 4);
	} else {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
	uint64_t now = now_ms();
	if (rt->active >= rt->gen->conf.max_conns) {
		TLS_COUNT(CONN_TABLE_FULL);
		close(fd);
		return;
	}
	if (!tls_rl_allow(&rt->rl, key, now)) {
		TLS_COUNT(CONN_RATE_LIMITED);
		close(fd);
		return;
	}
	struct tls_conn *c = malloc(sizeof(*c));
	if (!c) {
		TLS_COUNT(CONN_TABLE_FULL);
		close(fd);
		return;
	}
	memset(c, 0, offsetof(struct tls_conn, c2b));
	c->cfd = fd;
	c->bfd = -1;
	c->lidx = li;
	c->gen = tls_gen_get(rt->gen);
	struct sockaddr_storage local;
	memset(&local, 0, sizeof(local));
	socklen_t ll = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0)
		local.ss_family = ss->ss_family; /* addresses stay zero */
	if (ss->ss_family == AF_INET) {
		c->ipver = 4;
		memcpy(c->src, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		c->sport = ntohs(((const struct sockaddr_in *)ss)->sin_port);
		memcpy(c->dst, &((struct sockaddr_in *)&local)->sin_addr, 4);
		c->dport = ntohs(((struct sockaddr_in *)&local)->sin_port);
	} else {
		c->ipver = 6;
		memcpy(c->src, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		c->sport = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
		memcpy(c->dst, &((struct sockaddr_in6 *)&local)->sin6_addr, 16);
		c->dport = ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
	}
	mbedtls_ssl_init(&c->ssl);
	/* link first: conn_close unlinks */
	c->next = rt->conns;
	if (rt->conns)
		rt->conns->prev = c;
	rt->conns = c;
	rt->active++;
	tls_counters_global.v[TLS_C_CONN_ACTIVE] = rt->active;
	if (mbedtls_ssl_setup(&c->ssl, &c->gen->lst[li].conf) != 0) {
		conn_close(rt, c, 0);
		return;
	}
	mbedtls_ssl_set_user_data_p(&c->ssl, c);
	mbedtls_ssl_set_bio(&c->ssl, c, cli_send, cli_recv, NULL);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->ep_c.kind = EP_CLIENT;
	c->ep_c.c = c;
	c->cev = EPOLLIN;
	c->state = CS_HS;
	c->deadline_ms = now + (uint64_t)c->gen->conf.handshake_timeout_s * 1000u;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->ep_c};
	if (epoll_ctl(rt->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		conn_close(rt, c, 0);
}

static void on_listen(struct rt *rt, unsigned li)
{
	for (int n = 0; n < 64; n++) {
		struct sockaddr_storage ss;
		memset(&ss, 0, sizeof(ss));
		socklen_t sl = sizeof(ss);
		int fd =
		    accept4(rt->lfd[li], (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		accept_one(rt, li, fd, &ss);
	}
}

/* --- reload, stats, timers ---------------------------------------------- */

static const struct tls_gen_hooks *hooks(struct rt *rt)
{
	static struct tls_gen_hooks h;
	h.sni = sni_cb;
	h.ticket_write = rt->tickets ? ticket_write : NULL;
	h.ticket_parse = rt->tickets ? ticket_parse : NULL;
	h.ticket_ctx = &rt->ticket;
	h.rng = mbedtls_ctr_drbg_random;
	h.rng_ctx = &rt->drbg;
	return &h;
}

static int same_listeners(const struct tls_conf *a, const struct tls_conf *b)
{
	if (a->n_listeners != b->n_listeners)
		return 0;
	for (unsigned i = 0; i < a->n_listeners; i++)
		if (a->listener[i].salen != b->listener[i].salen ||
		    memcmp(&a->listener[i].sa, &b->listener[i].sa, a->listener[i].salen) != 0)
			return 0;
	return 1;
}

static void reload(struct rt *rt)
{
	static struct tls_conf conf;
	char err[512];
	int r = tls_conf_load(rt->o->conf_path, &conf, err, sizeof(err));
	if (!r && !same_listeners(&conf, &rt->conf_boot)) {
		snprintf(err, sizeof(err), "listen addresses changed: restart segw-tlsd for that");
		r = -EINVAL;
	}
	if (!r && (!!conf.ticket_rotate_s) != rt->tickets) {
		snprintf(err, sizeof(err), "ticket-rotate 0 <-> non-zero needs a restart");
		r = -EINVAL;
	}
	struct tls_gen *g = NULL;
	if (!r)
		r = tls_gen_load(&conf, hooks(rt), rt->gen_id + 1, &g, err, sizeof(err));
	if (r) {
		TLS_COUNT(RELOAD_FAILED);
		logf_("reload refused, generation %llu stays: %s", (unsigned long long)rt->gen_id,
		      err);
		return;
	}
	rt->gen_id++;
	tls_gen_put(rt->gen);
	rt->gen = g;
	tls_rl_init(&rt->rl, conf.rate_per_s, conf.rate_burst);
	TLS_COUNT(RELOAD_OK);
	tls_counters_global.v[TLS_C_GENERATION] = rt->gen_id;
	logf_("reloaded: generation %llu, %u sites, %u listeners", (unsigned long long)rt->gen_id,
	      conf.n_sites, conf.n_listeners);
}

static void write_stats(struct rt *rt)
{
	struct mallinfo2 mi = mallinfo2();
	tls_counters_global.v[TLS_C_MEM_HEAP] = (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
	if (rt->sx)
		(void)tls_counters_publish(rt->sx, &tls_counters_global);
	if (rt->gen && rt->gen->conf.stats_file[0]) {
		static int warned;
		int r = tls_counters_write_file(&tls_counters_global, rt->gen->conf.stats_file);
		if (r && !warned++)
			logf_("stats file %s: %s", rt->gen->conf.stats_file, strerror(-r));
	}
}

static void tick(struct rt *rt)
{
	uint64_t t;
	if (read(rt->tfd, &t, sizeof(t)) < 0 && errno != EAGAIN)
		logf_("timerfd: %s", strerror(errno));
	uint64_t now = now_ms();
	for (struct tls_conn *c = rt->conns, *n; c; c = n) {
		n = c->next;
		if (now < c->deadline_ms)
			continue;
		if (c->state == CS_HS)
			TLS_COUNT(CONN_HS_TIMEOUT);
		else if (c->state != CS_LINGER)
			TLS_COUNT(CONN_IDLE_TIMEOUT);
		conn_close(rt, c, c->state != CS_HS && c->state != CS_LINGER);
	}
	if (rt->tickets && now >= rt->next_rotate_ms) {
		rotate_ticket_key(rt);
		rt->next_rotate_ms = now + (uint64_t)rt->gen->conf.ticket_rotate_s * 1000u;
	}
	if (now >= rt->next_stats_ms) {
		write_stats(rt);
		rt->next_stats_ms = now + 1000;
	}
}

static void on_signal(struct rt *rt)
{
	struct signalfd_siginfo si;
	while (read(rt->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(rt);
		else if (si.ssi_signo == SIGUSR1)
			write_stats(rt);
		else
			rt->stop = 1;
	}
}

/* --- startup ------------------------------------------------------------ */

static int bind_listener(const struct tls_conf_listener *l)
{
	int fd = socket(l->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&l->sa, l->salen) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int setup(struct rt *rt)
{
	char err[512];
	int r = tls_conf_load(rt->o->conf_path, &rt->conf_boot, err, sizeof(err));
	if (r) {
		logf_("%s", err);
		return r;
	}
	psa_status_t ps = psa_crypto_init();
	if (ps != PSA_SUCCESS) {
		logf_("psa_crypto_init: %d", (int)ps);
		return -EIO;
	}
	static const char pers[] = "segw-tlsd";
	r = mbedtls_ctr_drbg_seed(&rt->drbg, mbedtls_entropy_func, &rt->entropy,
	                          (const unsigned char *)pers, sizeof(pers) - 1);
	if (r) {
		logf_("ctr_drbg_seed: -0x%04x", (unsigned)-r);
		return -EIO;
	}
	rt->tickets = rt->conf_boot.ticket_rotate_s != 0;
	if (rt->tickets) {
		r = mbedtls_ssl_ticket_setup(&rt->ticket, mbedtls_ctr_drbg_random, &rt->drbg,
		                             MBEDTLS_CIPHER_AES_256_GCM,
		                             rt->conf_boot.ticket_rotate_s * 2);
		if (r) {
			logf_("ticket setup: -0x%04x", (unsigned)-r);
			return -EIO;
		}
	}
	r = tls_gen_load(&rt->conf_boot, hooks(rt), 1, &rt->gen, err, sizeof(err));
	if (r) {
		logf_("%s", err);
		return r;
	}
	rt->gen_id = 1;
	tls_counters_global.v[TLS_C_GENERATION] = 1;
	tls_rl_init(&rt->rl, rt->conf_boot.rate_per_s, rt->conf_boot.rate_burst);
	if (rt->o->check_only) {
		printf("segw-tlsd: configuration OK: %u listeners, %u sites, policy %s\n",
		       rt->conf_boot.n_listeners, rt->conf_boot.n_sites, rt->conf_boot.policy);
		return 1;
	}
	rt->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (rt->epfd < 0)
		return -errno;
	for (unsigned i = 0; i < rt->conf_boot.n_listeners; i++) {
		int fd = bind_listener(&rt->conf_boot.listener[i]);
		if (fd < 0) {
			logf_("listener %u: %s", i + 1, strerror(-fd));
			return fd;
		}
		rt->lfd[i] = fd;
		rt->n_lfd = i + 1;
		rt->ep_l[i].kind = EP_LISTEN;
		rt->ep_l[i].idx = (uint8_t)i;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &rt->ep_l[i]};
		if (epoll_ctl(rt->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			return -errno;
	}
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	rt->sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	rt->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (rt->sfd < 0 || rt->tfd < 0)
		return -errno;
	struct itimerspec it = {.it_interval = {0, TICK_MS * 1000000L},
	                        .it_value = {0, TICK_MS * 1000000L}};
	timerfd_settime(rt->tfd, 0, &it, NULL);
	rt->ep_sig.kind = EP_SIGNAL;
	rt->ep_tim.kind = EP_TIMER;
	struct epoll_event e1 = {.events = EPOLLIN, .data.ptr = &rt->ep_sig};
	struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = &rt->ep_tim};
	if (epoll_ctl(rt->epfd, EPOLL_CTL_ADD, rt->sfd, &e1) ||
	    epoll_ctl(rt->epfd, EPOLL_CTL_ADD, rt->tfd, &e2))
		return -errno;

	if (strcmp(rt->conf_boot.stats_dir, "off") != 0) {
		r = tls_counters_export_open(
		    &rt->sx, rt->conf_boot.stats_dir[0] ? rt->conf_boot.stats_dir : NULL);
		if (r)
			logf_("shared counters segment: %s (counters stay in the stats file)",
			      strerror(-r));
	}

	/* Bound and loaded: give up privileges before the first byte from outside. */
	r = tls_privdrop(rt->conf_boot.user);
	if (r) {
		logf_("dropping privileges to '%s' failed: %s", rt->conf_boot.user, strerror(-r));
		return r;
	}
	TLS_COUNT(PRIV_DROPPED);
	if (rt->o->self_check_privs) {
		int left = tls_privcheck();
		logf_("privileges: uid=%u raw_socket=%s nftables=%s", (unsigned)geteuid(),
		      (left & 1) ? "ALLOWED" : "denied", (left & 2) ? "ALLOWED" : "denied");
	}
	if (rt->tickets) {
		rotate_ticket_key(rt);
		rt->next_rotate_ms = now_ms() + (uint64_t)rt->conf_boot.ticket_rotate_s * 1000u;
	}
	logf_("serving: %u listeners, %u sites, max %u connections, %zu bytes per connection "
	      "state + mbedtls record buffers",
	      rt->conf_boot.n_listeners, rt->conf_boot.n_sites, rt->conf_boot.max_conns,
	      sizeof(struct tls_conn));
	return 0;
}

static void teardown(struct rt *rt)
{
	while (rt->conns)
		conn_close(rt, rt->conns, 1);
	reap(rt);
	write_stats(rt);
	sx_close(rt->sx, 0);
	rt->sx = NULL;
	for (unsigned i = 0; i < rt->n_lfd; i++)
		close(rt->lfd[i]);
	if (rt->epfd > 0)
		close(rt->epfd);
	if (rt->sfd > 0)
		close(rt->sfd);
	if (rt->tfd > 0)
		close(rt->tfd);
	tls_gen_put(rt->gen);
	if (rt->tickets)
		mbedtls_ssl_ticket_free(&rt->ticket);
	mbedtls_ctr_drbg_free(&rt->drbg);
	mbedtls_entropy_free(&rt->entropy);
	mbedtls_psa_crypto_free();
}

int tls_proxy_run(const struct tls_proxy_opts *o)
{
	struct rt *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->o = o;
	rt->epfd = rt->sfd = rt->tfd = -1;
	mbedtls_entropy_init(&rt->entropy);
	mbedtls_ctr_drbg_init(&rt->drbg);
	mbedtls_ssl_ticket_init(&rt->ticket);
	int r = setup(rt);
	if (r) {
		teardown(rt);
		free(rt);
		return r > 0 ? 0 : r;
	}
	struct epoll_event ev[MAX_EVENTS];
	while (!rt->stop) {
		int n = epoll_wait(rt->epfd, ev, MAX_EVENTS, 1000);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logf_("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct ep *e = ev[i].data.ptr;
			switch (e->kind) {
			case EP_LISTEN:
				on_listen(rt, e->idx);
				break;
			case EP_SIGNAL:
				on_signal(rt);
				break;
			case EP_TIMER:
				tick(rt);
				break;
			case EP_CLIENT:
			case EP_BACKEND: {
				struct tls_conn *c = e->c;
				if (c->state == CS_DEAD)
					break;
				if (c->state == CS_LINGER) {
					if (e->kind == EP_CLIENT)
						linger_read(rt, c);
					break;
				}
				if (e->kind == EP_BACKEND && c->state == CS_CONNECT) {
					on_backend_connected(rt, c);
					if (c->state == CS_DEAD)
						break;
				}
				drive(rt, c);
				break;
			}
			default:
				break;
			}
		}
		reap(rt);
	}
	logf_("stopping");
	teardown(rt);
	free(rt);
	return 0;
}
