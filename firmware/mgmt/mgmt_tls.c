// SPDX-License-Identifier: GPL-2.0-or-later
/* mgmt_tls: the management-plane listener. See mgmt_tls.h. */
#include "mgmt/mgmt_tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "mgmt/bundle.h"

enum cst { C_FREE = 0, C_HS, C_READ, C_WRITE, C_CLOSE };

struct conn {
	enum cst st;
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	uint64_t deadline;
	int want_write;
	uint8_t *buf;
	size_t len, cap, need; /* need: header + body bytes once the header is known */
	size_t hdr;            /* bytes of the header line incl. "\n", 0 until seen */
	char reply[1024];
	size_t rlen, roff;
	char peer[128];
};

struct mgmt_tls {
	mbedtls_net_context lis;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt srv, ca, pin;
	int have_pin;
	mbedtls_pk_context key;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	struct conn c[MGMT_TLS_MAX_CONNS];
	struct mgmt_tls_counters n;
	int port;
};

static void conn_end(struct conn *c)
{
	mbedtls_ssl_free(&c->ssl);
	mbedtls_net_free(&c->net);
	free(c->buf);
	memset(c, 0, sizeof(*c));
	c->st = C_FREE;
}

static int split_listen(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= hn)
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = 0;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= hn || colon == s)
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	if (!colon[1] || strlen(colon + 1) >= pn || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -EINVAL;
	snprintf(port, pn, "%s", colon + 1);
	return 0;
}

int mgmt_tls_open(struct mgmt_tls **out, const char *dir, const char *listen, char *err,
		  size_t errlen)
{
	struct mgmt_tls *t = calloc(1, sizeof(*t));
	char path[4096], host[128], port[16];
	int rc = -ENOENT;
	if (!t)
		return -ENOMEM;
	mbedtls_net_init(&t->lis);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->srv);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->pin);
	mbedtls_pk_init(&t->key);
	mbedtls_entropy_init(&t->ent);
	mbedtls_ctr_drbg_init(&t->drbg);
	if (psa_crypto_init() != PSA_SUCCESS ||
	    mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->ent,
				  (const unsigned char *)"segw-mgmt", 9) != 0) {
		snprintf(err, errlen, "cannot seed the random generator");
		rc = -EIO;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	if (mbedtls_x509_crt_parse_file(&t->srv, path) != 0) {
		snprintf(err, errlen, "%s: missing or not a certificate", path);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/server.key", dir);
	if (mbedtls_pk_parse_keyfile(&t->key, path, NULL, mbedtls_ctr_drbg_random, &t->drbg) != 0) {
		snprintf(err, errlen, "%s: missing or not a private key", path);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	if (mbedtls_x509_crt_parse_file(&t->ca, path) != 0) {
		snprintf(err, errlen, "%s: missing or not a certificate", path);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/client.crt", dir);
	FILE *f = fopen(path, "r");
	if (f) {
		fclose(f);
		if (mbedtls_x509_crt_parse_file(&t->pin, path) != 0) {
			snprintf(err, errlen, "%s: not a certificate", path);
			goto fail;
		}
		t->have_pin = 1;
	}
	if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
	    mbedtls_ssl_conf_own_cert(&t->conf, &t->srv, &t->key) != 0) {
		snprintf(err, errlen, "TLS configuration refused the server certificate/key");
		rc = -EINVAL;
		goto fail;
	}
	mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	if (split_listen(listen, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "%s: expected ADDR:PORT", listen);
		rc = -EINVAL;
		goto fail;
	}
	if (mbedtls_net_bind(&t->lis, host, port, MBEDTLS_NET_PROTO_TCP) != 0 ||
	    mbedtls_net_set_nonblock(&t->lis) != 0) {
		snprintf(err, errlen, "cannot listen on %s", listen);
		rc = -EADDRINUSE;
		goto fail;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(t->lis.fd, (struct sockaddr *)&ss, &sl) == 0)
		t->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	*out = t;
	return 0;
fail:
	mgmt_tls_close(t);
	return rc;
}

void mgmt_tls_close(struct mgmt_tls *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < MGMT_TLS_MAX_CONNS; i++)
		if (t->c[i].st != C_FREE)
			conn_end(&t->c[i]);
	mbedtls_net_free(&t->lis);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->srv);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_x509_crt_free(&t->pin);
	mbedtls_pk_free(&t->key);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->ent);
	free(t);
}

