#!/bin/sh
# scripts/mkiso.sh ELF OUT.iso "ARGS" [MODULE[:ARGS] ...]
# Make a bootable GRUB ISO (BIOS; also EFI when grub-efi-amd64-bin is installed) that boots
# the hypervisor with the given command line and multiboot2 modules.
set -eu
elf=$1; out=$2; args=$3; shift 3
tree=$(mktemp -d "${TMPDIR:-/tmp}/vp-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/boot/grub"
cp "$elf" "$tree/boot/vanderpool.elf"
{
    echo "set timeout=0"
    echo "set default=0"
    echo "menuentry \"Vanderpool\" {"
    echo "    multiboot2 /boot/vanderpool.elf $args"
    n=0
    for m in "$@"; do
        file=${m%%:*}
        margs=
        case $m in *:*) margs=${m#*:} ;; esac
        base=$(basename "$file")
        cp "$file" "$tree/boot/$n-$base"
        echo "    module2 /boot/$n-$base $base $margs"
        n=$((n + 1))
    done
    echo "    boot"
    echo "}"
} > "$tree/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$tree" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
