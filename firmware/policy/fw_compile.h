/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_compile: the L3/L4 part of a policy as a kernel ruleset (hal fw).
 *
 * Each policy rule becomes one or more kernel rules, in the same order:
 * its zones as the zone's ports (input/output interface) or prefixes, its
 * addresses, protocol and port ranges. What the kernel cannot see (the
 * application, names, TLS facts, client identity) is decided by the
 * pipeline:
 *   inline mode: such rules send the flow's packets to the queue
 *                (NFQUEUE); the pipeline's verdict is then kept by the
 *                conntrack mark (mark_allow / mark_deny) so that later
 *                packets never leave the kernel;
 *   tap mode:    such rules accept in the kernel (the L3/L4 envelope of the
 *                rule) and the pipeline writes denied flows into sets.
 * A negated list of more than one prefix cannot be one kernel rule, and a
 * zone is exact in the kernel only when zones are ports alone (the
 * pipeline's zone of an address is its longest prefix first, then its port,
 * then the default zone): such rules are also left to the pipeline (queue /
 * accept as above), the kernel rule being their envelope.
 *
 * Consecutive rules that differ only in their destination host (and
 * destination port, and accept/drop) are folded into one rule with a set
 * lookup, or a verdict map when their verdicts differ (FW_FOLD_MIN or more):
 * first-match order kept (a repeated key keeps its first rule's verdict), one
 * kernel rule instead of thousands.
 *
 * Owner:      the result owns its arrays (fw_compiled_free()).
 * Allocation: compile only. Errors: -ENOMEM, -E2BIG (above FW_MAX_RULES
 *             kernel rules), -EINVAL (a zone port the board lacks, with a
 *             message).
 */
#ifndef SEGW_POLICY_FW_COMPILE_H
#define SEGW_POLICY_FW_COMPILE_H

#include <stddef.h>

#include "policy/policy.h"
#include "segw/hal/board.h"
#include "segw/hal/fw.h"

#define FW_MAX_RULES (1u << 20)
/*
 * Conntrack marks of decided connections carry the policy generation, so a
 * new generation's table honours only its own decisions: connections decided
 * under an older policy come back to the pipeline (established, queued) and
 * are re-evaluated instead of keeping a stale verdict in the kernel.
 */
#define FW_MARK_BASE 0x5e000000u
static inline uint32_t fw_mark_allow(uint32_t gen) { return FW_MARK_BASE | (gen & 0xffffu) << 8 | 1u; }
static inline uint32_t fw_mark_deny(uint32_t gen) { return FW_MARK_BASE | (gen & 0xffffu) << 8 | 2u; }

enum fw_mode { FW_MODE_INLINE = 0, FW_MODE_TAP };

/* Runs of at least this many host rules become one set lookup. */
#define FW_FOLD_MIN 4

struct fw_compiled {
	struct hal_fw_ruleset rs;
	void *items;
	struct hal_fw_prefix *hosts;
	uint16_t *ports;
	uint8_t *verdicts;
	uint32_t l7_rules; /* policy rules left to the pipeline */
	struct hal_fw_admit *admit;
	struct hal_fw_prefix *admit_src;
};

int fw_compile(const struct policy *p, const struct board_desc *board, enum fw_mode mode,
	       uint16_t queue_num, uint32_t generation, struct fw_compiled *out, char *err,
	       size_t errlen);
void fw_compiled_free(struct fw_compiled *c);

#endif
