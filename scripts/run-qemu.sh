#!/bin/sh
# scripts/run-qemu.sh - boot Vanderpool (or a test guest) in QEMU once, and say how the run ended.
# `scripts/run-qemu.sh --help` prints the usage; docs: README.md "QEMU, KVM, UEFI and USB".
#
# The one place that builds a QEMU command line. It builds an ISO for this run in DIR (BIOS and
# EFI GRUB), starts QEMU headless with SeaBIOS or OVMF (UEFI), COM1 connected to the serial
# listener that writes DIR/serial.txt as the bytes come, the debug console (port 0xE9) to
# DIR/debugcon.txt, QEMU's isa-debug-exit at 0xF4, no network (no PXE ROM to wait for), and no
# reboot (a triple fault ends QEMU). The ISO is a CD, or (--media usb) a USB stick. With KVM and nested VT-x on the host (/dev/kvm usable, an
# Intel CPU with VMX, kvm_intel nested=Y) it uses -accel kvm -cpu host,+vmx and the hypervisor
# runs its guests; otherwise TCG (-cpu max), whose CPU has no VMX: the hypervisor then runs the
# platform scenarios (boot, trace, fault) and says that VMX is missing. It says which it uses.
# The options, the watching of the serial log and the exit statuses are scripts/run.sh's
# (scripts/runlib.sh); the hypervisor powers QEMU off through ACPI S5 at the end of a scenario.
set -u

