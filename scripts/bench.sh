#!/bin/sh
# scripts/bench.sh ELF - boot the benchmark scenarios in Bochs and print their figures as
# "bench <name>: <number> <unit>" lines. Under Bochs the TSC counts instructions, so the
# figures are exact instruction counts.
#  - exit round trips: scenario bench (a built-in guest times CPUID, VMCALL and port I/O);
#  - guest_throughput_ratio: the longmode test guest's sieve, bare and as a VM (bare ticks
#    divided by the ticks under Vanderpool: 1.0 means no slowdown);
#  - hv_memory_base / hv_memory_per_vcpu: what the vms scenario reports for that VM;
#  - linux_boot_ratio, linux_idle_exits_per_s: the Linux guest of `make linux` (the block at the end).
# BENCH_ONLY=roundtrip stops after the exit round trips (the first run, seconds instead of
# minutes); BENCH_ONLY=linux runs only the Linux block (linux_boot_ratio and
# linux_idle_exits_per_s), BENCH_ONLY=timer only timer_irq_exits_per_1000; by default
# everything runs.
here=$(cd "$(dirname "$0")/.." && pwd)
elf=$1
out=$here/build/bench
mkdir -p "$out"
fail() { echo "bench: $*" >&2; exit 1; }
clean() { tr -d '\r' <"$1/serial.txt"; }
only=${BENCH_ONLY:-}

if [ -z "$only" ] || [ "$only" = roundtrip ]; then
"$here/scripts/run.sh" --elf "$elf" --dir "$out/exits" --timeout 300 \
    --args "scenario=bench iterations=${ITERATIONS:-1000} onpanic=poweroff" || exit 1
clean "$out/exits" | grep -q 'SCENARIO bench: PASS' || fail "scenario bench failed: $out/exits/serial.txt"
clean "$out/exits" | sed -n 's/^bench: BENCH \([a-z_0-9]*\) \([0-9]*\)$/bench \1: \2 instructions/p'
[ "$only" = roundtrip ] && exit 0

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
fi

# ---- Linux boot (issue 11) ----
# linux_boot_ratio: the same bzImage and initramfs (make linux), the same CPU model, booted as
# the VM of vm-linux and bare by GRUB (bare-linux, without `quiet`). The span measured is the
# kernel's own: its printk clock (sched_clock, the TSC scaled by the rate the kernel knows)
# from its start early in setup_arch to "Run /init as init process", the moment userspace
# begins. Bochs runs with `clock: sync=none`, where emulated time is ticks / ips (a tick per
# instruction; time in HLT passes too) and its TSC counts those ticks, so both kernels must be
# told that rate: under Vanderpool CPUID 15H gives the rate the hypervisor measured (its
# "lapic: ... TSC N kHz" line); bare, Bochs's CPUID 16H shows the model's nominal 3.5 GHz, 70
# times the real rate, which squeezed the bare kernel's clock wherever it followed the TSC
# (before its timer ticks ran, and from its switch to the TSC clocksource to /init: 1.710 was
# measured so), so the bare kernel is told the VM's rate with tsc_early_khz= (the same kernel,
# a command-line word). The stretch before (GRUB, the hypervisor's boot, the kernel's
# decompression) is left out on both sides. Then the VM's exits of the whole boot by reason.
if [ -n "$only" ] && [ "$only" != linux ]; then
    : # not asked for
