// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_more: unit tests of the detectors of detectors_more.h, fed payloads
 * built byte by byte from the protocol specifications: positive cases in
 * both directions, other protocols that must be NOT_MINE, and hostile input
 * (truncated, lying length fields, empty). Each test drives one detector
 * over a packet sequence of one flow, as the engine does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dpi/detectors_more.h"

/* One flow under test: a detector, its facts and scratch, its packet count. */
struct flow {
	const struct dpi_detector *det;
	struct dpi_facts facts;
	uint8_t scratch[DPI_SCRATCH];
	uint8_t l4;
	uint16_t cport, sport;
	uint32_t index;
};

static void flow_init(struct flow *f, const struct dpi_detector *det, uint8_t l4, uint16_t cport,
                      uint16_t sport)
{
	memset(f, 0, sizeof(*f));
	f->det = det;
	f->l4 = l4;
	f->cport = cport;
	f->sport = sport;
}

static enum dpi_verdict feed(struct flow *f, uint8_t dir, const void *b, uint32_t len)
{
	struct dpi_ctx c = {.facts = &f->facts, .scratch = f->scratch, .stream = NULL};
	struct dpi_pkt p = {.payload = len ? b : NULL,
	                    .len = len,
	                    .dir = dir,
	                    .l4proto = f->l4,
	                    .client_port = f->cport,
	                    .server_port = f->sport,
	                    .index = f->index++};
	uint8_t m = f->l4 == 6 ? DPI_L4_TCP : f->l4 == 17 ? DPI_L4_UDP : DPI_L4_OTHER;

	assert_true(f->det->l4_mask & m);
	return f->det->probe(&c, &p);
}

/* One packet on a fresh flow. */
static enum dpi_verdict once(const struct dpi_detector *det, uint8_t l4, uint16_t cport,
                             uint16_t sport, uint8_t dir, const void *b, uint32_t len,
                             struct dpi_facts *out)
{
	struct flow f;
	enum dpi_verdict v;

	flow_init(&f, det, l4, cport, sport);
	v = feed(&f, dir, b, len);
	if (out)
		*out = f.facts;
	return v;
}

#define TXT(s) (const uint8_t *)(s), (uint32_t)(sizeof(s) - 1)

/*
 * Every prefix of a valid message must be answered without reading past it
 * (each prefix sits at the very end of a buffer, so ASan catches any read
 * beyond) and must not be FOUND while shorter than @found_from bytes.
 */
static void all_prefixes(const struct dpi_detector *det, uint8_t l4, uint16_t cp, uint16_t sp,
                         uint8_t dir, const uint8_t *b, uint32_t len, uint32_t found_from)
{
	uint8_t buf[1600];
	uint32_t n;

	assert_true(len <= sizeof(buf));
	for (n = 0; n < len; n++) {
		enum dpi_verdict v;

		memcpy(buf + sizeof(buf) - n, b, n);
		v = once(det, l4, cp, sp, dir, n ? buf + sizeof(buf) - n : NULL, n, NULL);
		if (n < found_from)
			assert_int_not_equal(v, DPI_FOUND);
	}
}

/* ---- byte builders --------------------------------------------------------- */

struct buf {
	uint8_t b[1600];
	uint32_t n;
};

static void put(struct buf *x, const void *p, uint32_t n)
{
	assert_true(x->n + n <= sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void put8(struct buf *x, uint8_t v)
{
	put(x, &v, 1);
}

static void put16(struct buf *x, uint16_t v)
{
	put8(x, (uint8_t)(v >> 8));
	put8(x, (uint8_t)v);
}

static void put32(struct buf *x, uint32_t v)
{
	put16(x, (uint16_t)(v >> 16));
	put16(x, (uint16_t)v);
}

static void putn(struct buf *x, uint8_t v, uint32_t n)
{
	while (n--)
		put8(x, v);
}

static const uint8_t random_bytes[] = {
    0x9b, 0x1d, 0x44, 0xe0, 0x7a, 0x03, 0xc8, 0x5f, 0x21, 0xaa, 0x90, 0x6e, 0x13, 0xf7, 0x38, 0x02,
    0xbd, 0x71, 0x4c, 0x88, 0x5a, 0xe9, 0x0f, 0x36, 0xd2, 0x67, 0xa1, 0x1b, 0xc4, 0x7e, 0x39, 0x95,
    0x06, 0xfb, 0x52, 0x8d, 0x2e, 0xb0, 0x64, 0x17, 0xcf, 0x43, 0x99, 0x0a, 0xe5, 0x7c, 0x31, 0xd8,
    0x86, 0x2b, 0x5e, 0xf0, 0x14, 0xa7, 0x69, 0x3d, 0xc1, 0x08, 0x9e, 0x75, 0x4a, 0xe2, 0x1f, 0xb6};

static const char http_get[] = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
                               "User-Agent: test\r\nAccept: */*\r\n\r\n";

/* A DNS query for www.example.com (A), 33 bytes, and one padded to 60. */
static uint32_t dns_query(uint8_t *out, uint32_t pad)
{
	static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	                            0x00, 0x00, 0x00, 3,    'w',  'w',  'w',  7,    'e',
	                            'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',
	                            'm',  0,    0x00, 0x01, 0x00, 0x01};

	memcpy(out, q, sizeof(q));
	memset(out + sizeof(q), 0, pad);
	return (uint32_t)sizeof(q) + pad;
}

/* ---- ICMP ------------------------------------------------------------------ */

static void test_icmp(void **state)
{
	static const uint8_t echo[] = {8, 0, 0xf7, 0xff, 0, 1, 0, 1};
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_icmp_detector, 1, 0, 0, 0, echo, sizeof(echo), &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_ICMP);
	assert_int_equal(once(&dpi_icmp_detector, 58, 0, 0, 1, echo, sizeof(echo), &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_ICMPV6);
	assert_int_equal(once(&dpi_icmp_detector, 58, 0, 0, 0, NULL, 0, &f), DPI_FOUND);
	assert_int_equal(dpi_icmp_detector.needs_payload, 0);
	assert_int_equal(once(&dpi_icmp_detector, 50, 0, 0, 0, echo, sizeof(echo), &f),
	                 DPI_NOT_MINE);
	assert_int_equal(f.app, DPI_APP_UNKNOWN);
}

/* ---- SSH ------------------------------------------------------------------- */

static void test_ssh(void **state)
{
	struct dpi_facts f;

	(void)state;
	assert_int_equal(
	    once(&dpi_ssh_detector, 6, 50000, 22, 0, TXT("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3\r\n"), &f),
	    DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SSH);
	assert_int_equal(f.version, 2);
	assert_int_equal(
	    once(&dpi_ssh_detector, 6, 50000, 2222, 1, TXT("SSH-1.99-Cisco-1.25\n"), &f),
	    DPI_FOUND);
	assert_int_equal(f.version, 2);
	assert_int_equal(once(&dpi_ssh_detector, 6, 50000, 22, 1, TXT("SSH-1.5-dropbear\r\n"), &f),
	                 DPI_FOUND);
	assert_int_equal(f.version, 1);
	/* Not SSH: HTTP, a bare prefix, no software, control bytes, SSH-3.0. */
	assert_int_equal(once(&dpi_ssh_detector, 6, 50000, 22, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_ssh_detector, 6, 50000, 22, 0, TXT("SSH-2.0-\r\n"), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_ssh_detector, 6, 50000, 22, 0, TXT("SSH-2.0-Open\x01SSH\r\n"), NULL),
	    DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_ssh_detector, 6, 50000, 22, 0, TXT("SSH-3.0-OpenSSH_9\r\n"), NULL),
	    DPI_NOT_MINE);
	assert_int_equal(once(&dpi_ssh_detector, 6, 50000, 22, 0, NULL, 0, NULL), DPI_NOT_MINE);
	all_prefixes(&dpi_ssh_detector, 6, 50000, 22, 0, TXT("SSH-2.0-OpenSSH_9.6\r\n"), 16);
}

