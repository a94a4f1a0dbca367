#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The same capture gives the same flows and counters with 1 and N workers.

Packets of one flow always reach one worker, so every flow record (apart
from its id and its place in the output) and every counter total must be
identical whatever the worker count.
"""
import argparse
import json
import os
import subprocess
import sys

IGNORED_COUNTERS = {"dpi.dns_cache_named"}


def run(segwd, pcap, workers):
    p = subprocess.run([segwd, "--replay", pcap, "--workers", str(workers)],
                       capture_output=True, timeout=300)
    flows, counters = [], None
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o["type"] == "flow":
            o.pop("id")
            # naming from an earlier DNS answer depends on the worker that
            # saw the answer (the cache is per worker): not compared
            if o.get("server_name_source") == "dns":
                o.pop("server_name", None)
                o.pop("server_name_source", None)
            flows.append(json.dumps(o, sort_keys=True))
        elif o["type"] == "counters":
            counters = o
    return p.returncode, sorted(flows), counters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("captures", nargs="+")
    a = ap.parse_args()
    failed = 0
    checked = 0
    for pcap in a.captures:
        if not os.path.exists(pcap):
            continue
        checked += 1
        r1, f1, c1 = run(a.segwd, pcap, 1)
        rn, fn, cn = run(a.segwd, pcap, a.workers)
        if r1 != rn or f1 != fn:
            failed += 1
            print("FLOWS DIFFER: %s (exit %d vs %d, %d vs %d flows)" % (pcap, r1, rn, len(f1), len(fn)))
            for x in sorted(set(f1) ^ set(fn))[:10]:
                print("  ", x)
            continue
        d = {k: (v, cn["counters"].get(k)) for k, v in c1["counters"].items()
             if cn["counters"].get(k) != v and k not in IGNORED_COUNTERS}
        if d or c1["zone_pairs"] != cn["zone_pairs"]:
            failed += 1
            print("COUNTERS DIFFER: %s %s" % (pcap, d))
            continue
        print("same: %s (%d flows, %d packets)" % (os.path.basename(pcap), len(f1),
                                                   c1["counters"]["rx.packets"]))
    if checked == 0:
        print("no capture found")
        return 77
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
