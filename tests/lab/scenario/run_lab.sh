#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lab: board `sim` live. The gateway runs in its own network namespace,
# with one namespace per zone (internal, external, partner, mobile, dmz) on
# veth pairs whose gateway ends are the board's ports (segw-int0 ...). It
# forwards between them under our nftables table, with segwd --inline
# deciding what the kernel queues. Real clients and servers (curl and
# python's web server, openssl s_server, a DNS responder) run across the
# zones under the sample SEG/mSEG policy (seg.policy); the scenario checks
# that allowed flows succeed, denied flows fail at the client, SNI and Host
# rules hold, and that the per-rule counters match what the clients saw.
#
#   run_lab.sh [--interactive] [--keep]
#
# Exit 0 when every expectation held. Every namespace and process it made is
# removed on exit (by name it created / by PID), also on failure or signal.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
SEGWD="${SEGWD:-$root/build/segwd}"
interactive=0
[ "${1:-}" = "--interactive" ] && interactive=1

if [ "$(id -u)" -ne 0 ]; then
	echo "lab: needs root (network namespaces)" >&2
	exit 77
fi
for t in ip nft curl openssl python3; do
	command -v "$t" >/dev/null || { echo "lab: $t is missing (run tools/setup)" >&2; exit 77; }
done

tag="segw$$"
zones="int ext ptn mob dmz"
tmp="$(mktemp -d /tmp/segw-lab.XXXXXX)"
pids=()
made_ns=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in "${made_ns[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns() { echo "$tag-$1"; }
inns() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@"; }
bg() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@" & pids+=("$!"); }

for n in gw $zones; do
	ip netns add "$(ns "$n")" || exit 1
	made_ns+=("$(ns "$n")")
	inns "$n" ip link set lo up
done

declare -A net=([int]=10.1.0 [ext]=192.0.2 [ptn]=203.0.113 [mob]=172.16.0 [dmz]=198.51.100)
declare -A host=([int]=10.1.0.2 [ext]=192.0.2.10 [ptn]=203.0.113.7 [mob]=172.16.0.2 [dmz]=198.51.100.10)
for z in $zones; do
	ip -n "$(ns gw)" link add "segw-${z}0" type veth peer name eth0 netns "$(ns "$z")" || exit 1
	inns gw ip addr add "${net[$z]}.1/24" dev "segw-${z}0"
	inns gw ip link set "segw-${z}0" up
	inns "$z" ip addr add "${host[$z]}/24" dev eth0
	inns "$z" ip link set eth0 up
	inns "$z" ip route add default via "${net[$z]}.1"
done
inns gw sysctl -qw net.ipv4.ip_forward=1

# servers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=www.example.org -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || exit 1
mkdir -p "$tmp/www" && echo "segw lab page" > "$tmp/www/index.html"
bg ext openssl s_server -quiet -accept 443 -cert "$tmp/cert.pem" -key "$tmp/key.pem" -www
bg ext python3 -m http.server 80 --bind 192.0.2.10 --directory "$tmp/www"
bg ext python3 "$here/dns_server.py" 192.0.2.10 www.example.org=192.0.2.10
bg dmz python3 -m http.server 80 --bind 198.51.100.10 --directory "$tmp/www"
bg dmz python3 "$here/slow_server.py" 198.51.100.10 8081
bg ptn python3 -m http.server 443 --bind 203.0.113.7 --directory "$tmp/www"
bg ptn python3 -m http.server 8080 --bind 203.0.113.7 --directory "$tmp/www"
bg int python3 -m http.server 8080 --bind 10.1.0.2 --directory "$tmp/www"

# the gateway (its policy file is a copy: the reload phase edits it)
cp "$here/seg.policy" "$tmp/seg.policy"
# interactive: the store (a flash file of this lab) and the console on a pty
ctl_args=()
if [ "$interactive" = 1 ]; then
	echo "admin admin $(openssl passwd -6 admin)" >"$tmp/users"
	echo "oper operator $(openssl passwd -6 oper)" >>"$tmp/users"
	ctl_args=(--console --console-users "$tmp/users" --console-link "$tmp/console"
		--audit "$tmp/audit.log" --appliance-id gw)
	export SEGW_SIM_FLASH="$tmp/flash.bin"
fi
ip netns exec "$(ns gw)" "$SEGWD" --inline --policy "$tmp/seg.policy" "${ctl_args[@]}" \
	--status "$tmp/status.json" >"$tmp/flows.jsonl" 2>"$tmp/segwd.err" &
segwd_pid=$!
pids+=("$segwd_pid")
for _ in $(seq 50); do [ -s "$tmp/status.json" ] && break; sleep 0.1; done
if [ ! -s "$tmp/status.json" ]; then
	echo "lab: segwd did not start:" >&2
	cat "$tmp/segwd.err" >&2
	exit 1
