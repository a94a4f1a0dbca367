#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`segwd --check-policy` and `--print-policy` on the policy cases.

cases/*.policy: a line `# expect-exit: N` and zero or more
`# expect: TEXT` lines (each must appear in stderr, with FILE replaced by
the case's path). Good cases (exit 0) must also print canonically to a
fixed point: print(parse(print(p))) == print(p).
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    failed = 0
    cases = sorted(glob.glob(os.path.join(a.dir, "*.policy")))
    for path in cases:
        text = open(path).read()
        exp_exit = 0
        expects = []
        for line in text.splitlines():
            if line.startswith("# expect-exit:"):
                exp_exit = int(line.split(":", 1)[1])
            elif line.startswith("# expect:"):
                expects.append(line.split(":", 1)[1].strip().replace("FILE", path))
        p = subprocess.run([a.segwd, "--check-policy", path], capture_output=True, text=True,
                           timeout=60)
        bad = []
        if p.returncode != exp_exit:
            bad.append("exit %d, expected %d" % (p.returncode, exp_exit))
        for e in expects:
            if e not in p.stderr:
                bad.append("missing in stderr: %s" % e)
        if exp_exit == 0:
            if p.stderr:
                bad.append("stderr not empty")
            p1 = subprocess.run([a.segwd, "--print-policy", path], capture_output=True, text=True)
            with tempfile.NamedTemporaryFile("w", suffix=".policy", delete=False) as t:
                t.write(p1.stdout)
            p2 = subprocess.run([a.segwd, "--print-policy", t.name], capture_output=True, text=True)
            os.unlink(t.name)
            if p1.returncode or p2.returncode or p1.stdout != p2.stdout:
                bad.append("canonical print is not a fixed point")
        if bad:
            failed += 1
            print("FAIL %s: %s\n--- stderr:\n%s" % (os.path.basename(path), "; ".join(bad), p.stderr))
        else:
            print("ok   %s" % os.path.basename(path))
    # a missing file is a clear error, not a crash
    p = subprocess.run([a.segwd, "--check-policy", "/nonexistent.policy"], capture_output=True, text=True)
    if p.returncode != 2 or "cannot read" not in p.stderr:
        failed += 1
        print("FAIL missing file: exit %d %s" % (p.returncode, p.stderr))
    print("%d cases, %d failed" % (len(cases) + 1, failed))
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
