// SPDX-License-Identifier: GPL-2.0-or-later
/* pktbuf pool: one arena, a stack of free slots, no heap after create. */
#include "segw/hal/pktbuf.h"

#include <stdlib.h>
#include <string.h>

struct pktbuf_pool {
	uint32_t count;
	uint32_t data_size;
	uint32_t top; /* number of free slots on the stack */
	uint32_t *free_stack;
	struct pktbuf *bufs;
	uint8_t *data;
	uint8_t *meta;
};

struct pktbuf_pool *pktbuf_pool_create(uint32_t count, uint32_t data_size)
{
	if (count == 0 || data_size < 64)
		return NULL;
	struct pktbuf_pool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->count = count;
	p->data_size = data_size;
	p->free_stack = calloc(count, sizeof(*p->free_stack));
	p->bufs = calloc(count, sizeof(*p->bufs));
	p->data = malloc((size_t)count * data_size);
	p->meta = aligned_alloc(64, (size_t)count * PKTBUF_META_SIZE);
	if (!p->free_stack || !p->bufs || !p->data || !p->meta) {
		pktbuf_pool_destroy(p);
		return NULL;
	}
	for (uint32_t i = 0; i < count; i++) {
		p->bufs[i].idx = i;
		p->bufs[i].data = p->data + (size_t)i * data_size;
		p->bufs[i].meta = p->meta + (size_t)i * PKTBUF_META_SIZE;
		p->free_stack[i] = count - 1 - i;
	}
	p->top = count;
	return p;
}

void pktbuf_pool_destroy(struct pktbuf_pool *p)
{
	if (!p)
		return;
	free(p->free_stack);
	free(p->bufs);
	free(p->data);
	free(p->meta);
	free(p);
}

struct pktbuf *pktbuf_alloc(struct pktbuf_pool *p)
{
	if (p->top == 0)
		return NULL;
	struct pktbuf *b = &p->bufs[p->free_stack[--p->top]];
	b->data = p->data + (size_t)b->idx * p->data_size;
	b->len = 0;
	b->wire_len = 0;
	b->flags = 0;
	return b;
}

void pktbuf_free(struct pktbuf_pool *p, struct pktbuf *b)
{
	if (!b)
		return;
	p->free_stack[p->top++] = b->idx;
}

uint32_t pktbuf_pool_data_size(const struct pktbuf_pool *p) { return p->data_size; }
uint32_t pktbuf_pool_count(const struct pktbuf_pool *p) { return p->count; }
uint32_t pktbuf_pool_avail(const struct pktbuf_pool *p) { return p->top; }
