#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the dpi pcap cases and the fuzz seed corpora.

Each case is tests/dpi/cases/<case>/input.pcap plus expect.json: a list of
flow expectations {"match": {field: value}, "expect": {field: value},
"absent": [field], "flags_include": [...], "flags_exclude": [...]}
checked by run_cases.py against `segwd --replay`. Expected values are
computed here independently (the JA4 below follows FoxIO's specification,
not our C code). Fuzz seeds (tests/dpi/seeds/<target>/) use fuzz_drive.h's
chunk format. Needs python3-cryptography (QUIC protection, certificates).

  python3 gen_cases.py            # rewrite cases and seeds in place
"""
import datetime
import hashlib
import hmac
import json
import os
import random
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(os.path.dirname(HERE), "seeds")
rnd = random.Random(7)

# --- pcap writing -----------------------------------------------------------


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(s):
    return bytes(int(x) for x in s.split("."))


class Pcap:
    def __init__(self):
        self.recs = []
        self.t = 1700000000.0

    def frame(self, l4, proto, src, dst):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), rnd.randrange(65536), 0, 64,
                         proto, 0, ip4(src), ip4(dst))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
        self.t += 0.001
        self.recs.append((self.t, eth + ip + l4))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for t, d in self.recs:
                f.write(struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(d), len(d)))
                f.write(d)


class Tcp:
    """A TCP connection; send() emits segments (optionally reordered)."""

    def __init__(self, pc, c, s, cp, sp):
        self.pc, self.c, self.s, self.cp, self.sp = pc, c, s, cp, sp
        self.seq = [100000, 700000]
        self.chunks = [[], []]
        self.hs()

    def seg(self, d, flags, data=b"", seq=None):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        sp, dp = (self.cp, self.sp) if d == 0 else (self.sp, self.cp)
        seq = self.seq[d] if seq is None else seq
        ack = self.seq[1 - d]
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50, flags,
                          65535, 0, 0) + data
        self.pc.frame(tcp, 6, src, dst)
        self.chunks[d].append(data)

    def hs(self):
        self.seg(0, 0x02)
        self.seq[0] += 1
        self.seg(1, 0x12)
        self.seq[1] += 1
        self.seg(0, 0x10)

    def send(self, d, data, size=1460, order=None):
        parts = [(self.seq[d] + i, data[i:i + size]) for i in range(0, len(data), size)]
        idx = order(len(parts)) if order else range(len(parts))
        for i in idx:
            self.seg(d, 0x18, parts[i][1], seq=parts[i][0])
        self.seq[d] += len(data)

    def close(self):
        self.seg(0, 0x11)
        self.seq[0] += 1
        self.seg(1, 0x11)
        self.seq[1] += 1
        self.seg(0, 0x10)


def udp(pc, c, s, cp, sp, d, data):
    src, dst, a, b = (c, s, cp, sp) if d == 0 else (s, c, sp, cp)
    pc.frame(struct.pack("!HHHH", a, b, 8 + len(data), 0) + data, 17, src, dst)


# --- TLS messages -------------------------------------------------------------

GREASE = 0x3a3a


def u8(x):
    return struct.pack("!B", x)


def u16(x):
    return struct.pack("!H", x)


def u24(x):
    return struct.pack("!I", x)[1:]


def ext(t, body):
    return u16(t) + u16(len(body)) + body


def client_hello(sni=None, alpn=("h2", "http/1.1"), versions=(0x0304, 0x0303), ech=False,
                 ciphers=(GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x009c),
                 sigs=(0x0403, 0x0804, 0x0401, 0x0503), quic=False):
    exts = [(GREASE, b"")]
    if sni is not None:
        n = sni.encode()
        exts.append((0x0000, u16(len(n) + 3) + u8(0) + u16(len(n)) + n))
    exts.append((0x000a, u16(4) + u16(0x001d) + u16(0x0017)))
    exts.append((0x000d, u16(2 * len(sigs)) + b"".join(u16(s) for s in sigs)))
    if alpn:
        lst = b"".join(u8(len(a)) + a.encode() for a in alpn)
        exts.append((0x0010, u16(len(lst)) + lst))
    if versions:
        exts.append((0x002b, u8(2 * len(versions) + 2) + u16(GREASE) +
                     b"".join(u16(v) for v in versions)))
    exts.append((0x0033, u16(38) + u16(0x001d) + u16(32) + bytes(32)))
    if ech:
        exts.append((0xfe0d, bytes(40)))
    if quic:
        exts.append((0x0039, bytes(8)))
    eb = b"".join(ext(t, b) for t, b in exts)
    body = (u16(0x0303) + bytes(range(32)) + u8(32) + bytes(32) + u16(2 * len(ciphers)) +
            b"".join(u16(c) for c in ciphers) + u8(1) + u8(0) + u16(len(eb)) + eb)
    ja = ja4("q" if quic else "t", versions or (0x0303,), sni, alpn, ciphers,
             [t for t, _ in exts], sigs)
    return u8(1) + u24(len(body)) + body, ja


def ja4(transport, versions, sni, alpn, ciphers, exts, sigs):
    """JA4 per FoxIO's specification, written from the spec for the tests."""
    def grease(v):
        return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)
    vmap = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10"}
    v = vmap.get(max(x for x in versions if not grease(x)), "00")
    cs = [c for c in ciphers if not grease(c)]
    es = [e for e in exts if not grease(e)]
    a = alpn[0] if alpn else ""
    al = (a[0] + a[-1]) if a else "00"
    part_a = "%s%s%s%02d%02d%s" % (transport, v, "d" if sni else "i", min(len(cs), 99),
                                   min(len(es), 99), al)

    def h(s):
        return hashlib.sha256(s.encode()).hexdigest()[:12] if s else "000000000000"
    b = h(",".join("%04x" % c for c in sorted(cs)))
    el = ",".join("%04x" % e for e in sorted(e for e in es if e not in (0, 0x10)))
    if sigs:
        el += "_" + ",".join("%04x" % s for s in sigs)
    return "%s_%s_%s" % (part_a, b, h(el))


