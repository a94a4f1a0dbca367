// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dpi engine: the seam only. Detectors arrive with the application
 * classification work; until then every flow is decided "not classified"
 * after its first packet and the report carries no application fields.
 */
#include "dpi/dpi.h"

#include <stdlib.h>

struct dpi_engine {
	uint32_t slots;
};

struct dpi_engine *dpi_engine_create(uint32_t flow_slots)
{
	struct dpi_engine *e = calloc(1, sizeof(*e));
	if (e)
		e->slots = flow_slots;
	return e;
}

void dpi_engine_destroy(struct dpi_engine *e) { free(e); }

void dpi_flow_packet(struct dpi_engine *e, struct flow *f, const struct pkt *p,
		     struct stats_block *st)
{
	(void)e;
	(void)p;
	(void)st;
	f->dpi_done = 1;
}

void dpi_flow_end(struct dpi_engine *e, struct flow *f)
{
	(void)e;
	(void)f;
}

size_t dpi_flow_json(const struct dpi_engine *e, const struct flow *f, char *buf, size_t len)
{
	(void)e;
	(void)f;
	(void)buf;
	(void)len;
	return 0;
}
