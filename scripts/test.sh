#!/bin/sh
# scripts/test.sh UNIT_BIN ELF JOBS - every test: host unit tests, then system tests in Bochs.
# Ends with one line "N passed, N failed" (the sum of both layers); exits 1 on any failure.
here=$(cd "$(dirname "$0")/.." && pwd)
unit_bin=$1 elf=$2 jobs=$3
log=$(mktemp)
echo "== unit tests (host, Criterion)"
"$here/scripts/unit.sh" "$unit_bin" | tee "$log"
echo "== system tests (Bochs)"
"$here/tests/system/run.sh" --jobs "$jobs" --elf "$elf" | tee -a "$log"
p=$(sed -n 's/^\(unit\|system\): \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
f=$(sed -n 's/^\(unit\|system\): \([0-9]*\) passed, \([0-9]*\) failed$/\3/p' "$log" | awk '{s+=$1} END {print s+0}')
n=$(grep -c -E '^(unit|system): [0-9]+ passed, [0-9]+ failed$' "$log")
rm -f "$log"
[ "$n" -eq 2 ] || { echo "a test layer did not report its counts"; f=$((f + 1)); }
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