/* ---- SMTP / IMAP / POP3 ----------------------------------------------------- */

static void test_smtp(void **state)
{
	struct flow f;

	(void)state;
	/* Plain: banner, EHLO, capabilities, MAIL FROM settles SMTP. */
	flow_init(&f, &dpi_smtp_detector, 6, 40000, 25);
	assert_int_equal(feed(&f, 1, TXT("220 mx.example.org ESMTP Postfix\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("EHLO client.example.com\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 1, TXT("250-mx.example.org\r\n250 STARTTLS\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("MAIL FROM:<a@example.com>\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_SMTP);
	assert_false(f.facts.flags & DPI_F_STARTTLS);
	/* STARTTLS: SMTPS with the flag. */
	flow_init(&f, &dpi_smtp_detector, 6, 40001, 587);
	assert_int_equal(feed(&f, 1, TXT("220 smtp.example.org ready\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("EHLO [10.0.0.1]\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 1, TXT("250 STARTTLS\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("STARTTLS\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_SMTPS);
	assert_true(f.facts.flags & DPI_F_STARTTLS);
	/* FTP shares the "220" greeting: USER is not SMTP. */
	flow_init(&f, &dpi_smtp_detector, 6, 40002, 21);
	assert_int_equal(feed(&f, 1, TXT("220 ProFTPD Server ready.\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("USER anonymous\r\n")), DPI_NOT_MINE);
	/* HTTP and emptiness are not SMTP. */
	assert_int_equal(once(&dpi_smtp_detector, 6, 40003, 25, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_smtp_detector, 6, 40003, 25, 1, TXT("2"), NULL), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_smtp_detector, 6, 40003, 25, 0, NULL, 0, NULL), DPI_NOT_MINE);
}

static void test_imap(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, &dpi_imap_detector, 6, 40000, 143);
	assert_int_equal(
	    feed(&f, 1, TXT("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n")),
	    DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("a001 CAPABILITY\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 1, TXT("* CAPABILITY IMAP4rev1\r\na001 OK done\r\n")),
	                 DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("a002 LOGIN user pass\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_IMAP);

	flow_init(&f, &dpi_imap_detector, 6, 40001, 143);
	assert_int_equal(feed(&f, 1, TXT("* OK IMAP ready\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("A1 STARTTLS\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_IMAPS);
	assert_true(f.facts.flags & DPI_F_STARTTLS);

	/* A client command with no server side is never enough on its own. */
	flow_init(&f, &dpi_imap_detector, 6, 40002, 143);
	assert_int_equal(feed(&f, 0, TXT("a1 LOGIN x y\r\n")), DPI_NEED_MORE);
	assert_int_equal(f.facts.app, DPI_APP_UNKNOWN);
	assert_int_equal(once(&dpi_imap_detector, 6, 40003, 143, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_imap_detector, 6, 40003, 143, 1, TXT("HTTP/1.1 200 OK\r\n"), NULL),
	    DPI_NOT_MINE);
}

static void test_pop3(void **state)
{
	struct flow f;

	(void)state;
	flow_init(&f, &dpi_pop3_detector, 6, 40000, 110);
	assert_int_equal(
	    feed(&f, 1, TXT("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")),
	    DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("USER mrose\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_POP3);

	flow_init(&f, &dpi_pop3_detector, 6, 40001, 110);
	assert_int_equal(feed(&f, 1, TXT("+OK ready\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("CAPA\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 1, TXT("+OK\r\nSTLS\r\n.\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&f, 0, TXT("STLS\r\n")), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_POPS);

	assert_int_equal(once(&dpi_pop3_detector, 6, 40002, 110, 1, TXT("+OKAY\r\n"), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_pop3_detector, 6, 40002, 110, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
}

/* ---- SNMP ------------------------------------------------------------------ */

/* SNMPv2c GetRequest for sysDescr.0, community "public". */
static uint32_t snmp_v2c_get(uint8_t *out, uint8_t version)
{
	static const uint8_t pdu[] = {0xa0, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02,
	                              0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b,
	                              0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
	struct buf x = {.n = 0};

	put8(&x, 0x30);
	put8(&x, (uint8_t)(3 + 8 + sizeof(pdu)));
	put(&x, (const uint8_t[]){0x02, 0x01, version}, 3);
	put(&x, (const uint8_t[]){0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c'}, 8);
	put(&x, pdu, sizeof(pdu));
	memcpy(out, x.b, x.n);
	return x.n;
}

static void test_snmp(void **state)
{
	uint8_t m[128];
	uint32_t n = snmp_v2c_get(m, 1);
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SNMP);
	assert_int_equal(f.version, 2);
	assert_true(f.flags & DPI_F_COMMUNITY);
	n = snmp_v2c_get(m, 0);
	m[13] = 0xa2; /* the PDU tag (after 30 len, version, community): GetResponse */
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 1, m, n, &f), DPI_FOUND);
	assert_int_equal(f.version, 1);
	/* Lying lengths: outer length one too long / short, PDU tag out of range. */
	m[1]++;
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
	m[1] -= 2;
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
	n = snmp_v2c_get(m, 1);
	m[13] = 0xa9;
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
	n = snmp_v2c_get(m, 2); /* version 2 is not on the wire (v3 is 3) */
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
	n = snmp_v2c_get(m, 1);
	m[6] = 0x7f; /* community length runs past the datagram */
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
	n = snmp_v2c_get(m, 1);
	all_prefixes(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, n);
	n = dns_query(m, 20);
	assert_int_equal(once(&dpi_snmp_detector, 17, 40000, 161, 0, m, n, NULL), DPI_NOT_MINE);
}

/* ---- NTP ------------------------------------------------------------------- */

static uint32_t ntp_client(uint8_t *m)
{
	memset(m, 0, 48);
	m[0] = 0x23; /* LI 0, VN 4, mode 3 */
	m[2] = 6;
	m[3] = 0xe9;
	memcpy(m + 40, (const uint8_t[]){0xe9, 0x4b, 0x3c, 0x10, 0x12, 0x34, 0x56, 0x78}, 8);
	return 48;
}

static void test_ntp(void **state)
{
	uint8_t m[128];
	uint32_t n = ntp_client(m);
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_NTP);
	assert_int_equal(f.version, 4);
	m[0] = 0x1c; /* v3 server reply, stratum 2 */
	m[1] = 2;
	assert_int_equal(once(&dpi_ntp_detector, 17, 123, 123, 1, m, n, &f), DPI_FOUND);
	assert_int_equal(f.version, 3);
	/* The same bytes away from port 123 are not examined. */
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 9999, 0, m, n, NULL), DPI_NOT_MINE);
	/* Hostile: version 0, stratum 200, zero transmit time, truncated. */
	n = ntp_client(m);
	m[0] = 0x03;
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, NULL), DPI_NOT_MINE);
	n = ntp_client(m);
	m[1] = 200;
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, NULL), DPI_NOT_MINE);
	n = ntp_client(m);
	memset(m + 40, 0, 8);
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, NULL), DPI_NOT_MINE);
	n = ntp_client(m);
	all_prefixes(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, n);
	/* Mode 6 control message whose count lies. */
	memset(m, 0, 12);
	m[0] = 0x16;
	m[1] = 2;
	m[11] = 200;
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, 12, NULL), DPI_NOT_MINE);
	m[11] = 0;
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, 12, NULL), DPI_FOUND);
	/* DNS on port 123, short and padded past 48 bytes: not NTP. */
	n = dns_query(m, 0);
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, NULL), DPI_NOT_MINE);
	n = dns_query(m, 27);
	assert_int_equal(n, 60);
	assert_int_equal(once(&dpi_ntp_detector, 17, 40000, 123, 0, m, n, NULL), DPI_NOT_MINE);
}

/* ---- SIP ------------------------------------------------------------------- */

static const char sip_invite[] =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

static void test_sip(void **state)
{
	struct dpi_facts f;
	struct flow fl;

	(void)state;
	assert_int_equal(once(&dpi_sip_detector, 17, 5060, 5060, 0, TXT(sip_invite), &f),
	                 DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SIP);
	assert_int_equal(once(&dpi_sip_detector, 6, 40000, 5060, 1,
	                      TXT("SIP/2.0 180 Ringing\r\nCSeq: 314159 INVITE\r\n\r\n"), &f),
	                 DPI_FOUND);
	assert_int_equal(once(&dpi_sip_detector, 17, 40000, 5060, 0,
	                      TXT("REGISTER sips:registrar.example.com SIP/2.0\r\n\r\n"), NULL),
	                 DPI_FOUND);
	/* HTTP text is not SIP, even on 5060. */
	assert_int_equal(once(&dpi_sip_detector, 6, 40000, 5060, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_sip_detector, 6, 40000, 5060, 0,
	                      TXT("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_sip_detector, 6, 40000, 5060, 1, TXT("HTTP/1.1 200 OK\r\n\r\n"), NULL),
	    DPI_NOT_MINE);
	/* A request line cut before its version, without a Via: not yet SIP. */
	assert_int_not_equal(once(&dpi_sip_detector, 17, 40000, 5060, 0,
	                          TXT("INVITE sip:bob@biloxi.example.com"), NULL),
	                     DPI_FOUND);
	/* CRLF keep-alive first, then the request. */
	flow_init(&fl, &dpi_sip_detector, 17, 5060, 5060);
	assert_int_equal(feed(&fl, 0, TXT("\r\n\r\n")), DPI_NEED_MORE);
	assert_int_equal(feed(&fl, 1, TXT(sip_invite)), DPI_FOUND);
	assert_int_equal(
	    once(&dpi_sip_detector, 17, 5060, 5060, 0, random_bytes, sizeof(random_bytes), NULL),
	    DPI_NOT_MINE);
	all_prefixes(&dpi_sip_detector, 17, 5060, 5060, 0, TXT(sip_invite), 42);
}

/* ---- MQTT ------------------------------------------------------------------ */

static uint32_t mqtt_connect_pkt(uint8_t *out, uint8_t level)
{
	struct buf x = {.n = 0};

	put8(&x, 0x10);
	put8(&x, 10 + 2 + 4);
	put(&x, (const uint8_t[]){0, 4, 'M', 'Q', 'T', 'T'}, 6);
	put8(&x, level);
	put8(&x, 0x02); /* clean session */
	put16(&x, 60);
	put16(&x, 4);
	put(&x, "dev1", 4);
	memcpy(out, x.b, x.n);
	return x.n;
}

static void test_mqtt(void **state)
{
	uint8_t m[64];
	uint32_t n = mqtt_connect_pkt(m, 4);
	struct dpi_facts f;
	struct flow fl;

	(void)state;
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_MQTT);
	assert_int_equal(f.version, 4);
	all_prefixes(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, 12);
	n = mqtt_connect_pkt(m, 9); /* unknown level */
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, NULL), DPI_NOT_MINE);
	n = mqtt_connect_pkt(m, 4);
	m[9] |= 1; /* reserved flag */
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, NULL), DPI_NOT_MINE);
	n = mqtt_connect_pkt(m, 4);
	m[1] = 3; /* remaining length shorter than the packet */
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, NULL), DPI_NOT_MINE);
	m[1] = 0xff; /* a remaining length that never ends */
	m[2] = 0xff;
	m[3] = 0xff;
	m[4] = 0xff;
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, m, n, NULL), DPI_NOT_MINE);
	/* Mid-session: a PUBLISH from the broker, and a ping pair. */
	assert_int_equal(
	    once(&dpi_mqtt_detector, 6, 40000, 1883, 1,
	         (const uint8_t[]){0x30, 0x09, 0x00, 0x03, 'a', '/', 'b', 'h', 'e', 'l', 'o'}, 11,
	         NULL),
	    DPI_FOUND);
	assert_int_equal(
	    once(&dpi_mqtt_detector, 6, 40000, 1883, 1,
	         (const uint8_t[]){0x30, 0x09, 0x00, 0x03, 'a', '#', 'b', 'h', 'e', 'l', 'o'}, 11,
	         NULL),
	    DPI_NOT_MINE);
	flow_init(&fl, &dpi_mqtt_detector, 6, 40000, 1883);
	assert_int_equal(feed(&fl, 0, (const uint8_t[]){0xc0, 0x00}, 2), DPI_NEED_MORE);
	assert_int_equal(feed(&fl, 0, (const uint8_t[]){0xd0, 0x00}, 2), DPI_NEED_MORE);
	assert_int_equal(feed(&fl, 1, (const uint8_t[]){0xd0, 0x00}, 2), DPI_FOUND);
	assert_int_equal(once(&dpi_mqtt_detector, 6, 40000, 1883, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
}

/* ---- Syslog ---------------------------------------------------------------- */

static void test_syslog(void **state)
{
	struct dpi_facts f;

	(void)state;
	assert_int_equal(
	    once(&dpi_syslog_detector, 17, 40000, 514, 0,
	         TXT("<34>Oct 11 22:14:15 mymachine su: 'su root' failed on /dev/pts/8"), &f),
	    DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SYSLOG);
	assert_int_equal(once(&dpi_syslog_detector, 17, 40000, 514, 0,
	                      TXT("<165>1 2003-10-11T22:14:15.003Z host app - ID47 - msg"), NULL),
	                 DPI_FOUND);
	assert_int_equal(once(&dpi_syslog_detector, 6, 40000, 6514, 0,
	                      TXT("57 <13>1 2024-01-01T00:00:00Z h a - - - hello there"), NULL),
	                 DPI_FOUND);
	/* PRI out of range, leading zero, no '>', binary after the PRI, empty. */
	assert_int_equal(
	    once(&dpi_syslog_detector, 17, 40000, 514, 0, TXT("<192>Oct 11 22:14:15 host x"), NULL),
	    DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_syslog_detector, 17, 40000, 514, 0, TXT("<034>Oct 11 22:14:15 host x"), NULL),
	    DPI_NOT_MINE);
	assert_int_equal(
	    once(&dpi_syslog_detector, 17, 40000, 514, 0, TXT("<34 Oct 11 22:14"), NULL),
	    DPI_NOT_MINE);
	assert_int_equal(once(&dpi_syslog_detector, 17, 40000, 514, 0,
	                      TXT("<34>\x01\x02\x03\x04\x05\x06\x07\x08\x09"), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_syslog_detector, 17, 40000, 514, 0, TXT("<34>"), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_syslog_detector, 6, 40000, 514, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	all_prefixes(&dpi_syslog_detector, 17, 40000, 514, 0, TXT("<34>su: failed on tty"), 12);
}

/* ---- DHCP / DHCPv6 --------------------------------------------------------- */

static uint32_t dhcp_discover(uint8_t *m)
{
	static const uint8_t opts[] = {53, 1, 1, 55, 3, 1, 3, 6, 255};

	memset(m, 0, 300);
	m[0] = 1; /* BOOTREQUEST */
	m[1] = 1;
	m[2] = 6;
	memcpy(m + 4, "\x3d\x1d\x00\x01", 4);
	memcpy(m + 28, "\x00\x0c\x29\x11\x22\x33", 6);
	memcpy(m + 236, "\x63\x82\x53\x63", 4);
	memcpy(m + 240, opts, sizeof(opts));
	return 300;
}

static void test_dhcp(void **state)
{
	uint8_t m[300];
	uint32_t n = dhcp_discover(m);
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_dhcp_detector, 17, 68, 67, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_DHCP);
	m[0] = 2; /* the OFFER direction */
	assert_int_equal(once(&dpi_dhcp_detector, 17, 68, 67, 1, m, n, NULL), DPI_FOUND);
	/* Off the usual ports the message type option must be there. */
	assert_int_equal(once(&dpi_dhcp_detector, 17, 40000, 6767, 0, m, n, NULL), DPI_FOUND);
	m[240] = 54;
	assert_int_equal(once(&dpi_dhcp_detector, 17, 40000, 6767, 0, m, n, NULL), DPI_NOT_MINE);
	n = dhcp_discover(m);
	m[240 + 1] = 250; /* option length lies, off port */
	assert_int_equal(once(&dpi_dhcp_detector, 17, 40000, 6767, 0, m, n, NULL), DPI_NOT_MINE);
	n = dhcp_discover(m);
	m[236] = 0x64; /* no magic cookie */
	assert_int_equal(once(&dpi_dhcp_detector, 17, 68, 67, 0, m, n, NULL), DPI_NOT_MINE);
	n = dhcp_discover(m);
	m[0] = 3;
	assert_int_equal(once(&dpi_dhcp_detector, 17, 68, 67, 0, m, n, NULL), DPI_NOT_MINE);
	n = dhcp_discover(m);
	all_prefixes(&dpi_dhcp_detector, 17, 68, 67, 0, m, n, 240);
}

static void test_dhcpv6(void **state)
{
	struct buf x = {.n = 0};
	struct dpi_facts f;

	(void)state;
	put8(&x, 1); /* SOLICIT */
	put(&x, "\xab\xcd\xef", 3);
	put16(&x, 1); /* client id: DUID-LL */
	put16(&x, 10);
	put(&x, "\x00\x03\x00\x01\x00\x0c\x29\x11\x22\x33", 10);
	put16(&x, 8); /* elapsed time */
	put16(&x, 2);
	put16(&x, 0);
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 546, 547, 0, x.b, x.n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_DHCPV6);
	x.b[0] = 7; /* REPLY */
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 546, 547, 1, x.b, x.n, NULL), DPI_FOUND);
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 40000, 40001, 0, x.b, x.n, NULL),
	                 DPI_NOT_MINE);
	x.b[7] = 11; /* option length one past the datagram */
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 546, 547, 0, x.b, x.n, NULL), DPI_NOT_MINE);
	x.b[7] = 10;
	x.b[0] = 14;
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 546, 547, 0, x.b, x.n, NULL), DPI_NOT_MINE);
	x.b[0] = 1;
	assert_int_equal(once(&dpi_dhcpv6_detector, 17, 546, 547, 0, x.b, 4, NULL), DPI_NOT_MINE);
	all_prefixes(&dpi_dhcpv6_detector, 17, 546, 547, 0, x.b, x.n, 18); /* header + client id */
}

