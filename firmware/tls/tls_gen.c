// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_gen: load certificates, keys, CAs, CRLs and policy into one generation. */
#include "tls/tls_gen.h"

#include <errno.h>
#include <mbedtls/error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int suite_ids[TLS_S__COUNT] = {
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

/* Server preference: AES-128-GCM first (AES-NI), then AES-256-GCM, ChaCha20. */
static const uint8_t suite_order[TLS_S__COUNT] = {
    TLS_S13_AES128_GCM,       TLS_S13_AES256_GCM,       TLS_S13_CHACHA,
    TLS_S12_ECDSA_AES128_GCM, TLS_S12_ECDSA_AES256_GCM, TLS_S12_ECDSA_CHACHA,
    TLS_S12_RSA_AES128_GCM,   TLS_S12_RSA_AES256_GCM,   TLS_S12_RSA_CHACHA,
};

static const uint16_t groups[] = {
    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};

static const uint16_t sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_NONE,
};

/* The backend side: same profile, client role. */
static int backend_suites[TLS_S__COUNT + 1];

int tls_suite_of_id(int id)
{
	for (int i = 0; i < TLS_S__COUNT; i++)
		if (suite_ids[i] == id)
			return i;
	return -1;
}

static int mb_fail(char *err, size_t errlen, const char *what, const char *file, int r)
{
	char m[128];
	mbedtls_strerror(r, m, sizeof(m));
	snprintf(err, errlen, "%s %s: %s (-0x%04x)", what, file, m, (unsigned)-r);
	return -EINVAL;
}

struct tls_gen *tls_gen_get(struct tls_gen *g)
{
	g->refs++;
	return g;
}

static void gen_free(struct tls_gen *g)
{
	for (unsigned i = 0; i < TLS_MAX_SITES; i++) {
		mbedtls_x509_crt_free(&g->site[i].chain);
		mbedtls_pk_free(&g->site[i].key);
	}
	for (unsigned i = 0; i < TLS_MAX_LISTENERS; i++) {
		mbedtls_ssl_config_free(&g->lst[i].conf);
		mbedtls_x509_crt_free(&g->lst[i].ca);
		mbedtls_x509_crl_free(&g->lst[i].crl);
	}
	mbedtls_x509_crt_free(&g->backend_ca);
	mbedtls_ssl_config_free(&g->bconf_verify);
	mbedtls_ssl_config_free(&g->bconf_noverify);
	if (g->policy)
		policy_free(g->policy);
	free(g);
}

void tls_gen_put(struct tls_gen *g)
{
	if (g && --g->refs == 0)
		gen_free(g);
}

struct tls_site_rt *tls_gen_site(struct tls_gen *g, const char *sni)
{
	if (!sni)
		return g->default_site;
	/* Exact names first, then the longest matching wildcard. */
	struct tls_site_rt *best = NULL;
	size_t best_len = 0;
	for (unsigned i = 0; i < g->n_sites; i++) {
		const char *n = g->site[i].c->name;
		if (!tls_site_matches(n, sni))
			continue;
		if (n[0] != '*')
			return &g->site[i];
		if (strlen(n) > best_len) {
			best = &g->site[i];
			best_len = strlen(n);
		}
	}
	return best;
}

static int load_policy(struct tls_gen *g, char *err, size_t errlen)
{
	const char *path = g->conf.policy;
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "policy %s: %s", path, strerror(e));
		return -e;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (64u << 20)) {
			free(buf);
			buf = NULL;
			break;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int ferr = ferror(f);
	fclose(f);
	if (!buf || ferr) {
		free(buf);
		snprintf(err, errlen, "policy %s: unreadable or too large", path);
		return -EINVAL;
	}
	int r = policy_parse(path, buf, n, &g->policy, err, errlen, 4);
	free(buf);
	if (r)
		return r;
	r = policy_compile(g->policy);
	if (r)
		snprintf(err, errlen, "policy %s: compile failed (%d)", path, r);
	return r;
}

static int backend_index(const struct policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->n_backends; i++)
		if (!strcmp(p->backends[i].name, name))
			return (int)i;
	return -1;
}

static int zone_of(const struct policy *p, const char *name, uint8_t *out, char *err, size_t errlen)
{
	*out = 0;
	if (!name[0])
		return 0;
	int z = policy_zone_index(p, name);
	if (z < 0) {
		snprintf(err, errlen, "zone '%s' is not defined in the policy", name);
		return -EINVAL;
	}
	*out = (uint8_t)z;
	return 0;
}

