#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of fuzz_tls (tests/tls/corpus): real ClientHello
flights (TLS 1.3 and 1.2, with and without SNI, ALPN, a session ticket
offer) made with Python's ssl (OpenSSL) in memory, prefixed with the byte 0
(handshake mode), and HTTP request heads prefixed with 1 (parser mode).

usage: make_seeds.py OUT_DIR
"""
import os
import ssl
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def hello(name, sni, minv, maxv, alpn=None, ciphers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = minv
    ctx.maximum_version = maxv
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if ciphers:
        ctx.set_ciphers(ciphers)
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    s = ctx.wrap_bio(i, o, server_hostname=sni)
    try:
        s.do_handshake()
    except ssl.SSLWantReadError:
        pass
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x00" + o.read())


V = ssl.TLSVersion
hello("ch13_sni", "fuzz.example", V.TLSv1_3, V.TLSv1_3)
hello("ch13_wild_alpn", "a.fuzz.example", V.TLSv1_3, V.TLSv1_3, ["h2", "http/1.1"])
hello("ch12_sni", "fuzz.example", V.TLSv1_2, V.TLSv1_2)
hello("ch12_chacha", "fuzz.example", V.TLSv1_2, V.TLSv1_2, ciphers="ECDHE-ECDSA-CHACHA20-POLY1305")
hello("ch_both_nosni", None, V.TLSv1_2, V.TLSv1_3)
hello("ch_unknown_sni", "other.example", V.TLSv1_2, V.TLSv1_3)
heads = {
    "http_get": b"GET /index.html HTTP/1.1\r\nHost: www.example.org:443\r\nAccept: */*\r\n\r\n",
    "http_post": b"POST /upload HTTP/1.1\r\nHost: evidence.example\r\nContent-Length: 3\r\n\r\nabc",
    "http_two_hosts": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "http_v6": b"GET / HTTP/1.0\r\nHost: [2001:db8::1]:8443\r\n\r\n",
    "http_partial": b"GET /x HTTP/1.1\r\nHos",
}
for k, v in heads.items():
    with open(os.path.join(out, k), "wb") as f:
        f.write(b"\x01" + v)
