// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_update: the image container (firmware/update/image.c), GRUB's
 * environment block (grubenv.c) and the A/B slot updater (slots.c) on files:
 * real keys (openssl-made, in tools/image/keys and tests/image/keys), real
 * mbedtls, slots and grubenv as files in a temporary folder.
 *
 *   test_update KEYDIR TESTKEYDIR
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>

#include "grubenv.h"
#include "image.h"
#include "slots.h"

static const char *keydir, *tkeydir;
static char tmpdir[256];

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *b = malloc(65537);
	size_t n = fread(b, 1, 65536, f);
	fclose(f);
	b[n] = 0;
	*len = n + 1;
	return b;
}

static void spit(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static size_t readall(const char *path, uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, cap);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* An image file: header for @board/@ver/@sec signed by @keyname, @payload. */
static void make_image(const char *path, const char *keyname, const char *kdir,
		       const char *board, const char *ver, uint32_t sec, const uint8_t *payload,
		       size_t plen, uint8_t raw_out[SEGW_IMG_HDR_SIZE])
{
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	strcpy(h.board, board);
	strcpy(h.version, ver);
	h.security_version = sec;
	h.payload_size = plen;
	mbedtls_sha256(payload, plen, h.payload_sha256, 0);
	size_t kl;
	uint8_t *k = slurp(kdir, keyname, &kl);
	uint8_t raw[SEGW_IMG_HDR_SIZE];
	char err[256];
	assert_int_equal(segw_img_build_header(&h, k, kl, raw, err, sizeof(err)), 0);
	free(k);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, raw, sizeof(raw)), (ssize_t)sizeof(raw));
	assert_int_equal(write(fd, payload, plen), (ssize_t)plen);
	close(fd);
	if (raw_out)
		memcpy(raw_out, raw, sizeof(raw));
}

static uint8_t payload[200000];

static int check(const char *path, const char *pubname, const char *kdir, const char *board,
		 uint32_t floor, char *err, size_t errlen)
{
	size_t pl;
	uint8_t *pub = slurp(kdir, pubname, &pl);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct segw_img_hdr h;
	int rc = segw_img_check_file(fd, pub, pl, board, floor, &h, err, errlen);
	close(fd);
	free(pub);
	return rc;
}

static void test_image_good_and_refusals(void **st)
{
	(void)st;
	char img[512], bad[512], err[256];
	uint8_t raw[SEGW_IMG_HDR_SIZE], raw2[SEGW_IMG_HDR_SIZE];
	snprintf(img, sizeof(img), "%s/good.segwimg", tmpdir);
	snprintf(bad, sizeof(bad), "%s/bad.segwimg", tmpdir);
	make_image(img, "dev-image-key.pem", keydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), raw);
	assert_int_equal(check(img, "dev-image-key.pub", keydir, "segw,test", 5, err, sizeof(err)), 0);

	/* deterministic signature: the same inputs, the same header */
	make_image(bad, "dev-image-key.pem", keydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), raw2);
	assert_memory_equal(raw, raw2, sizeof(raw));

	struct segw_img_hdr h;
	assert_int_equal(segw_img_parse(raw, sizeof(raw), &h, err, sizeof(err)), 0);
	assert_string_equal(h.board, "segw,test");
	assert_string_equal(h.version, "1.2.3");
	assert_int_equal(h.security_version, 5);
	assert_int_equal(h.payload_size, sizeof(payload));

	/* wrong board, below the floor */
	assert_int_equal(check(img, "dev-image-key.pub", keydir, "segw,other", 0, err, sizeof(err)),
			 -ENODEV);
	assert_non_null(strstr(err, "segw,other"));
	assert_int_equal(check(img, "dev-image-key.pub", keydir, "segw,test", 6, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "downgrade"));

	/* signed by another key; a key of another curve */
	assert_int_equal(check(img, "other-key.pub", tkeydir, "segw,test", 0, err, sizeof(err)),
			 -EKEYREJECTED);
	assert_int_equal(check(img, "p384-key.pub", tkeydir, "segw,test", 0, err, sizeof(err)),
			 -EINVAL);
	make_image(bad, "other-key.pem", tkeydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), NULL);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -EKEYREJECTED);

	/* a header field changed after signing: the signature no longer holds */
	uint8_t b[SEGW_IMG_HDR_SIZE];
	memcpy(b, raw, sizeof(b));
	b[96] = 9; /* security version 5 -> 9 */
	int fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, b, sizeof(b)), (ssize_t)sizeof(b));
	assert_int_equal(write(fd, payload, sizeof(payload)), (ssize_t)sizeof(payload));
	close(fd);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -EKEYREJECTED);
	assert_string_equal(err, "image: bad signature");

	/* the payload changed: digest */
	make_image(bad, "dev-image-key.pem", keydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), NULL);
	fd = open(bad, O_WRONLY);
	assert_int_equal(pwrite(fd, "X", 1, SEGW_IMG_HDR_SIZE + 1000), 1);
	close(fd);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -EBADMSG);

	/* truncated; trailing bytes */
	make_image(bad, "dev-image-key.pem", keydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), NULL);
	assert_int_equal(truncate(bad, SEGW_IMG_HDR_SIZE + 1000), 0);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -ERANGE);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(truncate(bad, 100), 0);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -EINVAL);
	make_image(bad, "dev-image-key.pem", keydir, "segw,test", "1.2.3", 5, payload,
		   sizeof(payload), NULL);
	fd = open(bad, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "Z", 1), 1);
	close(fd);
	assert_int_equal(check(bad, "dev-image-key.pub", keydir, "segw,test", 0, err, sizeof(err)),
			 -ERANGE);
}

