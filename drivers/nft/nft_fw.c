// SPDX-License-Identifier: GPL-2.0-or-later
/* nftables through libnftnl: see nft_fw.h. */
#define _GNU_SOURCE
#include "nft_fw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAIN "forward"

struct nft_data {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	int native_queue;
	int deny_sets; /* the applied ruleset has deny4/deny6 */
};

/* Tap mode's deny sets: (saddr . daddr . l4proto . sport . dport), each field
 * in its own 32-bit register, so addresses are 4/16 bytes and the others 4. */
#define DENY4_KEYLEN (4 + 4 + 4 + 4 + 4)
#define DENY6_KEYLEN (16 + 16 + 4 + 4 + 4)

/* A growing batch buffer: 100k rules need tens of MB. */
struct batch {
	char *buf;
	size_t len, cap;
	uint32_t first_seq, next_seq;
	uint32_t *rule_of_seq; /* policy rule id of each message, for messages */
	size_t last_off;       /* the last real message: the only one acked */
	size_t n_seq, cap_seq;
	int oom;
};

static struct nlmsghdr *b_next(struct batch *b)
{
	size_t need = b->len + 8192;
	if (need > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 1 << 20;
		while (c < need)
			c *= 2;
		char *n = realloc(b->buf, c);
		if (!n) {
			b->oom = 1;
			return NULL;
		}
		b->buf = n;
		b->cap = c;
	}
	memset(b->buf + b->len, 0, 8192);
	return (struct nlmsghdr *)(b->buf + b->len);
}

static void b_done(struct batch *b, struct nlmsghdr *nlh, uint32_t rule_id)
{
	b->last_off = b->len;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	if (b->n_seq == b->cap_seq) {
		size_t c = b->cap_seq ? b->cap_seq * 2 : 1024;
		uint32_t *n = realloc(b->rule_of_seq, c * sizeof(*n));
		if (!n) {
			b->oom = 1;
			return;
		}
		b->rule_of_seq = n;
		b->cap_seq = c;
	}
	b->rule_of_seq[b->n_seq++] = rule_id;
	b->next_seq++;
}

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e) { nftnl_rule_add_expr(r, e); }

static void e_meta_reg(struct nftnl_rule *r, uint32_t key, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, reg);
	add_expr(r, e);
}

static void e_meta(struct nftnl_rule *r, uint32_t key) { e_meta_reg(r, key, NFT_REG_1); }

static void e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add_expr(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	add_expr(r, e);
}

static void load(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
	add_expr(r, e);
}

static void e_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	uint8_t zero[16] = { 0 };
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	add_expr(r, e);
}

static void e_range(struct nftnl_rule *r, uint16_t lo, uint16_t hi)
{
	uint16_t a = htons(lo), b = htons(hi);
	if (lo == hi) {
		e_cmp(r, NFT_CMP_EQ, &a, 2);
		return;
	}
	struct nftnl_expr *e = nftnl_expr_alloc("range");
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &a, 2);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &b, 2);
	add_expr(r, e);
}

static void e_verdict(struct nftnl_rule *r, int v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	add_expr(r, e);
}

static void e_reject(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("reject");
	nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
	nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	add_expr(r, e);
}

static void e_counter(struct nftnl_rule *r) { add_expr(r, nftnl_expr_alloc("counter")); }

static void e_queue(struct nftnl_rule *r, int native, uint16_t num, int fail_open)
{
	if (native) {
		struct nftnl_expr *e = nftnl_expr_alloc("queue");
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, fail_open ? NFT_QUEUE_FLAG_BYPASS : 0);
		add_expr(r, e);
		return;
	}
	/* xt NFQUEUE target, revision 3: {queuenum, queues_total, flags}, 8-byte aligned */
	uint16_t info[4] = { num, 1, (uint16_t)(fail_open ? 0x01 : 0), 0 };
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	void *copy = malloc(sizeof(info)); /* libnftnl takes ownership of TG_INFO */
	memcpy(copy, info, sizeof(info));
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, copy, sizeof(info));
	add_expr(r, e);
}

static void e_ct_mark(struct nftnl_rule *r, uint32_t mark)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add_expr(r, e);
	e_cmp(r, NFT_CMP_EQ, &mark, 4);
}

static void e_meta_mark(struct nftnl_rule *r, uint32_t mark)
{
	e_meta(r, NFT_META_MARK);
	e_cmp(r, NFT_CMP_EQ, &mark, 4); /* exact: marks carry the generation */
}

static void e_ct_mark_set(struct nftnl_rule *r, uint32_t mark)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &mark, 4);
	add_expr(r, e);
	e = nftnl_expr_alloc("ct");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	add_expr(r, e);
}

