// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_console: bytes typed into a console session (line editor, command
 * matcher, candidate editing, load, commit) on a store in RAM; no pty.
 * First byte: bit 0 set starts at the login prompt (user "admin", a cheap
 * SHA-256 hash), else logged in as admin; bit 1 runs a tick far in the
 * future at the end (reverts a pending commit confirmed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

#define PART 65536u

struct ram {
	uint8_t b[2 * PART];
};

static int ram_part(const char *p, uint64_t *base)
{
	if (strcmp(p, "config_a") == 0)
		*base = 0;
	else if (strcmp(p, "config_b") == 0)
		*base = PART;
	else
		return -ENOENT;
	return 0;
}

static int ram_open(struct hal_storage *s)
{
	(void)s;
	return 0;
}

static int ram_read(struct hal_storage *s, const char *p, uint64_t off, void *buf, size_t len)
{
	uint64_t base;
	if (ram_part(p, &base) || off > PART || len > PART - off)
		return -EINVAL;
	memcpy(buf, ((struct ram *)s->data)->b + base + off, len);
	return 0;
}

static int ram_write(struct hal_storage *s, const char *p, uint64_t off, const void *buf,
		     size_t len)
{
	uint64_t base;
	if (ram_part(p, &base) || off > PART || len > PART - off)
		return -EINVAL;
	memcpy(((struct ram *)s->data)->b + base + off, buf, len);
	return 0;
}

static int ram_erase(struct hal_storage *s, const char *p, uint64_t off, uint64_t len)
{
	uint64_t base;
	if (ram_part(p, &base) || off > PART || len > PART - off)
		return -EINVAL;
	memset(((struct ram *)s->data)->b + base + off, 0xff, len);
	return 0;
}

static int ram_sync(struct hal_storage *s)
{
	(void)s;
	return 0;
}

static int ram_partition(const struct hal_storage *s, const char *p, struct hal_partition *out)
{
	uint64_t base;
	(void)s;
	if (ram_part(p, &base))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->name = p;
	out->offset = base;
	out->size = PART;
	out->erase_block = 4096;
	return 0;
}

static void ram_close(struct hal_storage *s)
{
	(void)s;
}

static const struct hal_storage_ops ram_ops = {
	.driver = "ram", .open = ram_open, .read = ram_read, .write = ram_write,
	.erase = ram_erase, .sync = ram_sync, .partition = ram_partition, .close = ram_close,
};

static size_t out_bytes;

static void sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	out_bytes += n;
}

static void audit_sink(void *ctx, const struct console_audit_rec *r)
{
	char line[256];
	(void)ctx;
	console_audit_format(r, line, sizeof(line));
}

/* sha256crypt of "pw" (fast enough to fuzz, unlike yescrypt). */
static const struct console_user users[] = {
	{ "admin", "$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5",
	  CONSOLE_ROLE_ADMIN },
	{ "oper", "$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5",
	  CONSOLE_ROLE_OPERATOR },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size || size > 65536)
		return 0;
	uint8_t flags = data[0];
	struct ram *ram = malloc(sizeof(*ram));
	if (!ram)
		return 0;
	memset(ram->b, 0xff, sizeof(ram->b));
	struct hal_storage st = { .name = "ram", .ops = &ram_ops, .data = ram };
	struct store s;
	if (store_open(&s, &st, NULL, NULL) || store_load(&s)) {
		free(ram);
		return 0;
	}
	struct console_cfg cfg = { .users = users, .n_users = 2, .audit = audit_sink,
				   .lockout_base_ms = 10 };
	struct console *k;
	if (console_new(&k, &s, &cfg, sink, NULL, "fuzz") == 0) {
		if (!(flags & 1))
			console_assume(k, "admin");
		console_start(k);
		uint64_t t = 0;
		for (size_t i = 1; i < size; i += 16) {
			size_t n = size - i < 16 ? size - i : 16;
			console_feed(k, data + i, n, t);
			t += 5;
		}
		if (flags & 2)
			console_tick(k, (int64_t)1 << 40);
		console_free(k);
	}
	store_close(&s);
	free(ram);
	return 0;
}
