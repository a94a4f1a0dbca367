/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps: a process keeps only the capabilities it needs.
 *
 * caps_keep_only() empties the bounding set but for @keep (a bit mask of
 * CAP_* numbers), makes @keep the permitted and effective sets, clears the
 * inheritable and ambient sets and sets no_new_privs. The process stays uid
 * 0 (its files and sockets are root's), but cannot regain anything it
 * dropped, nor pass anything to what it runs.
 *
 * Owner:      the process, once, at start (main thread, before other threads).
 * Errors:     0; -EPERM and friends from the kernel. Not root (no
 *             CAP_SETPCAP): 0 and nothing done (an unprivileged run has
 *             nothing to drop).
 */
#ifndef SEGW_CORE_CAPS_H
#define SEGW_CORE_CAPS_H

#include <stdint.h>

#define CAPS_BIT(c) (1ull << (c))

int caps_keep_only(uint64_t keep);

#endif
