#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""slow_server.py ADDR PORT: answer each connection with an HTTP response
that trickles 4 KiB every 50 ms for 10 s (a long transfer in progress)."""
import socket
import sys
import threading
import time


def serve(c):
    try:
        c.recv(4096)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 819200\r\n\r\n")
        for _ in range(200):
            c.sendall(b"x" * 4096)
            time.sleep(0.05)
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
