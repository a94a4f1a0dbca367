// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_bundle: signed policy bundles (firmware/mgmt/bundle.c): build/parse
 * round trip, every byte flipped and every truncation refused, a wrong key
 * and a non-P-256 key refused, each field's syntax and range checked behind
 * a valid signature, target lists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>
#include <psa/crypto.h>

#include "mgmt/bundle.h"
#include "test_keys.h"

static mbedtls_entropy_context ent;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context pub, priv;

static const char POLICY[] = "zone internal ports int0 prefixes 10.0.0.0/8\n"
			     "rule 10 from internal to any tcp dport 443 allow\n";

static int setup(void **st)
{
	(void)st;
	psa_crypto_init();
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&pub);
	mbedtls_pk_init(&priv);
	assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	assert_int_equal(mbedtls_pk_parse_public_key(&pub, (const unsigned char *)test_key_pub,
						     sizeof(test_key_pub)), 0);
	assert_int_equal(mbedtls_pk_parse_key(&priv, (const unsigned char *)test_key_priv,
					      sizeof(test_key_priv), NULL, 0,
					      mbedtls_ctr_drbg_random, &drbg), 0);
	return 0;
}

static struct bundle sample(void)
{
	struct bundle b;
	memset(&b, 0, sizeof(b));
	strcpy(b.target, "gw1,gw2");
	strcpy(b.board, "segw,sim");
	strcpy(b.comment, "nightly");
	b.version = 42;
	b.window_s = 120;
	b.policy = POLICY;
	b.policy_len = strlen(POLICY);
	return b;
}

/* Sign any body (the test's own framing) with the test key. */
static uint8_t *sign_raw(const char *body, size_t *outlen)
{
	size_t n = strlen(body), sl = 0, o = 0;
	unsigned char h[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	uint8_t *b = malloc(n + 220);
	assert_non_null(b);
	memcpy(b, body, n);
	assert_int_equal(mbedtls_sha256(b, n, h, 0), 0);
	assert_int_equal(mbedtls_pk_sign(&priv, MBEDTLS_MD_SHA256, h, 32, sig, sizeof(sig), &sl,
					 mbedtls_ctr_drbg_random, &drbg), 0);
	memcpy(b + n, "signature ", 10);
	assert_int_equal(mbedtls_base64_encode(b + n + 10, 200, &o, sig, sl), 0);
	b[n + 10 + o] = '\n';
	*outlen = n + 11 + o;
	return b;
}

static void test_round_trip(void **st)
{
	(void)st;
	struct bundle in = sample(), out;
	uint8_t *b;
	size_t n;
	char err[256];
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), 0);
	assert_int_equal(bundle_parse(b, n, &pub, &out, err, sizeof(err)), 0);
	assert_string_equal(out.target, "gw1,gw2");
	assert_string_equal(out.board, "segw,sim");
	assert_string_equal(out.comment, "nightly");
	assert_true(out.version == 42);
	assert_int_equal(out.window_s, 120);
	assert_int_equal(out.policy_len, strlen(POLICY));
	assert_memory_equal(out.policy, POLICY, out.policy_len);
	free(b);
}

static void test_every_flip_and_cut_refused(void **st)
{
	(void)st;
	struct bundle in = sample(), out;
	uint8_t *b;
	size_t n;
	char err[256];
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t keep = b[i];
		b[i] ^= 0x01;
		err[0] = 0;
		int r = bundle_parse(b, n, &pub, &out, err, sizeof(err));
		if (r == 0) /* base64 padding bits may be ignored: must still be the same bundle */
			assert_memory_equal(out.policy, POLICY, out.policy_len);
		else
			assert_true(err[0] != 0);
		if (i < n - 100) /* a flip in the signed part is never accepted */
			assert_int_not_equal(r, 0);
		b[i] = keep;
	}
	for (size_t cut = 0; cut < n; cut++) {
		err[0] = 0;
		assert_int_not_equal(bundle_parse(b, cut, &pub, &out, err, sizeof(err)), 0);
		assert_true(err[0] != 0);
	}
	free(b);
}