/* ---- IPsec ----------------------------------------------------------------- */

static uint32_t ike_sa_init(uint8_t *out, int marker)
{
	struct buf x = {.n = 0};

	if (marker)
		put32(&x, 0);
	put32(&x, 0x8a3f21c4); /* initiator SPI */
	put32(&x, 0x55e01b72);
	put32(&x, 0); /* responder SPI */
	put32(&x, 0);
	put8(&x, 33); /* SA */
	put8(&x, 0x20);
	put8(&x, 34); /* IKE_SA_INIT */
	put8(&x, 0x08);
	put32(&x, 0);
	put32(&x, 28 + 8);
	put8(&x, 0); /* SA payload, empty proposal list for the test */
	put8(&x, 0);
	put16(&x, 8);
	put32(&x, 0);
	memcpy(out, x.b, x.n);
	return x.n;
}

static void test_ipsec(void **state)
{
	uint8_t m[128], esp[64];
	uint32_t n = ike_sa_init(m, 0), i;
	struct dpi_facts f;
	struct flow fl;

	(void)state;
	assert_int_equal(once(&dpi_ipsec_detector, 17, 500, 500, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_IPSEC);
	n = ike_sa_init(m, 1);
	assert_int_equal(once(&dpi_ipsec_detector, 17, 4500, 4500, 1, m, n, NULL), DPI_FOUND);
	m[4 + 27]++; /* length field lies */
	assert_int_equal(once(&dpi_ipsec_detector, 17, 4500, 4500, 0, m, n, NULL), DPI_NOT_MINE);
	n = ike_sa_init(m, 0);
	m[17] = 0x30; /* IKE version 3 */
	assert_int_equal(once(&dpi_ipsec_detector, 17, 500, 500, 0, m, n, NULL), DPI_NOT_MINE);
	/* ESP as IP protocol 50 and AH as 51. */
	memset(esp, 0x5a, sizeof(esp));
	memcpy(esp, "\x00\x00\x12\x34\x00\x00\x00\x01", 8);
	assert_int_equal(once(&dpi_ipsec_detector, 50, 0, 0, 0, esp, sizeof(esp), &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_IPSEC);
	assert_int_equal(once(&dpi_ipsec_detector, 50, 0, 0, 0, "\0\0\0\x05\0\0\0\x01", 8, NULL),
	                 DPI_NOT_MINE); /* reserved SPI */
	assert_int_equal(once(&dpi_ipsec_detector, 50, 0, 0, 0, esp, 7, NULL), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_ipsec_detector, 51, 0, 0, 0,
	                      "\x04\x04\x00\x00\x00\x00\x10\x01\x00\x00\x00\x01"
	                      "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c",
	                      24, NULL),
	                 DPI_FOUND);
	/* ESP in UDP on 4500: a keep-alive, then three growing sequence numbers. */
	flow_init(&fl, &dpi_ipsec_detector, 17, 4500, 4500);
	assert_int_equal(feed(&fl, 0, "\xff", 1), DPI_NEED_MORE);
	for (i = 1; i <= 3; i++) {
		esp[7] = (uint8_t)i;
		assert_int_equal(feed(&fl, 0, esp, sizeof(esp)), i < 3 ? DPI_NEED_MORE : DPI_FOUND);
	}
	/* ...but sequence numbers that jump back are not ESP. */
	flow_init(&fl, &dpi_ipsec_detector, 17, 4500, 4500);
	esp[7] = 9;
	assert_int_equal(feed(&fl, 0, esp, sizeof(esp)), DPI_NEED_MORE);
	esp[7] = 2;
	assert_int_equal(feed(&fl, 0, esp, sizeof(esp)), DPI_NEED_MORE);
	esp[7] = 1;
	assert_int_equal(feed(&fl, 0, esp, sizeof(esp)), DPI_NEED_MORE);
	assert_int_equal(fl.facts.app, DPI_APP_UNKNOWN);
	/* Random bytes off port 4500 are not IKE. */
	assert_int_equal(
	    once(&dpi_ipsec_detector, 17, 40000, 500, 0, random_bytes, sizeof(random_bytes), NULL),
	    DPI_NOT_MINE);
	n = ike_sa_init(m, 0);
	all_prefixes(&dpi_ipsec_detector, 17, 500, 500, 0, m, n, n);
}

/* ---- WireGuard ------------------------------------------------------------- */

static void wg_msg(struct buf *x, uint8_t type, uint32_t len, uint32_t a, uint32_t b)
{
	x->n = 0;
	put8(x, type);
	putn(x, 0, 3);
	/* little endian indexes, as WireGuard writes them */
	put(x, &(uint8_t[]){(uint8_t)a, (uint8_t)(a >> 8), (uint8_t)(a >> 16), (uint8_t)(a >> 24)},
	    4);
	put(x, &(uint8_t[]){(uint8_t)b, (uint8_t)(b >> 8), (uint8_t)(b >> 16), (uint8_t)(b >> 24)},
	    4);
	putn(x, 0x42, len - 12);
}

static void test_wireguard(void **state)
{
	struct buf x;
	struct flow f;

	(void)state;
	/* Initiation, then a response naming the initiator's index. */
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	wg_msg(&x, 1, 148, 0x11223344, 0);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NEED_MORE);
	wg_msg(&x, 2, 92, 0x55667788, 0x11223344);
	assert_int_equal(feed(&f, 1, x.b, x.n), DPI_FOUND);
	assert_int_equal(f.facts.app, DPI_APP_WIREGUARD);
	/* A response naming another index is not. */
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	wg_msg(&x, 1, 148, 0x11223344, 0);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NEED_MORE);
	wg_msg(&x, 2, 92, 0x55667788, 0x99999999);
	assert_int_not_equal(feed(&f, 1, x.b, x.n), DPI_FOUND);
	/* Transport data both ways. */
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	wg_msg(&x, 4, 48, 0xaabbccdd, 1);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NEED_MORE);
	wg_msg(&x, 4, 48, 0xaabbccdd, 2);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NEED_MORE);
	wg_msg(&x, 4, 64, 0x01020304, 1);
	assert_int_equal(feed(&f, 1, x.b, x.n), DPI_FOUND);
	/* Hostile: data not a multiple of 16, counter going back, nonzero reserved. */
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	wg_msg(&x, 4, 50, 0xaabbccdd, 1);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NOT_MINE);
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	wg_msg(&x, 4, 48, 0xaabbccdd, 5);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NEED_MORE);
	wg_msg(&x, 4, 48, 0xaabbccdd, 4);
	assert_int_equal(feed(&f, 0, x.b, x.n), DPI_NOT_MINE);
	wg_msg(&x, 1, 148, 1, 0);
	x.b[2] = 1;
	assert_int_equal(once(&dpi_wireguard_detector, 17, 1, 2, 0, x.b, x.n, NULL), DPI_NOT_MINE);
	/* Random bytes, in both directions, are never WireGuard. */
	flow_init(&f, &dpi_wireguard_detector, 17, 40000, 51820);
	assert_int_equal(feed(&f, 0, random_bytes, sizeof(random_bytes)), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_wireguard_detector, 17, 40000, 51820, 0, NULL, 0, NULL),
	                 DPI_NOT_MINE);
}

