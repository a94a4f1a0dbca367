/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File-backed storage: one file holds every partition at its offset, like a
 * flash chip or a disk image. Writes are pwrite(), sync is fdatasync().
 *
 * Thread: control thread. Errors as in segw/hal/storage.h; an I/O error of
 * the host file is reported as -EIO (or -ENOSPC when the host disk is full).
 */
#ifndef SEGW_DRIVERS_FILE_STORAGE_H
#define SEGW_DRIVERS_FILE_STORAGE_H

#include "segw/hal/storage.h"

struct file_storage_cfg {
	const char *path;          /* created and sized on open if missing */
	const char *path_env;      /* environment variable overriding path */
	const struct hal_partition *parts;
	unsigned n_parts;
};

extern const struct hal_storage_ops file_storage_ops;

#endif
