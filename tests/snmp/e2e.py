#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end SNMP tests: net-snmp's snmpd (its own config from
firmware/snmp/snmpd-setup.sh, its own persistent dir and AgentX socket, on
loopback), segw-snmp, segwd (or segment_tool) and net-snmp's own clients,
SNMPv3 authPriv with SHA-512 and AES.

    e2e.py mib|replay|v3|traps|restart|walk100k

Environment: SEGW_SNMP, SEGWD, SEGMENT_TOOL, SEGW_SRC. Every process is
started here and stopped by its PID; the temporary directory is removed.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ["SEGW_SRC"]
ROOT = "1.3.6.1.4.1.8072.9999.9999.7"
USER = ["-u", "segwnms", "-a", "SHA-512", "-A", "nms-auth-secret", "-x", "AES", "-X",
        "nms-priv-secret"]
ENGINE = "0x80001f8880736567770001"


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Lab:
    def __init__(self):
        self.t = tempfile.mkdtemp(prefix="segw-snmp.")
        self.procs = {}
        self.port = free_port()
        self.trap_port = free_port()
        self.stats = os.path.join(self.t, "stats")
        os.mkdir(self.stats)
        os.mkdir(os.path.join(self.t, "nomibs"))
        self.agentx = os.path.join(self.t, "agentx.sock")
        # clients and segw-snmp keep whatever net-snmp persists in our directory
        self.env = dict(os.environ, MIBDIRS=os.path.join(self.t, "nomibs"), MIBS="",
                        SNMP_PERSISTENT_DIR=os.path.join(self.t, "client"),
                        SNMPCONFPATH=os.path.join(self.t, "client"))
        subprocess.run(["sh", os.path.join(SRC, "firmware/snmp/snmpd-setup.sh"),
                        "--out", os.path.join(self.t, "snmpd"),
                        "--listen", "127.0.0.1:%d" % self.port, "--agentx", self.agentx,
                        "--user", "segwnms", "--auth-pass", "nms-auth-secret",
                        "--priv-pass", "nms-priv-secret", "--engine-id", ENGINE,
                        "--trap", "127.0.0.1:%d" % self.trap_port, "--trap-user", "segwtrap",
                        "--trap-auth-pass", "trap-auth-secret",
                        "--trap-priv-pass", "trap-priv-secret"], check=True)

    def start(self, name, argv, env=None, stdout=None):
        log = open(os.path.join(self.t, name + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=stdout or log, stderr=log, env=env or self.env)
        self.procs[name] = p
        return p

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if not p:
            return
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def close(self):
        for n in list(self.procs):
            self.stop(n)
        shutil.rmtree(self.t, ignore_errors=True)

    def log(self, name):
        try:
            return open(os.path.join(self.t, name + ".log"), errors="replace").read()
        except OSError:
            return ""

    def start_snmpd(self, own_ifmib=False):
        """own_ifmib: let snmpd serve its own IF-MIB too (segw-snmp's
        registrations must still win)."""
        if os.path.exists(self.agentx):
            os.unlink(self.agentx)
        d = os.path.join(self.t, "snmpd")
        env = dict(self.env, SNMP_PERSISTENT_DIR=d + "/persist", SNMPCONFPATH=d + ":" + d + "/persist")
        no_if = [] if own_ifmib else ["-I", "-ifTable,ifXTable,interfaces"]
        self.start("snmpd", ["snmpd", "-f", "-Lo"] + no_if, env=env)
        for _ in range(100):
            if os.path.exists(self.agentx):
                return
            time.sleep(0.05)
        raise SystemExit("snmpd did not open its AgentX socket:\n" + self.log("snmpd"))

    def start_subagent(self):
        self.start("segw-snmp", [os.environ["SEGW_SNMP"], "--stats-dir", self.stats,
                                 "--agentx", self.agentx, "--ping", "1"])

    def start_trapd(self):
        conf = os.path.join(self.t, "snmptrapd.conf")
        with open(conf, "w") as f:
            f.write("createUser -e %s segwtrap SHA-512 trap-auth-secret AES trap-priv-secret\n"
                    % ENGINE)
            f.write("authUser log segwtrap\n")
        os.makedirs(os.path.join(self.t, "trapd"), exist_ok=True)
        env = dict(self.env, SNMP_PERSISTENT_DIR=os.path.join(self.t, "trapd"))
        self.start("snmptrapd", ["snmptrapd", "-f", "-Lf", os.path.join(self.t, "traps.txt"),
                                 "-On", "-C", "-c", conf, "udp:127.0.0.1:%d" % self.trap_port],
                   env=env)
        time.sleep(0.5)

    def traps(self):
        try:
            return open(os.path.join(self.t, "traps.txt"), errors="replace").read()
        except OSError:
            return ""

    def snmp(self, tool, *args, user=None, check=True, timeout=30):
        argv = [tool, "-v3", "-l", "authPriv"] + (user or USER) + \
            ["-On", "-t", "1", "-r", "1", "127.0.0.1:%d" % self.port] + list(args)
        p = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)
        if check and p.returncode != 0:
            raise SystemExit("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr))
        return p

    def walk(self, oid, tool="snmpbulkwalk", *extra):
        out = self.snmp(tool, *extra, oid).stdout
        return parse(out)

    def wait_for(self, oid, what="value", tries=100):
        for _ in range(tries):
            p = self.snmp("snmpget", oid, check=False)
            if p.returncode == 0 and "No Such" not in p.stdout:
                return p.stdout
            time.sleep(0.1)
        raise SystemExit("no %s at %s; segw-snmp log:\n%s\nsnmpd log:\n%s"
                         % (what, oid, self.log("segw-snmp"), self.log("snmpd")))


LINE = re.compile(r"^\.?([0-9.]+) = (?:([A-Za-z0-9]+): )?(.*)$")


def parse(out):
    """snmpwalk -On output: [(oid, type, value)], values as int or str."""
    rows = []
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        oid, typ, val = m.group(1), m.group(2) or "", m.group(3)
        if typ == "STRING":
            val = val.strip('"')
        elif typ in ("Counter64", "Counter32", "Gauge32", "INTEGER"):
            val = int(val.split("(")[-1].rstrip(")")) if "(" in val else int(val)
        elif typ == "Timeticks":
            val = int(val.split(")")[0].lstrip("("))
        rows.append((oid, typ, val))
    return rows


def column(rows, prefix):
    """{index suffix: value} of the rows under prefix."""
    pre = prefix + "."
    return {o[len(pre):]: v for o, _, v in rows if o.startswith(pre)}


fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)
        print("FAIL:", msg)


