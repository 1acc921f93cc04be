/*
 * guests/builtin/bench.c - the exit round-trip benchmark, measured from inside the guest with
 * RDTSC. In Bochs (clock: sync=none) the TSC advances one tick per instruction, so the figures
 * are exact instruction counts of the whole round trip: VM exit, dispatch, handler, statistics,
 * debug record, VM entry. The cost of the measuring loop itself is subtracted.
 */
#include "guests/builtin/guest_lib.h"
#include "platform/cpu.h"

uint64_t guest_bench_iterations = 1000; /* set by the scenario before the guest starts */
const char *guest_bench_suffix = "";    /* "_traced" for the run with every exit traced */

static uint64_t per_iteration(uint64_t start, uint64_t end, uint64_t base)
{
    uint64_t n = guest_bench_iterations, total = end - start;
    return total > base ? (total - base) / n : 0;
}

void guest_bench_main(void)
{
    uint64_t n = guest_bench_iterations, t0, t1, base;

    t0 = rdtsc();
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("" ::: "memory");
    base = rdtsc() - t0;

    t0 = rdtsc();
    for (uint64_t i = 0; i < n; i++)
        cpuid(0, 0);
    t1 = rdtsc();
    guest_printf("BENCH cpuid_roundtrip%s %lu\n", guest_bench_suffix, per_iteration(t0, t1, base));

    t0 = rdtsc();
    for (uint64_t i = 0; i < n; i++)
        guest_vmcall(2, 0); /* VP_HC_NOP */
    t1 = rdtsc();
    guest_printf("BENCH vmcall_roundtrip%s %lu\n", guest_bench_suffix, per_iteration(t0, t1, base));

    t0 = rdtsc();
    for (uint64_t i = 0; i < n; i++)
        inb(GUEST_CONSOLE_PORT); /* handled by the debug-console device */
    t1 = rdtsc();
    guest_printf("BENCH io_roundtrip%s %lu\n", guest_bench_suffix, per_iteration(t0, t1, base));
    guest_vmcall(1, 0); /* VP_HC_EXIT */
}
