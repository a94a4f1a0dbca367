// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounded reassembly buffers: see stream.h. */
#include "dpi/stream.h"

#include <errno.h>
#include <string.h>

void dpi_stream_reset(struct dpi_stream *s)
{
	memset(s->d, 0, sizeof(s->d));
}

uint32_t dpi_stream_cap(unsigned dir)
{
	return dir ? DPI_STREAM_BYTES - DPI_STREAM_DIR0 : DPI_STREAM_DIR0;
}

static uint8_t *dir_buf(struct dpi_stream *s, unsigned dir)
{
	return dir ? s->buf + DPI_STREAM_DIR0 : s->buf;
}

/* Insert [a, b) into the sorted, disjoint range list, merging neighbours. */
static int add_range(struct dpi_stream_dir *d, uint32_t a, uint32_t b)
{
	struct dpi_stream_range tmp[DPI_STREAM_RANGES + 1];
	unsigned n = 0, i = 0;

	/* ranges entirely before a */
	while (i < d->nranges && d->r[i].end < a)
		tmp[n++] = d->r[i++];
	/* merge every range touching [a, b) */
	while (i < d->nranges && d->r[i].start <= b) {
		if (d->r[i].start < a)
			a = d->r[i].start;
		if (d->r[i].end > b)
			b = d->r[i].end;
		i++;
	}
	tmp[n].start = (uint16_t)a;
	tmp[n].end = (uint16_t)b;
	n++;
	while (i < d->nranges) {
		if (n >= DPI_STREAM_RANGES)
			return -EBUSY;
		tmp[n++] = d->r[i++];
	}
	if (n > DPI_STREAM_RANGES)
		return -EBUSY;
	memcpy(d->r, tmp, n * sizeof(tmp[0]));
	d->nranges = (uint8_t)n;
	return 0;
}

int dpi_stream_write(struct dpi_stream *s, unsigned dir, uint32_t off, const uint8_t *data,
		     uint32_t len)
{
	struct dpi_stream_dir *d;
	uint32_t cap = dpi_stream_cap(dir & 1);
	int ret = 0;

	dir &= 1;
	d = &s->d[dir];
	if (len == 0)
		return 0;
	if (off >= cap) {
		d->truncated = 1;
		return -ENOSPC;
	}
	if (len > cap - off) {
		len = cap - off;
		d->truncated = 1;
		ret = -ENOSPC;
	}
	if (add_range(d, off, off + len) < 0)
		return -EBUSY;
	memcpy(dir_buf(s, dir) + off, data, len);
	return ret;
}

int dpi_stream_tcp(struct dpi_stream *s, unsigned dir, uint32_t seq, const uint8_t *data,
		   uint32_t len)
{
	struct dpi_stream_dir *d = &s->d[dir & 1];
	int32_t rel;

	if (len == 0)
		return 0;
	if (!d->based) {
		d->based = 1;
		d->base_seq = seq;
	}
	rel = (int32_t)(seq - d->base_seq);
	if (rel < 0) {
		/* starts before offset 0: keep only the new tail, if any */
		uint32_t skip = (uint32_t)(-(int64_t)rel);
		if (skip >= len)
			return 0;
		data += skip;
		len -= skip;
		rel = 0;
	}
	return dpi_stream_write(s, dir, (uint32_t)rel, data, len);
}

const uint8_t *dpi_stream_data(const struct dpi_stream *s, unsigned dir, uint32_t *len)
{
	const struct dpi_stream_dir *d = &s->d[dir & 1];

	*len = d->nranges && d->r[0].start == 0 ? d->r[0].end : 0;
	return (dir & 1) ? s->buf + DPI_STREAM_DIR0 : s->buf;
}

int dpi_stream_truncated(const struct dpi_stream *s, unsigned dir)
{
	return s->d[dir & 1].truncated;
}