def test_mib(lab):
    base = os.path.join(SRC, "mib")
    env = dict(os.environ, SMIPATH="%s/base:%s:/usr/share/snmp/mibs" % (base, base))
    p = subprocess.run(["smilint", "-l", "4", "-s", os.path.join(base, "SEGW-MIB.txt")],
                       capture_output=True, text=True, env=env)
    check(p.stdout.strip() == "" and p.stderr.strip() == "",
          "smilint -l 4 reports: %s %s" % (p.stdout, p.stderr))
    # the check can fail: a broken copy is reported
    bad = os.path.join(lab.t, "SEGW-MIB.txt")
    text = open(os.path.join(base, "SEGW-MIB.txt")).read()
    open(bad, "w").write(text.replace("segwRuleOctets      Counter64,", "segwRuleOctets Counter32,"))
    p = subprocess.run(["smilint", "-l", "4", "-s", bad], capture_output=True, text=True, env=env)
    check("do not match" in p.stdout + p.stderr, "smilint missed a broken MIB")
    # the OIDs the subagent serves are the MIB's
    p = subprocess.run(["smidump", "-f", "identifiers", os.path.join(base, "SEGW-MIB.txt")],
                       capture_output=True, text=True, env=env)
    ids = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "SEGW-MIB":
            ids[f[1]] = f[3]
    for name, oid in (("segwFirmwareVersion", ROOT + ".1.1.1"), ("segwRuleOctets", ROOT + ".1.6.1.4"),
                      ("segwZpDropped", ROOT + ".1.5.1.8"), ("segwPolicyPushRejected", ROOT + ".0.1"),
                      ("segwEventText", ROOT + ".1.9.2"), ("segwTlsCounterValue", ROOT + ".1.8.1.3")):
        check(ids.get(name) == oid, "%s is %s in the MIB, the subagent serves %s"
              % (name, ids.get(name), oid))


