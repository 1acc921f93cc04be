#!/bin/sh
# scripts/preflight.sh [--emulator CMD] [--model NAME] - check that what a Bochs run needs is
# there and works, and name whatever is not: the emulator starts, the BIOS and VGA BIOS files
# the bochsrc names exist, GRUB's BIOS files and the ISO tools are installed, and the CPU model
# is one the emulator knows. Quiet when all is well; exit status 2 otherwise.
# scripts/deps.sh runs it after installing; scripts/run.sh before every run.
emulator=bochs-bin model=
while [ $# -gt 0 ]; do
    case $1 in
    --emulator) emulator=$2; shift ;;
    --model) model=$2; shift ;;
    *) echo "preflight.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
bad=0
missing() { echo "preflight: $*" >&2; bad=1; }
fix="run 'make deps' (or: apt-get install bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools)"

for f in /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
    [ -f "$f" ] || missing "$f is missing (Debian packages bochsbios, vgabios); $fix"
done
[ -f /usr/lib/grub/i386-pc/boot.img ] || missing "GRUB's BIOS files /usr/lib/grub/i386-pc are missing (Debian grub-pc-bin); $fix"
for t in grub-mkrescue xorriso mformat; do
    command -v "$t" >/dev/null 2>&1 || missing "'$t' is not installed (Debian grub-common, xorriso, mtools); $fix"
done

# The emulator: the first word of the command must be a program that runs.
prog=${emulator%% *}
if ! command -v "$prog" >/dev/null 2>&1; then
    missing "the emulator '$prog' is not installed (Debian bochs); $fix"
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