static void test_image_parse_fields(void **st)
{
	(void)st;
	char img[512], err[256];
	uint8_t raw[SEGW_IMG_HDR_SIZE], b[SEGW_IMG_HDR_SIZE];
	struct segw_img_hdr h;
	snprintf(img, sizeof(img), "%s/p.segwimg", tmpdir);
	make_image(img, "dev-image-key.pem", keydir, "segw,test", "1.0", 1, payload, 10, raw);
	static const struct {
		size_t off;
		uint8_t val;
		int rc;
		const char *msg;
	} cases[] = {
		{ 0, 'X', -EINVAL, "magic" },
		{ 9, 0, -EINVAL, "header size" },
		{ 12, 2, -ENOTSUP, "format 2" },
		{ 16, 0, -EINVAL, "board" },          /* empty board */
		{ 20, ' ', -EINVAL, "board" },        /* space inside */
		{ 64, 0, -EINVAL, "version" },
		{ 95, 'x', -EINVAL, "version" },      /* no NUL: fills the field */
		{ 100, 1, -EINVAL, "flags" },
		{ 104, 0, -EINVAL, "payload size" },  /* with the byte below: 0 */
		{ 152, 0, -EINVAL, "signature length" },
		{ 153, 1, -EINVAL, "signature length" },
		{ 300, 1, -EINVAL, "reserved" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(b, raw, sizeof(b));
		b[cases[i].off] = cases[i].val;
		if (cases[i].off == 104)
			b[105] = 0;
		err[0] = 0;
		int rc = segw_img_parse(b, sizeof(b), &h, err, sizeof(err));
		if (rc != cases[i].rc || !strstr(err, cases[i].msg))
			fail_msg("case %zu (byte %zu): rc %d, message '%s'", i, cases[i].off, rc, err);
	}
	assert_int_equal(segw_img_parse(raw, SEGW_IMG_HDR_SIZE - 1, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "truncated header"));
}

static void test_grubenv(void **st)
{
	(void)st;
	struct grubenv env = { 0 };
	char buf[GRUBENV_SIZE];
	assert_int_equal(grubenv_set(&env, "slot", "a"), 0);
	assert_int_equal(grubenv_set(&env, "try_slot", "none"), 0);
	assert_int_equal(grubenv_set(&env, "slot", "b"), 0);
	assert_int_equal(env.n, 2);
	assert_int_equal(grubenv_format(&env, buf), 0);
	assert_memory_equal(buf, "# GRUB Environment Block\nslot=b\ntry_slot=none\n###", 49);
	assert_int_equal(buf[GRUBENV_SIZE - 1], '#');
	struct grubenv e2;
	assert_int_equal(grubenv_parse(buf, sizeof(buf), &e2), 0);
	assert_string_equal(grubenv_get(&e2, "slot"), "b");
	assert_string_equal(grubenv_get(&e2, "try_slot"), "none");
	assert_null(grubenv_get(&e2, "boot_left"));
	/* refused names and values */
	assert_int_equal(grubenv_set(&env, "bad name", "x"), -EINVAL);
	assert_int_equal(grubenv_set(&env, "x", "new\nline"), -EINVAL);
	/* malformed blocks */
	char m[GRUBENV_SIZE];
	memcpy(m, buf, sizeof(m));
	m[0] = 'X';
	assert_int_equal(grubenv_parse(m, sizeof(m), &e2), -EINVAL);
	memcpy(m, buf, sizeof(m));
	m[GRUBENV_SIZE - 1] = 'x';
	assert_int_equal(grubenv_parse(m, sizeof(m), &e2), -EINVAL);
	assert_int_equal(grubenv_parse(buf, sizeof(buf) - 1, &e2), -EINVAL);
	memcpy(m, buf, sizeof(m));
	memcpy(m + 25, "noequals\n", 9);
	assert_int_equal(grubenv_parse(m, sizeof(m), &e2), -EINVAL);
	/* full: 1024 bytes hold only so much */
	struct grubenv big = { 0 };
	char name[16], val[100];
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	int rc = 0;
	for (int i = 0; i < 20 && rc == 0; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		rc = grubenv_set(&big, name, val);
	}
	assert_int_equal(rc, -ENOSPC);
	/* the file in place: GRUB's own tool's output reads back */
	char path[512];
	snprintf(path, sizeof(path), "%s/grubenv", tmpdir);
	spit(path, buf, sizeof(buf));
	assert_int_equal(grubenv_set(&e2, "boot_left", "1"), 0);
	assert_int_equal(grubenv_store(path, &e2), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, GRUBENV_SIZE);
	assert_int_equal(grubenv_load(path, &env), 0);
	assert_string_equal(grubenv_get(&env, "boot_left"), "1");
}

/* --- slots on files --------------------------------------------------------- */

static char p_env[512], p_a[512], p_b[512], p_state[512], p_rel[512], p_cmd[512], p_pub[512],
	p_img[512];
static struct slots_cfg cfg;

static void slots_setup(const char *cmdline_slot)
{
	snprintf(p_env, sizeof(p_env), "%s/s-grubenv", tmpdir);
	snprintf(p_a, sizeof(p_a), "%s/s-slot-a", tmpdir);
	snprintf(p_b, sizeof(p_b), "%s/s-slot-b", tmpdir);
	snprintf(p_state, sizeof(p_state), "%s/s-state", tmpdir);
	snprintf(p_rel, sizeof(p_rel), "%s/s-release", tmpdir);
	snprintf(p_cmd, sizeof(p_cmd), "%s/s-cmdline", tmpdir);
	snprintf(p_pub, sizeof(p_pub), "%s/dev-image-key.pub", keydir);
	snprintf(p_img, sizeof(p_img), "%s/s.segwimg", tmpdir);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "BOOT_IMAGE=x root=/dev/vda2 segw.slot=%s quiet\n", cmdline_slot);
	spit(p_cmd, cmd, strlen(cmd));
	cfg = (struct slots_cfg){ .board = "segw,test", .pubkey = p_pub, .grubenv = p_env,
				  .slot_dev = { p_a, p_b }, .state_dir = p_state,
				  .release = p_rel, .cmdline = p_cmd, .tries = 1 };
}

