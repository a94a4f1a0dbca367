// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared counters segment: see export.h. */
#include "stats/export.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sx_writer {
	char path[4096];
	struct sx_header *h;
	size_t size;
	pthread_mutex_t ev_mu;
	int in_publish;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void copy_name(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	memset(dst + n, 0, cap - n);
}

static uint64_t layout(struct sx_header *h)
{
	uint64_t off = SX_HEADER_SIZE;
	for (unsigned t = 0; t < h->n_tables; t++) {
		struct sx_table_desc *d = &h->table[t];
		d->row_size = (uint32_t)(sizeof(struct sx_row) + 8u * d->n_cols);
		d->offset = off;
		off += (uint64_t)d->row_size * d->max_rows;
		off = (off + 4095u) & ~(uint64_t)4095u;
	}
	return off;
}

/* Create @path.tmp holding @h's layout and rename it to @path. */
static int map_new(struct sx_writer *w, const struct sx_header *proto, const struct sx_header *old)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", w->path, (long)getpid());
	struct sx_header hh = *proto;
	uint64_t size = layout(&hh);
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = -errno;
		close(fd);
		unlink(tmp);
		return e;
	}
	void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		unlink(tmp);
		return -errno;
	}
	struct sx_header *h = m;
	*h = hh;
	h->file_size = size;
	if (old) { /* carry the rows over */
		for (unsigned t = 0; t < h->n_tables; t++) {
			const struct sx_table_desc *od = &old->table[t];
			uint32_t n = od->n_rows < h->table[t].max_rows ? od->n_rows : h->table[t].max_rows;
			memcpy((uint8_t *)m + h->table[t].offset,
			       (const uint8_t *)old + od->offset, (size_t)n * od->row_size);
			h->table[t].n_rows = n;
		}
	}
	if (rename(tmp, w->path) < 0) {
		int e = -errno;
		munmap(m, size);
		unlink(tmp);
		return e;
	}
	if (w->h) {
		__atomic_store_n(&w->h->stale, 1u, __ATOMIC_RELEASE);
		munmap(w->h, w->size);
	}
	w->h = h;
	w->size = size;
	return 0;
}

