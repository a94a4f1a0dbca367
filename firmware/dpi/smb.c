// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smb: SMB over TCP (direct hosting, port 445, or NetBIOS session service,
 * port 139): SMB2/3 is "SMBv23", SMB1 "SMBv1", as nDPI names them.
 *
 * Evidence: a NetBIOS session message (type 0x00, 24-bit length that covers
 * at least this segment's data) whose body starts with the SMB protocol id:
 * 0xFE "SMB" with header length 64 (SMB2/3), 0xFD "SMB" (SMB3 transform,
 * encrypted), or 0xFF "SMB" (SMB1). NetBIOS session requests and keep-alives
 * (types 0x81..0x85) ask for the next packet.
 */
#include "dpi/detectors_more.h"

static enum dpi_verdict smb_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t nbl;

	if (p->len < 4)
		return DPI_NOT_MINE;
	nbl = (uint32_t)b[1] << 16 | dpi_rd16(b + 2);
	if (b[0] >= 0x81 && b[0] <= 0x85 && b[1] <= 1 && nbl == p->len - 4 && p->index < 6)
		return DPI_NEED_MORE;
	if (b[0] != 0 || p->len < 4 + 8 || nbl < p->len - 4)
		return DPI_NOT_MINE;
	if (b[5] != 'S' || b[6] != 'M' || b[7] != 'B')
		return DPI_NOT_MINE;
	/* SMB2/3 (StructureSize 64, little endian) or its transform header. */
	if ((b[4] == 0xfe && dpi_rd16(b + 8) == 0x4000 && nbl >= 64) || (b[4] == 0xfd && nbl >= 52))
		c->facts->app = DPI_APP_SMBV23;
	else if (b[4] == 0xff && nbl >= 32)
		c->facts->app = DPI_APP_SMBV1;
	else
		return DPI_NOT_MINE;
	return DPI_FOUND;
}

const struct dpi_detector dpi_smb_detector = {
    .name = "smb",
    .l4_mask = DPI_L4_TCP,
    .needs_payload = 1,
    .probe = smb_probe,
};
