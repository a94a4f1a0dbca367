// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared checks of the fuzz targets: see fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", what, file, line);
	fflush(stderr);
	__builtin_trap();
}

uint64_t fuzz_ts_step(uint64_t ts, uint8_t dt)
{
	if (dt < 128)
		return ts + (uint64_t)dt * 1000000ull;
	if (dt == 255)
		return ts >= 1000000000ull ? ts - 1000000000ull : 0;
	uint64_t s = (uint64_t)(dt - 127) * (uint64_t)(dt - 127);
	return ts + s * 1000000000ull;
}

uint32_t fuzz_wire_extra(uint8_t wx)
{
	return wx < 128 ? wx : (uint32_t)(wx - 127) * 64u;
}

void fuzz_worker_recycle(struct worker *w)
{
	FUZZ_CHECK(flow_table_active(w->ft) == 0);
	/* At the end of time every unfinished datagram has expired: a context
	 * still in use now is leaked for good (a lent one never given back, or
	 * one whose timestamp defeats expiry). */
	defrag_expire(w->df, UINT64_MAX, &w->st);
	FUZZ_CHECK(defrag_in_use(w->df) == 0);
	memset(&w->st, 0, sizeof(w->st));
	w->now_ns = 0;
	w->next_expire_ns = 0;
}

static void check_ip_fields(const struct pkt *p)
{
	const uint8_t *ip = p->data + p->l3_off;
	uint32_t min = p->ipver == 4 ? 20 : 40;

	FUZZ_CHECK(p->ipver == 4 || p->ipver == 6);
	FUZZ_CHECK((uint64_t)p->l3_off + p->l3_len <= p->len);
	FUZZ_CHECK(p->l3_len >= min);
	FUZZ_CHECK((ip[0] >> 4) == p->ipver);
	if (p->ipver == 4) {
		FUZZ_CHECK(memcmp(p->src, ip + 12, 4) == 0);
		FUZZ_CHECK(memcmp(p->dst, ip + 16, 4) == 0);
	} else {
		FUZZ_CHECK(memcmp(p->src, ip + 8, 16) == 0);
		FUZZ_CHECK(memcmp(p->dst, ip + 24, 16) == 0);
	}
}

void fuzz_check_decoded(const struct pkt *p, enum decode_result dr, const uint8_t *frame,
			uint32_t caplen, uint32_t wire_len)
{
	FUZZ_CHECK((unsigned)dr <= DECODE_FRAGMENT);
	FUZZ_CHECK(p->data == frame);
	FUZZ_CHECK(p->len == caplen);
	FUZZ_CHECK(p->wire_len == (wire_len < caplen ? caplen : wire_len));
	FUZZ_CHECK(p->vlan_n <= 2);
	FUZZ_CHECK(!(p->flags & PKT_F_REASSEMBLED));

	if (dr == DECODE_FRAGMENT) {
		check_ip_fields(p);
		FUZZ_CHECK(p->flags & PKT_F_FRAGMENT);
		FUZZ_CHECK(p->frag_hdr_end >= p->l3_off + (p->ipver == 4 ? 20u : 48u));
		FUZZ_CHECK(p->frag_hdr_end <= p->l3_off + p->l3_len);
		FUZZ_CHECK(p->frag_off <= 65528);
		FUZZ_CHECK(p->frag_more || p->frag_off);
		return;
	}
	if (dr != DECODE_OK)
		return;

	check_ip_fields(p);
	FUZZ_CHECK(!(p->flags & PKT_F_FRAGMENT));
	FUZZ_CHECK(p->l4_off >= p->l3_off + (p->ipver == 4 ? 20u : 40u));
	/* The transport runs to the end of the (innermost) IP datagram. */
	FUZZ_CHECK((uint64_t)p->l4_off + p->l4_len == (uint64_t)p->l3_off + p->l3_len);
	FUZZ_CHECK(p->payload_off >= p->l4_off);
	FUZZ_CHECK((uint64_t)p->payload_off + p->payload_len <= (uint64_t)p->l4_off + p->l4_len);

	const uint8_t *l4 = p->data + p->l4_off;
	uint32_t hdr = p->payload_off - p->l4_off;
	switch (p->l4proto) {
	case IPPROTO_NUM_TCP:
		FUZZ_CHECK(hdr >= 20 && hdr <= 60 && hdr == (uint32_t)(l4[12] >> 4) * 4);
		FUZZ_CHECK(p->sport == rd16(l4) && p->dport == rd16(l4 + 2));
		FUZZ_CHECK(p->tcp_seq == rd32(l4 + 4) && p->tcp_flags == (l4[13] & 0x3f));
		FUZZ_CHECK(p->payload_off + p->payload_len == p->l4_off + p->l4_len);
		break;
	case IPPROTO_NUM_UDP:
		FUZZ_CHECK(hdr == 8);
		FUZZ_CHECK(p->sport == rd16(l4) && p->dport == rd16(l4 + 2));
		break;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		FUZZ_CHECK(hdr == 4);
		FUZZ_CHECK(p->icmp_type == l4[0] && p->icmp_code == l4[1]);
		break;
	default: /* the payload is the transport's, or what follows a GRE header */
		FUZZ_CHECK(p->l4proto == 47 || (hdr == 0 && p->payload_len == p->l4_len));
		break;
	}
}

