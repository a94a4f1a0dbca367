// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * console_pty_server: console_run() on a tty console in pty mode with a store
 * on a flash file, for the pty tests.
 *   console_pty_server LINK FLASH AUDIT
 * LINK: symlink to the pty slave (a person connects there); FLASH: the
 * store's file; AUDIT: audit lines appended there. Users: admin/admin-pw
 * (admin), oper/oper-pw (operator), yescrypt hashes made at start. Lockout
 * base 1.5 s. Runs until SIGTERM/SIGINT; LINK appears once the pty exists.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "storage/file_storage.h"
#include "tty/tty_console.h"

static volatile int stop;
static FILE *audit_file;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void audit_sink(void *ctx, const struct console_audit_rec *r)
{
	char line[1024];
	(void)ctx;
	console_audit_format(r, line, sizeof(line));
	fprintf(audit_file, "%s\n", line);
	fflush(audit_file);
}

static int counters(void *ctx, struct stats_snapshot *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	out->sum.c[CTR_RX_PACKETS] = 42;
	return 0;
}

static const struct hal_partition parts[] = {
	{ .name = "config_a", .offset = 0, .size = 256u << 10, .erase_block = 4096 },
	{ .name = "config_b", .offset = 256u << 10, .size = 256u << 10, .erase_block = 4096 },
};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s LINK FLASH AUDIT\n", argv[0]);
		return 2;
	}
	audit_file = fopen(argv[3], "a");
	if (!audit_file)
		return 1;
	static char h_admin[CONSOLE_HASH_MAX], h_oper[CONSOLE_HASH_MAX];
	if (console_auth_hash("admin-pw", "$y$", h_admin, sizeof(h_admin)) ||
	    console_auth_hash("oper-pw", "$y$", h_oper, sizeof(h_oper))) {
		fprintf(stderr, "cannot hash\n");
		return 1;
	}
	const struct console_user users[] = {
		{ "admin", h_admin, CONSOLE_ROLE_ADMIN },
		{ "oper", h_oper, CONSOLE_ROLE_OPERATOR },
	};
	struct file_storage_cfg fcfg = { .path = argv[2], .parts = parts, .n_parts = 2 };
	struct hal_storage st = { .name = "flash0", .ops = &file_storage_ops, .config = &fcfg };
	struct store s;
	int r = st.ops->open(&st);
	if (r || (r = store_open(&s, &st, NULL, NULL)) || (r = store_load(&s))) {
		fprintf(stderr, "store: %s\n", strerror(-r));
		return 1;
	}
	struct tty_console_cfg tcfg = { .pty = 1, .link_path = argv[1], .baud = 115200 };
	struct hal_console con = { .name = "console0", .ops = &tty_console_ops, .config = &tcfg };
	struct console_cfg cfg = {
		.users = users,
		.n_users = 2,
		.hostname = "gw",
		.lockout_base_ms = 1500,
		.audit = audit_sink,
		.stop = &stop,
	};
	console_set_counters_source(counters, NULL);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	r = console_run(&con, &s, &cfg);
	store_close(&s);
	st.ops->close(&st);
	fclose(audit_file);
	return r ? 1 : 0;
}
