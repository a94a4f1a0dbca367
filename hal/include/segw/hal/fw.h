/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal fw: the kernel packet filter, as a neutral ruleset description.
 *
 * The policy compiler (firmware/policy/fw_compile.c) turns a policy into a
 * struct hal_fw_ruleset: an ordered list of L3/L4 rules with a verdict each,
 * and a default. A driver (drivers/nft: libnftnl) applies it as one atomic
 * transaction into a table of its own, never touching other tables.
 *
 * Owner:      the caller owns the ruleset; apply() copies what it needs.
 * Thread:     control thread.
 * Errors:     apply() -EINVAL (the kernel refused: the message names the
 *             rule), -EPERM, -ENOMEM, -EIO; on any error the previous ruleset
 *             stays in force, whole.
 */
#ifndef SEGW_HAL_FW_H
#define SEGW_HAL_FW_H

#include <stddef.h>
#include <stdint.h>

enum hal_fw_verdict {
	HAL_FW_ACCEPT = 0,
	HAL_FW_DROP,
	HAL_FW_REJECT,
	HAL_FW_QUEUE, /* to the pipeline (NFQUEUE): classification decides */
};

struct hal_fw_prefix {
	uint8_t addr[16];
	uint8_t ipver; /* 4 or 6 */
	uint8_t len;
};

struct hal_fw_port_range {
	uint16_t lo, hi;
};

struct hal_fw_rule {
	uint32_t id;                   /* policy rule id, in the rule's comment */
	const char *iif, *oif;         /* port (interface) names, NULL: any */
	const struct hal_fw_prefix *src, *dst; /* NULL: any */
	uint8_t src_neg, dst_neg;
	int16_t proto;                 /* -1: any */
	const struct hal_fw_port_range *sport, *dport; /* NULL: any */
	uint8_t verdict;               /* enum hal_fw_verdict */
	uint8_t counter;
	/* instead of dst: any of these host addresses (one family), matched
	 * by one set lookup (consecutive host rules folded by the compiler);
	 * with dst_ports, the key is (host, destination port) and dport is
	 * unused; with verdicts, a verdict map: each element its own verdict
	 * (ACCEPT or DROP) and the rule's verdict is unused */
	const struct hal_fw_prefix *dst_hosts;
	const uint16_t *dst_ports;
	const uint8_t *verdicts;
	uint32_t n_dst_hosts;
};

struct hal_fw_ruleset {
	const struct hal_fw_rule *rules;
	uint32_t n_rules;
	uint8_t default_verdict;       /* ACCEPT, DROP or REJECT */
	uint16_t queue_num;
	uint8_t queue_fail_open;       /* queue overload or no listener: accept */
	/* conntrack mark bits the pipeline sets on decided flows: the fast path */
	uint32_t mark_allow, mark_deny;
	/* tap mode: deny sets the pipeline fills through block() */
	uint8_t deny_sets;
	/* admission limits, checked before any rule: a new connection that
	 * arrives on @iif (or, without iif, comes from @src) above @rate_per_s
	 * (burst @burst) is dropped and counted; the rule's comment names @zone */
	const struct hal_fw_admit *admit;
	uint32_t n_admit;
};

struct hal_fw_admit {
	const char *zone;
	const char *iif;
	const struct hal_fw_prefix *src;
	uint32_t rate_per_s, burst;
};

/* A connection to stop in the kernel (tap mode): both directions. */
struct hal_fw_flow {
	uint8_t ipver;
	uint8_t proto;       /* 6 or 17 */
	uint8_t a[16], b[16];
	uint16_t pa, pb;
};

struct hal_fw_caps {
	uint8_t native_queue; /* nft queue expression; else the xt NFQUEUE target */
};

struct hal_fw;

struct hal_fw_ops {
	const char *driver;
	int (*open)(struct hal_fw *fw);
	int (*apply)(struct hal_fw *fw, const struct hal_fw_ruleset *rs, char *err, size_t errlen);
	/*
	 * block: tap mode: add @n connections (both directions) to the deny
	 * sets for @timeout_s seconds; one batch. 0, -EINVAL (kernel refused),
	 * -ENOTSUP (no deny sets in the applied ruleset).
	 */
	int (*block)(struct hal_fw *fw, const struct hal_fw_flow *flows, unsigned n,
		     uint32_t timeout_s, char *err, size_t errlen);
	/* remove: delete our table (and nothing else). */
	int (*remove)(struct hal_fw *fw);
	int (*caps)(struct hal_fw *fw, struct hal_fw_caps *out);
	void (*close)(struct hal_fw *fw);
};

struct hal_fw {
	const char *name;
	const struct hal_fw_ops *ops;
	const void *config;
	void *data;
};

#endif
