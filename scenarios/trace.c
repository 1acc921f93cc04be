/* scenarios/trace.c - book example 1-2: every CPU writes debug records; the dump is checked
 * by the system test (tests/system/trace-4cpu.test), which parses the TRACE lines
 * (format: docs/trace.md). */
#include "platform/config.h"
#include "platform/console.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "scenarios/scenario.h"

#define RECORDS_PER_CPU 40 /* fewer than the ring holds, so none is overwritten */

static void write_records(void *arg)
{
    (void)arg;
    uint32_t id = this_cpu_id();
    for (uint64_t i = 0; i < RECORDS_PER_CPU; i++)
        trace(TRACE_TEST, id, i, i * i, 0x5a5a0000ull + id);
}

static bool run(void)
{
    /* Start from empty rings so the dump holds exactly the records written here. */
    for (uint32_t i = 0; i < cpu_count; i++)
        if (cpus[i].state == CPU_ONLINE)
            trace_ring_init(&cpus[i].trace, cpus[i].trace_storage, cpus[i].trace.capacity,
                            (uint16_t)i);
    int failed = xcall_run_all(write_records, NULL);
    kprintf("trace: %u CPUs wrote %d records each\n", smp_online_count(), RECORDS_PER_CPU);
    trace_dump_all();
    return failed == 0;
}

const struct scenario scenario_trace = {
    .name = "trace",
    .book = "1-2",
    .summary = "every CPU appends debug records; the rings are dumped for checking",
    .run = run,
};
