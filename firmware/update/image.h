/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update/image: the signed firmware image container (".segwimg").
 *
 * Layout: a 512-byte header, then the payload (the root filesystem of one
 * slot). All integers little-endian.
 *
 *   off  size  field
 *     0     8  magic "SEGWIMG\x01"
 *     8     4  header_size (512)
 *    12     4  format (1)
 *    16    48  board id, NUL-padded ("segw,qemu-x86_64")
 *    64    32  version string, NUL-padded ("0.1.0")
 *    96     4  security version: the box refuses an image whose security
 *              version is below its security floor
 *   100     4  flags (0)
 *   104     8  payload size in bytes
 *   112    32  SHA-256 of the payload
 *   144     8  key id: the first 8 bytes of SHA-256(public key, DER)
 *   152     2  signature length (8..72)
 *   154    72  signature: ECDSA P-256 over SHA-256 of the header with
 *              bytes 152..225 (length and signature) zeroed; DER
 *   226   286  reserved, zero
 *
 * The parser reads untrusted bytes: it checks every field and never reads
 * past @len. Signing is deterministic (RFC 6979): one key, header and
 * payload give one container, byte for byte.
 *
 * Owner:      callers own every buffer; nothing is allocated beyond mbedtls
 *             contexts freed before return.
 * Thread:     any; no global state (psa_crypto_init is idempotent).
 * Errors:     -EINVAL malformed header (the message names the field),
 *             -ENOTSUP unknown format, -EKEYREJECTED signature or key id
 *             mismatch, -EBADMSG payload digest mismatch, -ENODEV image for
 *             another board, -EPERM security version below the floor,
 *             -ERANGE truncated image (payload shorter than the header
 *             says), -EIO / -ENOMEM from files and crypto.
 *             A message for the operator is written into @err.
 */
#ifndef SEGW_UPDATE_IMAGE_H
#define SEGW_UPDATE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define SEGW_IMG_MAGIC "SEGWIMG\x01"
#define SEGW_IMG_HDR_SIZE 512u
#define SEGW_IMG_FORMAT 1u
#define SEGW_IMG_BOARD_LEN 48u
#define SEGW_IMG_VERSION_LEN 32u
#define SEGW_IMG_SIG_OFF 152u
#define SEGW_IMG_SIG_MAX 72u
#define SEGW_IMG_SIG_END (SEGW_IMG_SIG_OFF + 2u + SEGW_IMG_SIG_MAX)

struct segw_img_hdr {
	char board[SEGW_IMG_BOARD_LEN + 1];
	char version[SEGW_IMG_VERSION_LEN + 1];
	uint32_t security_version;
	uint32_t flags;
	uint64_t payload_size;
	uint8_t payload_sha256[32];
	uint8_t key_id[8];
	uint16_t sig_len;
	uint8_t sig[SEGW_IMG_SIG_MAX];
};

/*
 * segw_img_parse - decode and check the header at @buf (@len bytes
 * available). 0, -EINVAL, -ENOTSUP; @out filled on 0 only.
 */
int segw_img_parse(const uint8_t *buf, size_t len, struct segw_img_hdr *out, char *err,
		   size_t errlen);

/*
 * segw_img_verify_sig - check the header's signature with the public key
 * @pub (PEM or DER, @publen bytes, PEM including its NUL). @raw: the 512
 * header bytes @h was parsed from. 0, -EKEYREJECTED, -EINVAL (bad key).
 */
int segw_img_verify_sig(const struct segw_img_hdr *h, const uint8_t *raw, const uint8_t *pub,
			size_t publen, char *err, size_t errlen);

/*
 * segw_img_check_target - may this box take the image? @board: the box's
 * board id; @floor: its security floor. 0, -ENODEV, -EPERM.
 */
int segw_img_check_target(const struct segw_img_hdr *h, const char *board, uint32_t floor,
			  char *err, size_t errlen);

/*
 * segw_img_check_file - the whole check of the container in file @fd:
 * header, signature, target, size (-ERANGE if truncated or with trailing
 * bytes) and payload digest (read once, -EBADMSG). Reads only. On 0, @out
 * holds the header.
 */
int segw_img_check_file(int fd, const uint8_t *pub, size_t publen, const char *board,
			uint32_t floor, struct segw_img_hdr *out, char *err, size_t errlen);

/*
 * segw_img_build_header - fill @raw (512 bytes) for the payload described
 * by @h (board, version, security_version, payload_size, payload_sha256)
 * and sign it with the private key @key (PEM, @keylen including NUL).
 * Sets h->key_id, sig_len, sig. 0, -EINVAL (bad field or key), -ENOMEM.
 */
int segw_img_build_header(struct segw_img_hdr *h, const uint8_t *key, size_t keylen,
			  uint8_t raw[SEGW_IMG_HDR_SIZE], char *err, size_t errlen);

/* segw_img_key_id - the key id of public or private key @key. 0 or -EINVAL. */
int segw_img_key_id(const uint8_t *key, size_t keylen, int is_private, uint8_t id[8]);

#endif
