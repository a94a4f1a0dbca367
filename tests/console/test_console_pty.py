#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive the console through a real pty, as a person at a terminal would:
login failures and the lockout delay, an operator refused `configure`, an
admin using ? and TAB, an error with a caret, configure / set / compare /
commit, commit confirmed left to expire (the revert is announced and
`show policy` is back to the old text), load, and the audit log.

usage: test_console_pty.py PATH/TO/console_pty_server
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SERVER = sys.argv[1]
failures = []


# the pty terminal of the control-plane tests, with this server's prompt
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mgmt"))
from segwlab import Term as _Term  # noqa: E402


class Term(_Term):
    def cmd(self, line, prompt=r"@gw[>#] $", timeout=10.0):
        return super().cmd(line, prompt, timeout)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def login(t, user, pw):
    t.send("\r")
    t.expect("login: $")
    t.send(user + "\r")
    t.expect("Password: $")
    t.send(pw + "\r")


def main():
    tmp = tempfile.mkdtemp(prefix="segw-console-")
    link = os.path.join(tmp, "console")
    flash = os.path.join(tmp, "flash.bin")
    audit = os.path.join(tmp, "audit.log")
    srv = subprocess.Popen([SERVER, link, flash, audit])
    try:
        for _ in range(200):
            if os.path.exists(link):
                break
            time.sleep(0.05)
        t = Term(link)

        # 1. three failures, then the lockout delay before the next prompt
        for i in range(3):
            # the lock (1.5 s in console_pty_server) starts when the server
            # has the third password, which is after this instant: however
            # loaded the machine, the next prompt cannot come sooner than
            # 1.5 s from here
            t0 = time.monotonic()
            login(t, "admin", "wrong%d" % i)
            out = t.expect("Login incorrect")
            check("wrong" not in out, "password not echoed (attempt %d)" % (i + 1))
        t.expect("console locked for 2 s")
        t.send("admin\r")  # typed during the lock: discarded
        t.expect("login: $", timeout=10)
        waited = time.monotonic() - t0
        check(waited >= 1.5, "lockout delay observed (%.2f s >= 1.5 s)" % waited)

        # 2. operator: show works, configure is refused with a caret
        t.send("oper\r")
        t.expect("Password: $")
        t.send("oper-pw\r")
        t.expect("oper@gw> $")
        out = t.cmd("show version")
        check("segw " in out, "operator: show version")
        out = t.cmd("show counters")
        check(re.search(r"rx\.packets +42", out) is not None, "operator: show counters from the source")
        out = t.cmd("configure")
        check("permission denied" in out and "\r\n  ^\r\n" in out, "operator: configure denied, caret")
        t.send("exit\r")
        t.expect("Logged out")

        # 3. admin: ? help, TAB completion, caret errors
        login(t, "admin", "admin-pw")
        t.expect("admin@gw> $")
        t.send("sh\t")
        t.expect("show $")
        t.send("?")
        out = t.expect(r"admin@gw> show $")
        check("Possible completions" in out and "interfaces" in out and "policy" in out,
              "? lists what may follow 'show'")
        t.send("ver\t")
        t.expect("version $")
        out = t.cmd("")
        check("segw " in out, "TAB-completed 'show version' runs")
        out = t.cmd("show polcy")
        check("  show polcy\r\n       ^\r\nerror: unknown word 'polcy'" in out,
              "caret under the wrong word")
        # history: up arrow recalls the last line
        t.send("\x1b[A")
        t.expect("show polcy$")
        t.send("\x15")  # ^U

        # 4. configure, set, compare, commit; commit confirmed left to expire
        out = t.cmd("configure")
        check("[edit]" in out, "configure enters configuration mode")
        t.cmd("set rule 10 tcp dport 22 allow")
        out = t.cmd("compare")
        check("+rule 10 tcp dport 22 allow" in out, "compare shows the new rule")
        out = t.cmd("commit first rule")
        check("commit 1 complete" in out, "commit")
        out = t.cmd("set rule 30 tcp dport 99999 allow")
        line = "  set rule 30 tcp dport 99999 allow\r\n"
        caret_at = out.find(line)
        check(caret_at >= 0 and out[caret_at + len(line):].startswith(" " * 24 + "^"),
              "policy error: caret under 99999")
        t.cmd("set rule 20 udp dport 53 deny")
        out = t.cmd("commit confirmed 2")
        check("reverts in 2 s" in out, "commit confirmed 2")
        out = t.cmd("show policy")
        check("rule 20" in out, "rule 20 running while unconfirmed")
        out = t.expect(r"not confirmed in time: reverted, running is now commit (\d+)", timeout=8)
        check(True, "revert announced on the console")
        t.expect("admin@gw# $")
        out = t.cmd("show policy")
        check("rule 10" in out and "rule 20" not in out, "show policy back to the old one")
        out = t.cmd("show history")
        check("revert" in out, "history shows the revert")

        # 5. load a block
        t.send("exit\r")
        t.expect("admin@gw> $")
        t.cmd("configure")
        t.send("load\r")
        t.expect("ends it")
        for ln in ["default action deny", "rule 5 tcp dport 443 allow", "."]:
            t.send(ln + "\r")
        out = t.expect("admin@gw# $")
        check("load complete (2 lines)" in out, "load a block")
        out = t.cmd("commit")
        t.send("exit\r")
        t.expect("admin@gw> $")
        t.send("exit\r")
        t.expect("Logged out")
    except AssertionError as e:
        check(False, str(e))
    finally:
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(timeout=10)
        except subprocess.TimeoutExpired:
            srv.kill()

    log = open(audit).read() if os.path.exists(audit) else ""
    check("user=admin result=failed cmd=login" in log, "audit: failed login")
    check("user=admin result=locked cmd=login" in log, "audit: lockout")
    check("user=oper result=denied cmd=configure" in log, "audit: denied command")
    check("user=admin result=ok cmd=commit confirmed 2" in log, "audit: commit confirmed")
    check("user=store result=ok cmd=revert" in log, "audit: revert")
    check("wrong" not in log and "admin-pw" not in log, "audit: no passwords")
    if failures:
        print("audit log:\n" + log)
        print("%d failure(s)" % len(failures))
        return 1
    print("all ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
