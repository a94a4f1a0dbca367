// SPDX-License-Identifier: GPL-2.0-or-later
/* The signed firmware image container: see image.h. */
#include "image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <psa/crypto.h>

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A NUL-padded text field: printable ASCII, then only NULs, not empty. */
static int text_field(const uint8_t *p, size_t n, char *out)
{
	size_t len = 0;
	while (len < n && p[len])
		len++;
	if (len == 0 || len == n)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return -1;
	for (size_t i = len; i < n; i++)
		if (p[i])
			return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

int segw_img_parse(const uint8_t *buf, size_t len, struct segw_img_hdr *out, char *err,
		   size_t errlen)
{
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	if (len < SEGW_IMG_HDR_SIZE)
		return fail(err, errlen, -EINVAL, "image: truncated header (%zu of %u bytes)", len,
			    SEGW_IMG_HDR_SIZE);
	if (memcmp(buf, SEGW_IMG_MAGIC, 8) != 0)
		return fail(err, errlen, -EINVAL, "image: not a segw image (bad magic)");
	if (get32(buf + 8) != SEGW_IMG_HDR_SIZE)
		return fail(err, errlen, -EINVAL, "image: header size %u, expected %u",
			    get32(buf + 8), SEGW_IMG_HDR_SIZE);
	if (get32(buf + 12) != SEGW_IMG_FORMAT)
		return fail(err, errlen, -ENOTSUP, "image: format %u not supported (this is %u)",
			    get32(buf + 12), SEGW_IMG_FORMAT);
	if (text_field(buf + 16, SEGW_IMG_BOARD_LEN, h.board))
		return fail(err, errlen, -EINVAL, "image: bad board id field");
	if (text_field(buf + 64, SEGW_IMG_VERSION_LEN, h.version))
		return fail(err, errlen, -EINVAL, "image: bad version field");
	h.security_version = get32(buf + 96);
	h.flags = get32(buf + 100);
	if (h.flags)
		return fail(err, errlen, -EINVAL, "image: unknown flags 0x%x", h.flags);
	h.payload_size = get64(buf + 104);
	if (h.payload_size == 0 || h.payload_size > (1ull << 40))
		return fail(err, errlen, -EINVAL, "image: payload size %llu out of range",
			    (unsigned long long)h.payload_size);
	memcpy(h.payload_sha256, buf + 112, 32);
	memcpy(h.key_id, buf + 144, 8);
	h.sig_len = (uint16_t)(buf[SEGW_IMG_SIG_OFF] | buf[SEGW_IMG_SIG_OFF + 1] << 8);
	if (h.sig_len < 8 || h.sig_len > SEGW_IMG_SIG_MAX)
		return fail(err, errlen, -EINVAL, "image: signature length %u out of range",
			    h.sig_len);
	memcpy(h.sig, buf + SEGW_IMG_SIG_OFF + 2, h.sig_len);
	for (size_t i = SEGW_IMG_SIG_OFF + 2 + h.sig_len; i < SEGW_IMG_HDR_SIZE; i++)
		if (buf[i])
			return fail(err, errlen, -EINVAL, "image: reserved byte %zu not zero", i);
	*out = h;
	return 0;
}

/* SHA-256 of the header with the signature area zeroed. */
static void header_digest(const uint8_t *raw, uint8_t out[32])
{
	uint8_t tmp[SEGW_IMG_HDR_SIZE];
	memcpy(tmp, raw, sizeof(tmp));
	memset(tmp + SEGW_IMG_SIG_OFF, 0, SEGW_IMG_SIG_END - SEGW_IMG_SIG_OFF);
	mbedtls_sha256(tmp, sizeof(tmp), out, 0);
}

static int load_key(mbedtls_pk_context *pk, const uint8_t *key, size_t keylen, int is_private)
{
	if (psa_crypto_init() != PSA_SUCCESS)
		return -ENOMEM;
	int rc;
	if (is_private) {
		mbedtls_entropy_context ent;
		mbedtls_ctr_drbg_context drbg;
		mbedtls_entropy_init(&ent);
		mbedtls_ctr_drbg_init(&drbg);
		rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
					   (const unsigned char *)"segw-img", 8);
		if (rc == 0)
			rc = mbedtls_pk_parse_key(pk, key, keylen, NULL, 0, mbedtls_ctr_drbg_random,
						  &drbg);
		mbedtls_ctr_drbg_free(&drbg);
		mbedtls_entropy_free(&ent);
	} else {
		rc = mbedtls_pk_parse_public_key(pk, key, keylen);
	}
	if (rc != 0)
		return -EINVAL;
	if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECDSA) ||
	    mbedtls_pk_ec(*pk)->MBEDTLS_PRIVATE(grp).id != MBEDTLS_ECP_DP_SECP256R1)
		return -EINVAL;
	return 0;
}

