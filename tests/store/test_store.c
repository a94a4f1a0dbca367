// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of the configuration store (firmware/store) on a temporary flash
 * image through the file storage driver:
 *
 *   round trip of commits, history bound, rollback, commit confirmed
 *   (confirm, extend, expiry -> revert), candidates and compare, invalid
 *   policy and oversize text refused without change; line deltas;
 *   power loss at every op, every byte and with a lossy write cache during
 *   saves; single bit flips in either record; both records damaged.
 *
 *   test_store               the suite
 *   test_store seeds DIR     write the fuzz seed corpus into DIR
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

#include "fault_storage.h"
#include "storage/file_storage.h"
#include "store/store.h"
#include "store/store_codec.h"
#include "store/store_diff.h"

#define PART_SIZE (64u * 1024)

static char dir[64];
static char path[128];

static const struct hal_partition parts[] = {
	{ .name = "config_a", .offset = 0, .size = PART_SIZE, .erase_block = 4096 },
	{ .name = "config_b", .offset = PART_SIZE, .size = PART_SIZE, .erase_block = 4096 },
};

static struct file_storage_cfg cfg = { .parts = parts, .n_parts = 2 };

static int setup(void **state)
{
	(void)state;
	/* tmpfs when there is one: thousands of fdatasync() calls follow. */
	snprintf(dir, sizeof(dir), "%s/segw-store-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/flash.bin", dir);
	unlink(path);
	cfg.path = path;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void flash_open(struct hal_storage *h)
{
	memset(h, 0, sizeof(*h));
	h->name = "flash0";
	h->ops = &file_storage_ops;
	h->config = &cfg;
	assert_int_equal(h->ops->open(h), 0);
}

/* A store on the real driver, loaded; returns store_load()'s result. */
static int reopen(struct store *s, struct hal_storage *h)
{
	flash_open(h);
	assert_int_equal(store_open(s, h, NULL, NULL), 0);
	return store_load(s);
}

static void shut(struct store *s, struct hal_storage *h)
{
	store_close(s);
	h->ops->close(h);
}

static uint8_t *image_read(size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *b = malloc(2 * PART_SIZE);
	assert_non_null(b);
	*len = fread(b, 1, 2 * PART_SIZE, f);
	fclose(f);
	return b;
}

static void image_write(const uint8_t *b, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

/* fingerprint - everything the store exposes, as one string (caller frees). */
static char *fingerprint(const struct store *s)
{
	char *buf = NULL;
	size_t len = 0, rl;
	FILE *f = open_memstream(&buf, &len);
	int64_t dl = 0;
	uint32_t prev = 0;

	assert_non_null(f);
	const char *r = store_running(s, &rl);
	fprintf(f, "running %u %zu [", store_running_number(s), rl);
	fwrite(r, 1, rl, f);
	fprintf(f, "]\n");
	if (store_pending(s, &dl, &prev))
		fprintf(f, "pending %lld %u [%.*s]\n", (long long)dl, prev,
			(int)s->cur.prev_len, s->cur.prev_text);
	for (unsigned i = 0; i < store_history_count(s); i++) {
		const struct store_entry *e = store_history(s, i);
		fprintf(f, "%u %lld %s %s {%s} [", e->number, (long long)e->when,
			store_how_name(e->how), e->who, e->comment);
		fwrite(e->text, 1, e->text_len, f);
		fprintf(f, "]\n");
	}
	fclose(f);
	return buf;
}

/* policy_text - a valid policy for commit @i: small changes from i-1. */
static char *policy_text(unsigned i)
{
	char *t = malloc(1024);
	assert_non_null(t);
	int n = snprintf(t, 1024, "# commit %u\n", i);
	for (unsigned r = 0; r < 8; r++)
		n += snprintf(t + n, 1024 - (size_t)n, "rule %u from any to any tcp dport %u %s\n",
			      10 * (r + 1), r == i % 8 ? 1000 + i : 80 + r, r == 7 ? "deny" : "allow");
	return t;
}

static uint32_t do_commit(struct store *s, unsigned i, uint32_t confirm_s)
{
	char who[32], comment[64];
	char *t = policy_text(i);
	uint32_t n = 0;

	snprintf(who, sizeof(who), "op%u", i % 3);
	snprintf(comment, sizeof(comment), "change %u", i);
	struct store_commit_info ci = { .who = who, .comment = comment,
					.how = i % 2 ? STORE_HOW_MGMT : STORE_HOW_CONSOLE,
					.when = 1700000000 + i, .confirm_s = confirm_s };
	int rc = store_commit(s, t, strlen(t), &ci, &n);
	if (rc)
		print_message("commit %u: %d %s\n", i, rc, store_message(s));
	assert_int_equal(rc, 0);
	free(t);
	return n;
}

/* The activation hook: records what it was asked to put in force. */
struct act {
	int calls, refuse;
	char last[4096];
};

static int act_fn(void *ctx, const char *text, size_t len, char *err, size_t n)
{
	struct act *a = ctx;
	a->calls++;
	snprintf(a->last, sizeof(a->last), "%.*s", (int)len, text);
	if (a->refuse) {
		snprintf(err, n, "refused by the data plane");
		return -EINVAL;
	}
	return 0;
}

static void test_activate_hook(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	struct act a;
	size_t l0, l1;

	memset(&a, 0, sizeof(a));
	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	uint32_t first = do_commit(&s, 1, 0);
	store_set_activate(&s, act_fn, &a);
	char *t1 = policy_text(1), *t2 = policy_text(2), *t3 = policy_text(3);

	/* refused: nothing stored, nothing changed, the reason is the message */
	char *fp0 = fingerprint(&s);
	uint8_t *img0 = image_read(&l0);
	a.refuse = 1;
	struct store_commit_info ci = { .who = "t", .how = STORE_HOW_CONSOLE, .when = 1700000100 };
	assert_int_equal(store_commit(&s, t2, strlen(t2), &ci, NULL), -EINVAL);
	assert_non_null(strstr(store_message(&s), "refused by the data plane"));
	assert_int_equal(a.calls, 1);
	char *fp1 = fingerprint(&s);
	uint8_t *img1 = image_read(&l1);
	assert_string_equal(fp0, fp1);
	assert_int_equal(l0, l1);
	assert_memory_equal(img0, img1, l0);
	free(fp1);
	free(img1);

	/* accepted: put in force before it is stored; rollback and revert too */
	a.refuse = 0;
	assert_int_equal(store_commit(&s, t2, strlen(t2), &ci, NULL), 0);
	assert_string_equal(a.last, t2);
	assert_int_equal(store_rollback(&s, first, &ci, NULL), 0);
	assert_string_equal(a.last, t1);
	ci.confirm_s = 10;
	assert_int_equal(store_commit(&s, t3, strlen(t3), &ci, NULL), 0);
	assert_string_equal(a.last, t3);
	assert_int_equal(store_revert_pending(&s, 1700000100 + 10, NULL), 0);
	assert_string_equal(a.last, t1);
	assert_int_equal(a.calls, 5);
	shut(&s, &h);

	/* the save fails after activation: the old running is put back in force */
	struct hal_storage fs;
	struct fault_state f;
	flash_open(&h);
	fault_storage_init(&fs, &f, &h, FAULT_OPS, 0, 1);
	assert_int_equal(store_open(&s, &fs, NULL, NULL), 0);
	assert_int_equal(store_load(&s), 0);
	store_set_activate(&s, act_fn, &a);
	a.calls = 0;
	ci.confirm_s = 0;
	assert_int_not_equal(store_commit(&s, t2, strlen(t2), &ci, NULL), 0);
	assert_int_equal(a.calls, 2);
	assert_string_equal(a.last, t1);
	assert_string_equal(store_running(&s, NULL), t1);
	store_close(&s);
	fault_storage_fini(&fs);
	h.ops->close(&h);
	free(fp0);
	free(img0);
	free(t1);
	free(t2);
	free(t3);
}

/* The newest management bundle version is stored, survives reboots, never
 * goes back, and survives reverts and console commits. */
static void test_mgmt_version(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	assert_true(store_mgmt_version(&s) == 0);
	char *t1 = policy_text(1), *t2 = policy_text(2);
	struct store_commit_info ci = { .who = "mgmt:x", .how = STORE_HOW_MGMT, .when = 1700000000,
					.confirm_s = 5, .mgmt_version = 41 };
	assert_int_equal(store_commit(&s, t1, strlen(t1), &ci, NULL), 0);
	assert_int_equal(store_revert_pending(&s, 1700000005, NULL), 0);
	assert_true(store_mgmt_version(&s) == 41);
	ci.mgmt_version = 0;
	ci.confirm_s = 0;
	ci.how = STORE_HOW_CONSOLE;
	assert_int_equal(store_commit(&s, t2, strlen(t2), &ci, NULL), 0);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_true(store_mgmt_version(&s) == 41);
	ci.mgmt_version = 7; /* lower: kept at 41 */
	assert_int_equal(store_commit(&s, t1, strlen(t1), &ci, NULL), 0);
	assert_true(store_mgmt_version(&s) == 41);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_true(store_mgmt_version(&s) == 41);
	shut(&s, &h);
	free(t1);
	free(t2);
}

static void test_blank_and_round_trip(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	assert_string_equal(store_running(&s, NULL), "");
	assert_int_equal(store_history_count(&s), 0);
	assert_int_equal(store_running_number(&s), 0);
	for (unsigned i = 1; i <= 60; i++)
		assert_int_equal(do_commit(&s, i, 0), i);
	char *before = fingerprint(&s);
	shut(&s, &h);

	assert_int_equal(reopen(&s, &h), 0);
	char *after = fingerprint(&s);
	assert_string_equal(before, after);
	assert_int_equal(store_history_count(&s), 60);
	for (unsigned i = 0; i < 60; i++) {
		const struct store_entry *e = store_history(&s, i);
		char *t = policy_text(60 - i);
		assert_int_equal(e->number, 60 - i);
		assert_string_equal(e->text, t);
		assert_int_equal(e->when, 1700000000 + 60 - i);
		assert_int_equal(e->how, (60 - i) % 2 ? STORE_HOW_MGMT : STORE_HOW_CONSOLE);
		free(t);
	}
	assert_string_equal(store_history(&s, 0)->comment, "change 60");
	assert_string_equal(store_history(&s, 0)->who, "op0");
	free(before);
	free(after);

	/* Past STORE_HISTORY_MAX: the oldest go, the newest 64 stay. */
	for (unsigned i = 61; i <= 80; i++)
		do_commit(&s, i, 0);
	assert_int_equal(store_history_count(&s), STORE_HISTORY_MAX);
	assert_int_equal(store_history(&s, STORE_HISTORY_MAX - 1)->number, 80 - STORE_HISTORY_MAX + 1);
	assert_null(store_history_find(&s, 80 - STORE_HISTORY_MAX));
	before = fingerprint(&s);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	after = fingerprint(&s);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* Rollback: entry 42's text becomes running as commit 81. */
	struct store_commit_info ci = { .who = "admin", .comment = "back to 42",
					.how = STORE_HOW_ROLLBACK, .when = 1800000000 };
	uint32_t n = 0;
	assert_int_equal(store_rollback(&s, 42, &ci, &n), 0);
	assert_int_equal(n, 81);
	char *t42 = policy_text(42);
	assert_string_equal(store_running(&s, NULL), t42);
	assert_int_equal(store_history(&s, 0)->how, STORE_HOW_ROLLBACK);
	assert_int_equal(store_rollback(&s, 3, &ci, &n), -ENOENT);
	assert_true(strstr(store_message(&s), "no commit 3") != NULL);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_string_equal(store_running(&s, NULL), t42);
	assert_int_equal(store_running_number(&s), 81);
	assert_string_equal(store_history(&s, 0)->comment, "back to 42");
	free(t42);
	shut(&s, &h);
}

static void test_invalid_refused_unchanged(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	size_t l0, l1;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	do_commit(&s, 1, 0);
	char *fp = fingerprint(&s);
	uint8_t *img = image_read(&l0);

	const char *bad = "rule 10 from any to any allow\nrule 20 frm any allow\n";
	struct store_commit_info ci = { .who = "op", .how = STORE_HOW_CONSOLE, .when = 1 };
	assert_int_equal(store_commit(&s, bad, strlen(bad), &ci, NULL), -EINVAL);
	assert_true(strstr(store_message(&s), "candidate:2:") != NULL);
	char who[STORE_WHO_MAX + 2];
	memset(who, 'w', sizeof(who) - 1);
	who[sizeof(who) - 1] = 0;
	struct store_commit_info long_who = { .who = who, .how = STORE_HOW_CONSOLE };
	const char *ok = "rule 10 from any to any allow\n";
	assert_int_equal(store_commit(&s, ok, strlen(ok), &long_who, NULL), -EINVAL);
	struct store_commit_info bad_how = { .who = "op", .how = STORE_HOW__COUNT };
	assert_int_equal(store_commit(&s, ok, strlen(ok), &bad_how, NULL), -EINVAL);

	/* A text that cannot fit a partition: -ENOSPC, message, no change. */
	size_t big_len = PART_SIZE + 100, n = 0;
	char *big = malloc(big_len + 64);
	assert_non_null(big);
	for (unsigned r = 1; n < big_len; r++)
		n += (size_t)sprintf(big + n, "rule %u from any to any allow\n", r);
	assert_int_equal(store_commit(&s, big, n, &ci, NULL), -ENOSPC);
	assert_true(strstr(store_message(&s), "exceeds the partition") != NULL);
	free(big);

	char *fp2 = fingerprint(&s);
	assert_string_equal(fp, fp2);
	uint8_t *img2 = image_read(&l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(img, img2, l0);
	free(fp);
	free(fp2);
	free(img);
	free(img2);
	shut(&s, &h);
}

static void test_history_trimmed_when_full(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	struct store_commit_info ci = { .who = "op", .how = STORE_HOW_MGMT, .when = 5 };
	unsigned c;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	/* Policies of ~6 KB with every line new each time: deltas are whole
	 * texts, so about ten fit 64 KiB. */
	for (c = 1; c <= 20; c++) {
		char *t = malloc(8192);
		size_t n = 0;
		for (unsigned r = 1; n < 6000; r++)
			n += (size_t)sprintf(t + n, "rule %u from any to any tcp dport %u allow\n",
					     r, (c * 131 + r) % 65000 + 1);
		assert_int_equal(store_commit(&s, t, n, &ci, NULL), 0);
		free(t);
		if (store_history_count(&s) < c)
			break;
	}
	assert_true(c <= 20); /* trimming happened */
	assert_true(strstr(store_message(&s), "history trimmed to") != NULL);
	unsigned kept = store_history_count(&s);
	assert_true(kept >= 2 && kept < c);
	char *fp = fingerprint(&s);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	char *fp2 = fingerprint(&s);
	assert_string_equal(fp, fp2);
	free(fp);
	free(fp2);
	shut(&s, &h);
}

static void test_commit_confirmed(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	int64_t dl;
	uint32_t prev, n;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	uint32_t base = do_commit(&s, 1, 0);
	char *t1 = policy_text(1), *t2 = policy_text(2), *t3 = policy_text(3);

	/* confirm within the window */
	n = do_commit(&s, 2, 600); /* when = 1700000002 */
	assert_int_equal(store_pending(&s, &dl, &prev), 1);
	assert_int_equal(dl, 1700000002 + 600);
	assert_int_equal(prev, base);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_int_equal(store_pending(&s, &dl, &prev), 1); /* survives a reboot */
	assert_int_equal(store_revert_pending(&s, dl - 1, NULL), -EAGAIN);
	assert_int_equal(store_confirm(&s), 0);
	assert_int_equal(store_pending(&s, NULL, NULL), 0);
	assert_int_equal(store_confirm(&s), -ENOENT);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_int_equal(store_pending(&s, NULL, NULL), 0);
	assert_int_equal(store_running_number(&s), n);
	assert_string_equal(store_running(&s, NULL), t2);

	/* expiry: two commit confirmed in a row keep the first previous */
	uint32_t before = store_running_number(&s);
	do_commit(&s, 3, 60);
	do_commit(&s, 4, 60); /* extends: deadline from commit 4 */
	assert_int_equal(store_pending(&s, &dl, &prev), 1);
	assert_int_equal(prev, before);
	assert_int_equal(dl, 1700000004 + 60);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_int_equal(store_revert_pending(&s, dl, &n), 0);
	assert_int_equal(store_pending(&s, NULL, NULL), 0);
	assert_string_equal(store_running(&s, NULL), t2);
	const struct store_entry *e = store_history(&s, 0);
	assert_int_equal(e->number, n);
	assert_int_equal(e->how, STORE_HOW_REVERT);
	assert_string_equal(e->who, "store");
	assert_int_equal(e->when, dl);
	assert_true(strstr(e->comment, "not confirmed") != NULL);
	assert_int_equal(store_revert_pending(&s, dl + 1000, NULL), -ENOENT);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_string_equal(store_running(&s, NULL), t2);
	assert_int_equal(store_history(&s, 0)->how, STORE_HOW_REVERT);

	/* a plain commit inside the window confirms */
	do_commit(&s, 5, 60);
	do_commit(&s, 3, 0);
	assert_int_equal(store_pending(&s, NULL, NULL), 0);
	assert_string_equal(store_running(&s, NULL), t3);
	free(t1);
	free(t2);
	free(t3);
	shut(&s, &h);
}

static void test_candidate_compare(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	struct store_candidate a, b;
	struct store_commit_info ci = { .who = "op", .how = STORE_HOW_CONSOLE, .when = 9 };
	char *out = NULL;
	size_t olen = 0;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	const char *v1 = "rule 10 from any to any allow\nrule 20 from any to any deny\n"
			 "rule 30 from any to any allow\n";
	assert_int_equal(store_commit(&s, v1, strlen(v1), &ci, NULL), 0);
	assert_int_equal(store_candidate_begin(&s, &a), 0);
	assert_int_equal(store_candidate_begin(&s, &b), 0);
	assert_string_equal(a.text, v1);
	const char *v2 = "rule 10 from any to any allow\nrule 20 from any to any allow\n"
			 "rule 30 from any to any allow\nrule 40 from any to any deny";
	assert_int_equal(store_candidate_set(&a, v2, strlen(v2)), 0);
	FILE *f = open_memstream(&out, &olen);
	assert_int_equal(store_candidate_compare(&s, &a, f), 3);
	fclose(f);
	assert_string_equal(out, "@@ -1,3 +1,4 @@\n"
				 " rule 10 from any to any allow\n"
				 "-rule 20 from any to any deny\n"
				 "+rule 20 from any to any allow\n"
				 " rule 30 from any to any allow\n"
				 "+rule 40 from any to any deny\n");
	free(out);
	f = open_memstream(&out, &olen);
	assert_int_equal(store_candidate_compare(&s, &b, f), 0);
	fclose(f);
	assert_string_equal(out, "");
	free(out);

	assert_int_equal(store_candidate_commit(&s, &a, &ci, NULL), 0);
	assert_string_equal(store_running(&s, NULL), v2);
	assert_int_equal(a.base, store_running_number(&s));
	/* b began from the old running: refused, nothing changed */
	assert_int_equal(store_candidate_commit(&s, &b, &ci, NULL), -ESTALE);
	assert_string_equal(store_running(&s, NULL), v2);
	store_candidate_free(&a);
	store_candidate_free(&b);
	shut(&s, &h);
}

/* Far-apart hunks and an empty side. */
static void test_compare_hunks(void **state)
{
	(void)state;
	char old[2048], nw[2048], *out = NULL;
	size_t n1 = 0, n2 = 0, olen;

	for (int i = 1; i <= 20; i++) {
		n1 += (size_t)sprintf(old + n1, "l%d\n", i);
		if (i == 2)
			n2 += (size_t)sprintf(nw + n2, "L2\n");
		else if (i != 19) /* line 19 is deleted */
			n2 += (size_t)sprintf(nw + n2, "l%d\n", i);
	}
	FILE *f = open_memstream(&out, &olen);
	assert_int_equal(store_compare(old, n1, nw, n2, f), 3);
	fclose(f);
	assert_string_equal(out, "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n"
				 "@@ -16,5 +16,4 @@\n l16\n l17\n l18\n-l19\n l20\n");
	free(out);
	f = open_memstream(&out, &olen);
	assert_int_equal(store_compare("", 0, "a\nb\n", 4, f), 2);
	fclose(f);
	assert_string_equal(out, "@@ -0,0 +1,2 @@\n+a\n+b\n");
	free(out);
}

static void test_delta_round_trip(void **state)
{
	(void)state;
	uint32_t x = 12345;
	for (int iter = 0; iter < 2000; iter++) {
		char a[600], b[600];
		size_t la = 0, lb = 0;
		/* Texts over a tiny alphabet of lines: many equal lines. */
		int na = (int)((x = x * 1103515245 + 12345) >> 16) % 30;
		int nb = (int)((x = x * 1103515245 + 12345) >> 16) % 30;
		for (int i = 0; i < na; i++)
			la += (size_t)sprintf(a + la, "r%u\n", ((x = x * 1103515245 + 12345) >> 16) % 5);
		for (int i = 0; i < nb; i++)
			lb += (size_t)sprintf(b + lb, "r%u\n", ((x = x * 1103515245 + 12345) >> 16) % 5);
		if (iter % 3 == 0 && lb) /* no final newline */
			lb--;
		struct store_buf d;
		char *out;
		size_t olen;
		store_buf_init(&d, 1 << 20);
		assert_int_equal(store_delta_encode(a, la, b, lb, &d), 0);
		assert_int_equal(store_delta_apply(a, la, d.p, d.len, 1 << 20, &out, &olen), 0);
		assert_int_equal(olen, lb);
		assert_memory_equal(out, b, lb);
		assert_int_equal(out[olen], 0);
		free(out);
		/* Limit and a truncated delta are refused. */
		if (lb > 1) {
			assert_int_equal(store_delta_apply(a, la, d.p, d.len, lb - 1, &out, &olen),
					 -EBADMSG);
		}
		if (d.len > 1)
			assert_int_equal(store_delta_apply(a, la, d.p, d.len - 1, 1 << 20, &out,
							   &olen), -EBADMSG);
		store_buf_free(&d);
	}
	/* A delta that does not consume its base is refused. */
	uint8_t bad[5] = { 'C', 1, 0, 0, 0 };
	char *out;
	size_t olen;
	assert_int_equal(store_delta_apply("a\nb\n", 4, bad, 5, 100, &out, &olen), -EBADMSG);
	assert_int_equal(store_delta_apply("a\n", 2, bad, 5, 100, &out, &olen), 0);
	assert_string_equal(out, "a\n");
	free(out);
}

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(store_crc32("123456789", 9), 0xcbf43926u); /* the check value */
	assert_int_equal(store_crc32("", 0), 0);
}

/* --- power loss ------------------------------------------------------------ */

enum action { ACT_COMMIT, ACT_COMMIT_CONFIRMED, ACT_CONFIRM, ACT_REVERT, ACT_ROLLBACK };

static int run_action(struct store *s, enum action a, unsigned i)
{
	char *t = policy_text(i);
	struct store_commit_info ci = { .who = "cut", .comment = "power test",
					.how = STORE_HOW_CONSOLE, .when = 1900000000 + i };
	int rc;
	switch (a) {
	case ACT_COMMIT:
	case ACT_COMMIT_CONFIRMED:
		ci.confirm_s = a == ACT_COMMIT_CONFIRMED ? 300 : 0;
		rc = store_commit(s, t, strlen(t), &ci, NULL);
		break;
	case ACT_CONFIRM:
		rc = store_confirm(s);
		break;
	case ACT_REVERT:
		rc = store_revert_pending(s, INT64_MAX, NULL);
		break;
	default:
		ci.how = STORE_HOW_ROLLBACK;
		rc = store_rollback(s, store_history(s, store_history_count(s) - 1)->number, &ci,
				    NULL);
		break;
	}
	free(t);
	return rc;
}

struct cut_stats {
	unsigned old, nw, runs;
};

/*
 * cut_once - from image @base, run @a through a fault storage in @mode with
 * @budget; then reopen with the real driver and require exactly @fp_old or
 * @fp_new. Returns the fault storage's op/byte counts via @f.
 */
static void cut_once(const uint8_t *base, size_t base_len, enum action a, unsigned i,
		     enum fault_mode mode, uint64_t budget, uint32_t seed, const char *fp_old,
		     const char *fp_new, struct fault_state *f, struct cut_stats *cs)
{
	struct hal_storage h, fh;
	struct store s;

	image_write(base, base_len);
	flash_open(&h);
	fault_storage_init(&fh, f, &h, mode, budget, seed);
	assert_int_equal(store_open(&s, &fh, NULL, NULL), 0);
	assert_int_equal(store_load(&s), 0);
	int rc = run_action(&s, a, i);
	if (mode == FAULT_NONE)
		assert_int_equal(rc, 0);
	store_close(&s);
	fault_storage_fini(&fh);
	h.ops->close(&h);
	if (!fp_old)
		return;
	int lrc = reopen(&s, &h);
	char *fp = fingerprint(&s);
	if (lrc != 0 || (strcmp(fp, fp_old) && strcmp(fp, fp_new))) {
		size_t il;
		uint8_t *im = image_read(&il);
		print_message("action %d mode %d budget %llu seed %u: load %d (%s)\n%s\n", a, mode,
			      (unsigned long long)budget, seed, lrc, store_message(&s), fp);
		for (int q = 0; q < 64; q++)
			print_message("%02x%s", im[q], q % 16 == 15 ? "\n" : " ");
		free(im);
		fail();
	}
	if (!strcmp(fp, fp_new))
		cs->nw++;
	else
		cs->old++;
	cs->runs++;
	/* Whichever state survived, the store goes on working from it. */
	if (cs->runs % 97 == 0) {
		assert_int_equal(run_action(&s, ACT_COMMIT, 7), 0);
		shut(&s, &h);
		assert_int_equal(reopen(&s, &h), 0);
		char *t7 = policy_text(7);
		assert_string_equal(store_running(&s, NULL), t7);
		free(t7);
	}
	free(fp);
	shut(&s, &h);
}

static void power_cut_all(const uint8_t *base, size_t base_len, enum action a, unsigned i,
			  const char *name)
{
	struct hal_storage h;
	struct store s;
	struct fault_state f;
	struct cut_stats ops = { 0 }, bytes = { 0 }, cache = { 0 };

	/* The old state, and the new one (a save without a cut). */
	image_write(base, base_len);
	assert_int_equal(reopen(&s, &h), 0);
	char *fp_old = fingerprint(&s);
	shut(&s, &h);
	cut_once(base, base_len, a, i, FAULT_NONE, 0, 0, NULL, NULL, &f, &ops);
	uint64_t total_ops = f.ops, total_bytes = f.bytes;
	assert_int_equal(reopen(&s, &h), 0);
	char *fp_new = fingerprint(&s);
	shut(&s, &h);
	assert_string_not_equal(fp_old, fp_new);

	for (uint64_t k = 0; k <= total_ops; k++)
		cut_once(base, base_len, a, i, FAULT_OPS, k, 0, fp_old, fp_new, &f, &ops);
	for (uint64_t k = 0; k <= total_bytes; k++)
		cut_once(base, base_len, a, i, FAULT_BYTES, k, 0, fp_old, fp_new, &f, &bytes);
	for (uint64_t k = 0; k <= total_ops; k++)
		for (uint32_t seed = 1; seed <= 40; seed++)
			cut_once(base, base_len, a, i, FAULT_CACHE, k, seed, fp_old, fp_new, &f,
				 &cache);
	print_message("%s: %llu ops, %llu bytes; op cuts old/new %u/%u, byte cuts %u/%u, "
		      "cache cuts %u/%u\n",
		      name, (unsigned long long)total_ops, (unsigned long long)total_bytes, ops.old,
		      ops.nw, bytes.old, bytes.nw, cache.old, cache.nw);
	/* The header is written last: a cut before its last byte leaves the
	 * old state. (With the file driver, a header written but not synced
	 * reaches the file: the op cut at the sync shows the new state.) */
	assert_int_equal(ops.nw, 2);
	assert_int_equal(bytes.nw, 1);
	assert_true(cache.old > 0 && cache.nw >= 40);
	free(fp_old);
	free(fp_new);
}

static void test_power_loss(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	size_t len;

	/* 1. first save into a blank store */
	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	shut(&s, &h);
	uint8_t *img = image_read(&len);
	power_cut_all(img, len, ACT_COMMIT, 1, "first commit");
	free(img);

	/* 2. a full history (64 entries, the oldest dropped) plus commit confirmed */
	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	for (unsigned i = 1; i <= STORE_HISTORY_MAX; i++)
		do_commit(&s, i, 0);
	shut(&s, &h);
	img = image_read(&len);
	power_cut_all(img, len, ACT_COMMIT_CONFIRMED, 100, "commit confirmed, full history");
	free(img);

	/* 3. confirm, revert and rollback from a pending state (a short
	 * history: the cut points are every byte of the save) */
	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	for (unsigned i = 1; i <= 6; i++)
		do_commit(&s, i, 0);
	assert_int_equal(run_action(&s, ACT_COMMIT_CONFIRMED, 101), 0);
	shut(&s, &h);
	img = image_read(&len);
	power_cut_all(img, len, ACT_CONFIRM, 0, "confirm");
	power_cut_all(img, len, ACT_REVERT, 0, "revert");
	power_cut_all(img, len, ACT_ROLLBACK, 0, "rollback");
	free(img);
}

/* --- damaged records ------------------------------------------------------- */

static uint32_t record_len(const uint8_t *part)
{
	return STORE_HDR_SIZE + store_le32(part + 16);
}

static void test_bit_flips(void **state)
{
	(void)state;
	struct hal_storage h;
	struct store s;
	size_t len;

	unlink(path);
	assert_int_equal(reopen(&s, &h), 0);
	for (unsigned i = 1; i <= 10; i++)
		do_commit(&s, i, 0);
	char *fp9 = NULL, *fp10 = fingerprint(&s);
	shut(&s, &h);
	uint8_t *img = image_read(&len);
	/* 10 saves alternate A, B, A...: commit 10 is in B, 9 in A. */
	assert_int_equal(store_le64(img + 8) + 1, store_le64(img + PART_SIZE + 8));
	{
		uint8_t *c = malloc(len);
		memcpy(c, img, len);
		memset(c + PART_SIZE, 0xff, PART_SIZE); /* only A: commit 9 */
		image_write(c, len);
		assert_int_equal(reopen(&s, &h), 0);
		fp9 = fingerprint(&s);
		assert_int_equal(store_running_number(&s), 9);
		shut(&s, &h);
		free(c);
	}
	uint32_t x = 777;
	unsigned flips = 0;
	for (int p = 0; p < 2; p++) {
		uint8_t *part = img + (size_t)p * PART_SIZE;
		uint32_t rl = record_len(part);
		for (uint32_t n = 0; n < 600; n++) {
			/* every header bit, then random bits of the record and beyond */
			uint32_t bit = n < STORE_HDR_SIZE * 8 ? n
				: (x = x * 1103515245 + 12345) % ((rl + 256) * 8);
			img[(size_t)p * PART_SIZE + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			image_write(img, len);
			int rc = reopen(&s, &h);
			char *fp = fingerprint(&s);
			assert_int_equal(rc, 0);
			if (bit / 8 >= rl) {
				assert_string_equal(fp, fp10); /* outside the record */
			} else {
				assert_string_equal(fp, p == 0 ? fp10 : fp9);
				assert_true(strstr(store_message(&s), parts[p].name) != NULL);
				flips++;
			}
			free(fp);
			shut(&s, &h);
			img[(size_t)p * PART_SIZE + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
	print_message("bit flips inside records: %u, all recovered\n", flips);

	/* Both damaged: clear error, empty running, nothing overwritten. */
	img[100] ^= 4;
	img[PART_SIZE + 60] ^= 1;
	image_write(img, len);
	assert_int_equal(reopen(&s, &h), -EBADMSG);
	assert_string_equal(store_running(&s, NULL), "");
	assert_true(strstr(store_message(&s), "no valid stored configuration") != NULL);
	assert_true(strstr(store_message(&s), "config_a: record") != NULL);
	struct store_commit_info ci = { .who = "op", .how = STORE_HOW_CONSOLE, .when = 1 };
	const char *ok = "rule 10 from any to any allow\n";
	assert_int_equal(store_commit(&s, ok, strlen(ok), &ci, NULL), -EBADMSG);
	size_t l2;
	uint8_t *img2 = image_read(&l2);
	assert_memory_equal(img, img2, len);
	free(img2);
	assert_int_equal(store_reset(&s), 0);
	assert_int_equal(store_commit(&s, ok, strlen(ok), &ci, NULL), 0);
	shut(&s, &h);
	assert_int_equal(reopen(&s, &h), 0);
	assert_string_equal(store_running(&s, NULL), ok);
	shut(&s, &h);

	/* Garbage (not blank, no magic) in both: the same clear error. */
	memset(img, 0, len);
	image_write(img, len);
	assert_int_equal(reopen(&s, &h), -EBADMSG);
	assert_true(strstr(store_message(&s), "bad magic") != NULL);
	shut(&s, &h);
	free(img);
	free(fp9);
	free(fp10);
}

/* --- seeds ------------------------------------------------------------------ */

/* write_seed - one fuzz input: flags byte, then A and B records, equal halves. */
static void write_seed(const char *sdir, const char *name, const uint8_t *img, uint8_t flags)
{
	char p[512];
	uint32_t la = store_le32(img) == STORE_MAGIC ? record_len(img) : 64;
	uint32_t lb = store_le32(img + PART_SIZE) == STORE_MAGIC ? record_len(img + PART_SIZE) : 64;
	uint32_t h = la > lb ? la : lb;
	snprintf(p, sizeof(p), "%s/%s", sdir, name);
	FILE *f = fopen(p, "wb");
	if (!f)
		return;
	fputc(flags, f);
	fwrite(img, 1, h, f);
	fwrite(img + PART_SIZE, 1, h, f);
	fclose(f);
}

static int write_seeds(const char *sdir)
{
	struct hal_storage h;
	struct store s;
	size_t len;

	if (setup(NULL))
		return 1;
	assert_int_equal(reopen(&s, &h), 0);
	do_commit(&s, 1, 0);
	shut(&s, &h);
	uint8_t *img = image_read(&len);
	write_seed(sdir, "one_commit", img, 0);
	free(img);
	assert_int_equal(reopen(&s, &h), 0);
	for (unsigned i = 2; i <= 12; i++)
		do_commit(&s, i, i == 12 ? 60 : 0);
	shut(&s, &h);
	img = image_read(&len);
	write_seed(sdir, "history_pending", img, 0);
	write_seed(sdir, "history_pending_fixcrc", img, 1);
	img[200] ^= 0x10;
	write_seed(sdir, "damaged_a", img, 0);
	memset(img, 0xff, len);
	write_seed(sdir, "blank", img, 0);
	free(img);
	teardown(NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "seeds") == 0)
		return write_seeds(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_delta_round_trip),
		cmocka_unit_test(test_compare_hunks),
		cmocka_unit_test(test_blank_and_round_trip),
		cmocka_unit_test(test_invalid_refused_unchanged),
		cmocka_unit_test(test_history_trimmed_when_full),
		cmocka_unit_test(test_commit_confirmed),
		cmocka_unit_test(test_activate_hook),
		cmocka_unit_test(test_mgmt_version),
		cmocka_unit_test(test_candidate_compare),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_power_loss),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
