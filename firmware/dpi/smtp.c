// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smtp: SMTP / ESMTP (RFC 5321) over TCP, and its STARTTLS upgrade
 * (RFC 3207), which nDPI names SMTPS.
 *
 * Evidence: the client's EHLO/HELO (or, when the capture missed it, a
 * banner naming SMTP followed by a client command); a "220" greeting alone
 * is not enough (FTP uses it too). Once SMTP is certain the detector still
 * watches the client for STARTTLS (-> SMTPS, DPI_F_STARTTLS) until a
 * mail-transaction command, or packet SMTP_DECIDE, settles plain SMTP.
 * Scratch: byte 0 holds the SMTP_* state bits.
 */
#include <string.h>

#include "dpi/detectors_more.h"

#define SMTP_BANNER 0x1 /* server "220" greeting seen */
#define SMTP_NAMED  0x2 /* ...and it names (E)SMTP */
#define SMTP_HELLO  0x4 /* client EHLO/HELO seen */
#define SMTP_DECIDE 8   /* packet index where plain SMTP is settled */

static int smtp_reply(const uint8_t *b, uint32_t len)
{
	return len >= 4 && b[0] >= '2' && b[0] <= '5' && b[1] >= '0' && b[1] <= '9' &&
	       b[2] >= '0' && b[2] <= '9' && (b[3] == ' ' || b[3] == '-' || b[3] == '\r');
}

/* 1 if @b holds "SMTP" within its first line. */
static int smtp_named(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 4 <= len && b[i] != '\n'; i++)
		if (dpi_starts_ci(b + i, 4, "SMTP"))
			return 1;
	return 0;
}

static int smtp_cmd(const uint8_t *b, uint32_t len, const char *cmd)
{
	uint32_t n = (uint32_t)strlen(cmd);

	return dpi_starts_ci(b, len, cmd) &&
	       (len == n || b[n] == ' ' || b[n] == '\r' || b[n] == '\n' || cmd[n - 1] == ':');
}

static enum dpi_verdict smtp_found(struct dpi_ctx *c, int starttls)
{
	c->facts->app = starttls ? DPI_APP_SMTPS : DPI_APP_SMTP;
	if (starttls)
		c->facts->flags |= DPI_F_STARTTLS;
	return DPI_FOUND;
}

static enum dpi_verdict smtp_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len;
	uint8_t *st = c->scratch;
	int sure;

	if (p->dir == 1) {
		if (!smtp_reply(b, len))
			return (*st & SMTP_HELLO) ? DPI_NEED_MORE : DPI_NOT_MINE;
		if (!(*st & SMTP_BANNER) && b[0] == '2' && b[1] == '2' && b[2] == '0') {
			*st |= SMTP_BANNER;
			if (smtp_named(b, len))
				*st |= SMTP_NAMED;
		}
		return (*st & SMTP_HELLO) && p->index >= SMTP_DECIDE ? smtp_found(c, 0)
		                                                     : DPI_NEED_MORE;
	}
	if (smtp_cmd(b, len, "EHLO") || smtp_cmd(b, len, "HELO")) {
		*st |= SMTP_HELLO;
		return DPI_NEED_MORE;
	}
	sure = (*st & SMTP_HELLO) || (*st & SMTP_NAMED);
	if (!sure)
		return DPI_NOT_MINE;
	if (smtp_cmd(b, len, "STARTTLS"))
		return smtp_found(c, 1);
	if (smtp_cmd(b, len, "MAIL FROM:") || smtp_cmd(b, len, "RCPT TO:") ||
	    smtp_cmd(b, len, "AUTH") || smtp_cmd(b, len, "DATA") || smtp_cmd(b, len, "QUIT") ||
	    smtp_cmd(b, len, "RSET") || smtp_cmd(b, len, "NOOP") || smtp_cmd(b, len, "VRFY"))
		return smtp_found(c, 0);
	/* Settling by packet count needs the client's hello: a banner that
	 * merely names SMTP (an FTP server on a host called smtp...) followed by
	 * other commands is not SMTP. */
	if ((*st & SMTP_HELLO) && p->index >= SMTP_DECIDE)
		return smtp_found(c, 0);
	/* AUTH continuation lines (base64) and the like: keep watching. */
	return DPI_NEED_MORE;
}

const struct dpi_detector dpi_smtp_detector = {
    .name = "smtp",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = smtp_probe,
};
