// SPDX-License-Identifier: GPL-2.0-or-later
/* A/B slots: see slots.h. */
#include "slots.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "grubenv.h"

static const char slot_name[2] = { 'a', 'b' };

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* @dir/@name into @out; -ENAMETOOLONG when it does not fit. */
static int path2(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Read a small file whole, NUL-terminated. Length or negative errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t o = 0;
	while (o + 1 < len) {
		ssize_t n = read(fd, buf + o, len - 1 - o);
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		o += (size_t)n;
	}
	close(fd);
	buf[o] = '\0';
	return (ssize_t)o;
}

/* Write a small file atomically: tmp, fsync, rename, fsync dir. */
static int write_atomic(const char *dir, const char *name, const char *data)
{
	char tmp[4096], dst[4096];
	int n0 = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (n0 < 0 || (size_t)n0 >= sizeof(tmp) || path2(dst, sizeof(dst), dir, name))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t n = strlen(data);
	if (write(fd, data, n) != (ssize_t)n || fsync(fd) != 0) {
		int e = errno ? errno : EIO;
		close(fd);
		unlink(tmp);
		return -e;
	}
	close(fd);
	if (rename(tmp, dst) != 0)
		return -errno;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int slots_current(const struct slots_cfg *c)
{
	char buf[4096];
	ssize_t n = read_small(c->cmdline, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	const char *p = strstr(buf, "segw.slot=");
	if (!p || (p != buf && p[-1] != ' '))
		return -ENOENT;
	p += strlen("segw.slot=");
	if ((p[0] == 'a' || p[0] == 'b') && (p[1] == '\0' || p[1] == ' ' || p[1] == '\n'))
		return p[0] == 'a' ? 0 : 1;
	return -EINVAL;
}

uint32_t slots_floor(const struct slots_cfg *c)
{
	char path[4096], buf[32];
	if (path2(path, sizeof(path), c->state_dir, "security-floor") ||
	    read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	char *end;
	unsigned long v = strtoul(buf, &end, 10);
	if (end == buf || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* The running release's VERSION / SECURITY (from /etc/segw/release). */
static int release_field(const struct slots_cfg *c, const char *key, char *out, size_t len)
{
	char buf[4096];
	if (read_small(c->release, buf, sizeof(buf)) < 0)
		return -ENOENT;
	size_t kl = strlen(key);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			snprintf(out, len, "%s", line + kl + 1);
			return 0;
		}
	}
	return -ENOENT;
}

static int load_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > 65536) {
		close(fd);
		return -EINVAL;
	}
	uint8_t *b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	ssize_t n = pread(fd, b, (size_t)st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		free(b);
		return -EIO;
	}
	b[n] = 0; /* PEM parsers want the NUL counted */
	*out = b;
	*len = (size_t)n + 1;
	return 0;
}

static int dev_size(int fd, uint64_t *size)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) == 0 ? 0 : -errno;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Copy directory @from (flat: regular files) to @to, replacing @to. */
static int copy_dir(const char *from, const char *to)
{
	char path[4096], dst[4096];
	DIR *d = opendir(to);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
				continue;
			if (path2(path, sizeof(path), to, de->d_name) == 0)
				unlink(path);
		}
		closedir(d);
	} else if (mkdir(to, 0700) != 0) {
		return -errno;
	}
	d = opendir(from);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	int rc = 0;
	struct dirent *de;
	static uint8_t buf[1 << 16];
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (path2(path, sizeof(path), from, de->d_name) ||
		    path2(dst, sizeof(dst), to, de->d_name)) {
			rc = -ENAMETOOLONG;
			break;
		}
		int in = open(path, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			continue;
		int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0) {
			rc = -errno;
			close(in);
			break;
		}
		ssize_t n;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				rc = -EIO;
				break;
			}
		if (n < 0 || fsync(out) != 0)
			rc = -EIO;
		close(in);
		close(out);
	}
	closedir(d);
	return rc;
}

