#!/bin/sh
# scripts/mkiso.sh [--bare multiboot|multiboot2|linux] ELF OUT.iso "ARGS" [MODULE[:ARGS] ...]
# Make a bootable GRUB ISO (BIOS; also EFI when grub-efi-amd64-bin is installed) that boots
# the hypervisor with the given command line and multiboot2 modules.
# With --bare, GRUB boots ELF itself (a test guest, no hypervisor) as /boot/kernel.elf with the
# multiboot (v1) or multiboot2 command, and the modules with module or module2 accordingly;
# --bare linux boots ELF as a Linux bzImage (/boot/bzImage, GRUB's linux command) with the
# modules as its initrd (one initrd command; their ARGS are ignored).
set -eu
bare=
if [ "${1:-}" = --bare ]; then
    bare=$2; shift 2
    case $bare in
    multiboot|multiboot2|linux) ;;
    *) echo "mkiso.sh: --bare takes multiboot, multiboot2 or linux, not '$bare'" >&2; exit 2 ;;
    esac
fi
elf=$1; out=$2; args=$3; shift 3
tree=$(mktemp -d "${TMPDIR:-/tmp}/vp-iso.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/boot/grub"
if [ "$bare" = linux ]; then
    kernel=bzImage title="bare Linux" kcmd=linux modcmd=initrd
elif [ -n "$bare" ]; then
    kernel=kernel.elf title="bare guest" kcmd=$bare
    modcmd=module; [ "$bare" = multiboot2 ] && modcmd=module2
else
    kernel=vanderpool.elf title=Vanderpool kcmd=multiboot2 modcmd=module2
fi
cp "$elf" "$tree/boot/$kernel"
{
    echo "set timeout=0"
    echo "set default=0"
    echo "menuentry \"$title\" {"
    echo "    $kcmd /boot/$kernel $args"
    n=0 initrds=
    for m in "$@"; do
        file=${m%%:*}
        margs=
        case $m in *:*) margs=${m#*:} ;; esac
        base=$(basename "$file")
        cp "$file" "$tree/boot/$n-$base"
        if [ "$modcmd" = initrd ]; then
            initrds="$initrds /boot/$n-$base"
        else
            echo "    $modcmd /boot/$n-$base $base $margs"
        fi
        n=$((n + 1))
    done
    [ -n "$initrds" ] && echo "    initrd$initrds"
    echo "    boot"
    echo "}"
} > "$tree/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$tree" >"$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }
rm -f "$out.log"