static void e_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char buf[IFNAMSIZ] = { 0 };
	snprintf(buf, sizeof(buf), "%s", name);
	e_meta(r, key);
	e_cmp(r, NFT_CMP_EQ, buf, IFNAMSIZ);
}

static void e_addr(struct nftnl_rule *r, const struct hal_fw_prefix *p, int is_src, int neg)
{
	uint32_t alen = p->ipver == 6 ? 16 : 4;
	uint32_t off = p->ipver == 6 ? (is_src ? 8 : 24) : (is_src ? 12 : 16);
	uint8_t mask[16] = { 0 }, net[16] = { 0 };
	for (unsigned b = 0; b < p->len; b++)
		mask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	for (unsigned i = 0; i < alen; i++)
		net[i] = p->addr[i] & mask[i];
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, alen);
	if (p->len < alen * 8)
		e_bitwise(r, mask, alen);
	e_cmp(r, neg ? NFT_CMP_NEQ : NFT_CMP_EQ, net, alen);
}

/* userdata: nft shows it as the rule's comment (TLV type 0) */
static void e_comment(struct nftnl_rule *r, const char *comment)
{
	uint8_t ud[64];
	size_t n = strnlen(comment, sizeof(ud) - 3);
	ud[0] = 0;
	ud[1] = (uint8_t)(n + 1);
	memcpy(ud + 2, comment, n);
	ud[2 + n] = 0;
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, ud, (uint32_t)n + 3);
}

static struct nftnl_rule *new_rule_in(const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static struct nftnl_rule *new_rule(const char *table) { return new_rule_in(table, CHAIN); }

static void put_rule(struct batch *b, struct nftnl_rule *r, uint32_t id)
{
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nlh = nftnl_rule_nlmsg_build_hdr((char *)nlh, NFT_MSG_NEWRULE, NFPROTO_INET,
						 NLM_F_APPEND | NLM_F_CREATE, b->next_seq);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		b_done(b, nlh, id);
	}
	nftnl_rule_free(r);
}

/* elements per netlink message: a message's element list is one netlink
 * attribute, whose length is 16 bits (64 KiB): stay well below */
#define SET_CHUNK 512

/*
 * A named hash set (or verdict map) of host addresses, or of (host, port),
 * created in this transaction. Verdict map elements say accept or drop; in
 * inline mode accept jumps to ALLOW_CHAIN, which marks the connection.
 */
#define ALLOW_CHAIN "segw-allow"

/* A set object of our table, by name (and, for one created in this batch, id). */
static struct nftnl_set *set_new(const char *table, const char *name, uint32_t set_id)
{
	struct nftnl_set *st = nftnl_set_alloc();
	nftnl_set_set_str(st, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(st, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(st, NFTNL_SET_FAMILY, NFPROTO_INET);
	if (set_id)
		nftnl_set_set_u32(st, NFTNL_SET_ID, set_id);
	return st;
}

/* A NEWSET (or, with @elems, NEWSETELEM) message of @st into the batch; frees
 * @st. The message must fit the batch's 8 KiB per message. */
static void put_set_obj(struct batch *b, struct nftnl_set *st, int elems)
{
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nlh = nftnl_nlmsg_build_hdr((char *)nlh, elems ? NFT_MSG_NEWSETELEM : NFT_MSG_NEWSET,
					    NFPROTO_INET, NLM_F_CREATE, b->next_seq);
		if (elems)
			nftnl_set_elems_nlmsg_build_payload(nlh, st);
		else
			nftnl_set_nlmsg_build_payload(nlh, st);
		b_done(b, nlh, 0);
	}
	nftnl_set_free(st);
}

static void put_host_set(struct batch *b, const char *table, const char *name, uint32_t set_id,
			 const struct hal_fw_rule *x, int inline_mode)
{
	const struct hal_fw_prefix *hosts = x->dst_hosts;
	uint32_t n = x->n_dst_hosts;
	uint32_t alen = hosts[0].ipver == 6 ? 16 : 4;
	uint32_t klen = alen + (x->dst_ports ? 4 : 0);
	struct nftnl_set *s = set_new(table, name, set_id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, klen);
	uint32_t at = alen == 16 ? 8 : 7; /* ipv6_addr / ipv4_addr (. inet_service) */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, x->dst_ports ? (at << 6) | 13u : at);
	uint32_t flags = NFT_SET_CONSTANT;
	if (x->verdicts) {
		flags |= NFT_SET_MAP;
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 16);
	}
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	put_set_obj(b, s, 0);
	for (uint32_t i = 0; i < n; i += SET_CHUNK) {
		struct nftnl_set *c = set_new(table, name, set_id);
		for (uint32_t k = i; k < n && k < i + SET_CHUNK; k++) {
			uint8_t key[20] = { 0 };
			memcpy(key, hosts[k].addr, alen);
			if (x->dst_ports) {
				key[alen] = (uint8_t)(x->dst_ports[k] >> 8);
				key[alen + 1] = (uint8_t)x->dst_ports[k];
			}
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, klen);
			if (x->verdicts) {
				if (x->verdicts[k] == HAL_FW_ACCEPT && inline_mode) {
					nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
					nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, ALLOW_CHAIN);
				} else {
					nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT,
							       x->verdicts[k] == HAL_FW_ACCEPT ? NF_ACCEPT
											 : NF_DROP);
				}
			}
			nftnl_set_elem_add(c, e);
		}
		size_t need = (size_t)(SET_CHUNK + 8) * 96 + 4096;
		if (b->len + need > b->cap) {
			size_t cap = b->cap ? b->cap : 1 << 20;
			while (b->len + need > cap)
				cap *= 2;
			char *nb = realloc(b->buf, cap);
			if (!nb) {
				b->oom = 1;
				nftnl_set_free(c);
				return;
			}
			b->buf = nb;
			b->cap = cap;
		}
		struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + b->len);
		memset(nlh, 0, need);
		nlh = nftnl_nlmsg_build_hdr((char *)nlh, NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE,
					    b->next_seq);
		nftnl_set_elems_nlmsg_build_payload(nlh, c);
		b_done(b, nlh, 0);
		nftnl_set_free(c);
	}
}