static int pk_key_id(mbedtls_pk_context *pk, uint8_t id[8])
{
	uint8_t der[256], dig[32];
	int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof(der));
	if (n <= 0)
		return -EINVAL;
	/* written at the end of the buffer */
	mbedtls_sha256(der + sizeof(der) - (size_t)n, (size_t)n, dig, 0);
	memcpy(id, dig, 8);
	return 0;
}

int segw_img_key_id(const uint8_t *key, size_t keylen, int is_private, uint8_t id[8])
{
	mbedtls_pk_context pk;
	mbedtls_pk_init(&pk);
	int rc = load_key(&pk, key, keylen, is_private);
	if (rc == 0)
		rc = pk_key_id(&pk, id);
	mbedtls_pk_free(&pk);
	return rc;
}

int segw_img_verify_sig(const struct segw_img_hdr *h, const uint8_t *raw, const uint8_t *pub,
			size_t publen, char *err, size_t errlen)
{
	mbedtls_pk_context pk;
	uint8_t id[8], dig[32];
	mbedtls_pk_init(&pk);
	int rc = load_key(&pk, pub, publen, 0);
	if (rc == 0)
		rc = pk_key_id(&pk, id);
	if (rc) {
		mbedtls_pk_free(&pk);
		return fail(err, errlen, -EINVAL, "image: the box's public key is unusable");
	}
	if (memcmp(id, h->key_id, 8) != 0) {
		mbedtls_pk_free(&pk);
		return fail(err, errlen, -EKEYREJECTED,
			    "image: signed by another key (key id %02x%02x%02x%02x..., box trusts %02x%02x%02x%02x...)",
			    h->key_id[0], h->key_id[1], h->key_id[2], h->key_id[3], id[0], id[1],
			    id[2], id[3]);
	}
	header_digest(raw, dig);
	rc = mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, dig, sizeof(dig), h->sig, h->sig_len);
	mbedtls_pk_free(&pk);
	if (rc != 0)
		return fail(err, errlen, -EKEYREJECTED, "image: bad signature");
	return 0;
}

int segw_img_check_target(const struct segw_img_hdr *h, const char *board, uint32_t floor,
			  char *err, size_t errlen)
{
	if (strcmp(h->board, board) != 0)
		return fail(err, errlen, -ENODEV, "image: built for board '%s', this box is '%s'",
			    h->board, board);
	if (h->security_version < floor)
		return fail(err, errlen, -EPERM,
			    "image: security version %u is below this box's security floor %u (downgrade refused)",
			    h->security_version, floor);
	return 0;
}

