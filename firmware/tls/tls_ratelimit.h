/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_ratelimit: per-source handshake rate limit (token bucket per address).
 *
 * A fixed table of TLS_RL_SLOTS buckets; a source not in the table takes a
 * free slot of its probe window or, when all are busy, the least recently
 * seen one (so a storm from many addresses costs no memory, only precision).
 *
 * Owner:      the caller embeds struct tls_ratelimit.
 * Thread:     one thread (the event loop).
 * Allocation: none.
 * Errors:     none: tls_rl_allow answers yes or no.
 */
#ifndef SEGW_TLS_RATELIMIT_H
#define SEGW_TLS_RATELIMIT_H

#include <stdint.h>

#define TLS_RL_SLOTS 4096
#define TLS_RL_PROBE 8

struct tls_rl_slot {
	uint8_t addr[16];
	uint64_t last_ms;      /* 0: free */
	uint32_t tokens_milli; /* tokens x 1000 */
};

struct tls_ratelimit {
	uint32_t rate_per_s; /* 0: unlimited */
	uint32_t burst;
	struct tls_rl_slot slot[TLS_RL_SLOTS];
};

/* tls_rl_init - @rate_per_s new handshakes per second per source, @burst at once. */
void tls_rl_init(struct tls_ratelimit *rl, uint32_t rate_per_s, uint32_t burst);

/* tls_rl_allow - 1 when @addr (16 bytes, IPv4 mapped) may start a handshake at @now_ms. */
int tls_rl_allow(struct tls_ratelimit *rl, const uint8_t addr[16], uint64_t now_ms);

#endif
