#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Policies of N host rules and the equivalent nftables rulesets.

    gen_rulesets.py --out DIR --rules N [N...]

For each N, two shapes of policy (no zones: every rule is exact in the
kernel, nothing is left to the pipeline):

  hosts  N rules "rule I dst H tcp dport 443 allow": one run of host rules,
         which segwd folds into one set lookup.
  mixed  the same hosts, but the destination port and the verdict alternate
         every 3 rules (443 allow, 80 deny, ...): a run shorter than the fold
         threshold (4), so nothing folds and the kernel gets N rules.

and, for `nft -f`, in table inet peer (chain forward, hook forward, priority
0, policy drop, as segwd's table with `--mode tap`):

  hosts-linear.nft  one rule per policy rule, as segwd would write it unfolded
  hosts-set.nft     one constant ipv4_addr set and one rule: exactly what segwd
                    writes for the hosts policy (set name, flags, counter and
                    comment included)
  mixed-linear.nft  one rule per policy rule: exactly what segwd writes for the
                    mixed policy
  mixed-vmap.nft    one verdict map on daddr . dport: the same verdicts in one
                    lookup, but without per-rule counters (the best shape nft
                    can express, not rule-for-rule equivalent)

Files: DIR/{hosts,mixed}-N.policy and DIR/<name>-N.nft.
"""
import argparse
import os

RUN = 3  # rules per run of the mixed shape: below the fold threshold (4)


def host(i):
    # 100.64.0.0/10 (shared address space), i < 4M
    return "100.%d.%d.%d" % (64 + (i >> 16), (i >> 8) & 255, i & 255)


def mixed_port_verdict(i):
    return (443, "allow", "accept") if (i // RUN) % 2 == 0 else (80, "deny", "drop")


def chain_head(f):
    f.write("table inet peer {\n")


def chain_open(f):
    f.write("\tchain forward {\n"
            "\t\ttype filter hook forward priority 0; policy drop;\n")


def chain_close(f):
    f.write("\t}\n}\n")


def write_all(out, n):
    with open(os.path.join(out, "hosts-%d.policy" % n), "w") as f:
        f.write("# %d host rules, one run: folded into one set lookup\n" % n)
        f.write("default action deny\n")
        for i in range(n):
            f.write("rule %d dst %s tcp dport 443 allow\n" % (i + 1, host(i)))
    with open(os.path.join(out, "mixed-%d.policy" % n), "w") as f:
        f.write("# %d host rules, dport and verdict alternate every %d rules: "
                "nothing folds\n" % (n, RUN))
        f.write("default action deny\n")
        for i in range(n):
            port, verdict, _ = mixed_port_verdict(i)
            f.write("rule %d dst %s tcp dport %d %s\n" % (i + 1, host(i), port, verdict))
    with open(os.path.join(out, "hosts-linear-%d.nft" % n), "w") as f:
        chain_head(f)
        chain_open(f)
        for i in range(n):
            f.write('\t\tip daddr %s tcp dport 443 counter accept comment "segw rule %d"\n'
                    % (host(i), i + 1))
        chain_close(f)
    with open(os.path.join(out, "hosts-set-%d.nft" % n), "w") as f:
        chain_head(f)
        f.write("\tset hosts0 {\n\t\ttype ipv4_addr\n\t\tflags constant\n\t\telements = {\n")
        for i in range(n):
            f.write("\t\t\t%s,\n" % host(i))
        f.write("\t\t}\n\t}\n")
        chain_open(f)
        f.write('\t\tip daddr @hosts0 tcp dport 443 counter accept comment "segw rule 1"\n')
        chain_close(f)
    with open(os.path.join(out, "mixed-linear-%d.nft" % n), "w") as f:
        chain_head(f)
        chain_open(f)
        for i in range(n):
            port, _, v = mixed_port_verdict(i)
            f.write('\t\tip daddr %s tcp dport %d counter %s comment "segw rule %d"\n'
                    % (host(i), port, v, i + 1))
        chain_close(f)
    with open(os.path.join(out, "mixed-vmap-%d.nft" % n), "w") as f:
        chain_head(f)
        chain_open(f)
        f.write("\t\tip daddr . tcp dport vmap {\n")
        for i in range(n):
            port, _, v = mixed_port_verdict(i)
            f.write("\t\t\t%s . %d : %s,\n" % (host(i), port, v))
        f.write("\t\t}\n")
        chain_close(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--rules", type=int, nargs="+", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for n in a.rules:
        if not 1 <= n < (1 << 22):
            ap.error("--rules: 1 to 4194303")
        write_all(a.out, n)


if __name__ == "__main__":
    main()
