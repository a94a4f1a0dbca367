// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_more: libFuzzer target for every detector of detectors_more.h.
 *
 * Input: byte 0 picks the detector (low 5 bits, modulo the count), the
 * direction of the first packet (bit 5) and the transport (bits 6-7: TCP,
 * UDP, ICMP, ESP); byte 1 picks the server port from a list of the usual
 * ones (or a random high port). The rest is split into up to 8 packets at
 * 0xFE 0xFE separators, each fed in turn (directions alternating) to one
 * flow, as the engine would, until FOUND or NOT_MINE. Every packet is
 * copied to a buffer of exactly its size, so ASan sees any over-read.
 * Asserts the contract: a verdict in range, and FOUND only with an app set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpi/detectors_more.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct dpi_detector *const fuzz_dets[] = {DPI_MORE_DETECTORS};
static const uint16_t fuzz_ports[] = {22,   25,   53,    67,  88,  110, 123, 143,  161,  179,
                                      389,  443,  445,   500, 514, 546, 547, 1194, 1883, 3389,
                                      4500, 5060, 51820, 993, 995, 587, 139, 162,  6514, 40000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t l4s[4] = {6, 17, 1, 50};
	const struct dpi_detector *det;
	struct dpi_facts facts;
	uint8_t scratch[DPI_SCRATCH];
	size_t pos = 2, end;
	uint32_t index = 0;
	uint8_t l4, dir, mask;

	if (size < 2)
		return 0;
	det = fuzz_dets[(data[0] & 0x1f) % (sizeof(fuzz_dets) / sizeof(fuzz_dets[0]))];
	dir = (data[0] >> 5) & 1;
	l4 = l4s[data[0] >> 6];
	mask = l4 == 6 ? DPI_L4_TCP : l4 == 17 ? DPI_L4_UDP : DPI_L4_OTHER;
	if (!(det->l4_mask & mask))
		return 0;
	memset(&facts, 0, sizeof(facts));
	memset(scratch, 0, sizeof(scratch));
	while (index < 8) {
		struct dpi_ctx c = {.facts = &facts, .scratch = scratch, .stream = NULL};
		struct dpi_pkt p;
		enum dpi_verdict v;
		uint8_t *copy = NULL;

		for (end = pos; end + 1 < size && !(data[end] == 0xfe && data[end + 1] == 0xfe);
		     end++)
			;
		if (end + 1 >= size)
			end = size;
		memset(&p, 0, sizeof(p));
		p.len = (uint32_t)(end - pos);
		if (p.len) {
			copy = malloc(p.len);
			if (!copy)
				return 0;
			memcpy(copy, data + pos, p.len);
		}
		p.payload = copy;
		p.dir = dir;
		p.l4proto = l4;
		p.client_port = 40000;
		p.server_port = data[1] < sizeof(fuzz_ports) / sizeof(fuzz_ports[0])
		                    ? fuzz_ports[data[1]]
		                    : (uint16_t)(1024 + data[1]);
		p.index = index++;
		if (p.len || !det->needs_payload)
			v = det->probe(&c, &p);
		else
			v = DPI_NEED_MORE;
		free(copy);
		if (v != DPI_NEED_MORE && v != DPI_FOUND && v != DPI_NOT_MINE)
			abort();
		if (v == DPI_FOUND && (facts.app == DPI_APP_UNKNOWN || facts.app >= DPI_APP__COUNT))
			abort();
		if (v != DPI_NEED_MORE || end >= size)
			break;
		pos = end + 2;
		dir ^= 1;
	}
	return 0;
}
