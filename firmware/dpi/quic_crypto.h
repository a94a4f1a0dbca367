/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_crypto: QUIC Initial packet protection (RFC 9001 section 5, RFC 9369
 * for v2): initial secrets from the client's Destination Connection ID,
 * header protection removal and AEAD_AES_128_GCM decryption, with mbedtls.
 *
 * Thread: any. Allocation: none (mbedtls contexts on the stack).
 * Errors: -ENOTSUP unknown version, -EINVAL malformed, -EBADMSG
 *         authentication failed, -EIO crypto library failure.
 */
#ifndef SEGW_DPI_QUIC_CRYPTO_H
#define SEGW_DPI_QUIC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu
#define QUIC_Q050 0x51303530u /* "Q050" */
#define QUIC_T050 0x54303530u /* "T050" */
#define QUIC_T051 0x54303531u /* "T051" */

/* quic_version_known - Initial protection is known for @v (v1, v2, drafts 22-34, mvfst,
 * Google Q050/T050/T051). */
int quic_version_known(uint32_t v);

/* quic_initial_type - the long-header type bits of an Initial packet for @v (v2: 1). */
unsigned quic_initial_type(uint32_t v);

/*
 * quic_decrypt_initial - decrypt the Initial packet at @pkt (@len bytes: the
 * packet alone, from its first byte to the end of its Length) whose packet
 * number starts at @pn_off. Keys from @dcid (the client's first DCID) for
 * the client (@server 0) or server side. Plaintext into @out (at most @cap
 * bytes), its length into *outlen.
 */
int quic_decrypt_initial(uint32_t version, const uint8_t *dcid, size_t dcid_len, int server,
			 const uint8_t *pkt, size_t len, size_t pn_off, uint8_t *out, size_t cap,
			 size_t *outlen);

#endif