fi
# wait until each server listens (bounded: 10 s each)
wait_port() { # zone addr port
	for _ in $(seq 100); do
		ip netns exec "$(ns "$1")" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "lab: nothing listens on $2:$3" >&2
}
wait_port ext 192.0.2.10 443
wait_port ext 192.0.2.10 80
wait_port dmz 198.51.100.10 80
wait_port dmz 198.51.100.10 8081
wait_port ptn 203.0.113.7 443
wait_port ptn 203.0.113.7 8080
wait_port int 10.1.0.2 8080

if [ "$interactive" = 1 ]; then
	echo "lab running: namespaces $(ns gw) and $(ns int) $(ns ext) $(ns ptn) $(ns mob) $(ns dmz)"
	echo "try: ip netns exec $(ns int) curl -k --resolve www.example.org:443:192.0.2.10 https://www.example.org/"
	echo "counters: $tmp/status.json; audit: $tmp/audit.log"
	if [ -t 0 ] && [ -e "$tmp/console" ]; then
		echo "console attached (login admin/admin or oper/oper); ^] stops the lab"
		python3 "$root/tests/mgmt/console_attach.py" "$tmp/console" || true
	else
		echo "console: $(readlink "$tmp/console" 2>/dev/null); press Enter to stop"
		read -r _
	fi
	exit 0
fi

fails=0
check() { # name expect(allow|deny) zone command...
	local name="$1" expect="$2" zone="$3"
	shift 3
	local got
	if timeout 8 ip netns exec "$(ns "$zone")" "$@" >"$tmp/out" 2>&1; then got=allow; else got=deny; fi
	if [ "$got" = "$expect" ]; then
		printf '  ok    %-58s %s\n' "$name" "$got"
	else
		printf '  FAIL  %-58s %s (expected %s)\n' "$name" "$got" "$expect"
		sed 's/^/        /' "$tmp/out" | head -5
		fails=$((fails + 1))
	fi
}
CURL=(curl -sS -f -o /dev/null --connect-timeout 4 -m 6)
echo "scenario:"
check "internal -> external TLS, SNI www.example.org (rule 10)" allow \
	int "${CURL[@]}" -k --resolve www.example.org:443:192.0.2.10 https://www.example.org/
check "internal -> external TLS, SNI blocked.example.net (rule 11)" deny \
	int "${CURL[@]}" -k --resolve blocked.example.net:443:192.0.2.10 https://blocked.example.net/
check "internal -> external DNS query (rule 20)" allow \
	int python3 "$here/dns_query.py" 192.0.2.10 www.example.org
check "internal -> external HTTP, Host www.example.org (rule 25)" allow \
	int "${CURL[@]}" -H "Host: www.example.org" http://192.0.2.10/
check "internal -> external HTTP, Host evil.example.com (rule 26)" deny \
	int "${CURL[@]}" -H "Host: evil.example.com" http://192.0.2.10/
check "internal -> partner 203.0.113.7 tcp/443 (rule 30)" allow \
	int "${CURL[@]}" http://203.0.113.7:443/
check "internal -> partner 203.0.113.7 tcp/8080 (default deny)" deny \
	int "${CURL[@]}" http://203.0.113.7:8080/
check "internal -> dmz tcp/80 (rule 40)" allow \
	int "${CURL[@]}" http://198.51.100.10/
check "mobile -> dmz tcp/80 (rule 50)" allow \
	mob "${CURL[@]}" http://198.51.100.10/
check "mobile -> internal tcp/8080 (rule 999)" deny \
	mob "${CURL[@]}" http://10.1.0.2:8080/
check "external -> internal tcp/8080 (rule 999)" deny \
	ext "${CURL[@]}" http://10.1.0.2:8080/

# reload (SIGHUP): a flow in progress is re-evaluated under the new policy,
# new flows follow it, and a policy that does not parse changes nothing
echo "reload:"
inns int curl -sS -o "$tmp/big.out" -m 20 http://198.51.100.10:8081/ >/dev/null 2>&1 &
slow=$!
pids+=("$slow")
sleep 2
sed -i 's/^rule 40 .*/rule 40  from internal to dmz tcp dport 80 deny/; s/^rule 41 .*/rule 41  from internal to dmz tcp dport 8081 deny/' "$tmp/seg.policy"
inns gw nft -j list table inet segw >"$tmp/nft.json" 2>/dev/null # kernel counters, generation 1
kill -HUP "$segwd_pid"
for _ in $(seq 30); do grep -q "generation 2 in force" "$tmp/segwd.err" && break; sleep 0.1; done
if wait "$slow"; then got=allow; else got=deny; fi
size=$(stat -c %s "$tmp/big.out" 2>/dev/null || echo 0)
if [ "$got" = deny ] && [ "$size" -gt 0 ] && [ "$size" -lt 819200 ] &&
	grep -q "generation 2 in force" "$tmp/segwd.err"; then
	printf '  ok    %-58s %s\n' "transfer in progress, rule 41 now deny" "cut at $size bytes"
