#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run `segwd --replay` on every <case>/input.pcap next to this script (or
under --cases) and check the flows that <case>/expect.json names (format:
see gen_cases.py). Each failed check is printed with the expected and the
reported value and the flow's JSON line. Checks covered by an entry's
"known_bug" print XFAIL (and XPASS when they pass: the marker can go); they
do not fail the run.

Exit status: 1 on any failure (a check, a flow matched zero or several
times, segwd dying by a signal, exiting non-zero or printing no counters
line), 0 otherwise.

  run_cases.py --segwd build/segwd [--only CASE] [-v]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Tally:
    def __init__(self, verbose):
        self.checks = self.fails = self.xfails = self.xpasses = 0
        self.verbose = verbose

    def check(self, ok, what, xfail_reason, flow_line):
        self.checks += 1
        if ok and xfail_reason is None:
            if self.verbose:
                print("ok    " + what)
        elif ok:
            self.xpasses += 1
            print("XPASS %s (known bug no longer seen: %s)" % (what, xfail_reason))
        elif xfail_reason is not None:
            self.xfails += 1
            print("XFAIL %s [known bug: %s]" % (what, xfail_reason))
        else:
            self.fails += 1
            print("FAIL  " + what)
            if flow_line:
                print("      flow: " + flow_line)


def run_case(args, name, d, t):
    try:
        p = subprocess.run([args.segwd, "--replay", os.path.join(d, "input.pcap")],
                           capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        t.check(False, "%s: segwd timed out" % name, None, None)
        return
    if p.returncode != 0:
        how = "died by signal %d" % -p.returncode if p.returncode < 0 else \
            "exited %d" % p.returncode
        t.check(False, "%s: segwd %s: %s" % (name, how, p.stderr.decode(errors="replace")[-400:]),
                None, None)
        return
    lines = [l for l in p.stdout.decode(errors="replace").splitlines() if l.startswith("{")]
    objs = [(json.loads(l), l) for l in lines]
    flows = [(o, l) for o, l in objs if o.get("type") == "flow"]
    if not any(o.get("type") == "counters" for o, _ in objs):
        t.check(False, "%s: no counters line (segwd stopped early?)" % name, None, None)
    with open(os.path.join(d, "expect.json")) as f:
        expects = json.load(f)
    for e in expects:
        kb = e.get("known_bug")
        kb_fields = kb.get("fields") if kb else None

        def reason(field):
            if not kb or (kb_fields is not None and field not in kb_fields):
                return None
            return kb["reason"]
        m = [(o, l) for o, l in flows if all(o.get(k) == v for k, v in e["match"].items())]
        tag = "%s %s" % (name, json.dumps(e["match"], sort_keys=True))
        if len(m) != 1:
            t.check(False, "%s: %d flows match (expected 1)" % (tag, len(m)),
                    reason(None) if kb_fields is None else None, None)
            continue
        f, line = m[0]
        for k, v in sorted(e.get("expect", {}).items()):
            t.check(f.get(k) == v, "%s: %s = %r, expected %r" % (tag, k, f.get(k), v),
                    reason(k), line)
        for k, v in sorted(e.get("expect_not", {}).items()):
            t.check(f.get(k) != v, "%s: %s = %r, must not be" % (tag, k, f.get(k)),
                    reason(k), line)
        for k in e.get("absent", []):
            t.check(k not in f, "%s: %s present (%r), expected absent" % (tag, k, f.get(k)),
                    reason(k), line)
        for fl in e.get("flags_include", []):
            t.check(fl in f.get("flags", []), "%s: flag %s missing (flags %r)" %
                    (tag, fl, f.get("flags", [])), reason("flags"), line)
        for fl in e.get("flags_exclude", []):
            t.check(fl not in f.get("flags", []), "%s: flag %s set, must not be" % (tag, fl),
                    reason("flags"), line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--cases", default=HERE)
    ap.add_argument("--only", help="run this case only")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = ap.parse_args()
    t = Tally(args.verbose)
    ncases = 0
    for name in sorted(os.listdir(args.cases)):
        d = os.path.join(args.cases, name)
        if not os.path.isfile(os.path.join(d, "expect.json")) or \
                (args.only and name != args.only):
            continue
        ncases += 1
        run_case(args, name, d, t)
    print("%d cases, %d checks: %d failed, %d xfail (known bugs), %d xpass" %
          (ncases, t.checks, t.fails, t.xfails, t.xpasses))
    return 1 if t.fails or t.checks == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
