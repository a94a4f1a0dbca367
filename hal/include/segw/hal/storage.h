/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal storage: named partitions of the board's flash/disk.
 *
 * Owner:      the board declares the layout; the config store owns the
 *             "config" partitions, the updater the image slots.
 * Thread:     control thread only.
 * Allocation: open() allocates once.
 * Errors:     -ENOENT no such partition, -ERANGE access beyond the
 *             partition, -EIO device error, -ENOSPC device full,
 *             -EROFS partition read-only.
 * Durability: a write is durable only after sync() returned 0.
 */
#ifndef SEGW_HAL_STORAGE_H
#define SEGW_HAL_STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct hal_partition {
	const char *name;
	uint64_t offset;
	uint64_t size;
	uint32_t erase_block;
	int read_only;
};

struct hal_storage;

struct hal_storage_ops {
	const char *driver;
	int (*open)(struct hal_storage *s);
	int (*read)(struct hal_storage *s, const char *part, uint64_t off, void *buf, size_t len);
	int (*write)(struct hal_storage *s, const char *part, uint64_t off, const void *buf,
		     size_t len);
	int (*erase)(struct hal_storage *s, const char *part, uint64_t off, uint64_t len);
	int (*sync)(struct hal_storage *s);
	/* partition: describe @part, -ENOENT if absent. */
	int (*partition)(const struct hal_storage *s, const char *part, struct hal_partition *out);
	void (*close)(struct hal_storage *s);
};

struct hal_storage {
	const char *name;
	const struct hal_storage_ops *ops;
	const void *config;
	void *data;
};

#endif