def test_replay(lab):
    pcap = os.path.join(SRC, "tests/pcap/sample/input.pcap")
    pol = os.path.join(SRC, "tests/policy/cases/seg_mseg.policy")
    lab.start_snmpd()
    lab.start_subagent()
    p = subprocess.run([os.environ["SEGWD"], "--replay", pcap, "--policy", pol, "--no-flows",
                        "--stats-dir", lab.stats], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "segwd --replay failed: %s" % p.stderr)
    rec = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")][-1]
    lab.wait_for(ROOT + ".1.1.1.0", "firmware version")
    rows = lab.walk(ROOT)
    names = column(rows, ROOT + ".1.3.1.2")
    values = column(rows, ROOT + ".1.3.1.3")
    got = {names[i]: values[i] for i in names}
    check(got == rec["counters"], "segwCounterTable differs from the replay's counters: %s"
          % {k: (got.get(k), v) for k, v in rec["counters"].items() if got.get(k) != v})
    check(sum(rec["counters"].values()) > 0, "the replay counted nothing")
    drops = column(rows, ROOT + ".1.4.1.2")
    dvals = column(rows, ROOT + ".1.4.1.3")
    check(sorted(drops.values()) == sorted(k for k in rec["counters"] if k.startswith("drop.")),
          "segwDropTable reasons: %s" % drops)
    for i, n in drops.items():
        check(dvals[i] == rec["counters"][n], "drop %s: %s vs %s" % (n, dvals[i], rec["counters"][n]))
    # rules: every rule of the replay, by id (default at 0)
    rflows = column(rows, ROOT + ".1.6.1.2")
    rpk = column(rows, ROOT + ".1.6.1.3")
    roct = column(rows, ROOT + ".1.6.1.4")
    for rid, c in rec.get("rules", {}).items():
        idx = "0" if rid == "default" else rid
        check((rflows.get(idx), rpk.get(idx), roct.get(idx)) == (c["flows"], c["packets"], c["bytes"]),
              "rule %s: snmp %s/%s/%s vs replay %s" % (rid, rflows.get(idx), rpk.get(idx),
                                                       roct.get(idx), c))
    check(len(rflows) == len(rec.get("rules", {})) and len(rflows) > 1, "rule rows: %d" % len(rflows))
    gen = column(rows, ROOT + ".1.2.1")
    check(gen.get("0") == rec.get("policy_generation"), "segwPolicyGeneration %s" % gen)
    # zone pairs
    zf = column(rows, ROOT + ".1.5.1.3")
    zt = column(rows, ROOT + ".1.5.1.4")
    zflows = column(rows, ROOT + ".1.5.1.5")
    zoct = column(rows, ROOT + ".1.5.1.7")
    snmp_zp = {"%s->%s" % (zf[i], zt[i]): (zflows[i], zoct[i]) for i in zf}
    rec_zp = {k: (v["flows"], v["bytes"]) for k, v in rec["zone_pairs"].items()}
    check(snmp_zp == rec_zp, "zone pairs: snmp %s vs replay %s" % (snmp_zp, rec_zp))
    # applications: one row per application that saw traffic
    an = column(rows, ROOT + ".1.7.1.2")
    af = column(rows, ROOT + ".1.7.1.3")
    ap = column(rows, ROOT + ".1.7.1.4")
    ao = column(rows, ROOT + ".1.7.1.5")
    snmp_apps = {an[i]: (af[i], ap[i], ao[i]) for i in an}
    rec_apps = {k: (v["flows"], v["packets"], v["bytes"]) for k, v in rec["apps"].items()}
    check(snmp_apps == rec_apps and len(rec_apps) > 1,
          "applications: snmp %s vs replay %s" % (snmp_apps, rec_apps))
    # IF-MIB: the board's ports by name, the replay's port with its counts
    ifx = lab.walk("1.3.6.1.2.1.31.1.1.1")
    names = column(ifx, "1.3.6.1.2.1.31.1.1.1.1")
    board = json.loads(subprocess.run([os.environ["SEGWD"], "--board"], capture_output=True,
                                      text=True).stdout)
    for i, port in enumerate(board["ports"]):
        check(names.get(str(i + 1)) == port["name"], "ifName.%d %s vs board %s"
              % (i + 1, names.get(str(i + 1)), port["name"]))
    pname, pst = next(iter(rec["ports"].items()))
    idx = [i for i, n in names.items() if n == pname]
    check(len(idx) == 1, "replay port %s not in ifXTable: %s" % (pname, names))
    if idx:
        hc = column(ifx, "1.3.6.1.2.1.31.1.1.1.6")
        hcp = column(ifx, "1.3.6.1.2.1.31.1.1.1.7")
        check(hc[idx[0]] == pst["processed_bytes"] and hcp[idx[0]] == pst["processed_packets"],
              "ifHCInOctets/Pkts %s/%s vs replay %s" % (hc[idx[0]], hcp[idx[0]], pst))
        typ = [t for o, t, v in ifx if o == "1.3.6.1.2.1.31.1.1.1.6." + idx[0]]
        check(typ == ["Counter64"], "ifHCInOctets type %s" % typ)
    n = lab.walk("1.3.6.1.2.1.2.1")
    check(n and n[0][2] == len(names), "ifNumber %s vs %d rows" % (n, len(names)))
    # a second run restarts the counters: the discontinuity time moves
    d0 = column(ifx, "1.3.6.1.2.1.31.1.1.1.19")
    time.sleep(1.1)
    subprocess.run([os.environ["SEGWD"], "--replay", pcap, "--no-flows", "--stats-dir", lab.stats],
                   capture_output=True, timeout=60)
    time.sleep(1.2)
    d1 = column(lab.walk("1.3.6.1.2.1.31.1.1.1.19"), "1.3.6.1.2.1.31.1.1.1.19")
    check(all(v == 0 for v in d0.values()), "discontinuity before a restart: %s" % d0)
    check(d1 and all(v > 0 for v in d1.values()), "ifCounterDiscontinuityTime after restart: %s" % d1)