static int has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

enum ctr_class { C_OTHER = 0, C_DEC, C_LINK, C_TCP_NOTE, C_NON_IP, C_FRAG };

/* The class of each counter, from its stable name, worked out once. */
static const uint8_t *ctr_classes(void)
{
	static uint8_t cls[CTR__COUNT];
	static int done;
	if (done)
		return cls;
	for (unsigned i = 0; i < CTR__COUNT; i++) {
		const char *n = stats_ctr_name(i);
		FUZZ_CHECK(n != NULL);
		if (has_prefix(n, "decode.link."))
			cls[i] = C_LINK;
		else if (!strcmp(n, "decode.tcp.invalid_flags") || !strcmp(n, "decode.tcp.port_zero"))
			cls[i] = C_TCP_NOTE;
		else if (has_prefix(n, "decode."))
			cls[i] = C_DEC;
		else if (!strcmp(n, "proto.non_ip"))
			cls[i] = C_NON_IP;
		else if (!strcmp(n, "frag.ipv4.fragments") || !strcmp(n, "frag.ipv6.fragments"))
			cls[i] = C_FRAG;
	}
	done = 1;
	return cls;
}

void fuzz_check_decode_counters(const uint64_t before[CTR__COUNT],
				const uint64_t after[CTR__COUNT], enum decode_result dr)
{
	const uint8_t *cls = ctr_classes();
	uint64_t sum[C_FRAG + 1] = { 0 };

	for (unsigned i = 0; i < CTR__COUNT; i++) {
		FUZZ_CHECK(after[i] >= before[i]);
		sum[cls[i]] += after[i] - before[i];
	}
	uint64_t dec = sum[C_DEC], link = sum[C_LINK], tcp_note = sum[C_TCP_NOTE];
	uint64_t non_ip = sum[C_NON_IP], frag = sum[C_FRAG];
	switch (dr) {
	case DECODE_OK:
		FUZZ_CHECK(dec == 0 && link == 0 && non_ip == 0 && frag == 0);
		break;
	case DECODE_NON_IP:
		FUZZ_CHECK(non_ip == 1 && dec == 0 && link == 0 && frag == 0 && tcp_note == 0);
		break;
	case DECODE_MALFORMED:
		FUZZ_CHECK(dec == 1 && link == 0 && non_ip == 0 && frag == 0 && tcp_note == 0);
		break;
	case DECODE_SKIP_LINK:
		FUZZ_CHECK(link == 1 && dec == 0 && non_ip == 0 && frag == 0 && tcp_note == 0);
		break;
	case DECODE_FRAGMENT:
		FUZZ_CHECK(frag == 1 && dec == 0 && link == 0 && non_ip == 0 && tcp_note == 0);
		break;
	}
}
