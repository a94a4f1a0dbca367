// SPDX-License-Identifier: GPL-2.0-or-later
/* tls_ratelimit: token buckets per source address in a fixed table. */
#include "tls/tls_ratelimit.h"

#include <string.h>

void tls_rl_init(struct tls_ratelimit *rl, uint32_t rate_per_s, uint32_t burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate_per_s = rate_per_s;
	rl->burst = burst ? burst : (rate_per_s ? rate_per_s : 1);
}

static uint32_t hash16(const uint8_t a[16])
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

int tls_rl_allow(struct tls_ratelimit *rl, const uint8_t addr[16], uint64_t now_ms)
{
	if (!rl->rate_per_s)
		return 1;
	if (now_ms == 0)
		now_ms = 1;
	uint32_t h = hash16(addr);
	struct tls_rl_slot *s = NULL, *victim = NULL;
	for (uint32_t k = 0; k < TLS_RL_PROBE; k++) {
		struct tls_rl_slot *c = &rl->slot[(h + k) % TLS_RL_SLOTS];
		if (c->last_ms && memcmp(c->addr, addr, 16) == 0) {
			s = c;
			break;
		}
		if (!victim || c->last_ms < victim->last_ms)
			victim = c;
	}
	uint64_t cap = (uint64_t)rl->burst * 1000u;
	if (!s) {
		s = victim;
		memcpy(s->addr, addr, 16);
		s->tokens_milli = (uint32_t)cap;
		s->last_ms = now_ms;
	}
	if (now_ms > s->last_ms) {
		uint64_t t = s->tokens_milli + (now_ms - s->last_ms) * rl->rate_per_s;
		s->tokens_milli = (uint32_t)(t > cap ? cap : t);
	}
	s->last_ms = now_ms;
	if (s->tokens_milli < 1000)
		return 0;
	s->tokens_milli -= 1000;
	return 1;
}
