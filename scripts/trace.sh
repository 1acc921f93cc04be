#!/bin/sh
# scripts/trace.sh [--cpus N] [--model NAME] [--timeout S] --elf ELF [--module FILE[:ARGS]]...
#
# `make trace` and `make trace-vms`: boots Vanderpool once in Bochs (scripts/run.sh) with the
# command line in $TRACE_ARGS plus `tracedump` (and `onpanic=poweroff` unless it names
# onpanic), then turns the serial log into what tools/vptrace writes (docs/trace.md):
#   build/trace/serial.txt     the serial log, with the dump at its end
#   build/trace/table.txt      the exit table, also printed
#   build/trace/exits.csv      every record
#   build/trace/timeline.svg   the timeline, a lane per CPU
#   build/trace/histogram.svg  handler ticks per exit reason
# Exit status 1 when Bochs did not finish or vptrace could not read the log.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/build/trace
vptrace=$here/build/host/vptrace
cpus=1 model=corei7_icelake_u timeout=120 elf= mods=
while [ $# -gt 0 ]; do
    case $1 in
    --cpus) cpus=$2; shift ;;
    --model) model=$2; shift ;;
    --timeout) timeout=$2; shift ;;
    --elf) elf=$2; shift ;;
    --module) mods="$mods --module $2"; shift ;;
    *) echo "trace.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$elf" ] || { echo "trace.sh: --elf is required" >&2; exit 2; }
[ -x "$vptrace" ] || { echo "trace.sh: $vptrace is missing (make vptrace)" >&2; exit 2; }
args="${TRACE_ARGS:-} tracedump"
case " $args " in *" onpanic="*) ;; *) args="$args onpanic=poweroff" ;; esac

mkdir -p "$out"
rm -f "$out/table.txt" "$out/exits.csv" "$out/timeline.svg" "$out/histogram.svg"
echo "trace: booting with '$args' on $cpus CPU(s); the serial log goes to build/trace/serial.txt"
# shellcheck disable=SC2086
"$here/scripts/run.sh" --dir "$out" --cpus "$cpus" --model "$model" --timeout "$timeout" \
    --elf "$elf" --args "$args" $mods
rc=$?
if [ $rc -ne 0 ]; then
    echo "trace: the run did not finish (status $rc); the dump is printed at power-off" >&2
    exit 1
fi
"$vptrace" --table --csv "$out/exits.csv" --timeline "$out/timeline.svg" \
    --histogram "$out/histogram.svg" "$out/serial.txt" >"$out/table.txt" || {
    cat "$out/table.txt"
    echo "trace: vptrace could not read build/trace/serial.txt (above)" >&2
    exit 1
}
cat "$out/table.txt"
echo
echo "trace: build/trace/table.txt exits.csv timeline.svg histogram.svg written"
