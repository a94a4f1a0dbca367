#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run pcap cases through `segwd --replay` and compare with their expect.json.

    run_case.py --segwd PATH [--workers N ...] CASE_DIR...

A case folder holds the capture (input.pcap unless expect.json names
"input") and expect.json:

  "exit"        expected exit status (default 0)
  "status"      the counters line's "status" ("ok", "error"), or null when
                segwd must print no report at all (it could not start)
  "stderr"      substrings that must all appear on stderr
  "args"        extra segwd arguments
  "flows"       flow records that must be reported: each one matches exactly
                one reported flow on every field it lists (a number given as
                a string is compared exactly, e.g. "1700000000.123456789";
                null also matches an absent field)
  "flows_exact" true: no other flow may be reported
  "counters"    counter name -> exact value
  "ports"       port name -> {field: exact value}
  "zone_pairs"  "a->b" -> {field: exact value}

Each case runs once per --workers value (default 1 and 3): the answer must
not depend on the number of pipeline workers. Exit 0 when every case passes,
1 otherwise, with a readable difference for each failure.
"""
import argparse
import decimal
import json
import os
import subprocess
import sys


def same(want, got):
    if want is None:
        return got is None
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, str) and isinstance(got, decimal.Decimal):
        try:
            return decimal.Decimal(want) == got
        except decimal.InvalidOperation:
            return False
    if isinstance(want, (int, float)) and isinstance(got, decimal.Decimal):
        return decimal.Decimal(str(want)) == got
    return want == got


def show(v):
    if isinstance(v, decimal.Decimal):
        return str(v)
    return json.dumps(v)


def flow_diff(want, got):
    return [k for k in want if not same(want[k], got.get(k))]


def brief(f):
    keys = ("l4", "client_ip", "client_port", "server_ip", "server_port", "vlan")
    return " ".join("%s=%s" % (k, show(f.get(k))) for k in keys if k in f)


def check_case(segwd, case, workers):
    with open(os.path.join(case, "expect.json")) as fh:
        exp = json.load(fh)
    errors = []
    inp = os.path.join(case, exp.get("input", "input.pcap"))
    if exp.get("exit", 0) == 2 and "No such file" in " ".join(exp.get("stderr", [])) \
            and os.path.exists(inp):
        return ["%s must not exist for this case" % inp]
    cmd = [segwd, "--replay", inp, "--workers", str(workers)] + exp.get("args", [])
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return ["segwd did not finish within 60 s: %s" % " ".join(cmd)]
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")

    if p.returncode < 0:
        errors.append("segwd killed by signal %d" % -p.returncode)
    elif p.returncode != exp.get("exit", 0):
        errors.append("exit status %d, expected %d" % (p.returncode, exp.get("exit", 0)))
    for s in exp.get("stderr", []):
        if s not in err:
            errors.append("stderr lacks %r" % s)

    flows, counters = [], None
    for n, line in enumerate(out.splitlines(), 1):
        try:
            o = json.loads(line, parse_float=decimal.Decimal)
        except ValueError as e:
            errors.append("stdout line %d is not JSON (%s): %.200s" % (n, e, line))
            continue
        if o.get("type") == "flow":
            flows.append(o)
        elif o.get("type") == "counters":
            if counters is not None:
                errors.append("more than one counters line")
            counters = o
    status = exp.get("status", "ok")
    if status is None:
        if out.strip():
            errors.append("expected no report, stdout has %d lines" % len(out.splitlines()))
        if errors:
            errors.append("stderr: %s" % err.strip())
        return errors
    if counters is None:
        errors.append("no counters line on stdout")
        counters = {}
    elif counters.get("status") != status:
        errors.append("counters status %r, expected %r" % (counters.get("status"), status))

    ctr = counters.get("counters", {})
    for name, want in exp.get("counters", {}).items():
        if name not in ctr:
            errors.append("counter %s missing from the report" % name)
        elif not same(want, ctr[name]):
            errors.append("counter %s = %s, expected %s" % (name, show(ctr[name]), show(want)))
    for section in ("ports", "zone_pairs"):
        have = counters.get(section, {})
        for name, fields in exp.get(section, {}).items():
            if name not in have:
                errors.append("%s: %s missing (have: %s)" % (section, name,
                                                            ", ".join(sorted(have))))
                continue
            for k, want in fields.items():
                if not same(want, have[name].get(k)):
                    errors.append("%s.%s.%s = %s, expected %s" % (
                        section, name, k, show(have[name].get(k)), show(want)))

    used = set()
    for i, want in enumerate(exp.get("flows", [])):
        hits = [j for j, f in enumerate(flows) if j not in used and not flow_diff(want, f)]
        if len(hits) == 1 or (hits and len(hits) > 1):
            used.add(hits[0])
            if len(hits) > 1:
                errors.append("expected flow %d (%s) matches %d reported flows" %
                              (i + 1, brief(want), len(hits)))
            continue
        cands = sorted(((len(flow_diff(want, f)), j) for j, f in enumerate(flows)
                        if j not in used))
        msg = "expected flow %d not reported: %s" % (i + 1, brief(want))
        if cands:
            best = flows[cands[0][1]]
            msg += "\n      closest reported flow (%s) differs in:" % brief(best)
            for k in flow_diff(want, best):
                msg += "\n        %-12s expected %s, got %s" % (k, show(want[k]),
                                                              show(best.get(k)))
        errors.append(msg)
    if exp.get("flows_exact"):
        for j, f in enumerate(flows):
            if j not in used:
                errors.append("unexpected flow reported: %s (c2s %s/%s, s2c %s/%s)" % (
                    brief(f), f.get("c2s_packets"), f.get("c2s_bytes"),
                    f.get("s2c_packets"), f.get("s2c_bytes")))
    if errors and err.strip():
        errors.append("stderr: %s" % err.strip()[:2000])
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    failed = 0
    for case in a.cases:
        name = os.path.basename(os.path.normpath(case))
        for w in a.workers:
            errs = check_case(a.segwd, case, w)
            if errs:
                failed += 1
                print("FAIL %s (workers %d)" % (name, w))
                for e in errs:
                    print("   - " + e)
            else:
                print("ok   %s (workers %d)" % (name, w))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
