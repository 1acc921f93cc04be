#!/bin/sh
# scripts/unit.sh UNIT_BIN - run the host unit tests (Criterion) and print "unit: N passed, N failed".
bin=$1
out=$(mktemp)
"$bin" --jobs 2 >"$out" 2>&1
rc=$?
grep -v '^\[----\]' "$out" | grep -E 'FAIL|CRASH|Assertion|Synthesis|error' | head -60
line=$(grep 'Synthesis' "$out" | tail -1)
tested=$(echo "$line" | sed -n 's/.*Tested: \([0-9]*\).*/\1/p')
passing=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
rm -f "$out"
if [ -z "$tested" ]; then
    echo "unit: the test binary did not report (exit $rc)"
    echo "unit: 0 passed, 1 failed"
    exit 1
fi
echo "unit: $passing passed, $((tested - passing)) failed"
[ "$rc" -eq 0 ] && [ "$tested" = "$passing" ]
