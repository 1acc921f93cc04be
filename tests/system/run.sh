#!/bin/bash
# tests/system/run.sh [--jobs N] [--elf ELF] [--only NAME[,NAME]] - boot the ISO in Bochs (or QEMU)
# once per test in tests/system/*.test and judge the serial output. Ends with "system: N passed, N failed".
#
# A .test file is a bash snippet that sets the run and says what the serial output must hold:
#   CPUS=4  ARGS="scenario=boot"  MODEL=corei7_icelake_u  TIMEOUT=120  MODULES="file[:args] ..."
#   (or MODULES=("file:args with blanks" ...), a bash array)
#   ALLOW_PANIC=1        (the run may print PANIC / *** EXCEPTION; otherwise that fails it)
#   HALTS=1              (the run ends by halting: scripts/run.sh's status 3 is not a failure)
#   EXPECT_RC=N          (scripts/run.sh must end with status N, e.g. 5 for a GRUB error)
#   BOCHS_CPU="opts"     (more options for Bochs's cpu: line, e.g. ignore_bad_msrs=0)
#   INPUT=file           (typed into COM1 as the run goes: a tools/serial-listen.c script of
#                        "wait TEXT" / "send TEXT" lines, relative to the tree)
#   BARE_CPUS=N BARE_MODEL=m BARE_TIMEOUT=s SAME_SKIP=regex   (the bare run of same_as_bare, below)
#   BARE=multiboot|multiboot2 ELF=build/guests/X.elf   (boot a test guest directly, no hypervisor)
#   EMULATOR=bochs|qemu-bios|qemu-efi   (default bochs: scripts/run.sh; qemu-*: scripts/run-qemu.sh
#                        with SeaBIOS or OVMF, TCG here; MODEL is then not used)
#   MACHINE=pc|q35       (QEMU's machine, default pc)
#   MEDIA=cdrom|usb      (QEMU: the ISO as a CD, default, or as a USB stick: `make usb`'s image)
#   ACCEL=tcg|auto|kvm   (QEMU's accelerator, default tcg: the QEMU tests are written for a CPU
#                        without VMX, whatever the host has)
#   check() { expect "SCENARIO boot: PASS"; expect_re 'cpu: 4 of 4 CPUs online'; reject "ERROR"; }
# Helpers in check(): expect TEXT, expect_re REGEX, reject TEXT, expect_count N REGEX, fail MSG,
#   same_as_bare KIND ELF ARGS VMNAME [VMONLY] (boot ELF bare and compare its TEST lines with the
#   VM's; the VM's lines matching the regex VMONLY are checks only a VM can make, left out),
#   runner_rejects TEXT (the runner's own messages, $RUNOUT, must not hold TEXT).
# The serial log is $SERIAL (carriage returns removed). Every run is bounded by TIMEOUT.
# A run that scripts/run.sh reports as broken (the emulator died, ended or went silent before the
# end marker, timed out, or could not start) fails with run.sh's own message, whatever check()
# says. Results are printed as each test ends, with a running count.
# Failed runs keep their directory (build/tests/NAME: serial.txt, bochs.log) and print its path.
here=$(cd "$(dirname "$0")/../.." && pwd)
jobs=2 elf=$here/build/vanderpool.elf only=
while [ $# -gt 0 ]; do
    case $1 in
    --jobs) jobs=$2; shift ;;
    --elf) elf=$2; shift ;;
    --only) only=$2; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
out=$here/build/tests
mkdir -p "$out"

