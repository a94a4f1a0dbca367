// SPDX-License-Identifier: GPL-2.0-or-later
/* store_codec: see store_codec.h. */
#include "store/store_codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_diff.h"

uint32_t store_crc32(const void *p, size_t len)
{
	/* Nibble table of the reflected polynomial 0xedb88320. */
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= b[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void store_codec_header(uint8_t hdr[STORE_HDR_SIZE], uint64_t seq, const uint8_t *payload,
			uint32_t len)
{
	memset(hdr, 0, STORE_HDR_SIZE);
	put32(hdr, STORE_MAGIC);
	hdr[4] = STORE_FORMAT;
	hdr[6] = STORE_HDR_SIZE;
	put32(hdr + 8, (uint32_t)seq);
	put32(hdr + 12, (uint32_t)(seq >> 32));
	put32(hdr + 16, len);
	put32(hdr + 20, store_crc32(payload, len));
	put32(hdr + 44, store_crc32(hdr, 44));
}

int store_codec_check_header(const uint8_t hdr[STORE_HDR_SIZE], uint64_t cap, uint64_t *seq,
			     uint32_t *len, uint32_t *crc, const char **why)
{
	size_t i;

	for (i = 0; i < STORE_HDR_SIZE && hdr[i] == 0xff; i++)
		;
	if (i == STORE_HDR_SIZE)
		return 1;
	if (store_le32(hdr) != STORE_MAGIC) {
		*why = "no record (bad magic)";
		return -EBADMSG;
	}
	if (store_le32(hdr + 44) != store_crc32(hdr, 44)) {
		*why = "header CRC mismatch";
		return -EBADMSG;
	}
	if (store_le16(hdr + 4) != STORE_FORMAT || store_le16(hdr + 6) != STORE_HDR_SIZE) {
		*why = "unknown record format version";
		return -EBADMSG;
	}
	if (store_le32(hdr + 24) != 0) {
		*why = "unknown record flags";
		return -EBADMSG;
	}
	*seq = store_le64(hdr + 8);
	*len = store_le32(hdr + 16);
	*crc = store_le32(hdr + 20);
	if (*len > cap) {
		*why = "payload longer than the partition";
		return -EBADMSG;
	}
	return 0;
}

static void put_tlv(struct store_buf *b, uint16_t tag, size_t len)
{
	store_buf_u16(b, tag);
	store_buf_u16(b, 0);
	store_buf_u32(b, (uint32_t)len);
}

int store_codec_encode(const struct store_state *st, size_t cap, struct store_buf *out,
		       uint32_t *n_fit)
{
	size_t end[STORE_HISTORY_MAX + 1];
	uint32_t i, k;

	*n_fit = 0;
	if (st->pending) {
		put_tlv(out, STORE_TAG_PENDING, STORE_PENDING_FIXED + st->prev_len);
		store_buf_u64(out, (uint64_t)st->deadline);
		store_buf_u32(out, st->pend_number);
		store_buf_u32(out, st->pend_prev);
		store_buf_u32(out, (uint32_t)st->prev_len);
		store_buf_put(out, st->prev_text, st->prev_len);
	}
	if (st->mgmt_version) {
		put_tlv(out, STORE_TAG_MGMT, STORE_MGMT_FIXED);
		store_buf_u64(out, st->mgmt_version);
	}
	end[0] = out->len;
	for (i = 0; i < st->n && i < STORE_HISTORY_MAX && !out->err && out->len <= cap; i++) {
		const struct store_entry *e = &st->history[i];
		size_t wl = strlen(e->who), cl = strlen(e->comment), at = out->len;

		put_tlv(out, STORE_TAG_ENTRY, 0); /* length patched below */
		store_buf_u32(out, e->number);
		store_buf_u64(out, (uint64_t)e->when);
		store_buf_u8(out, e->how);
		store_buf_u8(out, i ? 1 : 0);
		store_buf_u16(out, (uint16_t)wl);
		store_buf_u16(out, (uint16_t)cl);
		store_buf_u32(out, 0); /* text length patched below */
		store_buf_put(out, e->who, wl);
		store_buf_put(out, e->comment, cl);
		size_t t0 = out->len;
		if (i == 0)
			store_buf_put(out, e->text, e->text_len);
		else
			store_delta_encode(st->history[i - 1].text, st->history[i - 1].text_len,
					   e->text, e->text_len, out);
		if (out->err)
			break;
		if (out->len - at - 8 > UINT32_MAX) {
			out->err = -E2BIG;
			break;
		}
		store_buf_patch_u32(out, at + 4, (uint32_t)(out->len - at - 8));
		store_buf_patch_u32(out, at + 8 + 18, (uint32_t)(out->len - t0));
		end[i + 1] = out->len;
	}
	if (out->err == -E2BIG)
		return -ENOSPC;
	if (out->err)
		return out->err;
	for (k = i; k > 0 && end[k] > cap; k--)
		;
	if (end[k] > cap || (k == 0 && st->n))
		return -ENOSPC;
	out->len = end[k];
	*n_fit = k;
	return 0;
}

void store_entry_free(struct store_entry *e)
{
	free(e->who);
	free(e->comment);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

void store_state_free(struct store_state *st)
{
	for (uint32_t i = 0; i < st->n && i < STORE_HISTORY_MAX; i++)
		store_entry_free(&st->history[i]);
	free(st->prev_text);
	memset(st, 0, sizeof(*st));
}

/* dup_str - a NUL-terminated copy of @len bytes holding no NUL. */
static char *dup_str(const uint8_t *p, size_t len)
{
	if (memchr(p, 0, len))
		return NULL;
	char *s = malloc(len + 1);
	if (s) {
		memcpy(s, p, len);
		s[len] = 0;
	}
	return s;
}

static int decode_entry(const uint8_t *v, size_t len, size_t cap, struct store_state *out,
			const char **why)
{
	if (out->n >= STORE_HISTORY_MAX) {
		*why = "too many history entries";
		return -EBADMSG;
	}
	if (len < STORE_ENTRY_FIXED) {
		*why = "history entry truncated";
		return -EBADMSG;
	}
	struct store_entry *e = &out->history[out->n];
	uint32_t number = store_le32(v);
	uint8_t how = v[12], kind = v[13];
	size_t wl = store_le16(v + 14), cl = store_le16(v + 16), tl = store_le32(v + 18);

	if (wl > STORE_WHO_MAX || cl > STORE_COMMENT_MAX ||
	    len - STORE_ENTRY_FIXED != wl + cl + tl) {
		*why = "history entry lengths inconsistent";
		return -EBADMSG;
	}
	if (number == 0 || (out->n && number >= out->history[out->n - 1].number)) {
		*why = "history entry numbers not decreasing";
		return -EBADMSG;
	}
	if (how >= STORE_HOW__COUNT || kind > 1 || (kind == 1 && out->n == 0)) {
		*why = "history entry kind unknown";
		return -EBADMSG;
	}
	const uint8_t *w = v + STORE_ENTRY_FIXED, *c = w + wl, *t = c + cl;
	e->number = number;
	e->when = (int64_t)store_le64(v + 4);
	e->how = how;
	e->who = dup_str(w, wl);
	e->comment = dup_str(c, cl);
	int rc = 0;
	if (!e->who || !e->comment) {
		rc = -EBADMSG;
		*why = "history entry text fields invalid";
	} else if (kind == 0) {
		if (tl > cap) {
			rc = -EBADMSG;
			*why = "history entry text too long";
		} else if (!(e->text = malloc(tl + 1))) {
			rc = -ENOMEM;
		} else {
			memcpy(e->text, t, tl);
			e->text[tl] = 0;
			e->text_len = tl;
		}
	} else {
		const struct store_entry *newer = &out->history[out->n - 1];
		rc = store_delta_apply(newer->text, newer->text_len, t, tl, cap, &e->text,
				       &e->text_len);
		if (rc == -EBADMSG)
			*why = "history entry delta invalid";
	}
	if (rc) {
		store_entry_free(e);
		return rc;
	}
	out->n++;
	return 0;
}

static int decode_pending(const uint8_t *v, size_t len, size_t cap, struct store_state *out,
			  const char **why)
{
	if (out->pending || len < STORE_PENDING_FIXED ||
	    len - STORE_PENDING_FIXED != store_le32(v + 16) ||
	    len - STORE_PENDING_FIXED > cap) {
		*why = "pending confirmation malformed";
		return -EBADMSG;
	}
	out->pending = 1;
	out->deadline = (int64_t)store_le64(v);
	out->pend_number = store_le32(v + 8);
	out->pend_prev = store_le32(v + 12);
	out->prev_len = len - STORE_PENDING_FIXED;
	out->prev_text = malloc(out->prev_len + 1);
	if (!out->prev_text)
		return -ENOMEM;
	memcpy(out->prev_text, v + STORE_PENDING_FIXED, out->prev_len);
	out->prev_text[out->prev_len] = 0;
	return 0;
}

int store_codec_decode(const uint8_t *p, size_t len, size_t cap, struct store_state *out,
		       const char **why)
{
	size_t pos = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len && !rc) {
		if (len - pos < 8) {
			*why = "payload truncated";
			rc = -EBADMSG;
			break;
		}
		uint16_t tag = store_le16(p + pos), flags = store_le16(p + pos + 2);
		uint32_t vl = store_le32(p + pos + 4);
		pos += 8;
		if (vl > len - pos) {
			*why = "payload field overruns the record";
			rc = -EBADMSG;
			break;
		}
		if (tag == STORE_TAG_ENTRY)
			rc = decode_entry(p + pos, vl, cap, out, why);
		else if (tag == STORE_TAG_PENDING)
			rc = out->n ? (*why = "pending confirmation after history", -EBADMSG)
				    : decode_pending(p + pos, vl, cap, out, why);
		else if (tag == STORE_TAG_MGMT) {
			if (vl != STORE_MGMT_FIXED || out->n) {
				*why = "management version malformed";
				rc = -EBADMSG;
			} else {
				out->mgmt_version = store_le64(p + pos);
			}
		} else if (flags & STORE_TLV_CRITICAL) {
			*why = "unknown critical field";
			rc = -EBADMSG;
		}
		pos += vl;
	}
	if (!rc && out->pending &&
	    (out->n == 0 || out->pend_number != out->history[0].number ||
	     out->pend_prev >= out->pend_number)) {
		*why = "pending confirmation does not match running";
		rc = -EBADMSG;
	}
	if (rc)
		store_state_free(out);
	return rc;
}
