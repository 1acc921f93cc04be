#!/bin/sh
# scripts/run.sh - boot Vanderpool (or a test guest) in Bochs once, and say how the run ended.
# `scripts/run.sh --help` prints the usage; docs: README.md "Troubleshooting".
#
# The one place that writes a bochsrc. It builds an ISO for this run in DIR, writes DIR/bochsrc,
# and runs bochs-bin headless (RFB display that waits for nobody, the debugger told to
# `c`ontinue, stdin from /dev/null), bounded by --timeout. COM1 goes to a small listener
# (tools/serial-listen.c) that writes DIR/serial.txt as the bytes come (Bochs's file mode writes
# in chunks), so the run can be judged while it goes: it ends at the end marker (the hypervisor's
# "Vanderpool: power off" line, or a bare guest's "TEST name: PASS|FAIL"), or shortly after a
# halt marker ("Vanderpool: halted", "Vanderpool: CPU n halted") once the output has gone quiet.
# Every other way Bochs can stop is a named failure, never a silent success.
set -u

usage() {
    cat <<'EOT'
usage: scripts/run.sh --elf ELF [options]
  --elf ELF            the hypervisor image (or, with --bare, a test guest)
  --args "CMDLINE"     its command line (quotes inside are kept: vm=a:cmdline="x=1 y=2")
  --module FILE[:ARGS] a GRUB module, with its own command line ARGS (repeatable; ARGS may hold
                       blanks); a guest image's ARGS are its command line unless the VM's
                       description gives cmdline=
  --bare multiboot|multiboot2|linux
                       GRUB boots ELF itself (a test guest without the hypervisor); with
                       linux, ELF is a bzImage and the modules are its initrd
  --cpus N             emulated CPUs (default 1)
  --megs M             emulated RAM in MiB (default 256)
  --model NAME         Bochs CPU model (default corei7_icelake_u; `bochs-bin --help cpu`)
  --bochs-cpu OPTS     more options for the bochsrc cpu: line, e.g. ignore_bad_msrs=0
  --timeout S          wall-clock bound in seconds (default 120)
  --dir DIR            where the ISO, bochsrc, serial.txt, bochs.out and bochs.log go
                       (default build/run)
  --live               also show the serial output as it comes
  --emulator CMD       run CMD instead of bochs-bin (harness self-tests; also $VP_EMULATOR)
  --help               this text
exit status:
  0   the run reached its end marker (and printed no "SCENARIO ...: FAIL")
  1   the run reached its end marker, but the scenario failed
  2   bad usage, or something the run needs is missing (named)
  3   the hypervisor halted (a panic with onpanic=halt, a CPU without long mode...)
  4   the emulator died (killed by a signal: abort, segfault...)
  5   the emulator ended, or went silent, before the end marker (no output at all, a Bochs
      configuration error, a GRUB error...)
  124 timeout; 130 interrupted (Ctrl-C)
EOT
}

live=0 cpus=1 model=corei7_icelake_u timeout=120 megs=256 dir=build/run elf= args= bare= cpuopts=
emulator=${VP_EMULATOR:-bochs-bin}
nl='
'
mods= # newline-separated FILE[:ARGS]
while [ $# -gt 0 ]; do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --live) live=1 ;;
    --cpus | --model | --timeout | --megs | --dir | --elf | --args | --module | --bare | --emulator | \
        --bochs-cpu)
        [ $# -ge 2 ] || { echo "run.sh: $1 needs a value (run.sh --help)" >&2; exit 2; }
        case $1 in
        --cpus) cpus=$2 ;;
        --model) model=$2 ;;
        --timeout) timeout=$2 ;;
        --megs) megs=$2 ;;
        --dir) dir=$2 ;;
        --elf) elf=$2 ;;
        --args) args=$2 ;;
        --module) mods="$mods$2$nl" ;;
        --bare) bare=$2 ;;
        --emulator) emulator=$2 ;;
        --bochs-cpu) cpuopts=", $2" ;;
        esac
        shift ;;
    *) echo "run.sh: unknown option '$1' (run.sh --help)" >&2; exit 2 ;;
    esac
    shift
done
here=$(cd "$(dirname "$0")/.." && pwd)
die2() { echo "run.sh: $*" >&2; exit 2; }
[ -n "$elf" ] || die2 "--elf is required (run.sh --help)"
[ -f "$elf" ] || die2 "no such file: $elf (build it first: make; the test guests: make guests)"
case $bare in
"" | multiboot | multiboot2 | linux) ;;
*) die2 "--bare takes multiboot, multiboot2 or linux, not '$bare'" ;;
esac
isnum() { case $1 in "" | *[!0-9]*) return 1 ;; esac; }
isnum "$cpus" && [ "$cpus" -ge 1 ] || die2 "--cpus takes a number of CPUs, not '$cpus'"
isnum "$megs" && [ "$megs" -ge 16 ] || die2 "--megs takes a RAM size in MiB (16 or more), not '$megs'"
isnum "$timeout" && [ "$timeout" -ge 1 ] || die2 "--timeout takes seconds, not '$timeout'"

