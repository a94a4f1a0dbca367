#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
gen_capture.py - build the benchmark capture from the real captures of the corpus.

    tests/bench/gen_capture.py [--corpus DIR] [--out DIR] [--packets N]
                               [--prefix N] [--seed S]

Reads every capture of the corpus (classic pcap in either byte order and
timestamp precision, or pcapng; the format is taken from the magic number,
never from the extension), keeps the Ethernet frames, and replays each capture
many times as a "session" whose IPv4/IPv6 addresses are rewritten so that each
session's flows are new flows. The sessions start at staggered times and are
merged into one timeline, so many flows are alive at once, as on a real link.

Per rewritten packet: the low 16 bits of each IPv4 address (the low 32 bits of
each IPv6 address) are XORed with a per-session mask, so private addresses stay
private and public ones stay public (the zones a flow crosses do not change);
the IPv4 header checksum is recomputed and the TCP/UDP/ICMPv6 checksum is
updated incrementally (RFC 1624) where the L4 header is in the capture.
Multicast, broadcast, unspecified and loopback addresses are left alone.
Frames that carry no IP (ARP, LLDP, ...) are copied unchanged.

Timestamps: inside a session, gaps between packets are kept but capped at
--max-gap seconds (the corpus spans years); sessions start --stagger seconds
apart. The result is classic pcap (microseconds, Ethernet), timestamps
monotonic, exactly --packets packets; the first --prefix packets are also
written to a second file (for instruction counting under callgrind).