/* ---- OpenVPN --------------------------------------------------------------- */

static const uint8_t ovpn_csid[8] = {0xaa, 0xe0, 0x65, 0x12, 0x39, 0x2a, 0x3d, 0x71};

/* Plain (no tls-auth) hard resets: client V2, server V2 acking the client. */
static uint32_t ovpn_plain(uint8_t *out, int server, int tcp)
{
	struct buf x = {.n = 0};

	if (tcp)
		put16(&x, server ? 26 : 14);
	put8(&x, server ? 0x40 : 0x38);
	if (server) {
		put(&x, "\x53\xc9\x6d\xd0\x83\x72\x4f\xd2", 8);
		put8(&x, 1);
		put32(&x, 0);
		put(&x, ovpn_csid, 8);
	} else {
		put(&x, ovpn_csid, 8);
		put8(&x, 0);
	}
	put32(&x, 0);
	memcpy(out, x.b, x.n);
	return x.n;
}

/* tls-crypt layout: session id, packet id, net time, then opaque bytes. */
static uint32_t ovpn_crypt(uint8_t *out, int server, uint32_t net_time)
{
	struct buf x = {.n = 0};

	put8(&x, server ? 0x40 : 0x50);
	put(&x, server ? (const uint8_t *)"\x53\xc9\x6d\xd0\x83\x72\x4f\xd2" : ovpn_csid, 8);
	put32(&x, 1);
	put32(&x, net_time);
	put(&x, random_bytes, 48);
	memcpy(out, x.b, x.n);
	return x.n;
}

