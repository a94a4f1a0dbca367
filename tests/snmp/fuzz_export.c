// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the reader side of a counters segment (a file another
 * process wrote: untrusted). sx_parse must refuse anything inconsistent and
 * every lookup on an accepted segment must stay inside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (64u << 20))
		return 0;
	uint8_t *buf = malloc(size ? size : 1); /* malloc: 16-byte aligned */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct sx_view v;
	if (sx_parse(buf, size, &v) == 0) {
		uint64_t sum = 0;
		for (unsigned t = 0; t < v.h->n_tables; t++) {
			uint32_t n = sx_rows(&v, t);
			for (uint32_t i = 0; i < n; i++) {
				const struct sx_row *r = sx_row_at(&v, t, i);
				sum += r->key + strlen(r->name);
				for (unsigned c = 0; c < v.h->table[t].n_cols; c++)
					sum += sx_row_cols(r)[c];
			}
			uint32_t i = sx_find_ge(&v, t, sum);
			if (i > n)
				abort();
		}
		struct sx_event ev[SX_EVENTS];
		unsigned k = sx_events_since(&v, sum & 0xff, ev, SX_EVENTS);
		for (unsigned i = 0; i < k; i++)
			sum += strlen(ev[i].text);
		uint64_t x;
		sx_scalar(&v, "flows.active", &x);
		(void)sx_table(&v, "rules");
		if (sum == 0x5e5e5e5e5e5e5e5eull)
			buf[0] ^= 1; /* keep the reads */
	}
	free(buf);
	return 0;
}
