#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cppcheck over firmware, drivers, boards and hal: the "warning" and
# "portability" classes (real defects: out-of-bounds, null dereference,
# uninitialised use, leaks, self-assignment...), not style. Any finding fails.
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
gen="${1:?build dir with generated/}/generated"
command -v cppcheck >/dev/null || { echo "cppcheck missing (tools/setup)"; exit 77; }
out="$(cppcheck --quiet --enable=warning,portability --inline-suppr --error-exitcode=1 \
	-I "$root/firmware" -I "$root/hal/include" -I "$root/drivers" -I "$gen" \
	--suppress=missingIncludeSystem -j 2 \
	"$root/firmware" "$root/drivers" "$root/board" "$root/hal" 2>&1)"
rc=$?
[ -n "$out" ] && echo "$out"
[ $rc -eq 0 ] && echo "cppcheck: no findings"
exit $rc
