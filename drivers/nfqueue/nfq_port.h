/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NFQUEUE port (libnetfilter_queue): the inline path. The kernel queues the
 * packets our nftables rules send to the queue; rx_burst delivers them as
 * raw IP frames (HAL_LINK_RAW) with the ingress port found from the input
 * interface; verdict() answers each one.
 *
 * A verdict with a mark re-injects the packet into the hook (NF_REPEAT) with
 * that packet mark; the first rules of our chain copy it to the conntrack
 * mark and accept or drop, so that the connection's later packets are
 * decided in the kernel and never queued again (this kernel has no
 * conntrack glue in nfnetlink_queue to set the connection mark directly).
 *
 * Thread:     the inline worker. Allocation: open() only.
 * Overload:   queue_maxlen packets wait in the kernel; beyond that the
 *             kernel accepts (fail_open) or drops, and counts; messages lost
 *             on our socket (ENOBUFS), and the kernel's own queue_dropped and
 *             user_dropped for our queue, are counted as rx_kernel_drop
 *             (the port's counters in the status and counters records).
 */
#ifndef SEGW_DRIVERS_NFQ_PORT_H
#define SEGW_DRIVERS_NFQ_PORT_H

#include <stdint.h>

#include "segw/hal/port.h"

struct nfq_port_cfg {
	uint16_t queue_num;
	uint32_t queue_maxlen;
	int fail_open;
	/* interface names of the board's ports, by port index (NULL: none) */
	const char *const *ifnames;
	unsigned n_ifnames;
};

extern const struct hal_port_ops nfq_port_ops;

#endif
