#!/bin/sh
# scripts/mkiso.sh [--bare multiboot|multiboot2|linux] ELF OUT.iso "ARGS" [MODULE[:ARGS] ...]
# Make a bootable GRUB ISO (BIOS; also EFI when grub-efi-amd64-bin is installed) that boots
# the hypervisor with the given command line and multiboot2 modules. grub-mkrescue's ISOs are
# hybrid: the same file boots from a CD, or written with dd to a USB stick, with BIOS or UEFI.
# With --bare, GRUB boots ELF itself (a test guest, no hypervisor) as /boot/kernel.elf with the
# multiboot (v1) or multiboot2 command, and the modules with module or module2 accordingly;
# --bare linux boots ELF as a Linux bzImage (/boot/bzImage, GRUB's linux command) with the
# modules as its initrd (one initrd command; their ARGS are ignored).
#
# Command lines survive GRUB as written: ARGS is split into words at blanks outside double
# quotes, and each word goes into grub.cfg in single quotes, so GRUB keeps its double quotes.
# GRUB then hands the kernel each word with `"`, `'` and `\` escaped by a backslash, and a word
# holding blanks wrapped in double quotes (grub-core/lib/cmdline.c); the hypervisor's command-line
# parser undoes exactly that (platform/cmdline.h). An unbalanced double quote is refused here.
# GRUB's own messages also go to the serial port, so a GRUB error is seen, not a silent hang.
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

# grub_words WHAT TEXT: TEXT as single-quoted GRUB words; fails on an unbalanced double quote.
grub_words() {
    printf '%s' "$2" | awk -v what="$1" -v q="'" '
    BEGIN { RS = "\001" }
    {
        n = length($0); word = ""; inq = 0; have = 0; out = ""
        for (i = 1; i <= n; i++) {
            c = substr($0, i, 1)
            if (!inq && (c == " " || c == "\t" || c == "\n")) {
                if (have) { out = out (out == "" ? "" : " ") q word q; word = ""; have = 0 }
                continue
            }
            if (c == "\"") inq = !inq
            if (c == q) c = q "\\" q q
            word = word c; have = 1
        }
        if (have) out = out (out == "" ? "" : " ") q word q
        if (inq) { printf "mkiso.sh: %s has an unbalanced double quote: %s\n", what, $0 > "/dev/stderr"; exit 1 }
        printf "%s", out
    }'
}

kargs=$(grub_words "the command line" "$args") || exit 2
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
    echo "serial --unit=0 --speed=115200"
    echo "terminfo serial dumb"
    echo "terminal_output --append serial"
    # GRUB-EFI has no text mode to leave the machine in: without a video driver loaded it says
    # "error: no suitable video mode found." before it boots the kernel (harmless, but it looks
    # like a GRUB error). The kernel ignores the framebuffer GRUB then sets up.
    echo 'if [ "$grub_platform" = efi ]; then insmod efi_gop; fi'
    echo "set timeout=0"
    echo "set default=0"
    echo "menuentry \"$title\" {"
    echo "    $kcmd /boot/$kernel $kargs"
    n=0 initrds=
    for m in "$@"; do
        file=${m%%:*}
        margs=
        case $m in *:*) margs=${m#*:} ;; esac
        [ -f "$file" ] || { echo "mkiso.sh: no such module file: $file" >&2; exit 2; }
        base=$(basename "$file")
        cp "$file" "$tree/boot/$n-$base"
        if [ "$modcmd" = initrd ]; then
            initrds="$initrds /boot/$n-$base"
        else
            words=$(grub_words "the arguments of module $base" "$margs") || exit 2
            echo "    $modcmd /boot/$n-$base '$base' $words"
        fi
        n=$((n + 1))
    done
    [ -n "$initrds" ] && echo "    initrd$initrds"
    echo "    boot"
    echo "}"
} > "$tree/boot/grub/grub.cfg"
# xorriso (under grub-mkrescue) has been seen to die of SIGSEGV now and then on a loaded
# host, the same tree building fine again: a crash of the tool is retried twice, with a note;
# any other failure, or a third crash, stops with its log.
for try in 1 2 3; do
    grub-mkrescue -o "$out" "$tree" >"$out.log" 2>&1 && break
    if [ "$try" -lt 3 ] && grep -q "SIGSEGV\|SIGBUS\|SIGABRT" "$out.log"; then
        echo "mkiso: xorriso crashed ($(grep -m1 -o 'SIG[A-Z]*' "$out.log")); building $out again" >&2
        continue
    fi
    cat "$out.log" >&2
    exit 1
done
rm -f "$out.log"
