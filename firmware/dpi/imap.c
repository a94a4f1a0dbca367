// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imap: IMAP4 (RFC 9051, 3501) over TCP, and its STARTTLS upgrade, which
 * nDPI names IMAPS.
 *
 * Evidence: the server greeting "* OK", "* PREAUTH" or "* BYE", or a client
 * command "<tag> <IMAP command>" whose tag is a plain atom, and its tagged
 * reply "<tag> OK|NO|BAD". One side alone is not enough: FOUND needs a
 * greeting or tagged reply from the server and a tagged command from the
 * client. Then the client is watched for STARTTLS (-> IMAPS) until a command
 * only sent in the clear (LOGIN, SELECT, ...) or packet IMAP_DECIDE.
 * Scratch: byte 0 holds the IMAP_* state bits.
 */
#include <string.h>

#include "dpi/detectors_more.h"

#define IMAP_SERVER 0x1
#define IMAP_CLIENT 0x2
#define IMAP_DECIDE 8

static const char *const imap_cmds[] = {
    "CAPABILITY", "STARTTLS", "LOGIN",  "AUTHENTICATE", "SELECT", "EXAMINE", "LIST",
    "LSUB",       "STATUS",   "LOGOUT", "NOOP",         "ID",     "FETCH",   "UID",
    "NAMESPACE",  "IDLE",     "ENABLE", "CREATE",       "APPEND", "SEARCH",
};

/* Length of the tag at the start of @b followed by one space; 0 if none. */
static uint32_t imap_tag(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len && i < 32; i++) {
		uint8_t ch = b[i];

		if (ch == ' ')
			return i ? i + 1 : 0;
		if (ch <= 0x20 || ch >= 0x7f || ch == '(' || ch == ')' || ch == '{' || ch == '*' ||
		    ch == '%' || ch == '"' || ch == '\\' || ch == ']')
			return 0;
	}
	return 0;
}

/* Which imap_cmds[] entry follows the tag (+1), 0 if none. */
static int imap_command(const uint8_t *b, uint32_t len)
{
	uint32_t t = imap_tag(b, len), i, n;

	if (!t)
		return 0;
	for (i = 0; i < sizeof(imap_cmds) / sizeof(imap_cmds[0]); i++) {
		n = (uint32_t)strlen(imap_cmds[i]);
		if (dpi_starts_ci(b + t, len - t, imap_cmds[i]) &&
		    (len - t == n || b[t + n] == ' ' || b[t + n] == '\r' || b[t + n] == '\n'))
			return (int)i + 1;
	}
	return 0;
}

static int imap_server(const uint8_t *b, uint32_t len)
{
	uint32_t t;

	if (dpi_starts_ci(b, len, "* OK") || dpi_starts_ci(b, len, "* PREAUTH") ||
	    dpi_starts_ci(b, len, "* BYE") || dpi_starts_ci(b, len, "* CAPABILITY"))
		return 1;
	t = imap_tag(b, len);
	return t && (dpi_starts_ci(b + t, len - t, "OK ") || dpi_starts_ci(b + t, len - t, "NO ") ||
	             dpi_starts_ci(b + t, len - t, "BAD "));
}

static enum dpi_verdict imap_found(struct dpi_ctx *c, int starttls)
{
	c->facts->app = starttls ? DPI_APP_IMAPS : DPI_APP_IMAP;
	if (starttls)
		c->facts->flags |= DPI_F_STARTTLS;
	return DPI_FOUND;
}

static enum dpi_verdict imap_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	uint8_t *st = c->scratch;
	int cmd;

	if (p->dir == 1) {
		if (imap_server(p->payload, p->len))
			*st |= IMAP_SERVER;
		else if (!*st)
			return DPI_NOT_MINE;
	} else {
		cmd = imap_command(p->payload, p->len);
		if (cmd == 2 && (*st & IMAP_SERVER))
			return imap_found(c, 1);
		if (cmd) {
			*st |= IMAP_CLIENT;
			if (cmd >= 3 && cmd != 11 && (*st & IMAP_SERVER))
				return imap_found(c, 0);
		} else if (!*st) {
			return DPI_NOT_MINE;
		}
	}
	if (*st == (IMAP_SERVER | IMAP_CLIENT) && p->index >= IMAP_DECIDE)
		return imap_found(c, 0);
	return p->index < 2 * IMAP_DECIDE ? DPI_NEED_MORE : DPI_NOT_MINE;
}

const struct dpi_detector dpi_imap_detector = {
    .name = "imap",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = imap_probe,
};
