// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the file storage driver (drivers/storage) on a temporary
 * file: partitions, bounds, read-only, erase, sync, persistence.
 *
 *   test_file_storage              the suite
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include "segw/hal/storage.h"
#include "storage/file_storage.h"

static char dir[64];
static char path[128];

static const struct hal_partition parts[] = {
	{ .name = "cfg_a", .offset = 0, .size = 8192, .erase_block = 4096 },
	{ .name = "boot", .offset = 8192, .size = 4096, .erase_block = 4096, .read_only = 1 },
	{ .name = "log", .offset = 12288, .size = 4096, .erase_block = 4096 },
};

static struct file_storage_cfg cfg = { .parts = parts, .n_parts = 3 };

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/segw-fs-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/flash.bin", dir);
	cfg.path = path;
	cfg.path_env = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char alt[160];
	unlink(path);
	snprintf(alt, sizeof(alt), "%s/alt.bin", dir);
	unlink(alt);
	rmdir(dir);
	return 0;
}

static void open_storage(struct hal_storage *s)
{
	memset(s, 0, sizeof(*s));
	s->name = "flash0";
	s->ops = &file_storage_ops;
	s->config = &cfg;
	assert_int_equal(s->ops->open(s), 0);
}

static void test_roundtrip_and_layout(void **state)
{
	(void)state;
	struct hal_storage s;
	open_storage(&s);
	struct stat stt;
	assert_int_equal(stat(path, &stt), 0);
	assert_int_equal(stt.st_size, 16384); /* sized to the last partition's end */

	uint8_t w[300], r[300];
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 13 + 1);
	assert_int_equal(s.ops->write(&s, "cfg_a", 8192 - 300, w, 300), 0);
	assert_int_equal(s.ops->read(&s, "cfg_a", 8192 - 300, r, 300), 0);
	assert_memory_equal(r, w, 300);
	assert_int_equal(s.ops->write(&s, "log", 0, "LOG!", 4), 0);
	assert_int_equal(s.ops->sync(&s), 0);

	/* each partition at its own offset in the file */
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t raw[4];
	fseek(f, 12288, SEEK_SET);
	assert_int_equal(fread(raw, 1, 4, f), 4);
	assert_memory_equal(raw, "LOG!", 4);
	fseek(f, 8192 - 300, SEEK_SET);
	assert_int_equal(fread(r, 1, 300, f), 300);
	assert_memory_equal(r, w, 300);
	fclose(f);

	struct hal_partition d;
	assert_int_equal(s.ops->partition(&s, "boot", &d), 0);
	assert_string_equal(d.name, "boot");
	assert_int_equal(d.offset, 8192);
	assert_int_equal(d.size, 4096);
	assert_int_equal(d.read_only, 1);

	/* durable across close and open */
	s.ops->close(&s);
	assert_null(s.data);
	open_storage(&s);
	memset(r, 0, sizeof(r));
	assert_int_equal(s.ops->read(&s, "cfg_a", 8192 - 300, r, 300), 0);
	assert_memory_equal(r, w, 300);
	s.ops->close(&s);
}

static void test_errors(void **state)
{
	(void)state;
	struct hal_storage s;
	open_storage(&s);
	uint8_t b[16] = { 0 };
	struct hal_partition d;
	assert_int_equal(s.ops->read(&s, "nope", 0, b, 1), -ENOENT);
	assert_int_equal(s.ops->write(&s, "nope", 0, b, 1), -ENOENT);
	assert_int_equal(s.ops->erase(&s, "nope", 0, 1), -ENOENT);
	assert_int_equal(s.ops->partition(&s, "nope", &d), -ENOENT);
	assert_int_equal(s.ops->partition(&s, "", &d), -ENOENT);

	assert_int_equal(s.ops->read(&s, "log", 4096, b, 1), -ERANGE);
	assert_int_equal(s.ops->read(&s, "log", 4090, b, 7), -ERANGE);
	assert_int_equal(s.ops->write(&s, "log", 4096 - 15, b, 16), -ERANGE);
	assert_int_equal(s.ops->read(&s, "log", 4097, b, 0), -ERANGE);
	assert_int_equal(s.ops->read(&s, "log", UINT64_MAX, b, 1), -ERANGE);
	assert_int_equal(s.ops->write(&s, "log", 8, b, SIZE_MAX), -ERANGE);
	assert_int_equal(s.ops->erase(&s, "log", 4000, UINT64_MAX - 100), -ERANGE);
	/* the last byte and an empty access at the end are fine */
	assert_int_equal(s.ops->write(&s, "log", 4095, b, 1), 0);
	assert_int_equal(s.ops->read(&s, "log", 4096, b, 0), 0);

	assert_int_equal(s.ops->write(&s, "boot", 0, b, 1), -EROFS);
	assert_int_equal(s.ops->erase(&s, "boot", 0, 4096), -EROFS);
	assert_int_equal(s.ops->read(&s, "boot", 0, b, 16), 0); /* reading is allowed */
	s.ops->close(&s);
	s.ops->close(&s); /* twice is harmless */

	/* a path that cannot be created */
	struct file_storage_cfg bad = cfg;
	bad.path = "/nonexistent-dir/segw/flash.bin";
	struct hal_storage t = { .ops = &file_storage_ops, .config = &bad };
	assert_int_equal(t.ops->open(&t), -ENOENT);
}

