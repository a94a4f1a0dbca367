// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: firmware/dpi/tls_parse.c and the QUIC key schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "dpi/quic_crypto.h"
#include "dpi/tls_parse.h"
#include "fuzz_drive.h"

static void test_grease_and_names(void **state)
{
	(void)state;
	assert_true(tls_is_grease(0x0a0a));
	assert_true(tls_is_grease(0xfafa));
	assert_false(tls_is_grease(0x0a1a));
	assert_false(tls_is_grease(0x1301));
	assert_true(tls_name_matches("*.example.com", 13, "www.example.com"));
	assert_false(tls_name_matches("*.example.com", 13, "a.b.example.com"));
	assert_false(tls_name_matches("*.example.com", 13, "example.com"));
	assert_true(tls_name_matches("WWW.example.COM", 15, "www.example.com"));
	assert_false(tls_name_matches("www.example.co", 14, "www.example.com"));
}

/* A ClientHello body with only the given extensions block. */
static uint32_t hello(uint8_t *b, const uint8_t *ext, uint16_t elen)
{
	uint32_t o = 0;
	b[o++] = 3, b[o++] = 3;
	memset(b + o, 0, 32);
	o += 32;
	b[o++] = 0;                      /* session id */
	b[o++] = 0, b[o++] = 4;          /* two ciphers, one GREASE */
	b[o++] = 0x2a, b[o++] = 0x2a, b[o++] = 0x13, b[o++] = 0x01;
	b[o++] = 1, b[o++] = 0;          /* compression */
	b[o++] = (uint8_t)(elen >> 8), b[o++] = (uint8_t)elen;
	if (elen)
		memcpy(b + o, ext, elen);
	return o + elen;
}

static void test_client_hello_facts(void **state)
{
	(void)state;
	uint8_t b[512];
	struct dpi_facts f;
	/* SNI "a.io", ALPN h2, ECH (GREASE payload), TLS 1.3 offered */
	const uint8_t ext[] = { 0x00, 0x00, 0x00, 0x09, 0x00, 0x07, 0x00, 0x00, 0x04, 'a', '.', 'i',
				'o', 0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2', 0x00, 0x2b,
				0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, 0xfe, 0x0d, 0x00, 0x01,
				0x00 };
	memset(&f, 0, sizeof(f));
	assert_int_equal(tls_parse_client_hello(b, hello(b, ext, sizeof(ext)), 't', &f), 0);
	assert_string_equal(f.server_name, "a.io");
	assert_string_equal(f.alpn, "h2");
	assert_int_equal(f.tls_client_version, 0x0304);
	assert_true(f.flags & DPI_F_ECH);
	assert_false(f.flags & DPI_F_NO_SNI);
	/* one cipher (GREASE excluded), four extensions, "h2" */
	assert_memory_equal(f.ja4, "t13d0104h2_", 11);

	/* no extensions at all: no SNI, legacy version decides */
	memset(&f, 0, sizeof(f));
	assert_int_equal(tls_parse_client_hello(b, hello(b, NULL, 0) - 2, 't', &f), 0);
	assert_true(f.flags & DPI_F_NO_SNI);
	assert_memory_equal(f.ja4, "t12i010000_", 11);
	assert_string_equal(f.ja4 + 24, "000000000000");

	/* lying lengths: an SNI list longer than its extension */
	const uint8_t lie[] = { 0x00, 0x00, 0x00, 0x05, 0x00, 0xff, 0x00, 0x00, 0x04 };
	memset(&f, 0, sizeof(f));
	assert_int_equal(tls_parse_client_hello(b, hello(b, lie, sizeof(lie)), 't', &f), 0);
	assert_string_equal(f.server_name, "");
	/* an extension longer than the extensions block */
	const uint8_t lie2[] = { 0x00, 0x10, 0x10, 0x00, 0x00 };
	assert_int_equal(tls_parse_client_hello(b, hello(b, lie2, sizeof(lie2)), 't', &f), -EINVAL);
	/* every truncation of a good hello is refused or parsed, never overread (ASan) */
	uint32_t full = hello(b, ext, sizeof(ext));
	for (uint32_t n = 0; n < full; n++) {
		memset(&f, 0, sizeof(f));
		(void)tls_parse_client_hello(b, n, 't', &f);
	}
}

static void test_handshake_walk(void **state)
{
	(void)state;
	const uint8_t *body;
	uint32_t blen;
	int stop;
	uint8_t out[64];
	/* two records carrying one handshake message split between them */
	const uint8_t recs[] = { 0x16, 0x03, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00,
				 0x16, 0x03, 0x01, 0x00, 0x03, 0x02, 0xaa, 0xbb,
				 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	int n = tls_hs_collect(recs, sizeof(recs), out, sizeof(out), &stop);
	assert_int_equal(n, 6);
	assert_true(stop);
	assert_int_equal(tls_hs_find(out, (uint32_t)n, 1, &body, &blen), 0);
	assert_int_equal(blen, 2);
	assert_int_equal(body[1], 0xbb);
	assert_int_equal(tls_hs_find(out, (uint32_t)n, 2, &body, &blen), -ENOENT);
	assert_int_equal(tls_hs_find(out, 5, 1, &body, &blen), -EAGAIN);
	const uint8_t notls[] = "GET / HTTP/1.1\r\n";
	assert_int_equal(tls_hs_collect(notls, sizeof(notls) - 1, out, sizeof(out), &stop), -EINVAL);
}

static void test_quic_rejects_forgery(void **state)
{
	(void)state;
	uint8_t pkt[1200], out[1200];
	size_t ol;
	const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
	memset(pkt, 0x5a, sizeof(pkt));
	pkt[0] = 0xc3;
	assert_true(quic_version_known(QUIC_V1));
	assert_true(quic_version_known(QUIC_V2));
	assert_false(quic_version_known(0x1a2a3a4a));
	assert_int_equal(quic_initial_type(QUIC_V2), 1);
	/* random bytes never authenticate */
	assert_int_equal(quic_decrypt_initial(QUIC_V1, dcid, 8, 0, pkt, sizeof(pkt), 26, out,
					      sizeof(out), &ol),
			 -EBADMSG);
	assert_int_equal(quic_decrypt_initial(0x1a2a3a4a, dcid, 8, 0, pkt, sizeof(pkt), 26, out,
					      sizeof(out), &ol),
			 -ENOTSUP);
	assert_int_equal(quic_decrypt_initial(QUIC_V1, dcid, 8, 0, pkt, 30, 26, out, sizeof(out),
					      &ol),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grease_and_names),
		cmocka_unit_test(test_client_hello_facts),
		cmocka_unit_test(test_handshake_walk),
		cmocka_unit_test(test_quic_rejects_forgery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
