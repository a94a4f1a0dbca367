// SPDX-License-Identifier: GPL-2.0-or-later
/* GRUB environment block: see grubenv.h. */
#include "grubenv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char hdr[] = "# GRUB Environment Block\n";

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || n >= GRUBENV_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

static int valid_value(const char *s, size_t n)
{
	if (n >= GRUBENV_VALUE)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '\\')
			return 0;
	return 1;
}

int grubenv_parse(const char *buf, size_t len, struct grubenv *env)
{
	env->n = 0;
	if (len != GRUBENV_SIZE || memcmp(buf, hdr, sizeof(hdr) - 1) != 0)
		return -EINVAL;
	size_t i = sizeof(hdr) - 1;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		if (buf[i] == '#') {
			if (!nl)
				break; /* the padding */
			i = (size_t)(nl - buf) + 1; /* a comment line (grub-editenv writes one) */
			continue;
		}
		if (!nl)
			return -EINVAL;
		const char *line = buf + i;
		size_t ll = (size_t)(nl - line);
		const char *eq = memchr(line, '=', ll);
		if (!eq)
			return -EINVAL;
		size_t nn = (size_t)(eq - line), vn = ll - nn - 1;
		if (!valid_name(line, nn) || !valid_value(eq + 1, vn))
			return -EINVAL;
		if (env->n == GRUBENV_MAX)
			return -ENOSPC;
		memcpy(env->e[env->n].name, line, nn);
		env->e[env->n].name[nn] = '\0';
		memcpy(env->e[env->n].value, eq + 1, vn);
		env->e[env->n].value[vn] = '\0';
		env->n++;
		i += ll + 1;
	}
	for (; i < len; i++)
		if (buf[i] != '#')
			return -EINVAL;
	return 0;
}

int grubenv_format(const struct grubenv *env, char buf[GRUBENV_SIZE])
{
	size_t o = sizeof(hdr) - 1;
	memcpy(buf, hdr, o);
	for (unsigned k = 0; k < env->n; k++) {
		size_t nn = strlen(env->e[k].name), vn = strlen(env->e[k].value);
		if (o + nn + vn + 2 > GRUBENV_SIZE)
			return -ENOSPC;
		memcpy(buf + o, env->e[k].name, nn);
		o += nn;
		buf[o++] = '=';
		memcpy(buf + o, env->e[k].value, vn);
		o += vn;
		buf[o++] = '\n';
	}
	memset(buf + o, '#', GRUBENV_SIZE - o);
	return 0;
}

const char *grubenv_get(const struct grubenv *env, const char *name)
{
	for (unsigned k = 0; k < env->n; k++)
		if (!strcmp(env->e[k].name, name))
			return env->e[k].value;
	return NULL;
}

int grubenv_set(struct grubenv *env, const char *name, const char *value)
{
	if (!valid_name(name, strlen(name)) || !valid_value(value, strlen(value)))
		return -EINVAL;
	unsigned k;
	for (k = 0; k < env->n; k++)
		if (!strcmp(env->e[k].name, name))
			break;
	if (k == env->n) {
		if (env->n == GRUBENV_MAX)
			return -ENOSPC;
		env->n++;
		memcpy(env->e[k].name, name, strlen(name) + 1);
	}
	memcpy(env->e[k].value, value, strlen(value) + 1);
	char tmp[GRUBENV_SIZE];
	return grubenv_format(env, tmp);
}

int grubenv_load(const char *path, struct grubenv *env)
{
	char buf[GRUBENV_SIZE + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return grubenv_parse(buf, (size_t)n, env);
}

int grubenv_store(const char *path, const struct grubenv *env)
{
	char buf[GRUBENV_SIZE];
	int rc = grubenv_format(env, buf);
	if (rc)
		return rc;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pwrite(fd, buf, sizeof(buf), 0);
	if (n != (ssize_t)sizeof(buf) || fsync(fd) != 0) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		return -e;
	}
	if (close(fd) != 0)
		return -errno;
	return 0;
}
