/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * publish: segwd's side of the shared counters segment (stats/export.h).
 *
 * segwd opens the segment once (`--stats-dir DIR`), publishes a snapshot
 * about once a second from its running mode (and once at the end of a
 * replay), and appends events for notifications. segw-snmp reads it.
 *
 * Tables of segwd's segment (SEGW-MIB and IF-MIB read them by these names):
 *   ports      key ifIndex (port index + 1), name = board port name;
 *              in_octets in_packets out_octets out_packets admin oper speed_mbps
 *              (admin/oper as IF-MIB: 1 up, 2 down, 4 unknown)
 *   counters   key = counter number + 1 (stats/counters.h order), name = its
 *              stable name; value
 *   drops      the counters whose name starts with "drop.", same keys
 *   zone_pairs key = (from + 1) << 8 | (to + 1), name "from>to";
 *              flows packets octets dropped
 *   rules      key = rule id (0: "default", no rule matched); flows packets
 *              octets rate_limited (counters of the generation in force)
 *   apps       key = application id + 1; flows packets octets
 * Scalars: flows.active, flows.capacity, policy.generation, policy.rules,
 *   policy.last_push_result (enum sx_push_result), policy.last_push_time_s
 *
 * Owner:      main.c owns the struct segwd_export.
 * Thread:     segwd_export_publish() from the thread that runs the mode;
 *             segwd_export_notify() and segwd_export_push_result() from any
 *             thread (the control plane: console, management agent, watchdog).
 * Allocation: at open (the segment, sized for the rules; grown on a bigger
 *             policy outside the packet path).
 * Errors:     negative errno values (open); publishing failures are counted
 *             in the segment (scalar export.errors), never fatal.
 */
#ifndef SEGW_SNMP_PUBLISH_H
#define SEGW_SNMP_PUBLISH_H

#include <stdint.h>

#include "pipeline/report.h"
#include "policy/generation.h"
#include "segw/hal/board.h"
#include "stats/export.h"
#include "stats/snapshot.h"

struct segwd_export;

/* segwd_export_open - create DIR/segwd.stats (NULL dir: /run/segw) for
 * @board with room for @rules rules; the segment becomes the process-wide
 * target of segwd_export_notify(). */
int segwd_export_open(struct segwd_export **out, const char *dir, const struct board_desc *board,
		      uint32_t rules, uint32_t flow_capacity);
/* segwd_export_close - @unlink_file: remove the segment (a clean stop). */
void segwd_export_close(struct segwd_export *x, int unlink_file);

/* segwd_export_publish - one consistent publish of @s (and @gen's per-rule
 * counters, when it has a policy) with the run's ports (@ports: the port the
 * mode runs on, its hal stats; may be NULL). */
void segwd_export_publish(struct segwd_export *x, const struct stats_snapshot *s,
			  const struct zone_map *zones, const struct policy_gen *gen,
			  const struct report_port *ports, unsigned n_ports);

/*
 * segwd_export_notify - append an event to segwd's segment (notifications:
 * segw-snmp turns them into traps). Safe from any thread; a no-op when no
 * segment is open. This is the hook for the console, the management agent
 * and the watchdog.
 */
void segwd_export_notify(enum sx_event_type type, uint32_t arg, const char *text);
/* segwd_export_push_result - record a policy push outcome (scalars
 * policy.last_push_result/_time_s and the note) and append its event
 * (applied, rejected, reverted, confirm expired). Any thread. */
void segwd_export_push_result(enum sx_push_result result, uint32_t generation, const char *text);

#endif
