#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The serial console of the real segwd, through its real pty, as a person
would use it (tests/mgmt/segwlab.py: segwd --inline in a network namespace
with a live TCP flow through it):

login failures and the lockout delay; show version/policy/counters/
interfaces/flows with live data; configure, set and delete lines, malformed
lines (caret under the word), compare; commit confirmed left to expire: the
revert is announced, `show policy` and the kernel's ruleset are back, a new
connection the change allowed is refused again; a policy that parses but
does not compile for this board is refused at commit and changes nothing
(generation, kernel ruleset, stored configuration, the established flow);
commit and rollback put the policy in force.

usage: test_console_segwd.py SEGWD
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import segwlab  # noqa: E402
from segwlab import check  # noqa: E402


def main():
    lab = segwlab.Lab(sys.argv[1])
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
    check("event commit-confirmed-expired: commit" in log,
          "notification event: commit-confirmed-expired (running and at boot)")
    if segwlab.failures:
        print("segwd log:\n" + log + "\naudit:\n" + audit)
        print("%d failure(s)" % len(segwlab.failures))
        return 1
    print("all ok")
    return 0


def login(t, user, pw):
    t.send("\r")
    t.expect("login: $")
    t.send(user + "\r")
    t.expect("Password: $")
    t.send(pw + "\r")


