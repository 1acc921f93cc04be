/* scenarios/bench.c - benchmark figures for `make bench`: the round trip of CPUID, VMCALL
 * and an I/O exit, measured by a built-in guest; printed as `bench <name>: <n> instructions`
 * (exact counts under Bochs, where the TSC counts instructions). The guest runs twice: with
 * the trace mask of the command line (none by default), then with every exit reason traced
 * (the figures get the suffix _traced). */
#include <string.h>
#include "platform/config.h"
#include "platform/console.h"
#include "scenarios/builtin_guest.h"
#include "scenarios/scenario.h"
#include "vmx/trace_mask.h"

void guest_bench_main(void);
extern uint64_t guest_bench_iterations;
extern const char *guest_bench_suffix;

static bool run_once(const char *suffix)
{
    static struct vcpu v;
    guest_bench_iterations = config.iterations;
    guest_bench_suffix = suffix;
    if (builtin_guest_run(&v, "bench", guest_bench_main, NULL))
        return false;
    kprintf("bench: %lu iterations per figure; the guest stopped: %s\n", config.iterations,
            v.stop_reason);
    return v.exit_status == 0;
}

static bool run(void)
{
    struct trace_mask saved = vmx_trace_mask;
    if (!run_once(""))
        return false;
    struct trace_mask all;
    trace_mask_parse("all", &all, NULL, 0); /* every exit recorded */
    vmx_trace_set(&all);
    bool ok = run_once("_traced");
    vmx_trace_set(&saved);
    return ok;
}

const struct scenario scenario_bench = {
    .name = "bench",
    .book = "",
    .summary = "round trips of CPUID, VMCALL and port I/O exits, in instructions",
    .run = run,
    .needs_vmx = true,
};
