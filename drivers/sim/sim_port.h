/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim port driver: an in-memory port for unit tests and the sim board.
 * Frames are injected by the test (sim_port_inject) and transmitted frames
 * are kept for inspection (sim_port_tx_count / sim_port_tx_frame).
 *
 * Thread:     single thread (the test's).
 * Allocation: open() allocates the queues from the config sizes once.
 * Errors:     inject -ENOSPC when the rx queue is full, -EMSGSIZE when the
 *             frame exceeds frame_max.
 */
#ifndef SEGW_DRIVERS_SIM_PORT_H
#define SEGW_DRIVERS_SIM_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "segw/hal/port.h"

struct sim_port_cfg {
	uint32_t queue_len; /* frames held in each direction */
	uint32_t frame_max; /* bytes per frame */
	uint8_t link;       /* enum hal_link delivered */
};

extern const struct hal_port_ops sim_port_ops;

int sim_port_inject(struct hal_port *p, const void *frame, size_t len, uint64_t ts_ns);
/* sim_port_end - later rx_burst calls return -ENODATA once the queue drains. */
void sim_port_end(struct hal_port *p);
unsigned sim_port_tx_count(const struct hal_port *p);
/* sim_port_tx_frame - the i-th transmitted frame (NULL if none), its length in *len. */
const uint8_t *sim_port_tx_frame(const struct hal_port *p, unsigned i, size_t *len);
void sim_port_set_link(struct hal_port *p, int up);

#endif
