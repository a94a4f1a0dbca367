// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_tls: hostile bytes into the server side of segw-tlsd.
 *
 * First byte even: the rest is what a client sends on a fresh connection to
 * a listener configured exactly as segw-tlsd configures one (tls_gen_load:
 * the locked profile, SNI routing, optional client certificates with a CA
 * and a CRL, session tickets), records consumed until the handshake needs
 * bytes that are not there; a finished handshake then has its first
 * application data fed to the HTTP head parser, as the proxy does.
 * First byte odd: the rest goes straight to tls_http_parse().
 *
 * The key, certificate, CRL, configuration and policy are made at start-up
 * in a temporary folder (no key material in the repository).
 */
#include <errno.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls/tls_conf.h"
#include "tls/tls_gen.h"
#include "tls/tls_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_tls: %s:%d: %s\n", __FILE__, __LINE__, #c);          \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_ssl_ticket_context ticket;
static struct tls_gen *gen;
static struct tls_conf conf;

struct feed {
	const uint8_t *p;
	size_t n;
};

static int f_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct feed *f = ctx;
	if (f->n == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	size_t k = len < f->n ? len : f->n;
	memcpy(buf, f->p, k);
	f->p += k;
	f->n -= k;
	return (int)k;
}

static int f_send(void *ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (int)len;
}

static int sni(void *lst, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
	struct tls_lst_rt *l = lst;
	char n[256];
	if (len == 0 || len >= sizeof(n))
		return -1;
	memcpy(n, name, len);
	n[len] = 0;
	struct tls_site_rt *s = tls_gen_site(l->gen, n);
	return s ? mbedtls_ssl_set_hs_own_cert(ssl, &s->chain, &s->key) : -1;
}

static void put(const char *dir, const char *name, const unsigned char *buf, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f);
	CHECK(fwrite(buf, 1, n, f) == n);
	fclose(f);
}

static void setup(void)
{
	CHECK(psa_crypto_init() == PSA_SUCCESS);
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	CHECK(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	                            (const unsigned char *)"fuzz", 4) == 0);
	mbedtls_ssl_ticket_init(&ticket);
	CHECK(mbedtls_ssl_ticket_setup(&ticket, mbedtls_ctr_drbg_random, &drbg,
	                               MBEDTLS_CIPHER_AES_256_GCM, 3600) == 0);

	char dir[] = "/tmp/fuzz_tls.XXXXXX";
	CHECK(mkdtemp(dir));
	/* An ECDSA P-256 key and a self-signed certificate for fuzz.example. */
	mbedtls_pk_context key;
	mbedtls_pk_init(&key);
	CHECK(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
	CHECK(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
	                          mbedtls_ctr_drbg_random, &drbg) == 0);
	unsigned char pem[4096];
	CHECK(mbedtls_pk_write_key_pem(&key, pem, sizeof(pem)) == 0);
	put(dir, "key.pem", pem, strlen((char *)pem));
	mbedtls_x509write_cert w;
	mbedtls_x509write_crt_init(&w);
	mbedtls_x509write_crt_set_subject_key(&w, &key);
	mbedtls_x509write_crt_set_issuer_key(&w, &key);
	CHECK(mbedtls_x509write_crt_set_subject_name(&w, "CN=fuzz.example") == 0);
	CHECK(mbedtls_x509write_crt_set_issuer_name(&w, "CN=fuzz.example") == 0);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	unsigned char serial[1] = {1};
	CHECK(mbedtls_x509write_crt_set_serial_raw(&w, serial, 1) == 0);
	CHECK(mbedtls_x509write_crt_set_validity(&w, "20200101000000", "20991231235959") == 0);
	CHECK(mbedtls_x509write_crt_set_basic_constraints(&w, 1, -1) == 0);
	CHECK(mbedtls_x509write_crt_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random, &drbg) == 0);
	put(dir, "cert.pem", pem, strlen((char *)pem));
	mbedtls_x509write_crt_free(&w);
	mbedtls_pk_free(&key);
	const char pol[] = "backend web 127.0.0.1:9\nrule 1 allow\n";
	put(dir, "policy", (const unsigned char *)pol, sizeof(pol) - 1);
	char text[2048];
	snprintf(text, sizeof(text),
	         "listen 127.0.0.1:1 client-auth optional ca %s/cert.pem\n"
	         "site fuzz.example cert %s/cert.pem key %s/key.pem backend web default\n"
	         "site *.fuzz.example cert %s/cert.pem key %s/key.pem backend web\n"
	         "policy %s/policy\n",
	         dir, dir, dir, dir, dir, dir);
	char err[512];
	CHECK(tls_conf_parse("fuzz.conf", text, strlen(text), &conf, err, sizeof(err)) == 0);
	struct tls_gen_hooks h = {
	    .sni = sni,
	    .ticket_write = mbedtls_ssl_ticket_write,
	    .ticket_parse = mbedtls_ssl_ticket_parse,
	    .ticket_ctx = &ticket,
	    .rng = mbedtls_ctr_drbg_random,
	    .rng_ctx = &drbg,
	};
	int r = tls_gen_load(&conf, &h, 1, &gen, err, sizeof(err));
	if (r)
		fprintf(stderr, "fuzz_tls: %s\n", err);
	CHECK(r == 0);
	for (const char *f = "key.pem\0cert.pem\0policy\0"; *f; f += strlen(f) + 1) {
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, f);
		unlink(p);
	}
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct tls_http_req req;
		int r = tls_http_parse((const char *)data + 1, size - 1, &req);
		CHECK(r == 1 || r == 0 || r == -EBADMSG || r == -EINVAL);
		if (r == 1) {
			CHECK(req.head_len <= size - 1);
			CHECK(strlen(req.host) < sizeof(req.host));
			CHECK(req.method[0] != 0);
		}
		return 0;
	}
	mbedtls_ssl_context ssl;
	mbedtls_ssl_init(&ssl);
	CHECK(mbedtls_ssl_setup(&ssl, &gen->lst[0].conf) == 0);
	struct feed f = {data + 1, size - 1};
	mbedtls_ssl_set_bio(&ssl, &f, f_send, f_recv, NULL);
	int r;
	for (int i = 0; i < 64; i++) {
		r = mbedtls_ssl_handshake(&ssl);
		if (r != MBEDTLS_ERR_SSL_WANT_WRITE && !(r == MBEDTLS_ERR_SSL_WANT_READ && f.n))
			break;
	}
	if (r == 0) {
		unsigned char buf[4096];
		int n = mbedtls_ssl_read(&ssl, buf, sizeof(buf));
		if (n > 0) {
			struct tls_http_req req;
			(void)tls_http_parse((const char *)buf, (size_t)n, &req);
		}
	}
	mbedtls_ssl_free(&ssl);
	return 0;
}
