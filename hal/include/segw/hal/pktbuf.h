/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pktbuf: fixed-size packet buffers from a pool sized once at start.
 *
 * Owner:      the pool is created by the firmware from the board's sizes and
 *             handed to each port; a buffer has exactly one owner at a time
 *             (the port that filled it, then the pipeline, then the pool).
 * Thread:     a pool is single-threaded: one thread allocates and frees.
 *             Buffers that cross threads come back through a ring
 *             (see core/ring.h) and are freed by the owning thread.
 * Allocation: pktbuf_pool_create() allocates once; alloc/free never touch
 *             the heap. An empty pool returns NULL: the caller counts it.
 * Errors:     negative errno values.
 */
#ifndef SEGW_HAL_PKTBUF_H
#define SEGW_HAL_PKTBUF_H

#include <stddef.h>
#include <stdint.h>

/* Link types a port can deliver; decode dispatches on these. */
enum hal_link {
	HAL_LINK_ETHERNET = 0,
	HAL_LINK_SLL,      /* Linux cooked v1 */
	HAL_LINK_SLL2,     /* Linux cooked v2 */
	HAL_LINK_RAW,      /* raw IP, version from the first nibble */
	HAL_LINK_IPV4,
	HAL_LINK_IPV6,
	HAL_LINK_NULL,     /* BSD loopback, host byte order family */
	HAL_LINK_LOOP,     /* OpenBSD loopback, network byte order family */
	HAL_LINK_PPP,
	HAL_LINK_CHDLC,    /* Cisco HDLC */
	HAL_LINK_PPI,      /* Per-Packet Information header, then its DLT */
	HAL_LINK_RADIOTAP, /* 802.11 radio: not decoded, counted */
	HAL_LINK_UNSUPPORTED,
	HAL_LINK__COUNT
};

struct pktbuf {
	uint8_t *data;      /* start of the frame inside this buffer */
	uint32_t len;       /* captured bytes at data */
	uint32_t wire_len;  /* length on the wire (>= len) */
	uint64_t ts_ns;     /* capture time, ns since the epoch */
	uint16_t port;      /* ingress port index on the board */
	uint8_t link;       /* enum hal_link */
	uint8_t flags;
	uint32_t idx;       /* slot in the pool; owned by the pool */
	uint32_t cookie;    /* the driver's tag (e.g. the queue's packet id) */
	void *meta;         /* PKTBUF_META_SIZE bytes for the pipeline */
};

#define PKTBUF_META_SIZE 256u

struct pktbuf_pool;

/*
 * pktbuf_pool_create - allocate @count buffers of @data_size bytes each.
 * Returns the pool, or NULL on out-of-memory / bad sizes (@count 0, or a
 * @data_size below 64).
 */
struct pktbuf_pool *pktbuf_pool_create(uint32_t count, uint32_t data_size);
void pktbuf_pool_destroy(struct pktbuf_pool *pool);

/* pktbuf_alloc - a free buffer, or NULL when the pool is empty. */
struct pktbuf *pktbuf_alloc(struct pktbuf_pool *pool);
/* pktbuf_free - return @b (may be NULL) to its pool. */
void pktbuf_free(struct pktbuf_pool *pool, struct pktbuf *b);

uint32_t pktbuf_pool_data_size(const struct pktbuf_pool *pool);
uint32_t pktbuf_pool_count(const struct pktbuf_pool *pool);
uint32_t pktbuf_pool_avail(const struct pktbuf_pool *pool);

#endif
