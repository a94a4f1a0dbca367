#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Flow agreement with nDPI on the shared corpus.

For every capture in CORPUS/pcap with a CORPUS/result/<capture>.out, run
`segwd --replay` and compare the set of flows (protocol, both endpoints,
VLAN, order-free) with the flows nDPI lists. Prints per-capture disagreements
and the overall agreement rate:

    agreement = flows in both / flows in either (summed over captures)

Exits 1 when the rate is below --min (default 0.97), or when segwd crashed
(a signal) on any capture.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

PROTO_NUM = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IGMP": 2, "VRRP": 112,
             "ESP": 50, "AH": 51, "PIM": 103, "PGM": 113, "GRE": 47, "SCTP": 132}
L4_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
LINE = re.compile(r"^\s+\d+\s+(\S+)\s+(\S+)\s+(<->|->)\s+(\S+)\s+(.*)$")


def endpoint(text):
    if text.startswith("["):
        host, _, port = text[1:].rpartition("]:")
    else:
        host, _, port = text.rpartition(":")
    return norm(host), int(port) if port.isdigit() else 0


def norm(host):
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


def ndpi_flows(path):
    flows = {}
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = LINE.match(line)
            if not m:
                continue
            proto, a, _, b, rest = m.groups()
            if proto not in PROTO_NUM and not proto.isdigit():
                continue
            num = PROTO_NUM.get(proto, int(proto) if proto.isdigit() else -1)
            vm = re.search(r"\[VLAN: (\d+)\]", rest)
            vlan = int(vm.group(1)) if vm else 0
            ea, eb = endpoint(a), endpoint(b)
            if num not in (6, 17):
                ea, eb = (ea[0], 0), (eb[0], 0)
            key = (num, vlan) + tuple(sorted([ea, eb]))
            flows[key] = line.strip()
    return flows


def our_flows(segwd, pcap):
    p = subprocess.run([segwd, "--replay", pcap], capture_output=True, timeout=300)
    flows = set()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") != "flow":
            continue
        num = L4_NUM.get(o["l4"], o["l4"]) if isinstance(o["l4"], str) else o["l4"]
        ea = (norm(o["client_ip"]), o["client_port"] or 0)
        eb = (norm(o["server_ip"]), o["server_port"] or 0)
        flows.add((num, o.get("vlan", 0)) + tuple(sorted([ea, eb])))
    return flows, p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--min", type=float, default=0.97)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    pdir, rdir = os.path.join(args.corpus, "pcap"), os.path.join(args.corpus, "result")
    names = sorted(n for n in os.listdir(pdir) if os.path.exists(os.path.join(rdir, n + ".out")))

    def one(name):
        theirs = ndpi_flows(os.path.join(rdir, name + ".out"))
        ours, rc = our_flows(args.segwd, os.path.join(pdir, name))
        return name, theirs, ours, rc

    both = either = 0
    crashed = []
    rows = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for name, theirs, ours, rc in ex.map(one, names):
            t = set(theirs)
            both += len(t & ours)
            either += len(t | ours)
            if rc < 0:
                crashed.append((name, rc))
            if t != ours:
                rows.append((name, len(t), len(ours), len(t - ours), len(ours - t), rc))
    rate = both / either if either else 1.0
    if not args.quiet:
        print("capture                                   ndpi  ours  only-ndpi  only-ours  exit")
        for r in rows:
            print("%-40s %5d %5d %10d %10d %5d" % r)
    print("captures: %d, flows in both: %d, in either: %d, agreement: %.4f (required %.2f)"
          % (len(names), both, either, rate, args.min))
    for name, rc in crashed:
        print("CRASH: %s exited by signal %d" % (name, -rc))
    return 0 if rate >= args.min and not crashed else 1


if __name__ == "__main__":
    sys.exit(main())