static void slots_fresh(void)
{
	slots_setup("a");
	struct grubenv env = { 0 };
	grubenv_set(&env, "slot", "a");
	grubenv_set(&env, "try_slot", "none");
	grubenv_set(&env, "boot_left", "0");
	char buf[GRUBENV_SIZE];
	grubenv_format(&env, buf);
	spit(p_env, buf, sizeof(buf));
	static uint8_t zero[300000];
	memset(zero, 0xee, sizeof(zero));
	spit(p_a, zero, sizeof(zero));
	spit(p_b, zero, sizeof(zero));
	char cmd[1100];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s/slot-a'", p_state, p_state);
	assert_int_equal(system(cmd), 0);
	char pol[600];
	snprintf(pol, sizeof(pol), "%s/slot-a/policy", p_state);
	spit(pol, "policy A\n", 9);
	spit(p_rel, "VERSION=1.0\nSECURITY=3\nBOARD=segw,test\n", 39);
}

static void assert_untouched(const uint8_t *env_before)
{
	static uint8_t b[300000];
	uint8_t e[GRUBENV_SIZE + 1];
	assert_int_equal(readall(p_b, b, sizeof(b)), 300000);
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 0xee)
			fail_msg("slot b byte %zu written", i);
	assert_int_equal(readall(p_env, e, sizeof(e)), GRUBENV_SIZE);
	assert_memory_equal(e, env_before, GRUBENV_SIZE);
}

