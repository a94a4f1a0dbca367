#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's testssl.sh against a segw-tlsd listener, its ECDSA P-256 site and
its RSA-2048 site scanned side by side: protocols (-p), cipher categories
(-s), forward secrecy (-f), server preferences (-P), server defaults and
certificate (-S), HTTP headers (-h: the backend's; the test backend sends
what a published service should) and vulnerabilities (-U: Heartbleed, CCS,
ticketbleed, ROBOT, renegotiation, CRIME, BREACH, POODLE, SWEET32, FREAK,
DROWN, LOGJAM, BEAST, LUCKY13, RC4 ...). Asserts from its JSON output that no
finding is MEDIUM, HIGH or CRITICAL and that the scan itself worked.

usage: test_testssl.py PATH/TO/segw-tlsd   (exit 77 when testssl is missing)
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlslab as L  # noqa: E402
from tlslab import check  # noqa: E402

BINARY = sys.argv[1]
TESTSSL = shutil.which("testssl") or shutil.which("testssl.sh")
if not TESTSSL:
    print("SKIP: testssl.sh not installed (tools/packages/tls.list)")
    sys.exit(77)

d = L.workdir("testssl")
pki = L.PKI(os.path.join(d, "pki"), clients=False)
web = L.Backend("web")
port = L.free_port()
conf = ("listen 127.0.0.1:%d\n"
        "site a.example.test cert %s key %s backend web default\n"
        "site b.example.test cert %s key %s backend web\n"
        "policy @POLICY@\nstats-file @STATS@\nstats-dir off\n"
        % (port, pki.a_crt, pki.a_key, pki.b_crt, pki.b_key))
tlsd = L.Tlsd(BINARY, d, conf, "backend web 127.0.0.1:%d\nrule 1 allow\n" % web.port).start()
names = ("a.example.test", "b.example.test")
procs = {}
try:
    for name in names:
        out = os.path.join(d, name + ".json")
        # --ip + --nodns none: the name is only SNI and certificate name; no lookups.
        cmd = [TESTSSL, "--quiet", "--color", "0", "--warnings", "off", "--ip", "127.0.0.1",
               "--nodns", "none", "--add-ca", pki.ca.pem, "--jsonfile", out,
               "-p", "-s", "-f", "-P", "-S", "-h", "-U", "%s:%d" % (name, port)]
        procs[name] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True), out)
    bad = []
    for name, (p, out) in procs.items():
        text, _ = p.communicate(timeout=800)
        check(os.path.exists(out), "testssl wrote JSON for %s (rc %d)" % (name, p.returncode))
        if not os.path.exists(out):
            print(text[-3000:])
            continue
        with open(out) as f:
            findings = json.load(f)
        ids = {fi.get("id"): fi.get("finding", "") for fi in findings}
        check(len(findings) > 40, "%s: %d findings parsed" % (name, len(findings)))
        for fi in findings:
            sev = fi.get("severity", "")
            if sev in ("MEDIUM", "HIGH", "CRITICAL", "FATAL") or fi.get("id") == "scanProblem":
                bad.append("%s %s %s: %s" % (name, sev, fi.get("id"), fi.get("finding")))
        check(ids.get("TLS1_3", "").startswith("offered"), "%s: TLS 1.3 offered" % name)
        check(ids.get("TLS1_2", "").startswith("offered"), "%s: TLS 1.2 offered" % name)
        for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            check("not offered" in ids.get(old, ""), "%s: %s not offered" % (name, old))
        check("not vulnerable" in ids.get("secure_client_renego", ""),
              "%s: no client-initiated renegotiation (%s)" % (name, ids.get("secure_client_renego")))
        check("heartbleed" in ids and "not vulnerable" in ids["heartbleed"], "%s: heartbleed checked" % name)
    for b in bad:
        print("  " + b)
    check(not bad, "no finding of severity MEDIUM or worse (%d)" % len(bad))
finally:
    for p, _ in procs.values():
        if p.poll() is None:
            p.kill()
            p.wait()
    tlsd.stop()
    web.close()
if not L.FAILURES:
    shutil.rmtree(d, ignore_errors=True)
L.finish()