def server_hello(version=0x0303, cipher=0xc02f, tls13=False):
    exts = b""
    if tls13:
        exts = ext(0x002b, u16(0x0304)) + ext(0x0033, u16(0x001d) + u16(32) + bytes(32))
    body = (u16(0x0303 if tls13 else version) + bytes(32) + u8(0) + u16(cipher) + u8(0) +
            u16(len(exts)) + exts)
    return u8(2) + u24(len(body)) + body


def certificate(cn, sans):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "segw test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    nb = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    na = datetime.datetime(2034, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(12345).not_valid_before(nb)
         .not_valid_after(na))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), False)
    der = b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    lst = u24(len(der)) + der
    body = u24(len(lst)) + lst
    return u8(11) + u24(len(body)) + body, int(nb.timestamp()), int(na.timestamp())


def record(hs, typ=22, ver=0x0301):
    return u8(typ) + u16(ver) + u16(len(hs)) + hs


# --- QUIC Initial protection (RFC 9001 5, RFC 9369) -------------------------

SALT = {1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
        0x6b3343cf: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")}


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def expand_label(secret, label, length):
    full = b"tls13 " + label.encode()
    info = u16(length) + u8(len(full)) + full + u8(0)
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + u8(i), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def varint(v):
    if v < 64:
        return u8(v)
    if v < 16384:
        return u16(0x4000 | v)
    return struct.pack("!I", 0x80000000 | v)


def quic_initial(version, dcid, frames, token=b"", token_len=None, server=False, pn=0):
    v2 = version == 0x6b3343cf
    secret = expand_label(hkdf_extract(SALT[version], dcid), "server in" if server else "client in",
                          32)
    pre = "quicv2 " if v2 else "quic "
    key, iv, hp = (expand_label(secret, pre + "key", 16), expand_label(secret, pre + "iv", 12),
                   expand_label(secret, pre + "hp", 16))
    ptype = 1 if v2 else 0
    first = 0xc0 | (ptype << 4) | 0x03  # 4-byte packet number
    scid = b"\x11" * 8
    payload = frames
    if not server:
        payload += bytes(max(0, 1162 - len(frames)))  # pad the datagram to 1200
    length = 4 + len(payload) + 16
    hdr = (u8(first) + struct.pack("!I", version) + u8(len(dcid)) + dcid + u8(len(scid)) + scid +
           varint(len(token) if token_len is None else token_len) + token + varint(length))
    pn_off = len(hdr)
    hdr += struct.pack("!I", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + struct.pack("!Q", pn)))
    ct = AESGCM(key).encrypt(nonce, payload, hdr)
    sample = ct[4 - 4:4 - 4 + 16]  # sample starts 4 bytes after the pn start
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(sample)
    h = bytearray(hdr)
    h[0] ^= mask[0] & 0x0f
    for i in range(4):
        h[pn_off + i] ^= mask[1 + i]
    return bytes(h) + ct