/* The set (or verdict map) of rule @index, created once, before any rule. */
static void put_rule_set(struct batch *b, const char *table, const struct hal_fw_rule *x,
			 const struct hal_fw_ruleset *rs, uint32_t index)
{
	char set_name[32];
	snprintf(set_name, sizeof(set_name), "hosts%u", index);
	put_host_set(b, table, set_name, index + 1, x, rs->mark_allow != 0);
}

/*
 * Rule @index into @chain. In a zone pair's chain (@in_pair) the dispatch
 * has matched the interfaces already: they are not matched again.
 */
static void build_rule(struct batch *b, const char *table, const char *chain,
		       const struct hal_fw_rule *x, const struct hal_fw_ruleset *rs,
		       int native_queue, uint32_t index, int in_pair)
{
	char set_name[32];
	uint32_t set_id = index + 1;
	snprintf(set_name, sizeof(set_name), "hosts%u", index);
	struct nftnl_rule *r = new_rule_in(table, chain);
	if (x->iif && !in_pair)
		e_ifname(r, NFT_META_IIFNAME, x->iif);
	if (x->oif && !in_pair)
		e_ifname(r, NFT_META_OIFNAME, x->oif);
	uint8_t ver = x->src ? x->src->ipver : x->dst ? x->dst->ipver :
		      x->n_dst_hosts ? x->dst_hosts[0].ipver : 0;
	if (ver) {
		uint8_t fam = ver == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		e_meta(r, NFT_META_NFPROTO);
		e_cmp(r, NFT_CMP_EQ, &fam, 1);
	}
	if (x->src)
		e_addr(r, x->src, 1, x->src_neg);
	if (x->dst)
		e_addr(r, x->dst, 0, x->dst_neg);
	if (x->n_dst_hosts) {
		uint8_t v6 = x->dst_hosts[0].ipver == 6;
		uint32_t alen = v6 ? 16 : 4;
		uint32_t sreg = x->dst_ports ? NFT_REG32_00 : NFT_REG_1;
		load(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, alen, sreg);
		if (x->dst_ports) /* the port in the register after the address */
			load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_00 + alen / 4);
		struct nftnl_expr *e = nftnl_expr_alloc("lookup");
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set_name);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
		if (x->verdicts) /* a verdict map: the element decides */
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
		add_expr(r, e);
		if (x->verdicts) {
			char comment2[40];
			snprintf(comment2, sizeof(comment2), "segw rules from %u (map)", x->id);
			e_comment(r, comment2);
			put_rule(b, r, x->id);
			return;
		}
	}
	if (x->proto >= 0) {
		uint8_t pr = (uint8_t)x->proto;
		e_meta(r, NFT_META_L4PROTO);
		e_cmp(r, NFT_CMP_EQ, &pr, 1);
	}
	if (x->sport) {
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2);
		e_range(r, x->sport->lo, x->sport->hi);
	}
	if (x->dport) {
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		e_range(r, x->dport->lo, x->dport->hi);
	}
	if (x->counter)
		e_counter(r);
	switch (x->verdict) {
	case HAL_FW_ACCEPT:
		if (rs->mark_allow) /* decided in the kernel: replies need no queue */
			e_ct_mark_set(r, rs->mark_allow);
		e_verdict(r, NF_ACCEPT);
		break;
	case HAL_FW_DROP: e_verdict(r, NF_DROP); break;
	case HAL_FW_REJECT: e_reject(r); break;
	case HAL_FW_QUEUE: e_queue(r, native_queue, rs->queue_num, rs->queue_fail_open); break;
	}
	char comment[32];
	snprintf(comment, sizeof(comment), "segw rule %u", x->id);
	e_comment(r, comment);
	put_rule(b, r, x->id);
}