static void test_openvpn(void **state)
{
	uint8_t m[128];
	uint32_t n;
	struct flow f;

	(void)state;
	for (int tcp = 0; tcp < 2; tcp++) {
		flow_init(&f, &dpi_openvpn_detector, tcp ? 6 : 17, 40000, 1194);
		n = ovpn_plain(m, 0, tcp);
		assert_int_equal(feed(&f, 0, m, n), DPI_NEED_MORE);
		n = ovpn_plain(m, 1, tcp);
		assert_int_equal(feed(&f, 1, m, n), DPI_FOUND);
		assert_int_equal(f.facts.app, DPI_APP_OPENVPN);
	}
	/* The server must acknowledge the client's session id. */
	flow_init(&f, &dpi_openvpn_detector, 17, 40000, 1194);
	n = ovpn_plain(m, 0, 0);
	assert_int_equal(feed(&f, 0, m, n), DPI_NEED_MORE);
	n = ovpn_plain(m, 1, 0);
	m[20] ^= 1;
	assert_int_equal(feed(&f, 1, m, n), DPI_NOT_MINE);
	/* tls-crypt: the same net time both ways. */
	flow_init(&f, &dpi_openvpn_detector, 17, 40000, 1194);
	n = ovpn_crypt(m, 0, 0x625a9e97);
	assert_int_equal(feed(&f, 0, m, n), DPI_NEED_MORE);
	n = ovpn_crypt(m, 1, 0x625a9e98);
	assert_int_equal(feed(&f, 1, m, n), DPI_FOUND);
	flow_init(&f, &dpi_openvpn_detector, 17, 40000, 1194);
	n = ovpn_crypt(m, 0, 0x625a9e97);
	assert_int_equal(feed(&f, 0, m, n), DPI_NEED_MORE);
	n = ovpn_crypt(m, 1, 0x10000000);
	assert_int_equal(feed(&f, 1, m, n), DPI_NOT_MINE);
	/* TCP length prefix that lies, random bytes, empty. */
	n = ovpn_plain(m, 0, 1);
	m[1] = 2;
	assert_int_equal(once(&dpi_openvpn_detector, 6, 40000, 1194, 0, m, n, NULL), DPI_NOT_MINE);
	flow_init(&f, &dpi_openvpn_detector, 17, 40000, 1194);
	assert_int_equal(feed(&f, 0, random_bytes, sizeof(random_bytes)), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_openvpn_detector, 17, 40000, 1194, 1, random_bytes,
	                      sizeof(random_bytes), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_openvpn_detector, 17, 40000, 1194, 0, NULL, 0, NULL),
	                 DPI_NOT_MINE);
}

