// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy generations: see generation.h. */
#include "policy/generation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int zones_from_policy(struct zone_map *m, const struct policy *p,
			     const struct board_desc *b, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	memset(m->port_zone, ZONE_NONE, sizeof(m->port_zone));
	if (p->n_zones > ZONE_MAX) {
		snprintf(err, errlen, "too many zones (%u, at most %d)", p->n_zones, ZONE_MAX);
		return -EINVAL;
	}
	for (uint32_t z = 0; z < p->n_zones; z++) {
		const struct policy_zone *pz = &p->zones[z];
		snprintf(m->names[z], sizeof(m->names[z]), "%s", pz->name);
		if (pz->is_default)
			m->default_zone = (uint8_t)z;
		for (uint32_t k = 0; k < pz->n_ports; k++) {
			int found = -1;
			for (unsigned i = 0; i < b->n_ports; i++)
				if (strcmp(b->ports[i].name, pz->ports[k]) == 0)
					found = (int)i;
			if (found < 0 || found >= STATS_MAX_PORTS) {
				snprintf(err, errlen, "zone %s: board %s has no port '%s'", pz->name,
					 b->id, pz->ports[k]);
				return -EINVAL;
			}
			if (m->port_zone[found] != ZONE_NONE) {
				snprintf(err, errlen, "port '%s' is in two zones (%s and %s)",
					 pz->ports[k], m->names[m->port_zone[found]], pz->name);
				return -EINVAL;
			}
			m->port_zone[found] = (uint8_t)z;
		}
		for (uint32_t k = 0; k < pz->n_prefixes; k++) {
			if (m->n_prefixes >= ZONE_PREFIX_MAX) {
				snprintf(err, errlen, "too many zone prefixes (at most %d)",
					 ZONE_PREFIX_MAX);
				return -EINVAL;
			}
			struct zone_prefix *zp = &m->prefixes[m->n_prefixes++];
			memcpy(zp->addr, pz->prefixes[k].addr, 16);
			zp->ipver = pz->prefixes[k].ipver;
			zp->len = pz->prefixes[k].len;
			zp->zone = (uint8_t)z;
		}
	}
	m->n_zones = p->n_zones;
	/* longest prefix first, as zone_of() expects */
	for (unsigned i = 1; i < m->n_prefixes; i++)
		for (unsigned j = i; j > 0 && m->prefixes[j - 1].len < m->prefixes[j].len; j--) {
			struct zone_prefix t = m->prefixes[j];
			m->prefixes[j] = m->prefixes[j - 1];
			m->prefixes[j - 1] = t;
		}
	return 0;
}

void gen_free(struct policy_gen *g)
{
	if (!g)
		return;
	for (unsigned w = 0; w < GEN_MAX_WORKERS; w++)
		free(g->ctr[w]);
	policy_free(g->policy);
	free(g);
}

int gen_build(struct policy_gen **out, struct policy *policy, const struct board_desc *board,
	      unsigned n_workers, uint32_t number, char *err, size_t errlen)
{
	*out = NULL;
	if (n_workers == 0 || n_workers > GEN_MAX_WORKERS) {
		policy_free(policy);
		snprintf(err, errlen, "bad worker count %u", n_workers);
		return -EINVAL;
	}
	struct policy_gen *g = calloc(1, sizeof(*g));
	if (!g) {
		policy_free(policy);
		return -ENOMEM;
	}
	g->number = number;
	g->policy = policy;
	g->n_workers = n_workers;
	int rc;
	if (policy && policy->n_zones)
		rc = zones_from_policy(&g->zones, policy, board, err, errlen);
	else
		rc = zone_map_init(&g->zones, board);
	if (rc) {
		gen_free(g);
		return rc;
	}
	uint32_t rows = (policy ? policy->n_rules : 0) + 1;
	for (unsigned w = 0; w < n_workers; w++) {
		g->ctr[w] = calloc(rows, sizeof(struct rule_ctr));
		if (!g->ctr[w]) {
			gen_free(g);
			return -ENOMEM;
		}
	}
	*out = g;
	return 0;
}

void gen_publish(struct policy_gen_slot *s, struct policy_gen *g)
{
	__atomic_store_n(&s->cur, g, __ATOMIC_RELEASE);
}

int gen_reclaimable(const struct policy_gen_slot *s, unsigned n_workers, uint32_t number)
{
	for (unsigned w = 0; w < n_workers; w++)
		if (__atomic_load_n(&s->seen[w], __ATOMIC_ACQUIRE) < number)
			return 0;
	return 1;
}
