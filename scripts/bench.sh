#!/bin/sh
# scripts/bench.sh ELF - boot the benchmark scenario in Bochs and print its figures as
# "bench <name>: <number> <unit>" lines. Figures are exact instruction counts under Bochs.
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$1
dir=$here/build/bench
"$here/scripts/run.sh" --elf "$elf" --dir "$dir" --timeout 300 \
    --args "scenario=bench iterations=${ITERATIONS:-1000} onpanic=poweroff" || exit 1
tr -d '\r' <"$dir/serial.txt" | sed -n 's/^bench: BENCH \([a-z_0-9]*\) \([0-9]*\)$/bench \1: \2 instructions/p' >"$dir/figures.txt"
if ! grep -q 'SCENARIO bench: PASS' "$dir/serial.txt" || [ ! -s "$dir/figures.txt" ]; then
    echo "bench: the benchmark scenario failed; serial log: $dir/serial.txt" >&2
    exit 1
fi
cat "$dir/figures.txt"
