#!/bin/bash
# tests/harness/emulator.sh BEHAVIOUR ARGS... - a stand-in for bochs-bin (ARGS: -q -f BOCHSRC -rc
# CMDS) or for qemu-system-x86_64 (ARGS: QEMU's, with -serial tcp:127.0.0.1:PORT) that the
# harness self-tests (tests/harness/run.sh) give to scripts/run.sh and scripts/run-qemu.sh with
# --emulator. It connects to the serial listener named in BOCHSRC or in -serial, as the emulator
# would, and then misbehaves as told:
#   ok        prints a scenario's last lines and the power-off marker, exits 1 (as Bochs does)
#   fail      the same with "SCENARIO x: FAIL (...)"
#   abort     prints a little, then dies by SIGABRT (Bochs 2.7's sound-thread crash)
#   segv      dies by SIGSEGV before any output
#   silent    exits 0 at once without a byte of serial output (a bad bochsrc, a Bochs PANIC)
#   refuse    says on stderr that a file could not be opened, exits 1 (a QEMU start-up error)
#   quiet     prints a line, then exits 1 without the end marker
#   halt      prints a panic and the halt marker, then sleeps (a halted CPU)
#   hang      prints a line, then sleeps forever (the timeout must end it)
#   grub      prints a GRUB error, then waits for a key (forever)
#   grub-video  GRUB-EFI's recoverable "error: no suitable video mode found.", 2 s of silence,
#             then the kernel's output and the power-off marker (not a GRUB error)
#   no-poweroff prints the power-off marker, then keeps running (the machine did not power off)
#   late-segv prints the power-off marker, then dies by SIGSEGV (harmless: judged by markers)
#   bare-slow a bare test guest: blank lines, 3 s of silence, then its verdict (not a halt)
set -u
what=$1
shift
rc= port=
while [ $# -gt 0 ]; do
    [ "$1" = -f ] && rc=$2
    case "$1 ${2:-}" in "-serial tcp:127.0.0.1:"*) port=${2##*:} ;; esac
    shift
done
[ -n "$rc" ] && port=$(sed -n 's/^com1: .*dev=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$rc")
say() { printf '%s\r\n' "$@" >&3; }
case $what in
segv) kill -SEGV $$ ;;
silent) exit 0 ;;
refuse) echo "qemu-system-x86_64: -drive if=pflash,file=/x.fd: Could not open '/x.fd': No such file or directory" >&2; exit 1 ;;
esac
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 9
echo "stand-in emulator: $what" # bochs.out
case $what in
ok) say "Vanderpool - a VT-x hypervisor - booting" "SCENARIO demo: PASS" "Vanderpool: power off (end of scenario)"; exit 1 ;;
fail) say "SCENARIO demo: FAIL (a check failed)" "Vanderpool: power off (end of scenario)"; exit 1 ;;
abort) say "Vanderpool - a VT-x hypervisor - booting"; echo "*** buffer overflow detected ***: terminated"; kill -ABRT $$ ;;
quiet) say "Vanderpool - a VT-x hypervisor - booting"; exit 1 ;;
halt) say "PANIC: CPU 0 stopped: unexpected exception" "Vanderpool: CPU 0 halted (onpanic=halt; onpanic=poweroff powers off instead)"; exec sleep 600 ;;
hang) say "Vanderpool - a VT-x hypervisor - booting"; exec sleep 600 ;;
grub) say "error: no multiboot header found." "Press any key to continue..."; exec sleep 600 ;;
bare-slow) say "  Booting \`bare guest'" "" ""; sleep 3; say "TEST slow: PASS"; exit 1 ;;
grub-video) say "  Booting \`Vanderpool'" "error: no suitable video mode found."; sleep 2
    say "Vanderpool - a VT-x hypervisor - booting" "SCENARIO demo: PASS" "Vanderpool: power off (end of scenario)"; exit 0 ;;
no-poweroff) say "SCENARIO demo: PASS" "Vanderpool: power off (end of scenario)"; exec sleep 600 ;;
late-segv) say "SCENARIO demo: PASS" "Vanderpool: power off (end of scenario)"; sleep 0.5; kill -SEGV $$ ;;
*) echo "emulator.sh: unknown behaviour '$what'" >&2; exit 9 ;;
esac