/*
 * A zone's admission limit: `[iifname X | saddr P] limit rate over N/second
 * burst B packets counter drop`, commented "segw admit ZONE". It stands after
 * the rules for known connections, so only new ones meet it.
 */
static void build_admit(struct batch *b, const char *table, const struct hal_fw_admit *a)
{
	struct nftnl_rule *r = new_rule(table);
	if (a->iif) {
		e_ifname(r, NFT_META_IIFNAME, a->iif);
	} else if (a->src) {
		uint8_t fam = a->src->ipver == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		e_meta(r, NFT_META_NFPROTO);
		e_cmp(r, NFT_CMP_EQ, &fam, 1);
		e_addr(r, a->src, 1, 0);
	}
	struct nftnl_expr *e = nftnl_expr_alloc("limit");
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, a->rate_per_s);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1); /* per second */
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, a->burst);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV); /* "over" */
	add_expr(r, e);
	e_counter(r);
	e_verdict(r, NF_DROP);
	char comment[48];
	snprintf(comment, sizeof(comment), "segw admit %s", a->zone ? a->zone : "?");
	e_comment(r, comment);
	put_rule(b, r, 0);
}

/*
 * Chains per zone pair. Every (input, output) port pair that some rule names
 * gets a chain of its own, holding, in the policy's order, every rule that
 * can match traffic between those two ports (the pair's rules and the rules
 * of "any" zone), then the default verdict. One verdict-map lookup on
 * (iifname . oifname) in the main chain jumps there, so a packet meets only
 * its pair's rules; traffic between ports no rule pairs falls through to the
 * main chain's remaining rules.
 */
#define MAX_PAIRS 256
#define PAIR_MAP "zonepairs"
#define PAIR_MAP_ID 200000u

struct zone_pairs {
	unsigned n;
	const char *iif[MAX_PAIRS], *oif[MAX_PAIRS];
};

static void zone_pairs_find(struct zone_pairs *zp, const struct hal_fw_ruleset *rs)
{
	zp->n = 0;
	for (uint32_t i = 0; i < rs->n_rules; i++) {
		const struct hal_fw_rule *x = &rs->rules[i];
		if (!x->iif || !x->oif)
			continue;
		unsigned k = 0;
		while (k < zp->n && (strcmp(zp->iif[k], x->iif) || strcmp(zp->oif[k], x->oif)))
			k++;
		if (k < zp->n)
			continue;
		if (zp->n == MAX_PAIRS) { /* too many: one chain for all, as without zones */
			zp->n = 0;
			return;
		}
		zp->iif[zp->n] = x->iif;
		zp->oif[zp->n++] = x->oif;
	}
}

static void pair_chain_name(char *buf, size_t n, const char *iif, const char *oif)
{
	snprintf(buf, n, "zp-%s-%s", iif, oif);
}

static struct nftnl_chain *chain_new(const char *table, const char *name)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	return c;
}

/* A NEWCHAIN message of @c into the batch; frees @c. */
static void put_chain_obj(struct batch *b, struct nftnl_chain *c)
{
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nlh = nftnl_chain_nlmsg_build_hdr((char *)nlh, NFT_MSG_NEWCHAIN, NFPROTO_INET,
						  NLM_F_CREATE, b->next_seq);
		nftnl_chain_nlmsg_build_payload(nlh, c);
		b_done(b, nlh, 0);
	}
	nftnl_chain_free(c);
}

static void put_plain_chain(struct batch *b, const char *table, const char *name)
{
	put_chain_obj(b, chain_new(table, name));
}

