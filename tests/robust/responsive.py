#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Is the control plane responsive? For SECONDS, every half second: one
`show version` on segwd's serial console (logged in as admin over the pty
LINK) and one SNMPv3 authPriv get of segwPolicyGeneration through snmpd and
segw-snmp (127.0.0.1:PORT). Each must answer within 3 s. Prints one JSON line:
requests, answered, median and worst latency per channel.

  responsive.py LINK ADMIN_PASSWORD SNMP_PORT SNMP_CLIENT_DIR SECONDS
"""
import json
import os
import subprocess
import sys
import time

# the pty terminal of the control-plane tests
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mgmt"))
from segwlab import Term  # noqa: E402

ROOT = "1.3.6.1.4.1.8072.9999.9999.7"
USER = ["-u", "segwnms", "-a", "SHA-512", "-A", "nms-auth-secret", "-x", "AES", "-X",
        "nms-priv-secret"]


def expect(t, pattern, timeout):
    """True when @pattern came within @timeout seconds."""
    try:
        t.expect(pattern, timeout)
        return True
    except AssertionError:
        return False


def stats(v):
    v = sorted(v)
    return {"median_ms": round(v[len(v) // 2] * 1000, 1) if v else None,
            "max_ms": round(v[-1] * 1000, 1) if v else None}


def main():
    link, pw, port, cdir, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], \
        float(sys.argv[5])
    env = dict(os.environ, SNMP_PERSISTENT_DIR=cdir, SNMPCONFPATH=cdir, MIBS="",
               MIBDIRS=cdir)
    t = Term(link)
    t.send("\r")
    login = expect(t, r"login: $", 5)
    t.send("admin\r")
    login = login and expect(t, r"Password: $", 5)
    t.send(pw + "\r")
    login = login and expect(t, r"[>#] $", 10)
    con, snmp, con_ok, snmp_ok, n = [], [], 0, 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n += 1
        t0 = time.monotonic()
        t.send("show version\r")
        if login and expect(t, r"segw[^\n]*\n(.|\n)*[>#] $", 3):
            con_ok += 1
            con.append(time.monotonic() - t0)
        t0 = time.monotonic()
        p = subprocess.run(["snmpget", "-v3", "-l", "authPriv"] + USER +
                           ["-On", "-t", "3", "-r", "0", "127.0.0.1:%s" % port, ROOT + ".1.2.1.0"],
                           capture_output=True, text=True, env=env)
        if p.returncode == 0 and "Gauge32" in p.stdout:
            snmp_ok += 1
            snmp.append(time.monotonic() - t0)
        time.sleep(0.5)
    out = {"type": "responsive", "seconds": seconds, "login": bool(login),
           "console": dict(requests=n, answered=con_ok, **stats(con)),
           "snmp": dict(requests=n, answered=snmp_ok, **stats(snmp))}
    print(json.dumps(out))


main()
