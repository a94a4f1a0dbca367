/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal port: a source (and maybe sink) of frames.
 *
 * Owner:      the board declares ports (name, zone, driver ops, const config);
 *             the firmware opens them and owns the runtime data through the
 *             driver.
 * Thread:     one thread per port calls rx_burst/tx_burst; stats and link may
 *             be called from the control thread (drivers make them safe).
 * Allocation: open() may allocate driver state once; rx_burst never allocates
 *             outside the port's pktbuf pool and never blocks.
 * Errors:     negative errno values, listed per operation.
 */
#ifndef SEGW_HAL_PORT_H
#define SEGW_HAL_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "segw/hal/pktbuf.h"

struct hal_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_nobuf;     /* frames dropped: pktbuf pool empty */
	uint64_t rx_truncated; /* frames captured shorter than on the wire */
	uint64_t rx_kernel_drop; /* reported by the capture backend */
	uint64_t rx_errors;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t tx_errors;
};

struct hal_link_state {
	bool up;
	uint64_t speed_mbps; /* 0 when unknown */
};

struct hal_port;

struct hal_port_ops {
	const char *driver;
	/* open: 0, -ENOENT (no such device/file), -EINVAL (bad config or
	 * unrecognised file), -EPERM, -EIO. */
	int (*open)(struct hal_port *p);
	/* rx_burst: fills up to @max buffers; returns the count (0: nothing now),
	 * -ENODATA at the end of a finite source, -EIO on a read error (the
	 * message is in hal_port_error()); buffers returned are the caller's. */
	int (*rx_burst)(struct hal_port *p, struct pktbuf **v, unsigned max);
	/* tx_burst: returns how many it took (it owns those), or -ENOTSUP. */
	int (*tx_burst)(struct hal_port *p, struct pktbuf **v, unsigned n);
	int (*stats)(const struct hal_port *p, struct hal_port_stats *out);
	int (*link)(const struct hal_port *p, struct hal_link_state *out);
	/* pollfd: a file descriptor to wait on, or -1 (busy-poll / finite). */
	int (*pollfd)(const struct hal_port *p);
	void (*close)(struct hal_port *p);
	/*
	 * verdict: inline ports only (NULL otherwise): decide the packet in @b
	 * (which stays the caller's). @mark, when not 0, is remembered by the
	 * kernel for the whole connection so that its later packets are
	 * decided there. 0, -EIO, -ENOTSUP.
	 */
	int (*verdict)(struct hal_port *p, const struct pktbuf *b, int accept, uint32_t mark);
};

struct hal_port {
	const char *name;     /* board name, e.g. "wan0" */
	const char *zone;     /* zone of this port, NULL for a mirror/tap */
	const char *ifname;   /* the OS interface behind it (kernel rules), or NULL */
	const struct hal_port_ops *ops;
	const void *config;   /* driver config, const, from the board */
	void *data;           /* driver runtime state */
	struct pktbuf_pool *pool;
	uint16_t index;
	char error[256];      /* last error text from the driver */
};

static inline int hal_port_open(struct hal_port *p) { return p->ops->open(p); }
static inline int hal_port_rx_burst(struct hal_port *p, struct pktbuf **v, unsigned max)
{
	return p->ops->rx_burst(p, v, max);
}
static inline int hal_port_tx_burst(struct hal_port *p, struct pktbuf **v, unsigned n)
{
	return p->ops->tx_burst ? p->ops->tx_burst(p, v, n) : -95 /* -ENOTSUP */;
}
static inline int hal_port_stats(const struct hal_port *p, struct hal_port_stats *out)
{
	return p->ops->stats(p, out);
}
static inline int hal_port_link(const struct hal_port *p, struct hal_link_state *out)
{
	return p->ops->link ? p->ops->link(p, out) : -95;
}
static inline int hal_port_pollfd(const struct hal_port *p)
{
	return p->ops->pollfd ? p->ops->pollfd(p) : -1;
}
static inline void hal_port_close(struct hal_port *p)
{
	if (p->ops->close)
		p->ops->close(p);
}
static inline int hal_port_verdict(struct hal_port *p, const struct pktbuf *b, int accept,
				   uint32_t mark)
{
	return p->ops->verdict ? p->ops->verdict(p, b, accept, mark) : -95;
}
static inline const char *hal_port_error(const struct hal_port *p) { return p->error; }

#endif
