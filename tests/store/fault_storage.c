// SPDX-License-Identifier: GPL-2.0-or-later
/* fault_storage: see fault_storage.h. */
#include "fault_storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 512

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void drop_cache(struct fault_state *f)
{
	for (unsigned i = 0; i < f->n_cache; i++)
		free(f->cache[i].data);
	f->n_cache = 0;
}

/* flush_partial - power cut with a volatile cache: every dirty sector of
 * the final image independently reaches the medium or not; one may be torn. */
static void flush_partial(struct fault_state *f)
{
	struct hal_storage *in = f->inner;
	uint32_t x = f->seed * 2654435761u + 1;

	for (unsigned i = 0; i < f->n_cache; i++) {
		const char *part = f->cache[i].part;
		int seen = 0;
		for (unsigned j = 0; j < i; j++)
			seen |= strcmp(f->cache[j].part, part) == 0;
		if (seen)
			continue;
		struct hal_partition p;
		if (in->ops->partition(in, part, &p))
			continue;
		uint8_t *old = malloc(p.size), *nw = malloc(p.size);
		if (old && nw && in->ops->read(in, part, 0, old, p.size) == 0) {
			memcpy(nw, old, p.size);
			for (unsigned j = i; j < f->n_cache; j++) {
				const struct fault_op *o = &f->cache[j];
				if (strcmp(o->part, part))
					continue;
				if (o->erase)
					memset(nw + o->off, 0xff, o->len);
				else
					memcpy(nw + o->off, o->data, o->len);
			}
			for (uint64_t s = 0; s < p.size; s += SECTOR) {
				if (!memcmp(old + s, nw + s, SECTOR))
					continue;
				uint32_t r = rnd(&x) % 8; /* persisted, lost or torn */
				if (r < 4)
					in->ops->write(in, part, s, nw + s, SECTOR);
				else if (r == 6)
					in->ops->write(in, part, s, nw + s, rnd(&x) % SECTOR);
			}
		}
		free(old);
		free(nw);
	}
	drop_cache(f);
}

/* alive - count an op; 0 if it may proceed, -EIO when the power is cut. */
static int alive(struct fault_state *f)
{
	if (f->dead)
		return -EIO;
	if ((f->mode == FAULT_OPS || f->mode == FAULT_CACHE) && f->ops >= f->budget) {
		f->dead = 1;
		if (f->mode == FAULT_CACHE)
			flush_partial(f);
		return -EIO;
	}
	f->ops++;
	return 0;
}

static int fs_open(struct hal_storage *s)
{
	(void)s;
	return 0;
}

static int fs_read(struct hal_storage *s, const char *part, uint64_t off, void *buf, size_t len)
{
	struct fault_state *f = s->data;
	if (f->dead)
		return -EIO;
	int rc = f->inner->ops->read(f->inner, part, off, buf, len);
	for (unsigned i = 0; !rc && i < f->n_cache; i++) { /* read your writes */
		const struct fault_op *o = &f->cache[i];
		if (strcmp(o->part, part) || o->off >= off + len || o->off + o->len <= off)
			continue;
		uint64_t a = o->off > off ? o->off : off;
		uint64_t b = o->off + o->len < off + len ? o->off + o->len : off + len;
		if (o->erase)
			memset((uint8_t *)buf + (a - off), 0xff, b - a);
		else
			memcpy((uint8_t *)buf + (a - off), o->data + (a - o->off), b - a);
	}
	return rc;
}

static int do_op(struct hal_storage *s, int erase, const char *part, uint64_t off,
		 const void *buf, uint64_t len)
{
	struct fault_state *f = s->data;
	struct hal_storage *in = f->inner;
	int rc = alive(f);

	if (rc)
		return rc;
	if (f->mode == FAULT_BYTES && len > f->budget - f->bytes) {
		uint64_t part_len = f->budget - f->bytes;
		if (part_len)
			rc = erase ? in->ops->erase(in, part, off, part_len)
				   : in->ops->write(in, part, off, buf, part_len);
		f->bytes = f->budget;
		f->dead = 1;
		return -EIO;
	}
	if (f->mode == FAULT_CACHE) {
		struct hal_partition p;
		rc = in->ops->partition(in, part, &p);
		if (rc)
			return rc;
		if (off > p.size || len > p.size - off)
			return -ERANGE;
		if (f->n_cache == sizeof(f->cache) / sizeof(f->cache[0]) || strlen(part) >= 32)
			return -ENOMEM;
		struct fault_op *o = &f->cache[f->n_cache];
		memset(o, 0, sizeof(*o));
		o->erase = erase;
		strcpy(o->part, part);
		o->off = off;
		o->len = len;
		if (!erase) {
			o->data = malloc(len ? len : 1);
			if (!o->data)
				return -ENOMEM;
			memcpy(o->data, buf, len);
		}
		f->n_cache++;
		f->bytes += len;
		return 0;
	}
	rc = erase ? in->ops->erase(in, part, off, len) : in->ops->write(in, part, off, buf, len);
	f->bytes += len;
	return rc;
}

static int fs_write(struct hal_storage *s, const char *part, uint64_t off, const void *buf,
		    size_t len)
{
	return do_op(s, 0, part, off, buf, len);
}

static int fs_erase(struct hal_storage *s, const char *part, uint64_t off, uint64_t len)
{
	return do_op(s, 1, part, off, NULL, len);
}

static int fs_sync(struct hal_storage *s)
{
	struct fault_state *f = s->data;
	struct hal_storage *in = f->inner;
	int rc = alive(f);

	if (rc)
		return rc;
	for (unsigned i = 0; i < f->n_cache && !rc; i++) {
		const struct fault_op *o = &f->cache[i];
		rc = o->erase ? in->ops->erase(in, o->part, o->off, o->len)
			      : in->ops->write(in, o->part, o->off, o->data, o->len);
	}
	drop_cache(f);
	return rc ? rc : in->ops->sync(in);
}

static int fs_partition(const struct hal_storage *s, const char *part, struct hal_partition *out)
{
	const struct fault_state *f = s->data;
	return f->inner->ops->partition(f->inner, part, out);
}

static void fs_close(struct hal_storage *s)
{
	(void)s;
}

static const struct hal_storage_ops fault_ops = {
	.driver = "fault",
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.erase = fs_erase,
	.sync = fs_sync,
	.partition = fs_partition,
	.close = fs_close,
};

void fault_storage_init(struct hal_storage *s, struct fault_state *f, struct hal_storage *inner,
			enum fault_mode mode, uint64_t budget, uint32_t seed)
{
	memset(f, 0, sizeof(*f));
	f->inner = inner;
	f->mode = mode;
	f->budget = budget;
	f->seed = seed;
	memset(s, 0, sizeof(*s));
	s->name = "fault";
	s->ops = &fault_ops;
	s->data = f;
}

void fault_storage_fini(struct hal_storage *s)
{
	drop_cache(s->data);
}