# ---- preflight: what the bochsrc names must exist (scripts/preflight.sh checks the rest) ----
"$here/scripts/preflight.sh" --emulator "$emulator" --model "$model" || exit 2

# The end and halt markers (extended regular expressions over whole lines).
if [ "$bare" = linux ]; then # Linux's last words when it powers off, or when it cannot go on
    end_re='reboot: Power down|Kernel panic - not syncing' halt_re=
elif [ -n "$bare" ]; then
    end_re='^TEST [^ :]*: (PASS|FAIL)$' halt_re= # a bare guest has no halt marker
else
    end_re='^Vanderpool: power off' halt_re='^Vanderpool: (CPU [0-9]+ )?halted'
fi

bpid= lpid=
# timeout(1) puts Bochs in a process group of its own, so a Ctrl-C in the terminal does not
# reach it (it would stop in its debugger); the trap below stops it instead.
stop_bochs() {
    if [ -n "${bpid:-}" ]; then
        kill -TERM "$bpid" 2>/dev/null # timeout passes it on to Bochs
        i=0
        while kill -0 "$bpid" 2>/dev/null && [ $i -lt 10 ]; do sleep 0.1; i=$((i + 1)); done
        pkill -KILL -P "$bpid" 2>/dev/null
        kill -KILL "$bpid" 2>/dev/null
        wait "$bpid" 2>/dev/null
        bpid=
    fi
}
stop_listener() {
    if [ -n "${lpid:-}" ]; then
        i=0 # let it drain what Bochs sent before the socket closed
        while kill -0 "$lpid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
        kill "$lpid" 2>/dev/null
        wait "$lpid" 2>/dev/null
        lpid=
    fi
}
trap 'stop_bochs; stop_listener; echo "
run.sh: interrupted; Bochs stopped." >&2; exit 130' INT TERM

mkdir -p "$dir" || exit 2
dir=$(cd "$dir" && pwd)
rm -f "$dir/serial.txt" "$dir/bochs.log" "$dir/bochs.out" "$dir/port" "$dir/bochsrc"

# The ISO: modules go to mkiso.sh as arguments of their own (their ARGS may hold blanks).
set --
if [ -n "$mods" ]; then
    old_ifs=$IFS IFS=$nl
    # shellcheck disable=SC2086
    set -- $mods
    IFS=$old_ifs
fi
if [ -n "$bare" ]; then
    "$here/scripts/mkiso.sh" --bare "$bare" "$elf" "$dir/boot.iso" "$args" "$@" || exit 2
else
    "$here/scripts/mkiso.sh" "$elf" "$dir/boot.iso" "$args" "$@" || exit 2
fi

listener="$here/build/host/serial-listen"
if [ ! -x "$listener" ] || [ "$here/tools/serial-listen.c" -nt "$listener" ]; then
    mkdir -p "$here/build/host"
    cc -O2 -Wall -o "$listener.$$" "$here/tools/serial-listen.c" && mv "$listener.$$" "$listener" ||
        die2 "cannot build $listener (is gcc installed? make deps)"
fi
if [ "$live" = 1 ]; then
    "$listener" "$dir/port" "$dir/serial.txt" &
else
    "$listener" "$dir/port" "$dir/serial.txt" >/dev/null &
fi
lpid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$dir/port" ] || { stop_listener; die2 "the serial listener did not start"; }

cat >"$dir/bochsrc" <<EOT
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=$cpus, ips=50000000, reset_on_triple_fault=0$cpuopts
ata0-master: type=cdrom, path=$dir/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=socket-client, dev=127.0.0.1:$(cat "$dir/port")
log: $dir/bochs.log
panic: action=fatal
error: action=report
clock: sync=none, time0=local
mouse: enabled=0
speaker: enabled=0
sound: driver=dummy
display_library: rfb, options="timeout=0"
port_e9_hack: enabled=1
EOT
echo c >"$dir/cmds"

start=$(date +%s)
# shellcheck disable=SC2086
timeout -k 5 "$timeout" $emulator -q -f "$dir/bochsrc" -rc "$dir/cmds" </dev/null >"$dir/bochs.out" 2>&1 &
bpid=$!

