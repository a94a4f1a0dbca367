// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sip: the Session Initiation Protocol (RFC 3261) over UDP or TCP.
 *
 * Evidence: the first line of a message is a SIP request line
 * ("METHOD sip:|sips:|tel:... SIP/2.0" then CRLF) or status line
 * ("SIP/2.0 NNN "). Keep-alives (CRLF only, RFC 5626) and empty-ish
 * datagrams ask for the next packet, and so does text that mentions
 * "SIP/2.0" without parsing (a damaged message: the next one decides);
 * anything else is not SIP. HTTP is not SIP: its methods and version
 * differ. A request line whose version is damaged still counts when a Via
 * header names SIP/2.0.
 */
#include <string.h>

#include "dpi/detectors_more.h"

static const char *const sip_methods[] = {
    "INVITE ",    "REGISTER ", "OPTIONS ", "ACK ",   "BYE ",   "CANCEL ",  "NOTIFY ",
    "SUBSCRIBE ", "MESSAGE ",  "INFO ",    "PRACK ", "REFER ", "PUBLISH ", "UPDATE ",
};

/* Length of the first line (up to CR or LF) of @b, or @len if none. */
static uint32_t sip_line_len(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (b[i] == '\r' || b[i] == '\n')
			return i;
	return len;
}

/* 1 if @s occurs (case-insensitive) in the first 1024 bytes of @b. */
static int sip_find(const uint8_t *b, uint32_t len, const char *s)
{
	uint32_t i, n = (uint32_t)strlen(s);

	for (i = 0; i + n <= len && i < 1024; i++)
		if (dpi_starts_ci(b + i, len - i, s))
			return 1;
	return 0;
}

static int sip_request(const uint8_t *b, uint32_t len)
{
	uint32_t i, m = 0, line;
	const char *ver = " SIP/2.0";

	/* cheap rejection first: SIP requests start with an upper-case method */
	if (len < 8 || b[0] < 'A' || b[0] > 'Z')
		return 0;
	for (i = 0; i < sizeof(sip_methods) / sizeof(sip_methods[0]); i++) {
		if (dpi_starts_ci(b, len, sip_methods[i])) {
			m = (uint32_t)strlen(sip_methods[i]);
			break;
		}
	}
	if (!m)
		return 0;
	line = sip_line_len(b, len);
	if (line < m ||
	    !(dpi_starts_ci(b + m, line - m, "sip:") || dpi_starts_ci(b + m, line - m, "sips:") ||
	      dpi_starts_ci(b + m, line - m, "tel:")))
		return 0;
	/* The line must end in " SIP/2.0" (and be terminated in this packet)... */
	if (line < len && line >= m + 8 && dpi_starts_ci(b + line - 8, 8, ver))
		return 1;
	/* ...or the message must carry a SIP Via header (full or compact form). */
	return sip_find(b, len, "\nVia: SIP/2.0/") || sip_find(b, len, "\nv: SIP/2.0/");
}

static int sip_status(const uint8_t *b, uint32_t len)
{
	return len >= 12 && dpi_starts_ci(b, len, "SIP/2.0 ") && b[8] >= '1' && b[8] <= '6' &&
	       b[9] >= '0' && b[9] <= '9' && b[10] >= '0' && b[10] <= '9' &&
	       (b[11] == ' ' || b[11] == '\r');
}

static int sip_keepalive(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	if (len > 4)
		return 0;
	for (i = 0; i < len; i++)
		if (b[i] != '\r' && b[i] != '\n' && b[i] != 0)
			return 0;
	return 1;
}

static enum dpi_verdict sip_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	if (sip_request(p->payload, p->len) || sip_status(p->payload, p->len)) {
		c->facts->app = DPI_APP_SIP;
		return DPI_FOUND;
	}
	/* Keep-alives, and SIP text too damaged to parse: look at a few more
	 * (text only: binary payloads are not searched). */
	if (p->index < 8 && (sip_keepalive(p->payload, p->len) ||
			     (p->len && p->payload[0] >= 0x20 && p->payload[0] < 0x7f &&
			      sip_find(p->payload, p->len, "SIP/2.0"))))
		return DPI_NEED_MORE;
	return DPI_NOT_MINE;
}

const struct dpi_detector dpi_sip_detector = {
    .name = "sip",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = sip_probe,
};
