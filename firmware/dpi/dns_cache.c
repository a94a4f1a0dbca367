// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounded DNS answer cache: see dns_cache.h. */
#include "dpi/dns_cache.h"

#include <stdlib.h>
#include <string.h>

#define WAYS 4
#define NAME_MAX_LEN 254

struct entry {
	uint8_t addr[16];
	uint8_t ipver;
	uint8_t used;
	uint32_t age;
	char name[NAME_MAX_LEN];
};

struct dpi_dns_cache {
	uint32_t buckets; /* power of two */
	uint32_t clock;
	struct entry e[];
};

struct dpi_dns_cache *dpi_dns_cache_create(uint32_t entries)
{
	uint32_t b = 1;
	while (b * WAYS < entries && b < (1u << 24))
		b <<= 1;
	struct dpi_dns_cache *c = calloc(1, sizeof(*c) + (size_t)b * WAYS * sizeof(struct entry));
	if (c)
		c->buckets = b;
	return c;
}

void dpi_dns_cache_destroy(struct dpi_dns_cache *c) { free(c); }

uint32_t dpi_dns_cache_size(const struct dpi_dns_cache *c) { return c->buckets * WAYS; }

static uint32_t hash(uint8_t ipver, const uint8_t *a)
{
	uint32_t h = 2166136261u ^ ipver;
	unsigned n = ipver == 6 ? 16 : 4;
	for (unsigned i = 0; i < n; i++)
		h = (h ^ a[i]) * 16777619u;
	return h ^ (h >> 15);
}

static int same(const struct entry *e, uint8_t ipver, const uint8_t *a)
{
	return e->used && e->ipver == ipver && !memcmp(e->addr, a, ipver == 6 ? 16 : 4);
}

int dpi_dns_cache_put(struct dpi_dns_cache *c, uint8_t ipver, const uint8_t *addr,
		      const char *name)
{
	struct entry *b = &c->e[(hash(ipver, addr) & (c->buckets - 1)) * WAYS];
	struct entry *victim = &b[0];
	int evicted = 0;

	for (unsigned i = 0; i < WAYS; i++) {
		if (same(&b[i], ipver, addr)) {
			victim = &b[i];
			goto fill;
		}
	}
	for (unsigned i = 0; i < WAYS; i++) {
		if (!b[i].used) {
			victim = &b[i];
			goto fill;
		}
		if ((int32_t)(b[i].age - victim->age) < 0)
			victim = &b[i];
	}
	evicted = 1;
fill:
	memset(victim->addr, 0, sizeof(victim->addr));
	memcpy(victim->addr, addr, ipver == 6 ? 16 : 4);
	victim->ipver = ipver;
	victim->used = 1;
	victim->age = ++c->clock;
	size_t n = strnlen(name, NAME_MAX_LEN - 1);
	memcpy(victim->name, name, n);
	victim->name[n] = 0;
	return evicted;
}

const char *dpi_dns_cache_get(const struct dpi_dns_cache *c, uint8_t ipver, const uint8_t *addr)
{
	const struct entry *b = &c->e[(hash(ipver, addr) & (c->buckets - 1)) * WAYS];
	for (unsigned i = 0; i < WAYS; i++)
		if (same(&b[i], ipver, addr))
			return b[i].name;
	return NULL;
}
