/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * detector: the contract of one application detector (one file each under
 * firmware/dpi/, registered in the explicit table in registry.c).
 *
 * A detector declares which packets it wants (transport, payload or not) and
 * answers each one with FOUND (the flow is its application), NEED_MORE (looks
 * like it, show me the next packet) or NOT_MINE (never call again for this
 * flow). It writes the facts it learns (server name, ALPN, versions, flags)
 * into the flow's struct dpi_facts. Port numbers may be used as a hint to
 * choose the order of detectors or to report a labelled port guess, never as
 * the evidence for FOUND.
 *
 * Thread:     the worker's. Allocation: none; a detector keeps what it needs
 *             between packets in its scratch area (DPI_SCRATCH bytes, zeroed
 *             when the flow starts) and, for stream reassembly, in the
 *             buffer the engine lends (dpi_stream).
 * Input:      hostile: every read is bounds-checked against len.
 */
#ifndef SEGW_DPI_DETECTOR_H
#define SEGW_DPI_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

/* Application ids; the names are nDPI's master protocol names. */
#define DPI_APPS(X)                                                             \
	X(UNKNOWN, "Unknown") X(TLS, "TLS") X(QUIC, "QUIC") X(DNS, "DNS")       \
	X(HTTP, "HTTP") X(HTTP_CONNECT, "HTTP_Connect") X(SSH, "SSH")           \
	X(SMTP, "SMTP") X(SMTPS, "SMTPS") X(IMAP, "IMAP") X(IMAPS, "IMAPS")     \
	X(POP3, "POP3") X(POPS, "POPS") X(SNMP, "SNMP") X(NTP, "NTP")           \
	X(SIP, "SIP") X(MQTT, "MQTT") X(SYSLOG, "Syslog") X(DHCP, "DHCP")       \
	X(DHCPV6, "DHCPV6") X(IPSEC, "IPsec") X(WIREGUARD, "WireGuard")         \
	X(OPENVPN, "OpenVPN") X(RDP, "RDP") X(SMBV23, "SMBv23") X(SMBV1, "SMBv1") \
	X(KERBEROS, "Kerberos") X(LDAP, "LDAP") X(BGP, "BGP") X(ICMP, "ICMP")   \
	X(ICMPV6, "ICMPV6") X(DTLS, "DTLS")

enum dpi_app {
#define X(id, name) DPI_APP_##id,
	DPI_APPS(X)
#undef X
	DPI_APP__COUNT
};

/*
 * DPI_FOUND_MORE: the flow is this detector's application (decided now,
 * dpi_packets counts up to here), but it would like the next packets of the
 * flow for more facts (ServerHello, certificate). The engine then calls only
 * this detector until it answers FOUND or NOT_MINE (the app stays) or the
 * packet budget ends.
 */
enum dpi_verdict { DPI_NEED_MORE = 0, DPI_FOUND, DPI_NOT_MINE, DPI_FOUND_MORE };

/* Facts as flags, for policy and the report ("flags": [...]). */
enum dpi_fact_flag {
	DPI_F_NO_SNI = 1u << 0,
	DPI_F_ECH = 1u << 1,          /* encrypted_client_hello offered (real or GREASE) */
	DPI_F_SNI_MISMATCH = 1u << 2, /* SNI not covered by the server certificate */
	DPI_F_OLD_TLS = 1u << 3,      /* negotiated below TLS 1.2 */
	DPI_F_STARTTLS = 1u << 4,
	DPI_F_COMMUNITY = 1u << 5,    /* SNMP community string present (v1/v2c) */
	DPI_F_TRUNCATED = 1u << 6,    /* gave up: reassembly limit reached */
};

#define DPI_NAME_MAX 256

struct dpi_facts {
	uint16_t app;             /* enum dpi_app */
	uint16_t tls_version;     /* negotiated, wire value (0x0303...), 0 unknown */
	uint32_t flags;           /* enum dpi_fact_flag */
	char server_name[DPI_NAME_MAX]; /* SNI, Host, query name; "" none */
	char alpn[64];            /* comma separated, as offered */
	char ja4[40];
	char ja4s[32];
	char user_agent[128];
	char method[16];
	uint16_t path_len;
	uint16_t dns_qtype;
	uint8_t dns_rcode;
	uint8_t version;          /* protocol version where one exists (SNMP, NTP, SSH 2) */
	char cert_subject[128];
	char cert_issuer[128];
	uint64_t cert_not_before; /* seconds since the epoch, 0 unknown */
	uint64_t cert_not_after;
	/* additions (engine and TLS/QUIC/DNS) */
	uint16_t tls_cipher;      /* negotiated cipher suite, 0 unknown */
	uint16_t tls_client_version; /* highest offered (supported_versions or legacy) */
	uint32_t quic_version;    /* QUIC long-header version, 0 none */
	uint8_t name_source;      /* enum dpi_name_source */
	uint8_t dns_answers;      /* addresses seen in the answer */
};

enum dpi_name_source { DPI_NAME_NONE = 0, DPI_NAME_DPI, DPI_NAME_DNS_CACHE };

#define DPI_SCRATCH 64

struct dpi_stream; /* engine-owned reassembly buffer, see dpi_stream_* */

/* What a detector sees of one packet of the flow. */
struct dpi_pkt {
	const uint8_t *payload; /* transport payload (may be NULL when len 0) */
	uint32_t len;
	uint8_t dir;            /* 0 client to server, 1 server to client */
	uint8_t l4proto;        /* 6 tcp, 17 udp, 1 icmp, 58 icmpv6, ... */
	uint16_t client_port, server_port;
	uint32_t index;         /* 0-based packet number in the flow */
	uint32_t tcp_seq;       /* TCP only */
	uint8_t tcp_flags;
};

struct dpi_ctx {
	struct dpi_facts *facts;
	uint8_t *scratch;        /* DPI_SCRATCH bytes, this detector's alone */
	struct dpi_stream *stream; /* may be NULL when the pool ran dry */
	/* additions */
	void *engine;            /* engine private: dpi_stream_borrow(), dns cache */
	uint8_t l4proto;
	uint8_t ipver;
	const uint8_t *client_ip, *server_ip; /* 16 bytes, IPv4 in the first 4 */
};

#define DPI_L4_TCP 0x1
#define DPI_L4_UDP 0x2
#define DPI_L4_OTHER 0x4 /* ICMP, ICMPv6, ESP, ... */

struct dpi_detector {
	const char *name;
	uint8_t l4_mask;        /* DPI_L4_* */
	uint8_t needs_payload;  /* 1: not called for empty packets */
	enum dpi_verdict (*probe)(struct dpi_ctx *c, const struct dpi_pkt *p);
	uint16_t app;           /* addition: app on FOUND when facts->app is 0 */
	uint16_t hint_port;     /* addition: well-known port, ordering only (0 none) */
};

const char *dpi_app_name(unsigned app);

#endif
