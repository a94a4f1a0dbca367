#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The sim board's supervisor (the image's is tools/image/overlay/sbin/
# segw-supervise): runs segwd, and when it exits for any reason other than
# our own stop (a crash, a kill, the soft watchdog's reset) starts it again
# after a short back-off (1 s, doubling to 8 s while it keeps failing within
# 10 s of its start). Each start and exit is logged on stderr as one line:
#   supervise: start N pid P
#   supervise: exit pid P status S (signal NAME) after T s
#
#   supervise.sh [--env-once NAME=VALUE] -- SEGWD ARGS...
#
# --env-once sets a variable for the first start only (the robustness tests
# inject a fault into the first run and watch the restart run clean).
# SIGTERM/SIGINT stop segwd (by PID) and the supervisor.
set -u
once=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case "$1" in
	--env-once) once+=("$2"); shift 2 ;;
	*) echo "supervise: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: supervise.sh [--env-once N=V] -- SEGWD ARGS..." >&2; exit 2; }
child=
stopping=0
stop() {
	stopping=1
	[ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT
n=0 backoff=1
while [ "$stopping" = 0 ]; do
	n=$((n + 1))
	started=$SECONDS
	if [ "$n" = 1 ] && [ "${#once[@]}" -gt 0 ]; then
		env "${once[@]}" "$@" &
	else
		"$@" &
	fi
	child=$!
	echo "supervise: start $n pid $child" >&2
	wait "$child"
	st=$?
	# a signal to us interrupts wait: wait again for the child itself
	while kill -0 "$child" 2>/dev/null; do wait "$child"; st=$?; done
	sig=""
	[ "$st" -gt 128 ] && sig=" (signal $(kill -l $((st - 128)) 2>/dev/null))"
	echo "supervise: exit pid $child status $st$sig after $((SECONDS - started)) s" >&2
	child=
	[ "$stopping" = 1 ] && break
	if [ $((SECONDS - started)) -lt 10 ]; then
		sleep "$backoff"
		[ "$backoff" -lt 8 ] && backoff=$((backoff * 2))
	else
		backoff=1
		sleep 1
	fi
done
