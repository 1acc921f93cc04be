#!/bin/sh
# scripts/preflight.sh [--emulator CMD] [--model NAME] [--qemu bios|efi] - check that what a run
# needs is there and works, and name whatever is not. For Bochs (the default): the emulator
# starts, the BIOS and VGA BIOS files the bochsrc names exist, and the CPU model is one it knows.
# With --qemu FIRMWARE (scripts/run-qemu.sh): QEMU starts, and for efi the OVMF firmware files
# ($VP_OVMF_CODE, $VP_OVMF_VARS; Debian ovmf) and GRUB's EFI files are there. Always: GRUB's BIOS
# files and the ISO tools. Quiet when all is well; exit status 2 otherwise.
# scripts/deps.sh runs it after installing; scripts/run.sh and scripts/run-qemu.sh before every run.
emulator=bochs-bin model= qemu=
while [ $# -gt 0 ]; do
    case $1 in
    --emulator) emulator=$2; shift ;;
    --model) model=$2; shift ;;
    --qemu) qemu=$2; shift ;;
    *) echo "preflight.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
bad=0
missing() { echo "preflight: $*" >&2; bad=1; }
fix="run 'make deps' (or: apt-get install bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools)"

if [ -n "$qemu" ]; then
    fix="run 'make deps' (or: apt-get install qemu-system-x86 ovmf grub-efi-amd64-bin grub-pc-bin grub-common xorriso mtools)"
else
    for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
        [ -f "$f" ] || missing "$f is missing (Debian packages bochsbios, vgabios); $fix"
    done
fi
if [ "$qemu" = efi ]; then
    for f in "${VP_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}" "${VP_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}"; do
        [ -f "$f" ] || missing "the UEFI firmware file $f is missing (Debian ovmf); $fix"
    done
    [ -d /usr/lib/grub/x86_64-efi ] ||
        missing "GRUB's EFI files /usr/lib/grub/x86_64-efi are missing, so the ISO cannot boot with UEFI (Debian grub-efi-amd64-bin); $fix"
fi
[ -f /usr/lib/grub/i386-pc/boot.img ] || missing "GRUB's BIOS files /usr/lib/grub/i386-pc are missing (Debian grub-pc-bin); $fix"
for t in grub-mkrescue xorriso mformat; do
    command -v "$t" >/dev/null 2>&1 || missing "'$t' is not installed (Debian grub-common, xorriso, mtools); $fix"
done

# The emulator: the first word of the command must be a program that runs.
prog=${emulator%% *}
if ! command -v "$prog" >/dev/null 2>&1; then
    if [ -n "$qemu" ]; then
        missing "the emulator '$prog' is not installed (Debian qemu-system-x86); $fix"
    else
        missing "the emulator '$prog' is not installed (Debian bochs); $fix"
    fi
elif [ -n "$qemu" ]; then
    case $(basename "$prog") in
    qemu-system-*)
        "$prog" --version >/dev/null 2>&1 </dev/null ||
            missing "'$prog --version' did not run; is QEMU broken? ($fix)" ;;
    esac
elif [ "$(basename "$prog")" = bochs-bin ]; then
    # `bochs-bin --help cpu` starts Bochs, lists its CPU models and exits: proof that it runs.
    models=$("$prog" --help cpu 2>&1 </dev/null | sed -n '/^Supported CPU models:/,/quit_sim/p' |
        grep -E '^[a-z0-9_]+$')
    if [ -z "$models" ]; then
        missing "'$prog --help cpu' did not run or listed no CPU model; is Bochs 2.7 broken? ($fix)"
    elif [ -n "$model" ] && ! echo "$models" | grep -qx -- "$model"; then
        missing "Bochs has no CPU model '$model'; it has: $(echo "$models" | tr '\n' ' ')"
    fi
fi
[ $bad -eq 0 ] || exit 2
exit 0
