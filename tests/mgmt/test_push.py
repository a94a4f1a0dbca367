#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Management-plane push against the real segwd over real mutual TLS 1.3
(tests/mgmt/segwlab.py: segwd --inline in a network namespace with a live
TCP flow through it), driven by the real host tool segw-push.

Bad inputs (bad signature, tampered bundle, wrong target and board, a
policy that fails to compile, truncated bundle, oversized upload, a
connection cut mid-push, a client certificate from another CA, one of the
right CA that is not the pinned one, a replayed old version): each gets a
clear answer, and the policy generation in force, the kernel's ruleset, the
stored configuration (flash bytes) and the established flow are unchanged.
Good pushes: applied + confirmed; applied and left to revert (the kernel's
ruleset is back, the history says revert); parallel push with one appliance
unreachable (a per-appliance table).

usage: test_push.py SEGWD SEGW-PUSH
"""
import os
import re
import socket
import ssl
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segwlab  # noqa: E402
from segwlab import check  # noqa: E402

SEGWD, PUSH = sys.argv[1], sys.argv[2]
BOARD = "segw,sim"


def main():
    lab = segwlab.Lab(SEGWD)
    try:
        body(lab)
    except AssertionError as e:
        check(False, str(e))
    finally:
        log = lab.log()
        audit = open(lab.audit).read() if os.path.exists(lab.audit) else ""
        lab.close()
        log = lab.final_log or log
    check(lab.segwd_rc == 0, "segwd stopped cleanly on SIGTERM (exit %s)" % lab.segwd_rc)
    check("Sanitizer" not in log, "no sanitizer report from segwd")
    check("event push-rejected: bad signature" in log and
          "event push-rejected: old version" in log and "event push-reverted: commit" in log,
          "notification events: push-rejected (with reason), push-reverted")
    if segwlab.failures:
        print("segwd log:\n" + log + "\naudit:\n" + audit)
        print("%d failure(s)" % len(segwlab.failures))
        return 1
    print("all ok")
    return 0


def body(lab):
    pkid = lab.pkid
    tmp = lab.tmp
    tls = ["--cert", f"{pkid}/client.crt", "--cert-key", f"{pkid}/client.key",
           "--ca", f"{pkid}/ca.crt", "--timeout", "5"]
    target = "gw1@" + lab.mgmt_addr  # over the management network

    def sign(name, version, policy_text, key="bundle", tgt="gw1", board=BOARD, window=0):
        pol = os.path.join(tmp, name + ".policy")
        open(pol, "w").write(policy_text)
        out = os.path.join(tmp, name + ".bundle")
        subprocess.run([PUSH, "sign", "--key", f"{pkid}/{key}.key", "--board", board,
                        "--target", tgt, "--version", str(version), "--window", str(window),
                        "--comment", name, "-o", out, pol], check=True,
                       stdout=subprocess.DEVNULL)
        return out

    def push(args, creds=tls):
        r = subprocess.run(["ip", "netns", "exec", lab.mgmt_ns, PUSH] + args[:1] + creds +
                           args[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60)
        return r.returncode, r.stdout + r.stderr

    check(lab.open_flow(), "a TCP flow int -> dmz:80 established through segwd")
    check(lab.flow_alive(), "the flow carries data")
    base = lab.snapshot()
    check(base[0] >= 1 and "segw" in base[1], "baseline: generation %d, our kernel table" % base[0])

    def unchanged(what):
        now = lab.snapshot()
        check(now[0] == base[0], f"{what}: policy generation in force unchanged ({now[0]})")
        check(now[1] == base[1], f"{what}: kernel ruleset unchanged")
        check(now[2] == base[2], f"{what}: stored configuration unchanged")
        check(lab.flow_alive(), f"{what}: the established flow still passes")

    good = segwlab.POLICY + "rule 41  from internal to dmz tcp dport 8081 allow\n"

    # --- bad inputs ---------------------------------------------------------
    b = sign("rogue", 1, good, key="rogue-bundle")
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "rejected" in out and "bad signature" in out, "bad signature rejected")
    unchanged("bad signature")

    b = sign("tampered", 1, good)
    data = bytearray(open(b, "rb").read())
    i = data.find(b"dport 8081")
    data[i + 6:i + 10] = b"9999"
    open(b, "wb").write(bytes(data))
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "bad signature" in out, "tampered policy: bad signature")
    unchanged("tampered")

    b = sign("othertarget", 1, good, tgt="gw2,gw3")
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "wrong target" in out and "gw2,gw3" in out, "wrong appliance rejected")
    b = sign("otherboard", 1, good, board="acme,gw200")
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "wrong target" in out and "acme,gw200" in out, "wrong board rejected")
    unchanged("wrong target")

    b = sign("syntax", 1, segwlab.POLICY + "rule 50 from internal to dmz tcp dport 99999 allow\n")
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "rejected" in out and ":7:" in out and "99999" in out,
          "policy with an error rejected, the error names line and word")
    b = sign("noport", 1, segwlab.POLICY + "zone lab ports nosuch0 prefixes 192.0.2.128/25\n")
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "rejected" in out and "nosuch0" in out,
          "policy that does not compile for this board rejected: " + out.splitlines()[-1])
    unchanged("policy fails to compile")

    full = open(sign("full", 1, good), "rb").read()
    tb = os.path.join(tmp, "truncated.bundle")
    open(tb, "wb").write(full[:len(full) - 40])
    rc, out = push(["push", "--bundle", tb, target])
    check(rc == 1 and "rejected" in out and ("truncated" in out or "signature" in out),
          "truncated bundle rejected")
    fb = os.path.join(tmp, "full.bundle")
    rc, out = push(["push", "--cut-after", str(len(full) // 2), "--bundle", fb, target])
    check("cut" in out, "connection cut mid-push (client side)")
    rc, out = push(["push", "--cut-after", "3", "--bundle", fb, target])
    unchanged("cut mid-push")

    # oversized upload and a half-sent body, with a raw TLS client
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(f"{pkid}/ca.crt")
    ctx.load_cert_chain(f"{pkid}/client.crt", f"{pkid}/client.key")
    raw = subprocess.run(
        ["ip", "netns", "exec", lab.mgmt_ns, sys.executable, "-c", RAW_CLIENT, pkid,
         lab.mgmt_addr.split(":")[0]],
        stdout=subprocess.PIPE, text=True, timeout=60).stdout
    check("too-large: rejected" in raw and "limit" in raw, "oversized upload refused: " +
          raw.strip().replace("\n", " | "))
    check("half: closed" in raw, "half-sent body then closed: nothing answered")
    unchanged("oversized / half-sent")

    rc, out = push(["push", "--bundle", fb, target],
                   creds=["--cert", f"{pkid}/rogue.crt", "--cert-key", f"{pkid}/rogue.key",
                          "--ca", f"{pkid}/ca.crt", "--timeout", "5"])
    check(rc == 1 and "tls-failed" in out, "client certificate of another CA refused")
    rc, out = push(["push", "--bundle", fb, target],
                   creds=["--cert", f"{pkid}/other.crt", "--cert-key", f"{pkid}/other.key",
                          "--ca", f"{pkid}/ca.crt", "--timeout", "5"])
    check(rc == 1 and ("tls-failed" in out or "no-answer" in out),
          "client certificate of the right CA but not the pinned one refused")
    unchanged("wrong client certificate")
    rc, out = push(["status", target])
    cnt = dict(re.findall(r"tls\.(\w+)=(\d+)", out))
    check(int(cnt.get("handshake_failed", 0)) >= 1 and int(cnt.get("cut", 0)) >= 2 and
          int(cnt.get("too_large", 0)) >= 1 and
          int(cnt.get("handshake_failed", 0)) + int(cnt.get("peer_rejected", 0)) >= 2,
          "refused connections are counted: " + " ".join("%s=%s" % kv for kv in cnt.items()))

    # --- good pushes ----------------------------------------------------------
    b = sign("v5", 5, good, window=30)
    rc, out = push(["push", "--bundle", b, "--confirm", target])
    check(rc == 0 and "confirmed" in out and "version=5" in out, "push v5 + confirm: " +
          out.strip().splitlines()[-1])
    after = lab.snapshot()
    check(after[0] > base[0] and "8081" in after[1] and after[2] != base[2],
          "v5 in force: new generation, kernel has port 8081, store changed")
    check(lab.flow_alive(), "the flow survives a good push")
    check(lab.new_connection(8081), "a new connection to 8081 passes under v5")

    b = sign("replay", 5, segwlab.POLICY)
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "old version" in out, "same version again rejected (old version)")
    b = sign("older", 3, segwlab.POLICY)
    rc, out = push(["push", "--bundle", b, target])
    check(rc == 1 and "old version" in out, "older version rejected")
    check(lab.snapshot() == after, "old versions changed nothing")

    # applied and not confirmed: reverted without a reboot, reported by --wait
    b = sign("v6", 6, segwlab.POLICY, window=2)
    rc, out = push(["push", "--bundle", b, "--wait", target])
    check(rc == 1 and "reverted" in out, "push v6 unconfirmed: reverted, reported: " +
          out.strip().splitlines()[-1])
    rev = lab.snapshot()
    check(rev[1] == after[1], "after the revert the kernel ruleset is v5's again")
    check(rev[0] > after[0] + 1, "the revert published a new generation")
    check(lab.new_connection(8081), "8081 passes again after the revert")
    check(lab.flow_alive(), "the flow survives apply and revert")
    rc, out = push(["status", target])
    check("state=reverted" in out, "status says reverted")
    audit = open(lab.audit).read()
    check("user=mgmt:mgmt-plane result=ok cmd=push version 5" in audit and
          "result=denied cmd=push version 0: rejected: bad signature" in audit,
          "pushes and rejections audited with the client's name")

    # parallel: a second appliance (gw2, its own segwd and namespaces on the
    # same management network) and one unreachable: one row each
    lab2 = segwlab.Lab(SEGWD, appliance="gw2", index=2, peer=lab)
    try:
        g1 = lab.snapshot()
        g2 = lab2.snapshot()
        b = sign("v7", 7, good, tgt="gw1,gw2", window=30)
        t0 = time.monotonic()
        rc, out = push(["push", "--bundle", b, "--confirm", target, "gw2@" + lab2.mgmt_addr,
                        "gw9@10.255.1.99:8443", "--timeout", "3"])
        took = time.monotonic() - t0
        rows = [ln for ln in out.splitlines() if ln.startswith("gw")]
        print(out)
        check(rc == 1 and len(rows) == 3 and
              any(r.startswith("gw1 ") and "confirmed" in r for r in rows) and
              any(r.startswith("gw2 ") and "confirmed" in r for r in rows) and
              any(r.startswith("gw9 ") and "confirmed" not in r for r in rows),
              "parallel push to gw1 + gw2 + an unreachable one: per-appliance table")
        n1, n2 = lab.snapshot(), lab2.snapshot()
        check(n1[0] > g1[0] and n2[0] > g2[0] and "8081" in n2[1] and n2[2] != g2[2],
              "both appliances run v7 (new generation, kernel, store)")
        print("parallel push of 3 took %.2f s" % took)
    finally:
        lab2.close()


RAW_CLIENT = r"""
import socket, ssl, sys, time
d = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_verify_locations(d + "/ca.crt")
ctx.load_cert_chain(d + "/client.crt", d + "/client.key")
def conn():
    s = socket.create_connection((sys.argv[2], 8443), timeout=5)
    return ctx.wrap_socket(s, server_hostname="gw1")
t = conn(); t.sendall(b"PUSH 2000000\n")
print("too-large: " + t.recv(1000).decode().strip())
t.close()
t = conn(); t.sendall(b"PUSH 5000\nsegw-bundle 1\n"); t.close()
time.sleep(0.3)
print("half: closed")
t = conn(); t.sendall(b"STATUS\n"); print("status: " + t.recv(1000).decode().strip()); t.close()
"""

if __name__ == "__main__":
    sys.exit(main())
