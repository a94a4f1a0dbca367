// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ssh: the SSH protocol (RFC 4253) over TCP.
 *
 * Evidence: a protocol version exchange line from either side,
 * "SSH-<protoversion>-<softwareversion>" with protoversion 2.0, 1.99 or 1.x
 * and printable software text, terminated by LF in the packet or long
 * enough (RFC 4253 4.2: at most 255 characters) to be unmistakable.
 * Facts: version (2 for 2.0 and 1.99, 1 for 1.x).
 */
#include "dpi/detectors_more.h"

static enum dpi_verdict ssh_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len, i, sw;
	uint8_t ver;

	if (len < 8)
		return DPI_NOT_MINE;
	if (b[0] != 'S' || b[1] != 'S' || b[2] != 'H' || b[3] != '-')
		return DPI_NOT_MINE;
	if (len >= 8 && b[4] == '2' && b[5] == '.' && b[6] == '0' && b[7] == '-') {
		ver = 2;
		sw = 8;
	} else if (len >= 9 && b[4] == '1' && b[5] == '.' && b[6] == '9' && b[7] == '9' &&
	           b[8] == '-') {
		ver = 2;
		sw = 9;
	} else if (b[4] == '1' && b[5] == '.' && b[6] >= '0' && b[6] <= '9' && b[7] == '-') {
		ver = 1;
		sw = 8;
	} else {
		return DPI_NOT_MINE;
	}
	for (i = sw; i < len && b[i] != '\r' && b[i] != '\n'; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			return DPI_NOT_MINE;
	if (i == sw || (i == len && len - sw < 8)) /* no software text, or too little */
		return DPI_NOT_MINE;
	c->facts->app = DPI_APP_SSH;
	c->facts->version = ver;
	return DPI_FOUND;
}

const struct dpi_detector dpi_ssh_detector = {
    .name = "ssh",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = ssh_probe,
};
