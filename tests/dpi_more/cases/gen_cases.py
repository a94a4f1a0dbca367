#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the pcap cases for the detectors beyond TLS/QUIC/DNS/HTTP.

Each case is <case>/input.pcap plus <case>/expect.json, a list of flow
expectations checked by run_cases.py against `segwd --replay`:

  {"match": {field: value},          exactly one reported flow has these
   "expect": {field: value},         ...and these values
   "expect_not": {field: value},     ...and not these values
   "absent": [field],                ...and not these fields
   "flags_include": [...], "flags_exclude": [...],
   "known_bug": {"reason": "...", "fields": [field, ...]}}   (optional)

A check on a field listed in known_bug.fields (or any check of the entry,
when "fields" is absent) that fails is reported as XFAIL, not as a failure;
one that passes is reported as XPASS (the bug is gone: drop the marker).

"dpi_packets" is stated as segw counts it: every packet of the flow up to
and including the decisive one (the TCP handshake included).

Every message is built here from its protocol's specification (RFC, OASIS,
MS-* documents), not from our detectors' code; the expected values follow
from the bytes written (the "version" of SSH / SNMP / NTP / MQTT / BGP is
the one written into the message). Captures are classic pcap, Ethernet,
IPv4 or IPv6, TCP with a three-way handshake, correct lengths and IP / TCP
/ UDP / ICMP checksums. Deterministic: a fixed seed, fixed timestamps.

  python3 gen_cases.py            # rewrite the cases in place
  python3 gen_cases.py --check    # exit 1 unless the committed cases equal
                                  # a fresh generation
