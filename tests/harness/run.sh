#!/bin/bash
# tests/harness/run.sh - self-tests of the harness: scripts/run.sh (Bochs) and
# scripts/run-qemu.sh (QEMU) must turn every way an emulator can end into the right exit status
# and a message that names it, never a silent success. Each case runs a runner with a stand-in
# emulator (tests/harness/emulator.sh) and checks the status and the message. Ends with
# "harness: N passed, N failed".
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$here/build/tests/harness
mkdir -p "$out"
elf=$out/dummy.elf
echo "not a kernel: the stand-in emulator never reads it" >"$elf"
pass=0 failn=0

# case NAME BEHAVIOUR STATUS MESSAGE-REGEX [runner options...]; the runner is $runner
runner=run.sh
case_() {
    local name=$1 behaviour=$2 want=$3 msg=$4
    shift 4
    local dir=$out/$name
    "$here/scripts/$runner" --dir "$dir" --elf "$elf" --timeout 8 \
        --emulator "$here/tests/harness/emulator.sh $behaviour" "$@" >"$dir.out" 2>&1
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL harness $name: exit status $rc, expected $want"; sed 's/^/    /' "$dir.out"
        failn=$((failn + 1))
    elif [ -n "$msg" ] && ! grep -qE -- "$msg" "$dir.out"; then
        echo "FAIL harness $name: no message matching '$msg'"; sed 's/^/    /' "$dir.out"
        failn=$((failn + 1))
    else
        echo "PASS harness $name"
        pass=$((pass + 1))
    fi
}

case_ clean-end ok 0 ''
case_ scenario-fail fail 1 'run.sh: SCENARIO demo: FAIL \(a check failed\)'
case_ abort abort 4 'Bochs died: killed by signal SIGABRT \(status 134\).*'
case_ abort-shows-output abort 4 'buffer overflow detected'
case_ segfault segv 4 'killed by signal SIGSEGV \(status 139\).* 0 bytes of serial output'
case_ no-output silent 5 'Bochs ended \(status 0\) after [0-9]+s without any serial output'
case_ ended-early quiet 5 'before the end marker; last serial line: Vanderpool - a VT-x hypervisor - booting'
case_ halted halt 3 'the hypervisor halted: Vanderpool: CPU 0 halted'
case_ timeout hang 124 'did not finish within 8 s; stopped it. Last serial line: Vanderpool'
case_ grub-error grub 5 'GRUB could not boot the image: error: no multiboot header found.'
case_ crash-after-power-off late-segv 0 'note: Bochs ended by signal SIGSEGV after the end marker'
case_ bare-quiet-is-no-halt bare-slow 0 '' --bare multiboot
case_ logs-named silent 5 'files: serial .*/no-output2/serial.txt, Bochs output .*bochs.out' --dir "$out/no-output2"
# Usage and preflight errors name what is wrong and never start the emulator.
case_ bad-model ok 2 "Bochs has no CPU model 'corei7_nosuch'" --emulator bochs-bin --model corei7_nosuch
case_ missing-emulator ok 2 "the emulator '/nonexistent/bochs' is not installed" --emulator /nonexistent/bochs
case_ unbalanced-quote ok 2 'the command line has an unbalanced double quote' --args 'vm=a:cmdline="x'
case_ missing-module ok 2 'no such module file: /nonexistent.elf' --module /nonexistent.elf:x
case_ bad-option ok 2 "unknown option '--nosuch'" --nosuch

