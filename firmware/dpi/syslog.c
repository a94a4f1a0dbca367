// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * syslog: BSD syslog (RFC 3164) and syslog protocol (RFC 5424) messages,
 * over UDP or TCP (RFC 6587 octet counting or non-transparent framing).
 *
 * Evidence: "<PRI>" with PRI 0..191 written without leading zeros, then
 * either an RFC 5424 header ("1 " and a timestamp or "-"), an RFC 3164
 * timestamp ("Mmm dd "), or at least 8 printable characters of message. On
 * TCP an octet count ("NNN <PRI>...") may come first.
 */
#include "dpi/detectors_more.h"

static const char *const sys_months[] = {"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
                                         "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "};

static int sys_printable_run(const uint8_t *b, uint32_t len, uint32_t want)
{
	uint32_t i;

	if (len < want)
		return 0;
	for (i = 0; i < want; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			if (b[i] != '\t')
				return 0;
	return 1;
}

static int sys_message(const uint8_t *b, uint32_t len)
{
	uint32_t i = 1, pri = 0, m;

	if (len < 4 || b[0] != '<')
		return 0;
	while (i < len && i <= 3 && b[i] >= '0' && b[i] <= '9')
		pri = pri * 10 + (uint32_t)(b[i++] - '0');
	if (i == 1 || i >= len || b[i] != '>' || pri > 191 || (b[1] == '0' && i > 2))
		return 0;
	b += i + 1;
	len -= i + 1;
	if (len >= 3 && b[0] == '1' && b[1] == ' ' && (b[2] == '-' || (b[2] >= '0' && b[2] <= '9')))
		return 1;
	if (len && b[0] == ' ') {
		b++;
		len--;
	}
	for (m = 0; m < 12; m++)
		if (dpi_starts_ci(b, len, sys_months[m]))
			return 1;
	return sys_printable_run(b, len, 8);
}

static enum dpi_verdict sys_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len, i = 0;

	if (p->l4proto == 6 && len && b[0] >= '1' && b[0] <= '9') { /* octet counting */
		while (i < len && i < 6 && b[i] >= '0' && b[i] <= '9')
			i++;
		if (i >= len || b[i] != ' ')
			return DPI_NOT_MINE;
		i++;
	}
	if (!sys_message(b + i, len - i))
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_SYSLOG;
	return DPI_FOUND;
}

const struct dpi_detector dpi_syslog_detector = {
    .name = "syslog",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = sys_probe,
};
