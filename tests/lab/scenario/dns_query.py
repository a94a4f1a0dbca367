#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""dns_query.py SERVER NAME: print the A record, exit 1 on timeout/NXDOMAIN."""
import random
import socket
import struct
import sys

server, name = sys.argv[1], sys.argv[2]
qid = random.randint(0, 65535)
q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\x00" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, (server, 53))
try:
    r, _ = s.recvfrom(512)
except socket.timeout:
    print("timeout")
    sys.exit(1)
if struct.unpack("!H", r[:2])[0] != qid or (r[3] & 0x0f) != 0:
    print("error rcode %d" % (r[3] & 0x0f))
    sys.exit(1)
print(socket.inet_ntoa(r[-4:]))