# scripts/run-qemu.sh: the same statuses and messages, naming QEMU; its own failure modes.
runner=run-qemu.sh
export VP_KVM_DEV=/nonexistent/kvm # no KVM, whatever this host has
case_ qemu-clean-end ok 0 'QEMU TCG, CPU max \(KVM not used: no /nonexistent/kvm\): this CPU has no VMX'
case_ qemu-scenario-fail fail 1 'run-qemu.sh: SCENARIO demo: FAIL \(a check failed\)'
case_ qemu-abort abort 4 'QEMU died: killed by signal SIGABRT \(status 134\)'
case_ qemu-refused refuse 5 'QEMU ended \(status 1\) after [0-9]+s without any serial output'
case_ qemu-refused-shows-why refuse 5 "Could not open '/x.fd'"
case_ qemu-ended-early quiet 5 'QEMU ended \(status 1\) after [0-9]+s before the end marker'
case_ qemu-halted halt 3 'the hypervisor halted: Vanderpool: CPU 0 halted .*; QEMU stopped'
case_ qemu-timeout hang 124 'QEMU did not finish within 8 s; stopped it'
case_ qemu-grub-error grub 5 'GRUB could not boot the image: error: no multiboot header found.'
case_ qemu-grub-efi-video-not-fatal grub-video 0 '' --firmware efi
case_ qemu-no-power-off no-poweroff 0 'note: QEMU was still running after the end marker'
case_ qemu-logs-named silent 5 'files: serial .*/qemu-logs-named/serial.txt, QEMU output .*qemu.out, command line .*qemu.cmd'
case_ qemu-kvm-missing ok 2 'accel kvm: KVM with nested VT-x is not usable here: no /nonexistent/kvm' --accel kvm
case_ qemu-bad-firmware ok 2 "firmware takes bios or efi, not 'uefi'" --firmware uefi
case_ qemu-bad-machine ok 2 "machine takes pc or q35, not 'isapc'" --machine isapc
case_ qemu-bad-media ok 2 "media takes cdrom or usb, not 'floppy'" --media floppy
case_ qemu-missing-emulator ok 2 "the emulator '/nonexistent/qemu' is not installed \(Debian qemu-system-x86\)" --emulator /nonexistent/qemu
VP_OVMF_CODE=/nonexistent/OVMF_CODE.fd case_ qemu-missing-ovmf ok 2 'the UEFI firmware file /nonexistent/OVMF_CODE.fd is missing \(Debian ovmf\)' --firmware efi
case_ qemu-bad-option ok 2 "unknown option '--model'" --model corei7_icelake_u
# The command line it builds: what was asked for, OVMF's code read-only and a copy of its store.
case_ qemu-efi-command-line ok 0 '' --firmware efi --machine q35 --cpus 2 --megs 128
cmd=$out/qemu-efi-command-line/qemu.cmd
for want in "'-M' 'q35'" "'-accel' 'tcg' '-cpu' 'max' '-smp' '2' '-m' '128'" "'-no-reboot'" \
    "'-device' 'isa-debug-exit,iobase=0xf4,iosize=4'" "if=pflash,format=raw,unit=0,readonly=on,file=" \
    "if=pflash,format=raw,unit=1,file=$out/qemu-efi-command-line/ovmf_vars.fd"; do
    if grep -qF -- "$want" "$cmd" 2>/dev/null; then
        pass=$((pass + 1))
    else
        echo "FAIL harness qemu-efi-command-line: $cmd lacks $want"
        failn=$((failn + 1))
    fi
done
case_ qemu-usb-command-line ok 0 '' --media usb
cmd=$out/qemu-usb-command-line/qemu.cmd
for want in "'-device' 'qemu-xhci' '-device' 'usb-storage,drive=stick,bootindex=0'" \
    "if=none,id=stick,format=raw,snapshot=on,file=$out/qemu-usb-command-line/boot.iso"; do
    if grep -qF -- "$want" "$cmd" 2>/dev/null && ! grep -qF -- "'-cdrom'" "$cmd"; then
        pass=$((pass + 1))
    else
        echo "FAIL harness qemu-usb-command-line: $cmd lacks $want, or has -cdrom"
        failn=$((failn + 1))
    fi
done
echo "harness: $pass passed, $failn failed"
[ $failn -eq 0 ]
