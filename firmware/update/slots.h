/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update/slots: A/B root slots on the box: install a signed image into the
 * inactive slot, let GRUB try it with a boot counter, confirm it healthy.
 *
 * GRUB's environment (grubenv, see the image's grub.cfg) holds:
 *   slot=a|b        the confirmed slot
 *   try_slot=a|b|none  the slot to try; GRUB boots it while boot_left > 0,
 *                   counting down, then falls back to `slot` and records
 *                   fell_back=<slot>
 *   boot_left=N
 * Install never touches the running slot, nor the grubenv until the new
 * slot is written and read back whole; an interrupted install leaves the
 * box booting its confirmed slot. Confirm (the box's health check, once
 * segwd is up, its policy loaded and the watchdog fed) makes the tried
 * slot the confirmed one and raises the security floor to the running
 * release's security version.
 *
 * Configuration is per slot on the data partition: <state>/slot-a/,
 * <state>/slot-b/. Install copies the running slot's directory to the
 * target's (the old copy is never modified).
 *
 * Owner:      struct slots_cfg is caller storage, strings borrowed.
 * Thread:     one caller at a time (the box's updater process).
 * Errors:     negative errno (see image.h for the image refusals; -ENOSPC
 *             payload larger than the slot, -EIO write/readback mismatch,
 *             -ENOENT no such slot/file, -EINVAL bad state); the message
 *             for the operator in @err.
 */
#ifndef SEGW_UPDATE_SLOTS_H
#define SEGW_UPDATE_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct slots_cfg {
	const char *board;        /* this box's board id */
	const char *pubkey;       /* path of the image public key (PEM) */
	const char *grubenv;      /* path of GRUB's environment block */
	const char *slot_dev[2];  /* a, b: block devices (or files) */
	const char *state_dir;    /* on the data partition */
	const char *release;      /* the running root's /etc/segw/release */
	const char *cmdline;      /* /proc/cmdline: segw.slot=a|b */
	unsigned tries;           /* boots a new slot gets to confirm (1..3) */
	/* tests: stop after writing this many payload bytes (0: never) */
	uint64_t fail_after;
};

/* slots_current - the slot this box booted: 0 (a), 1 (b), or negative errno. */
int slots_current(const struct slots_cfg *c);

/* slots_floor - the box's security floor (0 if never set). */
uint32_t slots_floor(const struct slots_cfg *c);

/*
 * slots_install - check the container at @image_path and write it into the
 * inactive slot; on success the next boot tries it. @out: its header.
 */
int slots_install(const struct slots_cfg *c, const char *image_path, struct segw_img_hdr *out,
		  char *err, size_t errlen);

/*
 * slots_confirm - the running slot is healthy: make it the confirmed one.
 * 0 (also when it already was), negative errno.
 */
int slots_confirm(const struct slots_cfg *c, char *err, size_t errlen);

/* slots_status - a human-readable summary into @buf. 0 or negative errno. */
int slots_status(const struct slots_cfg *c, char *buf, size_t len);

#endif