int segw_img_check_file(int fd, const uint8_t *pub, size_t publen, const char *board,
			uint32_t floor, struct segw_img_hdr *out, char *err, size_t errlen)
{
	uint8_t raw[SEGW_IMG_HDR_SIZE] = { 0 };
	ssize_t n = pread(fd, raw, sizeof(raw), 0);
	if (n < 0)
		return fail(err, errlen, -EIO, "image: read: %s", strerror(errno));
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	int rc = segw_img_parse(raw, (size_t)n, &h, err, errlen);
	if (rc)
		return rc;
	rc = segw_img_verify_sig(&h, raw, pub, publen, err, errlen);
	if (rc)
		return rc;
	rc = segw_img_check_target(&h, board, floor, err, errlen);
	if (rc)
		return rc;

	mbedtls_sha256_context sha;
	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts(&sha, 0);
	static __thread uint8_t buf[1 << 16];
	uint64_t off = 0;
	while (off < h.payload_size) {
		size_t want = sizeof(buf);
		if (h.payload_size - off < want)
			want = (size_t)(h.payload_size - off);
		n = pread(fd, buf, want, (off_t)(SEGW_IMG_HDR_SIZE + off));
		if (n < 0) {
			mbedtls_sha256_free(&sha);
			return fail(err, errlen, -EIO, "image: read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		mbedtls_sha256_update(&sha, buf, (size_t)n);
		off += (uint64_t)n;
	}
	uint8_t dig[32];
	mbedtls_sha256_finish(&sha, dig);
	mbedtls_sha256_free(&sha);
	if (off < h.payload_size)
		return fail(err, errlen, -ERANGE,
			    "image: truncated: payload has %llu of %llu bytes",
			    (unsigned long long)off, (unsigned long long)h.payload_size);
	if (pread(fd, buf, 1, (off_t)(SEGW_IMG_HDR_SIZE + off)) > 0)
		return fail(err, errlen, -ERANGE, "image: trailing bytes after the payload");
	if (memcmp(dig, h.payload_sha256, 32) != 0)
		return fail(err, errlen, -EBADMSG, "image: payload digest mismatch (corrupted image)");
	*out = h;
	return 0;
}

int segw_img_build_header(struct segw_img_hdr *h, const uint8_t *key, size_t keylen,
			  uint8_t raw[SEGW_IMG_HDR_SIZE], char *err, size_t errlen)
{
	size_t bl = strlen(h->board), vl = strlen(h->version);
	if (bl == 0 || bl >= SEGW_IMG_BOARD_LEN || vl == 0 || vl >= SEGW_IMG_VERSION_LEN)
		return fail(err, errlen, -EINVAL, "image: board id or version too long or empty");
	memset(raw, 0, SEGW_IMG_HDR_SIZE);
	/* an 8-byte magic, not a C string */
	memcpy(raw, SEGW_IMG_MAGIC, 8); // NOLINT(bugprone-not-null-terminated-result)
	put32(raw + 8, SEGW_IMG_HDR_SIZE);
	put32(raw + 12, SEGW_IMG_FORMAT);
	memcpy(raw + 16, h->board, bl + 1); /* with the NUL: bl < SEGW_IMG_BOARD_LEN */
	memcpy(raw + 64, h->version, vl + 1);
	put32(raw + 96, h->security_version);
	put32(raw + 100, 0);
	put64(raw + 104, h->payload_size);
	memcpy(raw + 112, h->payload_sha256, 32);

	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	int rc = load_key(&pk, key, keylen, 1);
	if (rc == 0)
		rc = pk_key_id(&pk, h->key_id);
	if (rc) {
		rc = fail(err, errlen, -EINVAL, "image: signing key is not an EC P-256 private key");
		goto out;
	}
	memcpy(raw + 144, h->key_id, 8);
	uint8_t dig[32];
	header_digest(raw, dig);
	size_t sl = 0;
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
				  (const unsigned char *)"segw-sign", 9) != 0 ||
	    mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, dig, sizeof(dig), h->sig, sizeof(h->sig), &sl,
			    mbedtls_ctr_drbg_random, &drbg) != 0 ||
	    sl < 8 || sl > SEGW_IMG_SIG_MAX) {
		rc = fail(err, errlen, -EINVAL, "image: signing failed");
		goto out;
	}
	h->sig_len = (uint16_t)sl;
	raw[SEGW_IMG_SIG_OFF] = (uint8_t)sl;
	raw[SEGW_IMG_SIG_OFF + 1] = (uint8_t)(sl >> 8);
	memcpy(raw + SEGW_IMG_SIG_OFF + 2, h->sig, sl);
	h->flags = 0;
	rc = 0;
out:
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	mbedtls_pk_free(&pk);
	return rc;
}
