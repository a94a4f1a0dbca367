// SPDX-License-Identifier: GPL-2.0-or-later
/* File-backed storage: see file_storage.h. */
#include "file_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_storage_data {
	int fd;
};

static const struct hal_partition *find_part(const struct file_storage_cfg *c, const char *name)
{
	for (unsigned i = 0; i < c->n_parts; i++)
		if (strcmp(c->parts[i].name, name) == 0)
			return &c->parts[i];
	return NULL;
}

static int fs_open(struct hal_storage *s)
{
	const struct file_storage_cfg *c = s->config;
	const char *path = c->path;
	const char *env = c->path_env ? getenv(c->path_env) : NULL;
	uint64_t end = 0;

	if (env && *env)
		path = env;
	for (unsigned i = 0; i < c->n_parts; i++)
		if (c->parts[i].offset + c->parts[i].size > end)
			end = c->parts[i].offset + c->parts[i].size;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	/* Grow the image as erased flash: 0xff, never 0x00, so that a fresh
	 * partition reads like an erased one. */
	uint8_t ff[4096];
	memset(ff, 0xff, sizeof(ff));
	for (uint64_t o = (uint64_t)st.st_size; o < end;) {
		size_t n = end - o > sizeof(ff) ? sizeof(ff) : (size_t)(end - o);
		ssize_t w = pwrite(fd, ff, n, (off_t)o);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 && errno == ENOSPC ? -ENOSPC : -EIO;
			close(fd);
			return e;
		}
		o += (uint64_t)w;
	}
	struct file_storage_data *d = malloc(sizeof(*d));
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	s->data = d;
	return 0;
}

static int check(const struct hal_storage *s, const char *part, uint64_t off, uint64_t len,
		 const struct hal_partition **out)
{
	const struct hal_partition *p = find_part(s->config, part);
	if (!p)
		return -ENOENT;
	if (off > p->size || len > p->size - off)
		return -ERANGE;
	*out = p;
	return 0;
}

static int fs_read(struct hal_storage *s, const char *part, uint64_t off, void *buf, size_t len)
{
	const struct hal_partition *p;
	struct file_storage_data *d = s->data;
	int rc = check(s, part, off, len, &p);
	if (rc)
		return rc;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(d->fd, (char *)buf + done, len - done, (off_t)(p->offset + off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		if (n == 0) { /* beyond the file: erased flash reads 0xff */
			memset((char *)buf + done, 0xff, len - done);
			break;
		}
		done += (size_t)n;
	}
	return 0;
}

static int fs_write(struct hal_storage *s, const char *part, uint64_t off, const void *buf,
		    size_t len)
{
	const struct hal_partition *p;
	struct file_storage_data *d = s->data;
	int rc = check(s, part, off, len, &p);
	if (rc)
		return rc;
	if (p->read_only)
		return -EROFS;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(d->fd, (const char *)buf + done, len - done,
				   (off_t)(p->offset + off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ENOSPC ? -ENOSPC : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int fs_erase(struct hal_storage *s, const char *part, uint64_t off, uint64_t len)
{
	uint8_t ff[4096];
	const struct hal_partition *p;
	int rc = check(s, part, off, len, &p);
	if (rc)
		return rc;
	if (p->read_only)
		return -EROFS;
	memset(ff, 0xff, sizeof(ff));
	while (len) {
		size_t n = len > sizeof(ff) ? sizeof(ff) : (size_t)len;
		rc = fs_write(s, part, off, ff, n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

static int fs_sync(struct hal_storage *s)
{
	struct file_storage_data *d = s->data;
	return fdatasync(d->fd) < 0 ? -EIO : 0;
}

static int fs_partition(const struct hal_storage *s, const char *part, struct hal_partition *out)
{
	const struct hal_partition *p = find_part(s->config, part);
	if (!p)
		return -ENOENT;
	*out = *p;
	return 0;
}

static void fs_close(struct hal_storage *s)
{
	struct file_storage_data *d = s->data;
	if (!d)
		return;
	close(d->fd);
	free(d);
	s->data = NULL;
}

const struct hal_storage_ops file_storage_ops = {
	.driver = "file",
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.erase = fs_erase,
	.sync = fs_sync,
	.partition = fs_partition,
	.close = fs_close,
};
