#!/bin/sh
# guests/guestboot/mkimage.sh BOOT KERNEL OUT - joins GuestBoot (a 512-byte sector) and
# GuestKernel (whole sectors, its header first: guestboot.h) into one raw image, and writes the
# kernel's checksum into its header: the value that makes the 32-bit sum of all the kernel's
# dwords 0 (the checksum field is 0 in the linked kernel). Needs only od, awk, dd.
set -eu
boot=$1 kernel=$2 out=$3
die() { echo "mkimage.sh: $*" >&2; rm -f "$out.tmp"; exit 1; }

bsize=$(wc -c <"$boot")
ksize=$(wc -c <"$kernel")
[ "$bsize" -eq 512 ] || die "$boot is $bsize bytes, not one 512-byte sector"
if [ $((ksize % 512)) -ne 0 ] || [ "$ksize" -eq 0 ]; then
    die "$kernel is $ksize bytes, not whole sectors"
fi
[ $((bsize + ksize)) -lt 65536 ] || die "image of $((bsize + ksize)) bytes: not below 64 KiB"
# Header words (little-endian): magic "GKRN", length, checksum.
# shellcheck disable=SC2046 # split into the three words on purpose
set -- $(od -An -tu4 -N12 "$kernel")
[ "$1" -eq 1314016071 ] || die "$kernel does not start with the GuestKernel magic"
[ "$2" -eq "$ksize" ] || die "$kernel header says $2 bytes, the file has $ksize"
[ "$3" -eq 0 ] || die "$kernel checksum field is not 0"

# The checksum as four octal escapes, low byte first, for printf.
bytes=$(od -An -tu4 -v "$kernel" | awk '
    { for (i = 1; i <= NF; i++) s = (s + $i) % 4294967296 }
    END { v = (4294967296 - s) % 4294967296
          for (i = 0; i < 4; i++) { printf "\\%03o", v % 256; v = int(v / 256) } }')
cat "$boot" "$kernel" >"$out.tmp"
# shellcheck disable=SC2059
printf "$bytes" | dd of="$out.tmp" bs=1 seek=$((bsize + 8)) conv=notrunc 2>/dev/null
mv "$out.tmp" "$out"