int sx_create(struct sx_writer **out, const char *dir, const char *process, const char *version,
	      const struct sx_table_spec *tables, unsigned n_tables)
{
	*out = NULL;
	if (!process || !*process || strchr(process, '/') || n_tables > SX_MAX_TABLES)
		return -EINVAL;
	for (unsigned t = 0; t < n_tables; t++)
		if (!tables[t].name || tables[t].n_cols > SX_MAX_COLS ||
		    tables[t].max_rows > (1u << 24))
			return -EINVAL;
	if (!dir) {
		dir = SX_DEFAULT_DIR;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	struct sx_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	int n = snprintf(w->path, sizeof(w->path), "%s/%s.stats", dir, process);
	if (n < 0 || (size_t)n >= sizeof(w->path)) {
		free(w);
		return -ENAMETOOLONG;
	}
	pthread_mutex_init(&w->ev_mu, NULL);
	struct sx_header *h = calloc(1, sizeof(*h));
	if (!h) {
		free(w);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < sizeof(h->magic); i++) /* not a C string: no NUL */
		h->magic[i] = SX_MAGIC[i];
	h->version = SX_VERSION;
	h->header_size = SX_HEADER_SIZE;
	h->epoch_ns = wall_ns();
	h->pid = (uint32_t)getpid();
	h->n_tables = n_tables;
	copy_name(h->process, sizeof(h->process), process);
	copy_name(h->version_str, sizeof(h->version_str), version);
	for (unsigned t = 0; t < n_tables; t++) {
		struct sx_table_desc *d = &h->table[t];
		copy_name(d->name, sizeof(d->name), tables[t].name);
		d->n_cols = tables[t].n_cols;
		d->max_rows = tables[t].max_rows;
		for (unsigned c = 0; c < d->n_cols; c++)
			copy_name(d->col[c], sizeof(d->col[c]), tables[t].cols[c]);
	}
	int rc = map_new(w, h, NULL);
	free(h);
	if (rc) {
		pthread_mutex_destroy(&w->ev_mu);
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void sx_close(struct sx_writer *w, int unlink_file)
{
	if (!w)
		return;
	if (unlink_file) {
		__atomic_store_n(&w->h->stale, 1u, __ATOMIC_RELEASE);
		unlink(w->path);
	}
	munmap(w->h, w->size);
	pthread_mutex_destroy(&w->ev_mu);
	free(w);
}

const char *sx_path(const struct sx_writer *w) { return w->path; }

void sx_begin(struct sx_writer *w)
{
	uint32_t s = __atomic_load_n(&w->h->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&w->h->seq, s | 1u, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	w->in_publish = 1;
}

int sx_set_rows(struct sx_writer *w, unsigned t, uint32_t n)
{
	if (t >= w->h->n_tables)
		return -EINVAL;
	if (n > w->h->table[t].max_rows)
		return -ENOSPC;
	w->h->table[t].n_rows = n;
	return 0;
}

struct sx_row *sx_row(struct sx_writer *w, unsigned t, uint32_t i)
{
	if (t >= w->h->n_tables || i >= w->h->table[t].max_rows)
		return NULL;
	const struct sx_table_desc *d = &w->h->table[t];
	return (struct sx_row *)((uint8_t *)w->h + d->offset + (uint64_t)i * d->row_size);
}

int sx_set_scalar(struct sx_writer *w, const char *name, uint64_t value)
{
	struct sx_header *h = w->h;
	for (unsigned i = 0; i < h->n_scalars; i++)
		if (strncmp(h->scalar[i].name, name, SX_NAME_LEN) == 0) {
			h->scalar[i].value = value;
			return 0;
		}
	if (h->n_scalars >= SX_MAX_SCALARS)
		return -ENOSPC;
	copy_name(h->scalar[h->n_scalars].name, SX_NAME_LEN, name);
	h->scalar[h->n_scalars].value = value;
	h->n_scalars++;
	return 0;
}

void sx_set_note(struct sx_writer *w, const char *text)
{
	copy_name(w->h->note, sizeof(w->h->note), text);
}

int sx_commit(struct sx_writer *w)
{
	int rc = 0;
	struct sx_header *h = w->h;
	for (unsigned t = 0; t < h->n_tables; t++) {
		for (uint32_t i = 0; i < h->table[t].n_rows; i++) {
			struct sx_row *r = sx_row(w, t, i);
			r->name[SX_ROW_NAME_LEN - 1] = 0;
			if (i && r->key <= sx_row(w, t, i - 1)->key) {
				h->table[t].n_rows = 0;
				rc = -EINVAL;
				break;
			}
		}
	}
	h->published_ns = wall_ns();
	h->publishes++;
	uint32_t s = __atomic_load_n(&h->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&h->seq, (s | 1u) + 1u, __ATOMIC_RELEASE);
	w->in_publish = 0;
	return rc;
}

int sx_grow(struct sx_writer *w, unsigned t, uint32_t max_rows)
{
	if (t >= w->h->n_tables || w->in_publish || max_rows > (1u << 24))
		return -EINVAL;
	if (max_rows <= w->h->table[t].max_rows)
		return 0;
	pthread_mutex_lock(&w->ev_mu); /* events write into the header too */
	struct sx_header *proto = malloc(sizeof(*proto));
	int rc = -ENOMEM;
	if (proto) {
		*proto = *w->h;
		proto->seq = 0;
		proto->stale = 0;
		proto->table[t].max_rows = max_rows;
		rc = map_new(w, proto, w->h);
		free(proto);
	}
	pthread_mutex_unlock(&w->ev_mu);
	return rc;
}

void sx_restart(struct sx_writer *w)
{
	sx_begin(w);
	w->h->epoch_ns = wall_ns();
	w->h->publishes = 0;
	sx_commit(w);
}

void sx_event(struct sx_writer *w, enum sx_event_type type, uint32_t arg, const char *text)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->ev_mu);
	struct sx_header *h = w->h;
	uint64_t n = h->ev_head + 1;
	struct sx_event *e = &h->ev[(n - 1) & (SX_EVENTS - 1)];
	__atomic_store_n(&e->seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->time_ns = wall_ns();
	e->type = (uint32_t)type;
	e->arg = arg;
	copy_name(e->text, sizeof(e->text), text);
	__atomic_store_n(&e->seq, n, __ATOMIC_RELEASE);
	__atomic_store_n(&h->ev_head, n, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&w->ev_mu);
}

/* ---- reader ---------------------------------------------------------------- */

static int terminated(const char *s, size_t cap) { return memchr(s, 0, cap) != NULL; }

int sx_parse(const void *buf, size_t len, struct sx_view *out)
{
	memset(out, 0, sizeof(*out));
	if (!buf || len < SX_HEADER_SIZE || ((uintptr_t)buf & 7u))
		return -EBADMSG;
	const struct sx_header *h = buf;
	if (memcmp(h->magic, SX_MAGIC, 8) || h->version != SX_VERSION ||
	    h->header_size != SX_HEADER_SIZE || h->file_size > len || (h->seq & 1u) ||
	    h->n_tables > SX_MAX_TABLES || h->n_scalars > SX_MAX_SCALARS)
		return -EBADMSG;
	if (!terminated(h->process, sizeof(h->process)) ||
	    !terminated(h->version_str, sizeof(h->version_str)) ||
	    !terminated(h->note, sizeof(h->note)))
		return -EBADMSG;
	for (unsigned i = 0; i < h->n_scalars; i++)
		if (!terminated(h->scalar[i].name, SX_NAME_LEN))
			return -EBADMSG;
	for (unsigned t = 0; t < h->n_tables; t++) {
		const struct sx_table_desc *d = &h->table[t];
		if (!terminated(d->name, SX_NAME_LEN) || d->n_cols > SX_MAX_COLS ||
		    d->row_size != sizeof(struct sx_row) + 8u * d->n_cols || d->n_rows > d->max_rows ||
		    d->offset < SX_HEADER_SIZE || (d->offset & 7u) || d->offset > h->file_size)
			return -EBADMSG;
		for (unsigned c = 0; c < d->n_cols; c++)
			if (!terminated(d->col[c], SX_NAME_LEN))
				return -EBADMSG;
		if ((uint64_t)d->n_rows * d->row_size > h->file_size - d->offset)
			return -EBADMSG;
		const uint8_t *p = (const uint8_t *)buf + d->offset;
		uint64_t prev = 0;
		for (uint32_t i = 0; i < d->n_rows; i++, p += d->row_size) {
			const struct sx_row *r = (const struct sx_row *)p;
			if (!terminated(r->name, SX_ROW_NAME_LEN) || (i && r->key <= prev))
				return -EBADMSG;
			prev = r->key;
		}
	}
	out->h = h;
	out->base = buf;
	out->len = (size_t)h->file_size;
	return 0;
}

int sx_table(const struct sx_view *v, const char *name)
{
	for (unsigned t = 0; t < v->h->n_tables; t++)
		if (strncmp(v->h->table[t].name, name, SX_NAME_LEN) == 0)
			return (int)t;
	return -ENOENT;
}

uint32_t sx_find_ge(const struct sx_view *v, unsigned t, uint64_t key)
{
	uint32_t lo = 0, hi = sx_rows(v, t);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sx_row_at(v, t, mid)->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sx_scalar(const struct sx_view *v, const char *name, uint64_t *out)
{
	for (unsigned i = 0; i < v->h->n_scalars; i++)
		if (strncmp(v->h->scalar[i].name, name, SX_NAME_LEN) == 0) {
			*out = v->h->scalar[i].value;
			return 0;
		}
	return -ENOENT;
}

unsigned sx_events_since(const struct sx_view *v, uint64_t after, struct sx_event *out,
			 unsigned max)
{
	uint64_t head = v->h->ev_head;
	uint64_t first = after + 1;
	if (head >= SX_EVENTS && first < head - SX_EVENTS + 1)
		first = head - SX_EVENTS + 1;
	unsigned n = 0;
	for (uint64_t s = first; s <= head && n < max; s++) {
		const struct sx_event *e = &v->h->ev[(s - 1) & (SX_EVENTS - 1)];
		if (e->seq != s)
			break; /* being written: the next copy will have it */
		out[n] = *e;
		out[n].text[SX_EVENT_TEXT - 1] = 0;
		n++;
	}
	return n;
}

struct sx_reader {
	char path[4096];
	int fd;
	int have_copy;      /* the copy holds publish copy_seq with copy_ev events */
	uint32_t copy_seq;
	uint64_t copy_ev;
	struct sx_view view;
	ino_t ino;
	const uint8_t *map;
	size_t map_len;
	uint8_t *copy;
	size_t copy_cap;
};

int sx_reader_open(struct sx_reader **out, const char *path)
{
	struct sx_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	size_t n = strlen(path);
	if (n >= sizeof(r->path)) {
		free(r);
		return -ENAMETOOLONG;
	}
	memcpy(r->path, path, n + 1);
	r->fd = -1;
	*out = r;
	return 0;
}

static void reader_unmap(struct sx_reader *r)
{
	if (r->map)
		munmap((void *)r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

void sx_reader_close(struct sx_reader *r)
{
	if (!r)
		return;
	reader_unmap(r);
	free(r->copy);
	free(r);
}

static int reader_map(struct sx_reader *r)
{
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)SX_HEADER_SIZE) {
		close(fd);
		return -EBADMSG;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		int e = -errno;
		close(fd);
		return e;
	}
	r->fd = fd;
	r->ino = st.st_ino;
	r->map = m;
	r->map_len = (size_t)st.st_size;
	return 0;
}

int sx_reader_refresh(struct sx_reader *r, struct sx_view *view)
{
	struct stat st;
	if (stat(r->path, &st) < 0) {
		reader_unmap(r);
		return -ENOENT;
	}
	if (r->map && (st.st_ino != r->ino || (size_t)st.st_size != r->map_len ||
		       __atomic_load_n(&((const struct sx_header *)r->map)->stale, __ATOMIC_ACQUIRE)))
		reader_unmap(r);
	if (!r->map) {
		r->have_copy = 0;
		int rc = reader_map(r);
		if (rc)
			return rc;
		if (!r->map)
			return -ENOENT;
	}
	const struct sx_header *h = (const struct sx_header *)r->map;
	if (r->copy_cap < r->map_len) {
		uint8_t *c = aligned_alloc(4096, (r->map_len + 4095u) & ~(size_t)4095u);
		if (!c)
			return -ENOMEM;
		free(r->copy);
		r->copy = c;
		r->copy_cap = r->map_len;
	}
	/* nothing published and no event since the last copy: keep it */
	if (r->have_copy && __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE) == r->copy_seq &&
	    __atomic_load_n(&h->ev_head, __ATOMIC_ACQUIRE) == r->copy_ev) {
		*view = r->view;
		return 0;
	}
	r->have_copy = 0;
	for (int tries = 0; tries < 200; tries++) {
		uint32_t a = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		if (a & 1u) {
			struct timespec ts = { 0, 200000 }; /* the writer is mid-publish */
			nanosleep(&ts, NULL);
			continue;
		}
		memcpy(r->copy, r->map, r->map_len);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->seq, __ATOMIC_RELAXED) != a)
			continue;
		struct sx_header *ch = (struct sx_header *)r->copy;
		ch->seq = a;
		int rc = sx_parse(r->copy, r->map_len, view);
		if (rc == 0) {
			r->have_copy = 1;
			r->copy_seq = a;
			r->copy_ev = ch->ev_head;
			r->view = *view;
		}
		return rc;
	}
	return -EAGAIN;
}