# Watch the serial log: the end marker ends the run (Bochs usually powers off by itself a
# moment later); after a halt marker, the run ends once the output has been quiet for 2 s.
outcome=
last_size=0 last_change=$(date +%s)
while kill -0 "$bpid" 2>/dev/null; do
    sleep 0.2
    [ -f "$dir/serial.txt" ] || continue
    if grep -qE -- "$end_re" "$dir/serial.txt"; then
        outcome=end
        i=0
        while kill -0 "$bpid" 2>/dev/null && [ $i -lt 15 ]; do sleep 0.2; i=$((i + 1)); done
        break
    fi
    size=$(wc -c <"$dir/serial.txt")
    now=$(date +%s)
    [ "$size" = "$last_size" ] || { last_size=$size last_change=$now; }
    quiet=$((now - last_change))
    # GRUB's own errors ("error: no multiboot header found.") come before any kernel output;
    # GRUB then waits for a key that never comes.
    if [ $quiet -ge 1 ] && grep -q '^error: ' "$dir/serial.txt"; then
        outcome=grub
        break
    fi
    if [ $quiet -ge 2 ] && [ -n "$halt_re" ] && grep -qE -- "$halt_re" "$dir/serial.txt"; then
        outcome=halt
        break
    fi
done
if kill -0 "$bpid" 2>/dev/null; then
    stop_bochs
    rc=0
else
    wait "$bpid"
    rc=$?
    bpid=
fi
stop_listener
secs=$(($(date +%s) - start))
[ -z "$outcome" ] && grep -qE -- "$end_re" "$dir/serial.txt" 2>/dev/null && outcome=end

# What to show when the run went wrong: the tail of Bochs's output and log (not for a GRUB
# error, where they say nothing), and the paths.
explain() {
    echo "run.sh: $*" >&2
    if [ "$outcome" != grub ] && [ -s "$dir/bochs.out" ]; then
        echo "run.sh: last lines of $dir/bochs.out:" >&2
        grep -v '^\(=\+\|  *Bochs x86\|  *Built from\|  *Timestamp\)' "$dir/bochs.out" | tail -n 8 |
            sed 's/^/    /' >&2
    fi
    if [ -s "$dir/bochs.log" ]; then
        errs=$(grep -E '^[0-9]+[ep]\[' "$dir/bochs.log" | tail -n 5)
        [ -n "$errs" ] && { echo "run.sh: errors in $dir/bochs.log:" >&2; echo "$errs" | sed 's/^/    /' >&2; }
    fi
    echo "run.sh: files: serial $dir/serial.txt, Bochs output $dir/bochs.out, Bochs log $dir/bochs.log, bochsrc $dir/bochsrc" >&2
}
serial_bytes=$(wc -c <"$dir/serial.txt" 2>/dev/null || echo 0)
signame() { kill -l "$1" 2>/dev/null || echo "$1"; }

case $outcome in
end)
    [ $rc -gt 128 ] && [ $rc -ne 137 ] && [ $rc -ne 143 ] &&
        echo "run.sh: note: Bochs ended by signal SIG$(signame $((rc - 128))) after the end marker (harmless after power-off)" >&2
    if grep -q '^SCENARIO [^ ]*: FAIL' "$dir/serial.txt"; then
        echo "run.sh: $(grep -m1 '^SCENARIO [^ ]*: FAIL' "$dir/serial.txt")" >&2
        exit 1
    fi
    exit 0 ;;
grub)
    explain "GRUB could not boot the image: $(grep -m1 '^error: ' "$dir/serial.txt")"
    exit 5 ;;
halt)
    echo "run.sh: the hypervisor halted: $(grep -E -m1 -- "$halt_re" "$dir/serial.txt"); Bochs stopped (serial $dir/serial.txt)" >&2
    exit 3 ;;
esac
if [ $rc -eq 124 ] || [ $rc -eq 137 ] && [ $secs -ge "$timeout" ]; then
    if [ "$serial_bytes" -eq 0 ]; then
        explain "Bochs printed nothing on the serial port within $timeout s (a GRUB error or a hang before the console)"
    else
        explain "Bochs did not finish within $timeout s; stopped it. Last serial line: $(tail -n 1 "$dir/serial.txt")"
    fi
    exit 124
fi
if [ $rc -gt 128 ]; then
    explain "Bochs died: killed by signal SIG$(signame $((rc - 128))) (status $rc) after ${secs}s, $serial_bytes bytes of serial output"
    exit 4
fi
if [ "$serial_bytes" -eq 0 ]; then
    explain "Bochs ended (status $rc) after ${secs}s without any serial output"
else
    explain "Bochs ended (status $rc) after ${secs}s before the end marker; last serial line: $(tail -n 1 "$dir/serial.txt")"
fi
exit 5
