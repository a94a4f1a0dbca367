#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# image.tools: the host tools on files: segw-imgtool pack/info/verify with the
# development key and its refusals, and tools/image/flash (write + read-back
# verify, an interrupted flash reported as failed, refusal of a non-image).
#   test_tools.sh SEGW-IMGTOOL TOOLS/IMAGE TESTKEYS
set -u
imgtool=$1
tools=$2
tkeys=$3
t=$(mktemp -d /tmp/segw-image-tools-XXXXXX)
trap 'rm -rf "$t"' EXIT
fails=0
passes=0
check() { # expected-rc description command...
	want=$1
	what=$2
	shift 2
	"$@" >"$t/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then
		passes=$((passes + 1))
		echo "ok   - $what"
	else
		fails=$((fails + 1))
		echo "FAIL - $what (exit $rc, wanted $want):"
		cat "$t/out"
	fi
}
has() { # text description
	if grep -q -- "$1" "$t/out"; then
		passes=$((passes + 1))
		echo "ok   - $2"
	else
		fails=$((fails + 1))
		echo "FAIL - $2: no '$1' in:"
		cat "$t/out"
	fi
}

key="$tools/keys/dev-image-key.pem"
pub="$tools/keys/dev-image-key.pub"
head -c 300000 /dev/urandom >"$t/payload"
check 0 "pack" "$imgtool" pack --key "$key" --board segw,qemu-x86_64 --version 1.0.0 \
	--security 3 --payload "$t/payload" -o "$t/a.segwimg"
check 0 "pack again" "$imgtool" pack --key "$key" --board segw,qemu-x86_64 --version 1.0.0 \
	--security 3 --payload "$t/payload" -o "$t/b.segwimg"
check 0 "two packs are byte-identical (deterministic ECDSA)" cmp "$t/a.segwimg" "$t/b.segwimg"
check 0 "info" "$imgtool" info "$t/a.segwimg"
has "security: 3" "info shows the security version"
check 0 "verify" "$imgtool" verify --pubkey "$pub" --board segw,qemu-x86_64 --floor 3 "$t/a.segwimg"
check 1 "verify refuses another board" "$imgtool" verify --pubkey "$pub" --board segw,x86_64-generic "$t/a.segwimg"
has "built for board" "wrong-board message"
check 1 "verify refuses below the floor" "$imgtool" verify --pubkey "$pub" --floor 4 "$t/a.segwimg"
has "downgrade refused" "floor message"
check 1 "verify refuses another key" "$imgtool" verify --pubkey "$tkeys/other-key.pub" "$t/a.segwimg"
has "signed by another key" "other-key message"
head -c 100000 "$t/a.segwimg" >"$t/trunc.segwimg"
check 1 "verify refuses a truncated image" "$imgtool" verify --pubkey "$pub" "$t/trunc.segwimg"
has "truncated" "truncated message"
check 1 "pack refuses a P-384 key" "$imgtool" pack --key "$tkeys/p384-key.pem" --board b \
	--version 1 --security 1 --payload "$t/payload" -o "$t/c.segwimg"
check 2 "usage" "$imgtool" pack --key "$key"

# the flasher on files
head -c 3145728 /dev/urandom >"$t/disk.img"
check 0 "flash a disk image into a file" "$tools/flash" "$t/disk.img" "$t/target"
has "verified" "flash verified by read-back"
check 0 "flashed file equals the image" cmp "$t/disk.img" "$t/target"
head -c 4194304 /dev/zero >"$t/target2"
check 1 "an interrupted flash fails" env SEGW_FLASH_FAIL_AFTER=1 "$tools/flash" "$t/disk.img" "$t/target2"
has "interrupted" "interrupted flash message"
head -c 1000 /dev/zero >"$t/odd.img"
check 2 "flash refuses a non-disk image" "$tools/flash" "$t/odd.img" "$t/target3"
check 2 "flash refuses a directory target" "$tools/flash" "$t/disk.img" "$t"
echo "$passes passed, $fails failed"
[ "$fails" = 0 ]
