#!/bin/bash
# tests/harness/run.sh - self-tests of the harness: scripts/run.sh must turn every way an
# emulator can end into the right exit status and a message that names it, never a silent
# success. Each case runs scripts/run.sh with a stand-in emulator (tests/harness/emulator.sh)
# and checks the status and the message. Ends with "harness: N passed, N failed".
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$here/build/tests/harness
mkdir -p "$out"
elf=$out/dummy.elf
echo "not a kernel: the stand-in emulator never reads it" >"$elf"
pass=0 failn=0

# case NAME BEHAVIOUR STATUS MESSAGE-REGEX [run.sh options...]
case_() {
    local name=$1 behaviour=$2 want=$3 msg=$4
    shift 4
    local dir=$out/$name
    "$here/scripts/run.sh" --dir "$dir" --elf "$elf" --timeout 8 \
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
echo "harness: $pass passed, $failn failed"
[ $failn -eq 0 ]
