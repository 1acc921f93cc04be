#!/bin/sh
# scripts/run.sh - boot Vanderpool (or a test guest) in Bochs once, and say how the run ended.
# `scripts/run.sh --help` prints the usage; docs: README.md "Troubleshooting".
#
# The one place that writes a bochsrc. It builds an ISO for this run in DIR, writes DIR/bochsrc,
# and runs bochs-bin headless (RFB display that waits for nobody, the debugger told to
# `c`ontinue, stdin from /dev/null), bounded by --timeout. COM1 goes to a small listener
# (tools/serial-listen.c) that writes DIR/serial.txt as the bytes come (Bochs's file mode writes
# in chunks), and sends what --input gives into the port (Bochs's socket modes read as well as
# write; Bochs hands the bytes to the COM1 receiver, where the hypervisor polls them), so the
# run can be judged while it goes: it ends at the end marker (the hypervisor's
# "Vanderpool: power off" line, or a bare guest's "TEST name: PASS|FAIL"), or shortly after a
# halt marker ("Vanderpool: halted", "Vanderpool: CPU n halted") once the output has gone quiet.
# Every other way Bochs can stop is a named failure, never a silent success. The options, the
# watching and the exit statuses are shared with scripts/run-qemu.sh (scripts/runlib.sh).
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
  --input -|FILE      what goes into the serial port (COM1): - the runner's stdin, typed (on a
                       terminal: unechoed, character by character); FILE a script of
                       "wait TEXT" / "send TEXT" lines (tools/serial-listen.c)
  --progress linux     show a Linux guest's boot phase with the elapsed seconds
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

me=run.sh emu=Bochs
. "$(dirname "$0")/runlib.sh"
model=corei7_icelake_u cpuopts=
emulator=${VP_EMULATOR:-bochs-bin}
while [ $# -gt 0 ]; do
    case $1 in
    --help | -h) usage; exit 0 ;;
    --model | --bochs-cpu)
        [ $# -ge 2 ] || rl_die2 "$1 needs a value (run.sh --help)"
        case $1 in --model) model=$2 ;; --bochs-cpu) cpuopts=", $2" ;; esac
        shift 2 ;;
    *)
        rl_opt "$@"
        [ "$rl_shift" -gt 0 ] || rl_die2 "unknown option '$1' (run.sh --help)"
        shift "$rl_shift" ;;
    esac
done
rl_check_options

# ---- preflight: what the bochsrc names must exist (scripts/preflight.sh checks the rest) ----
"$here/scripts/preflight.sh" --emulator "$emulator" --model "$model" || exit 2

rl_trap
rl_prepare bochs.log bochs.out bochsrc
rl_start_listener

cat >"$dir/bochsrc" <<EOT
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=$cpus, ips=50000000, reset_on_triple_fault=0$cpuopts
ata0-master: type=cdrom, path=$dir/boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=socket-client, dev=127.0.0.1:$port
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

# What to show when the run went wrong: the tail of Bochs's output and log (not for a GRUB
# error, where they say nothing), and the paths.
emu_explain() {
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

emu_out=$dir/bochs.out
# shellcheck disable=SC2086
rl_run $emulator -q -f "$dir/bochsrc" -rc "$dir/cmds"
rl_verdict
