// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz driver for the dpi engine: see fuzz_drive.h. */
#include "fuzz_drive.h"

#include <string.h>

#include "dpi/dpi.h"

#define MAX_PKTS 2048

void fuzz_dpi_drive(const uint8_t *d, size_t n, uint8_t l4proto, uint16_t cport, uint16_t sport)
{
	static struct dpi_engine *e;
	static char json[16384];
	struct flow f;
	struct pkt p;
	uint32_t seq[2] = { 1000, 900000 }, last[2] = { 1000, 900000 };
	size_t o = 0;
	unsigned pkts = 0;

	if (!e)
		e = dpi_engine_create(64);
	if (!e)
		return;
	memset(&f, 0, sizeof(f));
	f.key.proto = l4proto;
	f.key.ipver = 4;
	f.key.a[0] = 10, f.key.a[3] = 1;
	f.key.b[0] = 10, f.key.b[3] = 2;
	f.key.pa = cport;
	f.key.pb = sport;
	f.dpi_slot = FLOW_NONE;
	while (o + 3 <= n && pkts++ < MAX_PKTS) {
		uint8_t fl = d[o];
		uint32_t len = (uint32_t)d[o + 1] << 8 | d[o + 2];
		o += 3;
		if (len > n - o)
			len = (uint32_t)(n - o);
		unsigned dir = fl & 1;
		memset(&p, 0, sizeof(p));
		p.data = d + o;
		p.len = len;
		p.payload_off = 0;
		p.payload_len = len;
		p.dir = (uint8_t)dir;
		p.l4proto = l4proto;
		p.tcp_flags = 0x18;
		uint32_t s = (fl & 2) ? last[dir] : seq[dir] + (uint32_t)(fl >> 2);
		p.tcp_seq = s;
		last[dir] = s;
		seq[dir] = s + len;
		if (!f.dpi_done)
			dpi_flow_packet(e, &f, &p, NULL);
		o += len;
	}
	dpi_flow_json(e, &f, json, sizeof(json));
	dpi_flow_end(e, &f);
}
