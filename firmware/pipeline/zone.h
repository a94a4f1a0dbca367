/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zone: which zone an address (or a port) belongs to.
 *
 * Owner:      built by the control thread from the board (later, the
 *             policy), then read-only: workers share it without locks.
 * Rule:       the longest matching prefix decides; an address no prefix
 *             covers takes the zone of the port its packet arrived on when
 *             it is the packet's source, else the default zone (the board's
 *             first zone, or the policy's zone marked `default`).
 * Allocation: zone_map_init() only; lookups never allocate.
 * Errors:     -EINVAL bad prefix text or unknown zone name, -ENOSPC too
 *             many zones/prefixes.
 */
#ifndef SEGW_PIPELINE_ZONE_H
#define SEGW_PIPELINE_ZONE_H

#include <stdint.h>

#include "segw/hal/board.h"
#include "stats/counters.h"

#define ZONE_MAX STATS_MAX_ZONES
#define ZONE_PREFIX_MAX 256
#define ZONE_NONE 0xff

struct zone_prefix {
	uint8_t addr[16];
	uint8_t ipver;
	uint8_t len;
	uint8_t zone;
};

struct zone_map {
	char names[ZONE_MAX][32];
	unsigned n_zones;
	struct zone_prefix prefixes[ZONE_PREFIX_MAX]; /* longest first */
	unsigned n_prefixes;
	uint8_t port_zone[STATS_MAX_PORTS]; /* ZONE_NONE for a tap/mirror */
	uint8_t default_zone;               /* where unclaimed addresses belong */
};

/* zone_map_init - from the board's zones, prefixes and ports. */
int zone_map_init(struct zone_map *m, const struct board_desc *b);
/* zone_parse_prefix - "10.0.0.0/8" or "fd00::/8" into @out. */
int zone_parse_prefix(const char *text, struct zone_prefix *out);
int zone_index(const struct zone_map *m, const char *name);
uint8_t zone_of(const struct zone_map *m, uint8_t ipver, const uint8_t *addr, int is_src,
		uint16_t port);
const char *zone_name(const struct zone_map *m, uint8_t z);

#endif
