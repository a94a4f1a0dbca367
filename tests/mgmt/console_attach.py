#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Connect this terminal to segwd's console pty (what a serial terminal
program does): raw mode, bytes both ways, until the operator types ^]
(Ctrl and ']') or segwd goes away.

usage: console_attach.py PTY-OR-LINK
"""
import os
import select
import sys
import termios
import tty

ESCAPE = b"\x1d"  # ^]


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    inp, out = sys.stdin.fileno(), sys.stdout.fileno()
    interactive = os.isatty(inp)
    saved = termios.tcgetattr(inp) if interactive else None
    print("console %s: ^] to leave\r" % os.path.realpath(sys.argv[1]), flush=True)
    try:
        if interactive:
            tty.setraw(inp)
        os.write(fd, b"\r")  # wake the login prompt
        while True:
            r, _, _ = select.select([fd, inp], [], [])
            if fd in r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    break
                os.write(out, data)
            if inp in r:
                data = os.read(inp, 1024)
                if not data or ESCAPE in data:
                    data = data.split(ESCAPE)[0]
                    if data:
                        os.write(fd, data)
                    break
                os.write(fd, data)
    finally:
        if saved:
            termios.tcsetattr(inp, termios.TCSADRAIN, saved)
        os.close(fd)
    print("\nconsole detached")
    return 0


if __name__ == "__main__":
    sys.exit(main())
