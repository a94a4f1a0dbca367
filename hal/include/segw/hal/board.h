/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal board: the one description of a board the firmware sees.
 *
 * Owner:      the board folder defines one `const struct board_desc` and the
 *             accessor board_get(); everything in it is const data except the
 *             device runtime state behind each device's data pointer.
 * Thread:     read-only after start; any thread.
 */
#ifndef SEGW_HAL_BOARD_H
#define SEGW_HAL_BOARD_H

#include <stdint.h>

#include "segw/hal/clock.h"
#include "segw/hal/console.h"
#include "segw/hal/fw.h"
#include "segw/hal/led.h"
#include "segw/hal/port.h"
#include "segw/hal/rng.h"
#include "segw/hal/storage.h"
#include "segw/hal/watchdog.h"

/* Pool sizes: memory is allocated once from these, never on the packet path. */
struct board_pools {
	uint32_t pktbufs;        /* per rx thread */
	uint32_t pktbuf_size;    /* bytes per buffer (snap length) */
	uint32_t flows;          /* flow slots per worker */
	uint32_t frag_contexts;  /* IP reassembly contexts per worker */
	uint32_t frag_bytes;     /* bytes per reassembly context (max datagram) */
	uint32_t ring_size;      /* rx -> worker ring entries (power of two) */
	uint32_t max_workers;
};

/* A default zone prefix: "which zone does this address belong to". */
struct board_zone_prefix {
	const char *zone;
	const char *prefix; /* "10.0.0.0/8", "fd00::/8" */
};

struct board_desc {
	const char *id;    /* "vendor,model" */
	const char *name;
	struct hal_port *ports;
	unsigned n_ports;
	const char *const *zones; /* zone names, the first is the default zone */
	unsigned n_zones;
	const struct board_zone_prefix *zone_prefixes;
	unsigned n_zone_prefixes;
	struct board_pools pools;
	struct hal_console *console;
	struct hal_watchdog *watchdog;
	struct hal_storage *storage;
	struct hal_led *status_led;
	struct hal_fw *firewall;  /* kernel enforcement, NULL when the board has none */
	const struct hal_clock_ops *clock;
	const struct hal_rng_ops *rng;
	/*
	 * replay_port - make a port that reads the capture file @path (pcap or
	 * pcapng, format from the magic number). 0 or negative errno.
	 */
	int (*replay_port)(struct hal_port *out, const char *path);
	/*
	 * inline_port - make the inline port: packets the kernel queues to
	 * @queue_num, answered by verdict(); @fail_open: what the kernel does
	 * when the queue is full. 0 or negative errno.
	 */
	int (*inline_port)(struct hal_port *out, uint16_t queue_num, int fail_open);
};

/* The board this firmware was built for (defined in board/<name>/). */
const struct board_desc *board_get(void);

#endif