static void put_zone_pairs(struct batch *b, const char *table, const struct hal_fw_ruleset *rs,
			   const struct zone_pairs *zp, int native_queue)
{
	char name[2 * IFNAMSIZ + 8];
	for (unsigned k = 0; k < zp->n; k++) {
		pair_chain_name(name, sizeof(name), zp->iif[k], zp->oif[k]);
		put_plain_chain(b, table, name);
		for (uint32_t i = 0; i < rs->n_rules; i++) {
			const struct hal_fw_rule *x = &rs->rules[i];
			if ((x->iif && strcmp(x->iif, zp->iif[k])) || (x->oif && strcmp(x->oif, zp->oif[k])))
				continue;
			build_rule(b, table, name, x, rs, native_queue, i, 1);
		}
		/* nothing matched: the default, here (no fall-through) */
		struct nftnl_rule *r = new_rule_in(table, name);
		if (rs->default_verdict == HAL_FW_REJECT)
			e_reject(r);
		else
			e_verdict(r, rs->default_verdict == HAL_FW_ACCEPT ? NF_ACCEPT : NF_DROP);
		e_comment(r, "segw default");
		put_rule(b, r, 0);
	}
	/* the dispatch map: iifname . oifname -> jump the pair's chain */
	struct nftnl_set *s = set_new(table, PAIR_MAP, PAIR_MAP_ID);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 2 * IFNAMSIZ);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, (41u << 6) | 41u); /* ifname . ifname */
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_CONSTANT | NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 16);
	put_set_obj(b, s, 0);
	/* elements, 32 to a message (each well under 200 bytes: within the
	 * batch's 8 KiB per message) */
	for (unsigned k0 = 0; k0 < zp->n; k0 += 32) {
		struct nftnl_set *c = set_new(table, PAIR_MAP, PAIR_MAP_ID);
		for (unsigned k = k0; k < zp->n && k < k0 + 32; k++) {
			uint8_t key[2 * IFNAMSIZ] = { 0 };
			snprintf((char *)key, IFNAMSIZ, "%s", zp->iif[k]);
			snprintf((char *)key + IFNAMSIZ, IFNAMSIZ, "%s", zp->oif[k]);
			pair_chain_name(name, sizeof(name), zp->iif[k], zp->oif[k]);
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key));
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, name);
			nftnl_set_elem_add(c, e);
		}
		put_set_obj(b, c, 1);
	}
	struct nftnl_rule *r = new_rule(table);
	e_meta_reg(r, NFT_META_IIFNAME, NFT_REG32_00);
	e_meta_reg(r, NFT_META_OIFNAME, NFT_REG32_00 + IFNAMSIZ / 4);
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, PAIR_MAP);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, PAIR_MAP_ID);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	add_expr(r, e);
	e_comment(r, "segw zone pairs");
	put_rule(b, r, 0);
}

static void put_table(struct batch *b, const char *table, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nlh = nftnl_table_nlmsg_build_hdr((char *)nlh, type, NFPROTO_INET, flags,
						  b->next_seq);
		nftnl_table_nlmsg_build_payload(nlh, t);
		b_done(b, nlh, 0);
	}
	nftnl_table_free(t);
}

static void put_chain(struct batch *b, const char *table, const struct nft_fw_cfg *cfg,
		      uint32_t policy)
{
	struct nftnl_chain *c = chain_new(table, CHAIN);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, cfg->hook_forward ? NF_INET_FORWARD : NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, cfg->priority);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
	put_chain_obj(b, c);
}

static void batch_begin(struct batch *b, uint32_t seq)
{
	b->first_seq = b->next_seq = seq;
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nftnl_batch_begin((char *)nlh, b->next_seq);
		b->len += NLMSG_ALIGN(nlh->nlmsg_len);
		b->next_seq++;
		b->first_seq = b->next_seq;
	}
}

