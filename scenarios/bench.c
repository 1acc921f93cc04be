/* scenarios/bench.c - benchmark figures for `make bench`: the round trip of CPUID, VMCALL
 * and an I/O exit, measured by a built-in guest; printed as `bench <name>: <n> instructions`
 * (exact counts under Bochs, where the TSC counts instructions). */
#include <string.h>
#include "platform/config.h"
#include "platform/console.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"

void guest_bench_main(void);
extern uint64_t guest_bench_iterations;

static bool run(void)
{
    static struct vcpu v;
    guest_bench_iterations = config.iterations;
    if (builtin_guest_run(&v, "bench", guest_bench_main, NULL))
        return false;
    kprintf("bench: %lu iterations per figure; the guest stopped: %s\n", config.iterations,
            v.stop_reason);
    return v.exit_status == 0;
}

const struct scenario scenario_bench = {
    .name = "bench",
    .book = "",
    .summary = "round trips of CPUID, VMCALL and port I/O exits, in instructions",
    .run = run,
    .needs_vmx = true,
};
