/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgmt_show: the console's live views of the running segwd (`show counters`,
 * `show interfaces`, `show flows`). They read the counters status file the
 * inline loop rewrites every second (temp + rename, so a read never sees a
 * half-written file): the data is at most a second old and no lock is shared
 * with the packet path.
 *
 * Owner:      borrows the board and the path (set once by mgmt_show_init).
 * Thread:     the control thread.
 * Allocation: reads the file into a temporary buffer per call.
 * Errors:     -ENOENT no status yet (segwd just started), -EIO, -ENOMEM.
 */
#ifndef SEGW_MGMT_SHOW_H
#define SEGW_MGMT_SHOW_H

#include <stdio.h>

#include "segw/hal/board.h"
#include "stats/snapshot.h"

void mgmt_show_init(const struct board_desc *board, const char *status_path);
/* console_counters_fn: @ctx is the status file's path. */
int mgmt_show_counters(void *ctx, struct stats_snapshot *out);
/* console_show_fn */
int mgmt_show_interfaces(void *ctx, FILE *out);
int mgmt_show_flows(void *ctx, FILE *out);
/* mgmt_show_counter_from - the value of "NAME":N in @json's "counters"
 * object; 0 and *found = 0 when absent (exposed for tests). */
unsigned long long mgmt_show_counter_from(const char *json, const char *name, int *found);

#endif