def test_v3(lab):
    lab.start_snmpd()
    lab.start_subagent()
    lab.start("tool", [os.environ["SEGMENT_TOOL"], lab.stats, "--hold", "40", "--tls"])
    lab.wait_for(ROOT + ".1.1.1.0")
    # least privilege: the subagent, started as root, keeps no capability
    if os.geteuid() == 0:
        st = {}
        with open("/proc/%d/status" % lab.procs["segw-snmp"].pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                st[k] = v.strip()
        check(all(int(st[k], 16) == 0 for k in ("CapPrm", "CapEff", "CapBnd", "CapAmb"))
              and st.get("NoNewPrivs") == "1",
              "segw-snmp keeps no capability: %s" % {k: st.get(k) for k in
                                                    ("CapEff", "CapBnd", "NoNewPrivs")})
    # the TLS terminator's segment, when there is one
    lab.wait_for(ROOT + ".1.8.1.3.1", "TLS counters")
    tls = lab.walk(ROOT + ".1.8")
    got = dict(zip(column(tls, ROOT + ".1.8.1.2").values(), column(tls, ROOT + ".1.8.1.3").values()))
    check(got == {"handshakes.ok": 41, "handshakes.failed": 2, "sessions.active": 7},
          "segwTlsCounterTable: %s" % got)
    ok = lab.snmp("snmpget", ROOT + ".1.2.1.0").stdout
    check("Gauge32: 3" in ok, "authPriv SHA-512/AES get: %s" % ok)
    bad = [
        ("wrong auth pass", ["-u", "segwnms", "-a", "SHA-512", "-A", "not-the-secret", "-x", "AES",
                             "-X", "nms-priv-secret"], "Authentication failure"),
        ("wrong priv pass", ["-u", "segwnms", "-a", "SHA-512", "-A", "nms-auth-secret", "-x", "AES",
                             "-X", "not-the-secret"], ""),
        ("unknown user", ["-u", "mallory", "-a", "SHA-512", "-A", "nms-auth-secret", "-x", "AES",
                          "-X", "nms-priv-secret"], "Unknown user name"),
        ("SHA-1 instead of SHA-512", ["-u", "segwnms", "-a", "SHA", "-A", "nms-auth-secret", "-x",
                                      "AES", "-X", "nms-priv-secret"], ""),
    ]
    for what, user, msg in bad:
        p = lab.snmp("snmpget", ROOT + ".1.2.1.0", user=user, check=False)
        check(p.returncode != 0 and "Gauge32" not in p.stdout,
              "%s was answered: %s" % (what, p.stdout))
        if msg:
            check(msg in p.stderr, "%s: expected '%s', got %s" % (what, msg, p.stderr))
    # authNoPriv is refused by the access rule (rouser ... priv)
    argv = ["snmpget", "-v3", "-l", "authNoPriv", "-u", "segwnms", "-a", "SHA-512", "-A",
            "nms-auth-secret", "-On", "-t", "1", "-r", "0", "127.0.0.1:%d" % lab.port, ROOT + ".1.2.1.0"]
    p = subprocess.run(argv, capture_output=True, text=True, env=lab.env)
    check("Gauge32" not in p.stdout, "authNoPriv was answered: %s" % p.stdout)
    # no community strings: v1 and v2c get nothing
    for v in ("1", "2c"):
        p = subprocess.run(["snmpget", "-v", v, "-c", "public", "-t", "1", "-r", "0",
                            "127.0.0.1:%d" % lab.port, ROOT + ".1.2.1.0"],
                           capture_output=True, text=True, env=lab.env)
        check(p.returncode != 0 and "Timeout" in p.stderr, "v%s public answered: %s %s"
              % (v, p.stdout, p.stderr))
    # only on the configured address
    p = subprocess.run(["ss", "-uln"], capture_output=True, text=True)
    lines = [l for l in p.stdout.splitlines() if ":%d " % lab.port in l]
    check(len(lines) == 1 and "127.0.0.1:%d" % lab.port in lines[0], "snmpd listens on %s" % lines)
    # GET semantics: a missing row is noSuchInstance; IF-MIB Counter32 wraps, HC does not
    p = lab.snmp("snmpget", ROOT + ".1.6.1.2.15", "1.3.6.1.2.1.2.2.1.16.1",
                 "1.3.6.1.2.1.31.1.1.1.10.1").stdout
    check("No Such Instance" in p, "rule 15 (absent) answered: %s" % p)
    check("Counter32: %d" % (5000000000 % 2 ** 32) in p and "Counter64: 5000000000" in p,
          "ifOutOctets/ifHCOutOctets: %s" % p)


def test_traps(lab):
    lab.start_trapd()
    lab.start_snmpd(own_ifmib=True)
    lab.start_subagent()
    lab.start("tool", [os.environ["SEGMENT_TOOL"], lab.stats, "--hold", "40", "--flows",
                       "950/1000", "--event-delay", "3000",
                       "--event", "1:7:reload refused: the policy does not parse",
                       "--event", "2:6:reverted to generation 6",
                       "--event", "3:6:commit confirmed expired",
                       "--event", "7:0:watchdog reset", "--event", "4:1:ext0 down",
                       "--event", "5:1:ext0 up", "--event", "8:9:reload applied"])
    want = {
        ROOT + ".0.1": "reload refused", ROOT + ".0.2": "reverted to generation 6",
        ROOT + ".0.3": "commit confirmed expired", ROOT + ".0.5": "watchdog reset",
        ROOT + ".0.4": "flow table 95% in use",
        "1.3.6.1.6.3.1.1.5.3": None, "1.3.6.1.6.3.1.1.5.4": None,
    }
    # snmpd serves its own IF-MIB here: ours is registered ahead of it
    lab.wait_for(ROOT + ".1.1.1.0")
    p = lab.snmp("snmpget", "1.3.6.1.2.1.2.1.0", "1.3.6.1.2.1.2.2.1.2.1",
                 "1.3.6.1.2.1.31.1.1.1.1.7").stdout
    check("INTEGER: 7" in p and '"int0"' in p and '"mgmt0"' in p,
          "IF-MIB beside snmpd's own: %s" % p)
    text = ""
    for _ in range(100):
        text = lab.traps()
        if all(o in text for o in want):
            break
        time.sleep(0.1)
    for o, words in want.items():
        check(o in text, "trap %s not received" % o)
        if words:
            check(words in text, "trap %s without '%s'" % (o, words))
    check(text.count(ROOT + ".0.4") == 1, "flow-table trap count %d" % text.count(ROOT + ".0.4"))
    check("1.3.6.1.2.1.2.2.1.1.2 = INTEGER: 2" in text, "linkDown without ifIndex 2")
    # applied (8) has no trap; only traps we asked for
    check(ROOT + ".0.6" not in text and text.count(ROOT + ".0.1 ") <= 1 + text.count("\n"),
          "unexpected traps")
    if fails:
        print(text)


def test_restart(lab):
    lab.start_snmpd()
    lab.start_subagent()
    lab.start("tool", [os.environ["SEGMENT_TOOL"], lab.stats, "--rules", "20000", "--hold", "50"])
    lab.wait_for(ROOT + ".1.6.1.2.0", "rules")
    # a slow walk (GETNEXT, one row at a time) while snmpd restarts under it
    argv = ["snmpwalk", "-v3", "-l", "authPriv"] + USER + ["-On", "-t", "1", "-r", "5",
                                                           "127.0.0.1:%d" % lab.port,
                                                           ROOT + ".1.6.1.2"]
    walk = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=lab.env)
    time.sleep(1.0)
    lab.stop("snmpd")
    time.sleep(0.5)
    lab.start_snmpd()
    out, err = walk.communicate(timeout=50)
    rows = column(parse(out), ROOT + ".1.6.1.2")
    check(len(rows) >= 100, "the walk returned %d rows before the restart" % len(rows))
    # the subagent reconnected by itself: a full walk is whole again
    lab.wait_for(ROOT + ".1.6.1.2.200000", "rules after the restart", tries=150)
    full = column(lab.walk(ROOT + ".1.6.1.2"), ROOT + ".1.6.1.2")
    check(len(full) == 20001, "full walk after restart: %d rows" % len(full))
    check(lab.procs["segw-snmp"].poll() is None, "segw-snmp exited")
    check(lab.log("segw-snmp").count("subagent connected") >= 2,
          "no reconnect in the subagent's log: %s" % lab.log("segw-snmp")[-500:])


