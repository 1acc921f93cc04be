#!/bin/sh
# scripts/bench.sh ELF - boot the benchmark scenarios in Bochs and print their figures as
# "bench <name>: <number> <unit>" lines. Under Bochs the TSC counts instructions, so the
# figures are exact instruction counts.
#  - exit round trips: scenario bench (a built-in guest times CPUID, VMCALL and port I/O);
#  - guest_throughput_ratio: the longmode test guest's sieve, bare and as a VM (bare ticks
#    divided by the ticks under Vanderpool: 1.0 means no slowdown);
#  - hv_memory_base / hv_memory_per_vcpu: what the vms scenario reports for that VM.
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$1
out=$here/build/bench
mkdir -p "$out"
fail() { echo "bench: $*" >&2; exit 1; }
clean() { tr -d '\r' <"$1/serial.txt"; }

"$here/scripts/run.sh" --elf "$elf" --dir "$out/exits" --timeout 300 \
    --args "scenario=bench iterations=${ITERATIONS:-1000} onpanic=poweroff" || exit 1
clean "$out/exits" | grep -q 'SCENARIO bench: PASS' || fail "scenario bench failed: $out/exits/serial.txt"
clean "$out/exits" | sed -n 's/^bench: BENCH \([a-z_0-9]*\) \([0-9]*\)$/bench \1: \2 instructions/p'

lm=$here/build/guests/longmode.elf
"$here/scripts/run.sh" --elf "$lm" --bare multiboot --dir "$out/bare" --timeout 120 || exit 1
"$here/scripts/run.sh" --elf "$elf" --dir "$out/vm" --timeout 180 --module "$lm" \
    --args "scenario=vms vm=lm:image=longmode.elf,mem=16M onpanic=poweroff" || exit 1
bare=$(clean "$out/bare" | sed -n 's/^BENCH sieve_ticks \([0-9]*\)$/\1/p')
vm=$(clean "$out/vm" | sed -n 's/^lm: BENCH sieve_ticks \([0-9]*\)$/\1/p')
[ -n "$bare" ] && [ -n "$vm" ] || fail "no sieve figures: $out/bare/serial.txt, $out/vm/serial.txt"
echo "$bare $vm" | awk '{printf "bench guest_throughput_ratio: %.4f (bare %d / under Vanderpool %d ticks)\n", $1 / $2, $1, $2}'
clean "$out/vm" | sed -n 's/^vms: hypervisor memory: base \([0-9]*\) KiB .*, \([0-9]*\) KiB per vCPU beyond guest RAM$/bench hv_memory_base: \1 KiB\
bench hv_memory_per_vcpu: \2 KiB/p'