static void batch_end(struct batch *b)
{
	struct nlmsghdr *nlh = b_next(b);
	if (nlh) {
		nftnl_batch_end((char *)nlh, b->next_seq++);
		b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
}

/*
 * Send the batch. Only its last message asks for an acknowledgement; the
 * kernel reports an error for any message that fails (and then aborts the
 * whole transaction), so reading until the last message is answered tells
 * all, with one reply instead of one per rule.
 */
static int send_batch(struct nft_data *d, struct batch *b, char *err, size_t errlen)
{
	if (b->oom)
		return -ENOMEM;
	if (b->n_seq == 0)
		return 0;
	struct nlmsghdr *last = (struct nlmsghdr *)(b->buf + b->last_off);
	last->nlmsg_flags |= NLM_F_ACK;
	uint32_t last_seq = last->nlmsg_seq;
	int sz = (int)(b->len * 2 + (1 << 20));
	setsockopt(mnl_socket_get_fd(d->nl), SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	sz = 4 << 20;
	setsockopt(mnl_socket_get_fd(d->nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (mnl_socket_sendto(d->nl, b->buf, b->len) < 0) {
		int e = errno;
		snprintf(err, errlen, "netlink send of %zu bytes: %s", b->len, strerror(e));
		return e == EPERM ? -EPERM : -EIO;
	}
	int first_err = 0, done = 0, rerr = 0;
	uint32_t bad_rule = 0;
	static char rbuf[1 << 16];
	while (!done) {
		struct pollfd pfd = { .fd = mnl_socket_get_fd(d->nl), .events = POLLIN };
		if (poll(&pfd, 1, 30000) <= 0)
			break;
		ssize_t n = mnl_socket_recvfrom(d->nl, rbuf, sizeof(rbuf));
		if (n <= 0) {
			rerr = n < 0 ? errno : 0;
			break;
		}
		int left = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *ne = mnl_nlmsg_get_payload(h);
			if (ne->error && !first_err) {
				first_err = ne->error;
				uint32_t idx = h->nlmsg_seq - b->first_seq;
				if (idx < b->n_seq)
					bad_rule = b->rule_of_seq[idx];
			}
			if (h->nlmsg_seq == last_seq)
				done = 1;
		}
	}
	if (first_err) {
		if (bad_rule)
			snprintf(err, errlen, "kernel refused rule %u: %s", bad_rule, strerror(-first_err));
		else
			snprintf(err, errlen, "kernel refused the ruleset: %s", strerror(-first_err));
		return first_err == -EPERM ? -EPERM : -EINVAL;
	}
	if (!done) {
		snprintf(err, errlen, "no answer from the kernel%s%s", rerr ? ": " : "",
			 rerr ? strerror(rerr) : "");
		return -EIO;
	}
	return 0;
}

static void batch_free(struct batch *b)
{
	free(b->buf);
	free(b->rule_of_seq);
}

static int nft_apply(struct hal_fw *fw, const struct hal_fw_ruleset *rs, char *err, size_t errlen)
{
	const struct nft_fw_cfg *cfg = fw->config;
	struct nft_data *d = fw->data;
	struct batch b = { 0 };
	batch_begin(&b, d->seq);
	/* create-if-missing, delete, create: atomic replace of our table only */
	put_table(&b, cfg->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_table(&b, cfg->table, NFT_MSG_DELTABLE, 0);
	put_table(&b, cfg->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_chain(&b, cfg->table, cfg, rs->default_verdict == HAL_FW_ACCEPT ? NF_ACCEPT : NF_DROP);
	if (rs->mark_allow) { /* verdict maps jump here to accept and mark */
		put_plain_chain(&b, cfg->table, ALLOW_CHAIN);
		struct nftnl_rule *r = new_rule_in(cfg->table, ALLOW_CHAIN);
		e_ct_mark_set(r, rs->mark_allow);
		e_verdict(r, NF_ACCEPT);
		put_rule(&b, r, 0);
	}
	if (cfg->inject_bad_rule) { /* a jump to a chain that does not exist */
		struct nftnl_rule *r = new_rule(cfg->table);
		struct nftnl_expr *e = nftnl_expr_alloc("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, "segw-no-such-chain");
		add_expr(r, e);
		put_rule(&b, r, cfg->inject_bad_rule);
	}
	/* The pipeline's decision comes back as a packet mark (queue verdict
	 * NF_REPEAT): keep it on the connection, then act on it. */
	if (rs->mark_allow) {
		struct nftnl_rule *r = new_rule(cfg->table);
		e_meta_mark(r, rs->mark_allow);
		e_ct_mark_set(r, rs->mark_allow);
		e_counter(r);
		e_verdict(r, NF_ACCEPT);
		put_rule(&b, r, 0);
	}
	if (rs->mark_deny) {
		struct nftnl_rule *r = new_rule(cfg->table);
		e_meta_mark(r, rs->mark_deny);
		e_ct_mark_set(r, rs->mark_deny);
		e_counter(r);
		e_verdict(r, NF_DROP);
		put_rule(&b, r, 0);
	}
	if (rs->mark_allow) {
		struct nftnl_rule *r = new_rule(cfg->table);
		e_ct_mark(r, rs->mark_allow);
		e_verdict(r, NF_ACCEPT);
		put_rule(&b, r, 0);
	}
	if (rs->mark_deny) {
		struct nftnl_rule *r = new_rule(cfg->table);
		e_ct_mark(r, rs->mark_deny);
		e_verdict(r, NF_DROP);
		put_rule(&b, r, 0);
	}
	if (rs->deny_sets) {
		for (int v6 = 0; v6 <= 1; v6++) {
			struct nftnl_set *st = set_new(cfg->table, v6 ? "deny6" : "deny4",
						       100000u + (uint32_t)v6);
			nftnl_set_set_u32(st, NFTNL_SET_KEY_LEN, v6 ? DENY6_KEYLEN : DENY4_KEYLEN);
			/* concatenated type: addr . addr . inet_proto(12) . inet_service(13) x2 */
			uint32_t at = v6 ? 8 : 7;
			nftnl_set_set_u32(st, NFTNL_SET_KEY_TYPE,
					  (at << 24) | (at << 18) | (12u << 12) | (13u << 6) | 13u);
			nftnl_set_set_u32(st, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT);
			nftnl_set_set_u64(st, NFTNL_SET_TIMEOUT, 3600ull * 1000ull);
			put_set_obj(&b, st, 0);
			struct nftnl_rule *r = new_rule(cfg->table);
			uint8_t fam = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
			e_meta(r, NFT_META_NFPROTO);
			e_cmp(r, NFT_CMP_EQ, &fam, 1);
			uint32_t alen = v6 ? 16 : 4, areg = alen / 4;
			load(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, alen, NFT_REG32_00);
			load(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, alen, NFT_REG32_00 + areg);
			struct nftnl_expr *e = nftnl_expr_alloc("meta");
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG32_00 + 2 * areg);
			add_expr(r, e);
			load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG32_00 + 2 * areg + 1);
			load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_00 + 2 * areg + 2);
			e = nftnl_expr_alloc("lookup");
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
			nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, v6 ? "deny6" : "deny4");
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, 100000u + (uint32_t)v6);
			add_expr(r, e);
			e_counter(r);
			e_verdict(r, NF_DROP);
			put_rule(&b, r, 0);
		}
	}
	if (rs->mark_allow) {
		/* a connection still being classified: both directions to us */
		struct nftnl_rule *r = new_rule(cfg->table);
		struct nftnl_expr *e = nftnl_expr_alloc("ct");
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		add_expr(r, e);
		uint32_t bits = 2u | 4u, zero = 0; /* established | related */
		e_bitwise(r, &bits, 4);
		e_cmp(r, NFT_CMP_NEQ, &zero, 4);
		e_queue(r, d->native_queue, rs->queue_num, rs->queue_fail_open);
		put_rule(&b, r, 0);
	}
	for (uint32_t i = 0; i < rs->n_admit; i++)
		build_admit(&b, cfg->table, &rs->admit[i]);
	for (uint32_t i = 0; i < rs->n_rules; i++)
		if (rs->rules[i].n_dst_hosts)
			put_rule_set(&b, cfg->table, &rs->rules[i], rs, i);
	struct zone_pairs zp;
	zone_pairs_find(&zp, rs);
	if (zp.n)
		put_zone_pairs(&b, cfg->table, rs, &zp, d->native_queue);
	/* the main chain: everything not dispatched to a pair's chain (a rule
	 * of one pair of ports only ever matches dispatched traffic) */
	for (uint32_t i = 0; i < rs->n_rules; i++)
		if (!zp.n || !rs->rules[i].iif || !rs->rules[i].oif)
			build_rule(&b, cfg->table, CHAIN, &rs->rules[i], rs, d->native_queue, i, 0);
	if (rs->default_verdict == HAL_FW_REJECT) {
		struct nftnl_rule *r = new_rule(cfg->table);
		e_reject(r);
		put_rule(&b, r, 0);
	}
	batch_end(&b);
	d->seq = b.next_seq;
	int rc = send_batch(d, &b, err, errlen);
	batch_free(&b);
	if (rc == 0)
		d->deny_sets = rs->deny_sets;
	return rc;
}

/* One set element of the deny sets, laid out as the rule's registers. */
static uint32_t deny_key(uint8_t *k, uint8_t ipver, const uint8_t *s, const uint8_t *dd,
			 uint8_t proto, uint16_t sp, uint16_t dp)
{
	uint32_t alen = ipver == 6 ? 16 : 4, o = 0;
	memset(k, 0, DENY6_KEYLEN);
	memcpy(k, s, alen);
	o += alen;
	memcpy(k + o, dd, alen);
	o += alen;
	k[o] = proto;
	o += 4;
	k[o] = (uint8_t)(sp >> 8);
	k[o + 1] = (uint8_t)sp;
	o += 4;
	k[o] = (uint8_t)(dp >> 8);
	k[o + 1] = (uint8_t)dp;
	o += 4;
	return o;
}

static int nft_block(struct hal_fw *fw, const struct hal_fw_flow *flows, unsigned n,
		     uint32_t timeout_s, char *err, size_t errlen)
{
	const struct nft_fw_cfg *cfg = fw->config;
	struct nft_data *d = fw->data;
	if (!d->deny_sets) {
		snprintf(err, errlen, "no deny sets in the applied ruleset (not tap mode)");
		return -ENOTSUP;
	}
	struct batch b = { 0 };
	batch_begin(&b, d->seq);
	for (int v6 = 0; v6 <= 1; v6++) {
		struct nftnl_set *c = set_new(cfg->table, v6 ? "deny6" : "deny4", 0);
		unsigned added = 0;
		for (unsigned i = 0; i < n; i++) {
			const struct hal_fw_flow *f = &flows[i];
			if ((f->ipver == 6) != v6 || (f->proto != 6 && f->proto != 17))
				continue;
			uint8_t key[DENY6_KEYLEN];
			for (int dir = 0; dir < 2; dir++) {
				uint32_t kl = dir ? deny_key(key, f->ipver, f->b, f->a, f->proto, f->pb, f->pa)
						  : deny_key(key, f->ipver, f->a, f->b, f->proto, f->pa, f->pb);
				struct nftnl_set_elem *e = nftnl_set_elem_alloc();
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, kl);
				nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, (uint64_t)timeout_s * 1000ull);
				nftnl_set_elem_add(c, e);
				added++;
			}
		}
		if (added) {
			struct nlmsghdr *nlh = b_next(&b);
			if (nlh) {
				nlh = nftnl_nlmsg_build_hdr((char *)nlh, NFT_MSG_NEWSETELEM, NFPROTO_INET,
							    NLM_F_CREATE, b.next_seq);
				nftnl_set_elems_nlmsg_build_payload(nlh, c);
				b_done(&b, nlh, 0);
			}
		}
		nftnl_set_free(c);
	}
	batch_end(&b);
	d->seq = b.next_seq;
	int rc = send_batch(d, &b, err, errlen);
	batch_free(&b);
	return rc;
}