int mgmt_tls_port(const struct mgmt_tls *t)
{
	return t->port;
}

void mgmt_tls_counters(const struct mgmt_tls *t, struct mgmt_tls_counters *out)
{
	*out = t->n;
}

unsigned mgmt_tls_pollfds(struct mgmt_tls *t, struct pollfd *p, unsigned max)
{
	unsigned k = 0;
	if (k < max)
		p[k++] = (struct pollfd){ .fd = t->lis.fd, .events = POLLIN };
	for (unsigned i = 0; i < MGMT_TLS_MAX_CONNS && k < max; i++)
		if (t->c[i].st != C_FREE)
			p[k++] = (struct pollfd){ .fd = t->c[i].net.fd,
						  .events = t->c[i].want_write ? POLLOUT : POLLIN };
	return k;
}

static int again(int r)
{
	return r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE ||
	       r == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || r == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS;
}

static void set_reply(struct conn *c, const char *s)
{
	size_t n = strlen(s);
	if (n > sizeof(c->reply) - 2)
		n = sizeof(c->reply) - 2;
	memcpy(c->reply, s, n);
	if (!n || c->reply[n - 1] != '\n')
		c->reply[n++] = '\n';
	c->rlen = n;
	c->roff = 0;
	c->st = C_WRITE;
}

static void accept_new(struct mgmt_tls *t, uint64_t now)
{
	for (int k = 0; k < 16; k++) {
		mbedtls_net_context nc;
		mbedtls_net_init(&nc);
		int r = mbedtls_net_accept(&t->lis, &nc, NULL, 0, NULL);
		if (r != 0)
			return;
		struct conn *c = NULL;
		for (unsigned i = 0; i < MGMT_TLS_MAX_CONNS; i++)
			if (t->c[i].st == C_FREE) {
				c = &t->c[i];
				break;
			}
		if (!c || mbedtls_net_set_nonblock(&nc) != 0) {
			t->n.refused_busy++;
			mbedtls_net_free(&nc);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->net = nc;
		mbedtls_ssl_init(&c->ssl);
		if (mbedtls_ssl_setup(&c->ssl, &t->conf) != 0) {
			t->n.refused_busy++;
			conn_end(c);
			continue;
		}
		mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, mbedtls_net_recv, NULL);
		c->deadline = now + MGMT_TLS_CONN_MS;
		c->st = C_HS;
		t->n.accepted++;
	}
}

/* After the handshake: the client certificate must be the pinned one. */
static int peer_ok(struct mgmt_tls *t, struct conn *c)
{
	const mbedtls_x509_crt *p = mbedtls_ssl_get_peer_cert(&c->ssl);
	if (!p)
		return 0;
	if (t->have_pin && (p->raw.len != t->pin.raw.len ||
			    memcmp(p->raw.p, t->pin.raw.p, p->raw.len) != 0))
		return 0;
	if (mbedtls_x509_dn_gets(c->peer, sizeof(c->peer), &p->subject) < 0)
		snprintf(c->peer, sizeof(c->peer), "?");
	return 1;
}

