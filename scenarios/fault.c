/* scenarios/fault.c - an exception the hypervisor did not expect: the full report
 * (vector, error code, registers, CPU, debug-record tail) and the CPU stops. */
#include "platform/console.h"
#include "platform/percpu.h"
#include "scenarios/scenario.h"

static bool run(void)
{
    trace(TRACE_NOTE, 0xfa, 0x17, 0, 0);
    kprintf("fault: reading from a non-canonical address; expect a #GP report\n");
    volatile uint64_t *bad = (volatile uint64_t *)0x8000000000000000ull;
    (void)*bad;
    return false; /* not reached */
}

const struct scenario scenario_fault = {
    .name = "fault",
    .book = "",
    .summary = "provoke #GP: the exception report and the debug-record tail",
    .run = run,
};
