# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the robustness lab scripts: namespaces for the gateway and the
# zones they name, veth pairs whose gateway ends are the sim board's ports
# (segw-<zone>0), cleanup of every namespace and PID made, on any exit.
#
#   lab_setup TAG ZONE...      zones of: int ext dmz (hosts A.B.C.250 on A.B.C.0/24)
#   ns Z / inns Z CMD / bg Z CMD (background, PID kept for cleanup)
#   wait_tcp Z ADDR PORT       until something listens (10 s at most)
# Sets: tmp (a private directory), pids (array), net (zone -> A.B.C).
lab_tag=""
tmp="$(mktemp -d /tmp/segw-robust.XXXXXX)"
pids=()
made_ns=()
declare -A net=([int]=10.1.0 [ext]=192.0.2 [dmz]=198.51.100)
lab_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	for n in "${made_ns[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM
ns() { echo "$lab_tag-$1"; }
inns() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@"; }
bg() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@" & pids+=("$!"); }
lab_setup() {
	lab_tag="$1"
	shift
	local n z
	for n in gw "$@"; do
		ip netns add "$(ns "$n")" || return 1
		made_ns+=("$(ns "$n")")
		inns "$n" ip link set lo up
	done
	for z in "$@"; do
		ip -n "$(ns gw)" link add "segw-${z}0" type veth peer name eth0 netns "$(ns "$z")" || return 1
		inns gw ip addr add "${net[$z]}.1/24" dev "segw-${z}0"
		inns gw ip link set "segw-${z}0" up
		inns "$z" ip addr add "${net[$z]}.250/24" dev eth0
		inns "$z" ip link set eth0 up
		inns "$z" ip route add default via "${net[$z]}.1"
	done
	inns gw sysctl -qw net.ipv4.ip_forward=1
}
wait_tcp() {
	for _ in $(seq 100); do
		inns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listens on $2:$3" >&2
	return 1
}
lab_need() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root (network namespaces)" >&2
		exit 77
	fi
	for t in ip nft curl python3 "$@"; do
		command -v "$t" >/dev/null || { echo "$t is missing (run tools/setup)" >&2; exit 77; }
	done
}
