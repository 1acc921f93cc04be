#!/bin/sh
# scripts/usb.sh ELF OUT.img "ARGS" [MODULE[:ARGS] ...] - the image for a USB stick: the same
# hybrid GRUB image as the ISO (grub-mkrescue: an MBR and a GPT with an EFI system partition
# besides the CD's El Torito records), so it boots from a stick written with dd, with BIOS
# (legacy/CSM) or UEFI. It checks what the image can boot with and prints how to write it.
# It never writes to a device itself.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$1 out=$2 args=$3
shift 3
"$here/scripts/mkiso.sh" "$elf" "$out" "$args" "$@"

# MBR boot signature 55 AA at byte 510: without it no firmware boots the stick.
sig=$(od -An -tx1 -j510 -N2 "$out" | tr -d ' \n')
[ "$sig" = 55aa ] || { echo "usb.sh: $out has no MBR boot signature (got '$sig'); not a hybrid image" >&2; exit 1; }
boots=$(xorriso -indev "$out" -report_el_torito plain 2>/dev/null |
    sed -n 's/^El Torito boot img : *[0-9]* *\(BIOS\|UEFI\) .*/\1/p' | sort -u | tr "\n" " " | sed "s/ $//")
case $boots in
*UEFI*) ;;
*) echo "usb.sh: note: no UEFI boot image in $out (install grub-efi-amd64-bin: make deps); it boots with BIOS/CSM only" >&2 ;;
esac
size=$(($(wc -c <"$out") / 1048576))
cat <<EOT
usb: $out (${size} MiB): a hybrid image that boots with: ${boots:-nothing?}
usb: command line: ${args:-(none: scenario=guest-basic)}
usb: to write it to a USB stick, find the stick's device with lsblk (e.g. /dev/sdX: the whole
usb: device, not a partition like /dev/sdX1), unmount its partitions, then:
usb:     sudo dd if=$out of=/dev/sdX bs=4M conv=fsync status=progress
usb: WARNING: dd overwrites the device you name without asking; the wrong name destroys that
usb: disk's data. Then: Intel VT-x on in the firmware setup, boot from the stick, and read the
usb: console on COM1 at 115200 baud 8N1 (README.md, "QEMU, KVM, UEFI and USB").
EOT
