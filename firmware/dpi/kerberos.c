// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kerberos: Kerberos V5 (RFC 4120) over UDP or TCP (RFC 4120 7.2.2: a 4-byte
 * record mark before each message).
 *
 * Evidence: a message is an ASN.1 [APPLICATION n] whose n is a Kerberos
 * message type (AS-REQ 10 ... KRB-ERROR 30), wrapping a SEQUENCE whose first
 * two fields are pvno = 5 and msg-type = n: [1]/[2] in a KDC-REQ, [0]/[1]
 * in all the others. Every length on the way must fit in the outer one; on
 * UDP the message fills the datagram exactly, on TCP the record mark equals
 * the message size (the segment may hold only its start).
 */
#include "dpi/detectors_more.h"

static int krb_app_type(uint8_t tag)
{
	switch (tag) {
	case 0x6a:
	case 0x6b:
	case 0x6c:
	case 0x6d:
	case 0x6e:
	case 0x6f: /* 10..15 */
	case 0x74:
	case 0x75:
	case 0x76:
	case 0x7e: /* 20 21 22 30 */
		return tag & 0x1f;
	default:
		return -1;
	}
}

/* An explicitly tagged [ctx] INTEGER of one byte at *off; returns its value or -1. */
static int krb_small_int(const uint8_t *b, uint32_t len, uint32_t *off, uint8_t ctx)
{
	uint8_t tag;
	uint32_t vlen, h;

	h = dpi_ber_hdr(b, len, *off, &tag, &vlen);
	if (!h || tag != ctx || vlen != 3)
		return -1;
	*off += h;
	if (len - *off < 3 || b[*off] != 0x02 || b[*off + 1] != 0x01)
		return -1;
	*off += 3;
	return b[*off - 1];
}

/* 1 if @b (@len bytes, @whole bytes in the message) starts a Kerberos message. */
static int krb_message(const uint8_t *b, uint32_t len, uint32_t whole)
{
	uint8_t tag;
	uint32_t vlen, h, off = 0, seq_len;
	int type, first;

	h = dpi_ber_hdr(b, len, 0, &tag, &vlen);
	type = h ? krb_app_type(tag) : -1;
	if (type < 0 || (uint64_t)h + vlen != whole)
		return 0;
	off = h;
	h = dpi_ber_hdr(b, len, off, &tag, &seq_len);
	if (!h || tag != 0x30 || (uint64_t)h + seq_len != vlen)
		return 0;
	off += h;
	first = (type == 10 || type == 12) ? 0xa1 : 0xa0;
	if (krb_small_int(b, len, &off, (uint8_t)first) != 5)
		return 0;
	return krb_small_int(b, len, &off, (uint8_t)(first + 1)) == type;
}

static enum dpi_verdict krb_probe(struct dpi_ctx *c, const struct dpi_pkt *p)
{
	const uint8_t *b = p->payload;
	uint32_t rec;

	if (p->l4proto == 17) {
		if (!krb_message(b, p->len, p->len))
			return DPI_NOT_MINE;
	} else {
		if (p->len < 4)
			return DPI_NOT_MINE;
		rec = dpi_rd32(b);
		if (rec < p->len - 4 || rec > 0xffffff || !krb_message(b + 4, p->len - 4, rec))
			return DPI_NOT_MINE;
	}
	c->facts->app = DPI_APP_KERBEROS;
	c->facts->version = 5;
	return DPI_FOUND;
}

const struct dpi_detector dpi_kerberos_detector = {
    .name = "kerberos",
    .l4_mask = DPI_L4_TCP | DPI_L4_UDP,
    .needs_payload = 1,
    .probe = krb_probe,
};
