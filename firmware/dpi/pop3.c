// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pop3: POP3 (RFC 1939) over TCP, and its STLS upgrade (RFC 2595), which
 * nDPI names POPS.
 *
 * Evidence: the server's "+OK" greeting or replies ("+OK", "-ERR") and a
 * POP3 client command (USER, PASS, APOP, CAPA, STLS, AUTH, ...). FOUND
 * needs both sides; STLS after that gives POPS (DPI_F_STARTTLS), a
 * transaction command (USER, PASS, STAT, ...) or packet POP3_DECIDE gives
 * POP3. Scratch: byte 0 holds the POP3_* state bits.
 */
#include <string.h>

#include "dpi/detectors_more.h"

#define POP3_SERVER 0x1
#define POP3_CLIENT 0x2
#define POP3_DECIDE 8

static const char *const pop3_cmds[] = {
    "CAPA", "STLS", "USER", "PASS", "APOP", "AUTH", "STAT", "LIST",
    "RETR", "DELE", "UIDL", "TOP",  "QUIT", "NOOP", "RSET",
};

static int pop3_command(const uint8_t *b, uint32_t len)
{
	uint32_t i, n;

	for (i = 0; i < sizeof(pop3_cmds) / sizeof(pop3_cmds[0]); i++) {
		n = (uint32_t)strlen(pop3_cmds[i]);
		if (dpi_starts_ci(b, len, pop3_cmds[i]) &&
		    (len == n || b[n] == ' ' || b[n] == '\r' || b[n] == '\n'))
			return (int)i + 1;
	}
	return 0;
}

static enum dpi_verdict pop3_found(struct dpi_ctx *c, int stls)
{
	c->facts->app = stls ? DPI_APP_POPS : DPI_APP_POP3;
	if (stls)
		c->facts->flags |= DPI_F_STARTTLS;
	return DPI_FOUND;
}

static enum dpi_verdict pop3_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len;
	uint8_t *st = c->scratch;
	int cmd;

	if (p->dir == 1) {
		if ((dpi_starts_ci(b, len, "+OK") && (len == 3 || b[3] == ' ' || b[3] == '\r')) ||
		    (dpi_starts_ci(b, len, "-ERR") && (len == 4 || b[4] == ' ' || b[4] == '\r')))
			*st |= POP3_SERVER;
		else if (!*st)
			return DPI_NOT_MINE;
	} else {
		cmd = pop3_command(b, len);
		if (cmd == 2 && (*st & POP3_SERVER))
			return pop3_found(c, 1);
		if (cmd) {
			*st |= POP3_CLIENT;
			if (cmd >= 3 && cmd != 6 && (*st & POP3_SERVER))
				return pop3_found(c, 0);
		} else if (!*st) {
			return DPI_NOT_MINE;
		}
	}
	if (*st == (POP3_SERVER | POP3_CLIENT) && p->index >= POP3_DECIDE)
		return pop3_found(c, 0);
	return p->index < 2 * POP3_DECIDE ? DPI_NEED_MORE : DPI_NOT_MINE;
}

const struct dpi_detector dpi_pop3_detector = {
    .name = "pop3",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = pop3_probe,
};