def crypto(off, data):
    return u8(6) + varint(off) + varint(len(data)) + data


# --- DNS ----------------------------------------------------------------------


def dns_name(n):
    return b"".join(u8(len(l)) + l.encode() for l in n.split(".")) + b"\0"


def dns_query(qid, name, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + u16(qtype) + u16(1)


def dns_response(qid, name, addrs, rcode=0, qtype=1):
    q = dns_name(name) + u16(qtype) + u16(1)
    ans = b""
    for a in addrs:
        rd = ip4(a)
        ans += u16(0xc00c) + u16(1) + u16(1) + struct.pack("!I", 60) + u16(len(rd)) + rd
    return struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(addrs), 0, 0) + q + ans


# --- cases ----------------------------------------------------------------------

CASES = {}
SEED = {"fuzz_tls": [], "fuzz_dns": [], "fuzz_http": []}


def case(name, pc, expects):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    pc.write(os.path.join(d, "input.pcap"))
    with open(os.path.join(d, "expect.json"), "w") as f:
        json.dump(expects, f, indent=1, sort_keys=True)
        f.write("\n")


def seed(target, chunks):
    """chunks: [(dir, bytes)] in fuzz_drive.h's format."""
    SEED[target].append(b"".join(u8(d) + u16(len(b)) + b for d, b in chunks))


C, S = "10.0.0.1", "192.0.2.10"


def tls_case(name, sni="www.example.com", seg=1460, order=None, cert_for=None, sh_version=0x0303,
             ech=False, alpn=("h2", "http/1.1"), extra=None):
    pc = Pcap()
    ch, ja = client_hello(sni=sni, ech=ech, alpn=alpn)
    t = Tcp(pc, C, S, 40001, 443)
    t.send(0, record(ch), size=seg, order=order)
    cert, nb, na = certificate(*(cert_for or ("www.example.com", ["www.example.com"])))
    flight = record(server_hello(version=sh_version) + cert, ver=0x0303)
    t.send(1, flight)
    t.close()
    seed("fuzz_tls", [(0, record(ch)), (1, flight)])
    exp = {"app": "TLS", "ja4": ja}
    if sni:
        exp["server_name"] = sni
    if alpn:
        exp["alpn"] = ",".join(alpn)
    e = {"match": {"server_port": 443}, "expect": exp, "absent": [],
         "flags_include": [], "flags_exclude": []}
    if cert_for is None:
        e["expect"].update({"cert_not_before": nb, "cert_not_after": na})
        e["flags_exclude"].append("sni_mismatch")
    if extra:
        extra(e)
    case(name, pc, [e])


