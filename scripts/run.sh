#!/bin/sh
# scripts/run.sh - boot Vanderpool in Bochs once.
#
#   run.sh [--live] [--cpus N] [--model NAME] [--timeout S] [--megs M] [--dir DIR]
#          --elf ELF [--args "CMDLINE"] [--module FILE[:ARGS]]...
#          [--bare multiboot|multiboot2|linux]
#
# Builds an ISO for this run in DIR (default build/run), writes DIR/bochsrc and runs
# bochs-bin headless (RFB display that waits for nobody, the debugger told to `c`ontinue,
# stdin from /dev/null so it never waits for the keyboard), bounded by --timeout.
# The serial output lands in DIR/serial.txt; with --live it is also shown as it comes.
# With --bare the ELF given is booted directly (a test guest without the hypervisor): GRUB
# loads it with its multiboot (v1) or multiboot2 command, ARGS as its command line; with
# --bare linux the ELF is a Linux bzImage and the modules its initrd (scripts/mkiso.sh).
# Exit status: 0 when Bochs ended by itself, 124 on timeout, 130 when interrupted.
set -u
live=0 cpus=1 model=corei7_icelake_u timeout=120 megs=256 dir=build/run elf= args= mods= bare=
while [ $# -gt 0 ]; do
    case $1 in
    --live) live=1 ;;
    --cpus) cpus=$2; shift ;;
    --model) model=$2; shift ;;
    --timeout) timeout=$2; shift ;;
    --megs) megs=$2; shift ;;
    --dir) dir=$2; shift ;;
    --elf) elf=$2; shift ;;
    --args) args=$2; shift ;;
    --module) mods="$mods $2"; shift ;;
    --bare) bare=$2; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$elf" ] || { echo "run.sh: --elf is required" >&2; exit 2; }
case $bare in
""|multiboot|multiboot2|linux) ;;
*) echo "run.sh: --bare takes multiboot, multiboot2 or linux, not '$bare'" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
bpid= lpid=
# timeout(1) puts Bochs in a process group of its own, so a Ctrl-C in the terminal does not
# reach it (it would stop in its debugger); the trap below stops it instead.
cleanup() {
    if [ -n "${bpid:-}" ]; then
        kill -TERM "$bpid" 2>/dev/null # timeout passes it on to Bochs
        sleep 0.3
        pkill -KILL -P "$bpid" 2>/dev/null
        kill -KILL "$bpid" 2>/dev/null
    fi
    [ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
}
trap 'cleanup; [ "$live" = 1 ] && echo "
run.sh: interrupted; Bochs stopped." >&2; exit 130' INT TERM

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -f "$dir/serial.txt" "$dir/bochs.log" "$dir/bochs.out" "$dir/port"

if [ -n "$bare" ]; then
    # shellcheck disable=SC2086
    "$here/scripts/mkiso.sh" --bare "$bare" "$elf" "$dir/boot.iso" "$args" $mods || exit 1
else
    # shellcheck disable=SC2086
    "$here/scripts/mkiso.sh" "$elf" "$dir/boot.iso" "$args" $mods || exit 1
fi

if [ "$live" = 1 ]; then
    listener="$here/build/host/serial-listen"
    if [ ! -x "$listener" ] || [ "$here/tools/serial-listen.c" -nt "$listener" ]; then
        mkdir -p "$here/build/host"
        cc -O2 -Wall -o "$listener" "$here/tools/serial-listen.c" || exit 1
    fi
    "$listener" "$dir/port" "$dir/serial.txt" &
    lpid=$!
    i=0
    while [ ! -s "$dir/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    com1="com1: enabled=1, mode=socket-client, dev=127.0.0.1:$(cat "$dir/port")"
else
    com1="com1: enabled=1, mode=file, dev=$dir/serial.txt"
fi

cat >"$dir/bochsrc" <<EOT
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=$cpus, ips=50000000, reset_on_triple_fault=0
ata0-master: type=cdrom, path=$dir/boot.iso, status=inserted
boot: cdrom
$com1
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

timeout -k 5 "$timeout" bochs-bin -q -f "$dir/bochsrc" -rc "$dir/cmds" </dev/null >"$dir/bochs.out" 2>&1 &
bpid=$!
wait "$bpid"
rc=$?
bpid=
if [ "$live" = 1 ]; then
    # Let the listener drain what Bochs sent before it closed the socket.
    i=0
    while kill -0 "$lpid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
    kill "$lpid" 2>/dev/null
fi
[ $rc -eq 124 ] && { echo "run.sh: Bochs did not finish within $timeout s; stopped it" >&2; exit 124; }
exit 0
