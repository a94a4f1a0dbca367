#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# image.build (the fixture of image.boot): build with tools/image/build
#   v1  0.1.0, security 1: the disk image the box is flashed with
#   v1 again, from a fresh compile in other folders: must be byte-identical
#   v2  0.2.0, security 2: an upgrade
#   v3  0.3.0, security 2, --health-fail: an upgrade whose segwd never gets healthy
# Debian packages are cached in /var/cache/segw/debs: only the first run downloads.
#   build_images.sh REPO OUT
set -eu
repo=$1
out=$2
rm -rf "$out/v1" "$out/v1again" "$out/v2" "$out/v3" "$out/work" "$out/src"
mkdir -p "$out/src"
# one snapshot of the tree for every image of this run (the checkout may be
# edited meanwhile); its time is the last commit's
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 1700000000)
fi
export SOURCE_DATE_EPOCH
(cd "$repo" && tar -c --exclude='./build*' --exclude=./.git .) | tar -x -C "$out/src"
b="$out/src/tools/image/build"
t0=$(date +%s)
"$b" --version 0.1.0 --security 1 --work "$out/work/v1" --build-dir "$out/work/build" --out "$out/v1"
t1=$(date +%s)
"$b" --version 0.1.0 --security 1 --work "$out/work/again/v1" --build-dir "$out/work/again/build" \
	--out "$out/v1again"
t2=$(date +%s)
if ! cmp "$out/v1/segw-qemu-x86_64-0.1.0.SHA256SUMS" "$out/v1again/segw-qemu-x86_64-0.1.0.SHA256SUMS"; then
	echo "image.build: NOT REPRODUCIBLE: two builds of the same tree differ:"
	diff "$out/v1/segw-qemu-x86_64-0.1.0.SHA256SUMS" "$out/v1again/segw-qemu-x86_64-0.1.0.SHA256SUMS" || :
	diff "$out/v1/segw-qemu-x86_64-0.1.0.manifest" "$out/v1again/segw-qemu-x86_64-0.1.0.manifest" || :
	exit 1
fi
echo "image.build: reproducible: two builds (fresh compiles in different folders) give the same digests:"
cat "$out/v1/segw-qemu-x86_64-0.1.0.SHA256SUMS"
rm -rf "$out/v1again" "$out/work/again"
"$b" --version 0.2.0 --security 2 --segwimg-only --work "$out/work/v2" --build-dir "$out/work/build" --out "$out/v2"
"$b" --version 0.3.0 --security 2 --segwimg-only --health-fail --work "$out/work/v3" \
	--build-dir "$out/work/build" --out "$out/v3"
# the management plane's host tool, for the push step of image.boot
if grep -q segw-push "$out/src/firmware/mgmt/CMakeLists.txt" 2>/dev/null; then
	cmake --build "$out/work/build" -j2 --target segw-push >/dev/null
fi
t3=$(date +%s)
echo "image.build: first build $((t1 - t0)) s, second $((t2 - t1)) s, two upgrades $((t3 - t2)) s"
