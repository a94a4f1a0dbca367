// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tls_sx_dump: print the "tls" table of a shared counters segment
 * (stats/export.h) as "name value" lines, as a reader such as the SNMP
 * subagent sees it. Test helper.
 *
 *   tls_sx_dump DIR/segw-tlsd.stats
 */
#include <inttypes.h>
#include <stdio.h>

#include "stats/export.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tls_sx_dump SEGMENT\n");
		return 2;
	}
	struct sx_reader *r;
	struct sx_view v;
	if (sx_reader_open(&r, argv[1]) != 0 || sx_reader_refresh(r, &v) != 0) {
		fprintf(stderr, "tls_sx_dump: %s: no valid segment\n", argv[1]);
		return 1;
	}
	int t = sx_table(&v, "tls");
	if (t < 0) {
		fprintf(stderr, "tls_sx_dump: no table 'tls'\n");
		sx_reader_close(r);
		return 1;
	}
	printf("process %s pid %u\n", v.h->process, v.h->pid);
	for (uint32_t i = 0; i < sx_rows(&v, (unsigned)t); i++) {
		const struct sx_row *row = sx_row_at(&v, (unsigned)t, i);
		printf("%s %" PRIu64 "\n", row->name, sx_row_cols(row)[0]);
	}
	sx_reader_close(r);
	return 0;
}