static void test_erase(void **state)
{
	(void)state;
	struct hal_storage s;
	open_storage(&s);
	uint8_t w[6000], r[6000];
	memset(w, 0x11, sizeof(w));
	assert_int_equal(s.ops->write(&s, "cfg_a", 1000, w, sizeof(w)), 0);
	/* erase more than one 4 KiB step, leaving the edges */
	assert_int_equal(s.ops->erase(&s, "cfg_a", 1500, 5000), 0);
	assert_int_equal(s.ops->read(&s, "cfg_a", 1000, r, sizeof(r)), 0);
	for (size_t i = 0; i < sizeof(r); i++) {
		uint8_t want = (i >= 500 && i < 5500) ? 0xff : 0x11;
		if (r[i] != want)
			fail_msg("byte %zu after erase: 0x%02x, expected 0x%02x", 1000 + i, r[i], want);
	}
	/* erasing does not reach the next partition */
	assert_int_equal(s.ops->write(&s, "boot", 0, w, 1), -EROFS);
	assert_int_equal(s.ops->erase(&s, "log", 0, 4096), 0);
	assert_int_equal(s.ops->read(&s, "cfg_a", 8191, r, 1), 0);
	assert_int_equal(s.ops->sync(&s), 0);
	s.ops->close(&s);
}

/* The environment variable overrides the configured path. */
static void test_path_env(void **state)
{
	(void)state;
	char alt[160];
	snprintf(alt, sizeof(alt), "%s/alt.bin", dir);
	setenv("SEGW_TEST_FLASH", alt, 1);
	cfg.path_env = "SEGW_TEST_FLASH";
	struct hal_storage s;
	open_storage(&s);
	assert_int_equal(s.ops->write(&s, "log", 0, "E", 1), 0);
	s.ops->close(&s);
	struct stat st;
	assert_int_equal(stat(alt, &st), 0);
	assert_int_equal(st.st_size, 16384);
	assert_int_not_equal(access(path, F_OK), 0);
	unsetenv("SEGW_TEST_FLASH");
	cfg.path_env = NULL;
}

/* Bytes beyond the end of a (shrunken) file read as erased flash. */
static void test_read_beyond_file(void **state)
{
	(void)state;
	struct hal_storage s;
	open_storage(&s);
	assert_int_equal(s.ops->write(&s, "cfg_a", 0, "abcd", 4), 0);
	assert_int_equal(truncate(path, 2), 0);
	uint8_t r[8];
	assert_int_equal(s.ops->read(&s, "cfg_a", 0, r, 8), 0);
	assert_memory_equal(r, "ab\xff\xff\xff\xff\xff\xff", 8);
	s.ops->close(&s);
}

/*
 * KNOWN BUG (drivers/storage/file_storage.c, fs_open): a new flash file is
 * extended with ftruncate(), so never-written areas read 0x00, while an
 * erased area (fs_erase) and bytes beyond the file (fs_read) read 0xff, the
 * value of erased flash. A config store that looks for erased (0xff) slots
 * sees a fresh device as full of written zeros.
 * Expected: a fresh partition reads like an erased one (0xff).
 */
static void test_unwritten_reads_erased(void **state)
{
	(void)state;
	struct hal_storage s;
	open_storage(&s);
	uint8_t fresh[64], erased[64];
	assert_int_equal(s.ops->read(&s, "log", 100, fresh, sizeof(fresh)), 0);
	assert_int_equal(s.ops->erase(&s, "log", 0, 4096), 0);
	assert_int_equal(s.ops->read(&s, "log", 100, erased, sizeof(erased)), 0);
	assert_memory_equal(fresh, erased, sizeof(fresh));
	s.ops->close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_and_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_beyond_file, setup, teardown),
		/* was a known bug: a fresh image read 0x00 where erased flash reads 0xff */
		cmocka_unit_test_setup_teardown(test_unwritten_reads_erased, setup, teardown),
	};
	return cmocka_run_group_tests_name("file_storage", tests, NULL, NULL);
}