/* Write the payload into @dev, sync, read back and compare digests. */
static int write_slot(const struct slots_cfg *c, int img, const struct segw_img_hdr *h, int dev,
		      char *err, size_t errlen)
{
	static uint8_t buf[1 << 16];
	uint64_t off = 0;
	while (off < h->payload_size) {
		size_t want = sizeof(buf);
		if (h->payload_size - off < want)
			want = (size_t)(h->payload_size - off);
		ssize_t n = pread(img, buf, want, (off_t)(SEGW_IMG_HDR_SIZE + off));
		if (n <= 0)
			return fail(err, errlen, -EIO, "update: image read failed at %llu",
				    (unsigned long long)off);
		if (c->fail_after && off + (uint64_t)n > c->fail_after)
			return fail(err, errlen, -EIO, "update: interrupted (test) at %llu bytes",
				    (unsigned long long)off);
		if (pwrite(dev, buf, (size_t)n, (off_t)off) != n)
			return fail(err, errlen, -EIO, "update: slot write failed at %llu: %s",
				    (unsigned long long)off, strerror(errno));
		off += (uint64_t)n;
	}
	if (fsync(dev) != 0)
		return fail(err, errlen, -EIO, "update: slot sync failed: %s", strerror(errno));
	/* read back from the device, not the page cache */
	struct stat st;
	if (fstat(dev, &st) == 0 && S_ISBLK(st.st_mode))
		(void)ioctl(dev, BLKFLSBUF, 0);
	else
		(void)posix_fadvise(dev, 0, 0, POSIX_FADV_DONTNEED);
	mbedtls_sha256_context sha;
	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts(&sha, 0);
	for (off = 0; off < h->payload_size;) {
		size_t want = sizeof(buf);
		if (h->payload_size - off < want)
			want = (size_t)(h->payload_size - off);
		ssize_t n = pread(dev, buf, want, (off_t)off);
		if (n <= 0) {
			mbedtls_sha256_free(&sha);
			return fail(err, errlen, -EIO, "update: slot read-back failed at %llu",
				    (unsigned long long)off);
		}
		mbedtls_sha256_update(&sha, buf, (size_t)n);
		off += (uint64_t)n;
	}
	uint8_t dig[32];
	mbedtls_sha256_finish(&sha, dig);
	mbedtls_sha256_free(&sha);
	if (memcmp(dig, h->payload_sha256, 32) != 0)
		return fail(err, errlen, -EIO, "update: slot read-back differs from the image");
	return 0;
}

int slots_install(const struct slots_cfg *c, const char *image_path, struct segw_img_hdr *out,
		  char *err, size_t errlen)
{
	int cur = slots_current(c);
	if (cur < 0)
		return fail(err, errlen, cur, "update: cannot tell the running slot (segw.slot= in %s)",
			    c->cmdline);
	int tgt = 1 - cur;
	uint8_t *pub = NULL;
	size_t publen = 0;
	int rc = load_file(c->pubkey, &pub, &publen);
	if (rc)
		return fail(err, errlen, rc, "update: cannot read the image key %s", c->pubkey);
	int img = open(image_path, O_RDONLY | O_CLOEXEC);
	if (img < 0) {
		rc = -errno;
		free(pub);
		return fail(err, errlen, rc, "update: %s: %s", image_path, strerror(-rc));
	}
	struct segw_img_hdr h;
	memset(&h, 0, sizeof(h));
	rc = segw_img_check_file(img, pub, publen, c->board, slots_floor(c), &h, err, errlen);
	free(pub);
	if (rc) {
		close(img);
		return rc;
	}
	struct grubenv env;
	rc = grubenv_load(c->grubenv, &env);
	if (rc) {
		close(img);
		return fail(err, errlen, rc, "update: cannot read %s", c->grubenv);
	}
	int dev = open(c->slot_dev[tgt], O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		rc = -errno;
		close(img);
		return fail(err, errlen, rc, "update: slot %c (%s): %s", slot_name[tgt],
			    c->slot_dev[tgt], strerror(-rc));
	}
	uint64_t size = 0;
	rc = dev_size(dev, &size);
	if (rc == 0 && h.payload_size > size)
		rc = fail(err, errlen, -ENOSPC, "update: payload %llu bytes, slot %c holds %llu",
			  (unsigned long long)h.payload_size, slot_name[tgt],
			  (unsigned long long)size);
	if (rc) {
		close(dev);
		close(img);
		return rc;
	}
	/* From here the target slot is being overwritten: never boot it. */
	const char *ts = grubenv_get(&env, "try_slot");
	if (ts && ts[0] == slot_name[tgt]) {
		grubenv_set(&env, "try_slot", "none");
		grubenv_set(&env, "boot_left", "0");
		rc = grubenv_store(c->grubenv, &env);
		if (rc) {
			close(dev);
			close(img);
			return fail(err, errlen, rc, "update: cannot write %s", c->grubenv);
		}
	}
	rc = write_slot(c, img, &h, dev, err, errlen);
	close(dev);
	close(img);
	if (rc)
		return rc;

	/* Configuration forward: a copy for the new slot; the old one stays. */
	char from[4096], to[4096];
	char fs[8] = { 's', 'l', 'o', 't', '-', slot_name[cur], 0 };
	char tsl[8] = { 's', 'l', 'o', 't', '-', slot_name[tgt], 0 };
	rc = path2(from, sizeof(from), c->state_dir, fs);
	if (rc == 0)
		rc = path2(to, sizeof(to), c->state_dir, tsl);
	if (rc == 0)
		rc = copy_dir(from, to);
	if (rc)
		return fail(err, errlen, rc, "update: configuration copy to %s failed", to);

	char tries[16], slot[2] = { slot_name[tgt], 0 };
	snprintf(tries, sizeof(tries), "%u", c->tries ? c->tries : 1);
	if (!grubenv_get(&env, "slot"))
		grubenv_set(&env, "slot", (char[2]){ slot_name[cur], 0 });
	grubenv_set(&env, "try_slot", slot);
	grubenv_set(&env, "boot_left", tries);
	rc = grubenv_store(c->grubenv, &env);
	if (rc)
		return fail(err, errlen, rc, "update: cannot write %s", c->grubenv);
	if (out)
		*out = h;
	return 0;
}

