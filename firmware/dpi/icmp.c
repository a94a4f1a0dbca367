// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * icmp: ICMP (IP protocol 1) and ICMPv6 (58) flows. Every such flow is that
 * application (as nDPI reports it): the IP protocol number decoded by the
 * pipeline is the evidence, and nothing in the message can make it another
 * application. Found on the first packet, payload or not.
 */
#include "dpi/detectors_more.h"

static enum dpi_verdict icmp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	if (p->l4proto == 1)
		c->facts->app = DPI_APP_ICMP;
	else if (p->l4proto == 58)
		c->facts->app = DPI_APP_ICMPV6;
	else
		return DPI_NOT_MINE;
	return DPI_FOUND;
}

const struct dpi_detector dpi_icmp_detector = {
    .name = "icmp",
    .l4_mask = DPI_L4_OTHER,
    .needs_payload = 0,
    .probe = icmp_probe,
};