def body(lab):
    check(lab.open_flow(), "a TCP flow int -> dmz:80 established through segwd")
    t = segwlab.Term(lab.link)
    base = lab.snapshot()

    # wrong password: three failures, then a lockout delay
    for i in range(3):
        login(t, "admin", "bad%d" % i)
        t.expect("Login incorrect")
    t.expect("console locked for")
    t0 = time.monotonic()
    t.expect("login: $", timeout=10)
    check(time.monotonic() - t0 >= 0.7, "lockout delay after 3 wrong passwords")
    check(lab.snapshot() == base and lab.flow_alive(),
          "wrong passwords changed nothing (generation, kernel, store, flow)")
    t.send("admin\r")
    t.expect("Password: $")
    t.send("admin-pw\r")
    t.expect("admin@gw1> $")

    out = t.cmd("show version")
    check(re.search(r"segw \S+ \(board \S+\)", out) is not None, "show version")
    out = t.cmd("show policy")
    check("rule 40 from internal to dmz tcp dport 80 allow" in out, "show policy: the boot policy")
    check(lab.flow_alive(), "the flow carries data")
    time.sleep(1.1)
    out = t.cmd("show counters")
    m = re.search(r"flow\.created +(\d+)", out)
    check(m is not None and int(m.group(1)) >= 1, "show counters: live flow.created >= 1")
    out = t.cmd("show interfaces")
    check("int0" in out and "dmz0" in out and "rx_packets=" in out,
          "show interfaces: board ports and live port counters")
    out = t.cmd("show flows")
    check(re.search(r"Active flows: [1-9]", out) is not None and "internal->dmz" in out,
          "show flows: the live flow, per zone pair")

    # configure: malformed lines, set, delete, compare
    out = t.cmd("configure")
    check("[edit]" in out, "configure")
    out = t.cmd("set rule 41 from internal to dmz tcp dport 808l allow")
    check("^" in out and "808l" in out and "error" in out, "malformed set: caret and error")
    out = t.cmd("delete rule 77")
    check("no 'rule 77'" in out, "delete of a missing line: clear error")
    out = t.cmd("frobnicate")
    check("^" in out and "error: " in out and "frobnicate" in out, "unknown command: caret error")
    check(lab.snapshot() == base, "malformed lines changed nothing")
    t.cmd("set rule 41 from internal to dmz tcp dport 8081 allow")
    t.cmd("set rule 42 from internal to dmz tcp dport 8082 allow")
    t.cmd("delete rule 42")
    out = t.cmd("compare")
    check("+rule 41 from internal to dmz tcp dport 8081 allow" in out and "8082" not in out,
          "compare shows the candidate's change")
    check(not lab.new_connection(8081), "8081 refused before the commit")

    # commit confirmed, left to expire
    out = t.cmd("commit confirmed 3")
    check("reverts in 3 s" in out, "commit confirmed 3")
    mid = lab.snapshot()
    check(mid[0] > base[0] and "8081" in mid[1] and mid[2] != base[2],
          "the change is in force: new generation, kernel rule, stored")
    check(lab.new_connection(8081), "8081 passes while unconfirmed")
    check(lab.flow_alive(), "the flow passes across the commit")
    t.expect(r"not confirmed in time: reverted, running is now commit (\d+)", timeout=10)
    t.expect("admin@gw1# $")
    out = t.cmd("show policy")
    check("8081" not in out and "rule 40" in out, "show policy: reverted")
    rev = lab.snapshot()
    check(rev[1] == base[1] and rev[0] > mid[0], "the kernel ruleset reverted, new generation")
    check(not lab.new_connection(8081), "8081 refused again after the revert")
    check(lab.flow_alive(), "the flow passes across the revert")
    out = t.cmd("show history")
    check("revert" in out, "show history lists the revert")

    # a policy that parses but does not compile for this board
    t.cmd("exit")
    t.cmd("configure")
    before = lab.snapshot()
    out = t.cmd("set zone lab ports nosuch0 prefixes 192.0.2.128/25")
    out = t.cmd("commit")
    check("error" in out and "nosuch0" in out, "commit of a policy the board cannot run refused")
    check(lab.snapshot() == before, "refused commit changed nothing (generation, kernel, store)")
    check(lab.flow_alive(), "the flow passes after the refused commit")
    t.cmd("delete zone lab")

    # commit and rollback
    t.cmd("set rule 41 from internal to dmz tcp dport 8081 allow")
    out = t.cmd("commit open 8081")
    m = re.search(r"commit (\d+) complete", out)
    check(m is not None and lab.new_connection(8081), "commit: 8081 in force")
    out = t.cmd("rollback 1")
    check("rolled back to commit 1" in out, "rollback 1")
    check(not lab.new_connection(8081) and lab.snapshot()[1] == base[1],
          "rollback: the boot policy in force again")
    # a commit confirmed pending when segwd stops, its deadline passing while
    # it is down: reverted at boot; the stored running policy (not --policy)
    # is what boots
    t.cmd("set rule 43 from internal to dmz tcp dport 8083 allow")
    out = t.cmd("commit confirmed 2")
    check("reverts in 2 s" in out, "commit confirmed 2, then segwd stops")
    t.close()
    check(lab.stop_segwd() == 0, "segwd stopped")
    time.sleep(2.5)
    with open(lab.policy, "a") as f:  # the --policy file now differs from the store
        f.write("rule 44 from internal to dmz tcp dport 8084 allow\n")
    lab.start_segwd()
    log = lab.log()
    check("reverted at boot" in log, "boot: the expired commit confirmed is reverted")
    t = segwlab.Term(lab.link)
    login(t, "admin", "admin-pw")
    t.expect("admin@gw1> $")
    out = t.cmd("show policy")
    check("8083" not in out and "8084" not in out and "rule 40" in out,
          "boot: show policy is the store's reverted policy, not the --policy file")
    out = t.cmd("show history")
    check(out.count("revert") >= 2, "boot: history has the boot revert")
    check(lab.kernel_rules() == base[1], "boot: the kernel has the stored running policy")
    t.send("exit\r")
    t.expect("Logged out")
    t.close()

    audit = open(lab.audit).read()
    check("user=admin result=locked cmd=login" in audit, "audit: lockout")
    check("user=admin result=ok cmd=commit confirmed 3" in audit, "audit: commit confirmed")
    check("user=store result=ok cmd=revert" in audit, "audit: revert")
    check("admin-pw" not in audit, "audit: no password")


if __name__ == "__main__":
    sys.exit(main())