static void test_slots_install_confirm(void **st)
{
	(void)st;
	char err[256];
	uint8_t env0[GRUBENV_SIZE];
	struct segw_img_hdr h;
	slots_fresh();
	assert_int_equal(slots_current(&cfg), 0);
	readall(p_env, env0, sizeof(env0));

	/* refusals: nothing written, grubenv unchanged */
	make_image(p_img, "dev-image-key.pem", keydir, "segw,other", "2.0", 3, payload,
		   sizeof(payload), NULL);
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -ENODEV);
	assert_untouched(env0);
	make_image(p_img, "other-key.pem", tkeydir, "segw,test", "2.0", 3, payload,
		   sizeof(payload), NULL);
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -EKEYREJECTED);
	assert_untouched(env0);
	make_image(p_img, "dev-image-key.pem", keydir, "segw,test", "2.0", 3, payload,
		   sizeof(payload), NULL);
	assert_int_equal(truncate(p_img, 100000), 0);
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -ERANGE);
	assert_untouched(env0);
	/* bigger than the slot */
	static uint8_t huge[400000];
	make_image(p_img, "dev-image-key.pem", keydir, "segw,test", "2.0", 3, huge, sizeof(huge),
		   NULL);
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -ENOSPC);
	assert_untouched(env0);

	/* interrupted midway: the slot is partly written, the box still boots a */
	make_image(p_img, "dev-image-key.pem", keydir, "segw,test", "2.0", 4, payload,
		   sizeof(payload), NULL);
	cfg.fail_after = 100000;
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -EIO);
	cfg.fail_after = 0;
	uint8_t e[GRUBENV_SIZE + 1];
	readall(p_env, e, sizeof(e));
	assert_memory_equal(e, env0, GRUBENV_SIZE);

	/* good: slot b holds the payload, grubenv tries b once, config copied */
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), 0);
	assert_string_equal(h.version, "2.0");
	static uint8_t b[300000];
	readall(p_b, b, sizeof(b));
	assert_memory_equal(b, payload, sizeof(payload));
	struct grubenv env;
	assert_int_equal(grubenv_load(p_env, &env), 0);
	assert_string_equal(grubenv_get(&env, "slot"), "a");
	assert_string_equal(grubenv_get(&env, "try_slot"), "b");
	assert_string_equal(grubenv_get(&env, "boot_left"), "1");
	char pol[600];
	uint8_t pb[64] = { 0 };
	snprintf(pol, sizeof(pol), "%s/slot-b/policy", p_state);
	assert_int_equal(readall(pol, pb, sizeof(pb)), 9);
	assert_memory_equal(pb, "policy A\n", 9);

	/* booted b: confirm makes b the slot, raises the floor to b's release */
	slots_setup("b");
	spit(p_rel, "VERSION=2.0\nSECURITY=4\nBOARD=segw,test\n", 39);
	assert_int_equal(slots_floor(&cfg), 0);
	assert_int_equal(slots_confirm(&cfg, err, sizeof(err)), 0);
	assert_int_equal(grubenv_load(p_env, &env), 0);
	assert_string_equal(grubenv_get(&env, "slot"), "b");
	assert_string_equal(grubenv_get(&env, "try_slot"), "none");
	assert_int_equal(slots_floor(&cfg), 4);
	/* slot b's config edited; a's copy stays as it was */
	spit(pol, "policy B\n", 9);
	snprintf(pol, sizeof(pol), "%s/slot-a/policy", p_state);
	assert_int_equal(readall(pol, pb, sizeof(pb)), 9);
	assert_memory_equal(pb, "policy A\n", 9);

	/* now a downgrade below the floor is refused, slot a untouched */
	make_image(p_img, "dev-image-key.pem", keydir, "segw,test", "1.5", 3, payload,
		   sizeof(payload), NULL);
	assert_int_equal(slots_install(&cfg, p_img, &h, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "security floor 4"));

	char status[1024];
	assert_int_equal(slots_status(&cfg, status, sizeof(status)), 0);
	assert_non_null(strstr(status, "running slot: b\n"));
	assert_non_null(strstr(status, "security floor: 4\n"));

	/* confirm on a slot neither confirmed nor on trial is refused */
	slots_setup("a");
	assert_int_equal(slots_confirm(&cfg, err, sizeof(err)), -EINVAL);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_update KEYDIR TESTKEYDIR\n");
		return 2;
	}
	keydir = argv[1];
	tkeydir = argv[2];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/segw-test-update-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_good_and_refusals),
		cmocka_unit_test(test_image_parse_fields),
		cmocka_unit_test(test_grubenv),
		cmocka_unit_test(test_slots_install_confirm),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
