// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ldap: LDAPv2/v3 (RFC 4511) over TCP or UDP (CLDAP).
 *
 * Evidence: an LDAPMessage: a SEQUENCE whose length fits the packet (on UDP
 * exactly; on TCP a first segment may hold only its start), an INTEGER
 * messageID of 1..4 bytes, then a protocolOp tag that LDAP defines, whose
 * length fits inside the message; a BindRequest must carry version 1..3.
 */
#include "dpi/detectors_more.h"

static int ldap_op(uint8_t tag)
{
	switch (tag) {
	case 0x60:
	case 0x61:
	case 0x42:
	case 0x63:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0x68:
	case 0x69:
	case 0x4a:
	case 0x6b:
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f:
	case 0x50:
	case 0x73:
	case 0x77:
	case 0x78:
	case 0x79:
		return 1;
	default:
		return 0;
	}
}

static enum dpi_verdict ldap_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t len = p->len, h, mlen, off, idl, oplen;
	uint8_t tag;

	h = dpi_ber_hdr(b, len, 0, &tag, &mlen);
	if (!h || tag != 0x30 || mlen < 5)
		return DPI_NOT_MINE;
	if (p->l4proto == 17 ? (uint64_t)h + mlen != len : (uint64_t)h + mlen > 0x1000000)
		return DPI_NOT_MINE;
	off = h;
	if (len - off < 3 || b[off] != 0x02 || b[off + 1] < 1 || b[off + 1] > 4)
		return DPI_NOT_MINE;
	idl = b[off + 1];
	off += 2 + idl;
	h = dpi_ber_hdr(b, len, off, &tag, &oplen);
	if (!h || !ldap_op(tag) || (uint64_t)2 + idl + h + oplen > mlen)
		return DPI_NOT_MINE;
	if (tag == 0x60) {
		off += h;
		if (len - off < 3 || b[off] != 0x02 || b[off + 1] != 1 || b[off + 2] < 1 ||
		    b[off + 2] > 3)
			return DPI_NOT_MINE;
	}
	c->facts->app = DPI_APP_LDAP;
	return DPI_FOUND;
}

const struct dpi_detector dpi_ldap_detector = {
    .name = "ldap",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = ldap_probe,
};