/* Parse the request line once complete; 0 more to read, 1 done (reply set). */
static int parse_header(struct mgmt_tls *t, struct conn *c)
{
	uint8_t *nl = memchr(c->buf, '\n', c->len);
	if (!nl) {
		if (c->len >= MGMT_TLS_LINE_MAX) {
			t->n.bad_request++;
			set_reply(c, "rejected version=0 reason=\"request line too long\"");
			return 1;
		}
		return 0;
	}
	c->hdr = (size_t)(nl - c->buf) + 1;
	*nl = 0;
	const char *line = (const char *)c->buf;
	char *end = NULL;
	unsigned long long n = 0;
	if (strncmp(line, "PUSH ", 5) == 0 && line[5] >= '0' && line[5] <= '9') {
		errno = 0;
		n = strtoull(line + 5, &end, 10);
		if (errno || *end) {
			t->n.bad_request++;
			set_reply(c, "rejected version=0 reason=\"PUSH needs a byte count\"");
			return 1;
		}
	}
	if (end) {
		if (n > BUNDLE_MAX) {
			t->n.too_large++;
			set_reply(c, "rejected version=0 reason=\"bundle larger than the limit (1 MiB)\"");
			return 1;
		}
		c->need = c->hdr + (size_t)n;
		return 0;
	}
	c->need = c->hdr;
	return 0;
}

static void step_conn(struct mgmt_tls *t, struct conn *c, uint64_t now, mgmt_tls_handler fn,
		      void *ctx)
{
	int r;
	if (now >= c->deadline) {
		t->n.timeouts++;
		conn_end(c);
		return;
	}
	c->want_write = 0;
	if (c->st == C_HS) {
		r = mbedtls_ssl_handshake(&c->ssl);
		if (again(r)) {
			c->want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
			return;
		}
		if (r != 0) {
			t->n.handshake_failed++;
			conn_end(c);
			return;
		}
		if (!peer_ok(t, c)) {
			t->n.peer_rejected++;
			conn_end(c);
			return;
		}
		c->st = C_READ;
	}
	while (c->st == C_READ) {
		if (c->len == c->cap) {
			size_t want = c->need ? c->need : MGMT_TLS_LINE_MAX;
			if (want <= c->cap)
				want = c->cap + 4096;
			uint8_t *nb = realloc(c->buf, want);
			if (!nb) {
				conn_end(c);
				return;
			}
			c->buf = nb;
			c->cap = want;
		}
		size_t room = (c->need ? c->need : c->cap) - c->len;
		if (room > c->cap - c->len)
			room = c->cap - c->len;
		r = mbedtls_ssl_read(&c->ssl, c->buf + c->len, room);
		if (again(r)) {
			c->want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
			return;
		}
		if (r <= 0) { /* closed or failed before the request was complete */
			t->n.cut++;
			conn_end(c);
			return;
		}
		c->len += (size_t)r;
		if (!c->hdr && parse_header(t, c))
			break;
		if (c->hdr && c->len >= c->need) {
			char reply[1024];
			reply[0] = 0;
			fn(ctx, c->peer, (const char *)c->buf, c->need > c->hdr ? c->buf + c->hdr : NULL,
			   c->need - c->hdr, reply, sizeof(reply));
			t->n.served++;
			set_reply(c, reply);
		}
	}
	if (c->st == C_WRITE) {
		while (c->roff < c->rlen) {
			r = mbedtls_ssl_write(&c->ssl, (const unsigned char *)c->reply + c->roff,
					      c->rlen - c->roff);
			if (again(r)) {
				c->want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
				return;
			}
			if (r <= 0) {
				conn_end(c);
				return;
			}
			c->roff += (size_t)r;
		}
		c->st = C_CLOSE;
	}
	if (c->st == C_CLOSE) {
		r = mbedtls_ssl_close_notify(&c->ssl);
		if (again(r)) {
			c->want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
			return;
		}
		conn_end(c);
	}
}

void mgmt_tls_step(struct mgmt_tls *t, uint64_t now_ms, mgmt_tls_handler fn, void *ctx)
{
	accept_new(t, now_ms);
	for (unsigned i = 0; i < MGMT_TLS_MAX_CONNS; i++)
		if (t->c[i].st != C_FREE)
			step_conn(t, &t->c[i], now_ms, fn, ctx);
}
