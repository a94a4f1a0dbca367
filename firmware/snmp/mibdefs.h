/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mibdefs: the OIDs of SEGW-MIB (mib/SEGW-MIB.txt) the subagent serves.
 *
 * segwMIB sits under net-snmp's netSnmpPlaypen (1.3.6.1.4.1.8072.9999.9999),
 * the arc net-snmp sets aside for local experiments: a PLACEHOLDER until the
 * project has its own IANA private enterprise number. Changing it means
 * changing SEGW_MIB_ROOT here and the MODULE-IDENTITY in the MIB file.
 */
#ifndef SEGW_SNMP_MIBDEFS_H
#define SEGW_SNMP_MIBDEFS_H

#define SEGW_MIB_ROOT 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7

static const oid segw_notifications_oid[] = { SEGW_MIB_ROOT, 0 };
static const oid segw_objects_oid[] = { SEGW_MIB_ROOT, 1 };
static const oid segw_notify_objects_oid[] = { SEGW_MIB_ROOT, 1, 9 };

/* under segwObjects */
enum {
	SEGW_SYSTEM = 1,
	SEGW_POLICY = 2,
	SEGW_COUNTER_TABLE = 3,
	SEGW_DROP_TABLE = 4,
	SEGW_ZONE_PAIR_TABLE = 5,
	SEGW_RULE_TABLE = 6,
	SEGW_APP_TABLE = 7,
	SEGW_TLS_TABLE = 8,
	SEGW_NOTIFY_OBJECTS = 9,
};

/* under segwNotifyObjects */
enum { SEGW_EVENT_ARG = 1, SEGW_EVENT_TEXT = 2 };

/* under segwNotifications */
enum {
	SEGW_TRAP_PUSH_REJECTED = 1,
	SEGW_TRAP_REVERTED = 2,
	SEGW_TRAP_CONFIRM_EXPIRED = 3,
	SEGW_TRAP_FLOW_NEAR_FULL = 4,
	SEGW_TRAP_WATCHDOG_REBOOT = 5,
};

#endif
