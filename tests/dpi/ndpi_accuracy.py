#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Application classification agreement with nDPI on the shared corpus.

For every capture in CORPUS/pcap with a CORPUS/result/<capture>.out, run
`segwd --replay` and join our flow records with nDPI's flow lines by
(protocol, VLAN, both endpoints). Measured flows: nDPI decided by payload
(`Confidence: DPI`) and its master protocol is one of LISTED, exactly the
issue's list. nDPI's own variants of them (SMTPS, IMAPS, POPS, HTTP_Connect)
are other master protocols in nDPI's numbering and not in that list: they are
not measured (nDPI names e.g. IMAPS from port 993 on top of a TLS decision).
Figures:

  protocol agreement  our "app" equals nDPI's master protocol
                      (case-insensitive: nDPI spells IPsec "IPSec")
  name agreement      the issue gates "SNI/Host/query names": of the measured
                      flows whose master is TLS, QUIC (SNI), HTTP (Host) or DNS
                      (query name) and where nDPI has a Hostname/SNI, our
                      "server_name" (from the flow's own payload) equals it.
                      nDPI's Hostname/SNI field also carries DHCP host names,
                      SSH banners and SMTP EHLO domains: not SNI/Host/query
                      names, so not in this figure.
  JA4 agreement       of the TLS/QUIC flows where both have a JA4 (reported)

Name comparison normalisations (both semantically neutral for host names):
  - case-insensitive, one trailing dot ignored (DNS names, RFC 4343);
  - nDPI prints a host name with every character outside [a-z0-9._-]
    replaced by '_' (it reports "_.teams.microsoft.com" for the query
    "*.teams.microsoft.com"); we compare both sides under that same
    printing rule, so a name matches only if it is the same name printed
    nDPI's way.

Flow join: nDPI keeps one flow per 5-tuple for the whole capture; segwd may
emit several records for one 5-tuple (a flow that idled out and came back).
All our records of a key stand for nDPI's one flow: we take the earliest
record that was classified (else the earliest), i.e. the decision segwd made
on the first packets of that 5-tuple it could decide on, as nDPI does.

Both figures are printed for all listed protocols and for TLS/QUIC/DNS/HTTP
only (the --core set). Every disagreement is printed. Flows listed in the
expected-exceptions file (where we believe nDPI is wrong, with the evidence)
are excluded from the figures and printed as such.

Exits 1 below --min-proto (0.97) or --min-name (0.99) on the set chosen by
--gate (all|core), or when segwd died by a signal; 77 when the corpus is absent.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

SKIP = 77
LISTED = ["TLS", "QUIC", "DNS", "HTTP", "SSH", "SMTP", "IMAP", "POP3", "SNMP", "NTP", "SIP",
          "MQTT", "Syslog", "DHCP", "DHCPV6", "IPsec", "WireGuard", "OpenVPN", "RDP", "SMBv23",
          "Kerberos", "LDAP", "BGP", "ICMP", "ICMPV6"]
CORE = {"tls", "quic", "dns", "http"}
# masters whose nDPI Hostname/SNI is an SNI, an HTTP Host or a DNS query name
NAME_MASTERS = {"tls", "quic", "dns", "http"}
ALIASES = {}
PROTO_NUM = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58}
L4_NUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
LINE = re.compile(r"^\s+\d+\s+(\S+)\s+(\S+)\s+(<->|->)\s+(\S+)\s+(.*)$")


def norm_app(name):
    n = name.lower()
    return ALIASES.get(n, n)


LISTED_N = {norm_app(x) for x in LISTED}


def norm_name(name):
    """A host name as nDPI prints it: lower case, no trailing dot, every
    character outside [a-z0-9._-] as '_' (see the module docstring)."""
    n = (name or "").lower()
    if n.endswith("."):
        n = n[:-1]
    return re.sub(r"[^a-z0-9._-]", "_", n)


def endpoint(text):
    if text.startswith("["):
        host, _, port = text[1:].rpartition("]:")
    else:
        host, _, port = text.rpartition(":")
    return norm_ip(host), int(port) if port.isdigit() else 0


def norm_ip(host):
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.lower()


def flow_key(num, vlan, ea, eb):
    if num not in (6, 17):
        ea, eb = (ea[0], 0), (eb[0], 0)
    return (num, vlan) + tuple(sorted([ea, eb]))


def field(rest, name):
    m = re.search(r"\[" + re.escape(name) + r": ([^\]]*)\]", rest)
    return m.group(1) if m else None


def ndpi_flows(path):
    flows = {}
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = LINE.match(line)
            if not m:
                continue
            proto, a, _, b, rest = m.groups()
            if proto not in PROTO_NUM:
                continue
            pm = re.search(r"\[proto: (?:[A-Za-z]+:)?[0-9.]+/([^\]]+)\]", rest)
            if not pm:
                continue
            master = pm.group(1).split(".")[0]
            vm = re.search(r"\[VLAN: (\d+)\]", rest)
            key = flow_key(PROTO_NUM[proto], int(vm.group(1)) if vm else 0,
                           endpoint(a), endpoint(b))
            flows[key] = {
                "master": master,
                "dpi": "[Confidence: DPI]" in rest,
                "name": field(rest, "Hostname/SNI"),
                "ja4": field(rest, "JA4"),
                "text": "%s %s <-> %s" % (proto, a, b),
            }
    return flows