/* ---- RDP ------------------------------------------------------------------- */

static void test_rdp(void **state)
{
	static const uint8_t cr[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00,
	                             0x00, 0x01, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00};
	static const uint8_t cc[] = {0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
	                             0x00, 0x02, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00};
	/* An S7comm COTP connection request: same TPKT/CR, TSAP parameters. */
	static const uint8_t s7[] = {0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00,
	                             0x00, 0x01, 0x00, 0xc0, 0x01, 0x0a, 0xc1, 0x02,
	                             0x01, 0x00, 0xc2, 0x02, 0x01, 0x02};
	uint8_t m[64], syn[1232];
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_rdp_detector, 6, 40000, 3389, 0, cr, sizeof(cr), &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_RDP);
	assert_int_equal(once(&dpi_rdp_detector, 6, 40000, 3389, 1, cc, sizeof(cc), NULL),
	                 DPI_FOUND);
	assert_int_equal(once(&dpi_rdp_detector, 6, 40000, 102, 0, s7, sizeof(s7), NULL),
	                 DPI_NOT_MINE);
	memcpy(m, cr, sizeof(cr));
	m[3] = 0x14; /* TPKT length lies */
	assert_int_equal(once(&dpi_rdp_detector, 6, 40000, 3389, 0, m, sizeof(cr), NULL),
	                 DPI_NOT_MINE);
	all_prefixes(&dpi_rdp_detector, 6, 40000, 3389, 0, cr, sizeof(cr), sizeof(cr));
	/* RDP-UDP SYN, padded to 1232 bytes. */
	memset(syn, 0, sizeof(syn));
	memcpy(syn, "\xff\xff\xff\xff\x00\x40\x00\x01\x12\x34\x56\x78\x04\xd0\x04\xd0", 16);
	assert_int_equal(once(&dpi_rdp_detector, 17, 40000, 3389, 0, syn, sizeof(syn), NULL),
	                 DPI_FOUND);
	syn[13] = 0x00; /* upstream MTU 1024: out of range */
	assert_int_equal(once(&dpi_rdp_detector, 17, 40000, 3389, 0, syn, sizeof(syn), NULL),
	                 DPI_NOT_MINE);
	assert_int_equal(once(&dpi_rdp_detector, 6, 40000, 3389, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
}

/* ---- SMB ------------------------------------------------------------------- */

static uint32_t smb2_negotiate(uint8_t *m, uint8_t proto)
{
	memset(m, 0, 4 + 64 + 36);
	m[3] = 64 + 36;
	m[4] = proto;
	memcpy(m + 5, "SMB", 3);
	m[8] = 64; /* StructureSize, little endian */
	return 4 + 64 + 36;
}

static void test_smb(void **state)
{
	uint8_t m[128];
	uint32_t n = smb2_negotiate(m, 0xfe);
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 445, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SMBV23);
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 445, 1, m, n, &f), DPI_FOUND);
	n = smb2_negotiate(m, 0xff);
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 139, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_SMBV1);
	n = smb2_negotiate(m, 0xfe);
	m[3] = 10; /* NetBIOS length shorter than the segment */
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 445, 0, m, n, NULL), DPI_NOT_MINE);
	n = smb2_negotiate(m, 0xfe);
	m[6] = 'X';
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 445, 0, m, n, NULL), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_smb_detector, 6, 40000, 445, 0, TXT(http_get), NULL),
	                 DPI_NOT_MINE);
	n = smb2_negotiate(m, 0xfe);
	all_prefixes(&dpi_smb_detector, 6, 40000, 445, 0, m, n, 12);
}

