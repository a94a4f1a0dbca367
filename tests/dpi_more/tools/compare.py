#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""compare: more_eval's per-flow apps against nDPI's .out files.

usage: compare.py RESULT_DIR < more_eval_output
Prints, per protocol of ours, nDPI-DPI flows / agreed, and every false
positive (we said X where nDPI's DPI said something else).
"""
import collections, os, re, sys

OURS = {"SSH", "SMTP", "SMTPS", "IMAP", "IMAPS", "POP3", "POPS", "SNMP", "NTP", "SIP",
        "MQTT", "Syslog", "DHCP", "DHCPV6", "IPsec", "WireGuard", "OpenVPN", "RDP",
        "SMBv23", "SMBv1", "Kerberos", "LDAP", "BGP", "ICMP", "ICMPV6"}
L4 = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "ESP": 50, "AH": 51}
LINE = re.compile(r"^\s+\d+\s+(\S+) (\S+) <?-> (\S+) .*?\[proto: (?:[^\]/]*:)?[\d.]+/([^\].]+)[^\]]*\]"
                  r".*?\[Confidence: ([^\]]+)\]")


def norm(ep):
    return ep.lower()


def main():
    rdir = sys.argv[1]
    truth = {}
    for fn in os.listdir(rdir):
        if not fn.endswith(".out"):
            continue
        cap = fn[:-4]
        with open(os.path.join(rdir, fn), errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if not m or m.group(1) not in L4:
                    continue
                l4, a, b, master, conf = m.groups()
                master = {"IPSec": "IPsec"}.get(master, master)
                key = (cap, L4[l4], frozenset((norm(a), norm(b))))
                truth[key] = (master, conf)
    stats = collections.defaultdict(lambda: [0, 0])
    fps = collections.Counter()
    fpl = []
    misses = []
    seen = set()
    for line in sys.stdin:
        cap, l4, c, s, app = line.split()
        key = (cap, int(l4), frozenset((norm(c), norm(s))))
        if key not in truth:
            continue
        seen.add(key)
        master, conf = truth[key]
        if conf == "DPI" and master in OURS:
            stats[master][0] += 1
            if app == master:
                stats[master][1] += 1
            else:
                misses.append(f"MISS {master} got {app}: {line.strip()}")
        if app != "Unknown" and app != master and (conf == "DPI" or master in OURS
                                                   or True):
            fps[(app, master, conf)] += 1
            fpl.append(f"FP {app} (nDPI {master}/{conf}): {line.strip()}")
    for key, (master, conf) in truth.items():
        if conf == "DPI" and master in OURS and key not in seen:
            stats[master][0] += 1
            misses.append(f"NOTSEEN {master}: {key[0]} {sorted(key[2])}")
    tot = [0, 0]
    for p in sorted(stats):
        n, ok = stats[p]
        tot[0] += n
        tot[1] += ok
        print(f"{p:10s} {n:4d} {ok:4d}")
    print(f"{'TOTAL':10s} {tot[0]:4d} {tot[1]:4d}")
    for (app, master, conf), n in sorted(fps.items()):
        print(f"FP-SUMMARY we={app} ndpi={master} conf={conf}: {n}")
    if "-v" in sys.argv:
        print("\n".join(misses + fpl))


if __name__ == "__main__":
    main()