def test_walk100k(lab):
    lab.start_snmpd()
    lab.start_subagent()
    lab.start("tool", [os.environ["SEGMENT_TOOL"], lab.stats, "--rules", "100000", "--hold", "50"])
    lab.wait_for(ROOT + ".1.6.1.4.1000000", "rule 100000")
    t0 = time.time()
    rows = lab.walk(ROOT + ".1.6.1.4", "snmpbulkwalk", "-Cr50")
    dt = time.time() - t0
    col = column(rows, ROOT + ".1.6.1.4")
    check(len(col) == 100001, "walked %d rows of 100001" % len(col))
    keys = [int(k) for k in col]
    check(keys == sorted(keys) and keys[0] == 0 and keys[-1] == 1000000, "row order")
    check(all(v == 3 * k for k, v in zip(keys, col.values())), "octets = 3 x id")
    # GETNEXT from between rows and from past the end
    p = lab.snmp("snmpgetnext", ROOT + ".1.6.1.4.55555", ROOT + ".1.6.1.4.1000000").stdout
    check(ROOT + ".1.6.1.4.55560 = Counter64: 166680" in p, "getnext mid: %s" % p)
    check(ROOT + ".1.6.1.5.0 = Counter64: 0" in p, "getnext past the column: %s" % p)
    print("bulkwalk of 100001 rule rows: %.2f s" % dt)