elif [ -s "$here/build/linux/bzImage" ] && [ -s "$here/build/linux/initramfs.cpio.gz" ]; then
    lx=$here/build/linux
    "$here/scripts/run.sh" --elf "$elf" --model corei7_skylake_x --megs 512 \
        --dir "$out/linux-vm" --timeout 900 \
        --module "$lx/bzImage" --module "$lx/initramfs.cpio.gz" \
        --args 'scenario=vms vm=lx:image=bzImage,initrd=initramfs.cpio.gz,mem=256M,cmdline="console=ttyS0 cryptomgr.notests=1 vanderpool=test" onpanic=poweroff' || exit 1
    khz=$(clean "$out/linux-vm" | sed -n 's/^lapic: .* TSC \([0-9]*\) kHz.*/\1/p')
    [ -n "$khz" ] || fail "no TSC rate (lapic: ... TSC N kHz): $out/linux-vm/serial.txt"
    "$here/scripts/run.sh" --elf "$lx/bzImage" --bare linux --module "$lx/initramfs.cpio.gz" \
        --model corei7_skylake_x --megs 512 --dir "$out/linux-bare" --timeout 600 \
        --args "console=ttyS0,115200 cryptomgr.notests=1 vanderpool=test tsc_early_khz=$khz" || exit 1
    span() { clean "$1" | sed -n 's/^\(lx: \)\{0,1\}\[ *\([0-9.]*\)\] Run \/init as init process$/\2/p' | head -n 1; }
    bare=$(span "$out/linux-bare") vm=$(span "$out/linux-vm")
    [ -n "$bare" ] && [ -n "$vm" ] || fail "no 'Run /init' line: $out/linux-bare/serial.txt, $out/linux-vm/serial.txt"
    echo "$vm $bare" | awk '{printf "bench linux_boot_ratio: %.3f (kernel start to /init: %.3f s under Vanderpool / %.3f s bare)\n", $1 / $2, $1, $2}'
    clean "$out/linux-vm" | sed -n 's/^vm lx: exit status [0-9-]*, \([0-9]*\) exits.*/bench linux_boot_exits: \1/p'
    clean "$out/linux-vm" | sed -n 's/^  exits cpu=\([0-9]*\) reason=[0-9]* \([A-Z0-9_]*\) *count=\([0-9]*\) .*/\3 \2 cpu\1/p' |
        sort -rn | head -n 3 | awk '{printf "bench linux_boot_exits_top: %s %d (CPU %s)\n", $2, $1, substr($3, 4)}'

    # linux_idle_exits_per_s: the VM's exits per emulated second while its userspace sits
    # idle. The same VM twice more, with vanderpool_idle=N and with vanderpool_idle=2N:
    # /init (guests/linux/init) prints "VANDERPOOL-IDLE: N s" and sleeps that long before its
    # poweroff, as a shell waiting for input would. Bochs (`clock: sync=none`) runs both
    # deterministically alike up to the end of the shorter sleep (the line printed and the
    # `sleep` command started alike: N and 2N have as many digits for N = 10), so the
    # difference of the two runs is N seconds of sleep and nothing else: its exits over its
    # emulated time, Bochs's tick count at the end of each run (the last "(0).[ticks]" of
    # bochs.out: one tick per instruction, time passing in HLT included) divided by the TSC
    # rate the guest is told (CPUID 15H: the rate the hypervisor measured, its "lapic: ... TSC
    # N kHz" line). Then the three reasons that grew most. (Measured against the run without
    # the sleep, as before, the difference also held the line's UART output, about 150 port
    # exits, and the start of `sleep`, about 66 CPUID exits.)
    idle=${LINUX_IDLE:-10}
    for n in $idle $((idle * 2)); do
        "$here/scripts/run.sh" --elf "$elf" --model corei7_skylake_x --megs 512 \
            --dir "$out/linux-idle-$n" --timeout 900 \
            --module "$lx/bzImage" --module "$lx/initramfs.cpio.gz" \
            --args "scenario=vms vm=lx:image=bzImage,initrd=initramfs.cpio.gz,mem=256M,cmdline=\"console=ttyS0 cryptomgr.notests=1 vanderpool=test vanderpool_idle=$n\" onpanic=poweroff" || exit 1
        clean "$out/linux-idle-$n" | grep -q "^lx: VANDERPOOL-IDLE: $n s\$" ||
            fail "no idle interval: $out/linux-idle-$n/serial.txt"
    done
    a=$out/linux-idle-$idle b=$out/linux-idle-$((idle * 2))
    ticks() { sed -n 's/^([0-9]*)\.\[\([0-9]*\)\] .*/\1/p' "$1/bochs.out" | tail -n 1; }
    exits() { clean "$1" | sed -n 's/^vm lx: exit status 0, \([0-9]*\) exits.*/\1/p'; }
    reasons() { clean "$1" | sed -n 's/^  exits cpu=0 reason=[0-9]* \([A-Z_0-9]*\) *count=\([0-9]*\) .*/\1 \2/p'; }
    t0=$(ticks "$a") t1=$(ticks "$b")
    e0=$(exits "$a") e1=$(exits "$b")
    [ -n "$khz" ] && [ -n "$t0" ] && [ -n "$t1" ] && [ -n "$e0" ] && [ -n "$e1" ] && [ "$t1" -gt "$t0" ] ||
        fail "no exit counts or tick counts: $a, $b"
    top=$( { reasons "$a" | sed 's/ / -/'; reasons "$b"; } |
        awk '{d[$1] += $2} END {for (r in d) if (d[r] > 0) print d[r], r}' | sort -rn | head -3 |
        awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')
    echo "$e1 $e0 $t1 $t0 $khz" | awk -v top="$top" '{s = ($3 - $4) / ($5 * 1000)
        printf "bench linux_idle_exits_per_s: %.1f (%d exits in %.3f emulated s idle); top: %s\n", ($1 - $2) / s, $1 - $2, s, top}'
