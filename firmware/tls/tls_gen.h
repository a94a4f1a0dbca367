/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_gen: one generation of the terminator's key material and rules: the
 * parsed configuration, every site's certificate chain and private key, each
 * listener's mbedtls server configuration (profile, client CA set and CRLs),
 * the backend client configurations and the compiled segw policy.
 *
 * A reload builds a new generation beside the running one; new connections
 * take the newest, established ones keep a reference to theirs, which is
 * freed when the last of them closes. A generation that fails to load is
 * never used (the running one stays).
 *
 * Owner:      tls_gen_load returns a generation with one reference (the
 *             caller's); tls_gen_get/tls_gen_put count references.
 * Thread:     the event loop only (references are plain counters).
 * Allocation: load allocates everything; nothing after.
 * Errors:     -EINVAL/-ENOENT/-ENOMEM with a message in @err naming the file.
 */
#ifndef SEGW_TLS_GEN_H
#define SEGW_TLS_GEN_H

#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>
#include <stdint.h>

#include "policy/policy.h"
#include "tls/tls_conf.h"

struct tls_gen;

struct tls_site_rt {
	const struct tls_conf_site *c;
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
	int32_t backend; /* policy backend index for `allow`, -1 none */
};

struct tls_lst_rt {
	const struct tls_conf_listener *c;
	struct tls_gen *gen;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_x509_crl crl;
	int suites[TLS_S__COUNT + 1];
	uint8_t czone, szone;
};

struct tls_gen {
	unsigned refs;
	uint64_t id;
	struct tls_conf conf;
	struct policy *policy;
	unsigned n_sites;
	struct tls_site_rt site[TLS_MAX_SITES];
	struct tls_site_rt *default_site;
	struct tls_lst_rt lst[TLS_MAX_LISTENERS];
	mbedtls_x509_crt backend_ca;
	mbedtls_ssl_config bconf_verify, bconf_noverify;
};

/* What the runtime plugs into every server configuration. */
struct tls_gen_hooks {
	int (*sni)(void *lst_rt, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len);
	mbedtls_ssl_ticket_write_t *ticket_write; /* NULL: no tickets */
	mbedtls_ssl_ticket_parse_t *ticket_parse;
	void *ticket_ctx;
	int (*rng)(void *, unsigned char *, size_t);
	void *rng_ctx;
};

int tls_gen_load(const struct tls_conf *conf, const struct tls_gen_hooks *h, uint64_t id,
                 struct tls_gen **out, char *err, size_t errlen);
struct tls_gen *tls_gen_get(struct tls_gen *g);
void tls_gen_put(struct tls_gen *g);

/* tls_gen_site - the site serving @sni (NULL: the default site), or NULL. */
struct tls_site_rt *tls_gen_site(struct tls_gen *g, const char *sni);

/* tls_suite_of_id - enum tls_suite of an IANA ciphersuite id, -1 if none. */
int tls_suite_of_id(int id);

#endif