def build():
    tls_case("tls_basic", extra=lambda e: e["expect"].update(
        {"tls_version": "TLSv1.2", "cert_subject": "C=GB, O=segw test, CN=www.example.com",
         "dpi_packets": 4}))
    tls_case("tls_split_1byte", seg=1)
    # the first segment first (it fixes the stream's origin), the rest reversed
    tls_case("tls_split_reordered", seg=97, order=lambda n: [0] + list(range(1, n))[::-1])
    tls_case("tls_sni_mismatch", cert_for=("other.example.org", ["other.example.org"]),
             extra=lambda e: e["flags_include"].append("sni_mismatch"))
    tls_case("tls_ech_no_sni", sni=None, ech=True,
             extra=lambda e: (e["flags_include"].extend(["no_sni", "ech"]),
                              e["absent"].append("server_name")))
    tls_case("tls_old_version", sh_version=0x0301, extra=lambda e: (
        e["flags_include"].append("old_tls"), e["expect"].update({"tls_version": "TLSv1"})))

    # lying lengths: the record says 16 KiB, the hello says 1 MiB; the flow ends
    pc = Pcap()
    t = Tcp(pc, C, S, 40002, 443)
    lie = u8(22) + u16(0x0301) + u16(0x3fff) + u8(1) + u24(0x0fffff) + bytes(200)
    t.send(0, lie)
    t.send(1, b"\x15\x03\x03\x00\x02\x02\x28")
    t.close()
    seed("fuzz_tls", [(0, lie)])
    case("tls_lying_length", pc, [{"match": {"server_port": 443}, "expect": {},
                                   "absent": ["server_name", "ja4"], "flags_include": [],
                                   "flags_exclude": []}])

    # QUIC v1 and v2: ClientHello in two CRYPTO frames, out of order
    for name, ver in (("quic_v1", 1), ("quic_v2", 0x6b3343cf)):
        pc = Pcap()
        ch, ja = client_hello(sni="quic.example.net", alpn=("h3",), quic=True)
        dcid = bytes(range(1, 9))
        half = len(ch) // 2
        frames = crypto(half, ch[half:]) + u8(1) + crypto(0, ch[:half])
        pkt = quic_initial(ver, dcid, frames)
        udp(pc, C, S, 50001, 443, 0, pkt)
        sh = server_hello(cipher=0x1301, tls13=True)
        spkt = quic_initial(ver, dcid, crypto(0, sh), server=True)
        udp(pc, C, S, 50001, 443, 1, spkt)
        seed("fuzz_tls", [(0, pkt), (1, spkt)])
        case(name, pc, [{"match": {"server_port": 443}, "expect": {
            "app": "QUIC", "server_name": "quic.example.net", "ja4": ja, "alpn": "h3",
            "tls_version": "TLSv1.3"}, "absent": [], "flags_include": [], "flags_exclude": []}])

    # QUIC ClientHello split across two Initial packets
    pc = Pcap()
    ch, ja = client_hello(sni="split.example.net", alpn=("h3",), quic=True)
    dcid = bytes(range(9, 17))
    half = len(ch) // 3
    p2 = quic_initial(1, dcid, crypto(half, ch[half:]), pn=1)
    p1 = quic_initial(1, dcid, crypto(0, ch[:half]), pn=0)
    udp(pc, C, S, 50002, 443, 0, p2)  # second half first
    udp(pc, C, S, 50002, 443, 0, p1)
    seed("fuzz_tls", [(0, p2), (0, p1)])
    case("quic_split_initials", pc, [{"match": {"server_port": 443}, "expect": {
        "app": "QUIC", "server_name": "split.example.net", "ja4": ja}, "absent": [],
        "flags_include": [], "flags_exclude": []}])

    # QUIC with a token length beyond the packet: not decodable, not named
    pc = Pcap()
    bad = quic_initial(1, bytes(8), crypto(0, client_hello(sni="bad.example")[0]),
                       token=b"\x42" * 4, token_len=3000)
    udp(pc, C, S, 50003, 443, 0, bad)
    seed("fuzz_tls", [(0, bad)])
    case("quic_bad_token", pc, [{"match": {"server_port": 443}, "expect": {"app": "Unknown"},
                                 "absent": ["server_name"], "flags_include": [],
                                 "flags_exclude": []}])

    # DNS over UDP; a later flow to the answered address is named from the cache
    pc = Pcap()
    q, r = dns_query(0x1234, "files.example.com"), dns_response(0x1234, "files.example.com",
                                                               ["198.51.100.7"])
    udp(pc, C, "192.0.2.53", 53001, 53, 0, q)
    udp(pc, C, "192.0.2.53", 53001, 53, 1, r)
    t = Tcp(pc, C, "198.51.100.7", 40003, 8443)
    t.send(0, b"\x00\x01binary-protocol-hello")
    t.close()
    seed("fuzz_dns", [(0, q), (1, r)])
    case("dns_udp_cache", pc, [
        {"match": {"server_port": 53}, "expect": {"app": "DNS",
                                                  "server_name": "files.example.com",
                                                  "dns_qtype": 1, "dns_rcode": 0,
                                                  "dns_answers": 1, "dpi_packets": 1},
         "absent": [], "flags_include": [], "flags_exclude": []},
        {"match": {"server_port": 8443}, "expect": {"app": "Unknown",
                                                    "server_name": "files.example.com",
                                                    "server_name_source": "dns"},
         "absent": [], "flags_include": [], "flags_exclude": []}])

    # DNS over TCP, the length prefix and message split over segments
    pc = Pcap()
    t = Tcp(pc, C, "192.0.2.53", 40004, 53)
    q = dns_query(7, "tcp.example.org", qtype=28)
    t.send(0, u16(len(q)) + q, size=5)
    r = dns_response(7, "tcp.example.org", [], qtype=28)
    t.send(1, u16(len(r)) + r)
    t.close()
    seed("fuzz_dns", [(0, u16(len(q)) + q[:3]), (0, q[3:]), (1, u16(len(r)) + r)])
    case("dns_tcp_split", pc, [{"match": {"server_port": 53}, "expect": {
        "app": "DNS", "server_name": "tcp.example.org", "dns_qtype": 28}, "absent": [],
        "flags_include": [], "flags_exclude": []}])

    # DNS compression loops: a question pointing at itself is not DNS; an answer
    # loop ends the answer walk (the question still names the flow)
    pc = Pcap()
    loopq = struct.pack("!HHHHHH", 9, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + u16(1) + u16(1)
    udp(pc, C, "192.0.2.53", 53002, 5300, 0, loopq)
    good = dns_query(10, "loop.example.com")
    loopr = (struct.pack("!HHHHHH", 10, 0x8180, 1, 1, 0, 0) + dns_name("loop.example.com") +
             u16(1) + u16(1) + b"\xc0\x22\xc0\x20" + u16(1) + u16(1) + bytes(4) + u16(4) +
             bytes(4))
    udp(pc, C, "192.0.2.53", 53003, 53, 0, good)
    udp(pc, C, "192.0.2.53", 53003, 53, 1, loopr)
    seed("fuzz_dns", [(0, loopq)])
    seed("fuzz_dns", [(0, good), (1, loopr)])
    case("dns_compression_loop", pc, [
        {"match": {"server_port": 5300}, "expect": {"app": "Unknown"}, "absent": ["server_name"],
         "flags_include": [], "flags_exclude": []},
        {"match": {"server_port": 53}, "expect": {"app": "DNS", "server_name": "loop.example.com",
                                                  "dns_answers": 0},
         "absent": [], "flags_include": [], "flags_exclude": []}])

    # HTTP: request split in the middle of the Host header; CONNECT
    pc = Pcap()
    t = Tcp(pc, C, S, 40005, 8080)
    req = (b"GET /index.html?q=1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\n"
           b"User-Agent: segw-test/1.0\r\nAccept: */*\r\n\r\n")
    t.send(0, req, size=40)
    t.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.close()
    t = Tcp(pc, C, S, 40006, 3128)
    con = b"CONNECT secure.example.net:443 HTTP/1.1\r\nUser-Agent: curl/8\r\n\r\n"
    t.send(0, con)
    t.close()
    t = Tcp(pc, C, S, 40007, 80)
    t.send(0, b"GETX / HTTP/1.1\r\n\r\n")
    t.close()
    seed("fuzz_http", [(0, req[:40]), (0, req[40:80]), (0, req[80:])])
    seed("fuzz_http", [(0, con)])
    case("http_split_connect", pc, [
        {"match": {"server_port": 8080}, "expect": {
            "app": "HTTP", "server_name": "WWW.Example.com", "http_method": "GET",
            "http_path_len": len("/index.html?q=1"), "user_agent": "segw-test/1.0"},
         "absent": [], "flags_include": [], "flags_exclude": []},
        {"match": {"server_port": 3128}, "expect": {
            "app": "HTTP_Connect", "server_name": "secure.example.net", "http_method": "CONNECT"},
         "absent": [], "flags_include": [], "flags_exclude": []},
        {"match": {"server_port": 80}, "expect": {"app": "Unknown"}, "absent": ["server_name"],
         "flags_include": [], "flags_exclude": []}])

    for target, items in SEED.items():
        d = os.path.join(SEEDS, target)
        os.makedirs(d, exist_ok=True)
        for i, b in enumerate(items):
            with open(os.path.join(d, "case-%02d" % i), "wb") as f:
                # fuzz_tls/fuzz_dns: first byte picks the transport
                if target == "fuzz_tls":
                    udp_seed = b[3:4] and (b[3] & 0xc0) == 0xc0
                    f.write(b"\x01" + b if udp_seed else b"\x00" + b)
                elif target == "fuzz_dns":
                    f.write(b"\x00" + b)
                else:
                    f.write(b)


if __name__ == "__main__":
    build()
