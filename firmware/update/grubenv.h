/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update/grubenv: GRUB's environment block (grubenv), read and written in
 * place so GRUB (load_env/save_env) and the box agree on the boot slot.
 *
 * The block is exactly 1024 bytes: "# GRUB Environment Block\n", lines
 * "name=value\n" or "# comment\n", then '#' padding. Comments are not kept
 * (GRUB's own save_env drops them too). It is rewritten in place (same file,
 * same blocks: GRUB's save_env writes through the file's block list, so the
 * file must never be truncated or reallocated).
 *
 * Owner:      struct grubenv is caller storage; no allocation.
 * Thread:     any; the file functions are not safe against a concurrent
 *             writer of the same file.
 * Errors:     -EINVAL malformed block or bad name/value, -ENOSPC entries
 *             do not fit in 1024 bytes or GRUBENV_MAX, -errno from the file.
 */
#ifndef SEGW_UPDATE_GRUBENV_H
#define SEGW_UPDATE_GRUBENV_H

#include <stddef.h>

#define GRUBENV_SIZE 1024
#define GRUBENV_MAX 32
#define GRUBENV_NAME 32
#define GRUBENV_VALUE 128

struct grubenv {
	unsigned n;
	struct {
		char name[GRUBENV_NAME];
		char value[GRUBENV_VALUE];
	} e[GRUBENV_MAX];
};

int grubenv_parse(const char *buf, size_t len, struct grubenv *env);
int grubenv_format(const struct grubenv *env, char buf[GRUBENV_SIZE]);
const char *grubenv_get(const struct grubenv *env, const char *name); /* NULL if unset */
int grubenv_set(struct grubenv *env, const char *name, const char *value);

/* grubenv_load/_store: the file at @path (store: in place, then fsync). */
int grubenv_load(const char *path, struct grubenv *env);
int grubenv_store(const char *path, const struct grubenv *env);

#endif
