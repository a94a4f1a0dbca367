#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A tiny authoritative DNS responder for the lab: A records from argv."""
import socket
import struct
import sys

records = dict(a.split("=") for a in sys.argv[2:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qend = i + 5
    name = ".".join(labels).lower()
    ip = records.get(name)
    hdr = struct.pack("!HHHHHH", qid, 0x8180 if ip else 0x8183, 1, 1 if ip else 0, 0, 0)
    ans = b""
    if ip:
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(ip)
    s.sendto(hdr + q[12:qend] + ans, peer)
