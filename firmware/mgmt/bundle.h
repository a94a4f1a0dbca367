/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bundle: signed policy bundles of the management plane.
 *
 * A bundle is text (docs/mgmt.md has the full description):
 *
 *   segw-bundle 1\n
 *   target ID[,ID...]|*\n      appliance ids the bundle is for ("*": any)
 *   board BOARD-ID\n           must equal the appliance's board id
 *   version N\n                1..2^63-1, must exceed the last one applied
 *   window SECONDS\n           0: no confirmation needed; else the push
 *                              reverts unless confirmed within it (<= 86400)
 *   comment TEXT\n             optional, at most 200 bytes, printable
 *   policy LENGTH\n            then exactly LENGTH bytes of policy text
 *   <policy text>\n            and one newline that ends it
 *   signature BASE64\n         DER ECDSA P-256 signature (SHA-256) over
 *                              every byte before this line
 *
 * bundle_parse() checks the framing only as far as needed to find the
 * signature line, verifies the signature with the management public key, and
 * only then reads the fields (strictly: order, syntax, ranges). The target,
 * version and policy checks are the caller's (mgmt_ctl), in that order.
 *
 * Owner:      struct bundle points into the caller's buffer (policy).
 * Thread:     any; the keys are borrowed and only read.
 * Allocation: none in parse; bundle_build() allocates the bundle.
 * Errors:     -EBADMSG malformed (why in @err), -EKEYREJECTED signature does
 *             not verify or is not an ECDSA P-256 signature, -E2BIG larger
 *             than BUNDLE_MAX, -EINVAL bad arguments (build), -ENOMEM.
 */
#ifndef SEGW_MGMT_BUNDLE_H
#define SEGW_MGMT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#define BUNDLE_MAX (1u << 20)         /* whole bundle, bytes */
#define BUNDLE_TARGET_MAX 255
#define BUNDLE_BOARD_MAX 63
#define BUNDLE_COMMENT_MAX 200
#define BUNDLE_WINDOW_MAX 86400u
#define BUNDLE_SIG_MAX 160            /* DER ECDSA P-256 is at most 72 bytes */

struct bundle {
	char target[BUNDLE_TARGET_MAX + 1];
	char board[BUNDLE_BOARD_MAX + 1];
	uint64_t version;
	uint32_t window_s;
	char comment[BUNDLE_COMMENT_MAX + 1];
	const char *policy; /* into the parsed buffer, not NUL-terminated */
	size_t policy_len;
};

/*
 * bundle_parse - verify bundle @b (@n bytes) with public key @key, then read
 * its fields into @out. 0, or an error above with a one-line reason in @err.
 */
int bundle_parse(const uint8_t *b, size_t n, mbedtls_pk_context *key, struct bundle *out,
		 char *err, size_t errlen);

/*
 * bundle_targets - 1 if @target (a bundle's target field) names @id or is "*".
 */
int bundle_targets(const char *target, const char *id);

/*
 * bundle_build - a bundle of @in (its policy and fields) signed with private
 * key @sk (ECDSA P-256) using random source @rng(@rng_ctx) for the signature.
 * *out is malloc'd (the caller frees it). 0, -EINVAL (a field out of range,
 * not a P-256 key), -E2BIG, -ENOMEM, -EIO (signing failed).
 */
int bundle_build(const struct bundle *in, mbedtls_pk_context *sk,
		 int (*rng)(void *, unsigned char *, size_t), void *rng_ctx, uint8_t **out,
		 size_t *outlen);

#endif
