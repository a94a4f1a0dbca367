#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Faults in the lab (issue 9): segwd --inline under the sim board's supervisor
# (board/sim/supervise.sh), with the board's watchdog (--watchdog 2), while a
# long transfer (decided and marked before the faults) runs from the internal
# zone to a web server in the external zone.
#   1. a stuck worker: the first run gets SEGW_TEST_FAULT=hang-worker@4 (the
#      packet loop stops making progress 4 s after start); the watchdog is no
#      longer fed and resets segwd (SIGABRT), the supervisor restarts it;
#   2. a kill: segwd is killed with SIGKILL mid-traffic; the supervisor
#      restarts it.
# Asserts: the supervisor saw both exits (SIGABRT after the watchdog's message,
# SIGKILL) and started segwd three times; while segwd was down a new flow was
# refused (the policy says queue-overload fail-closed: no listener, no
# admission); after each restart new flows succeed again; the long transfer
# completed intact through both faults (the kernel kept the decided flow).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
SEGWD="${SEGWD:-$root/build/segwd}"
. "$here/lab_net.sh"
lab_need
lab_setup "sgft$$" int ext || exit 1

mkdir -p "$tmp/www"
head -c 4000000 /dev/urandom >"$tmp/www/big.bin"
echo "segw fault lab page" >"$tmp/www/index.html"
bg ext python3 -m http.server 80 --bind 192.0.2.250 --directory "$tmp/www"
wait_tcp ext 192.0.2.250 80 || exit 1

status="$tmp/status.json"
ip netns exec "$(ns gw)" "$root/board/sim/supervise.sh" --env-once SEGW_TEST_FAULT=hang-worker@4 -- \
	"$SEGWD" --inline --policy "$here/faults.policy" --no-flows --status "$status" \
	--watchdog 2 >"$tmp/segwd.out" 2>"$tmp/super.log" &
sup=$!
pids+=("$sup")
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
wait_status() { # a status written after this call: segwd up and its loop running
	rm -f "$status"
	for _ in $(seq 150); do [ -s "$status" ] && return 0; sleep 0.1; done
	return 1
}
fetch() { # a new flow: 0 if it succeeded
	inns int curl -sS -f -o /dev/null --connect-timeout "${1:-3}" -m "${2:-5}" \
		-H "Host: www.example.org" http://192.0.2.250/index.html 2>/dev/null
}
seg_pid() { sed -n 's/^supervise: start [0-9]* pid \([0-9]*\)$/\1/p' "$tmp/super.log" | tail -1; }

wait_status || { fail "segwd did not start"; cat "$tmp/super.log"; exit 1; }
# least privilege: segwd keeps CAP_NET_ADMIN, CAP_NET_RAW and
# CAP_NET_BIND_SERVICE only (bits 12, 13, 10: 0x3400), none to regain
caps=$(awk '/^(CapEff|CapPrm|CapBnd|CapInh|NoNewPrivs):/ { printf "%s=%s ", $1, $2 }' \
	"/proc/$(seg_pid)/status")
case "$caps" in
"CapInh:=0000000000000000 CapPrm:=0000000000003400 CapEff:=0000000000003400 CapBnd:=0000000000003400 NoNewPrivs:=1 ") ;;
*) fail "segwd's capabilities: $caps" ;;
esac
fetch || fail "a new flow before any fault"
bg int curl -sS -f -o "$tmp/big.got" --limit-rate 200k -m 90 -H "Host: www.example.org" \
	http://192.0.2.250/big.bin
long=${pids[-1]}

# 1. the stuck worker: wait for the watchdog's reset and the restart
first=$(seg_pid)
for _ in $(seq 150); do
	grep -q "^supervise: exit pid $first " "$tmp/super.log" && break
	sleep 0.1
done
grep -q "^supervise: exit pid $first status 134 (signal ABRT)" "$tmp/super.log" ||
	fail "the stuck segwd was not reset by the watchdog (pid $first)"
grep -q "soft watchdog expired" "$tmp/super.log" || fail "no watchdog message"
refused_hang=0
fetch 1 2 || refused_hang=1
wait_status || fail "segwd did not come back after the watchdog"
fetch || fail "a new flow after the watchdog restart"

# 2. the kill
second=$(seg_pid)
[ "$second" != "$first" ] || fail "no second start"
kill -9 "$second"
refused_kill=0
fetch 1 2 || refused_kill=1
[ "$refused_kill" = 1 ] || fail "a new flow got through while segwd was down (fail-closed)"
wait_status || fail "segwd did not come back after the kill"
fetch || fail "a new flow after the kill restart"
grep -q "^supervise: exit pid $second status 137 (signal KILL)" "$tmp/super.log" ||
	fail "the supervisor did not see the kill"

wait "$long"
long_rc=$?
cmp -s "$tmp/www/big.bin" "$tmp/big.got" && [ "$long_rc" = 0 ] ||
	fail "the long transfer did not survive the faults (curl exit $long_rc)"
starts=$(grep -c "^supervise: start " "$tmp/super.log")
[ "$starts" -ge 3 ] || fail "$starts starts, expected 3"
echo "{\"type\":\"fault_result\",\"starts\":$starts,\"watchdog_reset\":$(grep -c 'signal ABRT' "$tmp/super.log"),\"killed\":$(grep -c 'signal KILL' "$tmp/super.log"),\"refused_while_hung\":$refused_hang,\"refused_while_down\":$refused_kill,\"long_transfer_intact\":$([ "$long_rc" = 0 ] && echo true || echo false)}"
[ "$fails" = 0 ] || sed 's/^/  log: /' "$tmp/super.log"
kill "$sup" 2>/dev/null
wait "$sup" 2>/dev/null
exit $((fails > 0))