usage() {
    cat <<'EOT'
usage: scripts/run-qemu.sh --elf ELF [options]
  --elf ELF            the hypervisor image (or, with --bare, a test guest)
  --args "CMDLINE"     its command line (quotes inside are kept: vm=a:cmdline="x=1 y=2")
  --module FILE[:ARGS] a GRUB module, with its own command line ARGS (repeatable)
  --bare multiboot|multiboot2|linux
                       GRUB boots ELF itself (a test guest without the hypervisor)
  --firmware bios|efi  SeaBIOS (default) or OVMF, i.e. UEFI with GRUB-EFI ($VP_OVMF_CODE and
                       $VP_OVMF_VARS name other OVMF files; default /usr/share/OVMF/*_4M.fd)
  --machine pc|q35     QEMU machine: i440fx (default) or q35
  --media cdrom|usb    the image as a CD (default), or as a USB stick on an xHCI controller:
                       what `make usb` writes to a real stick, booted the same way
  --accel auto|kvm|tcg KVM with nested VT-x when the host has it (auto, the default), or forced
  --cpu MODEL          QEMU CPU model (default: host,+vmx with KVM, max with TCG)
  --cpus N             CPUs (default 1)
  --megs M             RAM in MiB (default 256)
  --timeout S          wall-clock bound in seconds (default 120)
  --dir DIR            where the ISO, serial.txt, debugcon.txt, qemu.out and qemu.cmd go
                       (default build/run-qemu)
  --live               also show the serial output as it comes
  --input -|FILE      what goes into the serial port (COM1): - the runner's stdin, typed (on a
                       terminal: unechoed, character by character); FILE a script of
                       "wait TEXT" / "send TEXT" lines (tools/serial-listen.c)
  --progress linux     show a Linux guest's boot phase with the elapsed seconds
  --emulator CMD       run CMD instead of qemu-system-x86_64 (harness self-tests; also
                       $VP_QEMU)
  --help               this text
exit status (as scripts/run.sh):
  0   the run reached its end marker (and printed no "SCENARIO ...: FAIL")
  1   the run reached its end marker, but the scenario failed (under TCG every scenario that
      runs guests fails: the CPU has no VMX)
  2   bad usage, or something the run needs is missing (named), or --accel kvm without KVM
  3   the hypervisor halted (a panic with onpanic=halt...)
  4   QEMU died (killed by a signal)
  5   QEMU ended, or went silent, before the end marker (no output at all, a QEMU error such as
      a missing firmware file, a GRUB error, a triple fault...)
  124 timeout; 130 interrupted (Ctrl-C)
EOT
}

me=run-qemu.sh emu=QEMU
. "$(dirname "$0")/runlib.sh"
dir=build/run-qemu
firmware=bios machine=pc accel=auto cpu= media=cdrom
emulator=${VP_QEMU:-qemu-system-x86_64}
while [ $# -gt 0 ]; do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --firmware | --machine | --accel | --cpu | --media)
        [ $# -ge 2 ] || rl_die2 "$1 needs a value (run-qemu.sh --help)"
        case $1 in
        --firmware) firmware=$2 ;;
        --machine) machine=$2 ;;
        --accel) accel=$2 ;;
        --cpu) cpu=$2 ;;
        --media) media=$2 ;;
        esac
        shift 2 ;;
    *)
        rl_opt "$@"
        [ "$rl_shift" -gt 0 ] || rl_die2 "unknown option '$1' (run-qemu.sh --help)"
        shift "$rl_shift" ;;
    esac
done
rl_check_options
case $firmware in bios | efi) ;; *) rl_die2 "--firmware takes bios or efi, not '$firmware'" ;; esac
case $machine in pc | q35) ;; *) rl_die2 "--machine takes pc or q35, not '$machine'" ;; esac
case $accel in auto | kvm | tcg) ;; *) rl_die2 "--accel takes auto, kvm or tcg, not '$accel'" ;; esac
case $media in cdrom | usb) ;; *) rl_die2 "--media takes cdrom or usb, not '$media'" ;; esac

# Why KVM with nested VT-x cannot be used here (nothing when it can). $VP_KVM_DEV stands for
# /dev/kvm in the harness self-tests.
kvm_missing() {
    kvm=${VP_KVM_DEV:-/dev/kvm}
    if [ ! -e "$kvm" ]; then
        echo "no $kvm"
    elif [ ! -r "$kvm" ] || [ ! -w "$kvm" ]; then
        echo "$kvm is not readable and writable for $(id -un)"
    elif ! grep -qw vmx /proc/cpuinfo 2>/dev/null; then
        echo "the host CPU has no VMX (Vanderpool needs an Intel CPU with VT-x)"
    else
        nested=$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null)
        case $nested in
        Y | y | 1) ;;
        *) echo "nested VT-x is off (/sys/module/kvm_intel/parameters/nested: '${nested:-missing}')" ;;
        esac
    fi
}
why=
[ "$accel" = tcg ] || why=$(kvm_missing)
if [ "$accel" = kvm ] && [ -n "$why" ]; then
    rl_die2 "--accel kvm: KVM with nested VT-x is not usable here: $why"
fi
if [ "$accel" = tcg ] || [ -n "$why" ]; then
    accel=tcg
    [ -n "$cpu" ] || cpu=max
    if [ -n "$why" ]; then because="KVM not used: $why"; else because="asked for with --accel tcg"; fi
    echo "run-qemu.sh: QEMU TCG, CPU $cpu ($because): this CPU has no VMX, so only the platform scenarios (boot, trace, fault) can pass" >&2
else
    accel=kvm
    [ -n "$cpu" ] || cpu=host,+vmx
    echo "run-qemu.sh: QEMU with KVM, CPU $cpu (nested VT-x)" >&2
fi

# ---- preflight: QEMU runs, the firmware and GRUB files are there ----
"$here/scripts/preflight.sh" --qemu "$firmware" --emulator "$emulator" || exit 2

rl_trap
rl_prepare qemu.out qemu.cmd debugcon.txt ovmf_vars.fd
rl_start_listener

set -- -M "$machine" -accel "$accel" -cpu "$cpu" -smp "$cpus" -m "$megs" \
    -display none -monitor none -serial "tcp:127.0.0.1:$port" \
    -debugcon "file:$dir/debugcon.txt" -device isa-debug-exit,iobase=0xf4,iosize=4 \
    -nic none -no-reboot
if [ "$media" = usb ]; then # the hybrid image as a disk on a USB stick (writes are discarded)
    set -- "$@" -drive "if=none,id=stick,format=raw,snapshot=on,file=$dir/boot.iso" \
        -device qemu-xhci -device usb-storage,drive=stick,bootindex=0
else
    set -- "$@" -cdrom "$dir/boot.iso"
fi
if [ "$firmware" = efi ]; then
    # OVMF: the code read-only, a copy of the variable store per run (UEFI writes to it).
    cp "${VP_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}" "$dir/ovmf_vars.fd" || exit 2
    set -- "$@" -drive "if=pflash,format=raw,unit=0,readonly=on,file=${VP_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}" \
        -drive "if=pflash,format=raw,unit=1,file=$dir/ovmf_vars.fd"
elif [ "$media" = cdrom ]; then
    set -- "$@" -boot d
fi
# The command line, quoted, so that the run can be repeated by hand.
echo "# run-qemu.sh's QEMU command; by hand, give -serial stdio instead of the listener's port" >"$dir/qemu.cmd"
for a in "$emulator" "$@"; do
    printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
done >>"$dir/qemu.cmd"
echo >>"$dir/qemu.cmd"

emu_explain() {
    if [ "$outcome" != grub ] && [ -s "$dir/qemu.out" ]; then
        echo "run-qemu.sh: last lines of $dir/qemu.out:" >&2
        tail -n 8 "$dir/qemu.out" | sed 's/^/    /' >&2
    fi
    echo "run-qemu.sh: files: serial $dir/serial.txt, QEMU output $dir/qemu.out, command line $dir/qemu.cmd" >&2
}

emu_out=$dir/qemu.out
# shellcheck disable=SC2086
rl_run $emulator "$@"
if [ "$outcome" = end ] && [ "$stopped" = 1 ]; then
    echo "run-qemu.sh: note: QEMU was still running after the end marker (no ACPI power-off?); stopped it" >&2
fi
rl_verdict