Everything is deterministic: same corpus, same options -> same bytes. The
output names carry the packet count and the seed; the sha256 of both files is
printed (and written beside them as *.sha256).
"""
import argparse
import hashlib
import heapq
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEF_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpus", "ndpi", "pcap"))
DEF_OUT = os.path.join(HERE, "data")

LINKTYPE_ETHERNET = 1
MASK64 = (1 << 64) - 1


# --- deterministic PRNG (splitmix64): independent of Python's random module ---
class SplitMix64:
    def __init__(self, seed):
        self.s = seed & MASK64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def shuffle(self, v):
        for i in range(len(v) - 1, 0, -1):
            j = self.below(i + 1)
            v[i], v[j] = v[j], v[i]


# --- capture readers: yield (ts_ns, frame bytes, orig_len) of Ethernet frames ---
def read_pcap(data):
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        e, scale = "<", 1000
    elif magic == b"\x4d\x3c\xb2\xa1":
        e, scale = "<", 1
    elif magic == b"\xa1\xb2\xc3\xd4":
        e, scale = ">", 1000
    elif magic == b"\xa1\xb2\x3c\x4d":
        e, scale = ">", 1
    else:
        return
    if len(data) < 24:
        return
    linktype = struct.unpack_from(e + "I", data, 20)[0] & 0xFFFF
    if linktype != LINKTYPE_ETHERNET:
        return
    rec = struct.Struct(e + "IIII")
    off, n = 24, len(data)
    while off + 16 <= n:
        sec, frac, incl, orig = rec.unpack_from(data, off)
        off += 16
        if incl > 262144 or off + incl > n:
            return  # truncated or corrupt: keep what was read
        yield sec * 1000000000 + frac * scale, data[off:off + incl], orig
        off += incl


def _tsresol_ns(v):
    # if_tsresol: high bit clear: 10^-v seconds; set: 2^-v seconds
    if v & 0x80:
        return None, 1 << (v & 0x7F)
    return 10 ** (9 - v) if v <= 9 else None, 10 ** v


def read_pcapng(data):
    n = len(data)
    off = 0
    e = "<"
    ifaces = []  # (linktype, ns multiplier or None, divisor)
    while off + 12 <= n:
        btype = struct.unpack_from(e + "I", data, off)[0]
        if btype == 0x0A0D0D0A:  # section header: sets the byte order
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack_from(e + "I", data, off + 4)[0]
        if blen < 12 or blen % 4 or off + blen > n:
            return
        body = off + 8
        end = off + blen - 4
        if btype == 1:  # interface description
            linktype = struct.unpack_from(e + "H", data, body)[0]
            mul, div = 1000, 1  # default resolution: microseconds
            o = body + 8
            while o + 4 <= end:
                code, olen = struct.unpack_from(e + "HH", data, o)
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    m, d = _tsresol_ns(data[o + 4])
                    mul, div = (m, 1) if m else (None, d)
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((linktype, mul, div))
        elif btype in (6, 2):  # enhanced packet, obsolete packet
            if btype == 6:
                ifid, tsh, tsl, incl, orig = struct.unpack_from(e + "IIIII", data, body)
            else:
                ifid, _drops, tsh, tsl, incl, orig = struct.unpack_from(e + "HHIIII", data, body)
            if ifid < len(ifaces) and ifaces[ifid][0] == LINKTYPE_ETHERNET:
                ts = (tsh << 32) | tsl
                _, mul, div = ifaces[ifid]
                ts_ns = ts * mul if mul else ts * 1000000000 // div
                p = body + 20
                if p + incl <= end:
                    yield ts_ns, data[p:p + incl], orig
        off += blen


def read_capture(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return list(read_pcapng(data))
    return list(read_pcap(data))


# --- address rewriting ----------------------------------------------------------
def _csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ipv4_header_csum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    return (~_csum_fold(s)) & 0xFFFF


def csum_update(old_csum, old_words, new_words):
    # RFC 1624 eqn 3: HC' = ~(~HC + ~m + m')
    s = (~old_csum) & 0xFFFF
    for m, m2 in zip(old_words, new_words):
        s += ((~m) & 0xFFFF) + m2
    return (~_csum_fold(s)) & 0xFFFF


def v4_rewritable(a):
    b0 = a >> 24
    return not (a == 0 or a == 0xFFFFFFFF or b0 == 127 or b0 >= 224)


def v6_rewritable(a16):
    return not (a16[0] == 0xFF or a16 == b"\x00" * 16 or a16 == b"\x00" * 15 + b"\x01")


class Rewriter:
    """Rewrites the addresses of one session (a capture replayed once)."""

    def __init__(self, mask16, mask32):
        self.m16 = mask16
        self.m32 = mask32

    def frame(self, buf):
        b = bytearray(buf)
        n = len(b)
        if n < 14:
            return b
        et = (b[12] << 8) | b[13]
        off = 14
        depth = 0
        while et in (0x8100, 0x88A8, 0x9100) and depth < 4 and off + 4 <= n:
            et = (b[off + 2] << 8) | b[off + 3]
            off += 4
            depth += 1
        if et == 0x0800:
            self._ipv4(b, off, n)
        elif et == 0x86DD:
            self._ipv6(b, off, n)
        return b

    def _l4_fix(self, b, l4, n, proto, old_words, new_words):
        if proto == 6:
            co = l4 + 16
        elif proto == 17:
            co = l4 + 6
        elif proto == 58:
            co = l4 + 2
        else:
            return
        if co + 2 > n:
            return
        c = (b[co] << 8) | b[co + 1]
        if proto == 17 and c == 0:
            return  # IPv4 UDP without checksum
        c2 = csum_update(c, old_words, new_words)
        if proto == 17 and c2 == 0:
            c2 = 0xFFFF
        b[co] = c2 >> 8
        b[co + 1] = c2 & 0xFF

    def _ipv4(self, b, off, n):
        if off + 20 > n or (b[off] >> 4) != 4:
            return
        ihl = (b[off] & 0x0F) * 4
        if ihl < 20 or off + ihl > n:
            return
        src, dst = struct.unpack_from("!II", b, off + 12)
        old, new = [], []
        for pos, a in ((off + 12, src), (off + 16, dst)):
            if not v4_rewritable(a):
                continue
            lo = a & 0xFFFF
            lo2 = lo ^ self.m16
            if lo2 in (0, 0xFFFF):
                lo2 ^= 0x0100
            struct.pack_into("!H", b, pos + 2, lo2)
            old.append(lo)
            new.append(lo2)
        if not old:
            return
        b[off + 10] = 0
        b[off + 11] = 0
        struct.pack_into("!H", b, off + 10, ipv4_header_csum(bytes(b[off:off + ihl])))
        frag = struct.unpack_from("!H", b, off + 6)[0]
        if frag & 0x1FFF:
            return  # not the first fragment: no L4 header here
        if frag & 0x2000:
            return  # first fragment: the checksum covers data not in this frame
        self._l4_fix(b, off + ihl, n, b[off + 9], old, new)

    def _ipv6(self, b, off, n):
        if off + 40 > n or (b[off] >> 4) != 6:
            return
        old, new = [], []
        for pos in (off + 8, off + 24):
            if not v6_rewritable(bytes(b[pos:pos + 16])):
                continue
            hi, lo = struct.unpack_from("!HH", b, pos + 12)
            a = (hi << 16) | lo
            a2 = a ^ self.m32
            struct.pack_into("!I", b, pos + 12, a2)
            old += [hi, lo]
            new += [a2 >> 16, a2 & 0xFFFF]
        if old:
            self._l4_fix(b, off + 40, n, b[off + 6], old, new)


# --- the plan ---------------------------------------------------------------------
def load_corpus(corpus, exclude):
    names = sorted(n for n in os.listdir(corpus) if not (exclude and exclude in n))
    caps = []
    digest = hashlib.sha256()
    for name in names:
        path = os.path.join(corpus, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            digest.update(name.encode() + b"\0" + hashlib.sha256(f.read()).digest())
        pkts = read_capture(path)
        if not pkts:
            continue
        caps.append((name, pkts))
    return caps, digest.hexdigest()


def relative_times(pkts, max_gap_ns):
    """Session-relative timestamps: original gaps, capped, never negative."""
    out = []
    t = 0
    prev = None
    for ts, _, _ in pkts:
        if prev is not None:
            gap = ts - prev
            if gap < 0:
                gap = 0
            elif gap > max_gap_ns:
                gap = max_gap_ns
            t += gap
        prev = ts
        out.append(t)
    return out


def session_stream(sid, start_ns, cap, rel, rw):
    name, pkts = cap
    for i, (_, frame, orig) in enumerate(pkts):
        yield start_ns + rel[i], sid, i, frame, orig, rw


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--corpus", default=DEF_CORPUS)
    ap.add_argument("--out", default=DEF_OUT)
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--prefix", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-gap", type=float, default=5.0, help="cap on a gap inside a session (s)")
    ap.add_argument("--stagger", type=float, default=0.1, help="time between session starts (s)")
    ap.add_argument("--exclude", default="fuzz",
                    help="skip captures whose name contains this (fuzzer-made, not traffic)")
    ap.add_argument("--start", type=int, default=1700000000, help="first timestamp (unix s)")
    a = ap.parse_args()

    caps, corpus_digest = load_corpus(a.corpus, a.exclude)
    if not caps:
        sys.exit("gen_capture: no Ethernet captures under %s" % a.corpus)
    total = sum(len(p) for _, p in caps)
    max_gap_ns = int(a.max_gap * 1e9)
    rels = [relative_times(p, max_gap_ns) for _, p in caps]

    # Rounds: each round replays every capture once, in a shuffled order. Enough
    # rounds to exceed the packet budget; the merged stream is cut at --packets.
    rng = SplitMix64(a.seed)
    rounds = a.packets // total + 2
    order = []
    for r in range(rounds):
        idx = list(range(len(caps)))
        rng.shuffle(idx)
        order += [(r, c) for c in idx]

    start0 = a.start * 1000000000
    stagger = int(a.stagger * 1e9)
    streams = []
    budget = 0
    for sid, (r, c) in enumerate(order):
        # mask16 is injective in the round for a given capture (odd multiplier),
        # so two sessions of one capture never share an address.
        m16 = ((r + 1) * 0x9E37 + c * 0x3B5) & 0xFFFF
        m32 = ((r + 1) * 0x9E3779B1 + c * 0x85EBCA6B) & 0xFFFFFFFF
        rw = Rewriter(m16, m32)
        streams.append(session_stream(sid, start0 + sid * stagger, caps[c], rels[c], rw))
        budget += len(caps[c][1])
        if budget >= a.packets * 1.15:
            break

    os.makedirs(a.out, exist_ok=True)
    tag = "seed%d" % a.seed
    full = os.path.join(a.out, "mix-%d-%s.pcap" % (a.packets, tag))
    pre = os.path.join(a.out, "mix-%d-%s.pcap" % (a.prefix, tag))
    ghdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET)
    rec = struct.Struct("<IIII")
    h_full, h_pre = hashlib.sha256(ghdr), hashlib.sha256(ghdr)
    n = 0
    last_us = 0
    with open(full + ".tmp", "wb") as ff, open(pre + ".tmp", "wb") as fp:
        ff.write(ghdr)
        fp.write(ghdr)
        for ts, sid, _, frame, orig, rw in heapq.merge(*streams):
            us = ts // 1000
            if us < last_us:
                us = last_us
            last_us = us
            out = rw.frame(frame)
            chunk = rec.pack(us // 1000000, us % 1000000, len(out),
                             min(max(orig, len(out)), 262144)) + out
            ff.write(chunk)
            h_full.update(chunk)
            if n < a.prefix:
                fp.write(chunk)
                h_pre.update(chunk)
            n += 1
            if n >= a.packets:
                break
    os.replace(full + ".tmp", full)
    os.replace(pre + ".tmp", pre)
    for path, h in ((full, h_full), (pre, h_pre)):
        with open(path + ".sha256", "w") as f:
            f.write("%s  %s\n" % (h.hexdigest(), os.path.basename(path)))
    sessions = min(len(streams), len(order))
    print("corpus: %d Ethernet captures, %d frames, sha256 of inputs %s"
          % (len(caps), total, corpus_digest))
    print("sessions opened: %d, packets written: %d, timeline %.1f s"
          % (sessions, n, (last_us - start0 // 1000) / 1e6))
    print("%s  %s" % (h_full.hexdigest(), full))
    print("%s  %s" % (h_pre.hexdigest(), pre))
    return 0


if __name__ == "__main__":
    sys.exit(main())