else
    echo "bench: no build/linux (make linux): linux_boot_ratio, linux_idle_exits_per_s skipped" >&2
fi

[ "$only" = linux ] && exit 0

# ipi_roundtrip / ipi_roundtrip_noapicv (book ch. 7): the ipi test guest as a VM with 2 vCPUs;
# vCPU 0 sends a fixed IPI to vCPU 1, whose handler sends one back, 100 times, and prints the
# average TSC ticks of a round trip measured around each (guests/ipi/main.c, test_ping_pong),
# once with APIC virtualization and once with apicv=off (the software local APIC).
ipi=$here/build/guests/ipi.elf
[ -z "$only" ] && for v in apicv noapicv; do
    extra=; name=ipi_roundtrip
    [ "$v" = noapicv ] && extra=" apicv=off" && name=ipi_roundtrip_noapicv
    "$here/scripts/run.sh" --elf "$elf" --cpus 2 --dir "$out/ipi-$v" --timeout 400 --module "$ipi" \
        --args "scenario=vms$extra vm=ipi:image=ipi.elf,mem=16M,vcpus=2,cmdline=\"cpus=2\" onpanic=poweroff" ||
        exit 1
    n=$(clean "$out/ipi-$v" | sed -n 's/^ipi: ipi: a round trip takes \([0-9]*\) TSC ticks on average$/\1/p')
    [ -n "$n" ] || fail "no IPI round-trip figure: $out/ipi-$v/serial.txt"
    echo "bench $name: $n instructions"
done

# timer_irq_exits_per_1000 (apicv) / _noapicv: VM exits per 1,000 local APIC timer interrupts
# taken by an idle guest (the lapic-timer guest's idle=N mode: periodic timer at 1 kHz, STI;
# HLT), on corei7_icelake_u with APIC virtualization and with apicv=off. Each is the exit
# count of a run with idle=1000 minus one with idle=0 (the same start, no interrupts); the
# three reasons that grew most follow.
lt=$here/build/guests/lapic-timer.elf
timer_run() { # name idle apicv-arg -> $out/name
    "$here/scripts/run.sh" --elf "$elf" --dir "$out/$1" --timeout 300 --model corei7_icelake_u \
        --module "$lt:idle=$2" --args "scenario=vms $3 vm=t:image=lapic-timer.elf onpanic=poweroff" ||
        exit 1
    clean "$out/$1" | grep -q "^t: BENCH timer_irqs $2\$" || fail "idle=$2: $out/$1/serial.txt"
}
timer_exits() { clean "$out/$1" | sed -n 's/^vm t: exit status [0-9]*, \([0-9]*\) exits,.*/\1/p'; }
timer_reasons() { clean "$out/$1" | sed -n 's/^  exits cpu=0 reason=[0-9]* \([A-Z_0-9]*\) *count=\([0-9]*\) .*/\1 \2/p'; }
for mode in apicv noapicv; do
    arg=; [ $mode = noapicv ] && arg=apicv=off
    timer_run "timer0_$mode" 0 "$arg"
    timer_run "timer1000_$mode" 1000 "$arg"
    e0=$(timer_exits "timer0_$mode") e1=$(timer_exits "timer1000_$mode")
    [ -n "$e0" ] && [ -n "$e1" ] || fail "no exit counts: $out/timer*_$mode/serial.txt"
    top=$( { timer_reasons "timer0_$mode" | sed 's/ / -/'; timer_reasons "timer1000_$mode"; } |
        awk '{d[$1] += $2} END {for (r in d) if (d[r] > 0) print d[r], r}' | sort -rn | head -3 |
        awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}')
    name=timer_irq_exits_per_1000 note="(apicv)"
    [ $mode = noapicv ] && name=timer_irq_exits_per_1000_noapicv note="(apicv=off)"
    echo "bench $name: $((e1 - e0)) $note; top: $top"
done
