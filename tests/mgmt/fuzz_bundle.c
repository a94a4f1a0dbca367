// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_bundle: bundle_parse() on arbitrary bytes.
 *
 * Input: byte 0 flags, the rest the bundle. Flag bit 0: the rest is the
 * signed part only; it is signed here with the test key (test_keys.h) and a
 * signature line is appended, so that mutations reach the field parser
 * behind the signature check. Without it the bytes are parsed as they are
 * (framing and the signature check). A bundle that parses must keep its
 * policy inside the input and its fields in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/sha256.h>
#include <psa/crypto.h>

#include "mgmt/bundle.h"
#include "test_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mbedtls_pk_context pub, priv;
static mbedtls_ctr_drbg_context drbg;
static int ready;

/* Deterministic: the fuzzer must see the same bytes for the same input. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	memset(out, 0x5e, n);
	return 0;
}

static void setup(void)
{
	psa_crypto_init();
	mbedtls_pk_init(&pub);
	mbedtls_pk_init(&priv);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, NULL, NULL, 0) ||
	    mbedtls_pk_parse_public_key(&pub, (const unsigned char *)test_key_pub,
					sizeof(test_key_pub)) ||
	    mbedtls_pk_parse_key(&priv, (const unsigned char *)test_key_priv, sizeof(test_key_priv),
				 NULL, 0, mbedtls_ctr_drbg_random, &drbg))
		abort();
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();
	if (size < 1 || size > BUNDLE_MAX)
		return 0;
	const uint8_t *b = data + 1;
	size_t n = size - 1;
	uint8_t *own = NULL;
	if (data[0] & 1) {
		unsigned char h[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
		size_t sl = 0, o = 0;
		own = malloc(n + 16 + 200);
		if (!own)
			return 0;
		memcpy(own, b, n);
		if (mbedtls_sha256(own, n, h, 0) ||
		    mbedtls_pk_sign(&priv, MBEDTLS_MD_SHA256, h, 32, sig, sizeof(sig), &sl,
				    mbedtls_ctr_drbg_random, &drbg))
			abort();
		memcpy(own + n, "signature ", 10);
		if (mbedtls_base64_encode(own + n + 10, 190, &o, sig, sl))
			abort();
		own[n + 10 + o] = '\n';
		b = own;
		n = n + 11 + o;
	}
	struct bundle bd;
	char err[256];
	if (bundle_parse(b, n, &pub, &bd, err, sizeof(err)) == 0) {
		if (bd.policy < (const char *)b || bd.policy + bd.policy_len > (const char *)b + n ||
		    bd.version == 0 || bd.window_s > BUNDLE_WINDOW_MAX || !bd.target[0] ||
		    !bd.board[0])
			abort();
		(void)bundle_targets(bd.target, "gw1");
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	free(own);
	return 0;
}