def test_inline(lab):
    """segwd --inline (its own network namespace): it publishes every second,
    a SIGHUP reload with a bad policy is a segwPolicyPushRejected trap, and
    the board port int0 (a veth in that namespace) going down and up is
    ifOperStatus down/up and linkDown/linkUp traps."""
    ns = "segwsnmp%d" % os.getpid()
    pol = os.path.join(lab.t, "run.policy")
    shutil.copy(os.path.join(SRC, "tests/policy/cases/seg_mseg.policy"), pol)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "add", "segw-int0", "type", "veth", "peer", "name",
                        "segw-int0p"], check=True)
        for i in ("segw-int0", "segw-int0p"):
            subprocess.run(["ip", "-n", ns, "link", "set", i, "up"], check=True)
        lab.start_trapd()
        lab.start_snmpd()
        lab.start_subagent()
        gw = lab.start("segwd", ["ip", "netns", "exec", ns, os.environ["SEGWD"], "--inline",
                                 "--policy", pol, "--no-flows", "--stats-dir", lab.stats,
                                 "--duration", "40", "--queue", "7"])
        gen = ROOT + ".1.2.1.0"
        lab.wait_for(gen, "policy generation")
        check("Gauge32: 1" in lab.snmp("snmpget", gen).stdout, "generation 1 in force")
        # published every second: the segment's publish count moves while running
        seg = os.path.join(lab.stats, "segwd.stats")
        import struct
        def publishes():
            with open(seg, "rb") as f:
                h = f.read(64)
            return struct.unpack_from("<Q", h, 48)[0]
        p0 = publishes()
        time.sleep(2.2)
        check(publishes() >= p0 + 2, "segwd --inline did not publish each second")
        with open(pol, "w") as f:
            f.write("rule 10 from nowhere to\n")
        os.kill(gw.pid, signal.SIGHUP)
        text = ""
        for _ in range(100):
            text = lab.traps()
            if ROOT + ".0.1" in text:
                break
            time.sleep(0.1)
        check(ROOT + ".0.1" in text and "reload refused" in text,
              "no segwPolicyPushRejected trap: %s\nsegwd: %s" % (text, lab.log("segwd")))
        time.sleep(1.2)
        out = lab.snmp("snmpget", gen, ROOT + ".1.2.3.0").stdout
        check("Gauge32: 1" in out and "INTEGER: 3" in out, "after the refused reload: %s" % out)
        shutil.copy(os.path.join(SRC, "tests/policy/cases/seg_mseg.policy"), pol)
        os.kill(gw.pid, signal.SIGHUP)
        for _ in range(50):
            time.sleep(0.2)
            out = lab.snmp("snmpget", gen, ROOT + ".1.2.3.0").stdout
            if "Gauge32: 2" in out:
                break
        check("Gauge32: 2" in out and "INTEGER: 2" in out, "after a good reload: %s" % out)
        # the link: int0 is ifIndex 1
        oper = "1.3.6.1.2.1.2.2.1.8.1"
        check("INTEGER: 1" in lab.snmp("snmpget", oper).stdout, "int0 up before")
        subprocess.run(["ip", "-n", ns, "link", "set", "segw-int0", "down"], check=True)
        for want, trap in ((2, "1.3.6.1.6.3.1.1.5.3"), (1, "1.3.6.1.6.3.1.1.5.4")):
            if want == 1:
                subprocess.run(["ip", "-n", ns, "link", "set", "segw-int0", "up"], check=True)
            got = ""
            for _ in range(60):
                got = lab.snmp("snmpget", oper).stdout
                if "INTEGER: %d" % want in got and trap in lab.traps():
                    break
                time.sleep(0.2)
            check("INTEGER: %d" % want in got, "int0 ifOperStatus %d: %s" % (want, got))
            check(trap in lab.traps(), "no %s trap for int0: %s" % (trap, lab.traps()[-2000:]))
        lab.stop("segwd")
    finally:
        lab.stop("segwd")
        subprocess.run(["ip", "netns", "del", ns])


def main():
    mode = sys.argv[1]
    lab = Lab()
    try:
        {"mib": test_mib, "replay": test_replay, "v3": test_v3, "traps": test_traps,
         "restart": test_restart, "walk100k": test_walk100k, "inline": test_inline}[mode](lab)
    finally:
        if fails:
            for n in ("segw-snmp", "snmpd"):
                print("---- %s log ----\n%s" % (n, lab.log(n)[-3000:]))
        lab.close()
    if fails:
        print("%d failure(s)" % len(fails))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