/* ---- Kerberos -------------------------------------------------------------- */

/* A minimal AS-REQ: [APPLICATION 10] SEQUENCE { [1] pvno 5, [2] msg-type 10, [4] body }. */
static uint32_t krb_as_req(uint8_t *out, int tcp)
{
	static const uint8_t body[] = {0xa4, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x03, 0x00};
	struct buf x = {.n = 0};
	uint32_t seq = 5 + 5 + sizeof(body);

	if (tcp)
		put32(&x, 2 + 2 + seq);
	put8(&x, 0x6a);
	put8(&x, (uint8_t)(2 + seq));
	put8(&x, 0x30);
	put8(&x, (uint8_t)seq);
	put(&x, (const uint8_t[]){0xa1, 0x03, 0x02, 0x01, 0x05}, 5);
	put(&x, (const uint8_t[]){0xa2, 0x03, 0x02, 0x01, 0x0a}, 5);
	put(&x, body, sizeof(body));
	memcpy(out, x.b, x.n);
	return x.n;
}

static void test_kerberos(void **state)
{
	static const uint8_t err[] = {0x7e, 0x0e, 0x30, 0x0c, 0xa0, 0x03, 0x02, 0x01,
	                              0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa2, 0x00};
	uint8_t m[64];
	uint32_t n = krb_as_req(m, 0);
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_KERBEROS);
	n = krb_as_req(m, 1);
	assert_int_equal(once(&dpi_kerberos_detector, 6, 40000, 88, 0, m, n, NULL), DPI_FOUND);
	/* TCP: the record mark may announce more than this segment holds... */
	assert_int_equal(once(&dpi_kerberos_detector, 6, 40000, 88, 0, m, n - 3, NULL), DPI_FOUND);
	/* ...but not less. */
	m[3] -= 1;
	assert_int_equal(once(&dpi_kerberos_detector, 6, 40000, 88, 0, m, n, NULL), DPI_NOT_MINE);
	assert_int_equal(once(&dpi_kerberos_detector, 17, 88, 40000, 1, err, sizeof(err), NULL),
	                 DPI_FOUND);
	n = krb_as_req(m, 0);
	m[8] = 4; /* pvno 4 */
	assert_int_equal(once(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, NULL), DPI_NOT_MINE);
	n = krb_as_req(m, 0);
	m[13] = 0x0b; /* msg-type disagrees with the application tag */
	assert_int_equal(once(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, NULL), DPI_NOT_MINE);
	n = krb_as_req(m, 0);
	m[1] = 0x84; /* a long-form length with four bytes that lie */
	assert_int_equal(once(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, NULL), DPI_NOT_MINE);
	n = krb_as_req(m, 0);
	all_prefixes(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, n);
	n = snmp_v2c_get(m, 1);
	assert_int_equal(once(&dpi_kerberos_detector, 17, 40000, 88, 0, m, n, NULL), DPI_NOT_MINE);
}

