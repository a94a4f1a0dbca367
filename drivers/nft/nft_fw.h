/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftables driver of hal fw, through libnftnl and libmnl (no nft binary).
 *
 * apply() builds one netlink batch: make sure our table exists, delete it,
 * create it again with its chain and rules; the kernel commits all of it or
 * none. Only the configured table (family inet) is ever touched.
 * The forward chain: decided flows by conntrack mark first (allow: accept,
 * deny: drop), then the rules in order, then the default verdict.
 * A QUEUE verdict uses the nft queue expression when the kernel has it and
 * the xt NFQUEUE target (what iptables-nft installs) otherwise; which one is
 * probed at open() in a scratch table that is removed again.
 *
 * Thread: control thread. Errors as in segw/hal/fw.h.
 */
#ifndef SEGW_DRIVERS_NFT_FW_H
#define SEGW_DRIVERS_NFT_FW_H

#include "segw/hal/fw.h"

struct nft_fw_cfg {
	const char *table;    /* "segw" */
	int hook_forward;     /* 1: forward hook; 0: input hook (host tests) */
	int priority;
	/* fault injection (tests): put a rule the kernel refuses, tagged with
	 * this rule id, first in every apply (before the good ones). 0: off. */
	uint32_t inject_bad_rule;
};

extern const struct hal_fw_ops nft_fw_ops;

#endif