run_one() { # name file -> writes $out/name/result (PASS or FAIL lines)
    local name=$1 file=$2 dir=$out/$1
    rm -rf "$dir"; mkdir -p "$dir"
    (
        CPUS=1 ARGS="" MODEL=corei7_icelake_u TIMEOUT=120 MODULES="" ALLOW_PANIC=0 MEGS=256 HALTS=0
        EXPECT_RC= BOCHS_CPU= INPUT= BARE_CPUS=1 BARE_MODEL= BARE_TIMEOUT=60 SAME_SKIP=
        BARE="" ELF="" EMULATOR=bochs MACHINE=pc ACCEL=tcg MEDIA=cdrom
        # shellcheck disable=SC1090
        . "$file"
        runelf=$elf bare=()
        if [ -n "$BARE" ]; then # a test guest booted by GRUB itself; ELF relative to the tree
            runelf=$here/$ELF bare=(--bare "$BARE")
        else
            case " $ARGS " in *" onpanic="*) ;; *) ARGS="$ARGS onpanic=poweroff" ;; esac
        fi
        modargs=()
        if [[ $(declare -p MODULES 2>/dev/null) == "declare -a"* ]]; then
            for m in "${MODULES[@]}"; do modargs+=(--module "$m"); done # FILE:ARGS with blanks
        else
            for m in $MODULES; do modargs+=(--module "$m"); done
        fi
        case $EMULATOR in
        bochs) runner=("$here/scripts/run.sh" --model "$MODEL") logs="Bochs log $dir/bochs.log" ;;
        qemu-bios | qemu-efi)
            runner=("$here/scripts/run-qemu.sh" --firmware "${EMULATOR#qemu-}" --machine "$MACHINE"
                --accel "$ACCEL" --media "$MEDIA")
            logs="QEMU output $dir/qemu.out" ;;
        *) runner=(false) logs= ;;
        esac
        start=$(date +%s.%N)
        "${runner[@]}" --dir "$dir" --elf "$runelf" "${bare[@]}" --cpus "$CPUS" \
            --timeout "$TIMEOUT" --megs "$MEGS" --args "$ARGS" "${modargs[@]}" \
            ${BOCHS_CPU:+--bochs-cpu "$BOCHS_CPU"} ${INPUT:+--input "$here/$INPUT"} >"$dir/run.out" 2>&1
        rc=$?
        SERIAL=$dir/serial.clean.txt
        tr -d '\r' <"$dir/serial.txt" >"$SERIAL" 2>/dev/null || : >"$SERIAL"
        RUNOUT=$dir/run.out
        failures=0
        fail() { echo "  $name: $*"; failures=$((failures + 1)); }
        [ -n "$logs" ] || fail "EMULATOR=$EMULATOR: not bochs, qemu-bios or qemu-efi"
        runner_rejects() { ! grep -qF -- "$1" "$RUNOUT" || fail "runner said: $(grep -F -m1 -- "$1" "$RUNOUT")"; }
        expect() { grep -qF -- "$1" "$SERIAL" || fail "missing: $1"; }
        expect_re() { grep -qE -- "$1" "$SERIAL" || fail "missing (regex): $1"; }
        reject() { ! grep -qF -- "$1" "$SERIAL" || fail "unexpected: $(grep -F -m1 -- "$1" "$SERIAL")"; }
        expect_count() {
            local n
            n=$(grep -cE -- "$2" "$SERIAL")
            [ "$n" -eq "$1" ] || fail "expected $1 lines matching '$2', found $n"
        }
        # same_as_bare KIND ELF ARGS VMNAME [VMONLY]: boot the guest ELF directly with GRUB
        # (multiboot or multiboot2) and require the same TEST check lines as this run's VM
        # printed, numbers in parentheses aside (RAM sizes differ), prefixed with the VM name
        # VMNAME; the VM's lines that match the extended regex VMONLY (checks that need the
        # hypervisor, e.g. VP_HC_INJECT) are left out of the comparison. The bare run has
        # BARE_CPUS CPUs (default 1), the CPU model BARE_MODEL (default MODEL) and BARE_TIMEOUT
        # seconds (default 60). SAME_SKIP (an extended regex) drops checks from both sides, for a
        # check the test judges itself (e.g. a timing bound with its own tolerance).
        same_as_bare() {
            local kind=$1 gelf=$2 gargs=$3 vmname=$4 vmonly=${5:-}
            "$here/scripts/run.sh" --dir "$dir/bare" --elf "$here/$gelf" --bare "$kind" \
                --timeout "$BARE_TIMEOUT" --cpus "$BARE_CPUS" --model "${BARE_MODEL:-$MODEL}" \
                --args "$gargs" >"$dir/bare/run.out" 2>&1
            norm() { sed -n 's/^\(.*: \)\{0,1\}\(TEST [^:]*: \(ok\|FAIL\) .*\)$/\2/p' | sed 's/ ([^)]*)//g'; }
            skip() { if [ -n "$SAME_SKIP" ]; then grep -vE -- "$SAME_SKIP"; else cat; fi; }
            tr -d '\r' <"$dir/bare/serial.txt" | norm | skip >"$dir/bare/checks.txt"
            grep "^$vmname: TEST " "$SERIAL" | sed "s/^$vmname: //" |
                { if [ -n "$vmonly" ]; then grep -vE -- "$vmonly"; else cat; fi; } | norm | skip >"$dir/checks.txt"
            if [ ! -s "$dir/bare/checks.txt" ]; then
                fail "bare run printed no TEST lines ($dir/bare/serial.txt)"
            elif ! diff -u "$dir/bare/checks.txt" "$dir/checks.txt" >"$dir/checks.diff"; then
                fail "checks differ bare vs under Vanderpool: $(head -c 400 "$dir/checks.diff")"
            fi
        }
        mkdir -p "$dir/bare"
        # the runner's messages, less run-qemu.sh's note of the accelerator it chose
        runner_msgs() {
            grep -E '^(run(-qemu)?\.sh|preflight|mkiso\.sh):' "$dir/run.out" |
                grep -v '^run-qemu\.sh: QEMU \(TCG\|with KVM\)' | head -n "$1"
        }
        if [ -n "$EXPECT_RC" ]; then
            [ "$rc" = "$EXPECT_RC" ] || fail "${runner[0]##*/} ended with status $rc, expected $EXPECT_RC: $(runner_msgs 2)"
            rc=0
        fi
        case $rc in
        0 | 1) ;; # reached the end marker (1: the scenario said FAIL; check() judges that)
        3) [ "$HALTS" = 1 ] || fail "the hypervisor halted: $(runner_msgs 3)" ;;
        124) fail "timed out after ${TIMEOUT}s: $(runner_msgs 2)" ;;
        *) fail "harness: ${runner[0]##*/} exit status $rc: $(runner_msgs 3)" ;;
        esac
        if [ "$ALLOW_PANIC" != 1 ]; then
            reject "PANIC"
            reject "*** EXCEPTION"
        fi
        check
        end=$(date +%s.%N) # after check(): its own runs (same_as_bare, a sweep) count too
        # QEMU powers itself off (ACPI S5) at the end marker; run-qemu.sh notes it if it did not
        case $EMULATOR in qemu-*) [ "$rc" -gt 1 ] || runner_rejects "QEMU was still running" ;; esac
        secs=$(echo "$start $end" | awk '{printf "%.1f", $2 - $1}')
        if [ $failures -eq 0 ]; then
            echo "PASS $name (${secs}s)" >"$dir/result"
        else
            echo "FAIL $name (${secs}s): serial $dir/serial.txt, $logs" >"$dir/result"
        fi
    ) >"$out/$name.details" 2>&1
    [ -f "$dir/result" ] || echo "FAIL $name: the runner produced no result" >"$dir/result"
    # Say it now, with a running count (the lock keeps the lines of parallel jobs whole).
    (
        flock 9
        n=$(($(cat "$out/.done") + 1))
        echo "$n" >"$out/.done"
        echo "[$n/$total] $(cat "$dir/result")"
        case $(cat "$dir/result") in FAIL*) sed 's/^/    /' "$out/$name.details" ;; esac
    ) 9>"$out/.lock"
}

