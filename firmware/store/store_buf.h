/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_buf: a growable byte buffer with sticky errors, used by the store's
 * encoders (record payload, line deltas).
 *
 * Owner:      the caller owns the struct and frees it with store_buf_free().
 * Thread:     the caller's (control thread).
 * Allocation: appends grow the buffer with realloc(); a buffer never grows
 *             beyond @limit bytes (set by store_buf_init()).
 * Errors:     the first failed append sets ->err (-ENOMEM, or -E2BIG past the
 *             limit); later appends do nothing. Check ->err once at the end.
 */
#ifndef SEGW_STORE_BUF_H
#define SEGW_STORE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct store_buf {
	uint8_t *p;
	size_t len, cap, limit;
	int err;
};

void store_buf_init(struct store_buf *b, size_t limit);
void store_buf_free(struct store_buf *b);
void store_buf_put(struct store_buf *b, const void *data, size_t len);
void store_buf_u8(struct store_buf *b, uint8_t v);
void store_buf_u16(struct store_buf *b, uint16_t v);
void store_buf_u32(struct store_buf *b, uint32_t v);
void store_buf_u64(struct store_buf *b, uint64_t v);
/* store_buf_patch_u32 - overwrite 4 bytes at @off (< len - 3) little-endian. */
void store_buf_patch_u32(struct store_buf *b, size_t off, uint32_t v);

/* Little-endian loads from a buffer the caller has bounds-checked. */
uint16_t store_le16(const uint8_t *p);
uint32_t store_le32(const uint8_t *p);
uint64_t store_le64(const uint8_t *p);

#endif