static void test_wrong_keys(void **st)
{
	(void)st;
	struct bundle in = sample(), out;
	uint8_t *b;
	size_t n;
	char err[256];
	mbedtls_pk_context other, p384;
	mbedtls_pk_init(&other);
	mbedtls_pk_init(&p384);
	assert_int_equal(mbedtls_pk_setup(&other, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(other),
					     mbedtls_ctr_drbg_random, &drbg), 0);
	assert_int_equal(mbedtls_pk_setup(&p384, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP384R1, mbedtls_pk_ec(p384),
					     mbedtls_ctr_drbg_random, &drbg), 0);
	assert_int_equal(bundle_build(&in, &other, mbedtls_ctr_drbg_random, &drbg, &b, &n), 0);
	assert_int_equal(bundle_parse(b, n, &pub, &out, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "bad signature"));
	free(b);
	/* a P-384 key can neither sign nor verify bundles */
	assert_int_equal(bundle_build(&in, &p384, mbedtls_ctr_drbg_random, &drbg, &b, &n), -EINVAL);
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), 0);
	assert_int_equal(bundle_parse(b, n, &p384, &out, err, sizeof(err)), -EKEYREJECTED);
	free(b);
	mbedtls_pk_free(&other);
	mbedtls_pk_free(&p384);
}

static void test_fields_behind_signature(void **st)
{
	(void)st;
	static const struct {
		const char *body, *why;
	} bad[] = {
		{ "segw-bundle 1\nboard b\n", "line 2" },
		{ "segw-bundle 1\ntarget \nboard b\nversion 1\nwindow 0\npolicy 0\n", "line 2" },
		{ "segw-bundle 1\ntarget a\nversion 1\n", "line 3" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 0\nwindow 0\npolicy 0\n", "line 4" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 01\nwindow 0\npolicy 0\n", "line 4" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 9223372036854775808\nwindow 0\npolicy 0\n",
		  "line 4" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow 86401\npolicy 0\n", "line 5" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow -1\npolicy 0\n", "line 5" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow 0\npolicy 5\nabc\n\n", "length" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow 0\npolicy 2\nabc\n\n", "length" },
		{ "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow 0\nrule 1\n", "policy" },
		{ "segw-bundle 1\ntarget a\x01\nboard b\nversion 1\nwindow 0\npolicy 0\n", "line 2" },
		{ "segw-bundle 2\ntarget a\nboard b\nversion 1\nwindow 0\npolicy 0\n", "segw-bundle 1" },
	};
	struct bundle out;
	char err[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n;
		uint8_t *b = sign_raw(bad[i].body, &n);
		err[0] = 0;
		assert_int_equal(bundle_parse(b, n, &pub, &out, err, sizeof(err)), -EBADMSG);
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: '%s' does not mention '%s'", i, err, bad[i].why);
		free(b);
	}
	/* a NUL inside the policy, under a valid signature */
	char body[] = "segw-bundle 1\ntarget a\nboard b\nversion 1\nwindow 0\npolicy 3\naXc\n";
	size_t n;
	uint8_t *b = sign_raw(body, &n);
	uint8_t *nul = memchr(b, 'X', n);
	*nul = 0; /* breaks the signature too: checked first */
	assert_int_equal(bundle_parse(b, n, &pub, &out, err, sizeof(err)), -EKEYREJECTED);
	free(b);
	/* the smallest valid bundle: empty policy, no comment */
	b = sign_raw("segw-bundle 1\ntarget *\nboard b\nversion 9\nwindow 0\npolicy 0\n\n", &n);
	assert_int_equal(bundle_parse(b, n, &pub, &out, err, sizeof(err)), 0);
	assert_int_equal(out.policy_len, 0);
	assert_true(out.version == 9);
	free(b);
	/* too large */
	assert_int_equal(bundle_parse((const uint8_t *)"x", BUNDLE_MAX + 1, &pub, &out, err,
				      sizeof(err)), -E2BIG);
}

static void test_targets(void **st)
{
	(void)st;
	assert_true(bundle_targets("*", "gw1"));
	assert_true(bundle_targets("gw1", "gw1"));
	assert_true(bundle_targets("gw0,gw1,gw2", "gw1"));
	assert_false(bundle_targets("gw10,gw11", "gw1"));
	assert_false(bundle_targets("gw", "gw1"));
	assert_false(bundle_targets("gw1x", "gw1"));
	assert_false(bundle_targets("", "gw1"));
}

static void test_build_refuses_bad_fields(void **st)
{
	(void)st;
	uint8_t *b;
	size_t n;
	struct bundle in = sample();
	in.version = 0;
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), -EINVAL);
	in = sample();
	in.window_s = BUNDLE_WINDOW_MAX + 1;
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), -EINVAL);
	in = sample();
	strcpy(in.target, "a\nb");
	assert_int_equal(bundle_build(&in, &priv, mbedtls_ctr_drbg_random, &drbg, &b, &n), -EINVAL);
	in = sample();
	assert_int_equal(bundle_build(&in, &pub, mbedtls_ctr_drbg_random, &drbg, &b, &n) != 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_flip_and_cut_refused),
		cmocka_unit_test(test_wrong_keys),
		cmocka_unit_test(test_fields_behind_signature),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_build_refuses_bad_fields),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