else
	printf '  FAIL  %-58s %s\n' "transfer in progress, rule 41 now deny" "$got, $size bytes"
	fails=$((fails + 1))
fi
check "internal -> dmz tcp/80 after the reload (rule 40 deny)" deny \
	int "${CURL[@]}" http://198.51.100.10/
echo "rule 40 from nowhere allow" >>"$tmp/seg.policy"
kill -HUP "$segwd_pid"
for _ in $(seq 30); do grep -q "reload refused" "$tmp/segwd.err" && break; sleep 0.1; done
if grep -q "reload refused, generation 2 stays" "$tmp/segwd.err" &&
	grep -q "seg.policy:.*no zone named 'nowhere'" "$tmp/segwd.err"; then
	printf '  ok    %-58s %s\n' "a bad policy is refused with its error" "generation 2 stays"
else
	printf '  FAIL  %-58s\n' "a bad policy is refused with its error"
	fails=$((fails + 1))
fi
check "internal -> external DNS still allowed (generation 2)" allow \
	int python3 "$here/dns_query.py" 192.0.2.10 www.example.org

# stop the gateway, read its counters
kill -TERM "$segwd_pid"
for _ in $(seq 50); do kill -0 "$segwd_pid" 2>/dev/null || break; sleep 0.1; done
echo "counters:"
python3 - "$tmp/flows.jsonl" "$tmp/nft.json" <<'PY' || fails=$((fails + 1))
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
c = [l for l in lines if l["type"] == "counters"][-1]
# each flow record carries the rule that decided it last (flows that saw
# packets after the reload were re-evaluated under generation 2)
rules = {}
for l in lines:
    if l["type"] == "flow" and l.get("action") != "pending":
        k = str(l["rule"]) if l["rule"] is not None else "default"
        rules.setdefault(k, {"flows": 0})
        rules[k]["flows"] += 1
reeval = [l for l in lines if l["type"] == "flow" and l.get("rule") == 41]
if not reeval or reeval[0]["policy_generation"] != 2 or reeval[0]["action"] != "deny":
    print("  FAIL  the transfer's flow was not re-decided by generation 2: %s" % reeval)
    sys.exit(1)
print("  ok    the transfer's flow: rule 41, generation 2, deny")
kernel = {}
nft = json.load(open(sys.argv[2]))
for o in nft["nftables"]:
    r = o.get("rule")
    if not r:
        continue
    if "comment" not in r:
        continue
    rid = r["comment"].split()[-1]
    for e in r["expr"]:
        if "counter" in e:
            kernel[rid] = kernel.get(rid, 0) + e["counter"]["packets"]
# zone rules are decided by the pipeline (zones here have prefixes): one
# flow per client connection
want_flows = {"10": 1, "11": 1, "20": 2, "25": 1, "26": 1, "30": 1, "40": 2, "41": 1, "50": 1}
bad = 0
for rid, n in want_flows.items():
    got = rules.get(rid, {"flows": 0})["flows"]
    ok = got == n
    bad += not ok
    print("  %-5s rule %-4s pipeline flows %d (expected %d)" % ("ok" if ok else "FAIL", rid, got, n))
# rule 999 (any to any) is exact in the kernel: the flows that reach it in
# the kernel never come to us; the one whose envelope was queued does
got = rules.get("999", {"flows": 0})["flows"]
ok = got == 1 and kernel.get("999", 0) >= 2
bad += not ok
print("  %-5s rule 999  pipeline flows %d (expected 1), kernel packets %d (expected at least 2)"
      % ("ok" if ok else "FAIL", got, kernel.get("999", 0)))
# the fast path: after the decision, packets stay in the kernel
fast = kernel.get("fastpath", 0)
cc = c["counters"]
print("  pipeline: %d packets, %d flows, policy drops %d, pending packets %d" % (
    cc["rx.packets"], cc["flow.created"], cc["drop.policy"], cc["policy.pending_packets"]))
sys.exit(1 if bad else 0)
PY
if [ "$fails" -eq 0 ]; then
	echo "lab: all expectations held"
else
	echo "lab: $fails expectation(s) failed"
	sed 's/^/  segwd: /' "$tmp/segwd.err" | tail -5
fi
[ "$fails" -eq 0 ]
