// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of segw-tlsd's pure parts: the HTTP/1.1 request-head parser,
 * the configuration parser (the profile can be narrowed, never weakened),
 * server-name matching, the per-source rate limiter and counter names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tls/tls_conf.h"
#include "tls/tls_counters.h"
#include "tls/tls_http.h"
#include "tls/tls_ratelimit.h"

static int parse(const char *s, struct tls_http_req *r)
{
	return tls_http_parse(s, strlen(s), r);
}

static void http_complete(void **st)
{
	(void)st;
	struct tls_http_req r;
	assert_int_equal(
	    parse(
	        "GET /a/b?c=1 HTTP/1.1\r\nUser-Agent: x\r\nHoSt: WWW.Example.ORG:8443\r\n\r\nBODY",
	        &r),
	    1);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.target, "/a/b?c=1");
	assert_string_equal(r.host, "www.example.org");
	assert_int_equal(r.minor, 1);
	assert_int_equal(
	    r.head_len,
	    strlen("GET /a/b?c=1 HTTP/1.1\r\nUser-Agent: x\r\nHoSt: WWW.Example.ORG:8443\r\n\r\n"));
	assert_int_equal(parse("POST / HTTP/1.0\r\n\r\n", &r), 1);
	assert_string_equal(r.host, "");
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n", &r), 1);
	assert_string_equal(r.host, "[2001:db8::1]");
}

static void http_partial(void **st)
{
	(void)st;
	struct tls_http_req r;
	const char *full = "GET /x HTTP/1.1\r\nHost: a.example\r\n\r\n";
	size_t n = strlen(full);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tls_http_parse(full, i, &r), 0);
	assert_int_equal(tls_http_parse(full, n, &r), 1);
}

static void http_not_http(void **st)
{
	(void)st;
	struct tls_http_req r;
	assert_int_equal(parse("\x16\x03\x01\x00", &r), -EBADMSG);
	assert_int_equal(parse("SSH-2.0-OpenSSH\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET /x FTP/1.0\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET  /x HTTP/1.1\r\n\r\n", &r), -EBADMSG);
	assert_int_equal(parse("GET /x HTTP/1.1\n\n", &r), -EBADMSG);
	assert_int_equal(parse("AVERYLONGMETHODNAMEXX /x HTTP/1.1\r\n\r\n", &r), -EBADMSG);
}

static void http_malformed(void **st)
{
	(void)st;
	struct tls_http_req r;
	/* Two Host headers: smuggling bait, refused. */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &r), -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", &r), -EINVAL);
}

static int conf(const char *text, struct tls_conf *c, char *err, size_t n)
{
	return tls_conf_parse("t.conf", text, strlen(text), c, err, n);
}

static struct tls_conf C;

static void conf_good(void **st)
{
	(void)st;
	char err[256];
	assert_int_equal(
	    conf("listen 127.0.0.1:443 zone dmz min-version 1.3\n"
	         "listen [::1]:8443 zone mobile client-auth required ca /x/ca.pem crl /x/ca.crl "
	         "ciphers TLS_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n"
	         "site www.example.org cert /c key /k backend web default # comment\n"
	         "site *.example.org cert /c key /k\n"
	         "policy /p\nrate-limit 20/s burst 40\nmax-conns 5000\nticket-rotate 600\n"
	         "backend-name api api.internal\n",
	         &C, err, sizeof(err)),
	    0);
	assert_int_equal(C.n_listeners, 2);
	assert_int_equal(C.listener[0].min_version, 0x0304);
	assert_int_equal(C.listener[1].client_auth, TLS_AUTH_REQUIRED);
	assert_int_equal(C.listener[1].suites_mask,
	                 (1u << TLS_S13_AES256_GCM) | (1u << TLS_S12_ECDSA_AES256_GCM));
	assert_int_equal(C.listener[0].suites_mask, (1u << TLS_S__COUNT) - 1);
	assert_int_equal(C.n_sites, 2);
	assert_int_equal(C.site[0].is_default, 1);
	assert_int_equal(C.rate_per_s, 20);
	assert_int_equal(C.rate_burst, 40);
	assert_int_equal(C.max_conns, 5000);
	assert_int_equal(C.n_bnames, 1);
}