/* ---- LDAP ------------------------------------------------------------------ */

static void test_ldap(void **state)
{
	/* bindRequest: messageID 1, version 3, name "", simple "" */
	static const uint8_t bind[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07,
	                               0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00};
	static const uint8_t resp[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07,
	                               0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
	uint8_t m[64];
	struct dpi_facts f;

	(void)state;
	assert_int_equal(once(&dpi_ldap_detector, 6, 40000, 389, 0, bind, sizeof(bind), &f),
	                 DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_LDAP);
	assert_int_equal(once(&dpi_ldap_detector, 6, 40000, 389, 1, resp, sizeof(resp), NULL),
	                 DPI_FOUND);
	assert_int_equal(once(&dpi_ldap_detector, 17, 40000, 389, 0, bind, sizeof(bind), NULL),
	                 DPI_FOUND);
	memcpy(m, bind, sizeof(bind));
	m[9] = 7; /* version 7 */
	assert_int_equal(once(&dpi_ldap_detector, 6, 40000, 389, 0, m, sizeof(bind), NULL),
	                 DPI_NOT_MINE);
	memcpy(m, bind, sizeof(bind));
	m[6] = 0x20; /* op longer than the message */
	assert_int_equal(once(&dpi_ldap_detector, 6, 40000, 389, 0, m, sizeof(bind), NULL),
	                 DPI_NOT_MINE);
	memcpy(m, bind, sizeof(bind));
	m[1] = 0x0d; /* UDP: the message must fill the datagram */
	assert_int_equal(once(&dpi_ldap_detector, 17, 40000, 389, 0, m, sizeof(bind), NULL),
	                 DPI_NOT_MINE);
	all_prefixes(&dpi_ldap_detector, 17, 40000, 389, 0, bind, sizeof(bind), sizeof(bind));
	/* SNMP is BER too, but not an LDAPMessage. */
	assert_int_equal(once(&dpi_ldap_detector, 17, 40000, 389, 0, m, snmp_v2c_get(m, 1), NULL),
	                 DPI_NOT_MINE);
}

/* ---- BGP ------------------------------------------------------------------- */

static void test_bgp(void **state)
{
	struct buf x = {.n = 0};
	struct dpi_facts f;

	(void)state;
	putn(&x, 0xff, 16);
	put16(&x, 29);
	put8(&x, 1); /* OPEN */
	put8(&x, 4);
	put16(&x, 65001);
	put16(&x, 180);
	put32(&x, 0x0a000001);
	put8(&x, 0);
	assert_int_equal(once(&dpi_bgp_detector, 6, 40000, 179, 0, x.b, x.n, &f), DPI_FOUND);
	assert_int_equal(f.app, DPI_APP_BGP);
	assert_int_equal(f.version, 4);
	x.b[19] = 3; /* BGP-3 */
	assert_int_equal(once(&dpi_bgp_detector, 6, 40000, 179, 0, x.b, x.n, NULL), DPI_NOT_MINE);
	x.b[19] = 4;
	x.b[17] = 18; /* shorter than any message */
	assert_int_equal(once(&dpi_bgp_detector, 6, 40000, 179, 0, x.b, x.n, NULL), DPI_NOT_MINE);
	x.b[17] = 19;
	x.b[18] = 4; /* KEEPALIVE */
	assert_int_equal(once(&dpi_bgp_detector, 6, 40000, 179, 1, x.b, 19, NULL), DPI_FOUND);
	x.b[3] = 0xfe; /* marker broken */
	assert_int_equal(once(&dpi_bgp_detector, 6, 40000, 179, 1, x.b, 19, NULL), DPI_NOT_MINE);
	all_prefixes(&dpi_bgp_detector, 6, 40000, 179, 0, x.b, 19, 19);
}

/* ---- Cross checks: each detector on the others' traffic --------------------- */

static void test_cross_not_mine(void **state)
{
	static const struct dpi_detector *const dets[] = {DPI_MORE_DETECTORS};
	uint8_t dns[64], tls[64];
	uint32_t i, dn = dns_query(dns, 0);

	(void)state;
	/* The start of a TLS ClientHello record. */
	memcpy(tls, "\x16\x03\x01\x00\xf8\x01\x00\x00\xf4\x03\x03", 11);
	memcpy(tls + 11, random_bytes, 53);
	for (i = 0; i < sizeof(dets) / sizeof(dets[0]); i++) {
		const struct dpi_detector *d = dets[i];

		if (d == &dpi_icmp_detector)
			continue;
		if (d->l4_mask & DPI_L4_TCP) {
			assert_int_not_equal(once(d, 6, 40000, 443, 0, tls, sizeof(tls), NULL),
			                     DPI_FOUND);
			assert_int_not_equal(once(d, 6, 40000, 80, 0, TXT(http_get), NULL),
			                     DPI_FOUND);
		}
		if (d->l4_mask & DPI_L4_UDP) {
			assert_int_not_equal(once(d, 17, 40000, 53, 0, dns, dn, NULL), DPI_FOUND);
			assert_int_not_equal(
			    once(d, 17, 40000, 443, 0, random_bytes, sizeof(random_bytes), NULL),
			    DPI_FOUND);
		}
		assert_non_null(d->name);
		assert_true(d->l4_mask != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_icmp),
	    cmocka_unit_test(test_ssh),
	    cmocka_unit_test(test_smtp),
	    cmocka_unit_test(test_imap),
	    cmocka_unit_test(test_pop3),
	    cmocka_unit_test(test_snmp),
	    cmocka_unit_test(test_ntp),
	    cmocka_unit_test(test_sip),
	    cmocka_unit_test(test_mqtt),
	    cmocka_unit_test(test_syslog),
	    cmocka_unit_test(test_dhcp),
	    cmocka_unit_test(test_dhcpv6),
	    cmocka_unit_test(test_ipsec),
	    cmocka_unit_test(test_wireguard),
	    cmocka_unit_test(test_openvpn),
	    cmocka_unit_test(test_rdp),
	    cmocka_unit_test(test_smb),
	    cmocka_unit_test(test_kerberos),
	    cmocka_unit_test(test_ldap),
	    cmocka_unit_test(test_bgp),
	    cmocka_unit_test(test_cross_not_mine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
