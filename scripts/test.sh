#!/bin/sh
# scripts/test.sh UNIT_BIN ELF JOBS - every test: host unit tests, the harness self-tests, then
# system tests in Bochs. Ends with one line "N passed, N failed" (the sum of the three layers);
# exits 1 on any failure, or when a layer did not report its counts.
here=$(cd "$(dirname "$0")/.." && pwd)
unit_bin=$1 elf=$2 jobs=$3
log=$(mktemp)
echo "== unit tests (host, Criterion)"
"$here/scripts/unit.sh" "$unit_bin" | tee "$log"
echo "== harness self-tests (scripts/run.sh with stand-in emulators)"
"$here/tests/harness/run.sh" | tee -a "$log"
echo "== system tests (Bochs, and QEMU for the qemu-* tests)"
"$here/tests/system/run.sh" --jobs "$jobs" --elf "$elf" | tee -a "$log"
layers='^(unit|harness|system): [0-9]+ passed, [0-9]+ failed$'
p=$(grep -E "$layers" "$log" | sed 's/^[a-z]*: \([0-9]*\) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
f=$(grep -E "$layers" "$log" | sed 's/.* passed, \([0-9]*\) failed$/\1/' | awk '{s+=$1} END {print s+0}')
n=$(grep -c -E "$layers" "$log")
rm -f "$log"
[ "$n" -eq 3 ] || { echo "only $n of 3 test layers reported their counts"; f=$((f + 1)); }
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
