/* scenarios/boot.c - book example 1-1: the platform boots and every CPU comes online. */
#include "platform/config.h"
#include "platform/console.h"
#include "platform/mem.h"
#include "platform/percpu.h"
#include "platform/smp.h"
#include "scenarios/scenario.h"

static volatile uint32_t seen[MAX_CPUS];

static void say_hello(void *arg)
{
    (void)arg;
    struct percpu *p = this_cpu();
    seen[p->id] = 1;
    kprintf("cpu %u: hello from APIC id %u (cross-CPU call)\n", p->id, p->apic_id);
}

static bool run(void)
{
    uint32_t expected = cpu_count < config.cpus ? cpu_count : (uint32_t)config.cpus;
    uint32_t online = smp_online_count();
    int failed = xcall_run_all(say_hello, NULL);
    uint32_t answered = 0;
    for (uint32_t i = 0; i < cpu_count; i++)
        answered += seen[i];
    mem_print_stats();
    kprintf("boot: %u CPUs expected, %u online, %u answered a cross-CPU call\n", expected, online,
            answered);
    return online == expected && answered == online && failed == 0;
}

const struct scenario scenario_boot = {
    .name = "boot",
    .book = "1-1",
    .summary = "boot stages, memory map, every CPU online and answering cross-CPU calls",
    .run = run,
};
