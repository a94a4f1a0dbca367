/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dpi_stream: a bounded reassembly buffer the engine lends to a flow while a
 * detector needs bytes that span packets (a TLS ClientHello split over TCP
 * segments, QUIC CRYPTO frames split over Initial packets).
 *
 * Each direction has a fixed window (DPI_STREAM_DIR0 bytes client to server,
 * the rest server to client) addressed by offset from the first byte seen.
 * Writes may arrive in any order and overlap; up to DPI_STREAM_RANGES
 * disjoint byte ranges are remembered per direction. Readers see only the
 * contiguous prefix from offset 0.
 *
 * Owner:      the engine's stream pool; lent to one flow at a time.
 * Thread:     the worker's. Allocation: none (the pool is sized at start).
 * Errors:     dpi_stream_write() returns 0, -ENOSPC when bytes fell beyond
 *             the window (the rest was kept), -EBUSY when a segment would
 *             need more than DPI_STREAM_RANGES holes (it was dropped).
 */
#ifndef SEGW_DPI_STREAM_H
#define SEGW_DPI_STREAM_H

#include <stdint.h>

#include "dpi/detector.h"

#define DPI_STREAM_BYTES 16384u
#define DPI_STREAM_DIR0 6144u
#define DPI_STREAM_RANGES 8

struct dpi_stream_range {
	uint16_t start, end; /* [start, end) */
};

struct dpi_stream_dir {
	uint32_t base_seq;   /* TCP: sequence number of offset 0 */
	uint8_t based;       /* base_seq is set */
	uint8_t nranges;
	uint8_t truncated;   /* bytes fell beyond the window */
	uint8_t pad;
	struct dpi_stream_range r[DPI_STREAM_RANGES];
};

struct dpi_stream {
	struct dpi_stream_dir d[2];
	uint8_t buf[DPI_STREAM_BYTES];
};

/* dpi_stream_reset - forget everything (both directions). */
void dpi_stream_reset(struct dpi_stream *s);

/* dpi_stream_cap - the window size of direction @dir. */
uint32_t dpi_stream_cap(unsigned dir);

/* dpi_stream_write - bytes @d[0..len) at offset @off of direction @dir. */
int dpi_stream_write(struct dpi_stream *s, unsigned dir, uint32_t off, const uint8_t *d,
		     uint32_t len);

/*
 * dpi_stream_tcp - a TCP segment of direction @dir: the first one fixes the
 * sequence number of offset 0; bytes before it are ignored. Same returns as
 * dpi_stream_write().
 */
int dpi_stream_tcp(struct dpi_stream *s, unsigned dir, uint32_t seq, const uint8_t *d,
		   uint32_t len);

/* dpi_stream_data - the contiguous bytes from offset 0 of @dir; *len set. */
const uint8_t *dpi_stream_data(const struct dpi_stream *s, unsigned dir, uint32_t *len);

/* dpi_stream_truncated - nonzero once bytes of @dir fell beyond the window. */
int dpi_stream_truncated(const struct dpi_stream *s, unsigned dir);

/*
 * dpi_stream_borrow - the flow's stream, lent from the engine's pool on the
 * first call (and c->stream set); for TCP the current packet is fed into it
 * at once and every later packet of the flow is fed by the engine before
 * the detectors run. NULL when the pool ran dry (counted by the engine).
 * Implemented by the engine (dpi.c).
 */
struct dpi_stream *dpi_stream_borrow(struct dpi_ctx *c, const struct dpi_pkt *p);

#endif
