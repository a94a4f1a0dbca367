#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tap mode in the lab: the gateway namespace forwards between an internal and
# an external namespace under our table in tap mode; segwd --tap int0 watches
# the gateway's internal port (as a mirror would) and writes the flows that
# tap.policy denies into the kernel's deny sets. A transfer whose HTTP Host is
# denied must be cut shortly after its request (the first packets pass: a
# mirror cannot hold them); an allowed one completes. Cleans up everything it
# made (namespaces by name, processes by PID).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
SEGWD="${SEGWD:-$root/build/segwd}"
[ "$(id -u)" -eq 0 ] || { echo "tap lab: needs root" >&2; exit 77; }
for t in ip nft curl python3; do
	command -v "$t" >/dev/null || { echo "tap lab: $t is missing" >&2; exit 77; }
done
tag="segwt$$"
tmp="$(mktemp -d /tmp/segw-tap.XXXXXX)"
pids=()
made=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ns() { echo "$tag-$1"; }
for n in gw int ext; do
	ip netns add "$(ns "$n")" || exit 1
	made+=("$(ns "$n")")
	ip netns exec "$(ns "$n")" ip link set lo up
done
declare -A net=([int]=10.1.0 [ext]=192.0.2)
declare -A host=([int]=10.1.0.2 [ext]=192.0.2.10)
for z in int ext; do
	ip -n "$(ns gw)" link add "segw-${z}0" type veth peer name eth0 netns "$(ns "$z")" || exit 1
	ip -n "$(ns gw)" addr add "${net[$z]}.1/24" dev "segw-${z}0"
	ip -n "$(ns gw)" link set "segw-${z}0" up
	ip -n "$(ns "$z")" addr add "${host[$z]}/24" dev eth0
	ip -n "$(ns "$z")" link set eth0 up
	ip -n "$(ns "$z")" route add default via "${net[$z]}.1"
done
ip netns exec "$(ns gw)" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$(ns ext)" python3 "$here/slow_server.py" 192.0.2.10 8081 &
pids+=("$!")
ip netns exec "$(ns gw)" "$SEGWD" --tap int0 --policy "$here/tap.policy" \
	--status "$tmp/status.json" >"$tmp/flows.jsonl" 2>"$tmp/segwd.err" &
segwd_pid=$!
pids+=("$segwd_pid")
for _ in $(seq 50); do [ -s "$tmp/status.json" ] && break; sleep 0.1; done
[ -s "$tmp/status.json" ] || { echo "tap lab: segwd did not start"; cat "$tmp/segwd.err"; exit 1; }
# wait until the server listens (bounded: 10 s)
for _ in $(seq 100); do
	ip netns exec "$(ns ext)" bash -c 'exec 3<>/dev/tcp/192.0.2.10/8081' 2>/dev/null && break
	sleep 0.1
done
fails=0
get() { # host output
	ip netns exec "$(ns int)" curl -sS -o "$2" -m 15 -H "Host: $1" http://192.0.2.10:8081/ \
		>/dev/null 2>&1
}
echo "tap scenario:"
get ok.example "$tmp/ok.out" &
okp=$!
get blocked.example "$tmp/blocked.out"
blocked_rc=$?
wait "$okp"
ok_rc=$?
ok_size=$(stat -c %s "$tmp/ok.out" 2>/dev/null || echo 0)
bl_size=$(stat -c %s "$tmp/blocked.out" 2>/dev/null || echo 0)
if [ "$ok_rc" -eq 0 ] && [ "$ok_size" -eq 819200 ]; then
	echo "  ok    Host ok.example: transfer complete ($ok_size bytes)"
else
	echo "  FAIL  Host ok.example: rc $ok_rc, $ok_size bytes"; fails=$((fails + 1))
fi
if [ "$blocked_rc" -ne 0 ] && [ "$bl_size" -lt 819200 ]; then
	echo "  ok    Host blocked.example: cut after $bl_size bytes"
else
	echo "  FAIL  Host blocked.example: rc $blocked_rc, $bl_size bytes"; fails=$((fails + 1))
fi
elems=$(ip netns exec "$(ns gw)" nft list set inet segw deny4 2>/dev/null | grep -o "10.1.0.2 . 192.0.2.10 . tcp . [0-9]* . 8081\|192.0.2.10 . 10.1.0.2 . tcp . 8081 . [0-9]*" | wc -l)
drops=$(ip netns exec "$(ns gw)" nft list chain inet segw forward 2>/dev/null |
	sed -n 's/.*@deny4 counter packets \([0-9]*\).*/\1/p')
if [ "${elems:-0}" -eq 2 ] && [ "${drops:-0}" -ge 1 ]; then
	echo "  ok    deny set holds the flow both ways; the kernel dropped ${drops} of its packets"
else
	echo "  FAIL  deny set: ${elems:-0} matching lines, ${drops:-0} drops"; fails=$((fails + 1))
fi
kill -TERM "$segwd_pid"
for _ in $(seq 50); do kill -0 "$segwd_pid" 2>/dev/null || break; sleep 0.1; done
if grep -q "1 flows written to the deny sets, 0 failed" "$tmp/segwd.err"; then
	echo "  ok    segwd wrote exactly one flow"
else
	echo "  FAIL  segwd: $(tail -2 "$tmp/segwd.err")"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "tap lab: all expectations held" || echo "tap lab: $fails failed"
[ "$fails" -eq 0 ]
