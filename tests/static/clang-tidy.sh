#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# clang-tidy with the repository's .clang-tidy check set over every firmware,
# driver, board and hal source in the build's compile_commands.json (tests are
# not scanned). Any finding fails.
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:?build dir}"
command -v clang-tidy >/dev/null || { echo "clang-tidy missing (tools/setup)"; exit 77; }
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "no $db (configure with CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 1; }
mapfile -t files < <(python3 - "$db" "$root" <<'PY'
import json, sys
db, root = sys.argv[1], sys.argv[2].rstrip('/') + '/'
seen = set()
for e in json.load(open(db)):
    f = e['file']
    rel = f[len(root):] if f.startswith(root) else None
    if rel and rel.split('/')[0] in ('firmware', 'drivers', 'board', 'hal') and f not in seen:
        seen.add(f)
        print(f)
PY
)
[ "${#files[@]}" -gt 0 ] || { echo "no sources found in $db"; exit 1; }
out="$(printf '%s\0' "${files[@]}" |
	xargs -0 -n 8 -P "$(nproc)" clang-tidy -p "$build" --quiet 2>/dev/null)"
rc=$?
findings="$(printf '%s\n' "$out" | grep -E ': (warning|error): ' || true)"
if [ -n "$findings" ]; then
	printf '%s\n' "$out"
	echo "clang-tidy: $(printf '%s\n' "$findings" | wc -l) findings in ${#files[@]} files"
	exit 1
fi
[ $rc -eq 0 ] || { printf '%s\n' "$out"; echo "clang-tidy failed (exit $rc)"; exit 1; }
echo "clang-tidy: no findings in ${#files[@]} files"
