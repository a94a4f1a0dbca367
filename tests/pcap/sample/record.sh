#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record.sh - record the sample capture that ships with the repo
# (tests/pcap/sample/input.pcap, replayed by tools/run and the pcap tests):
# real traffic between two network namespaces made here, captured by
# tcpdump on the client side.
#
#   sudo tests/pcap/sample/record.sh [OUT.pcap]     default: input.pcap here
#
# Addressing, from the sim board's zone plan:
#   client  10.1.0.2       fd00::2    (internal)
#   server  198.51.100.10  fd00::10   (dmz / internal)
# one veth link between them, static neighbours (no ARP/NDP in the capture).
#
# Traffic, each step bounded by a timeout:
#   HTTP GET (curl -> python3 -m http.server :8080)
#   TLS 1.3 handshake and a request (openssl s_client -> s_server -www :4433,
#     a throw-away self-signed certificate)
#   a DNS query and its answer over UDP (a tiny python responder on :53)
#   ping -c 2; ping -s 3000 -c 1 (IPv4 fragments); ping -6 -s 3000 -c 1
#     (IPv6 fragments)
#
# Needs root, iproute2, tcpdump, curl, openssl, python3, iputils ping.
# Cleans up on any exit: servers and tcpdump killed by PID, both namespaces
# deleted, the temporary folder removed.
set -Eeuo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/input.pcap}"

if [ "$(id -u)" -ne 0 ]; then
	echo "record.sh: needs root (it creates network namespaces)" >&2
	exit 2
fi
for t in ip tcpdump curl openssl python3 ping timeout ss; do
	command -v "$t" >/dev/null || { echo "record.sh: $t is missing" >&2; exit 2; }
done

tag="segwrec$$"
nc="${tag}c"
ns="${tag}s"
tmp="$(mktemp -d /tmp/segw-record.XXXXXX)"
pids=()
tcpdump_pid=""

cleanup() {
	set +e
	if [ -n "$tcpdump_pid" ]; then
		kill -INT "$tcpdump_pid" 2>/dev/null
	fi
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}" $tcpdump_pid; do
		for _ in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$nc" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inc() { ip netns exec "$nc" "$@"; }
ins() { ip netns exec "$ns" "$@"; }

# wait_for DESCRIPTION COMMAND...: up to 5 s for COMMAND to succeed
wait_for() {
	local what="$1"
	shift
	for _ in $(seq 50); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "record.sh: $what did not come up" >&2
	exit 1
}

# --- the link ---------------------------------------------------------------
ip netns add "$nc"
ip netns add "$ns"
ip link add veth-c netns "$nc" type veth peer name veth-s netns "$ns"
for n in "$nc" "$ns"; do
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_ra=0
done
ip -n "$nc" link set veth-c up
ip -n "$ns" link set veth-s up
ip -n "$nc" addr add 10.1.0.2/32 dev veth-c
ip -n "$ns" addr add 198.51.100.10/32 dev veth-s
ip -n "$nc" -6 addr add fd00::2/128 dev veth-c nodad
ip -n "$ns" -6 addr add fd00::10/128 dev veth-s nodad
ip -n "$nc" route add 198.51.100.10/32 dev veth-c
ip -n "$ns" route add 10.1.0.2/32 dev veth-s
ip -n "$nc" -6 route add fd00::10/128 dev veth-c
ip -n "$ns" -6 route add fd00::2/128 dev veth-s
mac_c="$(ip -n "$nc" -br link show veth-c | awk '{print $3}')"
mac_s="$(ip -n "$ns" -br link show veth-s | awk '{print $3}')"
ip -n "$nc" neigh add 198.51.100.10 lladdr "$mac_s" dev veth-c nud permanent
ip -n "$nc" -6 neigh add fd00::10 lladdr "$mac_s" dev veth-c nud permanent
ip -n "$ns" neigh add 10.1.0.2 lladdr "$mac_c" dev veth-s nud permanent
ip -n "$ns" -6 neigh add fd00::2 lladdr "$mac_c" dev veth-s nud permanent

# --- servers ----------------------------------------------------------------
mkdir -p "$tmp/www"
printf '<html><body>segw sample page</body></html>\n' >"$tmp/www/index.html"
(cd "$tmp/www" && exec ip netns exec "$ns" timeout 60 \
	python3 -m http.server 8080 --bind 198.51.100.10) >"$tmp/http.log" 2>&1 &
pids+=($!)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj "/CN=www.segw.test" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
ins timeout 60 openssl s_server -accept 198.51.100.10:4433 -cert "$tmp/cert.pem" \
	-key "$tmp/key.pem" -tls1_3 -www -naccept 1 -quiet >"$tmp/tls.log" 2>&1 &
pids+=($!)

cat >"$tmp/dns.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.10", 53))
s.settimeout(30)
q, peer = s.recvfrom(512)
qid, flags, qd = struct.unpack("!HHH", q[:6])
end = 12
while q[end]:
    end += q[end] + 1
question = q[12:end + 5]
ans = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question
ans += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("198.51.100.80")
s.sendto(ans, peer)
EOF
ins timeout 60 python3 "$tmp/dns.py" >"$tmp/dns.log" 2>&1 &
pids+=($!)

wait_for "http server" sh -c "ip netns exec $ns ss -ltn | grep -q 198.51.100.10:8080"
wait_for "tls server" sh -c "ip netns exec $ns ss -ltn | grep -q 198.51.100.10:4433"
wait_for "dns responder" sh -c "ip netns exec $ns ss -lun | grep -q 198.51.100.10:53"

# --- capture and traffic ----------------------------------------------------
inc timeout 60 tcpdump -i veth-c -s 0 -U -w "$tmp/cap.pcap" \
	'not arp and not ip6 multicast' >"$tmp/tcpdump.log" 2>&1 &
tcpdump_pid=$!
wait_for "tcpdump" grep -q "listening on" "$tmp/tcpdump.log"

inc timeout 10 curl -s -o /dev/null http://198.51.100.10:8080/index.html
printf 'GET / HTTP/1.0\r\n\r\n' | inc timeout 10 openssl s_client \
	-connect 198.51.100.10:4433 -servername www.segw.test -tls1_3 -quiet \
	>/dev/null 2>&1 || true
inc timeout 10 python3 -c '
import socket, struct
q = struct.pack("!HHHHHH", 0x5e9a, 0x0100, 1, 0, 0, 0)
q += b"\x03www\x04segw\x04test\x00" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("198.51.100.10", 53))
s.recvfrom(512)
'
inc ping -n -q -c 2 -i 0.2 -W 2 198.51.100.10 >/dev/null
inc ping -n -q -c 1 -s 3000 -W 2 198.51.100.10 >/dev/null
inc ping -6 -n -q -c 1 -s 3000 -W 2 fd00::10 >/dev/null
sleep 0.5

kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
tcpdump_pid=""

cp "$tmp/cap.pcap" "$out"
echo "record.sh: $(tcpdump -nn -r "$out" 2>/dev/null | wc -l) frames, $(stat -c %s "$out") bytes -> $out"
