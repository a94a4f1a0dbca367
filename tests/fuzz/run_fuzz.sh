#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run_fuzz.sh - one bounded libFuzzer run of a target, for ctest (fuzz-run):
#
#   run_fuzz.sh TARGET_BINARY CORPUS_DIR SECONDS ARTIFACT_DIR [libFuzzer args...]
#
# The seed corpus is copied to a temporary folder first (the run adds inputs
# there, never to the source tree). Fails on any crash, leak, timeout, out of
# memory or UBSan report; the reproducer is kept in ARTIFACT_DIR and its path
# printed. The final stats (execs, exec/s, cov, ft) are printed either way.
set -u
if [ $# -lt 4 ]; then
	echo "usage: $0 TARGET_BINARY CORPUS_DIR SECONDS ARTIFACT_DIR [args...]" >&2
	exit 2
fi
bin=$1
corpus=$2
secs=$3
artifacts=$4
shift 4

work=$(mktemp -d "${TMPDIR:-/tmp}/segw-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/corpus" "$artifacts" || exit 2
if [ -d "$corpus" ]; then
	cp -R "$corpus"/. "$work/corpus/" || exit 2
fi
if [ -z "$(ls -A "$work/corpus")" ]; then
	echo "run_fuzz.sh: no seeds in $corpus" >&2
	exit 2
fi

# Recoverable UBSan checks must stop the run too (the fuzz build does not
# pass -fno-sanitize-recover).
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export UBSAN_OPTIONS

"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$@" "$work/corpus" >"$work/log" 2>&1
rc=$?

if grep -q "runtime error:" "$work/log"; then
	echo "run_fuzz.sh: UBSan reported undefined behaviour" >&2
	[ "$rc" -eq 0 ] && rc=1
fi
if [ "$rc" -ne 0 ]; then
	cat "$work/log"
	echo "run_fuzz.sh: $(basename "$bin") FAILED (exit $rc); reproduce with:" >&2
	for f in "$artifacts"/*; do
		[ -e "$f" ] && echo "  $bin $f" >&2
	done
else
	grep -E '^(INFO: Seed|INFO: Loaded|#[0-9]+.*(INITED|DONE))|^stat::' "$work/log"
fi
exit "$rc"
