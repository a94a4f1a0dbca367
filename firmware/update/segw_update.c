// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * segw-update: the box's updater.
 *
 *   segw-update [--conf FILE] install IMAGE   verify, write the inactive slot,
 *                                             try it on the next boot
 *   segw-update [--conf FILE] confirm         the running slot is healthy
 *   segw-update [--conf FILE] status
 *
 * FILE (default /etc/segw/update.conf) has name=value lines: pubkey,
 * grubenv, slot_a, slot_b, state_dir, release, cmdline, tries, board
 * (default: this build's board id). Exit 0 on success, 1 refused or failed
 * (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segw/hal/board.h"
#include "slots.h"

static char conf_vals[10][256];

static int read_conf(const char *path, struct slots_cfg *c)
{
	static const char *const keys[] = { "pubkey", "grubenv", "slot_a", "slot_b", "state_dir",
					    "release", "cmdline", "tries", "board", "fail_after" };
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	char line[512];
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *eq = strchr(line, '=');
		unsigned k;
		for (k = 0; eq && k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k]) == (size_t)(eq - line) && !strncmp(line, keys[k], (size_t)(eq - line)))
				break;
		if (!eq || k == sizeof(keys) / sizeof(keys[0]) || strlen(eq + 1) >= 256) {
			fprintf(stderr, "segw-update: %s:%d: unknown or bad setting\n", path, lineno);
			fclose(f);
			return -EINVAL;
		}
		snprintf(conf_vals[k], sizeof(conf_vals[k]), "%s", eq + 1);
		const char *v = conf_vals[k];
		switch (k) {
		case 0: c->pubkey = v; break;
		case 1: c->grubenv = v; break;
		case 2: c->slot_dev[0] = v; break;
		case 3: c->slot_dev[1] = v; break;
		case 4: c->state_dir = v; break;
		case 5: c->release = v; break;
		case 6: c->cmdline = v; break;
		case 7: c->tries = (unsigned)strtoul(v, NULL, 10); break;
		case 8: c->board = v; break;
		case 9: c->fail_after = strtoull(v, NULL, 10); break;
		}
	}
	fclose(f);
	if (c->tries < 1 || c->tries > 3) {
		fprintf(stderr, "segw-update: %s: tries must be 1 to 3\n", path);
		return -EINVAL;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: segw-update [--conf FILE] install IMAGE | confirm | status\n");
}

int main(int argc, char **argv)
{
	struct slots_cfg c = {
		.board = board_get()->id,
		.pubkey = "/etc/segw/image-key.pub",
		.grubenv = "/boot/grub/grubenv",
		.slot_dev = { "/dev/vda2", "/dev/vda3" },
		.state_dir = "/data/segw",
		.release = "/etc/segw/release",
		.cmdline = "/proc/cmdline",
		.tries = 1,
	};
	const char *conf = "/etc/segw/update.conf";
	int i = 1;
	if (argc > 2 && !strcmp(argv[1], "--conf")) {
		conf = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	if (read_conf(conf, &c) != 0)
		return 2;
	char err[512] = "";
	const char *cmd = argv[i];
	if (!strcmp(cmd, "install") && i + 2 == argc) {
		struct segw_img_hdr h;
		memset(&h, 0, sizeof(h));
		int rc = slots_install(&c, argv[i + 1], &h, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "segw-update: refused: %s\n", err);
			return 1;
		}
		int cur = slots_current(&c);
		printf("segw-update: installed %s (security %u) into slot %c; reboot to try it\n",
		       h.version, h.security_version, cur == 0 ? 'b' : 'a');
		return 0;
	}
	if (!strcmp(cmd, "confirm") && i + 1 == argc) {
		int rc = slots_confirm(&c, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "segw-update: %s\n", err);
			return 1;
		}
		printf("segw-update: slot %c confirmed\n", slots_current(&c) == 1 ? 'b' : 'a');
		return 0;
	}
	if (!strcmp(cmd, "status") && i + 1 == argc) {
		char buf[1024];
		int rc = slots_status(&c, buf, sizeof(buf));
		if (rc) {
			fprintf(stderr, "segw-update: status: %s\n", strerror(-rc));
			return 1;
		}
		fputs(buf, stdout);
		return 0;
	}
	usage();
	return 2;
}
