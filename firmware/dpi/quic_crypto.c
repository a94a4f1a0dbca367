// SPDX-License-Identifier: GPL-2.0-or-later
/* QUIC Initial protection: see quic_crypto.h. */
#include "dpi/quic_crypto.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

static const uint8_t salt_v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				     0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
static const uint8_t salt_v2[20] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
				     0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
static const uint8_t salt_d29[20] = { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
				      0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 };
static const uint8_t salt_d23[20] = { 0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
				      0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02 };
static const uint8_t salt_d22[20] = { 0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
				      0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a };

/* Google QUIC versions with IETF-style Initial protection (Chromium's
 * quic_versions: Q050 carries the gQUIC CHLO, T050/T051 TLS, both in CRYPTO
 * frames; key derivation as v1 with these salts). */
static const uint8_t salt_q050[20] = { 0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94,
				       0x5c, 0xfc, 0xdb, 0xd3, 0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45 };
static const uint8_t salt_t050[20] = { 0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80,
				       0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10 };
static const uint8_t salt_t051[20] = { 0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50,
				       0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d };

static const uint8_t *salt_of(uint32_t v)
{
	if (v == QUIC_Q050)
		return salt_q050;
	if (v == QUIC_T050)
		return salt_t050;
	if (v == QUIC_T051)
		return salt_t051;
	if (v == QUIC_V1 || v == 0xff000021u || v == 0xff000022u)
		return salt_v1;
	if (v == QUIC_V2)
		return salt_v2;
	if (v >= 0xff00001du && v <= 0xff000020u)
		return salt_d29;
	if (v >= 0xff000017u && v <= 0xff00001cu)
		return salt_d23;
	if (v == 0xff000016u || v == 0xfaceb001u)
		return salt_d22;
	if (v == 0xfaceb002u)
		return salt_d23;
	if (v == 0xfaceb00eu || v == 0xfaceb010u || v == 0xfaceb011u || v == 0xfaceb012u ||
	    v == 0xfaceb013u)
		return salt_d29;
	return NULL;
}

int quic_version_known(uint32_t v)
{
	return salt_of(v) != NULL;
}

unsigned quic_initial_type(uint32_t v)
{
	return v == QUIC_V2 ? 1 : 0;
}

/* HKDF-Expand-Label(secret, label, "", len) of TLS 1.3 (RFC 8446 7.1). */
static int expand_label(const uint8_t *secret, const char *label, uint8_t *out, size_t len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1];
	size_t ll = strlen(label), o = 0;
	if (ll > 32)
		return -EINVAL;
	info[o++] = (uint8_t)(len >> 8);
	info[o++] = (uint8_t)len;
	info[o++] = (uint8_t)(6 + ll);
	memcpy(info + o, "tls13 ", 6);
	o += 6;
	memcpy(info + o, label, ll);
	o += ll;
	info[o++] = 0;
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	return mbedtls_hkdf_expand(md, secret, 32, info, o, out, len) ? -EIO : 0;
}

struct keys {
	uint8_t key[16], iv[12], hp[16];
};

static int derive(uint32_t v, const uint8_t *dcid, size_t dlen, int server, struct keys *k)
{
	const uint8_t *salt = salt_of(v);
	uint8_t initial[32], secret[32];
	int v2 = v == QUIC_V2;
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	if (!salt)
		return -ENOTSUP;
	if (!md || mbedtls_hkdf_extract(md, salt, 20, dcid, dlen, initial))
		return -EIO;
	if (expand_label(initial, server ? "server in" : "client in", secret, 32) ||
	    expand_label(secret, v2 ? "quicv2 key" : "quic key", k->key, 16) ||
	    expand_label(secret, v2 ? "quicv2 iv" : "quic iv", k->iv, 12) ||
	    expand_label(secret, v2 ? "quicv2 hp" : "quic hp", k->hp, 16))
		return -EIO;
	return 0;
}

int quic_decrypt_initial(uint32_t version, const uint8_t *dcid, size_t dcid_len, int server,
			 const uint8_t *pkt, size_t len, size_t pn_off, uint8_t *out, size_t cap,
			 size_t *outlen)
{
	struct keys k;
	uint8_t mask[16], hdr[2048], nonce[12];
	int ret = derive(version, dcid, dcid_len, server, &k);
	if (ret)
		return ret;
	if (pn_off + 4 + 16 > len || pn_off + 4 > sizeof(hdr))
		return -EINVAL;

	mbedtls_aes_context aes;
	mbedtls_aes_init(&aes);
	ret = mbedtls_aes_setkey_enc(&aes, k.hp, 128) ||
	      mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, pkt + pn_off + 4, mask);
	mbedtls_aes_free(&aes);
	if (ret)
		return -EIO;

	memcpy(hdr, pkt, pn_off + 4);
	hdr[0] ^= mask[0] & 0x0f;
	size_t pn_len = (hdr[0] & 3u) + 1;
	uint64_t pn = 0;
	for (size_t i = 0; i < pn_len; i++) {
		hdr[pn_off + i] ^= mask[1 + i];
		pn = pn << 8 | hdr[pn_off + i];
	}
	size_t hlen = pn_off + pn_len;
	if (len < hlen + 16)
		return -EINVAL;
	size_t ctlen = len - hlen - 16;
	if (ctlen > cap)
		return -EINVAL;
	memcpy(nonce, k.iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));

	mbedtls_gcm_context gcm;
	mbedtls_gcm_init(&gcm);
	ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, k.key, 128);
	if (!ret)
		ret = mbedtls_gcm_auth_decrypt(&gcm, ctlen, nonce, 12, hdr, hlen, pkt + hlen + ctlen,
					       16, pkt + hlen, out);
	mbedtls_gcm_free(&gcm);
	if (ret == MBEDTLS_ERR_GCM_AUTH_FAILED)
		return -EBADMSG;
	if (ret)
		return -EIO;
	*outlen = ctlen;
	return 0;
}