"""
import argparse
import filecmp
import json
import os
import random
import shutil
import socket
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20240611)

C4, S4 = "192.0.2.10", "198.51.100.20"

# segwd's report leaves facts->version out of the flow JSON (dpi_flow_json):
# the version written into the message is still stated, as a known bug.

# --- pcap writing -------------------------------------------------------------


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ipaddr(s):
    return socket.inet_pton(socket.AF_INET6 if ":" in s else socket.AF_INET, s)


class Pcap:
    def __init__(self):
        self.recs = []
        self.t = 1700000000.0

    def frame(self, l4, proto, src, dst):
        """@l4 has its checksum field zero; it is filled in here."""
        s, d = ipaddr(src), ipaddr(dst)
        v6 = len(s) == 16
        if v6:
            pseudo = s + d + struct.pack("!IxxxB", len(l4), proto)
        else:
            pseudo = s + d + struct.pack("!xBH", proto, len(l4))
        off = {6: 16, 17: 6, 1: 2, 58: 2}.get(proto)
        if off is not None:
            c = csum((b"" if proto == 1 else pseudo) + l4)
            if proto == 17 and c == 0:
                c = 0xffff
            l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
        if v6:
            ip = struct.pack("!IHBB", 0x60000000, len(l4), proto, 64) + s + d
            et = b"\x86\xdd"
        else:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), rnd.randrange(65536),
                             0x4000, 64, proto, 0, s, d)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            et = b"\x08\x00"
        eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + et
        self.t += 0.001
        self.recs.append((self.t, eth + ip + l4))

    def data(self):
        out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
        for t, d in self.recs:
            us = int(round((t % 1) * 1e6))
            out.append(struct.pack("<IIII", int(t), us, len(d), len(d)) + d)
        return b"".join(out)


class Tcp:
    """One TCP connection: handshake, data segments (with ACKs), close."""

    def __init__(self, pc, c, s, cp, sp):
        self.pc, self.c, self.s, self.cp, self.sp = pc, c, s, cp, sp
        self.n = 0  # packets of this connection so far (segw's dpi_packets counts them all)
        self.seq = [rnd.randrange(1 << 32), rnd.randrange(1 << 32)]
        self.seg(0, 0x02, opts=b"\x02\x04\x05\xb4")  # SYN, MSS 1460
        self.seq[0] += 1
        self.seg(1, 0x12, opts=b"\x02\x04\x05\xb4")
        self.seq[1] += 1
        self.seg(0, 0x10)

    def seg(self, d, flags, data=b"", opts=b""):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        sp, dp = (self.cp, self.sp) if d == 0 else (self.sp, self.cp)
        ack = self.seq[1 - d] if flags & 0x10 else 0
        hl = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", sp, dp, self.seq[d] & 0xffffffff, ack & 0xffffffff,
                          hl << 4, flags, 64240, 0, 0) + opts + data
        self.pc.frame(tcp, 6, src, dst)
        self.n += 1

    def send(self, d, data, size=1460):
        for i in range(0, len(data), size):
            part = data[i:i + size]
            self.seg(d, 0x18, part)
            self.seq[d] += len(part)

    def close(self):
        self.seg(0, 0x11)
        self.seq[0] += 1
        self.seg(1, 0x11)
        self.seq[1] += 1
        self.seg(0, 0x10)


def udp(pc, c, s, cp, sp, d, data):
    src, dst, a, b = (c, s, cp, sp) if d == 0 else (s, c, sp, cp)
    pc.frame(struct.pack("!HHHH", a, b, 8 + len(data), 0) + data, 17, src, dst)


def u8(x):
    return struct.pack("!B", x)


def u16(x):
    return struct.pack("!H", x)


def u32(x):
    return struct.pack("!I", x)


def le16(x):
    return struct.pack("<H", x)


def le32(x):
    return struct.pack("<I", x)


def le64(x):
    return struct.pack("<Q", x)


def rbytes(n):
    return bytes(rnd.randrange(256) for _ in range(n))


# --- ASN.1 BER (definite lengths, as X.690 8.1.3) ------------------------------


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        ln = u8(n)
    elif n < 0x100:
        ln = b"\x81" + u8(n)
    else:
        ln = b"\x82" + u16(n)
    return u8(tag) + ln + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def integer(v):
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True)
    return tlv(0x02, b)


def octets(b):
    return tlv(0x04, b if isinstance(b, bytes) else b.encode())


def null():
    return b"\x05\x00"


def oid(dotted):
    p = [int(x) for x in dotted.split(".")]
    out = u8(40 * p[0] + p[1])
    for v in p[2:]:
        enc = [v & 0x7f]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7f))
            v >>= 7
        out += bytes(reversed(enc))
    return tlv(0x06, out)


def ctx(n, body, constructed=True):
    return tlv((0xa0 if constructed else 0x80) | n, body)


def gstring(s):
    return tlv(0x1b, s.encode())


def gtime(s):
    return tlv(0x18, s.encode())


# --- expectations and case output ------------------------------------------------

CASES = {}


def flow(match, expect=None, expect_not=None, absent=(), flags_include=(), flags_exclude=(),
         known_bug=None):
    e = {"match": match, "expect": expect or {}, "absent": list(absent),
         "flags_include": list(flags_include), "flags_exclude": list(flags_exclude)}
    if expect_not:
        e["expect_not"] = expect_not
    if known_bug:
        e["known_bug"] = known_bug
    return e


def versioned(match, app, version, **kw):
    """A flow whose detector learns a protocol version (reported as "version")."""
    return flow(match, dict({"app": app, "version": version}, **kw.pop("expect", {})), **kw)


def case(name, pc, flows):
    CASES[name] = (pc.data(), flows)


# --- SSH (RFC 4253 4.2) -----------------------------------------------------------


def kexinit():
    """An SSH binary packet holding SSH_MSG_KEXINIT (RFC 4253 6, 7.1)."""
    def namelist(s):
        return u32(len(s)) + s.encode()
    body = (u8(20) + rbytes(16) + namelist("curve25519-sha256,diffie-hellman-group14-sha256") +
            namelist("ssh-ed25519,rsa-sha2-512") + namelist("aes128-gcm@openssh.com") * 2 +
            namelist("hmac-sha2-256") * 2 + namelist("none") * 2 + namelist("") * 2 + u8(0) +
            u32(0))
    pad = 8 - (5 + len(body)) % 8
    if pad < 4:
        pad += 8
    return u32(1 + len(body) + pad) + u8(pad) + body + bytes(pad)


def gen_ssh():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40100, 22)
    t.send(1, b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")
    dec = t.n  # the server's version line decides
    t.send(0, b"SSH-2.0-OpenSSH_9.7\r\n")
    t.send(1, kexinit())
    t.send(0, kexinit())
    t.close()
    # RFC 4253 5.1: a server compatible with 1.x announces 1.99
    t = Tcp(pc, C4, S4, 40101, 2222)
    t.send(1, b"SSH-1.99-Cisco-1.25\r\n")
    t.send(0, b"SSH-2.0-PuTTY_Release_0.80\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40102, 22)
    t.send(1, b"SSH-1.5-OpenSSH_2.9p2\n")
    t.send(0, b"SSH-1.5-OpenSSH_2.9p2\n")
    t.close()
    case("ssh", pc, [
        versioned({"client_port": 40100}, "SSH", 2, expect={"dpi_packets": dec}),
        versioned({"client_port": 40101}, "SSH", 2),
        versioned({"client_port": 40102}, "SSH", 1)])

    # hostile: version lines without software text, or not terminated
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40103, 22)
    t.send(1, b"SSH-2.0-\r\n")
    t.send(0, b"SSH-2.0-\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40104, 22)
    t.send(1, b"SSH-3.0-OpenSSH_9.6\r\n")
    t.close()
    case("ssh_bad_banner", pc, [
        flow({"client_port": 40103}, {"app": "Unknown"}),
        flow({"client_port": 40104}, {"app": "Unknown"})])


# --- SMTP (RFC 5321, STARTTLS RFC 3207), IMAP (RFC 9051), POP3 (RFC 1939/2595) ---

TLS_HELLO_START = bytes.fromhex("160301") + u16(64) + b"\x01" + b"\x00\x00\x3c" + rbytes(60)


def gen_mail():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40200, 25)
    t.send(1, b"220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n")
    t.send(0, b"EHLO client.example.com\r\n")
    t.send(1, b"250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
              b"250-STARTTLS\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
    t.send(0, b"MAIL FROM:<alice@example.com> SIZE=312\r\n")
    dec25 = t.n  # EHLO seen, then a mail transaction command
    t.send(1, b"250 2.1.0 Ok\r\n")
    t.send(0, b"RCPT TO:<bob@example.org>\r\n")
    t.send(1, b"250 2.1.5 Ok\r\n")
    t.send(0, b"DATA\r\n")
    t.send(1, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.send(0, b"Subject: hi\r\n\r\nhello\r\n.\r\n")
    t.send(1, b"250 2.0.0 Ok: queued as 4F2A1\r\n")
    t.send(0, b"QUIT\r\n")
    t.send(1, b"221 2.0.0 Bye\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40201, 587)
    t.send(1, b"220 smtp.example.org ESMTP ready\r\n")
    t.send(0, b"EHLO laptop.example.com\r\n")
    t.send(1, b"250-smtp.example.org\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
    t.send(0, b"STARTTLS\r\n")
    dec587 = t.n
    t.send(1, b"220 2.0.0 Ready to start TLS\r\n")
    t.send(0, TLS_HELLO_START)
    t.close()
    case("smtp", pc, [
        flow({"server_port": 25}, {"app": "SMTP", "dpi_packets": dec25}, flags_exclude=["starttls"]),
        flow({"server_port": 587}, {"app": "SMTPS", "dpi_packets": dec587},
             flags_include=["starttls"])])

    # hostile: an FTP server's "220" greeting (RFC 959) is not SMTP
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40202, 21)
    t.send(1, b"220 (vsFTPd 3.0.5)\r\n")
    t.send(0, b"USER anonymous\r\n")
    t.send(1, b"331 Please specify the password.\r\n")
    t.send(0, b"PASS guest@\r\n")
    t.send(1, b"230 Login successful.\r\n")
    t.send(0, b"SYST\r\n")
    t.send(1, b"215 UNIX Type: L8\r\n")
    t.send(0, b"QUIT\r\n")
    t.send(1, b"221 Goodbye.\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40203, 21)
    t.send(1, b"220-Welcome to the mail archive FTP service\r\n220 ready\r\n")
    t.send(0, b"NOOP\r\n")
    t.send(1, b"200 NOOP ok.\r\n")
    t.send(0, b"QUIT\r\n")
    t.close()
    # an FTP server on a host named smtp.*: the banner mentions SMTP, but the
    # client speaks FTP (USER, PASS, SYST, PWD: none of them SMTP commands)
    t = Tcp(pc, C4, S4, 40204, 21)
    t.send(1, b"220 smtp.example.org FTP server (Version 6.00LS) ready.\r\n")
    for cmd, rep in [(b"USER ftp", b"331 Guest login ok, send your email address as password."),
                     (b"PASS guest@", b"230 Guest login ok, access restrictions apply."),
                     (b"SYST", b"215 UNIX Type: L8 Version: BSD-199506"),
                     (b"PWD", b'257 "/" is current directory.'),
                     (b"TYPE I", b"200 Type set to I."),
                     (b"QUIT", b"221 Goodbye.")]:
        t.send(0, cmd + b"\r\n")
        t.send(1, rep + b"\r\n")
    t.close()
    case("ftp_banner_not_smtp", pc, [
        flow({"client_port": 40202}, {"app": "Unknown"}, flags_exclude=["starttls"]),
        flow({"client_port": 40203}, {"app": "Unknown"}),
        # regression: a banner naming SMTP followed by FTP commands once
        # settled SMTP by packet count (smtp.c now needs the client's hello)
        flow({"client_port": 40204}, {"app": "Unknown"}, expect_not={"app": "SMTP"})])

    pc = Pcap()
    t = Tcp(pc, C4, S4, 40210, 143)
    t.send(1, b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS "
              b"AUTH=PLAIN] Dovecot ready.\r\n")
    t.send(0, b"a001 CAPABILITY\r\n")
    t.send(1, b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\na001 OK Pre-login capabilities "
              b"listed, post-login capabilities have more.\r\n")
    t.send(0, b"a002 LOGIN alice hunter2\r\n")
    dec1 = t.n  # greeting, then a command only sent in the clear
    t.send(1, b"a002 OK Logged in\r\n")
    t.send(0, b"a003 SELECT INBOX\r\n")
    t.send(1, b"* 18 EXISTS\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
              b"a003 OK [READ-WRITE] SELECT completed\r\n")
    t.send(0, b"a004 LOGOUT\r\n")
    t.send(1, b"* BYE Logging out\r\na004 OK Logout completed.\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40211, 143)
    t.send(1, b"* OK IMAP4rev2 server ready\r\n")
    t.send(0, b"A1 CAPABILITY\r\n")
    t.send(1, b"* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED\r\nA1 OK done\r\n")
    t.send(0, b"A2 STARTTLS\r\n")
    dec2 = t.n
    t.send(1, b"A2 OK Begin TLS negotiation now\r\n")
    t.send(0, TLS_HELLO_START)
    t.close()
    case("imap", pc, [
        flow({"client_port": 40210}, {"app": "IMAP", "dpi_packets": dec1},
             flags_exclude=["starttls"]),
        flow({"client_port": 40211}, {"app": "IMAPS", "dpi_packets": dec2},
             flags_include=["starttls"])])

    pc = Pcap()
    t = Tcp(pc, C4, S4, 40220, 110)
    t.send(1, b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")
    t.send(0, b"CAPA\r\n")
    t.send(1, b"+OK Capability list follows\r\nUSER\r\nSTLS\r\nUIDL\r\n.\r\n")
    t.send(0, b"USER mrose\r\n")
    dec1 = t.n  # greeting, then a transaction command
    t.send(1, b"+OK mrose is a real hoopy frood\r\n")
    t.send(0, b"PASS secret\r\n")
    t.send(1, b"+OK mrose's maildrop has 2 messages (320 octets)\r\n")
    t.send(0, b"STAT\r\n")
    t.send(1, b"+OK 2 320\r\n")
    t.send(0, b"QUIT\r\n")
    t.send(1, b"+OK dewey POP3 server signing off\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40221, 110)
    t.send(1, b"+OK Dovecot ready.\r\n")
    t.send(0, b"CAPA\r\n")
    t.send(1, b"+OK\r\nCAPA\r\nTOP\r\nSTLS\r\n.\r\n")
    t.send(0, b"STLS\r\n")
    dec2 = t.n
    t.send(1, b"+OK Begin TLS negotiation\r\n")
    t.send(0, TLS_HELLO_START)
    t.close()
    case("pop3", pc, [
        flow({"client_port": 40220}, {"app": "POP3", "dpi_packets": dec1},
             flags_exclude=["starttls"]),
        flow({"client_port": 40221}, {"app": "POPS", "dpi_packets": dec2},
             flags_include=["starttls"])])


# --- SNMP (RFC 1157, 3416, 3412/3414) ----------------------------------------------

SYSDESCR = "1.3.6.1.2.1.1.1.0"


def snmp_pdu(tag, reqid, binds):
    vbl = seq(*[seq(oid(o), v) for o, v in binds])
    return tlv(tag, integer(reqid) + integer(0) + integer(0) + vbl)


def gen_snmp():
    pc = Pcap()
    cli = "192.0.2.30"
    v1q = seq(integer(0), octets("public"), snmp_pdu(0xa0, 1001, [(SYSDESCR, null())]))
    v1r = seq(integer(0), octets("public"),
              snmp_pdu(0xa2, 1001, [(SYSDESCR, octets("Linux gw 6.1.0 x86_64"))]))
    udp(pc, cli, S4, 40300, 161, 0, v1q)
    udp(pc, cli, S4, 40300, 161, 1, v1r)
    v2q = seq(integer(1), octets("private"),
              tlv(0xa1, integer(77) + integer(0) + integer(0) +
                  seq(seq(oid("1.3.6.1.2.1.2.2.1.10"), null()))))
    udp(pc, cli, S4, 40301, 161, 0, v2q)
    # v3 (RFC 3412 6): msgVersion, msgGlobalData, msgSecurityParameters (USM), scopedPDU
    usm = seq(octets(bytes.fromhex("80001f8880e9630000d61ff449")), integer(0), integer(0),
              octets(""), octets(""), octets(""))
    v3q = seq(integer(3), seq(integer(4242), integer(65507), octets(b"\x04"), integer(3)),
              octets(usm), seq(octets(""), octets(""), snmp_pdu(0xa0, 9, [])))
    udp(pc, cli, S4, 40302, 161, 0, v3q)
    # trap (v2c SNMPv2-Trap-PDU [7]) to 162
    trap = seq(integer(1), octets("public"),
               snmp_pdu(0xa7, 5, [("1.3.6.1.2.1.1.3.0", tlv(0x43, b"\x01\x02")),
                                  ("1.3.6.1.6.3.1.1.4.1.0", oid("1.3.6.1.6.3.1.1.5.3"))]))
    udp(pc, S4, "192.0.2.31", 40303, 162, 0, trap)
    case("snmp", pc, [
        versioned({"client_port": 40300}, "SNMP", 1, flags_include=["community"],
                  expect={"dpi_packets": 1}),
        versioned({"client_port": 40301}, "SNMP", 2, flags_include=["community"]),
        versioned({"client_port": 40302}, "SNMP", 3, flags_exclude=["community"]),
        versioned({"client_port": 40303}, "SNMP", 2, flags_include=["community"])])

    # hostile: outer SEQUENCE length beyond the datagram; community length lying
    pc = Pcap()
    lying = b"\x30\x82\x01\x00" + v1q[2:]
    udp(pc, cli, S4, 40310, 161, 0, lying)
    cut = v1q[:-6]
    udp(pc, cli, S4, 40311, 161, 0, cut)
    inner = bytearray(v1q)
    inner[6] = 0x60  # community "public" claims 96 bytes
    udp(pc, cli, S4, 40312, 161, 0, bytes(inner))
    case("snmp_lying_length", pc, [
        flow({"client_port": p}, {"app": "Unknown"}, flags_exclude=["community"])
        for p in (40310, 40311, 40312)])


# --- NTP (RFC 5905 7.3; mode 6 RFC 1305 appendix B) -------------------------------


def ntp_packet(li_vn_mode, stratum, poll, prec, refid, xmit, orig=0, recv=0, ref=0):
    return (struct.pack("!BBbb", li_vn_mode, stratum, poll, prec) + u32(0x00000a3c) +
            u32(0x00001f00) + refid + struct.pack("!QQQQ", ref, orig, recv, xmit))


def gen_ntp():
    pc = Pcap()
    xmit = 0xe9f1a2b3c4d5e6f7
    q = ntp_packet((0 << 6) | (4 << 3) | 3, 0, 6, -20, b"\0\0\0\0", xmit)
    r = ntp_packet((0 << 6) | (4 << 3) | 4, 2, 6, -23, ipaddr("192.0.2.123"),
                   xmit + 0x100000, orig=xmit, recv=xmit + 0x80000, ref=xmit - (1 << 36))
    udp(pc, C4, S4, 40400, 123, 0, q)
    udp(pc, C4, S4, 40400, 123, 1, r)
    # ntpq readvar (mode 6, version 2): r/e/m=0, opcode 2, seq 1, status 0, assoc 0,
    # offset 0, count 0
    ctl = bytes([(2 << 3) | 6, 2]) + u16(1) + u16(0) + u16(0) + u16(0) + u16(0)
    udp(pc, C4, S4, 40401, 123, 0, ctl)
    # symmetric active between two v3 peers on port 123
    sym = ntp_packet((3 << 3) | 1, 3, 10, -18, ipaddr("192.0.2.1"), xmit + 7)
    udp(pc, C4, S4, 123, 123, 0, sym)
    case("ntp", pc, [
        versioned({"client_port": 40400}, "NTP", 4, expect={"dpi_packets": 1}),
        versioned({"client_port": 40401}, "NTP", 2),
        versioned({"client_port": 123}, "NTP", 3)])

    # hostile: a DNS query (RFC 1035) on port 123, built so that its header also
    # fits the NTP client header checks (id 0x2301: "v4 mode 3", 48+4n bytes)
    pc = Pcap()
    name = b"".join(u8(len(l)) + l for l in [b"time", b"a" * 13, b"example", b"com"]) + b"\0"
    dq = struct.pack("!HHHHHH", 0x2301, 0x0100, 1, 0, 0, 0) + name + u16(1) + u16(1)
    assert len(dq) >= 48 and (len(dq) - 48) % 4 == 0, len(dq)
    udp(pc, C4, S4, 40410, 123, 0, dq)
    case("dns_on_ntp_port", pc, [
        flow({"client_port": 40410}, {"app": "DNS", "server_name": "time.%s.example.com" %
                                      ("a" * 13), "dns_qtype": 1},
             expect_not={"app": "NTP"})])


# --- SIP (RFC 3261) -----------------------------------------------------------------

SDP = (b"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
       b"c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def sip_msg(first, headers, body=b""):
    h = b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in headers)
    return first + b"\r\n" + h + b"Content-Length: %d\r\n\r\n" % len(body) + body


def gen_sip():
    pc = Pcap()
    via = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds"
    common = [("Via", via), ("Max-Forwards", "70"),
              ("To", "Bob <sip:bob@example.org>"),
              ("From", "Alice <sip:alice@example.com>;tag=1928301774"),
              ("Call-ID", "a84b4c76e66710@192.0.2.10"), ("CSeq", "314159 INVITE")]
    inv = sip_msg(b"INVITE sip:bob@example.org SIP/2.0",
                  common + [("Contact", "<sip:alice@192.0.2.10>"),
                            ("Content-Type", "application/sdp")], SDP)
    udp(pc, C4, S4, 5060, 5060, 0, inv)
    udp(pc, C4, S4, 5060, 5060, 1, sip_msg(b"SIP/2.0 100 Trying", common))
    udp(pc, C4, S4, 5060, 5060, 1, sip_msg(b"SIP/2.0 180 Ringing", common))
    # over TCP: REGISTER and its 401 challenge
    t = Tcp(pc, C4, S4, 40500, 5060)
    reg = sip_msg(b"REGISTER sip:registrar.example.org SIP/2.0",
                  [("Via", "SIP/2.0/TCP 192.0.2.10:40500;branch=z9hG4bKnashds7"),
                   ("Max-Forwards", "70"), ("To", "Bob <sip:bob@example.org>"),
                   ("From", "Bob <sip:bob@example.org>;tag=456248"),
                   ("Call-ID", "843817637684230@998sdasdh09"), ("CSeq", "1826 REGISTER"),
                   ("Contact", "<sip:bob@192.0.2.10>"), ("Expires", "7200")])
    t.send(0, reg)
    dec = t.n
    t.send(1, sip_msg(b"SIP/2.0 401 Unauthorized",
                      [("Via", "SIP/2.0/TCP 192.0.2.10:40500;branch=z9hG4bKnashds7"),
                       ("WWW-Authenticate", 'Digest realm="example.org", nonce="ea9c8e88"')]))
    t.close()
    case("sip", pc, [
        flow({"l4": "udp", "server_port": 5060}, {"app": "SIP", "dpi_packets": 1}),
        flow({"client_port": 40500}, {"app": "SIP", "dpi_packets": dec})])

    # hostile: HTTP (RFC 9112) requests on the SIP port; OPTIONS is a SIP
    # method name too, but the request target and version are HTTP's
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40510, 5060)
    t.send(0, b"GET /index.html HTTP/1.1\r\nHost: voip.example.org:5060\r\n"
              b"User-Agent: probe/1.0\r\nAccept: */*\r\n\r\n")
    t.send(1, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    t.close()
    t = Tcp(pc, C4, S4, 40511, 5060)
    t.send(0, b"OPTIONS * HTTP/1.1\r\nHost: voip.example.org\r\n\r\n")
    t.send(1, b"HTTP/1.1 200 OK\r\nAllow: GET, OPTIONS\r\nContent-Length: 0\r\n\r\n")
    t.close()
    case("http_on_sip_port", pc, [
        flow({"client_port": 40510}, {"app": "HTTP", "server_name": "voip.example.org",
                                      "http_method": "GET"}, expect_not={"app": "SIP"}),
        flow({"client_port": 40511}, {"app": "HTTP", "http_method": "OPTIONS"},
             expect_not={"app": "SIP"})])


# --- MQTT (OASIS MQTT 3.1.1 and 5.0) ------------------------------------------------


def mqtt(ptype_flags, body):
    rl, n = b"", len(body)
    while True:
        d, n = n & 0x7f, n >> 7
        rl += u8(d | (0x80 if n else 0))
        if not n:
            break
    return u8(ptype_flags) + rl + body


def mstr(s):
    return u16(len(s)) + s.encode()


def gen_mqtt():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40600, 1883)
    # CONNECT 3.1.1: clean session, username+password flags, keep alive 60
    t.send(0, mqtt(0x10, mstr("MQTT") + u8(4) + u8(0xc2) + u16(60) + mstr("sensor-17") +
                   mstr("user") + mstr("pass")))
    dec = t.n
    t.send(1, mqtt(0x20, b"\x00\x00"))  # CONNACK
    t.send(0, mqtt(0x82, u16(1) + mstr("site/+/temp") + u8(1)))  # SUBSCRIBE
    t.send(1, mqtt(0x90, u16(1) + u8(1)))  # SUBACK
    t.send(0, mqtt(0x30, mstr("site/a/temp") + b"21.5"))  # PUBLISH QoS 0
    t.send(0, mqtt(0xe0, b""))  # DISCONNECT
    t.close()
    t = Tcp(pc, C4, S4, 40601, 1883)
    # CONNECT 5.0 with properties (session expiry interval 0x11)
    t.send(0, mqtt(0x10, mstr("MQTT") + u8(5) + u8(0x02) + u16(30) + u8(5) + u8(0x11) +
                   u32(3600) + mstr("v5-client")))
    t.send(1, mqtt(0x20, b"\x00\x00\x00"))
    t.close()
    t = Tcp(pc, C4, S4, 40602, 1883)
    # MQTT 3.1 ("MQIsdp", level 3)
    t.send(0, mqtt(0x10, mstr("MQIsdp") + u8(3) + u8(0x02) + u16(10) + mstr("old-client")))
    t.send(1, mqtt(0x20, b"\x00\x00"))
    t.close()
    # mid-session (CONNECT not captured): PUBLISH QoS 1 from the broker
    t = Tcp(pc, C4, S4, 40603, 1883)
    t.send(1, mqtt(0x32, mstr("alerts/door") + u16(7) + b"open"))
    t.send(0, mqtt(0x40, u16(7)))  # PUBACK
    t.close()
    case("mqtt", pc, [
        versioned({"client_port": 40600}, "MQTT", 4, expect={"dpi_packets": dec}),
        versioned({"client_port": 40601}, "MQTT", 5),
        versioned({"client_port": 40602}, "MQTT", 3),
        flow({"client_port": 40603}, {"app": "MQTT"})])

    # hostile: CONNECT whose remaining length is shorter than the packet, and
    # one with the reserved connect flag bit set
    pc = Pcap()
    t = Tcp(pc, C4, S4, 40610, 1883)
    good = mqtt(0x10, mstr("MQTT") + u8(4) + u8(0x02) + u16(60) + mstr("liar"))
    t.send(0, good[:1] + u8(good[1] - 6) + good[2:])
    t.close()
    t = Tcp(pc, C4, S4, 40611, 1883)
    t.send(0, mqtt(0x10, mstr("MQTT") + u8(4) + u8(0x03) + u16(60) + mstr("resv")))
    t.close()
    case("mqtt_lying_length", pc, [
        flow({"client_port": 40610}, {"app": "Unknown"}),
        flow({"client_port": 40611}, {"app": "Unknown"})])


# --- Syslog (RFC 5424, RFC 3164, RFC 6587) ------------------------------------------


def gen_syslog():
    pc = Pcap()
    m5424 = (b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
             b"[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] "
             b"An application event log entry")
    udp(pc, C4, S4, 40700, 514, 0, m5424)
    m3164 = b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    udp(pc, C4, S4, 40701, 514, 0, m3164)
    t = Tcp(pc, C4, S4, 40702, 601)
    msg = b"<13>1 2024-06-11T10:00:00Z host app 1234 - - started"
    t.send(0, b"%d " % len(msg) + msg)
    dec = t.n
    t.close()
    case("syslog", pc, [flow({"client_port": p}, {"app": "Syslog", "dpi_packets": n})
                        for p, n in ((40700, 1), (40701, 1), (40702, dec))])


# --- DHCP (RFC 2131/2132) and DHCPv6 (RFC 8415) -------------------------------------

MAC = bytes.fromhex("020000000001")


def dhcp(op, xid, yiaddr, siaddr, opts):
    o = b"".join(u8(c) + u8(len(v)) + v for c, v in opts) + b"\xff"
    hdr = (struct.pack("!BBBBIHH", op, 1, 6, 0, xid, 0, 0x8000) + bytes(4) + ipaddr(yiaddr) +
           ipaddr(siaddr) + bytes(4) + MAC + bytes(10) + bytes(64) + bytes(128))
    assert len(hdr) == 236
    return hdr + b"\x63\x82\x53\x63" + o


def gen_dhcp():
    pc = Pcap()
    xid = 0x3903f326
    disc = dhcp(1, xid, "0.0.0.0", "0.0.0.0",
                [(53, b"\x01"), (61, b"\x01" + MAC), (55, bytes([1, 3, 6, 15, 51, 54]))])
    req = dhcp(1, xid, "0.0.0.0", "0.0.0.0",
               [(53, b"\x03"), (50, ipaddr("192.0.2.77")), (54, ipaddr("192.0.2.1"))])
    offer = dhcp(2, xid, "192.0.2.77", "192.0.2.1",
                 [(53, b"\x02"), (54, ipaddr("192.0.2.1")), (51, u32(86400)),
                  (1, ipaddr("255.255.255.0")), (3, ipaddr("192.0.2.1"))])
    ack = dhcp(2, xid, "192.0.2.77", "192.0.2.1",
               [(53, b"\x05"), (54, ipaddr("192.0.2.1")), (51, u32(86400))])
    udp(pc, "0.0.0.0", "255.255.255.255", 68, 67, 0, disc)
    udp(pc, "192.0.2.1", "255.255.255.255", 67, 68, 0, offer)
    udp(pc, "0.0.0.0", "255.255.255.255", 68, 67, 0, req)
    udp(pc, "192.0.2.1", "255.255.255.255", 67, 68, 0, ack)
    # a relayed DHCP exchange off the standard ports must carry option 53
    udp(pc, "192.0.2.2", "192.0.2.1", 40800, 6767, 0, req)
    case("dhcp", pc, [
        flow({"client_ip": "0.0.0.0"}, {"app": "DHCP", "dpi_packets": 1}),
        flow({"client_ip": "192.0.2.1"}, {"app": "DHCP"}),
        flow({"client_ip": "192.0.2.2"}, {"app": "DHCP"})])

    # hostile: a BOOTP header cut before the magic cookie; off-port without option 53
    pc = Pcap()
    udp(pc, "0.0.0.0", "255.255.255.255", 68, 67, 0, disc[:230])
    udp(pc, "192.0.2.2", "192.0.2.1", 40801, 6767, 0,
        dhcp(1, 1, "0.0.0.0", "0.0.0.0", [(12, b"host")]))
    case("dhcp_truncated", pc, [
        flow({"client_ip": "0.0.0.0"}, {"app": "Unknown"}),
        flow({"client_port": 40801}, {"app": "Unknown"})])

    pc = Pcap()
    cli6, srv6 = "fe80::200:ff:fe00:1", "fe80::200:ff:fe00:2"

    def opt6(code, v):
        return u16(code) + u16(len(v)) + v
    duid = u16(1) + u16(1) + u32(0x2ce0a1b2) + MAC  # DUID-LLT
    sol = (u8(1) + b"\x10\x20\x30" + opt6(1, duid) + opt6(8, u16(0)) +
           opt6(6, u16(23) + u16(24)) + opt6(3, u32(1) + u32(0) + u32(0)))
    adv = (u8(2) + b"\x10\x20\x30" + opt6(1, duid) + opt6(2, u16(3) + u16(1) + MAC) +
           opt6(3, u32(1) + u32(3600) + u32(5400) +
                opt6(5, ipaddr("2001:db8::77") + u32(7200) + u32(7500))))
    udp(pc, cli6, "ff02::1:2", 546, 547, 0, sol)
    udp(pc, srv6, cli6, 547, 546, 0, adv)
    case("dhcpv6", pc, [
        flow({"server_ip": "ff02::1:2"}, {"app": "DHCPV6", "dpi_packets": 1}),
        flow({"client_ip": srv6}, {"app": "DHCPV6"})])


# --- IPsec: IKEv2 (RFC 7296), NAT-T (RFC 3948), ESP (RFC 4303) ----------------------


def ike(ispi, rspi, nextp, xchg, flags, mid, payloads):
    body = payloads
    return (ispi + rspi + u8(nextp) + u8(0x20) + u8(xchg) + u8(flags) + u32(mid) +
            u32(28 + len(body)) + body)


def ike_sa_init_payloads():
    # SA: one proposal, IKE, ENCR_AES_CBC-256, PRF_HMAC_SHA2_256, AUTH_HMAC_SHA2_256_128,
    # DH group 14; then KE (group 14), Nonce
    def transform(last, ttype, tid, attrs=b""):
        return u8(0 if last else 3) + u8(0) + u16(8 + len(attrs)) + u8(ttype) + u8(0) + \
            u16(tid) + attrs
    tr = (transform(0, 1, 12, u16(0x800e) + u16(256)) + transform(0, 2, 5) +
          transform(0, 3, 12) + transform(1, 4, 14))
    prop = u8(0) + u8(0) + u16(8 + len(tr)) + u8(1) + u8(1) + u8(0) + u8(4) + tr
    sa = u8(34) + u8(0) + u16(4 + len(prop)) + prop
    kd = u16(14) + u16(0) + rbytes(256)
    ke = u8(40) + u8(0) + u16(4 + len(kd)) + kd
    nd = rbytes(32)
    nonce = u8(0) + u8(0) + u16(4 + len(nd)) + nd
    return sa + ke + nonce


def gen_ipsec():
    pc = Pcap()
    ispi, rspi = bytes.fromhex("5f54bf6d8b48e6e1"), bytes.fromhex("909232b3d1edcb5c")
    pl = ike_sa_init_payloads()
    udp(pc, C4, S4, 500, 500, 0, ike(ispi, bytes(8), 33, 34, 0x08, 0, pl))
    udp(pc, C4, S4, 500, 500, 1, ike(ispi, rspi, 33, 34, 0x20, 0, pl))
    # NAT-T: IKE_AUTH (35) behind the non-ESP marker on 4500, an Encrypted payload (46)
    sk = rbytes(16) + rbytes(96) + rbytes(16)
    enc = u8(35) + u8(0) + u16(4 + len(sk)) + sk
    udp(pc, C4, S4, 4500, 4500, 0, bytes(4) + ike(ispi, rspi, 46, 35, 0x08, 1, enc))
    udp(pc, C4, S4, 4500, 4500, 1, bytes(4) + ike(ispi, rspi, 46, 35, 0x20, 1, enc))
    # ESP (IP protocol 50): SPI, sequence number, IV + ciphertext + ICV
    for i in range(1, 4):
        pc.frame(u32(0xc0ffee01) + u32(i) + rbytes(64), 50, C4, S4)
    pc.frame(u32(0x0badf00d) + u32(1) + rbytes(64), 50, S4, C4)
    # ESP in UDP on 4500 (RFC 3948 2.1), three packets of one SPI
    for i in range(1, 4):
        udp(pc, "192.0.2.40", S4, 4500, 4500, 0, u32(0xa1b2c3d4) + u32(i) + rbytes(48))
    case("ipsec", pc, [
        flow({"server_port": 500}, {"app": "IPsec", "dpi_packets": 1}),
        flow({"client_ip": C4, "server_port": 4500}, {"app": "IPsec", "dpi_packets": 1}),
        flow({"l4": 50}, {"app": "IPsec", "dpi_packets": 1}),
        flow({"client_ip": "192.0.2.40"}, {"app": "IPsec", "dpi_packets": 3})])

    # hostile: IKE header whose length field lies (beyond the datagram, or short)
    pc = Pcap()
    good = ike(ispi, bytes(8), 33, 34, 0x08, 0, pl)
    udp(pc, C4, S4, 40900, 500, 0, good[:24] + u32(len(good) + 400) + good[28:])
    udp(pc, C4, S4, 40901, 500, 0, good[:24] + u32(28) + good[28:])
    udp(pc, C4, S4, 40902, 4500, 0, bytes(4) + good[:24] + u32(len(good) - 100) + good[28:])
    case("ike_lying_length", pc, [
        flow({"client_port": p}, {"app": "Unknown"}) for p in (40900, 40901, 40902)])


# --- WireGuard (whitepaper 5.4) -------------------------------------------------------


def gen_wireguard():
    pc = Pcap()
    sender_i, sender_r = 0x1a2b3c4d, 0x55667788
    init = b"\x01\0\0\0" + le32(sender_i) + rbytes(32) + rbytes(48) + rbytes(28) + rbytes(16) + \
        bytes(16)
    assert len(init) == 148
    resp = b"\x02\0\0\0" + le32(sender_r) + le32(sender_i) + rbytes(32) + rbytes(16) + \
        rbytes(16) + bytes(16)
    assert len(resp) == 92
    udp(pc, C4, S4, 40950, 51820, 0, init)
    udp(pc, C4, S4, 40950, 51820, 1, resp)
    for i in range(3):
        udp(pc, C4, S4, 40950, 51820, 0, b"\x04\0\0\0" + le32(sender_r) + le64(i) + rbytes(32))
        udp(pc, C4, S4, 40950, 51820, 1, b"\x04\0\0\0" + le32(sender_i) + le64(i) + rbytes(48))
    # transport data only (the handshake was missed), both directions
    for i in range(2):
        udp(pc, "192.0.2.41", S4, 40951, 51820, 0,
            b"\x04\0\0\0" + le32(0x01010101) + le64(100 + i) + rbytes(64))
        udp(pc, "192.0.2.41", S4, 40951, 51820, 1,
            b"\x04\0\0\0" + le32(0x02020202) + le64(200 + i) + rbytes(32))
    case("wireguard", pc, [
        flow({"client_port": 40950}, {"app": "WireGuard", "dpi_packets": 2}),
        flow({"client_port": 40951}, {"app": "WireGuard", "dpi_packets": 2})])

    # hostile: random datagrams on the WireGuard port; an initiation answered
    # by a response naming another index
    pc = Pcap()
    for i in range(6):
        udp(pc, C4, S4, 40960, 51820, i % 2, rbytes(rnd.choice([32, 64, 92, 148, 200])))
    udp(pc, C4, S4, 40961, 51820, 0, init)
    udp(pc, C4, S4, 40961, 51820, 1, resp[:8] + le32(sender_i ^ 1) + resp[12:])
    case("wireguard_random", pc, [
        flow({"client_port": 40960}, {"app": "Unknown"}),
        flow({"client_port": 40961}, {"app": "Unknown"})])


# --- OpenVPN (openvpn ssl_pkt / reliable layer) ------------------------------------


def gen_openvpn():
    pc = Pcap()
    csid, ssid = bytes.fromhex("8a7c1d2e3f405162"), bytes.fromhex("0102a3b4c5d6e7f8")
    # no tls-auth: op|key, session id, ack array length 0, message packet id 0
    cli = u8(7 << 3) + csid + u8(0) + u32(0)
    # server: op|key, session id, ack array (1, acked id 0), remote session id, packet id 0
    srv = u8(8 << 3) + ssid + u8(1) + u32(0) + csid + u32(0)
    udp(pc, C4, S4, 41000, 1194, 0, cli)
    udp(pc, C4, S4, 41000, 1194, 1, srv)
    udp(pc, C4, S4, 41000, 1194, 0, u8(5 << 3) + csid + u8(1) + u32(0) + ssid)  # P_ACK_V1
    # tls-auth (HMAC-SHA1, 20 bytes): hmac, replay packet id, net time, then as above
    now = 1700000000
    cli_ta = u8(7 << 3) + csid + rbytes(20) + u32(1) + u32(now) + u8(0) + u32(0)
    srv_ta = (u8(8 << 3) + ssid + rbytes(20) + u32(1) + u32(now + 1) + u8(1) + u32(0) + csid +
              u32(0))
    udp(pc, C4, S4, 41001, 1195, 0, cli_ta)
    udp(pc, C4, S4, 41001, 1195, 1, srv_ta)
    case("openvpn", pc, [
        flow({"client_port": 41000}, {"app": "OpenVPN", "dpi_packets": 2}),
        flow({"client_port": 41001}, {"app": "OpenVPN", "dpi_packets": 2})])

    # hostile: random datagrams on 1194, and random ones dressed with the hard
    # reset opcodes (client 0x38, server 0x40)
    pc = Pcap()
    for i in range(6):
        udp(pc, C4, S4, 41010, 1194, i % 2, rbytes(rnd.choice([14, 26, 54, 100])))
    udp(pc, C4, S4, 41011, 1194, 0, u8(0x38) + rbytes(53))
    udp(pc, C4, S4, 41011, 1194, 1, u8(0x40) + rbytes(65))
    udp(pc, C4, S4, 41011, 1194, 0, u8(0x28) + rbytes(40))
    case("openvpn_random", pc, [
        flow({"client_port": 41010}, {"app": "Unknown"}),
        flow({"client_port": 41011}, {"app": "Unknown"})])


# --- RDP (MS-RDPBCGR 2.2.1.1, 2.2.1.2) ----------------------------------------------


def tpkt_x224(code, tail):
    x224 = u8(6 + len(tail)) + u8(code) + u16(0) + u16(0x1234 if code == 0xd0 else 0) + \
        u8(0) + tail
    return u8(3) + u8(0) + u16(4 + len(x224)) + x224


def gen_rdp():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 41100, 3389)
    neg_req = u8(1) + u8(0) + le16(8) + le32(0x00000003)  # PROTOCOL_SSL | PROTOCOL_HYBRID
    t.send(0, tpkt_x224(0xe0, b"Cookie: mstshash=alice\r\n" + neg_req))
    dec1 = t.n
    neg_rsp = u8(2) + u8(0x1f) + le16(8) + le32(0x00000002)
    t.send(1, tpkt_x224(0xd0, neg_rsp))
    t.send(0, TLS_HELLO_START)
    t.close()
    t = Tcp(pc, C4, S4, 41101, 3389)
    t.send(0, tpkt_x224(0xe0, neg_req))
    dec2 = t.n
    t.send(1, tpkt_x224(0xd0, neg_rsp))
    t.close()
    case("rdp", pc, [
        flow({"client_port": 41100}, {"app": "RDP", "dpi_packets": dec1}),
        flow({"client_port": 41101}, {"app": "RDP", "dpi_packets": dec2})])


# --- SMB2/3 (MS-SMB2 2.2.1, 2.2.3), SMB1 (MS-CIFS 2.2.4.52) -------------------------


def smb2_hdr(cmd, flags, mid, credits=1):
    return (b"\xfeSMB" + le16(64) + le16(0) + le32(0) + le16(cmd) + le16(credits) +
            le32(flags) + le32(0) + struct.pack("<Q", mid) + le32(0) + le32(0) +
            struct.pack("<Q", 0) + bytes(16))


def nbss(body, t=0):
    return u8(t) + struct.pack("!I", len(body))[1:] + body


def gen_smb():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 41200, 445)
    dialects = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
    neg = (le16(36) + le16(len(dialects)) + le16(1) + le16(0) + le32(0x7f) + rbytes(16) +
           le32(0) + le16(0) + le16(0) + b"".join(le16(d) for d in dialects))
    t.send(0, nbss(smb2_hdr(0, 0, 0) + neg))
    dec1 = t.n
    rsp = (le16(65) + le16(1) + le16(0x0311) + le16(0) + rbytes(16) + le32(0x2f) +
           le32(8388608) * 3 + struct.pack("<QQ", 0x01da0000_00000000, 0) + le16(128) +
           le16(0) + le32(0))
    t.send(1, nbss(smb2_hdr(0, 1, 0) + rsp))
    t.close()
    # SMB1 over NetBIOS (139): session request, positive response, SMB_COM_NEGOTIATE
    t = Tcp(pc, C4, S4, 41201, 139)

    def nbname(n):
        n = n.ljust(15)[:15] + "\x20"
        return b"\x20" + bytes(b for c in n.encode() for b in (0x41 + (c >> 4), 0x41 +
                                                               (c & 15))) + b"\0"
    t.send(0, nbss(nbname("FILESERVER") + nbname("CLIENT"), 0x81))
    t.send(1, nbss(b"", 0x82))
    dia = b"".join(b"\x02" + d + b"\0" for d in [b"PC NETWORK PROGRAM 1.0", b"LANMAN1.0",
                                                  b"NT LM 0.12"])
    smb1 = (b"\xffSMB" + u8(0x72) + le32(0) + u8(0x18) + le16(0xc853) + le16(0) + bytes(8) +
            le16(0) + le16(0) + le16(0xfeff) + le16(0) + le16(1) + u8(0) + le16(len(dia)) + dia)
    t.send(0, nbss(smb1))
    dec2 = t.n  # after the NetBIOS session request and its positive response
    t.close()
    case("smb", pc, [
        flow({"client_port": 41200}, {"app": "SMBv23", "dpi_packets": dec1}),
        flow({"client_port": 41201}, {"app": "SMBv1", "dpi_packets": dec2})])

    # hostile: NetBIOS length shorter than the segment; SMB2 header size wrong
    pc = Pcap()
    t = Tcp(pc, C4, S4, 41210, 445)
    msg = smb2_hdr(0, 0, 0) + neg
    t.send(0, u8(0) + struct.pack("!I", 20)[1:] + msg)
    t.close()
    t = Tcp(pc, C4, S4, 41211, 445)
    t.send(0, nbss(msg[:4] + le16(32) + msg[6:]))
    t.close()
    case("smb_lying_length", pc, [
        flow({"client_port": 41210}, {"app": "Unknown"}),
        flow({"client_port": 41211}, {"app": "Unknown"})])


# --- Kerberos (RFC 4120 5.4.1, 5.9.1) -----------------------------------------------


def principal(ntype, *names):
    return seq(ctx(0, integer(ntype)), ctx(1, seq(*[gstring(n) for n in names])))


def as_req():
    body = seq(ctx(0, tlv(0x03, b"\x00\x40\x81\x00\x10")),  # kdc-options BIT STRING
               ctx(1, principal(1, "alice")), ctx(2, gstring("EXAMPLE.ORG")),
               ctx(3, principal(2, "krbtgt", "EXAMPLE.ORG")),
               ctx(5, gtime("20370913024805Z")), ctx(7, integer(0x2b7c1f3e)),
               ctx(8, seq(integer(18), integer(17))))
    pa = seq(seq(ctx(1, integer(128)), ctx(2, octets(seq(ctx(0, tlv(0x01, b"\xff")))))))
    return tlv(0x6a, seq(ctx(1, integer(5)), ctx(2, integer(10)), ctx(3, pa), ctx(4, body)))


def krb_error():
    return tlv(0x7e, seq(ctx(0, integer(5)), ctx(1, integer(30)),
                         ctx(4, gtime("20240611120000Z")), ctx(5, integer(123456)),
                         ctx(6, integer(25)), ctx(9, gstring("EXAMPLE.ORG")),
                         ctx(10, principal(2, "krbtgt", "EXAMPLE.ORG"))))


def gen_kerberos():
    pc = Pcap()
    q, r = as_req(), krb_error()
    udp(pc, C4, S4, 41300, 88, 0, q)
    udp(pc, C4, S4, 41300, 88, 1, r)
    t = Tcp(pc, C4, S4, 41301, 88)
    t.send(0, u32(len(q)) + q)
    dec = t.n
    t.send(1, u32(len(r)) + r)
    t.close()
    case("kerberos", pc, [
        flow({"l4": "udp", "client_port": 41300}, {"app": "Kerberos", "dpi_packets": 1}),
        flow({"l4": "tcp", "client_port": 41301}, {"app": "Kerberos", "dpi_packets": dec})])

    # hostile: UDP AS-REQ cut short (outer length beyond the datagram); TCP
    # record mark smaller than the message that follows
    pc = Pcap()
    udp(pc, C4, S4, 41310, 88, 0, q[:len(q) - 20])
    t = Tcp(pc, C4, S4, 41311, 88)
    t.send(0, u32(len(q) - 30) + q)
    t.close()
    case("kerberos_truncated", pc, [
        flow({"client_port": 41310}, {"app": "Unknown"}),
        flow({"client_port": 41311}, {"app": "Unknown"})])


# --- LDAP (RFC 4511 4.2, 4.5) ---------------------------------------------------------


def gen_ldap():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 41400, 389)
    bind = seq(integer(1), tlv(0x60, integer(3) + octets("cn=admin,dc=example,dc=org") +
                               tlv(0x80, b"secret")))
    t.send(0, bind)
    dec = t.n
    t.send(1, seq(integer(1), tlv(0x61, tlv(0x0a, b"\x00") + octets("") + octets(""))))
    search = seq(integer(2), tlv(0x63, octets("dc=example,dc=org") + tlv(0x0a, b"\x02") +
                                 tlv(0x0a, b"\x00") + integer(0) + integer(0) +
                                 tlv(0x01, b"\x00") + tlv(0x87, b"objectClass") +
                                 seq(octets("cn"))))
    t.send(0, search)
    t.send(1, seq(integer(2), tlv(0x65, tlv(0x0a, b"\x00") + octets("") + octets(""))))
    t.send(0, seq(integer(3), tlv(0x42, b"")))  # UnbindRequest
    t.close()
    # CLDAP (RFC 1798 / MS-ADTS 6.3.3): rootDSE search over UDP
    cl = seq(integer(7), tlv(0x63, octets("") + tlv(0x0a, b"\x00") + tlv(0x0a, b"\x00") +
                             integer(0) + integer(0) + tlv(0x01, b"\x00") +
                             tlv(0x87, b"objectClass") + seq(octets("Netlogon"))))
    udp(pc, C4, S4, 41401, 389, 0, cl)
    case("ldap", pc, [
        flow({"client_port": 41400}, {"app": "LDAP", "dpi_packets": dec}),
        flow({"client_port": 41401}, {"app": "LDAP", "dpi_packets": 1})])

    # hostile: CLDAP message whose SEQUENCE length exceeds the datagram; a bind
    # with version 9
    pc = Pcap()
    udp(pc, C4, S4, 41410, 389, 0, cl[:1] + u8(cl[1] + 40) + cl[2:])
    t = Tcp(pc, C4, S4, 41411, 389)
    t.send(0, seq(integer(1), tlv(0x60, integer(9) + octets("cn=x") + tlv(0x80, b""))))
    t.close()
    case("ldap_lying_length", pc, [
        flow({"client_port": 41410}, {"app": "Unknown"}),
        flow({"client_port": 41411}, {"app": "Unknown"})])


# --- BGP (RFC 4271 4.2, 4.4; capabilities RFC 5492) ----------------------------------


def bgp(mtype, body):
    return b"\xff" * 16 + u16(19 + len(body)) + u8(mtype) + body


def gen_bgp():
    pc = Pcap()
    t = Tcp(pc, C4, S4, 41500, 179)
    caps = (u8(1) + u8(4) + u16(1) + u8(0) + u8(1)  # multiprotocol IPv4 unicast
            + u8(2) + u8(0)  # route refresh
            + u8(65) + u8(4) + u32(65001))  # 4-octet AS
    opt = u8(2) + u8(len(caps)) + caps
    t.send(0, bgp(1, u8(4) + u16(65001) + u16(180) + ipaddr(C4) + u8(len(opt)) + opt))
    dec = t.n
    t.send(1, bgp(1, u8(4) + u16(65002) + u16(90) + ipaddr(S4) + u8(len(opt)) + opt))
    t.send(0, bgp(4, b""))
    t.send(1, bgp(4, b""))
    t.close()
    # a session seen from its KEEPALIVEs only
    t = Tcp(pc, C4, S4, 41501, 179)
    t.send(1, bgp(4, b""))
    t.close()
    case("bgp", pc, [
        versioned({"client_port": 41500}, "BGP", 4, expect={"dpi_packets": dec}),
        flow({"client_port": 41501}, {"app": "BGP"})])


# --- ICMP (RFC 792), ICMPv6 (RFC 4443) -----------------------------------------------


def gen_icmp():
    pc = Pcap()
    payload = bytes(range(0x10, 0x38))
    pc.frame(u8(8) + u8(0) + u16(0) + u16(0x4d2) + u16(1) + payload, 1, C4, S4)
    pc.frame(u8(0) + u8(0) + u16(0) + u16(0x4d2) + u16(1) + payload, 1, S4, C4)
    a6, b6 = "2001:db8::10", "2001:db8::20"
    pc.frame(u8(128) + u8(0) + u16(0) + u16(0x99) + u16(1) + payload, 58, a6, b6)
    pc.frame(u8(129) + u8(0) + u16(0) + u16(0x99) + u16(1) + payload, 58, b6, a6)
    case("icmp", pc, [
        flow({"l4": "icmp"}, {"app": "ICMP", "client_ip": C4, "server_ip": S4}),
        flow({"l4": "icmpv6"}, {"app": "ICMPV6", "client_ip": a6, "server_ip": b6})])


GENERATORS = [gen_ssh, gen_mail, gen_snmp, gen_ntp, gen_sip, gen_mqtt, gen_syslog, gen_dhcp,
              gen_ipsec, gen_wireguard, gen_openvpn, gen_rdp, gen_smb, gen_kerberos, gen_ldap,
              gen_bgp, gen_icmp]


def write_cases(root):
    for g in GENERATORS:
        g()
    for name, (pcap, flows) in sorted(CASES.items()):
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input.pcap"), "wb") as f:
            f.write(pcap)
        with open(os.path.join(d, "expect.json"), "w") as f:
            json.dump(flows, f, indent=1, sort_keys=True)
            f.write("\n")
    return sorted(CASES)


def case_dirs(root):
    return sorted(n for n in os.listdir(root)
                  if os.path.isfile(os.path.join(root, n, "expect.json")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare the committed cases with a fresh generation")
    args = ap.parse_args()
    if not args.check:
        write_cases(HERE)
        return 0
    tmp = tempfile.mkdtemp(prefix="dpi_more_cases.")
    try:
        names = write_cases(tmp)
        bad = 0
        for n in sorted(set(names) | set(case_dirs(HERE))):
            for fn in ("input.pcap", "expect.json"):
                a, b = os.path.join(HERE, n, fn), os.path.join(tmp, n, fn)
                if not os.path.isfile(a) or not os.path.isfile(b):
                    print("DIFF %s/%s: %s" % (n, fn, "missing from the committed cases"
                                              if not os.path.isfile(a) else
                                              "not generated any more (stale)"))
                    bad += 1
                elif not filecmp.cmp(a, b, shallow=False):
                    print("DIFF %s/%s differs from a fresh generation" % (n, fn))
                    bad += 1
        print("%d cases checked, %d differences" % (len(names), bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
