// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_store: arbitrary bytes as the contents of the two config partitions,
 * then store_load() (in-memory hal storage, 64 KiB partitions).
 *
 * Input: byte 0 flags (bit 0: fix up the header and payload CRCs of each
 * partition that starts with the magic, so mutations reach the decoder),
 * then partition A and partition B, each half of the rest.
 * When the load succeeds the state is exercised and saved again (confirm or
 * revert, or a reset), and must load back: what the store writes it reads.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_codec.h"
#include "store/store_diff.h"

#define FZ_PART (64u * 1024)

static uint8_t mem[2][FZ_PART];

static int part_index(const char *name)
{
	return strcmp(name, "config_a") == 0 ? 0 : strcmp(name, "config_b") == 0 ? 1 : -1;
}

static int m_open(struct hal_storage *s)
{
	(void)s;
	return 0;
}

static int m_read(struct hal_storage *s, const char *part, uint64_t off, void *buf, size_t len)
{
	(void)s;
	int i = part_index(part);
	if (i < 0)
		return -ENOENT;
	if (off > FZ_PART || len > FZ_PART - off)
		return -ERANGE;
	memcpy(buf, mem[i] + off, len);
	return 0;
}

static int m_write(struct hal_storage *s, const char *part, uint64_t off, const void *buf,
		   size_t len)
{
	(void)s;
	int i = part_index(part);
	if (i < 0)
		return -ENOENT;
	if (off > FZ_PART || len > FZ_PART - off)
		return -ERANGE;
	memcpy(mem[i] + off, buf, len);
	return 0;
}

static int m_erase(struct hal_storage *s, const char *part, uint64_t off, uint64_t len)
{
	(void)s;
	int i = part_index(part);
	if (i < 0)
		return -ENOENT;
	if (off > FZ_PART || len > FZ_PART - off)
		return -ERANGE;
	memset(mem[i] + off, 0xff, len);
	return 0;
}

static int m_sync(struct hal_storage *s)
{
	(void)s;
	return 0;
}

static int m_partition(const struct hal_storage *s, const char *part, struct hal_partition *out)
{
	(void)s;
	int i = part_index(part);
	if (i < 0)
		return -ENOENT;
	*out = (struct hal_partition){ .name = i ? "config_b" : "config_a",
				       .offset = (uint64_t)i * FZ_PART, .size = FZ_PART,
				       .erase_block = 4096 };
	return 0;
}

static void m_close(struct hal_storage *s)
{
	(void)s;
}

static const struct hal_storage_ops mem_ops = {
	.driver = "mem", .open = m_open, .read = m_read, .write = m_write, .erase = m_erase,
	.sync = m_sync, .partition = m_partition, .close = m_close,
};

static void fix_crcs(uint8_t *p, size_t have)
{
	if (have < STORE_HDR_SIZE || store_le32(p) != STORE_MAGIC)
		return;
	uint32_t len = store_le32(p + 16);
	if (len <= FZ_PART - STORE_HDR_SIZE) {
		uint32_t c = store_crc32(p + STORE_HDR_SIZE, len);
		for (int i = 0; i < 4; i++)
			p[20 + i] = (uint8_t)(c >> (8 * i));
	}
	uint32_t c = store_crc32(p, 44);
	for (int i = 0; i < 4; i++)
		p[44 + i] = (uint8_t)(c >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct hal_storage h = { .name = "mem", .ops = &mem_ops };
	struct store s;

	if (size < 1)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	size_t half = (size - 1) / 2;
	size_t n = half < FZ_PART ? half : FZ_PART;
	memset(mem, 0xff, sizeof(mem));
	memcpy(mem[0], data + 1, n);
	memcpy(mem[1], data + 1 + half, n);
	if (data[0] & 1) {
		fix_crcs(mem[0], n);
		fix_crcs(mem[1], n);
	}
	if (store_open(&s, &h, NULL, NULL))
		abort();
	int rc = store_load(&s);
	if (rc == 0) {
		unsigned c = store_history_count(&s);
		size_t rl;
		const char *r = store_running(&s, &rl);
		if (strlen(r) > rl)
			abort();
		if (c >= 2 && devnull) {
			const struct store_entry *o = store_history(&s, c - 1);
			store_compare(o->text, o->text_len, r, rl, devnull);
		}
		struct store_commit_info ci = { .who = "fuzz", .how = STORE_HOW_ROLLBACK };
		if (store_pending(&s, NULL, NULL))
			rc = store_revert_pending(&s, INT64_MAX, NULL);
		else if (c)
			rc = store_rollback(&s, store_history(&s, c - 1)->number, &ci, NULL);
		else
			rc = store_reset(&s);
		/* Save of a loaded state: only an invalid policy or "does not
		 * fit" may refuse it. */
		if (rc && rc != -ENOSPC && rc != -EINVAL)
			abort();
		if (rc == 0) {
			unsigned want = store_history_count(&s);
			store_close(&s);
			if (store_open(&s, &h, NULL, NULL) || store_load(&s) ||
			    store_history_count(&s) != want)
				abort();
		}
	} else if (rc != -EBADMSG || !store_message(&s)[0]) {
		abort(); /* damaged input: a clear -EBADMSG, nothing else */
	}
	store_close(&s);
	return 0;
}