static int nft_remove(struct hal_fw *fw)
{
	const struct nft_fw_cfg *cfg = fw->config;
	struct nft_data *d = fw->data;
	struct batch b = { 0 };
	char err[128];
	batch_begin(&b, d->seq);
	put_table(&b, cfg->table, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	put_table(&b, cfg->table, NFT_MSG_DELTABLE, 0);
	batch_end(&b);
	d->seq = b.next_seq;
	int rc = send_batch(d, &b, err, sizeof(err));
	batch_free(&b);
	return rc;
}

/* Does the kernel take the native queue expression? Probe in a scratch table. */
static int probe_native_queue(struct hal_fw *fw)
{
	struct nft_data *d = fw->data;
	const struct nft_fw_cfg *cfg = fw->config;
	char name[64], err[128];
	snprintf(name, sizeof(name), "%s_probe", cfg->table);
	struct nft_fw_cfg pc = { .table = name, .hook_forward = 0, .priority = 0 };
	struct hal_fw probe = { .name = "probe", .ops = fw->ops, .config = &pc, .data = d };
	struct hal_fw_rule r = { .id = 1, .proto = -1, .verdict = HAL_FW_QUEUE };
	struct hal_fw_ruleset rs = { .rules = &r, .n_rules = 1, .default_verdict = HAL_FW_ACCEPT,
				     .queue_num = 65000, .queue_fail_open = 1 };
	d->native_queue = 1;
	int ok = nft_apply(&probe, &rs, err, sizeof(err)) == 0;
	nft_remove(&probe);
	d->native_queue = ok;
	return ok;
}

static int nft_open(struct hal_fw *fw)
{
	struct nft_data *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!d->nl || mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		if (d->nl)
			mnl_socket_close(d->nl);
		free(d);
		return -e;
	}
	d->portid = mnl_socket_get_portid(d->nl);
	/* error answers without a copy of our (possibly huge) request */
	int one = 1;
	setsockopt(mnl_socket_get_fd(d->nl), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	d->seq = (uint32_t)time(NULL);
	fw->data = d;
	probe_native_queue(fw);
	return 0;
}

static int nft_caps(struct hal_fw *fw, struct hal_fw_caps *out)
{
	struct nft_data *d = fw->data;
	out->native_queue = (uint8_t)d->native_queue;
	return 0;
}

static void nft_close(struct hal_fw *fw)
{
	struct nft_data *d = fw->data;
	if (!d)
		return;
	mnl_socket_close(d->nl);
	free(d);
	fw->data = NULL;
}

const struct hal_fw_ops nft_fw_ops = {
	.driver = "nft",
	.open = nft_open,
	.apply = nft_apply,
	.remove = nft_remove,
	.block = nft_block,
	.caps = nft_caps,
	.close = nft_close,
};
