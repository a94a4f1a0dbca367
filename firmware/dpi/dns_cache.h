/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns_cache: a bounded map from addresses seen in DNS answers (A, AAAA) to
 * the name that was asked, so a later flow to that address without a name
 * of its own can be named ("server_name_source":"dns").
 *
 * Owner:      one per dpi engine (one worker). Thread: the worker's.
 * Allocation: dpi_dns_cache_create() once; inserts replace the oldest entry
 *             of a 4-way bucket (counted as an eviction), never allocate.
 */
#ifndef SEGW_DPI_DNS_CACHE_H
#define SEGW_DPI_DNS_CACHE_H

#include <stdint.h>

struct dpi_dns_cache;

/* dpi_dns_cache_create - at least @entries entries (rounded up); NULL on ENOMEM. */
struct dpi_dns_cache *dpi_dns_cache_create(uint32_t entries);
void dpi_dns_cache_destroy(struct dpi_dns_cache *c);

/*
 * dpi_dns_cache_put - remember @name for address @addr (4 bytes for
 * @ipver 4, 16 for 6). Returns 1 when an older entry was evicted, else 0.
 */
int dpi_dns_cache_put(struct dpi_dns_cache *c, uint8_t ipver, const uint8_t *addr,
		      const char *name);

/* dpi_dns_cache_get - the name for @addr, or NULL. The pointer stays valid
 * until the next put. */
const char *dpi_dns_cache_get(const struct dpi_dns_cache *c, uint8_t ipver, const uint8_t *addr);

uint32_t dpi_dns_cache_size(const struct dpi_dns_cache *c);

#endif
