/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpcap port driver: a live interface or a capture file (pcap, pcapng,
 * nanosecond pcap; the format comes from the magic number, not the name).
 *
 * Owner:   boards reference pcap_port_ops with a const pcap_port_cfg.
 * Thread:  the port's rx thread; stats() from any thread (counters are
 *          plain reads of 64-bit values).
 * Files:   offline, a full pool makes rx_burst return early and keep the
 *          pending frame (replay loses nothing); live, it is dropped and
 *          counted as rx_nobuf.
 * Errors:  open -ENOENT/-EINVAL/-EPERM/-EIO with the libpcap text in
 *          hal_port_error(); rx_burst -EIO on a truncated or corrupt file
 *          after delivering every frame read before the fault.
 */
#ifndef SEGW_DRIVERS_PCAP_PORT_H
#define SEGW_DRIVERS_PCAP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "segw/hal/port.h"

struct pcap_port_cfg {
	const char *source; /* interface name, or file path when offline */
	bool offline;
	bool promisc;
	uint32_t snaplen;
	uint32_t buffer_bytes; /* kernel ring for live capture, 0: default */
};

extern const struct hal_port_ops pcap_port_ops;

/* Link type name of a capture (for messages); never NULL. */
const char *pcap_port_link_name(const struct hal_port *p);

/*
 * pcap_port_init_offline - fill @out as a port reading the file @path.
 * The config is allocated and freed by close(). 0 or -ENOMEM.
 */
int pcap_port_init_offline(struct hal_port *out, const char *path, const char *name);

#endif
