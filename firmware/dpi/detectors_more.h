/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The detectors beyond TLS, QUIC, DNS and HTTP: one file each in
 * firmware/dpi/, declared here and listed in DPI_MORE_DETECTORS, which the
 * registry (registry.c) places in its explicit table.
 *
 * Also a few static inline readers the detectors share (bounds are the
 * caller's job: each takes the offset already checked against the length).
 */
#ifndef SEGW_DPI_DETECTORS_MORE_H
#define SEGW_DPI_DETECTORS_MORE_H

#include <stddef.h>
#include <stdint.h>

#include "dpi/detector.h"

extern const struct dpi_detector dpi_ssh_detector;
extern const struct dpi_detector dpi_smtp_detector;
extern const struct dpi_detector dpi_imap_detector;
extern const struct dpi_detector dpi_pop3_detector;
extern const struct dpi_detector dpi_snmp_detector;
extern const struct dpi_detector dpi_ntp_detector;
extern const struct dpi_detector dpi_sip_detector;
extern const struct dpi_detector dpi_mqtt_detector;
extern const struct dpi_detector dpi_syslog_detector;
extern const struct dpi_detector dpi_dhcp_detector;
extern const struct dpi_detector dpi_dhcpv6_detector;
extern const struct dpi_detector dpi_ipsec_detector;
extern const struct dpi_detector dpi_wireguard_detector;
extern const struct dpi_detector dpi_openvpn_detector;
extern const struct dpi_detector dpi_rdp_detector;
extern const struct dpi_detector dpi_smb_detector;
extern const struct dpi_detector dpi_kerberos_detector;
extern const struct dpi_detector dpi_ldap_detector;
extern const struct dpi_detector dpi_bgp_detector;
extern const struct dpi_detector dpi_icmp_detector;

/*
 * Order matters only between detectors that could both claim one flow; the
 * structural ones (fixed magic, ASN.1 shapes) come before the textual ones,
 * the weakest (Syslog, NTP, OpenVPN, WireGuard data) last.
 */
#define DPI_MORE_DETECTORS                                                                         \
	&dpi_icmp_detector, &dpi_ssh_detector, &dpi_dhcp_detector, &dpi_dhcpv6_detector,           \
	    &dpi_kerberos_detector, &dpi_snmp_detector, &dpi_ldap_detector, &dpi_smb_detector,     \
	    &dpi_rdp_detector, &dpi_bgp_detector, &dpi_sip_detector, &dpi_smtp_detector,           \
	    &dpi_imap_detector, &dpi_pop3_detector, &dpi_mqtt_detector, &dpi_ipsec_detector,       \
	    &dpi_wireguard_detector, &dpi_openvpn_detector, &dpi_ntp_detector,                     \
	    &dpi_syslog_detector

static inline uint16_t dpi_rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t dpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 1 if the @len bytes at @p begin with the literal @s (case-insensitive). */
static inline int dpi_starts_ci(const uint8_t *p, uint32_t len, const char *s)
{
	uint32_t i;

	for (i = 0; s[i]; i++) {
		uint8_t a = i < len ? p[i] : 0, b = (uint8_t)s[i];

		if (i >= len)
			return 0;
		if (a >= 'a' && a <= 'z')
			a = (uint8_t)(a - 32);
		if (b >= 'a' && b <= 'z')
			b = (uint8_t)(b - 32);
		if (a != b)
			return 0;
	}
	return 1;
}

/* Port @port is the flow's server or client port. */
static inline int dpi_port_is(const struct dpi_pkt *p, uint16_t port)
{
	return p->server_port == port || p->client_port == port;
}

/*
 * dpi_ber_hdr - read the BER/DER tag and definite length at @off of @p
 * (@len bytes). Returns the header size (2..6) and sets *tag, *vlen; 0 when
 * the header itself is malformed or truncated. *vlen is NOT checked against
 * what remains: the caller decides whether a value may run past the packet.
 */
static inline uint32_t dpi_ber_hdr(const uint8_t *p, uint32_t len, uint32_t off, uint8_t *tag,
                                   uint32_t *vlen)
{
	uint32_t n, i, v = 0;

	if (off >= len || len - off < 2)
		return 0;
	*tag = p[off];
	if ((p[off] & 0x1f) == 0x1f) /* multi-byte tags: none of ours use them */
		return 0;
	if (!(p[off + 1] & 0x80)) {
		*vlen = p[off + 1];
		return 2;
	}
	n = p[off + 1] & 0x7fu;
	if (n == 0 || n > 4 || len - off - 2 < n)
		return 0;
	for (i = 0; i < n; i++)
		v = v << 8 | p[off + 2 + i];
	*vlen = v;
	return 2 + n;
}

#endif
