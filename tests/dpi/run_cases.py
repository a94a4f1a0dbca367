#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run `segwd --replay` on every tests/dpi/cases/<case>/input.pcap and check
the flows named by expect.json (see cases/gen_cases.py). Prints each failed
check; exits 1 on any failure or when segwd died."""
import argparse
import json
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--cases", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "cases"))
    ap.add_argument("--only")
    args = ap.parse_args()
    fails = checks = 0
    for name in sorted(os.listdir(args.cases)):
        d = os.path.join(args.cases, name)
        if not os.path.isfile(os.path.join(d, "expect.json")) or (args.only and name != args.only):
            continue
        p = subprocess.run([args.segwd, "--replay", os.path.join(d, "input.pcap")],
                           capture_output=True, timeout=120)
        if p.returncode < 0:
            print("FAIL %s: segwd died by signal %d" % (name, -p.returncode))
            fails += 1
            continue
        flows = [json.loads(l) for l in p.stdout.decode().splitlines() if l.startswith("{")]
        flows = [f for f in flows if f.get("type") == "flow"]
        for e in json.load(open(os.path.join(d, "expect.json"))):
            m = [f for f in flows if all(f.get(k) == v for k, v in e["match"].items())]
            checks += 1
            if len(m) != 1:
                print("FAIL %s: %d flows match %s" % (name, len(m), e["match"]))
                fails += 1
                continue
            f = m[0]
            for k, v in e["expect"].items():
                checks += 1
                if f.get(k) != v:
                    print("FAIL %s %s: %s = %r, expected %r" % (name, e["match"], k, f.get(k), v))
                    fails += 1
            for k in e["absent"]:
                checks += 1
                if k in f:
                    print("FAIL %s %s: %s present (%r)" % (name, e["match"], k, f[k]))
                    fails += 1
            for fl in e["flags_include"]:
                checks += 1
                if fl not in f.get("flags", []):
                    print("FAIL %s %s: flag %s missing" % (name, e["match"], fl))
                    fails += 1
            for fl in e["flags_exclude"]:
                checks += 1
                if fl in f.get("flags", []):
                    print("FAIL %s %s: flag %s set" % (name, e["match"], fl))
                    fails += 1
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails or checks == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