static int setup_listener(struct tls_gen *g, unsigned i, const struct tls_gen_hooks *h, char *err,
                          size_t errlen)
{
	struct tls_lst_rt *l = &g->lst[i];
	const struct tls_conf_listener *lc = &g->conf.listener[i];
	l->c = lc;
	l->gen = g;
	int r =
	    mbedtls_ssl_config_defaults(&l->conf, MBEDTLS_SSL_IS_SERVER,
	                                MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r)
		return mb_fail(err, errlen, "listener", "config", r);
	unsigned n = 0, has13 = 0, has12 = 0;
	for (unsigned k = 0; k < TLS_S__COUNT; k++) {
		unsigned s = suite_order[k];
		if (!(lc->suites_mask & (1u << s)))
			continue;
		if (s <= TLS_S13_CHACHA)
			has13 = 1;
		else
			has12 = 1;
		l->suites[n++] = suite_ids[s];
	}
	l->suites[n] = 0;
	mbedtls_ssl_conf_ciphersuites(&l->conf, l->suites);
	mbedtls_ssl_conf_min_tls_version(&l->conf, (lc->min_version == 0x0304 || !has12)
	                                               ? MBEDTLS_SSL_VERSION_TLS1_3
	                                               : MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_max_tls_version(&l->conf, has13 ? MBEDTLS_SSL_VERSION_TLS1_3
	                                                 : MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_groups(&l->conf, groups);
	mbedtls_ssl_conf_sig_algs(&l->conf, sig_algs);
	mbedtls_ssl_conf_rng(&l->conf, h->rng, h->rng_ctx);
	mbedtls_ssl_conf_renegotiation(&l->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_legacy_renegotiation(&l->conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
	mbedtls_ssl_conf_tls13_key_exchange_modes(
	    &l->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL |
	                  MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
	mbedtls_ssl_conf_preference_order(&l->conf, MBEDTLS_SSL_SRV_CIPHERSUITE_ORDER_SERVER);
	mbedtls_ssl_conf_sni(&l->conf, h->sni, l);
	if (h->ticket_write) {
		mbedtls_ssl_conf_session_tickets_cb(&l->conf, h->ticket_write, h->ticket_parse,
		                                    h->ticket_ctx);
		mbedtls_ssl_conf_new_session_tickets(&l->conf, 1);
	} else {
		mbedtls_ssl_conf_new_session_tickets(&l->conf, 0);
	}
	if (g->default_site) {
		r = mbedtls_ssl_conf_own_cert(&l->conf, &g->default_site->chain,
		                              &g->default_site->key);
		if (r)
			return mb_fail(err, errlen, "site", g->default_site->c->name, r);
	}
	/*
	 * `required` is enforced after the handshake (tls_proxy): a TLS 1.3
	 * alert sent by mbedtls while verifying the client's flight goes out
	 * under the handshake keys, which the client has already left, so it
	 * would read "bad record mac" instead of the reason.
	 */
	mbedtls_ssl_conf_authmode(&l->conf, lc->client_auth == TLS_AUTH_NONE
	                                        ? MBEDTLS_SSL_VERIFY_NONE
	                                        : MBEDTLS_SSL_VERIFY_OPTIONAL);
	if (lc->ca[0]) {
		r = mbedtls_x509_crt_parse_file(&l->ca, lc->ca);
		if (r)
			return mb_fail(err, errlen, "ca", lc->ca, r);
		if (lc->crl[0]) {
			r = mbedtls_x509_crl_parse_file(&l->crl, lc->crl);
			if (r)
				return mb_fail(err, errlen, "crl", lc->crl, r);
		}
		mbedtls_ssl_conf_ca_chain(&l->conf, &l->ca, lc->crl[0] ? &l->crl : NULL);
	}
	if (zone_of(g->policy, lc->zone, &l->czone, err, errlen) ||
	    zone_of(g->policy, lc->to_zone, &l->szone, err, errlen))
		return -EINVAL;
	return 0;
}

static int setup_backend_conf(struct tls_gen *g, mbedtls_ssl_config *c, int verify,
                              const struct tls_gen_hooks *h, char *err, size_t errlen)
{
	int r = mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
	                                    MBEDTLS_SSL_PRESET_DEFAULT);
	if (r)
		return mb_fail(err, errlen, "backend", "config", r);
	if (!backend_suites[0]) {
		for (unsigned k = 0; k < TLS_S__COUNT; k++)
			backend_suites[k] = suite_ids[suite_order[k]];
		backend_suites[TLS_S__COUNT] = 0;
	}
	mbedtls_ssl_conf_ciphersuites(c, backend_suites);
	mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_groups(c, groups);
	mbedtls_ssl_conf_sig_algs(c, sig_algs);
	mbedtls_ssl_conf_rng(c, h->rng, h->rng_ctx);
	mbedtls_ssl_conf_renegotiation(c, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_session_tickets(c, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
	if (verify) {
		if (!g->conf.backend_ca[0]) {
			/* Configured only when a backend asks for it (checked by the caller). */
			mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
			return 0;
		}
		mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
		mbedtls_ssl_conf_ca_chain(c, &g->backend_ca, NULL);
	} else {
		mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_NONE);
	}
	return 0;
}

int tls_gen_load(const struct tls_conf *conf, const struct tls_gen_hooks *h, uint64_t id,
                 struct tls_gen **out, char *err, size_t errlen)
{
	*out = NULL;
	struct tls_gen *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->refs = 1;
	g->id = id;
	memcpy(&g->conf, conf, sizeof(*conf));
	for (unsigned i = 0; i < TLS_MAX_SITES; i++) {
		mbedtls_x509_crt_init(&g->site[i].chain);
		mbedtls_pk_init(&g->site[i].key);
	}
	for (unsigned i = 0; i < TLS_MAX_LISTENERS; i++) {
		mbedtls_ssl_config_init(&g->lst[i].conf);
		mbedtls_x509_crt_init(&g->lst[i].ca);
		mbedtls_x509_crl_init(&g->lst[i].crl);
	}
	mbedtls_x509_crt_init(&g->backend_ca);
	mbedtls_ssl_config_init(&g->bconf_verify);
	mbedtls_ssl_config_init(&g->bconf_noverify);

	int r;
	if (!g->conf.policy[0]) {
		snprintf(err, errlen,
		         "no policy FILE statement: the terminator needs the policy "
		         "(backends and rules)");
		r = -EINVAL;
		goto fail;
	}
	r = load_policy(g, err, errlen);
	if (r)
		goto fail;
	g->n_sites = g->conf.n_sites;
	for (unsigned i = 0; i < g->n_sites; i++) {
		struct tls_site_rt *s = &g->site[i];
		s->c = &g->conf.site[i];
		r = mbedtls_x509_crt_parse_file(&s->chain, s->c->cert);
		if (r) {
			r = mb_fail(err, errlen, "cert", s->c->cert, r);
			goto fail;
		}
		r = mbedtls_pk_parse_keyfile(&s->key, s->c->key, NULL, h->rng, h->rng_ctx);
		if (r) {
			r = mb_fail(err, errlen, "key", s->c->key, r);
			goto fail;
		}
		if (mbedtls_pk_check_pair(&s->chain.pk, &s->key, h->rng, h->rng_ctx) != 0) {
			snprintf(err, errlen, "site %s: key %s does not belong to cert %s",
			         s->c->name, s->c->key, s->c->cert);
			r = -EINVAL;
			goto fail;
		}
		s->backend = -1;
		if (s->c->backend[0]) {
			s->backend = backend_index(g->policy, s->c->backend);
			if (s->backend < 0) {
				snprintf(err, errlen, "site %s: backend '%s' is not in the policy",
				         s->c->name, s->c->backend);
				r = -EINVAL;
				goto fail;
			}
		}
		if (s->c->is_default)
			g->default_site = s;
	}
	int need_ca = 0;
	for (uint32_t i = 0; i < g->policy->n_backends; i++)
		if (g->policy->backends[i].tls && g->policy->backends[i].verify)
			need_ca = 1;
	if (g->conf.backend_ca[0]) {
		r = mbedtls_x509_crt_parse_file(&g->backend_ca, g->conf.backend_ca);
		if (r) {
			r = mb_fail(err, errlen, "backend-ca", g->conf.backend_ca, r);
			goto fail;
		}
	} else if (need_ca) {
		snprintf(err, errlen,
		         "a policy backend says `tls verify` but no backend-ca FILE is set");
		r = -EINVAL;
		goto fail;
	}
	r = setup_backend_conf(g, &g->bconf_verify, 1, h, err, errlen);
	if (!r)
		r = setup_backend_conf(g, &g->bconf_noverify, 0, h, err, errlen);
	if (r)
		goto fail;
	for (unsigned i = 0; i < g->conf.n_listeners; i++) {
		r = setup_listener(g, i, h, err, errlen);
		if (r)
			goto fail;
	}
	*out = g;
	return 0;
fail:
	gen_free(g);
	return r ? r : -EINVAL;
}
