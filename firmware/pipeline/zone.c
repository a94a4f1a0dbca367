// SPDX-License-Identifier: GPL-2.0-or-later
/* Zone map: see zone.h. */
#include "pipeline/zone.h"

#include "core/prefix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zone_parse_prefix(const char *text, struct zone_prefix *out)
{
	int host_bits;
	memset(out, 0, sizeof(*out));
	int rc = prefix_parse(text, strlen(text), out->addr, &out->ipver, &out->len, &host_bits);
	if (rc)
		return rc;
	/* Clear host bits so that matching is a plain compare. */
	unsigned max = out->ipver == 6 ? 128 : 32;
	for (unsigned i = out->len; i < max; i++)
		out->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

int zone_index(const struct zone_map *m, const char *name)
{
	for (unsigned i = 0; i < m->n_zones; i++)
		if (strcmp(m->names[i], name) == 0)
			return (int)i;
	return -ENOENT;
}

static int by_len_desc(const void *a, const void *b)
{
	const struct zone_prefix *x = a, *y = b;
	return (int)y->len - (int)x->len;
}

int zone_map_init(struct zone_map *m, const struct board_desc *b)
{
	memset(m, 0, sizeof(*m));
	memset(m->port_zone, ZONE_NONE, sizeof(m->port_zone));
	if (b->n_zones == 0 || b->n_zones > ZONE_MAX)
		return -ENOSPC;
	for (unsigned i = 0; i < b->n_zones; i++) {
		if (strlen(b->zones[i]) >= sizeof(m->names[0]))
			return -EINVAL;
		snprintf(m->names[i], sizeof(m->names[i]), "%s", b->zones[i]);
	}
	m->n_zones = b->n_zones;
	if (b->n_zone_prefixes > ZONE_PREFIX_MAX)
		return -ENOSPC;
	for (unsigned i = 0; i < b->n_zone_prefixes; i++) {
		struct zone_prefix *zp = &m->prefixes[m->n_prefixes];
		int z = zone_index(m, b->zone_prefixes[i].zone);
		if (z < 0 || zone_parse_prefix(b->zone_prefixes[i].prefix, zp) < 0)
			return -EINVAL;
		zp->zone = (uint8_t)z;
		m->n_prefixes++;
	}
	qsort(m->prefixes, m->n_prefixes, sizeof(m->prefixes[0]), by_len_desc);
	for (unsigned i = 0; i < b->n_ports && i < STATS_MAX_PORTS; i++) {
		if (!b->ports[i].zone)
			continue;
		int z = zone_index(m, b->ports[i].zone);
		if (z < 0)
			return -EINVAL;
		m->port_zone[i] = (uint8_t)z;
	}
	return 0;
}

static int prefix_match(const struct zone_prefix *zp, const uint8_t *addr)
{
	unsigned full = zp->len / 8, rem = zp->len % 8;
	if (memcmp(zp->addr, addr, full) != 0)
		return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff00u >> rem);
		if ((addr[full] & mask) != zp->addr[full])
			return 0;
	}
	return 1;
}

uint8_t zone_of(const struct zone_map *m, uint8_t ipver, const uint8_t *addr, int is_src,
		uint16_t port)
{
	/* Per new flow, not per packet: a linear walk over the (few) board
	 * prefixes, longest first. The policy compiler replaces this with its
	 * LPM trie when zones come from policy. */
	for (unsigned i = 0; i < m->n_prefixes; i++) {
		const struct zone_prefix *zp = &m->prefixes[i];
		if (zp->ipver == ipver && prefix_match(zp, addr))
			return zp->zone;
	}
	if (is_src && port < STATS_MAX_PORTS && m->port_zone[port] != ZONE_NONE)
		return m->port_zone[port];
	return m->default_zone;
}

const char *zone_name(const struct zone_map *m, uint8_t z)
{
	return z < m->n_zones ? m->names[z] : "unknown";
}
