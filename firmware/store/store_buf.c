// SPDX-License-Identifier: GPL-2.0-or-later
/* store_buf: see store_buf.h. */
#include "store/store_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void store_buf_init(struct store_buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void store_buf_free(struct store_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void store_buf_put(struct store_buf *b, const void *data, size_t len)
{
	if (b->err || len == 0)
		return;
	if (len > b->limit || b->len > b->limit - len) {
		b->err = -E2BIG;
		return;
	}
	if (b->len + len > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		while (ncap < b->len + len)
			ncap = ncap > b->limit / 2 ? b->limit : ncap * 2;
		uint8_t *np = realloc(b->p, ncap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void store_buf_u8(struct store_buf *b, uint8_t v)
{
	store_buf_put(b, &v, 1);
}

void store_buf_u16(struct store_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	store_buf_put(b, x, 2);
}

void store_buf_u32(struct store_buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	store_buf_put(b, x, 4);
}

void store_buf_u64(struct store_buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	store_buf_put(b, x, 8);
}

void store_buf_patch_u32(struct store_buf *b, size_t off, uint32_t v)
{
	if (b->err || off > b->len || b->len - off < 4)
		return;
	for (int i = 0; i < 4; i++)
		b->p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

uint16_t store_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t store_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t store_le64(const uint8_t *p)
{
	return (uint64_t)store_le32(p) | (uint64_t)store_le32(p + 4) << 32;
}