static void conf_never_weaker(void **st)
{
	(void)st;
	char err[256];
	const char *bad[] = {
	    "listen 127.0.0.1:443 min-version 1.1\nsite a cert c key k\n",
	    "listen 127.0.0.1:443 min-version 1.0\nsite a cert c key k\n",
	    "listen 127.0.0.1:443 ciphers TLS_RSA_WITH_AES_128_GCM_SHA256\nsite a cert c key k\n",
	    "listen 127.0.0.1:443 ciphers TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256\nsite a cert c key "
	    "k\n",
	    "listen 127.0.0.1:443 ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 min-version "
	    "1.3\nsite a cert c key k\n",
	    "listen 127.0.0.1:443 client-auth required\nsite a cert c key k\n",
	    "listen 127.0.0.1:443\nsite a cert c\n",
	    "listen 127.0.0.1:443\nsite a_b cert c key k\n",
	    "listen 127.0.0.1:99999\nsite a cert c key k\n",
	    "listen 127.0.0.1:443\nsite a cert c key k\nsite a cert c key k\n",
	    "listen 127.0.0.1:443\nsite a cert c key k default\nsite b cert c key k default\n",
	    "listen 127.0.0.1:443\nsite a cert c key k\nrate-limit -1\n",
	    "listen 127.0.0.1:443\nsite a cert c key k\nfrobnicate yes\n",
	    "site a cert c key k\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(conf(bad[i], &C, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "t.conf:"));
	}
	assert_int_equal(conf("listen 127.0.0.1:443 min-version 1.1\nsite a cert c key k\n", &C,
	                      err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "t.conf:1: min-version"));
}

static void site_match(void **st)
{
	(void)st;
	assert_true(tls_site_matches("www.example.org", "WWW.example.org"));
	assert_false(tls_site_matches("www.example.org", "example.org"));
	assert_true(tls_site_matches("*.example.org", "a.example.org"));
	assert_true(tls_site_matches("*.example.org", "a.b.example.org"));
	assert_false(tls_site_matches("*.example.org", "example.org"));
	assert_false(tls_site_matches("*.example.org", "badexample.org"));
}

static struct tls_ratelimit RL;

static void ratelimit(void **st)
{
	(void)st;
	uint8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
	uint8_t b[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2};
	tls_rl_init(&RL, 10, 3);
	uint64_t t = 1000;
	assert_true(tls_rl_allow(&RL, a, t));
	assert_true(tls_rl_allow(&RL, a, t));
	assert_true(tls_rl_allow(&RL, a, t));
	assert_false(tls_rl_allow(&RL, a, t)); /* burst spent */
	assert_true(tls_rl_allow(&RL, b, t));  /* another source has its own bucket */
	assert_false(tls_rl_allow(&RL, a, t + 50));
	assert_true(tls_rl_allow(&RL, a, t + 100)); /* 10/s: one token per 100 ms */
	assert_false(tls_rl_allow(&RL, a, t + 150));
	/* A storm from many sources never fails open for a known one... */
	for (uint32_t i = 0; i < 100000; i++) {
		uint8_t x[16] = {0};
		memcpy(x, &i, sizeof(i));
		tls_rl_allow(&RL, x, t + 200);
	}
	/* ...and unlimited means unlimited. */
	tls_rl_init(&RL, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(tls_rl_allow(&RL, a, t));
}

static int count_names(const char *name, uint64_t v, void *arg)
{
	(void)v;
	size_t *n = arg;
	assert_non_null(strstr(name, "tls."));
	for (unsigned i = 0; i < TLS_C__COUNT; i++)
		if (tls_counter_name(i) != name)
			assert_string_not_equal(tls_counter_name(i), name);
	(*n)++;
	return 0;
}

static void counter_names(void **st)
{
	(void)st;
	size_t n = 0;
	struct tls_counters c = {0};
	assert_int_equal(tls_counters_foreach(&c, count_names, &n), 0);
	assert_int_equal(n, TLS_C__COUNT);
	assert_null(tls_counter_name(TLS_C__COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(http_complete), cmocka_unit_test(http_partial),
	    cmocka_unit_test(http_not_http), cmocka_unit_test(http_malformed),
	    cmocka_unit_test(conf_good),     cmocka_unit_test(conf_never_weaker),
	    cmocka_unit_test(site_match),    cmocka_unit_test(ratelimit),
	    cmocka_unit_test(counter_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