tests=()
for f in "$here"/tests/system/*.test; do
    name=$(basename "$f" .test)
    if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
    tests+=("$name")
done
[ ${#tests[@]} -gt 0 ] || { echo "system: no test matched"; echo "system: 0 passed, 1 failed"; exit 1; }

total=${#tests[@]}
echo 0 >"$out/.done"
running=0
for name in "${tests[@]}"; do
    run_one "$name" "$here/tests/system/$name.test" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

pass=0 failn=0 failed=()
for name in "${tests[@]}"; do
    r=$(cat "$out/$name/result" 2>/dev/null || echo "FAIL $name: the runner produced no result")
    if [[ $r == PASS* ]]; then
        pass=$((pass + 1)); rm -f "$out/$name/boot.iso"
    else
        failn=$((failn + 1)); failed+=("$name")
    fi
done
# Repeat each failure's reasons and the end of its serial output here, at the end, where a log
# cut to its last lines (a CI report) still shows why.
for name in "${failed[@]}"; do
    echo "--- $name: why it failed (full details above; serial $out/$name/serial.txt)"
    grep -E "^  $name: " "$out/$name.details" 2>/dev/null | head -n 8
    echo "--- $name: the last serial lines"
    tr -d '\r' <"$out/$name/serial.txt" 2>/dev/null | tail -n 12 | cut -c 1-200 | sed 's/^/    /'
done
[ $failn -eq 0 ] || echo "failed: ${failed[*]} (rerun one: make system T=${failed[0]})"
echo "system: $pass passed, $failn failed"
[ $failn -eq 0 ]
