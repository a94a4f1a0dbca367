#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make_seeds.py - (re)build the seed corpora of the libFuzzer targets.

    tests/fuzz/make_seeds.py [--captures DIR] [--out DIR]

Frames come from the real captures of the shared corpus (nDPI's regression
captures, ../shared/corpus/ndpi/pcap beside the checkout); link types that no
capture there uses (SLL2, OpenBSD loopback, Cisco HDLC, MPLS, QinQ...) are
synthesised around a real IP packet. Defrag and zone-prefix seeds are
synthesised from scratch.

Only files whose name starts with "seed-" are written or removed, so hand-added
reproducers (crash-*, regress-*) in the same folders survive a regeneration.
Output is deterministic: running it twice gives identical files.

The input formats are those documented in tests/fuzz/README.md and at the top
of each target's source file; keep the three in step.
"""

import argparse
import math
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CAPTURES = os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "corpus", "ndpi", "pcap"))

# enum hal_link (hal/include/segw/hal/pktbuf.h)
LINK_ETHERNET, LINK_SLL, LINK_SLL2, LINK_RAW, LINK_IPV4, LINK_IPV6, LINK_NULL, \
    LINK_LOOP, LINK_PPP, LINK_CHDLC, LINK_PPI, LINK_RADIOTAP, LINK_UNSUPPORTED = range(13)

# capture-file link type -> enum hal_link, as drivers/pcap/pcap_port.c maps it
DLT_TO_LINK = {1: LINK_ETHERNET, 113: LINK_SLL, 276: LINK_SLL2, 101: LINK_RAW, 12: LINK_RAW,
               14: LINK_RAW, 228: LINK_IPV4, 229: LINK_IPV6, 0: LINK_NULL, 108: LINK_LOOP,
               9: LINK_PPP, 104: LINK_CHDLC, 192: LINK_PPI, 127: LINK_RADIOTAP}

# Budgets: keep the committed corpus small (README: well under 2 MB).
PIPELINE_SEED_BYTES = 16 * 1024
PIPELINE_SEED_FRAMES = 32
DECODE_PER_SIGNATURE = 2
DECODE_MAX_SEEDS = 240
PCAP_SEED_FRAMES = 8


# --- reading captures (classic pcap in either byte order/precision, pcapng) ---

def read_capture(path):
    """Yield (linktype, ts_ns, frame bytes, wire length) for each frame."""
    with open(path, "rb") as f:
        b = f.read()
    m = b[:4]
    if m in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        bo = "<" if m[0] in (0xD4, 0x4D) else ">"
        nano = m in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        if len(b) < 24:
            return
        dlt = struct.unpack(bo + "I", b[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(b):
            sec, frac, cl, wl = struct.unpack(bo + "IIII", b[off:off + 16])
            off += 16
            if cl > len(b) - off:
                return
            yield dlt, sec * 10**9 + (frac if nano else frac * 1000), b[off:off + cl], wl
            off += cl
    elif m == b"\x0a\x0d\x0d\x0a":
        bo, off, ifs = "<", 0, []
        while off + 12 <= len(b):
            if b[off:off + 4] == b"\x0a\x0d\x0d\x0a":
                bo = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                ifs = []
            btype, blen = struct.unpack(bo + "II", b[off:off + 8])
            if blen < 12 or off + blen > len(b):
                return
            body = b[off + 8:off + blen - 4]
            if btype == 1 and len(body) >= 8:
                ifs.append(struct.unpack(bo + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iid, th, tl, cl, wl = struct.unpack(bo + "IIIII", body[:20])
                if iid < len(ifs):  # assumes the default microsecond resolution
                    yield ifs[iid], ((th << 32) | tl) * 1000, body[20:20 + cl], wl
            elif btype == 3 and len(body) >= 4 and ifs:
                wl = struct.unpack(bo + "I", body[:4])[0]
                fr = body[4:4 + wl]
                yield ifs[0], 0, fr, wl
            off += blen


def pcapng_blocks(path):
    """Yield (type, raw block bytes) of a pcapng file, or nothing for pcap."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:4] != b"\x0a\x0d\x0d\x0a":
        return
    bo, off = "<", 0
    while off + 12 <= len(b):
        if b[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            bo = "<" if b[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(bo + "II", b[off:off + 8])
        if blen < 12 or off + blen > len(b):
            return
        yield btype, b[off:off + blen]
        off += blen


# --- a tiny decoder, only to pick frames that differ in what they exercise ---

def signature(dlt, fr):
    """A coarse label of what decoding @fr exercises (link, tags, L3, L4 shape)."""
    sig = ["dlt%d" % dlt]
    off = 0
    if dlt == 1:
        if len(fr) < 14:
            return tuple(sig + ["short"])
        et, off = int.from_bytes(fr[12:14], "big"), 14
        while et in (0x8100, 0x88A8, 0x9100) and len(fr) >= off + 4:
            sig.append("vlan")
            et, off = int.from_bytes(fr[off + 2:off + 4], "big"), off + 4
        if et == 0x8864:
            sig.append("pppoe")
            off += 8
        elif et in (0x8847, 0x8848):
            return tuple(sig + ["mpls"])
        elif et not in (0x0800, 0x86DD):
            return tuple(sig + ["nonip"])
    elif dlt == 113:
        off = 16
    elif dlt == 276:
        off = 20
    elif dlt in (0, 108, 9):
        off = 4
    elif dlt == 192:
        return tuple(sig)
    if len(fr) <= off:
        return tuple(sig + ["short"])
    v = fr[off] >> 4
    sig.append("v%d" % v)
    if v == 4 and len(fr) >= off + 20:
        hl = (fr[off] & 15) * 4
        if hl > 20:
            sig.append("opt")
        fo = int.from_bytes(fr[off + 6:off + 8], "big")
        if fo & 0x3FFF:
            sig.append("frag")
        sig.append("p%d" % fr[off + 9])
        sig += udp_tunnel(fr, off + hl) if fr[off + 9] == 17 else []
        if int.from_bytes(fr[off + 2:off + 4], "big") > len(fr) - off:
            sig.append("cut")
    elif v == 6 and len(fr) >= off + 40:
        nh = fr[off + 6]
        if nh in (0, 43, 44, 60, 51):
            sig.append("ext%d" % nh)
        sig.append("p%d" % nh)
        sig += udp_tunnel(fr, off + 40) if nh == 17 else []
    return tuple(sig)


def udp_tunnel(fr, off):
    """VXLAN and GTP-U ports, which decode looks inside."""
    if len(fr) < off + 4:
        return []
    ports = {int.from_bytes(fr[off:off + 2], "big"), int.from_bytes(fr[off + 2:off + 4], "big")}
    return ["vxlan"] if 4789 in ports else ["gtpu"] if 2152 in ports else []


# --- input formats of the targets --------------------------------------------

def dt_byte(delta_ns):
    """Encode a time step as the one-byte delta of the pipeline format."""
    if delta_ns < 0:
        return 255
    ms = int(round(delta_ns / 1e6))
    if ms < 128:
        return ms
    n = int(round(math.sqrt(delta_ns / 1e9)))
    return 127 + min(max(n, 1), 127)


def wx_byte(extra):
    """Encode wire_len - caplen as the one-byte "wire extra" of the formats."""
    if extra <= 0:
        return 0
    if extra < 128:
        return extra
    return 127 + min((extra + 63) // 64, 128)


def pipeline_frame(link, port, dt, wx, fr):
    fr = fr[:0xFFFF]
    return struct.pack(">HBBB", len(fr), (port << 4) | link, dt, wx) + fr


def pipeline_header(full=0, malformed_pass=0, slots_log=6, ctx=3, tmo=0, ext_clock=0, policy=0):
    return bytes([(full & 3) | (malformed_pass << 2) | (slots_log << 3) | (ctx << 6),
                  (tmo & 0x7F) | (ext_clock << 7), policy & 3])


def decode_input(link, wx, fr):
    return bytes([link, wx]) + fr


# --- synthesis helpers ---------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0, opts=b""):
    hl = 20 + len(opts)
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | (hl // 4), 0, hl + len(payload), ident, frag, 64,
                    proto, 0, bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), nh, 64, bytes(src),
                       bytes(dst)) + payload


def udp(sp, dp, data):
    return struct.pack(">HHHH", sp, dp, 8 + len(data), 0) + data


def tcp(sp, dp, flags, data):
    return struct.pack(">HHIIBBHHH", sp, dp, 1000, 0, 0x50, flags, 65535, 0, 0) + data


def eth(et, payload, tags=()):
    b = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for tpid, vid in tags:
        b += struct.pack(">HH", tpid, vid)
    return b + struct.pack(">H", et) + payload


V4A, V4B = [10, 1, 2, 3], [93, 184, 216, 34]
V6A = [0xFD] + [0] * 14 + [1]
V6B = [0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [2]
DNS_Q = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")


def synthetic_decode_seeds():
    """Frames of link types and encapsulations the captures lack."""
    p4 = ipv4(V4A, V4B, 17, udp(5353, 53, DNS_Q))
    p6 = ipv6(V6A, V6B, 6, tcp(40000, 443, 0x02, b""))
    s = {}
    s["sll2-v4"] = (LINK_SLL2, struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, b"\x02" * 8) + p4)
    s["loop-v4"] = (LINK_LOOP, struct.pack(">I", 2) + p4)
    s["loop-v6"] = (LINK_LOOP, struct.pack(">I", 24) + p6)
    s["null-v6-be"] = (LINK_NULL, struct.pack(">I", 30) + p6)
    s["null-v6-le"] = (LINK_NULL, struct.pack("<I", 10) + p6)
    s["chdlc-v4"] = (LINK_CHDLC, struct.pack(">BBH", 0x0F, 0, 0x0800) + p4)
    s["chdlc-v6"] = (LINK_CHDLC, struct.pack(">BBH", 0x0F, 0, 0x86DD) + p6)
    s["ppp-ff03-v4"] = (LINK_PPP, b"\xff\x03\x00\x21" + p4)
    s["ppp-pfc-v6"] = (LINK_PPP, b"\x57" + p6)
    s["raw-v6"] = (LINK_RAW, p6)
    s["ipv6-link"] = (LINK_IPV6, p6)
    s["ipv4-link"] = (LINK_IPV4, p4)
    s["eth-qinq-v4"] = (LINK_ETHERNET, eth(0x0800, p4, ((0x88A8, 100), (0x8100, 20))))
    s["eth-vlan3-deep"] = (LINK_ETHERNET, eth(0x0800, p4, ((0x88A8, 1), (0x8100, 2), (0x8100, 3))))
    s["eth-mpls2-v4"] = (LINK_ETHERNET, eth(0x8847, struct.pack(">II", 0x00010040, 0x000201FF) + p4))
    s["eth-mpls-v6"] = (LINK_ETHERNET, eth(0x8847, struct.pack(">I", 0x000301FF) + p6))
    s["eth-pppoe-v6"] = (LINK_ETHERNET,
                         eth(0x8864, struct.pack(">BBHHH", 0x11, 0, 1, len(p6) + 2, 0x0057) + p6))
    s["eth-8023-llc"] = (LINK_ETHERNET, eth(0x0026, b"\x42\x42\x03" + b"\0" * 35))
    s["ppi-eth-v4"] = (LINK_PPI, struct.pack("<BBHI", 0, 0, 8, 1) + eth(0x0800, p4))
    s["ppi-80211"] = (LINK_PPI, struct.pack("<BBHI", 0, 0, 8, 105) + b"\x08\x00" + b"\0" * 22)
    s["radiotap"] = (LINK_RADIOTAP, b"\0\0\x08\0\0\0\0\0" + b"\x08\x00" + b"\0" * 22)
    s["unsupported"] = (LINK_UNSUPPORTED, p4)
    s["v4-in-v6"] = (LINK_RAW, ipv6(V6A, V6B, 4, p4))
    s["v6-in-v4"] = (LINK_RAW, ipv4(V4A, V4B, 41, p6))
    s["v4-in-v4-in-v4"] = (LINK_RAW, ipv4(V4A, V4B, 4, ipv4(V4B, V4A, 4, p4)))
    s["v4-opts"] = (LINK_RAW, ipv4(V4A, V4B, 1, b"\x08\x00\xf7\xff\0\0\0\0",
                                   opts=b"\x94\x04\x00\x00\x01\x00\x00\x00"))
    s["v6-hbh-dst-icmp6"] = (LINK_RAW, ipv6(V6A, V6B, 0, bytes([60, 0, 1, 4, 0, 0, 0, 0]) +
                                            bytes([58, 0, 1, 4, 0, 0, 0, 0]) +
                                            b"\x80\x00\x00\x00\x00\x01\x00\x01"))
    s["v6-ah-udp"] = (LINK_RAW, ipv6(V6A, V6B, 51, bytes([17, 1, 0, 0]) + b"\0" * 8 +
                                     udp(500, 500, b"ike")))
    s["v6-atomic-frag"] = (LINK_RAW, ipv6(V6A, V6B, 44, bytes([17, 0, 0, 0, 0, 0, 0, 9]) +
                                          udp(1, 2, b"x")))
    s["v6-frag-first"] = (LINK_RAW, ipv6(V6A, V6B, 44, bytes([17, 0, 0, 1, 0, 0, 0, 9]) +
                                         udp(1, 2, b"12345678")[:16]))
    s["v4-frag-mid"] = (LINK_RAW, ipv4(V4A, V4B, 17, b"A" * 16, ident=7, frag=0x2001))
    s["v4-snapcut-tcp"] = (LINK_RAW, ipv4(V4A, V4B, 6, tcp(1234, 80, 0x18, b"GET / HTTP/1.1\r\n"))[:44])
    s["v4-tcp-synfin"] = (LINK_RAW, ipv4(V4A, V4B, 6, tcp(0, 80, 0x03, b"")))
    inner_eth = eth(0x0800, p4)
    s["vxlan"] = (LINK_RAW, ipv4(V4A, V4B, 17, udp(40000, 4789, b"\x08\0\0\0\0\0\x2a\0" + inner_eth)))
    s["vxlan-arp"] = (LINK_RAW, ipv4(V4A, V4B, 17, udp(40000, 4789, b"\x08\0\0\0\0\0\x2a\0" +
                                                      eth(0x0806, b"\0" * 28))))
    s["gtpu"] = (LINK_RAW, ipv4(V4A, V4B, 17, udp(2152, 2152, struct.pack(">BBHI", 0x30, 0xFF,
                                                                       len(p6), 1) + p6)))
    s["gtpu-ext"] = (LINK_RAW, ipv4(V4A, V4B, 17, udp(2152, 2152, struct.pack(
        ">BBHIHBB", 0x34, 0xFF, len(p4) + 8, 1, 0, 0, 0x85) + b"\x01\x00\x09\x00" + p4)))
    s["gre-v4"] = (LINK_RAW, ipv4(V4A, V4B, 47, struct.pack(">HH", 0, 0x0800) + p4))
    s["gre-key-seq-v6"] = (LINK_RAW, ipv4(V4A, V4B, 47, struct.pack(">HHII", 0x3000, 0x86DD, 7, 1) + p6))
    s["gre-eth"] = (LINK_RAW, ipv6(V6A, V6B, 47, struct.pack(">HH", 0, 0x6558) + inner_eth))
    s["pptp-gre-ppp"] = (LINK_RAW, ipv4(V4A, V4B, 47, struct.pack(">HHHHI", 0x3001, 0x880B,
                                                                   len(p4) + 4, 9, 5) +
                                        b"\xff\x03\x00\x21" + p4))
    s["pptp-gre-ack"] = (LINK_RAW, ipv4(V4A, V4B, 47, struct.pack(">HHHHI", 0x2081, 0x880B, 0, 9, 5)))
    s["v6-udp-zero-len"] = (LINK_RAW, ipv6(V6A, V6B, 17, struct.pack(">HHHH", 7, 7, 0, 0) + b"jumbo"))
    return s


def frag_record(v6=0, mf=0, src=0, dst=1, vlan=0, ext=0, ident=1, proto_sel=0, trunc=0,
                expire=0, off8=0, flen=0, dt=0):
    """One fragment of the defrag format (see fuzz_defrag.c)."""
    b0 = v6 | (mf << 1) | (src << 2) | (dst << 4) | (vlan << 6) | (ext << 7)
    b1 = (ident & 15) | (proto_sel << 4) | (trunc << 6) | (expire << 7)
    return struct.pack(">BBHHB", b0, b1, off8, flen, dt)


def defrag_seeds():
    s = {}
    hdr = bytes([3 | (3 << 3)])  # 4 contexts of 65535 bytes

    def split(total, piece, **kw):
        recs, off = [], 0
        while off < total:
            n = min(piece, total - off)
            recs.append(dict(off8=off // 8, flen=n, mf=int(off + n < total), **kw))
            off += n
        return recs

    for v6 in (0, 1):
        for proto_sel in range(4):
            recs = split(3000, 1480, v6=v6, proto_sel=proto_sel)
            s["inorder-v%d-p%d" % (6 if v6 else 4, proto_sel)] = \
                hdr + b"".join(frag_record(**r) for r in recs)
        recs = split(4000, 1000, v6=v6, ext=1, vlan=1)
        s["reverse-v%d" % (6 if v6 else 4)] = hdr + b"".join(frag_record(**r) for r in reversed(recs))
    # two interleaved datagrams, one completes, one times out
    a = split(2400, 800, ident=1)
    b = split(2400, 800, ident=2, src=2)
    inter = []
    for x, y in zip(a, b):
        inter += [x, y]
    inter[-1] = dict(inter[-1], dt=200, expire=1)  # the last piece of b arrives late
    s["interleaved-timeout"] = hdr + b"".join(frag_record(**r) for r in inter)
    # overlap (the classic evasion) and a duplicate
    s["overlap"] = hdr + frag_record(off8=0, flen=1000, mf=1) + frag_record(off8=100, flen=800, mf=0)
    s["duplicate"] = hdr + frag_record(off8=0, flen=800, mf=1) + frag_record(off8=0, flen=800, mf=1) \
        + frag_record(off8=100, flen=100, mf=0)
    # too big (offset near the top), too many pieces, inconsistent end
    s["too-big"] = hdr + frag_record(off8=8000, flen=2000, mf=0) + frag_record(off8=0, flen=8, mf=1)
    s["too-many"] = hdr + b"".join(frag_record(off8=i, flen=8, mf=1) for i in range(70))
    s["two-ends"] = hdr + frag_record(off8=10, flen=80, mf=0) + frag_record(off8=20, flen=80, mf=0)
    s["not-multiple-of-8"] = hdr + frag_record(off8=0, flen=13, mf=1) + frag_record(off8=2, flen=8)
    s["truncated-capture"] = hdr + frag_record(off8=0, flen=800, mf=1, trunc=1) + \
        frag_record(off8=100, flen=8, mf=0)
    # pool exhaustion: one context, more datagrams than contexts
    s["no-context"] = bytes([0 | (1 << 3)]) + b"".join(
        frag_record(ident=i, off8=0, flen=64, mf=1) for i in range(4)) + \
        frag_record(ident=0, off8=8, flen=8, mf=0, dt=250, expire=1)
    # a 65535-byte IPv4 datagram whose rebuilt header makes it too long
    s["v4-over-65535"] = hdr + b"".join(frag_record(**r) for r in split(65528, 4088))
    s["v6-max"] = hdr + b"".join(frag_record(**r) for r in split(65528, 4088, v6=1))
    s["small-pool-1280"] = bytes([1]) + b"".join(frag_record(**r) for r in split(1800, 600))
    return s


ZONE_TEXTS = [
    "10.0.0.0/8", "192.168.0.0/16", "fd00::/8", "fe80::/10", "10.99.0.0/16", "172.16.0.0/12",
    "203.0.113.0/24", "198.51.100.0/24", "0.0.0.0/0", "::/0", "1.2.3.4", "1.2.3.4/32",
    "2001:db8::1/128", "::ffff:192.0.2.1/96", "1.2.3.4/33", "::/129", "10.0.0.0/", "/8",
    "10.0.0.0/8/8", "10.0.0.0/08", "10.0.0.0/8x", "10.0.0.0/0x8", "10.0.0.0/4294967304",
    "256.0.0.0/8", "1.2.3/24", "::1::2/64", "fe80::1%eth0/64",
    "0123:4567:89ab:cdef:0123:4567:89ab:cdef/127", "a" * 70 + "/8", "1.2.3.4\0/8",
]


# --- building the corpora ------------------------------------------------------

def write_seeds(outdir, seeds):
    os.makedirs(outdir, exist_ok=True)
    for name in os.listdir(outdir):
        if name.startswith("seed-"):
            os.remove(os.path.join(outdir, name))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(outdir, "seed-" + name), "wb") as f:
            f.write(data)
    return sum(len(d) for d in seeds.values())


def safe(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


# Captures replayed into pipeline seeds: every link type and encapsulation the
# shared corpus holds (tunnels, fragments, PPPoE, VLAN, options, cut frames,
# the nDPI fuzz finds), plus ordinary TLS/QUIC/DNS traffic.
PIPELINE_CAPTURES = [
    "4in4tunnel.pcap", "6in4tunnel.pcap", "6in6tunnel.pcap", "dns_fragmented.pcap",
    "ip_fragmented_garbage.pcap", "dnscrypt-v1-and-resolver-pings.pcap", "discord_mid_flow.pcap",
    "bot.pcap", "BGP_Cisco_hdlc_slarp.pcap", "dlt_ppp.pcap", "KakaoTalk_chat.pcap", "bjnp.pcap",
    "nats.pcap", "kerberos_fuzz.pcapng", "someip_sd_sample.pcap", "android.pcap", "gnutella.pcap",
    "fuzz-2006-06-26-2594.pcap", "fuzz-2020-02-16-11740.pcap", "reasm_segv_anon.pcapng",
    "443-chrome.pcap", "dns.pcap", "quic-v2.pcapng", "syslog.pcap", "anyconnect-vpn.pcap",
    "gre.pcapng", "pptp.pcap", "vxlan.pcap", "ipv6_in_gtp.pcap", "teredo.pcap", "http_ipv6.pcap",
]

PCAP_CAPTURES = [
    "dns_fragmented.pcap", "KakaoTalk_chat.pcap", "nats.pcap", "kerberos_fuzz.pcapng",
    "someip_sd_sample.pcap", "BGP_Cisco_hdlc_slarp.pcap", "bjnp.pcap", "discord_mid_flow.pcap",
    "quic-v2.pcapng", "gre.pcapng", "vxlan.pcap", "dns-google-nsid.pcapng", "fuzz-2021-10-13.pcap",
]


def pipeline_seed(frames, port, header):
    out, prev = bytearray(header), None
    for n, (dlt, ts, fr, wl) in enumerate(frames):
        link = DLT_TO_LINK.get(dlt, LINK_UNSUPPORTED)
        dt = 0 if prev is None else dt_byte(ts - prev)
        prev = ts
        rec = pipeline_frame(link, port, dt, wx_byte(wl - len(fr)), fr)
        if n >= PIPELINE_SEED_FRAMES or len(out) + len(rec) > PIPELINE_SEED_BYTES:
            break
        out += rec
    return bytes(out)


def classic_pcap(frames, dlt, nano=False, big=False, snaplen=65535):
    bo = ">" if big else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = bytearray(struct.pack(bo + "IHHiIII", magic, 2, 4, 0, 0, snaplen, dlt))
    for _, ts, fr, wl in frames:
        sec, sub = divmod(ts, 10**9)
        out += struct.pack(bo + "IIII", sec, sub if nano else sub // 1000, len(fr), wl) + fr
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--captures", default=DEFAULT_CAPTURES)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args()
    if not os.path.isdir(args.captures):
        sys.exit("make_seeds.py: no captures folder %s (use --captures)" % args.captures)

    # fuzz_decode: up to DECODE_PER_SIGNATURE frames per (link, encapsulation,
    # L3/L4 shape) over every capture, then the synthetic frames.
    dec, seen = {}, {}
    for cap in sorted(os.listdir(args.captures)):
        for i, (dlt, _, fr, wl) in enumerate(read_capture(os.path.join(args.captures, cap))):
            sig = signature(dlt, fr)
            if seen.get(sig, 0) >= DECODE_PER_SIGNATURE or len(dec) >= DECODE_MAX_SEEDS:
                continue
            seen[sig] = seen.get(sig, 0) + 1
            link = DLT_TO_LINK.get(dlt, LINK_UNSUPPORTED)
            dec["%s-%d" % (safe(cap), i)] = decode_input(link, wx_byte(wl - len(fr)), fr[:4096])
    for name, (link, fr) in synthetic_decode_seeds().items():
        dec["syn-" + name] = decode_input(link, 0, fr)
        if name == "v4-snapcut-tcp":
            dec["syn-" + name] = decode_input(link, 40, fr)

    # fuzz_pipeline: the first frames of each listed capture, with a few
    # different table sizes and policies so eviction and the full-table
    # policies are in the seeds too.
    pipe = {}
    configs = [pipeline_header(), pipeline_header(slots_log=0, ctx=0, policy=1),
               pipeline_header(full=1, malformed_pass=1, slots_log=1, ctx=1, tmo=2, policy=2),
               pipeline_header(full=2, slots_log=0, tmo=1, ext_clock=1),
               pipeline_header(ext_clock=1, policy=3), pipeline_header(policy=1)]
    for n, cap in enumerate(PIPELINE_CAPTURES):
        path = os.path.join(args.captures, cap)
        if not os.path.exists(path):
            sys.exit("make_seeds.py: capture %s missing from %s" % (cap, args.captures))
        frames = list(read_capture(path))[:PIPELINE_SEED_FRAMES]
        pipe[safe(cap)] = pipeline_seed(frames, n % 8, configs[n % len(configs)])
    syn = synthetic_decode_seeds()
    out = bytearray(pipeline_header(slots_log=0, ctx=0, tmo=1))
    for (link, fr) in syn.values():
        out += pipeline_frame(link, 2, 130, 0, fr)
    pipe["synthetic-links"] = bytes(out)

    # fuzz_pcap_file: small capture files in each on-disk format.
    pc = {}
    for cap in PCAP_CAPTURES:
        path = os.path.join(args.captures, cap)
        frames = list(read_capture(path))[:PCAP_SEED_FRAMES]
        frames = [(d, t, f[:1600], w) for d, t, f, w in frames]
        if not frames:
            continue
        dlt = frames[0][0]
        blocks = list(pcapng_blocks(path))
        if blocks:  # keep the real pcapng structure: header blocks + first packets
            keep, pkts = [], 0
            for btype, raw in blocks:
                if btype in (6, 3):
                    if pkts >= PCAP_SEED_FRAMES or len(raw) > 2048:
                        continue
                    pkts += 1
                keep.append(raw)
            pc[safe(cap) + ".pcapng"] = b"".join(keep)[:12 * 1024]
        else:
            pc[safe(cap) + ".pcap"] = classic_pcap(frames, dlt)
    fr0 = list(read_capture(os.path.join(args.captures, "dns_fragmented.pcap")))[:6]
    pc["nano.pcap"] = classic_pcap(fr0, fr0[0][0], nano=True)
    pc["bigendian.pcap"] = classic_pcap(fr0, fr0[0][0], big=True)
    pc["snaplen-cut.pcap"] = classic_pcap([(d, t, f[:60], w) for d, t, f, w in fr0], fr0[0][0],
                                          snaplen=60)
    pc["truncated-record.pcap"] = classic_pcap(fr0, fr0[0][0])[:-7]
    pc["header-only.pcap"] = classic_pcap([], 1)
    pc["sll2.pcap"] = classic_pcap([(276, 10**18, syn["sll2-v4"][1], len(syn["sll2-v4"][1]))], 276)
    pc["chdlc.pcap"] = classic_pcap([(104, 10**18, syn["chdlc-v4"][1], len(syn["chdlc-v4"][1]))], 104)
    pc["radiotap.pcap"] = classic_pcap([(127, 10**18, syn["radiotap"][1], 32)], 127)
    pc["loop.pcap"] = classic_pcap([(108, 10**18, syn["loop-v6"][1], len(syn["loop-v6"][1]))], 108)

    zp = {"%02d" % i: t.encode() for i, t in enumerate(ZONE_TEXTS)}

    total = 0
    for target, seeds in (("fuzz_decode", dec), ("fuzz_pipeline", pipe), ("fuzz_defrag", defrag_seeds()),
                          ("fuzz_zone_prefix", zp), ("fuzz_pcap_file", pc)):
        n = write_seeds(os.path.join(args.out, target), seeds)
        total += n
        print("%-18s %4d seeds %8d bytes" % (target, len(seeds), n))
    print("%-18s %4s       %8d bytes" % ("total", "", total))


if __name__ == "__main__":
    main()