def our_flows(segwd, pcap):
    p = subprocess.run([segwd, "--replay", pcap], capture_output=True, timeout=600)
    flows = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") != "flow":
            continue
        num = L4_NUM.get(o["l4"], o["l4"]) if isinstance(o["l4"], str) else o["l4"]
        ea = (norm_ip(o["client_ip"]), o["client_port"] or 0)
        eb = (norm_ip(o["server_ip"]), o["server_port"] or 0)
        flows.setdefault(flow_key(num, o.get("vlan", 0), ea, eb), []).append(o)
    joined = {}
    for key, recs in flows.items():
        recs.sort(key=lambda r: r.get("first_seen") or 0)
        done = [r for r in recs if r.get("app", "Unknown") != "Unknown"]
        joined[key] = (done or recs)[0]
    return joined, p.returncode


def load_exceptions(path):
    """Lines: `<capture> <nDPI flow text>  # why`; '#' starts the reason."""
    ex = {}
    if not path or not os.path.exists(path):
        return ex
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            body, _, why = line.partition("#")
            parts = body.split(None, 1)
            if len(parts) == 2:
                ex[(parts[0], " ".join(parts[1].split()))] = why.strip()
    return ex


class Tally:
    def __init__(self):
        self.n = self.ok = self.names = self.names_ok = 0
        self.per = defaultdict(lambda: [0, 0])

    def rate(self):
        return self.ok / self.n if self.n else 1.0

    def name_rate(self):
        return self.names_ok / self.names if self.names else 1.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--segwd", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--exceptions",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "expected_exceptions.txt"))
    ap.add_argument("--min-proto", type=float, default=0.97)
    ap.add_argument("--min-name", type=float, default=0.99)
    ap.add_argument("--gate", choices=["all", "core"], default="all")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    pdir, rdir = os.path.join(args.corpus, "pcap"), os.path.join(args.corpus, "result")
    if not os.path.isdir(pdir) or not os.path.isdir(rdir):
        print("corpus not found at %s: skipped" % args.corpus)
        return SKIP
    names = sorted(n for n in os.listdir(pdir) if os.path.exists(os.path.join(rdir, n + ".out")))
    exceptions = load_exceptions(args.exceptions)

    def one(name):
        theirs = ndpi_flows(os.path.join(rdir, name + ".out"))
        ours, rc = our_flows(args.segwd, os.path.join(pdir, name))
        return name, theirs, ours, rc

    tall, tcore = Tally(), Tally()
    ja4_n = ja4_ok = 0
    crashed, disagree, explained, ja4_bad = [], [], [], []
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for name, theirs, ours, rc in ex.map(one, names):
            if rc < 0:
                crashed.append((name, rc))
            for key, t in theirs.items():
                if not t["dpi"] or norm_app(t["master"]) not in LISTED_N:
                    continue
                o = ours.get(key)
                app = o.get("app", "Unknown") if o else "(no flow)"
                our_name = o.get("server_name") if o and o.get(
                    "server_name_source") == "dpi" else None
                why = exceptions.get((name, " ".join(t["text"].split())))
                if why is not None:
                    explained.append((name, t, app, why))
                    continue
                good = norm_app(app) == norm_app(t["master"])
                core = norm_app(t["master"]) in CORE
                for tl in ([tall, tcore] if core else [tall]):
                    tl.n += 1
                    tl.ok += good
                    tl.per[t["master"]][0] += 1
                    tl.per[t["master"]][1] += good
                if not good:
                    disagree.append((name, t["text"], "proto", t["master"], app))
                if t["name"] and norm_app(t["master"]) in NAME_MASTERS:
                    name_good = norm_name(our_name) == norm_name(t["name"])
                    for tl in ([tall, tcore] if core else [tall]):
                        tl.names += 1
                        tl.names_ok += name_good
                    if not name_good:
                        disagree.append((name, t["text"], "name", t["name"], our_name))
                if t["ja4"] and o and o.get("ja4"):
                    ja4_n += 1
                    ja4_ok += t["ja4"] == o["ja4"]
                    if t["ja4"] != o["ja4"]:
                        ja4_bad.append((name, t["text"], t["ja4"], o["ja4"]))

    for d in disagree:
        print("DISAGREE %-5s %s: %s  ndpi=%s ours=%s" % (d[2], d[0], d[1], d[3], d[4]))
    for name, t, app, why in explained:
        print("EXPECTED %s: %s ndpi=%s ours=%s  (%s)" % (name, t["text"], t["master"], app, why))
    for b in ja4_bad:
        print("JA4 %s: %s ndpi=%s ours=%s" % b)
    print("\nper protocol (all listed): agreed/measured")
    for proto, (n, ok) in sorted(tall.per.items(), key=lambda x: -x[1][0]):
        print("  %-12s %5d/%-5d %.4f" % (proto, ok, n, ok / n if n else 1.0))
    for label, tl in (("all listed", tall), ("TLS/QUIC/DNS/HTTP", tcore)):
        print("%s: protocol %d/%d = %.4f (min %.2f), names %d/%d = %.4f (min %.2f)"
              % (label, tl.ok, tl.n, tl.rate(), args.min_proto, tl.names_ok, tl.names,
                 tl.name_rate(), args.min_name))
    print("JA4 agreement: %d/%d = %.4f" % (ja4_ok, ja4_n, ja4_ok / ja4_n if ja4_n else 1.0))
    print("expected exceptions applied: %d" % len(explained))
    for name, rc in crashed:
        print("CRASH: %s exited by signal %d" % (name, -rc))
    gate = tall if args.gate == "all" else tcore
    ok = gate.rate() >= args.min_proto and gate.name_rate() >= args.min_name and not crashed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
