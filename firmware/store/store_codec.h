/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_codec: the on-flash record of the configuration store (format in
 * store.h): CRC-32, the 48-byte header, and the payload encoding of a
 * struct store_state.
 *
 * Owner:      the caller owns states and buffers; a decoded state owns its
 *             strings (store_state_free()).
 * Thread:     any (no shared state).
 * Allocation: encode and decode allocate; the header functions do not.
 * Errors:     decode treats its input as untrusted: every count, length and
 *             cross-reference is checked and a violation is -EBADMSG with a
 *             static reason in *why; -ENOMEM; encode -ENOSPC when not even
 *             the newest entry (with the pending confirmation) fits @cap.
 */
#ifndef SEGW_STORE_CODEC_H
#define SEGW_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_buf.h"

enum { STORE_TAG_ENTRY = 1, STORE_TAG_PENDING = 2, STORE_TAG_MGMT = 3 };
#define STORE_MGMT_FIXED 8 /* tag 3: u64 last accepted management bundle version */
#define STORE_TLV_CRITICAL 1u
#define STORE_ENTRY_FIXED 22
#define STORE_PENDING_FIXED 20

/* store_crc32 - CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t store_crc32(const void *p, size_t len);

/* store_codec_header - fill @hdr for a record of @seq over @payload. */
void store_codec_header(uint8_t hdr[STORE_HDR_SIZE], uint64_t seq, const uint8_t *payload,
			uint32_t len);
/*
 * store_codec_check_header - 0 for a well-formed header whose payload fits
 * @cap (*seq, *len, *crc set), 1 for an erased (all 0xff) one, -EBADMSG with
 * *why otherwise.
 */
int store_codec_check_header(const uint8_t hdr[STORE_HDR_SIZE], uint64_t cap, uint64_t *seq,
			     uint32_t *len, uint32_t *crc, const char **why);

/*
 * store_codec_encode - encode @st into @out (initialised by the caller),
 * keeping the newest entries that fit @cap bytes: *n_fit of them.
 */
int store_codec_encode(const struct store_state *st, size_t cap, struct store_buf *out,
		       uint32_t *n_fit);
/* store_codec_decode - decode @len bytes into @out (zeroed on entry, freed on error). */
int store_codec_decode(const uint8_t *p, size_t len, size_t cap, struct store_state *out,
		       const char **why);

void store_entry_free(struct store_entry *e);
void store_state_free(struct store_state *st);

#endif
