// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_decode: one frame through decode_frame(), stateless.
 *
 * Input:  byte 0      link type: (byte & 15) as enum hal_link (13..15 are
 *                     out of range on purpose: they must be refused, counted)
 *         byte 1      wire extra: wire_len = caplen + fuzz_wire_extra(byte)
 *                     (non-zero: the capture was cut by a snap length)
 *         bytes 2..   the frame; it ends exactly where the fuzzer's buffer
 *                     ends, so ASan sees any read past the captured length.
 * Checks: fuzz_check_decoded() (offsets inside the frame, fields match the
 *         bytes), decode.h's counting contract, that decoding the same
 *         frame twice gives the same answer (no hidden state), and that the
 *         pair hash is symmetric.
 */
#include <string.h>

#include "fuzz.h"
#include "segw/hal/pktbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stats_block st;
	uint64_t before[CTR__COUNT];
	struct pkt p, again;

	if (size < 2 || size - 2 > UINT32_MAX / 2)
		return 0;
	uint8_t link = data[0] & 15;
	const uint8_t *frame = data + 2;
	uint32_t caplen = (uint32_t)(size - 2);
	uint32_t wire = caplen + fuzz_wire_extra(data[1]);

	memcpy(before, st.c, sizeof(before));
	memset(&p, 0, sizeof(p));
	p.ts_ns = FUZZ_TS_BASE;
	p.port = 1;
	enum decode_result dr = decode_frame(&p, frame, caplen, wire, link, &st);

	fuzz_check_decoded(&p, dr, frame, caplen, wire);
	fuzz_check_decode_counters(before, st.c, dr);
	FUZZ_CHECK(p.ts_ns == FUZZ_TS_BASE && p.port == 1);
	if (link >= HAL_LINK_RADIOTAP)
		FUZZ_CHECK(dr == DECODE_SKIP_LINK);

	memset(&again, 0xa5, sizeof(again));
	again.ts_ns = FUZZ_TS_BASE;
	again.port = 1;
	FUZZ_CHECK(decode_frame(&again, frame, caplen, wire, link, &st) == dr);
	FUZZ_CHECK(again.ipver == p.ipver && again.l4proto == p.l4proto &&
		   again.l3_off == p.l3_off && again.l3_len == p.l3_len &&
		   again.l4_off == p.l4_off && again.l4_len == p.l4_len &&
		   again.payload_off == p.payload_off && again.payload_len == p.payload_len &&
		   again.flags == p.flags && again.vlan_n == p.vlan_n &&
		   again.sport == p.sport && again.dport == p.dport &&
		   again.frag_off == p.frag_off && again.frag_id == p.frag_id &&
		   memcmp(again.src, p.src, sizeof(p.src)) == 0 &&
		   memcmp(again.dst, p.dst, sizeof(p.dst)) == 0);
	if (dr == DECODE_OK || dr == DECODE_FRAGMENT) {
		/* The worker is picked by this hash: the same both ways. */
		FUZZ_CHECK(decode_pair_hash(&again) == decode_pair_hash(&p));
		memcpy(again.src, p.dst, sizeof(again.src));
		memcpy(again.dst, p.src, sizeof(again.dst));
		FUZZ_CHECK(decode_pair_hash(&again) == decode_pair_hash(&p));
	}
	return 0;
}