int slots_confirm(const struct slots_cfg *c, char *err, size_t errlen)
{
	int cur = slots_current(c);
	if (cur < 0)
		return fail(err, errlen, cur, "confirm: cannot tell the running slot");
	struct grubenv env;
	int rc = grubenv_load(c->grubenv, &env);
	if (rc)
		return fail(err, errlen, rc, "confirm: cannot read %s", c->grubenv);
	char cs[2] = { slot_name[cur], 0 };
	const char *good = grubenv_get(&env, "slot");
	const char *ts = grubenv_get(&env, "try_slot");
	int changed = 0;
	if (!good || strcmp(good, cs) != 0) {
		if (!ts || strcmp(ts, cs) != 0)
			return fail(err, errlen, -EINVAL,
				    "confirm: running slot %s is neither confirmed nor on trial", cs);
		grubenv_set(&env, "slot", cs);
		changed = 1;
	}
	if (ts && strcmp(ts, "none") != 0) {
		grubenv_set(&env, "try_slot", "none");
		grubenv_set(&env, "boot_left", "0");
		changed = 1;
	}
	if (changed) {
		rc = grubenv_store(c->grubenv, &env);
		if (rc)
			return fail(err, errlen, rc, "confirm: cannot write %s", c->grubenv);
	}
	char sec[32];
	if (release_field(c, "SECURITY", sec, sizeof(sec)) == 0) {
		unsigned long v = strtoul(sec, NULL, 10);
		if (v > slots_floor(c) && v <= UINT32_MAX) {
			char num[32];
			snprintf(num, sizeof(num), "%lu\n", v);
			rc = write_atomic(c->state_dir, "security-floor", num);
			if (rc)
				return fail(err, errlen, rc, "confirm: cannot raise the security floor");
		}
	}
	return 0;
}

int slots_status(const struct slots_cfg *c, char *buf, size_t len)
{
	struct grubenv env;
	int rc = grubenv_load(c->grubenv, &env);
	if (rc)
		return rc;
	int cur = slots_current(c);
	char ver[64] = "?", sec[32] = "?";
	release_field(c, "VERSION", ver, sizeof(ver));
	release_field(c, "SECURITY", sec, sizeof(sec));
	const char *g = grubenv_get(&env, "slot"), *t = grubenv_get(&env, "try_slot"),
		   *b = grubenv_get(&env, "boot_left"), *f = grubenv_get(&env, "fell_back");
	snprintf(buf, len,
		 "running slot: %c\nversion: %s\nsecurity version: %s\nconfirmed slot: %s\n"
		 "trial slot: %s\nboots left: %s\nfell back from: %s\nsecurity floor: %u\n",
		 cur >= 0 ? slot_name[cur] : '?', ver, sec, g ? g : "a", t ? t : "none",
		 b ? b : "0", f && *f ? f : "none", slots_floor(c));
	return 0;
}
